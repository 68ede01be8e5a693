"""The small indexes that field searches read (store/querying.py), kept beside the tables they
come from: MeSH subheadings a row each (``mesh_qualifier``, for ``[sh]``) and the distinct
affiliations of the creators with the items that carry them (``affiliation``,
``item_affiliation``, for ``[ad]``).

The qualifiers of a heading's link live in its ``item_tag`` row as JSON, and affiliations in
each creator's row as JSON: only a pass over every link or every creator could search them.
Whoever writes links or creators (``items.insert``, ``items.write_fields``, ``tags.add``)
calls these functions for the items it wrote, in the same transaction, each a statement or
two over those items (no trigger on insert: see tag_total in migrations). A link or an item
that goes takes its rows with it through the tables' foreign keys. An affiliation no item
carries any more stays in ``affiliation``, where it finds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from peewee import Database, chunked

from refman.store.bulk import CHUNK

_QUALIFIERS = """
INSERT OR IGNORE INTO mesh_qualifier (item_id, tag_id, name)
SELECT item_tag.item_id, item_tag.tag_id, lower(json_extract(q.value, '$[0]'))
FROM item_tag, json_each(item_tag.qualifiers) AS q
WHERE item_tag.item_id IN (SELECT value FROM json_each(?))
AND item_tag.qualifiers != '' AND json_valid(item_tag.qualifiers)
"""

# The creators' affiliations of these items: the text once in affiliation, and a link per item.
_AFFILIATIONS = """
INSERT OR IGNORE INTO affiliation (text)
SELECT DISTINCT a.value FROM creator, json_each(creator.affiliations) AS a
WHERE creator.item_id IN (SELECT value FROM json_each(?1))
AND creator.affiliations != '' AND json_valid(creator.affiliations)
"""
_AFFILIATION_LINKS = """
INSERT OR IGNORE INTO item_affiliation (affiliation_id, item_id)
SELECT affiliation.id, creator.item_id
FROM creator, json_each(creator.affiliations) AS a JOIN affiliation ON affiliation.text = a.value
WHERE creator.item_id IN (SELECT value FROM json_each(?1))
AND creator.affiliations != '' AND json_valid(creator.affiliations)
"""


def index_qualifiers(db: Database, item_ids: Iterable[int]) -> None:
    """Add the subheading rows of these items' links (those there already are kept)."""
    for chunk in chunked(sorted(set(item_ids)), CHUNK):
        db.execute_sql(_QUALIFIERS, (json.dumps(chunk),))


def index_affiliations(db: Database, item_ids: Iterable[int], *, replace: bool = False) -> None:
    """Link these items to their creators' affiliations; ``replace``: their creators were
    rewritten, so their old links go first."""
    for chunk in chunked(sorted(set(item_ids)), CHUNK):
        ids = json.dumps(chunk)
        if replace:
            sql = "DELETE FROM item_affiliation WHERE item_id IN (SELECT value FROM json_each(?))"
            db.execute_sql(sql, (ids,))
        db.execute_sql(_AFFILIATIONS, (ids,))
        db.execute_sql(_AFFILIATION_LINKS, (ids,))
