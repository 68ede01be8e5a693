"""Opening the SQLite file, its pragmas, SQLite errors told in plain words, and the one rule.

**The rule: a library file is touched through SQLite only.** While this process holds a
connection to a library, nothing in it may open the library file, its ``-wal`` or ``-shm``
file by any other means (``open``, ``shutil.copy``, ``os.replace`` over it, ...). On POSIX,
closing *any* descriptor of a file drops every lock the process holds on it; the next program
then believes it is alone, checkpoints and deletes the ``-wal`` file that this process still
writes to, and the library is damaged (item 2.2 of SQLite's "How To Corrupt An SQLite Database
File"). Checks go through SQLite (``PRAGMA quick_check`` on a connection of their own),
copies through its backup API. Every connection this package makes is counted here
(``counted``); the few operations that must handle the bytes themselves (keeping a copy of a
file SQLite cannot read at all) run inside ``outside_sqlite``, which refuses when a connection
to that file is open in this process.

**Damage seen at any time stops the writing.** When SQLite answers "malformed" (or "not a
database") for an open library, the file is recorded as damaged for the whole process
(``report_damage``): every store on it refuses changes from then on, and the listeners (the
window) are told so that they can offer the latest backup.

Every connection gets foreign keys, a 5 s busy timeout and ``synchronous=NORMAL`` (safe with
WAL: a power cut may lose the last commits, never corrupt the file). WAL is set once on the
file and stays. A read-only store opens the file with a ``mode=ro`` URI, so that SQLite itself
refuses writes, and sets ``query_only`` as a second guard.
"""

from __future__ import annotations

import collections
import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import peewee

from refman.model import BusyError, DamageFoundError, DiskFullError, LibraryError
from refman.store import mapping

BUSY_TIMEOUT_S = 5
TEMP_STORE = "MEMORY"  # sorts and temporary tables in memory (migrations use files)
CACHE_KIB = 64_000  # enough for the sort indexes of a 100k-item library
CASEFOLD_FUNCTION = "refman_casefold"  # Python's str.casefold, for SQL (see _open)
_PRAGMAS = {
    "foreign_keys": 1,
    "synchronous": "NORMAL",
    "cache_size": -CACHE_KIB,
    "temp_store": TEMP_STORE,
    # PRAGMA optimize (run at close) samples this many rows per index instead of reading
    # whole indexes: a close stays instant on a large library.
    "analysis_limit": 1000,
}

# The page cache while a bulk import (store/bulk_load.py) makes its indexes again, in KiB.
# SQLite's sorter holds up to the cache's size in memory before it writes a sorted run to a
# temporary file, on top of the cache's own pages: with a 128 MB cache a bulk import of a
# 100 MB EndNote file went past its 200 MB bound (215 MB). A scan and a sort need few pages.
SORT_CACHE_KIB = 16_000

# SQLite's message (a part of it) → what the user is told; "{path}" is the library file.
_MESSAGES: dict[str, str] = {
    "file is not a database": "{path} is not a refman library: it is not a SQLite database.",
    "malformed": "{path} is damaged (SQLite says: database disk image is malformed).",
    "database is locked": "{path} is busy: another program is writing to it. Try again.",
    "readonly database": "{path} cannot be written: the file or its folder is read-only.",
    "unable to open database file": "{path} cannot be opened: missing folder or no permission.",
    "disk is full": "The disk holding {path} is full.",
    "disk I/O error": "{path} could not be read or written (disk I/O error).",
}
# The error class of a message above, where the caller needs more than LibraryError.
_CLASSES: dict[str, type[LibraryError]] = {
    "database is locked": BusyError,
    "disk is full": DiskFullError,
    "malformed": DamageFoundError,
}
# What SQLite says of a file it finds damaged once it is open.
DAMAGE_FRAGMENTS = ("malformed",)


# --- the rule: SQLite only -------------------------------------------------------------------

_connections: collections.Counter[str] = collections.Counter()
_connections_lock = threading.RLock()


def file_key(path: str | os.PathLike[str]) -> str:
    """One name per file, however the user spelled it (symbolic links and ``..`` resolved)."""
    return os.path.realpath(path)


@contextlib.contextmanager
def counted(path: Path) -> Iterator[None]:
    """Count a connection to ``path`` as open for as long as the block runs."""
    key = file_key(path)
    with _connections_lock:
        _connections[key] += 1
    try:
        yield
    finally:
        with _connections_lock:
            _connections[key] -= 1
            if _connections[key] <= 0:
                del _connections[key]


def open_connections(path: Path) -> int:
    """How many connections to ``path`` this process holds now."""
    with _connections_lock:
        return _connections.get(file_key(path), 0)


@contextlib.contextmanager
def outside_sqlite(path: Path) -> Iterator[None]:
    """Handle the bytes of ``path`` (or its -wal/-shm) by other means than SQLite.

    Allowed only while this process holds no connection to it (see the rule above); no new
    connection can open in this process until the block ends. A violation is a bug in refman,
    not something the user can act on, so it is a RuntimeError.
    """
    with _connections_lock:
        if _connections.get(file_key(path), 0):
            raise RuntimeError(
                f"refman bug: {path} is open through SQLite in this process; touching its "
                "bytes by other means would drop SQLite's locks on it"
            )
        yield


# --- damage seen while open -----------------------------------------------------------------

_damage: dict[str, str] = {}  # file key -> what SQLite said
_damage_listeners: list[Callable[[Path, str], None]] = []


def report_damage(path: Path, problem: str) -> None:
    """Record that SQLite found ``path`` damaged; tell the listeners the first time."""
    key = file_key(path)
    with _connections_lock:
        first = key not in _damage
        _damage.setdefault(key, problem)
    if first:
        for listener in list(_damage_listeners):
            listener(path, problem)


def damage_of(path: Path) -> str | None:
    """What SQLite said when it found ``path`` damaged in this process, or None."""
    return _damage.get(file_key(path))


def forget_damage(path: Path) -> None:
    """After a restore or a repair the file is another one."""
    _damage.pop(file_key(path), None)


def add_damage_listener(listener: Callable[[Path, str], None]) -> Callable[[], None]:
    """Call ``listener(path, problem)`` when damage is first found; returns the remover."""
    _damage_listeners.append(listener)
    return lambda: _damage_listeners.remove(listener) if listener in _damage_listeners else None


def open_database(path: Path, *, read_only: bool) -> peewee.SqliteDatabase:
    """A connected database for the library file (created when missing, unless read-only)."""
    if not read_only:
        return _open(path, str(path), {})
    if not path.exists():
        raise LibraryError(f"{path} does not exist.")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        return _open(path, uri, {"uri": True})
    except LibraryError as exc:
        if "unable to open" not in str(exc.__cause__):
            raise
    # On a read-only disk SQLite cannot create the -shm file that reading a WAL file needs;
    # a file that nobody can change there is read without it (``immutable``). A WAL file left
    # beside it by a program that did not close the library is then not read.
    return _open(path, uri + "&immutable=1", {"uri": True})


def _open(path: Path, target: str, params: dict[str, Any]) -> peewee.SqliteDatabase:
    read_only = "mode=ro" in target
    pragmas = dict(_PRAGMAS, query_only=1) if read_only else dict(_PRAGMAS)
    db = peewee.SqliteDatabase(
        target,
        pragmas=pragmas,
        timeout=BUSY_TIMEOUT_S,
        # Writers take the lock at BEGIN: a deferred transaction that later needs to write
        # can fail with "database is locked" at once, whatever the busy timeout.
        lock_type=None if read_only else "IMMEDIATE",
        **params,
    )
    # The view the full-text index reads (store/fts.py) unpacks abstracts with it: every
    # connection that may change an item's words needs it.
    db.register_function(mapping.unpack_abstract, mapping.ABSTRACT_FUNCTION, 1, deterministic=True)
    # The tag list sorts by it in SQL (store/tags.py): names outside ASCII, as Python folds them.
    db.register_function(str.casefold, CASEFOLD_FUNCTION, 1, deterministic=True)
    with translate_errors(path):
        db.connect()
    return db


@contextlib.contextmanager
def bulk_pragmas(db: peewee.SqliteDatabase, path: Path) -> Iterator[None]:
    """Sorts in temporary files for the block, set before its transaction begins (SQLite
    refuses to change ``temp_store`` inside one); the usual cache again after it."""
    with translate_errors(path):
        db.execute_sql("PRAGMA temp_store = FILE")
    try:
        yield
    finally:  # only settings: a failure here must not hide the block's own error
        with contextlib.suppress(peewee.DatabaseError, sqlite3.DatabaseError):
            db.execute_sql(f"PRAGMA temp_store = {TEMP_STORE}")
            db.execute_sql(f"PRAGMA cache_size = {-CACHE_KIB:d}")


@contextlib.contextmanager
def sorting_in_files(db: peewee.SqliteDatabase, path: Path) -> Iterator[None]:
    """A large sort in the block made in temporary files with the small cache (SORT_CACHE_KIB):
    SQLite's sorter holds at most the cache's size in memory. Outside a transaction only."""
    with bulk_pragmas(db, path):
        with translate_errors(path):
            db.execute_sql(f"PRAGMA cache_size = {-SORT_CACHE_KIB:d}")
        yield


# The page size of a new library. SQLite's 4 KiB page holds two compressed source records
# (about 1.7 kB each) and leaves a fifth of it empty. At 20,000 items, 8 KiB pages make the
# file 4 per cent smaller and 16 KiB pages 6 per cent, but with the same cache (in bytes) the
# import's peak memory grew by 60 MB and 100 MB, which took a 100 MB EndNote import past its
# tested 200 MB bound: 4 KiB stays (issue 18). Fixed once the file holds data: an existing
# library keeps the size it was made with.
PAGE_SIZE = 4_096


def set_new_page_size(db: peewee.SqliteDatabase, path: Path) -> None:
    """Give a file that holds nothing yet PAGE_SIZE; called before WAL, which fixes it."""
    with translate_errors(path):
        db.execute_sql(f"PRAGMA page_size = {PAGE_SIZE:d}")


def use_wal(db: peewee.SqliteDatabase, path: Path) -> None:
    """Switch the file to WAL (it stays so): readers never wait for a writer. Called only once
    the file is known to be a refman library: another program's database is left as it was."""
    with translate_errors(path):
        db.execute_sql("PRAGMA journal_mode = WAL")


def _fragment(exc: Exception) -> str | None:
    text = str(exc)
    return next((fragment for fragment in _MESSAGES if fragment in text), None)


def plain_message(exc: Exception, path: Path) -> str | None:
    fragment = _fragment(exc)
    return None if fragment is None else _MESSAGES[fragment].format(path=path)


@contextlib.contextmanager
def translate_errors(path: Path) -> Iterator[None]:
    """Turn SQLite errors the user can act on into LibraryError (DiskFullError for a full
    disk); let bugs through. Errors come from peewee, or from sqlite3 itself where the store
    uses the connection directly (bulk inserts, backups)."""
    try:
        yield
    except (peewee.IntegrityError, sqlite3.IntegrityError):
        raise
    except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:
        fragment = _fragment(exc)
        if fragment is None:
            raise
        if fragment in DAMAGE_FRAGMENTS:
            report_damage(path, str(exc))
        error = _CLASSES.get(fragment, LibraryError)
        raise error(_MESSAGES[fragment].format(path=path)) from exc
