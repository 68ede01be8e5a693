"""Add by Identifier: the window's dialog for PMIDs, PMCIDs, DOIs, ISBNs and arXiv ids.

One box takes identifiers pasted in any mix (spaces, commas or lines, full URLs too); it starts
with what the clipboard holds when that is identifiers, as Zotero's does. Add runs
``library.adding.identifiers`` on the window's task runner (a writing task: the network and the
import never run on the GUI thread), with a progress bar and Cancel. The records come in through
the import path, so Edit > Undo Import takes them back.

When the task ends the dialog emits ``added(AddReport)`` (the window selects the items) and
then: everything found closes it; identifiers that brought no record are listed with why;
those that failed because no source could be reached stay in the box, with a plain "You seem
to be offline" and a Try Again button.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from refman.gui.tasks import WRITE, Task, TaskRunner
from refman.identifiers import Identifier, find_identifiers
from refman.library import Library
from refman.library.adding import AddReport
from refman.model import CollectionId
from refman.online import Http, Settings

HELP = (
    "Paste or type PMIDs, PMCIDs, DOIs, ISBNs or arXiv ids, or their web addresses "
    "(PubMed, PMC, doi.org, arxiv.org), separated by spaces, commas or lines."
)
PLACEHOLDER = "37144409\n10.1056/NEJMoa2034577\nhttps://pubmed.ncbi.nlm.nih.gov/12230038/"
NOTHING_GIVEN = "Type or paste at least one identifier first."
OFFLINE = (
    "You seem to be offline: {count} could not be fetched. They are kept above; "
    "press Try Again once you are connected."
)
CANCELLED = "Cancelled. The identifiers are kept above."
# Clipboard text longer than this is a document, not a list of identifiers: not pre-filled.
CLIPBOARD_LIMIT = 20_000


def identifiers_in(text: str) -> list[str]:
    """The identifiers of ``text`` as written, when the text holds nothing else; else []."""
    if not text.strip() or len(text) > CLIPBOARD_LIMIT:
        return []
    pieces = find_identifiers(text)
    if not all(isinstance(piece, Identifier) for piece in pieces):
        return []
    return [piece.text for piece in pieces]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"


def summary(report: AddReport) -> str:
    """What adding did, in a line: how many were added, already there, not added."""
    already = len(report.existing) + len(report.imported.duplicates) + len(report.imported.merged)
    parts = [f"{_count(len(report.imported.added), 'item')} added"]
    if already:
        parts.append(f"{already} already in the library")
    not_added = len(report.failed) - len(report.offline)
    if not_added:
        parts.append(f"{_count(not_added, 'identifier')} not added")
    return ", ".join(parts) + "."


class AddByIdentifierDialog(QDialog):
    """The box, the outcome of the last Add, and the buttons; see the module's docstring."""

    added = Signal(object)  # AddReport, once the dialog shows it

    def __init__(
        self,
        tasks: TaskRunner,
        online_settings: Callable[[], Settings],
        parent: QWidget,
        collection: Callable[[], CollectionId | None] = lambda: None,
    ):
        """``online_settings()`` gives the settings of each Add (Preferences may change);
        ``collection()`` the collection the window shows, where new items are filed."""
        super().__init__(parent)
        self.setWindowTitle("Add by Identifier")
        self._tasks = tasks
        self._online_settings = online_settings
        self._collection = collection
        self.task: Task | None = None
        self.box = QPlainTextEdit()
        self.box.setPlaceholderText(PLACEHOLDER)
        self.box.installEventFilter(self)  # Ctrl+Return adds: Return is a new line in the box
        self.message = QLabel(wordWrap=True)
        self.message.setObjectName("message")
        self.failures = QListWidget()  # "identifier: why", one a row
        self.progress = QProgressBar()
        self._build_buttons()
        self._build()
        self._show_state(running=False)

    def _build_buttons(self) -> None:
        self.buttons = QDialogButtonBox()
        self.add_button = QPushButton("Add")
        self.add_button.setDefault(True)
        self.add_button.setToolTip("Add (Ctrl+Return in the box)")
        self.retry_button = QPushButton("Try Again")
        self.cancel_button = QPushButton("Cancel")
        self.close_button = QPushButton("Close")
        role = QDialogButtonBox.ButtonRole
        self.buttons.addButton(self.add_button, role.ActionRole)
        self.buttons.addButton(self.retry_button, role.ActionRole)
        self.buttons.addButton(self.cancel_button, role.RejectRole)
        self.buttons.addButton(self.close_button, role.RejectRole)
        # Buttons with a role would also emit the box's own accepted/rejected: wire each alone.
        self.add_button.clicked.connect(self.add)
        self.retry_button.clicked.connect(self.add)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.reject)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(HELP, wordWrap=True))
        layout.addWidget(self.box)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.failures)
        layout.addWidget(self.buttons)
        self.failures.hide()
        self.retry_button.hide()
        self.resize(520, 420)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.box and event.type() == QEvent.Type.KeyPress:
            key = cast(QKeyEvent, event)
            control = key.modifiers() & Qt.KeyboardModifier.ControlModifier
            if control and key.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.add()
                return True
        return super().eventFilter(watched, event)

    # --- public ---------------------------------------------------------------------------------

    def open_with_clipboard(self) -> None:
        """Show the dialog; an empty box takes the clipboard's identifiers, if it holds some."""
        if not self.box.toPlainText().strip() and not self.is_running():
            found = identifiers_in(QGuiApplication.clipboard().text())
            if found:
                self.box.setPlainText("\n".join(found))
                self.box.selectAll()
        self.show()
        self.raise_()
        self.activateWindow()
        self.box.setFocus()

    def is_running(self) -> bool:
        return self.task is not None

    @Slot()
    def add(self) -> None:
        """Fetch and import what the box holds, in a writing task."""
        text = self.box.toPlainText()
        if self.is_running():
            return
        if not text.strip():
            self.message.setText(NOTHING_GIVEN)
            return
        settings = self._online_settings()  # read here: QSettings belongs to this thread
        collection = self._collection()

        def job(library: Library, progress, cancelled) -> AddReport:
            with Http(settings) as http:
                return library.adding.identifiers(
                    text, http=http, progress=progress, cancelled=cancelled,
                    collection=collection,
                )

        self.failures.clear()
        self.failures.hide()
        self.message.setText("Fetching…")
        self.task = self._tasks.run("Add by identifier", job, mode=WRITE)
        self.task.progressed.connect(self._on_progress)
        self.task.succeeded.connect(self._on_added)
        self.task.failed.connect(self._on_failed)
        self._show_state(running=True)

    @Slot()
    def cancel(self) -> None:
        """Stop the running Add (what it imported so far stays, as one import)."""
        if self.task is not None:
            self.task.cancel()
            self.message.setText("Cancelling…")
            self.cancel_button.setEnabled(False)

    def reject(self) -> None:
        """Closing the dialog cancels a running Add; its outcome still reaches the window."""
        self.cancel()
        super().reject()

    # --- the task's outcome --------------------------------------------------------------------

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    @Slot(object)
    def _on_added(self, report: AddReport) -> None:
        cancelled = (
            (self.task is not None and self.task.cancelled)
            or getattr(report, "cancelled", False)  # AddReport.cancelled, where it is known
            or report.imported.cancelled
        )
        self._end_task()
        if cancelled:
            self.message.setText(CANCELLED)
        else:
            self._show_report(report)
        self.added.emit(report)
        if not cancelled and not report.failed and not report.imported.problems:
            self.box.clear()
            self.accept()  # all found: the items are selected in the window

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        cancelled = self.task is not None and self.task.cancelled
        self._end_task()
        # A cancelled Add may end by an error saying so; else a RefmanError's words, or a bug
        # told plainly (tasks.py logs its traceback).
        self.message.setText(CANCELLED if cancelled else message)

    def _end_task(self) -> None:
        if self.task is not None:
            self.task.wait()  # the job has returned: only the thread's last steps are left
        self.task = None
        self._show_state(running=False)

    def _show_report(self, report: AddReport) -> None:
        offline = report.offline
        lines = [f"{f.text}: {f.reason}" for f in report.failed if not f.offline]
        lines += [str(problem) for problem in report.imported.problems]
        self.failures.clear()
        self.failures.addItems(lines)
        self.failures.setVisible(bool(lines))
        text = summary(report)
        if offline:
            text += " " + OFFLINE.format(count=_count(len(offline), "identifier"))
        self.message.setText(text)
        # Only the ids worth another try stay in the box.
        self.box.setPlainText("\n".join(f.text for f in offline))
        self.retry_button.setVisible(bool(offline))

    def _show_state(self, *, running: bool) -> None:
        self.progress.setRange(0, 0)  # busy until the first progress report
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.add_button.setEnabled(not running)
        self.retry_button.setEnabled(not running)
        self.box.setReadOnly(running)
