"""Tags: adding them to items and taking them off, the tag list with its counts, renaming,
deleting and colouring.

Tags added here are manual; automatic ones (MeSH headings, author keywords) come with the
records an import reads. A tag name is stored without the spaces around it, and a blank one
is refused (``tag_name``): it would show as an empty row and could not be searched for.
"""

from __future__ import annotations

from collections.abc import Sequence

from refman.library.changes import Changes
from refman.model import TAG_MANUAL, ItemId, RefmanError, Tag, TagCounts, ViewQuery
from refman.store import items
from refman.store import tags as stored_tags
from refman.store.connection import Connection

LIBRARY = ViewQuery()


def tag_name(name: str) -> str:
    """A tag name as stored: without the spaces around it. RefmanError when nothing is left."""
    stripped = name.strip()
    if not stripped:
        raise RefmanError("A tag needs a name: it cannot be blank.")
    return stripped


def manual_tags(names: Sequence[str]) -> list[Tag]:
    """Manual tags of these names, each checked (``tag_name``) before anything is written."""
    return [Tag(tag_name(name), TAG_MANUAL) for name in names]


class Tags:
    """The tags of one open library."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def add(self, ids: Sequence[ItemId], names: Sequence[str]) -> Changes:
        """Tag the items by hand; links already there stay as they are."""
        new_tags = manual_tags(names)
        with self._connection.writing() as db:
            items.tag(db, ids, new_tags)
        return Changes(changed=frozenset(ids), tags=True)

    def remove(self, ids: Sequence[ItemId], names: Sequence[str]) -> Changes:
        """Take the named tags, manual or automatic, off the items."""
        names = [tag_name(name) for name in names]
        with self._connection.writing() as db:
            items.untag(db, ids, names)
        return Changes(changed=frozenset(ids), tags=True)

    def counts(self, view: ViewQuery = LIBRARY) -> TagCounts:
        """The tags on the items of a view's place (its text and tags aside), with how many
        items carry each, sorted by name; coloured tags always appear."""
        with self._connection.reading() as db:
            return stored_tags.counts(db, self._connection.tag_listings, view)

    def names(self) -> list[str]:
        """Every tag's name, in list order (case-insensitive)."""
        with self._connection.reading() as db:
            return stored_tags.names(db, self._connection.tag_listings)

    def rename(self, old: str, new: str) -> Changes:
        """Rename a tag everywhere; renaming onto an existing tag merges the two."""
        new = tag_name(new)
        with self._connection.writing() as db:
            stored_tags.rename(db, old, new)
        return Changes(tags=True)

    def delete(self, name: str) -> Changes:
        """Take the tag off every item."""
        with self._connection.writing() as db:
            stored_tags.delete(db, name)
        return Changes(tags=True)

    def set_color(self, name: str, color: str) -> Changes:
        """Give the tag a colour ("#rrggbb"; "" takes it away): coloured tags stay listed."""
        with self._connection.writing() as db:
            stored_tags.set_color(db, name, color)
        return Changes(tags=True)
