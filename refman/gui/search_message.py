"""The search's line directly above the item table: why a search shows nothing.

A query that cannot be read says where and what was expected (the message of
refman.query.QueryError, with its character position); a query that matches nothing says so,
naming the place searched ("No items match "stroke[ti]" in My Library"). Hidden whenever the
table shows items or the search box is empty.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


class SearchMessage(QLabel):
    """One line of plain text, selectable so that it can be copied into a bug report."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("search_message")
        self.setWordWrap(True)
        self.setContentsMargins(6, 3, 6, 3)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_result(self, text: str, count: int, problem: str, place: str) -> None:
        """After a search of ``text`` in ``place`` found ``count`` items, or could not run
        (``problem``: why, in plain words, as the table model says it)."""
        if problem:
            self.setText(problem[:1].upper() + problem[1:])
        elif text.strip() and count == 0:
            self.setText(f'No items match "{text.strip()}" in {place}')
        else:
            self.clear()
            self.hide()
            return
        self.show()
