"""Bulk mode of a large import: secondary indexes made once at the end instead of row by row.

Why (issue 18): an import adds its rows in id order, so the tables themselves and the indexes
that lead with the item id grow at their ends; but an index on a sort key (title, creators,
journal, ...) or on a tag id takes each new row at a random place. Once such indexes outgrow
SQLite's page cache (at about 100,000 items), each insert reads and writes pages all over them:
a million-record file took 1.44 ms of processor time a record against 0.84 ms at 100,000. An
index made by ``CREATE INDEX`` sorts its rows once and writes its pages in order, many times
faster per row.

So when a file is large against the library (the rule is in library/importing.py), the import
runs in ``deferred``: inside the file's own transaction, the indexes of ``DEFERRED`` are
dropped, and made again, from their own SQL, before the transaction commits. DDL is
transactional in SQLite: a cancel, an error or a kill before the commit leaves the library as
it was, indexes and all, and other programs reading the library (WAL snapshots) see the old
indexes until the commit. What the import itself reads while it runs keeps its index: the
duplicate look-ups (``pmid_sort``, ``doi_key``, ``title_sort``), tags and affiliations by
name, citation keys (a UNIQUE constraint), and every table by item id. The planner's
statistics of a dropped index (``sqlite_stat1``) are put back with it, so the library plans
its queries as after an import without bulk mode.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from peewee import Database

from refman.store.database import SORT_CACHE_KIB

# The indexes whose inserts land at random places and that nothing in an import reads. Not
# here: the duplicate look-ups' indexes (read for each batch), indexes that new rows extend
# at their ends (date added, item type, language, an item's affiliations, the subheadings by
# their 80-odd names: a few hot pages each, and making them anew would read the whole table
# for nothing), and UNIQUE constraints.
DEFERRED = (
    "item_pmid",
    "item_by_creators",
    "item_by_date",
    "item_by_journal",
    "item_by_volume",
    "item_by_pages",
    "item_tag_by_tag",
    "item_tag_other_than_mesh",
    "item_tag_manual",
)


@contextlib.contextmanager
def deferred(db: Database) -> Iterator[None]:
    """Drop the DEFERRED indexes for the block and make them again at its end; an error in
    the block leaves them dropped for the caller's transaction to roll back.

    Call it inside a write transaction (library.importing does: one per file): outside one,
    a kill between the drop and the end would leave the library without them.
    """
    if not db.in_transaction():
        raise RuntimeError("refman bug: indexes deferred outside a transaction")
    indexes = _indexes(db)
    statistics = _statistics(db, [name for name, _ in indexes])
    for name, _ in indexes:
        db.execute_sql(f'DROP INDEX "{name}"')
    yield
    db.execute_sql(f"PRAGMA cache_size = {-SORT_CACHE_KIB:d}")  # bulk_pragmas puts it back
    for _, sql in indexes:
        db.execute_sql(sql)
    if statistics:
        sql = "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)"
        db.cursor().executemany(sql, statistics)
        # Read again by this connection: without them, PRAGMA optimize at close would take
        # the new indexes for never analysed and analyse their tables.
        db.execute_sql("ANALYZE sqlite_master")  # the name every SQLite version knows


def _indexes(db: Database) -> list[tuple[str, str]]:
    """(name, SQL) of the DEFERRED indexes the library has (a library at an older schema,
    as some tests make, lacks some)."""
    marks = ", ".join("?" * len(DEFERRED))
    sql = f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})"
    return sorted(db.execute_sql(sql, DEFERRED).fetchall())


def _statistics(db: Database, names: list[str]) -> list[tuple[str, str, str]]:
    """The planner's rows of these indexes in sqlite_stat1 (none before the first ANALYZE or
    ``PRAGMA optimize`` made the table)."""
    exists = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    if not names or db.execute_sql(exists).fetchone() is None:
        return []
    marks = ", ".join("?" * len(names))
    sql = f"SELECT tbl, idx, stat FROM sqlite_stat1 WHERE idx IN ({marks})"
    return db.execute_sql(sql, names).fetchall()
