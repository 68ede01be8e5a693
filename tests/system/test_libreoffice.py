"""LibreOffice itself (headless, tests/libreoffice.py) opens what refman writes: a manuscript
formatted by ``refman format-document`` keeps, through a real LibreOffice load and save, each
citation as a reference mark with a start and an end around its text (never collapsed), the
marks' names (the Zotero field JSON), the bibliography's section and the document preferences;
and refman reads the copy LibreOffice saved as its own again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from refman.library import Library
from tests.libreoffice import office  # noqa: F401  (the fixture)
from tests.manuscript_helpers import make_odt

MEDLINE = """PMID- 37144409
TI  - Safety of a vaccine in older adults.
AU  - Knowles SR
AU  - Smith J
DP  - 2023 May
TA  - Lancet
VI  - 401
PG  - 100-110
PT  - Journal Article

PMID- 31000003
TI  - Mouse models of asthma.
AU  - Zed A
DP  - 2019
TA  - Nature
VI  - 570
PG  - 1-9
PT  - Journal Article
"""
ITEM = "ZOTERO_ITEM CSL_CITATION "


def refman(library: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "refman", "--library", str(library), *args],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lo-library") / "library.sqlite"
    with Library(path) as opened:
        opened.importing.text(MEDLINE)
        ids = opened.items.with_identifiers("pmid", ["37144409", "31000003"])
        opened.keys.set(ids["37144409"], "knowles2023safety")
        opened.keys.set(ids["31000003"], "zed2019mouse")
    return path


def formatted(library: Path, folder: Path, style: str) -> Path:
    manuscript = make_odt(folder / "draft.odt", [
        "<text:p>Vaccines are safe [@knowles2023safety, p. 3] in mice too "
        "[@zed2019mouse; @knowles2023safety].</text:p>",
        "<text:p>Asthma [@zed2019mouse].</text:p>",
    ])
    out = folder / "formatted.odt"
    refman(library, "format-document", str(manuscript), str(out), "--style", style)
    return out


def citation(name: str) -> dict:
    assert name.startswith(ITEM), name
    code = name[len(ITEM):]
    return json.loads(code[: code.rindex(" RND")])


def test_libreoffice_keeps_refmans_citations_through_a_save(office, library, tmp_path):  # noqa: F811
    out = formatted(library, tmp_path, "american-medical-association")
    copy = tmp_path / "saved-by-libreoffice.odt"
    seen = office.run("inspect_marks", str(out), str(copy))

    # Each citation is a mark with a start then an end, in order, none collapsed.
    portions = seen["portions"]
    assert [p["kind"] for p in portions] == ["start", "end"] * 3
    assert all(a["name"] == b["name"] for a, b in zip(portions[::2], portions[1::2], strict=True))
    texts = [mark["text"] for mark in seen["marks"]]
    assert sorted(texts) == sorted(["1(p3)", "1,2", "2"])
    for mark in seen["marks"]:
        data = citation(mark["name"])
        assert data["properties"]["plainCitation"] == mark["text"]
        assert all(item["itemData"]["title"] for item in data["citationItems"])
    sections = [s for s in seen["sections"] if s["name"].startswith("ZOTERO_BIBL")]
    assert len(sections) == 1 and "Knowles" in sections[0]["text"]
    assert "Zed" in sections[0]["text"]
    assert "american-medical-association" in seen["properties"]["ZOTERO_PREF_1"]

    # The copy LibreOffice wrote keeps them all, as LibreOffice reads it back.
    again = office.run("inspect_marks", str(copy))
    assert again["portions"] == portions
    assert sorted(m["name"] for m in again["marks"]) == sorted(m["name"] for m in seen["marks"])
    assert [s["name"] for s in again["sections"]] == [s["name"] for s in seen["sections"]]
    assert again["properties"]["ZOTERO_PREF_1"] == seen["properties"]["ZOTERO_PREF_1"]


def test_refman_refreshes_the_copy_libreoffice_saved(office, library, tmp_path):  # noqa: F811
    out = formatted(library, tmp_path, "american-medical-association")
    copy = tmp_path / "saved-by-libreoffice.odt"
    office.run("inspect_marks", str(out), str(copy))
    restyled = tmp_path / "apa.odt"
    report = refman(library, "format-document", str(copy), str(restyled), "--style", "apa")
    assert "3 citations" in report and "were fields written before" in report
    seen = office.run("inspect_marks", str(restyled))
    assert [p["kind"] for p in seen["portions"]] == ["start", "end"] * 3
    texts = sorted(mark["text"] for mark in seen["marks"])
    assert texts == sorted(["(Knowles & Smith, 2023, p. 3)",
                            "(Knowles & Smith, 2023; Zed, 2019)", "(Zed, 2019)"])
