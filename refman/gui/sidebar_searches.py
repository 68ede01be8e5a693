"""Saved searches in the sidebar: smart collections under My Library, after the collections,
as in Zotero. Each is a live query (library.searches): selecting one shows the items its query
finds now, and its row shows how many.

Counting runs a search per saved search, so it is lazy: after a change (every ``Changes`` the
window receives) the counts are only marked stale, and a short timer later the rows on screen
are counted again, one per turn of the event loop; the rest are counted when they scroll into
view or My Library is expanded. Measured on the benchmark's synthetic 100,000-item library (a
busy 2-core machine), eight saved searches after a change: 1-70 ms each, one 190-270 ms (a
prefix matching 7,500 items, which sorts the library once; the searches after it reuse that
order), 70-450 ms for all eight.

The window's undo stack takes saving, editing, renaming and deleting, so a deleted saved
search comes back with Undo (no confirmation asked).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QStandardItem
from PySide6.QtWidgets import QTreeView

from refman.gui import dialogs
from refman.gui.resources import icon
from refman.gui.undo import InverseCommand, LibraryEditor
from refman.library.searches import SavedSearch

SEARCH = "search"  # a saved search's kind in the sidebar (sidebar.KIND_ROLE)
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 3  # the SavedSearch of a row
COUNT_ROLE = Qt.ItemDataRole.UserRole + 4  # its count, None while not known
ICON = "saved-search"
# Counts are taken this long after the last of a run of changes (an import sends several).
COUNT_DELAY_MS = 300
# ... and this long after a note was saved: a note saves each second while it is typed, and a
# query may look in notes, so the counts are taken once the typing pauses.
NOTES_COUNT_DELAY_MS = 2000


def search_row(saved: SavedSearch, kind_role: int, flags: Qt.ItemFlag) -> QStandardItem:
    """The sidebar row of a saved search: its name (the count comes later), with its query
    as the tooltip."""
    item = QStandardItem(icon(ICON), saved.name)
    item.setData(SEARCH, kind_role)
    item.setData(saved, SEARCH_ROLE)
    item.setData(None, COUNT_ROLE)
    item.setToolTip(f"Saved search: {saved.query}")
    item.setFlags(flags)
    return item


def search_title(saved: SavedSearch, count: int | None) -> str:
    return saved.name if count is None else f"{saved.name} ({count})"


class SearchCounts(QObject):
    """Keeps the counts of the saved searches on screen right, a short while after changes."""

    def __init__(self, tree: QTreeView, editor: LibraryEditor):
        super().__init__(tree)
        self.tree = tree
        self.library = editor.library
        self._timer = QTimer(self, singleShot=True, interval=COUNT_DELAY_MS)
        self._timer.timeout.connect(self.count_visible)
        self.counted = 0  # searches run so far (tests and measurements read it)
        tree.expanded.connect(lambda _index: self.schedule())
        tree.verticalScrollBar().valueChanged.connect(lambda _value: self.schedule())

    def invalidate(self, *, notes_only: bool = False) -> None:
        """The library changed: every count may be wrong; count again those on screen (later
        when only notes changed)."""
        for index in self._rows():
            self.tree.model().setData(index, None, COUNT_ROLE)
        self.schedule(NOTES_COUNT_DELAY_MS if notes_only else COUNT_DELAY_MS)

    def schedule(self, delay_ms: int = COUNT_DELAY_MS) -> None:
        self._timer.start(delay_ms)

    def count_visible(self) -> None:
        """Count the saved searches on screen whose count is not known, one per turn of the
        event loop: the window answers between two counts (one may take a whole-library sort
        after a change, some 100 ms at 100,000 items)."""
        self._timer.stop()
        stale = [i for i in self._rows() if i.data(COUNT_ROLE) is None and self._on_screen(i)]
        if not stale:
            return
        index = stale[0]
        saved: SavedSearch = index.data(SEARCH_ROLE)
        count = self.library.searches.count(saved)
        self.counted += 1
        model = self.tree.model()
        model.setData(index, count, COUNT_ROLE)
        model.setData(index, search_title(saved, count))
        if len(stale) > 1:
            self._timer.start(0)

    def _rows(self) -> list[QModelIndex]:
        return search_indexes(self.tree.model())

    def _on_screen(self, index: QModelIndex) -> bool:
        if not self.tree.isExpanded(index.parent()):
            return False
        rect = self.tree.visualRect(index)
        return rect.isValid() and rect.intersects(self.tree.viewport().rect())


def search_indexes(model: QAbstractItemModel) -> list[QModelIndex]:
    """The rows of the saved searches (children of My Library)."""
    top = model.index(0, 0)
    rows = (model.index(row, 0, top) for row in range(model.rowCount(top)))
    return [index for index in rows if index.data(SEARCH_ROLE) is not None]


class SearchActions:
    """Save, edit, rename and delete saved searches, each undoable on the window's stack."""

    def __init__(self, editor: LibraryEditor, parent):
        self.editor = editor
        self.library = editor.library
        self.parent = parent  # the widget the dialogs belong to

    def save(self, query: str = "") -> SavedSearch | None:
        """Save ``query`` (asked for when blank) under a name asked for; the saved search,
        or None when cancelled or refused (the window says why)."""
        if not query.strip():
            query = dialogs.ask_text(self.parent, "Save Search", "Search for:") or ""
            if not query:
                return None
        name = dialogs.ask_text(self.parent, "Save Search", "Name:", query.strip())
        if name is None:  # cancelled; a blank name goes on, to be refused plainly
            return None
        searches = self.library.searches
        command = InverseCommand(
            self.library,
            f"Save search {name}",
            lambda: searches.add(name, query)[1],
            lambda: searches.delete(name),
        )
        return searches.find(name) if self.editor.push(command) else None

    def edit(self, saved: SavedSearch) -> None:
        """Edit Search…: the query of the saved search."""
        query = dialogs.ask_text(self.parent, "Edit Search", "Search for:", saved.query)
        if query is None or query == saved.query:
            return
        searches, name = self.library.searches, saved.name
        self.editor.push(
            InverseCommand(
                self.library,
                f"Edit search {name}",
                lambda: searches.edit(name, query),
                lambda: searches.edit(name, saved.query),
            )
        )

    def rename(self, saved: SavedSearch) -> None:
        name = dialogs.ask_text(self.parent, "Rename Saved Search", "Name:", saved.name)
        if name is None or name == saved.name:
            return
        searches, old = self.library.searches, saved.name
        self.editor.push(
            InverseCommand(
                self.library,
                f"Rename search {old}",
                lambda: searches.rename(old, name),
                lambda: searches.rename(name.strip(), old),
            )
        )

    def delete(self, saved: SavedSearch) -> None:
        """Delete at once: Undo brings it back, with its query."""
        searches = self.library.searches
        self.editor.push(
            InverseCommand(
                self.library,
                f"Delete search {saved.name}",
                lambda: searches.delete(saved.name),
                lambda: searches.add(saved.name, saved.query)[1],
            )
        )
