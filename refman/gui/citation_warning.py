"""The one-line bar above the item table that says a citation just copied or dragged out
holds a retracted item (or one with an expression of concern), naming how many and which.

It does not stop the copy: the user may cite a retraction on purpose (to discuss it). It
stays until closed or until the next copy, which shows it again or hides it; the tooltip
names every such item when the line names only the first few.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from refman.gui import theme
from refman.gui.resources import icon
from refman.library import Library
from refman.library.notices import FlaggedItem, warning_lines
from refman.model import ItemId

NAMED = 3  # items named on the line; the tooltip names them all
TITLE_WIDTH = 40  # characters of each title on the line; the tooltip has them whole


class CitationWarning(QFrame):
    """Hidden until ``check`` finds a retracted item among those just cited."""

    def __init__(self, library: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self.setObjectName("citation_warning")
        self.icon = QLabel()
        self.icon.setPixmap(icon("notice").pixmap(16, 16))  # SVG: sharp at any scale
        self.text = QLabel()
        self._style()
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        # One line, cut at the window's edge: a long title must not widen the window.
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Hide this warning")
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 2, 2)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.close_button)
        self.found: list[FlaggedItem] = []
        self.hide()

    def _style(self) -> None:
        """The warning's colours from the palette in use: light and dark follow the system."""
        colours = theme.warning_colours()
        theme.set_style(
            self,
            f"QFrame#citation_warning {{ background: {colours.background};"
            f" border: 1px solid {colours.border}; }}",
        )
        theme.set_style(self.text, f"color: {colours.text};")

    def event(self, event) -> bool:
        if theme.palette_changed(event):  # light and dark follow the system
            self._style()
        return super().event(event)

    def check(self, ids: Sequence[ItemId], what: str) -> list[FlaggedItem]:
        """Warn when ``ids`` (just cited: ``what`` says how, e.g. "Copied the bibliography of
        3 items") hold items to warn of, else hide; those items."""
        self.found = self.library.notices.cited_warnings(ids)
        if not self.found:
            self.hide()
            return []
        lines = warning_lines(self.found, "among them", limit=NAMED, title_width=TITLE_WIDTH)
        ended = [line if line.endswith(("…", ".")) else f"{line}." for line in lines]
        self.text.setText(f"{what}. " + " ".join(ended))
        self.setToolTip("\n".join(warning_lines(self.found, "among them")))
        self.show()
        return self.found
