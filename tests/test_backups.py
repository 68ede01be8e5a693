"""Backups, restores and checks: what a user runs after something went wrong, and the daily
automatic backup that makes it possible."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from refman.library import Library, backups
from refman.library.backups import DamagedLibraryError
from refman.model import LibraryError, Reference, ViewQuery
from refman.store import collection_tree
from tests.safety_helpers import (
    REFMAN,
    SAMPLES,
    checkpoint,
    file_problems,
    filled_library,
    index_problems,
    on_a_small_disk,
    refman,
    snapshot,
    tag_total_problems,
    unsort_index,
    wreck_table,
)

DAY = timedelta(days=1)


@pytest.fixture
def library_path(tmp_path) -> Path:
    return filled_library(tmp_path / "library.sqlite")


def count_items(path: Path) -> int:
    with Library(path, read_only=True) as library:
        return len(library.items.all_ids())


def add_item(path: Path, title: str) -> None:
    with Library(path) as library:
        library.items.add(Reference(title=title))


# --- making backups ---------------------------------------------------------------------------


def test_refman_backup_writes_a_dated_copy_beside_the_library(library_path):
    result = refman(library_path, "backup")
    assert result.returncode == 0, result.stderr
    (backup,) = backups.list_backups(library_path)
    assert backup.path.parent == library_path.parent / "backups"
    assert backup.path.name.startswith(f"library-{datetime.now():%Y-%m-%d}")
    assert str(backup.path) in result.stdout
    assert snapshot(backup.path) == snapshot(library_path)


def test_a_backup_is_one_self_contained_file(library_path):
    path = backups.make_backup(library_path)
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    conn.close()
    assert sorted(p.name for p in path.parent.iterdir()) == [backups.LOCK_FILE, path.name]


def test_refman_backup_output_writes_where_asked(library_path, tmp_path):
    target = tmp_path / "elsewhere" / "copy.sqlite"
    assert refman(library_path, "backup", "--output", target).returncode == 0
    assert snapshot(target) == snapshot(library_path)
    assert backups.list_backups(library_path) == []


def test_a_backup_holds_commits_only_while_another_program_writes(library_path):
    """The copy is of one consistent state: a transaction open elsewhere is not in it."""
    before = count_items(library_path)
    writer = sqlite3.connect(library_path, isolation_level=None, timeout=5)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM item")
    try:
        path = backups.make_backup(library_path)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert count_items(path) == before


def test_a_cancelled_backup_leaves_no_file(library_path):
    assert backups.make_backup(library_path, cancelled=lambda: True) is None
    left = [p.name for p in (library_path.parent / "backups").iterdir()]
    assert left == [backups.LOCK_FILE]  # no backup, no partial copy


def test_the_last_five_backups_are_kept(library_path):
    start = datetime(2024, 6, 1, 9, 0)
    made = [backups.make_backup(library_path, now=start + n * DAY) for n in range(7)]
    assert [b.path for b in backups.list_backups(library_path)] == made[:1:-1]


def test_copies_saved_before_a_restore_do_not_push_out_the_backups(library_path):
    regular = backups.make_backup(library_path, now=datetime(2024, 6, 1))
    for _ in range(backups.KEEP_BACKUPS + 1):
        backups.restore(library_path)
    kinds = [b.label for b in backups.list_backups(library_path)]
    assert kinds.count(backups.BEFORE_RESTORE) == backups.KEEP_BACKUPS
    assert regular in [b.path for b in backups.list_backups(library_path)]


# --- the daily automatic backup ---------------------------------------------------------------


def test_the_automatic_backup_is_made_at_most_daily(library_path):
    now = datetime(2024, 6, 1, 9, 0)
    first = backups.backup_if_due(library_path, now=now)
    assert first is not None
    assert backups.backup_if_due(library_path, now=now + timedelta(hours=23)) is None
    second = backups.backup_if_due(library_path, now=now + DAY)
    assert second not in (None, first)


def test_an_empty_library_is_not_backed_up(tmp_path):
    path = tmp_path / "library.sqlite"
    Library(path).close()
    assert backups.backup_if_due(path) is None


def test_a_changing_command_backs_the_library_up_first(library_path, tmp_path):
    """The backup holds the library as it was before the command: the change can be undone."""
    before = snapshot(library_path)
    assert refman(library_path, "list").returncode == 0
    assert backups.list_backups(library_path) == []  # reading changes nothing: no backup
    assert refman(library_path, "tag", "add", "oops", "--all").returncode == 0
    (backup,) = backups.list_backups(library_path)
    assert snapshot(backup.path) == before
    assert refman(library_path, "tag", "add", "again", "--all").returncode == 0
    assert len(backups.list_backups(library_path)) == 1  # not twice in a day


def test_a_backup_that_cannot_be_written_only_warns(library_path):
    (library_path.parent / "backups").write_text("a file where the folder would go")
    result = refman(library_path, "tag", "add", "still done", "--all")
    assert result.returncode == 0
    assert "warning: the daily backup was not made" in result.stderr
    with Library(library_path) as library:
        assert "still done" in library.tags.names()


# --- restore ----------------------------------------------------------------------------------


def test_refman_restore_goes_back_to_the_latest_backup(library_path):
    backups.make_backup(library_path, now=datetime(2024, 6, 1))
    before = snapshot(library_path)
    refman(library_path, "tag", "add", "mistake", "--all")
    after_mistake = snapshot(library_path)
    result = refman(library_path, "restore")
    assert result.returncode == 0, result.stderr
    assert snapshot(library_path) == before
    saved = [b for b in backups.list_backups(library_path) if b.label == backups.BEFORE_RESTORE]
    assert len(saved) == 1
    assert str(saved[0].path) in result.stdout
    assert snapshot(saved[0].path) == after_mistake


def test_refman_restore_takes_a_named_backup(library_path, tmp_path):
    old = tmp_path / "old.sqlite"
    refman(library_path, "backup", "--output", old)
    add_item(library_path, "Added after the backup")
    result = refman(library_path, "restore", old)
    assert result.returncode == 0, result.stderr
    assert snapshot(library_path) == snapshot(old)


def test_an_open_library_sees_the_restored_content(library_path):
    """A restore writes through SQLite, so a program that has the library open sees it whole."""
    backup = backups.make_backup(library_path, now=datetime(2024, 6, 1))
    with Library(library_path) as open_elsewhere:
        open_elsewhere.items.add(Reference(title="Added after the backup"))
        refman(library_path, "restore")
        assert sorted(open_elsewhere.items.all_ids()) == sorted(
            Library(backup, read_only=True).items.all_ids()
        )


def test_restore_without_a_backup_says_so(library_path):
    before = snapshot(library_path)
    result = refman(library_path, "restore")
    assert result.returncode == 1
    assert "There is no good backup" in result.stderr
    assert snapshot(library_path) == before


def test_a_damaged_backup_is_not_restored(library_path, tmp_path):
    bad = tmp_path / "bad.sqlite"
    backups.make_backup(library_path, output=bad)
    wreck_table(bad)
    before = snapshot(library_path)
    result = refman(library_path, "restore", bad)
    assert result.returncode == 1
    assert "is damaged" in result.stderr
    assert snapshot(library_path) == before


def test_a_file_sqlite_cannot_read_is_replaced_by_the_backup(library_path):
    backups.make_backup(library_path, now=datetime(2024, 6, 1))
    expected = snapshot(library_path)
    damaged = b"\0" * 100 + library_path.read_bytes()[100:]  # the header is gone
    library_path.write_bytes(damaged)
    assert refman(library_path, "restore").returncode == 0
    assert snapshot(library_path) == expected
    saved = [b for b in backups.list_backups(library_path) if b.label]
    assert saved[0].path.read_bytes()[:200] == damaged[:200]  # kept as it was


# --- damage -----------------------------------------------------------------------------------


def test_a_damaged_library_is_not_opened_for_writing(library_path):
    good = backups.make_backup(library_path, now=datetime(2024, 6, 1))
    wreck_table(library_path)
    with pytest.raises(DamagedLibraryError) as caught:
        Library(library_path)
    message = str(caught.value)
    assert "is damaged" in message
    assert str(good) in message
    assert f"refman --library {library_path} restore" in message
    assert caught.value.backup.path == good


def test_the_command_line_names_the_backup_of_a_damaged_library(library_path):
    backups.make_backup(library_path, now=datetime(2024, 6, 1))
    wreck_table(library_path)
    result = refman(library_path, "list")
    assert result.returncode == 1
    assert "restore" in result.stderr and "backups" in result.stderr
    assert refman(library_path, "restore").returncode == 0
    assert refman(library_path, "list").returncode == 0


def test_the_latest_good_backup_skips_damaged_ones(library_path):
    good = backups.make_backup(library_path, now=datetime(2024, 6, 1))
    newer = backups.make_backup(library_path, now=datetime(2024, 6, 2))
    wreck_table(newer)
    assert backups.latest_good_backup(library_path).path == good


def test_a_damaged_library_without_backups_suggests_a_repair(library_path):
    wreck_table(library_path)
    with pytest.raises(DamagedLibraryError, match="no backup") as caught:
        Library(library_path)
    assert "check" in str(caught.value)


def test_a_damaged_library_still_opens_read_only(library_path):
    wreck_table(library_path, "note")
    with Library(library_path, read_only=True) as library:
        assert library.items.count() > 0


def test_a_file_that_is_not_a_library_is_still_called_that(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("shopping list\n" * 100)
    with pytest.raises(LibraryError, match="not a refman library"):
        Library(path)


# --- refman check -----------------------------------------------------------------------------


def test_check_on_a_sound_library_finds_nothing(library_path):
    result = refman(library_path, "check")
    assert result.returncode == 0
    assert "integrity check" in result.stdout
    assert "search index" in result.stdout
    assert "No problems found." in result.stdout
    assert backups.list_backups(library_path) == []  # nothing repaired: no copy


def change_past_the_store(path: Path, statement: str) -> None:
    """What another tool might do to the file: one statement, committed, past refman."""
    with sqlite3.connect(path) as conn:
        conn.execute(statement)
    conn.close()


def test_check_rebuilds_a_search_index_out_of_step(library_path):
    change_past_the_store(
        library_path, "DELETE FROM item_fts WHERE rowid IN (SELECT rowid FROM item_fts LIMIT 3)"
    )
    with Library(library_path, read_only=True) as library:
        assert len(index_problems(library)) == 3
    result = refman(library_path, "check")
    assert result.returncode == 0, result.stdout
    assert "Found 3 problems" in result.stdout
    assert "rebuilt the search index" in result.stdout
    with Library(library_path) as library:
        assert index_problems(library) == []
        assert library.items.search(
            ViewQuery(text="Iltamiocel")
        )  # the seed's title word is found again
    assert [b.label for b in backups.list_backups(library_path)] == [backups.BEFORE_REPAIR]


def test_check_counts_tags_anew_when_their_stored_counts_are_wrong(library_path):
    # A link written by another tool, past the store, leaves tag_total behind.
    with Library(library_path, read_only=True) as library:
        before = {t.name: t.count for t in library.tags.counts()}
    change_past_the_store(
        library_path,
        "UPDATE tag_total SET items = items + 5 WHERE tag_id = (SELECT min(id) FROM tag)",
    )
    with Library(library_path, read_only=True) as library:
        assert len(tag_total_problems(library)) == 1
    result = refman(library_path, "check")
    assert result.returncode == 0, result.stdout
    assert "tag counts" in result.stdout
    assert "counted the tags' items anew" in result.stdout
    with Library(library_path) as library:
        assert tag_total_problems(library) == []
        assert {t.name: t.count for t in library.tags.counts()} == before


def test_check_rebuilds_an_index_that_disagrees_with_its_table(tmp_path):
    path = tmp_path / "library.sqlite"
    with Library(path) as library:
        for pmid in ("11111111", "22222222", "33333333"):
            library.items.add(Reference(title=f"Paper {pmid}", pmid=pmid))
    unsort_index(path, "item_pmid", b"11111111", b"22222222")
    with Library(path) as library:  # the quick check on opening does not see it
        assert file_problems(library) != []
    result = refman(path, "check")
    assert result.returncode == 0, result.stdout
    assert "missing from index item_pmid" in result.stdout
    assert "rebuilt the indexes" in result.stdout
    with Library(path) as library:
        assert file_problems(library) == []
        assert library.items.search(ViewQuery(text="11111111")) != []  # the index works


def test_check_of_a_library_beyond_repair_names_the_backup(library_path):
    good = backups.make_backup(library_path, now=datetime(2024, 6, 1))
    wreck_table(library_path)
    result = refman(library_path, "check")
    assert result.returncode == 1
    assert "damaged beyond repair" in result.stdout
    assert str(good) in result.stdout
    assert "restore" in result.stdout


def test_check_of_a_missing_library_says_so(tmp_path):
    result = refman(tmp_path / "nothing.sqlite", "check")
    assert result.returncode == 1
    assert "There is no library" in result.stderr
    assert not (tmp_path / "nothing.sqlite").exists()


# --- the window's automatic backup ------------------------------------------------------------


def test_the_automatic_backup_runs_beside_a_writer(library_path):
    """The window's thread copies while the window goes on writing: both finish."""
    done = []
    thread = threading.Thread(target=lambda: done.append(backups.backup_if_due(library_path)))
    with Library(library_path) as library:
        thread.start()
        for n in range(20):
            library.items.add(Reference(title=f"Written during the backup {n}"))
        thread.join(timeout=60)
    assert done and done[0] is not None
    assert count_items(done[0]) >= len(SAMPLES)


# --- damage found whatever the library's size -------------------------------------------------


def test_the_daily_check_finds_a_damaged_library_opened_unchecked(library_path):
    good = backups.make_backup(library_path, now=datetime(2024, 6, 1))
    wreck_table(library_path, "note")
    with (
        Library(library_path, verify=False) as library,  # as the window opens a large one
        pytest.raises(DamagedLibraryError) as caught,
    ):
        library.safety.backup_if_due()
    assert caught.value.backup.path == good
    assert [b.path for b in backups.list_backups(library_path)] == [good]  # nothing copied
    with pytest.raises(DamagedLibraryError):  # the window's import thread is refused too
        Library(library_path)


def test_a_changing_command_checks_the_library_even_with_a_backup_from_today(library_path):
    """The daily backup is not due, yet the command reads the whole file before writing."""
    backups.make_backup(library_path)
    wreck_table(library_path, "note")
    before = library_path.read_bytes()
    result = refman(library_path, "import", SAMPLES[0])
    assert result.returncode == 1
    assert "is damaged" in result.stderr and "refman --library" in result.stderr
    assert library_path.read_bytes() == before


def test_a_changing_command_refuses_a_damaged_library(library_path):
    wreck_table(library_path, "note")
    before = library_path.read_bytes()
    result = refman(library_path, "tag", "add", "x", "--all")
    assert result.returncode == 1
    assert "is damaged" in result.stderr
    assert library_path.read_bytes() == before


# --- backups and restores beside other programs -------------------------------------------------


def test_restore_waits_for_a_writer_and_keeps_what_it_committed(library_path):
    """The restore takes the write lock before it saves the library as it was: a change
    committed while it waited is in the before-restore copy, not lost between the two."""
    good = backups.make_backup(library_path, now=datetime(2024, 6, 1))
    holding, release = threading.Event(), threading.Event()

    def write_slowly():
        with Library(library_path) as library, library.connection.writing() as db:
            collection_tree.create(db, "Committed while the restore waited", None)
            holding.set()
            release.wait(60)

    writer = threading.Thread(target=write_slowly)
    writer.start()
    assert holding.wait(30)
    argv = [str(REFMAN), "--library", str(library_path), "restore"]
    restore = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        notice = restore.stderr.readline()
    finally:
        release.set()
        writer.join(60)
    out, err = restore.communicate(timeout=120)
    assert "waiting for another program to finish writing" in notice
    assert restore.returncode == 0, err
    assert snapshot(library_path) == snapshot(good)
    (saved,) = [b for b in backups.list_backups(library_path) if b.label]
    with Library(saved.path, read_only=True) as before:
        names = [c.name for c in before.collections.all()]
    assert "Committed while the restore waited" in names


def test_two_backups_at_once_are_both_made(library_path):
    argv = [str(REFMAN), "--library", str(library_path), "backup"]
    runs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in "ab"]
    results = [(run.wait(120), run.stderr.read()) for run in runs]
    for run in runs:
        run.stdout.close()
        run.stderr.close()
    assert results == [(0, b""), (0, b"")]
    made = backups.list_backups(library_path)
    assert len({b.path for b in made}) == 2
    for backup in made:
        assert snapshot(backup.path) == snapshot(library_path)


def test_two_commands_starting_together_make_one_daily_backup(library_path):
    argv = [str(REFMAN), "--library", str(library_path), "note", "add"]
    ids = sorted(Library(library_path, read_only=True).items.all_ids())[:2]
    runs = [
        subprocess.Popen(
            [*argv, str(i), "A note"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        for i in ids
    ]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    assert errors == ["", ""]
    assert len([b for b in backups.list_backups(library_path) if b.regular]) == 1


def test_copies_left_by_a_crash_are_cleaned_up(library_path):
    folder = backups.backup_folder(library_path)
    folder.mkdir(exist_ok=True)
    stale = folder / "library-2024-06-01T000000.sqlite.0123456789ab.partial"
    stale.write_bytes(b"half a copy")
    Path(f"{stale}-journal").write_bytes(b"its journal")
    assert refman(library_path, "backup").returncode == 0
    names = sorted(p.name for p in folder.iterdir())
    assert not [name for name in names if "partial" in name]


# --- a full disk --------------------------------------------------------------------------------


def test_a_backup_to_a_full_disk_names_that_disk_and_leaves_nothing(library_path, tmp_path):
    disk = tmp_path / "stick"
    out = on_a_small_disk(
        disk,
        64,
        f'"$REFMAN" --library "{library_path}" backup --output "$DISK/copy.sqlite"; '
        'echo "rc=$?"; echo "left:$(ls -A "$DISK")."',
    )
    assert f"The disk holding {disk}/copy.sqlite is full" in out
    assert "rc=1" in out
    assert "left:." in out  # nothing on the stick: no copy, no partial, no journal
    assert refman(library_path, "check").returncode == 0


def test_a_restore_on_a_full_disk_changes_nothing_and_leaves_no_empty_copy(library_path, tmp_path):
    """The library and a backup fit on the disk, the copy of the library kept before the
    restore does not: the restore stops before it changes anything."""
    backups.make_backup(library_path, now=datetime(2024, 6, 1))
    add_item(library_path, "Added after the backup")
    checkpoint(library_path)
    expected = snapshot(library_path)
    size_kib = (library_path.stat().st_size * 2) // 1024 + 48
    disk = tmp_path / "disk"
    out = on_a_small_disk(
        disk,
        size_kib,
        f'cp -r "{library_path}" "{library_path.parent}/backups" "$DISK/" && '
        '"$REFMAN" --library "$DISK/library.sqlite" restore; echo "rc=$?"; '
        'echo "backups:$(ls -A "$DISK/backups" | tr "\\n" " ")."; '
        f'cp "$DISK/library.sqlite" "{tmp_path}/after.sqlite"; '
        f'cp "$DISK/library.sqlite-wal" "{tmp_path}/after.sqlite-wal" 2>/dev/null; true',
    )
    assert "rc=1" in out
    assert "is full" in out and "Nothing was restored" in out
    # no empty or partial copy left
    assert "backups:.lock library-2024-06-01T000000.sqlite ." in out
    assert snapshot(tmp_path / "after.sqlite") == expected
