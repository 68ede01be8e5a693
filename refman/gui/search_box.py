"""The quick search box above the table: results as you type, after a short pause."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QWidget

DEBOUNCE_MS = 150


class SearchBox(QLineEdit):
    """Emits ``search_changed(text)`` once typing pauses for DEBOUNCE_MS."""

    search_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setPlaceholderText("Search title, creators, year, journal, abstract, tags, notes")
        self.setClearButtonEnabled(True)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit)
        self.textChanged.connect(self._timer.start)
        self.returnPressed.connect(self._emit)  # no need to wait when the user says go
        self._last = ""

    def _emit(self) -> None:
        self._timer.stop()
        text = self.text().strip()
        if text != self._last:
            self._last = text
            self.search_changed.emit(text)

    def clear_now(self) -> None:
        """Empty the box and say so at once (the window shows new items it would hide)."""
        self.clear()
        self._emit()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)
