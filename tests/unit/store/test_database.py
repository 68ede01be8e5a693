"""refman.store.database: the file opened with its pragmas, SQLite's errors in plain words,
the connections counted for the SQLite-only rule, and damage recorded once found."""

import sqlite3
from contextlib import closing

import peewee
import pytest

from refman.model import BusyError, DamageFoundError, DiskFullError, LibraryError, Reference
from refman.store import database, items, migrations
from refman.store.connection import Connection


def pragma(connection: Connection, name: str):
    return connection.db.execute_sql(f"PRAGMA {name}").fetchone()[0]


@pytest.fixture
def forget_damage(path):
    """Damage is recorded for the whole process: forgotten after the test."""
    yield
    database.forget_damage(path)


def test_new_library_has_wal_foreign_keys_busy_timeout_and_normal_sync(connection):
    assert pragma(connection, "journal_mode") == "wal"
    assert pragma(connection, "foreign_keys") == 1
    assert pragma(connection, "busy_timeout") == 5000
    assert pragma(connection, "synchronous") == 1  # NORMAL
    assert pragma(connection, "user_version") == migrations.latest_version()


def test_a_new_library_gets_the_page_size_and_an_older_one_keeps_its_own(
    path, tmp_path, monkeypatch
):
    older = tmp_path / "older.sqlite"
    with monkeypatch.context() as patch:  # a library made with other pages than today's
        patch.setattr(database, "PAGE_SIZE", 8192)
        with closing(Connection(older)) as old, old.writing() as db:
            (item_id,) = items.insert(db, [Reference(title="Kept")])
    with closing(Connection(older)) as old, closing(Connection(path)) as new:
        assert pragma(new, "page_size") == database.PAGE_SIZE != 8192
        assert pragma(old, "page_size") == 8192
        with old.reading() as db:
            assert items.load(db, [item_id])[0].title == "Kept"


def test_a_file_that_is_not_sqlite_is_a_plain_library_error(path):
    path.write_bytes(b"%PDF-1.4\n" + b"\x00\x01binary" * 200)
    with pytest.raises(LibraryError, match="not a SQLite database"):
        Connection(path)


def test_a_library_in_a_missing_folder_is_a_plain_error(tmp_path):
    with pytest.raises(LibraryError, match="cannot be opened"):
        Connection(tmp_path / "no such folder" / "library.sqlite")


def test_read_only_writes_are_refused_by_sqlite_too(path):
    Connection(path).close()
    read_only = Connection(path, read_only=True)
    with pytest.raises(Exception, match="readonly"):  # noqa: B017 - SQLite's own refusal
        read_only.db.execute_sql("DELETE FROM item")
    read_only.close()


def test_read_only_of_a_missing_file_does_not_create_it(path):
    with pytest.raises(LibraryError, match="does not exist"):
        Connection(path, read_only=True)
    assert not path.exists()


# --- SQLite's errors in plain words ------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "error", "message"),
    [
        ("database is locked", BusyError, "{path} is busy: another program is writing to it."),
        ("database or disk is full", DiskFullError, "The disk holding {path} is full."),
        ("attempt to write a readonly database", LibraryError, "{path} cannot be written"),
        ("disk I/O error", LibraryError, "{path} could not be read or written"),
    ],
)
def test_errors_the_user_can_act_on_are_told_in_plain_words(path, said, error, message):
    with pytest.raises(error) as raised, database.translate_errors(path):
        raise peewee.OperationalError(said)
    assert type(raised.value) is error
    assert str(raised.value).startswith(message.format(path=path))
    assert isinstance(raised.value.__cause__, peewee.OperationalError)
    assert database.damage_of(path) is None


def test_bugs_and_broken_constraints_are_not_dressed_up_as_the_users_problem(path):
    for bug in (
        peewee.OperationalError("no such column: colour"),
        peewee.IntegrityError("UNIQUE constraint failed: tag.name"),
        sqlite3.IntegrityError("FOREIGN KEY constraint failed"),
    ):
        with pytest.raises(type(bug)) as raised, database.translate_errors(path):
            raise bug
        assert raised.value is bug


def test_damage_found_is_recorded_for_the_file_and_told_once(path, tmp_path, forget_damage):
    heard = []
    remove = database.add_damage_listener(lambda where, problem: heard.append((where, problem)))
    try:
        for _ in range(2):
            with (
                pytest.raises(DamageFoundError, match="is damaged"),
                database.translate_errors(path),
            ):
                raise sqlite3.DatabaseError("database disk image is malformed")
    finally:
        remove()
    assert heard == [(path, "database disk image is malformed")]
    # The same file however spelled; not another file.
    assert database.damage_of(tmp_path / "." / path.name) == "database disk image is malformed"
    assert database.damage_of(tmp_path / "other.sqlite") is None
    database.forget_damage(path)
    assert database.damage_of(path) is None


# --- the rule: the library file is touched through SQLite only -------------------------------


def test_connections_are_counted_while_open_and_bytes_handled_only_when_none_is(path):
    assert database.open_connections(path) == 0
    first, second = Connection(path), Connection(path, read_only=True)
    assert database.open_connections(path) == 2
    with pytest.raises(RuntimeError, match="drop SQLite's locks"), database.outside_sqlite(path):
        pass
    first.close()
    second.close()
    second.close()  # closing twice counts once
    assert database.open_connections(path) == 0
    with database.outside_sqlite(path):
        assert path.exists()


def test_a_file_that_fails_to_open_leaves_no_connection_counted(tmp_path):
    not_sqlite, newer = tmp_path / "not-sqlite.sqlite", tmp_path / "newer.sqlite"
    not_sqlite.write_bytes(b"not a library at all" * 100)
    with sqlite3.connect(newer) as other:
        other.execute(f"PRAGMA user_version = {migrations.latest_version() + 1}")
    missing_folder = tmp_path / "no such folder" / "library.sqlite"
    for path in (not_sqlite, newer, missing_folder):
        with pytest.raises(LibraryError):
            Connection(path)
        assert database.open_connections(path) == 0, path
