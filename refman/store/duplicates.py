"""The duplicate rule: when two records are the same paper, and why. Written once, here.

The import checks each record against the library (``items.find_matches``, a batch at a time)
and against the records before it in the same file (``RecordIndex``); both ask
``match_reason``. The review of an import (library/review.py) asks the same, without writing.

- A conflicting identifier vetoes a match: two records whose PMIDs are both present and
  differ, or whose DOIs (as compared: ``doi_key``) are both present and differ, are different
  papers, whatever else they share.
- Otherwise the same PMID, or the same DOI, is a match.
- Otherwise the same title, year and first author (``title_key``) is a match, unless the title
  is too short or too generic to name one paper (``_TITLE_NEVER_MATCHES``).

Plain Python, no SQL: the look-up in the store fetches each candidate's PMID, DOI and title
keys (columns of ``item``) and puts them through the same function as the file's records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from refman.model import ItemId, Reference
from refman.store.mapping import doi_key, fold, natural_key, title_key, title_sort_of

SAME_PMID = "same PMID"
SAME_DOI = "same DOI"
SAME_TITLE = "same title, year and first author"
# The reasons, strongest first: the best match of several is the one with the strongest reason.
REASONS: tuple[str, ...] = (SAME_PMID, SAME_DOI, SAME_TITLE)

# Titles that many different papers carry: PubMed indexes thousands of "Editorial.",
# "Correction." and "Reply." notices, often by the same editor in the same year, and errata
# often have no author at all. Title, year and first author cannot tell them apart, so such a
# title never matches by itself (a PMID or a DOI still does). Compared folded (``fold``: case,
# accents and punctuation ignored, so "Reply.", "[Reply]" and "REPLY" are one). Titles of one
# or two words never match by title either (see ``_matchable``); they are listed all the same,
# so that the table says what it is for.
_TITLE_NEVER_MATCHES = frozenset(
    fold(title)
    for title in (
        "Editorial",
        "Guest editorial",
        "Editor's note",
        "Note from the editor",
        "From the editor",
        "Letter from the editor",
        "Correction",
        "Corrections",
        "Correction notice",
        "Erratum",
        "Errata",
        "Corrigendum",
        "Corrigenda",
        "Addendum",
        "Reply",
        "In reply",
        "Author reply",
        "Authors' reply",
        "Reply to the editor",
        "Reply to letter",
        "Reply to the letter",
        "Reply to comment",
        "Response",
        "Author response",
        "Authors' response",
        "Response to letter",
        "Response to the letter",
        "Response to comment",
        "Letter",
        "Letters",
        "Letter to the editor",
        "Letters to the editor",
        "Comment",
        "Comments",
        "Commentary",
        "Invited commentary",
        "Editorial comment",
        "Retraction",
        "Retraction notice",
        "Notice of retraction",
        "Retracted",
        "Withdrawn",
        "Expression of concern",
        "Editorial expression of concern",
        "Introduction",
        "Preface",
        "Foreword",
        "Prologue",
        "Epilogue",
        "Obituary",
        "In memoriam",
        "In this issue",
        "Highlights",
        "News",
        "Book review",
        "Book reviews",
        "Abstracts",
        "Meeting abstracts",
        "Acknowledgments",
        "Acknowledgements",
        "Acknowledgement of reviewers",
        "Thank you to our reviewers",
        "Announcements",
        "Contents",
        "Table of contents",
        "Index",
        "Author index",
        "Subject index",
        "Not available",  # PubMed's "[Not Available]." for a record without a title
        "Untitled",
    )
)
_MIN_TITLE_WORDS = 3
# The item columns that find the keys, in the order of REASONS: a candidate that shares the
# value in one of them can only match for that reason (or a stronger one, found before). The
# title key is not stored (issue 18: it held every title a third time, indexed): the items that
# may share it share its title's sort key (``DuplicateKeys.column_values``), and the key is
# made from their columns (title, year, first author) to be compared.
KEY_COLUMNS: tuple[str, ...] = ("pmid_sort", "doi_key", "title_sort")

_T = TypeVar("_T")


def title_matchable(title_sort: str) -> bool:
    """Whether items with this ``title_sort`` may match by title: the sort key has the folded
    title's words, its numbers padded (no title of ``_TITLE_NEVER_MATCHES`` has one)."""
    return bool(_matchable(title_sort))


def _matchable(key: str) -> str:
    """The title key, or "" when its title cannot name one paper by itself.

    A title in a script written without spaces counts as one word here: such records match by
    PMID or DOI only. A second copy is a small price; a different paper merged away is not.
    """
    title = key.partition("|")[0]  # fold leaves no "|" in the title part
    if title.count(" ") + 1 < _MIN_TITLE_WORDS or title in _TITLE_NEVER_MATCHES:
        return ""
    return key


@dataclass(frozen=True, slots=True)
class DuplicateKeys:
    """What the rule compares of a record: PMID and DOI as compared, title key ("" when absent,
    and "" for a title that never matches by itself).

    The PMID as compared is its sort key (``natural_key``: no stray spaces, "0123" is "123"),
    a column the look-up finds by index: the ``pmid`` column holds what the user typed.
    """

    pmid: str = ""
    doi: str = ""
    title: str = ""

    @classmethod
    def of(cls, ref: Reference) -> DuplicateKeys:
        return cls(natural_key(ref.pmid), doi_key(ref.doi), _matchable(title_key(ref)))

    @classmethod
    def of_row(cls, pmid_sort: str, doi: str, title: str) -> DuplicateKeys:
        """The keys of an item from its ``pmid_sort`` and ``doi_key`` columns and its title key
        (``mapping.title_key_of`` its title, year and first author)."""
        return cls(pmid_sort, doi, _matchable(title))

    def values(self) -> tuple[str, str, str]:
        """The keys in the order of REASONS."""
        return (self.pmid, self.doi, self.title)

    def column_values(self) -> tuple[str, str, str]:
        """What the items sharing each key hold in KEY_COLUMNS ("" for a key absent)."""
        return (self.pmid, self.doi, title_sort_of(self.title) if self.title else "")

    def lookups(self) -> list[tuple[str, str]]:
        """(kind, value) of each key present, strongest first: where candidates are."""
        kinds = ("pmid", "doi", "title")
        return [(kind, value) for kind, value in zip(kinds, self.values(), strict=True) if value]


@dataclass(frozen=True, slots=True)
class Match:
    """The library item a record duplicates, and why."""

    item_id: ItemId
    title: str
    reason: str


def match_reason(a: DuplicateKeys, b: DuplicateKeys) -> str | None:
    """Why ``a`` and ``b`` are the same paper (one of REASONS), or None when they are not.

    Symmetric: ``match_reason(a, b) == match_reason(b, a)``.
    """
    if a.pmid and b.pmid and a.pmid != b.pmid:
        return None
    if a.doi and b.doi and a.doi != b.doi:
        return None
    if a.pmid and a.pmid == b.pmid:
        return SAME_PMID
    if a.doi and a.doi == b.doi:
        return SAME_DOI
    if a.title and a.title == b.title:
        return SAME_TITLE
    return None


def best_match(
    keys: DuplicateKeys, candidates: Iterable[tuple[DuplicateKeys, tuple[int, ...], _T]]
) -> tuple[str, _T] | None:
    """(reason, value) of the candidate that ``keys`` matches best, or None.

    Each candidate is (its keys, a rank, a value). The strongest reason wins, then the lowest
    rank (the store ranks a live item before a trashed one, then the oldest first).
    """
    best: tuple[int, tuple[int, ...], _T] | None = None
    for other, rank, value in candidates:
        reason = match_reason(keys, other)
        if reason is None:
            continue
        order = (REASONS.index(reason), rank)
        if best is None or order < best[:2]:
            best = (*order, value)
    return None if best is None else (REASONS[best[0]], best[2])


class RecordIndex:
    """Records seen so far (waiting to be written, or reviewed), found again by their keys.

    ``find`` puts the records sharing a key with a new one through the rule above; the import
    keeps one for the records of a batch waiting to be written, the review one for every new
    record of a file.
    """

    def __init__(self) -> None:
        self._keys: list[DuplicateKeys | None] = []
        self._by_key: dict[tuple[str, str], list[int]] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, keys: DuplicateKeys | None) -> int:
        """Index a record (one without keys is counted, never found); its number."""
        self._keys.append(keys)
        number = len(self._keys) - 1
        if keys is not None:
            self._index(number, keys)
        return number

    def rekey(self, number: int, keys: DuplicateKeys) -> None:
        """Record ``number`` gained keys (a record merged into it): find it by those too."""
        self._keys[number] = keys
        self._index(number, keys)

    def find(self, keys: DuplicateKeys) -> tuple[str, int] | None:
        """(reason, number) of the record that ``keys`` matches best, or None."""
        numbers = {i for key in keys.lookups() for i in self._by_key.get(key, ())}
        candidates = ((k, (i,), i) for i in numbers if (k := self._keys[i]) is not None)
        return best_match(keys, candidates)

    def _index(self, number: int, keys: DuplicateKeys) -> None:
        for key in keys.lookups():
            found = self._by_key.setdefault(key, [])
            if number not in found:
                found.append(number)
