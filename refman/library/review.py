"""The review of an import: what each record of each file would be, before anything is written.

``Importing.review`` (and ``review_text``) reads the files as the import does, with the same
readers and the same duplicate rule (store/duplicates.py), but writes nothing: every record
gets a status, as a value the window's review dialog and ``refman import --dry-run`` both show:

- ``new``: it would be added;
- ``duplicate``: it is the same paper as a library item (``item_id``), for ``reason``;
- ``repeat``: it is the same paper as a record before it in the same file (``twin_line``);
- ``problem``: the reader could not take the record at this line (``message``), or the file
  could not be read at all.

The statuses are those the import itself would give with ``--duplicates skip``: the review
checks each record against the library and against the new records before it in its file
(``RecordIndex``), and a stronger reason wins as in the import.

``Importing.commit(review, choices)`` then imports the reviewed files with the user's choice
for each record (``IMPORT`` a new record, ``SKIP`` it; for a duplicate or a repeat ``SKIP``,
``MERGE`` into what it matched, or ``KEEP`` both), through the import's own path: each file
read again, one transaction per file, duplicates looked up again at that moment (the library
may have changed since the review). A file that changed since it was reviewed is not imported.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain

from refman.model import ItemId, ParseError, Problem, Reference
from refman.store.duplicates import REASONS, DuplicateKeys, Match, RecordIndex
from refman.store.mapping import creator_summary

NEW, DUPLICATE, REPEAT, PROBLEM = "new", "duplicate", "repeat", "problem"
# What the user chooses for a record: import a new one; skip any; merge a duplicate or a
# repeat into what it matched; keep both (add it as a second copy).
IMPORT, SKIP, MERGE, KEEP = "import", "skip", "merge", "keep"
CHOICES = (IMPORT, SKIP, MERGE, KEEP)
# The import's duplicate policy for each choice (None: the record is not read in at all).
# An IMPORT is the import's "skip" policy: a record that became a duplicate since the review
# (another program added the paper meanwhile) is skipped, not added twice.
POLICIES: dict[str, str | None] = {IMPORT: "skip", SKIP: None, MERGE: "merge", KEEP: "keep"}
CHANGED_SINCE_REVIEW = (
    "it changed since it was reviewed; it was not imported: import it again to review it anew"
)
TITLE_SHOWN = 60  # characters of a title in a line of text


def quoted(title: str) -> str:
    """A title in quotes, cut short for a one-line report; "" for no title."""
    title = " ".join(title.split())
    if len(title) > TITLE_SHOWN:
        title = title[: TITLE_SHOWN - 3].rstrip() + "..."
    return f'"{title}"' if title else ""


def describe_record(pmid: str, title: str) -> str:
    """``PMID 123 "Title..."``, the title alone, or "a record"."""
    shown = quoted(title)
    if pmid:
        return f"PMID {pmid} {shown}" if shown else f"PMID {pmid}"
    return shown or "a record"


def describe_match(item_id: ItemId | None, item_title: str, twin_line: int | None) -> str:
    """What a record matched: ``item 12 "Title..."`` or ``the record at line 40 of the same
    file``."""
    if item_id is None:
        return f"the record at line {twin_line} of the same file"
    shown = quoted(item_title)
    return f"item {item_id} {shown}" if shown else f"item {item_id}"


@dataclass(frozen=True, slots=True)  # slots: a review of 100,000 records holds 100,000
class ReviewedRecord:
    """One row of a review: a record with its status, or a problem (``status`` PROBLEM).

    ``file`` is the file's number in the review, ``index`` the record's place among the
    file's records (None for a problem): together, the ``key`` that choices are given by.
    """

    file: int
    index: int | None
    path: str
    line: int | None
    status: str
    pmid: str = ""
    doi: str = ""
    title: str = ""
    creators: str = ""
    year: str = ""
    reason: str = ""  # why it matched (one of the duplicate rule's REASONS)
    item_id: ItemId | None = None  # the library item it matched (DUPLICATE)
    item_title: str = ""
    twin_line: int | None = None  # the line of the record it repeats (REPEAT)
    message: str = ""  # what is wrong (PROBLEM)

    @property
    def key(self) -> tuple[int, int]:
        assert self.index is not None, "a problem is no record to choose for"
        return (self.file, self.index)

    @property
    def is_record(self) -> bool:
        return self.status != PROBLEM

    @property
    def matched(self) -> str:
        """What it matched and why (``same PMID as item 12 "..."``); "" for a new record."""
        if self.status not in (DUPLICATE, REPEAT):
            return ""
        return f"{self.reason} as {describe_match(self.item_id, self.item_title, self.twin_line)}"

    @property
    def text(self) -> str:
        """The row in words, without its file and line."""
        if self.status == PROBLEM:
            return self.message
        record = describe_record(self.pmid, self.title)
        return f"{record}: {self.matched}" if self.matched else record

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def default_choice(self) -> str:
        return IMPORT if self.status == NEW else SKIP


@dataclass
class FileReview:
    """One file (or pasted text) reviewed: its records in order, and its problems.

    ``signature`` is what the file was when it was read (device, inode, size, modification
    time): a file that differs at commit is not imported. ``text`` is pasted text itself.
    ``failure`` says why the file could not be read at all (nothing of it would be imported).
    """

    number: int
    path: str
    format_key: str
    format_name: str
    signature: tuple[int, int, int, int] | None = None
    text: str | None = None
    records: list[ReviewedRecord] = field(default_factory=list)
    problems: list[ReviewedRecord] = field(default_factory=list)
    failure: Problem | None = None
    size: int = 0
    cancelled: bool = False  # the review stopped in this file

    @property
    def rows(self) -> list[ReviewedRecord]:
        """Records and problems in the order of their lines (the file's own problems last)."""
        return sorted(chain(self.records, self.problems), key=_line_order)

    def chooser(self, choices: Mapping[tuple[int, int], str]) -> Callable[[int, int], str | None]:
        """The import's duplicate policy of each record, by its place in the file and line;
        ParseError when the file no longer holds the record reviewed at that place."""
        records = self.records

        def choose(index: int, line: int) -> str | None:
            if index >= len(records) or records[index].line != line:
                raise ParseError(self.path, line, CHANGED_SINCE_REVIEW)
            record = records[index]
            return POLICIES[choices.get(record.key, record.default_choice())]

        return choose


def _line_order(row: ReviewedRecord) -> tuple[int, int]:
    return (0, row.line) if row.line is not None else (1, 0)


def signature_of(info: os.stat_result) -> tuple[int, int, int, int]:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


@dataclass
class ImportReview:
    """The review of one import: each file reviewed, and the paths that could not be read."""

    files: list[FileReview] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # paths refused or missing
    cancelled: bool = False

    @property
    def rows(self) -> list[ReviewedRecord]:
        """Every row, file by file: what the window and ``--dry-run`` show."""
        path_rows = [
            ReviewedRecord(-1, None, p.path, p.line, PROBLEM, message=p.message)
            for p in self.problems
        ]
        return [row for review in self.files for row in review.rows] + path_rows

    def records(self) -> Iterator[ReviewedRecord]:
        for review in self.files:
            yield from review.records

    def count(self, status: str) -> int:
        if status == PROBLEM:
            return sum(len(review.problems) for review in self.files) + len(self.problems)
        return sum(record.status == status for record in self.records())

    @property
    def record_count(self) -> int:
        return sum(len(review.records) for review in self.files)

    @property
    def total_size(self) -> int:
        return sum(review.size for review in self.files)

    def needs_a_look(self, most_records: int) -> bool:
        """True when a person should see the review before the import: more records than
        ``most_records``, or any record that duplicates or repeats another."""
        return self.record_count > most_records or any(
            record.status in (DUPLICATE, REPEAT) for record in self.records()
        )

    def default_choices(self) -> dict[tuple[int, int], str]:
        return {record.key: record.default_choice() for record in self.records()}

    def summary(self, origin: str | None = None) -> str:
        """``Review: 120 records in 1 file: 115 new, 3 duplicates, 2 repeats, 1 problem.``;
        ``origin`` replaces "in 1 file" where the records came from elsewhere ("in the pasted
        text")."""
        files = len(self.files)
        parts = [f"{self.count(NEW)} new"]
        for status, noun in ((DUPLICATE, "duplicate"), (REPEAT, "repeat"), (PROBLEM, "problem")):
            count = self.count(status)
            if count:
                parts.append(f"{count} {noun}{'s' * (count != 1)}")
        records = self.record_count
        head = "Review cancelled" if self.cancelled else "Review"
        if origin is None:
            origin = f"in {files} file{'s' * (files != 1)}"
        return f"{head}: {records} record{'s' * (records != 1)} {origin}: {', '.join(parts)}."


class FileReviewer:
    """Gives each record of one file its status, a batch at a time, as the import would with
    the skip policy: against the library as it is (``matches``, looked up by the caller) and
    against the file's new records before it."""

    def __init__(self, review: FileReview):
        self.review = review
        self._new = RecordIndex()
        self._lines: list[int] = []  # the line of each new record, by its number in _new

    def problem(self, problem: Problem) -> None:
        """A record the reader could not take (the reader's on_problem)."""
        self.review.problems.append(
            ReviewedRecord(
                self.review.number,
                None,
                problem.path,
                problem.line,
                PROBLEM,
                message=problem.message,
            )
        )

    def take(
        self,
        batch: Sequence[tuple[int, Reference]],
        keys: Sequence[DuplicateKeys],
        matches: Sequence[Match | None],
    ) -> None:
        for (line, ref), ref_keys, match in zip(batch, keys, matches, strict=True):
            self.review.records.append(self._reviewed(line, ref, ref_keys, match))

    def _reviewed(
        self, line: int, ref: Reference, keys: DuplicateKeys, match: Match | None
    ) -> ReviewedRecord:
        record = ReviewedRecord(
            self.review.number,
            len(self.review.records),
            self.review.path,
            line,
            NEW,
            pmid=ref.pmid,
            doi=ref.doi,
            title=ref.title,
            creators=creator_summary(ref),
            year=str(ref.date.year) if ref.date.year else "",
        )
        twin = self._new.find(keys)
        if twin is not None and (match is None or _stronger(twin[0], match.reason)):
            return replace(record, status=REPEAT, reason=twin[0], twin_line=self._lines[twin[1]])
        if match is not None:
            return replace(
                record,
                status=DUPLICATE,
                reason=match.reason,
                item_id=match.item_id,
                item_title=match.title,
            )
        self._new.add(keys)
        self._lines.append(line)
        return record

    def failed(self, problem: Problem) -> None:
        """The file could not be read (or changed while it was): nothing of it would be
        imported, so its records are not listed, only why."""
        self.review.failure = problem
        self.review.records.clear()
        self.review.problems.clear()
        self.problem(problem)


def _stronger(reason: str, than: str) -> bool:
    """True when ``reason`` is a stronger reason to match than ``than`` (see REASONS)."""
    return REASONS.index(reason) < REASONS.index(than)
