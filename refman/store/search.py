"""Finding items: the FTS5 index, the search query, view filters and sort orders.

This is the one per-engine part of the store. The FTS5 table ``item_fts`` holds, per item
(``rowid`` = item id), its title, abstract, creators, journal (both names), year, tags and the
text of its notes. It is a regular FTS5 table with its own copy of the text: its columns are
gathered from four tables and the notes' HTML is stripped in Python, which an external-content
table could not express. The store calls ``refresh`` after every change it makes, and the
bulk insert writes the documents it built from the References with ``document`` too, so both
paths index exactly the same text (``check`` compares them).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence

from peewee import SQL, Database, DatabaseError, Expression, chunked

from refman.model import Creator as CreatorRecord
from refman.model import Reference
from refman.store.bulk import CHUNK, fetch, grouped
from refman.store.schema import CollectionItem, Creator, Item, ItemTag, Note, Tag

FTS_TABLE = "item_fts"
FTS_COLUMNS = ("title", "abstract", "creators", "journal", "year", "tags", "notes")
# The table as the latest migration leaves it (a test checks they agree); used to rebuild it.
FTS_DDL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5 ("
    + ", ".join(FTS_COLUMNS)
    + ", tokenize = 'unicode61 remove_diacritics 2', prefix = '1')"
)

# Sort key (as the item table names its columns) → the indexed column that orders it.
SORT_COLUMNS = {
    "title": Item.title_sort,
    "creators": Item.creators_sort,
    "year": Item.date_sort,
    "journal": Item.journal_sort,
    "date_added": Item.date_added,
    "date_modified": Item.date_modified,
    "item_type": Item.item_type,
    "doi": Item.doi_key,
    "pmid": Item.pmid_sort,
    "volume": Item.volume_sort,
    "pages": Item.pages_sort,
}

_MARKUP = re.compile(r"<[^>]*>")
_UNSAFE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
# Up to this many items in a view, look them up by id and sort them rather than walk the sort
# index: about the point where both cost the same on a 100,000-item library.
FEW_MATCHES = 5000


# --- documents --------------------------------------------------------------------------------


def note_text(note_html: str) -> str:
    """The words of a note: markup dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(_MARKUP.sub(" ", note_html)).split())


def creator_text(family: str, given: str, literal: str) -> str:
    return " ".join(part for part in (given, family, literal) if part)


def document(
    title: str,
    abstract: str,
    creators: Iterable[str],
    journals: Iterable[str],
    year: int | None,
    tags: Iterable[str],
    notes: Iterable[str],
) -> tuple[str, ...]:
    """One row of the FTS table, in FTS_COLUMNS order."""
    return (
        title,
        abstract,
        "\n".join(creators),
        "\n".join(name for name in journals if name),
        str(year) if year else "",
        "\n".join(tags),
        "\n".join(note_text(n) for n in notes),
    )


def reference_document(ref: Reference) -> tuple[str, ...]:
    """The document of a reference about to be added (it has no notes yet)."""
    return document(
        ref.title,
        ref.abstract,
        [_creator_record_text(c) for c in ref.creators],
        (ref.container_title, ref.container_title_short),
        ref.date.year,
        [tag.name for tag in ref.tags],
        (),
    )


def _creator_record_text(creator: CreatorRecord) -> str:
    return creator_text(creator.family, creator.given, creator.literal)


def stored_documents(db: Database, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """The documents of stored items, read from the tables (ids: one chunk)."""
    text = (Item.title, Item.abstract, Item.container_title, Item.container_title_short)
    items = fetch(db, Item.select(Item.id, *text, Item.year).where(Item.id.in_(ids)))
    creators = _children(db, Creator, (Creator.family, Creator.given, Creator.literal), ids)
    tags = grouped(
        fetch(
            db,
            ItemTag.select(ItemTag.item, Tag.name)
            .join(Tag)
            .where(ItemTag.item.in_(ids))
            .order_by(ItemTag.item, ItemTag.position, ItemTag.tag),
        )
    )
    notes = _children(db, Note, (Note.html,), ids)
    return {
        item_id: document(
            title,
            abstract,
            [creator_text(*c) for c in creators.get(item_id, ())],
            (journal, short),
            year,
            [name for (name,) in tags.get(item_id, ())],
            [text for (text,) in notes.get(item_id, ())],
        )
        for item_id, title, abstract, journal, short, year in items
    }


def _children(db: Database, model, columns: Sequence, ids: Sequence[int]) -> dict:
    """{item id: [row, ...]} of creators (by position) or notes (oldest first)."""
    order = model.position if model is Creator else model.id
    query = model.select(model.item, *columns).where(model.item.in_(ids))
    return grouped(fetch(db, query.order_by(model.item, order)))


# --- keeping the index in step ----------------------------------------------------------------


def insert_documents(db: Database, documents: Iterable[tuple]) -> None:
    """Add rows (item id, *document) to the index."""
    columns = ", ".join(("rowid",) + FTS_COLUMNS)
    marks = ", ".join("?" * (len(FTS_COLUMNS) + 1))
    sql = f"INSERT INTO {FTS_TABLE} ({columns}) VALUES ({marks})"
    db.cursor().executemany(sql, documents)


def delete_documents(db: Database, ids: Sequence[int]) -> None:
    for chunk in chunked(ids, CHUNK):
        marks = ", ".join("?" * len(chunk))
        db.execute_sql(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", chunk)


def refresh(db: Database, ids: Iterable[int]) -> None:
    """Index the current text of these items (deleted items leave the index)."""
    for chunk in chunked(sorted(set(ids)), CHUNK):
        delete_documents(db, chunk)
        documents = stored_documents(db, chunk)
        insert_documents(db, ((item_id, *doc) for item_id, doc in documents.items()))


def rebuild(db: Database) -> None:
    """Make the index anew from the items: dropped and created, so even a damaged one heals."""
    db.execute_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    db.execute_sql(FTS_DDL)
    ids = [item_id for (item_id,) in fetch(db, Item.select(Item.id).order_by(Item.id))]
    for chunk in chunked(ids, CHUNK):
        documents = stored_documents(db, chunk)
        insert_documents(db, ((item_id, *documents[item_id]) for item_id in chunk))
    db.execute_sql(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")


def check(db: Database, *, read_only: bool = False) -> list[str]:
    """Differences between the index and the items; empty when they agree."""
    problems = _compare_documents(db)
    stray = db.execute_sql(
        f"SELECT rowid FROM {FTS_TABLE} WHERE rowid NOT IN (SELECT id FROM item) ORDER BY rowid"
    )
    problems += [
        f"search index has a row for item {rowid}, which does not exist" for (rowid,) in stray
    ]
    if not read_only:  # FTS5 runs its own check as a (non-writing) INSERT command
        try:
            db.execute_sql(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('integrity-check')")
        except DatabaseError as exc:
            problems.append(f"search index is damaged: {exc}")
    return problems


def _compare_documents(db: Database) -> list[str]:
    problems = []
    ids = [item_id for (item_id,) in fetch(db, Item.select(Item.id).order_by(Item.id))]
    columns = ", ".join(("rowid",) + FTS_COLUMNS)
    for chunk in chunked(ids, CHUNK):
        marks = ", ".join("?" * len(chunk))
        sql = f"SELECT {columns} FROM {FTS_TABLE} WHERE rowid IN ({marks})"
        indexed = {row[0]: tuple(row[1:]) for row in db.execute_sql(sql, chunk)}
        expected = stored_documents(db, chunk)
        for item_id in chunk:
            if item_id not in indexed:
                problems.append(f"item {item_id} is missing from the search index")
            elif indexed[item_id] != expected[item_id]:
                problems.append(f"item {item_id} has out-of-date text in the search index")
    return problems


# --- queries ----------------------------------------------------------------------------------


def match_expression(text: str) -> str | None:
    """The user's words as an FTS5 query: every word, each as a quoted prefix, all required.

    Quoting makes FTS5 read ``"``, ``*``, ``-``, ``(``, ``:`` and ``AND`` as plain text. A word
    with no letter or digit would make FTS5 match nothing at all, so it is left out; None
    when nothing searchable is left. Control characters end an FTS5 string early (NUL) and
    lone surrogates cannot be encoded: they separate words like spaces.
    """
    words = [w for w in _UNSAFE.sub(" ", text).split() if any(ch.isalnum() for ch in w)]
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words)


def matching_ids(db: Database, expression: str, limit: int = -1) -> list[int]:
    """Ids of the items the FTS5 expression matches (the first ``limit`` when >= 0)."""
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? LIMIT ?"
    return [rowid for (rowid,) in db.execute_sql(sql, (expression, limit))]


def _matching(expression: str) -> Expression:
    subquery = SQL(f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)", [expression])
    return Item.id.in_(subquery)


def _among(ids: Sequence[int]) -> Expression:
    """Item.id in the list, bound as one JSON parameter: no limit on how many."""
    return Item.id.in_(SQL("(SELECT value FROM json_each(?))", [json.dumps(ids)]))


def _with_tag(name: str) -> Expression:
    return Item.id.in_(ItemTag.select(ItemTag.item).join(Tag).where(Tag.name == name))


def view_condition(
    *,
    collection: int | None = None,
    unfiled: bool = False,
    tags: Sequence[str] = (),
    trashed: bool = False,
    by_index: bool = True,
) -> Expression:
    """The items of a view, as a condition on Item.

    ``by_index=False`` hides the trashed flag from the indexes (``trashed + 0``), so that
    SQLite reaches the items through another condition, such as a short list of ids.
    """
    condition = (Item.trashed if by_index else Item.trashed + 0) == trashed
    if collection is not None:
        members = CollectionItem.select(CollectionItem.item)
        condition &= Item.id.in_(members.where(CollectionItem.collection == collection))
    if unfiled:
        condition &= Item.id.not_in(CollectionItem.select(CollectionItem.item))
    for name in dict.fromkeys(tags):
        condition &= _with_tag(name)
    return condition


def search_ids(
    db: Database,
    text: str,
    *,
    sort: str,
    descending: bool,
    **view: object,
) -> list[int]:
    """Ids of the items in a view that match the text, in the given order (ties: by id).

    Two plans. When the text, the collection or a tag narrows the view to a few items, they
    are looked up by id and sorted. Otherwise SQLite walks the sort column's index
    (trashed, key) and checks the other conditions on the way: no sorting at all. SQLite
    cannot tell the two cases apart itself (it does not know how many items a text matches),
    so the plan is chosen here from counts that cost little.
    """
    if sort not in SORT_COLUMNS:
        raise ValueError(f"unknown sort key {sort!r}; use one of {', '.join(SORT_COLUMNS)}")
    matching, size = _text_condition(db, text)
    if size == 0:
        return []
    few = min(size, _narrowest(db, **view)) <= FEW_MATCHES
    condition = view_condition(**view, by_index=not few)
    if matching is not None:
        condition &= matching
    key = SORT_COLUMNS[sort]
    if few:
        key = key.concat("")  # an expression: SQLite will not walk the index for the order
    order = [key.desc(), Item.id.desc()] if descending else [key, Item.id]
    query = Item.select(Item.id).where(condition).order_by(*order)
    return [item_id for (item_id,) in fetch(db, query)]


def _text_condition(db: Database, text: str) -> tuple[Expression | None, float]:
    """The text as a condition on Item (None: no text), and how many items it matches.

    A few matches are passed on as a list of ids. Past FEW_MATCHES, the ids are not brought
    into Python at all (100,000 rows cost more to fetch than to find): the FTS query runs
    again inside the main query instead.
    """
    expression = match_expression(text)
    if expression is None:
        return None, float("inf")
    found = matching_ids(db, expression, limit=FEW_MATCHES + 1)
    if len(found) <= FEW_MATCHES:
        return _among(found), len(found)
    return _matching(expression), float("inf")


def _narrowest(
    db: Database,
    *,
    collection: int | None = None,
    tags: Sequence[str] = (),
    **_: object,
) -> float:
    """The size of the smallest set of items a view's collection or tags allow (inf: none)."""
    sizes = [float("inf")]
    if collection is not None:
        members = CollectionItem.select().where(CollectionItem.collection == collection)
        sizes.append(members.bind(db).count())
    for name in tags:
        links = ItemTag.select().join(Tag).where(Tag.name == name)
        sizes.append(links.bind(db).count())
    return min(sizes)
