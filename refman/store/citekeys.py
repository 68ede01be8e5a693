"""Stored citation keys: one per item, unique ignoring case, made once and pinned.

``assign`` gives new items their keys as they are inserted (store.items.insert): the key the
record brought (a BibTeX entry's, a CSL-JSON item's ``id``) when it is free and usable, else
the one the library's pattern makes (refman.citekeys), with ``a``, ``b``, ... when that is
taken. Nothing here ever changes a key behind the user's back: only ``set_key`` (an edit) and
``regenerate`` (asked for) do.

Keys are looked up in bulk: the plain keys of a whole import in one query per chunk, and only
for those already taken, every key that starts the same way (an index range), so that an import
of 10,000 records costs a few queries rather than one per record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from peewee import Database, chunked

from refman.citekeys import (
    DEFAULT_PATTERN,
    CitationKeyError,
    KeyFields,
    KeyPattern,
    Made,
    folded,
    key_problem,
)
from refman.model import ItemId, MissingItemError, Reference
from refman.store.bulk import CHUNK, insert_rows, rows_where_in

_TOP = "\U0010ffff"  # above every character: the end of a prefix's range


def pattern(db: Database) -> str:
    """The library's key pattern (the default until one is chosen)."""
    row = db.execute_sql("SELECT pattern FROM citation_key_pattern WHERE id = 1").fetchone()
    return row[0] if row else DEFAULT_PATTERN


def set_pattern(db: Database, text: str) -> str:
    """Make ``text`` the library's pattern for keys made from now on; CitationKeyError (with
    why) for a bad one. Existing keys stay as they are. The pattern as stored is returned."""
    text = KeyPattern(text).text
    db.execute_sql(
        "INSERT INTO citation_key_pattern (id, pattern) VALUES (1, ?)"
        " ON CONFLICT (id) DO UPDATE SET pattern = excluded.pattern",
        (text,),
    )
    return text


def keys_of(db: Database, ids: Sequence[int]) -> dict[ItemId, str]:
    """{item id: its key} of those of ``ids`` that have one."""
    select = "SELECT item_id, key FROM citation_key"
    return {ItemId(i): key for i, key in rows_where_in(db, select, "item_id", ids)}


def item_with_key(db: Database, key: str) -> ItemId | None:
    """The item whose key is ``key`` (ignoring case), or None."""
    row = db.execute_sql(
        "SELECT item_id FROM citation_key WHERE folded = ?", (folded(key),)
    ).fetchone()
    return ItemId(row[0]) if row else None


class _Taken:
    """Which folded keys are taken: the library's (asked in bulk) and those given just now."""

    def __init__(self, db: Database):
        self.db = db
        self.known: set[str] = set()  # folded keys known to be taken
        self.scanned: set[str] = set()  # folded prefixes whose every key is in ``known``

    def look_up(self, keys: Iterable[str]) -> None:
        found = rows_where_in(self.db, "SELECT folded FROM citation_key", "folded", set(keys))
        self.known.update(key for (key,) in found)

    def scan(self, prefix: str) -> None:
        """Every key of the library that starts with ``prefix`` (folded), once."""
        if prefix in self.scanned:
            return
        rows = self.db.execute_sql(
            "SELECT folded FROM citation_key WHERE folded >= ? AND folded < ?",
            (prefix, prefix + _TOP),
        )
        self.known.update(key for (key,) in rows)
        self.scanned.add(prefix)

    def free(self, made: Made) -> str:
        """The first of ``made``'s candidates not taken; it is taken from now on."""
        plain = folded(made.plain)
        if plain not in self.known:
            self.known.add(plain)
            return made.plain
        self.scan(folded(made.before))
        key = next(k for k in made.candidates() if folded(k) not in self.known)
        self.known.add(folded(key))
        return key


# A new item as ``assign`` takes it: its id, what its key is made of, and the key it brought
# ("" for none: a MEDLINE record, an item made in refman).
NewKey = tuple[ItemId, KeyFields, str]


def new_keys(new: Sequence[tuple[ItemId, Reference]]) -> list[NewKey]:
    """``assign``'s input for new references: each keeps the key it brought if it can."""
    return [(item_id, KeyFields.of(ref), ref.citation_key) for item_id, ref in new]


def assign(db: Database, new: Sequence[NewKey]) -> None:
    """Give each new item its key: its own (from the file it came from, or from an undo) when
    usable and free, else the pattern's, made unique."""
    if not new or not _has_keys(db):
        return
    maker = KeyPattern(pattern(db))
    wanted = [_usable(own) for _, _, own in new]
    made = [None if w else maker.make(f) for w, (_, f, _) in zip(wanted, new, strict=True)]
    taken = _Taken(db)
    taken.look_up(folded(w or (m.plain if m else "")) for w, m in zip(wanted, made, strict=True))
    rows = []
    for (item_id, fields, _), want, making in zip(new, wanted, made, strict=True):
        if want and folded(want) not in taken.known:
            taken.known.add(folded(want))
            key = want
        else:
            key = taken.free(making or maker.make(fields))
        rows.append((item_id, key, folded(key)))
    insert_rows(db, "citation_key", ("item_id", "key", "folded"), rows)


def _has_keys(db: Database) -> bool:
    """False only for a library at a schema from before keys, which the program never writes
    (it migrates first): tests that recreate an older program insert items into one, and the
    keys' step then gives those items their keys."""
    sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'citation_key'"
    return db.execute_sql(sql).fetchone() is not None


def _usable(own: str) -> str | None:
    key = own.strip()
    return key if key and key_problem(key) is None else None


def set_key(db: Database, item_id: ItemId, key: str) -> bool:
    """Give the item this key; CitationKeyError when it is not a usable key or another item
    has it (ignoring case). False when the item had it already."""
    key = key.strip()
    problem = key_problem(key)
    if problem:
        raise CitationKeyError(f"'{key}': {problem[0].upper()}{problem[1:]}.")
    current = keys_of(db, [item_id]).get(item_id)
    if not _exists(db, item_id):
        raise MissingItemError(f"There is no item with id {item_id}.")
    if current == key:
        return False
    holder = item_with_key(db, key)
    if holder is not None and holder != item_id:
        title = db.execute_sql("SELECT title FROM item WHERE id = ?", (holder,)).fetchone()[0]
        shown = f' "{title[:60]}"' if title else ""
        raise CitationKeyError(
            f"The key '{key}' is already item {holder}'s{shown}: keys are unique in the "
            "library (ignoring case, as BibTeX compares them)."
        )
    db.execute_sql(
        "INSERT INTO citation_key (item_id, key, folded) VALUES (?, ?, ?)"
        " ON CONFLICT (item_id) DO UPDATE SET key = excluded.key, folded = excluded.folded",
        (item_id, key, folded(key)),
    )
    return True


def set_keys(db: Database, keys: Mapping[ItemId, str]) -> None:
    """Give several items these keys at once: their old keys are freed first, so that two
    items may swap theirs. CitationKeyError as ``set_key`` (the caller's transaction then
    leaves every key as it was)."""
    _delete(db, list(keys))
    for item_id, key in keys.items():
        set_key(db, item_id, key)


def _delete(db: Database, ids: Sequence[int]) -> None:
    for chunk in chunked(list(ids), CHUNK):
        marks = ", ".join("?" * len(chunk))
        db.execute_sql(f"DELETE FROM citation_key WHERE item_id IN ({marks})", chunk)


def _exists(db: Database, item_id: int) -> bool:
    return db.execute_sql("SELECT 1 FROM item WHERE id = ?", (item_id,)).fetchone() is not None


def regenerate(db: Database, refs: Sequence[tuple[ItemId, Reference]]) -> dict[ItemId, str]:
    """Make the items' keys again from the pattern (their old keys freed first); the new keys."""
    _delete(db, [item_id for item_id, _ in refs])
    assign(db, [(item_id, KeyFields.of(ref), "") for item_id, ref in refs])
    return keys_of(db, [item_id for item_id, _ in refs])
