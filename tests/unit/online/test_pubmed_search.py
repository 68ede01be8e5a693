"""refman.online.pubmed_search against a local server replaying PubMed's recorded answers:
esearch's count, page and translation, its remarks and refusals, esummary's DocSums, and the
bad answers (HTML, cut short, 429, offline) in plain words."""

import pytest
from werkzeug import Response

from refman.online import BadResponseError, Http, OfflineError, Settings
from refman.online.pubmed_search import SearchError, search, summaries
from tests.unit.online.conftest import network_data

ESEARCH = "/eutils/esearch.fcgi"
ESUMMARY = "/eutils/esummary.fcgi"


def answer(httpserver, path, name):
    httpserver.expect_request(path).respond_with_data(network_data(name), content_type="text/xml")


def test_a_search_gives_the_count_the_pages_pmids_and_pubmeds_translation(http, httpserver):
    answer(httpserver, ESEARCH, "esearch-hits.xml")
    page = search(http, "biopython", retmax=20)
    assert page.count == 63
    assert page.start == 0
    assert len(page.pmids) == 20 and page.pmids[0] == "41282813" and page.pmids[-1] == "37810457"
    assert page.translation == '"biopython"[All Fields]'
    assert page.errors == [] and page.warnings == []


def test_the_query_goes_to_esearch_as_typed_with_the_page_asked(http, httpserver):
    answer(httpserver, ESEARCH, "esearch-page-2.xml")
    query = 'PNAS[ta] AND 97[vi] NOT "review"[pt] AND (2000:2001[dp])'
    page = search(http, query, retmax=6, retstart=6)
    request = httpserver.log[0][0]
    assert request.args["term"] == query
    assert (request.args["retmax"], request.args["retstart"]) == ("6", "6")
    assert (request.args["db"], request.args["tool"]) == ("pubmed", "refman")
    assert (page.count, page.start, len(page.pmids)) == (2651, 6, 6)
    assert page.translation == '"proc natl acad sci u s a"[Journal] AND "97"[Volume]'


def test_zero_hits_with_a_phrase_not_found_is_said_in_plain_words(http, httpserver):
    answer(httpserver, ESEARCH, "esearch-zero-hits.xml")
    page = search(http, "abcXYZ")
    assert (page.count, page.pmids) == (0, [])
    assert page.errors == ['PubMed found nothing for "abcXYZ"']
    assert page.warnings == ["No items found."]


def test_an_error_answer_is_a_refusal_in_pubmeds_words(http, httpserver):
    # esearch's <ERROR>, in the layout of esummary-error.xml (esummary's recorded one)
    body = network_data("esummary-error.xml").decode().replace("eSummaryResult", "eSearchResult")
    body = body.replace("Neither query_key nor id specified", "Invalid query")
    httpserver.expect_request(ESEARCH).respond_with_data(body)
    with pytest.raises(SearchError, match="PubMed refused the search: Invalid query"):
        search(http, "((")


def test_an_empty_query_and_pages_out_of_reach_are_refused_before_asking(http, httpserver):
    with pytest.raises(SearchError, match="The search is empty"):
        search(http, "   ")
    with pytest.raises(SearchError, match="1 to 200 hits, not 500"):
        search(http, "x", retmax=500)
    with pytest.raises(SearchError, match="only the first 10,000 hits"):
        search(http, "x", retstart=10_000)
    assert httpserver.log == []


def test_html_where_xml_was_expected_is_a_bad_response(http, httpserver):
    httpserver.expect_request(ESEARCH).respond_with_data(
        "<!DOCTYPE html><html><body>Service unavailable</body></html>", content_type="text/html"
    )
    with pytest.raises(BadResponseError, match=r"not a search result \(an HTML page\); try again"):
        search(http, "cancer")


def test_a_search_answer_cut_short_is_a_bad_response(http, httpserver):
    whole = network_data("esearch-hits.xml")
    httpserver.expect_request(ESEARCH).respond_with_data(whole[: len(whole) // 2])
    with pytest.raises(BadResponseError, match="not XML"):
        search(http, "biopython")


def test_a_connection_closed_mid_answer_is_a_bad_response(http, httpserver):
    def cut(_request):
        response = Response(network_data("esearch-hits.xml")[:300])
        response.automatically_set_content_length = False
        response.headers["Content-Length"] = "5000"
        return response

    httpserver.expect_request(ESEARCH).respond_with_handler(cut)
    with pytest.raises(BadResponseError, match="cut short"):
        search(http, "biopython")


def test_a_429_then_the_answer_is_retried(http, httpserver):
    httpserver.expect_ordered_request(ESEARCH).respond_with_data("slow down", status=429)
    httpserver.expect_ordered_request(ESEARCH).respond_with_data(
        network_data("esearch-5-hits.xml")
    )
    page = search(http, "stem cells AND hasabstract")
    assert page.count == 5 and page.pmids[0] == "6540636"
    assert len(httpserver.log) == 2


def test_offline_is_said_plainly():
    settings = Settings(eutils_url="http://127.0.0.1:9/eutils", attempts=1)
    with Http(settings) as client, pytest.raises(OfflineError, match="cannot reach 127.0.0.1"):
        search(client, "cancer")


def test_summaries_give_title_authors_journal_and_year(http, httpserver):
    answer(httpserver, ESUMMARY, "esummary-2-records.xml")
    found = summaries(http, ["11850928", "11482001"])
    assert httpserver.log[0][0].args["id"] == "11850928,11482001"
    first = found["11850928"]
    assert first.title == "Zirconium granuloma following treatment of rhus dermatitis."
    assert first.authors == ("LoPresti PJ", "Hambrick GW Jr")
    assert (first.journal, first.year, first.doi) == ("Arch Dermatol", "1965", "")
    assert first.first_author == "LoPresti PJ et al."
    assert found["11482001"].year == "2001"


def test_a_summary_error_answer_is_a_bad_response(http, httpserver):
    answer(httpserver, ESUMMARY, "esummary-error.xml")
    with pytest.raises(BadResponseError, match="Neither query_key nor id specified"):
        summaries(http, ["1"])


def test_a_search_answer_in_summaries_place_is_a_bad_response(http, httpserver):
    answer(httpserver, ESUMMARY, "esearch-hits.xml")
    with pytest.raises(BadResponseError, match="not a summary"):
        summaries(http, ["1"])
