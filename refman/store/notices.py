"""Notice flags: what the notices in an item's source record say of it (retracted, an
expression of concern, an erratum), kept in the small ``item_flags`` table (migrations,
version 7) so that flagged items are listed without decoding every source record.

Reading the records is the library's job (it knows MEDLINE): the store hands it the records
of items that have no row yet (``unread_records``) and keeps what it finds (``save``). A
replaced or removed source record drops its item's row (triggers), so it is read again.
Flags are stored space-separated, in the order the library gives them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from peewee import Database

from refman.model import ItemId, SourceRecord
from refman.store import mapping
from refman.store.bulk import rows_where_in

_UNREAD = """
SELECT item.id, item.source_format, source_record.pairs FROM item
JOIN source_record ON source_record.item_id = item.id
WHERE item.source_format IN ({marks})
AND NOT EXISTS (SELECT 1 FROM item_flags WHERE item_flags.item_id = item.id)
ORDER BY item.id LIMIT {limit}
"""


def unread_records(
    db: Database,
    source_formats: Sequence[str],
    limit: int = -1,
    ids: Sequence[ItemId] | None = None,
) -> list[tuple[ItemId, str, SourceRecord]]:
    """Up to ``limit`` items (-1: all; only those of ``ids`` when given) whose source record
    (in one of ``source_formats``) has not been read for notices yet: (id, source format,
    record). A damaged record comes back empty, to be saved without flags rather than stop
    the reading of the others."""
    if not source_formats:
        return []
    marks = ", ".join([db.param] * len(source_formats))
    sql = _UNREAD.format(marks=marks, limit=int(limit))
    params: list[object] = list(source_formats)
    if ids is not None:
        sql = sql.replace("ORDER BY", "AND item.id IN (SELECT value FROM json_each(?)) ORDER BY")
        params.append(json.dumps(list(ids)))
    rows = db.execute_sql(sql, params)
    return [
        (item_id, source_format, mapping.read_source_record(blob)[0])
        for item_id, source_format, blob in rows
    ]


def save(db: Database, flags: Iterable[tuple[ItemId, Sequence[str]]]) -> None:
    """Keep the flags found for each item (an empty sequence for an item without any)."""
    rows = [(item_id, " ".join(item_flags)) for item_id, item_flags in flags]
    sql = (
        f"INSERT INTO item_flags (item_id, flags) VALUES ({db.param}, {db.param}) "
        "ON CONFLICT (item_id) DO UPDATE SET flags = excluded.flags"
    )
    db.cursor().executemany(sql, rows)


def flags_of(db: Database, ids: Sequence[ItemId]) -> dict[ItemId, tuple[str, ...]]:
    """The flags of each of ``ids`` that has any."""
    rows = rows_where_in(db, "SELECT item_id, flags FROM item_flags", "item_id", ids)
    return {item_id: tuple(text.split()) for item_id, text in rows if text}


def flagged_ids(db: Database, flag: str | None = None) -> list[ItemId]:
    """Items outside the Trash with ``flag`` (any flag when None), by id."""
    sql = (
        "SELECT item_flags.item_id, item_flags.flags FROM item_flags WHERE flags != '' "
        "AND NOT EXISTS (SELECT 1 FROM trash WHERE trash.item_id = item_flags.item_id) "
        "ORDER BY item_flags.item_id"
    )
    return [
        item_id for item_id, text in db.execute_sql(sql) if flag is None or flag in text.split()
    ]


def trashed_among(db: Database, ids: Sequence[ItemId]) -> list[ItemId]:
    """Those of ``ids`` that are in the Trash."""
    return [row[0] for row in rows_where_in(db, "SELECT item_id FROM trash", "item_id", ids)]
