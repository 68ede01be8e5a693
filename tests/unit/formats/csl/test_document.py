"""A document's citations in sequence against citeproc-js.

Each document in tests/data/csl/documents/ (NAME.document.json: real MEDLINE records of the
repository as CSL-JSON and a sequence of citations with repeats, groups, locators, affixes,
suppress-author and footnote numbers) comes with citeproc-js's output for it
(NAME.expected.json, written by scripts/citeproc_js_documents.js: processCitationCluster for
each citation in turn, the final state of every citation, and the bibliography). Each citation
and each bibliography entry is one case, in text and HTML; the few where refman still differs
are listed in KNOWN_DIFFERENCES (and in the folder's README) instead of being compared.
"""

from __future__ import annotations

import json
from functools import cache

import pytest

from refman.formats.csl import engine
from refman.formats.csl.document import (
    Citation,
    Cite,
    CitedDocument,
    citation_from_json,
    cite_document,
)
from refman.model import RefmanError
from tests.samples import CSL_DATA

DOCUMENTS_DIR = CSL_DATA / "documents"
DOCUMENTS = (
    "review",
    "same-author-year",
    "notes",
    "year-suffix",
    "author-only",
    "body-and-notes",
    "affixes",
    "random",
)
FORMATS = ("text", "html")

# (document, style, part) where refman's output still differs from citeproc-js's, and why.
# A part is "c<N>" (the Nth citation) or "b<N>" (the Nth bibliography entry), in both formats.
_AND = 'an institution after persons: citeproc-js writes ", &" before it'
_ORDER = "the two Nguyen 2014 entries come in the other order in citeproc-js"
_SENTENCE_PREFIX = 'a prefix ending a sentence before a number: citeproc-js adds "," ("above. ,4")'
_BRACKETS = "a prefix '(': citeproc-js turns the note's inner parentheses into brackets"
_NOTE_AUTHOR_ONLY = 'author-only in a note style: citeproc-js prints the names and ", no."'
KNOWN_DIFFERENCES: dict[tuple[str, str, str], str] = {
    ("same-author-year", "apa", "b2"): _ORDER,
    ("same-author-year", "apa", "b3"): _ORDER,
    ("same-author-year", "chicago-notes-bibliography", "b2"): _ORDER,
    ("same-author-year", "chicago-notes-bibliography", "b3"): _ORDER,
    ("same-author-year", "chicago-notes-bibliography-subsequent-ibid", "b2"): _ORDER,
    ("same-author-year", "chicago-notes-bibliography-subsequent-ibid", "b3"): _ORDER,
    ("same-author-year", "chicago-author-date", "b2"): _ORDER,
    ("same-author-year", "chicago-author-date", "b3"): _ORDER,
    ("same-author-year", "nature", "b5"): _AND,
    ("author-only", "chicago-notes-bibliography", "c1"): _NOTE_AUTHOR_ONLY,
    ("author-only", "chicago-notes-bibliography", "c3"): _NOTE_AUTHOR_ONLY,
    ("author-only", "chicago-notes-bibliography", "c4"): _NOTE_AUTHOR_ONLY,
    ("author-only", "chicago-notes-bibliography-subsequent-ibid", "c1"): _NOTE_AUTHOR_ONLY,
    ("author-only", "chicago-notes-bibliography-subsequent-ibid", "c3"): _NOTE_AUTHOR_ONLY,
    ("author-only", "chicago-notes-bibliography-subsequent-ibid", "c4"): _NOTE_AUTHOR_ONLY,
    ("affixes", "american-medical-association", "c6"): _SENTENCE_PREFIX,
    ("affixes", "nlm-citation-sequence", "c6"): _SENTENCE_PREFIX,
    ("affixes", "nature", "c6"): _SENTENCE_PREFIX,
    ("affixes", "chicago-notes-bibliography", "c4"): _BRACKETS,
    ("affixes", "chicago-notes-bibliography-subsequent-ibid", "c4"): _BRACKETS,
}


@cache
def load(name: str) -> tuple[dict, dict]:
    document = json.loads((DOCUMENTS_DIR / f"{name}.document.json").read_text(encoding="utf-8"))
    expected = json.loads((DOCUMENTS_DIR / f"{name}.expected.json").read_text(encoding="utf-8"))
    return document, expected


def citations_for(document: dict, style: str) -> list[Citation]:
    """The document's citations as the script gives them: note numbers in note styles only."""
    note_style = engine(style).root.get("class") == "note"
    return [
        citation_from_json({**c, "note": c["note"] if note_style else 0}, n)
        for n, c in enumerate(document["citations"], 1)
    ]


@cache
def rendered(name: str, style: str, fmt: str) -> CitedDocument:
    document, _ = load(name)
    return cite_document(document["items"], citations_for(document, style), style, fmt)


def cases() -> list[tuple[str, str, str, str]]:
    out = []
    for name in DOCUMENTS:
        _, expected = load(name)
        for style, outputs in expected.items():
            parts = [f"c{n}" for n in range(1, len(outputs["text"]["citations"]) + 1)]
            parts += [f"b{n}" for n in range(1, len(outputs["text"]["bibliography"]) + 1)]
            for part in parts:
                if (name, style, part) not in KNOWN_DIFFERENCES:
                    out.extend((name, style, part, fmt) for fmt in FORMATS)
    return out


@pytest.mark.parametrize(("name", "style", "part", "fmt"), cases())
def test_document_matches_citeproc_js(name, style, part, fmt):
    _, expected = load(name)
    want = expected[style][fmt]
    got = rendered(name, style, fmt)
    index = int(part[1:]) - 1
    if part.startswith("c"):
        assert len(got.citations) == len(want["citations"])
        assert got.citations[index] == want["citations"][index]
    else:
        assert len(got.bibliography) == len(want["bibliography"])
        assert got.bibliography[index] == want["bibliography"][index]


def test_every_style_of_the_issue_is_compared():
    compared = {style for _, style, _, _ in cases()}
    assert {
        "american-medical-association",
        "nlm-citation-sequence",
        "apa",
        "chicago-notes-bibliography",
        "chicago-notes-bibliography-subsequent-ibid",
        "chicago-author-date",
        "nature",
        "ieee",
    } <= compared


def test_the_known_differences_still_differ():
    """A difference fixed is taken off the list, so that its case is compared again."""
    for (name, style, part), _why in KNOWN_DIFFERENCES.items():
        _, expected = load(name)
        index = int(part[1:]) - 1
        key = "citations" if part.startswith("c") else "bibliography"
        got = getattr(rendered(name, style, "text"), key)[index]
        assert got != expected[style]["text"][key][index]


# --- behaviour a writer sees, on the review's items -----------------------------------------


def review_items() -> list[dict]:
    document, _ = load("review")
    return document["items"]


def ids() -> list[str]:
    return [item["id"] for item in review_items()]


def text(citations: list[Citation], style: str) -> list[str]:
    return cite_document(review_items(), citations, style).citations


def test_numbers_follow_the_first_citation_and_ranges_collapse():
    a, b, c, d, e = ids()[:5]
    cites = [
        Citation((Cite(e),)),
        Citation((Cite(a), Cite(b), Cite(c), Cite(e))),
        Citation((Cite(d), Cite(b))),
    ]
    assert text(cites, "american-medical-association") == ["1", "1–4", "3,5"]


def test_a_cite_with_a_locator_stays_out_of_a_range():
    a, b, c = ids()[:3]
    cites = [Citation((Cite(a), Cite(b, locator="4"), Cite(c)))]
    assert text(cites, "american-medical-association") == ["1,2(p4),3"]


def test_ibid_and_ibid_with_locator_in_consecutive_notes():
    a = ids()[0]
    cites = [
        Citation((Cite(a, locator="25"),), note=1),
        Citation((Cite(a, locator="25"),), note=2),
        Citation((Cite(a, locator="26", label="figure"),), note=3),
        Citation((Cite(a),), note=4),
    ]
    out = text(cites, "chicago-notes-bibliography-subsequent-ibid")
    assert out[1] == "Ibid."
    assert out[2] == "Ibid., fig. 26."
    assert not out[3].startswith("Ibid")  # the locator before it: a short note, not "Ibid."
    assert len(out[3]) < len(out[0])


def test_a_note_far_from_the_first_is_not_ibid():
    a = ids()[0]
    cites = [Citation((Cite(a),), note=1), Citation((Cite(a),), note=3)]
    later = text(cites, "chicago-notes-bibliography-subsequent-ibid")[1]
    assert not later.startswith("Ibid") and len(later) < len(
        text(cites[:1], "chicago-notes-bibliography")[0]
    )


def test_suppress_author_prefix_and_suffix():
    a = ids()[0]
    out = text(
        [Citation((Cite(a, prefix="see", suffix="for details", suppress_author=True),))], "apa"
    )
    assert out == ["(see 2019 for details)"]


def test_an_author_only_citation_prints_the_names_alone():
    a, b = ids()[:2]  # Zaidat 2019, Brinjikji 2018
    cites = [Citation((Cite(b, author_only=True), Cite(a))), Citation((Cite(b),))]
    assert text(cites, "apa") == ["Brinjikji et al.", "(Brinjikji et al., 2018)"]
    assert text(cites, "american-medical-association")[0] == "[NO_PRINTED_FORM]"


def test_the_bibliography_lists_the_cited_items_once_in_the_style_order():
    a, b = ids()[:2]
    document = cite_document(
        review_items(), [Citation((Cite(b),)), Citation((Cite(a), Cite(b)))], "apa"
    )
    assert len(document.bibliography) == 2
    assert set(document.items) == {a, b}


def test_a_cite_of_an_item_not_given_is_refused_by_its_citation_number():
    with pytest.raises(RefmanError, match="Citation 2 cites an item that is not given: nope"):
        text([Citation((Cite(ids()[0]),)), Citation((Cite("nope"),))], "apa")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"cites": [{"id": "1", "label": "pages"}]}, "unknown locator label 'pages'"),
        ({"cites": [{"locator": "3"}]}, "a cite without an item id"),
        ({"cites": [{"id": "1", "pages": "3"}]}, "unknown cite field pages"),
        ({"note": -1, "cites": []}, "note number must be a whole number"),
        ({"cites": "1"}, "not an object with a list of cites"),
        ([], "not an object with a list of cites"),
    ],
)
def test_bad_citations_are_refused_in_plain_words(data, message):
    with pytest.raises(RefmanError, match=message):
        citation_from_json(data, 3)


def test_an_unknown_output_format_is_refused():
    with pytest.raises(RefmanError, match="Unknown output format 'pdf'"):
        cite_document(review_items(), [], "apa", "pdf")


def test_the_documents_locale_where_the_style_sets_none():
    a = ids()[0]
    cited = [Citation((Cite(a, locator="3"),))]
    german = cite_document(review_items(), cited, "apa", locale="de-DE").citations[0]
    assert german.endswith(", S. 3)")
    assert cite_document(review_items(), cited, "apa").citations[0].endswith(", p. 3)")
    # Nature fixes en-GB: a document's locale does not change it (citeproc-js, not forced).
    nature = cite_document(review_items(), cited, "nature", locale="de-DE").citations[0]
    assert nature == cite_document(review_items(), cited, "nature").citations[0]
    assert engine("apa", "de-DE").lang == "de-DE" and engine("nature", "de-DE").lang == "en-GB"
