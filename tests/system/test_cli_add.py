"""``refman add ID...`` and ``refman add -``: the installed command against a local server that
replays PubMed's and doi.org's answers, found through REFMAN_EUTILS_URL and REFMAN_DOI_URL."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from refman.library import Library
from refman.model import ViewQuery
from tests.safety_helpers import REFMAN, refman

NETWORK_DATA = Path(__file__).parents[1] / "data" / "network"
EFETCH = "/eutils/efetch.fcgi"
ESEARCH = "/eutils/esearch.fcgi"
SCIENCE_DOI = "10.1126/science.169.3946.635"
IDCONV = "/idconv/"
ARXIV = "/arxiv/query"


def data(name: str) -> bytes:
    return (NETWORK_DATA / name).read_bytes()


@pytest.fixture
def server_env(httpserver):
    env = dict(os.environ)
    env["REFMAN_EUTILS_URL"] = httpserver.url_for("/eutils")
    env["REFMAN_DOI_URL"] = httpserver.url_for("/doi")
    env["REFMAN_IDCONV_URL"] = httpserver.url_for(IDCONV)
    env["REFMAN_OPENLIBRARY_URL"] = httpserver.url_for("/openlibrary")
    env["REFMAN_ARXIV_URL"] = httpserver.url_for(ARXIV)
    return env


def titles(library_path) -> list[str]:
    with Library(library_path) as library:
        return sorted(ref.title for ref in library.items.each())


def test_add_a_pmid_url_and_a_doi_pubmed_lacks(library_path, httpserver, server_env):
    httpserver.expect_request(EFETCH).respond_with_data(data("efetch-12230038.txt"))
    httpserver.expect_request(ESEARCH).respond_with_data(data("esearch-zero-hits.xml"))
    httpserver.expect_request(f"/doi/{SCIENCE_DOI}").respond_with_data(
        data("doi-science.169.3946.635.csl.json"),
        content_type="application/vnd.citationstyles.csl+json",
    )
    url = "https://pubmed.ncbi.nlm.nih.gov/12230038/"
    result = refman(library_path, "add", url, f"https://doi.org/{SCIENCE_DOI}", env=server_env)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = "Imported: 2 added, 0 duplicates skipped from 2 identifiers."
    assert result.stdout.splitlines()[0] == summary
    assert titles(library_path) == [
        "The Bio* toolkits--a brief overview", "The Structure of Ordinary Water",
    ]
    efetch = next(req for req, _ in httpserver.log if req.path == EFETCH)
    assert efetch.args["id"] == "12230038" and efetch.args["tool"] == "refman"


def test_add_reads_identifiers_from_standard_input_and_skips_one_already_there(
    library_path, httpserver, server_env
):
    httpserver.expect_request(EFETCH).respond_with_data(data("efetch-12230038.txt"))
    run = [str(REFMAN), "--library", str(library_path), "add", "-"]
    first = subprocess.run(run, input="PMID: 12230038\n", capture_output=True, text=True,
                           env=server_env, timeout=120)
    assert first.returncode == 0, first.stderr
    second = subprocess.run(run, input="12230038, nonsense\n", capture_output=True, text=True,
                            env=server_env, timeout=120)
    assert "Traceback" not in second.stderr
    assert second.returncode == 1  # "nonsense" is no identifier
    lines = second.stdout.splitlines()
    assert lines[0] == (
        "Imported: 0 added, 0 duplicates skipped from 2 identifiers."
        " 1 identifier already in the library. 1 identifier not added."
    )
    assert "  12230038: already in the library as item 1" in lines
    assert len([req for req, _ in httpserver.log if req.path == EFETCH]) == 1  # not fetched again
    assert "  nonsense: not a PMID, PMCID, DOI, ISBN or arXiv id" in lines
    assert titles(library_path) == ["The Bio* toolkits--a brief overview"]


def test_a_pmid_pubmed_does_not_have_is_listed_and_nothing_added(
    library_path, httpserver, server_env
):
    httpserver.expect_request(EFETCH).respond_with_data("\n")
    result = refman(library_path, "add", "99999999", env=server_env)
    assert result.returncode == 1
    assert "  99999999: PubMed has no PMID 99999999" in result.stdout.splitlines()
    assert titles(library_path) == []


def test_offline_is_said_plainly(library_path):
    env = dict(os.environ, REFMAN_EUTILS_URL="http://127.0.0.1:9/eutils")
    result = refman(library_path, "add", "12230038", env=env)
    assert result.returncode == 1
    assert "12230038: cannot reach 127.0.0.1 for PMID 12230038: are you offline?" in result.stdout


def test_no_identifiers_at_all_is_refused(library_path):
    result = subprocess.run([str(REFMAN), "--library", str(library_path), "add", "-"],
                            input=" \n", capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith("refman: No identifiers given")


def test_add_a_pmcid_an_isbn_and_an_arxiv_id_then_again(library_path, httpserver, server_env):
    httpserver.expect_request(IDCONV).respond_with_data(data("idconv-PMC1373603.json"))
    httpserver.expect_request(EFETCH).respond_with_data(data("efetch-16403221.txt"))
    httpserver.expect_request("/openlibrary/api/books").respond_with_data(
        data("openlibrary-9780316030571.json"), content_type="application/json"
    )
    httpserver.expect_request(ARXIV).respond_with_data(
        data("arxiv-1111.2011v2.xml"), content_type="application/atom+xml"
    )
    ids = ["https://pmc.ncbi.nlm.nih.gov/articles/PMC1373603/", "ISBN", "0-316-03057-0",
           "arXiv:1111.2011v2"]
    result = refman(library_path, "add", *ids, env=server_env)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = "Imported: 3 added, 0 duplicates skipped from 3 identifiers."
    assert result.stdout.splitlines() == [summary]
    assert titles(library_path) == [
        "A high level interface to SCOP and ASTRAL implemented in python",
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit",
        "Use of Weapons",
    ]
    asked = [request.path for request, _ in httpserver.log]
    httpserver.clear_log()

    again = refman(library_path, "add", "PMC1373603", "9780316030571", "1111.2011",
                   env=server_env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert [request for request, _ in httpserver.log] == []  # nothing fetched twice
    with Library(library_path) as library:
        item = {ref.item_type: ref.id for ref in library.items.each()}
    assert again.stdout.splitlines() == [
        "Imported: 0 added, 0 duplicates skipped from 3 identifiers."
        " 3 identifiers already in the library.",
        f"  PMC1373603: already in the library as item {item['article-journal']}",
        f"  9780316030571: already in the library as item {item['book']}",
        f"  1111.2011: already in the library as item {item['article']}",
    ]
    assert sorted(asked) == sorted([IDCONV, EFETCH, "/openlibrary/api/books", ARXIV])


def test_ids_whose_sources_are_unreachable_are_given_back_as_a_command(library_path):
    nowhere = "http://127.0.0.1:9"
    env = dict(os.environ)
    for name in ("EUTILS", "DOI", "IDCONV", "OPENLIBRARY", "ARXIV"):
        env[f"REFMAN_{name}_URL"] = nowhere
    result = refman(library_path, "add", "PMC1373603", "9780316030571", "arXiv:1111.2011",
                    "junk", env=env)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].endswith("4 identifiers not added.")
    assert "  junk: not a PMID, PMCID, DOI, ISBN or arXiv id" in lines
    assert any(line.startswith("  arXiv:1111.2011: cannot reach 127.0.0.1") for line in lines)
    command = ["refman", "--library", str(library_path), "add", "PMC1373603", "9780316030571",
               "arXiv:1111.2011"]
    assert lines[-1] == f"To try again later: {shlex.join(command)}"
    assert titles(library_path) == []


def test_add_files_the_new_items_in_the_collection_named(library_path, httpserver, server_env):
    httpserver.expect_request(EFETCH).respond_with_data(data("efetch-12230038.txt"))
    result = refman(library_path, "add", "--collection", "To read", "12230038", env=server_env)
    assert result.returncode == 0, result.stdout + result.stderr
    with Library(library_path) as library:
        (collection,) = library.collections.all()
        assert collection.name == "To read"
        filed = library.items.search(ViewQuery(collection=collection.id))
        assert [library.items.get(item).pmid for item in filed] == ["12230038"]
