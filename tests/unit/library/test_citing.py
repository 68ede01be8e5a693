"""Citing in documents from the library: a document's citations name library items by id and
read as citeproc-js writes them for the same records (tests/data/csl/documents)."""

from __future__ import annotations

import json

import pytest

from refman.formats.csl.document import Citation, Cite, citation_from_json
from refman.library import Library
from refman.model import MissingItemError, RefmanError
from tests.samples import CSL_DATA, DATA

DOCUMENTS = CSL_DATA / "documents"


@pytest.fixture(scope="module")
def balloon_library(tmp_path_factory):
    """A library holding the balloon-guide MEDLINE set, and {PMID: item id}."""
    path = tmp_path_factory.mktemp("citing") / "library.sqlite"
    with Library(path) as library:
        library.importing.files([DATA / "nbib-pubmed-balloongui-set.nbib"])
        document = json.loads((DOCUMENTS / "notes.document.json").read_text(encoding="utf-8"))
        pmids = [item["id"] for item in document["items"]]
        by_pmid = library.items.with_identifiers("pmid", pmids)
        assert set(by_pmid) == set(pmids)
        yield library, by_pmid


def library_citations(by_pmid: dict, note_style: bool) -> list[Citation]:
    """The notes document's citations with library item ids instead of PMIDs."""
    document = json.loads((DOCUMENTS / "notes.document.json").read_text(encoding="utf-8"))
    out = []
    for n, data in enumerate(document["citations"], 1):
        cites = [{**c, "id": str(by_pmid[c["id"]])} for c in data["cites"]]
        out.append(
            citation_from_json({"note": data["note"] if note_style else 0, "cites": cites}, n)
        )
    return out


@pytest.mark.parametrize(
    ("style", "note_style"),
    [("american-medical-association", False), ("chicago-notes-bibliography-subsequent-ibid", True)],
)
def test_a_document_of_library_items_reads_as_citeproc_js_writes_it(
    balloon_library, style, note_style
):
    library, by_pmid = balloon_library
    expected = json.loads((DOCUMENTS / "notes.expected.json").read_text(encoding="utf-8"))[style]
    document = library.citing.cite_document(style, library_citations(by_pmid, note_style))
    assert document.citations == expected["text"]["citations"]
    assert len(document.bibliography) == len(expected["text"]["bibliography"])
    assert set(document.items) == {str(by_pmid[p]) for p in by_pmid}


def test_html_citations_of_library_items(balloon_library):
    library, by_pmid = balloon_library
    expected = json.loads((DOCUMENTS / "notes.expected.json").read_text(encoding="utf-8"))["ieee"]
    document = library.citing.cite_document("ieee", library_citations(by_pmid, False), "html")
    assert document.citations == expected["html"]["citations"]


def test_an_item_not_in_the_library_is_named(balloon_library):
    library, _ = balloon_library
    with pytest.raises(MissingItemError):
        library.citing.cite_document("apa", [Citation((Cite("999999"),))])


def test_a_cite_that_is_not_an_item_id_is_refused_in_plain_words(balloon_library):
    library, _ = balloon_library
    with pytest.raises(
        RefmanError, match="Citation 1 cites 'knowles2023', which is not an item id"
    ):
        library.citing.cite_document("apa", [Citation((Cite("knowles2023"),))])


def test_an_unknown_style_is_refused_in_plain_words(balloon_library):
    library, by_pmid = balloon_library
    item = str(next(iter(by_pmid.values())))
    with pytest.raises(RefmanError, match="Unknown style"):
        library.citing.cite_document("no-such-style-at-all", [Citation((Cite(item),))])
