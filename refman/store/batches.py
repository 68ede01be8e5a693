"""Import batches: the rows that remember each import (schema 6), and item fingerprints.

The library (``library/batches.py``) decides what a batch holds and how it is undone; these
are its queries. A batch row says when the import began, the files it read and how many items
it added, merged into or only tagged; an item row says what the import did to one item
(``kind``, the fields it filled with their values before, the tags and collections it added)
and holds the item's ``fingerprint`` as the import left it.

A fingerprint is a digest of everything about an item a person can change: its row (every
field, date_modified included), abstract, creators, tag links, notes and collections. The
Trash is left out: moving an item to the Trash is not an edit of it. It tells more than
date_modified would: that moves by the second only, and notes and collections do not move it.
"""

from __future__ import annotations

import hashlib
import operator
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from peewee import Database, chunked, fn

from refman.model import ItemId
from refman.store import mapping
from refman.store.bulk import CHUNK, fetch, insert_rows, rows_where_in
from refman.store.duplicate_groups import FIRST_AUTHOR
from refman.store.schema import ImportBatch, ImportBatchItem, Trash

BATCH_COLUMNS = ("id", "started", "files", "added", "merged", "tagged", "undone")
ITEM_COLUMNS = ("item_id", "kind", "fingerprint", "filled", "tags", "collections", "before")
# What a person can change about an item, table by table, in a fixed order per item.
_FINGERPRINT_QUERIES = (
    # The first author's name last, for the title key the row held until issue 18 (_item_row).
    f"SELECT item.*, {FIRST_AUTHOR} FROM item",
    # Unpacked: the same digest whether the row is packed or (before the migration) plain.
    "SELECT item_id, refman_abstract(abstract) FROM item_abstract",
    # Affiliation ids read as their texts: the same digest as when rows held the texts.
    # Roles and kinds stored as "" read as the texts rows held before (issue 18, i18-bytes).
    "SELECT item_id, position, CASE role WHEN '' THEN 'author' ELSE role END AS role,"
    " family, given, literal, affiliations, ids FROM creator",
    # A keyword's link stored as "k" too (i18-file100k).
    "SELECT item_id, tag_id, CASE kind WHEN '' THEN 'mesh' WHEN 'k' THEN 'keyword' ELSE kind END"
    " AS kind,"
    " position, major, qualifiers FROM item_tag",
    "SELECT item_id, id, html FROM note",
    "SELECT item_id, collection_id FROM collection_item",
)


_CREATORS = 2  # the creators' query above
# The item row's column before which it held the title key (until issue 18, i18-filesize).
_AFTER_TITLE_KEY = "title_sort"
# Sort keys whose numbers were padded to ten digits until issue 18 (i18-file100k).
_NUMBER_KEYS = ("title_sort", "pmid_sort", "volume_sort", "pages_sort")


def _item_row(row: tuple[Any, ...], columns: Sequence[str]) -> tuple[Any, ...]:
    """An item row of the first query as the item table held it with its title key: the same
    digest for an item as before the key went (imports made before can still be undone). The
    key is made from the row (as it was stored: from the same title, year and first author)
    whether the table still holds it or not, so the digest is the same before and after."""
    *values, family = row
    named = dict(zip(columns, values, strict=False))
    key = mapping.title_key_of(named["title"], named["year"], family or "")
    _held_before_shorter_values(values, tuple(columns))
    if "title_key" in named:
        values[columns.index("title_key")] = key
    else:
        at = columns.index(_AFTER_TITLE_KEY)
        values[at:at] = [key]
    return tuple(values)


@lru_cache(maxsize=8)
def _places(columns: tuple[str, ...], names: tuple[str, ...]) -> tuple[int, ...]:
    """Where these columns are in an item row of ``columns``: looked up once, not per item."""
    return tuple(columns.index(name) for name in names)


def _held_before_shorter_values(values: list[Any], columns: tuple[str, ...]) -> None:
    """Put back in ``values`` (an item row of ``columns``) the sort keys with their numbers
    padded, the ISSNs as JSON and the DOI itself, as rows held them before issue 18
    (i18-file100k): the same digest before and after its schema step, and for the rows an
    import digests as it writes them (``fingerprints_of_new``)."""
    at = _places(columns, _NUMBER_KEYS)
    keys = mapping.padded_numbers("\0".join([values[i] for i in at]))
    padded = keys.split("\0")  # one pass for the four: a fingerprint is taken of every import
    if len(padded) != len(_NUMBER_KEYS):  # a key holding the separator
        padded = [mapping.padded_numbers(values[i]) for i in at]
    for i, key in zip(at, padded, strict=True):
        values[i] = key
    issns, doi, doi_key = _places(columns, ("issns", "doi", "doi_key"))
    values[issns] = mapping.issns_json(values[issns])
    values[doi] = mapping.doi_read(values[doi], values[doi_key])


_TEXTS_OF_ITEMS = """SELECT id, text FROM affiliation WHERE id IN (
    SELECT affiliation_id FROM item_affiliation WHERE item_id IN ({marks}))"""


def _affiliation_texts(db: Database, item_ids: Sequence[int]) -> dict[int, str]:
    """{id: text} of the affiliations of these items' creators."""
    marks = ", ".join([db.param] * len(item_ids))
    return dict(db.execute_sql(_TEXTS_OF_ITEMS.format(marks=marks), list(item_ids)).fetchall())


# --- batches ----------------------------------------------------------------------------------


def create(db: Database, started: str) -> int:
    """A new batch, begun at ``started``; its id."""
    return int(ImportBatch.insert(started=started).bind(db).execute())


def update(db: Database, batch_id: int, files: str) -> None:
    """Set the batch's files (JSON) and count its items again."""
    counts = dict.fromkeys(("added", "merged", "tagged"), 0)
    query = (
        ImportBatchItem.select(ImportBatchItem.kind, fn.COUNT(ImportBatchItem.item))
        .where(ImportBatchItem.batch == batch_id)
        .group_by(ImportBatchItem.kind)
    )
    counts.update(dict(fetch(db, query)))
    ImportBatch.update(files=files, **counts).where(ImportBatch.id == batch_id).bind(db).execute()


def all_batches(db: Database) -> list[tuple[Any, ...]]:
    """Every batch as a row of BATCH_COLUMNS, the newest first."""
    columns = [getattr(ImportBatch, name) for name in BATCH_COLUMNS]
    return fetch(db, ImportBatch.select(*columns).order_by(ImportBatch.id.desc()))


def get(db: Database, batch_id: int) -> tuple[Any, ...] | None:
    """One batch as a row of BATCH_COLUMNS, or None when there is none with that id."""
    columns = [getattr(ImportBatch, name) for name in BATCH_COLUMNS]
    rows = fetch(db, ImportBatch.select(*columns).where(ImportBatch.id == batch_id))
    return rows[0] if rows else None


def mark_undone(db: Database, batch_id: int, when: str) -> None:
    ImportBatch.update(undone=when).where(ImportBatch.id == batch_id).bind(db).execute()


# --- the items of a batch ---------------------------------------------------------------------


def items_of(
    db: Database, batch_id: int, ids: Iterable[int] | None = None
) -> dict[ItemId, tuple[Any, ...]]:
    """{item id: row of ITEM_COLUMNS} of the batch's items (of ``ids`` only, when given)."""
    select = f"SELECT {', '.join(ITEM_COLUMNS)} FROM import_batch_item"
    if ids is None:
        rows = db.execute_sql(f"{select} WHERE batch_id = ?", (batch_id,)).fetchall()
    else:
        ours = f"SELECT * FROM ({select} WHERE batch_id = {int(batch_id):d})"
        rows = rows_where_in(db, ours, "item_id", ids)
    return {ItemId(row[0]): tuple(row) for row in rows}


def write_items(db: Database, batch_id: int, rows: Sequence[Sequence[Any]]) -> None:
    """Write the batch's rows of these items (ITEM_COLUMNS), replacing the ones there."""
    for chunk in chunked(list(rows), CHUNK):
        ids = [row[0] for row in chunk]
        ImportBatchItem.delete().where(
            (ImportBatchItem.batch == batch_id) & ImportBatchItem.item.in_(ids)
        ).bind(db).execute()
        insert_rows(
            db,
            ImportBatchItem._meta.table_name,
            ("batch_id", *ITEM_COLUMNS),
            [(batch_id, *row) for row in chunk],
        )


def fingerprints(db: Database, ids: Sequence[int]) -> dict[ItemId, bytes]:
    """The fingerprint of each of these items still in the library (see the module's doc).

    Rows are read one at a time into each item's digest, never held: an import of records
    with huge abstracts would otherwise hold a chunk of them twice over.
    """
    found: dict[ItemId, bytes] = {}
    for chunk in chunked(list(dict.fromkeys(ids)), CHUNK):
        digests: dict[int, Any] = {}
        marks = ", ".join([db.param] * len(chunk))
        texts: dict[int, str] | None = None  # read when a row names affiliations by id
        for table, query in enumerate(_FINGERPRINT_QUERIES):
            column = "id" if table == 0 else "item_id"
            # By item, then position, tag, note or collection: a fixed order per item.
            sql = f"{query} WHERE {column} IN ({marks}) ORDER BY 1, 2"
            cursor = db.execute_sql(sql, chunk)
            columns = [d[0] for d in cursor.description]
            for row in cursor:
                if table == 0:
                    digests[row[0]] = hashlib.blake2b(digest_size=16)
                    row = _item_row(row, columns)
                elif table == _CREATORS and row[6][1:2].isdigit():
                    texts = _affiliation_texts(db, chunk) if texts is None else texts
                    row = (*row[:6], mapping.affiliations_as_texts(row[6], texts), *row[7:])
                digest = digests.get(row[0])
                if digest is not None:
                    digest.update(repr((table, tuple(row))).encode())
        found.update((ItemId(item_id), digest.digest()) for item_id, digest in digests.items())
    return found


DIGEST_SIZE = 16
# The Python types of the values the import writes that SQLite gives back as they were, by
# column (TEXT columns take str, INTEGER ones int or NULL): a row of other types is read back.
_INTEGER_COLUMNS = frozenset({"id", "year", "month", "day"})
_TEXT, _INTEGER = frozenset({str}), frozenset({int, type(None)})
_CREATOR_TYPES = (frozenset({int}), frozenset({int}), *[_TEXT] * 6)
_LINK_TYPES = (frozenset({int}), frozenset({int}), _TEXT, frozenset({int}), frozenset({int}), _TEXT)


def fingerprints_of_new(
    db: Database,
    item_rows: Sequence[Sequence[Any]],
    abstracts: Sequence[str],
    creators: Sequence[Sequence[Any]],
    creator_affiliations: Sequence[str],
    links: Sequence[Sequence[Any]],
) -> bytes:
    """The fingerprints (``fingerprints``) of items just inserted, 16 bytes each in the order
    of ``item_rows``, digested from the rows as they were written instead of read back
    (issue 18: reading every new item back was a tenth of an import's time).

    ``item_rows`` in mapping.ITEM_COLUMNS order; ``abstracts`` each item's plain abstract
    ("" for none); ``creators`` and ``links`` the creator and tag link rows as inserted (in
    item order, then position), with ``creator_affiliations`` each creator's affiliations as
    the JSON of their texts (``mapping.affiliations_json``). The digest is the one
    ``fingerprints`` makes of the same item then (the tests compare both): the rows as
    SELECT gives them back, in its order. An item given notes, collections or tags later has
    another fingerprint: the caller reads those back. When the item table's columns are not
    in ITEM_COLUMNS order, or a value is of a type SQLite would convert, every item is read
    back.
    """
    ids = [row[0] for row in item_rows]
    if not _as_written(db, item_rows, creators, links, abstracts):
        found = fingerprints(db, ids)
        return b"".join(found[i] for i in ids)
    at = mapping.ITEM_COLUMNS.index(_AFTER_TITLE_KEY)
    title_at, year_at = mapping.ITEM_COLUMNS.index("title"), mapping.ITEM_COLUMNS.index("year")
    out = bytearray()
    blake2b = hashlib.blake2b
    read_kind = mapping.read_kind
    next_creator = next_link = 0
    for row, abstract in zip(item_rows, abstracts, strict=True):
        item_id = row[0]
        first = next_creator
        while next_creator < len(creators) and creators[next_creator][0] == item_id:
            next_creator += 1
        its_links_from = next_link
        while next_link < len(links) and links[next_link][0] == item_id:
            next_link += 1
        family = None
        for creator in creators[first:next_creator]:
            if creator[2] in ("", "author"):  # FIRST_AUTHOR
                family = creator[3] if creator[3] != "" else creator[5]
                break
        key = mapping.title_key_of(row[title_at], row[year_at], family or "")
        values = list(row)
        _held_before_shorter_values(values, mapping.ITEM_COLUMNS)
        # The reprs of the rows in the order fingerprints() reads them, (table, row) each,
        # digested at once. The creator and link rows' reprs are written out here: _as_written
        # made sure their values are int and str, whose formats below are their reprs.
        read = [repr((0, (*values[:at], key, *values[at:])))]
        if abstract:
            read.append(repr((1, (item_id, abstract))))
        read += [
            f"(2, ({c[0]}, {c[1]}, {c[2] or 'author'!r}, {c[3]!r}, {c[4]!r}, {c[5]!r},"
            f" {affiliations!r}, {c[7]!r}))"
            for c, affiliations in zip(
                creators[first:next_creator], creator_affiliations[first:next_creator], strict=True
            )
        ]
        read += [  # the kinds as rows held them before issue 18, as fingerprints() reads them
            f"(3, ({k[0]}, {k[1]}, {read_kind(k[2])!r}, {k[3]}, {k[4]}, {k[5]!r}))"
            for k in sorted(links[its_links_from:next_link], key=_TAG_ID)
        ]
        out += blake2b("".join(read).encode(), digest_size=DIGEST_SIZE).digest()
    if next_creator != len(creators) or next_link != len(links):
        raise ValueError("creator or tag link rows of items not among the rows given")
    return bytes(out)


_TAG_ID = operator.itemgetter(1)


def _as_written(
    db: Database,
    item_rows: Sequence[Sequence[Any]],
    creators: Sequence[Sequence[Any]],
    links: Sequence[Sequence[Any]],
    abstracts: Sequence[str],
) -> bool:
    """Whether SELECT gives these rows back as they are: the item table's columns in
    ITEM_COLUMNS order and every value of a type its column keeps unchanged."""
    columns = tuple(row[1] for row in db.execute_sql("PRAGMA table_info(item)"))
    if columns != mapping.ITEM_COLUMNS:
        return False
    item_types = [_INTEGER if name in _INTEGER_COLUMNS else _TEXT for name in columns]
    if not set(map(type, abstracts)) <= _TEXT:
        return False
    for rows, types in ((item_rows, item_types), (creators, _CREATOR_TYPES), (links, _LINK_TYPES)):
        for column, allowed in zip(zip(*rows, strict=True), types, strict=False):
            if not set(map(type, column)) <= allowed:
                return False
    return True


def refingerprint(db: Database, item_id: int, old: bytes, new: bytes, but: int) -> None:
    """Other batches' rows of this item that hold fingerprint ``old`` get ``new``."""
    db.execute_sql(
        "UPDATE import_batch_item SET fingerprint = ? "
        "WHERE item_id = ? AND fingerprint = ? AND batch_id != ?",
        (new, item_id, old, but),
    )


def trashed(db: Database, ids: Sequence[int]) -> set[ItemId]:
    """The ones of these items that are in the Trash."""
    found: set[ItemId] = set()
    for chunk in chunked(list(ids), CHUNK):
        query = Trash.select(Trash.item).where(Trash.item.in_(chunk))
        found.update(ItemId(i) for (i,) in fetch(db, query))
    return found


def tag_names_of(db: Database, ids: Sequence[int], names: Sequence[str]) -> dict[ItemId, set[str]]:
    """{item id: which of ``names`` it carries} for these items."""
    found: dict[ItemId, set[str]] = defaultdict(set)
    select = "SELECT item_tag.item_id, tag.name FROM item_tag JOIN tag ON tag.id = item_tag.tag_id"
    for id_chunk in chunked(list(ids), CHUNK):
        id_marks = ", ".join([db.param] * len(id_chunk))
        for name_chunk in chunked(list(names), CHUNK):
            name_marks = ", ".join([db.param] * len(name_chunk))
            sql = f"{select} WHERE item_tag.item_id IN ({id_marks}) AND tag.name IN ({name_marks})"
            for item_id, name in db.execute_sql(sql, [*id_chunk, *name_chunk]):
                found[ItemId(item_id)].add(name)
    return found


def in_collection(db: Database, ids: Sequence[int], collection_id: int) -> set[ItemId]:
    """The ones of these items that are in the collection."""
    members = f"SELECT item_id FROM collection_item WHERE collection_id = {int(collection_id):d}"
    select = f"SELECT item_id FROM ({members})"
    return {ItemId(i) for (i,) in rows_where_in(db, select, "item_id", ids)}
