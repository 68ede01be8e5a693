"""The one API that the window and the command line use: import, browse, edit, tag, note, export.

Transactions live here. Every change returns a ``Changes`` value saying what it touched, so
that the panes refresh only what they show; it is returned after the commit. Long operations
(``import_files``) take ``progress(done, total)`` and ``cancelled()`` callables and know
nothing of threads: the GUI decides where they run.
"""

from __future__ import annotations

import io
import operator
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

from refman import backups, collector, formats
from refman.formats import medline
from refman.model import (
    EDITABLE_FIELDS,
    TAG_MANUAL,
    Collection,
    CollectionId,
    DiskFullError,
    ItemId,
    LibraryError,
    MissingItemError,
    Note,
    NoteId,
    ParseError,
    Problem,
    Reference,
    RefmanError,
    Tag,
    TagCounts,
)
from refman.store import Store, duplicate_keys
from refman.store.maintenance import WAL_SUFFIXES

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

DUPLICATE_POLICIES = ("skip", "merge", "keep")
# Files in a dropped or named folder that are worth sniffing for MEDLINE content.
MEDLINE_SUFFIXES = {".nbib", ".txt", ".medline", ".pubmed", ""}
SNIFF_BYTES = 4096
BATCH_SIZE = 500
# A batch also ends once its records hold this many fields or characters (in their source
# records), so that a file of huge records is never held BATCH_SIZE at a time: a batch of
# PubMed records holds some 25,000 fields and 2 million characters.
BATCH_FIELDS = 100_000
BATCH_CHARS = 4_000_000
_LOOK_UP_LATER = object()  # a duplicate look-up that must wait for the record's turn
READ_ONLY_NOTICE = (
    "{path} is on a read-only disk or in a folder you cannot write to: it is open for "
    "reading only, and changes cannot be saved."
)
DISK_FULL = "the disk is full: {name} was not imported; nothing in the library changed"
FILE_CHANGED = (
    "it changed while it was being imported; it was not imported: "
    "import it again when it is complete"
)


@dataclass(frozen=True)
class Changes:
    """What an operation changed, for the panes to refresh."""

    added: frozenset[ItemId] = frozenset()
    changed: frozenset[ItemId] = frozenset()
    removed: frozenset[ItemId] = frozenset()
    tags: bool = False
    collections: bool = False
    notes: frozenset[ItemId] = frozenset()

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


@dataclass
class ImportReport:
    """The outcome of an import: what was added, merged or skipped, and every problem met."""

    added: list[ItemId] = field(default_factory=list)
    merged: list[ItemId] = field(default_factory=list)
    duplicates: list[ItemId] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_read: int = 0
    files_failed: int = 0
    cancelled: bool = False

    @property
    def item_ids(self) -> list[ItemId]:
        """Every library item the import touched, new or matched, in file order."""
        return list(dict.fromkeys(self.added + self.merged + self.duplicates))

    @property
    def nothing_read(self) -> bool:
        return self.files_read == 0 and not self.cancelled

    def summary(self) -> str:
        parts = [f"{len(self.added)} added"]
        if self.merged:
            parts.append(f"{len(self.merged)} merged")
        parts.append(f"{len(self.duplicates)} duplicate{'s' * (len(self.duplicates) != 1)} skipped")
        if self.problems:
            parts.append(f"{len(self.problems)} problem{'s' * (len(self.problems) != 1)}")
        files = self.files_read + self.files_failed
        head = "Import cancelled" if self.cancelled else "Imported"
        return f"{head}: {', '.join(parts)} from {files} file{'s' * (files != 1)}."

    def changes(self) -> Changes:
        return Changes(
            added=frozenset(self.added),
            changed=frozenset(self.merged + self.duplicates),
            tags=True,
            collections=True,
        )


CHECK_FILE = "the file (SQLite's integrity check and the links between tables)"
CHECK_FTS = "the search index against the items"
CHECK_TAGS = "the tag counts against the tags on items"
MAX_PROBLEMS_LISTED = 20


@dataclass
class CheckReport:
    """What ``Library.check`` looked at, what it found, what it repaired, what is left."""

    library: Path
    checked: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    remaining: list[str] = field(default_factory=list)
    saved: Path | None = None  # the library as it was before the repairs
    backup: backups.Backup | None = None  # the latest good backup, when damaged

    @property
    def damaged(self) -> bool:
        return bool(self.remaining)

    def lines(self) -> list[str]:
        """The report in plain words, for the command line."""
        lines = [f"Checked {what}." for what in self.checked]
        if not self.found:
            return [*lines, "No problems found."]
        lines.append(f"Found {len(self.found)} problem{'s' * (len(self.found) != 1)}:")
        lines += [f"  {problem}" for problem in self.found[:MAX_PROBLEMS_LISTED]]
        if len(self.found) > MAX_PROBLEMS_LISTED:
            lines.append(f"  ... and {len(self.found) - MAX_PROBLEMS_LISTED} more")
        lines += [f"Repaired: {done}." for done in self.repaired]
        if self.saved:
            lines.append(f"The library as it was before: {self.saved}")
        return lines + [self._verdict()]

    def _verdict(self) -> str:
        if not self.damaged:
            return "The library is repaired."
        return "The library is damaged beyond repair. " + backups.restore_hint(
            self.library, self.backup
        )


def _problems(find: Callable[[], list[str]]) -> list[str]:
    """What a check finds; a check that SQLite cannot even run is a problem too."""
    try:
        return find()
    except LibraryError as exc:
        return [str(exc)]


class ImportCancelled(RefmanError):
    """Raised inside an import transaction to roll the current file back."""


class _ProgressTracker:
    def __init__(self, total: int, progress: Progress | None):
        self.total = max(total, 1)
        self.done = 0
        self._progress = progress

    def advance(self, n: int) -> None:
        self.done += n
        if self._progress:
            self._progress(min(self.done, self.total), self.total)


# --- the files an import reads ------------------------------------------------------------------
# Nothing is opened before it is known to be a regular file that is not the library's own: a
# FIFO would wait for a writer while the import holds the write lock, a device never ends, and
# opening and closing the library's files other than through SQLite drops this process's locks
# on the library (the safety rule in the README).

_NOT_A_FILE = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"))
# Opening never waits, even for a FIFO that took a file's place since it was looked at; a
# regular file reads as it always does. (Windows has no O_NONBLOCK, and needs O_BINARY.)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _not_regular(info: os.stat_result) -> str | None:
    """Why a named path that is not a folder cannot be imported, when it is no regular file."""
    if stat.S_ISREG(info.st_mode):
        return None
    kind = next((name for test, name in _NOT_A_FILE if test(info.st_mode)), None)
    if kind is None:
        is_device = stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
        kind = "a device" if is_device else "not a regular file"
    return f"this is {kind}, not a file: only files and folders can be imported"


class _LibraryFiles:
    """The library's own files, which an import refuses before opening them: the library, its
    SQLite companions (-wal, -shm, -journal) and whatever is in its backups folder. Known by
    device and inode (another name or a link to them) and by name (a companion that SQLite
    has not made yet)."""

    def __init__(self, library: Path):
        real = Path(os.path.realpath(library))
        self._names: dict[Path, str] = {real: "this is the library itself"}
        for suffix in (*WAL_SUFFIXES, "-journal"):
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
        self._backups = Path(os.path.realpath(backups.backup_folder(library)))

    def refusal(self, path: Path, info: os.stat_result) -> str | None:
        """Why ``path`` (whose stat is ``info``) must not be opened, or None."""
        real = Path(os.path.realpath(path))
        message = self._ids.get((info.st_dev, info.st_ino)) or self._names.get(real)
        if message:
            return f"{message}; it cannot be imported"
        if self._backups in real.parents:
            return "this is in the library's backups folder; to go back to a backup, use restore"
        return None


def _expand_paths(
    paths: Iterable[str | os.PathLike], problems: list[Problem], library: Path
) -> list[Path]:
    """Files to import: named files as they are, and the MEDLINE files inside named folders.

    A named path that is not a regular file (a FIFO, a socket, a device) or that is one of the
    library's own files is refused, with a problem; nothing is opened here but the files in
    folders, to sniff them.
    """
    own = _LibraryFiles(library)
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        try:
            info = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            problems.append(Problem(str(path), None, "no such file or folder"))
            continue
        except OSError as exc:
            problems.append(Problem(str(path), None, f"cannot read it ({exc.strerror})"))
            continue
        if stat.S_ISDIR(info.st_mode):
            found = _folder_files(path, own, problems)
            if not found:
                problems.append(Problem(str(path), None, "this folder holds no MEDLINE files"))
            files.extend(found)
        elif refusal := own.refusal(path, info) or _not_regular(info):
            problems.append(Problem(str(path), None, refusal))
        else:
            files.append(path)
    return files


def _folder_files(folder: Path, own: _LibraryFiles, problems: list[Problem]) -> list[Path]:
    """The MEDLINE files in ``folder`` and its subfolders, in name order. Entries that are no
    regular files are skipped, the library's own files refused, the others sniffed."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in MEDLINE_SUFFIXES:
            continue
        try:
            info = path.stat()
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        refusal = own.refusal(path, info)
        if refusal:
            problems.append(Problem(str(path), None, refusal))
        elif _looks_like_medline_file(path):
            found.append(path)
    return found


def _open_regular(path: Path) -> tuple[io.FileIO, os.stat_result]:
    """``path`` opened for reading without waiting (see _OPEN_FLAGS), and what it is."""
    handle = io.FileIO(os.open(path, _OPEN_FLAGS), "r")
    return handle, os.fstat(handle.fileno())


def _looks_like_medline_file(path: Path) -> bool:
    try:
        handle, info = _open_regular(path)
        with handle:
            head = handle.read(SNIFF_BYTES) if stat.S_ISREG(info.st_mode) else b""
    except OSError:
        return False
    return medline.sniff(head.decode("utf-8", errors="replace"))


class _WatchedFile(io.RawIOBase):
    """A file being imported: counted as it is read (for the progress), and checked at its
    end. A file that changed while it was read (it shrank, grew, was written to, or another
    file took its name) raises ParseError, which rolls its transaction back: half a file is
    never imported as if it were the whole."""

    def __init__(self, path: Path, on_read: Callable[[int], None]):
        self._path = path
        self._on_read = on_read
        self._file, self._before = _open_regular(path)
        self._read = 0
        refusal = _not_regular(self._before)
        if refusal:
            self._file.close()
            raise ParseError(str(path), None, refusal)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._file.readinto(buffer)
        if n:
            self._read += n
            self._on_read(n)
        else:
            self._check_unchanged()
        return n

    def _check_unchanged(self) -> None:
        before, now = self._before, os.fstat(self._file.fileno())
        try:
            there = os.stat(self._path)
        except OSError:
            there = None
        if not (
            self._read == before.st_size == now.st_size
            and now.st_mtime_ns == before.st_mtime_ns
            and there is not None
            and os.path.samestat(there, before)
        ):
            raise ParseError(str(self._path), None, FILE_CHANGED)

    def close(self) -> None:
        self._file.close()
        super().close()


# Fields a merge fills when the item in the library has them empty (the date is merged apart:
# an empty date is one without a year; the item type is the user's).
MERGED_FIELDS = tuple(f for f in EDITABLE_FIELDS if f not in ("item_type", "date"))


def _merge(existing: Reference, incoming: Reference) -> dict[str, object]:
    """Fields of ``existing`` that are empty and that ``incoming`` can fill."""
    changes: dict[str, object] = {}
    for name in MERGED_FIELDS:
        if not getattr(existing, name) and getattr(incoming, name):
            changes[name] = getattr(incoming, name)
    if existing.date.year is None and incoming.date.year is not None:
        changes["date"] = incoming.date
    return changes


class Library:
    """A reference library in one SQLite file."""

    def __init__(self, path: str | os.PathLike, *, read_only: bool = False, verify: bool = True):
        """Open (or create) the library at ``path``.

        A library this process may not write (a read-only disk or folder) opens read-only,
        and ``notice`` says so. Before a small library is opened for writing, SQLite's quick
        check runs on it (``verify``; see backups): a damaged one raises DamagedLibraryError.
        """
        self.path = Path(path)
        self.notice = ""  # a sentence for the user when the library is not as asked
        if not read_only and self.path.exists() and not backups.can_write(self.path):
            read_only = True
            self.notice = READ_ONLY_NOTICE.format(path=self.path)
        if not read_only:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LibraryError(
                    f"Cannot create the folder for the library {self.path}: {exc.strerror}"
                ) from None
            if verify:
                backups.verify(self.path)
        self.store = Store(self.path, read_only=read_only)

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- safety ---------------------------------------------------------------------------------

    def backup(self, output: str | os.PathLike | None = None) -> Path:
        """A consistent copy of the library, to ``output`` or into its backups folder."""
        return backups.make_backup(self.path, output=Path(output) if output else None)

    def backup_if_due(self) -> Path | None:
        """The daily check and backup, when the newest backup is a day old; None when not made.

        DamagedLibraryError when the check fails: the caller must not write."""
        return None if self.read_only else backups.backup_if_due(self.path)

    def refuse_writes(self, notice: str) -> None:
        """Refuse every change from now on (damage was found while the library was open)."""
        self.store.read_only = True
        self.notice = notice

    def check(self) -> CheckReport:
        """SQLite's full integrity check, then the search index and the tag counts against the
        items; repairs what can be rebuilt (indexes, the search index, the tag counts), after
        saving a copy as it was."""
        report = CheckReport(self.path)
        file_repairs = [(self.store.reindex, "rebuilt the indexes")]
        file_repairs.append((self.store.rebuild_fts, "rebuilt the search index"))
        self._check_step(report, CHECK_FILE, self.store.integrity_check, file_repairs)
        if not report.damaged:
            fts_repairs = [(self.store.rebuild_fts, "rebuilt the search index")]
            self._check_step(report, CHECK_FTS, self.store.check_fts, fts_repairs)
            totals = [(self.store.rebuild_tag_totals, "counted the tags' items anew")]
            self._check_step(report, CHECK_TAGS, self.store.check_tag_totals, totals)
        if report.damaged:
            report.backup = backups.latest_good_backup(self.path)
        backups.forget_verified(self.path)
        return report

    def _check_step(self, report: CheckReport, what: str, find, repairs) -> None:
        report.checked.append(what)
        problems = _problems(find)
        report.found += problems
        if not problems or self.read_only:
            report.remaining += problems
            return
        if report.saved is None:
            report.saved = backups.save_as_is(self.path, backups.BEFORE_REPAIR)
        for repair, done in repairs:
            try:
                repair()
            except LibraryError as exc:
                problems = [str(exc)]
                continue
            report.repaired.append(done)
            problems = _problems(find)
            if not problems:
                return
        report.remaining += problems

    # --- import ---------------------------------------------------------------------------------

    def import_files(
        self,
        paths: Iterable[str | os.PathLike],
        *,
        duplicates: str = "skip",
        collection: str | CollectionId | None = None,
        tags: Sequence[str] = (),
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> ImportReport:
        """Import MEDLINE files and folders; each file is one transaction.

        A cancel, an error or a kill in the middle of a file leaves the library as it was
        before that file; files finished before stay imported.
        """
        report = ImportReport()
        files = _expand_paths(paths, report.problems, self.path)
        total = sum(p.stat().st_size for p in files if p.is_file())
        tracker = _ProgressTracker(total, progress)
        target = self._import_target(collection)
        for path in files:
            if cancelled and cancelled():
                report.cancelled = True
                break
            opener = _file_opener(path, tracker)
            self._import_source(opener, str(path), report, duplicates, target, tags, cancelled)
            if report.cancelled:
                break
        return report

    def import_text(
        self,
        text: str,
        *,
        name: str = "clipboard",
        duplicates: str = "skip",
        collection: str | CollectionId | None = None,
        tags: Sequence[str] = (),
    ) -> ImportReport:
        """Import MEDLINE text pasted or dropped on the window."""
        report = ImportReport()
        target = self._import_target(collection)

        def opener() -> io.BufferedReader:
            return io.BufferedReader(io.BytesIO(text.encode("utf-8")))

        self._import_source(opener, name, report, duplicates, target, tags, None)
        return report

    def _import_target(self, collection: str | CollectionId | None) -> CollectionId | None:
        if collection is None or isinstance(collection, int):
            return collection
        found = self.store.find_collection(collection)
        if found:
            return found.id
        with self.store.transaction():
            return self.store.create_collection(collection).id

    def _import_source(self, opener, name, report, policy, collection, tags, cancelled) -> None:
        if policy not in DUPLICATE_POLICIES:
            raise RefmanError(f"Unknown duplicate policy '{policy}': use skip, merge or keep.")
        file_report = ImportReport()
        try:
            # A large file makes and drops millions of small objects, none in a cycle: paused,
            # the cyclic collector stops walking the cached ones again and again (refman.collector).
            with collector.paused(), self.store.transaction():
                with opener() as stream:
                    refs = medline.read(stream, name=name, on_problem=file_report.problems.append)
                    self._add_all(refs, policy, file_report, cancelled)
                self._file_extras(file_report, collection, tags)
        except ImportCancelled:
            report.cancelled = True
            return
        except ParseError as exc:
            report.problems.append(Problem(exc.path, exc.line, exc.message))
            report.files_failed += 1
            return
        except OSError as exc:
            report.problems.append(Problem(name, None, f"cannot read it ({exc.strerror})"))
            report.files_failed += 1
            return
        except DiskFullError:
            report.problems.append(Problem(name, None, DISK_FULL.format(name=Path(name).name)))
            report.files_failed += 1
            return
        report.files_read += 1
        report.added += file_report.added
        report.merged += file_report.merged
        report.duplicates += file_report.duplicates
        report.problems += file_report.problems

    def _add_all(self, refs: Iterator[Reference], policy, report, cancelled) -> None:
        """Add the references a batch at a time, each checked against the library first.

        A batch's duplicates are looked up together (one query per key, not three per
        record) before any of it is written, and written batches are looked up against the
        library, so a record repeated later in the file is still found.
        """
        pending = _PendingBatch()
        for batch in _batches(refs, BATCH_SIZE):
            for ref, existing in zip(batch, self._existing(batch, policy), strict=True):
                if cancelled and cancelled():
                    raise ImportCancelled("cancelled")
                self._add_one(ref, existing, policy, pending, report)
            if len(pending.refs) >= BATCH_SIZE or len(batch) < BATCH_SIZE:  # full, or heavy
                report.added += self.store.add_references(pending.take())
        report.added += self.store.add_references(pending.take())

    def _existing(self, batch: Sequence[Reference], policy: str) -> Sequence[ItemId | None]:
        """The item in the library each reference duplicates, as it stood before the batch.

        Merging changes items as it goes (a merged item may gain the DOI a later record
        carries), so under that policy each record is looked up when its turn comes.
        """
        if policy == "skip":
            return self.store.find_duplicates(batch)
        return [_LOOK_UP_LATER] * len(batch) if policy == "merge" else [None] * len(batch)

    def _add_one(self, ref: Reference, existing, policy: str, pending: _PendingBatch, report):
        if policy == "keep":
            pending.add(ref)
            return
        index = pending.find(ref)
        if index is not None:  # the same record twice in one file
            if policy == "merge":
                pending.refs[index] = _merged(pending.refs[index], ref)
            return
        if existing is _LOOK_UP_LATER:
            existing = self.store.find_duplicate(ref)
        if existing is None:
            pending.add(ref)
        elif policy == "merge":
            self._merge_into(existing, ref)
            report.merged.append(existing)
        else:
            report.duplicates.append(existing)

    def _merge_into(self, item_id: ItemId, incoming: Reference) -> None:
        changes = _merge(self.store.get(item_id), incoming)
        if changes:
            self.store.update_fields(item_id, changes)
        if incoming.tags:
            self.store.add_tags([item_id], incoming.tags)

    def _file_extras(self, report: ImportReport, collection, tags: Sequence[str]) -> None:
        """File the imported items (new and matched) in the collection and add the tags."""
        ids = report.item_ids
        if not ids:
            return
        if collection is not None:
            self.store.add_to_collection(ids, collection)
        if tags:
            self.store.add_tags(ids, [Tag(name, TAG_MANUAL) for name in tags])

    # --- browse ---------------------------------------------------------------------------------

    def search(
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
        """Ids of the items in a view (collection x tags x search text), sorted in SQL."""
        return self.store.search_ids(
            text,
            collection=collection,
            unfiled=unfiled,
            tags=tags,
            trashed=trashed,
            sort=sort,
            descending=descending,
        )

    def rows(self, ids: Sequence[ItemId], columns: Sequence[str]) -> dict[ItemId, tuple]:
        return self.store.rows(ids, columns)

    def get(self, item_id: ItemId) -> Reference:
        try:
            return self.store.get(item_id)
        except KeyError:
            raise MissingItemError(f"There is no item with id {item_id}.") from None

    def get_many(self, ids: Sequence[ItemId]) -> list[Reference]:
        try:
            return self.store.get_many(ids)
        except KeyError as exc:
            raise MissingItemError(f"There is no item with id {exc.args[0]}.") from None

    def item_count(self, *, trashed: bool = False) -> int:
        return self.store.item_count(trashed=trashed)

    # --- edit -----------------------------------------------------------------------------------

    def add(self, ref: Reference) -> tuple[ItemId, Changes]:
        """Add one reference made in refman (or restored by undo)."""
        with self.store.transaction():
            item_id = self.store.add_reference(ref)
        return item_id, Changes(added=frozenset({item_id}), tags=bool(ref.tags))

    def update(self, item_id: ItemId, **changes: object) -> Changes:
        """Change fields of one item (names from model.EDITABLE_FIELDS)."""
        with self.store.transaction():
            self.store.update_fields(item_id, changes)
        return Changes(changed=frozenset({item_id}))

    def trash(self, ids: Sequence[ItemId]) -> Changes:
        with self.store.transaction():
            self.store.set_trashed(ids, True)
        return Changes(removed=frozenset(ids), tags=True)

    def restore(self, ids: Sequence[ItemId]) -> Changes:
        with self.store.transaction():
            self.store.set_trashed(ids, False)
        return Changes(added=frozenset(ids), tags=True)

    def empty_trash(self) -> Changes:
        ids = self.store.search_ids(trashed=True)
        with self.store.transaction():
            self.store.delete_items(ids)
        return Changes(removed=frozenset(ids), tags=True, collections=True)

    # --- tags -----------------------------------------------------------------------------------

    def add_tags(self, ids: Sequence[ItemId], names: Sequence[str]) -> Changes:
        with self.store.transaction():
            self.store.add_tags(ids, [Tag(n.strip(), TAG_MANUAL) for n in names if n.strip()])
        return Changes(changed=frozenset(ids), tags=True)

    def remove_tags(self, ids: Sequence[ItemId], names: Sequence[str]) -> Changes:
        with self.store.transaction():
            self.store.remove_tags(ids, names)
        return Changes(changed=frozenset(ids), tags=True)

    def tag_counts(
        self,
        *,
        collection: CollectionId | None = None,
        unfiled: bool = False,
        trashed: bool = False,
    ) -> TagCounts:
        return self.store.tag_counts(collection=collection, unfiled=unfiled, trashed=trashed)

    def tag_names(self) -> list[str]:
        return self.store.tag_names()

    def rename_tag(self, old: str, new: str) -> Changes:
        """Rename a tag everywhere; renaming onto an existing tag merges the two."""
        with self.store.transaction():
            self.store.rename_tag(old, new.strip())
        return Changes(tags=True)

    def delete_tag(self, name: str) -> Changes:
        with self.store.transaction():
            self.store.delete_tag(name)
        return Changes(tags=True)

    def set_tag_color(self, name: str, color: str) -> Changes:
        with self.store.transaction():
            self.store.set_tag_color(name, color)
        return Changes(tags=True)

    # --- notes ----------------------------------------------------------------------------------

    def notes(self, item_id: ItemId) -> list[Note]:
        return self.store.notes(item_id)

    def add_note(self, item_id: ItemId, html: str) -> tuple[Note, Changes]:
        with self.store.transaction():
            note = self.store.add_note(item_id, html)
        return note, Changes(notes=frozenset({item_id}))

    def update_note(self, note_id: NoteId, html: str) -> tuple[Note, Changes]:
        with self.store.transaction():
            note = self.store.update_note(note_id, html)
        return note, Changes(notes=frozenset({note.item_id}))

    def delete_note(self, note_id: NoteId) -> Changes:
        note = self.store.get_note(note_id)
        with self.store.transaction():
            self.store.delete_note(note_id)
        return Changes(notes=frozenset({note.item_id}))

    # --- collections ----------------------------------------------------------------------------

    def collections(self) -> list[Collection]:
        return self.store.collections()

    def find_collection(self, name: str) -> Collection | None:
        return self.store.find_collection(name)

    def collections_of(self, item_id: ItemId) -> list[CollectionId]:
        return self.store.collections_of(item_id)

    def create_collection(
        self, name: str, parent_id: CollectionId | None = None
    ) -> tuple[Collection, Changes]:
        with self.store.transaction():
            collection = self.store.create_collection(name.strip(), parent_id)
        return collection, Changes(collections=True)

    def rename_collection(self, cid: CollectionId, name: str) -> Changes:
        with self.store.transaction():
            self.store.rename_collection(cid, name.strip())
        return Changes(collections=True)

    def move_collection(self, cid: CollectionId, parent_id: CollectionId | None) -> Changes:
        with self.store.transaction():
            self.store.move_collection(cid, parent_id)
        return Changes(collections=True)

    def delete_collection(self, cid: CollectionId) -> Changes:
        """Delete a collection and its subcollections; their items stay in the library."""
        with self.store.transaction():
            self.store.delete_collection(cid)
        return Changes(collections=True)

    def add_to_collection(self, ids: Sequence[ItemId], cid: CollectionId) -> Changes:
        with self.store.transaction():
            self.store.add_to_collection(ids, cid)
        return Changes(changed=frozenset(ids), collections=True)

    def remove_from_collection(self, ids: Sequence[ItemId], cid: CollectionId) -> Changes:
        with self.store.transaction():
            self.store.remove_from_collection(ids, cid)
        return Changes(changed=frozenset(ids), collections=True)

    # --- export ---------------------------------------------------------------------------------

    def export(self, ids: Sequence[ItemId], fmt: str, *, style: str | None = None) -> str:
        """The items ``ids`` written in format ``fmt`` (a key of formats.EXPORT_FORMATS)."""
        needs = formats.find_export_format(fmt)
        # The references are freed before the collector resumes: it never walks them (see
        # refman.collector).
        with collector.paused():
            refs = self.store.get_many(
                ids,
                source_records=needs.needs_source_record,
                tag_details=needs.needs_tag_details,
            )
            text = formats.export(refs, fmt, style=style)
            del refs
        return text

    def cite(self, ids: Sequence[ItemId], style: str | None = None, fmt: str = "text") -> str:
        """One in-text citation of the items ``ids`` in a CSL ``style`` ("1-3", "(Knowles…)").

        ``fmt`` is ``text``, ``html`` or ``rtf``; the style defaults to the CSL default.
        """
        return formats.cite(self.store.get_many(ids, source_records=False), style, fmt)


_VALUE = operator.itemgetter(1)


def _batches(refs: Iterable[Reference], size: int) -> Iterator[list[Reference]]:
    """Lists of ``size`` references in order, the last one shorter; a list also ends early
    once its references hold BATCH_FIELDS fields or BATCH_CHARS characters."""
    batch: list[Reference] = []
    fields = chars = 0
    for ref in refs:
        batch.append(ref)
        fields += len(ref.source_record)
        chars += sum(map(len, map(_VALUE, ref.source_record)))
        heavy = fields >= BATCH_FIELDS or chars >= BATCH_CHARS
        if len(batch) == size or heavy:
            yield batch
            batch, fields, chars = [], 0, 0
    if batch:
        yield batch


class _PendingBatch:
    """References waiting to be written in one batch, with their keys for in-file duplicates."""

    def __init__(self) -> None:
        self.refs: list[Reference] = []
        self._keys: dict[tuple[str, str], int] = {}

    def add(self, ref: Reference) -> None:
        for key in duplicate_keys(ref):
            self._keys.setdefault(key, len(self.refs))
        self.refs.append(ref)

    def find(self, ref: Reference) -> int | None:
        for key in duplicate_keys(ref):
            if key in self._keys:
                return self._keys[key]
        return None

    def take(self) -> list[Reference]:
        refs, self.refs, self._keys = self.refs, [], {}
        return refs


def _merged(first: Reference, second: Reference) -> Reference:
    tags = first.tags + tuple(t for t in second.tags if t not in first.tags)
    return first.with_changes(**_merge(first, second), tags=tags)


def _file_opener(path: Path, tracker: _ProgressTracker):
    def opener() -> io.BufferedReader:
        return io.BufferedReader(_WatchedFile(path, tracker.advance))

    return opener
