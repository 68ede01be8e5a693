"""The full-text index: two FTS5 tables, kept in step with the items by the store.

``item_fts`` holds each item's bibliographic text (title, abstract, creators, journal names,
year); ``tag_note_fts`` holds its tags and the text of its notes. Both use ``rowid`` = item id
and have a row for every item. They are split because tags change in bulk: tagging 10,000
items, or renaming a MeSH heading that 50,000 carry, re-indexes a few tag names per item
instead of every abstract (FTS5 rewrites a whole row on any change).

They are regular FTS5 tables with their own copy of the text: their columns are gathered from
several tables and note HTML is stripped in Python, which external-content tables cannot
express. The store calls ``refresh`` after every change it makes; the bulk insert builds the
rows from the References with the same ``*_document`` functions, so both paths index the same
text, and ``check`` compares the index with what the tables say it should hold.

This is the one per-engine part of the store (PostgreSQL would use tsvector columns).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from peewee import JOIN, SQL, Database, DatabaseError, Expression, chunked, fn

from refman.model import Creator as CreatorRecord
from refman.model import Reference
from refman.store.bulk import CHUNK, fetch, grouped
from refman.store.schema import Creator, Item, ItemAbstract, ItemTag, Note, Tag

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2', prefix = '1'"
_MARKUP = re.compile(r"<[^>]*>")
_UNSAFE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")

Documents = Callable[[Database, Sequence[int]], dict[int, tuple[str, ...]]]


@dataclass(frozen=True)
class FtsTable:
    name: str
    label: str  # what the table holds, for check messages
    columns: tuple[str, ...]
    documents: Documents  # the rows the table should hold for these items

    @property
    def ddl(self) -> str:
        """The table as the latest migration leaves it (a test checks they agree)."""
        return (
            f"CREATE VIRTUAL TABLE {self.name} USING fts5 ({', '.join(self.columns)}, {TOKENIZE})"
        )


# --- documents --------------------------------------------------------------------------------


def note_text(note_html: str) -> str:
    """The words of a note: markup dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(_MARKUP.sub(" ", note_html)).split())


def _creator_text(family: str, given: str, literal: str) -> str:
    return " ".join(part for part in (given, family, literal) if part)


def field_document(
    title: str,
    abstract: str,
    creators: Iterable[str],
    journals: Iterable[str],
    year: int | None,
) -> tuple[str, ...]:
    """A row of item_fts."""
    journal = "\n".join(name for name in journals if name)
    return (title, abstract, "\n".join(creators), journal, str(year) if year else "")


def tag_note_document(tags: Iterable[str], notes: Iterable[str]) -> tuple[str, ...]:
    """A row of tag_note_fts."""
    return ("\n".join(tags), "\n".join(note_text(n) for n in notes))


def reference_documents(ref: Reference) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Both rows for a reference about to be added (it has no notes yet)."""
    creators = [_record_text(c) for c in ref.creators]
    journals = (ref.container_title, ref.container_title_short)
    fields = field_document(ref.title, ref.abstract, creators, journals, ref.date.year)
    return fields, tag_note_document([tag.name for tag in ref.tags], ())


def _record_text(creator: CreatorRecord) -> str:
    return _creator_text(creator.family, creator.given, creator.literal)


def _stored_fields(db: Database, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    abstract = fn.COALESCE(ItemAbstract.abstract, "")
    text = (Item.title, abstract, Item.container_title, Item.container_title_short, Item.year)
    query = Item.select(Item.id, *text).join(ItemAbstract, JOIN.LEFT_OUTER)
    items = fetch(db, query.where(Item.id.in_(ids)))
    names = (Creator.family, Creator.given, Creator.literal)
    query = Creator.select(Creator.item, *names).where(Creator.item.in_(ids))
    creators = grouped(fetch(db, query.order_by(Creator.item, Creator.position)))
    return {
        item_id: field_document(
            title,
            abstract,
            [_creator_text(*c) for c in creators.get(item_id, ())],
            (journal, short),
            year,
        )
        for item_id, title, abstract, journal, short, year in items
    }


def _stored_tags_and_notes(db: Database, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    query = ItemTag.select(ItemTag.item, Tag.name).join(Tag).where(ItemTag.item.in_(ids))
    tags = grouped(fetch(db, query.order_by(ItemTag.item, ItemTag.position, ItemTag.tag)))
    query = Note.select(Note.item, Note.html).where(Note.item.in_(ids))
    notes = grouped(fetch(db, query.order_by(Note.item, Note.id)))
    existing = fetch(db, Item.select(Item.id).where(Item.id.in_(ids)))
    return {
        item_id: tag_note_document(
            [name for (name,) in tags.get(item_id, ())],
            [text for (text,) in notes.get(item_id, ())],
        )
        for (item_id,) in existing
    }


FIELDS = FtsTable(
    "item_fts", "fields", ("title", "abstract", "creators", "journal", "year"), _stored_fields
)
TAGS_AND_NOTES = FtsTable(
    "tag_note_fts", "tags and notes", ("tags", "notes"), _stored_tags_and_notes
)
TABLES = (FIELDS, TAGS_AND_NOTES)


# --- keeping the index in step ----------------------------------------------------------------


def insert_documents(db: Database, table: FtsTable, rows: Iterable[tuple]) -> None:
    """Add rows (item id, *document) to one table."""
    columns = ", ".join(("rowid",) + table.columns)
    marks = ", ".join("?" * (len(table.columns) + 1))
    sql = f"INSERT INTO {table.name} ({columns}) VALUES ({marks})"
    db.cursor().executemany(sql, rows)


def delete_documents(db: Database, ids: Sequence[int], tables=TABLES) -> None:
    for chunk in chunked(ids, CHUNK):
        marks = ", ".join("?" * len(chunk))
        for table in tables:
            db.execute_sql(f"DELETE FROM {table.name} WHERE rowid IN ({marks})", chunk)


def refresh(db: Database, ids: Iterable[int], tables: Sequence[FtsTable] = TABLES) -> None:
    """Index the current text of these items in these tables (deleted items leave them)."""
    for chunk in chunked(sorted(set(ids)), CHUNK):
        delete_documents(db, chunk, tables)
        for table in tables:
            documents = table.documents(db, chunk)
            insert_documents(db, table, ((item_id, *doc) for item_id, doc in documents.items()))


def rebuild(db: Database) -> None:
    """Make the index anew from the items: dropped and created, so even a damaged one heals."""
    ids = [item_id for (item_id,) in fetch(db, Item.select(Item.id).order_by(Item.id))]
    for table in TABLES:
        db.execute_sql(f"DROP TABLE IF EXISTS {table.name}")
        db.execute_sql(table.ddl)
        for chunk in chunked(ids, CHUNK):
            documents = table.documents(db, chunk)
            insert_documents(db, table, ((item_id, *documents[item_id]) for item_id in chunk))
        db.execute_sql(f"INSERT INTO {table.name} ({table.name}) VALUES ('optimize')")


def check(db: Database, *, read_only: bool = False) -> list[str]:
    """Differences between the index and the items; empty when they agree."""
    problems = []
    for table in TABLES:
        problems += _compare(db, table)
        stray = f"SELECT rowid FROM {table.name} WHERE rowid NOT IN (SELECT id FROM item)"
        problems += [
            f"search index ({table.label}) has a row for item {rowid}, which does not exist"
            for (rowid,) in db.execute_sql(stray + " ORDER BY rowid")
        ]
        if not read_only:  # FTS5 runs its own check as an INSERT command that writes nothing
            try:
                db.execute_sql(
                    f"INSERT INTO {table.name} ({table.name}) VALUES ('integrity-check')"
                )
            except DatabaseError as exc:
                problems.append(f"search index ({table.label}) is damaged: {exc}")
    return problems


def _compare(db: Database, table: FtsTable) -> list[str]:
    problems = []
    ids = [item_id for (item_id,) in fetch(db, Item.select(Item.id).order_by(Item.id))]
    columns = ", ".join(("rowid",) + table.columns)
    for chunk in chunked(ids, CHUNK):
        marks = ", ".join("?" * len(chunk))
        sql = f"SELECT {columns} FROM {table.name} WHERE rowid IN ({marks})"
        indexed = {row[0]: tuple(row[1:]) for row in db.execute_sql(sql, chunk)}
        expected = table.documents(db, chunk)
        for item_id in chunk:
            if item_id not in indexed:
                problems.append(f"item {item_id} is missing from the search index ({table.label})")
            elif indexed[item_id] != expected[item_id]:
                problems.append(f"item {item_id} has out-of-date {table.label} in the search index")
    return problems


# --- matching ---------------------------------------------------------------------------------


def match_words(text: str) -> list[str]:
    """The user's words as FTS5 phrases matched as prefixes: ``"word"*``.

    Quoting makes FTS5 read ``"``, ``*``, ``-``, ``(``, ``:`` and ``AND`` as plain text. A word
    with no letter or digit would make FTS5 match nothing at all, so it is left out. Control
    characters end an FTS5 string early (NUL) and lone surrogates cannot be encoded: they
    separate words like spaces.
    """
    words = [w for w in _UNSAFE.sub(" ", text).split() if any(ch.isalnum() for ch in w)]
    return ['"' + w.replace('"', '""') + '"*' for w in words]


def _match_sql(words: Sequence[str]) -> tuple[str, list[str]]:
    """Ids of the items where every word matches in one table or the other."""
    either = " UNION ".join(
        f"SELECT rowid AS id FROM {t.name} WHERE {t.name} MATCH ?" for t in TABLES
    )
    sql = " INTERSECT ".join(f"SELECT id FROM ({either})" for _ in words)
    return sql, [word for word in words for _ in TABLES]


def matching_ids(db: Database, words: Sequence[str], limit: int = -1) -> list[int]:
    """Ids of the items matching every word (the first ``limit`` when >= 0)."""
    sql, params = _match_sql(words)
    return [item_id for (item_id,) in db.execute_sql(f"{sql} LIMIT ?", (*params, limit))]


def matching(words: Sequence[str]) -> Expression:
    """The items matching every word, as a condition on Item (the match runs inside SQL)."""
    sql, params = _match_sql(words)
    return Item.id.in_(SQL(f"({sql})", params))
