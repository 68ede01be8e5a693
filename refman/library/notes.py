"""Notes: rich text (HTML) that belongs to one item, saved as the user types; and the plain
text notes of imported files as such HTML."""

from __future__ import annotations

import html as html_text
import re

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


def html_of_text(text: str) -> str:
    """A plain text note (an imported file's) as a note's HTML: escaped, each paragraph (text
    between blank lines) a ``<p>``, its other line breaks ``<br>``, as ``refman note add``
    and the window write them."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html_text.escape(line.strip()) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


def same_text(html: str) -> str:
    """A note's words, to tell whether two notes say the same whatever their markup: the text
    without tags and entities, white space as single spaces."""
    spaced = _BREAKS.sub(" ", html)  # a line or block ends a word; bold or a link does not
    text = html_text.unescape(_TAGS.sub("", spaced))
    return " ".join(text.split())


_BREAKS = re.compile(r"<(?:br|/?(?:p|div|li|tr|td|th|h[1-6]|blockquote|pre))\b[^>]*>", re.I)
_TAGS = re.compile(r"<[^>]*>")
