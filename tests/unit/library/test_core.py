"""refman.library.core: opening a library where it may be, with its folders, read-only where
it cannot be written, and a full disk told in plain words."""

from __future__ import annotations

import sqlite3

import pytest

import refman.library.core as library_core
from refman.library import Library
from refman.model import DiskFullError, LibraryError, ViewQuery
from tests.safety_helpers import snapshot


def test_a_library_in_a_missing_folder_is_refused_and_no_folder_made(tmp_path):
    with pytest.raises(LibraryError, match="There is no folder .* create the folder first"):
        Library(tmp_path / "missing" / "library.sqlite")
    assert list(tmp_path.iterdir()) == []


def test_the_default_library_gets_its_folders(tmp_path, monkeypatch):
    default = tmp_path / "data" / "refman" / "library.sqlite"
    monkeypatch.setattr(library_core.paths, "default_library_path", lambda: default)
    with Library(default) as made:
        assert made.items.count() == 0
    assert default.is_file()


# --- a library that cannot be written -------------------------------------------------------------


def test_a_library_that_cannot_be_written_opens_read_only_with_a_notice(
    filled_library, read_only_medium
):
    with Library(filled_library) as library:
        assert library.read_only
        assert "read-only" in library.notice and str(filled_library) in library.notice
        assert library.items.search(ViewQuery(text="Iltamiocel"))
        with pytest.raises(LibraryError, match="open read-only: changes cannot be saved"):
            library.tags.add(library.items.search(), ["x"])


def test_a_read_only_disk_without_room_for_sqlites_shared_memory_file(
    filled_library, read_only_medium, tmp_path
):
    """Reading a WAL library needs a -shm file beside it; on a read-only disk none can be made,
    and SQLite reads the file as one that cannot change."""
    shm = filled_library.with_name(filled_library.name + "-shm")
    shm.symlink_to(tmp_path / "no such folder" / "shm")  # SQLite cannot create it, even as root
    with pytest.raises(sqlite3.OperationalError, match="unable to open"):
        sqlite3.connect(f"{filled_library.as_uri()}?mode=ro", uri=True).execute(
            "SELECT 1 FROM item"
        )
    with Library(filled_library) as library:
        assert library.read_only
        assert len(library.items.search(ViewQuery(text="Iltamiocel"))) == 1


# --- a full disk ----------------------------------------------------------------------------------


def test_a_full_disk_during_an_edit_is_a_plain_error(filled_library):
    before = snapshot(filled_library)
    with Library(filled_library) as library:
        pages = library.connection.db.execute_sql("PRAGMA page_count").fetchone()[0]
        library.connection.db.execute_sql(f"PRAGMA max_page_count = {pages}")
        ids = library.items.search()
        with pytest.raises(DiskFullError, match="is full"):
            library.tags.add(ids, [f"tag {n}" for n in range(200)])
    assert snapshot(filled_library) == before
