"""``refman pubmed search QUERY``: the installed command against a local PubMed
(tests/pubmed_replay.py) found through REFMAN_EUTILS_URL: the count, a line per hit with
those in the library marked, --json, --import, and plain errors with their exit codes."""

from __future__ import annotations

import json
import os

import pytest

from refman.library import Library
from refman.model import Reference
from tests.pubmed_replay import NETWORK_DATA, PubMedReplay, tags
from tests.safety_helpers import refman


@pytest.fixture
def server_env(httpserver):
    return dict(os.environ, REFMAN_EUTILS_URL=httpserver.url_for("/eutils"))


@pytest.fixture
def pubmed(httpserver):
    replay = PubMedReplay(httpserver, [])
    replay.hits = list(replay.records)[:7]
    return replay


def test_search_lists_the_count_and_a_line_per_hit_with_those_held_marked(
    library_path, pubmed, server_env
):
    with Library(library_path) as library:
        library.items.add(Reference(title="Typed in", pmid=pubmed.hits[1]))
    query = 'balloon guide catheter[tiab] AND "stroke"[mh]'
    result = refman(library_path, "pubmed", "search", query, "--max", "3", env=server_env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "7 hits, 1-3 shown."
    assert lines[1] == 'PubMed read the query as: "biopython"[All Fields]'  # as recorded
    assert pubmed.queries == [query]
    hits = lines[2:]
    assert [line.split()[0] for line in hits] == pubmed.hits[:3]
    first = tags(pubmed.records[pubmed.hits[0]])
    assert hits[0].split()[1] == first["DP"][0][:4]
    assert f"{first['AU'][0]} et al." in hits[0]
    assert f"{first['TI'][0]} ({first['TA'][0]})" in hits[0]
    assert [line.endswith("[in library]") for line in hits] == [False, True, False]


def test_start_pages_on_and_json_is_for_scripts(library_path, pubmed, server_env):
    result = refman(library_path, "pubmed", "search", "x", "--max", "3", "--start", "4",
                    "--json", env=server_env)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert (found["count"], found["start"], found["query"]) == (7, 4, "x")
    assert [hit["pmid"] for hit in found["hits"]] == pubmed.hits[3:6]
    first = found["hits"][0]
    assert first["title"] == pubmed.title(pubmed.hits[3])
    assert first["in_library"] is False and first["item"] is None
    assert first["authors"] == tags(pubmed.records[pubmed.hits[3]])["AU"]


def test_import_adds_the_hits_shown_and_skips_those_held(library_path, pubmed, server_env):
    with Library(library_path) as library:
        library.importing.answers([("held", "medline", pubmed.records[pubmed.hits[0]])])
    result = refman(library_path, "pubmed", "search", "x", "--max", "3", "--import",
                    env=server_env)
    assert result.returncode == 0, result.stderr
    assert (
        "Imported: 2 added, 0 duplicates skipped from 3 identifiers."
        " 1 identifier already in the library."
    ) in result.stdout
    with Library(library_path) as library:
        assert sorted(ref.pmid for ref in library.items.each()) == sorted(pubmed.hits[:3])
        assert len(library.imports.list()) == 2  # the first, then the search's import
    again = refman(library_path, "pubmed", "search", "x", "--max", "3", env=server_env)
    assert [line.endswith(" [in library]") for line in again.stdout.splitlines()[2:]] == [True] * 3


def test_no_hits_says_so_with_pubmeds_remarks_and_exits_1(library_path, httpserver, server_env):
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_data(
        (NETWORK_DATA / "esearch-zero-hits.xml").read_bytes()
    )
    result = refman(library_path, "pubmed", "search", "abcXYZ", env=server_env)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "No hits.",
        "PubMed read the query as: (abcXYZ[All Fields])",
        '  PubMed found nothing for "abcXYZ"',
        "  No items found.",
    ]


def test_html_instead_of_xml_is_a_plain_error(library_path, httpserver, server_env):
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_data(
        "<html><body><h1>502 Bad Gateway</h1><hr></body></html>", content_type="text/html"
    )
    result = refman(library_path, "pubmed", "search", "cancer", env=server_env)
    assert result.returncode == 1
    assert result.stderr.startswith("refman: PubMed's search answer is not")
    assert "an HTML page" in result.stderr


def test_offline_and_bad_arguments_are_plain_errors(library_path):
    env = dict(os.environ, REFMAN_EUTILS_URL="http://127.0.0.1:9/eutils")
    offline = refman(library_path, "pubmed", "search", "cancer", env=env)
    assert offline.returncode == 1
    assert offline.stderr.startswith(
        "refman: cannot reach 127.0.0.1 for the search: are you offline?"
    )
    too_many = refman(library_path, "pubmed", "search", "cancer", "--max", "1000", env=env)
    assert too_many.returncode == 1
    assert too_many.stderr == "refman: A page holds 1 to 200 hits, not 1000.\n"
    empty = refman(library_path, "pubmed", "search", " ", env=env)
    assert empty.returncode == 1 and "The search is empty" in empty.stderr


def test_a_hit_pubmed_has_no_record_for_is_shown_and_its_import_fails(
    library_path, pubmed, server_env
):
    pubmed.hits = [pubmed.hits[0], "99999999"]  # esummary and efetch know only the first
    result = refman(library_path, "pubmed", "search", "x", "--import", env=server_env)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "2 hits."
    assert lines[3] == "99999999" + " " * 34 + "(PubMed gave no summary)"
    assert (
        "Imported: 1 added, 0 duplicates skipped from 2 identifiers. 1 identifier not added."
    ) in lines
    assert "  99999999: PubMed has no PMID 99999999" in lines
