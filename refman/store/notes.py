"""Notes: HTML text attached to an item, many per item, oldest first."""

from __future__ import annotations

from peewee import Database

from refman.model import ItemId, Note, NoteId
from refman.store import mapping
from refman.store.schema import Item
from refman.store.schema import Note as NoteRow

_COLUMNS = (NoteRow.id, NoteRow.item, NoteRow.html, NoteRow.created, NoteRow.modified)


def _note(row: tuple) -> Note:
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
    return [_note(row) for row in query.tuples().bind(db)]


def get(db: Database, note_id: NoteId) -> Note:
    """The note; KeyError when there is none with this id."""
    row = NoteRow.select(*_COLUMNS).where(NoteRow.id == note_id).tuples().bind(db).first()
    if row is None:
        raise KeyError(note_id)
    return _note(row)


def add(db: Database, item_id: ItemId, html: str) -> Note:
    """A new note on the item; KeyError when the item does not exist."""
    if not Item.select().where(Item.id == item_id).bind(db).exists():
        raise KeyError(item_id)
    stamp = mapping.format_time(mapping.now())
    query = NoteRow.insert(item=item_id, html=html, created=stamp, modified=stamp)
    return get(db, NoteId(query.bind(db).execute()))


def update(db: Database, note_id: NoteId, html: str) -> Note:
    get(db, note_id)
    stamp = mapping.format_time(mapping.now())
    NoteRow.update(html=html, modified=stamp).where(NoteRow.id == note_id).bind(db).execute()
    return get(db, note_id)


def delete(db: Database, note_id: NoteId) -> ItemId:
    """Delete the note; returns the item it belonged to."""
    note = get(db, note_id)
    NoteRow.delete().where(NoteRow.id == note_id).bind(db).execute()
    return note.item_id
