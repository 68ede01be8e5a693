"""Helpers for many rows at once: IN-list chunks, executemany inserts, child rows by item."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, cast

from peewee import SQL, Database, Query

from refman.store.mapping import Row

# Ids per IN (...) list: far below every engine's limit on bound parameters.
CHUNK = 500


def insert_rows(db: Database, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
    """INSERT many rows with one prepared statement; rows whose key exists are left alone.

    ``executemany`` binds each row to the same compiled statement: several times faster than
    peewee's ``insert_many``, which renders every value into one long SQL text.
    """
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join([db.param] * len(columns))
    sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING'
    db.cursor().executemany(sql, rows)


def rows_where_in(db: Database, select: str, column: str, values: Iterable[object]) -> list[Row]:
    """The rows of ``select`` (SQL without WHERE) whose ``column`` is one of ``values``.

    Values are bound as parameters, CHUNK at a time: unlike a JSON list read with json_each,
    that keeps text with NUL characters intact.
    """
    listed = list(values)
    found: list[Row] = []
    for start in range(0, len(listed), CHUNK):
        chunk = listed[start : start + CHUNK]
        marks = ", ".join([db.param] * len(chunk))
        found += db.execute_sql(f"{select} WHERE {column} IN ({marks})", chunk).fetchall()
    return found


def ids_listed(ids: Sequence[int]) -> SQL:
    """``ids`` as one JSON parameter for ``IN``, with no limit on how many: peewee builds a
    node per value of a Python list, which cost more than the query itself when loading
    thousands of items. Integers only (json_each cuts text at a NUL: see ``rows_where_in``).
    SQLite-only; a PostgreSQL store would use ``= ANY(%s)``.
    """
    return SQL("(SELECT value FROM json_each(?))", (json.dumps(list(ids)),))


def ids_in_order(db: Database, query: Query) -> list[int]:
    """The ids a query selects (one column, named ``id``), in its order, fetched as one JSON
    array: a row at a time costs half as much again for the 1,000,000 ids of a large view.
    (SQLite cannot flatten a subquery with ORDER BY into an aggregate: the order is kept.)"""
    sql, params = query.bind(db).sql()
    row = db.execute_sql(f"SELECT json_group_array(id) FROM ({sql})", params).fetchone()
    return cast(list[int], json.loads(row[0]))


def grouped(rows: Iterable[Sequence[Any]]) -> dict[int, list[list[Any]]]:
    """{item id: [rest of row, ...]} from rows that start with an item id, order kept."""
    groups: dict[int, list[list[Any]]] = defaultdict(list)
    for item_id, *rest in rows:
        groups[item_id].append(rest)
    return groups


def fetch(db: Database, query: Query) -> list[Row]:
    """The rows of a peewee query as plain tuples, skipping peewee's per-row conversions.

    Those conversions cost more than SQLite itself on the lists the item table needs.
    """
    return db.execute(query).fetchall()
