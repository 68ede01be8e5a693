"""Notes: rich text (HTML) that belongs to one item, saved as the user types."""

from __future__ import annotations

from refman.library.changes import Changes
from refman.library.use_case import UseCase
from refman.model import ItemId, Note, NoteId
from refman.store import notes


class Notes(UseCase):
    """The notes of one open library."""

    def of_item(self, item_id: ItemId) -> list[Note]:
        """The item's notes, oldest first."""
        return self._read(notes.of_item, item_id)

    def add(self, item_id: ItemId, html: str) -> tuple[Note, Changes]:
        with self._connection.writing() as db:
            note = notes.add(db, item_id, html)
        return note, Changes(notes=frozenset({item_id}))

    def update(self, note_id: NoteId, html: str) -> tuple[Note, Changes]:
        with self._connection.writing() as db:
            note = notes.update(db, note_id, html)
        return note, Changes(notes=frozenset({note.item_id}))

    def delete(self, note_id: NoteId) -> Changes:
        with self._connection.writing() as db:
            item_id = notes.delete(db, note_id)
        return Changes(notes=frozenset({item_id}))
