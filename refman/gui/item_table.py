"""The item table: a model that holds only the ordered ids of a view, and its view.

``ItemTableModel`` asks ``Library.search`` for the ids of the current view (collection x tags x
search text, sorted in SQL) and fetches the cells of visible rows a page at a time with
``Library.rows``; a small LRU of pages keeps scrolling cheap and memory flat, so a library of
100,000 items opens at once. ``ItemTableView`` adds the column chooser, drag out, drops in
and the first-run placeholder.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from refman.gui import mime
from refman.gui.fields import display_time, display_value, item_type_label
from refman.library import Changes, Library
from refman.library.notices import describe_flags
from refman.model import ItemId, NoWordsError, ViewQuery

PAGE_SIZE = 200
MAX_PAGES = 50  # 10,000 rows of cells kept; older pages are fetched again when scrolled back
ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
NOTICE_FLAGS_ROLE = Qt.ItemDataRole.UserRole + 2  # ("retracted", "erratum", ...) of the row

AnyIndex = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
_NOTICE_ROLES = (
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.ToolTipRole,
    NOTICE_FLAGS_ROLE,
)
# Computed once: flags() is called for every cell the view looks at.
ITEM_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
)


@dataclass(frozen=True)
class Column:
    """A table column: ``key`` is the name Library.rows and Library.search(sort=) know."""

    key: str
    title: str
    shown: bool = False  # shown in a new library
    show: Callable[[object], str] = display_value
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft
    width: int = 120  # in a new library; the user's widths are remembered


_RIGHT = Qt.AlignmentFlag.AlignRight
COLUMNS: tuple[Column, ...] = (
    Column("title", "Title", shown=True, width=380),
    Column("creators", "Creators", shown=True, width=150),
    Column("year", "Year", shown=True, align=_RIGHT, width=60),
    Column("journal", "Journal", shown=True, width=180),
    Column("date_added", "Date Added", shown=True, show=display_time, width=140),
    Column("item_type", "Item Type", show=item_type_label),
    Column("doi", "DOI", width=180),
    Column("pmid", "PMID", align=_RIGHT, width=90),
    Column("volume", "Volume", align=_RIGHT, width=70),
    Column("pages", "Pages", width=90),
    Column("date_modified", "Date Modified", show=display_time, width=140),
    Column("citation_key", "Citation Key", width=150),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)


class ItemTableModel(QAbstractTableModel):
    """The items of one view, by id; cells fetched lazily in pages."""

    files_dropped = Signal(list)  # local paths
    text_dropped = Signal(str)  # MEDLINE text, one would hope
    references_dragged = Signal(list)  # ids dragged out whose references a drop target took

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.library = library
        self.query = ViewQuery()
        self._sort: tuple[str, bool] = ("title", False)
        self._ids: list[ItemId] = []
        self._loaded = False
        self._rows: dict[ItemId, int] | None = None
        self._pages: OrderedDict[int, list[tuple]] = OrderedDict()
        # Why the view shows nothing when its search text has no words ("" otherwise).
        self.search_problem = ""
        # The citation style of items dragged out (the window's default style); None: CSL's.
        self.citation_style: Callable[[], str | None] | None = None
        # The keys held when a drag starts: Alt (Option on macOS) drags Pandoc citation keys.
        self.modifiers: Callable[[], Qt.KeyboardModifier] = QGuiApplication.keyboardModifiers

    # --- the view's ids ---------------------------------------------------------------------

    @property
    def ids(self) -> list[ItemId]:
        return self._ids

    def set_query(self, query: ViewQuery) -> None:
        self.query = query
        self.reload()

    def reload(self) -> None:
        self._replace_ids(self._search())

    def apply(self, changes: Changes) -> None:
        """Refresh after a library change: new ids if the view's set or order moved, else cells."""
        if not changes or (_only_notes(changes) and not self.query.text):
            return  # notes count only for search text
        ids = self._search()
        if ids != self._ids:
            self._replace_ids(ids)
            return
        for item_id in changes.changed | changes.notes:
            row = self.row_of(item_id)
            if row is not None:
                self._pages.pop(row // PAGE_SIZE, None)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def row_of(self, item_id: ItemId) -> int | None:
        if self._rows is None:
            self._rows = {item_id: row for row, item_id in enumerate(self._ids)}
        return self._rows.get(item_id)

    def _search(self) -> list[ItemId]:
        """The view's ids; none for search text with no words (``?``), never every item."""
        key, descending = self._sort
        try:
            ids = self.library.items.search(self.query, sort=key, descending=descending)
        except NoWordsError as exc:
            self.search_problem = str(exc)
            return []
        self.search_problem = ""
        return ids

    def _replace_ids(self, ids: list[ItemId]) -> None:
        self.beginResetModel()
        self._loaded = True
        self._ids, self._rows = ids, None
        self._pages.clear()
        self.endResetModel()

    # --- Qt model -----------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        return None

    def data(self, index: AnyIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        column = COLUMNS[index.column()]
        if column.key == "title" and role in _NOTICE_ROLES:
            return self._notice_data(index.row(), role)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.show(self._cells(index.row())[index.column()])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align | Qt.AlignmentFlag.AlignVCenter)
        if role == ITEM_ID_ROLE:
            return self._ids[index.row()]
        return None

    def _notice_data(self, row: int, role: int):
        """The Title cell's marker of a retracted item (or one with an expression of concern
        or an erratum): a warning icon, and a tooltip that says which."""
        cells = self._cells(row)
        flags = cells[len(COLUMNS)] or ()
        if role == NOTICE_FLAGS_ROLE:
            return flags
        if not flags:
            title = COLUMNS[0].show(cells[0])
            return title if role == Qt.ItemDataRole.ToolTipRole else None
        if role == Qt.ItemDataRole.DecorationRole:
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return f"{describe_flags(flags)} (see the item's notices)\n{COLUMNS[0].show(cells[0])}"

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQL: a new search with the column's key."""
        if not 0 <= column < len(COLUMNS):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (COLUMNS[column].key, descending) == self._sort:
            return
        self._sort = (COLUMNS[column].key, descending)
        if not self._loaded:  # settings restored before the first search: nothing to reorder
            return
        self.layoutAboutToBeChanged.emit()
        self._replace_ids_in_layout(self._search())
        self.layoutChanged.emit()

    def _replace_ids_in_layout(self, ids: list[ItemId]) -> None:
        """New order of the same items: move persistent indexes (selection) with their ids."""
        old_rows = {index: self._ids[index.row()] for index in self.persistentIndexList()}
        self._ids, self._rows = ids, None
        self._pages.clear()
        for index, item_id in old_rows.items():
            row = self.row_of(item_id)
            new = self.index(row, index.column()) if row is not None else QModelIndex()
            self.changePersistentIndex(index, new)

    def _cells(self, row: int) -> tuple:
        page = row // PAGE_SIZE
        if page in self._pages:
            self._pages.move_to_end(page)
        else:
            self._pages[page] = self._fetch_page(page)
            if len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        return self._pages[page][row % PAGE_SIZE]

    def _fetch_page(self, page: int) -> list[tuple]:
        ids = self._ids[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        found = self.library.items.rows(ids, COLUMN_KEYS)
        flags = self.library.notices.flags(ids)  # kept after the cells, for the Title marker
        blank = (None,) * len(COLUMNS)
        return [(*found.get(item_id, blank), flags.get(item_id, ())) for item_id in ids]

    # --- drag and drop ------------------------------------------------------------------------

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return ITEM_FLAGS if index.isValid() else Qt.ItemFlag.ItemIsDropEnabled

    def mimeTypes(self) -> list[str]:
        return [mime.ITEM_IDS_MIME, "text/uri-list", mime.TEXT_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({index.row() for index in indexes if index.isValid()})
        ids = [self._ids[row] for row in rows]
        if self.modifiers() & Qt.KeyboardModifier.AltModifier:
            return mime.key_data(self.library, ids)
        return mime.ItemMimeData(
            self.library, ids, self.citation_style, rendered=self.references_dragged.emit
        )

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def canDropMimeData(self, data: QMimeData, action, row, column, parent) -> bool:
        if data.hasFormat(mime.ITEM_IDS_MIME):  # our own items: nothing to import
            return False
        return bool(_local_paths(data)) or (data.hasText() and bool(data.text().strip()))

    def dropMimeData(self, data: QMimeData, action, row, column, parent) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        paths = _local_paths(data)
        if paths:
            self.files_dropped.emit(paths)
        else:
            self.text_dropped.emit(data.text())
        return True


def _only_notes(changes: Changes) -> bool:
    return changes == Changes(notes=changes.notes)


def _local_paths(data: QMimeData) -> list[str]:
    return [url.toLocalFile() for url in data.urls() if url.isLocalFile()]


class ItemTableView(QTableView):
    """The table: multi-select, sortable by any column, drag out, drop files or text in."""

    selection_changed = Signal(list)  # ids
    paste_requested = Signal()
    sample_requested = Signal()

    def __init__(self, model: ItemTableModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        self._configure()
        self.column_actions = self._make_column_actions()
        self.sync_column_actions()
        self._kept_selection: list[ItemId] = []
        self.placeholder = FirstRunPlaceholder(self.viewport())
        self.placeholder.add_sample.clicked.connect(self.sample_requested)
        model.modelAboutToBeReset.connect(self._keep_selection)
        model.modelReset.connect(self._restore_selection)
        self.selectionModel().selectionChanged.connect(self._emit_selection)

    def model(self) -> ItemTableModel:
        return cast(ItemTableModel, super().model())  # the one model this view is given

    def _configure(self) -> None:
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSortingEnabled(True)
        self.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setDropIndicatorShown(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measure 100k rows
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)  # it would check every row of a 100k selection
        header.setStretchLastSection(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_column_menu)
        for section, column in enumerate(COLUMNS):
            self.setColumnHidden(section, not column.shown)
            self.setColumnWidth(section, column.width)

    # --- selection by id ----------------------------------------------------------------------

    def selected_ids(self) -> list[ItemId]:
        # From the selection's ranges: selectedRows() asks flags() of every cell, which
        # takes seconds when 100,000 rows are selected.
        rows: set[int] = set()
        # A QItemSelection is a list of ranges; PySide6's stubs do not say it iterates.
        for selected in self.selectionModel().selection():  # type: ignore[attr-defined]
            rows.update(range(selected.top(), selected.bottom() + 1))
        ids = self.model().ids
        return [ids[row] for row in sorted(rows)]

    def has_selection(self) -> bool:
        return self.selectionModel().hasSelection()

    def select_ids(self, ids: Sequence[ItemId]) -> None:
        """Select the rows of ``ids`` that the view shows and scroll to the first."""
        model = self.model()
        rows = sorted(r for r in (model.row_of(i) for i in ids) if r is not None)
        selection = QItemSelection()
        last = model.columnCount() - 1
        for row in rows:
            selection.select(model.index(row, 0), model.index(row, last))
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.selectionModel().select(selection, flags)
        if rows:
            first = model.index(rows[0], 0)
            self.selectionModel().setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.scrollTo(first)

    def _keep_selection(self) -> None:
        self._kept_selection = self.selected_ids()

    def _restore_selection(self) -> None:
        self.update_placeholder()
        if self._kept_selection:
            self.select_ids(self._kept_selection)
        self._emit_selection()

    def _emit_selection(self, *_args) -> None:
        self.selection_changed.emit(self.selected_ids())

    # --- columns ------------------------------------------------------------------------------

    def _make_column_actions(self) -> list[QAction]:
        """A checkable action per column, shared by the header menu and View > Columns."""
        actions = []
        for section, column in enumerate(COLUMNS):
            action = QAction(column.title, self, checkable=True)
            action.toggled.connect(lambda on, s=section: self.setColumnHidden(s, not on))
            action.setEnabled(section != 0)  # the title column stays
            actions.append(action)
        return actions

    def sync_column_actions(self) -> None:
        """Tick the columns shown (after a restored header, say)."""
        for section, action in enumerate(self.column_actions):
            action.blockSignals(True)
            action.setChecked(not self.isColumnHidden(section))
            action.blockSignals(False)

    def restore_header(self, state) -> None:
        """Columns, widths and sort order of a previous run; the sort is redone in SQL."""
        header = self.horizontalHeader()
        header.restoreState(state)
        self.model().sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.sync_column_actions()

    def _show_column_menu(self, pos) -> None:
        self.sync_column_actions()
        menu = QMenu(self)
        menu.addActions(self.column_actions)
        menu.exec(self.horizontalHeader().mapToGlobal(pos))

    # --- keys, placeholder --------------------------------------------------------------------

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste_requested.emit()
            return
        super().keyPressEvent(event)

    def update_placeholder(self) -> None:
        """Show what to do when the library is empty (not merely this view)."""
        empty = self.model().rowCount() == 0 and self.model().library.items.count() == 0
        self.placeholder.setVisible(empty)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.placeholder.setGeometry(self.viewport().rect())


class FirstRunPlaceholder(QWidget):
    """The empty table's invitation: drop files, or import, or add a sample record."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch()
        self.message = QLabel("Drop MEDLINE files here, or use File > Import…")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        font = self.message.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.message.setFont(font)
        self.add_sample = QPushButton("Add a sample record")
        layout.addWidget(self.message)
        layout.addWidget(self.add_sample, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch()
        self.hide()
