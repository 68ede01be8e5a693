"""Tags: adding them to items and taking them off, the tag list with its counts, renaming,
deleting and colouring.

Tags added here are manual; automatic ones (MeSH headings, author keywords) come with the
records an import reads. A tag name is stored without the spaces around it, and a blank one
is refused (``tag_name``): it would show as an empty row and could not be searched for.
"""

from __future__ import annotations

from collections.abc import Sequence

from refman.library.changes import Changes
from refman.library.use_case import UseCase
from refman.model import TAG_MANUAL, ItemId, RefmanError, Tag, TagCounts, ViewQuery
from refman.store import items, markers
from refman.store import tags as stored_tags

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


TAGS = Changes(tags=True)


class Tags(UseCase):
    """The tags of one open library."""

    def add(self, ids: Sequence[ItemId], names: Sequence[str]) -> Changes:
        """Tag the items by hand; links already there stay as they are."""
        changes = Changes(changed=frozenset(ids), tags=True)
        return self._change(changes, items.tag, ids, manual_tags(names))

    def remove(self, ids: Sequence[ItemId], names: Sequence[str]) -> Changes:
        """Take the named tags, manual or automatic, off the items."""
        changes = Changes(changed=frozenset(ids), tags=True)
        return self._change(changes, items.untag, ids, [tag_name(name) for name in names])

    def counts(self, view: ViewQuery = LIBRARY) -> TagCounts:
        """The tags on the items of a view's place (its text and tags aside), with how many
        items carry each, sorted by name; coloured tags always appear."""
        found = self._read(stored_tags.counts, self._connection.tag_listings, view)
        self._connection.store_tag_listing()
        return found

    def names(self) -> list[str]:
        """Every tag's name, in list order (case-insensitive)."""
        found = self._read(stored_tags.names, self._connection.tag_listings)
        self._connection.store_tag_listing()
        return found

    def rename(self, old: str, new: str) -> Changes:
        """Rename a tag everywhere; renaming onto an existing tag merges the two."""
        return self._change(TAGS, stored_tags.rename, old, tag_name(new))

    def delete(self, name: str) -> Changes:
        """Take the tag off every item."""
        return self._change(TAGS, stored_tags.delete, name)

    def set_color(self, name: str, color: str) -> Changes:
        """Give the tag a colour ("#rrggbb"; "" takes it away): coloured tags stay listed."""
        return self._change(TAGS, stored_tags.set_color, name, color)

    def coloured(self) -> list[tuple[str, str]]:
        """The coloured tags as (name, colour), by name: keys 1-9 toggle the first nine."""
        return self._read(markers.coloured_tags)
