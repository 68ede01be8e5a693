"""The CSL-JSON reader as the registry gives it: real files from Zotero, doi.org, Crossref and
Pandoc compared field by field, and round trips of refman's own export."""

import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refman import formats
from refman.formats import csl_json
from refman.formats.csl_json.mapping import CONTENT_FIELDS
from refman.formats.csl_json.values import SEASON_NAMES, SEASON_NUMBERS
from refman.model import TAG_MANUAL, Creator, Issn, PartialDate, Problem, Reference, Tag
from tests import zotero
from tests.samples import ALL, CSL_CHAPTER, DATA, RICH
from tests.unit.formats.medline.helpers import references

CASES = DATA / "import" / "csljson"
SAMPLES = (*ALL, CSL_CHAPTER, RICH)


def read_file(path: Path) -> list[Reference]:
    """The references of a file through the registry's reader, which must meet no problem."""
    problems: list[Problem] = []
    reader = formats.find_reader("csl-json").reader
    assert reader is not None
    with path.open("rb") as stream:
        found = [ref for _, ref in reader(stream, name=path.name, on_problem=problems.append)]
    assert problems == []
    return found


def written(refs) -> str:
    out = io.StringIO()
    csl_json.write(refs, out)
    return out.getvalue()


def content(ref: Reference) -> dict:
    """What a reference says (the fields a round trip keeps), field by field."""
    return {name: getattr(ref, name) for name in CONTENT_FIELDS}


# --- Zotero's own case, field by field -------------------------------------------------------

ZOTERO_TYPES = {"book": "book", "journalArticle": "article-journal", "bookSection": "chapter"}
ZOTERO_FIELDS = zotero.ZOTERO_FIELDS  # Zotero field -> Reference attribute
# Zotero fields refman has no place for: kept in the source record, given back on export.
ZOTERO_ONLY = {"numPages": "number-of-pages", "itemID": "id"}
MONTHS = "January February March April May June July August September October November December"


def zotero_date(text: str) -> tuple[int | None, int | None, int | None]:
    """Zotero's "January 1, 2013" as (year, month, day)."""
    match = re.fullmatch(r"(?:(\w+) (?:(\d+), )?)?(\d{4})", text)
    assert match, text
    month = MONTHS.split().index(match[1]) + 1 if match[1] else None
    return int(match[3]), month, int(match[2]) if match[2] else None


def zotero_creator(creator: dict) -> Creator:
    if creator.get("fieldMode") == 1:
        return Creator(literal=creator["lastName"], role=creator["creatorType"])
    return Creator(creator["lastName"], creator.get("firstName", ""), role=creator["creatorType"])


@pytest.mark.parametrize("case", sorted(CASES.glob("zotero-*.expected.json")), ids=lambda p: p.name)
def test_zoteros_cases_read_as_zotero_reads_them(case):
    expected = json.loads(case.read_text(encoding="utf-8"))
    refs = read_file(case.with_name(case.name.replace(".expected", "")))
    assert len(refs) == len(expected)
    for ref, item in zip(refs, expected, strict=True):
        assert ref.item_type == ZOTERO_TYPES[item["itemType"]]
        for field, attr in ZOTERO_FIELDS.items():
            assert getattr(ref, attr) == item.get(field, ""), field
        assert ref.creators == tuple(map(zotero_creator, item["creators"]))
        date = ref.date
        assert (date.year, date.month, date.day) == zotero_date(item["date"])
        assert [t.name for t in ref.tags] == [t["tag"] for t in item["tags"]]
        source = csl_json.source_item(ref)
        assert source is not None
        for field, member in ZOTERO_ONLY.items():
            assert str(source[member]) == item[field]


def test_zoteros_case_exports_back_as_it_came():
    path = CASES / "zotero-csljson-01.json"
    assert json.loads(written(read_file(path))) == json.loads(path.read_text(encoding="utf-8"))


# --- doi.org, Crossref and Pandoc ------------------------------------------------------------


def test_doi_orgs_content_negotiation():
    (ref,) = read_file(CASES / "doi-content-negotiation.json")
    assert ref.item_type == "article-journal"  # Crossref's journal-article
    assert ref.title == "The Structure of Ordinary Water"
    assert ref.container_title == "Science"
    assert (ref.volume, ref.issue, ref.pages) == ("169", "3946", "635-641")
    assert ref.doi == "10.1126/science.169.3946.635"
    assert ref.date == PartialDate(1970, 8, 14)
    assert ref.issns == (Issn("0036-8075"), Issn("1095-9203"))
    assert ref.creators == (
        Creator(
            "Frank",
            "Henry S.",
            affiliations=(
                "University of Pittsburgh, Mellon Institute of Carnegie-Mellon University",
            ),
        ),
    )
    assert ref.abstract.startswith("The train of thought") and "<jats:" not in ref.abstract


def test_crossrefs_api_message_with_lists_for_titles():
    (ref,) = read_file(CASES / "crossref-works-one-id.json")
    assert ref.title.startswith("Methylphenidate Exposure Induces Dopamine Neuron Loss")
    assert ref.container_title == "PLoS ONE"
    assert ref.pages == "e33693"
    assert ref.date == PartialDate(2012, 3, 21)  # published-online: the message has no issued
    assert ref.issns == (Issn("1932-6203", "Electronic"),)
    assert [c.family for c in ref.authors()] == [
        "Sadasivan",
        "Pond",
        "Pani",
        "Qu",
        "Jiao",
        "Smeyne",
    ]
    assert [c.family for c in ref.editors()] == ["Borlongan"]


def test_pandocs_name_parts_and_citation_keys():
    article, book = read_file(CASES / "pandoc.json")
    assert article.creators == (
        Creator("van Gogh", "Vincent"),
        Creator("Fontaine", "Jean de la"),
        Creator("King", "Martin Luther Jr."),
        Creator(literal="The ATLAS Collaboration"),
    )
    assert article.date == PartialDate(2006, 5)
    assert article.pages == "33–34"
    assert book.editors() == (Creator("Doe", "Jane", role="editor"),)
    assert (book.publisher, book.place, book.item_type) == (
        "Oxford University Press",
        "Oxford",
        "book",
    )
    # The export gives the items back: citation keys and name parts as Pandoc wrote them.
    original = json.loads((CASES / "pandoc.json").read_text(encoding="utf-8"))
    assert json.loads(written([article, book])) == original


# --- edits: the item as imported, with the edited members replaced ----------------------------


def test_an_edited_field_replaces_only_its_members():
    path = CASES / "pandoc.json"
    article, _ = read_file(path)
    edited = article.with_changes(title="A new title", volume="7")
    (item,) = json.loads(written([edited]))
    original = json.loads(path.read_text(encoding="utf-8"))[0]
    assert item == original | {"title": "A new title", "volume": "7"}
    assert list(item) == list(original)  # in their places


def test_an_edit_csl_cannot_say_brings_refmans_member():
    article, _ = read_file(CASES / "pandoc.json")
    tagged = article.with_changes(tags=(Tag("Humans", "mesh", True),))
    (item,) = json.loads(written([tagged]))
    assert item["keyword"] == "Humans"
    assert item[csl_json.EXTRAS]["tags"] == [
        {"name": "Humans", "kind": "mesh", "major": True, "qualifiers": []}
    ]
    (back,) = csl_json.read_text(json.dumps([item]))
    assert back.tags == tagged.tags


def test_a_broken_refman_member_is_said_and_the_csl_variables_read():
    item = json.loads(written([CSL_CHAPTER]))[0]
    item[csl_json.EXTRAS]["creators"] = "edited by hand"
    problems: list[Problem] = []
    (ref,) = csl_json.read_text(json.dumps([item]), "x.json", problems.append)
    assert ref.title == CSL_CHAPTER.title
    assert [c.display_name for c in ref.creators] == [c.display_name for c in CSL_CHAPTER.creators]
    assert problems == [
        Problem(
            "x.json",
            1,
            "refman's own _refman member cannot be read; read the CSL variables alone",
        )
    ]


# --- round trips -----------------------------------------------------------------------------


def test_refmans_export_reads_back_equal_and_exports_identically():
    first = written(SAMPLES)
    refs = csl_json.read_text(first)
    assert [content(ref) for ref in refs] == [content(ref) for ref in SAMPLES]
    assert written(refs) == first


def csl_view(ref: Reference) -> Reference:
    """What CSL's own variables hold of a reference (the README's list of what CSL-JSON cannot
    hold): no printed date text, no season but the four (in a date without a month), no ISSN
    kinds, creators' affiliations and ids, creators' order across roles (one list per role),
    tag kinds, MeSH stars and qualifiers, or publication types; tags are comma-separated
    keywords."""
    tags = {}
    for tag in ref.tags:
        for word in tag.name.split(","):
            if word.strip():
                tags.setdefault(word.strip(), Tag(word.strip(), TAG_MANUAL))
    return replace(
        ref,
        date=replace(ref.date, text="", season=csl_season(ref.date)),
        issns=tuple(Issn(v) for v in dict.fromkeys(i.value for i in ref.issns)),
        creators=tuple(
            replace(c, affiliations=(), ids=())
            for role in dict.fromkeys(c.role for c in ref.creators)  # one list per role
            for c in ref.creators
            if c.role == role
        ),
        tags=tuple(tags.values()),
        publication_types=(),
    )


def csl_season(date: PartialDate) -> str:
    """The season CSL holds: one of the four, as a number, in a date without a month."""
    number = SEASON_NUMBERS.get(date.season.lower())
    return SEASON_NAMES[number] if number and date.month is None else ""


def without_refmans_member(text: str) -> str:
    items = json.loads(text)
    for item in items:
        del item[csl_json.EXTRAS]
    return json.dumps(items)


def test_csl_variables_alone_lose_only_what_csl_cannot_hold():
    refs = csl_json.read_text(without_refmans_member(written(SAMPLES)))
    assert [content(ref) for ref in refs] == [content(csl_view(ref)) for ref in SAMPLES]


@settings(max_examples=100, deadline=None)
@given(st.lists(references(), min_size=1, max_size=3))
def test_generated_references_round_trip(refs):
    first = written(refs)
    back = csl_json.read_text(first)
    assert [content(ref) for ref in back] == [content(ref) for ref in refs]
    assert written(back) == first
    plain = csl_json.read_text(without_refmans_member(first))
    assert [content(ref) for ref in plain] == [content(csl_view(ref)) for ref in refs]


# --- where Zotero does worse -----------------------------------------------------------------


def test_better_than_zotero_an_item_with_a_null_type_does_not_refuse_the_file():
    """Zotero refuses a whole file when one item has ``"type": null`` ("not in a supported
    format", anystyle issue 226, as AnyStyle writes unknown types): refman guesses the type."""
    text = json.dumps(
        [
            {"type": None, "title": "Unknown kind", "container-title": "J Things"},
            {"type": None, "title": "Unknown, no container"},
            {"type": "book", "title": "A book"},
        ]
    )
    refs = csl_json.read_text(text)
    assert [r.item_type for r in refs] == ["article-journal", "document", "book"]


def test_better_than_zotero_raw_dates_are_read():
    """Zotero ignores a date given as ``raw`` (pandoc-citeproc issue 15), which citeproc-js
    reads and older Pandoc and Mendeley write: refman reads it."""
    (ref,) = csl_json.read_text(json.dumps([{"title": "T", "issued": {"raw": "2009-01-01"}}]))
    assert (ref.date.year, ref.date.month, ref.date.day) == (2009, 1, 1)
