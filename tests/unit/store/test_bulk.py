"""refman.store.bulk: many rows written with one statement, and looked up by long lists of
values, past SQLite's limit on bound parameters."""

import peewee

from refman.store import bulk


def make_table(db):
    db.execute_sql("CREATE TEMP TABLE pair (key TEXT PRIMARY KEY, value INTEGER)")


def test_many_rows_are_inserted_and_rows_whose_key_exists_left_alone(db):
    make_table(db)
    bulk.insert_rows(db, "pair", ("key", "value"), [("a", 1), ("b", 2)])
    bulk.insert_rows(db, "pair", ("key", "value"), ((f"k{n}", n) for n in range(5000)))
    bulk.insert_rows(db, "pair", ("key", "value"), [("a", 99), ("c", 3)])
    rows = dict(db.execute_sql("SELECT key, value FROM pair").fetchall())
    assert len(rows) == 5003
    assert (rows["a"], rows["b"], rows["c"], rows["k4999"]) == (1, 2, 3, 4999)
    bulk.insert_rows(db, "pair", ("key", "value"), [])  # nothing to write is no error


def test_rows_are_found_by_more_values_than_sqlite_binds_and_nul_kept(db):
    make_table(db)
    keys = [f"k{n}" for n in range(3 * bulk.CHUNK + 7)] + ["a\x00b"]
    bulk.insert_rows(db, "pair", ("key", "value"), ((key, n) for n, key in enumerate(keys)))
    wanted = keys[::2] + ["a\x00b", "a", "missing"]
    found = bulk.rows_where_in(db, "SELECT key, value FROM pair", "key", wanted)
    assert sorted(found) == sorted((key, keys.index(key)) for key in set(wanted) & set(keys))
    assert bulk.rows_where_in(db, "SELECT key FROM pair", "key", []) == []


def test_ids_are_listed_for_in_without_a_limit(db):
    make_table(db)
    bulk.insert_rows(db, "pair", ("key", "value"), ((f"k{n}", n) for n in range(50_000)))
    pair = peewee.Table("pair", ("key", "value"))
    wanted = list(range(1, 80_000, 2))  # more than SQLite's 32,766 bound parameters
    query = pair.select(pair.value).where(pair.value.in_(bulk.ids_listed(wanted)))
    assert sorted(bulk.fetch(db, query)) == [(n,) for n in range(1, 50_000, 2)]


def test_rows_are_grouped_by_their_first_value_in_order():
    rows = [(2, "b", 1), (1, "a", 1), (2, "c", 2), (1, "d", 2)]
    assert bulk.grouped(rows) == {2: [["b", 1], ["c", 2]], 1: [["a", 1], ["d", 2]]}
    assert bulk.grouped([]) == {}
