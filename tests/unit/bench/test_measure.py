"""bench.measure: the sorts are the item table's columns, percentiles by nearest rank, and the
clock of time spent inside SQLite."""

import sqlite3
import time

import pytest

from bench import measure


def test_sort_keys_are_the_item_tables_columns():
    from refman.gui.item_table import COLUMN_KEYS

    assert measure.SORT_KEYS == COLUMN_KEYS


def test_percentile_is_the_nearest_rank():
    values = [0.01 * n for n in range(1, 101)]
    assert measure.percentile(values, 0.5) == pytest.approx(0.50)
    assert measure.percentile(values, 0.95) == pytest.approx(0.95)
    assert measure.percentile([3.0], 0.95) == 3.0


def test_the_sqlite_clock_counts_time_inside_sqlite_only(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite3, "connect", sqlite3.connect)  # undone after the test
    clock = measure._SqliteClock()
    clock.install()
    connection = sqlite3.connect(tmp_path / "x.sqlite")
    connection.execute("CREATE TABLE t (n)")
    before = clock.seconds
    connection.cursor().executemany("INSERT INTO t VALUES (?)", ((n,) for n in range(200_000)))
    connection.commit()
    inserted = clock.seconds - before
    assert inserted > 0
    time.sleep(0.2)  # time outside SQLite is not counted
    assert clock.seconds - before == inserted
    connection.close()
