"""Find Available PDF (library.fulltext over online.fulltext): PubMed Central's OA service (its
PDF, else the PDF in its package), then Unpaywall's locations; each way it can find nothing,
told per item; the PDF attached and its words searchable. A local server replays the recorded
answers of tests/data/network and serves the real PDFs of tests/data/pdf (tests/oa_replay.py)."""

from __future__ import annotations

import pytest
from werkzeug import Response

from refman.library.fulltext import ATTACHED, FAILED, NOT_FOUND, SKIPPED
from refman.model import Reference
from refman.online import Http, Settings
from refman.online import fulltext as online_fulltext
from tests.oa_replay import (
    ARTICLE,
    ARXIV_PDF,
    CDR_PDF,
    IDCONV,
    LANCET_PACKAGE,
    NETWORK,
    OA,
    PDFS,
    PRL_DOI,
    UNPAYWALL,
    WJR_PDF,
    package,
    serve_file,
    serve_ncbi_file,
    serve_nothing_else,
    serve_oa,
    serve_unpaywall,
    settings,
)

CLOSED_DOI = "10.1016/s0962-1849(05)80014-9"


@pytest.fixture
def oa_http(httpserver):
    with Http(settings(httpserver)) as client:
        yield client


def new_item(library, **ids) -> int:
    item, _ = library.items.add(Reference(title="An article", **ids))
    return item


def attached(library, item) -> list[str]:
    return [row.name for row in library.attachments.of([item]).get(item, [])]


def only(report):
    (outcome,) = report.outcomes
    return outcome


def test_pmc_pdf_is_attached_and_its_words_are_searchable(library, oa_http, httpserver):
    serve_oa(httpserver, "oa-PMC5334499-pdf-and-tgz.xml")
    serve_ncbi_file(httpserver, WJR_PDF, ARTICLE.read_bytes())
    item = new_item(library, pmcid="PMC5334499")
    report = library.fulltext.find_available([item], http=oa_http)
    outcome = only(report)
    assert outcome.kind == ATTACHED
    assert outcome.line() == (f"Item {item}: attached WJR-9-27.PMC5334499.pdf from PubMed Central")
    assert attached(library, item) == ["WJR-9-27.PMC5334499.pdf"]
    (row,) = library.attachments.of([item])[item]
    assert library.attachments.file(row).read_bytes() == ARTICLE.read_bytes()
    assert library.attachments.search_text("heart failure programme") == [item]
    assert report.summary() == "Find Available PDF: 1 PDF attached (of 1)."
    assert report.changes().changed == {item}
    oa_request = next(req for req, _ in httpserver.log if req.path == OA)
    assert oa_request.args["id"] == "PMC5334499"  # and nothing taken from the package
    assert not any(req.path.endswith(".tar.gz") for req, _ in httpserver.log)


def test_a_pmc_file_moved_to_the_deprecated_folder_is_fetched_from_there(
    library, oa_http, httpserver
):
    serve_oa(httpserver, "oa-PMC5334499-pdf-and-tgz.xml")
    moved = WJR_PDF.replace("/pub/pmc/", "/pub/pmc/deprecated/")
    serve_ncbi_file(httpserver, moved, ARTICLE.read_bytes())
    serve_nothing_else(httpserver)
    item = new_item(library, pmcid="PMC5334499")
    outcome = only(library.fulltext.find_available([item], http=oa_http))
    assert outcome.kind == ATTACHED, outcome.why
    assert outcome.url.endswith("/ncbi-ftp" + moved)


def test_the_article_pdf_comes_out_of_the_package_not_a_supplement(library, oa_http, httpserver):
    serve_oa(httpserver, "oa-PMC7906746-tgz-only.xml")
    article = (PDFS / "postgrad-med-j-2010-bmj.pdf").read_bytes()
    supplement = (PDFS / "rehabil-res-pract-2010-hindawi.pdf").read_bytes()  # the larger one
    members = {
        "PMC7906746/main.nxml": b"<article/>",
        "PMC7906746/gr1.jpg": b"\xff\xd8\xff",
        "PMC7906746/mmc1.pdf": supplement,
        "PMC7906746/../../escape/main.pdf": article,  # a name that points out of any folder
    }
    serve_ncbi_file(httpserver, LANCET_PACKAGE, package(members))
    item = new_item(library, pmcid="PMC7906746")
    outcome = only(library.fulltext.find_available([item], http=oa_http))
    assert outcome.line() == f"Item {item}: attached main.pdf from PubMed Central"
    (row,) = library.attachments.of([item])[item]
    assert library.attachments.file(row).read_bytes() == article
    assert library.attachments.search_text("Helicobacter") == [item]


def test_a_package_without_a_pdf_falls_back_to_unpaywall_and_its_second_location(
    library, oa_http, httpserver
):
    serve_oa(httpserver, "oa-PMC7906746-tgz-only.xml")
    serve_ncbi_file(httpserver, LANCET_PACKAGE, package({"PMC7906746/main.nxml": b"<a/>"}))
    serve_unpaywall(httpserver, PRL_DOI, "unpaywall-10.1103-physrevlett.80.3915.json")
    httpserver.expect_request(ARXIV_PDF).respond_with_data("gone", status=404)
    serve_file(httpserver, CDR_PDF, ARTICLE.read_bytes())
    item = new_item(library, pmcid="PMC7906746", doi=PRL_DOI)
    outcome = only(library.fulltext.find_available([item], http=oa_http))
    assert outcome.kind == ATTACHED
    assert outcome.text == "attached 10.1103_physrevlett.80.3915.pdf from Unpaywall (localhost)"
    assert outcome.url == httpserver.url_for(CDR_PDF)
    paths = [req.path for req, _ in httpserver.log]
    assert paths.index(ARXIV_PDF) < paths.index(CDR_PDF)  # the best location first
    unpaywall = next(req for req, _ in httpserver.log if req.path.startswith(UNPAYWALL))
    assert unpaywall.args["email"]  # Unpaywall asks every request to carry one


def test_not_open_access_and_no_doi_is_told_plainly(library, oa_http, httpserver):
    serve_oa(httpserver, "oa-PMC8550608-not-open-access.xml")
    item = new_item(library, pmcid="PMC8550608")
    report = library.fulltext.find_available([item], http=oa_http)
    outcome = only(report)
    assert outcome.kind == NOT_FOUND
    assert outcome.line() == (
        f"Item {item}: no open-access PDF found (PubMed Central has PMC8550608, but not in its"
        " open-access subset (no PDF to download))"
    )
    assert attached(library, item) == []
    assert report.summary() == (
        "Find Available PDF: 0 PDFs attached, 1 item without an open-access PDF (of 1)."
    )


def test_a_pmid_is_converted_to_its_pmcid_for_the_oa_service(library, oa_http, httpserver):
    httpserver.expect_request(IDCONV).respond_with_data(
        (NETWORK / "idconv-PMC1373603.json").read_bytes(), content_type="application/json"
    )
    serve_oa(httpserver, "oa-PMC8550608-not-open-access.xml")
    item = new_item(library, pmid="16403221")
    only(library.fulltext.find_available([item], http=oa_http))
    asked = [req for req, _ in httpserver.log]
    assert [req.path for req in asked] == [IDCONV, OA]
    assert asked[0].args["ids"] == "16403221"
    assert asked[1].args["id"] == "PMC1373603"


def test_an_article_pmc_does_not_hold_and_unpaywall_knows_closed(library, oa_http, httpserver):
    httpserver.expect_request(IDCONV).respond_with_data(
        (NETWORK / "idconv-PMC23840460-invalid.json").read_bytes()
    )
    serve_unpaywall(httpserver, CLOSED_DOI, "unpaywall-10.1016-s0962-1849-05-80014-9-closed.json")
    item = new_item(library, doi=CLOSED_DOI)
    outcome = only(library.fulltext.find_available([item], http=oa_http))
    assert outcome.kind == NOT_FOUND
    assert outcome.why == (
        f"PubMed Central does not hold DOI {CLOSED_DOI}; "
        f"Unpaywall knows no open-access copy of DOI {CLOSED_DOI}"
    )


def test_web_pages_and_files_that_are_not_pdfs_are_not_attached(library, oa_http, httpserver):
    serve_unpaywall(httpserver, PRL_DOI, "unpaywall-10.1103-physrevlett.80.3915.json")
    landing = b"<!DOCTYPE html><html><head><title>Sign in</title></head></html>"
    serve_file(httpserver, ARXIV_PDF, landing, "text/html")
    serve_file(httpserver, CDR_PDF, (PDFS / "neg-broken-damaged-xref.pdf").read_bytes())
    item = new_item(library, pmcid="PMC5334499", doi=PRL_DOI)
    serve_oa(httpserver, "oa-PMC5334499-pdf-and-tgz.xml")
    serve_ncbi_file(httpserver, WJR_PDF, (PDFS / "neg-not-a-pdf.pdf").read_bytes())
    serve_nothing_else(httpserver)
    outcome = only(library.fulltext.find_available([item], http=oa_http))
    assert outcome.kind == NOT_FOUND
    reasons = outcome.why.split("; ")
    assert reasons[0] == (
        "PubMed Central: localhost gave a file that is not a PDF (it begins '5byte')"
    )
    assert reasons[1].startswith("PubMed Central: ")  # the package: not served, 404
    assert "has no file at" in reasons[1]
    assert reasons[2] == (
        "Unpaywall: localhost gave a web page, not a PDF (a page to read the article on, or a"
        " login)"
    )
    assert reasons[3].startswith("Unpaywall: the PDF from localhost cannot be used: ")
    assert attached(library, item) == []


def test_unpaywall_not_knowing_the_doi_and_an_oa_error_page(library, oa_http, httpserver):
    httpserver.expect_request(OA).respond_with_data("<html><body>Oops</body></html>")
    httpserver.expect_request(f"{UNPAYWALL}/{PRL_DOI}").respond_with_json(
        {"HTTP_status_code": 404, "error": True, "message": "not found"}, status=404
    )
    item = new_item(library, pmcid="PMC5334499", doi=PRL_DOI)
    outcome = only(library.fulltext.find_available([item], http=oa_http))
    assert outcome.why == (
        "PubMed Central: the answer of PubMed Central's OA service for PMC5334499 is not its"
        f" XML; Unpaywall does not know DOI {PRL_DOI}"
    )


def test_a_package_that_is_no_package(library, oa_http, httpserver):
    serve_oa(httpserver, "oa-PMC7906746-tgz-only.xml")
    serve_ncbi_file(httpserver, LANCET_PACKAGE, b"\x1f\x8b this is not gzip")
    item = new_item(library, pmcid="PMC7906746")
    outcome = only(library.fulltext.find_available([item], http=oa_http))
    assert outcome.why.startswith(
        "PubMed Central: the package of PMC7906746 is damaged or not a package ("
    )


def test_a_file_over_the_size_cap_is_not_downloaded(library, oa_http, httpserver, monkeypatch):
    monkeypatch.setattr(online_fulltext, "MAX_PDF", 2_000_000)
    serve_oa(httpserver, "oa-PMC5334499-pdf-and-tgz.xml")
    serve_ncbi_file(httpserver, WJR_PDF, b"%PDF-1.4\n" + b"0" * 3_000_000)
    serve_nothing_else(httpserver)
    item = new_item(library, pmcid="PMC5334499")
    outcome = only(library.fulltext.find_available([item], http=oa_http))
    assert outcome.why.startswith(
        "PubMed Central: the PDF from localhost is larger than 2 MB: not downloaded; "
    )


def test_offline_every_item_is_told_and_nothing_changes(library):
    offline = Settings(
        pmc_oa_url="http://127.0.0.1:9/oa.fcgi",
        unpaywall_url="http://127.0.0.1:9/v2",
        idconv_url="http://127.0.0.1:9/idconv/",
        attempts=1,
        timeout=1.0,
    )
    items = [new_item(library, pmcid="PMC5334499"), new_item(library, doi=PRL_DOI)]
    with Http(offline) as client:
        report = library.fulltext.find_available(items, http=client)
    assert [o.kind for o in report.outcomes] == [NOT_FOUND, NOT_FOUND]
    assert "are you offline?" in report.outcomes[0].why
    assert report.outcomes[1].why.startswith("PubMed Central: cannot reach ")  # the converter
    assert report.offline
    assert report.summary().endswith("A service could not be reached: try again when online.")
    assert all(attached(library, item) == [] for item in items)


def test_items_with_a_pdf_without_identifiers_or_gone_are_not_looked_for(
    library, oa_http, httpserver, tmp_path
):
    has_pdf = new_item(library, pmcid="PMC5334499")
    library.attachments.attach(has_pdf, [ARTICLE])
    bare = new_item(library)
    trashed = new_item(library, doi=PRL_DOI)
    library.items.trash([trashed])
    report = library.fulltext.find_available([has_pdf, bare, trashed, 999], http=oa_http)
    assert [o.line() for o in report.outcomes] == [
        f"Item {has_pdf}: it has a PDF already ({ARTICLE.name})",
        f"Item {bare}: no PMCID, PMID or DOI to look for a PDF with",
        f"Item {trashed}: it is in the Trash",
        "Item 999: there is no such item",
    ]
    assert [o.kind for o in report.outcomes] == [SKIPPED, NOT_FOUND, SKIPPED, FAILED]
    assert httpserver.log == []  # nothing was asked
    assert report.summary() == (
        "Find Available PDF: 0 PDFs attached, 1 item without an open-access PDF, 2 skipped,"
        " 1 failed (of 4)."
    )


def test_cancel_stops_before_the_next_item(library, oa_http, httpserver):
    serve_oa(httpserver, "oa-PMC5334499-pdf-and-tgz.xml")
    serve_ncbi_file(httpserver, WJR_PDF, ARTICLE.read_bytes())
    first, second = new_item(library, pmcid="PMC5334499"), new_item(library, pmcid="PMC1")
    seen = []
    report = library.fulltext.find_available(
        [first, second],
        http=oa_http,
        progress=lambda done, total: seen.append(done),
        cancelled=lambda: bool(seen),
    )
    assert report.cancelled and [o.item_id for o in report.outcomes] == [first]
    assert report.summary().startswith("Find Available PDF cancelled: 1 PDF attached")


def test_a_body_without_a_length_is_cut_off_at_the_cap(library, oa_http, httpserver, monkeypatch):
    monkeypatch.setattr(online_fulltext, "MAX_PDF", 1_000_000)
    serve_oa(httpserver, "oa-PMC5334499-pdf-and-tgz.xml")

    def endless(request):  # streamed in blocks, no Content-Length: read until the cap
        blocks = (b"%PDF-1.4\n" + b"0" * 65_536 for _ in range(10_000))
        return Response(blocks, content_type="application/pdf", direct_passthrough=True)

    httpserver.expect_request("/ncbi-ftp" + WJR_PDF).respond_with_handler(endless)
    serve_nothing_else(httpserver)
    item = new_item(library, pmcid="PMC5334499")
    outcome = only(library.fulltext.find_available([item], http=oa_http))
    assert outcome.why.startswith("PubMed Central: the PDF from localhost is larger than 1 MB")


def test_a_busy_file_server_is_asked_again(library, oa_http, httpserver):
    serve_oa(httpserver, "oa-PMC5334499-pdf-and-tgz.xml")
    httpserver.expect_oneshot_request("/ncbi-ftp" + WJR_PDF).respond_with_data("", status=503)
    serve_ncbi_file(httpserver, WJR_PDF, ARTICLE.read_bytes())
    item = new_item(library, pmcid="PMC5334499")
    assert only(library.fulltext.find_available([item], http=oa_http)).kind == ATTACHED
    assert [req.path for req, _ in httpserver.log].count("/ncbi-ftp" + WJR_PDF) == 2


def test_a_pdf_locked_with_a_password_is_not_attached(library, oa_http, httpserver):
    serve_oa(httpserver, "oa-PMC5334499-pdf-and-tgz.xml")
    serve_ncbi_file(httpserver, WJR_PDF, (PDFS / "neg-encrypted-user-password.pdf").read_bytes())
    serve_nothing_else(httpserver)
    item = new_item(library, pmcid="PMC5334499")
    outcome = only(library.fulltext.find_available([item], http=oa_http))
    assert outcome.kind == NOT_FOUND
    assert outcome.why.startswith("PubMed Central: the PDF from localhost cannot be used: ")
    assert "password" in outcome.why
    assert attached(library, item) == []
