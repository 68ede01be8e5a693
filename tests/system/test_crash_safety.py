"""A kill in the middle of an import: ``refman import`` runs in a child process on several
large files (synthetic PubMed exports); as soon as a separate read connection sees the first
file committed, the child gets SIGKILL, the way a crash or a power cut ends a program, with no
chance to clean up. A full disk and a disk that cannot be written are tested in
tests/unit/library/ (test_importing.py, test_core.py).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from refman.library import Library
from tests.safety_helpers import REFMAN, file_problems, index_problems, snapshot
from tests.samples import PARTS, RECORDS_PER_PART

KILL_TIMEOUT_S = 120


def pmids_in(path: Path) -> set[str]:
    with path.open(encoding="utf-8") as handle:
        return {line[6:].strip() for line in handle if line.startswith("PMID- ")}


def committed_items(library: Path) -> int:
    """What another program reading the file sees now (0 before the tables exist)."""
    try:
        conn = sqlite3.connect(f"{library.as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.OperationalError:
        return 0
    try:
        return conn.execute("SELECT count(*) FROM item").fetchone()[0]
    except sqlite3.OperationalError:  # the file or its tables are not there yet
        return 0
    finally:
        conn.close()


def import_until_first_file(library: Path, files: list[Path]) -> None:
    """Start ``refman import`` on the files; SIGKILL it once the first file is committed."""
    env = dict(os.environ)
    env.pop("REFMAN_LIBRARY", None)
    argv = [str(REFMAN), "--library", str(library), "import", *map(str, files)]
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + KILL_TIMEOUT_S
    try:
        while committed_items(library) < RECORDS_PER_PART:
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline, "the first file never committed"
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL


def test_a_killed_import_leaves_a_sound_library_with_the_finished_files(
    library_path, synthetic_parts
):
    import_until_first_file(library_path, synthetic_parts)

    with Library(library_path) as library:
        assert file_problems(library) == []
        assert index_problems(library) == []
        ids = library.items.all_ids()
        found = {ref.pmid for ref in library.items.get_many(ids)}
    finished = len(ids) // RECORDS_PER_PART
    assert len(ids) == finished * RECORDS_PER_PART  # whole files only
    assert 1 <= finished < PARTS  # killed in the middle of the import
    assert found == set().union(*(pmids_in(f) for f in synthetic_parts[:finished]))

    with Library(library_path) as library:
        report = library.importing.files(synthetic_parts)
        assert len(report.added) == (PARTS - finished) * RECORDS_PER_PART
        assert len(report.duplicates) == finished * RECORDS_PER_PART
        pmids = [ref.pmid for ref in library.items.get_many(library.items.all_ids())]
        assert len(pmids) == len(set(pmids)) == PARTS * RECORDS_PER_PART
        assert index_problems(library) == []


# --- a kill in the middle of a bulk import --------------------------------------------------------

# The import as ``refman import`` runs it (the library API, in a process of its own), in bulk
# mode whatever the file's size, stopping at a chosen moment of its transaction: once it has
# written some batches with the indexes dropped ("rows"), or while it makes them again
# ("indexes"). It prints "paused" there and waits to be killed.
BULK_CHILD = """
import sys, time
import refman.library.importing as importing
from refman.library import Library
from refman.store import bulk_load, items

library, path, moment = sys.argv[1:]
importing.BULK_MIN_RECORDS, importing.BYTES_PER_RECORD, importing.BATCH_SIZE = 1, 1, 100

def pause():
    print("paused", flush=True)
    time.sleep(KILL_TIMEOUT_S)
    sys.exit("not killed")

real_insert, inserts, bulk = items.insert, [], []

def insert(db, refs, new_items=None):
    inserts.append(1)
    if moment == "rows" and len(inserts) == 5 and bulk:
        pause()
    return real_insert(db, refs, new_items)

real_deferred = bulk_load.deferred

def deferred(db):
    real_sql, made = db.execute_sql, []
    bulk.append(1)

    def execute_sql(sql, *args, **kwargs):
        if sql.startswith("CREATE INDEX"):
            made.append(sql)
            if moment == "indexes" and len(made) == 3:
                pause()
        return real_sql(sql, *args, **kwargs)

    db.execute_sql = execute_sql
    return real_deferred(db)

items.insert, bulk_load.deferred = insert, deferred
with Library(library) as opened:
    opened.importing.files([path])
sys.exit("the import ended")
""".replace("KILL_TIMEOUT_S", str(KILL_TIMEOUT_S))


def schema(library: Path) -> list[tuple]:
    """Every table, index, view and trigger, as another program reading the library sees it."""
    conn = sqlite3.connect(f"{library.as_uri()}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    finally:
        conn.close()


def bulk_import_killed(library: Path, path: Path, moment: str) -> list[tuple]:
    """Run BULK_CHILD; SIGKILL it once it paused; the schema another program saw then."""
    env = dict(os.environ)
    env.pop("REFMAN_LIBRARY", None)
    argv = [sys.executable, "-c", BULK_CHILD, str(library), str(path), moment]
    child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert child.stdout.readline() == b"paused\n", child.stderr.read().decode()
        seen = schema(library)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    return seen


@pytest.mark.parametrize("moment", ["rows", "indexes"])
def test_a_bulk_import_killed_leaves_the_library_and_its_indexes_as_they_were(
    filled_library, synthetic_parts, moment
):
    before, tables = snapshot(filled_library), schema(filled_library)
    assert any(name == "item_by_creators" for _, name, _ in tables)

    seen_meanwhile = bulk_import_killed(filled_library, synthetic_parts[0], moment)

    assert seen_meanwhile == tables  # readers keep every index while the import runs
    assert (snapshot(filled_library), schema(filled_library)) == (before, tables)
    with Library(filled_library) as library:
        assert file_problems(library) == []
        assert index_problems(library) == []
        assert len(library.importing.files(synthetic_parts[:1]).added) == RECORDS_PER_PART
    assert schema(filled_library) == tables
