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

Files kept with items (issue 15): an Attachments column shows a PDF icon or a paper clip, from
a summary read with the page's cells; an item with files has an arrow in its Title cell, and
expanding it (a click on the arrow, Right and Left, "+" and "-" for all, as in Zotero) inserts
a row per file right after the item's row. The rows are then ``_shown``: item ids, and a file's
row as minus its attachment id; without an item expanded ``_shown`` is ``_ids`` itself, so a
view of 100,000 items costs nothing more. A file's row stands for its item in item actions
(``item_at``, ``ItemTableView.selected_ids``).

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
    QPointF,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QPen,
    QPolygonF,
)
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
from refman.library.attachments import PDF, AttachmentRow, Passage, passage_parts, summary_files
from refman.library.notices import describe_flags
from refman.model import ItemId, NoWordsError, ViewQuery
from refman.query import QueryError

PAGE_SIZE = 200
MAX_NAMES_SHOWN = 10  # files named in the Attachments column's tooltip
MAX_PAGES = 50  # 10,000 rows of cells kept; older pages are fetched again when scrolled back
ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
NOTICE_FLAGS_ROLE = Qt.ItemDataRole.UserRole + 2  # ("retracted", "erratum", ...) of the row
TAG_COLOURS_ROLE = Qt.ItemDataRole.UserRole + 3  # ((tag, "#rrggbb"), ...) of the row, by name
ATTACHMENT_ID_ROLE = Qt.ItemDataRole.UserRole + 10  # a file's row: its attachment id; else None
EXPANDED_ROLE = Qt.ItemDataRole.UserRole + 11  # an item with files: expanded or not; else None

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
# An item row takes drops too: files dropped on it are attached to it.
ITEM_ROW_FLAGS = ITEM_FLAGS | Qt.ItemFlag.ItemIsDropEnabled


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
    Column("attachments", "Attachments", shown=True, width=30, marker=True),
    Column("in_pdf", "Found in PDF", shown=True, width=30, marker=True),  # the search's words
)
# The stored fields Library.rows reads for a page; a column's cell is at CELL_OF[column].
COLUMN_KEYS = tuple(c.key for c in COLUMNS if not c.marker)
CELL_OF = tuple(COLUMN_KEYS.index(c.key) if not c.marker else -1 for c in COLUMNS)
_TYPE_CELL = COLUMN_KEYS.index("item_type")
# A page reads the files' summary (the Attachments column, the arrow) after the cells.
PAGE_KEYS = (*COLUMN_KEYS, "attachments")
_FILES_CELL = len(COLUMN_KEYS)
# A new library shows the markers right after the Title, as Zotero does.
FIRST_ORDER = ("title", "attachments", "notes", "notices", "in_pdf")
_CENTRE = Qt.AlignmentFlag.AlignCenter


class ItemTableModel(QAbstractTableModel):
    """The items of one view, by id; cells fetched lazily in pages."""

    files_dropped = Signal(list)  # local paths
    files_dropped_on_item = Signal(int, list)  # the item's id, local paths
    text_dropped = Signal(str)  # MEDLINE text, one would hope
    references_dragged = Signal(list)  # ids dragged out whose references a drop target took

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.library = library
        self.query = ViewQuery()
        self._sort: tuple[str, bool] = ("title", False)
        self._ids: list[ItemId] = []
        self._loaded = False
        # The rows: item ids, and after an expanded item -(attachment id) of each of its files.
        self._shown: list[int] = cast(list[int], self._ids)  # the same list: no copy
        self._expanded: dict[ItemId, list[AttachmentRow]] = {}  # each expanded item's files
        self._files: dict[int, AttachmentRow] = {}  # the files shown, by attachment id
        self._rows: dict[int, int] | None = None  # row of each entry of _shown
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
        if self._files_changed(changes):  # files' rows to add or take away
            self._replace_ids(self._ids)
            return
        if changes.tags and self._ids:  # a colour, a rename: any row's dots may change
            self._pages.clear()
            last = self.index(len(self._shown) - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
            return
        for item_id in changes.changed | changes.notes:
            row = self.row_of(item_id)
            if row is not None:
                self._pages.pop(row // PAGE_SIZE, None)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def row_of(self, item_id: ItemId) -> int | None:
        return self._row_of_entry(item_id)

    def row_of_attachment(self, attachment_id: int) -> int | None:
        """The row of a file shown under its expanded item, or None."""
        return self._row_of_entry(-attachment_id)

    def _row_of_entry(self, entry: int) -> int | None:
        if self._rows is None:
            self._rows = {entry: row for row, entry in enumerate(self._shown)}
        return self._rows.get(entry)

    def item_at(self, row: int) -> ItemId:
        """The item of a row: the row's own, or the item whose file the row shows."""
        entry = self._shown[row]
        return ItemId(entry) if entry > 0 else self._files[-entry].item_id

    def attachment_at(self, row: int) -> AttachmentRow | None:
        """The file a row shows, or None for an item's row."""
        entry = self._shown[row]
        return self._files[-entry] if entry < 0 else None

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
        self._ids = ids
        if self._expanded:  # still expanded where the items are still shown, files read again
            kept = set(ids)
            self._expanded = self._files_of([i for i in self._expanded if i in kept])
        self._lay_out_rows()
        self.endResetModel()

    # --- files under their items ----------------------------------------------------------

    def _files_of(self, item_ids: Sequence[ItemId]) -> dict[ItemId, list[AttachmentRow]]:
        """The files outside the Trash of each of these items that has any."""
        found = self.library.attachments.of(item_ids) if item_ids else {}
        files = {item: [f for f in rows if not f.trashed] for item, rows in found.items()}
        return {item: files[item] for item in item_ids if files.get(item)}

    def _lay_out_rows(self) -> None:
        """``_shown`` from ``_ids`` and the expanded items' files."""
        self._files = {f.id: f for files in self._expanded.values() for f in files}
        if not self._expanded:
            self._shown = cast(list[int], self._ids)
        else:
            shown: list[int] = []
            for item_id in self._ids:
                shown.append(item_id)
                shown.extend(-f.id for f in self._expanded.get(item_id, ()))
            self._shown = shown
        self._rows = None
        self._pages.clear()

    def _files_changed(self, changes: Changes) -> bool:
        """Whether an expanded item changed has other files now. Only then are the rows laid
        out again: a note typed or a field edited must not reset the table under the user."""
        touched = [i for i in changes.changed | changes.notes if i in self._expanded]
        if not touched:
            return False
        return self._files_of(touched) != {i: self._expanded[i] for i in touched}

    def has_files_shown(self) -> bool:
        """True when some rows are files' (an item is expanded)."""
        return bool(self._expanded)

    def is_expanded(self, item_id: ItemId) -> bool:
        return item_id in self._expanded

    def expand(self, item_id: ItemId) -> None:
        """Show the item's files in rows right after it."""
        row = self.row_of(item_id)
        if row is None or item_id in self._expanded:
            return
        files = self._files_of([item_id]).get(item_id)
        if not files:
            return
        self.beginInsertRows(ROOT, row + 1, row + len(files))
        self._expanded[item_id] = files
        self._files.update((f.id, f) for f in files)
        shown = list(self._shown) if self._shown is self._ids else self._shown
        shown[row + 1 : row + 1] = [-f.id for f in files]
        self._shown, self._rows = shown, None
        self._pages.clear()  # the pages' rows moved
        self.endInsertRows()
        self._arrow_changed(row)

    def collapse(self, item_id: ItemId) -> None:
        row = self.row_of(item_id)
        files = self._expanded.get(item_id)
        if row is None or files is None:
            return
        self.beginRemoveRows(ROOT, row + 1, row + len(files))
        del self._expanded[item_id]
        for f in files:
            self._files.pop(f.id, None)
        if self._expanded:
            del self._shown[row + 1 : row + 1 + len(files)]
        else:
            self._shown = cast(list[int], self._ids)
        self._rows = None
        self._pages.clear()
        self.endRemoveRows()
        self._arrow_changed(row)

    def toggle(self, item_id: ItemId) -> None:
        (self.collapse if item_id in self._expanded else self.expand)(item_id)

    def expand_all(self) -> None:
        """Every item of the view that has files ("+"): one query for which items have any."""
        with_files = self.library.attachments.items_with_files()
        wanted = [item_id for item_id in self._ids if item_id in with_files]
        self.beginResetModel()
        self._expanded = self._files_of(wanted)
        self._lay_out_rows()
        self.endResetModel()

    def collapse_all(self) -> None:
        if not self._expanded:
            return
        self.beginResetModel()
        self._expanded = {}
        self._lay_out_rows()
        self.endResetModel()

    def _arrow_changed(self, row: int) -> None:
        title = self.index(row, COLUMN_KEYS_ALL.index("title"))
        self.dataChanged.emit(title, title)

    # --- Qt model -----------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self._shown)

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
            return self.item_at(index.row())
        entry = self._shown[index.row()]
        if entry < 0:
            return self._file_data(self._files[-entry], column, role)
        if role == ATTACHMENT_ID_ROLE:
            return None
        if role == EXPANDED_ROLE:
            return entry in self._expanded if self._row(index.row())[_FILES_CELL] else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            align = _CENTRE if column.marker else column.align
            return int(align | Qt.AlignmentFlag.AlignVCenter)
        if role == NOTICE_FLAGS_ROLE:
            return self._row(index.row())[-2] or ()
        if role == TAG_COLOURS_ROLE:
            return self._row(index.row())[-1][1]
        if column.marker:
            return self._marker_data(column.key, index.row(), role)
        if role == _TOOLTIP and self.item_at(index.row()) in self.in_pdf:  # the row's passage
            cell = html.escape(column.show(self._row(index.row())[CELL_OF[index.column()]]))
            return (f"{cell}<br><br>" if cell else "") + self._passage_tip(index.row())
        if role in (_DISPLAY, _TOOLTIP):
            return column.show(self._row(index.row())[CELL_OF[index.column()]])
        if role == _DECORATION and column.key == "title":
            return item_type_icon(self._row(index.row())[_TYPE_CELL] or "")
        return None

    def _file_data(self, file: AttachmentRow, column: Column, role: int):
        """A file's row: its name and icon in the Title column, when it was added."""
        if role == ATTACHMENT_ID_ROLE:
            return file.id
        if role == Qt.ItemDataRole.TextAlignmentRole:
            align = _CENTRE if column.marker else column.align
            return int(align | Qt.AlignmentFlag.AlignVCenter)
        if role in (NOTICE_FLAGS_ROLE, TAG_COLOURS_ROLE):
            return ()
        if column.key == "title":
            if role == _DISPLAY:
                return file.name
            if role == _TOOLTIP:
                return file_tooltip(file)
            if role == _DECORATION:
                return icon("pdf" if file.content_type == PDF else "attachment")
        if column.key == "date_added" and role in (_DISPLAY, _TOOLTIP):
            return column.show(file.added)
        return None

    def _marker_data(self, key: str, row: int, role: int):
        """The Notes column's count, and the Notices column's warning icon on a retracted item
        (or one with an expression of concern or an erratum) with a tooltip that says which."""
        if key == "attachments":
            return _files_marker(self._row(row)[_FILES_CELL], role)
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
        if self.item_at(row) not in self.in_pdf:
            return None
        if role == _DECORATION:
            return icon("found-in-pdf")
        if role == _TOOLTIP:
            return self._passage_tip(row)
        return None

    def _passage_tip(self, row: int) -> str:
        """"Found in paper.pdf: …the <b>words</b>…" (rich text) for a row found in a PDF."""
        return passage_html(self.pdf_passage(self.item_at(row)))

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
        """New order of the same items: move persistent indexes (selection) with their rows'
        items and files."""
        old_rows = {index: self._shown[index.row()] for index in self.persistentIndexList()}
        self._ids = ids
        self._lay_out_rows()
        for index, entry in old_rows.items():
            row = self._row_of_entry(entry)
            new = self.index(row, index.column()) if row is not None else QModelIndex()
            self.changePersistentIndex(index, new)

    def _row(self, row: int) -> tuple:
        """The row's cells (PAGE_KEYS), its notice flags, and its markers (notes count,
        coloured tags). A file's row has blanks."""
        page = row // PAGE_SIZE
        if page in self._pages:
            self._pages.move_to_end(page)
        else:
            self._pages[page] = self._fetch_page(page)
            if len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        return self._pages[page][row % PAGE_SIZE]

    def _fetch_page(self, page: int) -> list[tuple]:
        entries = self._shown[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        ids = [ItemId(entry) for entry in entries if entry > 0]  # not the files' rows
        found = self.library.items.rows(ids, PAGE_KEYS)
        # Kept after the cells, for the marker columns and the Title's dots.
        flags = self.library.notices.flags(ids)
        markers = self.library.items.markers(ids)
        blank = (None,) * len(PAGE_KEYS)
        return [
            (*found.get(ItemId(entry), blank), flags.get(ItemId(entry), ()),
             markers.get(ItemId(entry), _NO_MARKS))
            if entry > 0
            else (*blank, (), _NO_MARKS)
            for entry in entries
        ]

    # --- drag and drop ------------------------------------------------------------------------

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return ITEM_ROW_FLAGS if index.isValid() else Qt.ItemFlag.ItemIsDropEnabled

    def mimeTypes(self) -> list[str]:
        return [mime.ITEM_IDS_MIME, "text/uri-list", mime.TEXT_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({index.row() for index in indexes if index.isValid()})
        ids = list(dict.fromkeys(self.item_at(row) for row in rows))
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
        if paths and parent.isValid():  # on an item's row (or its file's): attach them
            self.files_dropped_on_item.emit(self.item_at(parent.row()), paths)
        elif paths:
            self.files_dropped.emit(paths)
        else:
            self.text_dropped.emit(data.text())
        return True


_NO_MARKS = (0, ())
_MARKER_ICONS = {
    "notes": "note",
    "notices": "notice",
    "attachments": "attachment",
    "in_pdf": "found-in-pdf",
}


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


def _files_marker(summary: str | None, role: int):
    """The Attachments cell: a PDF icon when the item has a PDF, else a paper clip; the
    tooltip names the files (``summary``: store.attachments.SUMMARY)."""
    files = summary_files(summary)
    if not files:
        return None
    if role == _DECORATION:
        return icon("pdf" if any(pdf for pdf, _name in files) else "attachment")
    if role == _TOOLTIP:
        names = sorted(name for _pdf, name in files)
        shown = "\n".join(names[:MAX_NAMES_SHOWN])
        left = len(names) - MAX_NAMES_SHOWN
        more = f"\n… and {left} more" if left > 0 else ""
        return f"{len(files)} file{'s' * (len(files) != 1)}:\n{shown}{more}"
    return None


def file_tooltip(file: AttachmentRow) -> str:
    """A file row's tooltip: its name, kind and size, and whether it is linked."""
    kind = "PDF" if file.content_type == PDF else (file.content_type or "file")
    where = ", linked" if file.linked else ""
    return f"{file.name}\n{kind}, {_size_text(file.size)}{where}"


def _size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{(size + 1023) // 1024:,} KB"
    return f"{size / (1024 * 1024):,.1f} MB"


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
    attachment_activated = Signal(int)  # a file's row double-clicked: its attachment id

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
        self.doubleClicked.connect(self._on_double_click)

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
        """The selected items, in the table's order; a file's row stands for its item."""
        model, rows = self.model(), self._selected_rows()
        if not model.has_files_shown():  # a row is an item: as quick as it can be
            return [model.ids[row] for row in rows]
        return list(dict.fromkeys(model.item_at(row) for row in rows))

    def _selected_rows(self) -> list[int]:
        # From the selection's ranges: selectedRows() asks flags() of every cell, which
        # takes seconds when 100,000 rows are selected.
        rows: set[int] = set()
        # A QItemSelection is a list of ranges; PySide6's stubs do not say it iterates.
        for selected in self.selectionModel().selection():  # type: ignore[attr-defined]
            rows.update(range(selected.top(), selected.bottom() + 1))
        return sorted(rows)

    def selected_attachment_ids(self) -> list[int]:
        """The attachment ids of the files' rows selected."""
        model = self.model()
        files = (model.attachment_at(row) for row in self._selected_rows())
        return [file.id for file in files if file is not None]

    def only_files_selected(self) -> bool:
        """True when rows are selected and all of them are files' rows."""
        rows = self._selected_rows()
        model = self.model()
        return bool(rows) and all(model.attachment_at(row) is not None for row in rows)

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
        if self._expand_key(event):
            return
        super().keyPressEvent(event)

    def _expand_key(self, event) -> bool:
        """Zotero's keys for the files under items: Right expands the current item, Left
        collapses it (or goes from a file's row up to its item), "+" and "-" expand and
        collapse all. True when the key was one of them and did something."""
        model = self.model()
        key, text = event.key(), event.text()
        if text == "+":
            model.expand_all()
            return True
        if text == "-":
            model.collapse_all()
            return True
        current = self.currentIndex()
        if key not in (Qt.Key.Key_Right, Qt.Key.Key_Left) or not current.isValid():
            return False
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False  # Shift+Left and others keep Qt's meaning
        item_id = model.item_at(current.row())
        if model.attachment_at(current.row()) is not None:
            if key == Qt.Key.Key_Left:
                self.select_ids([item_id])
                return True
            return False
        expanded = current.data(EXPANDED_ROLE)
        if key == Qt.Key.Key_Right and expanded is False:
            model.expand(item_id)
            return True
        if key == Qt.Key.Key_Left and expanded:
            model.collapse(item_id)
            return True
        return False

    def mousePressEvent(self, event) -> None:
        """A click on an item's arrow expands or collapses it (and selects nothing)."""
        index = self.indexAt(event.position().toPoint())
        if (
            event.button() == Qt.MouseButton.LeftButton
            and index.isValid()
            and index.column() == COLUMN_KEYS_ALL.index("title")
            and index.data(EXPANDED_ROLE) is not None
            and arrow_rect(self.visualRect(index)).contains(event.position().toPoint())
        ):
            self.model().toggle(self.model().item_at(index.row()))
            return
        super().mousePressEvent(event)

    def _on_double_click(self, index: QModelIndex) -> None:
        attachment_id = index.data(ATTACHMENT_ID_ROLE)
        if attachment_id is not None:
            self.attachment_activated.emit(attachment_id)

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


ARROW_WIDTH = 16  # the strip at the Title cell's left where an item's arrow is drawn


def arrow_rect(cell: QRect) -> QRect:
    """Where a Title cell's expand arrow is (and a click on it toggles)."""
    return QRect(cell.left(), cell.top(), ARROW_WIDTH, cell.height())


class TitleDelegate(QStyledItemDelegate):
    """The Title cell as usual (type icon, text), after a strip for the expand arrow of an item
    with files (a file's row indented under it), with a dot for each coloured tag of the item
    at its right end, as Zotero draws them."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        indent = ARROW_WIDTH * (2 if index.data(ATTACHMENT_ID_ROLE) is not None else 1)
        strip = QStyleOptionViewItem(opt)
        strip.rect = QRect(opt.rect.left(), opt.rect.top(), indent, opt.rect.height())
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, strip, painter, widget)
        expanded = index.data(EXPANDED_ROLE)
        if expanded is not None:
            self._paint_arrow(painter, opt, arrow_rect(opt.rect), expanded)
        opt.rect = opt.rect.adjusted(indent, 0, 0, 0)
        colours = index.data(TAG_COLOURS_ROLE)
        if not colours:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
            return
        diameter = max(8, round(opt.fontMetrics.height() * 0.55))
        dots = len(colours) * (diameter + 3) + 6
        room = opt.rect.width() - opt.decorationSize.width() - 12 - dots
        opt.text = opt.fontMetrics.elidedText(opt.text, Qt.TextElideMode.ElideRight, max(room, 0))
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        self._paint_dots(painter, opt, [QColor(c) for _name, c in colours], diameter)

    @staticmethod
    def _paint_arrow(painter: QPainter, opt, rect: QRect, expanded: bool) -> None:
        """A small triangle: pointing right when collapsed, down when expanded."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette = opt.palette
        colour = (palette.highlightedText() if selected else palette.text()).color()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        centre, half = QPointF(rect.center()), 3.5
        if expanded:
            points = [(-half, -half / 2), (half, -half / 2), (0, half * 0.75)]
        else:
            points = [(-half / 2, -half), (-half / 2, half), (half * 0.75, 0)]
        painter.drawPolygon(QPolygonF([centre + QPointF(x, y) for x, y in points]))
        painter.restore()

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
