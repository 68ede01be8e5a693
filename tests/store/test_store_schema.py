"""The library file: pragmas, schema versions and migrations, files that are not libraries."""

import sqlite3
import threading

import pytest

from refman.model import LibraryError, Reference, Tag
from refman.store import Store, database, fts, migrations, tags
from refman.store.schema import MODELS


@pytest.fixture
def path(tmp_path):
    return tmp_path / "library.sqlite"


def pragma(store: Store, name: str):
    return store._db.execute_sql(f"PRAGMA {name}").fetchone()[0]


def test_new_library_has_wal_foreign_keys_busy_timeout_and_normal_sync(path):
    store = Store(path)
    assert pragma(store, "journal_mode") == "wal"
    assert pragma(store, "foreign_keys") == 1
    assert pragma(store, "busy_timeout") == 5000
    assert pragma(store, "synchronous") == 1  # NORMAL
    assert pragma(store, "user_version") == migrations.latest_version()
    store.close()


def test_models_name_exactly_the_columns_the_migrations_create(path):
    store = Store(path)
    for model in MODELS:
        table = model._meta.table_name
        columns = [row[1] for row in store._db.execute_sql(f"PRAGMA table_info({table})")]
        assert sorted(columns) == sorted(f.column_name for f in model._meta.sorted_fields), table
    store.close()


def index_buffers(store: Store) -> list[int]:
    return [
        store._db.execute_sql(f"SELECT v FROM {table.name}_config WHERE k = 'hashsize'").fetchone()
        for table in fts.TABLES
    ]


def test_the_full_text_index_writes_through_a_large_buffer_also_after_a_rebuild(path):
    store = Store(path)
    expected = [(fts.WRITE_BUFFER_BYTES,)] * len(fts.TABLES)
    assert index_buffers(store) == expected
    with store.transaction():
        store.rebuild_fts()
    assert index_buffers(store) == expected
    store.close()


def test_reopening_keeps_the_items(path):
    store = Store(path)
    item_id = store.add_reference(Reference(title="Kept"))
    store.close()
    store = Store(path)
    assert store.get(item_id).title == "Kept"
    store.close()


def test_a_version_0_file_is_migrated_to_the_current_schema(path):
    with sqlite3.connect(path) as db:  # an empty SQLite file, as another tool might leave it
        db.execute("PRAGMA user_version = 0")
    store = Store(path)
    assert store.schema_version() == migrations.latest_version()
    item_id = store.add_reference(Reference(title="After migration", tags=(Tag("x"),)))
    assert store.search_ids("migration") == [item_id]
    store.close()


def test_an_older_library_runs_only_the_missing_steps_and_keeps_its_data(path, monkeypatch):
    store = Store(path)
    item_id = store.add_reference(Reference(title="Old item"))
    store.close()

    def add_reading_list(db):
        db.execute_sql("CREATE TABLE reading_list (item_id INTEGER REFERENCES item (id))")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, add_reading_list])
    store = Store(path)
    assert store.schema_version() == len(migrations.MIGRATIONS)
    assert store.get(item_id).title == "Old item"
    tables = [r[0] for r in store._db.execute_sql("SELECT name FROM sqlite_master")]
    assert "reading_list" in tables
    store.close()


def fts_rows_only(db, last_id):
    """New tags as schema 2 made them: indexed, without a tag_total row."""
    sql = "INSERT INTO tag_fts (rowid, name) SELECT id, name FROM tag WHERE id > ?"
    db.execute_sql(sql, (last_id,))


def test_a_version_2_library_gets_its_tag_counts_and_the_tables_of_a_new_one(
    path, tmp_path, monkeypatch
):
    with monkeypatch.context() as patch:  # the program as it was: no tag_total to keep
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:2])
        patch.setattr(tags, "add_to_totals", lambda *args: None)
        patch.setattr(tags, "_start_new_tags", fts_rows_only)
        store = Store(path)
        store.add_reference(Reference(title="a", tags=(Tag("Brain", "mesh"), Tag("x"))))
        x_only = store.add_reference(Reference(title="b", tags=(Tag("x"),)))
        store.close()
    store = Store(path)
    assert store.schema_version() == migrations.latest_version()
    assert {t.name: (t.count, t.automatic) for t in store.tag_counts()} == {
        "Brain": (1, True),
        "x": (2, False),
    }
    store.add_tags([x_only], [Tag("Brain")])
    assert {t.name: (t.count, t.automatic) for t in store.tag_counts()} == {
        "Brain": (2, False),
        "x": (2, False),
    }
    new = Store(tmp_path / "new.sqlite")
    schema = (
        "SELECT type, name, tbl_name, sql FROM sqlite_master"
        " WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
    )
    assert store._db.execute_sql(schema).fetchall() == new._db.execute_sql(schema).fetchall()
    store.close()
    new.close()


def test_a_failing_migration_leaves_the_file_at_its_old_version(path, monkeypatch):
    Store(path).close()
    old_version = migrations.latest_version()

    def broken(db):
        db.execute_sql("CREATE TABLE half_done (x)")
        raise RuntimeError("bug in a migration")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, broken])
    with pytest.raises(RuntimeError):
        Store(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == old_version
        assert (
            db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()[0]
            == 0
        )


def test_a_newer_library_is_refused_with_both_versions(path):
    Store(path).close()
    newer = migrations.latest_version() + 1
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {newer}")
    with pytest.raises(LibraryError) as error:
        Store(path)
    assert str(error.value).startswith(
        f"This library was made by a newer version of refman (schema {newer}); "
        f"this version reads up to {migrations.latest_version()}. "
    )


def test_a_file_that_is_not_sqlite_is_a_plain_library_error(path):
    path.write_bytes(b"%PDF-1.4\n" + b"\x00\x01binary" * 200)
    with pytest.raises(LibraryError, match="not a SQLite database"):
        Store(path)


def test_another_programs_database_is_not_taken_over(path):
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    with pytest.raises(LibraryError, match="not a refman library"):
        Store(path)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 1


def test_read_only_reads_and_refuses_every_write(path):
    store = Store(path)
    item_id = store.add_reference(Reference(title="Readable"))
    store.close()
    store = Store(path, read_only=True)
    assert store.read_only
    assert store.get(item_id).title == "Readable"
    assert store.search_ids("readable") == [item_id]
    assert store.check_fts() == []
    writes = [
        lambda: store.add_reference(Reference(title="No")),
        lambda: store.update_fields(item_id, {"title": "No"}),
        lambda: store.add_tags([item_id], [Tag("no")]),
        lambda: store.create_collection("No"),
        lambda: store.add_note(item_id, "no"),
        lambda: store.delete_items([item_id]),
    ]
    for write in writes:
        with pytest.raises(LibraryError, match="read-only"):
            write()
    store.close()
    assert Store(path).get(item_id).title == "Readable"


def test_read_only_writes_are_refused_by_sqlite_too(path):
    Store(path).close()
    store = Store(path, read_only=True)
    with pytest.raises(Exception, match="readonly"):  # noqa: B017 - SQLite's own refusal
        store._db.execute_sql("DELETE FROM item")
    store.close()


def test_read_only_of_a_missing_file_does_not_create_it(path):
    with pytest.raises(LibraryError, match="does not exist"):
        Store(path, read_only=True)
    assert not path.exists()


def test_read_only_cannot_open_a_library_that_needs_migrating(path, monkeypatch):
    Store(path).close()
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, lambda db: None])
    with pytest.raises(LibraryError, match="upgraded"):
        Store(path, read_only=True)


def test_a_transaction_is_all_or_nothing_and_nests_as_savepoints(path):
    store = Store(path)
    with pytest.raises(RuntimeError), store.transaction():
        store.add_reference(Reference(title="Rolled back"))
        raise RuntimeError
    assert store.item_count() == 0
    with store.transaction():
        kept = store.add_reference(Reference(title="Kept"))
        with pytest.raises(RuntimeError), store.transaction():
            store.add_reference(Reference(title="Inner, rolled back"))
            raise RuntimeError
    assert store.all_ids() == [kept]
    assert store.check_fts() == []
    store.close()


def test_two_stores_on_one_file_see_each_others_commits(path):
    first, second = Store(path), Store(path)
    item_id = first.add_reference(Reference(title="Shared"))
    assert second.get(item_id).title == "Shared"
    first.close()
    second.close()


def test_integrity_check_is_empty_for_a_sound_file(path):
    store = Store(path)
    store.add_reference(Reference(title="Sound", tags=(Tag("a"),)))
    assert store.integrity_check() == []
    store.close()


def test_a_writer_blocked_by_another_gets_a_plain_busy_error(path, monkeypatch):
    first = Store(path)
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.1)
    second = Store(path)
    with first.transaction():
        first.add_reference(Reference(title="Holding the write lock"))
        with pytest.raises(LibraryError, match="busy"):
            second.add_reference(Reference(title="Waiting"))
        assert second.item_count() == 0  # readers are never blocked (WAL)
    assert second.item_count() == 1
    first.close()
    second.close()


def test_a_library_in_a_missing_folder_is_a_plain_error(tmp_path):
    with pytest.raises(LibraryError, match="cannot be opened"):
        Store(tmp_path / "no such folder" / "library.sqlite")


def test_a_worker_thread_writes_while_the_main_thread_reads(path):
    store = Store(path)
    first = store.add_reference(Reference(title="Before"))
    results = []

    def worker():
        with store.transaction():
            results.append(store.add_reference(Reference(title="From the worker")))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert store.search_ids(sort="title") == [first, *results]
    assert store.check_fts() == []
    store.close()
