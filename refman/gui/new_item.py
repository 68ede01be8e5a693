"""New Item by hand: the chooser of the item type (File > New Item).

The dialog lists every item type refman knows (model.ITEM_TYPES, named as the detail pane's
Item Type box names them) and says ``chosen(item_type)`` when the user picks one. The window
then makes the empty item through the editor's undo stack (``LibraryEditor.new_item``), in the
collection on show, selects it and puts the keyboard in its Title field.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from refman.gui.fields import ITEM_TYPE_LABELS
from refman.model import ARTICLE_JOURNAL, ITEM_TYPES


class NewItemDialog(QDialog):
    """A list of item types; OK (or a double click) makes an item of the one picked."""

    chosen = Signal(str)  # the item type (a CSL name: "article-journal", "book", ...)

    def __init__(self, parent: QWidget | None = None, current: str = ARTICLE_JOURNAL):
        super().__init__(parent)
        self.setWindowTitle("New Item")
        self.types = QListWidget()
        for item_type in ITEM_TYPES:
            entry = QListWidgetItem(ITEM_TYPE_LABELS[item_type])
            entry.setData(Qt.ItemDataRole.UserRole, item_type)
            self.types.addItem(entry)
        self.types.setCurrentRow(ITEM_TYPES.index(current) if current in ITEM_TYPES else 0)
        self.types.itemDoubleClicked.connect(lambda _entry: self.accept())
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Item type:"))
        layout.addWidget(self.types)
        layout.addWidget(self.buttons)
        self.types.setFocus()

    def item_type(self) -> str:
        entry = self.types.currentItem()
        return str(entry.data(Qt.ItemDataRole.UserRole)) if entry else ARTICLE_JOURNAL

    def accept(self) -> None:
        super().accept()
        self.chosen.emit(self.item_type())
