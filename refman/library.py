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

from refman import backups, collector, files, formats, paths, storage
from refman.formats import medline
from refman.model import (
    EDITABLE_FIELDS,
    TAG_MANUAL,
    BusyError,
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
from refman.store import (
    REASONS,
    DuplicateKeys,
    Match,
    Store,
    add_damage_listener,
    best_match,
    store_file_key,
)

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
TITLE_SHOWN = 60  # characters of a title in a line of the import's report
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
CHECK_RECORDS = "every item's stored source record"
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
    """What a check finds; a check that SQLite cannot even run is a problem too, but a busy
    library is only busy: the check stops and says so (BusyError)."""
    try:
        return find()
    except BusyError:
        raise
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


def _expand_paths(
    paths: Iterable[str | os.PathLike], problems: list[Problem], library: Path
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
                problems.append(Problem(str(path), None, "this folder holds no MEDLINE files"))
            files.extend(found)
        elif refusal := own.refusal(path, info) or _not_regular(info):
            problems.append(Problem(str(path), None, refusal))
        else:
            files.append(path)
    return files


def _folder_files(folder: Path, own: backups.LibraryFiles, problems: list[Problem]) -> list[Path]:
    """The MEDLINE files in ``folder`` and its subfolders, in name order. Entries that are no
    regular files are skipped, the library's own files refused, the others sniffed."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in MEDLINE_SUFFIXES or _hidden(path, folder):
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


def _hidden(path: Path, folder: Path) -> bool:
    """A dot file or a file in a dot folder (.DS_Store, .git, backups/.lock): never a
    reference file, so a folder walk passes it by, as file managers hide it."""
    return any(part.startswith(".") for part in path.relative_to(folder).parts)


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

        A path that cannot be a library (a folder, a device, a missing folder...) raises
        LibraryError before SQLite sees it (paths.check_library_path). A library this
        process may not write (a read-only disk or folder) opens read-only, and ``notice``
        says so. Before it is opened for writing, SQLite's quick check runs on it once per
        process (``verify``; see backups; the window passes False and checks in the
        background): a damaged one raises DamagedLibraryError.
        """
        self.path = Path(path)
        self.notice = ""  # a sentence for the user when the library is not as asked
        paths.check_library_path(self.path)
        # The library is on a network drive or in a synced folder (see refman.storage).
        self.storage_warning = storage.storage_warning(self.path)
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

    def snapshot(self):
        """A context in which every read sees one state of the library: several calls (a
        search, then its items chunk by chunk) agree even while another program writes.
        Make no change inside it."""
        return self.store.reading()

    def refuse_writes(self, notice: str) -> None:
        """Refuse every change from now on (damage was found while the library was open)."""
        self.store.read_only = True
        self.notice = notice

    def verify(self) -> None:
        """SQLite's quick check of the whole file (once per process; see backups.verify):
        DamagedLibraryError when it fails, and the library takes no more changes."""
        backups.verify(self.path)

    def on_damage(self, listener: Callable[[backups.DamagedLibraryError], None]):
        """Call ``listener`` (in the thread that met it) when SQLite finds this library
        damaged while it is open; returns a function that stops the calls."""

        def heard(path: Path, problem: str) -> None:
            if store_file_key(path) == store_file_key(self.path):
                listener(backups.damaged(self.path, problem))

        return add_damage_listener(heard)

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
            self._check_source_records(report)
        if report.damaged:
            report.backup = backups.latest_good_backup(self.path)
        backups.forget_verified(self.path)
        return report

    def _check_source_records(self, report: CheckReport) -> None:
        """Records that cannot be decoded are dropped (the copy saved before keeps them):
        their items keep every field and are written from those, as items made in refman."""
        damaged = dict(self.store.damaged_source_records())

        def find() -> list[str]:
            return [
                f"item {item_id}: {what}" for item_id, what in self.store.damaged_source_records()
            ]

        drop = (
            lambda: self.store.drop_source_records(list(damaged)),
            "dropped the unreadable source records (their items keep every field)",
        )
        self._check_step(report, CHECK_RECORDS, find, [drop])

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
        tags = [tag_name(name) for name in tags]  # a blank tag stops the import before it starts
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
        tags = [tag_name(name) for name in tags]
        report = ImportReport()
        target = self._import_target(collection)

        def opener() -> io.BufferedReader:
            return io.BufferedReader(io.BytesIO(text.encode("utf-8")))

        self._import_source(opener, name, report, duplicates, target, tags, None)
        return report

    def _import_target(self, collection: str | CollectionId | None) -> CollectionId | None:
        if collection is None or isinstance(collection, int):
            return collection
        name = collection.strip()  # as create_collection stores it; blank is refused there
        found = self.store.find_collection(name)
        if found:
            return found.id
        with self.store.transaction():
            return self.store.create_collection(name).id

    def _import_source(self, opener, name, report, policy, collection, tags, cancelled) -> None:
        if policy not in DUPLICATE_POLICIES:
            raise RefmanError(f"Unknown duplicate policy '{policy}': use skip, merge or keep.")
        file_report = ImportReport()
        try:
            # A large file makes and drops millions of small objects, none in a cycle: paused,
            # the cyclic collector stops walking the cached ones again and again (refman.collector).
            with collector.paused(), self.store.transaction():
                with opener() as stream:
                    records = medline.read_numbered(
                        stream, name=name, on_problem=file_report.problems.append
                    )
                    _FileImport(self.store, name, policy, file_report).add_all(records, cancelled)
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
        report.not_added += file_report.not_added
        report.problems += file_report.problems

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
        """Ids of the items in a view (collection x tags x search text), sorted in SQL.

        Blank ``text`` narrows nothing. Text that is not blank but holds no word to search
        for (``?``, ``*``, an emoji) raises NoWordsError: it never means every item.
        """
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
        """Add manual tags; a blank name is refused (RefmanError) before anything changes."""
        tags = [Tag(tag_name(name), TAG_MANUAL) for name in names]
        with self.store.transaction():
            self.store.add_tags(ids, tags)
        return Changes(changed=frozenset(ids), tags=True)

    def remove_tags(self, ids: Sequence[ItemId], names: Sequence[str]) -> Changes:
        names = [tag_name(name) for name in names]
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
        new = tag_name(new)
        with self.store.transaction():
            self.store.rename_tag(old, new)
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

    def write_export(self, path: str | os.PathLike, text: str) -> None:
        """Write an export to ``path`` whole or not at all (refman.files); never over the
        library, its -wal/-shm or a backup, which only SQLite may touch."""
        if backups.is_library_file(self.path, path):
            raise LibraryError(
                f"{path} is the library itself or one of its backups: choose another file."
            )
        files.write_text_atomically(path, text)

    def cite(self, ids: Sequence[ItemId], style: str | None = None, fmt: str = "text") -> str:
        """One in-text citation of the items ``ids`` in a CSL ``style`` ("1-3", "(Knowles…)").

        ``fmt`` is ``text``, ``html`` or ``rtf``; the style defaults to the CSL default.
        """
        return formats.cite(self.store.get_many(ids, source_records=False), style, fmt)


def tag_name(name: str) -> str:
    """A tag name as stored: without the spaces around it. RefmanError when nothing is left:
    a blank tag shows as an empty row in the tag list and cannot be searched for."""
    stripped = name.strip()
    if not stripped:
        raise RefmanError("A tag needs a name: it cannot be blank.")
    return stripped


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

    def __init__(self, store: Store, name: str, policy: str, report: ImportReport):
        self.store = store
        self.name = name
        self.policy = policy
        self.report = report
        self.pending = _PendingBatch()
        self.written: dict[ItemId, int] = {}  # items added from this file: their record's line

    def add_all(self, records: Iterator[tuple[int, Reference]], cancelled) -> None:
        for batch in _batches(records, BATCH_SIZE):
            keys = [None if self.policy == "keep" else DuplicateKeys.of(r) for _, r in batch]
            for (line, ref), ref_keys, match in zip(batch, keys, self._matches(keys), strict=True):
                if cancelled and cancelled():
                    raise ImportCancelled("cancelled")
                self._add_one(line, ref, ref_keys, match)
            if len(self.pending.refs) >= BATCH_SIZE or len(batch) < BATCH_SIZE:  # full, or heavy
                self._write()
        self._write()

    def _matches(self, keys: Sequence[DuplicateKeys | None]) -> Sequence[Match | None]:
        """The item in the library each record duplicates, as it stood before the batch.

        Merging changes items as it goes (a merged item may gain the DOI a later record
        carries), so under that policy each record is looked up when its turn comes.
        """
        if self.policy == "skip":
            return self.store.find_matches(keys)
        return [_LOOK_UP_LATER if self.policy == "merge" else None] * len(keys)

    def _add_one(self, line: int, ref: Reference, keys, match) -> None:
        if keys is None:  # the keep policy: every record is added
            self.pending.add(line, ref, keys)
            return
        if match is _LOOK_UP_LATER:
            match = self.store.find_matches([keys])[0]
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

    def _not_added(self, line, ref, reason, merged, *, twin_line=None, item=None) -> None:
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
        changes = _merge(self.store.get(item_id), incoming)
        if changes:
            self.store.update_fields(item_id, changes)
        if incoming.tags:
            self.store.add_tags([item_id], incoming.tags)

    def _write(self) -> None:
        refs, lines = self.pending.take()
        ids = self.store.add_references(refs)
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
        return best_match(keys, ((self._keys[i], (i,), i) for i in indexes))

    def merge(self, index: int, ref: Reference) -> None:
        """Merge ``ref`` into the waiting record ``index``, which may gain keys."""
        merged = _merged(self.refs[index], ref)
        self.refs[index] = merged
        self._keys[index] = DuplicateKeys.of(merged)
        self._index(index, self._keys[index])

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


def _file_opener(path: Path, tracker: _ProgressTracker):
    def opener() -> io.BufferedReader:
        return io.BufferedReader(_WatchedFile(path, tracker.advance))

    return opener
