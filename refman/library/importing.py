"""Importing: MEDLINE files, folders and pasted text into the library, with duplicates found
and reported.

Each file is one transaction: a cancel, an error or a kill in the middle of a file leaves the
library as it was before that file, and files finished before stay imported. Records are
checked against the library a batch at a time (the rule is in store/duplicates.py) and every
record not added is named in the report with what it matched and why. Named paths are looked
at before they are opened: files that are not regular files, and the library's own files
(opening those other than through SQLite would drop this process's locks on the library), are
refused unopened; a file that changes while it is read is not imported.
"""

from __future__ import annotations

import enum
import io
import operator
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from refman import collector, formats
from refman.library import backups
from refman.library.changes import Changes
from refman.library.tags import manual_tags
from refman.library.use_case import UseCase
from refman.model import (
    EDITABLE_FIELDS,
    CollectionId,
    DiskFullError,
    ItemId,
    ParseError,
    Problem,
    Reference,
    RefmanError,
    Tag,
)
from refman.store import collection_tree, items
from refman.store.connection import Connection, Database
from refman.store.duplicates import REASONS, DuplicateKeys, Match, best_match

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

DUPLICATE_POLICIES = ("skip", "merge", "keep")
# Files in a dropped or named folder that are worth sniffing for MEDLINE content.
# The reader for text pasted in, and for a named file no reader recognises (its reader says,
# in plain words, what the file is not).
DEFAULT_READER = "medline"
NO_READABLE_FILES = "this folder holds no file that refman can read"
# Files in a folder worth sniffing: the readers' extensions, none, and PubMed's own.
READABLE_SUFFIXES = frozenset(
    {"", ".pubmed", *(ext for fmt in formats.READ_FORMATS.values() for ext in fmt.extensions)}
)
BATCH_SIZE = 500
# A batch also ends once its records hold this many fields or characters (in their source
# records), so that a file of huge records is never held BATCH_SIZE at a time: a batch of
# PubMed records holds some 25,000 fields and 2 million characters.
BATCH_FIELDS = 100_000
BATCH_CHARS = 4_000_000


class _Later(enum.Enum):
    LOOK_UP = "look up"  # a duplicate look-up that must wait for the record's turn


_LOOK_UP_LATER = _Later.LOOK_UP
TITLE_SHOWN = 60  # characters of a title in a line of the import's report
DISK_FULL = "the disk is full: {name} was not imported; nothing in the library changed"
FILE_CHANGED = (
    "it changed while it was being imported; it was not imported: "
    "import it again when it is complete"
)


@dataclass(frozen=True, slots=True)  # slots: re-importing 100,000 records makes 100,000
class NotAdded:
    """A record the import did not add: where it was, what it was, what it matched and why.

    It matched a library item (``item_id``, ``item_title``) or a record before it in the same
    file (``twin_line``); ``reason`` is one of the duplicate rule's reasons ("same PMID", ...).
    """

    path: str
    line: int | None
    pmid: str
    title: str
    reason: str
    merged: bool = False  # merged into what it matched (``duplicates="merge"``), not skipped
    item_id: ItemId | None = None
    item_title: str = ""
    twin_line: int | None = None

    @property
    def message(self) -> str:
        """What happened, in plain words (without the file and line: see ``__str__``)."""
        if self.merged:
            return f"merged {self._record()} into {self._matched()}: {self.reason}"
        return f"skipped {self._record()}: {self.reason} as {self._matched()}"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    def _record(self) -> str:
        title = _quoted(self.title)
        if self.pmid:
            return f"PMID {self.pmid} {title}" if title else f"PMID {self.pmid}"
        return title or "a record"

    def _matched(self) -> str:
        if self.item_id is None:
            return f"the record at line {self.twin_line} of the same file"
        title = _quoted(self.item_title)
        return f"item {self.item_id} {title}" if title else f"item {self.item_id}"


def _quoted(title: str) -> str:
    """A title in quotes, cut short for a one-line report; "" for no title."""
    title = " ".join(title.split())
    if len(title) > TITLE_SHOWN:
        title = title[: TITLE_SHOWN - 3].rstrip() + "..."
    return f'"{title}"' if title else ""


@dataclass
class ImportReport:
    """The outcome of an import: what was added, merged or skipped, and every problem met.

    ``merged`` and ``duplicates`` are the items, already in the library before the file, that
    records were merged into or skipped for; ``not_added`` names every record not added, a
    repeat within one file too. The summary counts ``not_added``.
    """

    added: list[ItemId] = field(default_factory=list)
    merged: list[ItemId] = field(default_factory=list)
    duplicates: list[ItemId] = field(default_factory=list)
    not_added: list[NotAdded] = field(default_factory=list)
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
        merged = sum(record.merged for record in self.not_added)
        skipped = len(self.not_added) - merged
        parts = [f"{len(self.added)} added"]
        if merged:
            parts.append(f"{merged} merged")
        parts.append(f"{skipped} duplicate{'s' * (skipped != 1)} skipped")
        if self.problems:
            parts.append(f"{len(self.problems)} problem{'s' * (len(self.problems) != 1)}")
        files = self.files_read + self.files_failed
        head = "Import cancelled" if self.cancelled else "Imported"
        return f"{head}: {', '.join(parts)} from {files} file{'s' * (files != 1)}."

    def add_file(self, file_report: ImportReport) -> None:
        """Count in the report of one file read whole."""
        self.files_read += 1
        self.added += file_report.added
        self.merged += file_report.merged
        self.duplicates += file_report.duplicates
        self.not_added += file_report.not_added
        self.problems += file_report.problems

    def changes(self) -> Changes:
        return Changes(
            added=frozenset(self.added),
            changed=frozenset(self.merged + self.duplicates),
            tags=True,
            collections=True,
        )


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


def _expand_paths(
    paths: Iterable[str | os.PathLike[str]], problems: list[Problem], library: Path
) -> list[Path]:
    """Files to import: named files as they are, and the MEDLINE files inside named folders.

    A named path that is not a regular file (a FIFO, a socket, a device) or that is one of the
    library's own files is refused, with a problem; nothing is opened here but the files in
    folders, to sniff them.
    """
    own = backups.LibraryFiles(library)
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
                problems.append(Problem(str(path), None, NO_READABLE_FILES))
            files.extend(found)
        elif refusal := own.refusal(path, info) or _not_regular(info):
            problems.append(Problem(str(path), None, refusal))
        else:
            files.append(path)
    return files


def _folder_files(folder: Path, own: backups.LibraryFiles, problems: list[Problem]) -> list[Path]:
    """The files in ``folder`` and its subfolders that a reader recognises, in name order.
    Entries that are no regular files are skipped, the library's own files refused, the others
    sniffed (formats.sniff)."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in READABLE_SUFFIXES or _hidden(path, folder):
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
        elif _sniffed(path) is not None:
            found.append(path)
    return found


def _hidden(path: Path, folder: Path) -> bool:
    """A dot file or a file in a dot folder (.DS_Store, .git, backups/.lock): never a
    reference file, so a folder walk passes it by, as file managers hide it."""
    return any(part.startswith(".") for part in path.relative_to(folder).parts)


def _open_regular(path: Path) -> tuple[io.FileIO, os.stat_result]:
    """``path`` opened for reading without waiting (see _OPEN_FLAGS), and what it is."""
    handle = io.FileIO(os.open(path, _OPEN_FLAGS), "r")
    return handle, os.fstat(handle.fileno())


def _sniffed(path: Path) -> formats.Format | None:
    """The format whose reader reads this file, by its first bytes and its name; None when
    none would (or it cannot be read)."""
    try:
        handle, info = _open_regular(path)
        with handle:
            head = handle.read(formats.SNIFF_BYTES) if stat.S_ISREG(info.st_mode) else b""
    except OSError:
        return None
    return formats.sniff(head, path.name)


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

    def readinto(self, buffer: WriteableBuffer) -> int:
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


class _Source(NamedTuple):
    """What one transaction of an import reads: how to open it, its name, its format."""

    opener: Callable[[], io.BufferedReader]
    name: str
    fmt: formats.Format


class Importing(UseCase):
    """Imports into one open library."""

    def __init__(self, connection: Connection):
        super().__init__(connection)
        self._library_path = connection.path

    def files(
        self,
        paths: Iterable[str | os.PathLike[str]],
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
        added_tags = manual_tags(tags)  # a blank tag stops the import before it starts
        report = ImportReport()
        files = _expand_paths(paths, report.problems, self._library_path)
        total = sum(p.stat().st_size for p in files if p.is_file())
        tracker = _ProgressTracker(total, progress)
        target = self._import_target(collection)
        for path in files:
            if cancelled and cancelled():
                report.cancelled = True
                break
            opener = _file_opener(path, tracker)
            fmt = _sniffed(path) or formats.find_reader(DEFAULT_READER)
            source = _Source(opener, str(path), fmt)
            self._import_source(source, report, duplicates, target, added_tags, cancelled)
            if report.cancelled:
                break
        return report

    def text(
        self,
        text: str,
        *,
        name: str = "clipboard",
        duplicates: str = "skip",
        collection: str | CollectionId | None = None,
        tags: Sequence[str] = (),
    ) -> ImportReport:
        """Import text pasted or dropped on the window, in whichever format it is in."""
        added_tags = manual_tags(tags)
        report = ImportReport()
        target = self._import_target(collection)

        data = text.encode("utf-8")

        def opener() -> io.BufferedReader:
            return io.BufferedReader(io.BytesIO(data))

        # The content decides, as for a file: pasted RIS or BibTeX is read as such.
        fmt = formats.sniff(data[: formats.SNIFF_BYTES]) or formats.find_reader(DEFAULT_READER)
        source = _Source(opener, name, fmt)
        self._import_source(source, report, duplicates, target, added_tags, None)
        return report

    def _import_target(self, collection: str | CollectionId | None) -> CollectionId | None:
        if collection is None or isinstance(collection, int):
            return collection
        name = collection.strip()  # as collections are stored; blank is refused there
        with self._connection.writing() as db:
            found = collection_tree.find(db, name)
            return found.id if found else collection_tree.create(db, name, None).id

    def _import_source(
        self,
        source: _Source,
        report: ImportReport,
        policy: str,
        collection: CollectionId | None,
        tags: Sequence[Tag],
        cancelled: Cancelled | None,
    ) -> None:
        opener, name, fmt = source
        if policy not in DUPLICATE_POLICIES:
            raise RefmanError(f"Unknown duplicate policy '{policy}': use skip, merge or keep.")
        if fmt.reader is None:  # find_reader and sniff give formats with a reader only
            raise RefmanError(f"refman cannot read {fmt.name} files.")
        file_report = ImportReport()
        try:
            # A large file makes and drops millions of small objects, none in a cycle: paused,
            # the cyclic collector stops walking the cached ones again and again (refman.collector).
            with collector.paused(), self._connection.writing() as db:
                with opener() as stream:
                    records = fmt.reader(stream, name=name, on_problem=file_report.problems.append)
                    _FileImport(db, name, policy, file_report).add_all(records, cancelled)
                _file_extras(db, file_report, collection, tags)
        except ImportCancelled:
            report.cancelled = True
        except (ParseError, OSError, DiskFullError) as exc:
            report.problems.append(_failure(name, exc))
            report.files_failed += 1
        else:
            report.add_file(file_report)


def _failure(name: str, exc: ParseError | OSError | DiskFullError) -> Problem:
    """Why a file was not imported (its transaction rolled back), in plain words."""
    if isinstance(exc, ParseError):
        return Problem(exc.path, exc.line, exc.message)
    if isinstance(exc, OSError):
        return Problem(name, None, f"cannot read it ({exc.strerror})")
    return Problem(name, None, DISK_FULL.format(name=Path(name).name))


def _file_extras(
    db: Database, report: ImportReport, collection: CollectionId | None, tags: Sequence[Tag]
) -> None:
    """File the imported items (new and matched) in the collection and add the tags."""
    ids = report.item_ids
    if not ids:
        return
    if collection is not None:
        collection_tree.add_items(db, ids, collection)
    if tags:
        items.tag(db, ids, tags)


_VALUE = operator.itemgetter(1)


def _batches(
    records: Iterable[tuple[int, Reference]], size: int
) -> Iterator[list[tuple[int, Reference]]]:
    """Lists of ``size`` (line, reference) pairs in order, the last one shorter; a list also
    ends early once its references hold BATCH_FIELDS fields or BATCH_CHARS characters."""
    batch: list[tuple[int, Reference]] = []
    fields = chars = 0
    for line, ref in records:
        batch.append((line, ref))
        fields += len(ref.source_record)
        chars += sum(map(len, map(_VALUE, ref.source_record)))
        heavy = fields >= BATCH_FIELDS or chars >= BATCH_CHARS
        if len(batch) == size or heavy:
            yield batch
            batch, fields, chars = [], 0, 0
    if batch:
        yield batch


class _FileImport:
    """The records of one file checked for duplicates and added, a batch at a time.

    A batch's records are looked up in the library together (one query per kind of key, not
    three per record) before any of it is written, and each record is checked against the
    records waiting to be written; written batches are in the library, so a record repeated
    later in the file is still found (and still reported as a repeat within the file).
    """

    def __init__(self, db: Database, name: str, policy: str, report: ImportReport):
        self.db = db
        self.name = name
        self.policy = policy
        self.report = report
        self.pending = _PendingBatch()
        self.written: dict[ItemId, int] = {}  # items added from this file: their record's line

    def add_all(
        self, records: Iterator[tuple[int, Reference]], cancelled: Cancelled | None
    ) -> None:
        for batch in _batches(records, BATCH_SIZE):
            keys = [None if self.policy == "keep" else DuplicateKeys.of(r) for _, r in batch]
            for (line, ref), ref_keys, match in zip(batch, keys, self._matches(keys), strict=True):
                if cancelled and cancelled():
                    raise ImportCancelled("cancelled")
                self._add_one(line, ref, ref_keys, match)
            if len(self.pending.refs) >= BATCH_SIZE or len(batch) < BATCH_SIZE:  # full, or heavy
                self._write()
        self._write()

    def _matches(self, keys: Sequence[DuplicateKeys | None]) -> Sequence[Match | _Later | None]:
        """The item in the library each record duplicates, as it stood before the batch.

        Merging changes items as it goes (a merged item may gain the DOI a later record
        carries), so under that policy each record is looked up when its turn comes.
        """
        if self.policy == "skip":  # every record has its keys: only "keep" leaves them out
            return items.find_matches(self.db, [k for k in keys if k is not None])
        return [_LOOK_UP_LATER if self.policy == "merge" else None] * len(keys)

    def _add_one(
        self, line: int, ref: Reference, keys: DuplicateKeys | None, match: Match | _Later | None
    ) -> None:
        if keys is None:  # the keep policy: every record is added
            self.pending.add(line, ref, keys)
            return
        if match is _LOOK_UP_LATER:
            match = items.find_matches(self.db, [keys])[0]
        twin = self.pending.find(keys)
        if twin is not None and (match is None or _stronger(twin[0], match.reason)):
            self._repeat_in_file(line, ref, *twin)
        elif match is not None:
            self._duplicate(line, ref, match)
        else:
            self.pending.add(line, ref, keys)

    def _repeat_in_file(self, line: int, ref: Reference, reason: str, index: int) -> None:
        """A record that repeats one waiting to be written."""
        merge = self.policy == "merge"
        if merge:
            self.pending.merge(index, ref)
        self._not_added(line, ref, reason, merge, twin_line=self.pending.lines[index])

    def _duplicate(self, line: int, ref: Reference, match: Match) -> None:
        """A record that duplicates an item in the library (perhaps one this file added)."""
        merge = self.policy == "merge"
        if merge:
            self._merge_into(match.item_id, ref)
        twin_line = self.written.get(match.item_id)
        if twin_line is not None:
            self._not_added(line, ref, match.reason, merge, twin_line=twin_line)
            return
        (self.report.merged if merge else self.report.duplicates).append(match.item_id)
        self._not_added(line, ref, match.reason, merge, item=match)

    def _not_added(
        self,
        line: int,
        ref: Reference,
        reason: str,
        merged: bool,
        *,
        twin_line: int | None = None,
        item: Match | None = None,
    ) -> None:
        self.report.not_added.append(
            NotAdded(
                self.name,
                line,
                ref.pmid,
                ref.title,
                reason,
                merged,
                item_id=item.item_id if item else None,
                item_title=item.title if item else "",
                twin_line=twin_line,
            )
        )

    def _merge_into(self, item_id: ItemId, incoming: Reference) -> None:
        (existing,) = items.load(self.db, [item_id])
        changes = _merge(existing, incoming)
        if changes:
            items.update(self.db, item_id, changes)
        if incoming.tags:
            items.tag(self.db, [item_id], incoming.tags)

    def _write(self) -> None:
        refs, lines = self.pending.take()
        ids = items.insert(self.db, refs)
        self.written.update(zip(ids, lines, strict=True))
        self.report.added += ids


def _stronger(reason: str, than: str) -> bool:
    """True when ``reason`` is a stronger reason to match than ``than`` (see REASONS)."""
    return REASONS.index(reason) < REASONS.index(than)


class _PendingBatch:
    """References waiting to be written in one batch, with their lines and duplicate keys.

    ``find`` puts the records sharing a key with a new one through the duplicate rule.
    """

    def __init__(self) -> None:
        self.refs: list[Reference] = []
        self.lines: list[int] = []
        self._keys: list[DuplicateKeys | None] = []
        self._by_key: dict[tuple[str, str], list[int]] = {}

    def add(self, line: int, ref: Reference, keys: DuplicateKeys | None) -> None:
        self.refs.append(ref)
        self.lines.append(line)
        self._keys.append(keys)
        if keys is not None:
            self._index(len(self.refs) - 1, keys)

    def find(self, keys: DuplicateKeys) -> tuple[str, int] | None:
        """(reason, index) of the waiting record that ``keys`` matches best, or None."""
        indexes = {i for key in keys.lookups() for i in self._by_key.get(key, ())}
        # Only records with keys are indexed.
        candidates = ((k, (i,), i) for i in indexes if (k := self._keys[i]) is not None)
        return best_match(keys, candidates)

    def merge(self, index: int, ref: Reference) -> None:
        """Merge ``ref`` into the waiting record ``index``, which may gain keys."""
        merged = _merged(self.refs[index], ref)
        self.refs[index] = merged
        keys = self._keys[index] = DuplicateKeys.of(merged)
        self._index(index, keys)

    def take(self) -> tuple[list[Reference], list[int]]:
        taken = self.refs, self.lines
        self.refs, self.lines, self._keys, self._by_key = [], [], [], {}
        return taken

    def _index(self, index: int, keys: DuplicateKeys) -> None:
        for key in keys.lookups():
            found = self._by_key.setdefault(key, [])
            if index not in found:
                found.append(index)


def _merged(first: Reference, second: Reference) -> Reference:
    tags = first.tags + tuple(t for t in second.tags if t not in first.tags)
    return first.with_changes(**_merge(first, second), tags=tags)


def _file_opener(path: Path, tracker: _ProgressTracker) -> Callable[[], io.BufferedReader]:
    def opener() -> io.BufferedReader:
        return io.BufferedReader(_WatchedFile(path, tracker.advance))

    return opener
