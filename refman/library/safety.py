"""Safety: SQLite's checks of the library, its backups, and damage found while it is open.

``Safety`` works on an open library; a restore, and a check of a library too damaged to open,
work on the file (``refman.library.backups``). ``check`` is ``refman check``: SQLite's full
integrity check, then the search index, the tag counts and every stored record against the
items, each read in one snapshot so that another program writing meanwhile is never taken
for damage; it repairs what can be rebuilt after saving a copy of the library as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from refman.library import backups
from refman.library.use_case import UseCase
from refman.model import BusyError, LibraryError
from refman.store import database, fts, items, maintenance
from refman.store import tags as stored_tags
from refman.store.connection import Connection, Database

CHECK_FILE = "the file (SQLite's integrity check and the links between tables)"
CHECK_FTS = "the search index against the items"
CHECK_TAGS = "the tag counts against the tags on items"
CHECK_RECORDS = "every item's stored source record"
MAX_PROBLEMS_LISTED = 20

_T = TypeVar("_T")


@dataclass
class CheckReport:
    """What ``Safety.check`` looked at, what it found, what it repaired, what is left."""

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


Find = Callable[[], list[str]]
Repair = tuple[Callable[[], None], str]  # the repair, and what it did in words


def _problems(find: Find) -> list[str]:
    """What a check finds; a check that SQLite cannot even run is a problem too, but a busy
    library is only busy: the check stops and says so (BusyError)."""
    try:
        return find()
    except BusyError:
        raise
    except LibraryError as exc:
        return [str(exc)]


class Safety(UseCase):
    """Checks and backups of one open library."""

    def __init__(self, connection: Connection):
        super().__init__(connection)
        self._path = connection.path

    # --- backups and the quick check ---------------------------------------------------------

    def backup(self, output: str | os.PathLike[str] | None = None) -> Path:
        """A consistent copy of the library, to ``output`` or into its backups folder."""
        made = backups.make_backup(self._path, output=Path(output) if output else None)
        assert made is not None  # only a cancelled copy makes none
        return made

    def backup_if_due(self, cancelled: Callable[[], bool] | None = None) -> Path | None:
        """The daily check and backup, when the newest backup is a day old; None when not
        made. DamagedLibraryError when the check fails: nothing may be written then."""
        if self._connection.read_only:
            return None
        return backups.backup_if_due(self._path, cancelled=cancelled)

    def verify(self) -> None:
        """SQLite's quick check of the whole file (once per process; see backups.verify):
        DamagedLibraryError when it fails, and the library takes no more changes."""
        backups.verify(self._path)

    def on_damage(
        self, listener: Callable[[backups.DamagedLibraryError], None]
    ) -> Callable[[], None]:
        """Call ``listener`` (in the thread that met it) when SQLite finds this library
        damaged while it is open; returns a function that stops the calls."""
        own = database.file_key(self._path)

        def heard(path: Path, problem: str) -> None:
            if database.file_key(path) == own:
                listener(backups.damaged(self._path, problem))

        return database.add_damage_listener(heard)

    # --- refman check ------------------------------------------------------------------------

    def check(self) -> CheckReport:
        """SQLite's full integrity check, then the search index, the tag counts and the
        stored records against the items; repairs what can be rebuilt (indexes, the search
        index, the tag counts, unreadable records dropped) after saving a copy as it was."""
        report = CheckReport(self._path)
        rebuild_index = (self._repair(fts.rebuild), "rebuilt the search index")
        file_repairs = [(self._repair(maintenance.reindex), "rebuilt the indexes"), rebuild_index]
        self._step(report, CHECK_FILE, self._finder(maintenance.integrity_problems), file_repairs)
        if not report.damaged:
            self._step(report, CHECK_FTS, self._index_problems, [rebuild_index])
            totals = (self._repair(stored_tags.rebuild_totals), "counted the tags' items anew")
            self._step(report, CHECK_TAGS, self._finder(stored_tags.check_totals), [totals])
            self._check_source_records(report)
        if report.damaged:
            report.backup = backups.latest_good_backup(self._path)
        backups.forget_verified(self._path)
        return report

    def _finder(self, query: Callable[[Database], _T]) -> Callable[[], _T]:
        """A check's query, to run in one snapshot of the library."""
        return lambda: self._read(query)

    def _repair(self, change: Callable[[Database], None]) -> Callable[[], None]:
        """A repair, run in a transaction allowed on a library found damaged."""

        def repair() -> None:
            with self._connection.repairing() as db:
                change(db)

        return repair

    def _index_problems(self) -> list[str]:
        """The index against the items, read in one snapshot, then FTS5's own check, which
        needs the write lock (not on a read-only library)."""
        problems = self._read(fts.differences)
        if not self._connection.read_only:
            with self._connection.repairing() as db:
                problems += fts.self_check(db)
        return problems

    def _check_source_records(self, report: CheckReport) -> None:
        """Records that cannot be decoded are dropped (the copy saved before keeps them):
        their items keep every field and are written from those, as items made in refman."""
        damaged = self._read(items.damaged_source_records)

        def find() -> list[str]:
            found = self._read(items.damaged_source_records)
            return [f"item {item_id}: {what}" for item_id, what in found]

        ids = [item_id for item_id, _ in damaged]
        drop = self._repair(lambda db: items.drop_source_records(db, ids))
        done = "dropped the unreadable source records (their items keep every field)"
        self._step(report, CHECK_RECORDS, find, [(drop, done)])

    def _step(self, report: CheckReport, what: str, find: Find, repairs: list[Repair]) -> None:
        report.checked.append(what)
        problems = _problems(find)
        report.found += problems
        if not problems or self._connection.read_only:
            report.remaining += problems
            return
        if report.saved is None:
            report.saved = backups.save_as_is(self._path, backups.BEFORE_REPAIR)
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
