"""``refman find-pdf`` as a user runs it, against a local server replaying PubMed Central's OA
service and Unpaywall (tests/oa_replay.py): the PDF attached and found by its words, each item
told, rc 1 when nothing was found, offline told plainly."""

from __future__ import annotations

import os

import pytest

from refman.library import Library
from refman.model import Reference
from tests.oa_replay import (
    ARTICLE,
    WJR_PDF,
    environment,
    serve_ncbi_file,
    serve_nothing_else,
    serve_oa,
)
from tests.safety_helpers import refman


@pytest.fixture
def server_env(httpserver) -> dict[str, str]:
    return {**os.environ, **environment(httpserver)}


def add_items(library_path, *refs: Reference) -> list[int]:
    with Library(library_path) as library:
        return [library.items.add(ref)[0] for ref in refs]


def test_find_pdf_attaches_pmcs_pdf_and_tells_each_item(library_path, httpserver, server_env):
    serve_oa(httpserver, "oa-PMC5334499-pdf-and-tgz.xml")
    serve_ncbi_file(httpserver, WJR_PDF, ARTICLE.read_bytes())
    serve_nothing_else(httpserver)
    found, bare = add_items(
        library_path,
        Reference(title="Heart failure programmes", pmcid="PMC5334499"),
        Reference(title="A note without identifiers"),
    )
    result = refman(library_path, "find-pdf", found, bare, env=server_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        f"Item {found}: attached WJR-9-27.PMC5334499.pdf from PubMed Central",
        f"Item {bare}: no PMCID, PMID or DOI to look for a PDF with",
        "Find Available PDF: 1 PDF attached, 1 item without an open-access PDF (of 2).",
    ]
    with Library(library_path) as library:  # its words are in the index: Hindawi is the PDF's
        assert library.attachments.search_text("Hindawi publishing") == [found]
    again = refman(library_path, "find-pdf", "--query", "Heart failure", env=server_env)
    assert again.returncode == 0
    assert again.stdout.splitlines()[0] == (
        f"Item {found}: it has a PDF already (WJR-9-27.PMC5334499.pdf)"
    )


def test_nothing_found_is_rc_1_and_offline_is_said(library_path, server_env):
    (item,) = add_items(library_path, Reference(title="Closed", pmcid="PMC8550608"))
    offline = {**server_env, "REFMAN_PMC_OA_URL": "http://127.0.0.1:9/oa.fcgi"}
    result = refman(library_path, "find-pdf", item, env=offline)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Item {item}: no open-access PDF found (PubMed Central: cannot")
    assert "are you offline?" in lines[0]
    assert lines[1] == (
        "Find Available PDF: 0 PDFs attached, 1 item without an open-access PDF (of 1)."
        " A service could not be reached: try again when online."
    )
    missing = refman(library_path, "find-pdf", "4242", env=offline)
    assert (missing.returncode, missing.stderr.strip()) == (
        1,
        "refman: There is no item with id 4242.",
    )
    nothing = refman(library_path, "find-pdf", env=offline)
    assert nothing.returncode == 1
    assert nothing.stderr.strip() == (
        "refman: Name the items to look for: ITEM_ID... or --query Q."
    )
