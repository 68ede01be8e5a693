"""Saved searches: a name and a query text each, stored as given (the search runs the text;
nothing here reads it).

Names are stored without the spaces around them and are unique ignoring case (casefold, so
"Straße" and "STRASSE" are one name): checked here inside the writing transaction, so two
programs saving at once cannot both add the same name. A row is (id, name, query, created,
changed).
"""

from __future__ import annotations

from peewee import Database

from refman.model import MissingItemError, RefmanError
from refman.store.bulk import fetch
from refman.store.mapping import Row, format_time, now
from refman.store.schema import SavedSearch

_COLUMNS = (
    SavedSearch.id,
    SavedSearch.name,
    SavedSearch.query,
    SavedSearch.created,
    SavedSearch.changed,
)


def all_searches(db: Database) -> list[Row]:
    """Every saved search, by name ignoring case."""
    rows = fetch(db, SavedSearch.select(*_COLUMNS))
    return sorted(rows, key=lambda row: (row[1].casefold(), row[1], row[0]))


def find(db: Database, name: str) -> Row | None:
    """The saved search called ``name`` ignoring case and the spaces around it, or None."""
    wanted = name.strip().casefold()
    return next((row for row in all_searches(db) if row[1].casefold() == wanted), None)


def get(db: Database, search_id: int) -> Row:
    query = SavedSearch.select(*_COLUMNS).where(SavedSearch.id == search_id).tuples()
    row = query.bind(db).first()
    if row is None:
        raise MissingItemError(f"There is no saved search with id {search_id}.")
    return row


def _checked_name(db: Database, name: str, keeping: int | None = None) -> str:
    """The name as stored; RefmanError when blank or when another saved search has it."""
    stripped = name.strip()
    if not stripped:
        raise RefmanError("A saved search needs a name: it cannot be blank.")
    taken = find(db, stripped)
    if taken is not None and taken[0] != keeping:
        raise RefmanError(f"There is already a saved search called '{taken[1]}'.")
    return stripped


def add(db: Database, name: str, query: str) -> int:
    """Save a search; its id."""
    stamp = format_time(now())
    row = {"name": _checked_name(db, name), "query": query, "created": stamp, "changed": stamp}
    return SavedSearch.insert(**row).bind(db).execute()


def rename(db: Database, search_id: int, name: str) -> None:
    get(db, search_id)
    stored = _checked_name(db, name, keeping=search_id)
    _update(db, search_id, name=stored)


def set_query(db: Database, search_id: int, query: str) -> None:
    get(db, search_id)
    _update(db, search_id, query=query)


def delete(db: Database, search_id: int) -> None:
    get(db, search_id)
    SavedSearch.delete().where(SavedSearch.id == search_id).bind(db).execute()


def _update(db: Database, search_id: int, **values: str) -> None:
    values["changed"] = format_time(now())
    SavedSearch.update(**values).where(SavedSearch.id == search_id).bind(db).execute()
