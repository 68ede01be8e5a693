"""Bulk mode of a large import (store/bulk_load.py): the same library as an import row by row,
and a failed or cancelled one leaves the library as it was, every index there. The kill in the
middle of one is in tests/system/test_crash_safety.py."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

import refman.library.importing as library_module
from refman.library import Library
from refman.model import ViewQuery
from refman.store import bulk_load
from refman.store import items as stored_items
from refman.store import tags as stored_tags
from refman.store.items import DISPLAY_COLUMNS
from tests.safety_helpers import (
    fail_at_batch,
    file_problems,
    index_problems,
    snapshot,
    tag_total_problems,
)
from tests.samples import BALLOON, REAL_FILES, RECORDS_PER_PART

WORDS = ("cancer", "smith", "patient", "melanoma", "a", "2015")
# Every sort but by the moment of the last change: merges and tags stamp it with "now", which
# differs from run to run.
SORTS = [name for name in DISPLAY_COLUMNS if name not in ("attachments", "date_modified")]
EXPORTS = ("bibtex", "ris", "medline", "csl-json")


@pytest.fixture
def bulk_used(monkeypatch) -> list[int]:
    """Bulk mode for every file of one record or more; counts the files imported in it."""
    monkeypatch.setattr(library_module, "BULK_MIN_RECORDS", 1)
    monkeypatch.setattr(library_module, "BYTES_PER_RECORD", 1)
    monkeypatch.setattr(library_module, "BULK_LIBRARY_SHARE", 0)
    real = bulk_load.deferred
    used = []

    def counted(db):
        used.append(1)
        return real(db)

    monkeypatch.setattr(bulk_load, "deferred", counted)
    return used


def schema(path: Path) -> list[tuple]:
    """Every table, index, view and trigger of the file, with its SQL."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
    finally:
        conn.close()


def statistics(path: Path) -> list[tuple]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT * FROM sqlite_stat1 ORDER BY tbl, idx").fetchall()
    except sqlite3.OperationalError:  # no ANALYZE yet
        return []
    finally:
        conn.close()


def undated(refs):
    """References without the moments they were added and changed (now, in each run)."""
    return [ref.with_changes(date_added=None, date_modified=None) for ref in refs]


def what_a_user_sees(path: Path) -> tuple:
    """Items (undated), notes, collections, tag counts; searches, sorts and exports."""
    refs, notes, collections, *counts = snapshot(path)
    with Library(path, read_only=True) as library:
        ids = sorted(library.items.all_ids())
        searches = [library.items.search(ViewQuery(text=word)) for word in WORDS]
        sorts = [library.items.search(sort=key, descending=d) for key in SORTS for d in (0, 1)]
        tagged = library.items.search(ViewQuery(tags=("bulk",)))
        exports = [library.exporting.export(ids, fmt) for fmt in EXPORTS]
    return undated(refs), notes, collections, counts, searches, sorts, tagged, exports


def imported_twice(filled_library: Path, files: list[Path], **options) -> Path:
    """A copy of ``filled_library`` beside it, both given ``files``, the same way."""
    copy = Path(shutil.copy(filled_library, filled_library.with_name("copy.sqlite")))
    for path in (filled_library, copy):
        with Library(path) as library:
            library.importing.files(files, **options)
    return copy


def test_a_bulk_import_makes_the_library_an_import_row_by_row_makes(
    filled_library, synthetic_parts, monkeypatch, bulk_used
):
    # The first file adds records, the second repeats them, merged into the items: duplicate
    # look-ups in the library and within the file, tags, a collection, notes.
    files = [synthetic_parts[0], *REAL_FILES, synthetic_parts[0]]
    with Library(filled_library) as library:
        library.connection.db.execute_sql("ANALYZE")  # statistics, to be put back
    copy = Path(shutil.copy(filled_library, filled_library.with_name("copy.sqlite")))
    with Library(filled_library) as library:
        bulk = library.importing.files(files, duplicates="merge", tags=["bulk"], collection="New")
    assert len(bulk_used) == len(files)
    monkeypatch.setattr(library_module, "BULK_MIN_RECORDS", 10**12)
    with Library(copy) as library:
        normal = library.importing.files(files, duplicates="merge", tags=["bulk"], collection="New")
    assert len(bulk_used) == len(files)  # none more

    assert len(bulk.added) >= RECORDS_PER_PART <= len(bulk.not_added)  # the part, then again
    assert (bulk.added, bulk.merged) == (normal.added, normal.merged)
    assert bulk.not_added == normal.not_added
    assert what_a_user_sees(filled_library) == what_a_user_sees(copy)
    assert schema(filled_library) == schema(copy)
    # Every index keeps its planner statistics (put back after the rebuild). Their numbers may
    # differ: PRAGMA optimize at close analyses again the tables the import's own queries
    # used, and a bulk import does not query the indexes it dropped.
    assert [row[:2] for row in statistics(filled_library)] == [row[:2] for row in statistics(copy)]
    assert statistics(copy) != []
    with Library(filled_library) as library:
        assert file_problems(library) == []
        assert index_problems(library) == []
        assert tag_total_problems(library) == []


def test_a_bulk_import_keeps_the_sorted_tag_list_for_the_next_tag_list(
    tmp_path, synthetic_parts, monkeypatch, bulk_used
):
    # Its many new tags are sorted once, at the import's end, not by the first tag list after
    # it (2.2 s for the 1.77 million tags of a million items, issue 18).
    path = tmp_path / "new.sqlite"
    with Library(path) as library:
        library.importing.files(synthetic_parts[:1])
    assert bulk_used == [1]
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    names = [name for (name,) in conn.execute("SELECT name FROM tag")]
    conn.close()
    assert len(names) > 100

    def sorted_again(*args):
        raise AssertionError("the tags were sorted again")

    monkeypatch.setattr(stored_tags, "_listing", sorted_again)
    with Library(path) as library:  # another process's first tag list: the file's listing
        listed = [tag.name for tag in library.tags.counts()]
    assert listed == sorted(names, key=lambda name: (name.casefold(), name))


def test_a_tag_list_that_cannot_be_kept_at_the_end_leaves_the_import_done(
    tmp_path, synthetic_parts, monkeypatch, bulk_used
):
    # The listing is only a cache: the disk failing while it is sorted or kept loses nothing
    # imported, and the next tag list sorts the names itself.
    path = tmp_path / "new.sqlite"
    real_listing = stored_tags._listing

    def failing(*args):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(stored_tags, "_listing", failing)
    with Library(path) as library:
        report = library.importing.files(synthetic_parts[:1])
    assert (len(report.added), report.files_failed, report.problems) == (RECORDS_PER_PART, 0, [])
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    assert conn.execute("SELECT count(*) FROM tag_listing").fetchone() == (0,)
    conn.close()
    monkeypatch.setattr(stored_tags, "_listing", real_listing)
    with Library(path) as library:
        assert library.items.count() == RECORDS_PER_PART
        assert len(library.tags.counts()) > 100


def test_a_failing_bulk_import_leaves_the_library_and_its_indexes_as_they_were(
    filled_library, synthetic_parts, monkeypatch, bulk_used
):
    before, tables = snapshot(filled_library), schema(filled_library)
    monkeypatch.setattr(library_module, "BATCH_SIZE", 100)
    fail_at_batch(monkeypatch, 5)
    with Library(filled_library) as library, pytest.raises(RuntimeError):
        library.importing.files(synthetic_parts[:1])
    assert bulk_used == [1]
    assert (snapshot(filled_library), schema(filled_library)) == (before, tables)
    with Library(filled_library) as library:
        assert file_problems(library) == []
        assert index_problems(library) == []


def test_a_failure_while_the_indexes_are_made_again_leaves_the_library_as_it_was(
    filled_library, synthetic_parts, bulk_used
):
    before, tables = snapshot(filled_library), schema(filled_library)
    with Library(filled_library) as library:
        db = library.connection.db
        real = db.execute_sql
        made = []

        def full_at_the_third_index(sql, *args, **kwargs):
            if sql.startswith("CREATE INDEX"):
                made.append(sql)
                if len(made) == 3:
                    raise sqlite3.OperationalError("database or disk is full")
            return real(sql, *args, **kwargs)

        db.execute_sql = full_at_the_third_index
        report = library.importing.files(synthetic_parts[:1])
        del db.execute_sql
        assert (report.files_failed, report.added) == (1, [])
        assert "the disk is full" in str(report.problems[0])
        assert len(made) == 3
        assert library.items.count() == len(before[0]) - 1  # one is in the Trash
    assert (snapshot(filled_library), schema(filled_library)) == (before, tables)
    with Library(filled_library) as library:
        assert file_problems(library) == []
        assert len(library.importing.files(synthetic_parts[:1]).added) == RECORDS_PER_PART
    assert schema(filled_library) == tables


def test_a_cancelled_bulk_import_leaves_the_library_as_it_was(
    filled_library, monkeypatch, bulk_used
):
    before, tables = snapshot(filled_library), schema(filled_library)
    monkeypatch.setattr(library_module, "BATCH_SIZE", 5)
    calls = []

    def cancel_after_some_records() -> bool:
        calls.append(1)
        return len(calls) > 20

    with Library(filled_library) as library:
        report = library.importing.files([BALLOON], cancelled=cancel_after_some_records)
    assert report.cancelled and bulk_used == [1]
    assert (snapshot(filled_library), schema(filled_library)) == (before, tables)


@pytest.mark.parametrize(
    ("records", "library_items", "bulk"),
    [
        (20_000, 0, True),  # a large file into a new library
        (19_999, 0, False),  # too small to gain
        (50_000, 100_000, True),  # half the library's size
        (49_999, 100_000, False),  # making the indexes anew would sort more than it saves
    ],
)
def test_bulk_mode_is_for_files_large_against_the_library(
    library, monkeypatch, records, library_items, bulk
):
    monkeypatch.setattr(stored_items, "total", lambda db: library_items)
    size = records * library_module.BYTES_PER_RECORD
    assert library.importing._bulk(size) is bulk
