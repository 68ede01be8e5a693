"""Imports for the window: run ``library.importing`` on the window's task runner and report
the outcome.

The task opens its own ``Library`` in its thread (tasks.py). Progress comes back throttled; a
progress dialog appears only when the import lasts longer than half a second, and its Cancel
button cancels the task, whose flag the library polls between records (the library rolls the
current file back). When the import ends, a non-modal summary says what was added, which
records were not (each with the item it matched and why) and what went wrong.

With the review on (Preferences; ``review_wanted``), an import is first reviewed in a reading
task (``library.importing.review``, nothing written); when the files hold more than
REVIEW_ABOVE records or any record looks like a duplicate, the review dialog
(import_review.py) shows every record and the user chooses; the import then commits those
choices (``library.importing.commit``) as any import runs. ``undo_import`` undoes a whole
import (library.imports) in a writing task and says what it left.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from refman.gui import dialogs
from refman.gui.busy import close_progress, progress_dialog
from refman.gui.tasks import READ, WRITE, Task, TaskRunner
from refman.library import ImportReport, ImportReview, Library, NotAdded, UndoneImport
from refman.model import CollectionId, Problem

if TYPE_CHECKING:  # imported when a review is shown
    from refman.gui.import_review import ImportReviewDialog

# A dialog that flashes up for a quick import is noise: show it only for slow ones.
PROGRESS_DELAY_MS = 500
MAX_PROBLEMS_SHOWN = 20
ALREADY_RUNNING = "An import is already running. Wait for it to finish, or cancel it."
# What the progress dialog says each kind of task is doing.
DOING = {"Import": "Importing…", "Import review": "Reading for the review…"}
# A review is shown when the files hold more records than this, or any possible duplicate.
REVIEW_ABOVE = 5
# Where pasted or dropped text came from, in the summaries: not "from 1 file".
PASTED = "the pasted text"

# A job runs in the task's thread: (library, progress, cancelled) -> ImportReport.
ImportJob = Callable[[Library, Callable[[int, int], None], Callable[[], bool]], ImportReport]


class ImportController(QObject):
    """Starts imports for the window, shows their progress and a summary when they end."""

    finished = Signal(object)  # ImportReport, emitted after the summary is shown
    undone = Signal(object)  # UndoneImport, emitted after its message is shown

    def __init__(
        self,
        tasks: TaskRunner,
        parent: QWidget,
        review_wanted: Callable[[], bool] | None = None,
        stop_reviewing: Callable[[], None] | None = None,
    ):
        """``review_wanted()`` says whether imports are reviewed first (by default never);
        ``stop_reviewing()`` turns the review off (the dialog's "Don't review" box)."""
        super().__init__(parent)
        self._review_wanted = review_wanted or (lambda: False)
        self._stop_reviewing = stop_reviewing or (lambda: None)
        self.review_dialog: ImportReviewDialog | None = None
        self._tasks = tasks
        self._window = parent
        self._task: Task | None = None
        self._progress = (0, 0)
        self._doing = DOING["Import"]
        self._collection: CollectionId | None = None  # where a reviewed import files its items
        self._pasted = False  # the import running reads pasted text, not files
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

    def import_paths(
        self, paths: list[str], collection_id: CollectionId | None = None, *, review: bool = False
    ) -> None:
        """Import files and folders into the library (into a collection if given); with
        ``review`` (and the review on), review them first."""
        files = [str(p) for p in paths]
        if review and self._review_wanted():

            def look(library: Library, progress, cancelled) -> ImportReview:
                return library.importing.review(files, progress=progress, cancelled=cancelled)

            self._start_review(look, collection_id)
            return

        def job(library: Library, progress, cancelled) -> ImportReport:
            return library.importing.files(
                files, collection=collection_id, progress=progress, cancelled=cancelled
            )

        self._start(job)

    def import_text(
        self, text: str, collection_id: CollectionId | None = None, *, review: bool = False
    ) -> None:
        """Import MEDLINE text pasted or dropped on the window (reviewed first: see above)."""
        if review and self._review_wanted():
            self._start_review(
                lambda library, *_: library.importing.review_text(text),
                collection_id,
                pasted=True,
            )
            return

        def job(library: Library, progress, cancelled) -> ImportReport:
            return library.importing.text(text, collection=collection_id)

        self._start(job, pasted=True)

    def is_running(self) -> bool:
        """True while an import runs, or waits for the user in its review."""
        return self._task is not None or self.review_dialog is not None

    def undo_import(self, batch_id: int) -> None:
        """Undo one whole import (library.imports.undo) in a writing task; a message then
        says what was removed and names what was left."""
        if self.is_running():
            self._show_message(QMessageBox.Icon.Information, "Undo Import", ALREADY_RUNNING)
            return
        task = self._tasks.run(
            "Undo import", lambda library, *_: library.imports.undo(batch_id), mode=WRITE
        )
        task.succeeded.connect(self._on_undone)
        task.failed.connect(lambda message: dialogs.show_error(self._window, message))

    @Slot(object)
    def _on_undone(self, result: UndoneImport) -> None:
        icon = QMessageBox.Icon.Warning if result.lines() else QMessageBox.Icon.Information
        self._show_message(icon, "Undo Import", result.summary(), "\n".join(result.lines()))
        self.undone.emit(result)

    def cancel_and_wait(self) -> None:
        """Cancel a running import and wait for its thread (when the window closes)."""
        if self._task is not None:
            self._task.cancel()
            self._task.wait()

    # --- running ----------------------------------------------------------------------------

    def _start(self, job: ImportJob, *, pasted: bool = False) -> None:
        self._run("Import", job, WRITE, self._on_succeeded, pasted)

    def _run(self, name: str, job, mode: str, on_success, pasted: bool) -> None:
        if self.is_running():
            self._show_message(QMessageBox.Icon.Information, "Import", ALREADY_RUNNING)
            return
        self._pasted = pasted
        self._progress = (0, 0)
        self._doing = DOING[name]
        self._task = self._tasks.run(name, job, mode=mode)
        self._task.progressed.connect(self._on_progress)
        self._task.succeeded.connect(on_success)
        self._task.failed.connect(self._on_failed)
        self._delay.start()

    # --- the review ---------------------------------------------------------------------------

    def _start_review(
        self, job, collection_id: CollectionId | None, *, pasted: bool = False
    ) -> None:
        self._collection = collection_id
        # A reading task, which never waits for a writer; a library not made yet is made.
        mode = READ if self._tasks.library_path.exists() else WRITE
        self._run("Import review", job, mode, self._on_reviewed, pasted)

    @Slot(object)
    def _on_reviewed(self, review: ImportReview) -> None:
        self._stop_task()
        if review.cancelled:
            self._show_message(QMessageBox.Icon.Information, "Import", "Import cancelled.")
            self.finished.emit(ImportReport(cancelled=True))
        elif review.needs_a_look(REVIEW_ABOVE):
            self._show_review(review)
        else:
            self._commit(review, review.default_choices())

    def _show_review(self, review: ImportReview) -> None:
        from refman.gui.import_review import ImportReviewDialog

        origin = f"in {PASTED}" if self._pasted else None
        dialog = ImportReviewDialog(review, self._window, origin=origin)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._on_review_accepted(review, dialog))
        dialog.rejected.connect(self._on_review_rejected)
        self.review_dialog = dialog
        dialog.open()  # modal to the window, without blocking the event loop

    def _on_review_accepted(self, review: ImportReview, dialog: ImportReviewDialog) -> None:
        self.review_dialog = None
        if dialog.skip_review.isChecked():
            self._stop_reviewing()
        self._commit(review, dialog.choices())

    def _on_review_rejected(self) -> None:
        self.review_dialog = None
        self.finished.emit(ImportReport(cancelled=True))

    def _commit(self, review: ImportReview, choices: dict[tuple[int, int], str]) -> None:
        collection = self._collection

        def job(library: Library, progress, cancelled) -> ImportReport:
            return library.importing.commit(
                review, choices, collection=collection, progress=progress, cancelled=cancelled
            )

        self._start(job, pasted=self._pasted)

    @Slot()
    def _cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def _stop_task(self) -> None:
        self._delay.stop()
        if self.progress_dialog is not None:
            close_progress(self.progress_dialog)
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
        dialog = progress_dialog(
            self._window, "Import", self._doing, self._on_cancel, keep_open=True
        )
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
        dialog.setLabelText(f"{self._doing} {_kilobytes(done)} of {_kilobytes(total)}")

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
        origin = f"from {PASTED}" if self._pasted else None
        self._show_message(icon, "Import", report.summary(origin), report_lines(report))

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
