"""Tags: the tag table (name, colour) and the links that put tags on items.

A tag is unique by its exact name ("Brain" and "brain" are two tags, as in Zotero); lists are
sorted case-insensitively in Python, where ``casefold`` knows every alphabet. A link carries
its kind (``manual``, ``mesh``, ``keyword``) and, for MeSH, the major flag and qualifiers, so
one tag can be manual on one item and automatic on another. Tags no item carries are removed
unless they have a colour. Functions that change links return the ids of the items changed;
the store bumps their date_modified and re-indexes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from peewee import SQL, Case, Database, chunked, fn

from refman.model import TAG_MANUAL, ItemId, Tag, TagCount
from refman.store import mapping, search
from refman.store.bulk import CHUNK, fetch, insert_rows
from refman.store.schema import Item, ItemTag
from refman.store.schema import Tag as TagRow


def unique_tags(tags: Iterable[Tag]) -> list[Tag]:
    """The tags without repeats of one (name, kind), first one kept: a link exists once."""
    return list({(tag.name, tag.kind): tag for tag in reversed(list(tags))}.values())[::-1]


def tag_ids(db: Database, names: Iterable[str]) -> dict[str, int]:
    """Ids of the tags with these names, creating the missing ones."""
    names = list(dict.fromkeys(names))
    insert_rows(db, TagRow._meta.table_name, ("name",), [(name,) for name in names])
    found: dict[str, int] = {}
    for chunk in chunked(names, CHUNK):
        query = TagRow.select(TagRow.name, TagRow.id).where(TagRow.name.in_(chunk))
        found.update(fetch(db, query))
    return found


def _find(db: Database, name: str) -> TagRow | None:
    return TagRow.select().where(TagRow.name == name).bind(db).first()


def _linked_items(db: Database, tags: Sequence[int], within: Sequence[int] | None = None) -> set:
    """Ids of the items that carry any of these tags (among ``within`` when given)."""
    query = ItemTag.select(ItemTag.item).distinct().where(ItemTag.tag.in_(tags))
    if within is not None:
        query = query.where(ItemTag.item.in_(within))
    return {item_id for (item_id,) in fetch(db, query)}


def add(db: Database, ids: Sequence[ItemId], tags: Sequence[Tag]) -> set[int]:
    """Link the tags to the items; links that exist (same name and kind) stay as they are."""
    tags = unique_tags(tags)
    known = tag_ids(db, (tag.name for tag in tags))
    changed: set[int] = set()
    for chunk in chunked(list(dict.fromkeys(ids)), CHUNK):
        existing, next_position = _links_of(db, chunk, list(known.values()))
        links = []
        for item_id in chunk:
            position = next_position.get(item_id, 0)
            for tag in tags:
                if (item_id, known[tag.name], tag.kind) not in existing:
                    links.append(mapping.tag_link_row(item_id, known[tag.name], tag, position))
                    position += 1
                    changed.add(item_id)
        insert_rows(db, ItemTag._meta.table_name, mapping.ITEM_TAG_COLUMNS, links)
    return changed


def _links_of(db: Database, ids: Sequence[int], tags: Sequence[int]) -> tuple[set, dict]:
    """The items' existing links to these tags, and each item's next free tag position."""
    links = ItemTag.select(ItemTag.item, ItemTag.tag, ItemTag.kind)
    existing = set(fetch(db, links.where(ItemTag.item.in_(ids) & ItemTag.tag.in_(tags))))
    ends = ItemTag.select(ItemTag.item, fn.MAX(ItemTag.position) + 1).where(ItemTag.item.in_(ids))
    return existing, dict(fetch(db, ends.group_by(ItemTag.item)))


def remove(db: Database, ids: Sequence[ItemId], names: Sequence[str]) -> set[int]:
    """Unlink the named tags (every kind) from the items."""
    query = TagRow.select(TagRow.id).where(TagRow.name.in_(list(names)))
    found = [tag_id for (tag_id,) in fetch(db, query)]
    if not found:
        return set()
    changed: set[int] = set()
    for chunk in chunked(list(dict.fromkeys(ids)), CHUNK):
        changed |= _linked_items(db, found, chunk)
        condition = ItemTag.item.in_(chunk) & ItemTag.tag.in_(found)
        ItemTag.delete().where(condition).bind(db).execute()
    purge_unused(db)
    return changed


def rename(db: Database, old: str, new: str) -> set[int]:
    """Rename a tag; onto an existing name the two merge. KeyError when ``old`` is unknown."""
    source = _find(db, old)
    if source is None:
        raise KeyError(old)
    if new == old:
        return set()
    affected = _linked_items(db, [source.id])
    target = _find(db, new)
    if target is None:
        TagRow.update(name=new).where(TagRow.id == source.id).bind(db).execute()
        return affected
    _move_links(db, source.id, target.id)
    if source.color and not target.color:
        TagRow.update(color=source.color).where(TagRow.id == target.id).bind(db).execute()
    TagRow.delete().where(TagRow.id == source.id).bind(db).execute()
    return affected


def _move_links(db: Database, source_id: int, target_id: int) -> None:
    """Re-point links from one tag to another, except where the item already has that link."""
    taken = ItemTag.alias()
    already = taken.select(taken.item).where(
        (taken.tag == target_id) & (taken.item == ItemTag.item) & (taken.kind == ItemTag.kind)
    )
    movable = (ItemTag.tag == source_id) & ~fn.EXISTS(already)
    ItemTag.update(tag=target_id).where(movable).bind(db).execute()
    ItemTag.delete().where(ItemTag.tag == source_id).bind(db).execute()


def delete(db: Database, name: str) -> set[int]:
    """Delete a tag from every item. KeyError when it does not exist."""
    tag = _find(db, name)
    if tag is None:
        raise KeyError(name)
    affected = _linked_items(db, [tag.id])
    TagRow.delete().where(TagRow.id == tag.id).bind(db).execute()
    return affected


def set_color(db: Database, name: str, color: str) -> None:
    """Colour a tag ("" removes the colour); colouring an unknown name creates the tag."""
    if color:
        tag_ids(db, [name])
    TagRow.update(color=color).where(TagRow.name == name).bind(db).execute()
    purge_unused(db)


def names(db: Database) -> list[str]:
    return sorted((n for (n,) in fetch(db, TagRow.select(TagRow.name))), key=_order)


def _order(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


def purge_unused(db: Database) -> None:
    """Drop tags no item carries, unless the user gave them a colour."""
    used = ItemTag.select(ItemTag.tag).where(ItemTag.tag == TagRow.id)
    TagRow.delete().where((TagRow.color == "") & ~fn.EXISTS(used)).bind(db).execute()


def counts(db: Database, **view: object) -> list[TagCount]:
    """Each tag on the items of a view with its item count; coloured tags always appear.

    A tag is ``automatic`` when none of its links in the view is manual: the selector then
    hides it with the other automatic tags, but never hides a tag the user applied by hand.
    """
    if view.get("collection") is None and not view.get("unfiled") and not view.get("trashed"):
        # The whole library: counting every link from the tag index and taking away the
        # trash (small) is several times faster than checking each link's item.
        counted = _subtract(_pair_counts(db, None), _pair_counts(db, _items(trashed=True)))
    else:
        counted = _pair_counts(db, _items(**view))
    found = []
    for tag_id, name, color in fetch(db, TagRow.select(TagRow.id, TagRow.name, TagRow.color)):
        items, manual = counted.get(tag_id, (0, 0))
        if items or color:
            found.append(
                TagCount(name, automatic=items > 0 and not manual, count=items, color=color)
            )
    return sorted(found, key=lambda t: _order(t.name))


def _items(**view: object):
    return Item.select(Item.id).where(search.view_condition(**view))


def _pair_counts(db: Database, items) -> dict[int, tuple[int, int]]:
    """{tag id: (items carrying it, items carrying it by hand)} over the items (None: all)."""
    manual = Case(None, [(ItemTag.kind == TAG_MANUAL, 1)], 0)
    # One row per (tag, item): an item may carry one tag as a MeSH heading and a keyword.
    pairs = ItemTag.select(ItemTag.tag, fn.MAX(manual).alias("manual"))
    if items is not None:
        pairs = pairs.where(ItemTag.item.in_(items))
    pairs = pairs.group_by(ItemTag.tag, ItemTag.item).alias("pairs")
    query = pairs.select_from(pairs.c.tag_id, fn.COUNT(SQL("*")), fn.SUM(pairs.c.manual))
    rows = fetch(db, query.group_by(pairs.c.tag_id))
    return {tag_id: (items_, manual_) for tag_id, items_, manual_ in rows}


def _subtract(total: dict, part: dict) -> dict:
    return {
        tag_id: (items - part.get(tag_id, (0, 0))[0], manual - part.get(tag_id, (0, 0))[1])
        for tag_id, (items, manual) in total.items()
    }
