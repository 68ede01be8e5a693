"""Items: finding them (a view, sorted), reading them, adding, editing, trashing.

Every read runs in one snapshot of the library (``Connection.reading``), every change in one
transaction (``Connection.writing``) and returns ``Changes`` after its commit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from refman.citekeys import KeyPattern, is_placeholder
from refman.library.attachments import Attachments
from refman.library.changes import Changes
from refman.library.use_case import UseCase
from refman.model import ItemId, Reference, ViewQuery
from refman.store import attachments, identifiers, items, search
from refman.store import citekeys as store_keys
from refman.store import markers as table_markers
from refman.store.markers import Marker
from refman.store.search import Found

LIBRARY = ViewQuery()  # the whole library, unfiltered, outside the Trash
TRASH = ViewQuery(trashed=True)
LOAD_CHUNK = 1000  # references built at a time when a whole view is read


class Items(UseCase):
    """The items of one open library."""

    # --- reading --------------------------------------------------------------------------------

    def search(
        self, view: ViewQuery = LIBRARY, *, sort: str = "title", descending: bool = False
    ) -> list[ItemId]:
        """Ids of the items in a view (its place, tags, saved search and search text), sorted
        in SQL, ties by id. NoWordsError when its text is not blank but holds no word. ``sort``
        is a key of store.search.SORT_COLUMNS (the item table's column names)."""
        with self._connection.reading() as db:
            orders = self._connection.view_orders()
            return search.search_ids(db, view, sort=sort, descending=descending, orders=orders)

    def found(
        self, view: ViewQuery = LIBRARY, *, sort: str = "title", descending: bool = False
    ) -> Found:
        """What ``search`` finds (``.ids``), and which of those items the words were found in
        a PDF of (``.in_pdf``: the table's marker, the CLI's "[in PDF]"), in one search. A
        passage is made only when asked, for one item: ``attachments.found_in``."""
        with self._connection.reading() as db:
            orders = self._connection.view_orders()
            return search.search(db, view, sort=sort, descending=descending, orders=orders)

    def each(self, view: ViewQuery = LIBRARY, *, sort: str = "title") -> Iterator[Reference]:
        """The references of a view in order, built a chunk at a time, all from one state of
        the library: an item another program deletes meanwhile is still read."""
        with self._connection.reading() as db:
            ids = self.search(view, sort=sort)
            for start in range(0, len(ids), LOAD_CHUNK):
                yield from items.load(db, ids[start : start + LOAD_CHUNK])

    def rows(self, ids: Sequence[ItemId], columns: Sequence[str]) -> dict[ItemId, tuple[str, ...]]:
        """Display strings of the item table's columns (named as sort keys) for each id
        still in the library."""
        return self._read(items.rows, ids, columns)

    def markers(self, ids: Sequence[ItemId]) -> dict[ItemId, Marker]:
        """The item table's markers of each id that has one: (notes count, ((tag, colour),
        ...) of its coloured tags in name order)."""
        return self._read(table_markers.markers, ids)

    def get(self, item_id: ItemId) -> Reference:
        """The whole reference; MissingItemError when it is not (or no longer) there."""
        return self.get_many([item_id])[0]

    def get_many(
        self, ids: Sequence[ItemId], *, source_records: bool = True, tag_details: bool = True
    ) -> list[Reference]:
        """The references in the order of ``ids``; MissingItemError when one is gone.

        ``source_records=False`` leaves the stored MEDLINE records out: decompressing them is
        most of the cost of loading, and only the MEDLINE export needs them.
        ``tag_details=False`` gives tags their names only (kind manual, no MeSH star or
        qualifiers): the BibTeX and RIS writers read names alone.
        """
        with self._connection.reading() as db:
            return items.load(db, ids, source_records=source_records, tag_details=tag_details)

    def count(self, *, trashed: bool = False) -> int:
        """Items in the library (or in the Trash)."""
        return self._read(items.count, trashed)

    def with_identifiers(self, kind: str, values: Sequence[str]) -> dict[str, ItemId]:
        """Which of ``values`` (identifiers of ``kind``: pmid, doi, pmcid, isbn or url) the library
        holds outside the Trash: value as given -> the oldest item holding it."""
        return self._read(identifiers.items_by_identifier, kind, values)

    def all_ids(self) -> list[ItemId]:
        """Every item, trashed or not, by id."""
        return self._read(items.all_ids)

    # --- changing -------------------------------------------------------------------------------

    def add(self, ref: Reference) -> tuple[ItemId, Changes]:
        """Add one reference made in refman (or brought back by undo)."""
        with self._connection.writing() as db:
            (item_id,) = items.insert(db, [ref])
        return item_id, Changes(added=frozenset({item_id}), tags=bool(ref.tags))

    def delete(self, ids: Sequence[ItemId]) -> Changes:
        """Delete items for good, with their notes, tags and memberships (undoing New Item)."""
        with self._connection.writing() as db:
            items.delete(db, list(ids))
        return Changes(removed=frozenset(ids), tags=True, collections=True)

    def update(self, item_id: ItemId, **changes: object) -> Changes:
        """Change fields of one item (names from model.EDITABLE_FIELDS); date_modified moves
        when anything did. An item still keyed ``ref`` (made empty) gets its citation key from
        its fields now (refman.citekeys.EMPTY_KEY); any other key stays as it is."""
        with self._connection.writing() as db:
            (before,) = items.load(db, [item_id], source_records=False, tag_details=False)
            items.update(db, item_id, changes)
            pattern = KeyPattern(store_keys.pattern(db))
            if is_placeholder(before.citation_key, before, pattern):
                (after,) = items.load(db, [item_id], source_records=False, tag_details=False)
                if not is_placeholder(before.citation_key, after, pattern):
                    store_keys.regenerate(db, [(item_id, after)])
        return Changes(changed=frozenset({item_id}))

    def trash(self, ids: Sequence[ItemId]) -> Changes:
        return self._change(
            Changes(removed=frozenset(ids), tags=True), items.set_trashed, ids, True
        )

    def restore(self, ids: Sequence[ItemId]) -> Changes:
        """Take items out of the Trash."""
        return self._change(Changes(added=frozenset(ids), tags=True), items.set_trashed, ids, False)

    def empty_trash(self) -> Changes:
        """Delete the trashed items for good, with their notes, tags, memberships and
        attachments, and the trashed attachments of other items; then the stored copies of
        those attachments' files (after the commit: a failed commit keeps them all)."""
        with self._connection.writing() as db:
            ids = search.search_ids(db, TRASH, sort="title", descending=False)
            gone = attachments.doomed(db)
            attachments.delete(db, [row.id for row in gone])
            items.delete(db, ids)
        Attachments(self._connection).remove_files_of(gone)
        changed = frozenset(row.item_id for row in gone) - frozenset(ids)
        return Changes(removed=frozenset(ids), changed=changed, tags=True, collections=True)
