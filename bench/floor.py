"""``python -m bench.floor FILE``: the least a MEDLINE import can cost, for issue 18's 5× target.

An import that meets issue 18's other targets has to do at least this for every record:
read it; keep a compressed copy of it (every field kept, in a file within 1.5× of the
source); put its words in a full-text index (the quick search); write an item row whose sort
columns are indexed (the sorts) and whose PMID and DOI can be looked up (duplicates); and
link its MeSH headings and keywords as tags (the tag counts). This module does exactly that
and nothing more, each part with the cheapest means to hand:

- Bio.Medline's own parse (which keeps no line numbers and reports no broken lines, as
  refman's reader must);
- one tuple per table built from Bio.Medline's dictionary, no model objects;
- zlib at level 1, the fastest level of the only fast compressor in Python's library;
- a contentless FTS5 table with ``detail=column``, the cheapest full-text index;
- ``executemany`` in one transaction, 5,000 records at a time, WAL, ``synchronous=NORMAL``;
  the cyclic garbage collector paused, as refman's import pauses it.

It leaves out what refman does beyond the minimum: creators as rows, affiliations, MeSH
qualifiers, duplicate look-ups, citation keys, fingerprints for undo. So its time is a
lower bound for any import built on Python's standard library and SQLite: each part's
processor time is printed as a multiple of Bio.Medline's parse of the same file, as the
benchmark's import row is. The database is written with the sqlite3 module straight: this
is a measuring tool beside refman, not a part of it.
"""

from __future__ import annotations

import argparse
import gc
import sqlite3
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from Bio import Medline

BATCH = 5_000
ZLIB_LEVEL = 1

SCHEMA = """
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA cache_size = -65536;
CREATE TABLE item (
    id INTEGER PRIMARY KEY, title TEXT, journal TEXT, volume TEXT, pages TEXT, pmid TEXT,
    doi TEXT, year INTEGER, creators TEXT, title_sort TEXT, creators_sort TEXT,
    date_sort TEXT, journal_sort TEXT, pages_sort TEXT
);
CREATE INDEX item_pmid ON item (pmid);
CREATE INDEX item_doi ON item (doi);
CREATE INDEX item_by_title ON item (title_sort);
CREATE INDEX item_by_creators ON item (creators_sort);
CREATE INDEX item_by_date ON item (date_sort);
CREATE INDEX item_by_journal ON item (journal_sort);
CREATE TABLE source (item_id INTEGER PRIMARY KEY, record BLOB);
CREATE TABLE tag (id INTEGER PRIMARY KEY, name TEXT UNIQUE);
CREATE TABLE item_tag (item_id INTEGER, tag_id INTEGER, PRIMARY KEY (item_id, tag_id))
    WITHOUT ROWID;
CREATE INDEX item_tag_by_tag ON item_tag (tag_id, item_id);
CREATE VIRTUAL TABLE item_fts USING fts5 (
    title, abstract, creators, subjects, content = '', detail = column
);
"""
INSERTS = {
    "item": "INSERT INTO item VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "full-text index": "INSERT INTO item_fts (rowid, title, abstract, creators, subjects)"
    " VALUES (?, ?, ?, ?, ?)",
    "source copy": "INSERT INTO source VALUES (?, ?)",
    "tag": "INSERT INTO tag VALUES (?, ?)",
    "item_tag": "INSERT INTO item_tag VALUES (?, ?)",
}


@dataclass
class Batch:
    """One batch's rows, a list per table (the keys of INSERTS), and its records' texts."""

    rows: dict[str, list[tuple]] = field(default_factory=lambda: {t: [] for t in INSERTS})
    texts: list[bytes] = field(default_factory=list)


@dataclass
class Clock:
    """Processor seconds by part of the work."""

    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, part: str, since: float) -> float:
        now = time.process_time()
        self.seconds[part] = self.seconds.get(part, 0.0) + now - since
        return now


class NotMedline(Exception):
    """The file holds no MEDLINE record that Bio.Medline can read (none with a PMID)."""


def parse_only(path: Path) -> tuple[int, float]:
    """Bio.Medline's parse of the file, records only: (records, processor seconds)."""
    start = time.process_time()
    with path.open(encoding="utf-8", errors="replace") as handle:
        pmids = [record.get("PMID") for record in Medline.parse(handle)]
    seconds = time.process_time() - start
    if not any(pmids):
        raise NotMedline(f"{path} holds no MEDLINE record (no line starting with 'PMID- ')")
    return len(pmids), seconds


class FloorImport:
    """The minimal import: one file into a new database at ``db``."""

    def __init__(self, db: Path):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        self.db = db
        self.connection = sqlite3.connect(db, isolation_level=None)
        self.connection.executescript(SCHEMA)
        self.tags: dict[str, int] = {}
        self.clock = Clock()

    def run(self, path: Path) -> int:
        """Import every record of ``path`` in one transaction; the number of records."""
        count = 0
        gc.disable()  # as refman's import pauses the cyclic collector (refman.collector)
        try:
            self.connection.execute("BEGIN")
            for batch in self._batches(path):
                count += len(batch.texts)
                self._write(batch)
            since = time.process_time()
            self.connection.execute("COMMIT")
            self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.clock.add("SQLite: commit and checkpoint", since)
        finally:
            gc.enable()
        self.connection.close()
        return count

    def _batches(self, path: Path) -> Iterator[Batch]:
        with path.open(encoding="utf-8", errors="replace") as handle:
            records = Medline.parse(handle)
            batch = Batch()
            since = time.process_time()
            for item_id, record in enumerate(records, 1):
                since = self.clock.add("parse (Bio.Medline)", since)
                self._add(batch, item_id, record)
                since = self.clock.add("rows (Python)", since)
                if len(batch.texts) == BATCH:
                    yield batch
                    batch, since = Batch(), time.process_time()
            if batch.texts:
                yield batch

    def _add(self, batch: Batch, item_id: int, record: dict) -> None:
        """The rows of one record, and its text to compress."""
        title, journal, date = record.get("TI", ""), record.get("JT", ""), record.get("DP", "")
        pages = record.get("PG", "")
        creators = "; ".join(record.get("FAU") or record.get("AU") or [])
        # A heading's name without its qualifiers ("/surgery") and major-topic stars.
        headings = [value.split("/", 1)[0].lstrip("*") for value in record.get("MH", [])]
        subjects = headings + record.get("OT", [])
        doi = next((a[:-6] for a in record.get("AID", []) if a.endswith(" [doi]")), "")
        year = int(date[:4]) if date[:4].isdigit() else None
        rows = batch.rows
        rows["item"].append(
            (item_id, title, journal, record.get("VI", ""), pages, record.get("PMID", ""), doi,
             year, creators, title.casefold(), creators.casefold(), date, journal.casefold(),
             pages)
        )  # fmt: skip
        rows["full-text index"].append(
            (item_id, title, record.get("AB", ""), creators, " ".join(subjects))
        )
        for tag_id in {self._tag_id(name, rows["tag"]) for name in subjects}:
            rows["item_tag"].append((item_id, tag_id))
        lines = (f"{key}: {value}" for key, value in record.items())
        batch.texts.append("\n".join(lines).encode("utf-8"))

    def _tag_id(self, name: str, new_tags: list[tuple]) -> int:
        tag_id = self.tags.get(name)
        if tag_id is None:
            tag_id = self.tags[name] = len(self.tags) + 1
            new_tags.append((tag_id, name))
        return tag_id

    def _write(self, batch: Batch) -> None:
        since = time.process_time()
        first = batch.rows["item"][0][0]
        compressed = [zlib.compress(text, ZLIB_LEVEL) for text in batch.texts]
        batch.rows["source copy"] = list(enumerate(compressed, first))
        since = self.clock.add(f"compressing the copy (zlib level {ZLIB_LEVEL})", since)
        for table, sql in INSERTS.items():
            self.connection.executemany(sql, batch.rows[table])
            since = self.clock.add(f"SQLite: {table}", since)


def file_bytes(db: Path) -> int:
    return sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists())


def report(path: Path, db: Path) -> list[str]:
    """The floor's table in Markdown: each part's processor time against Bio.Medline's parse."""
    records, parse_s = parse_only(path)
    floor = FloorImport(db)
    start = time.process_time()
    imported = floor.run(path)
    total = time.process_time() - start
    if imported != records:
        raise SystemExit(f"the floor imported {imported} records of {records}")
    parse_s = max(parse_s, 1e-6)  # a file too small for the clock to see
    lines = [
        f"{records:,} records, {path.stat().st_size:,} bytes; Bio.Medline's parse alone "
        f"{parse_s:.2f} s of processor time.",
        "",
        "| Part of the minimal import | Processor time | ÷ Bio.Medline's parse |",
        "|---|---|---|",
    ]
    for part, seconds in floor.clock.seconds.items():
        lines.append(f"| {part} | {seconds:.2f} s | {seconds / parse_s:.2f}× |")
    lines.append(f"| **the whole minimal import** | {total:.2f} s | **{total / parse_s:.1f}×** |")
    size = file_bytes(db)
    lines += ["", f"Its database: {size:,} bytes, {size / path.stat().st_size:.2f}× the file."]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.floor", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "file", type=Path, help="a MEDLINE file (e.g. the benchmark's synthetic one)"
    )
    parser.add_argument(
        "--db",
        type=Path,
        help="where to write the database, kept after (default: a temporary folder beside "
        "FILE, removed after: the database of a million records takes 4 GB)",
    )
    args = parser.parse_args(argv)
    if not args.file.is_file():
        parser.error(f"no such file: {args.file}")
    try:
        if args.db is not None:
            lines = report(args.file, args.db)
        else:
            with tempfile.TemporaryDirectory(prefix=".floor-", dir=args.file.parent) as folder:
                lines = report(args.file, Path(folder) / "floor.sqlite")
    except NotMedline as error:
        parser.exit(1, f"python -m bench.floor: {error}\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
