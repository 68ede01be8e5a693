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
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from refman import collector, formats
from refman.library import backups
from refman.library.batches import BatchRecorder, FileChanges, extras_given
from refman.library.changes import Changes
from refman.library.notes import html_of_text, same_text
from refman.library.review import (
    CHANGED_SINCE_REVIEW,
    CHOICES,
    FileReview,
    FileReviewer,
    ImportReview,
    describe_match,
    describe_record,
    signature_of,
)
from refman.library.tags import manual_tags
from refman.library.use_case import UseCase
from refman.model import (
    EDITABLE_FIELDS,
    CollectionId,
    DiskFullError,
    ItemId,
    NoteId,
    ParseError,
    Problem,
    Reference,
    RefmanError,
    Tag,
)
from refman.store import collection_tree, items, notes
from refman.store.connection import Connection, Database
from refman.store.duplicates import REASONS, DuplicateKeys, Match, RecordIndex

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

DUPLICATE_POLICIES = ("skip", "merge", "keep")
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
EXTRAS_AT_ONCE = 5_000  # items filed in the import's collection and tagged together
# Bulk mode (store/bulk_load.py, issue 18): a file large against the library is imported with
# the indexes that take its rows at random places made once, at the end of its transaction.
# It pays once the indexes outgrow SQLite's page cache, and making them anew sorts the whole
# library's rows, the old ones too: so a file of BULK_MIN_RECORDS records or more (estimated
# from its size, BYTES_PER_RECORD a record, a MEDLINE record's size) that holds at least
# BULK_LIBRARY_SHARE as many records as the library holds items.
BYTES_PER_RECORD = 3_000
BULK_MIN_RECORDS = 20_000
BULK_LIBRARY_SHARE = 0.5


class _Later(enum.Enum):
    LOOK_UP = "look up"  # a duplicate look-up that must wait for the record's turn


_LOOK_UP_LATER = _Later.LOOK_UP
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
        return describe_record(self.pmid, self.title)

    def _matched(self) -> str:
        return describe_match(self.item_id, self.item_title, self.twin_line)


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
    left_out: int = 0  # records the user chose not to import (a reviewed import)
    batch: int | None = None  # the import as remembered (library.imports), when it changed anything

    @property
    def item_ids(self) -> list[ItemId]:
        """Every library item the import touched, new or matched, in file order."""
        return list(dict.fromkeys(self.added + self.merged + self.duplicates))

    @property
    def nothing_read(self) -> bool:
        return self.files_read == 0 and not self.cancelled

    def summary(self, origin: str | None = None) -> str:
        """"Imported: 3 added, 1 duplicate skipped from 2 files."; ``origin`` replaces "from 2
        files" where the records came from elsewhere ("from 4 identifiers")."""
        merged = sum(record.merged for record in self.not_added)
        skipped = len(self.not_added) - merged
        parts = [f"{len(self.added)} added"]
        if merged:
            parts.append(f"{merged} merged")
        parts.append(f"{skipped} duplicate{'s' * (skipped != 1)} skipped")
        if self.left_out:
            parts.append(f"{self.left_out} left out")
        if self.problems:
            parts.append(f"{len(self.problems)} problem{'s' * (len(self.problems) != 1)}")
        if origin is None:
            files = self.files_read + self.files_failed
            origin = f"from {files} file{'s' * (files != 1)}"
        head = "Import cancelled" if self.cancelled else "Imported"
        return f"{head}: {', '.join(parts)} {origin}."

    def add_file(self, file_report: ImportReport) -> None:
        """Count in the report of one file read whole."""
        self.files_read += 1
        self.added += file_report.added
        self.merged += file_report.merged
        self.duplicates += file_report.duplicates
        self.not_added += file_report.not_added
        self.problems += file_report.problems
        self.left_out += file_report.left_out

    def changes(self) -> Changes:
        return Changes(
            added=frozenset(self.added),
            changed=frozenset(self.merged + self.duplicates),
            tags=True,
            collections=True,
            notes=frozenset(self.merged),  # the notes a merge added (new items are new)
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

    def __init__(
        self,
        path: Path,
        on_read: Callable[[int], None],
        reviewed: tuple[int, int, int, int] | None = None,
    ):
        self._path = path
        self._on_read = on_read
        self._file, self._before = _open_regular(path)
        self._read = 0
        refusal = _not_regular(self._before)
        if reviewed is not None and signature_of(self._before) != reviewed:
            refusal = CHANGED_SINCE_REVIEW  # the user chose for records it may no longer hold
        if refusal:
            self._file.close()
            raise ParseError(str(path), None, refusal)

    @property
    def signature(self) -> tuple[int, int, int, int]:
        """What the file was when it was opened (see review.signature_of)."""
        return signature_of(self._before)

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
    """What one transaction of an import reads: how to open it, its name, its format, and its
    size in bytes when it is a file (0 for text: never a bulk import)."""

    opener: Callable[[], io.BufferedReader]
    name: str
    fmt: formats.Format
    size: int = 0


# How the import treats each record of a file: chooser(its place in the file, its line) gives
# the duplicate policy for it, or None to leave it out.
Chooser = Callable[[int, int], "str | None"]


def _one_policy(policy: str) -> Chooser:
    if policy not in DUPLICATE_POLICIES:
        raise RefmanError(f"Unknown duplicate policy '{policy}': use skip, merge or keep.")
    return lambda _index, _line: policy


class Importing(UseCase):
    """Imports into one open library; reviews an import before it is made."""

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
        """Import files and folders; each file is one transaction, the whole one batch.

        A cancel, an error or a kill in the middle of a file leaves the library as it was
        before that file; files finished before stay imported.
        """
        choose = _one_policy(duplicates)
        added_tags = manual_tags(tags)  # a blank tag stops the import before it starts
        report = ImportReport()
        files = _expand_paths(paths, report.problems, self._library_path)
        total = sum(p.stat().st_size for p in files if p.is_file())
        tracker = _ProgressTracker(total, progress)
        run = _Run(self._import_target(collection), added_tags, cancelled)
        for path in files:
            if cancelled and cancelled():
                report.cancelled = True
                break
            opener = _file_opener(path, tracker)
            fmt = _sniffed(path) or formats.UNREADABLE
            source = _Source(opener, str(path), fmt, _size_of(path))
            self._import_source(source, report, choose, run)
            if report.cancelled:
                break
        report.batch = run.recorder.batch_id
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
        choose = _one_policy(duplicates)
        added_tags = manual_tags(tags)
        report = ImportReport()
        run = _Run(self._import_target(collection), added_tags, None)
        source = _Source(_text_opener(text), name, _pasted_format(text))
        self._import_source(source, report, choose, run)
        report.batch = run.recorder.batch_id
        return report

    def answers(
        self,
        answers: Sequence[tuple[str, str, bytes]],
        *,
        duplicates: str = "skip",
        collection: str | CollectionId | None = None,
        tags: Sequence[str] = (),
    ) -> ImportReport:
        """Import answers fetched over the network (refman.library.adding), each a name for the
        report, the key of its format and its bytes as sent, each read as a file is; the whole
        is one batch."""
        choose = _one_policy(duplicates)
        added_tags = manual_tags(tags)
        report = ImportReport()
        run = _Run(self._import_target(collection), added_tags, None)
        for name, format_key, body in answers:
            source = _Source(_bytes_opener(body), name, formats.find_reader(format_key))
            self._import_source(source, report, choose, run)
        report.batch = run.recorder.batch_id
        return report

    # --- the review, and the import of what it reviewed ----------------------------------------

    def review(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> ImportReview:
        """What importing these files and folders would do to each record (review.py), in
        one snapshot of the library; nothing is written."""
        with self._connection.reading() as db:
            return review_paths(
                paths, self._library_path, _library_look_up(db), progress, cancelled
            )

    def review_text(self, text: str, *, name: str = "clipboard") -> ImportReview:
        """What importing this pasted text would do to each record; nothing is written."""
        with self._connection.reading() as db:
            return review_pasted(text, name, _library_look_up(db))

    def commit(
        self,
        review: ImportReview,
        choices: Mapping[tuple[int, int], str] | None = None,
        *,
        collection: str | CollectionId | None = None,
        tags: Sequence[str] = (),
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> ImportReport:
        """Import what ``review`` read, with the user's choice for each record (by its key;
        a record without one gets its default: new ones imported, the others skipped).

        Each file is read again and is one transaction, as in ``files``; the whole is one
        batch. A file that changed since the review is not imported.
        """
        chosen = dict(choices or {})
        unknown = set(chosen.values()) - set(CHOICES)
        if unknown:
            raise RefmanError(f"Unknown choice {sorted(unknown)[0]!r}: use {', '.join(CHOICES)}.")
        added_tags = manual_tags(tags)
        report = ImportReport(problems=list(review.problems))
        tracker = _ProgressTracker(review.total_size, progress)
        run = _Run(self._import_target(collection), added_tags, cancelled)
        for reviewed in review.files:
            if cancelled and cancelled():
                report.cancelled = True
                break
            if reviewed.failure is not None:
                report.problems.append(reviewed.failure)
                report.files_failed += 1
                continue
            opener = _reviewed_opener(reviewed, tracker)
            size = 0 if reviewed.text is not None else reviewed.size
            source = _Source(opener, reviewed.path, _format(reviewed), size)
            self._import_source(source, report, reviewed.chooser(chosen), run)
            if report.cancelled:
                break
        report.batch = run.recorder.batch_id
        return report

    # --- one file ----------------------------------------------------------------------------

    def _import_target(self, collection: str | CollectionId | None) -> CollectionId | None:
        if collection is None or isinstance(collection, int):
            return collection
        name = collection.strip()  # as collections are stored; blank is refused there
        with self._connection.writing() as db:
            found = collection_tree.find(db, name)
            return found.id if found else collection_tree.create(db, name, None).id

    def _import_source(
        self, source: _Source, report: ImportReport, choose: Chooser, run: _Run
    ) -> None:
        opener, name, fmt, size = source
        if fmt.reader is None:  # find_reader and sniff give formats with a reader only
            raise RefmanError(f"refman cannot read {fmt.name} files.")
        file_report = ImportReport()
        changes = FileChanges()
        bulk = self._bulk(size)
        writing = self._connection.bulk_writing if bulk else self._connection.writing
        try:
            # A large file makes and drops millions of small objects, none in a cycle: paused,
            # the cyclic collector stops walking the cached ones again and again (refman.collector).
            with collector.paused(), writing() as db:
                with opener() as stream:
                    records = fmt.reader(stream, name=name, on_problem=file_report.problems.append)
                    _FileImport(db, name, choose, file_report, changes).add_all(
                        records, run.cancelled
                    )
                _file_extras(db, file_report, changes, run)
                batch_id = run.recorder.record(db, name, changes)
        except ImportCancelled:
            report.cancelled = True
        except (ParseError, OSError, DiskFullError) as exc:
            report.problems.append(_failure(name, exc))
            report.files_failed += 1
        else:
            report.add_file(file_report)
            run.recorder.committed(batch_id, name, changes)
            if bulk:  # most of the library's tags are new: sorted now, not by the next list
                self._connection.keep_tag_listing()

    def _bulk(self, size: int) -> bool:
        """Whether a file of ``size`` bytes is imported in bulk mode (BULK_MIN_RECORDS)."""
        records = size // BYTES_PER_RECORD
        if records < BULK_MIN_RECORDS:
            return False
        with self._connection.reading() as db:
            return records >= BULK_LIBRARY_SHARE * items.total(db)


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the import itself says why it cannot read it


@dataclass
class _Run:
    """What every file of one import shares: where the items go, the tags they get, the
    cancel flag, and the batch being recorded."""

    collection: CollectionId | None
    tags: Sequence[Tag]
    cancelled: Cancelled | None
    recorder: BatchRecorder = field(default_factory=BatchRecorder)


def _failure(name: str, exc: ParseError | OSError | DiskFullError) -> Problem:
    """Why a file was not imported (its transaction rolled back), in plain words."""
    if isinstance(exc, ParseError):
        return Problem(exc.path, exc.line, exc.message)
    if isinstance(exc, OSError):
        return Problem(name, None, f"cannot read it ({exc.strerror})")
    return Problem(name, None, DISK_FULL.format(name=Path(name).name))


def _file_extras(db: Database, report: ImportReport, changes: FileChanges, run: _Run) -> None:
    """File the imported items (new and matched) in the collection and add the tags, a chunk
    of items at a time: a file of a million records must not build a million rows at once."""
    if run.collection is None and not run.tags:
        return
    changes.all_changed()  # the new items are filed and tagged too
    # Items the library held before the file; the ones it added are all in report.added.
    old = list(dict.fromkeys(report.merged + report.duplicates))
    extras_given(db, changes, old, run.collection, [tag.name for tag in run.tags])
    for ids in (report.added, old):
        for start in range(0, len(ids), EXTRAS_AT_ONCE):
            chunk = ids[start : start + EXTRAS_AT_ONCE]
            if run.collection is not None:
                collection_tree.add_items(db, chunk, run.collection)
            if run.tags:
                items.tag(db, chunk, run.tags)


# --- reviewing ----------------------------------------------------------------------------------

# look_up(keys of a batch of records) -> the library item each duplicates, or None.
LookUp = Callable[[Sequence[DuplicateKeys]], Sequence["Match | None"]]


def _library_look_up(db: Database) -> LookUp:
    return lambda keys: items.find_matches(db, keys)


def _nothing_matches(keys: Sequence[DuplicateKeys]) -> list[Match | None]:
    return [None] * len(keys)


def review_paths(
    paths: Iterable[str | os.PathLike[str]],
    library: Path,
    look_up: LookUp = _nothing_matches,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportReview:
    """The review of files and folders against ``look_up`` (the library's items; by default
    none, for a library that does not exist yet). Named paths are looked at as the import
    looks at them (``library``'s own files refused)."""
    review = ImportReview()
    files = _expand_paths(paths, review.problems, library)
    tracker = _ProgressTracker(sum(p.stat().st_size for p in files if p.is_file()), progress)
    for path in files:
        if cancelled and cancelled():
            review.cancelled = True
            break
        fmt = _sniffed(path) or formats.UNREADABLE
        file_review = FileReview(len(review.files), str(path), fmt.key, fmt.name)
        review.files.append(file_review)

        def opener(path: Path = path, file_review: FileReview = file_review) -> io.BufferedReader:
            watched = _WatchedFile(path, tracker.advance)
            file_review.signature, file_review.size = watched.signature, watched.signature[2]
            return io.BufferedReader(watched)

        _review_source(_Source(opener, str(path), fmt), file_review, look_up, cancelled)
        if file_review.cancelled:
            review.cancelled = True
            break
    return review


def review_pasted(text: str, name: str, look_up: LookUp = _nothing_matches) -> ImportReview:
    """The review of pasted text, read in the format ``Importing.text`` reads it in."""
    fmt = _pasted_format(text)
    file_review = FileReview(0, name, fmt.key, fmt.name, text=text)
    _review_source(_Source(_text_opener(text), name, fmt), file_review, look_up, None)
    return ImportReview(files=[file_review])


def _review_source(
    source: _Source, file_review: FileReview, look_up: LookUp, cancelled: Cancelled | None
) -> None:
    opener, name, fmt, _ = source
    if fmt.reader is None:
        raise RefmanError(f"refman cannot read {fmt.name} files.")
    reviewer = FileReviewer(file_review)
    try:
        with collector.paused(), opener() as stream:
            records = fmt.reader(stream, name=name, on_problem=reviewer.problem)
            for batch in _batches(records, BATCH_SIZE):
                if cancelled and cancelled():
                    file_review.cancelled = True
                    return
                keys = [DuplicateKeys.of(ref) for _, ref in batch]
                reviewer.take(batch, keys, look_up(keys))
    except (ParseError, OSError) as exc:
        reviewer.failed(_failure(name, exc))


def _format(reviewed: FileReview) -> formats.Format:
    return formats.find_reader(reviewed.format_key)


def _reviewed_opener(
    reviewed: FileReview, tracker: _ProgressTracker
) -> Callable[[], io.BufferedReader]:
    """Opens the reviewed file again (refused when it is not the file reviewed), or the
    reviewed text."""
    if reviewed.text is not None:
        return _text_opener(reviewed.text)
    path, signature = Path(reviewed.path), reviewed.signature

    def opener() -> io.BufferedReader:
        return io.BufferedReader(_WatchedFile(path, tracker.advance, signature))

    return opener


# --- one file's records -------------------------------------------------------------------------

_VALUE = operator.itemgetter(1)
_Record = TypeVar("_Record", bound=tuple[Any, ...])  # (line, reference, ...)


def _batches(records: Iterable[_Record], size: int) -> Iterator[list[_Record]]:
    """Lists of ``size`` records, each (line, reference, ...), in order, the last one
    shorter; a list also ends early once its references hold BATCH_FIELDS fields or
    BATCH_CHARS characters."""
    batch: list[_Record] = []
    fields = chars = 0
    for record in records:
        batch.append(record)
        ref: Reference = record[1]
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
    ``choose`` gives each record its duplicate policy (the same for all, or the user's choice
    from a review), or leaves it out. What the file adds and merges goes into ``changes``,
    for the import's batch.
    """

    def __init__(
        self,
        db: Database,
        name: str,
        choose: Chooser,
        report: ImportReport,
        changes: FileChanges,
    ):
        self.db = db
        self.name = name
        self.choose = choose
        self.report = report
        self.changes = changes
        self.pending = _PendingBatch()
        self.written = _Written()  # items added from this file, with their record's line
        self.new_items = items.NewItems(changes.prints)

    def add_all(
        self, records: Iterator[tuple[int, Reference]], cancelled: Cancelled | None
    ) -> None:
        for batch in _batches(self._chosen(records), BATCH_SIZE):
            keys = [None if policy == "keep" else DuplicateKeys.of(r) for _, r, policy in batch]
            matches = self._matches([policy for *_, policy in batch], keys)
            for (line, ref, policy), ref_keys, match in zip(batch, keys, matches, strict=True):
                if cancelled and cancelled():
                    raise ImportCancelled("cancelled")
                self._add_one(line, ref, policy, ref_keys, match)
            if len(self.pending.refs) >= BATCH_SIZE or len(batch) < BATCH_SIZE:  # full, or heavy
                self._write()
        self._write()
        self.new_items.index_pending(self.db)

    def _chosen(
        self, records: Iterator[tuple[int, Reference]]
    ) -> Iterator[tuple[int, Reference, str]]:
        """(line, reference, policy) of the records to import; the others counted out."""
        for index, (line, ref) in enumerate(records):
            policy = self.choose(index, line)
            if policy is None:
                self.report.left_out += 1
            else:
                yield line, ref, policy

    def _matches(
        self, policies: Sequence[str], keys: Sequence[DuplicateKeys | None]
    ) -> Sequence[Match | _Later | None]:
        """The item in the library each record duplicates, as it stood before the batch.

        Merging changes items as it goes (a merged item may gain the DOI a later record
        carries), so when a record of the batch may merge, each is looked up when its turn
        comes. Records kept whatever they match ("keep") have no keys and no match.
        """
        if "merge" in policies:
            return [None if k is None else _LOOK_UP_LATER for k in keys]
        found = iter(items.find_matches(self.db, [k for k in keys if k is not None]))
        return [None if k is None else next(found) for k in keys]

    def _add_one(
        self,
        line: int,
        ref: Reference,
        policy: str,
        keys: DuplicateKeys | None,
        match: Match | _Later | None,
    ) -> None:
        if keys is None:  # the keep policy: every record is added
            self.pending.add(line, ref, keys)
            return
        if match is _LOOK_UP_LATER:
            match = items.find_matches(self.db, [keys])[0]
        twin = self.pending.find(keys)
        if twin is not None and (match is None or _stronger(twin[0], match.reason)):
            self._repeat_in_file(line, ref, policy, *twin)
        elif match is not None:
            self._duplicate(line, ref, policy, match)
        else:
            self.pending.add(line, ref, keys)

    def _repeat_in_file(
        self, line: int, ref: Reference, policy: str, reason: str, index: int
    ) -> None:
        """A record that repeats one waiting to be written."""
        merge = policy == "merge"
        if merge:
            self.pending.merge(index, ref)
        self._not_added(line, ref, reason, merge, twin_line=self.pending.lines[index])

    def _duplicate(self, line: int, ref: Reference, policy: str, match: Match) -> None:
        """A record that duplicates an item in the library (perhaps one this file added)."""
        merge = policy == "merge"
        if merge:
            self._merge_into(match.item_id, ref)
        twin_line = self.written.line_of(match.item_id)
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
        if self.new_items.waiting(item_id):  # its words must be in the index to be changed
            self.new_items.index_pending(self.db)
        (existing,) = items.load(self.db, [item_id])
        changes = _merge(existing, incoming)
        if self.written.line_of(item_id) is None:  # an item the library held before: as it was
            self.changes.before(self.db, [item_id])
        if changes:
            items.update(self.db, item_id, changes)
        carried = {tag.name for tag in existing.tags}
        new_tags = [tag for tag in incoming.tags if tag.name not in carried]
        if new_tags:
            items.tag(self.db, [item_id], new_tags)
        note_ids = _notes_merged(self.db, item_id, incoming.notes)
        if changes or new_tags or note_ids:
            self.changes.merged(
                item_id, existing, changes, [tag.name for tag in new_tags], note_ids
            )

    def _write(self) -> None:
        refs, lines = self.pending.take()
        ids = items.insert(self.db, refs, self.new_items)
        self.changes.changed_since.update(i for i, r in zip(ids, refs, strict=True) if r.notes)
        # The file's notes go with their items, in the same transaction (and the same batch).
        notes.add_many(
            self.db,
            [
                (item_id, html_of_text(text))
                for item_id, ref in zip(ids, refs, strict=True)
                for text in ref.notes
            ],
        )
        self.written.extend(ids, lines)
        self.report.added += ids
        self.changes.added += ids


def _notes_merged(db: Database, item_id: ItemId, texts: Sequence[str]) -> list[NoteId]:
    """Add to the item the notes of a record merged into it that it has not got (the same
    words, whatever the markup); the new notes' ids."""
    if not texts:
        return []
    had = {same_text(note.html) for note in notes.of_item(db, item_id)}
    new = [text for text in dict.fromkeys(texts) if same_text(html_of_text(text)) not in had]
    return notes.add_many(db, [(item_id, html_of_text(text)) for text in new])


def _stronger(reason: str, than: str) -> bool:
    """True when ``reason`` is a stronger reason to match than ``than`` (see REASONS)."""
    return REASONS.index(reason) < REASONS.index(than)


class _Written:
    """The items a file added so far, each with its record's line, in two arrays of machine
    integers: a dict of a million int pairs would take some 150 bytes an item for the whole
    file, these take 16. The ids ascend (``items.insert`` gives each batch the ids past the
    largest), so an item is found by bisection."""

    def __init__(self) -> None:
        self._ids = array("q")
        self._lines = array("q")

    def extend(self, ids: Sequence[ItemId], lines: Sequence[int]) -> None:
        if ids and self._ids and ids[0] <= self._ids[-1]:
            raise AssertionError("items.insert gave ids that do not ascend")
        self._ids.extend(ids)
        self._lines.extend(lines)

    def line_of(self, item_id: ItemId) -> int | None:
        """The line of the record that added ``item_id``; None for an item not added here."""
        at = bisect_left(self._ids, item_id)
        if at < len(self._ids) and self._ids[at] == item_id:
            return self._lines[at]
        return None


class _PendingBatch:
    """References waiting to be written in one batch, with their lines, found again by their
    duplicate keys (``RecordIndex``)."""

    def __init__(self) -> None:
        self.refs: list[Reference] = []
        self.lines: list[int] = []
        self._index = RecordIndex()

    def add(self, line: int, ref: Reference, keys: DuplicateKeys | None) -> None:
        self.refs.append(ref)
        self.lines.append(line)
        self._index.add(keys)

    def find(self, keys: DuplicateKeys) -> tuple[str, int] | None:
        """(reason, index) of the waiting record that ``keys`` matches best, or None."""
        return self._index.find(keys)

    def merge(self, index: int, ref: Reference) -> None:
        """Merge ``ref`` into the waiting record ``index``, which may gain keys."""
        merged = _merged(self.refs[index], ref)
        self.refs[index] = merged
        self._index.rekey(index, DuplicateKeys.of(merged))

    def take(self) -> tuple[list[Reference], list[int]]:
        taken = self.refs, self.lines
        self.refs, self.lines, self._index = [], [], RecordIndex()
        return taken


def _merged(first: Reference, second: Reference) -> Reference:
    tags = first.tags + tuple(t for t in second.tags if t not in first.tags)
    kept = first.notes + tuple(n for n in second.notes if n not in first.notes)
    return first.with_changes(**_merge(first, second), tags=tags, notes=kept)


def _file_opener(path: Path, tracker: _ProgressTracker) -> Callable[[], io.BufferedReader]:
    def opener() -> io.BufferedReader:
        return io.BufferedReader(_WatchedFile(path, tracker.advance))

    return opener


def _pasted_format(text: str) -> formats.Format:
    """The content decides, as for a file: pasted RIS or BibTeX is read as such."""
    head = text[: formats.SNIFF_BYTES].encode("utf-8")[: formats.SNIFF_BYTES]
    return formats.sniff(head) or formats.UNREADABLE


def _text_opener(text: str) -> Callable[[], io.BufferedReader]:
    return _bytes_opener(text.encode("utf-8"))


def _bytes_opener(data: bytes) -> Callable[[], io.BufferedReader]:
    def opener() -> io.BufferedReader:
        return io.BufferedReader(io.BytesIO(data))

    return opener
