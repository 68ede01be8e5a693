"""refman.library.backups: dated copies beside the library, the daily one, how many are kept,
restores, and a damaged library named with its latest good backup. What the command line
says of them is in tests/system/test_backups.py."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from refman.library import Library, backups
from refman.library.backups import DamagedLibraryError
from refman.model import LibraryError, Reference
from tests.safety_helpers import wreck_table
from tests.samples import SAMPLE_FILES

DAY = timedelta(days=1)


def count_items(path: Path) -> int:
    with Library(path, read_only=True) as library:
        return len(library.items.all_ids())


# --- making backups -------------------------------------------------------------------------------


def test_a_backup_is_one_self_contained_file(filled_library):
    path = backups.make_backup(filled_library)
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    conn.close()
    assert sorted(p.name for p in path.parent.iterdir()) == [backups.LOCK_FILE, path.name]


def test_a_backup_holds_commits_only_while_another_program_writes(filled_library):
    """The copy is of one consistent state: a transaction open elsewhere is not in it."""
    before = count_items(filled_library)
    writer = sqlite3.connect(filled_library, isolation_level=None, timeout=5)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM item")
    try:
        path = backups.make_backup(filled_library)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert count_items(path) == before


def test_a_cancelled_backup_leaves_no_file(filled_library):
    assert backups.make_backup(filled_library, cancelled=lambda: True) is None
    left = [p.name for p in (filled_library.parent / "backups").iterdir()]
    assert left == [backups.LOCK_FILE]  # no backup, no partial copy


def test_the_last_five_backups_are_kept(filled_library):
    start = datetime(2024, 6, 1, 9, 0)
    made = [backups.make_backup(filled_library, now=start + n * DAY) for n in range(7)]
    assert [b.path for b in backups.list_backups(filled_library)] == made[:1:-1]


def test_copies_saved_before_a_restore_do_not_push_out_the_backups(filled_library):
    regular = backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    for _ in range(backups.KEEP_BACKUPS + 1):
        backups.restore(filled_library)
    kinds = [b.label for b in backups.list_backups(filled_library)]
    assert kinds.count(backups.BEFORE_RESTORE) == backups.KEEP_BACKUPS
    assert regular in [b.path for b in backups.list_backups(filled_library)]


# --- the daily automatic backup -------------------------------------------------------------------


def test_the_automatic_backup_is_made_at_most_daily(filled_library):
    now = datetime(2024, 6, 1, 9, 0)
    first = backups.backup_if_due(filled_library, now=now)
    assert first is not None
    assert backups.backup_if_due(filled_library, now=now + timedelta(hours=23)) is None
    second = backups.backup_if_due(filled_library, now=now + DAY)
    assert second not in (None, first)


def test_an_empty_library_is_not_backed_up(library_path):
    Library(library_path).close()
    assert backups.backup_if_due(library_path) is None


def test_the_automatic_backup_runs_beside_a_writer(filled_library):
    """The window's thread copies while the window goes on writing: both finish."""
    done = []
    thread = threading.Thread(target=lambda: done.append(backups.backup_if_due(filled_library)))
    with Library(filled_library) as library:
        thread.start()
        for n in range(20):
            library.items.add(Reference(title=f"Written during the backup {n}"))
        thread.join(timeout=60)
    assert done and done[0] is not None
    assert count_items(done[0]) >= len(SAMPLE_FILES)


# --- damage ---------------------------------------------------------------------------------------


def test_a_damaged_library_is_not_opened_for_writing(filled_library):
    good = backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    wreck_table(filled_library)
    with pytest.raises(DamagedLibraryError) as caught:
        Library(filled_library)
    message = str(caught.value)
    assert "is damaged" in message
    assert str(good) in message
    assert f"refman --library {filled_library} restore" in message
    assert caught.value.backup.path == good


def test_the_latest_good_backup_skips_damaged_ones(filled_library):
    good = backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    newer = backups.make_backup(filled_library, now=datetime(2024, 6, 2))
    wreck_table(newer)
    assert backups.latest_good_backup(filled_library).path == good


def test_a_damaged_library_without_backups_suggests_a_repair(filled_library):
    wreck_table(filled_library)
    with pytest.raises(DamagedLibraryError, match="no backup") as caught:
        Library(filled_library)
    assert "check" in str(caught.value)


def test_a_damaged_library_still_opens_read_only(filled_library):
    wreck_table(filled_library, "note")
    with Library(filled_library, read_only=True) as library:
        assert library.items.count() > 0


def test_a_file_that_is_not_a_library_is_still_called_that(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("shopping list\n" * 100)
    with pytest.raises(LibraryError, match="not a refman library"):
        Library(path)


def test_the_daily_check_finds_a_damaged_library_opened_unchecked(filled_library):
    good = backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    wreck_table(filled_library, "note")
    with (
        Library(filled_library, verify=False) as library,  # as the window opens a large one
        pytest.raises(DamagedLibraryError) as caught,
    ):
        library.safety.backup_if_due()
    assert caught.value.backup.path == good
    assert [b.path for b in backups.list_backups(filled_library)] == [good]  # nothing copied
    with pytest.raises(DamagedLibraryError):  # the window's import thread is refused too
        Library(filled_library)


# --- the check skipped when the file is as refman left it -------------------------------------


@pytest.fixture
def checks(monkeypatch) -> list[Path]:
    """The files SQLite's quick check reads from now on."""
    made: list[Path] = []
    real = backups.maintenance.check_file

    def counted(path: Path, *, full: bool) -> list[str]:
        made.append(path)
        return real(path, full=full)

    monkeypatch.setattr(backups.maintenance, "check_file", counted)
    return made


def as_a_new_process(library: Path) -> None:
    """What a new process knows of the library: nothing but the files."""
    backups._verified.discard(library.resolve())


def test_the_next_process_skips_the_check_of_a_library_left_as_refman_wrote_it(
    filled_library, checks
):
    backups.make_backup(filled_library, now=datetime(2024, 6, 1))  # as every day's first command
    with Library(filled_library) as library:
        library.items.add(Reference(title="Written by the first command"))
    assert checks == [filled_library]
    as_a_new_process(filled_library)
    with Library(filled_library) as library:  # the next command: no second read of the file
        assert library.items.count() > 0
    assert checks == [filled_library]


def test_a_library_changed_by_another_program_is_checked_and_its_damage_found(
    filled_library, checks
):
    good = backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    Library(filled_library).close()
    as_a_new_process(filled_library)
    wreck_table(filled_library)
    with pytest.raises(DamagedLibraryError) as caught:
        Library(filled_library)
    assert caught.value.backup.path == good
    assert checks.count(filled_library) == 2


def test_a_copy_put_in_the_library_s_place_is_checked(filled_library, tmp_path, checks):
    backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    Library(filled_library).close()
    as_a_new_process(filled_library)
    copy = Path(shutil.copy(filled_library, tmp_path / "copy.sqlite"))
    os.replace(copy, filled_library)  # same bytes, another file: refman did not leave it so
    Library(filled_library).close()
    assert checks.count(filled_library) == 2


def test_damage_that_leaves_the_file_s_state_alone_is_found_by_the_daily_check(
    filled_library, checks
):
    old = backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    Library(filled_library).close()
    as_a_new_process(filled_library)
    before = os.stat(filled_library)
    wreck_table(filled_library, "note")
    os.utime(filled_library, ns=(before.st_atime_ns, before.st_mtime_ns))
    state = backups.file_state(filled_library)
    # ctime cannot be set back: hide the change the way a failing disk would
    backups._remember_state(filled_library, state)
    with Library(filled_library) as library, pytest.raises(DamagedLibraryError):
        library.safety.backup_if_due()
    assert [b.path for b in backups.list_backups(filled_library)] == [old]  # nothing copied


def test_a_new_library_gets_no_backups_folder_for_its_state(library_path):
    Library(library_path).close()
    assert sorted(p.name for p in library_path.parent.iterdir()) == ["library.sqlite"]


def test_a_restore_makes_the_next_opening_check_again(filled_library, checks):
    backup = backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    Library(filled_library).close()
    backups.restore(filled_library, backup)
    as_a_new_process(filled_library)
    Library(filled_library).close()
    assert checks.count(filled_library) == 2
