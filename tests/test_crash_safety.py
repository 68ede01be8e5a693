"""A kill in the middle of an import: the library stays sound and holds the finished files.

``refman import`` runs in a child process on several large files (synthetic PubMed exports);
as soon as a separate read connection sees the first file committed, the child gets SIGKILL,
the way a crash or a power cut ends a program, with no chance to clean up.
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

from refman.bench import synthetic
from refman.library import Library
from tests.safety_helpers import REFMAN

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
        assert library.store.integrity_check() == []
        assert library.store.check_fts() == []
        ids = library.store.all_ids()
        found = {ref.pmid for ref in library.get_many(ids)}
    finished = len(ids) // RECORDS_PER_FILE
    assert len(ids) == finished * RECORDS_PER_FILE  # whole files only
    assert 1 <= finished < FILES  # killed in the middle of the import
    assert found == set().union(*(pmids_in(f) for f in import_files[:finished]))

    with Library(library_path) as library:
        report = library.import_files(import_files)
        assert len(report.added) == (FILES - finished) * RECORDS_PER_FILE
        assert len(report.duplicates) == finished * RECORDS_PER_FILE
        pmids = [ref.pmid for ref in library.get_many(library.store.all_ids())]
        assert len(pmids) == len(set(pmids)) == FILES * RECORDS_PER_FILE
        assert library.store.check_fts() == []
