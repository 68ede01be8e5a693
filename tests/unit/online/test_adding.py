"""library.adding: identifiers in pasted text to library items, through the import path."""

from refman.library.adding import AddReport
from tests.unit.online.conftest import network_data
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


def test_kinds_not_fetched_yet_and_text_that_is_none_are_listed_with_why(library, http):
    report = library.adding.identifiers("PMC123 978-0-306-40615-7 arXiv:2101.00001 junk", http=http)
    assert [(f.text, f.reason) for f in report.failed] == [
        ("junk", "not a PMID, PMCID, DOI, ISBN or arXiv id"),
        ("PMC123", "refman cannot fetch PMCID records yet"),
        ("978-0-306-40615-7", "refman cannot fetch ISBN records yet"),
        ("arXiv:2101.00001", "refman cannot fetch arXiv records yet"),
    ]
    assert library.items.count() == 0
    assert report.summary() == (
        "Imported: 0 added, 0 duplicates skipped from 0 files. 4 identifiers not added."
    )


def test_a_failed_batch_fails_each_of_its_pmids_and_adds_nothing(library, http, httpserver):
    httpserver.expect_request(EFETCH).respond_with_data("busy", status=503)
    report = library.adding.identifiers("1 2", http=http)
    assert [f.text for f in report.failed] == ["1", "2"]
    assert all("HTTP 503" in f.reason for f in report.failed)
    assert library.items.count() == 0
    assert isinstance(report, AddReport)
