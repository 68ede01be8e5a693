"""What an operation changed: the value every change returns, after its commit, so that the
window's panes refresh only what they show (Anki's OpChanges)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from refman.model import ItemId


@dataclass(frozen=True)
class Changes:
    """What an operation changed, for the panes to refresh."""

    added: frozenset[ItemId] = frozenset()
    changed: frozenset[ItemId] = frozenset()
    removed: frozenset[ItemId] = frozenset()
    tags: bool = False
    collections: bool = False
    notes: frozenset[ItemId] = frozenset()
    searches: bool = False  # saved searches added, renamed, edited or deleted

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))
