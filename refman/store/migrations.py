"""Schema versions: ``PRAGMA user_version`` and the forward steps that reach the current one.

``MIGRATIONS[n]`` takes a library from version ``n`` to ``n + 1``. The steps are Python
functions listed in code, not files in a folder, because a frozen build cannot scan folders.
Each step is frozen SQL: once released it never changes, even when the models do, so that
migrating an old file and creating a new one give the same tables (a test compares them).
A new file is version 0 and runs every step. Each step runs in its own transaction together
with its version bump, so a failure leaves the file at the last version it fully reached.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence

from peewee import Database

from refman.citekeys import KeyFields
from refman.model import TAG_KEYWORD, ItemId, LibraryError
from refman.store import citekeys, database, mapping

# The item table's indexes in schema 1 (name, column): duplicate look-ups, then one per sort
# key of the item table's columns. Written into _V1_TABLES below, as its statements were.
_V1_ITEM_INDEXES = (
    ("item_pmid", "pmid"),
    ("item_doi_key", "doi_key"),
    ("item_title_key", "title_key"),
    ("item_by_title", "title_sort"),
    ("item_by_creators", "creators_sort"),
    ("item_by_date", "date_sort"),
    ("item_by_journal", "journal_sort"),
    ("item_by_date_added", "date_added"),
    ("item_by_date_modified", "date_modified"),
    ("item_by_item_type", "item_type"),
    ("item_by_pmid", "pmid_sort"),
    ("item_by_volume", "volume_sort"),
    ("item_by_pages", "pages_sort"),
)

_V1_TABLES = """
CREATE TABLE item (
    id INTEGER PRIMARY KEY,
    item_type TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    container_title TEXT NOT NULL DEFAULT '',
    container_title_short TEXT NOT NULL DEFAULT '',
    collection_title TEXT NOT NULL DEFAULT '',
    volume TEXT NOT NULL DEFAULT '',
    issue TEXT NOT NULL DEFAULT '',
    pages TEXT NOT NULL DEFAULT '',
    doi TEXT NOT NULL DEFAULT '',
    pmid TEXT NOT NULL DEFAULT '',
    pmcid TEXT NOT NULL DEFAULT '',
    isbn TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    publisher TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    source_format TEXT NOT NULL DEFAULT '',
    year INTEGER,
    month INTEGER,
    day INTEGER,
    season TEXT NOT NULL DEFAULT '',
    date_text TEXT NOT NULL DEFAULT '',
    issns TEXT NOT NULL DEFAULT '',
    publication_types TEXT NOT NULL DEFAULT '',
    date_added TEXT NOT NULL,
    date_modified TEXT NOT NULL,
    doi_key TEXT NOT NULL DEFAULT '',
    title_key TEXT NOT NULL DEFAULT '',
    title_sort TEXT NOT NULL DEFAULT '',
    creators_sort TEXT NOT NULL DEFAULT '',
    creator_summary TEXT NOT NULL DEFAULT '',
    date_sort TEXT NOT NULL DEFAULT '',
    journal_sort TEXT NOT NULL DEFAULT '',
    pmid_sort TEXT NOT NULL DEFAULT '',
    volume_sort TEXT NOT NULL DEFAULT '',
    pages_sort TEXT NOT NULL DEFAULT ''
);
{item_indexes}

-- Kept apart so that item rows stay small: walking, sorting and touching (date_modified)
-- many items reads and writes a third of the pages.
CREATE TABLE item_abstract (
    item_id INTEGER PRIMARY KEY REFERENCES item (id) ON DELETE CASCADE,
    abstract TEXT NOT NULL
);

-- The trash, as in Zotero: moving items in or out writes one small row each, and no item
-- row or sort index.
CREATE TABLE trash (
    item_id INTEGER PRIMARY KEY REFERENCES item (id) ON DELETE CASCADE
);

CREATE TABLE creator (
    item_id INTEGER NOT NULL REFERENCES item (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    role TEXT NOT NULL,
    family TEXT NOT NULL DEFAULT '',
    given TEXT NOT NULL DEFAULT '',
    literal TEXT NOT NULL DEFAULT '',
    affiliations TEXT NOT NULL DEFAULT '',
    ids TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (item_id, position)
) WITHOUT ROWID;

CREATE TABLE tag (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    color TEXT NOT NULL DEFAULT ''
);

CREATE TABLE item_tag (
    item_id INTEGER NOT NULL REFERENCES item (id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tag (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    position INTEGER NOT NULL,
    major INTEGER NOT NULL DEFAULT 0,
    qualifiers TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (item_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX item_tag_by_tag ON item_tag (tag_id, item_id);
CREATE INDEX item_tag_manual ON item_tag (tag_id, kind) WHERE kind = 'manual';

CREATE TABLE note (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES item (id) ON DELETE CASCADE,
    html TEXT NOT NULL,
    created TEXT NOT NULL,
    modified TEXT NOT NULL
);
CREATE INDEX note_item ON note (item_id);

CREATE TABLE collection (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    parent_id INTEGER REFERENCES collection (id) ON DELETE CASCADE
);
CREATE INDEX collection_parent ON collection (parent_id);

CREATE TABLE collection_item (
    collection_id INTEGER NOT NULL REFERENCES collection (id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES item (id) ON DELETE CASCADE,
    PRIMARY KEY (collection_id, item_id)
) WITHOUT ROWID;
CREATE INDEX collection_item_item ON collection_item (item_id);

CREATE TABLE source_record (
    item_id INTEGER PRIMARY KEY REFERENCES item (id) ON DELETE CASCADE,
    pairs BLOB NOT NULL
);

-- The full-text index (see fts.py). prefix '1': a one-letter prefix ("a"*, typed first in a
-- search box) reads one list instead of merging hundreds.
CREATE VIRTUAL TABLE item_fts USING fts5 (
    title, abstract, creators, journal, year,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1'
);
CREATE VIRTUAL TABLE tag_fts USING fts5 (
    name,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1'
);
CREATE VIRTUAL TABLE note_fts USING fts5 (
    text,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1'
);
CREATE TRIGGER tag_fts_insert AFTER INSERT ON tag BEGIN
    INSERT INTO tag_fts (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER tag_fts_rename AFTER UPDATE OF name ON tag BEGIN
    DELETE FROM tag_fts WHERE rowid = old.id;
    INSERT INTO tag_fts (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER tag_fts_delete AFTER DELETE ON tag BEGIN
    DELETE FROM tag_fts WHERE rowid = old.id;
END;
CREATE TRIGGER note_fts_delete AFTER DELETE ON note BEGIN
    DELETE FROM note_fts WHERE rowid = old.id;
END;
""".replace(
    "{item_indexes}",
    "\n".join(f"CREATE INDEX {name} ON item ({column});" for name, column in _V1_ITEM_INDEXES),
)


def _statements(script: str) -> list[str]:
    """The statements of a script, whole (a trigger body holds semicolons of its own)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    return statements


def _create_version_1(db: Database) -> None:
    """The first schema: items, creators, tags, notes, collections, source records, FTS."""
    for statement in _statements(_V1_TABLES):
        db.execute_sql(statement)


def _index_new_tags_in_bulk(db: Database) -> None:
    """Version 2: new tags are indexed by the store, all of one import in one statement.

    The trigger indexed them one row at a time, which cost five times more and was most of
    the time an import spent on its tags. Renaming and deleting keep their triggers.
    """
    db.execute_sql("DROP TRIGGER tag_fts_insert")


_V3_TAG_TOTALS = """
-- How many items carry each tag, a row per tag: the tag list reads its counts off this small
-- table instead of counting a million links each time. The store adds the links it writes
-- (tags.add_to_totals): a trigger on insert would make SQLite keep a statement journal for every
-- row of the import's executemany, which costs more than the insert itself. Links that go
-- (unlinked, or with their item or tag) and links moved to another tag are followed by
-- triggers: those statements change many rows at once.
CREATE TABLE tag_total (
    tag_id INTEGER PRIMARY KEY REFERENCES tag (id) ON DELETE CASCADE,
    items INTEGER NOT NULL DEFAULT 0
);
INSERT INTO tag_total (tag_id, items)
SELECT id, (SELECT count(*) FROM item_tag WHERE item_tag.tag_id = tag.id) FROM tag;
CREATE TRIGGER tag_total_unlink AFTER DELETE ON item_tag BEGIN
    UPDATE tag_total SET items = items - 1 WHERE tag_id = old.tag_id;
END;
CREATE TRIGGER tag_total_relink AFTER UPDATE OF tag_id ON item_tag BEGIN
    UPDATE tag_total SET items = items - 1 WHERE tag_id = old.tag_id;
    UPDATE tag_total SET items = items + 1 WHERE tag_id = new.tag_id;
END;

-- Moves when a tag is renamed or deleted. The program keeps the tag names in list order until
-- this or the highest tag id (a new tag's id is always higher) moves.
CREATE TABLE tag_names_version (version INTEGER NOT NULL);
INSERT INTO tag_names_version (version) VALUES (0);
CREATE TRIGGER tag_names_rename AFTER UPDATE OF name ON tag BEGIN
    UPDATE tag_names_version SET version = version + 1;
END;
CREATE TRIGGER tag_names_delete AFTER DELETE ON tag BEGIN
    UPDATE tag_names_version SET version = version + 1;
END;

-- The few coloured tags, found without reading every tag. (No index of names in list order:
-- the import writes each new tag in a statement that journals every page it touches, so an
-- index costs it several per cent; the program sorts the names and keeps them until they
-- change.)
CREATE INDEX tag_coloured ON tag (color) WHERE color != '';
"""


def _add_tag_totals(db: Database) -> None:
    """Version 3: item counts per tag, a version of the tag names, coloured tags indexed."""
    for statement in _statements(_V3_TAG_TOTALS):
        db.execute_sql(statement)


_V4_FTS_BUFFERS = """
-- A 16 MB write buffer for each full-text index (fts.WRITE_BUFFER_BYTES says why).
INSERT INTO item_fts (item_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO tag_fts (tag_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO note_fts (note_fts, rank) VALUES ('hashsize', 16777216);
"""


def _compact_records_larger_index_buffers(db: Database) -> None:
    """Version 4: larger write buffers for the full-text index; and from here on,
    source_record blobs may be in the compact layout (mapping.encode_source_record), which
    refman before it cannot read: the version makes such a refman refuse the library instead
    of failing on the first export."""
    for statement in _statements(_V4_FTS_BUFFERS):
        db.execute_sql(statement)


_V5_EDITOR_SUMMARIES = """
-- The creator summary of an item that has editors and no authors says so (mapping's
-- creator_summary): 'Boardman (ed.)', 'Boardman et al. (eds.)'.
UPDATE item SET creator_summary = creator_summary || CASE
        WHEN (SELECT count(*) FROM creator c WHERE c.item_id = item.id AND c.role = 'editor') > 1
        THEN ' (eds.)' ELSE ' (ed.)' END
    WHERE creator_summary != ''
    AND NOT EXISTS (SELECT 1 FROM creator c WHERE c.item_id = item.id AND c.role = 'author')
    AND EXISTS (SELECT 1 FROM creator c WHERE c.item_id = item.id AND c.role = 'editor');
"""


def mark_editors_in_summaries(db: Database) -> None:
    """Version 5: the Creators column says when the names it shows are editors'.

    Only the stored summaries change (those of items with editors and no authors); the
    schema itself is the same as version 4's.
    """
    for statement in _statements(_V5_EDITOR_SUMMARIES):
        db.execute_sql(statement)


_V6_IMPORT_BATCHES = """
-- Every import, remembered so that it can be undone whole (library/batches.py): when it
-- began, the files it read (a JSON list, "clipboard" for pasted text), how many items it
-- added, merged into and only tagged or filed, and when it was undone ('' while it stands).
-- The counts are kept here because the rows below go with their items.
CREATE TABLE import_batch (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    files TEXT NOT NULL DEFAULT '',
    added INTEGER NOT NULL DEFAULT 0,
    merged INTEGER NOT NULL DEFAULT 0,
    tagged INTEGER NOT NULL DEFAULT 0,
    undone TEXT NOT NULL DEFAULT ''
);

-- The items one import added ('added') or changed ('merged': fields filled and tags linked
-- from a record; 'tagged': only tags and collections from the import's --tag/--collection),
-- with what it changed (JSON: the fields filled, with their values before; the tag names
-- and collection ids it added) and a fingerprint of the item as the import left it, which
-- tells whether anything changed it since; for an item it changed, its fingerprint before
-- (undoing this import gives that state back to earlier imports). A row goes with its
-- item: an id that comes back for another item is never taken for this one.
CREATE TABLE import_batch_item (
    batch_id INTEGER NOT NULL REFERENCES import_batch (id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES item (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    fingerprint BLOB NOT NULL,
    filled TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '',
    collections TEXT NOT NULL DEFAULT '',
    before BLOB NOT NULL DEFAULT x'',
    PRIMARY KEY (batch_id, item_id)
) WITHOUT ROWID;
CREATE INDEX import_batch_item_item ON import_batch_item (item_id);
"""


def _add_import_batches(db: Database) -> None:
    """Version 6: imports remembered as batches, to be listed and undone."""
    for statement in _statements(_V6_IMPORT_BATCHES):
        db.execute_sql(statement)


_V7_NOTICE_FLAGS = """
-- What the notices in an item's source record say of it (refman.formats.medline.corrections:
-- 'retracted', 'concern', 'erratum', space-separated; '' for none), so that flagged items are
-- listed without decoding every record. A row per item whose record has been read: the
-- library reads the records of items without a row (library/notices.py), which fills a library
-- from before this step on first use and every item added since. Reading MEDLINE is not the
-- store's job, so this step only makes the table. A source record replaced or removed takes
-- its item's row with it, to be read again. (No trigger on insert: a new item has no row yet,
-- and such a trigger would make SQLite journal every row of an import's executemany.)
CREATE TABLE item_flags (
    item_id INTEGER PRIMARY KEY REFERENCES item (id) ON DELETE CASCADE,
    flags TEXT NOT NULL DEFAULT ''
);
CREATE INDEX item_flags_flagged ON item_flags (flags) WHERE flags != '';
CREATE TRIGGER item_flags_record_changed AFTER UPDATE ON source_record BEGIN
    DELETE FROM item_flags WHERE item_id = old.item_id OR item_id = new.item_id;
END;
CREATE TRIGGER item_flags_record_removed AFTER DELETE ON source_record BEGIN
    DELETE FROM item_flags WHERE item_id = old.item_id;
END;
"""


def _add_notice_flags(db: Database) -> None:
    """Version 7: a table of the notices (retracted, expression of concern, erratum) each
    item's source record names, filled by the library as it reads the records."""
    for statement in _statements(_V7_NOTICE_FLAGS):
        db.execute_sql(statement)


_V8_SOURCE_HISTORY = """
-- An item's earlier source records: when "Update from PubMed" (library/updating.py) replaces
-- the stored record with PubMed's newer one, the old record is kept here with when and why,
-- compressed as source_record's are (store/mapping.encode_source_record). Newest last by id.
CREATE TABLE source_history (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES item (id) ON DELETE CASCADE,
    source_format TEXT NOT NULL DEFAULT '',
    pairs BLOB NOT NULL,
    replaced TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX source_history_item ON source_history (item_id);
"""


def _add_source_history(db: Database) -> None:
    """Version 8: the earlier source records of items, kept when an update replaces one."""
    for statement in _statements(_V8_SOURCE_HISTORY):
        db.execute_sql(statement)


_LIVE_EXPORTS = """
-- Live exports (issue 16, "Keep updated"): files every program that opens the library rewrites
-- after a change to what they cover. What one covers is a place ('library', 'collection',
-- 'search') and its details: the collection's id, or the saved search's name in query. The
-- collection is not a foreign key: when it is deleted the export stays, and says why it is not
-- written. fingerprint is the SHA-256 of the text last written (an unchanged export is not
-- rewritten); written when (UTC); problem why the last attempt failed ('' when it did not).
CREATE TABLE IF NOT EXISTS live_export (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    format TEXT NOT NULL,
    style TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT 'library',
    collection_id INTEGER,
    query TEXT NOT NULL DEFAULT '',
    fingerprint TEXT NOT NULL DEFAULT '',
    written TEXT NOT NULL DEFAULT '',
    problem TEXT NOT NULL DEFAULT ''
);
"""


def _add_live_exports(db: Database) -> None:
    """Live exports: the files kept up to date with the library (library/live_exports.py)."""
    for statement in _statements(_LIVE_EXPORTS):
        db.execute_sql(statement)


_ATTACHMENTS = """
-- Files kept with items (issue 15; library/attachments.py): a copy in the files folder beside
-- the library, under files/<key>/<name>, or a link to a file elsewhere (path). A row is written
-- only once its copy is whole on the disk, so a crash leaves at most an orphaned folder, which
-- refman check names; the files of trashed attachments and items go at Empty Trash.
CREATE TABLE attachment (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES item (id) ON DELETE CASCADE,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    linked INTEGER NOT NULL DEFAULT 0,
    path TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    size INTEGER NOT NULL DEFAULT 0,
    added TEXT NOT NULL,
    trashed INTEGER NOT NULL DEFAULT 0,
    text_state TEXT NOT NULL DEFAULT '',
    pages INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attachment_item ON attachment (item_id);
-- The words of PDF attachments (rowid = attachment id), apart from item_fts so that the main
-- index stays small and this one can be dropped and rebuilt from the files at any time.
CREATE VIRTUAL TABLE attachment_fts USING fts5(
    text, tokenize = 'unicode61 remove_diacritics 2', prefix = '1'
);
CREATE TRIGGER attachment_fts_forget AFTER DELETE ON attachment BEGIN
    DELETE FROM attachment_fts WHERE rowid = old.id;
END;
"""


def _add_attachments(db: Database) -> None:
    """Files kept with items: the attachment table."""
    for statement in _statements(_ATTACHMENTS):
        db.execute_sql(statement)


_NOT_DUPLICATES = """
-- Pairs of items the user said are not duplicates (Duplicate Items' "Not Duplicates"), so that
-- the finder (store/duplicate_groups.py) never proposes them again. One row per pair, the
-- smaller id first; a pair goes with either item when it is deleted for good.
CREATE TABLE IF NOT EXISTS not_duplicate (
    first_id INTEGER NOT NULL REFERENCES item (id) ON DELETE CASCADE,
    second_id INTEGER NOT NULL REFERENCES item (id) ON DELETE CASCADE,
    PRIMARY KEY (first_id, second_id),
    CHECK (first_id < second_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS not_duplicate_second ON not_duplicate (second_id);
"""


def _add_not_duplicates(db: Database) -> None:
    """Pairs of items remembered as not duplicates, never proposed again."""
    for statement in _statements(_NOT_DUPLICATES):
        db.execute_sql(statement)


_FIELD_INDEXES = """
-- The subheadings (MeSH qualifiers) of each heading's link, a row per subheading in lower case,
-- so that a [sh] search finds its items through an index instead of reading the qualifiers'
-- JSON of every link (store/querying.py). The store adds the rows of the links it writes
-- (store/field_index.py: no trigger on insert, see tag_total); a link that goes, or moves to
-- another tag, takes its rows along by the foreign key. Filled here from the links there.
CREATE TABLE IF NOT EXISTS mesh_qualifier (
    item_id INTEGER NOT NULL,
    tag_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (item_id, tag_id, name),
    FOREIGN KEY (item_id, tag_id) REFERENCES item_tag (item_id, tag_id)
        ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mesh_qualifier_by_name ON mesh_qualifier (name, item_id);
-- [la] looks languages up, and [pt] reads the publication types off this index rather than
-- off every item row (ten times the pages).
-- The distinct affiliations of the creators, and the items that carry each: [ad] reads the
-- affiliations once each instead of every creator's (store/field_index.py keeps both).
CREATE TABLE IF NOT EXISTS affiliation (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS item_affiliation (
    affiliation_id INTEGER NOT NULL REFERENCES affiliation (id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES item (id) ON DELETE CASCADE,
    PRIMARY KEY (affiliation_id, item_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS item_affiliation_item ON item_affiliation (item_id);
INSERT OR IGNORE INTO affiliation (text)
SELECT DISTINCT a.value FROM creator, json_each(creator.affiliations) AS a
WHERE creator.affiliations != '' AND json_valid(creator.affiliations);
INSERT OR IGNORE INTO item_affiliation (affiliation_id, item_id)
SELECT affiliation.id, creator.item_id
FROM creator, json_each(creator.affiliations) AS a JOIN affiliation ON affiliation.text = a.value
WHERE creator.affiliations != '' AND json_valid(creator.affiliations);
CREATE INDEX IF NOT EXISTS item_by_language ON item (language);
CREATE INDEX IF NOT EXISTS item_by_publication_types ON item (publication_types);
INSERT OR IGNORE INTO mesh_qualifier (item_id, tag_id, name)
SELECT item_tag.item_id, item_tag.tag_id, lower(json_extract(q.value, '$[0]'))
FROM item_tag, json_each(item_tag.qualifiers) AS q
WHERE item_tag.qualifiers != '' AND json_valid(item_tag.qualifiers);
"""


def _add_field_indexes(db: Database) -> None:
    """Field searches: MeSH subheadings indexed a row each, for searching them with [sh]; the
    distinct affiliations, for [ad]; languages and publication types indexed, for [la] and
    [pt]."""
    for statement in _statements(_FIELD_INDEXES):
        db.execute_sql(statement)


_CITATION_KEYS = """
-- Each item's citation key (refman/citekeys.py, store/citekeys.py), made once and pinned;
-- unique ignoring case, as BibTeX compares keys: 'folded' is the key casefolded.
CREATE TABLE IF NOT EXISTS citation_key (
    item_id INTEGER PRIMARY KEY REFERENCES item (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    folded TEXT NOT NULL UNIQUE
);
-- The pattern new keys are made from, when one was chosen (one row, id 1).
CREATE TABLE IF NOT EXISTS citation_key_pattern (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pattern TEXT NOT NULL
);
"""

# The source formats whose records carry a key of their own, as they stood when this step was
# written: a BibTeX/BibLaTeX record's ("ID", key) pair, a CSL-JSON record's item "id".
_KEYED_SOURCES = ("bibtex", "biblatex", "csl-json")


def _add_citation_keys(db: Database) -> None:
    """Citation keys: the tables, and a key for every item already in the library.

    An item imported from BibTeX or CSL-JSON keeps the key its file gave it (exports gave it
    back, and documents cite it); the others get the default pattern's (no other can have been
    chosen yet), in bulk: some seconds for 100,000 items.
    """
    for statement in _statements(_CITATION_KEYS):
        db.execute_sql(statement)
    done = {item_id for (item_id,) in db.execute_sql("SELECT item_id FROM citation_key")}
    citekeys.assign(db, [new for new in _key_fields(db) if new[0] not in done])


def _key_fields(db: Database) -> list[citekeys.NewKey]:
    """Each item with what a key is made of (title, year, PMID, pages, journal, the names of
    its first four authors, else editors) and the key of its BibTeX or CSL-JSON record."""
    authors: dict[int, list[str]] = {}
    editors: dict[int, list[str]] = {}
    rows = db.execute_sql(
        "SELECT item_id, role, coalesce(nullif(literal, ''), nullif(family, ''), given)"
        " FROM creator WHERE position < 4 AND role IN ('author', 'editor')"
    )
    for item_id, role, name in rows:
        (authors if role == "author" else editors).setdefault(item_id, []).append(name)
    own = _record_keys(db)
    found = []
    items = db.execute_sql(
        "SELECT id, title, year, pmid, pages, coalesce(nullif(container_title_short, ''),"
        " container_title) FROM item ORDER BY id"
    )
    for item_id, title, year, pmid, pages, journal in items:
        names = authors.get(item_id) or editors.get(item_id) or ()
        fields = KeyFields(title, year, pmid, pages, journal, tuple(names), len(names))
        found.append((ItemId(item_id), fields, own.get(item_id, "")))
    return found


def _record_keys(db: Database) -> dict[int, str]:
    """{item id: the key its BibTeX entry or CSL-JSON item gave it}."""
    marks = ", ".join("?" * len(_KEYED_SOURCES))
    own: dict[int, str] = {}
    records = db.execute_sql(
        "SELECT s.item_id, i.source_format, s.pairs FROM source_record s JOIN item i"
        f" ON i.id = s.item_id WHERE i.source_format IN ({marks})",
        _KEYED_SOURCES,
    )
    for item_id, source_format, blob in records:
        pairs, _ = mapping.read_source_record(blob)
        own[item_id] = _record_key(source_format, pairs)
    return own


def _record_key(source_format: str, pairs: Sequence[tuple[str, str]]) -> str:
    if source_format == "csl-json":
        try:
            item = json.loads(pairs[0][1]) if pairs and pairs[0][0] == "item" else None
        except ValueError:
            return ""
        key = item.get("id") if isinstance(item, dict) else None
        return key if isinstance(key, str) else ""
    return next((value for tag, value in pairs[:2] if tag == "ID"), "")


_SAVED_SEARCHES = """
-- Saved searches (smart collections): a name and the query text, run as the quick search
-- runs it (library/searches.py), never parsed here. Names are unique ignoring case: the
-- index catches ASCII case, library/searches.py the rest (casefold) before it writes.
CREATE TABLE IF NOT EXISTS saved_search (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created TEXT NOT NULL,
    changed TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS saved_search_name ON saved_search (name COLLATE NOCASE);
"""


def _add_saved_searches(db: Database) -> None:
    """Saved searches: a name and a query text each, listed in the sidebar as smart
    collections and run by name on the command line."""
    for statement in _statements(_SAVED_SEARCHES):
        db.execute_sql(statement)


_ITEM_TEXT = """
-- The words item_fts indexes, read where they are stored: item_fts keeps no copy of its own
-- (an external-content FTS5 table over this view; fts.py says how it is kept in step).
CREATE VIEW IF NOT EXISTS item_text AS SELECT
    item.id AS id,
    item.title AS title,
    COALESCE((SELECT abstract FROM item_abstract WHERE item_id = item.id), '') AS abstract,
    COALESCE((SELECT group_concat(name, char(10)) FROM (
        SELECT trim(given || ' ' || family || ' ' || literal) AS name
        FROM creator WHERE creator.item_id = item.id ORDER BY position
    )), '') AS creators,
    trim(container_title || char(10) || container_title_short, char(10)) AS journal,
    CASE WHEN year THEN CAST(year AS TEXT) ELSE '' END AS year
FROM item;
"""
_ITEM_FTS_OVER_TEXT = """
CREATE VIRTUAL TABLE item_fts USING fts5 (
    title, abstract, creators, journal, year,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1',
    content = 'item_text', content_rowid = 'id'
);
INSERT INTO item_fts (item_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO item_fts (item_fts) VALUES ('rebuild');
"""


def _index_items_over_stored_text(db: Database) -> None:
    """The full-text index of items reads its words from the tables (issue 18, i18-import):
    its own copy of every title, abstract and name goes, a sixth of a large library. The
    index is made anew from the items; the space the old one held is reused by later writes.
    From this version on, a stored source record may leave out the abstract that item_abstract
    holds (mapping.encode_source_record): the version makes an older refman refuse the
    library rather than show records without their abstracts.
    """
    for statement in _statements(_ITEM_TEXT):
        db.execute_sql(statement)
    row = db.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'item_fts'").fetchone()
    if row is not None and "content" in row[0]:  # already over the view
        return
    db.execute_sql("DROP TABLE IF EXISTS item_fts")
    for statement in _statements(_ITEM_FTS_OVER_TEXT):
        db.execute_sql(statement)


_ITEM_TEXT_PACKED = """
DROP VIEW IF EXISTS item_text;
CREATE VIEW item_text AS SELECT
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
FROM item;
"""
_PLAIN_ABSTRACTS = (
    "SELECT item_id, abstract FROM item_abstract WHERE typeof(abstract) = 'text' "
    "AND item_id > ? ORDER BY item_id LIMIT 2000"
)


_CREATOR_AFFILIATIONS = (
    "SELECT item_id, position, affiliations FROM creator WHERE affiliations != '' "
    "AND (item_id, position) > (?, ?) ORDER BY item_id, position LIMIT 5000"
)


def _pack_long_text(db: Database) -> None:
    """Abstracts packed, affiliations and subheadings stored once (issue 18, i18-size).

    item_abstract holds each abstract deflated (mapping.pack_abstract), and the view
    the full-text index reads unpacks them with the SQL function the store registers
    (refman_abstract). The words the view gives are the same, so the index stays as it is.
    A creator's row names its affiliations by their ids in ``affiliation`` (which the [ad]
    index already fills with each distinct text) instead of holding the texts. Old rows are
    converted here a few thousand at a time; the space they held is reused by later writes.
    The index of MeSH subheadings names each by its id in ``qualifier``. From this version
    on, source records are written compressed with a preset dictionary (mapping,
    store/record_dictionary.py); those stored before keep their layout and are read as they
    are. The version makes an older refman refuse the library rather than take such records,
    packed abstracts or affiliation ids for damage.
    """
    for statement in _statements(_ITEM_TEXT_PACKED):
        db.execute_sql(statement)
    last = 0
    while rows := db.execute_sql(_PLAIN_ABSTRACTS, (last,)).fetchall():
        packed = [(mapping.pack_abstract(text), item_id) for item_id, text in rows]
        db.cursor().executemany("UPDATE item_abstract SET abstract = ? WHERE item_id = ?", packed)
        last = rows[-1][0]
    after = (0, -1)
    while rows := db.execute_sql(_CREATOR_AFFILIATIONS, after).fetchall():
        _affiliations_by_id(db, rows)
        after = rows[-1][:2]
    _qualifiers_by_id(db)


_QUALIFIERS_BY_ID = """
-- Each MeSH subheading's name once (some 80 names across millions of rows), and the rows
-- of mesh_qualifier naming it by id: the table and its index held every name twice.
CREATE TABLE IF NOT EXISTS qualifier (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
INSERT OR IGNORE INTO qualifier (name) SELECT DISTINCT name FROM mesh_qualifier;
CREATE TABLE mesh_qualifier_by_id (
    item_id INTEGER NOT NULL,
    tag_id INTEGER NOT NULL,
    qualifier_id INTEGER NOT NULL REFERENCES qualifier (id),
    PRIMARY KEY (item_id, tag_id, qualifier_id),
    FOREIGN KEY (item_id, tag_id) REFERENCES item_tag (item_id, tag_id)
        ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;
INSERT INTO mesh_qualifier_by_id (item_id, tag_id, qualifier_id)
SELECT item_id, tag_id, qualifier.id FROM mesh_qualifier JOIN qualifier USING (name)
ORDER BY item_id, tag_id, qualifier.id;
DROP TABLE mesh_qualifier;
ALTER TABLE mesh_qualifier_by_id RENAME TO mesh_qualifier;
CREATE INDEX mesh_qualifier_by_qualifier ON mesh_qualifier (qualifier_id, item_id);
"""


def _qualifiers_by_id(db: Database) -> None:
    """mesh_qualifier names each subheading by its id in ``qualifier`` (once per library)."""
    columns = {row[1] for row in db.execute_sql("PRAGMA table_info(mesh_qualifier)")}
    if "qualifier_id" in columns:
        return
    for statement in _statements(_QUALIFIERS_BY_ID):
        db.execute_sql(statement)


def _affiliations_by_id(db: Database, rows: Sequence[tuple[int, int, str]]) -> None:
    """Rows (item id, position, affiliations) whose affiliations are texts get their ids."""
    texts: dict[tuple[int, int], list[str]] = {}
    for item_id, position, value in rows:
        try:
            listed = json.loads(value)
        except ValueError:
            continue  # not JSON: left as it is, as the reader leaves it
        if isinstance(listed, list) and listed and all(isinstance(v, str) for v in listed):
            texts[item_id, position] = listed
    distinct = list(dict.fromkeys(text for listed in texts.values() for text in listed))
    db.cursor().executemany(
        "INSERT OR IGNORE INTO affiliation (text) VALUES (?)", [(text,) for text in distinct]
    )
    ids: dict[str, int] = {}
    for start in range(0, len(distinct), 500):
        part = distinct[start : start + 500]
        marks = ", ".join("?" * len(part))
        sql = f"SELECT text, id FROM affiliation WHERE text IN ({marks})"
        ids.update(db.execute_sql(sql, part).fetchall())
    updates = [
        (json.dumps([ids[text] for text in listed], separators=(",", ":")), item_id, position)
        for (item_id, position), listed in texts.items()
    ]
    sql = "UPDATE creator SET affiliations = ? WHERE item_id = ? AND position = ?"
    db.cursor().executemany(sql, updates)


_SMALLER_ITEM_INDEXES = """
-- The full-text index of items without its index of one-letter prefixes (a third of it; see
-- store/fts.py PREFIXES), made anew from the view.
DROP TABLE item_fts;
CREATE VIRTUAL TABLE item_fts USING fts5 (
    title, abstract, creators, journal, year,
    tokenize = 'unicode61 remove_diacritics 2',
    content = 'item_text', content_rowid = 'id'
);
INSERT INTO item_fts (item_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO item_fts (item_fts) VALUES ('rebuild');
-- No title key: it held each title a third time (beside title and title_sort), indexed. The
-- items that may be duplicates by title share title_sort, and their keys are made from their
-- columns (store/duplicates.py).
DROP INDEX IF EXISTS item_title_key;
"""


def _smaller_item_indexes(db: Database) -> None:
    """The item table and its full-text index made smaller (issue 18, i18-filesize): no
    one-letter prefixes in the full-text index, no title key. Nothing a user sees changes."""
    for statement in _statements(_SMALLER_ITEM_INDEXES):
        db.execute_sql(statement)
    if "title_key" in {row[1] for row in db.execute_sql("PRAGMA table_info(item)")}:
        db.execute_sql("ALTER TABLE item DROP COLUMN title_key")


def _records_name_affiliations(db: Database) -> None:
    """Source records name their affiliations (issue 18, i18-filesize): from this version on,
    a stored record may leave out each value equal to one of its item's affiliations, as it
    leaves out the abstract (mapping.encode_source_record), and is compressed harder. Records
    stored before keep their layout and are read as they are; the version makes an older
    refman refuse the library rather than show records without their affiliations."""


_TAG_INDEX_OVER_TAGS = """
-- The full-text index of tags reads the names from tag (an external-content table, as item_fts
-- reads the items): its own copy of every name goes. Made anew from the tags; the triggers hand
-- FTS5 the old name to take out, since by then tag holds the new one or none.
DROP TRIGGER IF EXISTS tag_fts_rename;
DROP TRIGGER IF EXISTS tag_fts_delete;
DROP TABLE tag_fts;
CREATE VIRTUAL TABLE tag_fts USING fts5 (
    name,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1',
    content = 'tag', content_rowid = 'id'
);
INSERT INTO tag_fts (tag_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO tag_fts (tag_fts) VALUES ('rebuild');
CREATE TRIGGER tag_fts_rename AFTER UPDATE OF name ON tag BEGIN
    INSERT INTO tag_fts (tag_fts, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO tag_fts (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER tag_fts_delete AFTER DELETE ON tag BEGIN
    INSERT INTO tag_fts (tag_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;
"""


def _tag_index_over_tags(db: Database) -> None:
    """The tag index keeps no copy of the names (issue 18, i18-filesize)."""
    for statement in _statements(_TAG_INDEX_OVER_TAGS):
        db.execute_sql(statement)


_OTHER_THAN_MESH = """
-- The links that are not MeSH headings (keywords, manual tags): a [mh] search takes every
-- link of the heading's tag off item_tag_by_tag and leaves these out, instead of reading the
-- kind of each of its links off the table (231,823 rows for Female at 1,000,000 items).
CREATE INDEX IF NOT EXISTS item_tag_other_than_mesh ON item_tag (tag_id, item_id)
WHERE kind != 'mesh';
"""


def _index_links_other_than_mesh(db: Database) -> None:
    """An index of the tag links that are not MeSH headings (issue 18, i18-fieldq)."""
    for statement in _statements(_OTHER_THAN_MESH):
        db.execute_sql(statement)


_TAG_LISTING = """
-- The tags in list order as a process sorted them (store/tags.py), for the next process to
-- read in one row instead of sorting every name: 2 s at 1,770,000 tags. At most one row.
CREATE TABLE IF NOT EXISTS tag_listing (
    names_version INTEGER NOT NULL,
    newest_tag_id INTEGER NOT NULL,
    format TEXT NOT NULL,
    names BLOB NOT NULL,
    ids BLOB NOT NULL,
    ranks BLOB NOT NULL
);
"""


def _add_tag_listing(db: Database) -> None:
    """The tag listing kept in the file (issue 18, i18-taglist)."""
    for statement in _statements(_TAG_LISTING):
        db.execute_sql(statement)


_SMALLER_LINKS = """
-- The commonest role and kind stored as '' (mapping.STORED_AUTHOR, STORED_MESH): the reader
-- puts the texts back. The index of the links other than MeSH headings follows the new value.
UPDATE creator SET role = '' WHERE role = 'author';
UPDATE item_tag SET kind = '' WHERE kind = 'mesh';
DROP INDEX IF EXISTS item_tag_other_than_mesh;
CREATE INDEX item_tag_other_than_mesh ON item_tag (tag_id, item_id) WHERE kind != '';
"""


def _smaller_links(db: Database) -> None:
    """Creator and tag link rows made smaller (issue 18, i18-bytes): an author's role and a
    MeSH link's kind stored as "". The rows shrink in place; the space they free is reused by
    later writes. Import fingerprints read the old texts back (store/batches.py), so imports
    made before can still be undone. From this version on, a link names its subheadings by
    their ids in ``qualifier`` with their major flags as 1 or 0 (store/field_index.py); links
    written before keep names, true and false, and both are read: the version makes an older
    refman refuse the library rather than read ids for names."""
    for statement in _statements(_SMALLER_LINKS):
        db.execute_sql(statement)


# Where each name starts in names, and the position of each tag in order of id (store/tags.py,
# format 3): a new process decodes only the names shown and finds a tag without a map of every
# id. Listings stored before are sorted again by the next process (their format is older).
_TAG_LISTING_STARTS = ("starts", "places")


def _add_tag_listing_starts(db: Database) -> None:
    """The tag listing's name starts and places (issue 18, i18-tagfirst). Columns already there
    are kept: a file put back to an earlier version runs this step again."""
    present = {row[1] for row in db.execute_sql("PRAGMA table_info(tag_listing)")}
    for column in _TAG_LISTING_STARTS:
        if column not in present:
            db.execute_sql(f"ALTER TABLE tag_listing ADD COLUMN {column} BLOB NOT NULL DEFAULT x''")
    db.execute_sql("DELETE FROM tag_listing")


# Sort keys whose numbers mapping.natural_key writes: their indexes are made anew after the
# keys (packed, and faster than each row moved in four indexes).
_NUMBER_KEY_INDEXES = (
    ("item_by_title", "title_sort"),
    ("item_by_pmid", "pmid_sort"),
    ("item_by_volume", "volume_sort"),
    ("item_by_pages", "pages_sort"),
)
_SHORTER_NUMBERS = "refman_shorter_numbers"
_SHORTER_ISSNS = "refman_shorter_issns"


def _shorter_values(db: Database) -> None:
    """Sort keys, ISSNs and keyword links made shorter (issue 18, i18-file100k): the numbers of
    the title's, PMID's, volume's and pages' sort keys written shorter in the same order
    (mapping.natural_key: "0000000012" → "112"), ISSNs as text ("0164-1476e 8039-1907l"), a
    DOI equal to its doi_key as "" (mapping.stored_doi) and a keyword's link kind as "k"
    (mapping.STORED_KEYWORD). Import fingerprints read the old forms back (store/batches.py),
    so imports made before can still be undone; the version makes an older refman refuse the
    library rather than sort and read the new forms. The step may run again on a file put back
    to an earlier version: each value written already is kept as it is."""
    connection = db.connection()
    connection.create_function(_SHORTER_NUMBERS, 1, mapping.shorter_numbers, deterministic=True)
    connection.create_function(_SHORTER_ISSNS, 1, mapping.shorter_issns, deterministic=True)
    for index, _ in _NUMBER_KEY_INDEXES:
        db.execute_sql(f"DROP INDEX IF EXISTS {index}")
    # Every row, in one pass: a number may be written in another script's digits, which
    # GLOB's [0-9] would miss.
    keys = ", ".join(f"{name} = {_SHORTER_NUMBERS}({name})" for _, name in _NUMBER_KEY_INDEXES)
    db.execute_sql(
        f"UPDATE item SET {keys},"
        f" issns = CASE WHEN issns LIKE '[%' THEN {_SHORTER_ISSNS}(issns) ELSE issns END,"
        " doi = CASE WHEN doi = doi_key THEN '' ELSE doi END"
    )
    for index, column in _NUMBER_KEY_INDEXES:
        db.execute_sql(f"CREATE INDEX {index} ON item ({column})")
    db.execute_sql(
        f"UPDATE item_tag SET kind = '{mapping.STORED_KEYWORD}' WHERE kind = '{TAG_KEYWORD}'"
    )


Migration = Callable[[Database], None]
StepProgress = Callable[[int, int], None]  # (steps done, steps this file needs)
MIGRATIONS: list[Migration] = [
    _create_version_1,
    _index_new_tags_in_bulk,
    _add_tag_totals,
    _compact_records_larger_index_buffers,
    mark_editors_in_summaries,  # MEDLINE fidelity (issue 13): a step of its own
    _add_import_batches,  # import batches (issue 13): a step of its own
    _add_notice_flags,  # retractions and errata flagged (issue 14): a step of its own
    _add_source_history,  # Update from PubMed (issue 14): earlier source records kept
    _add_live_exports,  # live exports (issue 16, i16-live): "Keep updated" files
    _add_attachments,  # files kept with items (issue 15)
    _add_not_duplicates,  # Duplicate Items (issue 16, i16-dups): "Not Duplicates" remembered
    _add_field_indexes,  # PubMed-syntax search (issue 16, i16-query): [sh], [ad], [la], [pt]
    _add_citation_keys,  # citation keys (issue 16, i16-keys): the tables and every item's key
    _add_saved_searches,  # saved searches (issue 16, i16-saved): a step of its own
    _index_items_over_stored_text,  # import speed and size (issue 18, i18-import)
    _pack_long_text,  # library size (issue 18, i18-size): abstracts packed, names stored once
    _smaller_item_indexes,  # library size (issue 18, i18-filesize): no title key, no prefixes
    _records_name_affiliations,  # library size (issue 18, i18-filesize): a step of its own
    _tag_index_over_tags,  # library size (issue 18, i18-filesize): tag_fts over tag
    _index_links_other_than_mesh,  # field query speed (issue 18, i18-fieldq): [mh] links
    _add_tag_listing,  # tag list speed (issue 18, i18-taglist): the sorted listing kept
    _smaller_links,  # library size (issue 18, i18-bytes): author and MeSH stored as ""
    _add_tag_listing_starts,  # tag list speed (issue 18, i18-tagfirst): names decoded when shown
    _shorter_values,  # library size (issue 18, i18-file100k): numbers, ISSNs, keyword links
]


def latest_version() -> int:
    return len(MIGRATIONS)


def schema_version(db: Database) -> int:
    return db.execute_sql("PRAGMA user_version").fetchone()[0]


# Tables every refman library has had since schema 1: a file whose version says refman but
# that lacks them was written by another program that uses user_version too.
REFMAN_TABLES = frozenset(
    {"item", "creator", "tag", "item_tag", "note", "collection", "collection_item", "trash"}
)


def check_version(db: Database, path: object, *, read_only: bool) -> int:
    """The file's version, or LibraryError when this refman cannot use it.

    Only reads: the store calls it before it changes anything (WAL, migrations), so that a
    file that is not a refman library is left exactly as it was.
    """
    version = schema_version(db)
    if version > latest_version():
        raise LibraryError(
            f"This library was made by a newer version of refman (schema {version}); "
            f"this version reads up to {latest_version()}. "
            f"Update refman to open {path}."
        )
    tables = _table_names(db)
    if version < 0 or (version == 0 and tables) or (version > 0 and REFMAN_TABLES - tables):
        raise LibraryError(f"{path} is a SQLite database but not a refman library.")
    if version < latest_version() and read_only:
        raise LibraryError(
            f"{path} was made by an older version of refman and must be upgraded; "
            "open it once without read-only."
        )
    return version


def _table_names(db: Database) -> set[str]:
    rows = db.execute_sql("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
    return {name for (name,) in rows}


def migrate(db: Database, on_step: StepProgress | None = None) -> None:
    """Run the steps from the file's version to the latest, each in its own transaction.

    ``on_step(done, total)`` is called before each step and once at the end (``total``
    counts the steps this file needed when it opened), so that the window can say how far
    an update that takes minutes on a million-item library has come.

    The version is read again inside each (immediate) transaction, so two programs opening
    a new file at once do not both create the tables.

    The steps sort in temporary files, not in memory (the connection's ``temp_store``): a
    step that makes an index or a full-text index anew over a 1,000,000-item library took
    1.3 GB of memory with the sorts in memory, 0.25 GB at 100,000 items (0.14 GB in files,
    in the same time).
    """
    db.execute_sql("PRAGMA temp_store = FILE")
    try:
        _migrate_steps(db, on_step or (lambda done, total: None))
    finally:
        db.execute_sql(f"PRAGMA temp_store = {database.TEMP_STORE}")


def _migrate_steps(db: Database, on_step: StepProgress) -> None:
    first = schema_version(db)
    total = latest_version() - first
    while True:
        with db.atomic():
            version = schema_version(db)  # again: another program may have run steps since
            if version >= latest_version():
                break
            on_step(max(version - first, 0), total)
            MIGRATIONS[version](db)
            # PRAGMA takes no parameters; the value is an int we computed.
            db.execute_sql(f"PRAGMA user_version = {version + 1:d}")
    if total > 0:
        on_step(total, total)
