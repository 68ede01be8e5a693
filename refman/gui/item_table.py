"""The item table: a model that holds only the ordered ids of a view, and its view.

``ItemTableModel`` asks ``Library.search`` for the ids of the current view (collection x tags x
search text, sorted in SQL) and fetches the cells of visible rows a page at a time with
``Library.rows``; a small LRU of pages keeps scrolling cheap and memory flat, so a library of
100,000 items opens at once. ``ItemTableView`` adds the column chooser, drag out, drops in,
the first-run placeholder and the empty views' messages.

Beside the cells, each page holds the rows' markers: the Title cell shows the item type's icon
and a coloured dot for each coloured tag (TitleDelegate), a Notes column counts the notes and a
Notices column marks retracted and corrected items. Keys 1-9 on the table ask for the first nine
coloured tags to be toggled on the selection (``tag_key_pressed``; the window does it).
A "Found in PDF" column marks the items the search's words were found in a PDF of; hovering
such a row shows the passage (made then, for that row only: ``pdf_passage``).
"""

from __future__ import annotations

import html
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QGuiApplication, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from refman.gui import mime
from refman.gui.fields import display_time, display_value, item_type_label
from refman.gui.resources import icon, item_type_icon
from refman.library import Changes, Library
from refman.library.attachments import Passage, passage_parts
from refman.library.notices import describe_flags
from refman.model import ItemId, NoWordsError, ViewQuery
from refman.query import QueryError

PAGE_SIZE = 200
MAX_PAGES = 50  # 10,000 rows of cells kept; older pages are fetched again when scrolled back
ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
NOTICE_FLAGS_ROLE = Qt.ItemDataRole.UserRole + 2  # ("retracted", "erratum", ...) of the row
TAG_COLOURS_ROLE = Qt.ItemDataRole.UserRole + 3  # ((tag, "#rrggbb"), ...) of the row, by name

AnyIndex = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
_DISPLAY, _DECORATION, _TOOLTIP = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.ToolTipRole,
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
    marker: bool = False  # drawn from the row's markers, not a stored field: not sortable


_RIGHT = Qt.AlignmentFlag.AlignRight
COLUMNS: tuple[Column, ...] = (
    Column("title", "Title", shown=True, width=380),
    Column("creators", "Creators", shown=True, width=140),
    Column("year", "Year", shown=True, align=_RIGHT, width=56),
    Column("journal", "Journal", shown=True, width=170),
    Column("date_added", "Date Added", show=display_time, width=140),
    Column("item_type", "Item Type", show=item_type_label),
    Column("doi", "DOI", width=180),
    Column("pmid", "PMID", align=_RIGHT, width=90),
    Column("volume", "Volume", align=_RIGHT, width=70),
    Column("pages", "Pages", width=90),
    Column("date_modified", "Date Modified", show=display_time, width=140),
    Column("citation_key", "Citation Key", width=150),
    # The markers last: a data column's place in COLUMNS is then its place in COLUMN_KEYS.
    Column("notes", "Notes", shown=True, width=34, marker=True),
    Column("notices", "Notices", shown=True, width=30, marker=True),
    Column("in_pdf", "Found in PDF", shown=True, width=30, marker=True),  # the search's words
)
# The stored fields Library.rows reads for a page; a column's cell is at CELL_OF[column].
COLUMN_KEYS = tuple(c.key for c in COLUMNS if not c.marker)
CELL_OF = tuple(COLUMN_KEYS.index(c.key) if not c.marker else -1 for c in COLUMNS)
_TYPE_CELL = COLUMN_KEYS.index("item_type")
# A new library shows the markers right after the Title, as Zotero does.
FIRST_ORDER = ("title", "notes", "notices", "in_pdf")
_CENTRE = Qt.AlignmentFlag.AlignCenter


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
        # The items the search's words were found in a PDF of, and the last passage made.
        self.in_pdf: frozenset[ItemId] = frozenset()
        self._passage: tuple[ItemId, Passage | None] | None = None
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
        """Refresh after a library change: new ids if the view's set or order moved, else cells
        (the notes count, a tag's colour dot)."""
        if not changes:
            return
        if not _only_notes(changes) or self.query.text:  # notes count only for search text
            ids = self._search()
            if ids != self._ids:
                self._replace_ids(ids)
                return
        if changes.tags and self._ids:  # a colour, a rename: any row's dots may change
            self._pages.clear()
            last = self.index(len(self._ids) - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
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
        self.in_pdf, self._passage = frozenset(), None
        try:
            found = self.library.items.found(self.query, sort=key, descending=descending)
        except NoWordsError as exc:
            self.search_problem = str(exc)
            return []
        except QueryError as exc:  # said above the table (SearchMessage), with where
            self.search_problem = exc.shown
            return []
        self.search_problem = ""
        self.in_pdf = found.in_pdf
        return found.ids

    def pdf_passage(self, item_id: ItemId) -> Passage | None:
        """Where the item's PDF holds the search's words (None when the search did not find
        it there); made when asked, and kept for the next ask about the same item."""
        if item_id not in self.in_pdf:
            return None
        if self._passage is None or self._passage[0] != item_id:
            # The search box's words first, then those of the saved search selected.
            texts = (self.query.text, self.query.saved_query)
            found = (self.library.attachments.found_in(item_id, t) for t in texts if t.strip())
            self._passage = (item_id, next((p for p in found if p is not None), None))
        return self._passage[1]

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
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        column = COLUMNS[section]
        if role == _DISPLAY:  # a marker column is headed by its icon alone, as in Zotero
            return "" if column.marker else column.title
        if column.marker and role == _DECORATION:
            return icon(_MARKER_ICONS[column.key])
        if column.marker and role == _TOOLTIP:
            return column.title
        return None

    def data(self, index: AnyIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        column = COLUMNS[index.column()]
        if role == ITEM_ID_ROLE:
            return self._ids[index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            align = _CENTRE if column.marker else column.align
            return int(align | Qt.AlignmentFlag.AlignVCenter)
        if role == NOTICE_FLAGS_ROLE:
            return self._row(index.row())[-2] or ()
        if role == TAG_COLOURS_ROLE:
            return self._row(index.row())[-1][1]
        if column.marker:
            return self._marker_data(column.key, index.row(), role)
        if role == _TOOLTIP and self._ids[index.row()] in self.in_pdf:  # the row's passage
            cell = html.escape(column.show(self._row(index.row())[CELL_OF[index.column()]]))
            return (f"{cell}<br><br>" if cell else "") + self._passage_tip(index.row())
        if role in (_DISPLAY, _TOOLTIP):
            return column.show(self._row(index.row())[CELL_OF[index.column()]])
        if role == _DECORATION and column.key == "title":
            return item_type_icon(self._row(index.row())[_TYPE_CELL] or "")
        return None

    def _marker_data(self, key: str, row: int, role: int):
        """The Notes column's count, and the Notices column's warning icon on a retracted item
        (or one with an expression of concern or an erratum) with a tooltip that says which."""
        if key == "in_pdf":
            return self._in_pdf_data(row, role)
        *_cells, flags, (notes, _colours) = self._row(row)
        if key == "notes":
            if role == _DISPLAY:
                return str(notes) if notes else ""
            if role == _TOOLTIP and notes:
                return f"{notes} note{'s' * (notes != 1)}"
            return None
        if not flags:
            return None
        if role == _DECORATION:
            return icon("notice")
        if role == _TOOLTIP:
            return f"{describe_flags(flags)} (see the item's notices)"
        return None

    def _in_pdf_data(self, row: int, role: int):
        """The Found in PDF column: an icon on the rows found through a PDF's words, the
        passage as its tooltip."""
        if self._ids[row] not in self.in_pdf:
            return None
        if role == _DECORATION:
            return icon("found-in-pdf")
        if role == _TOOLTIP:
            return self._passage_tip(row)
        return None

    def _passage_tip(self, row: int) -> str:
        """"Found in paper.pdf: …the <b>words</b>…" (rich text) for a row found in a PDF."""
        return passage_html(self.pdf_passage(self._ids[row]))

    @property
    def sort_order(self) -> tuple[str, bool]:
        """(the sort key, descending) of the rows."""
        return self._sort

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQL: a new search with the column's key."""
        if not 0 <= column < len(COLUMNS) or COLUMNS[column].marker:
            return  # markers are not stored fields: the view keeps its order
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

    def _row(self, row: int) -> tuple:
        """The row's cells (COLUMN_KEYS), its notice flags, and its markers (notes count,
        coloured tags)."""
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
        # Kept after the cells, for the marker columns and the Title's dots.
        flags = self.library.notices.flags(ids)
        markers = self.library.items.markers(ids)
        blank = (None,) * len(COLUMN_KEYS)
        return [
            (*found.get(item_id, blank), flags.get(item_id, ()), markers.get(item_id, _NO_MARKS))
            for item_id in ids
        ]

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
        # Move too: a file manager may offer nothing else. The files are only read (and the
        # view takes the drop as a Copy whenever the source allows it: mime.CopyDrops).
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

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


_NO_MARKS = (0, ())
_MARKER_ICONS = {"notes": "note", "notices": "notice", "in_pdf": "found-in-pdf"}


def passage_html(passage: Passage | None) -> str:
    """A passage as rich text: "Found in <i>paper.pdf</i>: …the <b>words</b>…"."""
    if passage is None:  # the PDF went to the Trash since the search
        return "Found in a PDF of this item."
    text = "".join(
        f"<b>{html.escape(piece)}</b>" if word else html.escape(piece)
        for piece, word in passage_parts(passage)
    )
    return f"Found in <i>{html.escape(passage.name)}</i>: {text}"
COLUMN_KEYS_ALL = tuple(c.key for c in COLUMNS)


def _only_notes(changes: Changes) -> bool:
    return changes == Changes(notes=changes.notes)


def _local_paths(data: QMimeData) -> list[str]:
    return [url.toLocalFile() for url in data.urls() if url.isLocalFile()]


class ItemTableView(mime.CopyDrops, QTableView):
    """The table: multi-select, sortable by any column, drag out, drop files or text in."""

    selection_changed = Signal(list)  # ids
    paste_requested = Signal()
    sample_requested = Signal()
    tag_key_pressed = Signal(int)  # 1-9: toggle that coloured tag on the selection

    def __init__(self, model: ItemTableModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        self._configure()
        self.column_actions = self._make_column_actions()
        self.sync_column_actions()
        self._kept_selection: list[ItemId] = []
        self.placeholder = FirstRunPlaceholder(self.viewport())
        self.placeholder.add_sample.clicked.connect(self.sample_requested)
        self.empty_message = EmptyViewMessage(self.viewport())
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
        self.setTabKeyNavigation(False)  # Tab goes to the next pane, not the next cell
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)  # rows, not a spreadsheet: alternate colours tell them apart
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setItemDelegateForColumn(COLUMN_KEYS_ALL.index("title"), TitleDelegate(self))
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measure 100k rows
        rows.setDefaultSectionSize(row_height(self.fontMetrics().height()))
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)  # it would check every row of a 100k selection
        header.setStretchLastSection(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_column_menu)
        header.setMinimumSectionSize(24)  # a marker column is an icon wide
        header.sortIndicatorChanged.connect(self._keep_sort_on_stored_fields)
        for section, column in enumerate(COLUMNS):
            self.setColumnHidden(section, not column.shown)
            self.setColumnWidth(section, column.width)
        for visual, key in enumerate(FIRST_ORDER):
            header.moveSection(header.visualIndex(COLUMN_KEYS_ALL.index(key)), visual)

    def _keep_sort_on_stored_fields(self, section: int, _order) -> None:
        """A click on a marker column's header leaves the sort (and its arrow) as it was."""
        if 0 <= section < len(COLUMNS) and COLUMNS[section].marker:
            header = self.horizontalHeader()
            key, descending = self.model().sort_order
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            header.blockSignals(True)
            header.setSortIndicator(COLUMN_KEYS_ALL.index(key), order)
            header.blockSignals(False)
            header.viewport().update()

    def fit_columns(self, width: int) -> None:
        """Widths for a new library in a centre pane ``width`` wide: the shown columns other
        than the Title keep theirs, and the Title takes what is left (at least its own)."""
        others = sum(
            self.columnWidth(section)
            for section, column in enumerate(COLUMNS)
            if column.key != "title" and not self.isColumnHidden(section)
        )
        scroll_bar = self.verticalScrollBar().sizeHint().width()
        spare = width - others - scroll_bar - 2 * self.frameWidth() - 12
        title = COLUMN_KEYS_ALL.index("title")
        self.setColumnWidth(title, max(spare, 200))

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
        self._place_new_markers()
        self.model().sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.sync_column_actions()

    def _place_new_markers(self) -> None:
        """A header saved before the marker columns existed gives them Qt's default width at
        the far right: put them after the Title at their own width, as in a new library."""
        header = self.horizontalHeader()
        after = header.visualIndex(COLUMN_KEYS_ALL.index("title"))
        for section, column in enumerate(COLUMNS):
            if column.marker and header.sectionSize(section) == header.defaultSectionSize():
                self.setColumnWidth(section, column.width)
                after += 1
                header.moveSection(header.visualIndex(section), after)

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
        number = _digit(event)
        if number:  # Zotero's keys: toggle the Nth coloured tag on the selection
            self.tag_key_pressed.emit(number)
            return
        super().keyPressEvent(event)

    def update_placeholder(self) -> None:
        """Show what to do when the library is empty (not merely this view), and say so when
        a collection, the Trash or another place holds nothing. A search that finds nothing
        says so above the table, not here."""
        model = self.model()
        empty = model.rowCount() == 0
        library_empty = empty and not model.query.trashed and model.library.items.count() == 0
        self.placeholder.setVisible(library_empty)
        message = empty_view_message(model.query) if empty and not library_empty else None
        self.empty_message.show_message(message)

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.Resize:  # the messages cover the rows' area
            self.placeholder.setGeometry(self.viewport().rect())
            self.empty_message.setGeometry(self.viewport().rect())
        return super().viewportEvent(event)


def row_height(font_height: int) -> int:
    """Rows with air around the text, as in a modern desktop list (and room for a 16px icon)."""
    return max(font_height + 12, 24)


def _digit(event) -> int:
    """1-9 for a key 1-9 pressed alone (on the keypad too), else 0."""
    plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    key = event.key()
    if plain == Qt.KeyboardModifier.NoModifier and Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
        return key - Qt.Key.Key_0
    return 0


def empty_view_message(query: ViewQuery) -> tuple[str, str] | None:
    """What to say (heading, hint) when the view holds nothing; None for a search, whose own
    message shows above the table."""
    if query.text.strip():
        return None
    if query.tags:
        return ("No items with the selected tags", "Deselect a tag to see more items.")
    if query.trashed:
        return ("The Trash is empty", "Items moved to the Trash wait here until it is emptied.")
    if query.flags:
        return (
            "No retracted or corrected items",
            "Items whose PubMed record links a retraction or an erratum are listed here.",
        )
    if query.collection is not None:
        return (
            "This collection is empty",
            "Drag items here from My Library, or import files while the collection is selected.",
        )
    if query.unfiled:
        return ("No unfiled items", "Every item is in at least one collection.")
    return None


class TitleDelegate(QStyledItemDelegate):
    """The Title cell as usual (type icon, text), with a dot for each coloured tag of the item
    at its right end, as Zotero draws them."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        colours = index.data(TAG_COLOURS_ROLE)
        if not colours:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        diameter = max(8, round(opt.fontMetrics.height() * 0.55))
        dots = len(colours) * (diameter + 3) + 6
        room = opt.rect.width() - opt.decorationSize.width() - 12 - dots
        opt.text = opt.fontMetrics.elidedText(opt.text, Qt.TextElideMode.ElideRight, max(room, 0))
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        self._paint_dots(painter, opt, [QColor(c) for _name, c in colours], diameter)

    @staticmethod
    def _paint_dots(painter: QPainter, opt, colours: list[QColor], diameter: int) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        x = opt.rect.right() - 4 - len(colours) * (diameter + 3)
        y = opt.rect.center().y() - diameter / 2
        # On a selected row, a ring in the selection's text colour keeps a blue dot seen.
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        ring = opt.palette.highlightedText().color() if selected else None
        for colour in colours:
            painter.setPen(QPen(ring or colour.darker(140), 1))
            painter.setBrush(colour)
            painter.drawEllipse(round(x) + 3, round(y), diameter, diameter)
            x += diameter + 3
        painter.restore()


class EmptyViewMessage(QWidget):
    """An empty collection's, the empty Trash's (and other places') message in the table."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # drops reach the table
        self.heading = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.heading.setFont(font)
        self.hint = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.hint.setEnabled(False)  # the palette's muted text, light and dark alike
        layout = QVBoxLayout(self)
        layout.addStretch(1)  # a third of the way down, where the eye looks first
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addStretch(2)
        self.hide()

    def show_message(self, message: tuple[str, str] | None) -> None:
        heading, hint = message or ("", "")
        self.heading.setText(heading)
        self.hint.setText(hint)
        self.setVisible(message is not None)


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
