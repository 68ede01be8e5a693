"""Zotero's BibTeX import cases (tests/data/import/bibtex, from Zotero's BibTeX.js) compared
field by field with what refman reads, through a small mapping of Zotero's item JSON to
refman's fields. Where Zotero is wrong, refman does better: those cases are named below."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from refman.model import Reference
from tests.samples import DATA
from tests.unit.formats.bibtex.helpers import read
from tests.zotero import ZOTERO_FIELDS

CASES = DATA / "import" / "bibtex"

# Zotero item type -> refman item type.
TYPES = {
    "journalArticle": "article-journal",
    "book": "book",
    "bookSection": "chapter",
    "conferencePaper": "paper-conference",
    "thesis": "thesis",
    "report": "report",
    "webpage": "webpage",
    "document": "document",
}
# Zotero field -> refman field (plain text fields).
FIELDS = {
    **ZOTERO_FIELDS,
    "proceedingsTitle": "container_title",
    "reportNumber": "issue",
    "university": "publisher",
    "institution": "publisher",
}
# Where Zotero is wrong and refman does better (case, item index, Zotero field): why.
BETTER = {
    ("03", 0, "date"): "crossref: the paper takes its proceedings' date (Zotero drops it)",
    ("03", 0, "creators"): "crossref: the paper takes its proceedings' editors",
    ("03", 0, "proceedingsTitle"): "crossref: the paper's proceedings title",
    ("11", 0, "pmid"): "the PMID in the note is the item's PMID (Zotero leaves it in Extra)",
    ("19", 0, "title"): "TEL is three letters, not the ℡ sign",
    ("06", 0, "title"): "a lone \\~ is the tilde itself, not the tilde operator ∼",
    ("20", 0, "creators"): "the given names KC stay as written (Zotero makes them K. C.)",
    ("22", 0, "creators"): "D\\textquotesingle aspremont is D'aspremont (Zotero: D' aspremont)",
}
# Zotero fields refman has no place for (kept in the entry, which export gives back).
NOT_FIELDS = {
    "itemID",
    "attachments",
    "notes",
    "seeAlso",
    "extra",
    "edition",
    "rights",
    "thesisType",
    "reportType",
    "shortTitle",
    "ISSN",
    "accessDate",
    "tags",
}


def dashes(text: str) -> str:
    """Page ranges compare with any dash: refman keeps MEDLINE's hyphen."""
    return (
        re.sub(r"[\u2013\u2014]", "-", text)
        if re.fullmatch(r"[\w\s\u2013\u2014-]+", text)
        else text
    )


def plain_html(text: str) -> str:
    """Zotero's rich text (<i>, <sup>) as the plain text refman keeps."""
    return unicodedata.normalize("NFC", re.sub(r"<[^>]+>", "", text))


def zotero_date(ref: Reference) -> str:
    d = ref.date
    return "-".join(
        f"{part:0{width}d}" for part, width in ((d.year, 4), (d.month, 2), (d.day, 2)) if part
    )


def person(creator: dict) -> str:
    if creator.get("fieldMode") == 1:
        return creator["lastName"]
    given = creator.get("firstName", "").replace(", ", " ")  # Zotero: "Michael, III"
    return f"{given} {creator['lastName']}".strip()


def refman_person(creator) -> str:
    return creator.literal or f"{creator.given} {creator.family}".strip()


def compare(case: str) -> list[tuple[int, str, object, object]]:
    """(item, field, Zotero's, refman's) for each difference not named in BETTER."""
    expected = json.loads((CASES / f"zotero-bibtex-{case}.expected.json").read_text())
    refs, _ = read((CASES / f"zotero-bibtex-{case}.bib").read_bytes())
    by_title = {ref.title: ref for ref in refs}
    assert len(refs) == len(expected)
    differences = []
    for index, item in enumerate(expected):
        ref = by_title.get(plain_html(item["title"])) or refs[index]
        pairs = [("itemType", TYPES[item["itemType"]], ref.item_type)]
        pairs += [
            (name, dashes(plain_html(item[name])), dashes(getattr(ref, field)))
            for name, field in FIELDS.items()
            if name in item
        ]
        pairs.append(("date", item.get("date", ""), zotero_date(ref)))
        pairs.append(
            (
                "creators",
                [person(c) for c in item["creators"]],
                [refman_person(c) for c in ref.creators],
            )
        )
        pairs.append(
            (
                "tags",
                sorted(t["tag"] if isinstance(t, dict) else t for t in item["tags"]),
                sorted(t.name for t in ref.tags),
            )
        )
        for name, theirs, ours in pairs:
            if theirs != ours and (case, index, name) not in BETTER:
                differences.append((index, name, theirs, ours))
    return differences


# Cases whose Zotero input is not what a .bib file holds (JavaScript escapes left in: a tab
# for "\t", doubled backslashes), compared on the fields those do not touch.
ARTEFACTS = {"10": {"title"}, "19": {"creators", "publisher"}}
CASE_NAMES = sorted(p.name[len("zotero-bibtex-") : -4] for p in CASES.glob("*.bib"))


@pytest.mark.parametrize("case", CASE_NAMES)
def test_refman_reads_what_zotero_reads(case):
    differences = [d for d in compare(case) if d[1] not in ARTEFACTS.get(case, set())]
    assert differences == []


def test_crossref_gives_the_paper_its_proceedings_where_zotero_does_not():
    refs, problems = read((CASES / "zotero-bibtex-03.bib").read_bytes())
    paper = next(ref for ref in refs if ref.item_type == "paper-conference")
    assert paper.container_title == "Proceedings of the Xth Conference on XYZ"
    assert (paper.date.year, paper.date.month) == (2006, 10)
    assert [c.family for c in paper.editors()] == ["Editor", "Editor"]
    assert problems == []


def test_a_pmid_in_the_note_is_the_items_pmid_where_zotero_leaves_it_in_extra():
    (ref,), _ = read((CASES / "zotero-bibtex-11.bib").read_bytes())
    assert ref.pmid == "23439512"


def test_tel_stays_three_letters_where_zotero_makes_it_a_sign():
    (ref,), _ = read((CASES / "zotero-bibtex-19.bib").read_bytes())
    assert ref.title == "The impossible TEL\u2014book"
