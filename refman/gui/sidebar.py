"""The left pane: My Library with its collection tree and saved searches, Unfiled Items,
Retracted & Corrected, Trash, and the tags.

Saved searches (smart collections, sidebar_searches.py) follow the collections under My
Library; their counts are kept right lazily.

Retracted & Corrected is the saved view of the items whose PubMed record names a retraction,
an expression of concern or an erratum (library.notices), with their count; it is there only
while the library holds such items (``set_flagged_count``), as Zotero's Retracted Items.

Selecting a place emits ``source_changed``; the tag selector below narrows it further. Items
dropped on a collection are added to it, on the Trash are trashed; a collection dropped on
another is nested in it (on My Library it goes back to the top); files dropped on a
collection are imported into it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QMenu,
    QSplitter,
    QStyle,
    QTreeView,
    QWidget,
)

from refman.gui import dialogs, mime
from refman.gui.resources import icon
from refman.gui.sidebar_searches import (
    SEARCH,
    SEARCH_ROLE,
    SearchActions,
    SearchCounts,
    search_row,
)
from refman.gui.tag_selector import TagSelector
from refman.gui.undo import InverseCommand, LibraryEditor
from refman.library import Changes
from refman.library.notices import FLAG_LABELS
from refman.library.searches import SavedSearch
from refman.model import Collection, CollectionId

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
COLLECTION_ROLE = Qt.ItemDataRole.UserRole + 2

LIBRARY, UNFILED, TRASH, COLLECTION = "library", "unfiled", "trash", "collection"
FLAGGED = "flagged"  # retracted items, and those with an expression of concern or an erratum
FLAGGED_TITLE = "Retracted & Corrected"
FLAGGED_VIEW = tuple(FLAG_LABELS)  # the notice flags its items have one of (ViewQuery.flags)
DUPLICATES = "duplicates"  # Duplicate Items: the groups and the merge pane (gui/duplicates.py)
DUPLICATES_TITLE = "Duplicate Items"

_F = Qt.ItemFlag
_PLACE_FLAGS = _F.ItemIsEnabled | _F.ItemIsSelectable
FLAGS = {
    LIBRARY: _PLACE_FLAGS | _F.ItemIsDropEnabled,  # a collection dropped here goes to the top
    UNFILED: _PLACE_FLAGS,
    FLAGGED: _PLACE_FLAGS,
    DUPLICATES: _PLACE_FLAGS,
    TRASH: _PLACE_FLAGS | _F.ItemIsDropEnabled,
    COLLECTION: _PLACE_FLAGS | _F.ItemIsDropEnabled | _F.ItemIsDragEnabled,
    SEARCH: _PLACE_FLAGS,
}
PLACES = (
    (LIBRARY, "My Library", "library"),
    (DUPLICATES, DUPLICATES_TITLE, "duplicates"),
    (UNFILED, "Unfiled Items", "unfiled"),
    (TRASH, "Trash", "trash"),
)


@dataclass(frozen=True)
class Source:
    """A place in the sidebar: the whole library, unfiled items, the flagged items, the trash,
    a collection or a saved search (as it is now: an edit makes another Source)."""

    kind: str = LIBRARY
    collection: CollectionId | None = None
    search: SavedSearch | None = None


class CollectionTreeModel(QStandardItemModel):
    """The places and the collection tree; drops become signals for the sidebar to act on."""

    items_dropped = Signal(list, object)  # ids, Source
    collection_dropped = Signal(int, object)  # collection id, new parent id or None
    files_dropped = Signal(list, object)  # paths, collection id or None

    def __init__(self, parent=None):
        super().__init__(parent)
        self._parents: dict[CollectionId, CollectionId | None] = {}
        self.flagged_count = 0
        self.duplicates_count = 0  # items in duplicate groups, found in the background
        self.rebuild([])

    def rebuild(
        self, collections: list[Collection], searches: Sequence[SavedSearch] = ()
    ) -> None:
        self.clear()
        self._parents = {c.id: c.parent_id for c in collections}
        places = [_item(title, kind, None, icon_name) for kind, title, icon_name in PLACES]
        # The tree is built before it is attached: three row insertions, not one per collection.
        self._add_children(places[0], None, collections)
        for saved in searches:  # after the collections, as in Zotero
            places[0].appendRow(search_row(saved, KIND_ROLE, FLAGS[SEARCH]))
        for place in places:
            self.appendRow(place)
        if self.flagged_count:
            self.insertRow(self._flagged_row(), _flagged_item(self.flagged_count))
        self.set_duplicates_count(self.duplicates_count)

    def set_duplicates_count(self, count: int) -> None:
        """Duplicate Items shows how many items are in a duplicate group, as Zotero's count."""
        self.duplicates_count = count
        title = f"{DUPLICATES_TITLE} ({count})" if count else DUPLICATES_TITLE
        self.setData(self.index_of(Source(DUPLICATES)), title)

    def set_flagged_count(self, count: int) -> None:
        """Show Retracted & Corrected with ``count`` items, or take it away when none."""
        index = self.index_of(Source(FLAGGED))
        self.flagged_count = count
        if not count:
            if index.isValid():
                self.removeRow(index.row())
        elif index.isValid():
            self.setData(index, _flagged_title(count))
        else:
            self.insertRow(self._flagged_row(), _flagged_item(count))

    def _flagged_row(self) -> int:
        """Just above the Trash."""
        return self.index_of(Source(TRASH)).row()

    def _add_children(self, parent: QStandardItem, parent_id, collections) -> None:
        children = sorted(
            (c for c in collections if c.parent_id == parent_id), key=lambda c: c.name.casefold()
        )
        for collection in children:
            item = _item(collection.name, COLLECTION, collection.id, "collection")
            parent.appendRow(item)
            self._add_children(item, collection.id, collections)

    def source_at(self, index: QModelIndex | QPersistentModelIndex) -> Source | None:
        if not index.isValid():
            return None
        return Source(index.data(KIND_ROLE), index.data(COLLECTION_ROLE), index.data(SEARCH_ROLE))

    def index_of(self, source: Source) -> QModelIndex:
        if source.kind == SEARCH and source.search is not None:
            return self._search_index(source.search.id)
        role, value = (
            (COLLECTION_ROLE, source.collection)
            if source.kind == COLLECTION
            else (KIND_ROLE, source.kind)
        )
        found = self.match(
            self.index(0, 0),
            role,
            value,
            1,
            Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive | Qt.MatchFlag.MatchWrap,
        )
        return found[0] if found else QModelIndex()

    def _search_index(self, search_id: int) -> QModelIndex:
        """The row of the saved search with this id (it may have been renamed or edited)."""
        top = self.index(0, 0)
        for row in range(self.rowCount(top)):
            saved = self.index(row, 0, top).data(SEARCH_ROLE)
            if saved is not None and saved.id == search_id:
                return self.index(row, 0, top)
        return QModelIndex()

    def is_within(self, cid: CollectionId | None, ancestor: CollectionId) -> bool:
        """True if ``cid`` is ``ancestor`` or nested somewhere inside it."""
        while cid is not None:
            if cid == ancestor:
                return True
            cid = self._parents.get(cid)
        return False

    # --- drag and drop ------------------------------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [mime.ITEM_IDS_MIME, mime.COLLECTION_ID_MIME, "text/uri-list"]

    def mimeData(self, indexes) -> QMimeData:
        ids = [i.data(COLLECTION_ROLE) for i in indexes if i.data(KIND_ROLE) == COLLECTION]
        data = QMimeData()
        data.setData(mime.COLLECTION_ID_MIME, mime.encode_ids(ids[:1]))
        return data

    def supportedDragActions(self) -> Qt.DropAction:
        # Copy, not Move: a Move would make the view delete the dragged row itself.
        return Qt.DropAction.CopyAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        return self._drop(data, parent, act=False)

    def dropMimeData(self, data, action, row, column, parent) -> bool:
        return self._drop(data, parent, act=True)

    def _drop(self, data: QMimeData, parent, act: bool) -> bool:
        target = self.source_at(parent)
        if target is None:
            return False
        handlers = (
            (mime.COLLECTION_ID_MIME, self._drop_collection),
            (mime.ITEM_IDS_MIME, self._drop_items),
        )
        for kind, handler in handlers:
            if data.hasFormat(kind):
                return handler(mime.decode_ids(data, kind), target, act)
        paths = [u.toLocalFile() for u in data.urls() if u.isLocalFile()]
        if paths and target.kind in (LIBRARY, COLLECTION):
            if act:
                self.files_dropped.emit(paths, target.collection)
            return True
        return False

    def _drop_collection(self, ids: list[int], target: Source, act: bool) -> bool:
        if not ids or target.kind not in (LIBRARY, COLLECTION):
            return False
        moved = CollectionId(ids[0])
        if target.collection is not None and self.is_within(target.collection, moved):
            return False  # not into itself or its own subcollections
        if act:
            self.collection_dropped.emit(moved, target.collection)
        return True

    def _drop_items(self, ids: list[int], target: Source, act: bool) -> bool:
        if not ids or target.kind not in (COLLECTION, TRASH):
            return False
        if act:
            self.items_dropped.emit(ids, target)
        return True


def _flagged_title(count: int) -> str:
    return f"{FLAGGED_TITLE} ({count})"


def _flagged_item(count: int) -> QStandardItem:
    item = QStandardItem(_flagged_title(count))
    # The item table's mark of a flagged item: the same warning icon.
    item.setIcon(QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
    item.setToolTip(
        "Items whose PubMed record names a retraction, an expression of concern or an erratum"
    )
    item.setData(FLAGGED, KIND_ROLE)
    item.setData(None, COLLECTION_ROLE)
    item.setFlags(FLAGS[FLAGGED])
    return item


def _item(title: str, kind: str, cid: CollectionId | None, icon_name: str) -> QStandardItem:
    item = QStandardItem(icon(icon_name), title)
    item.setData(kind, KIND_ROLE)
    item.setData(cid, COLLECTION_ROLE)
    item.setFlags(FLAGS[kind])
    return item


class CollectionTree(mime.CopyDrops, QTreeView):
    """The tree of places and collections."""

    def __init__(self, model: CollectionTreeModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        self.setHeaderHidden(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setDropIndicatorShown(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

    def model(self) -> CollectionTreeModel:
        return cast(CollectionTreeModel, super().model())  # the one model this view is given

    def select_source(self, source: Source) -> None:
        index = self.model().index_of(source)
        if not index.isValid():
            index = self.model().index(0, 0)
        self.setCurrentIndex(index)

    def expanded_collections(self) -> set[CollectionId]:
        model = self.model()
        found = model.match(
            model.index(0, 0),
            KIND_ROLE,
            COLLECTION,
            -1,
            Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
        )
        return {i.data(COLLECTION_ROLE) for i in found if self.isExpanded(i)}

    def expand_collections(self, ids: set[CollectionId]) -> None:
        self.expand(self.model().index(0, 0))
        for cid in ids:
            self.expand(self.model().index_of(Source(COLLECTION, cid)))


class Sidebar(QSplitter):
    """Places and collections above, tags below."""

    source_changed = Signal(object)  # Source
    tags_changed = Signal(tuple)
    files_dropped = Signal(list, object)  # paths, collection id or None
    # Export Collection… ("ris") or Create Bibliography from Collection… ("text"): the window's
    export_requested = Signal(object, str)  # collection id, the format the dialog opens on

    def __init__(self, editor: LibraryEditor, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Vertical, parent)
        self.editor = editor
        self.library = editor.library
        self.model = CollectionTreeModel(self)
        self.tree = CollectionTree(self.model)
        self.tags = TagSelector(editor)
        self.search_counts = SearchCounts(self.tree, editor)
        self.searches = SearchActions(editor, self)
        self.addWidget(self.tree)
        self.addWidget(self.tags)
        self._source = Source()
        self._rebuilding = False
        self._connect()
        self.reload_collections()

    def _connect(self) -> None:
        queued = Qt.ConnectionType.QueuedConnection  # act after the drop event has finished
        self.model.items_dropped.connect(self._on_items_dropped, queued)
        self.model.collection_dropped.connect(self.move_collection, queued)
        self.model.files_dropped.connect(self.files_dropped, queued)
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        self.tree.customContextMenuRequested.connect(self._show_menu)
        self.tags.tags_changed.connect(self.tags_changed)

    @property
    def source(self) -> Source:
        return self._source

    def select(self, source: Source) -> None:
        self.tree.select_source(source)

    def set_flagged_count(self, count: int) -> None:
        """Retracted & Corrected shows ``count`` items; with none it goes, and a window
        showing it goes back to My Library first."""
        if not count and self._source.kind == FLAGGED:
            self.select(Source())
        self.model.set_flagged_count(count)

    def apply(self, changes: Changes) -> None:
        if changes.collections or changes.searches:
            self.reload_collections()
        elif changes:  # any change may move what a saved search finds: counted when seen
            notes_only = changes == Changes(notes=changes.notes)
            self.search_counts.invalidate(notes_only=notes_only)
        # Tag counts move when tags, memberships or the set of items do; not on field edits
        # or notes (a note saves every second while typing: no recount then).
        if changes.tags or changes.collections or changes.added or changes.removed:
            self.tags.refresh()

    def reload_collections(self) -> None:
        expanded = self.tree.expanded_collections()
        self._rebuilding = True  # the tree's current row wanders while it is rebuilt
        try:
            self.model.rebuild(self.library.collections.all(), self.library.searches.all())
            self.tree.expand_collections(expanded)
            self.tree.select_source(self._source)  # My Library if the collection is gone
        finally:
            self._rebuilding = False
        self._on_current_changed(self.tree.currentIndex())
        self.search_counts.schedule()  # the rebuilt rows know no count yet

    def _on_current_changed(self, current: QModelIndex, _previous=None) -> None:
        source = self.model.source_at(current)
        if self._rebuilding or source is None or source == self._source:
            return
        self._source = source
        self.tags.set_scope(
            collection=source.collection,
            unfiled=source.kind == UNFILED,
            trashed=source.kind == TRASH,
            flags=FLAGGED_VIEW if source.kind == FLAGGED else (),
        )
        self.source_changed.emit(source)

    # --- actions ------------------------------------------------------------------------------

    def new_collection(self, parent_id: CollectionId | None = None) -> None:
        title = "New Subcollection" if parent_id else "New Collection"
        name = dialogs.ask_text(self, title, "Name:")
        if name is None:  # cancelled; a blank name goes on, to be refused plainly
            return
        made = self.editor.create_collection(name, parent_id)
        if made is not None:
            self.select(Source(COLLECTION, made.id))

    def rename_collection(self, cid: CollectionId) -> None:
        old = self.model.index_of(Source(COLLECTION, cid)).data()
        name = dialogs.ask_text(self, "Rename Collection", "Name:", old)
        if name is None or name == old:
            return
        self.editor.push(
            InverseCommand(
                self.library,
                f"Rename collection {old}",
                lambda: self.library.collections.rename(self.editor.collection_id(cid), name),
                lambda: self.library.collections.rename(self.editor.collection_id(cid), old),
            )
        )

    def move_collection(self, cid: CollectionId, parent_id: CollectionId | None) -> None:
        old_parent = next(
            (c.parent_id for c in self.library.collections.all() if c.id == cid), None
        )
        if old_parent == parent_id:
            return
        self.editor.push(
            InverseCommand(
                self.library,
                "Move collection",
                lambda: self._move(cid, parent_id),
                lambda: self._move(cid, old_parent),
            )
        )

    def _move(self, cid: CollectionId, parent_id: CollectionId | None) -> Changes:
        """Move by the ids the collections have now (undo may have made them again)."""
        current = self.editor.collection_id
        return self.library.collections.move(current(cid), current(parent_id))

    def delete_collection(self, cid: CollectionId) -> None:
        name = self.model.index_of(Source(COLLECTION, cid)).data()
        question = (
            f"Delete the collection “{name}” and its subcollections?\n"
            "The items in it stay in My Library."
        )
        if dialogs.confirm(self, "Delete Collection", question, "Delete Collection"):
            self.editor.delete_collection(cid)

    def empty_trash(self) -> None:
        count = self.library.items.count(trashed=True)
        if not count:
            return
        question = f"Delete the {count} item{'s' * (count != 1)} in the Trash for good?"
        if not dialogs.confirm(self, "Empty Trash", question, "Empty Trash"):
            return
        if self.editor.run(self.library.items.empty_trash):
            self.editor.undo_stack.clear()  # undo steps may name items that are gone

    def _on_items_dropped(self, ids: list, target: Source) -> None:
        if target.kind == TRASH:
            self.editor.trash(ids)
        elif target.collection is not None:  # items drop on a collection or the trash only
            self.editor.add_to_collection(ids, target.collection)

    def _show_menu(self, pos) -> None:
        source = self.model.source_at(self.tree.indexAt(pos))
        if source is None:
            return
        menu = self.context_menu(source)
        if not menu.isEmpty():
            menu.exec(self.tree.viewport().mapToGlobal(pos))

    def context_menu(self, source: Source) -> QMenu:
        """The tree's context menu on ``source``."""
        menu = QMenu(self)
        for text, slot in self._menu_entries(source):
            menu.addAction(text, slot)
        return menu

    def save_search(self, query: str = "") -> SavedSearch | None:
        """Save ``query`` (asked for when blank) as a saved search, and show it."""
        saved = self.searches.save(query)
        if saved is not None:
            self.select(Source(SEARCH, search=saved))
        return saved

    def _menu_entries(self, source: Source) -> list[tuple[str, Callable[[], object]]]:
        cid = source.collection
        saved = source.search
        if source.kind == SEARCH and saved is not None:
            return [
                ("Edit Search…", lambda: self.searches.edit(saved)),
                ("Rename Saved Search…", lambda: self.searches.rename(saved)),
                ("Delete Saved Search", lambda: self.searches.delete(saved)),
            ]
        if source.kind == COLLECTION and cid is not None:
            return [
                ("New Subcollection…", lambda: self.new_collection(cid)),
                ("Rename Collection…", lambda: self.rename_collection(cid)),
                ("Delete Collection…", lambda: self.delete_collection(cid)),
                ("Export Collection…", lambda: self.export_requested.emit(cid, "ris")),
                (
                    "Create Bibliography from Collection…",
                    lambda: self.export_requested.emit(cid, "text"),
                ),
            ]
        entries: dict[str, list[tuple[str, Callable[[], object]]]] = {
            LIBRARY: [("New Collection…", self.new_collection)],
            TRASH: [("Empty Trash…", self.empty_trash)],
        }
        return entries.get(source.kind, [])
