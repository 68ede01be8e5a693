"""Citation keys: each item's stored key read, edited or made again, and the pattern new keys
are made from (refman.citekeys says how; store.citekeys stores them).

A key is made once, when its item is created, and is then pinned: the window's detail pane and
``refman key`` change it only when asked, and another item's key is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from refman.library.changes import Changes
from refman.library.use_case import UseCase
from refman.model import ItemId
from refman.store import citekeys, items


class Keys(UseCase):
    """The citation keys of one open library."""

    def of(self, ids: Sequence[ItemId]) -> dict[ItemId, str]:
        """{item id: its key} of the items still in the library."""
        return self._read(citekeys.keys_of, list(ids))

    def in_order(self, ids: Sequence[ItemId]) -> list[str]:
        """The keys of ``ids`` in that order, once each (items gone meanwhile left out)."""
        found = self.of(ids)
        return list(dict.fromkeys(found[i] for i in ids if i in found))

    def item_with(self, key: str) -> ItemId | None:
        """The item whose key is ``key`` (ignoring case), or None."""
        return self._read(citekeys.item_with_key, key)

    def set(self, item_id: ItemId, key: str) -> Changes:
        """Give the item this key. CitationKeyError (in plain words) when it is not a usable
        key or another item has it; MissingItemError when the item is gone."""
        with self._connection.writing() as db:
            changed = citekeys.set_key(db, item_id, key)
        return Changes(changed=frozenset({item_id})) if changed else Changes()

    def set_many(self, keys: Mapping[ItemId, str]) -> Changes:
        """Give several items these keys at once (undoing a change of keys, which may swap
        two); refused whole, as ``set`` refuses one."""
        with self._connection.writing() as db:
            citekeys.set_keys(db, keys)
        return Changes(changed=frozenset(keys))

    def regenerate(self, ids: Sequence[ItemId]) -> tuple[dict[ItemId, str], Changes]:
        """Make the items' keys again from the current pattern: {item id: new key}."""
        with self._connection.writing() as db:
            refs = items.load(db, list(ids), source_records=False, tag_details=False)
            new = citekeys.regenerate(db, [(ItemId(r.id), r) for r in refs if r.id is not None])
        return new, Changes(changed=frozenset(new))

    def pattern(self) -> str:
        """The pattern new keys are made from."""
        return self._read(citekeys.pattern)

    def set_pattern(self, text: str) -> str:
        """Make ``text`` the pattern of keys made from now on (CitationKeyError, with why, for
        a bad one); the keys the items have stay. The pattern as stored."""
        with self._connection.writing() as db:
            return citekeys.set_pattern(db, text)
