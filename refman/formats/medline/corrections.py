"""Retractions, errata, expressions of concern, comments, updates and republications that a
MEDLINE record names (PubMed's "comments and corrections").

PubMed links a record to the notices about it, and a notice to the record it is about, with
pairs of tags whose value is the other record's citation, most often ending in its PMID:

    RIN - J Example Stud. 2021;14(2):50 PMID: 39000004     (this item is retracted in ...)
    ROF - J Example Stud. 2019;12(3):10-20. PMID: 39000001  (this item retracts ...)

``notices`` reads them from a stored source record, offline; each ``Notice`` says its kind,
whether it is about this item (``RIN``, ``EIN``, ``ECI``, ``CIN``, ``UIN``, ``RPI``) or this
item is the notice about another (``ROF``, ``EFR``, ``ECF``, ``CON``, ``UOF``, ``RPF``), and the
other record's citation and PMID. A record whose publication type says "Retracted Publication"
(or "Retraction of Publication") without the linking line still gives its notice, without a
citation. ``flags`` sums notices up into the few marks the library keeps per item.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from refman.model import SourceRecord

RETRACTED = "retracted"
RETRACTION_NOTICE = "retraction notice"
ERRATUM = "erratum"
CONCERN = "expression of concern"
COMMENT = "comment"
UPDATE = "update"
REPUBLISHED = "republished"

KINDS = (RETRACTED, RETRACTION_NOTICE, ERRATUM, CONCERN, COMMENT, UPDATE, REPUBLISHED)

# tag -> (kind, about_this). "about this" means the cited record is a notice about this item.
_TAGS: dict[str, tuple[str, bool]] = {
    "RIN": (RETRACTED, True),
    "ROF": (RETRACTION_NOTICE, False),
    "EIN": (ERRATUM, True),
    "EFR": (ERRATUM, False),
    "ECI": (CONCERN, True),
    "ECF": (CONCERN, False),
    "CIN": (COMMENT, True),
    "CON": (COMMENT, False),
    "UIN": (UPDATE, True),
    "UOF": (UPDATE, False),
    "RPI": (REPUBLISHED, True),
    "RPF": (REPUBLISHED, False),
}
NOTICE_TAGS = frozenset(_TAGS)

# Publication types that say the same as a linking tag, for records that lack the line.
_PT_KINDS = {
    "retracted publication": ("RIN", RETRACTED),
    "retraction of publication": ("ROF", RETRACTION_NOTICE),
}

# "... PMID: 12345" (PubMed's form); older records sometimes have "PMID 12345".
_PMID = re.compile(r"\s*\bPMID:?\s*(\d+)\b")
# Some records lead the citation with the link's name ("Retraction in: Lancet. 2010..."),
# which the notice's own label already says.
_LINK_NAME = re.compile(
    r"^(retraction|erratum|comment|expression of concern|update|republished)\s+"
    r"(in|of|for|on|from)\s*:\s*",
    re.IGNORECASE,
)

# The flags the library keeps per item: the notices a reader must be warned of.
FLAG_RETRACTED = "retracted"
FLAG_CONCERN = "concern"
FLAG_ERRATUM = "erratum"
FLAGS = (FLAG_RETRACTED, FLAG_CONCERN, FLAG_ERRATUM)
_FLAG_OF_KIND = {RETRACTED: FLAG_RETRACTED, CONCERN: FLAG_CONCERN, ERRATUM: FLAG_ERRATUM}


@dataclass(frozen=True)
class Notice:
    """One notice linked to an item.

    ``kind`` is one of KINDS; ``about_this`` is True when the cited record is a notice about
    this item (this item is retracted, has an erratum, ...) and False when this item is the
    notice about the cited record. ``citation`` is the cited record as PubMed prints it,
    without its PMID; ``pmid`` is its PMID, or "" when the value has none. ``tag`` is the
    MEDLINE tag it came from ("PT" for a publication type without a linking line).
    """

    kind: str
    about_this: bool
    citation: str
    pmid: str
    tag: str

    @property
    def pubmed_url(self) -> str:
        """The notice's page on PubMed, or "" when it has no PMID."""
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    def describe(self) -> str:
        """The notice in plain words, e.g. "Retracted: J Neurosurg. 2020;1:2 (PMID 12345)"."""
        label = _LABELS[(self.kind, self.about_this)]
        cited = self.citation + (f" (PMID {self.pmid})" if self.pmid else "")
        return f"{label}: {cited}" if cited else label


_LABELS = {
    (RETRACTED, True): "Retracted",
    (RETRACTION_NOTICE, False): "Retraction of",
    (ERRATUM, True): "Erratum in",
    (ERRATUM, False): "Erratum for",
    (CONCERN, True): "Expression of concern in",
    (CONCERN, False): "Expression of concern for",
    (COMMENT, True): "Comment in",
    (COMMENT, False): "Comment on",
    (UPDATE, True): "Updated in",
    (UPDATE, False): "Update of",
    (REPUBLISHED, True): "Republished in",
    (REPUBLISHED, False): "Republished from",
}


def parse_value(value: str) -> tuple[str, str]:
    """A linking value split into (citation, PMID): ``"J Neurosurg. 2020;1:2. PMID: 12345"``
    gives ``("J Neurosurg. 2020;1:2.", "12345")``; a value without a PMID gives (value, "")."""
    value = _LINK_NAME.sub("", value.strip())
    match = _PMID.search(value)
    if match is None:
        return value.strip(), ""
    citation = (value[: match.start()] + " " + value[match.end() :]).strip()
    return " ".join(citation.split()), match.group(1)


def notices(record: SourceRecord) -> tuple[Notice, ...]:
    """The notices a MEDLINE source record names, in file order, then a notice for a
    "Retracted Publication" or "Retraction of Publication" type the record has no line for."""
    found: list[Notice] = []
    for tag, value in record:
        if tag in _TAGS:
            kind, about_this = _TAGS[tag]
            citation, pmid = parse_value(value)
            found.append(Notice(kind, about_this, citation, pmid, tag))
    linked = {notice.tag for notice in found}
    for tag, value in record:
        if tag == "PT" and value.strip().lower() in _PT_KINDS:
            line_tag, kind = _PT_KINDS[value.strip().lower()]
            if line_tag not in linked:
                linked.add(line_tag)
                found.append(Notice(kind, _TAGS[line_tag][1], "", "", "PT"))
    return tuple(found)


def flags(found: Iterable[Notice]) -> tuple[str, ...]:
    """The library's flags for an item with these notices, in FLAGS order: "retracted",
    "concern" (an expression of concern), "erratum"; only notices about the item count."""
    kinds = {notice.kind for notice in found if notice.about_this}
    return tuple(flag for kind, flag in _FLAG_OF_KIND.items() if kind in kinds)
