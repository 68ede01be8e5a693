"""library.adding: identifiers in pasted text to library items, through the import path."""

from refman.library.adding import AddReport
from refman.online import Http, Settings
from tests.unit.online.conftest import ARXIV, IDCONV, OPENLIBRARY, network_data
from tests.unit.online.test_pubmed_doi import EFETCH, ESEARCH, _search_answer


def test_pmids_and_a_doi_pubmed_has_go_in_one_efetch(library, http, httpserver):
    body = network_data("efetch-75.txt")
    pmids = [line[6:].strip() for line in body.decode().splitlines() if line.startswith("PMID-")]
    httpserver.expect_request(ESEARCH).respond_with_data(_search_answer(pmids[2]))
    httpserver.expect_request(EFETCH).respond_with_data(body)
    text = f"{pmids[0]}\nhttps://pubmed.ncbi.nlm.nih.gov/{pmids[1]}/, doi:10.1148/x"
    report = library.adding.identifiers(text, http=http)
    assert report.failed == []
    efetches = [req for req, _ in httpserver.log if req.path == EFETCH]
    assert [req.args["id"] for req in efetches] == [",".join([pmids[0], pmids[1], pmids[2]])]
    # efetch answered all 75 records; the import takes what came back, the asked ones among them
    added = {library.items.get(item).pmid for item in report.imported.added}
    assert {pmids[0], pmids[1], pmids[2]} <= added


def test_text_that_is_no_identifier_is_listed_with_why(library, http):
    report = library.adding.identifiers("junk", http=http)
    assert [(f.text, f.reason, f.offline) for f in report.failed] == [
        ("junk", "not a PMID, PMCID, DOI, ISBN or arXiv id", False)
    ]
    assert library.items.count() == 0
    assert report.summary() == (
        "Imported: 0 added, 0 duplicates skipped from 1 identifier. 1 identifier not added."
    )


def test_a_pmcid_a_book_and_a_preprint_become_items_with_their_fields(library, http, httpserver):
    _serve_all(httpserver)
    report = library.adding.identifiers("PMC1373603, ISBN 0-316-03057-0, arXiv:1111.2011v2",
                                        http=http)
    assert report.failed == [] and len(report.imported.added) == 3
    by_type = {ref.item_type: ref for ref in map(library.items.get, report.imported.added)}
    article = by_type["article-journal"]
    assert (article.pmid, article.pmcid) == ("16403221", "PMC1373603")
    assert article.title == "A high level interface to SCOP and ASTRAL implemented in python"
    book = by_type["book"]
    assert (book.title, book.isbn, book.publisher) == ("Use of Weapons", "9780316030571", "Orbit")
    assert [c.display_name for c in book.creators] == ["Banks, Iain M."]
    assert (book.date.year, book.date.month, book.date.day) == (2008, 7, 28)
    assert book.url == "https://openlibrary.org/books/OL10426208M/Use_of_Weapons"
    preprint = by_type["article"]
    assert preprint.doi == "10.1103/physrevb.85.115117"
    assert preprint.url == "https://arxiv.org/abs/1111.2011"
    assert preprint.publisher == "arXiv"
    assert [c.family for c in preprint.creators] == ["Murray", "Del Maestro", "Tesanovic"]
    # the CSL-JSON item made of the answer is kept as the source record, as an import keeps it
    assert book.source_format == "csl-json" and "Open Library" in book.source_record[0][1]
    assert preprint.source_format == "csl-json"
    assert "arXiv:1111.2011v2" in preprint.source_record[0][1]


def test_identifiers_already_in_the_library_are_selected_not_fetched(library, http, httpserver):
    _serve_all(httpserver)
    first = library.adding.identifiers("PMC1373603 9780316030571 1111.2011v2", http=http)
    httpserver.clear_log()
    again = "pmc1373603\n0316030570\nhttps://arxiv.org/abs/1111.2011\n10.48550/arXiv.1111.2011"
    report = library.adding.identifiers(again, http=http)
    assert [request for request, _ in httpserver.log] == []  # nothing was asked for
    assert [entry.text for entry in report.existing] == again.split("\n")
    assert sorted(set(report.item_ids)) == sorted(first.imported.added)
    assert library.items.count() == 3
    assert report.summary().endswith("4 identifiers already in the library.")


def test_cancel_stops_the_requests_and_imports_nothing(library, http, httpserver):
    _serve_all(httpserver)
    steps: list[tuple[int, int]] = []
    report = library.adding.identifiers(
        "PMC1373603 9780316030571 1111.2011v2",
        http=http,
        progress=lambda done, total: steps.append((done, total)),
        cancelled=lambda: bool(steps and steps[-1][0] >= 1),  # cancel once one request is done
    )
    assert report.cancelled
    assert len(httpserver.log) == 1
    assert library.items.count() == 0
    assert report.summary().startswith("Add cancelled: nothing was imported.")


def test_progress_counts_the_requests_to_the_end(library, http, httpserver):
    _serve_all(httpserver)
    steps: list[tuple[int, int]] = []
    library.adding.identifiers("PMC1373603 9780316030571 1111.2011v2", http=http,
                               progress=lambda done, total: steps.append((done, total)))
    assert steps[-1] == (len(httpserver.log), len(httpserver.log)) == (4, 4)


def test_an_unreachable_source_marks_its_identifiers_offline(library):
    settings = Settings(openlibrary_url="http://127.0.0.1:9", attempts=1)
    with Http(settings) as client:
        report = library.adding.identifiers("9780316030571 junk", http=client)
    assert [f.text for f in report.offline] == ["9780316030571"]
    assert "are you offline?" in report.offline[0].reason


def _serve_all(httpserver) -> None:
    """The recorded answers for PMC1373603 (via PMID 16403221), ISBN 9780316030571 and arXiv
    1111.2011v2."""
    httpserver.expect_request(IDCONV).respond_with_data(network_data("idconv-PMC1373603.json"))
    httpserver.expect_request(EFETCH).respond_with_data(network_data("efetch-16403221.txt"))
    httpserver.expect_request(OPENLIBRARY).respond_with_data(
        network_data("openlibrary-9780316030571.json")
    )
    httpserver.expect_request(ARXIV).respond_with_data(network_data("arxiv-1111.2011v2.xml"))


def test_a_failed_batch_fails_each_of_its_pmids_and_adds_nothing(library, http, httpserver):
    httpserver.expect_request(EFETCH).respond_with_data("busy", status=503)
    report = library.adding.identifiers("1 2", http=http)
    assert [f.text for f in report.failed] == ["1", "2"]
    assert all("HTTP 503" in f.reason for f in report.failed)
    assert library.items.count() == 0
    assert isinstance(report, AddReport)
