"""library.pdfs: a PDF to its reference through the local server, the PDF attached; stand-in
items when nothing is found or refman is offline; Retrieve Metadata later."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from refman.library.pdfs import NEEDS_LOOKUP, NO_IDENTIFIER
from refman.model import ViewQuery
from tests.pdf_maker import make_pdf
from tests.unit.online.conftest import network_data

PDFS = Path(__file__).parents[2] / "data" / "pdf"
EFETCH = "/eutils/efetch.fcgi"
ESEARCH = "/eutils/esearch.fcgi"
SCIENCE_DOI = "10.1126/science.169.3946.635"


@pytest.fixture
def science_pdf(tmp_path) -> Path:
    """A PDF that prints the DOI of the recorded doi.org answer on its page 1."""
    path = tmp_path / "water.pdf"
    path.write_bytes(make_pdf(["The Structure of Ordinary Water", f"doi:{SCIENCE_DOI}"]))
    return path


def serve_the_doi(httpserver) -> None:
    httpserver.expect_request(ESEARCH).respond_with_data(network_data("esearch-zero-hits.xml"))
    httpserver.expect_request(f"/doi/{SCIENCE_DOI}").respond_with_data(
        network_data("doi-science.169.3946.635.csl.json"),
        content_type="application/vnd.citationstyles.csl+json",
    )


def attached_names(library, item) -> list[str]:
    return [row.name for row in library.attachments.of([item]).get(item, [])]


def test_the_doi_on_page_1_becomes_the_item_with_the_pdf_attached(
    library, http, httpserver, science_pdf
):
    serve_the_doi(httpserver)
    report = library.pdfs.import_files([science_pdf], http=http)
    ((path, item),) = report.added
    assert path == str(science_pdf)
    ref = library.items.get(item)
    assert (ref.title, ref.doi) == ("The Structure of Ordinary Water", SCIENCE_DOI)
    assert attached_names(library, item) == ["water.pdf"]
    assert report.summary() == (
        "PDFs: 1 added with its PDF, 0 attached to items already in the library (of 1)."
    )


def test_a_pmid_printed_in_a_pdf_is_fetched_from_pubmed(library, http, httpserver, tmp_path):
    httpserver.expect_request(EFETCH).respond_with_data(network_data("efetch-12230038.txt"))
    paper = tmp_path / "toolkits.pdf"
    paper.write_bytes(make_pdf(["Brief Bioinform 2002", "PMID: 12230038"]))
    ((_, item),) = library.pdfs.import_files([paper], http=http).added
    assert library.items.get(item).pmid == "12230038"
    assert attached_names(library, item) == ["toolkits.pdf"]


def test_a_pdf_of_an_item_already_held_is_attached_to_it_not_copied(
    library, http, httpserver, science_pdf
):
    serve_the_doi(httpserver)
    (item,) = library.pdfs.import_files([science_pdf], http=http).item_ids
    again = science_pdf.parent / "again.pdf"
    shutil.copy(science_pdf, again)
    httpserver.clear_log()
    report = library.pdfs.import_files([again, science_pdf], http=http)
    assert report.attached == [(str(again), item), (str(science_pdf), item)]
    assert library.items.count() == 1
    assert attached_names(library, item) == ["water.pdf", "again.pdf"]  # the same file once
    assert [req for req, _ in httpserver.log] == []  # held: looked up in the library only


def test_a_pdf_without_identifiers_becomes_an_item_that_needs_a_lookup(library, http):
    paper = PDFS / "neg-encrypted-owner-password-only.pdf"
    report = library.pdfs.import_files([paper], http=http, collection="Inbox")
    ((path, item, why),) = report.needs_lookup
    assert (path, why) == (str(paper), NO_IDENTIFIER)
    ref = library.items.get(item)
    assert ref.item_type == "document" and ref.title.startswith("Paper Title")
    assert [tag.name for tag in ref.tags] == [NEEDS_LOOKUP]
    (inbox,) = library.collections.all()
    assert library.items.search(ViewQuery(collection=inbox.id)) == [item]
    assert report.lines()[1] == f"  {paper}: item {item}, tagged '{NEEDS_LOOKUP}': {why}"


def test_offline_the_pdf_is_kept_with_its_doi_and_retrieve_metadata_finds_it_later(
    library, http, httpserver, science_pdf
):
    httpserver.expect_request(ESEARCH).respond_with_data("", status=503)  # PubMed is down
    report = library.pdfs.import_files([science_pdf], http=http)
    ((_, stand_in, why),) = report.needs_lookup
    assert why.startswith(f"{SCIENCE_DOI}: ")
    assert library.items.get(stand_in).doi == SCIENCE_DOI

    httpserver.clear()
    serve_the_doi(httpserver)
    retrieved = library.pdfs.retrieve([stand_in], http=http)
    ((_, item),) = retrieved.added
    assert item != stand_in
    assert library.items.get(item).title == "The Structure of Ordinary Water"
    assert attached_names(library, item) == ["water.pdf"]  # the PDF moved to the reference
    assert library.items.get(stand_in).trashed  # restorable from the Trash
    refused = library.pdfs.retrieve([item], http=http)  # a reference is not a stand-in
    assert refused.failed == [(f"item {item}", f"it is not tagged '{NEEDS_LOOKUP}'")]


def test_retrieve_that_finds_nothing_keeps_the_stand_in_as_it_was(
    library, http, httpserver, science_pdf
):
    httpserver.expect_request(ESEARCH).respond_with_data("", status=503)
    ((_, stand_in, _),) = library.pdfs.import_files([science_pdf], http=http).needs_lookup
    again = library.pdfs.retrieve([stand_in], http=http)
    ((_, item, why),) = again.needs_lookup
    assert item == stand_in and why.startswith(f"{SCIENCE_DOI}: ")
    assert library.items.get(stand_in).doi == SCIENCE_DOI and not library.items.get(item).trashed


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("neg-broken-damaged-xref.pdf", "is damaged: the PDF library cannot open it."),
        ("neg-not-a-pdf.pdf", "is not a PDF: it does not begin as a PDF file does."),
    ],
)
def test_a_pdf_that_cannot_be_read_is_not_imported_and_says_why(library, http, name, says):
    report = library.pdfs.import_files([PDFS / name], http=http)
    ((path, why),) = report.failed
    assert path == str(PDFS / name) and why.endswith(says)
    assert library.items.count() == 0


def test_a_pdf_locked_with_a_password_is_kept_titled_by_its_name(library, http):
    report = library.pdfs.import_files([PDFS / "neg-encrypted-user-password.pdf"], http=http)
    ((_, item, why),) = report.needs_lookup
    assert why == "it is locked with a password"
    assert library.items.get(item).title == "neg-encrypted-user-password"
    assert attached_names(library, item) == ["neg-encrypted-user-password.pdf"]
