"""The window as a process of its own, beside command-line processes on the same library.

Its hold on the library survives another program closing it (issue 11, part 1):

SQLite keeps a library's write-ahead log (``-wal``, with its index ``-shm``) while any
program has the library open, and knows that from POSIX locks. Those locks belong to the
process, and closing *any* descriptor of the file drops them all: a window that once opened the
library file by other means than SQLite (after its daily backup, say) looks absent to the next
program, which deletes the log when it closes; the window then writes to a deleted file that no
one else reads, and its last checkpoint writes stale pages over the library.

SIGTERM (a logout, ``kill``) quits the window as its Quit command does, closing the library.
Asked to (``first_paint.ENV``), the window reports when it first painted its rows, as the
benchmark measures start-up.

Here the real program runs as the user runs it: the window in a process of its own (the
installed ``refman``, offscreen), the command line in others.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from refman.gui import first_paint
from refman.library import Library
from tests.safety_helpers import (
    file_pmids,
    hand_off,
    integrity_problems,
    pmid_counts,
    program_env,
    refman,
    regular_backups,
    start_window,
    wait_until,
)
from tests.samples import RESULT2, SAMPLE_FILES

BACKUP_TIMEOUT_S = 30  # the window makes it a few seconds after it appeared
IMPORT_TIMEOUT_S = 30


def listed_pmids(library, env) -> list[str]:
    """The PMIDs a new process lists (every item, once each if all is well)."""
    listed = refman(library, "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    return [json.loads(line)["pmid"] for line in listed.stdout.splitlines()]


def wait_until_listed(library, env, path) -> None:
    """Until a new process lists every record of the file ``path`` (the test fails after a
    while: the records never reached the file other programs read)."""
    pmids = set(file_pmids(path))
    what = f"another process to see the records of {path.name}"
    wait_until(lambda: pmids <= set(listed_pmids(library, env)), IMPORT_TIMEOUT_S, what)


def test_the_window_keeps_its_log_and_its_writes_reach_other_programs(tmp_path):
    library = tmp_path / "library.sqlite"
    env = program_env(tmp_path)
    seed, by_cli, by_window, by_window_later = SAMPLE_FILES
    assert refman(library, "import", seed, env=env).returncode == 0
    window = start_window(library, env, tmp_path / "window")
    try:
        wait_until(lambda: regular_backups(library), BACKUP_TIMEOUT_S, "the daily backup")
        assert refman(library, "list", env=env).returncode == 0  # opens and closes the library

        wal, shm = (library.with_name(library.name + suffix) for suffix in ("-wal", "-shm"))
        assert wal.exists() and shm.exists(), (
            "Another program deleted the window's -wal and -shm when it closed the library: "
            "it did not see the window's locks on the file."
        )
        deleted = [name for name in window.library_files(library) if name.endswith("(deleted)")]
        assert not deleted, f"The window writes to files no other program sees: {deleted}"

        # The window writes (an import handed to it), then the command line, then the window.
        hand_off(library, [by_window], env)
        wait_until_listed(library, env, by_window)
        assert refman(library, "import", by_cli, env=env).returncode == 0
        hand_off(library, [by_window_later], env)
        wait_until_listed(library, env, by_window_later)
    except BaseException:
        window.kill()
        raise
    status = window.terminate()  # SIGTERM: the window quits as its Quit command does
    assert status == 0, window.stderr()
    assert not window.unexpected_output()
    assert integrity_problems(library) == []
    checked = refman(library, "check", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "No problems found." in checked.stdout
    expected = [pmid for path in SAMPLE_FILES for pmid in file_pmids(path)]
    assert pmid_counts(library) == {pmid: 1 for pmid in expected}


def test_sigterm_quits_the_window_and_closes_the_library(tmp_path):
    library = tmp_path / "library.sqlite"
    env = program_env(tmp_path)
    assert refman(library, "import", SAMPLE_FILES[1], env=env).returncode == 0
    window = start_window(library, env, tmp_path / "window")
    wal = library.with_name(library.name + "-wal")
    try:
        wait_until(lambda: wal.exists(), BACKUP_TIMEOUT_S, "the window to open the library")
        wait_until(lambda: regular_backups(library), BACKUP_TIMEOUT_S, "the daily backup")
    except BaseException:
        window.kill()
        raise
    assert window.terminate() == 0, window.stderr()  # not -15: it was not simply ended
    assert not wal.exists()  # SQLite removes it when the last connection closes properly
    assert not window.unexpected_output()


def test_the_start_up_measurement_reports_the_first_paint(tmp_path):
    path = tmp_path / "library.sqlite"
    with Library(path) as library:
        library.importing.files([RESULT2])
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(tmp_path / "cfg"),
        **{first_paint.ENV: "1"},
    )
    done = subprocess.run(
        [sys.executable, "-m", "refman", "--library", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads([line for line in done.stdout.splitlines() if line.startswith("{")][-1])
    assert report["rows"] == 4
    assert report["painted_epoch"] <= time.time()
    assert report["shown_after_launch_s"] is None or 0 < report["shown_after_launch_s"] < 120
