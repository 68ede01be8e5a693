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
saves the library as it is in a copy labelled ``before-restore`` or ``before-repair``, and a
library an older refman made is copied as ``before-update`` before this refman's schema steps
change it; those are kept apart (the newest ``KEEP_BACKUPS`` of them), so that restoring several
times does not push the regular backups out.

The check is SQLite's ``quick_check``: it reads every page and checks every b-tree, but skips
comparing each index with its table, which ``refman check`` does (``integrity_check``, three
times slower). It takes about 0.8 s for a 100,000-item library (1 GB, read from the page
cache; the backup itself 4 s), but 30-60 s for a 1,000,000-item one (6 GB). ``verify`` runs
it, once per file and process: the command line before every command that changes the
library; the window in the background just after it has appeared, so that it never delays
the first paint. Both skip it when the file is as refman last left it (its state, kept beside
the backups after a check and when a process closes the library: see ``file_state``); the
daily backup's check always runs. A library that fails it is not opened for writing:
``DamagedLibraryError`` names the latest good backup and the command that restores it.
Damage that SQLite reports later, while the library is open ("malformed"), has the same
effect (``refman.store.database``).

Backups in the folder are made under the folder's lock (``backups/.lock``, a file of its own,
never the library): two programs starting at once make one daily backup, not two that clash,
and a ``.partial`` copy found while holding the lock was left by a crash and is removed.

``can_write`` tells a library on a read-only disk or in a read-only folder, which the library
then opens read-only. It asks the system (``os.access``): a read-only file system says no even
to root; file permissions do not stop root, so for root only a read-only medium is read-only.

Nothing here knows SQL: the copies and checks themselves are in ``refman.store.maintenance``,
through SQLite only (see the rule in ``refman.store.database``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from refman.files import copy_atomically
from refman.model import DamageFoundError, LibraryError
from refman.store import database, maintenance

try:  # POSIX
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]  # no module: the locks below use msvcrt
    import msvcrt

BACKUP_FOLDER = "backups"
FILES_FOLDER = "files"  # the attachments' stored files, beside the library (attachments.py)
LOCK_FILE = ".lock"
LOCK_WAIT_S = 60  # how long a backup waits for another program's backup to finish
KEEP_BACKUPS = 5
BACKUP_INTERVAL = timedelta(hours=24)
BEFORE_RESTORE = "before-restore"
BEFORE_REPAIR = "before-repair"
BEFORE_UPDATE = "before-update"  # an older refman's library, before this one's schema steps
SUFFIX = ".sqlite"
_STAMP = "%Y-%m-%dT%H%M%S"


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: datetime  # local time, from the name
    label: str = ""  # "" for a regular backup, else BEFORE_RESTORE, BEFORE_REPAIR, BEFORE_UPDATE

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


# --- the backups folder's lock ----------------------------------------------------------------


@contextlib.contextmanager
def folder_lock(library: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold the lock of the library's backups folder; yields False when ``wait`` is False and
    another program holds it. A separate lock file, so the library is never opened for it."""
    folder = backup_folder(library)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise LibraryError(f"Cannot use the backups folder {folder}: {exc.strerror}.") from None
    try:
        held = _lock(fd, wait)
        if held:
            _remove_stale_partials(folder)
        yield held
    finally:
        os.close(fd)  # releases the lock


def _lock(fd: int, wait: bool) -> bool:
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            if not wait:
                return False
            if time.monotonic() > deadline:
                raise LibraryError(
                    "Another program has been making a backup of this library for over a "
                    "minute; try again later."
                ) from None
            time.sleep(0.1)


def _remove_stale_partials(folder: Path) -> None:
    """Copies left by a backup that a crash stopped (every backup here holds the lock)."""
    for entry in folder.glob(f"*{maintenance.PARTIAL_SUFFIX}*"):
        maintenance.remove_partial(entry)


# --- making backups ---------------------------------------------------------------------------


class LibraryFiles:
    """The library's own files, which an import refuses before opening them and nothing may
    write over: the library, its SQLite companions (-wal, -shm, -journal) and whatever is in its
    backups folder. Known by device and inode (another name or a link to them) and by name (a
    companion that SQLite has not made yet)."""

    def __init__(self, library: Path):
        real = Path(os.path.realpath(library))
        self._names: dict[Path, str] = {real: "this is the library itself"}
        for suffix in (*maintenance.WAL_SUFFIXES, "-journal"):
            self._names[real.with_name(real.name + suffix)] = (
                f"this is part of the library itself (SQLite's {suffix} file)"
            )
        self._ids: dict[tuple[int, int], str] = {}
        for path, message in self._names.items():
            try:
                info = os.stat(path)
            except OSError:
                continue
            self._ids[info.st_dev, info.st_ino] = message
        self._backups = Path(os.path.realpath(backup_folder(library)))

    def refusal(self, path: Path, info: os.stat_result | None) -> str | None:
        """Why ``path`` (whose stat is ``info``, None when it does not exist) must not be
        opened or written, or None."""
        real = Path(os.path.realpath(path))
        same_file = self._ids.get((info.st_dev, info.st_ino)) if info else None
        message = same_file or self._names.get(real)
        if message:
            return f"{message}; it cannot be imported"
        if self._backups in real.parents:
            return "this is in the library's backups folder; to go back to a backup, use restore"
        return None


def is_library_file(library: Path, path: str | os.PathLike[str]) -> bool:
    """True for the library file, its SQLite companions and the files of its backups folder:
    files only SQLite may open while the library is open, and nothing may overwrite."""
    try:
        info = os.stat(path)
    except OSError:  # not there (yet): known by its name alone
        info = None
    return LibraryFiles(library).refusal(Path(path), info) is not None


def _refuse_the_library_itself(library: Path, output: Path) -> None:
    """A backup written over the library (or its -wal/-shm) would destroy it."""
    if is_library_file(library, output):
        raise LibraryError(f"{output} is the library itself: choose another file for the copy.")
    if output.is_dir():
        raise LibraryError(f"{output} is a folder: name the file the copy should go to.")


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
    if output is not None:
        _refuse_the_library_itself(library, output)
        return _copy(library, output, cancelled)
    with folder_lock(library):
        target = _copy(library, backup_path(library, now or datetime.now(), label), cancelled)
        if target is not None:
            prune(library)
            mirror_files(library, cancelled)
    return target


def _copy(library: Path, target: Path, cancelled: Callable[[], bool] | None) -> Path | None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if not maintenance.copy_database(library, target, cancelled):
            return None
    except OSError as exc:
        raise LibraryError(f"Cannot write the backup {target}: {exc.strerror}") from None
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
    when it fails), then the backup; its path, or None.

    When another program is making a backup of the library at this moment, this one is not
    made: the other one is today's.
    """
    if not backup_due(library, now):
        return None
    with folder_lock(library, wait=False) as held:
        if not held or not backup_due(library, now):
            return None
        verify(library, force=True)
        target = _copy(library, backup_path(library, now or datetime.now()), cancelled)
        if target is not None:
            prune(library)
            mirror_files(library, cancelled)
        return target


def files_mirror(library: Path) -> Path:
    """Where backups keep the attachments' files: ``backups/files/<key>/<name>``."""
    return backup_folder(library) / FILES_FOLDER


def mirror_files(library: Path, cancelled: Callable[[], bool] | None = None) -> int:
    """Copy the attachments' stored files that no backup holds yet into the mirror; how many.

    Incremental: a file already there (same key, name and size) is not copied again, so a
    daily backup of a library of 5,000 PDFs copies only the day's new ones. One mirror serves
    every backup kept, and it keeps the files of attachments deleted since, so that an older
    backup can be restored with its files; it is never pruned. Each copy is whole or absent.
    """
    source = library.parent / FILES_FOLDER
    if not source.is_dir():
        return 0
    target = files_mirror(library)
    copied = 0
    for folder in sorted(p for p in source.iterdir() if p.is_dir()):
        for file in sorted(p for p in folder.iterdir() if p.is_file()):
            if file.name.endswith(".refman-part") or (cancelled and cancelled()):
                continue
            kept = target / folder.name / file.name
            if kept.is_file() and kept.stat().st_size == file.stat().st_size:
                continue
            try:
                copy_atomically(file, kept)
            except OSError as exc:
                raise LibraryError(
                    f"Cannot back up the attachment {file} to {kept}: {exc.strerror or exc}"
                ) from None
            copied += 1
    return copied


def prune(library: Path, keep: int = KEEP_BACKUPS) -> list[Path]:
    """Remove all but the newest ``keep`` regular backups and ``keep`` safety copies."""
    removed = []
    for regular in (True, False):
        kind = [b for b in list_backups(library) if b.regular == regular]
        for backup in kind[keep:]:
            for path in (backup.path, *maintenance.companions(backup.path)):
                path.unlink(missing_ok=True)
            removed.append(backup.path)
    return removed


def save_as_is(library: Path, label: str) -> Path | None:
    """A copy of the library before a restore, a repair or an update, even when SQLite cannot
    read it (then the bytes are copied); None when there is no library file."""
    if not library.exists():
        return None
    with folder_lock(library):
        target = backup_path(library, datetime.now(), label)
        try:
            _copy(library, target, None)
        except DamageFoundError:  # too damaged for SQLite: keep the bytes as they are
            _copy_bytes(library, target)
        prune(library)
    return target


def _copy_bytes(library: Path, target: Path) -> None:
    try:
        maintenance.copy_files(library, target)
    except OSError as exc:
        raise LibraryError(f"Cannot save {library} to {target}: {exc.strerror}") from None


# --- restoring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    backup: Path  # what the library now holds
    saved: Path | None  # the library as it was before, or None when there was no file


def restore(
    library: Path,
    backup: Path | None = None,
    *,
    waiting: Callable[[float], None] | None = None,
) -> Restored:
    """Put a backup (the latest good one by default) in place of the library's content.

    The library as it was is first saved as a ``before-restore`` copy, once the restore holds
    the library's write lock: a change another program commits while the restore waits is
    in that copy. ``waiting(seconds)`` is called while another program is writing.
    """
    if backup is None:
        latest = latest_good_backup(library)
        if latest is None:
            raise LibraryError(f"There is no good backup of {library} in {backup_folder(library)}.")
        backup = latest.path
    _check_backup(library, backup)
    saved: list[Path | None] = []

    def save_current() -> None:
        try:
            saved.append(save_as_is(library, BEFORE_RESTORE))
        except LibraryError as exc:
            raise type(exc)(
                f"{exc} Nothing was restored: the library as it is must be kept first."
            ) from exc

    maintenance.restore_database(backup, library, save_current=save_current, waiting=waiting)
    forget_verified(library)
    return Restored(backup, saved[0] if saved else None)


def _check_backup(library: Path, backup: Path) -> None:
    """A backup that can be restored: a sound refman library, not the library itself."""
    if not backup.is_file():
        raise LibraryError(f"There is no backup file {backup}.")
    own = {database.file_key(p) for p in (library, *maintenance.companions(library))}
    if database.file_key(backup) in own:
        raise LibraryError(f"{backup} is the library itself, not a backup of it.")
    problems = maintenance.check_file(backup, full=False)
    if problems:
        raise LibraryError(f"The backup {backup} is damaged ({problems[0]}); choose another.")
    version = maintenance.refman_version(backup)
    if version is None:
        raise LibraryError(f"{backup} is not a refman library, so it cannot be restored.")


# --- the check on opening ---------------------------------------------------------------------

_verified: set[Path] = set()  # files that passed in this process: the window's import thread
# and export dialog open their own connections, and need not read the whole file again
_damaged: dict[Path, DamagedLibraryError] = {}  # files that failed: no connection may write


class DamagedLibraryError(DamageFoundError):
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

    Without ``force``, a library this process has already checked is not read again. A file
    that SQLite does not take for a database at all, with no backups, is left to the store,
    which says it is not a library (the user named the wrong file).
    """
    key = library.resolve()
    if key in _damaged:
        raise _damaged[key]
    if not library.exists() or (not force and key in _verified):
        return
    state = file_state(library)
    if not force and state is not None and state == _checked_state(library):
        _verified.add(key)  # as refman last left it, checked or written by refman only
        return
    problems = maintenance.check_file(library, full=False)
    if problems and "not a database" in problems[0] and not list_backups(library):
        return
    if problems:
        _damaged[key] = DamagedLibraryError(library, problems, latest_good_backup(library))
        database.report_damage(library, problems[0])
        raise _damaged[key]
    _verified.add(key)


def damaged(library: Path, problem: str) -> DamagedLibraryError:
    """The error for damage SQLite found while the library was open, with the backup to use."""
    key = library.resolve()
    if key not in _damaged:
        _damaged[key] = DamagedLibraryError(library, [problem], latest_good_backup(library))
    return _damaged[key]


def forget_verified(library: Path) -> None:
    """After a restore or a repair the file must be checked again."""
    _verified.discard(library.resolve())
    _damaged.pop(library.resolve(), None)
    database.forget_damage(library)
    with contextlib.suppress(OSError):
        _state_file(library).unlink(missing_ok=True)


def remember_closed(library: Path) -> None:
    """After this process closed its connection to a library it had checked (or found
    unchanged) and met no damage in: the file as it is now is the checked file plus refman's
    own transactions, so the next process may skip the quick check while nothing else
    touches the file (``verify``). Only a library that opened is closed: a file that passed
    the check but is no refman library (another program's database) gets nothing beside it."""
    key = library.resolve()
    if key in _verified and key not in _damaged:
        _remember_state(library, file_state(library))


# The quick check reads the whole file: 0.8 s at 100,000 items, but 30-60 s at 1,000,000 (a
# 6 GB file), before every command. A process that checked the library and closed it (after
# writing to it through SQLite or not) leaves the file's state (os.stat of the file and its -wal:
# device, inode, size, change times) beside the backups; a later process that finds the same
# state skips the check. Anything else that writes the file (another program, a copy, a
# restore, damage by a tool) changes its state, and the check runs. The daily backup's check
# (``force``) always runs, so damage that leaves the state alone (the disk itself) is found
# within a day, as before. Only os.stat is used: it opens neither file (see the rule in
# refman.store.database).
STATE_SUFFIX = ".checked"


def file_state(library: Path) -> list[int] | None:
    """The library file's and its write-ahead log's identity and last change; None when the
    file cannot be read."""
    try:
        main = os.stat(library)
    except OSError:
        return None
    state = [main.st_dev, main.st_ino, main.st_size, main.st_mtime_ns, main.st_ctime_ns]
    try:
        wal = os.stat(f"{library}-wal")
    except FileNotFoundError:
        return state
    except OSError:
        return None
    return state + [wal.st_ino, wal.st_size, wal.st_mtime_ns, wal.st_ctime_ns]


def _state_file(library: Path) -> Path:
    return backup_folder(library) / f".{library.name}{STATE_SUFFIX}"


def _checked_state(library: Path) -> list[int] | None:
    try:
        found = json.loads(_state_file(library).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, list) else None


def _remember_state(library: Path, state: list[int] | None) -> None:
    """Keep ``state`` as checked, in the backups folder when there is one: a library without
    backups is new or empty (the daily backup skips those), quick to check, and gets no folder
    for this; a folder that cannot be written only means checks to come."""
    path = _state_file(library)
    if state is None or not path.parent.is_dir():
        return
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(OSError):
        temporary.write_text(json.dumps(state), encoding="utf-8")
        os.replace(temporary, path)


def can_write(library: Path) -> bool:
    """True when this process may write the library: the file, its folder (SQLite puts its
    ``-wal`` and ``-shm`` files there) and those files when they exist."""
    files = [library, *(path for path in maintenance.companions(library) if path.exists())]
    return os.access(library.parent, os.W_OK) and all(os.access(p, os.W_OK) for p in files)
