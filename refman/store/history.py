"""An item's earlier source records (schema 8, ``source_history``), and replacing the record.

When an update from PubMed replaces an item's stored source record, the record it had is kept
here with when and why; ``of_item`` lists them, oldest first. ``drop`` forgets rows (undoing
the update that made them), ``set_record`` writes an item's record and its format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from peewee import Database

from refman.model import ItemId, SourceRecord
from refman.store import mapping
from refman.store.schema import Item, SourceHistory
from refman.store.schema import SourceRecord as SourceRecordRow


@dataclass(frozen=True)
class EarlierRecord:
    """A source record an item had before, with when it was replaced and why."""

    id: int
    item_id: ItemId
    source_format: str
    record: SourceRecord
    replaced: datetime
    reason: str
    damage: str = ""  # what could not be read of the stored record, in plain words


def keep(
    db: Database, item_id: ItemId, source_format: str, record: SourceRecord, reason: str
) -> int:
    """Keep ``record`` as one of the item's earlier records, replaced now; its row id."""
    stamp = mapping.format_time(mapping.now())
    query = SourceHistory.insert(
        item=item_id,
        source_format=source_format,
        pairs=mapping.encode_source_record(record),
        replaced=stamp,
        reason=reason,
    )
    return int(query.bind(db).execute())


def of_item(db: Database, item_id: ItemId) -> list[EarlierRecord]:
    """The item's earlier records, oldest first."""
    query = SourceHistory.select().where(SourceHistory.item == item_id).order_by(SourceHistory.id)
    found = []
    for row in query.bind(db):
        record, damage = mapping.read_source_record(bytes(row.pairs))
        found.append(
            EarlierRecord(
                id=row.id,
                item_id=ItemId(item_id),
                source_format=row.source_format,
                record=record,
                replaced=mapping.parse_time(row.replaced),
                reason=row.reason,
                damage=damage,
            )
        )
    return found


def drop(db: Database, ids: Sequence[int]) -> None:
    """Forget these rows of the history."""
    if ids:
        SourceHistory.delete().where(SourceHistory.id.in_(list(ids))).bind(db).execute()


def set_record(db: Database, item_id: ItemId, source_format: str, record: SourceRecord) -> None:
    """Write the item's stored source record (none when empty) and its format. Its notice
    flags are read again (the trigger of schema 7 drops them)."""
    SourceRecordRow.delete().where(SourceRecordRow.item == item_id).bind(db).execute()
    if record:
        pairs = mapping.encode_source_record(record)
        SourceRecordRow.insert(item=item_id, pairs=pairs).bind(db).execute()
    Item.update(source_format=source_format).where(Item.id == item_id).bind(db).execute()
