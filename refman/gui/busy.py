"""Showing that work goes on: a wait cursor for work that runs on the GUI thread for a moment
(a copy, a short export), and the progress dialog of a task on the window's runner (imports,
Update from PubMed, Find Available PDF), made the same way for each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QProgressDialog, QWidget

from refman.gui.tasks import Task


@contextmanager
def busy_cursor() -> Iterator[None]:
    """Show the wait cursor until the block ends, even when it raises."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


def progress_dialog(
    parent: QWidget,
    title: str,
    text: str,
    on_cancel: Callable[[], None],
    maximum: int = 0,
    keep_open: bool = False,
) -> QProgressDialog:
    """A window-modal progress dialog, shown at once (0 for ``maximum``: a busy bar); Cancel
    calls ``on_cancel``. ``keep_open``: the dialog neither closes nor resets when the value
    reaches the maximum, for work whose total grows (the caller closes it)."""
    dialog = QProgressDialog(text, "Cancel", 0, maximum, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    if keep_open:
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
    dialog.canceled.connect(on_cancel)
    return dialog


def task_progress(
    parent: QWidget, title: str, text: str, task: Task, maximum: int = 0
) -> QProgressDialog:
    """A progress dialog shown at once that follows ``task``: its counts move the bar (done of
    total), Cancel cancels it. The caller closes it (``close_progress``) when the task ends."""
    dialog = progress_dialog(parent, title, text, task.cancel, maximum=maximum)

    def moved(done: int, total: int) -> None:
        dialog.setMaximum(total)
        dialog.setValue(done)

    task.progressed.connect(moved)
    dialog.show()
    return dialog


def close_progress(dialog: QProgressDialog) -> None:
    """Close a progress dialog for good: its Cancel no longer reaches the finished task."""
    dialog.canceled.disconnect()
    dialog.close()
    dialog.deleteLater()
