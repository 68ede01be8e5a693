"""``refman add ID...`` and ``refman add -``: the installed command against a local server that
replays PubMed's and doi.org's answers, found through REFMAN_EUTILS_URL and REFMAN_DOI_URL."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from refman.library import Library
from tests.safety_helpers import REFMAN, refman

NETWORK_DATA = Path(__file__).parents[1] / "data" / "network"
EFETCH = "/eutils/efetch.fcgi"
ESEARCH = "/eutils/esearch.fcgi"
SCIENCE_DOI = "10.1126/science.169.3946.635"


def data(name: str) -> bytes:
    return (NETWORK_DATA / name).read_bytes()


@pytest.fixture
def server_env(httpserver):
    env = dict(os.environ)
    env["REFMAN_EUTILS_URL"] = httpserver.url_for("/eutils")
    env["REFMAN_DOI_URL"] = httpserver.url_for("/doi")
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
    assert result.stdout.splitlines()[0] == "Imported: 2 added, 0 duplicates skipped from 2 files."
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
    assert lines[0].startswith("Imported: 0 added, 1 duplicate skipped from 1 file.")
    assert "same PMID as item" in second.stdout
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
