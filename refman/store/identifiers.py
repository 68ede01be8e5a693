"""Items found by their identifiers, many at once: which PMIDs, DOIs, PMCIDs, ISBNs or URLs the
library already holds (items in the Trash left out), through the indexed key columns where
there is one. Used before fetching records (add by identifier) and to mark search results
that are already in the library (Search PubMed).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from peewee import Database

from refman.model import ItemId
from refman.store.mapping import doi_key, natural_key


def _bare_url(value: str) -> str:
    """A web address as the "url" kind compares it (see _COLUMNS)."""
    bare = value.strip().lower().rstrip("/")
    for prefix in ("https://", "http://", "www."):
        bare = bare.removeprefix(prefix)
    return bare


# kind -> (the SQL expression compared, how a value given is put in that expression's form).
# PMIDs and DOIs go through their indexed key columns; PMCIDs and ISBNs are rare enough to scan.
_COLUMNS: dict[str, tuple[str, Callable[[str], str]]] = {
    "pmid": ("item.pmid_sort", natural_key),  # index item_by_pmid
    "doi": ("item.doi_key", doi_key),  # index item_doi_key
    "pmcid": ("upper(item.pmcid)", lambda value: value.strip().upper()),
    "isbn": (
        "replace(replace(upper(item.isbn), '-', ''), ' ', '')",
        lambda value: value.replace("-", "").replace(" ", "").upper(),
    ),
    # A web address, compared without its scheme, "www." or a final "/", ignoring case: how an
    # arXiv preprint (arxiv.org/abs/...) is found whatever tool stored it.
    "url": (
        "replace(replace(replace(rtrim(lower(item.url), '/'), 'https://', ''), 'http://', ''),"
        " 'www.', '')",
        _bare_url,
    ),
}
KINDS = frozenset(_COLUMNS)


_FIND = """
SELECT {column}, MIN(item.id) FROM item
WHERE {column} IN (SELECT value FROM json_each(?))
AND item.id NOT IN (SELECT item_id FROM trash)
GROUP BY {column}
"""


def items_by_identifier(db: Database, kind: str, values: Iterable[str]) -> dict[str, ItemId]:
    """For each of ``values`` (identifiers of ``kind``: pmid, doi, pmcid, isbn, url) held by an
    item outside the Trash, the oldest such item's id, keyed by the value as given."""
    column, key = _COLUMNS[kind]
    wanted: dict[str, str] = {}
    for value in values:
        wanted.setdefault(key(value), value)
    wanted.pop("", None)
    if not wanted:
        return {}
    rows = db.execute_sql(_FIND.format(column=column), (json.dumps(list(wanted)),))
    return {wanted[found]: ItemId(item_id) for found, item_id in rows if found in wanted}
