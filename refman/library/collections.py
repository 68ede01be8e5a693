"""Collections: the tree of them, and which items each holds.

An item may be in any number of collections; deleting a collection (and its subcollections)
leaves its items in the library. Names are stored without the spaces around them; the store
refuses a blank one.
"""

from __future__ import annotations

from collections.abc import Sequence

from refman.library.changes import Changes
from refman.library.use_case import UseCase
from refman.model import Collection, CollectionId, ItemId
from refman.store import collection_tree

COLLECTIONS = Changes(collections=True)


class Collections(UseCase):
    """The collections of one open library."""

    def all(self) -> list[Collection]:
        """Every collection, sorted by name (the tree is built from their parents)."""
        return self._read(collection_tree.all_collections)

    def find(self, name: str) -> Collection | None:
        """The collection called ``name`` (any case), or None."""
        return self._read(collection_tree.find, name)

    def of_item(self, item_id: ItemId) -> list[CollectionId]:
        """The collections the item is in."""
        return self._read(collection_tree.of_item, item_id)

    def create(
        self, name: str, parent_id: CollectionId | None = None
    ) -> tuple[Collection, Changes]:
        with self._connection.writing() as db:
            collection = collection_tree.create(db, name.strip(), parent_id)
        return collection, COLLECTIONS

    def rename(self, cid: CollectionId, name: str) -> Changes:
        return self._change(COLLECTIONS, collection_tree.rename, cid, name.strip())

    def move(self, cid: CollectionId, parent_id: CollectionId | None) -> Changes:
        """Put a collection inside another (None: at the top); refused inside itself."""
        return self._change(COLLECTIONS, collection_tree.move, cid, parent_id)

    def delete(self, cid: CollectionId) -> Changes:
        """Delete a collection and its subcollections; their items stay in the library."""
        return self._change(COLLECTIONS, collection_tree.delete, cid)

    def add_items(self, ids: Sequence[ItemId], cid: CollectionId) -> Changes:
        changes = Changes(changed=frozenset(ids), collections=True)
        return self._change(changes, collection_tree.add_items, ids, cid)

    def remove_items(self, ids: Sequence[ItemId], cid: CollectionId) -> Changes:
        """Take items out of a collection; they stay in the library."""
        changes = Changes(changed=frozenset(ids), collections=True)
        return self._change(changes, collection_tree.remove_items, ids, cid)
