"""The Store: the one object the library layer uses to read and write the library file.

Each public write runs in a transaction (a savepoint inside the caller's ``transaction()``),
refuses to run on a read-only store, and keeps the full-text index in step before it returns.
The work itself lives in the modules named after what they handle (``items``, ``tags``,
``notes``, ``collection_tree``, ``search``, ``fts``); this class composes them.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import ParamSpec, TypeVar, cast

import peewee

from refman.model import (
    Collection,
    CollectionId,
    DamageFoundError,
    ItemId,
    LibraryError,
    Note,
    NoteId,
    Reference,
    Tag,
    TagCounts,
)
from refman.store import collection_tree, database, fts, items, migrations, notes, search
from refman.store import tags as tag_ops
from refman.store.database import open_database, translate_errors
from refman.store.duplicates import DuplicateKeys, Match

P = ParamSpec("P")
R = TypeVar("R")


def _reads(method: Callable[P, R]) -> Callable[P, R]:
    """A read: all its statements see one state of the library (``reading``); SQLite errors
    the user can act on (locked, damaged...) become LibraryError."""

    @functools.wraps(method)
    def wrapper(self: Store, *args, **kwargs):
        with self.reading():
            return method(self, *args, **kwargs)

    return wrapper


def _writes(method: Callable[P, R]) -> Callable[P, R]:
    """A change: refused when read-only or damaged, atomic, SQLite errors in plain words."""

    @functools.wraps(method)
    def wrapper(self: Store, *args, **kwargs):
        self._refuse_if_read_only()
        self._refuse_if_damaged()
        with translate_errors(self.path), self.transaction():
            return method(self, *args, **kwargs)

    return wrapper


def _repairs(method: Callable[P, R]) -> Callable[P, R]:
    """A repair by ``refman check``: a change that must run on a library found damaged."""

    @functools.wraps(method)
    def wrapper(self: Store, *args, **kwargs):
        self._refuse_if_read_only()
        with translate_errors(self.path), self.transaction():
            return method(self, *args, **kwargs)

    return wrapper


# What SQLite answers to a rollback after it has already ended the transaction itself.
_ALREADY_ENDED = ("no such savepoint", "no transaction is active")


@contextlib.contextmanager
def _first_error_kept() -> Iterator[None]:
    """Raise the error that failed a transaction, not the failed rollback that followed it.

    On a full disk (and on I/O errors) SQLite rolls the whole transaction back by itself;
    peewee's rollback of each savepoint then fails with "no such savepoint", and that error
    would hide the one the user needs to hear about.
    """
    try:
        yield
    except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:
        first: BaseException = exc
        while first.__context__ is not None and any(t in str(first) for t in _ALREADY_ENDED):
            first = first.__context__
        if first is exc:
            raise
        raise first from first.__cause__  # its own cause, not the failed rollback


class Store:
    """A refman library in one SQLite file: opens (creating or migrating) on construction."""

    def __init__(self, path: str | Path, *, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        # Counted for as long as the store is open: see the rule in store/database.py.
        self._counted = contextlib.ExitStack()
        self._counted.enter_context(database.counted(self.path))
        try:
            self._db = open_database(self.path, read_only=read_only)
        except BaseException:
            self._counted.close()
            raise
        # Sorted ids of recent views, kept while the library stays as it was: see _view_orders.
        self._orders = search.ViewOrders()
        self._orders_stamp: tuple[int, int] | None = None
        self._transactions_ended = 0
        self._writing = 0  # depth of write transactions (``transaction``) open now
        self._tag_listings = tag_ops.TagListings()
        try:
            with translate_errors(self.path):
                version = migrations.check_version(self._db, self.path, read_only=read_only)
                if not read_only:
                    database.use_wal(self._db, self.path)
                # Migrating takes the write lock: only when there is something to do, so that
                # opening never waits for another program's long write (an import).
                if not read_only and version < migrations.latest_version():
                    migrations.migrate(self._db)
        except BaseException:
            self._db.close()
            self._counted.close()
            raise

    def close(self) -> None:
        if self._db.is_closed():
            return
        if not self.read_only:
            # Keeps the planner's statistics fresh; only an optimisation, so a busy or full
            # disk must not turn closing into an error.
            with contextlib.suppress(peewee.DatabaseError):
                self._db.execute_sql("PRAGMA optimize")
        self._db.close()
        self._counted.close()

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise LibraryError(f"{self.path} is open read-only: changes cannot be saved.")

    def _refuse_if_damaged(self) -> None:
        """Damage SQLite found in this file, by this store or another in the process, stops
        every change: writing on could spread it (see store/database.py)."""
        damage = database.damage_of(self.path)
        if damage is not None:
            raise DamageFoundError(
                f"{self.path} is damaged (SQLite says: {damage}): changes are not saved to it."
            )

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing; nested use is a savepoint. A writer takes the file's write lock at
        the start (waiting up to 5 s for another writer), so it never fails half-way for it."""
        self._writing += 1
        try:
            with translate_errors(self.path), _first_error_kept(), self._db.atomic():
                yield
        finally:
            self._writing -= 1
            # Committed or rolled back, the library may differ from what was read before.
            self._transactions_ended += 1

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """One consistent state of the library for every statement inside (a deferred read
        transaction: it takes no lock another program waits for). Without it, a read made
        of several statements can see another program's commit land between two of them: a
        tag listed without its id, an item found and then gone. Inside a transaction already
        open, it adds nothing. Never write inside it: a snapshot older than another
        program's commit cannot be turned into a write."""
        if self._db.transaction_depth() > 0:
            with translate_errors(self.path):
                yield
            return
        with translate_errors(self.path), self._db.atomic(lock_type="DEFERRED"):
            yield

    def _view_orders(self) -> search.ViewOrders | None:
        """The kept view orders, emptied first if the library may have changed since.

        Changes made here end a transaction (counted by ``transaction``); changes committed by
        other programs move SQLite's ``data_version``. Inside a write transaction nothing is
        kept: what it reads may yet be rolled back.
        """
        if self._writing:
            return None
        data_version = self._db.execute_sql("PRAGMA data_version").fetchone()[0]
        stamp = (self._transactions_ended, data_version)
        if stamp != self._orders_stamp:
            self._orders.clear()
            self._orders_stamp = stamp
        return self._orders

    # --- items ----------------------------------------------------------------------------------

    @_writes
    def add_reference(self, ref: Reference) -> ItemId:
        return items.insert(self._db, [ref])[0]

    @_writes
    def add_references(self, refs: Sequence[Reference]) -> list[ItemId]:
        """Add many references in one pass (executemany per table); ids in the same order."""
        return items.insert(self._db, list(refs))

    @_reads
    def get(self, item_id: ItemId) -> Reference:
        """The full reference; KeyError when no item has this id."""
        return items.load(self._db, [item_id])[0]

    @_reads
    def get_many(
        self, ids: Sequence[ItemId], *, source_records: bool = True, tag_details: bool = True
    ) -> list[Reference]:
        """The references in the order of ``ids``; KeyError when one does not exist.

        ``source_records=False`` leaves the stored MEDLINE records out (empty): decompressing
        them is most of the cost of loading, and only the MEDLINE export needs them.
        ``tag_details=False`` gives tags their names only (kind manual, no MeSH star or
        qualifiers): telling the links apart by all four was a third of the rest of loading,
        and the BibTeX and RIS writers read names alone.
        """
        return items.load(self._db, ids, source_records=source_records, tag_details=tag_details)

    @_writes
    def update_fields(self, item_id: ItemId, changes: Mapping[str, object]) -> None:
        """Change fields named in model.EDITABLE_FIELDS; date_modified moves if anything did."""
        items.update(self._db, item_id, changes)

    @_writes
    def set_trashed(self, ids: Sequence[ItemId], trashed: bool) -> None:
        items.set_trashed(self._db, ids, trashed)

    @_writes
    def delete_items(self, ids: Sequence[ItemId]) -> None:
        """Delete for good, with creators, tag links, notes and collection memberships."""
        items.delete(self._db, ids)

    @_reads
    def item_count(self, *, trashed: bool = False) -> int:
        return items.count(self._db, trashed=trashed)

    @_reads
    def all_ids(self) -> list[ItemId]:
        """Every item, trashed or not, by id."""
        return items.all_ids(self._db)

    @_reads
    def find_duplicate(self, ref: Reference) -> ItemId | None:
        """The item this reference duplicates (the rule is in ``duplicates``); trashed ones too."""
        return items.find_duplicate(self._db, ref)

    @_reads
    def find_duplicates(self, refs: Sequence[Reference]) -> list[ItemId | None]:
        """``find_duplicate`` of each reference, looked up together."""
        return items.find_duplicates(self._db, refs)

    @_reads
    def find_matches(self, keys: Sequence[DuplicateKeys]) -> list[Match | None]:
        """The item each record (given by its duplicate keys) duplicates, and why: together."""
        return items.find_matches(self._db, keys)

    # --- browse ---------------------------------------------------------------------------------

    @_reads
    def search_ids(
        self,
        text: str = "",
        *,
        collection: CollectionId | None = None,
        unfiled: bool = False,
        tags: Sequence[str] = (),
        trashed: bool = False,
        sort: str = "title",
        descending: bool = False,
    ) -> list[ItemId]:
        """Ids of a view, sorted in SQL (ties by id).

        ``text``: every word must match some field as a prefix; NoWordsError when it is not
        blank but holds no word (see search.search_ids). ``collection``: its direct
        members. ``unfiled``: items in no collection. ``tags``: items with all of them.
        ``trashed``: the trash instead of the library. ``sort``: a key of search.SORT_COLUMNS.
        """
        found = search.search_ids(
            self._db,
            text,
            sort=sort,
            descending=descending,
            orders=self._view_orders(),
            collection=collection,
            unfiled=unfiled,
            tags=tags,
            trashed=trashed,
        )
        return cast(list[ItemId], found)  # ItemId is int at run time: no copy of 100,000 ids

    @_reads
    def rows(self, ids: Sequence[ItemId], columns: Sequence[str]) -> dict[ItemId, tuple]:
        """Display strings of the item table's columns (names as sort keys) for each id found."""
        return items.rows(self._db, ids, columns)

    # --- tags -----------------------------------------------------------------------------------

    @_writes
    def add_tags(self, ids: Sequence[ItemId], tags: Sequence[Tag]) -> None:
        """Link the tags; links already there (same name and kind) are left untouched."""
        items.touch(self._db, tag_ops.add(self._db, ids, tags))

    @_writes
    def remove_tags(self, ids: Sequence[ItemId], names: Sequence[str]) -> None:
        """Unlink the named tags, manual or automatic, from the items."""
        items.touch(self._db, tag_ops.remove(self._db, ids, names))

    @_reads
    def tag_counts(
        self,
        *,
        collection: CollectionId | None = None,
        unfiled: bool = False,
        trashed: bool = False,
    ) -> TagCounts:
        """Tags on the items of a view, with item counts, sorted by name; coloured always."""
        return tag_ops.counts(
            self._db,
            self._tag_listings,
            collection=collection,
            unfiled=unfiled,
            trashed=trashed,
        )

    @_writes
    def rename_tag(self, old: str, new: str) -> None:
        """Rename everywhere; onto an existing name the two merge. KeyError: no ``old``."""
        tag_ops.rename(self._db, old, new)

    @_writes
    def delete_tag(self, name: str) -> None:
        """Remove the tag from every item. KeyError when there is no such tag."""
        tag_ops.delete(self._db, name)

    @_writes
    def set_tag_color(self, name: str, color: str) -> None:
        tag_ops.set_color(self._db, name, color)

    @_reads
    def tag_names(self) -> list[str]:
        return tag_ops.names(self._db, self._tag_listings)

    # --- notes ----------------------------------------------------------------------------------

    @_reads
    def notes(self, item_id: ItemId) -> list[Note]:
        return notes.of_item(self._db, item_id)

    @_reads
    def get_note(self, note_id: NoteId) -> Note:
        return notes.get(self._db, note_id)

    @_writes
    def add_note(self, item_id: ItemId, html: str) -> Note:
        note = notes.add(self._db, item_id, html)
        fts.refresh(self._db, fts.NOTES, [note.id])
        return note

    @_writes
    def update_note(self, note_id: NoteId, html: str) -> Note:
        note = notes.update(self._db, note_id, html)
        fts.refresh(self._db, fts.NOTES, [note.id])
        return note

    @_writes
    def delete_note(self, note_id: NoteId) -> None:
        notes.delete(self._db, note_id)  # its index row goes by trigger

    # --- collections ----------------------------------------------------------------------------

    @_reads
    def collections(self) -> list[Collection]:
        return collection_tree.all_collections(self._db)

    @_reads
    def find_collection(self, name: str) -> Collection | None:
        return collection_tree.find(self._db, name)

    @_writes
    def create_collection(self, name: str, parent_id: CollectionId | None = None) -> Collection:
        return collection_tree.create(self._db, name, parent_id)

    @_writes
    def rename_collection(self, cid: CollectionId, name: str) -> None:
        collection_tree.rename(self._db, cid, name)

    @_writes
    def move_collection(self, cid: CollectionId, parent_id: CollectionId | None) -> None:
        """Re-parent (None: top level); RefmanError when it would go inside itself."""
        collection_tree.move(self._db, cid, parent_id)

    @_writes
    def delete_collection(self, cid: CollectionId) -> None:
        """Delete the collection and its subcollections; the items stay in the library."""
        collection_tree.delete(self._db, cid)

    @_writes
    def add_to_collection(self, ids: Sequence[ItemId], cid: CollectionId) -> None:
        collection_tree.add_items(self._db, ids, cid)

    @_writes
    def remove_from_collection(self, ids: Sequence[ItemId], cid: CollectionId) -> None:
        collection_tree.remove_items(self._db, ids, cid)

    @_reads
    def collections_of(self, item_id: ItemId) -> list[CollectionId]:
        return collection_tree.of_item(self._db, item_id)

    # --- maintenance ----------------------------------------------------------------------------

    @_reads
    def integrity_check(self) -> list[str]:
        """SQLite's own check and the foreign keys; empty when the file is sound."""
        found = [row[0] for row in self._db.execute_sql("PRAGMA integrity_check")]
        problems = [] if found == ["ok"] else found
        for table, rowid, parent, _ in self._db.execute_sql("PRAGMA foreign_key_check"):
            problems.append(f"{table} row {rowid} points to a missing {parent}")
        return problems

    def check_fts(self) -> list[str]:
        """Differences between the full-text index and the items, read in one snapshot, then
        FTS5's own check under the write lock (not on a read-only library); empty when in
        step."""
        with self.reading():
            problems = fts.differences(self._db)
        if not self.read_only:
            with self.transaction():
                problems += fts.self_check(self._db)
        return problems

    @_repairs
    def rebuild_fts(self) -> None:
        fts.rebuild(self._db)

    @_reads
    def check_tag_totals(self) -> list[str]:
        """Tags whose stored item count disagrees with their links; empty when all agree."""
        return tag_ops.check_totals(self._db)

    @_repairs
    def rebuild_tag_totals(self) -> None:
        tag_ops.rebuild_totals(self._db)

    @_reads
    def damaged_source_records(self) -> list[tuple[ItemId, str]]:
        """Items whose stored source record cannot be decoded, with what is wrong."""
        return items.damaged_source_records(self._db)

    @_repairs
    def drop_source_records(self, ids: Sequence[ItemId]) -> None:
        items.drop_source_records(self._db, ids)

    @_repairs
    def reindex(self) -> None:
        """Build every index anew from its table: heals an index that disagrees with it."""
        self._db.execute_sql("REINDEX")

    def schema_version(self) -> int:
        return migrations.schema_version(self._db)
