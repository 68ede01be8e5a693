"""PDFs imported from the window: dropped on the table (not on an item), chosen in File >
Import, or among the files and folders dropped with reference files.

``split_import_paths`` sends the PDFs (named, or inside the folders named) to the PDF import
and everything else to the reference import (importing.py) as before. ``PdfImporter`` runs
``library.pdfs.import_files`` on the window's task runner: each PDF's identifier is looked up
(Preferences' email and API key, the environment's base URLs) and the PDF attached to the item
found, or kept as an item that needs a lookup. A progress dialog with Cancel appears when it
takes longer than half a second; a non-modal summary says what became of each PDF.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from refman.gui.busy import close_progress, progress_dialog
from refman.gui.tasks import WRITE, Task, TaskRunner
from refman.library import Library
from refman.library.pdfs import PdfImportReport, pdf_paths
from refman.model import CollectionId
from refman.online import Http, Settings

PROGRESS_DELAY_MS = 500
MAX_LINES_SHOWN = 20


def split_import_paths(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """(the paths for the reference import, the PDFs for the PDF import). A folder goes to the
    reference import unless it holds nothing but PDFs (which would be "no readable files")."""
    pdfs = [str(p) for p in pdf_paths(paths)]
    references = [
        str(p) for p in paths if Path(p).suffix.lower() != ".pdf" and not _only_pdfs(Path(p), pdfs)
    ]
    return references, pdfs


def _only_pdfs(folder: Path, pdfs: list[str]) -> bool:
    if not folder.is_dir() or not any(Path(p).is_relative_to(folder) for p in pdfs):
        return False
    for _root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        if any(not f.startswith(".") and not f.lower().endswith(".pdf") for f in files):
            return False
    return True


class PdfImporter(QObject):
    """Runs PDF imports for the window; one at a time."""

    finished = Signal(object)  # PdfImportReport (None when it failed), after its summary

    def __init__(self, tasks: TaskRunner, parent: QWidget, online_settings: Callable[[], Settings]):
        super().__init__(parent)
        self._tasks = tasks
        self._window = parent
        self._online_settings = online_settings
        self._task: Task | None = None
        self._progress = (0, 0)
        self._delay = QTimer(self, singleShot=True, interval=PROGRESS_DELAY_MS)
        self._delay.timeout.connect(self._show_progress)
        self.progress_dialog: QProgressDialog | None = None
        self.summary_box: QMessageBox | None = None  # the last summary, for tests to read

    def is_running(self) -> bool:
        return self._task is not None

    def import_pdfs(self, paths: Sequence[str], collection: CollectionId | None = None) -> None:
        if self.is_running():
            self._tell(
                QMessageBox.Icon.Information,
                "PDFs are being imported already. Wait for them, or cancel.",
            )
            return
        settings = self._online_settings()  # read here: QSettings belongs to this thread
        files = [str(p) for p in paths]

        def job(library: Library, progress, cancelled) -> PdfImportReport:
            with Http(settings) as http:
                return library.pdfs.import_files(
                    files,
                    http=http,
                    collection=collection,
                    progress=progress,
                    cancelled=cancelled,
                )

        self._progress = (0, len(files))
        self._task = self._tasks.run("PDF import", job, mode=WRITE)
        self._task.progressed.connect(self._on_progress)
        self._task.succeeded.connect(self._on_succeeded)
        self._task.failed.connect(self._on_failed)
        self._delay.start()

    def cancel_and_wait(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task.wait()

    # --- the outcome --------------------------------------------------------------------------

    @Slot(object)
    def _on_succeeded(self, report: PdfImportReport) -> None:
        self._stop()
        lines = report.lines()
        details = lines[1 : MAX_LINES_SHOWN + 1]
        if len(lines) > MAX_LINES_SHOWN + 1:
            details.append(f"… and {len(lines) - MAX_LINES_SHOWN - 1} more.")
        bad = report.failed or report.needs_lookup
        icon = QMessageBox.Icon.Warning if bad else QMessageBox.Icon.Information
        self._tell(icon, lines[0], "\n".join(line.strip() for line in details))
        self.finished.emit(report)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._stop()
        self._tell(QMessageBox.Icon.Warning, f"The PDFs could not be imported: {message}")
        self.finished.emit(None)

    def _stop(self) -> None:
        self._delay.stop()
        if self.progress_dialog is not None:
            close_progress(self.progress_dialog)
            self.progress_dialog = None
        if self._task is not None:
            self._task.wait()
        self._task = None

    def _tell(self, icon, text: str, details: str = "") -> None:
        """A non-modal message: the window stays usable and tests are never blocked."""
        if self.summary_box is not None:
            self.summary_box.close()
        box = QMessageBox(icon, "Import PDFs", text, QMessageBox.StandardButton.Ok, self._window)
        box.setInformativeText(details)
        box.setWindowModality(Qt.WindowModality.NonModal)
        self.summary_box = box
        box.show()

    # --- progress ---------------------------------------------------------------------------

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self._progress = (done, total)
        self._update_progress()

    @Slot()
    def _show_progress(self) -> None:
        if self._task is None or self.progress_dialog is not None:
            return
        dialog = progress_dialog(
            self._window, "Import PDFs", "Importing PDFs…", self._on_cancel, keep_open=True
        )
        self.progress_dialog = dialog
        self._update_progress()
        dialog.show()

    def _update_progress(self) -> None:
        dialog, (done, total) = self.progress_dialog, self._progress
        if dialog is None or self._task is None or self._task.cancelled or total <= 0:
            return
        dialog.setRange(0, total)
        dialog.setValue(done)
        dialog.setLabelText(f"Importing PDFs… {done} of {total}")

    @Slot()
    def _on_cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self.progress_dialog is not None:
            self.progress_dialog.setLabelText("Cancelling…")
            self.progress_dialog.show()  # QProgressDialog hides on cancel; keep it until done
