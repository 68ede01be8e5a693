"""The full-text index: three FTS5 tables, one per kind of text, kept in step with the store.

- ``item_fts`` (rowid = item id): title, abstract, creators, journal names, year.
- ``tag_fts`` (rowid = tag id): the tag's name, once per tag however many items carry it.
- ``note_fts`` (rowid = note id): the words of the note, its HTML stripped.

A search word matches an item through any of the three (its fields, one of its tags, one of
its notes). Indexing each text once where it lives, rather than one document per item, keeps
every change small: tagging 10,000 items or deleting a MeSH heading that 50,000 carry writes
no index row at all, and renaming a tag rewrites one (FTS5 rewrites a whole row on any
change, so a per-item document would re-index 50,000 abstracts).

``tag_fts`` follows renamed and deleted tags through SQL triggers (created by the
migrations), so that no path that renames or drops tags can forget it; new tags, which are
only ever made by ``tags.tag_ids``, are indexed there in one statement a batch (a trigger
indexing them row by row made them five times slower to add). ``note_fts`` rows go with their
note through a delete trigger; notes are indexed in Python because their HTML is stripped
here. ``item_fts`` is written by the store whenever it writes an item. ``check`` compares all
three with what the tables say they should hold.

This is the one per-engine part of the store (PostgreSQL would use tsvector columns).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from peewee import JOIN, Database, DatabaseError, chunked, fn

from refman.model import Creator as CreatorRecord
from refman.model import Reference
from refman.store.bulk import CHUNK, fetch, grouped
from refman.store.mapping import Row
from refman.store.schema import Creator, Item, ItemAbstract, Note, Tag

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2', prefix = '1'"
# FTS5 holds the words of the rows a transaction adds in memory and writes them out as a new
# segment when this buffer is full; segments are merged as more come. With the default (1 MB)
# a large import spent much of its index time merging small segments: 16 MB makes fewer,
# larger ones, and FTS5 indexes 30,000 records about a quarter faster. The buffer only fills
# while a transaction writes, and is emptied at its end. Kept in each table's own settings.
WRITE_BUFFER_BYTES = 16 * 2**20
_MARKUP = re.compile(r"<[^>]*>")
_UNSAFE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")

Rows = Callable[[Database, Sequence[int]], dict[int, tuple[str, ...]]]


@dataclass(frozen=True)
class FtsTable:
    """One FTS5 table: where its rows come from, and how a match leads to items."""

    name: str
    columns: tuple[str, ...]
    source: type[Item | Tag | Note]  # the model whose ids are the table's rowids
    rows: Rows  # the rows the table should hold for these source ids
    to_items: str  # SQL: the ids (as item_id) of the items whose rows fit "{match}"

    @property
    def ddl(self) -> str:
        """The table as the latest migration leaves it (a test checks they agree)."""
        columns = ", ".join(self.columns)
        return f"CREATE VIRTUAL TABLE {self.name} USING fts5 ({columns}, {TOKENIZE})"


# --- rows -------------------------------------------------------------------------------------


def note_text(note_html: str) -> str:
    """The words of a note: markup dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(_MARKUP.sub(" ", note_html)).split())


def _creator_text(family: str, given: str, literal: str) -> str:
    return " ".join(part for part in (given, family, literal) if part)


def field_row(
    title: str,
    abstract: str,
    creators: Iterable[str],
    journals: Iterable[str],
    year: int | None,
) -> tuple[str, ...]:
    """A row of item_fts."""
    journal = "\n".join(name for name in journals if name)
    return (title, abstract, "\n".join(creators), journal, str(year) if year else "")


def reference_row(ref: Reference) -> tuple[str, ...]:
    """The item_fts row of a reference about to be added."""
    creators = [_record_text(c) for c in ref.creators]
    journals = (ref.container_title, ref.container_title_short)
    return field_row(ref.title, ref.abstract, creators, journals, ref.date.year)


def _record_text(creator: CreatorRecord) -> str:
    return _creator_text(creator.family, creator.given, creator.literal)


def _item_rows(db: Database, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    abstract = fn.COALESCE(ItemAbstract.abstract, "")
    text = (Item.title, abstract, Item.container_title, Item.container_title_short, Item.year)
    query = Item.select(Item.id, *text).join(ItemAbstract, JOIN.LEFT_OUTER)
    items = fetch(db, query.where(Item.id.in_(ids)))
    names = (Creator.family, Creator.given, Creator.literal)
    by_item = Creator.select(Creator.item, *names).where(Creator.item.in_(ids))
    creators = grouped(fetch(db, by_item.order_by(Creator.item, Creator.position)))
    return {
        item_id: field_row(
            title,
            abstract,
            [_creator_text(*c) for c in creators.get(item_id, ())],
            (journal, short),
            year,
        )
        for item_id, title, abstract, journal, short, year in items
    }


def _tag_rows(db: Database, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    query = Tag.select(Tag.id, Tag.name).where(Tag.id.in_(ids))
    return {tag_id: (name,) for tag_id, name in fetch(db, query)}


def _note_rows(db: Database, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    query = Note.select(Note.id, Note.html).where(Note.id.in_(ids))
    return {note_id: (note_text(text),) for note_id, text in fetch(db, query)}


ITEMS = FtsTable(
    "item_fts",
    ("title", "abstract", "creators", "journal", "year"),
    Item,
    _item_rows,
    "SELECT rowid AS item_id FROM item_fts WHERE {match}",  # its rowids are item ids
)
TAGS = FtsTable(
    "tag_fts",
    ("name",),
    Tag,
    _tag_rows,
    "SELECT item_id FROM item_tag WHERE tag_id IN (SELECT rowid FROM tag_fts WHERE {match})",
)
NOTES = FtsTable(
    "note_fts",
    ("text",),
    Note,
    _note_rows,
    "SELECT item_id FROM note WHERE id IN (SELECT rowid FROM note_fts WHERE {match})",
)
TABLES = (ITEMS, TAGS, NOTES)


# --- keeping the index in step ----------------------------------------------------------------


def insert_rows(db: Database, table: FtsTable, rows: Iterable[Row]) -> None:
    """Add rows (rowid, *columns) to one table."""
    columns = ", ".join(("rowid",) + table.columns)
    marks = ", ".join("?" * (len(table.columns) + 1))
    db.cursor().executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", rows)


def delete_rows(db: Database, table: FtsTable, ids: Sequence[int]) -> None:
    for chunk in chunked(ids, CHUNK):
        marks = ", ".join("?" * len(chunk))
        db.execute_sql(f"DELETE FROM {table.name} WHERE rowid IN ({marks})", chunk)


def refresh(db: Database, table: FtsTable, ids: Iterable[int]) -> None:
    """Index the current text of these rows (rows whose source is gone leave the index)."""
    for chunk in chunked(sorted(set(ids)), CHUNK):
        delete_rows(db, table, chunk)
        rows = table.rows(db, chunk)
        insert_rows(db, table, ((rowid, *row) for rowid, row in rows.items()))


def rebuild(db: Database) -> None:
    """Make the index anew: dropped and created, so that even a damaged one heals.

    The triggers that keep tag_fts and note_fts in step name the tables, not hold them: they
    work again as soon as the tables exist again.
    """
    for table in TABLES:
        db.execute_sql(f"DROP TABLE IF EXISTS {table.name}")
        db.execute_sql(table.ddl)
        configure(db, table)
        refresh(db, table, _all_ids(db, table))
        db.execute_sql(f"INSERT INTO {table.name} ({table.name}) VALUES ('optimize')")


def configure(db: Database, table: FtsTable) -> None:
    """The table's settings, as the latest migration leaves them."""
    name = table.name
    sql = f"INSERT INTO {name} ({name}, rank) VALUES ('hashsize', ?)"
    db.execute_sql(sql, (WRITE_BUFFER_BYTES,))


def _all_ids(db: Database, table: FtsTable) -> list[int]:
    source = table.source
    return [rowid for (rowid,) in fetch(db, source.select(source.id).order_by(source.id))]


def differences(db: Database) -> list[str]:
    """Differences between the index and the tables; empty when they agree. The caller reads
    all of it in one snapshot (Connection.reading): another program's commit landing between two
    of these statements would look like a difference."""
    problems = []
    for table in TABLES:
        problems += _compare(db, table)
        source = table.source._meta.table_name
        stray = f"SELECT rowid FROM {table.name} WHERE rowid NOT IN (SELECT id FROM {source})"
        problems += [
            f"{table.name} has a row for {source} {rowid}, which does not exist"
            for (rowid,) in db.execute_sql(stray + " ORDER BY rowid")
        ]
    return problems


def self_check(db: Database) -> list[str]:
    """FTS5's own check of each index. It runs as an INSERT command that writes nothing but
    needs the write lock: the caller holds a write transaction. A busy library is not a
    damaged index, so only what FTS5 calls corrupt is a problem here."""
    problems = []
    for table in TABLES:
        try:
            db.execute_sql(f"INSERT INTO {table.name} ({table.name}) VALUES ('integrity-check')")
        except DatabaseError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise
            problems.append(f"{table.name} is damaged: {exc}")
    return problems


def _compare(db: Database, table: FtsTable) -> list[str]:
    problems = []
    source = table.source._meta.table_name
    columns = ", ".join(("rowid",) + table.columns)
    for chunk in chunked(_all_ids(db, table), CHUNK):
        marks = ", ".join("?" * len(chunk))
        sql = f"SELECT {columns} FROM {table.name} WHERE rowid IN ({marks})"
        indexed = {row[0]: tuple(row[1:]) for row in db.execute_sql(sql, chunk)}
        expected = table.rows(db, chunk)
        for rowid in chunk:
            if rowid not in indexed:
                problems.append(f"{source} {rowid} is missing from {table.name}")
            elif indexed[rowid] != expected[rowid]:
                problems.append(f"{source} {rowid} has out-of-date text in {table.name}")
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


def _word_sql() -> str:
    """One row: for each table, the ids of the items whose rows there match the word ``?1``."""
    lists = (
        f"(SELECT json_group_array(item_id) FROM "
        f"({table.to_items.format(match=f'{table.name} MATCH ?1')}))"
        for table in TABLES
    )
    return "SELECT " + ", ".join(lists)


_WORD_SQL = _word_sql()


def word_matches(db: Database, word: str) -> list[int]:
    """Ids of the items one word of match_words matches: fields, a tag or a note.

    An id can appear more than once (an item matched by its title and by a tag). The ids come
    as JSON arrays, one per table: fetching 50,000 rows one by one costs several times more.
    """
    found: list[int] = []
    for ids in db.execute_sql(_WORD_SQL, (word,)).fetchone():
        found += json.loads(ids)
    return found
