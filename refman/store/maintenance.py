"""Backups, restores and checks of a library file, with SQLite's own tools.

A backup goes through SQLite's online backup API (``sqlite3.Connection.backup``): it copies the
pages of one consistent state of the file while the window and the command line go on reading
and writing it. Copying the file itself could catch a transaction half-way, and would miss the
commits still in the ``-wal`` file. The copy is written under a temporary name and renamed when
complete, so that a backup file is never a partial one, and it is switched from WAL to a
rollback journal: one self-contained file that opens read-only anywhere.

A restore writes the backup's pages into the library through the same API and a connection on
the library: one transaction, which other programs with the library open see whole, never
half-done. Only when the library is too damaged for SQLite to open is the file replaced.

Checks: ``quick_check`` reads every page and checks the b-trees but does not compare the
indexes with their tables; ``integrity_check`` does that too and is several times slower.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from refman.model import LibraryError
from refman.store.database import BUSY_TIMEOUT_S, translate_errors

# Pages copied per backup step (4 KiB each): 64 MiB between two looks at ``cancelled``.
STEP_PAGES = 16_384
PARTIAL_SUFFIX = ".partial"
SQLITE_HEADER = b"SQLite format 3\x00"
# What SQLite says when a file is too damaged to be written through it.
_UNUSABLE = ("file is not a database", "malformed")
# The companion files of a library in WAL mode.
WAL_SUFFIXES = ("-wal", "-shm")


class _Stop(Exception):
    """Raised from the backup's progress callback: SQLite stops the copy."""


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + ("?mode=ro" if read_only else "")
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)


@contextlib.contextmanager
def _connection(path: Path, *, read_only: bool) -> Iterator[sqlite3.Connection]:
    conn = _connect(path, read_only=read_only)
    try:
        yield conn
    finally:
        conn.close()


def is_sqlite_file(path: Path) -> bool:
    """True when the file starts as every SQLite database does."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


# --- backup -----------------------------------------------------------------------------------


def copy_database(source: Path, target: Path, cancelled: Callable[[], bool] | None = None) -> bool:
    """Write a consistent copy of ``source`` to ``target``; False when ``cancelled`` said stop.

    ``target`` appears only when the copy is complete (and on disk).
    """
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    partial.unlink(missing_ok=True)

    def progress(_status: int, _remaining: int, _total: int) -> None:
        if cancelled and cancelled():
            raise _Stop

    try:
        with (
            translate_errors(source),
            _connection(source, read_only=True) as src,
            _connection(partial, read_only=False) as dst,
        ):
            src.backup(dst, pages=STEP_PAGES, progress=progress)
            dst.execute("PRAGMA journal_mode = DELETE")
    except _Stop:
        partial.unlink(missing_ok=True)
        return False
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _sync(partial)
    os.replace(partial, target)
    _sync(target.parent)
    return True


def copy_files(source: Path, target: Path) -> None:
    """A byte copy of a library SQLite cannot read, with its ``-wal`` file (kept as evidence)."""
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + "-wal"))


def _sync(path: Path) -> None:
    """Flush a file (or a folder's entries) to the disk; a folder may refuse on some systems."""
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() and hasattr(os, "O_DIRECTORY") else 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- restore ----------------------------------------------------------------------------------


def restore_database(backup: Path, target: Path) -> None:
    """Make ``target`` hold what ``backup`` holds (the caller has checked the backup)."""
    try:
        with (
            translate_errors(target),
            _connection(backup, read_only=True) as src,
            _connection(target, read_only=False) as dst,
        ):
            src.backup(dst)  # one step: one write transaction on the library
            dst.execute("PRAGMA journal_mode = WAL")
    except LibraryError as exc:
        if not any(text in str(exc.__cause__) for text in _UNUSABLE):
            raise
        _replace_file(backup, target)


def _replace_file(backup: Path, target: Path) -> None:
    """Put a copy of ``backup`` in place of a library SQLite cannot open at all."""
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    shutil.copyfile(backup, partial)
    _sync(partial)
    for suffix in WAL_SUFFIXES:  # they belong to the damaged file, not to the backup
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(partial, target)
    _sync(target.parent)


# --- checks -----------------------------------------------------------------------------------


def check_file(path: Path, *, full: bool) -> list[str]:
    """What SQLite finds wrong in the file (``integrity_check`` when ``full``, else
    ``quick_check``); empty when it is sound."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        with _connection(path, read_only=True) as conn:
            found = [row[0] for row in conn.execute(f"PRAGMA {pragma}")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if found == ["ok"] else found


def has_items(path: Path) -> bool:
    """True when the library file holds at least one item (trashed or not)."""
    try:
        with _connection(path, read_only=True) as conn:
            return conn.execute("SELECT EXISTS (SELECT 1 FROM item)").fetchone()[0] == 1
    except sqlite3.DatabaseError:
        return False
