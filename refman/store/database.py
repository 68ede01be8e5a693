"""Opening the SQLite file, its pragmas, and SQLite errors told in plain words.

Every connection gets foreign keys, a 5 s busy timeout and ``synchronous=NORMAL`` (safe with
WAL: a power cut may lose the last commits, never corrupt the file). WAL is set once on the
file and stays. A read-only store opens the file with a ``mode=ro`` URI, so that SQLite itself
refuses writes, and sets ``query_only`` as a second guard.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import peewee

from refman.model import DiskFullError, LibraryError

BUSY_TIMEOUT_S = 5
_PRAGMAS = {
    "foreign_keys": 1,
    "synchronous": "NORMAL",
    "cache_size": -64_000,  # KiB: enough for the sort indexes of a 100k-item library
    "temp_store": "MEMORY",
    # PRAGMA optimize (run at close) samples this many rows per index instead of reading
    # whole indexes: a close stays instant on a large library.
    "analysis_limit": 1000,
}

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
_CLASSES: dict[str, type[LibraryError]] = {"disk is full": DiskFullError}


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


def _open(path: Path, target: str, params: dict) -> peewee.SqliteDatabase:
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
    with translate_errors(path):
        db.connect()
        if not read_only:
            db.execute_sql("PRAGMA journal_mode = WAL")
    return db


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
        error = _CLASSES.get(fragment, LibraryError)
        raise error(_MESSAGES[fragment].format(path=path)) from exc
