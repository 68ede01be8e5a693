"""refman.store.connection: the one place transactions run. Writing is refused on a read-only
or damaged library (repairs are not), all or nothing and nested as one transaction; reading
is one snapshot; what is kept between calls is emptied when the library may have changed."""

import threading
from contextlib import closing

import pytest

from refman.library import Library
from refman.model import (
    BusyError,
    DamageFoundError,
    DiskFullError,
    LibraryError,
    MissingItemError,
    Reference,
    Tag,
    ViewQuery,
)
from refman.store import database, fts, items, search, tags
from refman.store.connection import Connection
from tests.unit.store.helpers import index_problems


def titles(connection: Connection) -> list[str]:
    """Every item's title, read in a snapshot of its own."""
    with connection.reading() as db:
        return [ref.title for ref in items.load(db, items.all_ids(db))]


def add(connection: Connection, title: str) -> int:
    """One item added in a transaction of its own."""
    with connection.writing() as db:
        return items.insert(db, [Reference(title=title)])[0]


# --- opening ------------------------------------------------------------------------------------


def test_reopening_keeps_the_items(path):
    with closing(Connection(path)) as connection:
        item_id = add(connection, "Kept")
    with closing(Connection(path)) as connection, connection.reading() as db:
        assert items.load(db, [item_id])[0].title == "Kept"


def test_two_connections_to_one_file_see_each_others_commits(connection, other):
    item_id = add(connection, "Shared")
    with other.reading() as db:
        assert items.load(db, [item_id])[0].title == "Shared"


# --- writing refused ----------------------------------------------------------------------------


def test_read_only_reads_and_refuses_every_write(path):
    with closing(Connection(path)) as connection:
        item_id = add(connection, "Readable")
    with closing(Connection(path, read_only=True)) as read_only:
        assert read_only.read_only
        with read_only.reading() as db:
            assert items.load(db, [item_id])[0].title == "Readable"
            assert search.search_ids(db, ViewQuery("readable"), sort="title", descending=False) == [
                item_id
            ]
            assert fts.differences(db) == []
        for transaction in (read_only.writing, read_only.repairing):
            with (
                pytest.raises(LibraryError, match="is open read-only: changes cannot be saved."),
                transaction(),
            ):
                pytest.fail("a read-only connection opened a transaction")
    with closing(Connection(path)) as connection:
        assert titles(connection) == ["Readable"]


def test_every_change_of_a_read_only_library_is_refused_and_nothing_changes(path):
    with closing(Connection(path)) as connection:
        item_id = add(connection, "Readable")
    with Library(path, read_only=True) as library:
        changes = [
            lambda: library.items.add(Reference(title="No")),
            lambda: library.items.update(item_id, title="No"),
            lambda: library.items.trash([item_id]),
            lambda: library.tags.add([item_id], ["no"]),
            lambda: library.collections.create("No"),
            lambda: library.notes.add(item_id, "no"),
            lambda: library.items.empty_trash(),
        ]
        for change in changes:
            with pytest.raises(LibraryError, match="read-only"):
                change()
    with Library(path) as library:
        assert [ref.title for ref in library.items.get_many(library.items.all_ids())] == [
            "Readable"
        ]
        assert library.tags.names() == [] and library.collections.all() == []
        assert library.notes.of_item(item_id) == []


@pytest.fixture
def damaged(path):
    """The library recorded as damaged, as when SQLite answers "malformed" while it is open."""
    database.report_damage(path, "database disk image is malformed")
    yield path
    database.forget_damage(path)


def test_writing_is_refused_on_a_library_found_damaged_by_any_connection(connection, other):
    item_id = add(connection, "Before the damage")
    database.report_damage(other.path, "database disk image is malformed")
    try:
        for opened in (connection, other):
            with pytest.raises(DamageFoundError) as refused, opened.writing() as db:
                items.update(db, item_id, {"title": "Spread the damage"})
            assert str(refused.value) == (
                f"{opened.path} is damaged (SQLite says: database disk image is malformed): "
                "changes are not saved to it."
            )
        assert titles(connection) == ["Before the damage"]  # reading goes on
    finally:
        database.forget_damage(connection.path)
    add(connection, "After the repair")
    assert titles(other) == ["Before the damage", "After the repair"]


def test_repairs_run_on_a_library_found_damaged(connection, damaged):
    with connection.repairing() as db:
        items.insert(db, [Reference(title="Paper", tags=(Tag("a"),))])
        db.execute_sql("UPDATE tag_total SET items = 7")
    with connection.repairing() as db:
        assert tags.check_totals(db) == ["tag 'a' is counted on 7 items but is on 1"]
        tags.rebuild_totals(db)
    with connection.reading() as db:
        assert tags.check_totals(db) == []


# --- one transaction ----------------------------------------------------------------------------


def test_a_transaction_is_all_or_nothing_and_nests_as_savepoints(connection):
    with pytest.raises(RuntimeError), connection.writing() as db:
        items.insert(db, [Reference(title="Rolled back")])
        raise RuntimeError
    with connection.reading() as db:
        assert items.count(db, trashed=False) == 0
    with connection.writing() as db:
        (kept,) = items.insert(db, [Reference(title="Kept")])
        with pytest.raises(RuntimeError), connection.writing() as inner:
            items.insert(inner, [Reference(title="Inner, rolled back")])
            raise RuntimeError
    with connection.writing() as db:
        assert items.all_ids(db) == [kept]
        assert index_problems(db) == []


def test_a_nested_writing_is_part_of_one_transaction(connection, other):
    with pytest.raises(RuntimeError), connection.writing():
        with connection.writing() as inner:
            items.insert(inner, [Reference(title="Inner, ended")])
        assert titles(other) == []  # the inner block ended, but nothing is committed
        raise RuntimeError("the outer one fails")
    assert titles(connection) == titles(other) == []
    with connection.writing():
        with connection.writing() as inner:
            items.insert(inner, [Reference(title="Inner")])
        assert titles(other) == []
    assert titles(other) == ["Inner"]


def test_a_writer_blocked_by_another_gets_a_plain_busy_error(connection, monkeypatch):
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.1)  # for the second, opened now
    with closing(Connection(connection.path)) as second, connection.writing() as db:
        items.insert(db, [Reference(title="Holding the write lock")])
        with pytest.raises(BusyError, match="busy"), second.writing() as waiting:
            items.insert(waiting, [Reference(title="Waiting")])
        assert titles(second) == []  # readers are never blocked (WAL)
    with closing(Connection(connection.path)) as second:
        assert titles(second) == ["Holding the write lock"]


def test_a_full_disk_is_told_as_such_and_the_whole_change_is_undone(connection):
    add(connection, "Before")
    pages = connection.db.execute_sql("PRAGMA page_count").fetchone()[0]
    most = connection.db.execute_sql("PRAGMA max_page_count").fetchone()[0]
    connection.db.execute_sql(f"PRAGMA max_page_count = {pages + 2}")  # a disk nearly full
    big = Reference(title="Large", abstract="x" * 1_000_000)
    full = "^The disk holding .* is full.$"
    with pytest.raises(DiskFullError, match=full), connection.writing() as db:
        items.insert(db, [Reference(title="Small")])
        with connection.writing() as inner:
            items.insert(inner, [big])
    connection.db.execute_sql(f"PRAGMA max_page_count = {most}")
    assert titles(connection) == ["Before"]
    add(connection, "After")  # the connection is still usable
    assert titles(connection) == ["Before", "After"]


def test_a_worker_thread_writes_while_the_main_thread_reads(connection):
    first = add(connection, "Before")
    results = []

    def worker():
        with connection.writing() as db:
            results.append(items.insert(db, [Reference(title="From the worker")])[0])

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    with connection.writing() as db:
        everything = search.search_ids(db, ViewQuery(), sort="title", descending=False)
        assert everything == [first, *results]
        assert index_problems(db) == []


# --- one snapshot -------------------------------------------------------------------------------


def test_reading_is_one_snapshot_while_another_connection_commits(connection, other):
    first = add(connection, "First")
    with connection.reading() as db:
        assert items.all_ids(db) == [first]
        second = add(other, "Second")
        assert items.all_ids(db) == [first]  # not yet: the snapshot is older
        assert items.count(db, trashed=False) == 1
        with pytest.raises(MissingItemError, match=f"^There is no item with id {second}.$"):
            items.load(db, [second])
    with connection.reading() as db:
        assert items.all_ids(db) == [first, second]


def test_reading_inside_a_transaction_sees_its_changes(connection, other):
    with connection.writing() as db:
        (item_id,) = items.insert(db, [Reference(title="Not committed")])
        with connection.reading() as same:
            assert items.load(same, [item_id])[0].title == "Not committed"
        assert titles(other) == []


# --- what is kept between calls -----------------------------------------------------------------


MARK = ("a view",)  # a key of a kept order


def keep_an_order(connection) -> search.ViewOrders:
    """The connection's kept orders, holding one order (under MARK)."""
    with connection.reading():
        orders = connection.view_orders()
        assert orders is not None
        orders.put(MARK, search.ViewOrder([1, 2, 3]))
    return orders


def test_view_orders_are_kept_while_the_library_stays_as_it_was(connection):
    add(connection, "Paper")
    orders = keep_an_order(connection)
    kept = orders.get(MARK)
    with connection.reading() as db:
        assert connection.view_orders() is orders
        search.search_ids(db, ViewQuery(), sort="title", descending=False, orders=orders)
    with connection.reading():
        assert connection.view_orders() is orders
    assert orders.get(MARK) is kept


def test_view_orders_are_emptied_after_a_commit_elsewhere(connection, other):
    add(connection, "Paper")
    orders = keep_an_order(connection)
    add(other, "Another program's")
    with connection.reading():
        assert connection.view_orders() is orders
    assert orders.get(MARK) is None


def test_view_orders_are_emptied_after_a_transaction_here_even_rolled_back(connection):
    add(connection, "Paper")
    orders = keep_an_order(connection)
    with pytest.raises(RuntimeError), connection.writing() as db:
        items.insert(db, [Reference(title="Rolled back")])
        assert connection.view_orders() is None  # nothing is kept inside a write
        raise RuntimeError
    with connection.reading():
        assert connection.view_orders() is orders
    assert orders.get(MARK) is None
