"""Backups, restores and checks as a user runs them after something went wrong (``refman
backup``, ``restore``, ``check``), the daily backup a changing command makes first, and backups
beside other programs and on a full disk. The library's own backup functions are tested in
tests/unit/library/test_backups.py."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
from datetime import datetime
from pathlib import Path

from refman.library import Library, backups
from refman.model import Reference, ViewQuery
from refman.store import collection_tree, mapping
from tests.safety_helpers import (
    REFMAN,
    checkpoint,
    file_problems,
    index_problems,
    on_a_small_disk,
    refman,
    snapshot,
    tag_total_problems,
    unsort_index,
    wreck_table,
)
from tests.samples import SAMPLE_FILES


def add_item(path: Path, title: str) -> None:
    with Library(path) as library:
        library.items.add(Reference(title=title))


# --- making backups -------------------------------------------------------------------------------


def test_refman_backup_writes_a_dated_copy_beside_the_library(filled_library):
    result = refman(filled_library, "backup")
    assert result.returncode == 0, result.stderr
    (backup,) = backups.list_backups(filled_library)
    assert backup.path.parent == filled_library.parent / "backups"
    assert backup.path.name.startswith(f"library-{datetime.now():%Y-%m-%d}")
    assert str(backup.path) in result.stdout
    assert snapshot(backup.path) == snapshot(filled_library)


def test_refman_backup_output_writes_where_asked(filled_library, tmp_path):
    target = tmp_path / "elsewhere" / "copy.sqlite"
    assert refman(filled_library, "backup", "--output", target).returncode == 0
    assert snapshot(target) == snapshot(filled_library)
    assert backups.list_backups(filled_library) == []


# --- the daily automatic backup -------------------------------------------------------------------


def test_a_changing_command_backs_the_library_up_first(filled_library, tmp_path):
    """The backup holds the library as it was before the command: the change can be undone."""
    before = snapshot(filled_library)
    assert refman(filled_library, "list").returncode == 0
    assert backups.list_backups(filled_library) == []  # reading changes nothing: no backup
    assert refman(filled_library, "tag", "add", "oops", "--all").returncode == 0
    (backup,) = backups.list_backups(filled_library)
    assert snapshot(backup.path) == before
    assert refman(filled_library, "tag", "add", "again", "--all").returncode == 0
    assert len(backups.list_backups(filled_library)) == 1  # not twice in a day


def test_a_backup_that_cannot_be_written_only_warns(filled_library):
    (filled_library.parent / "backups").write_text("a file where the folder would go")
    result = refman(filled_library, "tag", "add", "still done", "--all")
    assert result.returncode == 0
    assert "warning: the daily backup was not made" in result.stderr
    with Library(filled_library) as library:
        assert "still done" in library.tags.names()


# --- restore --------------------------------------------------------------------------------------


def test_refman_restore_goes_back_to_the_latest_backup(filled_library):
    backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    before = snapshot(filled_library)
    refman(filled_library, "tag", "add", "mistake", "--all")
    after_mistake = snapshot(filled_library)
    result = refman(filled_library, "restore")
    assert result.returncode == 0, result.stderr
    assert snapshot(filled_library) == before
    saved = [b for b in backups.list_backups(filled_library) if b.label == backups.BEFORE_RESTORE]
    assert len(saved) == 1
    assert str(saved[0].path) in result.stdout
    assert snapshot(saved[0].path) == after_mistake


def test_refman_restore_takes_a_named_backup(filled_library, tmp_path):
    old = tmp_path / "old.sqlite"
    refman(filled_library, "backup", "--output", old)
    add_item(filled_library, "Added after the backup")
    result = refman(filled_library, "restore", old)
    assert result.returncode == 0, result.stderr
    assert snapshot(filled_library) == snapshot(old)


def test_an_open_library_sees_the_restored_content(filled_library):
    """A restore writes through SQLite, so a program that has the library open sees it whole."""
    backup = backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    with Library(filled_library) as open_elsewhere:
        open_elsewhere.items.add(Reference(title="Added after the backup"))
        refman(filled_library, "restore")
        assert sorted(open_elsewhere.items.all_ids()) == sorted(
            Library(backup, read_only=True).items.all_ids()
        )


def test_restore_without_a_backup_says_so(filled_library):
    before = snapshot(filled_library)
    result = refman(filled_library, "restore")
    assert result.returncode == 1
    assert "There is no good backup" in result.stderr
    assert snapshot(filled_library) == before


def test_a_damaged_backup_is_not_restored(filled_library, tmp_path):
    bad = tmp_path / "bad.sqlite"
    backups.make_backup(filled_library, output=bad)
    wreck_table(bad)
    before = snapshot(filled_library)
    result = refman(filled_library, "restore", bad)
    assert result.returncode == 1
    assert "is damaged" in result.stderr
    assert snapshot(filled_library) == before


def test_a_file_sqlite_cannot_read_is_replaced_by_the_backup(filled_library):
    backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    expected = snapshot(filled_library)
    damaged = b"\0" * 100 + filled_library.read_bytes()[100:]  # the header is gone
    filled_library.write_bytes(damaged)
    assert refman(filled_library, "restore").returncode == 0
    assert snapshot(filled_library) == expected
    saved = [b for b in backups.list_backups(filled_library) if b.label]
    assert saved[0].path.read_bytes()[:200] == damaged[:200]  # kept as it was


# --- damage ---------------------------------------------------------------------------------------


def test_damage_after_a_command_that_wrote_is_found_by_the_next_command(filled_library):
    """The state a command leaves (so that the next may skip the quick check) does not hide
    what another program does to the file in between."""
    backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    assert refman(filled_library, "tag", "add", "read later", "--all").returncode == 0
    assert (filled_library.parent / "backups" / ".library.sqlite.checked").exists()
    wreck_table(filled_library)
    result = refman(filled_library, "tag", "add", "second", "--all")
    assert result.returncode == 1
    assert "damaged" in result.stderr and "restore" in result.stderr


def test_the_command_line_names_the_backup_of_a_damaged_library(filled_library):
    backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    wreck_table(filled_library)
    result = refman(filled_library, "list")
    assert result.returncode == 1
    assert "restore" in result.stderr and "backups" in result.stderr
    assert refman(filled_library, "restore").returncode == 0
    assert refman(filled_library, "list").returncode == 0


def test_a_changing_command_checks_the_library_even_with_a_backup_from_today(filled_library):
    """The daily backup is not due, yet the command reads the whole file before writing."""
    backups.make_backup(filled_library)
    wreck_table(filled_library, "note")
    before = filled_library.read_bytes()
    result = refman(filled_library, "import", SAMPLE_FILES[0])
    assert result.returncode == 1
    assert "is damaged" in result.stderr and "refman --library" in result.stderr
    assert filled_library.read_bytes() == before


def test_a_changing_command_refuses_a_damaged_library(filled_library):
    wreck_table(filled_library, "note")
    before = filled_library.read_bytes()
    result = refman(filled_library, "tag", "add", "x", "--all")
    assert result.returncode == 1
    assert "is damaged" in result.stderr
    assert filled_library.read_bytes() == before


# --- refman check ---------------------------------------------------------------------------------


def test_check_on_a_sound_library_finds_nothing(filled_library):
    result = refman(filled_library, "check")
    assert result.returncode == 0
    assert "integrity check" in result.stdout
    assert "search index" in result.stdout
    assert "No problems found." in result.stdout
    assert backups.list_backups(filled_library) == []  # nothing repaired: no copy


def change_past_the_store(path: Path, statement: str) -> None:
    """What another tool might do to the file: one statement, committed, past refman."""
    with sqlite3.connect(path) as conn:
        # Taking rows out of the full-text index reads its view, which unpacks abstracts
        # with refman's function: a tool that changes the index needs it (reading does not).
        conn.create_function(mapping.ABSTRACT_FUNCTION, 1, mapping.unpack_abstract)
        conn.execute(statement)
    conn.close()


def repaired_by_check(path: Path, statement: str, problems, count: int) -> str:
    """Change the library past the store (``statement``): ``problems`` finds ``count`` problems
    in it, and none once ``refman check`` has run. What check printed."""
    change_past_the_store(path, statement)
    with Library(path, read_only=True) as library:
        assert len(problems(library)) == count
    result = refman(path, "check")
    assert result.returncode == 0, result.stdout
    with Library(path) as library:
        assert problems(library) == []
    return result.stdout


def test_check_rebuilds_a_search_index_out_of_step(filled_library):
    deleted = "DELETE FROM item_fts WHERE rowid IN (SELECT rowid FROM item_fts LIMIT 3)"
    said = repaired_by_check(filled_library, deleted, index_problems, 3)
    assert "Found 3 problems" in said
    assert "rebuilt the search index" in said
    with Library(filled_library) as library:
        assert library.items.search(ViewQuery(text="Iltamiocel"))  # the seed's title word again
    assert [b.label for b in backups.list_backups(filled_library)] == [backups.BEFORE_REPAIR]


def test_check_counts_tags_anew_when_their_stored_counts_are_wrong(filled_library):
    # A link written by another tool, past the store, leaves tag_total behind.
    with Library(filled_library, read_only=True) as library:
        before = {t.name: t.count for t in library.tags.counts()}
    wrong = "UPDATE tag_total SET items = items + 5 WHERE tag_id = (SELECT min(id) FROM tag)"
    said = repaired_by_check(filled_library, wrong, tag_total_problems, 1)
    assert "tag counts" in said
    assert "counted the tags' items anew" in said
    with Library(filled_library) as library:
        assert {t.name: t.count for t in library.tags.counts()} == before


def test_check_rebuilds_an_index_that_disagrees_with_its_table(library_path):
    with Library(library_path) as library:
        for pmid in ("11111111", "22222222", "33333333"):
            library.items.add(Reference(title=f"Paper {pmid}", pmid=pmid))
    unsort_index(library_path, "item_pmid", b"11111111", b"22222222")
    with Library(library_path) as library:  # the quick check on opening does not see it
        assert file_problems(library) != []
    result = refman(library_path, "check")
    assert result.returncode == 0, result.stdout
    assert "missing from index item_pmid" in result.stdout
    assert "rebuilt the indexes" in result.stdout
    with Library(library_path) as library:
        assert file_problems(library) == []
        assert library.items.search(ViewQuery(text="11111111")) != []  # the index works


def test_check_of_a_library_beyond_repair_names_the_backup(filled_library):
    good = backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    wreck_table(filled_library)
    result = refman(filled_library, "check")
    assert result.returncode == 1
    assert "damaged beyond repair" in result.stdout
    assert str(good) in result.stdout
    assert "restore" in result.stdout


def test_check_of_a_missing_library_says_so(tmp_path):
    result = refman(tmp_path / "nothing.sqlite", "check")
    assert result.returncode == 1
    assert "There is no library" in result.stderr
    assert not (tmp_path / "nothing.sqlite").exists()


# --- backups and restores beside other programs ---------------------------------------------------


def test_restore_waits_for_a_writer_and_keeps_what_it_committed(filled_library):
    """The restore takes the write lock before it saves the library as it was: a change
    committed while it waited is in the before-restore copy, not lost between the two."""
    good = backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    holding, release = threading.Event(), threading.Event()

    def write_slowly():
        with Library(filled_library) as library, library.connection.writing() as db:
            collection_tree.create(db, "Committed while the restore waited", None)
            holding.set()
            release.wait(60)

    writer = threading.Thread(target=write_slowly)
    writer.start()
    assert holding.wait(30)
    argv = [str(REFMAN), "--library", str(filled_library), "restore"]
    restore = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        notice = restore.stderr.readline()
    finally:
        release.set()
        writer.join(60)
    out, err = restore.communicate(timeout=120)
    assert "waiting for another program to finish writing" in notice
    assert restore.returncode == 0, err
    assert snapshot(filled_library) == snapshot(good)
    (saved,) = [b for b in backups.list_backups(filled_library) if b.label]
    with Library(saved.path, read_only=True) as before:
        names = [c.name for c in before.collections.all()]
    assert "Committed while the restore waited" in names


def test_two_backups_at_once_are_both_made(filled_library):
    argv = [str(REFMAN), "--library", str(filled_library), "backup"]
    runs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in "ab"]
    results = [(run.wait(120), run.stderr.read()) for run in runs]
    for run in runs:
        run.stdout.close()
        run.stderr.close()
    assert results == [(0, b""), (0, b"")]
    made = backups.list_backups(filled_library)
    assert len({b.path for b in made}) == 2
    for backup in made:
        assert snapshot(backup.path) == snapshot(filled_library)


def test_two_commands_starting_together_make_one_daily_backup(filled_library):
    argv = [str(REFMAN), "--library", str(filled_library), "note", "add"]
    ids = sorted(Library(filled_library, read_only=True).items.all_ids())[:2]
    runs = [
        subprocess.Popen(
            [*argv, str(i), "A note"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        for i in ids
    ]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    assert errors == ["", ""]
    assert len([b for b in backups.list_backups(filled_library) if b.regular]) == 1


def test_copies_left_by_a_crash_are_cleaned_up(filled_library):
    folder = backups.backup_folder(filled_library)
    folder.mkdir(exist_ok=True)
    stale = folder / "library-2024-06-01T000000.sqlite.0123456789ab.partial"
    stale.write_bytes(b"half a copy")
    Path(f"{stale}-journal").write_bytes(b"its journal")
    assert refman(filled_library, "backup").returncode == 0
    names = sorted(p.name for p in folder.iterdir())
    assert not [name for name in names if "partial" in name]


# --- a full disk ----------------------------------------------------------------------------------


def test_a_backup_to_a_full_disk_names_that_disk_and_leaves_nothing(filled_library, tmp_path):
    disk = tmp_path / "stick"
    out = on_a_small_disk(
        disk,
        64,
        f'"$REFMAN" --library "{filled_library}" backup --output "$DISK/copy.sqlite"; '
        'echo "rc=$?"; echo "left:$(ls -A "$DISK")."',
    )
    assert f"The disk holding {disk}/copy.sqlite is full" in out
    assert "rc=1" in out
    assert "left:." in out  # nothing on the stick: no copy, no partial, no journal
    assert refman(filled_library, "check").returncode == 0


def test_a_restore_on_a_full_disk_changes_nothing_and_leaves_no_empty_copy(
    filled_library, tmp_path
):
    """The library and a backup fit on the disk, the copy of the library kept before the
    restore does not: the restore stops before it changes anything."""
    backups.make_backup(filled_library, now=datetime(2024, 6, 1))
    add_item(filled_library, "Added after the backup")
    checkpoint(filled_library)
    expected = snapshot(filled_library)
    size_kib = (filled_library.stat().st_size * 2) // 1024 + 48
    disk = tmp_path / "disk"
    out = on_a_small_disk(
        disk,
        size_kib,
        f'cp -r "{filled_library}" "{filled_library.parent}/backups" "$DISK/" && '
        '"$REFMAN" --library "$DISK/library.sqlite" restore; echo "rc=$?"; '
        # (the file state refman keeps there, .library.sqlite.checked, is no backup)
        'echo "backups:$(ls -A "$DISK/backups" | grep -v "\\.checked$" | tr "\\n" " ")."; '
        f'cp "$DISK/library.sqlite" "{tmp_path}/after.sqlite"; '
        f'cp "$DISK/library.sqlite-wal" "{tmp_path}/after.sqlite-wal" 2>/dev/null; true',
    )
    assert "rc=1" in out
    assert "is full" in out and "Nothing was restored" in out
    # no empty or partial copy left
    assert "backups:.lock library-2024-06-01T000000.sqlite ." in out
    assert snapshot(tmp_path / "after.sqlite") == expected
