"""The small indexes that field searches read (store/querying.py), kept beside the tables they
come from: MeSH subheadings a row each (``mesh_qualifier``, for ``[sh]``, each name once in
``qualifier``) and the distinct
affiliations of the creators with the items that carry them (``affiliation``,
``item_affiliation``, for ``[ad]``).

The qualifiers of a heading's link live in its ``item_tag`` row as JSON: only a pass over every
link could search them. The row names each subheading by its id in ``qualifier`` (made by
``qualifier_ids`` before the links are written, read back by ``qualifier_names``; issue 18,
i18-bytes), or by its text in rows written before and for a name not in lower case.
An affiliation's text is stored once, in ``affiliation``: a creator's
row holds the ids of its affiliations as JSON (issue 18: the same text repeats across an
article's authors and across articles, and was the larger half of the creator table), made by
``affiliation_ids`` before the creators are written and read back by ``affiliation_texts``.
Rows written before that hold the texts themselves, as JSON strings; both read the same.
Whoever writes links or creators (``items.insert``, ``items.write_fields``, ``tags.add``)
calls these functions for the items it wrote, in the same transaction, each a statement or
two over those items (no trigger on insert: see tag_total in migrations). A link or an item
that goes takes its rows with it through the tables' foreign keys. An affiliation no item
carries any more stays in ``affiliation``, where it finds nothing: ids are never reused, so a
creator's row always names the text it was written with.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from peewee import Database, chunked

from refman.store.bulk import CHUNK, insert_rows, rows_where_in

# Each subheading's name once in qualifier, and a row per link and subheading naming it by id.
# A link names a subheading by its id (written since issue 18, i18-bytes) or by its text.
_QUALIFIER_NAMES = """
INSERT OR IGNORE INTO qualifier (name)
SELECT DISTINCT lower(json_extract(q.value, '$[0]'))
FROM item_tag, json_each(item_tag.qualifiers) AS q
WHERE item_tag.item_id IN (SELECT value FROM json_each(?))
AND item_tag.qualifiers != '' AND json_valid(item_tag.qualifiers)
AND json_type(q.value, '$[0]') = 'text'
"""
_QUALIFIERS = """
INSERT OR IGNORE INTO mesh_qualifier (item_id, tag_id, qualifier_id)
SELECT item_tag.item_id, item_tag.tag_id, qualifier.id
FROM item_tag, json_each(item_tag.qualifiers) AS q
JOIN qualifier ON qualifier.name = lower(json_extract(q.value, '$[0]'))
WHERE item_tag.item_id IN (SELECT value FROM json_each(?))
AND item_tag.qualifiers != '' AND json_valid(item_tag.qualifiers)
AND json_type(q.value, '$[0]') = 'text'
"""
_QUALIFIERS_BY_ID = """
INSERT OR IGNORE INTO mesh_qualifier (item_id, tag_id, qualifier_id)
SELECT item_tag.item_id, item_tag.tag_id, json_extract(q.value, '$[0]')
FROM item_tag, json_each(item_tag.qualifiers) AS q
WHERE item_tag.item_id IN (SELECT value FROM json_each(?))
AND item_tag.qualifiers != '' AND json_valid(item_tag.qualifiers)
AND json_type(q.value, '$[0]') = 'integer'
"""

# The creators' affiliations of these items: a link per item and affiliation. A creator's row
# holds affiliation ids (or, written before, the texts: inserted once in affiliation first).
_AFFILIATIONS = """
INSERT OR IGNORE INTO affiliation (text)
SELECT DISTINCT a.value FROM creator, json_each(creator.affiliations) AS a
WHERE creator.item_id IN (SELECT value FROM json_each(?1)) AND a.type = 'text'
AND creator.affiliations != '' AND json_valid(creator.affiliations)
"""
_AFFILIATION_LINKS = """
INSERT OR IGNORE INTO item_affiliation (affiliation_id, item_id)
SELECT {id}, creator.item_id FROM creator, json_each(creator.affiliations) AS a{join}
WHERE creator.item_id IN (SELECT value FROM json_each(?1)) AND a.type = '{kind}'
AND creator.affiliations != '' AND json_valid(creator.affiliations)
"""
_LINKS_BY_ID = _AFFILIATION_LINKS.format(id="a.value", join="", kind="integer")
_LINKS_BY_TEXT = _AFFILIATION_LINKS.format(
    id="affiliation.id", join=" JOIN affiliation ON affiliation.text = a.value", kind="text"
)


def affiliation_ids(db: Database, texts: Iterable[str]) -> dict[str, int]:
    """{text: id} of these affiliations, those not in ``affiliation`` yet added."""
    distinct = list(dict.fromkeys(texts))
    if not distinct:
        return {}
    insert_rows(db, "affiliation", ("text",), ((text,) for text in distinct))
    return dict(rows_where_in(db, "SELECT text, id FROM affiliation", "text", distinct))


def affiliation_texts(db: Database, ids: Iterable[int]) -> dict[int, str]:
    """{id: text} of the affiliations with these ids (in one statement: loading 10,000 items
    meets some 20,000 of them)."""
    sql = "SELECT id, text FROM affiliation WHERE id IN (SELECT value FROM json_each(?))"
    return dict(db.execute_sql(sql, (json.dumps(sorted(set(ids))),)).fetchall())


def qualifier_ids(db: Database, names: Iterable[str]) -> dict[str, int]:
    """{name: id} of these subheadings (in lower case), those not in ``qualifier`` yet added."""
    distinct = sorted(set(names))
    if not distinct:
        return {}
    insert_rows(db, "qualifier", ("name",), ((name,) for name in distinct))
    return dict(rows_where_in(db, "SELECT name, id FROM qualifier", "name", distinct))


def qualifier_names(db: Database, ids: Iterable[int]) -> dict[int, str]:
    """{id: name} of the subheadings with these ids."""
    sql = "SELECT id, name FROM qualifier WHERE id IN (SELECT value FROM json_each(?))"
    return dict(db.execute_sql(sql, (json.dumps(sorted(set(ids))),)).fetchall())


def index_qualifiers(db: Database, item_ids: Iterable[int], *, by_text: bool = True) -> None:
    """Add the subheading rows of these items' links (those there already are kept).
    ``by_text``: some link may name a subheading by its text (a name not in lower case, or a
    link written before); without, the two passes that look for such names are left out (a
    second of a 100,000-record import)."""
    for chunk in chunked(sorted(set(item_ids)), CHUNK):
        ids = json.dumps(chunk)
        db.execute_sql(_QUALIFIERS_BY_ID, (ids,))
        if by_text:
            db.execute_sql(_QUALIFIER_NAMES, (ids,))
            db.execute_sql(_QUALIFIERS, (ids,))


def link_affiliations(db: Database, links: Iterable[tuple[int, int]]) -> None:
    """Add these (affiliation id, item id) rows, made by the caller from the creator rows it
    has just written (``items.insert``): what ``index_affiliations`` reads back from them,
    in the same order, without parsing their JSON again."""
    rows = list(links)
    if rows:  # (the statement is not even made for none: an older library has no such table)
        insert_rows(db, "item_affiliation", ("affiliation_id", "item_id"), rows)


def link_qualifiers(db: Database, rows: Iterable[tuple[int, int, int]]) -> None:
    """Add these (item id, tag id, qualifier id) rows, made by the caller from the links it
    has just written, each naming its subheadings by id (``items.insert``): what
    ``index_qualifiers`` reads back from them, in the same order."""
    listed = list(rows)
    if listed:  # (the statement is not even made for none: an older library has no such table)
        insert_rows(db, "mesh_qualifier", ("item_id", "tag_id", "qualifier_id"), listed)


def index_affiliations(db: Database, item_ids: Iterable[int], *, replace: bool = False) -> None:
    """Link these items to their creators' affiliations; ``replace``: their creators were
    rewritten, so their old links go first."""
    for chunk in chunked(sorted(set(item_ids)), CHUNK):
        ids = json.dumps(chunk)
        if replace:
            sql = "DELETE FROM item_affiliation WHERE item_id IN (SELECT value FROM json_each(?))"
            db.execute_sql(sql, (ids,))
        db.execute_sql(_LINKS_BY_ID, (ids,))
        db.execute_sql(_AFFILIATIONS, (ids,))  # rows that hold texts (written before)
        db.execute_sql(_LINKS_BY_TEXT, (ids,))
