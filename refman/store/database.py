"""Opening the SQLite file, its pragmas, and SQLite errors told in plain words.

Every connection gets foreign keys, a 5 s busy timeout and ``synchronous=NORMAL`` (safe with
WAL: a power cut may lose the last commits, never corrupt the file). WAL is set once on the
file and stays. A read-only store opens the file with a ``mode=ro`` URI, so that SQLite itself
refuses writes, and sets ``query_only`` as a second guard.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import peewee

from refman.model import LibraryError

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


def open_database(path: Path, *, read_only: bool) -> peewee.SqliteDatabase:
    """A connected database for the library file (created when missing, unless read-only)."""
    pragmas = dict(_PRAGMAS)
    if read_only:
        if not path.exists():
            raise LibraryError(f"{path} does not exist.")
        pragmas["query_only"] = 1
        target, params = f"{path.resolve().as_uri()}?mode=ro", {"uri": True}
    else:
        target, params = str(path), {}
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


def plain_message(exc: peewee.DatabaseError, path: Path) -> str | None:
    text = str(exc)
    for fragment, message in _MESSAGES.items():
        if fragment in text:
            return message.format(path=path)
    return None


@contextlib.contextmanager
def translate_errors(path: Path) -> Iterator[None]:
    """Turn SQLite errors the user can act on into LibraryError; let bugs through."""
    try:
        yield
    except peewee.IntegrityError:
        raise
    except peewee.DatabaseError as exc:
        message = plain_message(exc, path)
        if message is None:
            raise
        raise LibraryError(message) from exc
