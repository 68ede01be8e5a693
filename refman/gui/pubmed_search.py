"""The Search PubMed dialog: a PubMed query, the hit count and PubMed's reading of the query, a
page of hits to check, and Import Checked (issue 14).

The searching (library.pubmed.page: esearch, esummary, the library's PMIDs) and the import
(library.pubmed.add: efetch's MEDLINE through add by identifier, one import batch) run on the
window's task runner, never on the GUI thread, each with its own Http made from the window's
online settings (Preferences over the environment). While one runs, a busy bar shows and
Cancel drops the answer to come (a request in flight cannot be taken back; an import cancelled
rolls back as any import does). Hits already in the library are marked and left unchecked;
after an import the new items are selected in the window's table and marked here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from refman.gui import preferences
from refman.gui.tasks import READ, WRITE, Task, TaskRunner
from refman.library import Changes, Library
from refman.library.adding import AddReport
from refman.library.pubmed import Hit, ResultsPage
from refman.model import ItemId
from refman.online import Http

PAGE_SIZE = 20
COLUMNS = ("", "Title", "Authors", "Journal", "Year", "In library")
CHECK, TITLE, AUTHORS, JOURNAL, YEAR, HELD = range(len(COLUMNS))
HELD_ROLE = Qt.ItemDataRole.UserRole + 1  # on the check box: the library holds the PMID
AUTHORS_SHOWN = 3  # then "et al."; the tooltip names them all
PLACEHOLDER = 'A PubMed search, e.g. balloon guide catheter[tiab] AND stroke[mh] AND 2019:2020[dp]'


class ItemTable(Protocol):
    def select_ids(self, ids: Sequence[ItemId]) -> None: ...


class SearchWindow(Protocol):
    """What the dialog needs of the main window (named so, not imported: no import cycle)."""

    library: Library
    settings: QSettings
    tasks: TaskRunner

    @property
    def table(self) -> ItemTable: ...  # read only: a Protocol's attribute would be invariant

    def apply(self, changes: Changes) -> None: ...


class PubMedSearchDialog(QDialog):
    """Search PubMed and import the hits checked; see the module's docstring."""

    imported = Signal(object)  # the AddReport, after the window has been told

    def __init__(self, window: SearchWindow, parent: QWidget):
        """``window`` is the main window, ``parent`` the same as a widget."""
        super().__init__(parent)
        self.setWindowTitle("Search PubMed")
        self._window = window
        self._task: Task | None = None
        self.page: ResultsPage | None = None
        self._build()
        self.resize(900, 600)

    # --- widgets ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.query = QLineEdit(placeholderText=PLACEHOLDER, clearButtonEnabled=True)
        self.query.returnPressed.connect(self.search)
        self.search_button = self._button("Search", self.search)
        self.count_label = QLabel()
        self.translation_label = QLabel(wordWrap=True)
        self.translation_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.remarks_label = QLabel(wordWrap=True)
        self.remarks_label.hide()  # until PubMed has something to say
        self.table = self._results_table()
        self.previous_button = self._button("< Previous", self.previous_page)
        self.next_button = self._button("Next >", self.next_page)
        self.select_all_button = self._button("Select All", self.check_all)
        self.import_button = self._button("Import Checked", self.import_checked)
        self.busy_bar = QProgressBar(textVisible=False)
        self.busy_bar.setMaximumWidth(160)
        self.status = QLabel(wordWrap=True)
        self.cancel_button = self._button("Cancel", self.cancel)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(_row(self.query, self.search_button))
        layout.addWidget(self.count_label)
        layout.addWidget(self.translation_label)
        layout.addWidget(self.remarks_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(
            _row(self.previous_button, self.next_button, None, self.select_all_button,
                 self.import_button)
        )
        layout.addLayout(_row(self.busy_bar, self.status, None, self.cancel_button, close))
        self.table.itemChanged.connect(lambda _item: self._update_buttons())
        self._set_busy("")

    def _button(self, text: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setAutoDefault(False)  # Return in the query box searches, nothing else
        button.clicked.connect(slot)
        return button

    def _results_table(self) -> QTableWidget:
        table = QTableWidget(0, len(COLUMNS))
        table.setHorizontalHeaderLabels(list(COLUMNS))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        for column, width in ((CHECK, 28), (AUTHORS, 170), (JOURNAL, 140), (YEAR, 50)):
            table.setColumnWidth(column, width)
        table.itemDoubleClicked.connect(self._toggle_row)
        return table

    # --- searching ----------------------------------------------------------------------------

    @Slot()
    def search(self) -> None:
        """Search PubMed for the query typed, from the first hit."""
        self._ask(self.query.text().strip(), 0)

    @Slot()
    def next_page(self) -> None:
        if self.page is not None and self.page.has_next:
            self._ask(self.page.search.query, self.page.end)

    @Slot()
    def previous_page(self) -> None:
        if self.page is not None and self.page.has_previous:
            self._ask(self.page.search.query, max(0, self.page.start - PAGE_SIZE))

    def _ask(self, query: str, start: int) -> None:
        if self.is_busy():
            return
        if not query:
            self.status.setText("Type a PubMed search first.")
            return
        settings = preferences.online_settings(self._window.settings)

        def job(library: Library, _progress, _cancelled) -> ResultsPage:
            with Http(settings) as http:
                return library.pubmed.page(query, start=start, size=PAGE_SIZE, http=http)

        self._task = self._window.tasks.run("PubMed search", job, mode=READ)
        self._task.succeeded.connect(self._on_page)
        self._task.failed.connect(self._on_failed)
        self._set_busy("Searching PubMed…")

    @Slot(object)
    def _on_page(self, page: ResultsPage) -> None:
        if not self._is_current():
            return
        self._done("")
        self.page = page
        self.count_label.setText(f"<b>{page.shown()}</b>")
        if page.search.translation:
            self.translation_label.setText(
                f"PubMed read the query as: {page.search.translation}"
            )
        else:
            self.translation_label.clear()
        remarks = page.search.errors + page.search.warnings
        self.remarks_label.setText("\n".join(remarks))
        self.remarks_label.setVisible(bool(remarks))  # no empty line above the table
        self._fill(page.hits)

    def _fill(self, hits: list[Hit]) -> None:
        self.table.blockSignals(True)
        self.table.clearContents()
        self.table.setRowCount(len(hits))
        for row, hit in enumerate(hits):
            for column, item in enumerate(_row_items(hit)):
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        self._update_buttons()

    # --- choosing -----------------------------------------------------------------------------

    def checked_pmids(self) -> list[str]:
        """The PMIDs of the rows checked, in the page's order."""
        return [
            item.data(Qt.ItemDataRole.UserRole)
            for item in map(self._check_item, range(self.table.rowCount()))
            if item.checkState() == Qt.CheckState.Checked
        ]

    @Slot()
    def check_all(self) -> None:
        """Check every hit the library does not hold yet."""
        for row in range(self.table.rowCount()):
            item = self._check_item(row)
            if not item.data(HELD_ROLE):
                item.setCheckState(Qt.CheckState.Checked)

    def _toggle_row(self, item: QTableWidgetItem) -> None:
        check = self._check_item(item.row())
        if item.column() != CHECK:
            checked = check.checkState() == Qt.CheckState.Checked
            check.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def _check_item(self, row: int) -> QTableWidgetItem:
        item = self.table.item(row, CHECK)
        assert item is not None  # every row is filled whole
        return item

    # --- importing ----------------------------------------------------------------------------

    @Slot()
    def import_checked(self) -> None:
        """Import the checked hits from PubMed, as one import."""
        pmids = self.checked_pmids()
        if self.is_busy() or not pmids:
            return
        settings = preferences.online_settings(self._window.settings)

        def job(library: Library, progress, cancelled) -> AddReport:
            with Http(settings) as http:
                return library.pubmed.add(pmids, http=http, progress=progress, cancelled=cancelled)

        self._task = self._window.tasks.run("PubMed import", job, mode=WRITE)
        self._task.succeeded.connect(self._on_imported)
        self._task.failed.connect(self._on_failed)
        self._task.progressed.connect(self._on_progress)
        count = len(pmids)
        self._set_busy(f"Importing {count} record{'s' * (count != 1)} from PubMed…")

    @Slot(object)
    def _on_imported(self, report: AddReport) -> None:
        if not self._is_current():
            return
        lines = [report.summary()]
        lines += [f"{failed.text}: {failed.reason}" for failed in report.failed]
        self._done("\n".join(lines))
        self._window.apply(report.imported.changes())
        if report.item_ids:
            self._window.table.select_ids(report.item_ids)
        self._mark_held()
        self.imported.emit(report)

    def _mark_held(self) -> None:
        """Mark the rows whose PMIDs the library now holds, and uncheck them."""
        if self.page is None:
            return
        held = self._window.library.pubmed.held([hit.pmid for hit in self.page.hits])
        hits = [Hit(hit.pmid, hit.summary, held.get(hit.pmid)) for hit in self.page.hits]
        self._fill(hits)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if self._is_current() and total > 0:
            self.busy_bar.setRange(0, total)
            self.busy_bar.setValue(done)

    # --- running ------------------------------------------------------------------------------

    def is_busy(self) -> bool:
        return self._task is not None

    @Slot()
    def cancel(self) -> None:
        """Drop the search under way; cancel an import (it rolls back what it had begun)."""
        task = self._task
        if task is None:
            return
        task.cancel()
        if task.name == "PubMed import":  # its report (cancelled) still comes: wait for it
            self.status.setText("Cancelling…")
            return
        self._done("Search cancelled.")

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self._is_current():
            self._done(message)

    def _is_current(self) -> bool:
        """Whether the signal comes from the task running now (not a search dropped by
        Cancel, which forgets its task at once)."""
        return self._task is not None and self.sender() is self._task

    def _done(self, message: str) -> None:
        self._task = None
        self._set_busy(message)

    def _set_busy(self, message: str) -> None:
        busy = self._task is not None
        self.status.setText(message)
        self.busy_bar.setVisible(busy)
        self.busy_bar.setRange(0, 0)  # a busy bar until a count comes
        self.cancel_button.setVisible(busy)
        self.query.setEnabled(not busy)
        self.search_button.setEnabled(not busy)
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy, page = self._task is not None, self.page
        self.previous_button.setEnabled(not busy and page is not None and page.has_previous)
        self.next_button.setEnabled(not busy and page is not None and page.has_next)
        self.select_all_button.setEnabled(not busy and self.table.rowCount() > 0)
        writable = not self._window.library.read_only
        self.import_button.setEnabled(not busy and writable and bool(self.checked_pmids()))
        if not writable:
            self.import_button.setToolTip("The library is open read-only.")

    def reject(self) -> None:
        """Close: a search under way is dropped; an import goes on and still reports."""
        if self._task is not None and self._task.name == "PubMed search":
            self.cancel()
        super().reject()


def _row(*widgets: QWidget | None) -> QHBoxLayout:
    """Widgets side by side; None is a stretch."""
    row = QHBoxLayout()
    for widget in widgets:
        if widget is None:
            row.addStretch(1)
        else:
            row.addWidget(widget)
    return row


def _row_items(hit: Hit) -> list[QTableWidgetItem]:
    """A hit's cells: a check box (off, and not to be checked, when the library holds it),
    title, authors, journal, year, and the in-library mark."""
    summary = hit.summary
    check = QTableWidgetItem()
    check.setData(Qt.ItemDataRole.UserRole, hit.pmid)
    check.setData(HELD_ROLE, hit.in_library)
    check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
    check.setCheckState(Qt.CheckState.Unchecked)  # checked, a held one selects its item
    title = summary.title if summary and summary.title else f"PMID {hit.pmid} (no summary)"
    authors = list(summary.authors) if summary else []
    shown = ", ".join(authors[:AUTHORS_SHOWN])
    if len(authors) > AUTHORS_SHOWN:
        shown += ", et al."
    cells = [
        check,
        _cell(title, f"PMID {hit.pmid}: {title}"),
        _cell(shown, "\n".join(authors)),
        _cell(summary.journal if summary else ""),
        _cell(summary.year if summary else ""),
        _cell("✓ In library" if hit.in_library else ""),
    ]
    if hit.in_library:
        for cell in cells[1:]:
            font = QFont(cell.font())
            font.setItalic(True)
            cell.setFont(font)
            cell.setForeground(Qt.GlobalColor.darkGray)
    return cells


def _cell(text: str, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if tooltip:
        item.setToolTip(tooltip)
    return item
