"""refman.online.pubmed and .doi against a local server replaying PubMed's and doi.org's answers."""

import json

import pytest
from werkzeug import Response

from refman.online import BadResponseError, NotFoundError
from refman.online.doi import CSL_JSON, fetch_doi
from refman.online.pubmed import BATCH, esearch, fetch_pmids, search_doi
from tests.unit.online.conftest import network_data

EFETCH = "/eutils/efetch.fcgi"
ESEARCH = "/eutils/esearch.fcgi"
SCIENCE_DOI = "10.1126/science.169.3946.635"


def test_efetch_asks_for_medline_text_with_tool_and_email(http, httpserver):
    httpserver.expect_request(
        EFETCH,
        query_string={"db": "pubmed", "id": "12230038", "rettype": "medline", "retmode": "text",
                      "tool": "refman", "email": http.settings.email},
    ).respond_with_data(network_data("efetch-12230038.txt"), content_type="text/plain")
    fetched = fetch_pmids(http, ["12230038"])
    ref = fetched.references["12230038"]
    assert ref.title == "The Bio* toolkits--a brief overview"  # the reader drops the final stop
    assert ref.source_format == "medline"
    assert ref.source_record  # the MEDLINE record is kept, as an import keeps it
    assert fetched.missing == [] and fetched.problems == []


def test_many_pmids_are_fetched_in_one_request(http, httpserver):
    body = network_data("efetch-75.txt")
    pmids = [line[6:].strip() for line in body.decode().splitlines() if line.startswith("PMID-")]
    httpserver.expect_request(EFETCH).respond_with_data(body, content_type="text/plain")
    fetched = fetch_pmids(http, pmids)
    assert sorted(fetched.references) == sorted(pmids)
    assert len(httpserver.log) == 1
    assert httpserver.log[0][0].args["id"] == ",".join(pmids)


def test_more_than_200_pmids_go_in_batches_of_200(http, httpserver):
    httpserver.expect_request(EFETCH).respond_with_data("", content_type="text/plain")
    pmids = [str(n) for n in range(1, 2 * BATCH + 2)]
    fetched = fetch_pmids(http, pmids)
    sizes = [len(request.args["id"].split(",")) for request, _ in httpserver.log]
    assert sizes == [BATCH, BATCH, 1]
    assert fetched.missing == pmids


def test_a_pmid_pubmed_does_not_have_is_reported_missing_among_those_it_has(http, httpserver):
    # efetch leaves out ids it does not have and answers the rest
    httpserver.expect_request(EFETCH).respond_with_data(
        network_data("efetch-12230038.txt"), content_type="text/plain"
    )
    fetched = fetch_pmids(http, ["99999999", "12230038"])
    assert list(fetched.references) == ["12230038"]
    assert fetched.missing == ["99999999"]


def test_a_pmid_alone_that_does_not_exist_is_missing_not_an_error(http, httpserver):
    httpserver.expect_request(EFETCH).respond_with_data("\n", content_type="text/plain")
    fetched = fetch_pmids(http, ["99999999"])
    assert fetched.references == {} and fetched.missing == ["99999999"]


def test_html_where_medline_was_expected_is_a_bad_response(http, httpserver):
    page = b"<!DOCTYPE html><html><head><title>Service unavailable</title></head></html>"
    httpserver.expect_request(EFETCH).respond_with_data(page, content_type="text/html")
    with pytest.raises(BadResponseError, match="not MEDLINE text .an HTML page."):
        fetch_pmids(http, ["12230038"])


def test_efetch_500s_end_in_a_plain_message(http, httpserver):
    httpserver.expect_request(EFETCH).respond_with_data("error", status=500)
    with pytest.raises(BadResponseError, match="HTTP 500"):
        fetch_pmids(http, ["12230038"])


def test_esearch_gives_the_ids_in_its_answer(http, httpserver):
    httpserver.expect_request(ESEARCH).respond_with_data(
        network_data("esearch-hits.xml"), content_type="text/xml"
    )
    ids = esearch(http, "biopython", what="the search")
    assert len(ids) == 20 and ids[0] == "41282813"
    assert httpserver.log[0][0].args["term"] == "biopython"


def test_esearch_html_where_xml_was_expected_is_a_bad_response(http, httpserver):
    httpserver.expect_request(ESEARCH).respond_with_data(
        "<html><body><p>Oops <br> unclosed</body></html>", content_type="text/html"
    )
    with pytest.raises(BadResponseError, match="not (XML|a search result)"):
        esearch(http, "x", what="the search")


def test_esearch_error_element_is_reported(http, httpserver):
    httpserver.expect_request(ESEARCH).respond_with_data(
        b'<?xml version="1.0"?><eSearchResult><ERROR>Invalid query</ERROR></eSearchResult>',
        content_type="text/xml",
    )
    with pytest.raises(BadResponseError, match="refused the search .*Invalid query"):
        esearch(http, "((", what="the search")


def _search_answer(pmid):
    """esearch's answer for a DOI PubMed has: the shape of tests/data/network/esearch-hits.xml
    with the one id."""
    hits = network_data("esearch-hits.xml").decode()
    head, rest = hits.split("<Count>", 1)
    _, tail = rest.split("</IdList>", 1)
    return f"{head}<Count>1</Count><RetMax>1</RetMax><RetStart>0</RetStart><IdList>\n" \
        f"<Id>{pmid}</Id>\n</IdList>{tail}"


def test_a_doi_pubmed_has_is_fetched_from_pubmed(http, httpserver):
    httpserver.expect_request(ESEARCH).respond_with_data(
        _search_answer("12230038"), content_type="text/xml"
    )
    httpserver.expect_request(EFETCH).respond_with_data(
        network_data("efetch-12230038.txt"), content_type="text/plain"
    )
    ref = fetch_doi(http, "10.1093/bib/3.3.296")
    assert ref.pmid == "12230038" and ref.source_format == "medline"
    assert httpserver.log[0][0].args["term"] == '"10.1093/bib/3.3.296"[AID]'


def test_a_doi_pubmed_lacks_is_fetched_from_doi_org_as_csl_json(http, httpserver):
    httpserver.expect_request(ESEARCH).respond_with_data(
        network_data("esearch-zero-hits.xml"), content_type="text/xml"
    )
    httpserver.expect_request(f"/doi/{SCIENCE_DOI}", headers={"Accept": CSL_JSON}) \
        .respond_with_data(network_data("doi-science.169.3946.635.csl.json"),
                           content_type=CSL_JSON)
    ref = fetch_doi(http, SCIENCE_DOI)
    assert ref.title == "The Structure of Ordinary Water"
    assert ref.doi.lower() == SCIENCE_DOI
    assert ref.source_format == "csl-json"


def test_doi_org_redirects_are_followed(http, httpserver):
    httpserver.expect_request(ESEARCH).respond_with_data(
        network_data("esearch-zero-hits.xml"), content_type="text/xml"
    )
    httpserver.expect_request(f"/doi/{SCIENCE_DOI}").respond_with_response(
        Response(status=302, headers={"Location": httpserver.url_for("/crossref/works")})
    )
    httpserver.expect_request("/crossref/works").respond_with_data(
        network_data("doi-science.169.3946.635.csl.json"), content_type=CSL_JSON
    )
    assert fetch_doi(http, SCIENCE_DOI).title == "The Structure of Ordinary Water"


def test_a_doi_nobody_has_is_not_found(http, httpserver):
    httpserver.expect_request(ESEARCH).respond_with_data(
        network_data("esearch-zero-hits.xml"), content_type="text/xml"
    )
    httpserver.expect_request("/doi/10.9999/nothing").respond_with_data(
        "<html>DOI Not Found</html>", status=404, content_type="text/html"
    )
    with pytest.raises(NotFoundError, match="has no DOI 10.9999/nothing"):
        fetch_doi(http, "10.9999/nothing")


def test_doi_org_html_instead_of_csl_json_is_a_bad_response(http, httpserver):
    httpserver.expect_request(ESEARCH).respond_with_data(
        network_data("esearch-zero-hits.xml"), content_type="text/xml"
    )
    httpserver.expect_request(f"/doi/{SCIENCE_DOI}").respond_with_data(
        "<!DOCTYPE html><html><body>Science</body></html>", content_type="text/html"
    )
    with pytest.raises(BadResponseError, match="not CSL-JSON .an HTML page."):
        fetch_doi(http, SCIENCE_DOI)


def test_doi_org_json_that_is_not_one_record_is_a_bad_response(http, httpserver):
    httpserver.expect_request(ESEARCH).respond_with_data(
        network_data("esearch-zero-hits.xml"), content_type="text/xml"
    )
    httpserver.expect_request(f"/doi/{SCIENCE_DOI}").respond_with_data(
        json.dumps({"status": "error"}), content_type="application/json"
    )
    with pytest.raises(BadResponseError, match="CSL-JSON|records"):
        fetch_doi(http, SCIENCE_DOI)


def test_search_doi_is_none_when_pubmed_has_several(http, httpserver):
    httpserver.expect_request(ESEARCH).respond_with_data(
        network_data("esearch-hits.xml"), content_type="text/xml"
    )
    assert search_doi(http, "10.1/x") is None
