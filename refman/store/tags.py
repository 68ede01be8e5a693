"""Tags: the tag table (name, colour) and the links that put tags on items.

A tag is unique by its exact name ("Brain" and "brain" are two tags, as in Zotero); lists are
sorted case-insensitively in Python, where ``casefold`` knows every alphabet. An item carries
a tag once (as in Zotero): the link holds its kind (``manual``, ``mesh``, ``keyword``) and, for
MeSH, the major flag and qualifiers, so one tag can be manual on one item and automatic on
another. When a record names a tag twice (a MeSH heading repeated as an author keyword), the
first wins: MEDLINE lists MH before OT, so the heading with its stars is kept. One link per
item also lets the counts come straight off the (tag, item) index without DISTINCT.

Tags no item carries are removed unless they have a colour. Functions that change links return
the ids of the items changed, whose date_modified the store bumps. New tags are indexed for
search here, all of a batch in one statement; renames and deletions reach the index through
triggers on the tag table (see fts.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from peewee import SQL, Case, Database, chunked, fn

from refman.model import TAG_MANUAL, ItemId, Tag, TagCount
from refman.store import fts, mapping, search
from refman.store.bulk import CHUNK, fetch, insert_rows, rows_where_in
from refman.store.schema import CollectionItem, Item, ItemTag, Trash
from refman.store.schema import Tag as TagRow


def unique_tags(tags: Iterable[Tag]) -> list[Tag]:
    """The tags with each name once, the first one kept."""
    first: dict[str, Tag] = {}
    for tag in tags:
        first.setdefault(tag.name, tag)
    return list(first.values())


def tag_ids(db: Database, names: Iterable[str]) -> dict[str, int]:
    """Ids of the tags with these names, creating (and indexing) the missing ones."""
    names = list(dict.fromkeys(names))
    last_id = db.execute_sql("SELECT max(id) FROM tag").fetchone()[0] or 0
    insert_rows(db, TagRow._meta.table_name, ("name",), [(name,) for name in names])
    # New rows get ids past the largest (INTEGER PRIMARY KEY without AUTOINCREMENT), so the
    # tags just made are indexed in one statement: five times faster than row by row.
    db.execute_sql(
        f"INSERT INTO {fts.TAGS.name} (rowid, name) SELECT id, name FROM tag WHERE id > ?",
        (last_id,),
    )
    return dict(rows_where_in(db, "SELECT name, id FROM tag", "name", names))


def _find(db: Database, name: str) -> TagRow | None:
    return TagRow.select().where(TagRow.name == name).bind(db).first()


def _linked_items(db: Database, tags: Sequence[int], within: Sequence[int] | None = None) -> set:
    """Ids of the items that carry any of these tags (among ``within`` when given)."""
    query = ItemTag.select(ItemTag.item).distinct().where(ItemTag.tag.in_(tags))
    if within is not None:
        query = query.where(ItemTag.item.in_(within))
    return {item_id for (item_id,) in fetch(db, query)}


# --- links ------------------------------------------------------------------------------------


def add(db: Database, ids: Sequence[ItemId], tags: Sequence[Tag]) -> set[int]:
    """Link the tags to the items; an item that has a tag keeps its link as it is."""
    tags = unique_tags(tags)
    known = tag_ids(db, (tag.name for tag in tags))
    changed: set[int] = set()
    for chunk in chunked(list(dict.fromkeys(ids)), CHUNK):
        existing, next_position = _links_of(db, chunk, list(known.values()))
        links = []
        for item_id in chunk:
            position = next_position.get(item_id, 0)
            for tag in tags:
                if (item_id, known[tag.name]) not in existing:
                    links.append(mapping.tag_link_row(item_id, known[tag.name], tag, position))
                    position += 1
                    changed.add(item_id)
        insert_rows(db, ItemTag._meta.table_name, mapping.ITEM_TAG_COLUMNS, links)
    return changed


def _links_of(db: Database, ids: Sequence[int], tags: Sequence[int]) -> tuple[set, dict]:
    """The items' existing links to these tags, and each item's next free tag position."""
    links = ItemTag.select(ItemTag.item, ItemTag.tag)
    existing = set(fetch(db, links.where(ItemTag.item.in_(ids) & ItemTag.tag.in_(tags))))
    ends = ItemTag.select(ItemTag.item, fn.MAX(ItemTag.position) + 1).where(ItemTag.item.in_(ids))
    return existing, dict(fetch(db, ends.group_by(ItemTag.item)))


def remove(db: Database, ids: Sequence[ItemId], names: Sequence[str]) -> set[int]:
    """Unlink the named tags, whatever their kind, from the items."""
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


# --- the tags themselves ----------------------------------------------------------------------


def rename(db: Database, old: str, new: str) -> None:
    """Rename a tag; onto an existing name the two merge. KeyError when ``old`` is unknown."""
    source = _find(db, old)
    if source is None:
        raise KeyError(old)
    if new == old:
        return
    target = _find(db, new)
    if target is None:
        TagRow.update(name=new).where(TagRow.id == source.id).bind(db).execute()
        return
    _move_links(db, source.id, target.id)
    if source.color and not target.color:
        TagRow.update(color=source.color).where(TagRow.id == target.id).bind(db).execute()
    TagRow.delete().where(TagRow.id == source.id).bind(db).execute()


def _move_links(db: Database, source_id: int, target_id: int) -> None:
    """Re-point links from one tag to another; an item with both keeps its link to the target."""
    taken = ItemTag.alias()
    already = taken.select(taken.item).where(
        (taken.tag == target_id) & (taken.item == ItemTag.item)
    )
    movable = (ItemTag.tag == source_id) & ~fn.EXISTS(already)
    ItemTag.update(tag=target_id).where(movable).bind(db).execute()
    ItemTag.delete().where(ItemTag.tag == source_id).bind(db).execute()


def delete(db: Database, name: str) -> None:
    """Delete a tag from every item (its links go by cascade). KeyError when it does not exist."""
    tag = _find(db, name)
    if tag is None:
        raise KeyError(name)
    TagRow.delete().where(TagRow.id == tag.id).bind(db).execute()


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


# --- counts -----------------------------------------------------------------------------------


def counts(db: Database, **view: object) -> list[TagCount]:
    """Each tag on the items of a view with its item count; coloured tags always appear.

    A tag is ``automatic`` when none of its links in the view is manual: the selector then
    hides it with the other automatic tags, but never hides a tag the user applied by hand.
    """
    items, manual = _counts_in_view(db, view)
    found = []
    for tag_id, name, color in fetch(db, TagRow.select(TagRow.id, TagRow.name, TagRow.color)):
        count = items.get(tag_id, 0)
        if count or color:
            automatic = count > 0 and not manual.get(tag_id)
            found.append(TagCount(name, automatic=automatic, count=count, color=color))
    return sorted(found, key=lambda t: _order(t.name))


def _counts_in_view(db: Database, view: dict) -> tuple[dict, dict]:
    """({tag id: items}, {tag id: items carrying it by hand}) over the view's items."""
    if view.get("collection") is not None or view.get("trashed"):
        return _link_counts(db, _view_items(view))
    # The library (or its unfiled part): count every link off the (tag, item) indexes, which
    # never reads an item, then take away the items outside the view (the trash, and for
    # "unfiled" the filed items). Checking 10 links per item one by one costs ten times more.
    outside = Trash.select(Trash.item)
    if view.get("unfiled"):
        outside = outside | CollectionItem.select(CollectionItem.item)
    all_items, all_manual = _library_counts(db)
    out_items, out_manual = _link_counts(db, outside)
    return _subtract(all_items, out_items), _subtract(all_manual, out_manual)


def _library_counts(db: Database) -> tuple[dict[int, int], dict[int, int]]:
    """({tag id: links}, {tag id: manual links}) of every item, read off indexes only."""
    links = ItemTag.select(ItemTag.tag, fn.COUNT(SQL("*"))).group_by(ItemTag.tag)
    # A literal, not a parameter: SQLite must see that the partial index of manual links fits.
    manual = links.where(ItemTag.kind == SQL(f"'{TAG_MANUAL}'"))
    return dict(fetch(db, links)), dict(fetch(db, manual))


def _view_items(view: dict):
    return Item.select(Item.id).where(search.view_condition(**view))


def _link_counts(db: Database, items) -> tuple[dict[int, int], dict[int, int]]:
    """({tag id: links}, {tag id: manual links}) among the links of these items."""
    manual = Case(None, [(ItemTag.kind == TAG_MANUAL, 1)], 0)
    query = ItemTag.select(ItemTag.tag, fn.COUNT(SQL("*")), fn.SUM(manual))
    rows = fetch(db, query.where(ItemTag.item.in_(items)).group_by(ItemTag.tag))
    return {tag: n for tag, n, _ in rows}, {tag: m for tag, _, m in rows if m}


def _subtract(total: dict[int, int], part: dict[int, int]) -> dict[int, int]:
    return {tag_id: count - part.get(tag_id, 0) for tag_id, count in total.items()}
