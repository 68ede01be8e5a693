"""Queries of the live_export table: the files kept up to date with the library (a row each),
and SQLite's data_version, by which a live export knows another program committed meanwhile.

Rows come back as plain tuples in COLUMNS' order; refman.library.live_exports makes them values.
"""

from __future__ import annotations

from typing import Any

from peewee import Database

COLUMNS = (
    "id",
    "path",
    "format",
    "style",
    "place",
    "collection_id",
    "query",
    "fingerprint",
    "written",
    "problem",
)
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM live_export"

Row = tuple[Any, ...]


def all_rows(db: Database) -> list[Row]:
    """Every live export, oldest first."""
    return list(db.execute_sql(f"{_SELECT} ORDER BY id").fetchall())


def row(db: Database, export_id: int) -> Row | None:
    return db.execute_sql(f"{_SELECT} WHERE id = ?", (export_id,)).fetchone()


def by_path(db: Database, path: str) -> Row | None:
    return db.execute_sql(f"{_SELECT} WHERE path = ?", (path,)).fetchone()


def add(
    db: Database,
    path: str,
    fmt: str,
    style: str,
    place: str,
    collection_id: int | None,
    query: str,
) -> int:
    """A new live export; its id."""
    cursor = db.execute_sql(
        "INSERT INTO live_export (path, format, style, place, collection_id, query)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (path, fmt, style, place, collection_id, query),
    )
    return int(cursor.lastrowid)


def remove(db: Database, export_id: int) -> bool:
    """Forget a live export (its file stays); False when there was none."""
    cursor = db.execute_sql("DELETE FROM live_export WHERE id = ?", (export_id,))
    return cursor.rowcount > 0


def record_written(db: Database, export_id: int, fingerprint: str, written: str) -> None:
    db.execute_sql(
        "UPDATE live_export SET fingerprint = ?, written = ?, problem = '' WHERE id = ?",
        (fingerprint, written, export_id),
    )


def record_problem(db: Database, export_id: int, problem: str) -> None:
    db.execute_sql("UPDATE live_export SET problem = ? WHERE id = ?", (problem, export_id))


def data_version(db: Database) -> int:
    """SQLite's count of commits by other connections, as this one sees it: unchanged between
    two reads means no other program (or thread) committed in between."""
    return int(db.execute_sql("PRAGMA data_version").fetchone()[0])
