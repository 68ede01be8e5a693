"""An open library file: the one object that opens it, runs transactions and snapshots on it,
and keeps what the queries cache between calls.

The store's other modules are queries by table (``items``, ``tags``, ``notes``,
``collection_tree``, ``search``, ``fts``, ``maintenance``): plain functions of a peewee
database. The library layer holds one ``Connection`` and calls those functions inside
``writing()`` (one transaction: all or nothing, refused on a read-only or damaged library,
SQLite's errors in plain words) or ``reading()`` (one snapshot for several statements). No
method here forwards to a query: this is where transactions live, and only here.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import peewee

from refman.model import DamageFoundError, LibraryError
from refman.store import bulk_load, database, migrations, search, tags
from refman.store.database import open_database, translate_errors

# The database the store's query functions take, as the library names it in its types (the
# library imports no peewee).
Database = peewee.Database

# What SQLite answers to a rollback after it has already ended the transaction itself.
_ALREADY_ENDED = ("no such savepoint", "no transaction is active")


class Connection:
    """A refman library in one SQLite file, open: created or migrated on construction.

    ``db`` is the peewee database the store's query functions take. ``read_only`` may be
    turned on while open (damage was found and the user chose to go on reading).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        on_update: migrations.StepProgress | None = None,
    ):
        """Open the library at ``path``; ``on_update(done, total)`` follows the schema steps
        an older library needs (see migrations.migrate)."""
        self.path = Path(path)
        self.read_only = read_only
        # Counted for as long as it is open: see the rule in store/database.py.
        self._counted = contextlib.ExitStack()
        self._counted.enter_context(database.counted(self.path))
        try:
            self.db = open_database(self.path, read_only=read_only)
        except BaseException:
            self._counted.close()
            raise
        # Sorted ids of recent views, kept while the library stays as it was: view_orders.
        self._orders = search.ViewOrders()
        self._orders_stamp: tuple[int, int] | None = None
        self._transactions_ended = 0
        self._writing = 0  # depth of write transactions open now
        self.tag_listings = tags.TagListings(self.change_stamp)
        try:
            self._check_and_migrate(on_update)
        except BaseException:
            self.db.close()
            self._counted.close()
            raise

    def _check_and_migrate(self, on_update: migrations.StepProgress | None) -> None:
        """Refuse a file refman cannot use before anything in it changes; then WAL and the
        migrations, which take the write lock only when there is something to do, so that
        opening never waits for another program's long write (an import)."""
        with translate_errors(self.path):
            version = migrations.check_version(self.db, self.path, read_only=self.read_only)
            if self.read_only:
                return
            if version == 0:  # a new file (check_version refused one with tables)
                database.set_new_page_size(self.db, self.path)
            database.use_wal(self.db, self.path)
            if version < migrations.latest_version():
                # A new file's tables are made, not updated: nothing to follow.
                migrations.migrate(self.db, on_update if version > 0 else None)

    def close(self) -> None:
        if self.db.is_closed():
            return
        if not self.read_only:
            # Keeps the planner's statistics fresh; only an optimisation, so a busy or full
            # disk must not turn closing into an error.
            with contextlib.suppress(peewee.DatabaseError):
                self.db.execute_sql("PRAGMA optimize")
        self.db.close()
        self._counted.close()

    # --- transactions -------------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[peewee.Database]:
        """One transaction: all or nothing; nested use is a savepoint. Refused on a read-only
        library and on one found damaged (writing on could spread the damage). The write
        lock is taken at the start (waiting up to 5 s for another writer), so a change
        never fails half-way for it."""
        self._refuse_if_read_only()
        damage = database.damage_of(self.path)
        if damage is not None:
            raise DamageFoundError(
                f"{self.path} is damaged (SQLite says: {damage}): changes are not saved to it."
            )
        with self._transaction():
            yield self.db

    @contextlib.contextmanager
    def bulk_writing(self) -> Iterator[peewee.Database]:
        """``writing`` for a large import (store/bulk_load.py): the indexes that take new rows
        at random places are made once at the end, sorting in temporary files rather than in
        memory (a million rows' keys)."""
        if self._writing:  # inside a transaction already: its settings cannot change
            with self.writing() as db:
                yield db
            return
        pragmas = database.bulk_pragmas(self.db, self.path)
        with pragmas, self.writing() as db, bulk_load.deferred(db):
            yield db

    @contextlib.contextmanager
    def repairing(self) -> Iterator[peewee.Database]:
        """A transaction of ``refman check``'s repairs: allowed on a library found damaged."""
        self._refuse_if_read_only()
        with self._transaction():
            yield self.db

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._writing += 1
        try:
            with translate_errors(self.path), _first_error_kept(), self.db.atomic():
                yield
        finally:
            self._writing -= 1
            # Committed or rolled back, the library may differ from what was read before.
            self._transactions_ended += 1

    @contextlib.contextmanager
    def reading(self) -> Iterator[peewee.Database]:
        """One consistent state of the library for every statement inside (a deferred read
        transaction: it takes no lock another program waits for). Without it, a read made
        of several statements can see another program's commit land between two of them: a
        tag listed without its id, an item found and then gone. Inside a transaction already
        open, it adds nothing. Never write inside it: a snapshot older than another
        program's commit cannot be turned into a write."""
        if self.db.transaction_depth() > 0:
            with translate_errors(self.path):
                yield self.db
            return
        with translate_errors(self.path), self.db.atomic(lock_type="DEFERRED"):
            yield self.db

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise LibraryError(f"{self.path} is open read-only: changes cannot be saved.")

    # --- what queries keep between calls --------------------------------------------------------

    def change_stamp(self) -> tuple[int, int] | None:
        """What moves whenever the library may have changed: the transactions ended here, and
        SQLite's ``data_version``, which other programs' commits move. None inside a write
        transaction: what it reads may yet be rolled back, so nothing read there is kept."""
        if self._writing:
            return None
        data_version = self.db.execute_sql("PRAGMA data_version").fetchone()[0]
        return (self._transactions_ended, data_version)

    def store_tag_listing(self) -> None:
        """Keep the tag listing the last read sorted in the file, for the next process to read
        instead of sorting every name (store/tags.py). Only a cache: not on a read-only or
        damaged library, never waiting for another program's write, and not counted as a
        change (it changes nothing any read here keeps)."""
        listing = self.tag_listings.unstored()
        if listing is None or self.read_only or self._writing:
            return
        if database.damage_of(self.path) is not None:
            return
        self.db.execute_sql("PRAGMA busy_timeout = 0")
        try:
            with contextlib.suppress(peewee.DatabaseError), self.db.atomic():
                tags.store_listing(self.db, listing)
        finally:
            self.db.execute_sql(f"PRAGMA busy_timeout = {database.BUSY_TIMEOUT_S * 1000:d}")

    def keep_tag_listing(self) -> None:
        """Sort the tags and keep the listing in the file now, as the first tag list would:
        after a bulk import, whose many new tags the next tag list (in this process or
        another) would otherwise sort again. Sorted in temporary files with a small cache, so
        that it adds little to the import's peak memory; only a cache, so a failure to read
        or keep it is left for that tag list to meet."""
        if self.read_only or self._writing:
            return
        with contextlib.suppress(LibraryError), database.sorting_in_files(self.db, self.path):
            with self.reading() as db:
                self.tag_listings.current(db)
            self.store_tag_listing()  # its pages written through the small cache too

    def view_orders(self) -> search.ViewOrders | None:
        """The kept view orders, emptied first if the library may have changed since.

        Changes made here end a transaction (counted by ``_transaction``); changes committed
        by other programs move SQLite's ``data_version``. Inside a write transaction nothing
        is kept: what it reads may yet be rolled back.
        """
        stamp = self.change_stamp()
        if stamp is None:
            return None
        if stamp != self._orders_stamp:
            self._orders.clear()
            self._orders_stamp = stamp
        return self._orders


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


def steps_pending(path: Path) -> int:
    """How many schema steps opening the library at ``path`` would run: 0 for a missing or
    new file, an up-to-date library, and a file refman will refuse (opening it says why).

    Read through SQLite, read-only, so that the window can show an update's progress before
    it opens the library for good.
    """
    if not path.exists():
        return 0
    with database.counted(path):
        try:
            db = open_database(path, read_only=True)
        except LibraryError:
            return 0
        try:
            with translate_errors(path):  # refuses another program's database, a newer library
                version = migrations.check_version(db, path, read_only=False)
        except LibraryError:
            return 0
        finally:
            db.close()
    return max(migrations.latest_version() - version, 0) if version > 0 else 0
