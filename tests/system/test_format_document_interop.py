"""What LibreOffice makes of refman's Word output: a manuscript formatted by ``refman
format-document`` into a .docx is converted by a real ``soffice --headless --convert-to`` (a
profile of its own in a temporary folder), to .odt and back to .docx, and the result read.

LibreOffice (7.4 here) imports Zotero's Word fields (``ADDIN ZOTERO_ITEM CSL_CITATION {...}``)
as ODF field marks keeping the whole field code (newer versions may make them reference marks
named as Zotero names them): either way the citation text and the CSL_CITATION JSON must come
through, the footnotes a note style made must be footnotes, and the document preferences must
stay. A .docx LibreOffice saved again is read by refman as fields written before (nothing
typed, no footnote added), and so is the .odt (its field marks become reference marks). Word
itself is not run here.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from refman.library import Library, manuscripts
from tests.manuscript_helpers import (
    TEXT_NS,
    keyed_library,
    make_docx,
    w_para,
    without_footnotes,
)

T = f"{{{TEXT_NS}}}"
FIELD = "{urn:openoffice:names:experimental:ooo-ms-interop:xmlns:field:1.0}"  # LibreOffice's
META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
CODE_PARAM = "vnd.oasis.opendocument.field.code"
AMA = "american-medical-association"
IBID_STYLE = "chicago-notes-bibliography-subsequent-ibid"


def convert(sources: list[Path], to: str, folder: Path, profile: Path) -> list[Path]:
    """``soffice --headless --convert-to`` of the files into ``folder`` (its own profile, so
    that a LibreOffice already running is not asked): the converted files."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice is not installed: install libreoffice-writer-nogui (.ci/run)")
    process = subprocess.Popen(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", to, "--outdir", str(folder), *map(str, sources)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=300)  # a first start writes the profile
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("soffice --convert-to did not finish in 300 s")
    suffix = "." + to.split(":")[0]
    converted = [folder / (source.stem + suffix) for source in sources]
    missing = [path.name for path in converted if not path.exists()]
    assert not missing, f"soffice wrote no {missing}: {output}"
    return converted


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """refman's two Word manuscripts (AMA; a note style), and LibreOffice's .odt and .docx of
    each: {name: (refman's docx, odt, docx saved by LibreOffice)}."""
    folder = tmp_path_factory.mktemp("interop")
    with Library(folder / "library.sqlite") as library:
        keyed_library(library)
        ama = make_docx(folder / "ama-in.docx", [
            w_para("As shown [@knowles2023safety; @gout1993gtpase, p. 25] and [@zed2019mouse]."),
            w_para("{Bibliography}")])
        notes = make_docx(folder / "notes-in.docx", [
            w_para("First [@knowles2023safety, p. 3] and again [@knowles2023safety, p. 3].")])
        bare = without_footnotes(  # refman makes its footnotes part
            make_docx(folder / "bare-base.docx", [w_para("Shown [@zed2019mouse].")]),
            folder / "bare-in.docx")
        outs = {name: folder / f"{name}.docx" for name in ("ama", "notes", "bare")}
        manuscripts.format_document(library, ama, outs["ama"], AMA)
        manuscripts.format_document(library, notes, outs["notes"], IBID_STYLE)
        manuscripts.format_document(library, bare, outs["bare"], IBID_STYLE)
    profile = folder / "profile"
    odts = convert(list(outs.values()), "odt", folder / "odt", profile)
    docxs = convert(list(outs.values()), "docx:MS Word 2007 XML", folder / "docx", profile)
    yield {name: (outs[name], odt, docx)
           for name, odt, docx in zip(outs, odts, docxs, strict=True)}, folder


def part(path: Path, name: str):
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def _between(start, end_tag: str) -> str:
    """The text from a start element to the sibling ``end_tag`` after it (one paragraph)."""
    text = [start.tail or ""]
    for sibling in start.itersiblings():
        if sibling.tag == end_tag:
            return "".join(text)
        text += ["".join(sibling.itertext()), sibling.tail or ""]
    raise AssertionError(f"no {end_tag} after the field's start")


def lo_fields(root) -> list[tuple[str, str]]:
    """(field code, text) of each Zotero field LibreOffice made of the Word fields: a field
    mark keeping the Word code, or a reference mark named as Zotero names its own."""
    fields = []
    for element in root.iter(f"{FIELD}fieldmark-start", f"{T}reference-mark-start"):
        if element.tag == f"{T}reference-mark-start":
            code, end = element.get(f"{T}name") or "", f"{T}reference-mark-end"
        else:
            params = {p.get(f"{FIELD}name"): p.get(f"{FIELD}value")
                      for p in element.iter(f"{FIELD}param")}
            code, end = params.get(CODE_PARAM) or "", f"{FIELD}fieldmark-end"
        code = code.strip().removeprefix("ADDIN ").strip()
        if code.startswith("ZOTERO_ITEM"):  # a citation: in one paragraph
            fields.append((code, _between(element, end)))
    return fields


def citation(code: str) -> dict:
    assert code.startswith("ZOTERO_ITEM CSL_CITATION {")
    return json.loads(code[code.index("{") : code.rindex("}") + 1])


def test_libreoffice_keeps_the_citations_text_and_their_zotero_json(converted):
    files, _ = converted
    _, odt, _ = files["ama"]
    content = part(odt, "content.xml")
    fields = lo_fields(content)
    assert [text for _, text in fields] == ["1,2(p25)", "3"]
    for code, text in fields:
        data = citation(code)
        assert data["properties"]["plainCitation"] == text
        assert data["schema"].endswith("csl-citation.json")
    first = citation(fields[0][0])["citationItems"]
    assert [i["itemData"]["PMID"] for i in first] == ["37144409", "8254675"]
    assert first[1]["locator"] == "25"
    paragraphs = ["".join(t for t in p.itertext()) for p in content.iter(f"{T}p")]
    assert "As shown1,2(p25) and3." in paragraphs
    body = "".join(content.itertext())
    assert "1. Knowles SR, Smith J. Safety of a vaccine in older adults." in body
    assert "3. Zed A. Mouse models of asthma." in body
    codes = [p.get(f"{FIELD}value") or "" for p in content.iter(f"{FIELD}param")]
    sections = [s.get(f"{T}name") or "" for s in content.iter(f"{T}section")]
    assert any("ZOTERO_BIBL" in name for name in [*codes, *sections])
    prefs = [p.text for p in part(odt, "meta.xml").iter(f"{META}user-defined")
             if p.get(f"{META}name", "").startswith("ZOTERO_PREF_")]
    assert AMA in "".join(prefs)


def test_libreoffice_keeps_the_footnotes_a_note_style_made(converted):
    files, _ = converted
    _, odt, _ = files["notes"]
    content = part(odt, "content.xml")
    notes = list(content.iter(f"{T}note"))
    assert [n.findtext(f"{T}note-citation") for n in notes] == ["1", "2", "3"]
    assert "".join(notes[0].itertext()).endswith("A footnote that stays as written.")
    inside = [lo_fields(note) for note in notes[1:]]
    assert [[text for _, text in fields] for fields in inside] == [
        ["S. R. Knowles and J. Smith, Safety of a Vaccine in Older Adults, 401 (May 2023): 3."],
        ["Ibid."]]
    assert [citation(fields[0][0])["properties"]["noteIndex"] for fields in inside] == [2, 3]
    assert len(lo_fields(content)) == 2  # none left in the body text
    _, bare, _ = files["bare"]  # a document without footnotes: refman made its footnotes part
    notes = list(part(bare, "content.xml").iter(f"{T}note"))
    assert [n.findtext(f"{T}note-citation") for n in notes] == ["1"]
    assert [text for _, text in lo_fields(notes[0])] == [
        "A. Zed, Mouse Models of Asthma, 570 (2019): 1–9."]


def test_a_docx_saved_by_libreoffice_is_formatted_again_as_fields(converted):
    files, folder = converted
    with Library(folder / "library.sqlite") as library:
        for name, count in (("ama", 2), ("notes", 2), ("bare", 1)):
            _, _, saved = files[name]
            again = folder / f"{name}-again.docx"
            report = manuscripts.format_document(library, saved, again)
            assert report.from_fields == count and report.into_notes == 0
            assert report.citations == count
    ama = part(folder / "ama-again.docx", "word/document.xml")
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    texts = ["".join(t.text or "" for t in p.iter(f"{w}t")) for p in ama.iter(f"{w}p")]
    assert "As shown1,2(p25) and3." in texts


def test_the_odt_libreoffice_made_is_formatted_again_with_reference_marks(converted):
    files, folder = converted
    _, odt, _ = files["ama"]
    again = folder / "ama-again.odt"
    with Library(folder / "library.sqlite") as library:
        report = manuscripts.format_document(library, odt, again)
    assert report.from_fields == 2 and report.style == AMA
    content = part(again, "content.xml")
    assert not list(content.iter(f"{FIELD}fieldmark-start"))  # Zotero's own form now
    marks = lo_fields(content)
    assert [text for _, text in marks] == ["1,2(p25)", "3"]
    assert all(code.startswith("ZOTERO_ITEM CSL_CITATION {") for code, _ in marks)
    sections = [s.get(f"{T}name") for s in content.iter(f"{T}section")]
    assert len(sections) == 1 and sections[0].startswith("ZOTERO_BIBL")
    body = "".join(content.itertext())
    assert body.count("Knowles SR, Smith J. Safety of a vaccine in older adults.") == 1
