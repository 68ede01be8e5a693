"""Queries of the attachment table: files kept with items (see migrations, the attachments
step, and library/attachments.py, which copies the files).

Rows only: this module never touches a file. ``insert`` adds rows, ``of_items`` lists the
attachments of items (those in the Trash too, marked), ``set_trashed`` moves attachments in and
out of the Trash, ``doomed`` names what Empty Trash removes and ``delete`` removes rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from peewee import Case, Database, fn

from refman.model import ItemId
from refman.store import mapping
from refman.store.schema import Attachment, Item, Trash

PDF_TYPE = "application/pdf"
SUMMARY_SEPARATOR = "\x1f"  # between files in ``SUMMARY`` (a file name cannot hold it)
# The item table's paper-clip cell, read with the page's other cells (store.items.rows): one
# entry per file outside the Trash, "P" (a PDF) or "F" (another file) then its name.
SUMMARY = Attachment.select(
    fn.GROUP_CONCAT(
        Case(None, [(Attachment.content_type == PDF_TYPE, "P")], "F").concat(Attachment.name),
        SUMMARY_SEPARATOR,
    )
).where((Attachment.item == Item.id) & ~Attachment.trashed)


@dataclass(frozen=True)
class AttachmentRow:
    """One attachment as stored."""

    id: int
    item_id: ItemId
    key: str
    name: str
    linked: bool
    path: str
    content_type: str
    size: int
    added: str
    trashed: bool
    text_state: str = ""  # "" not read yet, "indexed", "no text" (a scan), or why not
    pages: int = 0

    @property
    def scanned(self) -> bool:
        """A PDF read and found to have no text layer (a scan): its words cannot be searched."""
        return self.text_state == NO_TEXT


@dataclass(frozen=True)
class NewAttachment:
    """What ``insert`` writes for one file."""

    item_id: ItemId
    key: str
    name: str
    linked: bool = False
    path: str = ""
    content_type: str = ""
    size: int = 0


def insert(db: Database, new: Sequence[NewAttachment]) -> list[int]:
    """Add rows for files already in place; their ids, in order."""
    stamp = mapping.format_time(mapping.now())
    ids = []
    for one in new:
        query = Attachment.insert(
            item=one.item_id,
            key=one.key,
            name=one.name,
            linked=one.linked,
            path=one.path,
            content_type=one.content_type,
            size=one.size,
            added=stamp,
        )
        ids.append(int(query.bind(db).execute()))
    return ids


def of_items(db: Database, item_ids: Iterable[ItemId]) -> dict[ItemId, list[AttachmentRow]]:
    """Each item's attachments, oldest first (items without any are left out)."""
    wanted = list(dict.fromkeys(item_ids))
    found: dict[ItemId, list[AttachmentRow]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = Attachment.select().where(Attachment.item.in_(chunk)).order_by(Attachment.id)
        for row in map(_row, query.bind(db)):
            found.setdefault(row.item_id, []).append(row)
    return found


def items_with_files(db: Database) -> set[ItemId]:
    """The items that have a file outside the Trash (the item table's "expand all")."""
    query = Attachment.select(Attachment.item).where(~Attachment.trashed).distinct()
    rows = cast(Iterable[tuple[int]], query.tuples().bind(db))
    return {ItemId(item_id) for (item_id,) in rows}


def by_ids(db: Database, ids: Iterable[int]) -> list[AttachmentRow]:
    """The attachments with these ids, in id order; unknown ids are left out."""
    query = Attachment.select().where(Attachment.id.in_(list(ids))).order_by(Attachment.id)
    return [_row(row) for row in query.bind(db)]


def every(db: Database) -> list[AttachmentRow]:
    """All attachments, for refman check and backups."""
    return [_row(row) for row in Attachment.select().order_by(Attachment.id).bind(db)]


def set_trashed(db: Database, ids: Sequence[int], trashed: bool) -> None:
    Attachment.update(trashed=trashed).where(Attachment.id.in_(list(ids))).bind(db).execute()


def doomed(db: Database) -> list[AttachmentRow]:
    """What Empty Trash removes: attachments in the Trash, and those of items in the Trash."""
    in_trash = Trash.select(Trash.item)
    query = Attachment.select().where(Attachment.trashed | Attachment.item.in_(in_trash))
    return [_row(row) for row in query.bind(db)]


def delete(db: Database, ids: Sequence[int]) -> None:
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        Attachment.delete().where(Attachment.id.in_(chunk)).bind(db).execute()


def _row(row: Any) -> AttachmentRow:  # an Attachment row; peewee gives item_id untyped
    return AttachmentRow(
        id=row.id,
        item_id=ItemId(row.item_id),
        key=row.key,
        name=row.name,
        linked=bool(row.linked),
        path=row.path,
        content_type=row.content_type,
        size=row.size,
        added=row.added,
        trashed=bool(row.trashed),
        text_state=row.text_state,
        pages=row.pages,
    )


def move(db: Database, ids: Sequence[int], item_id: ItemId) -> None:
    """Give attachments to another item (Retrieve Metadata found the PDF's reference)."""
    Attachment.update(item=item_id).where(Attachment.id.in_(list(ids))).bind(db).execute()


# --- the text of PDFs (attachment_fts; its rows go with their attachment by a trigger) -------

INDEXED = "indexed"
NO_TEXT = "no text"


def unread(db: Database, content_type: str, limit: int) -> list[AttachmentRow]:
    """Attachments of ``content_type`` whose text has not been read, oldest first."""
    query = (
        Attachment.select()
        .where((Attachment.content_type == content_type) & (Attachment.text_state == ""))
        .order_by(Attachment.id)
        .limit(limit)
    )
    return [_row(row) for row in query.bind(db)]


def save_text(db: Database, attachment_id: int, text: str, state: str, pages: int) -> None:
    """Keep what reading the attachment's file gave: its words in the index, its state."""
    db.execute_sql("DELETE FROM attachment_fts WHERE rowid = ?", (attachment_id,))
    if text:
        db.execute_sql(
            "INSERT INTO attachment_fts (rowid, text) VALUES (?, ?)", (attachment_id, text)
        )
    query = Attachment.update(text_state=state, pages=pages).where(Attachment.id == attachment_id)
    query.bind(db).execute()


_TEXT_MATCHES = """
SELECT DISTINCT attachment.item_id
FROM attachment_fts JOIN attachment ON attachment.id = attachment_fts.rowid
WHERE attachment_fts MATCH ? AND NOT attachment.trashed
"""

# One word's items, as a JSON array (fetching many rows one by one costs more): see word_matches.
_WORD_ITEMS = """(
SELECT json_group_array(DISTINCT attachment.item_id)
FROM attachment_fts JOIN attachment ON attachment.id = attachment_fts.rowid
WHERE attachment_fts MATCH ?{number} AND NOT attachment.trashed
)"""

# The passage's own marks around matched words: characters no PDF text keeps (extract and the
# index drop control characters), unlike brackets, which references print ("[12]").
START, END = "\x02", "\x03"

_PASSAGE = """
SELECT attachment.id, attachment.name,
       snippet(attachment_fts, 0, char(2), char(3), '…', 16)
FROM attachment_fts JOIN attachment ON attachment.id = attachment_fts.rowid
WHERE attachment_fts MATCH ? AND attachment.item_id = ? AND NOT attachment.trashed
ORDER BY attachment_fts.rank LIMIT 1
"""


@dataclass(frozen=True)
class Passage:
    """Where an item's PDF holds searched words: the attachment, its file's name, and a few
    lines of its text with the words between START and END."""

    attachment_id: int
    name: str
    text: str


def text_matches(db: Database, match: str) -> list[ItemId]:
    """The items with an attachment (outside the Trash) whose text matches the FTS5 query
    ``match``. No passage here: making one reads the PDF's whole text again, which for a
    common word in 1,000 PDFs took a second; ``passage`` makes one for the rows shown."""
    return [ItemId(item_id) for (item_id,) in db.execute_sql(_TEXT_MATCHES, (match,))]


def word_matches(db: Database, words: Sequence[str]) -> list[list[int]]:
    """For each FTS5 phrase of ``words``, the ids of the items whose PDFs (outside the Trash)
    hold it: one statement for all the words of a search, no passage made."""
    if not words:
        return []
    lists = ", ".join(_WORD_ITEMS.format(number=n) for n in range(1, len(words) + 1))
    row = db.execute_sql(f"SELECT {lists}", list(words)).fetchone()
    return [json.loads(ids) for ids in row]


def passage(db: Database, match: str, item_id: ItemId) -> Passage | None:
    """The best passage of the item's PDFs for the FTS5 query ``match``; None if none holds it."""
    row = db.execute_sql(_PASSAGE, (match, item_id)).fetchone()
    if not row:
        return None
    attachment_id, name, text = row
    return Passage(attachment_id, name, " ".join(text.split()))


def forget_text(db: Database) -> None:
    """Empty the text index and mark every attachment unread: it is rebuilt from the files."""
    db.execute_sql("DELETE FROM attachment_fts")
    Attachment.update(text_state="", pages=0).bind(db).execute()
