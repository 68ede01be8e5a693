"""A wait cursor for work that runs on the GUI thread for a moment (a copy, a short export)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication


@contextmanager
def busy_cursor() -> Iterator[None]:
    """Show the wait cursor until the block ends, even when it raises."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()
