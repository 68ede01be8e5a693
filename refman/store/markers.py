"""The item table's markers: how many notes each item has and the coloured tags it carries.

Read a page of rows at a time (the table asks for some 200 ids), beside the page's cells.
"""

from __future__ import annotations

from collections.abc import Sequence

from peewee import Database, fn

from refman.model import ItemId
from refman.store.bulk import CHUNK, fetch
from refman.store.schema import ItemTag, Note, Tag

# (notes count, ((tag name, colour), ...) in name order)
Marker = tuple[int, tuple[tuple[str, str], ...]]


def markers(db: Database, ids: Sequence[ItemId]) -> dict[ItemId, Marker]:
    """The notes count and coloured tags of each id (ids without either are left out)."""
    notes: dict[int, int] = {}
    colours: dict[int, list[tuple[str, str]]] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start : start + CHUNK]
        counted = Note.select(Note.item, fn.COUNT(Note.id)).where(Note.item.in_(chunk))
        notes.update(fetch(db, counted.group_by(Note.item)))
        tagged = (
            ItemTag.select(ItemTag.item, Tag.name, Tag.color)
            .join(Tag)
            .where(ItemTag.item.in_(chunk) & (Tag.color != ""))
        )
        for item_id, name, colour in fetch(db, tagged):
            colours.setdefault(item_id, []).append((name, colour))
    found: dict[ItemId, Marker] = {}
    for item_id in notes.keys() | colours.keys():
        named = sorted(colours.get(item_id, ()), key=lambda pair: (pair[0].casefold(), pair[0]))
        found[ItemId(item_id)] = (notes.get(item_id, 0), tuple(named))
    return found


def coloured_tags(db: Database) -> list[tuple[str, str]]:
    """Every coloured tag as (name, colour), in the tag list's order (by name, ignoring case):
    keys 1-9 of the item table toggle the first nine."""
    rows = fetch(db, Tag.select(Tag.name, Tag.color).where(Tag.color != ""))
    return sorted(((name, colour) for name, colour in rows), key=lambda p: (p[0].casefold(), p[0]))
