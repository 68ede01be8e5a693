"""Backups of a library: where they live, when they are made, how many are kept, restoring one.

Backups live in a ``backups`` folder beside the library file, named after it and the local time
they were taken: ``backups/library-2024-06-11T103000.sqlite``. Beside the library rather than in
the user data folder because they then go where the library goes: a library kept on a USB stick
or in a synced folder carries its backups along, two libraries never mix theirs, and "where are
my backups?" has an answer one look away. (The default library is in the user data folder
anyway, and so are its backups.) The cost: a backup shares the library's disk, so it protects
against damage to the file and against mistakes, not against losing the disk.

A regular backup is made at most once a day (``backup_if_due``), by the command line before a
command that changes the library, and by the window in a thread after it has appeared; and
whenever the user asks (``refman backup``). The daily backup comes after SQLite's quick check of
the library, so that a damaged library is found within a day and never copied over a good
backup. The newest ``KEEP_BACKUPS`` are kept. A restore, or a repair by ``refman check``, first
saves the library as it is in a copy labelled ``before-restore`` or ``before-repair``; those are
kept apart (the newest ``KEEP_BACKUPS`` of them), so that restoring several times does not push
the regular backups out.

The check is SQLite's ``quick_check``: it reads every page and checks every b-tree, but skips
comparing each index with its table, which ``refman check`` does (``integrity_check``, three
times slower). Reading every page takes about 2 s for a 100,000-item library (1 GB; the backup
itself 4 s), so it runs on opening (``verify``, once per file and process) only for libraries
under ``VERIFY_ON_OPEN_BYTES`` (about a tenth of a second); larger ones are checked with the
daily backup, which the window runs after it has appeared. A library that fails it is not
opened for writing: ``DamagedLibraryError`` names the latest good backup and the command that
restores it.

``can_write`` tells a library on a read-only disk or in a read-only folder, which the library
then opens read-only. It asks the system (``os.access``): a read-only file system says no even
to root; file permissions do not stop root, so for root only a read-only medium is read-only.

Nothing here knows SQL: the copies and checks themselves are in ``refman.store.maintenance``.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from refman.model import LibraryError
from refman.store import maintenance

BACKUP_FOLDER = "backups"
VERIFY_ON_OPEN_BYTES = 64 * 2**20
KEEP_BACKUPS = 5
BACKUP_INTERVAL = timedelta(hours=24)
BEFORE_RESTORE = "before-restore"
BEFORE_REPAIR = "before-repair"
SUFFIX = ".sqlite"
_STAMP = "%Y-%m-%dT%H%M%S"


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: datetime  # local time, from the name
    label: str = ""  # "" for a regular backup, else BEFORE_RESTORE or BEFORE_REPAIR

    @property
    def regular(self) -> bool:
        return not self.label

    def describe(self) -> str:
        return f"{self.path} (taken {self.taken:%Y-%m-%d %H:%M})"


def backup_folder(library: Path) -> Path:
    return library.parent / BACKUP_FOLDER


def _name_pattern(library: Path) -> re.Pattern[str]:
    stem = re.escape(library.stem)
    return re.compile(rf"{stem}-(\d{{4}}-\d\d-\d\dT\d{{6}})(?:-([a-z-]+))?{re.escape(SUFFIX)}")


def backup_path(library: Path, when: datetime, label: str = "") -> Path:
    """A new backup's path; a second later when one was already taken in that second."""
    while True:
        name = f"{library.stem}-{when.strftime(_STAMP)}" + (f"-{label}" if label else "")
        path = backup_folder(library) / (name + SUFFIX)
        if not path.exists():
            return path
        when += timedelta(seconds=1)


def list_backups(library: Path) -> list[Backup]:
    """The backups of ``library`` in its backups folder, newest first."""
    pattern = _name_pattern(library)
    found = []
    try:
        entries = list(backup_folder(library).iterdir())
    except OSError:
        return []
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match:
            taken = datetime.strptime(match.group(1), _STAMP)
            found.append(Backup(entry, taken, match.group(2) or ""))
    return sorted(found, key=lambda b: (b.taken, b.path.name), reverse=True)


def latest_good_backup(library: Path) -> Backup | None:
    """The newest regular backup that SQLite finds sound (quick_check), or None."""
    for backup in list_backups(library):
        if backup.regular and not maintenance.check_file(backup.path, full=False):
            return backup
    return None


# --- making backups ---------------------------------------------------------------------------


def make_backup(
    library: Path,
    *,
    label: str = "",
    output: Path | None = None,
    now: datetime | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Path | None:
    """Copy the library to ``output`` or into its backups folder; the copy's path.

    None when ``cancelled`` stopped it. Backups in the folder beyond the newest
    ``KEEP_BACKUPS`` of their kind are removed.
    """
    if not library.exists():
        raise LibraryError(f"There is no library at {library} to back up.")
    target = output or backup_path(library, now or datetime.now(), label)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if not maintenance.copy_database(library, target, cancelled):
            return None
    except OSError as exc:
        raise LibraryError(f"Cannot write the backup {target}: {exc.strerror}") from None
    if output is None:
        prune(library)
    return target


def backup_due(library: Path, now: datetime | None = None) -> bool:
    """True when the newest regular backup is a day old, or there is none (and the library
    holds items: an empty one has nothing worth keeping)."""
    newest = next((b for b in list_backups(library) if b.regular), None)
    if newest is not None and (now or datetime.now()) - newest.taken < BACKUP_INTERVAL:
        return False
    return maintenance.has_items(library)


def backup_if_due(
    library: Path, *, now: datetime | None = None, cancelled: Callable[[], bool] | None = None
) -> Path | None:
    """The automatic daily backup: when ``backup_due``, the quick check (DamagedLibraryError
    when it fails), then the backup; its path, or None."""
    if not backup_due(library, now):
        return None
    verify(library, force=True)
    return make_backup(library, now=now, cancelled=cancelled)


def prune(library: Path, keep: int = KEEP_BACKUPS) -> list[Path]:
    """Remove all but the newest ``keep`` regular backups and ``keep`` safety copies."""
    removed = []
    for regular in (True, False):
        kind = [b for b in list_backups(library) if b.regular == regular]
        for backup in kind[keep:]:
            for path in (backup.path, *_companions(backup.path)):
                path.unlink(missing_ok=True)
            removed.append(backup.path)
    return removed


def _companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in maintenance.WAL_SUFFIXES]


def save_as_is(library: Path, label: str) -> Path | None:
    """A copy of the library before a restore or a repair, even when SQLite cannot read it
    (then the bytes are copied); None when there is no library file."""
    if not library.exists():
        return None
    target = backup_path(library, datetime.now(), label)
    try:
        return make_backup(library, label=label)
    except LibraryError:  # too damaged for SQLite: keep the bytes as they are
        try:
            maintenance.copy_files(library, target)
        except OSError as exc:
            raise LibraryError(f"Cannot save {library} to {target}: {exc.strerror}") from None
        prune(library)
        return target


# --- restoring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    backup: Path  # what the library now holds
    saved: Path | None  # the library as it was before, or None when there was no file


def restore(library: Path, backup: Path | None = None) -> Restored:
    """Put a backup (the latest good one by default) in place of the library's content.

    The library as it was is first saved as a ``before-restore`` copy.
    """
    if backup is None:
        latest = latest_good_backup(library)
        if latest is None:
            raise LibraryError(f"There is no good backup of {library} in {backup_folder(library)}.")
        backup = latest.path
    if not backup.is_file():
        raise LibraryError(f"There is no backup file {backup}.")
    problems = maintenance.check_file(backup, full=False)
    if problems:
        raise LibraryError(f"The backup {backup} is damaged ({problems[0]}); choose another.")
    saved = save_as_is(library, BEFORE_RESTORE)
    maintenance.restore_database(backup, library)
    forget_verified(library)
    return Restored(backup, saved)


# --- the check on opening ---------------------------------------------------------------------

_verified: set[Path] = set()  # files that passed in this process: the window's import thread
# and export dialog open their own connections, and need not read the whole file again
_damaged: dict[Path, DamagedLibraryError] = {}  # files that failed: no connection may write


class DamagedLibraryError(LibraryError):
    """The library fails SQLite's check; ``backup`` is the latest good backup, if any."""

    def __init__(self, library: Path, problems: list[str], backup: Backup | None):
        self.library = library
        self.problems = problems
        self.backup = backup
        super().__init__(damaged_message(library, problems, backup))


def damaged_message(library: Path, problems: list[str], backup: Backup | None) -> str:
    head = f"{library} is damaged (SQLite says: {problems[0]}); it was not opened for writing."
    if backup is None:
        command = f"refman --library {shlex.quote(str(library))} check"
        return f"{head}\nThere is no backup of it. To try a repair, run:\n    {command}"
    return f"{head}\n{restore_hint(library, backup)}"


def restore_hint(library: Path, backup: Backup | None) -> str:
    """How to go back to ``backup``, in words and as a command."""
    if backup is None:
        return f"There is no good backup of {library}."
    command = f"refman --library {shlex.quote(str(library))} restore"
    return (
        f"The latest good backup is {backup.describe()}. To go back to it, run:\n"
        f"    {command}\n"
        "(the library as it is now is kept in the backups folder)."
    )


def verify(library: Path, *, force: bool = False) -> None:
    """Raise DamagedLibraryError when SQLite's quick check finds the library damaged.

    Without ``force``, only a library under VERIFY_ON_OPEN_BYTES not yet checked by this
    process is read. A file that is not SQLite at all and has no backups is left to the
    store, which says it is not a library (the user named the wrong file).
    """
    key = library.resolve()
    if key in _damaged:
        raise _damaged[key]
    if not library.exists():
        return
    if not force and (key in _verified or library.stat().st_size > VERIFY_ON_OPEN_BYTES):
        return
    if not maintenance.is_sqlite_file(library) and not list_backups(library):
        return
    problems = maintenance.check_file(library, full=False)
    if problems:
        _damaged[key] = DamagedLibraryError(library, problems, latest_good_backup(library))
        raise _damaged[key]
    _verified.add(key)


def forget_verified(library: Path) -> None:
    """After a restore or a repair the file must be checked again."""
    _verified.discard(library.resolve())
    _damaged.pop(library.resolve(), None)


def can_write(library: Path) -> bool:
    """True when this process may write the library: the file, its folder (SQLite puts its
    ``-wal`` and ``-shm`` files there) and those files when they exist."""
    companions = [library.with_name(library.name + s) for s in maintenance.WAL_SUFFIXES]
    files = [library, *(path for path in companions if path.exists())]
    return os.access(library.parent, os.W_OK) and all(os.access(p, os.W_OK) for p in files)
