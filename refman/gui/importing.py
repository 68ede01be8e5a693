"""Imports for the window: run ``library.importing`` on the window's task runner and report
the outcome.

The task opens its own ``Library`` in its thread (tasks.py). Progress comes back throttled; a
progress dialog appears only when the import lasts longer than half a second, and its Cancel
button cancels the task, whose flag the library polls between records (the library rolls the
current file back). When the import ends, a non-modal summary says what was added, which
records were not (each with the item it matched and why) and what went wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from refman.gui.tasks import WRITE, Task, TaskRunner
from refman.library import ImportReport, Library, NotAdded
from refman.model import CollectionId, Problem

# A dialog that flashes up for a quick import is noise: show it only for slow ones.
PROGRESS_DELAY_MS = 500
MAX_PROBLEMS_SHOWN = 20
ALREADY_RUNNING = "An import is already running. Wait for it to finish, or cancel it."

# A job runs in the task's thread: (library, progress, cancelled) -> ImportReport.
ImportJob = Callable[[Library, Callable[[int, int], None], Callable[[], bool]], ImportReport]


class ImportController(QObject):
    """Starts imports for the window, shows their progress and a summary when they end."""

    finished = Signal(object)  # ImportReport, emitted after the summary is shown

    def __init__(self, tasks: TaskRunner, parent: QWidget):
        super().__init__(parent)
        self._tasks = tasks
        self._window = parent
        self._task: Task | None = None
        self._progress = (0, 0)
        self._delay = QTimer(self, singleShot=True, interval=PROGRESS_DELAY_MS)
        self._delay.timeout.connect(self._show_progress)
        self.progress_dialog: QProgressDialog | None = None
        self.summary_box: QMessageBox | None = None  # the last summary, kept for tests to read
        # Closing the window cancels the import and waits until the file is rolled back.
        parent.destroyed.connect(tasks.cancel_all_and_wait)
        app = QCoreApplication.instance()
        assert app is not None  # the window's application
        app.aboutToQuit.connect(self.cancel_and_wait)

    # --- public -----------------------------------------------------------------------------

    def import_paths(self, paths: list[str], collection_id: CollectionId | None = None) -> None:
        """Import MEDLINE files and folders into the library (into a collection if given)."""
        files = [str(p) for p in paths]

        def job(library: Library, progress, cancelled) -> ImportReport:
            return library.importing.files(
                files, collection=collection_id, progress=progress, cancelled=cancelled
            )

        self._start(job)

    def import_text(self, text: str, collection_id: CollectionId | None = None) -> None:
        """Import MEDLINE text pasted or dropped on the window."""

        def job(library: Library, progress, cancelled) -> ImportReport:
            return library.importing.text(text, collection=collection_id)

        self._start(job)

    def is_running(self) -> bool:
        return self._task is not None

    def cancel_and_wait(self) -> None:
        """Cancel a running import and wait for its thread (when the window closes)."""
        if self._task is not None:
            self._task.cancel()
            self._task.wait()

    # --- running ----------------------------------------------------------------------------

    def _start(self, job: ImportJob) -> None:
        if self.is_running():
            self._show_message(QMessageBox.Icon.Information, "Import", ALREADY_RUNNING)
            return
        self._progress = (0, 0)
        self._task = self._tasks.run("Import", job, mode=WRITE)
        self._task.progressed.connect(self._on_progress)
        self._task.succeeded.connect(self._on_succeeded)
        self._task.failed.connect(self._on_failed)
        self._delay.start()

    @Slot()
    def _cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def _stop_task(self) -> None:
        self._delay.stop()
        if self.progress_dialog is not None:
            self.progress_dialog.close()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None
        if self._task is not None:
            self._task.wait()  # the job has returned: only the thread's last steps are left
        self._task = None

    @Slot(object)
    def _on_succeeded(self, report: ImportReport) -> None:
        self._stop_task()
        self._show_report(report)
        self.finished.emit(report)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._stop_task()
        self._show_message(QMessageBox.Icon.Warning, "Import failed", message)
        self.finished.emit(ImportReport(problems=[Problem("", None, message)]))

    # --- progress ---------------------------------------------------------------------------

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self._progress = (done, total)
        if self.progress_dialog is not None:
            self._update_progress_dialog()

    @Slot()
    def _show_progress(self) -> None:
        if not self.is_running() or self.progress_dialog is not None:
            return
        dialog = QProgressDialog("Importing…", "Cancel", 0, 0, self._window)
        dialog.setWindowTitle("Import")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(self._on_cancel)
        self.progress_dialog = dialog
        self._update_progress_dialog()
        dialog.show()

    def _update_progress_dialog(self) -> None:
        dialog = self.progress_dialog
        done, total = self._progress
        if self._task is None or self._task.cancelled or dialog is None:
            return
        if total <= 0:  # text imports report no sizes: a busy bar
            dialog.setRange(0, 0)
            return
        dialog.setRange(0, 1000)
        dialog.setValue(int(1000 * done / total))
        dialog.setLabelText(f"Importing… {_kilobytes(done)} of {_kilobytes(total)}")

    @Slot()
    def _on_cancel(self) -> None:
        self._cancel()
        if self.progress_dialog is not None:
            self.progress_dialog.setLabelText("Cancelling…")
            self.progress_dialog.show()  # QProgressDialog hides on cancel; keep it until done

    # --- summary ----------------------------------------------------------------------------

    def _show_report(self, report: ImportReport) -> None:
        if report.nothing_read:
            self._show_message(
                QMessageBox.Icon.Warning,
                "Nothing imported",
                "No references could be read.",
                problem_lines(report.problems),
            )
            return
        icon = QMessageBox.Icon.Warning if report.problems else QMessageBox.Icon.Information
        self._show_message(icon, "Import", report.summary(), report_lines(report))

    def _show_message(self, icon, title: str, text: str, details: str = "") -> None:
        """A non-modal message box: the window stays usable and tests are never blocked."""
        if self.summary_box is not None:
            self.summary_box.close()
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self._window)
        box.setInformativeText(details)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.summary_box = box
        box.show()


def report_lines(report: ImportReport) -> str:
    """The records not added (each with what it matched and why), then the problems."""
    sections = (problem_lines(report.not_added), problem_lines(report.problems))
    return "\n\n".join(section for section in sections if section)


def problem_lines(problems: Sequence[Problem | NotAdded], limit: int = MAX_PROBLEMS_SHOWN) -> str:
    """Problems (or records not added) as lines of ``file, line N: message``, the first
    ``limit`` of them."""
    lines = [_problem_text(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"… and {len(problems) - limit:,} more.")
    return "\n".join(lines)


def _problem_text(problem: Problem | NotAdded) -> str:
    name = Path(problem.path).name if problem.path else ""
    where = f"{name}, line {problem.line}" if problem.line else name
    return f"{where}: {problem.message}" if where else problem.message


def _kilobytes(size: int) -> str:
    return f"{(size + 1023) // 1024:,} KB"
