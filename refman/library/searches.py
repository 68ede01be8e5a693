"""Saved searches: smart collections that are live queries.

A saved search keeps a name (unique ignoring case) and the query text as typed; it is run as
the quick search runs text (``ViewQuery(text=query)``), so that it finds what the search box
would find now, whatever the library holds. Nothing here reads the query: a query the search
refuses (no words in it, bad syntax) is refused when it is saved or edited, with the search's
own message, by running it once.

A view narrowed by a saved search carries its query in ``ViewQuery.saved_query`` (the search
box's text then narrows its items further); the store's search (store.search.search_ids)
finds such a view's items, for every caller alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from refman.library.changes import Changes
from refman.library.use_case import UseCase
from refman.model import ItemId, RefmanError, ViewQuery
from refman.store import saved_searches, search
from refman.store.connection import Database
from refman.store.mapping import Row

SEARCHES = Changes(searches=True)


@dataclass(frozen=True)
class SavedSearch:
    """A saved search: its id, name, query text, and when it was made and last changed
    (ISO 8601 UTC)."""

    id: int
    name: str
    query: str
    created: str = ""
    changed: str = ""

    @property
    def view(self) -> ViewQuery:
        """Its items, outside the Trash."""
        return ViewQuery(text=self.query)


def _search(row: Row) -> SavedSearch:
    return SavedSearch(*row)


class Searches(UseCase):
    """The saved searches of one open library."""

    def all(self) -> list[SavedSearch]:
        """Every saved search, by name ignoring case."""
        return [_search(row) for row in self._read(saved_searches.all_searches)]

    def find(self, name: str) -> SavedSearch | None:
        """The saved search called ``name`` (ignoring case), or None."""
        row = self._read(saved_searches.find, name)
        return None if row is None else _search(row)

    def named(self, name: str) -> SavedSearch:
        """The saved search called ``name``; RefmanError naming it when there is none."""
        found = self.find(name)
        if found is None:
            raise RefmanError(f"There is no saved search called '{name}'.")
        return found

    def get(self, search_id: int) -> SavedSearch:
        """The saved search with this id; MissingItemError when it is gone."""
        return _search(self._read(saved_searches.get, search_id))

    def ids(self, name: str, *, sort: str = "title", descending: bool = False) -> list[ItemId]:
        """The ids of the items the saved search called ``name`` finds now, sorted."""
        return self._view_ids(self.named(name).view, sort, descending)

    def count(self, saved: SavedSearch) -> int:
        """How many items the saved search finds now (0 when its query is refused now)."""
        try:
            return len(self._view_ids(saved.view, "title", False))
        except RefmanError:  # saved before the search's rules changed: shown, not fatal
            return 0

    def with_counts(self) -> list[tuple[SavedSearch, int]]:
        """Every saved search with how many items it finds now."""
        return [(saved, self.count(saved)) for saved in self.all()]

    def add(self, name: str, query: str) -> tuple[SavedSearch, Changes]:
        """Save ``query`` as a search called ``name``. Refused (RefmanError) for a blank or
        taken name, and for a query the search refuses, with the search's own message."""
        with self._connection.writing() as db:
            stored = _checked_query(db, name, query)
            search_id = saved_searches.add(db, name, stored)
            made = _search(saved_searches.get(db, search_id))
        return made, SEARCHES

    def rename(self, name: str, new_name: str) -> Changes:
        with self._connection.writing() as db:
            saved_searches.rename(db, _named(db, name)[0], new_name)
        return SEARCHES

    def edit(self, name: str, query: str) -> Changes:
        """Give the saved search called ``name`` another query (checked as ``add`` does)."""
        with self._connection.writing() as db:
            search_id = _named(db, name)[0]
            saved_searches.set_query(db, search_id, _checked_query(db, name, query))
        return SEARCHES

    def delete(self, name: str) -> Changes:
        """Delete the saved search called ``name``; its items stay where they are."""
        with self._connection.writing() as db:
            saved_searches.delete(db, _named(db, name)[0])
        return SEARCHES

    def _view_ids(self, view: ViewQuery, sort: str, descending: bool) -> list[ItemId]:
        with self._connection.reading() as db:
            orders = self._connection.view_orders()
            return search.search_ids(db, view, sort=sort, descending=descending, orders=orders)


def _named(db: Database, name: str) -> Row:
    row = saved_searches.find(db, name)
    if row is None:
        raise RefmanError(f"There is no saved search called '{name}'.")
    return row


def _checked_query(db: Database, name: str, query: str) -> str:
    """The query as stored (without the spaces around it), once the search has run it: a
    query it refuses is refused here, with its message, before anything is written."""
    stored = query.strip()
    shown = name.strip() or "the search"
    if not stored:
        raise RefmanError(
            f"Cannot save '{shown}': the query is empty, and a saved search needs one."
        )
    try:
        search.search_ids(db, ViewQuery(text=stored), sort="title", descending=False)
    except RefmanError as exc:
        raise RefmanError(f"Cannot save '{shown}': {exc}") from None
    return stored
