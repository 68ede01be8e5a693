"""The full-text index: three FTS5 tables, one per kind of text, kept in step with the store.

- ``item_fts`` (rowid = item id): title, abstract, creators, journal names, year.
- ``tag_fts`` (rowid = tag id): the tag's name, once per tag however many items carry it.
- ``note_fts`` (rowid = note id): the words of the note, its HTML stripped.

A search word matches an item through any of the three (its fields, one of its tags, one of
its notes). Indexing each text once where it lives, rather than one document per item, keeps
every change small: tagging 10,000 items or deleting a MeSH heading that 50,000 carry writes
no index row at all, and renaming a tag rewrites one (FTS5 rewrites a whole row on any
change, so a per-item document would re-index 50,000 abstracts).

``item_fts`` stores no text of its own: it is an external-content table over the view
``item_text`` (title, abstract, creators' names, journals and year read from the tables that
hold them; the abstract unpacked by the SQL function ``refman_abstract``, which the store
registers on each connection), so the words are stored once, not twice (issue 18: the copy
was the library's second largest table). FTS5 reads the view to know which words to take out
when a row is deleted, so an item's row must leave the index *before* its text changes and come
back after
(``forget`` and ``index``; ``items.write_fields`` and ``items.delete`` do). A row forgotten after
its text changed would leave stale words behind: ``self_check`` finds such rows by comparing
the index's word counts with the view's.

``tag_fts`` keeps no copy of the names either: it is an external-content table over ``tag``
(issue 18, i18-filesize). It follows renamed and deleted tags through SQL triggers (created by
the migrations), which hand FTS5 the old name to take out, so that no path that renames or
drops tags can forget it; new tags, which are
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

from peewee import Database, DatabaseError, chunked

from refman.store.bulk import CHUNK, fetch
from refman.store.mapping import Row
from refman.store.schema import Item, Note, Tag

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"
# An index of one-letter prefixes: a one-letter word ("a"*) then reads one list rather than
# merging those of every word it begins. The tag and note indexes keep one (small: each tag's
# name once, the notes); the item index does not (issue 18: it was a third of that index, and
# a one-letter word is about three times slower without it; an author's initial is not looked
# up through it, see store/querying.py).
PREFIXES = ", prefix = '1'"
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
    content: str = ""  # the view or table an external-content table reads its text from
    # An external-content table's rows, for each source id: SQL selecting (id, *columns)
    # with {where}, which the index is filled from and compared with (``_stale``).
    content_select: str = ""
    prefixes: bool = True  # an index of one-letter prefixes (PREFIXES)

    @property
    def ddl(self) -> str:
        """The table as the latest migration leaves it (a test checks they agree)."""
        columns = ", ".join(self.columns)
        content = f", content = '{self.content}', content_rowid = 'id'" if self.content else ""
        options = TOKENIZE + (PREFIXES if self.prefixes else "") + content
        return f"CREATE VIRTUAL TABLE {self.name} USING fts5 ({columns}, {options})"


# --- rows -------------------------------------------------------------------------------------


def note_text(note_html: str) -> str:
    """The words of a note: markup dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(_MARKUP.sub(" ", note_html)).split())


# item_fts's columns, as the view ITEM_TEXT (made by the migrations) gives them.
ITEM_COLUMNS = ("title", "abstract", "creators", "journal", "year")
ITEM_TEXT = "item_text"
# The view's query (a test checks that the migration made the view so), with {where}. The
# store indexes items through this query rather than the view, so that its code also works
# on a library at a version before the view (as the migration tests make them).
ITEM_TEXT_SELECT = """SELECT
    item.id AS id,
    item.title AS title,
    COALESCE((SELECT refman_abstract(abstract) FROM item_abstract WHERE item_id = item.id), '')
        AS abstract,
    COALESCE((SELECT group_concat(name, char(10)) FROM (
        SELECT trim(given || ' ' || family || ' ' || literal) AS name
        FROM creator WHERE creator.item_id = item.id ORDER BY position
    )), '') AS creators,
    trim(container_title || char(10) || container_title_short, char(10)) AS journal,
    CASE WHEN year THEN CAST(year AS TEXT) ELSE '' END AS year
FROM item{where}"""


def _item_rows(db: Database, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """The rows item_fts indexes, as its content view (ITEM_TEXT) gives them."""
    marks = ", ".join("?" * len(ids))
    sql = ITEM_TEXT_SELECT.format(where=f" WHERE item.id IN ({marks})")
    return {row[0]: tuple(row[1:]) for row in db.execute_sql(sql, list(ids))}


def _tag_rows(db: Database, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    query = Tag.select(Tag.id, Tag.name).where(Tag.id.in_(ids))
    return {tag_id: (name,) for tag_id, name in fetch(db, query)}


TAG_SELECT = "SELECT tag.id AS id, tag.name AS name FROM tag{where}"


def _note_rows(db: Database, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    query = Note.select(Note.id, Note.html).where(Note.id.in_(ids))
    return {note_id: (note_text(text),) for note_id, text in fetch(db, query)}


ITEMS = FtsTable(
    "item_fts",
    ITEM_COLUMNS,
    Item,
    _item_rows,
    "SELECT rowid AS item_id FROM item_fts WHERE {match}",  # its rowids are item ids
    content=ITEM_TEXT,
    content_select=ITEM_TEXT_SELECT,
    prefixes=False,
)
TAGS = FtsTable(
    "tag_fts",
    ("name",),
    Tag,
    _tag_rows,
    # A join, not ``tag_id IN (...)``: the tags' ids are not gathered and sorted first (a
    # word such as "nucl" is in thousands of tag names at a million items).
    "SELECT item_tag.item_id FROM tag_fts JOIN item_tag ON item_tag.tag_id = tag_fts.rowid "
    "WHERE {match}",
    content="tag",
    content_select=TAG_SELECT,
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
    """Take these rows out of the index. For item_fts, FTS5 reads their words from the view:
    call it while the items still hold the text they were indexed with (``forget``)."""
    for chunk in chunked(ids, CHUNK):
        marks = ", ".join("?" * len(chunk))
        db.execute_sql(f"DELETE FROM {table.name} WHERE rowid IN ({marks})", chunk)


def forget(db: Database, table: FtsTable, ids: Iterable[int]) -> None:
    """Take these rows out of the index, before their text changes or they are deleted."""
    delete_rows(db, table, sorted(set(ids)))


def index(db: Database, table: FtsTable, ids: Iterable[int]) -> None:
    """Add the current text of these rows, which the index does not hold (new, or forgotten).

    item_fts's rows are copied from its view in one statement a chunk: the same SQL that
    FTS5 reads when it takes them out again, so the words always agree.
    """
    for chunk in chunked(sorted(set(ids)), CHUNK):
        if table.content:
            marks = ", ".join("?" * len(chunk))
            where = f" WHERE {table.source._meta.table_name}.id IN ({marks})"
            _index_where(db, table, where, chunk)
        else:
            rows = table.rows(db, chunk)
            insert_rows(db, table, ((rowid, *row) for rowid, row in rows.items()))


def index_range(db: Database, table: FtsTable, first: int, last: int) -> None:
    """``index`` of the rows with ids from ``first`` to ``last``: a batch of new items, in one
    statement that reads the view by its rowid range."""
    _index_where(db, table, " WHERE item.id BETWEEN ? AND ?", (first, last))


def _index_where(db: Database, table: FtsTable, where: str, params: Sequence[int]) -> None:
    """Copy an external-content table's rows that ``where`` selects from its content_select
    into the index."""
    columns = ", ".join(table.columns)
    select = table.content_select.format(where=where)
    db.execute_sql(f"INSERT INTO {table.name} (rowid, {columns}) {select}", params)


def refresh(db: Database, table: FtsTable, ids: Iterable[int]) -> None:
    """Index the current text of these rows again (rows whose source is gone leave the index).

    For item_fts only while the items hold the text they were indexed with (a no-op then):
    a change of their text goes between ``forget`` and ``index``.
    """
    ids = sorted(set(ids))
    forget(db, table, ids)
    index(db, table, ids)


def rebuild(db: Database) -> None:
    """Make the index anew: dropped and created, so that even a damaged one heals.

    The triggers that keep tag_fts and note_fts in step name the tables, not hold them: they
    work again as soon as the tables exist again.
    """
    for table in TABLES:
        db.execute_sql(f"DROP TABLE IF EXISTS {table.name}")
        db.execute_sql(table.ddl)
        configure(db, table)
        index(db, table, _all_ids(db, table))  # an empty table: nothing to take out first
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
        source = table.source._meta.table_name
        if table.content:  # reading its rows reads the view: its own rowids are in _docsize
            problems += _missing(db, table)
            stray = f"SELECT id FROM {table.name}_docsize WHERE id NOT IN (SELECT id FROM {source})"
        else:
            problems += _compare(db, table)
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
    if not problems:
        problems += _stale(db, ITEMS) + _stale(db, TAGS)
    return problems


def _missing(db: Database, table: FtsTable) -> list[str]:
    """The rows of an external-content table's source that its index does not hold."""
    source = table.source._meta.table_name
    sql = f"SELECT id FROM {source} WHERE id NOT IN (SELECT id FROM {table.name}_docsize)"
    return [f"{source} {rowid} is missing from {table.name}" for (rowid,) in db.execute_sql(sql)]


def _stale(db: Database, table: FtsTable) -> list[str]:
    """The rows of an external-content table indexed with other words than its view holds
    now. FTS5's own check (SQLite 3.40) does not compare such a table with its content, so
    the view is indexed afresh in a temporary table and each row's word counts per column
    (``_docsize``) compared: a row whose text changed behind the index differs in them."""
    columns = ", ".join(table.columns)
    db.execute_sql("DROP TABLE IF EXISTS temp.fts_expected")
    db.execute_sql(
        f"CREATE VIRTUAL TABLE temp.fts_expected USING fts5 ({columns}, {TOKENIZE}, content = '')"
    )
    try:
        every_row = table.content_select.format(where="")
        db.execute_sql(f"INSERT INTO temp.fts_expected (rowid, {columns}) {every_row}")
        sql = (
            f"SELECT d.id FROM main.{table.name}_docsize d "
            "JOIN temp.fts_expected_docsize e ON e.id = d.id WHERE e.sz != d.sz ORDER BY d.id"
        )
        source = table.source._meta.table_name
        return [
            f"{source} {rowid} has out-of-date text in {table.name}"
            for (rowid,) in db.execute_sql(sql)
        ]
    finally:
        db.execute_sql("DROP TABLE temp.fts_expected")


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
