"""Collections: the tree of them, and which items each holds.

An item may be in any number of collections; deleting a collection (and its subcollections)
leaves its items in the library. Names are stored without the spaces around them; the store
refuses a blank one.
"""

from __future__ import annotations

from collections.abc import Sequence

from refman.library.changes import Changes
from refman.model import Collection, CollectionId, ItemId
from refman.store import collection_tree
from refman.store.connection import Connection


class Collections:
    """The collections of one open library."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def all(self) -> list[Collection]:
        """Every collection, sorted by name (the tree is built from their parents)."""
        with self._connection.reading() as db:
            return collection_tree.all_collections(db)

    def find(self, name: str) -> Collection | None:
        """The collection called ``name`` (any case), or None."""
        with self._connection.reading() as db:
            return collection_tree.find(db, name)

    def of_item(self, item_id: ItemId) -> list[CollectionId]:
        """The collections the item is in."""
        with self._connection.reading() as db:
            return collection_tree.of_item(db, item_id)

    def create(
        self, name: str, parent_id: CollectionId | None = None
    ) -> tuple[Collection, Changes]:
        with self._connection.writing() as db:
            collection = collection_tree.create(db, name.strip(), parent_id)
        return collection, Changes(collections=True)

    def rename(self, cid: CollectionId, name: str) -> Changes:
        with self._connection.writing() as db:
            collection_tree.rename(db, cid, name.strip())
        return Changes(collections=True)

    def move(self, cid: CollectionId, parent_id: CollectionId | None) -> Changes:
        """Put a collection inside another (None: at the top); refused inside itself."""
        with self._connection.writing() as db:
            collection_tree.move(db, cid, parent_id)
        return Changes(collections=True)

    def delete(self, cid: CollectionId) -> Changes:
        """Delete a collection and its subcollections; their items stay in the library."""
        with self._connection.writing() as db:
            collection_tree.delete(db, cid)
        return Changes(collections=True)

    def add_items(self, ids: Sequence[ItemId], cid: CollectionId) -> Changes:
        with self._connection.writing() as db:
            collection_tree.add_items(db, ids, cid)
        return Changes(changed=frozenset(ids), collections=True)

    def remove_items(self, ids: Sequence[ItemId], cid: CollectionId) -> Changes:
        """Take items out of a collection; they stay in the library."""
        with self._connection.writing() as db:
            collection_tree.remove_items(db, ids, cid)
        return Changes(changed=frozenset(ids), collections=True)
