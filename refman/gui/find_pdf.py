"""Find Available PDF in the window: the search on the task runner, then a plain summary.

``FindPdfController.find(ids)`` runs ``library.fulltext.find_available`` for the selected items
on the window's task runner (it attaches, so as a writing task), with an Http made from the
user's Preferences (``preferences.online_settings``); a progress dialog with Cancel shows while
it runs. Cancel keeps the PDFs attached so far. At the end a message says how many PDFs were
attached and, item by item, what became of the others (no open-access copy, offline, a web page
instead of a PDF...), and ``finished`` hands the report to the window, which shows the change.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QSettings, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from refman.gui import preferences
from refman.gui.busy import close_progress, task_progress
from refman.gui.tasks import WRITE, Task, TaskRunner
from refman.library import Library
from refman.library.fulltext import FindReport
from refman.model import ItemId
from refman.online import Http

NAME = "Find Available PDF"
SHOWN_LINES = 6  # items told in the message itself; all of them under Show Details


class FindPdfController(QObject):
    """Runs Find Available PDF for the window and tells how it went."""

    finished = Signal(object)  # the FindReport, or None when the task failed

    def __init__(self, tasks: TaskRunner, settings: QSettings, parent: QWidget):
        super().__init__(parent)
        self.tasks = tasks
        self.settings = settings
        self.window = parent
        self.task: Task | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.message_box: QMessageBox | None = None  # the last message, for tests to read

    def find(self, ids: Sequence[ItemId]) -> None:
        """Look for the items' PDFs in the background; the summary follows."""
        if self.task is not None or not ids:
            return
        online = preferences.online_settings(self.settings)  # read here, in the GUI thread
        ids = list(ids)

        def job(library: Library, progress, cancelled) -> FindReport:
            with Http(online) as http:
                return library.fulltext.find_available(
                    ids, http=http, progress=progress, cancelled=cancelled
                )

        self.task = self.tasks.run(NAME, job, mode=WRITE)
        self.task.succeeded.connect(self._on_done)
        self.task.failed.connect(self._on_failed)
        count = len(ids)
        text = f"Looking for open-access PDFs of {count} item{'s' * (count != 1)}…"
        self.progress_dialog = task_progress(self.window, NAME, text, self.task, maximum=count)

    def _end_task(self) -> None:
        self.task = None
        if self.progress_dialog is not None:
            close_progress(self.progress_dialog)
            self.progress_dialog = None

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._end_task()
        self._tell(QMessageBox.Icon.Warning, f"No PDF was attached: {message}", [])
        self.finished.emit(None)

    @Slot(object)
    def _on_done(self, report: FindReport) -> None:
        self._end_task()
        icon = QMessageBox.Icon.Information if report.attached else QMessageBox.Icon.Warning
        self._tell(icon, report.summary(), [outcome.line() for outcome in report.outcomes])
        self.finished.emit(report)

    def _tell(self, icon: QMessageBox.Icon, text: str, lines: list[str]) -> None:
        box = QMessageBox(icon, NAME, text, QMessageBox.StandardButton.Ok, self.window)
        if lines:
            shown = lines[:SHOWN_LINES]
            more = len(lines) - len(shown)
            box.setInformativeText("\n".join(shown) + (f"\n… and {more} more" if more else ""))
            box.setDetailedText("\n".join(lines))
        self.message_box = box
        box.open()
