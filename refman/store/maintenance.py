"""Backups, restores and checks of a library file, with SQLite's own tools.

Everything here reads and writes library files through SQLite connections of its own, never
with plain file calls, because this process may hold the library open in the window at the
same time (the rule in ``store/database.py``: closing any other descriptor of the file would
drop SQLite's locks). The two exceptions, for a file SQLite cannot open at all, run inside
``database.outside_sqlite``.

A backup goes through SQLite's online backup API (``sqlite3.Connection.backup``): it copies the
pages of one consistent state of the file while the window and the command line go on reading
and writing it. Copying the file itself could catch a transaction half-way, and would miss the
commits still in the ``-wal`` file. The copy is written under a temporary name of its own
(two backups at once never share one) with no journal, fsynced, and renamed when complete, so
that a backup file is never a partial one; it is switched from WAL to a rollback journal: one
self-contained file that opens read-only anywhere.

A restore writes the backup's pages into the library through the same API and a connection on
the library: one transaction, which other programs with the library open see whole, never
half-done. The first step of that copy takes the library's write lock and holds it to the
end; only then is the library as it was saved (``save_current``), so that nothing another
program commits in between can be in neither file. Only when the library is too damaged for
SQLite to open is the file replaced.

Checks: ``quick_check`` reads every page and checks the b-trees but does not compare the
indexes with their tables; ``integrity_check`` does that too and is several times slower.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from peewee import Database

from refman.files import sync
from refman.model import DamageFoundError, DiskFullError, LibraryError
from refman.store import migrations
from refman.store.database import BUSY_TIMEOUT_S, counted, outside_sqlite, plain_message

# Pages copied per backup step (4 KiB each): 64 MiB between two looks at ``cancelled``.
STEP_PAGES = 16_384
PARTIAL_SUFFIX = ".partial"
# What SQLite says when a file is too damaged to be written through it.
_UNUSABLE = ("file is not a database", "malformed")
# The companion files of a library in WAL mode.
WAL_SUFFIXES = ("-wal", "-shm")
# Result codes the backup API reports to its progress callback.
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_DONE = 5, 6, 101


class _Stop(Exception):
    """Raised from the backup's progress callback: SQLite stops the copy."""


@contextlib.contextmanager
def _connection(path: Path, *, read_only: bool) -> Iterator[sqlite3.Connection]:
    """A connection of its own on ``path``, counted while open (see store/database.py)."""
    uri = path.resolve().as_uri() + ("?mode=ro" if read_only else "")
    with counted(path):
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()


def companions(path: Path) -> list[Path]:
    """The ``-wal`` and ``-shm`` files that belong to a library file."""
    return [path.with_name(path.name + suffix) for suffix in WAL_SUFFIXES]


def partial_path(target: Path) -> Path:
    """A temporary name beside ``target`` that no other backup in progress can have."""
    return target.with_name(f"{target.name}.{uuid.uuid4().hex[:12]}{PARTIAL_SUFFIX}")


def remove_partial(partial: Path) -> None:
    """A partial copy and the journal SQLite may have left beside it."""
    for path in (partial, partial.with_name(partial.name + "-journal")):
        with contextlib.suppress(OSError):
            path.unlink()


# --- backup -----------------------------------------------------------------------------------


def copy_database(source: Path, target: Path, cancelled: Callable[[], bool] | None = None) -> bool:
    """Write a consistent copy of ``source`` to ``target``; False when ``cancelled`` said stop.

    ``target`` appears only when the copy is complete (and on disk). Errors name the file
    they concern: a full disk is the target's, a damaged file the source's.
    """
    partial = partial_path(target)

    def progress(_status: int, _remaining: int, _total: int) -> None:
        if cancelled and cancelled():
            raise _Stop

    try:
        with (
            _connection(source, read_only=True) as src,
            _connection(partial, read_only=False) as dst,
        ):
            # No journal while copying: the copy is thrown away if anything fails, and a
            # journal would only be one more file to leave behind on a full disk.
            dst.execute("PRAGMA journal_mode = OFF")
            src.backup(dst, pages=STEP_PAGES, progress=progress)
            dst.execute("PRAGMA journal_mode = DELETE")
        sync(partial)  # its connection is closed: no lock of ours to drop
        os.replace(partial, target)
    except _Stop:
        remove_partial(partial)
        return False
    except sqlite3.DatabaseError as exc:
        remove_partial(partial)
        raise _copy_error(exc, source, target) from exc
    except BaseException:
        remove_partial(partial)
        raise
    sync(target.parent)
    return True


def _copy_error(exc: sqlite3.DatabaseError, source: Path, target: Path) -> Exception:
    """The error of a failed copy in plain words, naming the file it concerns."""
    text = str(exc)
    if "disk is full" in text:
        return DiskFullError(f"The disk holding {target} is full: no backup was written.")
    if any(fragment in text for fragment in _UNUSABLE):
        return DamageFoundError(plain_message(exc, source) or f"{source} is damaged: {text}")
    if "locked" in text:
        return LibraryError(plain_message(exc, source) or text)
    message = plain_message(exc, target)
    return LibraryError(f"Cannot write {target}: {message or text}")


def copy_files(source: Path, target: Path) -> None:
    """A byte copy of a library SQLite cannot read, with its ``-wal`` file (kept as evidence).

    This process may hold the library open through SQLite (a restore holds its write lock
    while it saves the library as it was), so on POSIX the bytes are copied by a child
    process: POSIX locks belong to a process and a child inherits none, so the child opening
    and closing the file cannot drop ours. Windows' locks belong to a handle, so there the
    copy is made here.
    """
    partial = partial_path(target)
    try:
        _copy_bytes(source, partial)
        sync(partial)
        os.replace(partial, target)
    except BaseException:
        remove_partial(partial)
        raise
    wal = source.with_name(source.name + "-wal")
    if wal.exists():
        _copy_bytes(wal, target.with_name(target.name + "-wal"))


def _copy_bytes(source: Path, target: Path) -> None:
    if os.name == "nt":
        shutil.copyfile(source, target)
        return
    done = subprocess.run(["cp", "--", str(source), str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        full = "No space left" in done.stderr
        raise OSError(errno.ENOSPC if full else errno.EIO, done.stderr.strip() or "cp failed")


# --- restore ----------------------------------------------------------------------------------


def restore_database(
    backup: Path,
    target: Path,
    *,
    save_current: Callable[[], None],
    waiting: Callable[[float], None] | None = None,
) -> None:
    """Make ``target`` hold what ``backup`` holds (the caller has checked the backup).

    ``save_current()`` runs once the library's write lock is held and before anything in it
    changes; an exception from it stops the restore with the library untouched.
    ``waiting(seconds)`` is called while another program holds the write lock.
    """
    saved: list[bool] = []  # one element once save_current has run

    def save_once() -> None:
        if not saved:
            save_current()
            saved.append(True)

    try:
        _restore_pages(backup, target, save_once, waiting)
    except sqlite3.DatabaseError as exc:
        if not any(text in str(exc) for text in _UNUSABLE):
            message = plain_message(exc, target)
            if message is None:
                raise
            error = DiskFullError if "disk is full" in str(exc) else LibraryError
            raise error(f"{message} Nothing was restored.") from exc
        save_once()
        _replace_file(backup, target)


def _restore_pages(
    backup: Path,
    target: Path,
    save_once: Callable[[], None],
    waiting: Callable[[float], None] | None,
) -> None:
    started = time.monotonic()
    steps = 0

    def progress(status: int, _remaining: int, _total: int) -> None:
        nonlocal steps
        if status in (_SQLITE_BUSY, _SQLITE_LOCKED):
            if waiting:
                waiting(time.monotonic() - started)
            return
        steps += 1
        if steps == 1:
            # The first step has taken the write lock (held until the copy commits) and
            # changed nothing another connection can see: save the library as it is now.
            if status == _SQLITE_DONE:  # a one-page file: the caller refuses those
                raise RuntimeError("the backup was copied in one step before it could be saved")
            save_once()

    with (
        _connection(backup, read_only=True) as src,
        _connection(target, read_only=False) as dst,
    ):
        # One page a step, so that the first step cannot finish the copy before the library
        # was saved; the source stays in one read transaction so each step costs little.
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()
        src.backup(dst, pages=1, progress=progress, sleep=0.1)
        src.execute("COMMIT")
        dst.execute("PRAGMA journal_mode = WAL")


def _replace_file(backup: Path, target: Path) -> None:
    """Put a copy of ``backup`` in place of a library SQLite cannot open at all."""
    with outside_sqlite(target):
        partial = partial_path(target)
        try:
            shutil.copyfile(backup, partial)
            sync(partial)
        except BaseException:
            remove_partial(partial)
            raise
        for companion in companions(target):  # they belong to the damaged file
            companion.unlink(missing_ok=True)
        os.replace(partial, target)
    sync(target.parent)


# --- checks -----------------------------------------------------------------------------------


def integrity_problems(db: Database) -> list[str]:
    """SQLite's full check and the foreign keys, on an open library (a peewee database);
    empty when the file is sound."""
    found = [row[0] for row in db.execute_sql("PRAGMA integrity_check")]
    problems = [] if found == ["ok"] else found
    for table, rowid, parent, _ in db.execute_sql("PRAGMA foreign_key_check"):
        problems.append(f"{table} row {rowid} points to a missing {parent}")
    return problems


def reindex(db: Database) -> None:
    """Build every index anew from its table: heals an index that disagrees with it."""
    db.execute_sql("REINDEX")


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


def refman_version(path: Path) -> int | None:
    """The schema version of a refman library file; None when it is not one (or unreadable)."""
    try:
        with _connection(path, read_only=True) as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError:
        return None
    return version if version > 0 and names >= migrations.REFMAN_TABLES else None


def has_items(path: Path) -> bool:
    """True when the library file holds at least one item (trashed or not)."""
    try:
        with _connection(path, read_only=True) as conn:
            return conn.execute("SELECT EXISTS (SELECT 1 FROM item)").fetchone()[0] == 1
    except sqlite3.DatabaseError:
        return False
