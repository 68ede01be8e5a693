"""``refman import`` of PDFs and of a folder of PDFs, and ``refman retrieve``, as a user runs
them, against a local server replaying doi.org's recorded answer."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from refman.library import Library
from tests.pdf_maker import make_pdf
from tests.safety_helpers import refman

DATA = Path(__file__).parents[1] / "data"
SCIENCE_DOI = "10.1126/science.169.3946.635"


@pytest.fixture
def server_env(httpserver):
    env = dict(os.environ)
    env["REFMAN_EUTILS_URL"] = httpserver.url_for("/eutils")
    env["REFMAN_DOI_URL"] = httpserver.url_for("/doi")
    return env


def serve_the_doi(httpserver) -> None:
    network = DATA / "network"
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_data(
        (network / "esearch-zero-hits.xml").read_bytes()
    )
    httpserver.expect_request(f"/doi/{SCIENCE_DOI}").respond_with_data(
        (network / "doi-science.169.3946.635.csl.json").read_bytes(),
        content_type="application/vnd.citationstyles.csl+json",
    )


def test_a_folder_of_pdfs_and_a_medline_file_are_imported_together(
    library_path, tmp_path, httpserver, server_env
):
    serve_the_doi(httpserver)
    papers = tmp_path / "Papers"
    papers.mkdir()
    (papers / "water.pdf").write_bytes(make_pdf(["Water", f"doi:{SCIENCE_DOI}"]))
    shutil.copy(DATA / "pdf" / "neg-scanned-image-only.pdf", papers / "scan.pdf")
    shutil.copy(DATA / "pdf" / "neg-not-a-pdf.pdf", papers / "broken.pdf")
    medline = DATA / "pubmed_result1.txt"
    result = refman(library_path, "import", str(papers), str(medline), env=server_env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Imported: 1 added, 0 duplicates skipped from 1 file."
    assert lines[1] == (
        "PDFs: 1 added with its PDF, 0 attached to items already in the library,"
        " 1 kept as items that need a lookup, 1 not imported (of 3)."
    )
    assert lines[2].startswith(f"  {papers / 'scan.pdf'}: item ")
    assert lines[3] == (
        f"  {papers / 'broken.pdf'}: {papers / 'broken.pdf'} is not a PDF: it does not begin"
        " as a PDF file does."
    )
    with Library(library_path) as library:
        titles = {ref.title for ref in library.items.each()}
        assert titles == {"scan", "The Bio* toolkits--a brief overview",
                          "The Structure of Ordinary Water"}


def test_a_pdf_offline_waits_for_retrieve(library_path, tmp_path, httpserver, server_env):
    paper = tmp_path / "water.pdf"
    paper.write_bytes(make_pdf(["Water", f"doi:{SCIENCE_DOI}"]))
    offline = dict(server_env, REFMAN_EUTILS_URL="http://127.0.0.1:9/eutils",
                   REFMAN_DOI_URL="http://127.0.0.1:9/doi")
    first = refman(library_path, "import", str(paper), env=offline)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "tagged 'needs lookup'" in first.stdout and "offline" in first.stdout
    with Library(library_path) as library:
        (stand_in,) = library.items.all_ids()

    serve_the_doi(httpserver)
    found = refman(library_path, "retrieve", str(stand_in), env=server_env)
    assert found.returncode == 0, found.stdout + found.stderr
    with Library(library_path) as library:
        (item,) = library.items.search()
        assert library.items.get(item).title == "The Structure of Ordinary Water"
        assert [row.name for row in library.attachments.of([item])[item]] == ["water.pdf"]
