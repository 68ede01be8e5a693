"""refman.library.safety: the library file is touched through SQLite only, damage SQLite
reports while the library is open stops the writing, and a check reads one state while another
program writes.

The process-level proof of the first point (the window, its daily backup and another program
at once) is in tests/system/.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from refman.library import Library, backups
from refman.model import DamageFoundError, Reference
from refman.store import database, maintenance
from tests.safety_helpers import wreck_table

# --- the rule: nothing but SQLite touches an open library -----------------------------------------


def test_the_bytes_of_an_open_library_are_never_handled_here(filled_library, tmp_path):
    with Library(filled_library):
        with pytest.raises(RuntimeError, match="drop SQLite's locks"):
            maintenance._replace_file(tmp_path / "x", filled_library)
        # A copy of the bytes is made by a child process, whose descriptors are its own.
        maintenance.copy_files(filled_library, tmp_path / "copy.sqlite")
        assert Path(f"{filled_library}-wal").exists()
    assert (tmp_path / "copy.sqlite").read_bytes() == filled_library.read_bytes()


def test_every_connection_is_counted_while_open(filled_library):
    assert database.open_connections(filled_library) == 0
    with Library(filled_library), Library(filled_library, read_only=True):
        assert database.open_connections(filled_library) == 2
        backups.verify(filled_library, force=True)  # its own connection, closed again
        assert database.open_connections(filled_library) == 2
    assert database.open_connections(filled_library) == 0


def test_the_daily_check_of_an_open_library_keeps_its_wal(filled_library):
    """The check that once opened the file with plain Python: another connection closing
    afterwards must not find the library alone and delete the -wal the first one writes to."""
    with Library(filled_library, verify=False) as library:
        library.items.add(Reference(title="Written before the check"))
        backups.backup_if_due(filled_library)
        other = sqlite3.connect(filled_library)
        other.execute("SELECT count(*) FROM item").fetchone()
        other.close()  # the last connection SQLite knows of would checkpoint and delete -wal
        assert Path(f"{filled_library}-wal").exists()
        library.items.add(Reference(title="Written after the check"))
    with Library(filled_library, read_only=True) as library:
        titles = {ref.title for ref in library.items.get_many(library.items.search())}
    assert {"Written before the check", "Written after the check"} <= titles


# --- damage met while the library is open ---------------------------------------------------------


def test_damage_met_while_open_stops_every_change_in_the_process(filled_library):
    heard = []
    with Library(filled_library) as library, Library(filled_library) as other:
        stop = library.safety.on_damage(heard.append)
        wreck_table(filled_library, "item")
        with pytest.raises(DamageFoundError):
            library.items.get_many(library.items.all_ids())
        for lib in (library, other):  # another connection of the process is refused too
            with pytest.raises(DamageFoundError, match="changes are not saved"):
                lib.items.add(Reference(title="Not written into a damaged file"))
        stop()
    assert len(heard) == 1 and heard[0].library == filled_library
    with pytest.raises(backups.DamagedLibraryError):
        Library(filled_library)


# --- a check while another program writes ---------------------------------------------------------


def test_check_finds_nothing_while_another_program_writes(seed_only_library, commit_between):
    from refman.store import fts

    with Library(seed_only_library) as library, Library(seed_only_library) as elsewhere:
        ids = library.items.search()
        library.tags.add(ids, ["soon gone"])
        # The ids to compare are listed, then the tag and its index row go, then the index
        # is read: without one snapshot the tag would be "missing from tag_fts".
        untag = lambda: elsewhere.tags.remove(ids, ["soon gone"])  # noqa: E731
        on_tags = lambda db, table: table.name == "tag_fts"  # noqa: E731
        commit_between(fts, "_all_ids", untag, after=on_tags)
        report = library.safety.check()
    assert report.found == [] and report.saved is None
