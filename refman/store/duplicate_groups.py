"""The library's duplicate groups, found with the import's rule, and the pairs that are not.

The rule itself (``duplicates.match_reason``: identifiers decide; title, year and first author
only when no identifier contradicts) is the import's, written once. Finding every group in a
library asks it only of items that already share a key: SQL groups the items outside the Trash
by each key column (``pmid_sort``, ``doi_key``, ``title_sort``, all indexed) and returns the
values held by more than one item. At 100,000 items that is three index scans; the rule then
runs on the few items those values name (the items of one title split by their title keys
first), never on every pair of the library.

Items that match join one group, strongest reason first, and only while the group stays
consistent: a group never holds two different PMIDs or two different DOIs (two items of it
would contradict), nor two items the user said are not duplicates (``not_duplicate``, schema
step "Not Duplicates"). So an article, its preprint with another DOI and a record that shares
only their title make at most one pair, never a chain of three.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from peewee import Database, chunked

from refman.model import ItemId
from refman.store.bulk import CHUNK, rows_where_in
from refman.store.duplicates import (
    KEY_COLUMNS,
    REASONS,
    DuplicateKeys,
    match_reason,
    title_matchable,
)
from refman.store.mapping import title_key_of

_NOT_TRASHED = "id NOT IN (SELECT item_id FROM trash)"
# The keys held by more than one item outside the Trash, with those items' ids.
_SHARED_KEYS = (
    "SELECT {column}, group_concat(id) FROM item "
    "WHERE {column} != '' AND " + _NOT_TRASHED + " GROUP BY {column} HAVING COUNT(*) > 1"
)
# What an item's keys are made of: its title, PMID and DOI keys, year, and its first author's
# family (or group) name, as mapping.title_key takes it (row_keys). An author's role is stored
# as "" (mapping.STORED_AUTHOR), "author" in rows written before issue 18 (i18-bytes).
FIRST_AUTHOR = """(
    SELECT CASE WHEN c.family != '' THEN c.family ELSE c.literal END FROM creator c
    WHERE c.item_id = item.id AND c.role IN ('', 'author') ORDER BY c.position LIMIT 1
)"""
KEY_PARTS = f"title, pmid_sort, doi_key, year, {FIRST_AUTHOR}"
_MEMBER_COLUMNS = f"SELECT id, date_added, title_sort, {KEY_PARTS} FROM item"


def row_keys(
    title: str, pmid: str, doi: str, year: int | None, family: str | None
) -> DuplicateKeys:
    """The keys of an item from its KEY_PARTS."""
    return DuplicateKeys.of_row(pmid, doi, title_key_of(title, year, family or ""))


@dataclass(frozen=True)
class DuplicateGroup:
    """Items that are one paper: oldest first (by date added, then id), with why they matched
    (REASONS, strongest first)."""

    ids: tuple[ItemId, ...]
    reasons: tuple[str, ...]


@dataclass
class _Member:
    keys: DuplicateKeys
    added: str
    title_sort: str


class _Group:
    """A group being built: its members and the identifiers they hold between them."""

    def __init__(self, item_id: int, keys: DuplicateKeys):
        self.ids = [item_id]
        self.pmids = {keys.pmid} - {""}
        self.dois = {keys.doi} - {""}
        self.reasons: set[str] = set()

    def can_join(self, other: _Group, apart: dict[int, set[int]]) -> bool:
        """True when the two groups together hold no contradicting identifiers and no pair
        the user said is not a duplicate."""
        if len(self.pmids | other.pmids) > 1 or len(self.dois | other.dois) > 1:
            return False
        theirs = set(other.ids)
        return not any(apart.get(item_id, set()) & theirs for item_id in self.ids)

    def join(self, other: _Group, reason: str) -> None:
        self.ids += other.ids
        self.pmids |= other.pmids
        self.dois |= other.dois
        self.reasons |= other.reasons | {reason}


def find_groups(db: Database) -> list[DuplicateGroup]:
    """Every duplicate group of the items outside the Trash, sorted by the title of their
    oldest item."""
    shared, titles = _shared_keys(db)
    members = _members(db, {item_id for ids in shared + titles for item_id in ids})
    pairs = _matching_pairs(shared + _by_title_key(titles, members), members)
    apart = _apart(db, members)
    groups = {item_id: _Group(item_id, member.keys) for item_id, member in members.items()}
    for strength, first, second in sorted(pairs):
        mine, theirs = groups[first], groups[second]
        if mine is theirs or not mine.can_join(theirs, apart):
            continue
        mine.join(theirs, REASONS[strength])
        for item_id in theirs.ids:
            groups[item_id] = mine
    found = []
    for group in {id(g): g for g in groups.values() if len(g.ids) > 1}.values():
        ids = sorted(group.ids, key=lambda i: (members[i].added, i))
        reasons = tuple(r for r in REASONS if r in group.reasons)
        found.append(DuplicateGroup(tuple(ItemId(i) for i in ids), reasons))
    found.sort(key=lambda g: (members[g.ids[0]].title_sort, g.ids[0]))
    return found


def _shared_keys(db: Database) -> tuple[list[list[int]], list[list[int]]]:
    """The ids of the items that share each PMID or DOI key held more than once, and those
    that share a title's sort key (titles that cannot name one paper by themselves left out,
    as the rule says)."""
    shared: list[list[int]] = []
    titles: list[list[int]] = []
    for column in KEY_COLUMNS:
        for value, ids in db.execute_sql(_SHARED_KEYS.format(column=column)):
            if column != "title_sort":
                shared.append([int(i) for i in ids.split(",")])
            elif title_matchable(value):
                titles.append([int(i) for i in ids.split(",")])
    return shared, titles


def _by_title_key(shared: list[list[int]], members: dict[int, _Member]) -> list[list[int]]:
    """The items sharing a title's sort key, split by their title keys (the year and first
    author): only items with the same key can match by title, and the pairs of a title that
    hundreds of items carry need not all be compared."""
    split: list[list[int]] = []
    for ids in shared:
        same: dict[str, list[int]] = {}
        for item_id in ids:
            same.setdefault(members[item_id].keys.title, []).append(item_id)
        split += [ids for title, ids in same.items() if title and len(ids) > 1]
    return split


def _members(db: Database, ids: Iterable[int]) -> dict[int, _Member]:
    found = {}
    for item_id, added, title_sort, *parts in rows_where_in(db, _MEMBER_COLUMNS, "id", sorted(ids)):
        found[item_id] = _Member(row_keys(*parts), added, title_sort)
    return found


def _matching_pairs(
    shared: Sequence[Sequence[int]], members: dict[int, _Member]
) -> set[tuple[int, int, int]]:
    """(strength of the reason, smaller id, larger id) of each pair sharing a key that the
    rule calls the same paper (0 is the strongest, as in REASONS)."""
    pairs = set()
    for ids in shared:
        for first, second in combinations(sorted(ids), 2):
            reason = match_reason(members[first].keys, members[second].keys)
            if reason is not None:
                pairs.add((REASONS.index(reason), first, second))
    return pairs


def _apart(db: Database, members: dict[int, _Member]) -> dict[int, set[int]]:
    """{item id: the items it is not a duplicate of}, for the items that share a key."""
    apart: dict[int, set[int]] = {}
    for first, second in not_duplicate_pairs(db, list(members)):
        apart.setdefault(first, set()).add(second)
        apart.setdefault(second, set()).add(first)
    return apart


# --- "Not Duplicates" -------------------------------------------------------------------------


def not_duplicate_pairs(db: Database, ids: Sequence[int]) -> list[tuple[ItemId, ItemId]]:
    """The remembered pairs (smaller id first) in which one of ``ids`` takes part."""
    found: set[tuple[ItemId, ItemId]] = set()
    for column in ("first_id", "second_id"):
        rows = rows_where_in(db, "SELECT first_id, second_id FROM not_duplicate", column, ids)
        found.update((ItemId(a), ItemId(b)) for a, b in rows)
    return sorted(found)


def pairs_of(ids: Iterable[ItemId]) -> list[tuple[ItemId, ItemId]]:
    """Every pair of the items, smaller id first."""
    return list(combinations(sorted(set(ids)), 2))


def remember_not_duplicates(
    db: Database, pairs: Sequence[tuple[ItemId, ItemId]]
) -> list[tuple[ItemId, ItemId]]:
    """Remember the pairs (smaller id first) as not duplicates; those not remembered before."""
    known = set(not_duplicate_pairs(db, sorted({i for pair in pairs for i in pair})))
    new = [pair for pair in dict.fromkeys(pairs) if pair not in known]
    db.cursor().executemany(
        "INSERT INTO not_duplicate (first_id, second_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        new,
    )
    return new


def forget_not_duplicates(db: Database, pairs: Sequence[tuple[ItemId, ItemId]]) -> None:
    """Forget the pairs: the finder may propose them again."""
    for chunk in chunked(list(pairs), CHUNK):
        db.cursor().executemany(
            "DELETE FROM not_duplicate WHERE first_id = ? AND second_id = ?", chunk
        )
