"""The quick search finds items by the words of their PDFs (as Zotero's "Everything" mode), and
says which: ``items.found(...).in_pdf``, ``attachments.found_in`` for the passage."""

from __future__ import annotations

from pathlib import Path

import pytest

from refman.model import Reference, ViewQuery
from refman.store.attachments import END, START

PDFS = Path(__file__).parents[2] / "data" / "pdf"
HEART = PDFS / "rehabil-res-pract-2010-hindawi.pdf"  # heart failure, in Hindawi's journal
DEMENTIA = PDFS / "int-psychogeriatr-2014-cambridge.pdf"
SCAN = PDFS / "neg-scanned-image-only.pdf"


@pytest.fixture
def papers(library):
    """Three items: one with the heart-failure PDF, one whose title alone says "cardiac", one
    with the dementia PDF. The PDFs' text is read, as after attaching."""
    made = {}
    for name, title in (
        ("heart_pdf", "Untitled paper from a folder"),
        ("heart_title", "Cardiac output in athletes"),
        ("dementia_pdf", "Another untitled paper"),
    ):
        made[name] = library.items.add(Reference(title=title))[0]
    library.attachments.attach(made["heart_pdf"], [HEART])
    library.attachments.attach(made["dementia_pdf"], [DEMENTIA])
    assert len(library.attachments.read_text().indexed) == 2
    return made


def found(library, text: str):
    result = library.items.found(ViewQuery(text=text))
    return set(result.ids), set(result.in_pdf)


def test_a_word_only_in_a_pdf_finds_its_item_and_says_so(library, papers):
    ids, in_pdf = found(library, "programme")  # nowhere in the items' own fields
    assert ids == in_pdf == {papers["heart_pdf"]}
    assert library.items.search(ViewQuery(text="programme")) == [papers["heart_pdf"]]
    ids, in_pdf = found(library, "cardiac")  # a title and a PDF: both found, one marked
    assert ids == {papers["heart_pdf"], papers["heart_title"]}
    assert in_pdf == {papers["heart_pdf"]}
    ids, in_pdf = found(library, "athletes")  # the title alone: no mark
    assert (ids, in_pdf) == ({papers["heart_title"]}, set())


def test_each_word_may_be_found_in_the_fields_or_in_a_pdf(library, papers):
    # "untitled" is in the title, "dementia" only in the PDF: found, as Zotero finds it.
    ids, in_pdf = found(library, "untitled dementia")
    assert ids == in_pdf == {papers["dementia_pdf"]}
    assert found(library, "athletes dementia") == (set(), set())  # neither holds both


def test_queries_look_in_pdfs_through_untagged_and_pdf_terms(library, papers):
    assert found(library, "dementia[pdf]") == ({papers["dementia_pdf"]},) * 2
    ids, in_pdf = found(library, "cardiac NOT programme")
    assert ids == {papers["heart_title"]} and in_pdf == set()
    ids, in_pdf = found(library, "dementia AND another[ti]")
    assert ids == in_pdf == {papers["dementia_pdf"]}
    ids, in_pdf = found(library, "athletes[ti] OR dementia")
    assert ids == {papers["heart_title"], papers["dementia_pdf"]}
    assert in_pdf == {papers["dementia_pdf"]}


def test_a_pdf_in_the_trash_finds_nothing_until_restored(library, papers):
    item = papers["heart_pdf"]
    (row,) = library.attachments.of([item])[item]
    library.attachments.trash([row.id])
    assert found(library, "programme") == (set(), set())
    assert library.attachments.found_in(item, "programme") is None
    library.attachments.restore([row.id])
    assert found(library, "programme") == ({item}, {item})


def test_the_passage_names_the_pdf_and_marks_the_words(library, papers):
    item = papers["dementia_pdf"]
    passage = library.attachments.found_in(item, "dementia")
    assert passage.name == DEMENTIA.name
    assert f"{START}dementia{END}" in passage.text.lower()
    assert len(passage.text) < 300  # a few lines, not the paper
    assert "[dementia]" in library.attachments.passage(item, "dementia").lower()
    # A query's PDF words make the passage too; words the PDF lacks make none.
    assert library.attachments.found_in(item, "dementia[pdf] AND 2014[dp]") is not None
    assert library.attachments.found_in(item, "zebrafish") is None
    assert library.attachments.found_in(papers["heart_title"], "cardiac") is None
    assert library.attachments.found_in(item, "") is None
    assert library.attachments.found_in(item, "dementia[") is None  # cannot be read: no passage


def test_a_saved_search_and_the_search_box_together_keep_the_pdf_marks(library, papers):
    item = papers["dementia_pdf"]
    view = ViewQuery(text="untitled", saved_query="dementia")
    result = library.items.found(view)
    assert result.ids == [item] and result.in_pdf == {item}


def test_a_scanned_pdf_is_flagged_and_finds_nothing(library, papers):
    item = papers["heart_title"]
    library.attachments.attach(item, [SCAN])
    assert library.attachments.read_text().scans == [SCAN.name]
    (row,) = library.attachments.of([item])[item]
    assert row.scanned and row.text_state == "no text"
    (pdf,) = library.attachments.of([papers["heart_pdf"]])[papers["heart_pdf"]]
    assert not pdf.scanned
    assert found(library, "athletes")[1] == set()
