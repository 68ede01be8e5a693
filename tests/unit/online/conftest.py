"""A client of refman.online aimed at the local pytest-httpserver, with short pauses."""

from pathlib import Path

import pytest

from refman.online import Http, Settings

IDCONV = "/idconv/"
OPENLIBRARY = "/openlibrary/api/books"
ARXIV = "/arxiv/query"
NETWORK_DATA = Path(__file__).parents[2] / "data" / "network"


def network_data(name: str) -> bytes:
    return (NETWORK_DATA / name).read_bytes()


@pytest.fixture
def http(httpserver):
    settings = Settings(
        eutils_url=httpserver.url_for("/eutils"),
        doi_url=httpserver.url_for("/doi"),
        idconv_url=httpserver.url_for(IDCONV),
        openlibrary_url=httpserver.url_for("/openlibrary"),
        arxiv_url=httpserver.url_for(ARXIV),
        arxiv_interval=0.01,
        timeout=0.5,
        attempts=3,
        backoff=0.01,
    )
    with Http(settings) as client:
        yield client
