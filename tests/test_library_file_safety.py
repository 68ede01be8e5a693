"""The library file is touched through SQLite only, other programs' databases are left as they
were, damage SQLite reports while the library is open stops the writing, and one damaged
stored record spoils only its item.

The process-level proof of the first point (the window, its daily backup and another program
at once) is in tests/system/; here are the rule's own guard and the paths that used to break
it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from refman.library import Library, backups
from refman.model import DamageFoundError, Reference
from refman.store import database, maintenance
from tests.safety_helpers import SAMPLES, checkpoint, filled_library, refman, wreck_table


@pytest.fixture
def library_path(tmp_path) -> Path:
    return filled_library(tmp_path / "library.sqlite")


# --- the rule: nothing but SQLite touches an open library ---------------------------------------


def test_the_bytes_of_an_open_library_are_never_handled_here(library_path, tmp_path):
    with Library(library_path):
        with pytest.raises(RuntimeError, match="drop SQLite's locks"):
            maintenance._replace_file(tmp_path / "x", library_path)
        # A copy of the bytes is made by a child process, whose descriptors are its own.
        maintenance.copy_files(library_path, tmp_path / "copy.sqlite")
        assert Path(f"{library_path}-wal").exists()
    assert (tmp_path / "copy.sqlite").read_bytes() == library_path.read_bytes()


def test_every_connection_is_counted_while_open(library_path):
    assert database.open_connections(library_path) == 0
    with Library(library_path), Library(library_path, read_only=True):
        assert database.open_connections(library_path) == 2
        backups.verify(library_path, force=True)  # its own connection, closed again
        assert database.open_connections(library_path) == 2
    assert database.open_connections(library_path) == 0


def test_the_daily_check_of_an_open_library_keeps_its_wal(library_path):
    """The check that once opened the file with plain Python: another connection closing
    afterwards must not find the library alone and delete the -wal the first one writes to."""
    with Library(library_path, verify=False) as library:
        library.items.add(Reference(title="Written before the check"))
        backups.backup_if_due(library_path)
        other = sqlite3.connect(library_path)
        other.execute("SELECT count(*) FROM item").fetchone()
        other.close()  # the last connection SQLite knows of would checkpoint and delete -wal
        assert Path(f"{library_path}-wal").exists()
        library.items.add(Reference(title="Written after the check"))
    with Library(library_path, read_only=True) as library:
        titles = {ref.title for ref in library.items.get_many(library.items.search())}
    assert {"Written before the check", "Written after the check"} <= titles


def test_a_backup_is_never_written_over_the_library(library_path):
    for target in (library_path, Path(f"{library_path}-wal")):
        result = refman(library_path, "backup", "--output", target)
        assert result.returncode == 1
        assert "is the library itself" in result.stderr
    assert refman(library_path, "check").returncode == 0


def test_the_library_itself_is_not_restored_as_a_backup(library_path):
    result = refman(library_path, "restore", library_path)
    assert result.returncode == 1
    assert "is the library itself" in result.stderr


# --- other programs' databases ------------------------------------------------------------------


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
    for command in (["list"], ["import", SAMPLES[0]], ["tag", "add", "x", "--query", "a"]):
        result = refman(path, *command)
        assert result.returncode == 1, command
        assert "is a SQLite database but not a refman library" in result.stderr
    assert path.read_bytes() == before  # still in its own journal mode, version unchanged
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-program.sqlite"]


# --- damage met while the library is open -------------------------------------------------------


def test_damage_met_while_open_stops_every_change_in_the_process(library_path):
    heard = []
    with Library(library_path) as library, Library(library_path) as other:
        stop = library.safety.on_damage(heard.append)
        wreck_table(library_path, "item")
        with pytest.raises(DamageFoundError):
            library.items.get_many(library.items.all_ids())
        for lib in (library, other):  # another connection of the process is refused too
            with pytest.raises(DamageFoundError, match="changes are not saved"):
                lib.items.add(Reference(title="Not written into a damaged file"))
        stop()
    assert len(heard) == 1 and heard[0].library == library_path
    with pytest.raises(backups.DamagedLibraryError):
        Library(library_path)


def test_the_command_line_names_the_backup_when_damage_shows_during_a_command(library_path):
    """Opened unchecked (``list`` only reads), the damage shows when the items are read."""
    good = backups.make_backup(library_path)
    wreck_table(library_path, "item")
    result = refman(library_path, "list")
    assert result.returncode == 1
    assert "is damaged" in result.stderr
    assert f"The latest good backup is {good}" in result.stderr


# --- one damaged stored record ------------------------------------------------------------------


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


def test_a_damaged_stored_record_spoils_only_its_item(library_path):
    with Library(library_path) as library:
        expected = len(library.items.search())
    item_id = damage_source_record(library_path)
    listed = refman(library_path, "list")
    assert listed.returncode == 0
    assert len(listed.stdout.splitlines()) == expected
    exported = refman(library_path, "export", "--format", "medline")
    assert exported.returncode == 0
    assert exported.stdout.count("PMID- ") == expected  # the damaged one from its fields
    with Library(library_path, read_only=True) as library:
        ref = library.items.get(item_id)
    assert "source record cannot be read" in ref.damage
    assert ref.title  # its fields are still there


def test_check_decodes_every_record_and_drops_the_unreadable_ones(library_path):
    item_id = damage_source_record(library_path)
    first = refman(library_path, "check")
    assert first.returncode == 0
    assert f"item {item_id}: its stored source record cannot be read" in first.stdout
    assert "Repaired: dropped the unreadable source records" in first.stdout
    assert "The library as it was before:" in first.stdout
    again = refman(library_path, "check")
    assert "No problems found." in again.stdout
    with Library(library_path, read_only=True) as library:
        assert library.items.get(item_id).damage == ""


def test_an_export_is_never_written_over_the_library_or_a_backup(library_path):
    backup = backups.make_backup(library_path)
    before = backup.read_bytes()
    for target in (library_path, Path(f"{library_path}-shm"), backup):
        result = refman(library_path, "export", "--output", target)
        assert result.returncode == 1
        assert "is the library itself or one of its backups" in result.stderr
    assert backup.read_bytes() == before
    assert refman(library_path, "check").returncode == 0
