"""LibreOffice itself (headless, tests/libreoffice.py) opens what refman writes: a manuscript
formatted by ``refman format-document`` keeps, through a real LibreOffice load and save, each
citation as a reference mark with a start and an end around its text (never collapsed), the
marks' names (the Zotero field JSON), the bibliography's section and the document preferences;
and refman reads the copy LibreOffice saved as its own again."""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from refman import cayw
from refman.cayw import CaywRequest, Cited
from refman.gui.cayw import HttpRequest, refusal
from refman.library import Library
from refman.library import cayw as answering
from refman.model import RefmanError
from refman.paths import PORT_FILE
from tests.libreoffice import extension, free_port, office  # noqa: F401  (the fixtures)
from tests.manuscript_helpers import TEXT_NS, keyed_library, make_odt

ITEM = "ZOTERO_ITEM CSL_CITATION "
AMA = "american-medical-association"
T = f"{{{TEXT_NS}}}"


def refman(library: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "refman", "--library", str(library), *args],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lo-library") / "library.sqlite"
    with Library(path) as opened:
        keyed_library(opened)
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


# --- refman's extension, driven through LibreOffice's dispatcher --------------------------------


class Refman(threading.Thread):
    """refman's loopback answers as the window gives them (the picker's ``json`` and
    ``/refman/cite``, the Host rules included), with the picks the test queues in place of a
    user picking."""

    def __init__(self, library: Path, port: int):
        super().__init__(daemon=True)
        self.library_path, self.port, self.picks = library, port, []
        self.refuse_cite = ""  # when set, /refman/cite answers 400 with it
        self.asked: list[str] = []
        self.ready = threading.Event()

    def run(self) -> None:
        with Library(self.library_path) as library:
            self.server = http.server.HTTPServer(("127.0.0.1", self.port), self._handler(library))
            self.ready.set()
            self.server.serve_forever()

    def _handler(self, library: Library):
        refman = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                request = HttpRequest("GET", self.path,
                                      {k.lower(): v for k, v in self.headers.items()})
                refman.asked.append(request.path)
                refused = refusal(request, refman.port)
                if refused is not None:
                    return self.answer(*refused)
                query = CaywRequest.parse(request.query)
                try:
                    if request.path == cayw.CITE_PATH and refman.refuse_cite:
                        return self.answer(400, refman.refuse_cite)
                    if request.path == cayw.CITE_PATH:
                        return self.answer(200, answering.cite(library, query, AMA))
                    ids = refman.picks.pop(0)
                    return self.answer(200, answering.answer(library, ids, query, AMA).text)
                except RefmanError as exc:
                    return self.answer(400, str(exc))

            def answer(self, status: int, body: str) -> None:
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        return Handler

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def refman_running(extension, library):  # noqa: F811
    server = Refman(library, extension.port)
    server.start()
    assert server.ready.wait(60)
    with Library(library) as opened:
        server.ids = opened.items.with_identifiers("pmid", ["37144409", "31000003"])
    yield server
    server.stop()


def content(path: Path):
    return etree.fromstring(zipfile.ZipFile(path).read("content.xml"))


def marks_and_text(path: Path) -> list[tuple[str, str]]:
    """(paragraph's text, its citations' texts) of each body paragraph, from the saved XML."""
    out = []
    for paragraph in content(path).iter(f"{T}p"):
        cited, inside = [], None
        for node in paragraph.iter():
            if node.tag == f"{T}reference-mark-start":
                inside = node.get(f"{T}name")
                cited.append("")
            elif node.tag == f"{T}reference-mark-end":
                assert node.get(f"{T}name") == inside, "a mark ends that did not start"
                inside = None
            elif inside is not None and node.text and node.tag != f"{T}reference-mark-start":
                cited[-1] += node.text
            if inside is not None and node.tail and node is not paragraph:
                cited[-1] += node.tail
        out.append(("".join(paragraph.itertext()), cited))
    return out


def test_the_extension_cites_renumbers_and_restyles(extension, refman_running, tmp_path):  # noqa: F811
    ids = refman_running.ids
    knowles, zed = int(ids["37144409"]), int(ids["31000003"])
    draft = make_odt(tmp_path / "draft.odt", ["<text:p>Vaccines are safe.</text:p>",
                                              "<text:p>Asthma too.</text:p>"])
    out = tmp_path / "cited.odt"
    refman_running.picks = [[knowles], [zed, knowles]]
    seen = extension.office.run("dispatch", str(draft), str(out), json.dumps([
        {"after": "safe"}, {"command": "AddCitation"},
        {"after": "too"}, {"command": "AddCitation"},
        {"after": ""}, {"command": "AddBibliography"},
    ]))
    assert extension.told() == []
    assert [p["kind"] for p in seen["portions"]] == ["start", "end"] * 2
    body = dict(marks_and_text(out))
    assert body["Vaccines are safe1."] == ["1"]
    assert body["Asthma too1,2."] == ["1,2"]
    bibliography = [s for s in seen["sections"] if s["name"].startswith("ZOTERO_BIBL")]
    assert len(bibliography) == 1
    entries = bibliography[0]["text"].splitlines()
    assert entries[0].startswith("1. Knowles SR") and entries[1].startswith("2. Zed A")
    for mark in seen["marks"]:
        assert citation(mark["name"])["properties"]["plainCitation"] == mark["text"]

    # A citation of Zed before the others: the numbers follow the text's order.
    renumbered = tmp_path / "renumbered.odt"
    refman_running.picks = [[zed]]
    seen = extension.office.run("dispatch", str(out), str(renumbered), json.dumps([
        {"before": "Vaccines"}, {"command": "AddCitation"},
    ]))
    body = dict(marks_and_text(renumbered))
    assert body["1Vaccines are safe2."] == ["1", "2"]
    assert body["Asthma too1,2."] == ["1,2"]

    # Document Preferences: APA, author-date, the bibliography by author.
    restyled = tmp_path / "apa.odt"
    seen = extension.office.run("dispatch", str(renumbered), str(restyled), json.dumps([
        {"command": "Preferences", "args": {"Style": "apa"}},
    ]))
    texts = [t for _, cited in marks_and_text(restyled) for t in cited]
    assert texts == ["(Zed, 2019)", "(Knowles & Smith, 2023)",
                     "(Knowles & Smith, 2023; Zed, 2019)"]
    assert "styles/apa" in seen["properties"]["ZOTERO_PREF_1"]
    entries = next(s["text"] for s in seen["sections"]
                   if s["name"].startswith("ZOTERO_BIBL")).splitlines()
    assert entries[0].startswith("Knowles, S. R.") and entries[1].startswith("Zed, A.")
    # One refresh a command, and before the document's first citation one question (its
    # style's kind: a note style puts it in a footnote).
    assert refman_running.asked.count(cayw.CITE_PATH) == 6

    # Edit Citation: the cursor in a citation, the items picked replace its own.
    edited = tmp_path / "edited.odt"
    refman_running.picks = [[knowles]]
    seen = extension.office.run("dispatch", str(restyled), str(edited), json.dumps([
        {"after": "(Zed"}, {"command": "AddCitation"},
    ]))
    texts = [t for _, cited in marks_and_text(edited) for t in cited]
    assert texts == ["(Knowles & Smith, 2023)", "(Knowles & Smith, 2023)",
                     "(Knowles & Smith, 2023; Zed, 2019)"]
    assert [p["kind"] for p in seen["portions"]] == ["start", "end"] * 3
    assert extension.told() == []

    # refman reads what the extension wrote as its own fields.
    report = refman(refman_running.library_path, "format-document", str(edited),
                    str(tmp_path / "again.odt"))
    assert "3 citations" in report and "3 citation(s) were fields written before" in report


def test_what_refman_refuses_is_said_and_the_document_stays_as_it_was(
    extension, refman_running, library, tmp_path  # noqa: F811
):
    out = formatted(library, tmp_path, AMA)
    before = marks_and_text(out)
    told = len(extension.told())
    kept = tmp_path / "kept.odt"
    seen = extension.office.run("dispatch", str(out), str(kept), json.dumps([
        {"command": "Preferences", "args": {"Style": "no-such-style"}},
    ]))
    assert "Unknown style 'no-such-style'" in extension.told()[told]
    assert AMA in seen["properties"]["ZOTERO_PREF_1"]
    assert marks_and_text(kept) == before

    # An edit refused on the way (refman answers 400): the citation is put back.
    refman_running.picks = [[refman_running.ids["31000003"]]]
    refman_running.refuse_cite = "The library does not hold these items: citation 1: x"
    seen = extension.office.run("dispatch", str(kept), str(tmp_path / "edited.odt"), json.dumps([
        {"after": "safe1("}, {"command": "AddCitation"},
    ]))
    assert "refman could not do that: The library does not hold" in extension.told()[-1]
    assert marks_and_text(tmp_path / "edited.odt") == before
    kept_runs = [c["runs"] for c in odt_citations(tmp_path / "edited.odt")]
    assert kept_runs == [c["runs"] for c in odt_citations(out)]  # superscript and all
    assert all(marks == "sup" for runs in kept_runs for _, marks in runs)
    assert [p["kind"] for p in seen["portions"]] == ["start", "end"] * 3


def test_the_extension_says_when_refman_is_not_running(extension, tmp_path):  # noqa: F811
    draft = make_odt(tmp_path / "draft.odt", ["<text:p>Vaccines are safe.</text:p>"])
    out = tmp_path / "out.odt"
    before = len(extension.told())
    seen = extension.office.run("dispatch", str(draft), str(out), json.dumps([
        {"after": "safe"}, {"command": "AddCitation"},
    ]))
    told = extension.told()[before:]
    assert len(told) == 1 and "Start refman and turn on its citation picker" in told[0]
    assert seen["portions"] == [] and seen["marks"] == []
    assert dict(marks_and_text(out))["Vaccines are safe."] == []
    # Document Preferences' dialog (cancelled by a headless LibreOffice) and a Refresh with
    # nothing to refresh: nothing to say, nothing changed.
    seen = extension.office.run("dispatch", str(draft), str(out), json.dumps([
        {"command": "Preferences"}, {"command": "Refresh"},
    ]))
    assert len(extension.told()) == before + 1
    assert "ZOTERO_PREF_1" not in seen["properties"] and seen["sections"] == []


def test_the_command_line_writes_the_extension(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "refman", "libreoffice-extension", "--path"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    oxt = Path(done.stdout.strip())
    assert oxt.is_relative_to(tmp_path / "data")
    with zipfile.ZipFile(oxt) as archive:
        names = set(archive.namelist())
        manifest = etree.fromstring(archive.read("META-INF/manifest.xml"))
        description = archive.read("description.xml").decode("utf-8")
    listed = {entry.get("{http://openoffice.org/2001/manifest}full-path")
              for entry in manifest}
    assert listed <= names and "refman_lo.py" in listed
    assert "pythonpath/refman_office.py" in names
    assert 'identifier value="org.refman.libreoffice"' in description
    done = subprocess.run([sys.executable, "-m", "refman", "libreoffice-extension", "--path",
                           "--install"], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 2 and "not allowed with argument" in done.stderr


# --- notes, rich text, preferences, the port file -------------------------------------------

STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
FO_NS = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
NOTES = "chicago-notes-bibliography-subsequent-ibid"


def text_styles(root) -> dict[str, set[str]]:
    """{automatic style name: its marks (i, b, sup, sub, sc)} of a content.xml."""
    marks = {}
    for style in root.iter(f"{{{STYLE_NS}}}style"):
        found = set()
        for props in style.iter(f"{{{STYLE_NS}}}text-properties"):
            if props.get(f"{{{FO_NS}}}font-style") == "italic":
                found.add("i")
            if props.get(f"{{{FO_NS}}}font-weight") == "bold":
                found.add("b")
            if props.get(f"{{{FO_NS}}}font-variant") == "small-caps":
                found.add("sc")
            position = (props.get(f"{{{STYLE_NS}}}text-position") or "0").split()[0]
            if position == "super" or (position.endswith("%") and float(position[:-1]) > 0):
                found.add("sup")
            if position == "sub" or (position.endswith("%") and float(position[:-1]) < 0):
                found.add("sub")
        marks[style.get(f"{{{STYLE_NS}}}name")] = found
    return marks


def odt_citations(path: Path) -> list[dict]:
    """Each citation mark of the saved ODT in reading order (a note's where its anchor is):
    its text, the note it sits in ("footnote 2", "endnote 1" or "" in the body, numbered as
    LibreOffice numbers them), and its runs of text with their marks from the styles."""
    root = content(path)
    styles = text_styles(root)
    found, counted, open_marks = [], {}, {}

    def walk(node, marks: frozenset, note: str) -> None:
        tag = node.tag
        if tag == f"{T}reference-mark-start":
            name = node.get(f"{T}name")
            if name.startswith(ITEM):
                open_marks[name] = {"text": "", "note": note, "runs": [], "name": name}
            return
        if tag == f"{T}reference-mark-end":
            ended = open_marks.pop(node.get(f"{T}name"), None)
            assert ended is not None or not node.get(f"{T}name").startswith(ITEM)
            if ended is not None:
                found.append(ended)
            return
        if tag == f"{T}note-citation":
            return
        if tag == f"{T}note":
            kind = node.get(f"{T}note-class")
            counted[kind] = counted.get(kind, 0) + 1
            note = f"{kind} {counted[kind]}"
        if tag in (f"{T}span", f"{T}p"):
            marks = marks | styles.get(node.get(f"{T}style-name"), set())
        add(node.text, marks)
        if tag == f"{T}s":
            add(" " * int(node.get(f"{T}c", "1")), marks)
        for child in node:
            walk(child, marks, note)
            add(child.tail, marks)

    def add(text, marks) -> None:
        for record in open_marks.values():
            if text:
                record["text"] += text
                record["runs"].append((text, "".join(sorted(marks))))

    walk(root.find(f"{{{OFFICE_NS}}}body"), frozenset(), "")
    assert not open_marks, "a mark that never ends"
    return found


OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def runs_in(node, styles: dict[str, set[str]], marks: frozenset = frozenset()) -> list:
    """(text, its marks) of each piece of text under ``node`` (a paragraph, a section)."""
    if node.tag in (f"{T}span", f"{T}p"):
        marks = marks | styles.get(node.get(f"{T}style-name"), set())
    found = [(node.text, "".join(sorted(marks)))] if node.text else []
    for child in node:
        found += runs_in(child, styles, marks)
        if child.tail:
            found.append((child.tail, "".join(sorted(marks))))
    return found


def bibliography_runs(path: Path) -> list[list]:
    """The runs of each paragraph of the saved ODT's bibliography section."""
    root = content(path)
    styles = text_styles(root)
    section = next(s for s in root.iter(f"{T}section")
                   if s.get(f"{T}name").startswith("ZOTERO_BIBL"))
    return [runs_in(p, styles) for p in section.iter(f"{T}p")]


def saved_prefs(path: Path) -> str:
    """The ZOTERO_PREF_n properties of the saved ODT's meta.xml, joined in order."""
    meta = etree.fromstring(zipfile.ZipFile(path).read("meta.xml"))
    name = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}name"
    chunks = {int(p.get(name)[len("ZOTERO_PREF_"):]): p.text or ""
              for p in meta.iter("{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}user-defined")
              if p.get(name).startswith("ZOTERO_PREF_")}
    return "".join(chunks[n] for n in sorted(chunks))


def body_text(path: Path) -> list[str]:
    """The body's paragraphs' own text, without their notes' (the notes' anchors dropped)."""
    def own(node) -> str:
        if node.tag == f"{T}note":
            return ""
        return (node.text or "") + "".join(own(child) + (child.tail or "") for child in node)

    text = content(path).find(f"{{{OFFICE_NS}}}body")[0]
    return [own(p) for p in text if p.tag == f"{T}p"]


def marked(runs, marks: str) -> str:
    return "".join(text for text, has in runs if marks in has)


def test_a_note_style_puts_citations_in_footnotes_with_ibid_and_italics(
    extension, refman_running, tmp_path  # noqa: F811
):
    before = len(extension.told())  # earlier tests' messages are there too
    ids = refman_running.ids
    knowles, zed = int(ids["37144409"]), int(ids["31000003"])
    draft = make_odt(tmp_path / "draft.odt", [
        "<text:p>Vaccines are safe.</text:p>",
        '<text:p>Mice too.<text:note text:id="ftn9" text:note-class="footnote">'
        "<text:note-citation>2</text:note-citation><text:note-body><text:p>See </text:p>"
        "</text:note-body></text:note></text:p>",
        "<text:p>Asthma.</text:p>",
    ])
    out = tmp_path / "noted.odt"
    refman_running.picks = [[knowles], [knowles], [zed], [knowles]]
    seen = extension.office.run("dispatch", str(draft), str(out), json.dumps([
        {"command": "Preferences", "args": {"Style": NOTES}},
        {"after": "safe"}, {"command": "AddCitation"},  # body text: a new footnote
        {"after": "See "}, {"command": "AddCitation"},  # in a footnote: there
        {"after": "Asthma"}, {"command": "AddCitation"},
        {"after": ""}, {"command": "AddCitation"},  # after "Asthma." and its note
        {"after": ""}, {"command": "AddBibliography"},
    ]))
    assert extension.told()[before:] == []
    assert [p["kind"] for p in seen["portions"]] == ["start", "end"] * 4
    cited = odt_citations(out)
    # The furniture's footnote is the first; then the notes in the order of their anchors.
    assert [c["note"] for c in cited] == ["footnote 2", "footnote 3", "footnote 4",
                                          "footnote 5"]
    texts = [c["text"] for c in cited]
    assert texts[0].startswith("S. R. Knowles and J. Smith, Safety of a Vaccine")
    assert texts[1] == "Ibid."  # the same item as the note before ("See " is the note's)
    assert texts[2].startswith("A. Zed, Mouse Models of Asthma")
    assert texts[3].startswith("Knowles and Smith, Safety")  # subsequent: short
    assert marked(cited[0]["runs"], "i") == "Safety of a Vaccine in Older Adults"
    assert marked(cited[2]["runs"], "i") == "Mouse Models of Asthma"
    assert marked(cited[1]["runs"], "i") == ""
    for record in cited:  # each field says its note, as Zotero's do
        data = citation(record["name"])
        assert data["properties"]["noteIndex"] == int(record["note"].split()[1])
        assert data["properties"]["plainCitation"] == record["text"]
    body = body_text(out)  # the text itself unchanged, the notes' anchors aside
    first = body.index("Vaccines are safe.")
    assert body[first:first + 3] == ["Vaccines are safe.", "Mice too.", "Asthma."]
    prefs = seen["properties"]["ZOTERO_PREF_1"] + seen["properties"].get("ZOTERO_PREF_2", "")
    assert f"styles/{NOTES}" in prefs and '<pref name="noteType" value="1"/>' in prefs
    bibliography = next(s["text"] for s in seen["sections"] if s["name"].startswith("ZOTERO_BIBL"))
    assert bibliography.splitlines()[0].startswith("Knowles, S. R., and J. Smith.")

    # A citation moved before the others: Refresh renumbers the notes and the positions.
    moved = tmp_path / "moved.odt"
    refman_running.picks = [[zed]]
    extension.office.run("dispatch", str(out), str(moved), json.dumps([
        {"before": "Vaccines"}, {"command": "AddCitation"},
    ]))
    cited = odt_citations(moved)
    assert [c["note"] for c in cited] == [f"footnote {n}" for n in range(2, 7)]
    assert cited[0]["text"].startswith("A. Zed, Mouse Models")
    assert cited[1]["text"].startswith("S. R. Knowles and J. Smith")
    assert cited[2]["text"] == "Ibid."
    assert cited[3]["text"].startswith("Zed, Mouse Models")  # now a subsequent cite
    assert cited[4]["text"].startswith("Knowles and Smith, Safety")


def test_endnotes_when_the_preferences_say_so(extension, refman_running, tmp_path):  # noqa: F811
    before = len(extension.told())  # earlier tests' messages are there too
    draft = make_odt(tmp_path / "draft.odt", ["<text:p>Vaccines are safe.</text:p>"])
    out = tmp_path / "endnoted.odt"
    refman_running.picks = [[int(refman_running.ids["37144409"])]]
    seen = extension.office.run("dispatch", str(draft), str(out), json.dumps([
        {"command": "Preferences", "args": {"Style": NOTES, "NoteType": "endnotes"}},
        {"after": "safe"}, {"command": "AddCitation"},
    ]))
    assert extension.told()[before:] == []
    cited = odt_citations(out)
    assert [c["note"] for c in cited] == ["endnote 1"]
    assert cited[0]["text"].startswith("S. R. Knowles and J. Smith")
    assert '<pref name="noteType" value="2"/>' in seen["properties"]["ZOTERO_PREF_1"] + \
        seen["properties"].get("ZOTERO_PREF_2", "")


def test_citations_and_bibliography_keep_the_styles_formatting(
    extension, refman_running, tmp_path  # noqa: F811
):
    before = len(extension.told())  # earlier tests' messages are there too
    ids = refman_running.ids
    draft = make_odt(tmp_path / "draft.odt", [
        '<text:p>Vaccines are <text:span text:style-name="T9">safe</text:span>.</text:p>'])
    out = tmp_path / "ama.odt"
    refman_running.picks = [[int(ids["37144409"]), int(ids["31000003"])]]
    extension.office.run("dispatch", str(draft), str(out), json.dumps([
        {"command": "Preferences", "args": {"Style": AMA}},
        {"after": "safe"}, {"command": "AddCitation"},
        {"after": ""}, {"command": "AddBibliography"},
    ]))
    assert extension.told()[before:] == []
    [cited] = odt_citations(out)
    assert cited["text"] == "1,2" and cited["runs"] == [("1,2", "sup")]  # AMA's superscript
    entries = bibliography_runs(out)
    assert "".join(t for t, _ in entries[0]).startswith("1. Knowles SR, Smith J.")
    assert [t for t, marks in entries[0] if "i" in marks] == ["Lancet"]
    assert [t for t, marks in entries[1] if "i" in marks] == ["Nature"]
    assert not [t for t, marks in entries[0] if "sup" in marks]  # nothing else taken on

    # Restyled in APA: upright, unraised citations; italic titles in the bibliography.
    restyled = tmp_path / "apa.odt"
    extension.office.run("dispatch", str(out), str(restyled), json.dumps([
        {"command": "Preferences", "args": {"Style": "apa"}},
    ]))
    [cited] = odt_citations(restyled)
    assert cited["runs"] == [("(Knowles & Smith, 2023; Zed, 2019)", "")]
    entries = bibliography_runs(restyled)
    assert [t for t, marks in entries[0] if "i" in marks] == [
        "Safety of a vaccine in older adults", "401"]


def test_the_documents_locale_and_note_type_are_kept_and_used(
    extension, refman_running, tmp_path  # noqa: F811
):
    before = len(extension.told())  # earlier tests' messages are there too
    knowles = int(refman_running.ids["37144409"])
    draft = make_odt(tmp_path / "draft.odt", ["<text:p>Vaccines are safe.</text:p>"])
    out = tmp_path / "german.odt"
    refman_running.picks = [[knowles]]
    extension.office.run("dispatch", str(draft), str(out), json.dumps([
        {"command": "Preferences", "args": {"Style": NOTES, "Locale": "de-DE"}},
        {"after": "safe"}, {"command": "AddCitation"},
    ]))
    assert extension.told()[before:] == []
    [cited] = odt_citations(out)
    assert cited["text"].startswith("S. R. Knowles und J. Smith")
    assert "(Mai 2023)" in cited["text"]
    prefs = saved_prefs(out)
    assert re.search(rf'<style id="http://www.zotero.org/styles/{NOTES}" locale="de-DE" ', prefs)
    assert '<pref name="fieldType" value="ReferenceMark"/>' in prefs
    assert '<pref name="noteType" value="1"/>' in prefs

    # Read back at every command: a Refresh of the saved document stays in German.
    again = tmp_path / "again.odt"
    extension.office.run("dispatch", str(out), str(again), json.dumps([
        {"command": "Refresh"}]))
    assert odt_citations(again)[0]["text"] == cited["text"]

    # Back to en-US: English terms and months again.
    british = tmp_path / "british.odt"
    extension.office.run("dispatch", str(again), str(british), json.dumps([
        {"command": "Preferences", "args": {"Locale": "en-US"}},
    ]))
    american = odt_citations(british)[0]["text"]
    assert american.startswith("S. R. Knowles and J. Smith") and "(May 2023)" in american
    assert 'locale="en-US"' in saved_prefs(british)

    # A language that is no language tag: said, and the document keeps its own.
    told = len(extension.told())
    kept = tmp_path / "kept.odt"
    extension.office.run("dispatch", str(british), str(kept), json.dumps([
        {"command": "Preferences", "args": {"Locale": "german"}},
    ]))
    assert "'german' is not a language tag" in extension.told()[told]
    assert 'locale="en-US"' in saved_prefs(kept)
    assert odt_citations(kept)[0]["text"] == american


def test_the_extension_finds_refmans_port_in_its_port_file(extension, library, tmp_path):  # noqa: F811
    elsewhere = Refman(library, free_port())  # not REFMAN_PORT's: found by the file alone
    elsewhere.start()
    assert elsewhere.ready.wait(60)
    with Library(library) as opened:
        knowles = opened.items.with_identifiers("pmid", ["37144409"])["37144409"]
    assert extension.cache is not None
    port_file = extension.cache / "refman" / PORT_FILE  # as the window writes it
    draft = make_odt(tmp_path / "draft.odt", ["<text:p>Vaccines are safe.</text:p>"])
    told = len(extension.told())
    try:
        assert cayw.write_port_file(elsewhere.port, port_file)
        elsewhere.picks = [[knowles]]
        extension.office.run("dispatch", str(draft), str(tmp_path / "cited.odt"), json.dumps([
            {"after": "safe"}, {"command": "AddCitation"}]))
        assert extension.told()[told:] == []
        assert elsewhere.asked[0] == cayw.PATH and cayw.CITE_PATH in elsewhere.asked
        assert [c["text"] for c in odt_citations(tmp_path / "cited.odt")] == ["1"]
    finally:
        cayw.remove_port_file(elsewhere.port, port_file)
        elsewhere.stop()

    # refman gone, its file with it: REFMAN_PORT, where nothing answers now, is said.
    extension.office.run("dispatch", str(draft), str(tmp_path / "not.odt"), json.dumps([
        {"after": "safe"}, {"command": "AddCitation"}]))
    [said] = extension.told()[told:]
    assert f"refman is not answering on port {extension.port}" in said


def test_changing_between_note_and_in_text_styles_moves_the_citations(
    extension, refman_running, tmp_path  # noqa: F811
):
    before = len(extension.told())  # earlier tests' messages are there too
    knowles, zed = int(refman_running.ids["37144409"]), int(refman_running.ids["31000003"])
    draft = make_odt(tmp_path / "draft.odt", [
        "<text:p>Vaccines are safe.</text:p>",
        '<text:p>Mice too.<text:note text:id="ftn9" text:note-class="footnote">'
        "<text:note-citation>2</text:note-citation><text:note-body><text:p>See </text:p>"
        "</text:note-body></text:note></text:p>",
    ])
    in_text = tmp_path / "apa.odt"
    refman_running.picks = [[knowles], [zed]]
    extension.office.run("dispatch", str(draft), str(in_text), json.dumps([
        {"command": "Preferences", "args": {"Style": "apa"}},
        {"after": "safe"}, {"command": "AddCitation"},
        {"after": "See "}, {"command": "AddCitation"},
    ]))
    assert [(c["note"], c["text"]) for c in odt_citations(in_text)] == [
        ("", "(Knowles & Smith, 2023)"), ("footnote 2", "(Zed, 2019)")]

    # To a note style: the body's citation goes into a footnote of its own.
    noted = tmp_path / "noted.odt"
    extension.office.run("dispatch", str(in_text), str(noted), json.dumps([
        {"command": "Preferences", "args": {"Style": NOTES}}]))
    cited = odt_citations(noted)
    assert [c["note"] for c in cited] == ["footnote 2", "footnote 3"]
    assert cited[0]["text"].startswith("S. R. Knowles and J. Smith")
    assert cited[1]["text"].startswith("A. Zed, Mouse Models")
    assert "Vaccines are safe." in body_text(noted)

    # Endnotes: the notes holding a citation alone become endnotes; "See ..." stays a footnote.
    endnoted = tmp_path / "endnoted.odt"
    extension.office.run("dispatch", str(noted), str(endnoted), json.dumps([
        {"command": "Preferences", "args": {"NoteType": "endnotes"}}]))
    assert [c["note"] for c in odt_citations(endnoted)] == ["endnote 1", "footnote 2"]

    # Back to APA: the citation comes back to the text, its note gone; "See ..." is kept.
    back = tmp_path / "back.odt"
    seen = extension.office.run("dispatch", str(endnoted), str(back), json.dumps([
        {"command": "Preferences", "args": {"Style": "apa"}}]))
    assert [(c["note"], c["text"]) for c in odt_citations(back)] == [
        ("", "(Knowles & Smith, 2023)"), ("footnote 2", "(Zed, 2019)")]
    assert "Vaccines are safe(Knowles & Smith, 2023)." in body_text(back)
    assert not list(content(back).iter(f"{T}note-body"))[2:]  # the furniture's and "See"'s
    assert [p["kind"] for p in seen["portions"]] == ["start", "end"] * 2
    assert extension.told()[before:] == []


def test_a_page_picked_with_the_item_is_cited_in_the_documents_language(
    extension, refman_running, tmp_path  # noqa: F811
):
    before = len(extension.told())  # earlier tests' messages are there too
    knowles = int(refman_running.ids["37144409"])
    draft = make_odt(tmp_path / "draft.odt", ["<text:p>Vaccines are safe.</text:p>"])
    out = tmp_path / "page.odt"
    refman_running.picks = [[Cited(item_id=knowles, locator="3", prefix="vgl.")]]
    extension.office.run("dispatch", str(draft), str(out), json.dumps([
        {"command": "Preferences", "args": {"Style": "apa", "Locale": "de-DE"}},
        {"after": "safe"}, {"command": "AddCitation"},
    ]))
    assert extension.told()[before:] == []
    [cited] = odt_citations(out)
    assert cited["text"] == "(vgl. Knowles & Smith, 2023, S. 3)"
    [item] = citation(cited["name"])["citationItems"]
    assert (item["locator"], item["label"], item["prefix"]) == ("3", "page", "vgl.")
