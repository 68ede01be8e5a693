"""Zotero's EndNote XML import cases as an oracle: each item Zotero makes, compared field by
field with refman's reference through a small mapping (Zotero item JSON to refman fields).

Where refman differs on purpose the case is named below (DIFFERENCES) and tested on its own;
what Zotero keeps and refman has no field for is checked to be in the source record.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from refman.model import Reference
from tests import zotero
from tests.unit.formats.endnote_xml.conftest import ZOTERO_XML, read_path

# Zotero item types and creator types as refman's.
ZOTERO_TYPES = {
    "journalArticle": "article-journal",
    "newspaperArticle": "article-journal",
    "magazineArticle": "article-journal",
    "book": "book",
    "bookSection": "chapter",
    "conferencePaper": "paper-conference",
    "report": "report",
    "thesis": "thesis",
    "webpage": "webpage",
    "manuscript": "article",
    "patent": "document",
    "document": "document",
}
ZOTERO_ROLES = {
    "author": "author",
    "inventor": "author",
    "editor": "editor",
    "seriesEditor": "collection-editor",
    "translator": "translator",
}
# Zotero's field: refman's field. Zotero's container fields all are refman's container_title.
ZOTERO_FIELDS = {
    **zotero.ZOTERO_FIELDS,
    "bookTitle": "container_title",
    "websiteTitle": "container_title",
}
# What Zotero keeps that refman has no field for: found in the source record instead.
SOURCE_ONLY = {"edition", "numPages", "shortTitle", "patentNumber", "extra"}
# Zotero's fields that are not the record's data (files, notes it writes, links).
NOT_COMPARED = {"itemType", "creators", "date", "issueDate", "tags", "notes", "seeAlso"}
NOT_COMPARED |= {"attachments"}  # internal-pdf:// files live in the EndNote library folder


def expected_items(path: Path) -> list[dict]:
    return json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))


def zotero_view(item: dict) -> dict:
    """The Zotero item as refman's fields."""
    view = {field: item[key] for key, field in ZOTERO_FIELDS.items() if key in item}
    view["item_type"] = ZOTERO_TYPES[item["itemType"]]
    date = item.get("date") or item.get("issueDate") or ""
    view["year"] = int(date[:4]) if date else None
    view["creators"] = [
        (
            c.get("lastName", ""),
            c.get("firstName", "").replace(".", ""),
            ZOTERO_ROLES[c["creatorType"]],
        )
        for c in item["creators"]
    ]
    view["tags"] = [tag["tag"] if isinstance(tag, dict) else tag for tag in item["tags"]]
    return view


def refman_view(ref: Reference, like: dict) -> dict:
    """The reference's fields that ``like`` (a Zotero view) has."""
    view = {field: getattr(ref, field) for field in like if hasattr(ref, field)}
    view["year"] = ref.date.year
    view["creators"] = [
        (c.family or c.literal, c.given.replace(".", ""), c.role) for c in ref.creators
    ]
    view["tags"] = [tag.name for tag in ref.tags]
    return view


# (case, item index, refman field): what refman reads instead, and why.
DIFFERENCES = {
    # Zotero keeps EndNote's styles as HTML in the title; refman's titles are plain text, and a
    # run in the Symbol font is the Greek EndNote shows ("SymbolFont" reads ΣψμβολΦοντ).
    ("02", 0, "title"): (
        "Plain Bold Italics Underline Superscript Subscript ΣψμβολΦοντ CourierNew SmallerSize "
        "Size12 TimesNewRoman-Bold-Italics-Underline-Superscript"
    ),
    # Zotero has no place for a journal article and moves "pub-location" to a note; refman
    # keeps the place of every type.
    ("01", 2, "place"): "New York",
    # A patent is a document in refman; "Patent" is kept as its publication type.
    ("01", 7, "publication_types"): ("Patent",),
    # A book section's periodical (its book) is a note in Zotero, the container in refman:
    # the same text as its secondary title, so the container is Zotero's bookTitle.
}


def cases() -> list[tuple[str, int, dict]]:
    return [
        (path.stem[-2:], index, item)
        for path in ZOTERO_XML
        for index, item in enumerate(expected_items(path))
    ]


@pytest.fixture(scope="module")
def read() -> dict[str, list[Reference]]:
    found = {}
    for path in ZOTERO_XML:
        refs, problems = read_path(path)
        assert problems == []
        found[path.stem[-2:]] = refs
    return found


def test_every_case_gives_as_many_references_as_zotero_items(read):
    for path in ZOTERO_XML:
        assert len(read[path.stem[-2:]]) == len(expected_items(path))


@pytest.mark.parametrize(("case", "index", "item"), cases(), ids=lambda v: str(v)[:12])
def test_each_reference_has_zoteros_fields_and_no_others_but_where_named(read, case, index, item):
    ref = read[case][index]
    expected = zotero_view(item)
    for (named_case, named_index, field), value in DIFFERENCES.items():
        if (named_case, named_index) == (case, index):
            expected[field] = value
    assert refman_view(ref, expected) == expected
    others = set(ZOTERO_FIELDS.values()) | {"publication_types", "pmid", "issns"}
    assert {
        field: getattr(ref, field) for field in others - set(expected) if getattr(ref, field)
    } == {}


@pytest.mark.parametrize(("case", "index", "item"), cases(), ids=lambda v: str(v)[:12])
def test_what_zotero_keeps_in_fields_refman_lacks_is_in_the_source_record(read, case, index, item):
    ((_, xml),) = read[case][index].source_record
    kept = {key: item[key] for key in SOURCE_ONLY if key in item}
    for key, value in kept.items():
        value = value.removeprefix("Citation Key: ")  # Zotero's "extra" line for a label
        assert value in xml, key
    assert set(item) <= set(ZOTERO_FIELDS) | SOURCE_ONLY | NOT_COMPARED


def test_the_named_differences_are_where_zotero_loses_or_mangles_something(read):
    """Each named difference is a real one: Zotero's item says otherwise."""
    items = {(case, index): item for case, index, item in cases()}
    for (case, index, field), value in DIFFERENCES.items():
        zotero = zotero_view(items[case, index]).get(field)
        assert zotero != value
        assert getattr(read[case][index], field) == value
    # Zotero's HTML in the Symbol font case, and its note for the journal's place:
    assert re.search(r"<b>Bold</b>", items["02", 0]["title"])
    assert "pub-location: New York" in items["01", 2]["notes"][0]["note"]
