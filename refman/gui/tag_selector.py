"""The tag selector: the tags of the current place with their counts; selecting tags narrows.

Coloured tags come first, then manual tags, then automatic ones (MeSH headings and author
keywords), which are drawn in italics in the palette's muted text colour and can be hidden.
Items dropped on a tag get the tag. The context menu colours, renames (onto an existing name
merges), and deletes a tag across the library.

A large library has some 200,000 tags: the list fills just after its first paint, so that the
window appears first; it holds the counts as the columns the library returns and orders and
filters them a list at a time, never with a Python call per tag. Selection bookkeeping looks
up the selected names only, never walks the whole list.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from itertools import chain, compress
from typing import cast, overload

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractProxyModel,
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from refman.gui import dialogs, mime
from refman.gui.resources import icon
from refman.gui.undo import InverseCommand, LibraryEditor
from refman.model import CollectionId, TagCount, TagCounts, ViewQuery

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
AUTOMATIC_ROLE = Qt.ItemDataRole.UserRole + 2
AnyIndex = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()


def muted_text_brush() -> QBrush:
    """The palette's placeholder colour: grey in light and in dark mode alike."""
    return QApplication.palette().brush(QPalette.ColorRole.PlaceholderText)


def _name_order(name: str) -> tuple[str, str]:
    """How TagCounts sorts names: ignoring case, then exactly."""
    return (name.casefold(), name)


class TagListModel(QAbstractListModel):
    """Tags with counts: coloured, manual, then automatic; items dropped on one: ``items_dropped``.

    The tags stay the columns of a TagCounts (sorted by name), and the rows are their positions
    in the groups of ``_groups`` (``_Rows``). Made in a few passes over lists, not a Python call
    per tag: a library of a million items has 1,770,000 tags.
    """

    items_dropped = Signal(list, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._tags = TagCounts()
        self._groups: tuple[list[int], ...] = ([], [], [])
        self._rows = _Rows([], 0)  # the position in _tags of each row
        self._folded: list[str] | None = None  # the rows' names casefolded, for the filter

    def set_tags(self, tags: Sequence[TagCount]) -> None:
        self.beginResetModel()
        self._tags = tags if isinstance(tags, TagCounts) else TagCounts.of(tags)
        self._groups = _groups(self._tags)
        self._rows = _Rows([*self._groups[0], *self._groups[1], *self._groups[2]], len(self._tags))
        self._folded = None
        self.endResetModel()

    def tag(self, row: int) -> TagCount:
        return self._tags[self._rows[row]]

    def find(self, name: str) -> TagCount | None:
        """The tag of that name, if the list holds it."""
        row = self._row_of(name)
        return None if row is None else self.tag(row)

    def index_of(self, name: str) -> QModelIndex:
        """The tag's index; invalid if the list does not hold it."""
        row = self._row_of(name)
        return ROOT if row is None else self.index(row, 0)

    def _row_of(self, name: str) -> int | None:
        names = self._tags.names
        position = bisect_left(names, _name_order(name), key=_name_order)
        if position == len(names) or names[position] != name:
            return None
        return self._rows.row_of(position)

    def tags(self) -> list[TagCount]:
        return [self.tag(row) for row in range(len(self._rows))]

    def shown_rows(self, automatic: bool, text: str) -> Sequence[int]:
        """The rows, in order, to show: automatic tags only when asked, and only the names that
        contain ``text`` in any case."""
        coloured, coloured_automatic, manual = self._groups
        if automatic:
            rows: Sequence[int] = range(len(self._rows))
        else:  # the groups of manual tags, coloured and not
            manual_from = len(coloured) + len(coloured_automatic)
            rows = [*range(len(coloured)), *range(manual_from, manual_from + len(manual))]
        if not text:
            return rows
        if self._folded is None:
            names = list(self._tags.names)  # all at once: the store may decode them one by one
            self._folded = [names[position].casefold() for position in self._rows]
        wanted, folded = text.casefold(), self._folded
        return [row for row in rows if wanted in folded[row]]

    def rowCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        getter = _ROLES.get(role)
        return getter(self.tag(index.row())) if getter else None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsDropEnabled if index.isValid() else Qt.ItemFlag.NoItemFlags

    def mimeTypes(self) -> list[str]:
        return [mime.ITEM_IDS_MIME]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        return parent.isValid() and bool(mime.decode_ids(data))

    def dropMimeData(self, data, action, row, column, parent) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        self.items_dropped.emit(mime.decode_ids(data), self.tag(parent.row()).name)
        return True


def _groups(tags: TagCounts) -> tuple[list[int], ...]:
    """Positions of the tags listed first: the coloured manual, coloured automatic and manual
    tags, each group in name order; the automatic tags follow (``_Rows``). Found by scans in C
    that make no number but for the few tags they find."""
    coloured = _coloured(tags.colors)
    manual = _positions(tags.automatic, False)
    if coloured:  # their own groups: out of the manual one
        taken = set(coloured)
        manual = [position for position in manual if position not in taken]
    return (
        [position for position in coloured if not tags.automatic[position]],
        [position for position in coloured if tags.automatic[position]],
        manual,
    )


def _coloured(colors: Sequence[str]) -> list[int]:
    """Positions of the coloured tags: few, as a colour is set by hand."""
    if colors.count("") == len(colors):
        return []
    return list(compress(range(len(colors)), colors))


def _positions(values: Sequence[object], value: object) -> list[int]:
    """Positions of ``value`` among the values, each found by a scan in C (``index``)."""
    found: list[int] = []
    try:
        while True:
            found.append(values.index(value, found[-1] + 1 if found else 0))
    except ValueError:
        return found


class _Rows(Sequence[int]):
    """Each row's position in the TagCounts: the ``listed`` positions first (the coloured and
    manual tags), then every other position in order (the automatic tags, nearly all of a large
    library's), worked out when asked: 1,770,000 numbers would take a quarter of a second to
    make, at each refresh."""

    def __init__(self, listed: list[int], count: int):
        self._listed = listed
        self._count = count
        self._listed_rows = {position: row for row, position in enumerate(listed)}
        self._taken = sorted(listed)
        # How many of the other positions come before each taken one.
        self._before = [position - j for j, position in enumerate(self._taken)]

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, row: int) -> int: ...
    @overload
    def __getitem__(self, row: slice) -> list[int]: ...
    def __getitem__(self, row: int | slice) -> int | list[int]:
        if isinstance(row, slice):  # only the rows asked for: the whole may be millions
            return [self[i] for i in range(*row.indices(self._count))]
        if row < 0:
            row += self._count
        if not 0 <= row < self._count:
            raise IndexError(row)
        if row < len(self._listed):
            return self._listed[row]
        rest = row - len(self._listed)
        return rest + bisect_right(self._before, rest)

    def __iter__(self) -> Iterator[int]:
        rest = bytearray(b"\x01") * self._count
        for position in self._listed:
            rest[position] = 0
        return chain(self._listed, compress(range(self._count), rest))

    def row_of(self, position: int) -> int:
        """The row of a position in the TagCounts."""
        row = self._listed_rows.get(position)
        if row is not None:
            return row
        return len(self._listed) + position - bisect_left(self._taken, position)


def _font(tag: TagCount) -> QFont | None:
    if not tag.automatic:
        return None
    font = QFont()
    font.setItalic(True)
    return font


def _foreground(tag: TagCount) -> QBrush | None:
    if tag.color:  # the one place a colour is set by hand: the user chose it
        return QBrush(QColor(tag.color))
    return muted_text_brush() if tag.automatic else None


_ROLES = {
    Qt.ItemDataRole.DisplayRole: lambda t: f"{t.name}  ({t.count})",
    Qt.ItemDataRole.ToolTipRole: lambda t: (
        f"{t.name}: {t.count} item{'s' * (t.count != 1)}" + (" (automatic)" if t.automatic else "")
    ),
    Qt.ItemDataRole.FontRole: _font,
    Qt.ItemDataRole.ForegroundRole: _foreground,
    NAME_ROLE: lambda t: t.name,
    AUTOMATIC_ROLE: lambda t: t.automatic,
}


class TagFilterProxy(QAbstractProxyModel):
    """The tag list without the automatic tags (on request) and without the tags whose name
    lacks the filter text (in any case).

    The rows shown are one list of source rows, made anew when the tags or the filter change
    (TagListModel.shown_rows); QSortFilterProxyModel would call Python once per tag instead.
    Data, flags and drops go to the tag list through QAbstractProxyModel.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.show_automatic = True
        self._text = ""
        self._rows: Sequence[int] = []  # source rows shown, ascending

    # Only a TagListModel is filtered here: narrower than Qt's QAbstractItemModel.
    def setSourceModel(self, model: TagListModel) -> None:  # type: ignore[override]
        self.beginResetModel()
        super().setSourceModel(model)
        model.modelAboutToBeReset.connect(self._source_about_to_reset)
        model.modelReset.connect(self._source_reset)
        self._rows = model.shown_rows(self.show_automatic, self._text)
        self.endResetModel()

    def _source_about_to_reset(self) -> None:
        self.beginResetModel()

    def _source(self) -> TagListModel:
        return cast(TagListModel, self.sourceModel())  # the one model set (setSourceModel)

    def _source_reset(self) -> None:
        self._rows = self._source().shown_rows(self.show_automatic, self._text)
        self.endResetModel()

    def set_show_automatic(self, show: bool) -> None:
        self._refilter(show, self._text)

    def set_filter_text(self, text: str) -> None:
        self._refilter(self.show_automatic, text)

    def _refilter(self, show_automatic: bool, text: str) -> None:
        self.beginResetModel()
        self.show_automatic, self._text = show_automatic, text
        self._rows = self._source().shown_rows(show_automatic, text)
        self.endResetModel()

    def mapToSource(self, index: AnyIndex) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        return self.sourceModel().index(self._rows[index.row()], 0)

    def mapFromSource(self, index: AnyIndex) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        at = bisect_left(self._rows, index.row())
        if at == len(self._rows) or self._rows[at] != index.row():
            return QModelIndex()
        return self.createIndex(at, 0)

    def index(self, row: int, column: int = 0, parent: AnyIndex = ROOT) -> QModelIndex:
        if parent.isValid() or column != 0 or not 0 <= row < len(self._rows):
            return QModelIndex()
        return self.createIndex(row, 0)

    def parent(self, index: AnyIndex | None = None):
        if index is None:  # QObject.parent()
            return super().parent()
        return QModelIndex()

    def rowCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else 1

    def hasChildren(self, parent: AnyIndex = ROOT) -> bool:
        return not parent.isValid() and bool(self._rows)


def _tag_list(model: QAbstractProxyModel) -> QTableView:
    """The list of tags: a one-column table without headers or grid.

    A QListView lays out every row whenever the list changes, asking the model for each row's
    index: 440,000 calls into Python and about a second for 220,000 tags. A table with fixed
    row heights only ever asks for the rows on screen, as the item table does.
    """
    view = QTableView()
    view.setModel(model)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)  # Tab goes to the next pane, not the next row
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.horizontalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    rows = view.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 6)
    return view


class TagSelector(QWidget):
    """Filter box, tag list, and the show-automatic-tags switch."""

    tags_changed = Signal(tuple)

    def __init__(self, editor: LibraryEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.library = editor.library
        self.model = TagListModel(self)
        self.proxy = TagFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._scope = ViewQuery()
        self._selected: tuple[str, ...] = ()
        self._filtering = False
        self._filled = False
        self._fill_pending = False
        self.show_automatic_action = QAction("Show Automatic Tags", self, checkable=True)
        self.show_automatic_action.setChecked(True)
        self.show_automatic_action.toggled.connect(self._on_show_automatic)
        self._build()
        self.model.items_dropped.connect(self._on_items_dropped, Qt.ConnectionType.QueuedConnection)
        self.view.viewport().installEventFilter(self)  # fills after the first paint

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not (self._filled or self._fill_pending):
            self._fill_pending = True
            QTimer.singleShot(0, self, self._fill)  # once this paint is on screen
        return False

    def _fill(self) -> None:
        self._fill_pending = False
        if not self._filled:
            self.refresh()

    @property
    def filled(self) -> bool:
        """Whether the list holds the tags yet (it fills after its first paint)."""
        return self._filled

    def _build(self) -> None:
        self.filter = QLineEdit(placeholderText="Filter tags", clearButtonEnabled=True)
        self.filter.addAction(icon("tag"), QLineEdit.ActionPosition.LeadingPosition)
        self.filter.textChanged.connect(self._on_filter_text)
        automatic = QToolButton(autoRaise=True)
        automatic.setDefaultAction(self.show_automatic_action)
        automatic.setText("Automatic")
        self.view = _tag_list(self.proxy)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.view.setDropIndicatorShown(True)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._show_menu)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        row = QHBoxLayout()
        row.addWidget(self.filter)
        row.addWidget(automatic)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.view)

    # --- what it shows ------------------------------------------------------------------------

    @property
    def selected(self) -> tuple[str, ...]:
        return self._selected

    def set_scope(
        self,
        *,
        collection: CollectionId | None = None,
        unfiled: bool = False,
        trashed: bool = False,
        flags: tuple[str, ...] = (),
    ) -> None:
        """Show the tags of another place; the tag selection starts over."""
        self._scope = ViewQuery(
            collection=collection, unfiled=unfiled, trashed=trashed, flags=flags
        )
        self._selected = ()
        if self._filled:  # else the coming fill counts this place's tags
            self.refresh()

    def refresh(self) -> None:
        """Reload counts; keep the selected tags that still exist."""
        kept = self._selected
        self._filled = True
        self.model.set_tags(self.library.tags.counts(self._scope))
        self.select(kept)

    def select(self, names: tuple[str, ...] | list[str]) -> None:
        shown = QItemSelection()
        for name in names:
            index = self.proxy.mapFromSource(self.model.index_of(name))
            if index.isValid():
                shown.select(index, index)
        selection = self.view.selectionModel()
        selection.blockSignals(True)
        selection.select(shown, selection.SelectionFlag.ClearAndSelect)
        selection.blockSignals(False)
        self.view.viewport().update()
        self._update_selected(names)

    def _on_selection_changed(self, *_args) -> None:
        if not self._filtering:  # rows leaving the filter are not the user deselecting them
            self._update_selected(self._selected)

    def _filter(self, change) -> None:
        self._filtering = True
        try:
            change()
        finally:
            self._filtering = False

    def _update_selected(self, wanted) -> None:
        """Selected: the tags drawn selected, and the wanted ones that the filter text hides.

        A tag hidden by the filter stays selected (typing narrows the list, not the table);
        a tag that no longer exists does not.
        """
        chosen = {index.data(NAME_ROLE) for index in self.view.selectionModel().selectedRows()}
        hidden = {name for name in wanted if self._is_hidden(name)}
        names = tuple(sorted(chosen | hidden))
        if names != self._selected:
            self._selected = names
            self.tags_changed.emit(names)

    def _is_hidden(self, name: str) -> bool:
        """Whether the list holds the tag but the filter keeps it off screen."""
        source = self.model.index_of(name)
        return source.isValid() and not self.proxy.mapFromSource(source).isValid()

    def _on_filter_text(self, text: str) -> None:
        self._filter(lambda: self.proxy.set_filter_text(text))
        self.select(self._selected)  # tags shown again are drawn selected again

    def _on_show_automatic(self, show: bool) -> None:
        self._filter(lambda: self.proxy.set_show_automatic(show))
        wanted = self._selected
        if not show:  # hidden automatic tags stop narrowing: nothing on screen would say so
            wanted = tuple(name for name in wanted if not self._is_automatic(name))
        self.select(wanted)

    def _is_automatic(self, name: str) -> bool:
        tag = self.model.find(name)
        return tag is not None and tag.automatic

    def _on_items_dropped(self, ids: list, name: str) -> None:
        self.editor.add_tags(ids, [name])

    # --- context menu -------------------------------------------------------------------------

    def _show_menu(self, pos) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        tag = self.model.tag(self.proxy.mapToSource(index).row())
        menu = QMenu(self)
        menu.addAction("Assign Colour…", lambda: self.choose_color(tag))
        if tag.color:
            menu.addAction("Remove Colour", lambda: self.set_color(tag, ""))
        menu.addSeparator()
        menu.addAction("Rename Tag…", lambda: self.rename(tag.name))
        menu.addAction("Delete Tag…", lambda: self.delete(tag.name))
        menu.exec(self.view.viewport().mapToGlobal(pos))

    def choose_color(self, tag: TagCount) -> None:
        color = dialogs.ask_color(self, tag.color, tag.name)
        if color:
            self.set_color(tag, color)

    def set_color(self, tag: TagCount, color: str) -> None:
        self.editor.push(
            InverseCommand(
                self.library,
                f"Colour tag {tag.name}",
                lambda: self.library.tags.set_color(tag.name, color),
                lambda: self.library.tags.set_color(tag.name, tag.color),
            )
        )

    def rename(self, name: str) -> None:
        new = dialogs.ask_text(
            self, "Rename Tag", "New name (an existing tag's name merges the two):", name
        )
        if new is not None and new != name:  # a blank name goes on, to be refused plainly
            self.editor.rename_tag(name, new)

    def delete(self, name: str) -> None:
        question = f"Remove the tag “{name}” from every item in the library?"
        if dialogs.confirm(self, "Delete Tag", question, "Delete Tag"):
            self.editor.delete_tag(name)
