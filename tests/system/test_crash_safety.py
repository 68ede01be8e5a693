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
import time
from pathlib import Path

from refman.library import Library
from tests.safety_helpers import REFMAN, file_problems, index_problems
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
