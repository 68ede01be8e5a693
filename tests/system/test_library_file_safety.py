"""The library file as the command line keeps it: never written over by a backup, a restore or
an export, other programs' databases left as they were, damage shown during a command named
with the backup, and one damaged stored record spoiling only its item.

The rule that nothing but SQLite touches an open library is tested in
tests/unit/library/test_safety.py; the process-level proof of it (the window, its daily backup
and another program at once) in test_window_process.py.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from refman.library import Library, backups
from tests.safety_helpers import checkpoint, refman, wreck_table
from tests.samples import SAMPLE_FILES

# --- the library and its backups are never written over -------------------------------------------


def test_a_backup_is_never_written_over_the_library(filled_library):
    for target in (filled_library, Path(f"{filled_library}-wal")):
        result = refman(filled_library, "backup", "--output", target)
        assert result.returncode == 1
        assert "is the library itself" in result.stderr
    assert refman(filled_library, "check").returncode == 0


def test_the_library_itself_is_not_restored_as_a_backup(filled_library):
    result = refman(filled_library, "restore", filled_library)
    assert result.returncode == 1
    assert "is the library itself" in result.stderr


# --- other programs' databases --------------------------------------------------------------------


def other_program_database(path: Path, user_version: int) -> bytes:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE settings (key TEXT, value TEXT)")
    conn.execute("INSERT INTO settings VALUES ('theme', 'dark')")
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize("user_version", [0, 1, 3, 4, -1])
def test_another_programs_database_is_refused_and_left_as_it_was(tmp_path, user_version):
    path = tmp_path / "other-program.sqlite"
    before = other_program_database(path, user_version)
    for command in (["list"], ["import", SAMPLE_FILES[0]], ["tag", "add", "x", "--query", "a"]):
        result = refman(path, *command)
        assert result.returncode == 1, command
        assert "is a SQLite database but not a refman library" in result.stderr
    assert path.read_bytes() == before  # still in its own journal mode, version unchanged
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-program.sqlite"]


# --- damage met while the library is open ---------------------------------------------------------


def test_the_command_line_names_the_backup_when_damage_shows_during_a_command(filled_library):
    """Opened unchecked (``list`` only reads), the damage shows when the items are read."""
    good = backups.make_backup(filled_library)
    wreck_table(filled_library, "item")
    result = refman(filled_library, "list")
    assert result.returncode == 1
    assert "is damaged" in result.stderr
    assert f"The latest good backup is {good}" in result.stderr


# --- one damaged stored record --------------------------------------------------------------------


def damage_source_record(path: Path) -> int:
    """Garbage in place of the first item's compressed MEDLINE record; that item's id."""
    conn = sqlite3.connect(path)
    (item_id,) = conn.execute("SELECT min(item_id) FROM source_record").fetchone()
    conn.execute(
        "UPDATE source_record SET pairs = x'01789c0000deadbeef' WHERE item_id = ?", (item_id,)
    )
    conn.commit()
    conn.close()
    checkpoint(path)
    return item_id


def test_a_damaged_stored_record_spoils_only_its_item(filled_library):
    with Library(filled_library) as library:
        expected = len(library.items.search())
    item_id = damage_source_record(filled_library)
    listed = refman(filled_library, "list")
    assert listed.returncode == 0
    assert len(listed.stdout.splitlines()) == expected
    exported = refman(filled_library, "export", "--format", "medline")
    assert exported.returncode == 0
    assert exported.stdout.count("PMID- ") == expected  # the damaged one from its fields
    with Library(filled_library, read_only=True) as library:
        ref = library.items.get(item_id)
    assert "source record cannot be read" in ref.damage
    assert ref.title  # its fields are still there


def test_check_decodes_every_record_and_drops_the_unreadable_ones(filled_library):
    item_id = damage_source_record(filled_library)
    first = refman(filled_library, "check")
    assert first.returncode == 0
    assert f"item {item_id}: its stored source record cannot be read" in first.stdout
    assert "Repaired: dropped the unreadable source records" in first.stdout
    assert "The library as it was before:" in first.stdout
    again = refman(filled_library, "check")
    assert "No problems found." in again.stdout
    with Library(filled_library, read_only=True) as library:
        assert library.items.get(item_id).damage == ""


def test_an_export_is_never_written_over_the_library_or_a_backup(filled_library):
    backup = backups.make_backup(filled_library)
    before = backup.read_bytes()
    for target in (filled_library, Path(f"{filled_library}-shm"), backup):
        result = refman(filled_library, "export", "--output", target)
        assert result.returncode == 1
        assert "is the library itself or one of its backups" in result.stderr
    assert backup.read_bytes() == before
    assert refman(filled_library, "check").returncode == 0
