"""refman.online.http against a real local server: retries, timeouts, errors in plain words."""

import time

import pytest
from werkzeug import Response

from refman.online import BadResponseError, Http, NotFoundError, OfflineError, Settings
from refman.online.http import DOI_URL, EUTILS_URL


def test_a_429_then_success_is_retried_and_the_answer_given(http, httpserver):
    httpserver.expect_ordered_request("/x").respond_with_data("slow down", status=429)
    httpserver.expect_ordered_request("/x").respond_with_data("ok")
    assert http.get(httpserver.url_for("/x")).text == "ok"
    assert len(httpserver.log) == 2


def test_a_503_then_a_502_then_success(http, httpserver):
    httpserver.expect_ordered_request("/x").respond_with_data("down", status=503)
    httpserver.expect_ordered_request("/x").respond_with_data("down", status=502)
    httpserver.expect_ordered_request("/x").respond_with_data("ok")
    assert http.get(httpserver.url_for("/x")).text == "ok"


def test_500s_every_time_end_in_a_plain_message_after_the_allowed_tries(http, httpserver):
    httpserver.expect_request("/x").respond_with_data("<html>oops</html>", status=500)
    with pytest.raises(BadResponseError, match=r"problem of its own \(HTTP 500\); try later"):
        http.get(httpserver.url_for("/x"))
    assert len(httpserver.log) == 3  # Settings(attempts=3)


def test_a_404_is_not_found_and_not_retried(http, httpserver):
    httpserver.expect_request("/x").respond_with_data("no", status=404)
    with pytest.raises(NotFoundError, match="has no PMID 1"):
        http.get(httpserver.url_for("/x"), what="PMID 1")
    assert len(httpserver.log) == 1


def test_a_400_is_refused_and_not_retried(http, httpserver):
    httpserver.expect_request("/x").respond_with_data("bad", status=400)
    with pytest.raises(BadResponseError, match=r"refused the request .*HTTP 400"):
        http.get(httpserver.url_for("/x"))
    assert len(httpserver.log) == 1


def test_a_server_that_does_not_answer_in_time_is_reported_as_such(http, httpserver):
    def slow(_request):
        time.sleep(0.8)
        return Response("late")

    httpserver.expect_request("/x").respond_with_handler(slow)
    with pytest.raises(OfflineError, match="did not answer in time for PMID 5"):
        http.get(httpserver.url_for("/x"), what="PMID 5")


def test_a_body_cut_short_is_a_bad_response(http, httpserver):
    def cut(_request):
        response = Response(b"PMID- 1\nTI  - cut")
        response.automatically_set_content_length = False
        response.headers["Content-Length"] = "5000"  # promised, then the connection closes
        return response

    httpserver.expect_request("/x").respond_with_handler(cut)
    with pytest.raises(BadResponseError, match="cut short"):
        http.get(httpserver.url_for("/x"))


def test_no_server_at_all_is_reported_as_offline():
    settings = Settings(timeout=0.5, attempts=1)
    with Http(settings) as client, pytest.raises(OfflineError, match="are you offline"):
        client.get("http://127.0.0.1:9/efetch.fcgi", what="PMID 1")


def test_every_eutils_request_carries_tool_and_email_and_the_key_when_given(httpserver):
    with Http(Settings(api_key="K", backoff=0.01)) as client:
        params = client.eutils_params({"db": "pubmed"})
    assert params == {"db": "pubmed", "tool": "refman", "email": params["email"], "api_key": "K"}
    assert "@" in params["email"]
    with Http(Settings()) as client:
        assert "api_key" not in client.eutils_params({})


def test_requests_are_spaced_to_ncbis_rate(httpserver):
    httpserver.expect_request("/x").respond_with_data("ok")
    with Http(Settings()) as client:  # no key: at most 3 a second
        start = time.monotonic()
        for _ in range(4):
            client.get(httpserver.url_for("/x"))
        spent = time.monotonic() - start
    assert spent >= 0.99  # four requests need three gaps of a third of a second


def test_base_urls_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("REFMAN_EUTILS_URL", "http://127.0.0.1:1/e")
    monkeypatch.setenv("REFMAN_DOI_URL", "http://127.0.0.1:1/d")
    settings = Settings.from_environment()
    assert settings.eutils_url == "http://127.0.0.1:1/e"
    assert settings.doi_url == "http://127.0.0.1:1/d"
    monkeypatch.delenv("REFMAN_EUTILS_URL")
    monkeypatch.setenv("REFMAN_DOI_URL", "")
    settings = Settings.from_environment()
    assert (settings.eutils_url, settings.doi_url) == (EUTILS_URL, DOI_URL)


def test_an_api_key_allows_ten_requests_a_second_and_none_three():
    assert Settings(api_key="K").requests_per_second == 10.0
    assert Settings().requests_per_second == 3.0


def test_a_429_asking_for_a_long_wait_is_not_waited_for(http, httpserver):
    httpserver.expect_request("/x").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "3600"}
    )
    start = time.monotonic()
    with pytest.raises(BadResponseError, match="slow down .too many requests.; try later"):
        http.get(httpserver.url_for("/x"))
    assert time.monotonic() - start < 30
    assert len(httpserver.log) == 1


def test_a_429s_short_retry_after_is_waited_for(http, httpserver):
    httpserver.expect_ordered_request("/x").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}
    )
    httpserver.expect_ordered_request("/x").respond_with_data("ok")
    start = time.monotonic()
    assert http.get(httpserver.url_for("/x")).text == "ok"
    assert time.monotonic() - start >= 1.0
