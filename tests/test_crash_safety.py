"""When the program or the disk fails: a kill in the middle of an import, a full disk, a
library on a disk that cannot be written.

For the kill, ``refman import`` runs in a child process on several large files (synthetic
PubMed exports); as soon as a separate read connection sees the first file committed, the child
gets SIGKILL, the way a crash or a power cut ends a program, with no chance to clean up.
"""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from bench import synthetic
from refman import app
from refman.library import Library, backups
from refman.model import DiskFullError, LibraryError, ViewQuery
from tests.safety_helpers import REFMAN, file_problems, filled_library, index_problems, snapshot

FILES = 4
RECORDS_PER_FILE = 1500
KILL_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def import_files(tmp_path_factory) -> list[Path]:
    """Files of distinct records (one numbering across them: no duplicates between files)."""
    folder = tmp_path_factory.mktemp("big")
    records = synthetic.records(FILES * RECORDS_PER_FILE)
    paths = []
    for n in range(FILES):
        path = folder / f"part{n + 1}.nbib"
        with path.open("w", encoding="utf-8", newline="\n") as out:
            for text in itertools.islice(records, RECORDS_PER_FILE):
                out.write("\n" + text)
        paths.append(path)
    return paths


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
        while committed_items(library) < RECORDS_PER_FILE:
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline, "the first file never committed"
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL


def test_a_killed_import_leaves_a_sound_library_with_the_finished_files(tmp_path, import_files):
    library_path = tmp_path / "library.sqlite"
    import_until_first_file(library_path, import_files)

    with Library(library_path) as library:
        assert file_problems(library) == []
        assert index_problems(library) == []
        ids = library.items.all_ids()
        found = {ref.pmid for ref in library.items.get_many(ids)}
    finished = len(ids) // RECORDS_PER_FILE
    assert len(ids) == finished * RECORDS_PER_FILE  # whole files only
    assert 1 <= finished < FILES  # killed in the middle of the import
    assert found == set().union(*(pmids_in(f) for f in import_files[:finished]))

    with Library(library_path) as library:
        report = library.importing.files(import_files)
        assert len(report.added) == (FILES - finished) * RECORDS_PER_FILE
        assert len(report.duplicates) == finished * RECORDS_PER_FILE
        pmids = [ref.pmid for ref in library.items.get_many(library.items.all_ids())]
        assert len(pmids) == len(set(pmids)) == FILES * RECORDS_PER_FILE
        assert index_problems(library) == []


# --- a full disk --------------------------------------------------------------------------------


def test_a_full_disk_fails_the_file_cleanly_and_says_so(tmp_path, import_files):
    """SQLite's page limit stands in for the disk: the write that needs a page more fails."""
    path = filled_library(tmp_path / "library.sqlite")
    before = snapshot(path)
    with Library(path) as library:
        pages = library.connection.db.execute_sql("PRAGMA page_count").fetchone()[0]
        library.connection.db.execute_sql(f"PRAGMA max_page_count = {pages + 20}")
        report = library.importing.files(import_files[:1])
        assert (report.files_read, report.files_failed, report.added) == (0, 1, [])
        assert [str(p) for p in report.problems] == [
            f"{import_files[0]}: the disk is full: part1.nbib was not imported; "
            "nothing in the library changed"
        ]
        library.connection.db.execute_sql(f"PRAGMA max_page_count = {2**30}")  # room again
        assert len(library.importing.files(import_files[:1]).added) == RECORDS_PER_FILE
    with Library(path) as library:
        assert file_problems(library) == []
        assert index_problems(library) == []
        ids = set(library.items.all_ids())
    assert {ref.id for ref in before[0]} <= ids


def test_a_full_disk_during_an_edit_is_a_plain_error(tmp_path):
    path = filled_library(tmp_path / "library.sqlite")
    before = snapshot(path)
    with Library(path) as library:
        pages = library.connection.db.execute_sql("PRAGMA page_count").fetchone()[0]
        library.connection.db.execute_sql(f"PRAGMA max_page_count = {pages}")
        ids = library.items.search()
        with pytest.raises(DiskFullError, match="is full"):
            library.tags.add(ids, [f"tag {n}" for n in range(200)])
    assert snapshot(path) == before


# --- a library that cannot be written -----------------------------------------------------------


@pytest.fixture
def read_only_medium(monkeypatch):
    """The system says no to writing, as it does for any user on a read-only disk.

    (Root may write through any permission, so the tests, which run as root in CI, cannot
    make a read-only folder with chmod; mounting a read-only disk needs privileges.)
    """
    monkeypatch.setattr(backups.os, "access", lambda path, mode: mode != os.W_OK)


def test_a_library_that_cannot_be_written_opens_read_only_with_a_notice(tmp_path, read_only_medium):
    path = filled_library(tmp_path / "library.sqlite")
    with Library(path) as library:
        assert library.read_only
        assert "read-only" in library.notice and str(path) in library.notice
        assert library.items.search(ViewQuery(text="Iltamiocel"))
        with pytest.raises(LibraryError, match="open read-only: changes cannot be saved"):
            library.tags.add(library.items.search(), ["x"])


def test_a_read_only_disk_without_room_for_sqlites_shared_memory_file(tmp_path, read_only_medium):
    """Reading a WAL library needs a -shm file beside it; on a read-only disk none can be made,
    and SQLite reads the file as one that cannot change."""
    path = filled_library(tmp_path / "library.sqlite")
    shm = path.with_name(path.name + "-shm")
    shm.symlink_to(tmp_path / "no such folder" / "shm")  # SQLite cannot create it, even as root
    with pytest.raises(sqlite3.OperationalError, match="unable to open"):
        sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True).execute("SELECT 1 FROM item")
    with Library(path) as library:
        assert library.read_only
        assert len(library.items.search(ViewQuery(text="Iltamiocel"))) == 1


def test_the_command_line_gives_the_read_only_notice(tmp_path, read_only_medium, capsys):
    path = filled_library(tmp_path / "library.sqlite")
    assert app.main(["--library", str(path), "list"]) == 0
    assert "read-only" in capsys.readouterr().err
    assert app.main(["--library", str(path), "tag", "add", "x", "--all"]) == 1
    assert "changes cannot be saved" in capsys.readouterr().err
