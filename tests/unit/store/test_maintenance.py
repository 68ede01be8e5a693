"""refman.store.maintenance: SQLite's checks of a library file, its indexes rebuilt, the file
read for what it is, and consistent copies through SQLite's backup API."""

import sqlite3
from contextlib import closing

import pytest

from refman.model import DamageFoundError, Reference
from refman.store import items, maintenance, migrations
from refman.store.connection import Connection
from tests.safety_helpers import unsort_index

PMIDS = ("11111111", "22222222", "33333333")


def library_with(path, *refs: Reference) -> list[int]:
    """A library file holding these references, closed again."""
    with closing(Connection(path)) as connection, connection.writing() as db:
        return items.insert(db, list(refs))


def test_a_sound_file_has_no_integrity_problems(db):
    items.insert(db, [Reference(title="Sound", pmid="1")])
    assert maintenance.integrity_problems(db) == []


def test_a_row_that_points_nowhere_is_an_integrity_problem(connection):
    # Written past the foreign keys, as another tool might.
    connection.db.execute_sql("PRAGMA foreign_keys = OFF")
    connection.db.execute_sql(
        "INSERT INTO note (id, item_id, html, created, modified) VALUES (5, 999, '', '', '')"
    )
    connection.db.execute_sql("PRAGMA foreign_keys = ON")
    with connection.reading() as db:
        assert maintenance.integrity_problems(db) == ["note row 5 points to a missing item"]


def test_an_index_that_disagrees_with_its_table_is_found_and_rebuilt(path):
    library_with(path, *(Reference(title=f"Paper {pmid}", pmid=pmid) for pmid in PMIDS))
    unsort_index(path, "item_pmid", PMIDS[0].encode(), PMIDS[1].encode())
    assert maintenance.check_file(path, full=False) == []  # the quick check does not see it
    assert any("item_pmid" in problem for problem in maintenance.check_file(path, full=True))
    with closing(Connection(path)) as connection:
        with connection.reading() as db:
            assert any("item_pmid" in problem for problem in maintenance.integrity_problems(db))
        with connection.repairing() as db:
            maintenance.reindex(db)
        with connection.reading() as db:
            assert maintenance.integrity_problems(db) == []
            found = db.execute_sql(
                "SELECT pmid FROM item INDEXED BY item_pmid WHERE pmid = ?", (PMIDS[0],)
            )
            assert found.fetchall() == [(PMIDS[0],)]
    assert maintenance.check_file(path, full=True) == []


def test_a_file_that_is_not_sqlite_is_one_problem_and_no_library(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"not a database, only text\n" * 200)
    assert maintenance.check_file(path, full=False) == ["file is not a database"]
    assert maintenance.refman_version(path) is None
    assert maintenance.has_items(path) is False


def test_a_library_is_told_from_another_programs_database(path, tmp_path):
    library_with(path)
    assert maintenance.refman_version(path) == migrations.latest_version()
    assert maintenance.has_items(path) is False
    library_with(path, Reference(title="One"))
    assert maintenance.has_items(path) is True
    other = tmp_path / "places.sqlite"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY)")
        db.execute("PRAGMA user_version = 3")
    assert maintenance.refman_version(other) is None
    assert maintenance.refman_version(tmp_path / "missing.sqlite") is None


def test_a_copy_holds_what_was_committed_in_one_self_contained_file(connection, tmp_path):
    with connection.writing() as db:
        items.insert(db, [Reference(title="Committed")])
    copy = tmp_path / "copy.sqlite"
    with connection.writing() as db:
        items.insert(db, [Reference(title="Not yet committed")])
        assert maintenance.copy_database(connection.path, copy) is True
    with closing(sqlite3.connect(copy)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # no -wal to carry
        assert db.execute("SELECT title FROM item").fetchall() == [("Committed",)]
    assert maintenance.companions(copy) == [
        tmp_path / "copy.sqlite-wal",
        tmp_path / "copy.sqlite-shm",
    ]
    assert not any(companion.exists() for companion in maintenance.companions(copy))


def test_a_cancelled_copy_leaves_no_file(connection, tmp_path):
    with connection.writing() as db:
        items.insert(db, [Reference(title="Paper")])
    copy = tmp_path / "copy.sqlite"
    assert maintenance.copy_database(connection.path, copy, cancelled=lambda: True) is False
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("copy.sqlite")] == []


def test_a_copy_of_a_file_that_is_not_sqlite_names_it_and_leaves_nothing(tmp_path):
    source, target = tmp_path / "source.sqlite", tmp_path / "copy.sqlite"
    source.write_bytes(b"not a database" * 500)
    with pytest.raises(DamageFoundError) as raised:
        maintenance.copy_database(source, target)
    assert str(raised.value) == f"{source} is not a refman library: it is not a SQLite database."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.sqlite"]


def test_partial_copies_never_share_a_name(tmp_path):
    target = tmp_path / "backup.sqlite"
    names = {maintenance.partial_path(target) for _ in range(50)}
    assert len(names) == 50
    assert all(
        p.parent == tmp_path and p.name.startswith("backup.sqlite.") and p.name.endswith(".partial")
        for p in names
    )
