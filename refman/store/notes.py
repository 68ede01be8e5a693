"""Notes: HTML text attached to an item, many per item, oldest first."""

from __future__ import annotations

from collections.abc import Sequence

from peewee import Database, chunked, fn

from refman.model import ItemId, MissingItemError, Note, NoteId
from refman.store import fts, mapping
from refman.store.bulk import CHUNK, fetch, insert_rows
from refman.store.mapping import Row
from refman.store.schema import Item
from refman.store.schema import Note as NoteRow

_COLUMNS = (NoteRow.id, NoteRow.item, NoteRow.html, NoteRow.created, NoteRow.modified)


def _note(row: Row) -> Note:
    note_id, item_id, html, created, modified = row
    return Note(
        NoteId(note_id),
        ItemId(item_id),
        html,
        mapping.parse_time(created),
        mapping.parse_time(modified),
    )


def of_item(db: Database, item_id: ItemId) -> list[Note]:
    query = NoteRow.select(*_COLUMNS).where(NoteRow.item == item_id).order_by(NoteRow.id)
    return [_note(row) for row in fetch(db, query)]


def get(db: Database, note_id: NoteId) -> Note:
    """The note; MissingItemError when there is none with this id."""
    row = NoteRow.select(*_COLUMNS).where(NoteRow.id == note_id).tuples().bind(db).first()
    if row is None:
        raise MissingItemError(f"There is no note with id {note_id}.")
    return _note(row)


def add(db: Database, item_id: ItemId, html: str) -> Note:
    """A new note on the item; MissingItemError when the item does not exist."""
    if not Item.select().where(Item.id == item_id).bind(db).exists():
        raise MissingItemError(f"There is no item with id {item_id}.")
    stamp = mapping.format_time(mapping.now())
    query = NoteRow.insert(item=item_id, html=html, created=stamp, modified=stamp)
    note_id = NoteId(query.bind(db).execute())
    fts.refresh(db, fts.NOTES, [note_id])
    return get(db, note_id)


def update(db: Database, note_id: NoteId, html: str) -> Note:
    """The note with its new text (and the search index with it)."""
    get(db, note_id)
    stamp = mapping.format_time(mapping.now())
    NoteRow.update(html=html, modified=stamp).where(NoteRow.id == note_id).bind(db).execute()
    fts.refresh(db, fts.NOTES, [note_id])
    return get(db, note_id)


def delete(db: Database, note_id: NoteId) -> ItemId:
    """Delete the note (its index row goes by trigger); returns the item it belonged to."""
    note = get(db, note_id)
    NoteRow.delete().where(NoteRow.id == note_id).bind(db).execute()
    return note.item_id


def add_many(db: Database, notes: Sequence[tuple[ItemId, str]]) -> list[NoteId]:
    """New notes (item, html), in this order, on items this transaction knows exist (an
    import's): one prepared statement for all, not a query per note; their ids."""
    if not notes:
        return []
    first_id = (NoteRow.select(fn.MAX(NoteRow.id)).bind(db).scalar() or 0) + 1
    stamp = mapping.format_time(mapping.now())
    ids = [NoteId(first_id + n) for n in range(len(notes))]
    rows = [
        (note_id, item_id, html, stamp, stamp)
        for note_id, (item_id, html) in zip(ids, notes, strict=True)
    ]
    insert_rows(
        db, NoteRow._meta.table_name, ("id", "item_id", "html", "created", "modified"), rows
    )
    fts.refresh(db, fts.NOTES, ids)
    return ids


def delete_many(db: Database, note_ids: Sequence[NoteId]) -> None:
    """Delete these notes, the ones still there (their index rows go by trigger)."""
    for chunk in chunked(list(note_ids), CHUNK):
        NoteRow.delete().where(NoteRow.id.in_(chunk)).bind(db).execute()


def move(db: Database, note_ids: Sequence[NoteId], item_id: ItemId) -> None:
    """Give these notes to another item (a merge); their text and dates stay as they are."""
    for chunk in chunked(list(note_ids), CHUNK):
        NoteRow.update(item=item_id).where(NoteRow.id.in_(chunk)).bind(db).execute()
