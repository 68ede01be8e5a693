"""Finding items: view filters (collection, unfiled, tags, trash), text and sort orders.

Sorting and filtering happen in SQL on indexed columns; the text part comes from the
full-text index (``fts``). The item table model holds the ordered ids this returns.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from peewee import SQL, Database, Expression

from refman.store import fts
from refman.store.bulk import fetch
from refman.store.schema import CollectionItem, Item, ItemTag, Tag, Trash

# Sort key (as the item table names its columns) → the indexed column that orders it.
SORT_COLUMNS = {
    "title": Item.title_sort,
    "creators": Item.creators_sort,
    "year": Item.date_sort,
    "journal": Item.journal_sort,
    "date_added": Item.date_added,
    "date_modified": Item.date_modified,
    "item_type": Item.item_type,
    "doi": Item.doi_key,
    "pmid": Item.pmid_sort,
    "volume": Item.volume_sort,
    "pages": Item.pages_sort,
}

# Up to this many items in a view, look them up by id and sort them rather than walk the sort
# index: about the point where both cost the same on a 100,000-item library.
FEW_MATCHES = 5000


def _among(ids: Sequence[int]) -> Expression:
    """Item.id in the list, bound as one JSON parameter: no limit on how many."""
    return Item.id.in_(SQL("(SELECT value FROM json_each(?))", [json.dumps(ids)]))


def _with_tag(item: Expression, name: str) -> Expression:
    return item.in_(ItemTag.select(ItemTag.item).join(Tag).where(Tag.name == name))


def view_condition(
    *,
    collection: int | None = None,
    unfiled: bool = False,
    tags: Sequence[str] = (),
    trashed: bool = False,
    walk: bool = False,
) -> Expression:
    """The items of a view, as a condition on Item: the trash or the rest, then filters.

    ``walk``: the conditions are written on ``id + 0``, which SQLite cannot look items up
    by, so that it walks the sort index instead of starting from a long list of ids.
    """
    item = Item.id + 0 if walk else Item.id
    in_trash = Trash.select(Trash.item)
    condition = item.in_(in_trash) if trashed else item.not_in(in_trash)
    if collection is not None:
        members = CollectionItem.select(CollectionItem.item)
        condition &= item.in_(members.where(CollectionItem.collection == collection))
    if unfiled:
        condition &= item.not_in(CollectionItem.select(CollectionItem.item))
    for name in dict.fromkeys(tags):
        condition &= _with_tag(item, name)
    return condition


def search_ids(
    db: Database,
    text: str,
    *,
    sort: str,
    descending: bool,
    **view: object,
) -> list[int]:
    """Ids of the items in a view that match the text, in the given order (ties: by id).

    Two plans. When the text, the trash, the collection or a tag narrows the view to a few
    items, they are looked up by id and sorted. Otherwise SQLite walks the sort column's
    index and checks the view's conditions on the way: no sorting at all. SQLite cannot tell
    the two cases apart itself (it does not know how many items a text matches), so the plan
    is chosen here from counts that cost little.
    """
    if sort not in SORT_COLUMNS:
        raise ValueError(f"unknown sort key {sort!r}; use one of {', '.join(SORT_COLUMNS)}")
    matching, size = _text_condition(db, text)
    if size == 0:
        return []
    few = min(size, _narrowest(db, **view)) <= FEW_MATCHES
    condition = view_condition(**view, walk=not few)
    if matching is not None:
        condition &= matching
    key = SORT_COLUMNS[sort]
    if few:
        key = key.concat("")  # an expression: SQLite will not walk the index for the order
    order = [key.desc(), Item.id.desc()] if descending else [key, Item.id]
    query = Item.select(Item.id).where(condition).order_by(*order)
    return [item_id for (item_id,) in fetch(db, query)]


def _text_condition(db: Database, text: str) -> tuple[Expression | None, float]:
    """The text as a condition on Item (None: no text), and how many items it matches.

    A few matches are passed on as a list of ids. Past FEW_MATCHES, the ids are not brought
    into Python at all (100,000 rows cost more to fetch than to find): the FTS query runs
    again inside the main query instead.
    """
    words = fts.match_words(text)
    if not words:
        return None, float("inf")
    found = fts.matching_ids(db, words, limit=FEW_MATCHES + 1)
    if len(found) <= FEW_MATCHES:
        return _among(found), len(found)
    return fts.matching(words, Item.id + 0), float("inf")  # + 0: see view_condition


def _narrowest(
    db: Database,
    *,
    collection: int | None = None,
    tags: Sequence[str] = (),
    trashed: bool = False,
    **_: object,
) -> float:
    """The size of the smallest set of items the view's trash, collection or tags allow."""
    sizes = [float("inf")]
    if trashed:
        sizes.append(Trash.select().bind(db).count())
    if collection is not None:
        members = CollectionItem.select().where(CollectionItem.collection == collection)
        sizes.append(members.bind(db).count())
    for name in tags:
        links = ItemTag.select().join(Tag).where(Tag.name == name)
        sizes.append(links.bind(db).count())
    return min(sizes)
