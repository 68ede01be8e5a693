"""refman.online's PMC ID Converter, Open Library and arXiv sources against a local server that
replays their recorded answers (tests/data/network/README.md says where each comes from)."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest
from werkzeug import Request, Response

from refman.identifiers import find_identifiers
from refman.online import BadResponseError, Http, NotFoundError, OfflineError, Settings
from refman.online.arxiv import fetch_arxiv
from refman.online.books import fetch_isbns, issued
from refman.online.names import csl_name
from refman.online.pmc import BATCH as PMC_BATCH
from refman.online.pmc import Conversion, convert
from refman.online.sources import fetch_sources
from tests.unit.online.conftest import ARXIV, IDCONV, OPENLIBRARY, network_data

HTML_PAGE = b"<!DOCTYPE html><html><head><title>Maintenance</title></head><body></body></html>"
USE_OF_WEAPONS = "9780316030571"


def _slow(_request: Request) -> Response:
    time.sleep(0.8)  # longer than the test client's 0.5 s timeout
    return Response("late")


def _cut_short(body: bytes):
    """A handler promising more bytes than it sends: the connection closes mid-answer."""

    def handler(_request: Request) -> Response:
        response = Response(body[: len(body) // 2])
        response.automatically_set_content_length = False
        response.headers["Content-Length"] = str(len(body))
        return response

    return handler


# --- PMC ID Converter ------------------------------------------------------------------------


def test_idconv_answer_gives_the_pmid_and_doi_and_asks_with_tool_and_email(http, httpserver):
    httpserver.expect_request(IDCONV).respond_with_data(
        network_data("idconv-PMC2883744.json"), content_type="application/json"
    )
    assert convert(http, ["PMC2883744"]) == {
        "PMC2883744": Conversion(pmid="20495566", doi="10.1038/ng.590")
    }
    (request,) = _asked(httpserver, IDCONV)
    assert request.args["ids"] == "PMC2883744"
    assert request.args["format"] == "json"
    assert request.args["tool"] == "refman" and request.args["email"] == http.settings.email


def test_idconv_pmids_given_as_numbers_are_read(http, httpserver):
    # NCBI's newer service sends "pmid": 20495566 (a number) where the older sent a string
    answer = json.loads(network_data("idconv-PMC2883744.json"))
    answer["records"][0]["pmid"] = int(answer["records"][0]["pmid"])
    httpserver.expect_request(IDCONV).respond_with_json(answer)
    assert convert(http, ["PMC2883744"])["PMC2883744"].pmid == "20495566"


def test_idconv_unknown_pmcid_fails_with_the_converters_reason(http, httpserver):
    httpserver.expect_request(IDCONV).respond_with_data(
        network_data("idconv-PMC23840460-invalid.json"), content_type="application/json"
    )
    fetched = fetch_sources(http, _idents("PMC23840460"))
    assert [(f.text, f.reason, f.offline) for f in fetched.failed] == [
        ("PMC23840460", "the PMC ID Converter says: invalid article id", False)
    ]
    assert fetched.sources == []


def test_more_than_200_pmcids_go_in_batches_of_200(http, httpserver):
    httpserver.expect_request(IDCONV).respond_with_json({"status": "ok", "records": []})
    pmcids = [f"PMC{n}" for n in range(1, PMC_BATCH + 2)]
    fetched = fetch_sources(http, _idents(" ".join(pmcids)))
    sizes = [len(request.args["ids"].split(",")) for request in _asked(httpserver, IDCONV)]
    assert sizes == [PMC_BATCH, 1]
    assert len(fetched.failed) == PMC_BATCH + 1  # the converter named none of them


def test_a_pmcid_with_only_a_doi_is_fetched_by_its_doi(http, httpserver):
    # the recorded answer without its PMID, as the converter gives a PMC article PubMed lacks
    answer = json.loads(network_data("idconv-PMC2883744.json"))
    del answer["records"][0]["pmid"]
    answer["records"][0]["doi"] = "10.1126/science.169.3946.635"
    httpserver.expect_request(IDCONV).respond_with_json(answer)
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_data(
        network_data("esearch-zero-hits.xml")
    )
    httpserver.expect_request("/doi/10.1126/science.169.3946.635").respond_with_data(
        network_data("doi-science.169.3946.635.csl.json")
    )
    fetched = fetch_sources(http, _idents("PMC2883744"))
    assert fetched.failed == []
    assert [(s.name, s.format_key) for s in fetched.sources] == [
        ("doi.org 10.1126/science.169.3946.635", "csl-json")
    ]


def test_a_pmcid_with_neither_pmid_nor_doi_fails_plainly(http, httpserver):
    answer = json.loads(network_data("idconv-PMC2883744.json"))
    for key in ("pmid", "doi"):
        del answer["records"][0][key]
    httpserver.expect_request(IDCONV).respond_with_json(answer)
    fetched = fetch_sources(http, _idents("PMC2883744"))
    assert [f.reason for f in fetched.failed] == [
        "PMC names no PMID or DOI for PMC2883744: nowhere to fetch it from"
    ]


def test_idconv_html_where_json_was_expected_is_a_bad_response(http, httpserver):
    httpserver.expect_request(IDCONV).respond_with_data(HTML_PAGE, content_type="text/html")
    with pytest.raises(BadResponseError, match=r"PMC ID Converter's answer .* not JSON .an HTML"):
        convert(http, ["PMC2883744"])


def test_idconv_404_fails_the_pmcid_plainly_not_as_offline(http, httpserver):
    httpserver.expect_request(IDCONV).respond_with_data("<html>Not Found</html>", status=404)
    fetched = fetch_sources(http, _idents("PMC2883744"))
    assert [(f.text, f.offline) for f in fetched.failed] == [("PMC2883744", False)]
    assert fetched.failed[0].reason.endswith("has no PMCID PMC2883744")


def test_idconv_truncated_json_is_a_bad_response(http, httpserver):
    body = network_data("idconv-PMC2883744.json")
    httpserver.expect_request(IDCONV).respond_with_data(body[: len(body) // 2])
    with pytest.raises(BadResponseError, match="not JSON"):
        convert(http, ["PMC2883744"])


def test_idconv_answer_cut_short_by_the_connection_is_a_bad_response(http, httpserver):
    body = network_data("idconv-PMC2883744.json")
    httpserver.expect_request(IDCONV).respond_with_handler(_cut_short(body))
    fetched = fetch_sources(http, _idents("PMC2883744"))
    assert "cut short" in fetched.failed[0].reason and not fetched.failed[0].offline


def test_idconv_429_then_success_is_retried(http, httpserver):
    httpserver.expect_oneshot_request(IDCONV).respond_with_data("slow down", status=429)
    httpserver.expect_request(IDCONV).respond_with_data(network_data("idconv-PMC2883744.json"))
    assert convert(http, ["PMC2883744"])["PMC2883744"].pmid == "20495566"
    assert len(_asked(httpserver, IDCONV)) == 2


def test_idconv_timeout_fails_as_offline(http, httpserver):
    httpserver.expect_request(IDCONV).respond_with_handler(_slow)
    fetched = fetch_sources(http, _idents("PMC2883744"))
    assert fetched.failed[0].offline
    assert "did not answer in time for PMCID PMC2883744" in fetched.failed[0].reason


# --- Open Library ------------------------------------------------------------------------------


def test_open_library_book_is_mapped_field_by_field(http, httpserver):
    httpserver.expect_request(OPENLIBRARY).respond_with_data(
        network_data(f"openlibrary-{USE_OF_WEAPONS}.json"), content_type="application/json"
    )
    books = fetch_isbns(http, [USE_OF_WEAPONS])
    (request,) = _asked(httpserver, OPENLIBRARY)
    assert request.args["bibkeys"] == f"ISBN:{USE_OF_WEAPONS}"
    assert request.args["jscmd"] == "data" and request.args["format"] == "json"
    assert json.loads(books.items[USE_OF_WEAPONS]) == {
        "id": f"isbn-{USE_OF_WEAPONS}",
        "type": "book",
        "title": "Use of Weapons",
        "author": [{"family": "Banks", "given": "Iain M."}],
        "ISBN": USE_OF_WEAPONS,
        "source": "Open Library",
        "publisher": "Orbit",
        "number-of-pages": "480",
        "URL": "https://openlibrary.org/books/OL10426208M/Use_of_Weapons",
        "issued": {"date-parts": [[2008, 7, 28]], "raw": "July 28, 2008"},
    }
    assert books.missing == []


def test_an_isbn_open_library_does_not_know_fails_plainly(http, httpserver):
    httpserver.expect_request(OPENLIBRARY).respond_with_json({})  # its answer for no such book
    fetched = fetch_sources(http, _idents("ISBN 978-0-306-40615-7"))
    assert [f.reason for f in fetched.failed] == [
        "Open Library has no book with ISBN 9780306406157"
    ]


def test_open_library_html_truncated_and_404_answers_fail_plainly(http, httpserver):
    body = network_data(f"openlibrary-{USE_OF_WEAPONS}.json")
    httpserver.expect_oneshot_request(OPENLIBRARY).respond_with_data(HTML_PAGE)
    httpserver.expect_oneshot_request(OPENLIBRARY).respond_with_data(body[:300])
    httpserver.expect_oneshot_request(OPENLIBRARY).respond_with_data("no", status=404)
    with pytest.raises(BadResponseError, match=r"Open Library's answer .* not JSON .an HTML"):
        fetch_isbns(http, [USE_OF_WEAPONS])
    with pytest.raises(BadResponseError, match="not JSON .it begins '{'"):
        fetch_isbns(http, [USE_OF_WEAPONS])
    with pytest.raises(NotFoundError, match=f"has no ISBN {USE_OF_WEAPONS}"):
        fetch_isbns(http, [USE_OF_WEAPONS])


def test_open_library_429_then_success_is_retried(http, httpserver):
    httpserver.expect_oneshot_request(OPENLIBRARY).respond_with_data("", status=429)
    httpserver.expect_request(OPENLIBRARY).respond_with_data(
        network_data(f"openlibrary-{USE_OF_WEAPONS}.json")
    )
    assert list(fetch_isbns(http, [USE_OF_WEAPONS]).items) == [USE_OF_WEAPONS]


def test_open_library_timeout_fails_as_offline(http, httpserver):
    httpserver.expect_request(OPENLIBRARY).respond_with_handler(_slow)
    fetched = fetch_sources(http, _idents(USE_OF_WEAPONS))
    assert fetched.failed[0].offline and fetched.failed[0].text == USE_OF_WEAPONS


def test_publication_dates_as_open_library_prints_them():
    assert issued("July 28, 2008") == {"date-parts": [[2008, 7, 28]], "raw": "July 28, 2008"}
    assert issued("Mar 2001") == {"date-parts": [[2001, 3]], "raw": "Mar 2001"}
    assert issued("1998") == {"date-parts": [[1998]], "raw": "1998"}
    assert issued("n.d.") == {"raw": "n.d."}


def test_whole_names_are_split_with_their_particles():
    assert csl_name("Adrian Del Maestro") == {"family": "Del Maestro", "given": "Adrian"}
    assert csl_name("Joost van der Putten") == {"family": "van der Putten", "given": "Joost"}
    assert csl_name("Banks, Iain M.") == {"family": "Banks", "given": "Iain M."}
    assert csl_name("Homer") == {"literal": "Homer"}
    assert csl_name("  ") == {}


# --- arXiv ---------------------------------------------------------------------------------------


def test_arxiv_entry_is_mapped_field_by_field(http, httpserver):
    httpserver.expect_request(ARXIV).respond_with_data(
        network_data("arxiv-1111.2011v2.xml"), content_type="application/atom+xml"
    )
    preprints = fetch_arxiv(http, ["1111.2011v2"])
    (request,) = _asked(httpserver, ARXIV)
    assert request.args["id_list"] == "1111.2011v2" and request.args["max_results"] == "1"
    item = json.loads(preprints.items["1111.2011v2"])
    assert item["type"] == "article"  # refman's preprint
    assert item["title"] == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    assert item["author"] == [
        {"family": "Murray", "given": "James M."},
        {"family": "Del Maestro", "given": "Adrian"},
        {"family": "Tesanovic", "given": "Zlatko"},
    ]
    assert item["issued"] == {"date-parts": [[2011, 11, 8]]}
    assert item["abstract"].startswith("Theoretical description of anisotropic systems, such as")
    assert item["abstract"].endswith("describing a single node.")
    assert item["URL"] == "https://arxiv.org/abs/1111.2011"
    assert item["number"] == "arXiv:1111.2011v2"
    assert item["DOI"] == "10.1103/physrevb.85.115117"  # the journal's, as the feed names it
    assert item["note"] == "Published as: Phys. Rev. B 85, 115117 (2012)"
    assert item["publisher"] == "arXiv"


def test_arxiv_id_it_lacks_fails_and_one_without_journal_doi_gets_arxivs_doi(http, httpserver):
    httpserver.expect_request(ARXIV).respond_with_data(
        network_data("arxiv-0808.05394-1707.08567.xml")
    )
    fetched = fetch_sources(http, _idents("0808.05394 arXiv:1707.08567"))
    assert [(f.text, f.reason) for f in fetched.failed] == [
        ("0808.05394", "arXiv has no preprint 0808.05394")
    ]
    ((_, source),) = [(s.name, s) for s in fetched.sources]
    item = json.loads(source.body)
    assert item["DOI"] == "10.48550/arxiv.1707.08567"
    assert len(item["author"]) == 34
    (request,) = _asked(httpserver, ARXIV)
    assert request.args["id_list"] == "0808.05394,1707.08567"  # one request for both


def test_an_arxiv_doi_is_asked_of_arxiv(http, httpserver):
    httpserver.expect_request(ARXIV).respond_with_data(network_data("arxiv-0000.0000-none.xml"))
    fetched = fetch_sources(http, _idents("https://doi.org/10.48550/arXiv.1707.08567"))
    (request,) = _asked(httpserver, ARXIV)
    assert request.args["id_list"] == "1707.08567"
    assert _asked(httpserver, "/doi/10.48550/arxiv.1707.08567") == []
    assert fetched.failed[0].reason == "arXiv has no preprint 1707.08567"


def test_arxiv_error_feed_html_and_truncated_feed_fail_plainly(http, httpserver):
    feed = network_data("arxiv-1111.2011v2.xml")
    httpserver.expect_oneshot_request(ARXIV).respond_with_data(
        network_data("arxiv-error-abc.xml"), status=400
    )
    httpserver.expect_oneshot_request(ARXIV).respond_with_data(network_data("arxiv-error-abc.xml"))
    httpserver.expect_oneshot_request(ARXIV).respond_with_data(HTML_PAGE)
    httpserver.expect_oneshot_request(ARXIV).respond_with_data(feed[: len(feed) // 2])
    with pytest.raises(BadResponseError, match="refused the request .*HTTP 400"):
        fetch_arxiv(http, ["1111.2011"])
    with pytest.raises(BadResponseError, match="arXiv refused arXiv 1111.2011: incorrect id"):
        fetch_arxiv(http, ["1111.2011"])
    with pytest.raises(BadResponseError, match="not an Atom feed .an HTML page"):
        fetch_arxiv(http, ["1111.2011"])
    with pytest.raises(BadResponseError, match="not an Atom feed"):
        fetch_arxiv(http, ["1111.2011"])


def test_arxiv_429_then_success_is_retried(http, httpserver):
    httpserver.expect_oneshot_request(ARXIV).respond_with_data("", status=429)
    httpserver.expect_request(ARXIV).respond_with_data(network_data("arxiv-1111.2011v2.xml"))
    assert list(fetch_arxiv(http, ["1111.2011"]).items) == ["1111.2011"]
    assert len(_asked(httpserver, ARXIV)) == 2


def test_arxiv_timeout_fails_as_offline(http, httpserver):
    httpserver.expect_request(ARXIV).respond_with_handler(_slow)
    with pytest.raises(OfflineError, match="did not answer in time for arXiv 1111.2011"):
        fetch_arxiv(http, ["1111.2011"])


def test_arxiv_requests_are_spaced_as_arxiv_asks(http, httpserver):
    httpserver.expect_request(ARXIV).respond_with_data(network_data("arxiv-0000.0000-none.xml"))
    settings = dataclasses.replace(http.settings, arxiv_interval=0.4)
    with Http(settings) as paced:
        start = time.monotonic()
        fetch_arxiv(paced, ["2101.00001"])
        fetch_arxiv(paced, ["1707.08567"])
        spent = time.monotonic() - start
    # The second request waits arXiv's interval (0.4 s here, 3 s live) after the first one
    # started, where unpaced requests follow each other within milliseconds. Measured on the
    # client, so that a slow machine only makes the gap longer, never shorter.
    # (on a loaded machine a request may time out and be asked again, and a late request of
    # an earlier test's client may land here: each id is looked for, not a count)
    asked = {request.args.get("id_list") for request in _asked(httpserver, ARXIV)}
    assert {"2101.00001", "1707.08567"} <= asked
    assert spent >= 0.4


# --- all sources ---------------------------------------------------------------------------------


def test_no_server_at_all_fails_every_source_as_offline():
    nowhere = "http://127.0.0.1:9"  # the discard port: nothing answers there
    settings = Settings(
        eutils_url=nowhere, doi_url=nowhere, idconv_url=nowhere, openlibrary_url=nowhere,
        arxiv_url=nowhere, arxiv_interval=0.01, attempts=1,
    )
    with Http(settings) as client:
        fetched = fetch_sources(client, _idents("PMC2883744 9780316030571 1111.2011 12230038"))
    assert sorted(f.text for f in fetched.failed) == sorted(
        ["PMC2883744", "9780316030571", "1111.2011", "12230038"]
    )
    assert all(f.offline for f in fetched.failed)
    assert all("are you offline?" in f.reason for f in fetched.failed)


def test_progress_counts_each_request_and_cancel_stops_before_the_next(http, httpserver):
    httpserver.expect_request(IDCONV).respond_with_data(network_data("idconv-PMC1373603.json"))
    httpserver.expect_request(OPENLIBRARY).respond_with_json({})
    httpserver.expect_request(ARXIV).respond_with_data(network_data("arxiv-0000.0000-none.xml"))
    httpserver.expect_request("/eutils/efetch.fcgi").respond_with_data(
        network_data("efetch-16403221.txt")
    )
    steps: list[tuple[int, int]] = []
    fetched = fetch_sources(
        http, _idents("PMC1373603 9780316030571 1111.2011"), progress=lambda *s: steps.append(s)
    )
    assert len(_asked(httpserver)) == 4  # idconv, Open Library, arXiv, then efetch for the PMID
    assert steps[-1] == (4, 4) and [done for done, _ in steps] == sorted(done for done, _ in steps)
    assert not fetched.cancelled

    httpserver.clear_log()
    asked: list[int] = []
    fetched = fetch_sources(
        http,
        _idents("PMC1373603 9780316030571 1111.2011"),
        cancelled=lambda: asked.append(1) or len(asked) > 1,  # the user cancels after one
    )
    assert fetched.cancelled and len(_asked(httpserver)) == 1
    assert fetched.sources == []


def _asked(httpserver, path: str = "") -> list[Request]:
    """The requests made to ``path`` (to any of this test's paths when ""); a late request
    that an earlier test's timed-out client made does not count."""
    paths = {path} if path else {IDCONV, OPENLIBRARY, ARXIV, "/eutils/efetch.fcgi"}
    return [request for request, _ in httpserver.log if request.path in paths]


def _idents(text: str):
    return find_identifiers(text)
