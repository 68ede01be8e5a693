"""MeSH subheadings kept a row each (table mesh_qualifier), so that ``[sh]`` searches find
their items through an index (store/querying.py).

The qualifiers of a heading's link live in its ``item_tag`` row as JSON, which only a pass over
every link could search. Whoever writes links (``items.insert``, ``tags.add``) calls
``index_qualifiers`` for the items it linked, in the same transaction, with one statement; a
link that goes or moves takes its rows with it through the table's foreign key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from peewee import Database, chunked

from refman.store.bulk import CHUNK

_INDEX = """
INSERT OR IGNORE INTO mesh_qualifier (item_id, tag_id, name)
SELECT item_tag.item_id, item_tag.tag_id, lower(json_extract(q.value, '$[0]'))
FROM item_tag, json_each(item_tag.qualifiers) AS q
WHERE item_tag.item_id IN (SELECT value FROM json_each(?))
AND item_tag.qualifiers != '' AND json_valid(item_tag.qualifiers)
"""


def index_qualifiers(db: Database, item_ids: Iterable[int]) -> None:
    """Add the subheading rows of these items' links (those there already are kept)."""
    for chunk in chunked(sorted(set(item_ids)), CHUNK):
        db.execute_sql(_INDEX, (json.dumps(chunk),))
