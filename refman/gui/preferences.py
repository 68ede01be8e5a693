"""Preferences: the default citation style, kept in QSettings.

The default style is what Copy Citation, Copy Bibliography, items dragged out of the window and
the detail pane's Citation box use, and what the export dialog starts with. The citation
processor is imported only when a style is looked up, so that opening the window does not pay
for it.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from refman.model import RefmanError

STYLE_KEY = "citation/style"


def default_style(settings: QSettings) -> str:
    """The id of the chosen style; AMA when none is chosen or the chosen one is gone."""
    from refman.formats import csl

    chosen = settings.value(STYLE_KEY, "", type=str)
    if chosen:
        try:
            return csl.find_style(chosen).id
        except RefmanError:  # no longer installed (a newer style package): fall back
            pass
    return csl.DEFAULT_STYLE


class PreferencesDialog(QDialog):
    """The default citation style, picked by searching the style titles."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        from refman.gui.style_picker import StylePicker

        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Preferences")
        self.picker = StylePicker(default_style(settings))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Default citation style</b>"))
        layout.addWidget(
            QLabel(
                "Used by Copy Citation, Copy Bibliography, items dragged out of refman, "
                "the Citation box, and as the first choice in File > Export.",
                wordWrap=True,
            )
        )
        layout.addWidget(self.picker)
        layout.addWidget(self.buttons)
        self.resize(520, 480)

    def accept(self) -> None:
        self.settings.setValue(STYLE_KEY, self.picker.style())
        super().accept()


def show_preferences(parent: QWidget, settings: QSettings) -> PreferencesDialog:
    """Open Preferences over ``parent`` (modal to it); ``accepted`` says the style was saved."""
    dialog = PreferencesDialog(settings, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
