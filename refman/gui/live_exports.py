"""Live exports in the window: kept up to date on the task runner, and listed in Preferences.

``LiveExportRunner`` rewrites the library's live exports (library/live_exports.py) a second
after the last of a run of the window's changes, and once shortly after the window starts (for
changes made while it was closed, by the command line or another computer's sync). The work
runs as a writing task on the window's task runner, never on the GUI thread; an export whose
text did not change is not rewritten. A target that cannot be written is told in plain words
through ``failed`` (the window puts it in the status line) and keeps its previous file.

``LiveExportList`` is the list in Preferences: file, format, what it covers, when it was last
written (or why it was not), and Remove.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from refman.gui import dialogs
from refman.gui.tasks import WRITE, Task, TaskRunner
from refman.library import Library
from refman.library.live_exports import FAILED, LiveExport, Outcome
from refman.model import RefmanError

# The rewrite waits this long after the last of a run of changes (typing in a field makes a
# change a keystroke), and this long after the window starts (after its first paint).
REFRESH_DELAY_MS = 1000
START_DELAY_MS = 2500


class LiveExportRunner(QObject):
    """Keeps the library's live exports up to date from the window."""

    refreshed = Signal(list)  # the outcomes of a refresh (library.live_exports.Outcome)
    failed = Signal(str)  # why a target was not written, in plain words

    def __init__(self, library: Library, tasks: TaskRunner, parent: QObject | None = None):
        super().__init__(parent)
        self._library = library
        self._tasks = tasks
        self._task: Task | None = None
        self._again = False  # changes came while a refresh ran: refresh once more after it
        self._timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)

    def start(self) -> None:
        """The refresh for changes made while the window was closed, after the first paint."""
        QTimer.singleShot(START_DELAY_MS, self, self.refresh)

    def schedule(self) -> None:
        """A change was committed: refresh a moment after the last of a run of them."""
        self._timer.start()

    def refresh(self) -> Task | None:
        """Rewrite the live exports whose text changed, on the task runner; None when there
        are none, or when a refresh runs already (another follows it)."""
        if self._task is not None:
            self._again = True
            return None
        try:
            if not self._library.live_exports.all():  # no task, no connection for nothing
                return None
        except RefmanError:
            return None
        task = self._tasks.run(
            "Live exports",
            lambda library, _progress, _cancelled: library.live_exports.refresh(),
            mode=WRITE,
        )
        self._task = task
        task.succeeded.connect(self._on_refreshed)
        task.failed.connect(self._on_failed)
        return task

    def busy(self) -> bool:
        return self._task is not None or self._timer.isActive()

    @Slot(object)
    def _on_refreshed(self, outcomes: list[Outcome]) -> None:
        self._task = None
        for outcome in outcomes:
            if outcome.status == FAILED:
                self.failed.emit(describe_failure(outcome))
        self.refreshed.emit(list(outcomes))
        self._run_again()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._task = None
        self.failed.emit(f"Live exports not written: {message}")
        self._run_again()

    def _run_again(self) -> None:
        if self._again:
            self._again = False
            self.refresh()


def describe_failure(outcome: Outcome) -> str:
    return f"Live export {outcome.export.path.name} not written: {outcome.message}"


def written_text(export: LiveExport) -> str:
    """"2026-12-03 08:15 UTC", "Never"; the problem, when the last attempt failed."""
    if export.problem:
        return export.problem
    if not export.written:
        return "Never"
    return export.written[:16].replace("T", " ") + " UTC"


class LiveExportList(QWidget):
    """Preferences' list of live exports: file, format, what it covers, last written; Remove
    stops keeping the selected files up to date at once (the files stay)."""

    HEADERS = ("File", "Format", "Items", "Last written")

    def __init__(self, library: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setObjectName("live_exports")
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the path takes the rest
        self.table.setMinimumHeight(110)
        self.empty = QLabel(
            "No live exports. Tick “Keep updated” in File > Export… to keep a file up to date.",
            wordWrap=True,
        )
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.itemSelectionChanged.connect(self._update_button)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.exports: list[LiveExport] = []
        self.refresh()

    def refresh(self) -> None:
        self.exports = self.library.live_exports.all()
        self.table.setRowCount(len(self.exports))
        for row, export in enumerate(self.exports):
            covers = self.library.live_exports.describe(export.covers)
            cells = (str(export.path), export.format_name, covers, written_text(export))
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                if column == 3 and export.problem:
                    cell.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, column, cell)
        self.table.setVisible(bool(self.exports))
        self.empty.setVisible(not self.exports)
        self._update_button()

    def selected(self) -> list[LiveExport]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.exports[row] for row in rows]

    def remove_selected(self) -> None:
        self._remove(self.selected())

    def _remove(self, exports: Iterable[LiveExport]) -> None:
        for export in exports:
            try:
                self.library.live_exports.remove(export.id)
            except RefmanError as exc:
                dialogs.show_error(self, str(exc))
                break
        self.refresh()

    def _update_button(self) -> None:
        self.remove_button.setEnabled(bool(self.table.selectionModel().selectedRows()))
        self.remove_button.setVisible(bool(self.exports))
