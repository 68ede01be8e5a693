"""The bar above the item table that says new items are hidden by what the table shows.

An import (or a drop) while a search, a tag filter or a collection narrows the table may add
items the table does not show; the new items would then seem lost. The bar says how many are
hidden and by what, and its Show button asks the window (``show_requested``) to show My
Library unfiltered with the new items selected. It hides when the view changes, when closed,
and after Show.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from refman.model import ItemId, ViewQuery


def hidden_by(query: ViewQuery) -> str:
    """What narrows the view, in words: "the search", "the tag filter", "the collection"..."""
    if query.text:
        return "the search"
    if query.tags:
        return "the tag filter"
    if query.collection is not None:
        return "the collection on show"
    return "the view on show"


class HiddenItemsBar(QFrame):
    """ "3 new items are hidden by the search: Show" """

    show_requested = Signal(list)  # the hidden new items' ids

    STYLE = "QFrame#hidden_items { background: palette(alternate-base); }"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("hidden_items")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(self.STYLE)
        self.ids: list[ItemId] = []
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.show_button = QPushButton("Show")
        self.show_button.clicked.connect(self._on_show)
        self.close_button = QToolButton(autoRaise=True)
        self.close_button.setText("×")
        self.close_button.setToolTip("Hide this message")
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 2, 2)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.show_button)
        layout.addWidget(self.close_button)
        self.hide()

    def tell(self, hidden: Sequence[ItemId], query: ViewQuery) -> None:
        """Say that ``hidden`` (new items) are not shown by the view of ``query``; none: hide."""
        self.ids = list(hidden)
        if not self.ids:
            self.dismiss()
            return
        count = len(self.ids)
        are = "item is" if count == 1 else "items are"
        self.text.setText(f"{count} new {are} hidden by {hidden_by(query)}:")
        self.show()

    def dismiss(self) -> None:
        self.ids = []
        self.hide()

    def _on_show(self) -> None:
        ids = self.ids
        self.dismiss()
        self.show_requested.emit(ids)
