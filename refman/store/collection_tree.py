"""Collections: a tree of named folders; an item may be filed in several of them.

Deleting a collection deletes its subcollections (``ON DELETE CASCADE`` on the parent) and
the memberships in them, never the items.
"""

from __future__ import annotations

from collections.abc import Sequence

from peewee import Database, chunked

from refman.model import Collection, CollectionId, ItemId, MissingItemError, RefmanError
from refman.store.bulk import CHUNK, fetch, insert_rows
from refman.store.mapping import Row
from refman.store.schema import Collection as CollectionRow
from refman.store.schema import CollectionItem

_COLUMNS = (CollectionRow.id, CollectionRow.name, CollectionRow.parent)


def _collection(row: Row) -> Collection:
    cid, name, parent_id = row
    return Collection(
        CollectionId(cid), name, None if parent_id is None else CollectionId(parent_id)
    )


def _order(collection: Collection) -> tuple[str, str, int]:
    return (collection.name.casefold(), collection.name, collection.id)


def all_collections(db: Database) -> list[Collection]:
    """Every collection, sorted by name (the tree is built from parent_id)."""
    rows = fetch(db, CollectionRow.select(*_COLUMNS))
    return sorted((_collection(row) for row in rows), key=_order)


def get(db: Database, cid: CollectionId) -> Collection:
    row = CollectionRow.select(*_COLUMNS).where(CollectionRow.id == cid).tuples().bind(db).first()
    if row is None:
        raise MissingItemError(f"There is no collection with id {cid}.")
    return _collection(row)


def find(db: Database, name: str) -> Collection | None:
    """The collection with this name (exact first, else ignoring case); the oldest if several."""
    found = [c for c in all_collections(db) if c.name == name]
    found = found or [c for c in all_collections(db) if c.name.casefold() == name.casefold()]
    return min(found, key=lambda c: c.id) if found else None


def _check_name(name: str) -> None:
    if not name.strip():
        raise RefmanError("A collection needs a name.")


def create(db: Database, name: str, parent_id: CollectionId | None) -> Collection:
    _check_name(name)
    if parent_id is not None:
        get(db, parent_id)
    new_id = CollectionRow.insert(name=name, parent=parent_id).bind(db).execute()
    return Collection(CollectionId(new_id), name, parent_id)


def rename(db: Database, cid: CollectionId, name: str) -> None:
    _check_name(name)
    get(db, cid)
    CollectionRow.update(name=name).where(CollectionRow.id == cid).bind(db).execute()


def _ancestors(db: Database, cid: CollectionId | None) -> list[CollectionId]:
    """cid and its parents up to the root."""
    parents = {c.id: c.parent_id for c in all_collections(db)}
    chain = []
    while cid is not None and cid not in chain:
        chain.append(cid)
        cid = parents.get(cid)
    return chain


def move(db: Database, cid: CollectionId, parent_id: CollectionId | None) -> None:
    """Put a collection under another (None: at the top); a collection cannot go inside itself."""
    moving = get(db, cid)
    if parent_id is not None:
        target = get(db, parent_id)
        if cid in _ancestors(db, target.id):
            raise RefmanError(
                f"Cannot move the collection '{moving.name}' into '{target.name}', "
                "which is inside it."
            )
    CollectionRow.update(parent=parent_id).where(CollectionRow.id == cid).bind(db).execute()


def delete(db: Database, cid: CollectionId) -> None:
    get(db, cid)
    CollectionRow.delete().where(CollectionRow.id == cid).bind(db).execute()


def add_items(db: Database, ids: Sequence[ItemId], cid: CollectionId) -> None:
    get(db, cid)
    rows = [(cid, item_id) for item_id in dict.fromkeys(ids)]
    insert_rows(db, CollectionItem._meta.table_name, ("collection_id", "item_id"), rows)


def remove_items(db: Database, ids: Sequence[ItemId], cid: CollectionId) -> None:
    for chunk in chunked(list(ids), CHUNK):
        condition = (CollectionItem.collection == cid) & CollectionItem.item.in_(chunk)
        CollectionItem.delete().where(condition).bind(db).execute()


def of_item(db: Database, item_id: ItemId) -> list[CollectionId]:
    query = CollectionItem.select(CollectionItem.collection).where(CollectionItem.item == item_id)
    return sorted(CollectionId(cid) for (cid,) in fetch(db, query))
