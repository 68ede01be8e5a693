"""format-document: manuscripts made by hand (tests/manuscript_helpers.py) in both formats,
formatted from the library and checked by reading the written XML: the fields and their JSON,
the citation texts in a numeric and an author-date style, the bibliography, everything else
unchanged; a second run after edits; unknown keys; a retracted item; bad input."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from refman.library import Library, manuscripts
from refman.model import RefmanError
from tests.manuscript_helpers import (
    TEXT_NS,
    W_NS,
    keyed_library,
    make_docx,
    make_odt,
    parts,
    w_para,
    without_footnotes,
    xml,
)

W = f"{{{W_NS}}}"
T = f"{{{TEXT_NS}}}"
AMA = "american-medical-association"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    path = tmp_path_factory.mktemp("manuscripts") / "library.sqlite"
    with Library(path) as library:
        keyed_library(library)
        yield library


def docx_fields(path) -> list[tuple[str, str]]:
    """(code, result text) of each complex field in the document, in order."""
    fields, code, result, state = [], "", "", None
    for run in xml(path, "word/document.xml").iter(f"{W}r"):
        char = run.find(f"{W}fldChar")
        kind = char.get(f"{W}fldCharType") if char is not None else None
        if kind == "begin":
            code, result, state = "", "", "code"
        elif kind == "separate":
            state = "result"
        elif kind == "end":
            fields.append((code.strip(), result))
            state = None
        elif state == "code":
            code += "".join(i.text or "" for i in run.iter(f"{W}instrText"))
        elif state == "result":
            result += "".join(t.text or "" for t in run.iter(f"{W}t"))
    return fields


def citation_json(code: str) -> dict:
    assert code.startswith("ADDIN ZOTERO_ITEM CSL_CITATION {") or code.startswith(
        "ZOTERO_ITEM CSL_CITATION {"
    )
    return json.loads(re.sub(r"\s+RND\w+$", "", code)[code.index("{") :])


def odt_marks(path) -> list[tuple[str, str]]:
    """(mark name, text between start and end) of each reference mark, in order."""
    root = xml(path, "content.xml")
    assert not list(root.iter(f"{T}reference-mark"))  # never a collapsed mark
    marks = []
    for start in root.iter(f"{T}reference-mark-start"):
        name = start.get(f"{T}name")
        text = [start.tail or ""]
        for sibling in start.itersiblings():
            if sibling.tag == f"{T}reference-mark-end":
                assert sibling.get(f"{T}name") == name
                break
            text += ["".join(sibling.itertext()), sibling.tail or ""]
        else:
            raise AssertionError(f"no end for {name[:40]}")
        marks.append((name, "".join(text)))
    return marks


def body_docx(tmp_path, *paragraphs, name="in.docx"):
    return make_docx(tmp_path / name, list(paragraphs))


TYPED = ("As shown [@know", "*les2023safety; -@gout1993gtpase, p. 25] and [PMID: 8254675].")


def test_a_word_manuscript_gets_live_zotero_fields_and_a_numeric_bibliography(library, tmp_path):
    source = body_docx(tmp_path, w_para(*TYPED), w_para("{Bibliography}"), w_para("The end."))
    out = tmp_path / "out.docx"
    report = manuscripts.format_document(library, source, out, AMA)
    fields = docx_fields(out)
    assert [result for _, result in fields[:2]] == ["1,2(p25)", "2"]
    first = citation_json(fields[0][0])
    assert first["schema"].endswith("csl-citation.json")
    assert first["properties"] == {"formattedCitation": "1,2(p25)", "plainCitation": "1,2(p25)",
                                   "noteIndex": 0}
    items = first["citationItems"]
    assert [i["itemData"]["PMID"] for i in items] == ["37144409", "8254675"]
    assert items[1]["locator"] == "25" and items[1]["label"] == "page"
    assert items[1]["suppress-author"] is True
    assert all(i["uris"][0].startswith("http://refman.local/items/") for i in items)
    bibl_code, bibl_text = fields[2]
    assert bibl_code == 'ADDIN ZOTERO_BIBL {"uncited":[],"omitted":[],"custom":[]} CSL_BIBLIOGRAPHY'
    assert bibl_text.startswith("1. Knowles SR, Smith J. Safety of a vaccine")
    assert "2. Gout I. A GTPase in the cell cycle" in bibl_text
    texts = ["".join(p.itertext()) for p in xml(out, "word/document.xml").iter(f"{W}p")]
    assert "{Bibliography}" not in "".join(texts)
    assert texts[-1] == "The end."  # the bibliography took the marker's place
    assert report.citations == 2 and report.entries == 2
    assert any("retracted" in line and "8254675" in line for line in report.lines())


def test_the_rest_of_a_word_manuscript_is_unchanged(library, tmp_path):
    source = body_docx(tmp_path, w_para(*TYPED))
    out = tmp_path / "out.docx"
    manuscripts.format_document(library, source, out, "apa")
    before, after = parts(source), parts(out)
    for name in ("word/styles.xml", "word/footnotes.xml", "word/_rels/document.xml.rels"):
        assert after[name] == before[name]
    document = xml(out, "word/document.xml")
    body = document.find(f"{W}body")
    original = xml(source, "word/document.xml").find(f"{W}body")
    # heading, table, the paragraph with a footnote and tracked changes: as they were
    for old, new in zip(original[:3], body[:3], strict=True):
        assert etree.tostring(old) == etree.tostring(new)
    custom = xml(out, "docProps/custom.xml")
    prefs = "".join("".join(p.itertext()) for p in custom)
    assert 'style id="http://www.zotero.org/styles/apa"' in prefs
    assert 'name="fieldType" value="Field"' in prefs
    assert b"docProps/custom.xml" in after["[Content_Types].xml"]
    assert b"custom-properties" in after["_rels/.rels"]
    assert zipfile.ZipFile(out).testzip() is None


def test_author_date_citation_text_and_bibliography(library, tmp_path):
    source = body_docx(tmp_path, w_para(*TYPED))
    out = tmp_path / "out.docx"
    manuscripts.format_document(library, source, out, "apa")
    fields = docx_fields(out)
    assert [r for _, r in fields] [:2] == ["(1993, p. 25; Knowles & Smith, 2023)", "(Gout, 1993)"]
    for code, shown in fields[:2]:  # Zotero takes a field whose text differs as edited by hand
        assert citation_json(code)["properties"]["plainCitation"] == shown
    entries = fields[2][1]
    assert entries.startswith("Gout, I. (1993). A GTPase in the cell cycle.")
    assert "Knowles, S. R., & Smith, J. (2023)." in entries
    paragraphs = ["".join(p.itertext()) for p in xml(out, "word/document.xml").iter(f"{W}p")]
    assert paragraphs[-1].startswith("Knowles, S. R.")  # at the end: no marker given


def test_a_second_run_after_edits_renumbers_and_updates(library, tmp_path):
    source = body_docx(tmp_path, w_para(*TYPED), w_para("Later [@zed2019mouse]."))
    first = tmp_path / "first.docx"
    manuscripts.format_document(library, source, first, AMA)
    # Edit: a new typed citation before the fields, and the PMID citation deleted.
    document = xml(first, "word/document.xml")
    body = document.find(f"{W}body")
    body.insert(3, etree.fromstring(
        f'<w:p xmlns:w="{W_NS}"><w:r><w:t>First [@zed2019mouse, chap. 2]</w:t></w:r></w:p>'))
    paragraph = body[4]
    runs = list(paragraph.iter(f"{W}r"))
    begins = [r for r in runs if r.find(f"{W}fldChar") is not None
              and r.find(f"{W}fldChar").get(f"{W}fldCharType") == "begin"]
    second_field = runs[runs.index(begins[1]):]
    for run in second_field[: 5]:
        run.getparent().remove(run)
    edited = tmp_path / "edited.docx"
    with zipfile.ZipFile(first) as old, zipfile.ZipFile(edited, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "word/document.xml":
                data = etree.tostring(document, xml_declaration=True, encoding="UTF-8")
            new.writestr(info, data)
    second = tmp_path / "second.docx"
    report = manuscripts.format_document(library, edited, second)
    fields = docx_fields(second)
    assert [r for _, r in fields[:3]] == ["1(chap2)", "2,3(p25)", "1"]
    assert report.style == AMA  # taken from the document's preferences
    assert report.from_fields == 2
    assert fields[3][1].startswith("1. Zed A. Mouse models of asthma.")
    assert fields[3][0].startswith("ADDIN ZOTERO_BIBL")
    assert sum(code.startswith("ADDIN ZOTERO_BIBL") for code, _ in fields) == 1


def zotero_field(item_data: dict, uri: str, addin=" ADDIN ZOTERO_ITEM CSL_CITATION ") -> str:
    data = {
        "citationID": "zot1",
        "properties": {"formattedCitation": "(old)", "plainCitation": "(old)", "noteIndex": 0},
        "citationItems": [{"id": 4711, "uris": [uri], "itemData": item_data, "locator": "3"}],
        "schema": "https://github.com/citation-style-language/schema/raw/master/csl-citation.json",
    }
    code = json.dumps(data).replace("&", "&amp;").replace("<", "&lt;")
    pieces = [code[i : i + 40] for i in range(0, len(code), 40)]  # Zotero splits long codes
    instr = "".join(f'<w:r><w:instrText xml:space="preserve">{p}</w:instrText></w:r>'
                    for p in [addin, *pieces, " "])
    return ('<w:p><w:r><w:t xml:space="preserve">Zotero says </w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>' + instr +
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>(old)</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


def test_fields_made_by_zotero_are_matched_by_pmid_or_cited_from_their_data(library, tmp_path):
    held = {"id": "x", "type": "article-journal", "title": "Mouse models of asthma",
            "PMID": "31000003"}
    by_title = {"id": "z", "type": "article-journal", "title": "A GTPase in the Cell Cycle"}
    foreign = {"id": "y", "type": "article-journal", "title": "Not in this library",
               "author": [{"family": "Other", "given": "B"}], "issued": {"date-parts": [[2001]]}}
    source = body_docx(tmp_path, zotero_field(held, "http://zotero.org/users/1/items/AB"),
                       zotero_field(foreign, "http://zotero.org/users/1/items/CD"),
                       zotero_field(by_title, "http://zotero.org/users/1/items/EF"))
    out = tmp_path / "out.docx"
    report = manuscripts.format_document(library, source, out, "apa")
    fields = docx_fields(out)
    assert [r for _, r in fields[:3]] == [
        "(Zed, 2019, p. 3)", "(Other, 2001, p. 3)", "(Gout, 1993, p. 3)"]
    assert any("title (A GTPase in the Cell Cycle)" in line for line in report.lines())
    zed = citation_json(fields[0][0])["citationItems"][0]
    assert zed["uris"][0].startswith("http://refman.local/items/")
    other = citation_json(fields[1][0])["citationItems"][0]
    assert other["uris"] == ["http://zotero.org/users/1/items/CD"]  # kept for its owner
    assert any("PMID 31000003" in line for line in report.lines())
    assert any("Not in this library" in line for line in report.lines())


def test_unknown_keys_are_listed_with_their_places_and_nothing_is_written(library, tmp_path):
    source = body_docx(tmp_path, w_para("Known [@gout1993gtpase]."),
                       w_para("Here [@nobody2020; @knowles2023safety] and [PMID: 99999999]."))
    out = tmp_path / "out.docx"
    with pytest.raises(RefmanError) as caught:
        manuscripts.format_document(library, source, out, AMA)
    message = str(caught.value)
    assert "2 citations" in message and "nothing was written" in message
    assert "paragraph 6: @nobody2020 in …Here [@nobody2020; @knowles2023safety]" in message
    assert "paragraph 6: PMID 99999999" in message
    assert not out.exists()


def test_a_libreoffice_manuscript_gets_reference_marks_a_section_and_preferences(
    library, tmp_path
):
    source = make_odt(tmp_path / "in.odt", [
        "<text:p>As shown [@know<text:span>les2023safety; -@gout1993gtpase, p. 25]"
        "</text:span> and [PMID: 8254675].</text:p>",
        "<text:p>{Bibliography}</text:p>", "<text:p>The end.</text:p>",
    ])
    out = tmp_path / "out.odt"
    manuscripts.format_document(library, source, out, AMA)
    marks = odt_marks(out)
    assert [text for _, text in marks] == ["1,2(p25)", "2"]
    assert all(re.fullmatch(r"ZOTERO_ITEM CSL_CITATION \{.*\} RND\w{10}", n) for n, _ in marks)
    data = citation_json(marks[0][0])
    assert [i["itemData"]["PMID"] for i in data["citationItems"]] == ["37144409", "8254675"]
    root = xml(out, "content.xml")
    section = next(root.iter(f"{T}section"))
    assert section.get(f"{T}name").startswith(
        'ZOTERO_BIBL {"uncited":[],"omitted":[],"custom":[]} CSL_BIBLIOGRAPHY RND')
    entries = ["".join(p.itertext()) for p in section.iter(f"{T}p")]
    assert entries[0].startswith("1. Knowles SR, Smith J.") and len(entries) == 2
    paragraphs = ["".join(p.itertext()) for p in root.iter(f"{T}p")]
    assert paragraphs[-1] == "The end." and "{Bibliography}" not in paragraphs
    meta = xml(out, "meta.xml")
    props = {p.get("{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}name"): p.text
             for p in meta.iter("{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}user-defined")}
    assert props["Reviewer"] == "Ann"
    prefs = "".join(props[f"ZOTERO_PREF_{n}"] for n in range(1, len(props)))
    assert 'value="ReferenceMark"' in prefs and "styles/american-medical-association" in prefs
    before, after = parts(source), parts(out)
    assert after["styles.xml"] == before["styles.xml"]
    assert after["mimetype"] == before["mimetype"]
    assert zipfile.ZipFile(out).infolist()[0].filename == "mimetype"
    assert zipfile.ZipFile(out).infolist()[0].compress_type == zipfile.ZIP_STORED
    # the heading, table, footnote and tracked change are as they were
    text = root.find("{urn:oasis:names:tc:opendocument:xmlns:office:1.0}body")[0]
    original = xml(source, "content.xml").find(
        "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}body")[0]
    for old, new in zip(original[:4], text[:4], strict=True):
        assert etree.tostring(old) == etree.tostring(new)


def test_a_libreoffice_manuscript_run_again_after_edits(library, tmp_path):
    source = make_odt(tmp_path / "in.odt", [
        "<text:p>One [@knowles2023safety] two [@gout1993gtpase].</text:p>"])
    first = tmp_path / "first.odt"
    manuscripts.format_document(library, source, first, "apa")
    content = parts(first)["content.xml"].decode()
    content = content.replace("<text:p>One ", "<text:p>Zero [@zed2019mouse] one ")
    edited = tmp_path / "edited.odt"
    with zipfile.ZipFile(first) as old, zipfile.ZipFile(edited, "w") as new:
        for info in old.infolist():
            new.writestr(info, content if info.filename == "content.xml" else old.read(info))
    second = tmp_path / "second.odt"
    report = manuscripts.format_document(library, edited, second, AMA)
    assert [text for _, text in odt_marks(second)] == ["1", "2", "3"]
    assert report.from_fields == 2
    sections = list(xml(second, "content.xml").iter(f"{T}section"))
    assert len(sections) == 1
    assert "".join(sections[0].itertext()).startswith("1. Zed A.")


def _zip(path, members: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("just text"), "is not a Word (.docx) or LibreOffice (.odt)"),
        (lambda p: zipfile.ZipFile(p, "w").writestr("a.txt", "x"), "is a zip file but not"),
        (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
         "password-protected"),
        (lambda p: _zip(p, {"content.xml": "x", "META-INF/manifest.xml": "<m encryption-data/>"}),
         "is password-protected"),
        (lambda p: _zip(p, {"word/document.xml": "<w:document"}), "is damaged: word/document.xml"),
    ],
)
def test_bad_manuscripts_are_refused_in_plain_words(library, tmp_path, make, message):
    source = tmp_path / "bad.docx"
    make(source)
    with pytest.raises(RefmanError, match=re.escape(message)):
        manuscripts.format_document(library, source, tmp_path / "out.docx")
    assert not (tmp_path / "out.docx").exists()


def test_out_equal_to_in_is_refused(library, tmp_path):
    source = body_docx(tmp_path, w_para(*TYPED))
    before = source.read_bytes()
    with pytest.raises(RefmanError, match="the manuscript itself"):
        manuscripts.format_document(library, source, tmp_path / "." / "in.docx")
    assert source.read_bytes() == before


def test_an_out_that_cannot_be_written_is_said(library, tmp_path):
    source = body_docx(tmp_path, w_para(*TYPED))
    with pytest.raises(RefmanError, match="Cannot write"):
        manuscripts.format_document(library, source, tmp_path / "missing" / "out.docx")


def test_the_command_line_reports_and_exits_1_on_unknown_keys(tmp_path):
    from tests.safety_helpers import refman

    path = tmp_path / "library.sqlite"
    with Library(path) as library:
        keyed_library(library)
    source = body_docx(tmp_path, w_para("See [@gout1993gtpase, p. 3]."))
    done = refman(path, "format-document", source, tmp_path / "out.docx", "--style", "apa")
    assert done.returncode == 0, done.stderr
    assert "1 citation of 1 item in apa" in done.stdout
    assert "1 retracted item cited in the manuscript: PMID 8254675" in done.stdout
    assert [r for _, r in docx_fields(tmp_path / "out.docx")][0] == "(Gout, 1993, p. 3)"
    german = tmp_path / "de.docx"
    done = refman(path, "format-document", source, german, "--style", "apa", "--locale", "de-DE")
    assert done.returncode == 0, done.stderr
    assert [r for _, r in docx_fields(german)][0] == "(Gout, 1993, S. 3)"
    bad = body_docx(tmp_path, w_para("See [@missing2001]."), name="bad.docx")
    done = refman(path, "format-document", bad, tmp_path / "bad-out.docx")
    assert done.returncode == 1
    assert "refman: 1 citation in" in done.stderr and "@missing2001" in done.stderr
    assert not (tmp_path / "bad-out.docx").exists()


def test_libreoffice_footnotes_are_read_and_deleted_text_and_comments_are_not(library, tmp_path):
    source = make_odt(tmp_path / "in.odt", [
        "<text:tracked-changes><text:changed-region text:id='d1'><text:deletion>"
        "<text:p>Gone [@nobody2020]</text:p></text:deletion></text:changed-region>"
        "</text:tracked-changes>",
        "<text:p>Body [@knowles2023safety]<office:annotation><text:p>[@nobody2021]</text:p>"
        "</office:annotation> and a note<text:note text:id='n2' text:note-class='footnote'>"
        "<text:note-citation>2</text:note-citation><text:note-body>"
        "<text:p>See [@gout1993gtpase].</text:p></text:note-body></text:note>.</text:p>",
    ])
    out = tmp_path / "out.odt"
    manuscripts.format_document(library, source, out, AMA)
    marks = odt_marks(out)
    assert [text for _, text in marks] == ["1", "2"]
    assert citation_json(marks[1][0])["properties"]["noteIndex"] == 2  # the second footnote
    root = xml(out, "content.xml")
    texts = "".join(root.itertext())
    assert "Gone [@nobody2020]" in texts and "[@nobody2021]" in texts  # left as they were


def test_word_footnotes_are_read_with_their_note_number(library, tmp_path):
    source = body_docx(tmp_path, '<w:p><w:r><w:t xml:space="preserve">Body [@zed2019mouse] and'
                       '</w:t></w:r><w:r><w:footnoteReference w:id="2"/></w:r>'
                       '<w:r><w:t xml:space="preserve"> then [@knowles2023safety].</w:t></w:r>'
                       "</w:p>")
    footnotes = parts(source)["word/footnotes.xml"].replace(  # a second footnote, citing
        b"</w:footnotes>",
        b'<w:footnote w:id="2"><w:p><w:r><w:t>See [@gout1993gtpase, p. 4].</w:t></w:r></w:p>'
        b"</w:footnote></w:footnotes>",
    )
    edited = tmp_path / "notes.docx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(edited, "w") as new:
        for info in old.infolist():
            new.writestr(info, footnotes if info.filename == "word/footnotes.xml"
                         else old.read(info))
    out = tmp_path / "out.docx"
    manuscripts.format_document(library, edited, out, AMA)
    body = [r for _, r in docx_fields(out)]
    assert body[:2] == ["1", "3"]  # the footnote's citation comes between them: number 2
    note_root = xml(out, "word/footnotes.xml")
    runs = list(note_root.iter(f"{W}instrText"))
    data = citation_json(runs[0].text.strip())
    assert data["properties"]["noteIndex"] == 2  # the second footnote reference in the text
    assert data["properties"]["formattedCitation"] == "2(p4)"
    assert "A footnote that stays as written." in "".join(note_root.itertext())


def test_zotero_scannable_cites_are_found_by_first_author_and_year(library, tmp_path):
    source = make_odt(tmp_path / "in.odt", [
        "<text:p>Seen { | Knowles et al., 2023 | p. 3 | | zu:0:ABCD1234 } "
        "{ see | -Gout, 1993 | | | zu:0:EFGH5678 } here.</text:p>",
    ])
    out = tmp_path / "out.odt"
    manuscripts.format_document(library, source, out, "apa")
    marks = odt_marks(out)
    assert [text for _, text in marks] == ["(see 1993; Knowles & Smith, 2023, p. 3)"]
    paragraphs = ["".join(p.itertext()) for p in xml(out, "content.xml").iter(f"{T}p")]
    assert "Seen (see 1993; Knowles & Smith, 2023, p. 3) here." in paragraphs
    unknown = make_odt(tmp_path / "unknown.odt", [
        "<text:p>{ | Nobody, 1900 | | | zu:0:ZZZZ }</text:p>"])
    with pytest.raises(RefmanError, match=r"paragraph 4: \{ Nobody, 1900 \| ZZZZ \}"):
        manuscripts.format_document(library, unknown, tmp_path / "out2.odt")


def test_mendeley_fields_are_read_and_written_back_as_zotero_fields(library, tmp_path):
    held = {"id": "m1", "type": "article-journal", "title": "A GTPase", "DOI": "",
            "PMID": "8254675"}
    bibliography = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
        " ADDIN Mendeley Bibliography CSL_BIBLIOGRAPHY </w:instrText></w:r>"
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Old entry</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    source = body_docx(tmp_path, zotero_field(held, "http://www.mendeley.com/documents/?uuid=1",
                                              addin=" ADDIN CSL_CITATION "), bibliography)
    out = tmp_path / "out.docx"
    manuscripts.format_document(library, source, out, AMA)
    fields = docx_fields(out)
    assert [code.split(" {")[0] for code, _ in fields] == [
        "ADDIN ZOTERO_ITEM CSL_CITATION", "ADDIN ZOTERO_BIBL"]
    assert fields[0][1] == "1(p3)"
    assert fields[1][1].startswith("1. Gout I. A GTPase in the cell cycle.")
    assert "Old entry" not in "".join(xml(out, "word/document.xml").itertext())


def test_superscript_and_italics_are_kept_as_the_style_asks(library, tmp_path):
    bold_lang = ('<w:p><w:r><w:rPr><w:b/><w:lang w:val="en-GB"/></w:rPr>'
                 '<w:t xml:space="preserve">Shown [@knowles2023safety].</w:t></w:r></w:p>')
    source = body_docx(tmp_path, bold_lang)
    out = tmp_path / "out.docx"
    manuscripts.format_document(library, source, out, AMA)
    document = xml(out, "word/document.xml")
    result = [r for r in document.iter(f"{W}r") if "".join(r.itertext()) == "1"][0]
    rpr = result.find(f"{W}rPr")
    # bold and the language kept, superscript added in the schema's order (before w:lang)
    assert [child.tag.split("}")[1] for child in rpr] == ["b", "vertAlign", "lang"]
    assert rpr.find(f"{W}vertAlign").get(f"{W}val") == "superscript"
    italic = [r for r in document.iter(f"{W}r") if "".join(r.itertext()) == "Lancet"]
    assert italic and italic[0].find(f"{W}rPr/{W}i") is not None
    odt = make_odt(tmp_path / "in.odt", ["<text:p>Shown [@knowles2023safety].</text:p>"])
    manuscripts.format_document(library, odt, tmp_path / "out.odt", AMA)
    root = xml(tmp_path / "out.odt", "content.xml")
    start = next(root.iter(f"{T}reference-mark-start"))
    span = start.getnext()
    assert span.tag == f"{T}span" and span.text == "1"
    assert span.getnext().tag == f"{T}reference-mark-end"
    style = [s for s in root.iter("{urn:oasis:names:tc:opendocument:xmlns:style:1.0}style")
             if s.get("{urn:oasis:names:tc:opendocument:xmlns:style:1.0}name")
             == span.get(f"{T}style-name")]
    assert b'text-position="super 58%"' in etree.tostring(style[0])


def test_a_manuscript_citing_nothing_is_copied_and_says_so(library, tmp_path):
    source = body_docx(tmp_path, w_para("Nothing cited here."))
    out = tmp_path / "out.docx"
    report = manuscripts.format_document(library, source, out, AMA)
    assert "No citations were found" in "\n".join(report.lines())
    assert docx_fields(out) == []
    assert "".join(xml(out, "word/document.xml").itertext()) == "".join(
        xml(source, "word/document.xml").itertext())


def test_the_library_itself_is_never_opened_as_a_manuscript(library, tmp_path):
    copy_of_library = tmp_path / "library.docx"
    for source, out in ((library.path, copy_of_library),
                        (body_docx(tmp_path, w_para(*TYPED)), library.path)):
        with pytest.raises(RefmanError, match="is the library itself"):
            manuscripts.format_document(library, Path(source), Path(out))
    assert not copy_of_library.exists()
    assert library.items.count() == 3  # still open and whole


def test_a_field_from_another_refman_library_is_not_taken_by_its_item_number(library, tmp_path):
    zed = library.items.with_identifiers("pmid", ["31000003"])["31000003"]
    gout = {"id": "g", "type": "article-journal", "title": "A GTPase in the cell cycle",
            "PMID": "8254675"}  # a co-author's library numbered it as this library's Zed
    keyed = {"id": "k", "type": "article-journal", "title": "Renamed", "citation-key":
             "knowles2023safety"}
    source = body_docx(tmp_path, zotero_field(gout, f"{manuscripts.REFMAN_URI}{zed}"),
                       zotero_field(keyed, f"{manuscripts.REFMAN_URI}999"))
    out = tmp_path / "out.docx"
    manuscripts.format_document(library, source, out, "apa")
    fields = docx_fields(out)
    assert [r for _, r in fields[:2]] == ["(Gout, 1993, p. 3)", "(Knowles & Smith, 2023, p. 3)"]
    data = citation_json(fields[1][0])["citationItems"][0]["itemData"]
    assert data["citation-key"] == "knowles2023safety"


def bibliography_field(code: str) -> str:
    return ('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText '
            f'xml:space="preserve"> ADDIN {code} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Old entry</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


def test_zotero_bibliography_settings_are_applied_and_told(library, tmp_path):
    ids = library.items.with_identifiers("pmid", ["8254675", "31000003"])
    gout, zed = (f"{manuscripts.REFMAN_URI}{ids[p]}" for p in ("8254675", "31000003"))
    foreign = {"type": "article-journal", "title": "Not in this library",
               "author": [{"family": "Other", "given": "B"}], "issued": {"date-parts": [[2001]]}}
    settings = {
        "uncited": [[gout], ["http://zotero.org/users/1/items/GONE"],
                    {"uris": ["http://zotero.org/users/1/items/OT"], "itemData": foreign}],
        "omitted": [["http://zotero.org/users/1/items/KN"]],
        "custom": [[[zed], "Zed A. <i>Mouse models</i>, as edited."],
                   [["http://zotero.org/users/1/items/KN"], "{\\rtf not simple}"]],
    }
    code = f"ZOTERO_BIBL {json.dumps(settings)} CSL_BIBLIOGRAPHY"
    knowles = {"id": "k", "type": "article-journal", "title": "Safety", "PMID": "37144409"}
    source = body_docx(tmp_path, w_para("See [@zed2019mouse]."),
                       zotero_field(knowles, "http://zotero.org/users/1/items/KN"),
                       bibliography_field(code.replace("&", "&amp;").replace("<", "&lt;")))
    out = tmp_path / "out.docx"
    report = manuscripts.format_document(library, source, out, AMA)
    fields = docx_fields(out)
    assert [r for _, r in fields[:2]] == ["1", "2(p3)"]  # Knowles cited, numbered, omitted
    assert fields[2][0] == f"ADDIN {code}"  # the settings stay for Zotero
    paragraphs = list(xml(out, "word/document.xml").iter(f"{W}p"))
    at = next(n for n, p in enumerate(paragraphs) if "ZOTERO_BIBL" in "".join(p.itertext()))
    paragraphs = paragraphs[at:]  # the bibliography is at the end: no {Bibliography} marker
    entries = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in paragraphs]
    assert entries == [
        "Zed A. Mouse models, as edited.",
        "3. Gout I. A GTPase in the cell cycle. Cell. 1993;75:25-36.",
        "4. Other B. Not in this library. Published online 2001.",
    ]
    italic = [r for r in paragraphs[0].iter(f"{W}r") if "".join(r.itertext()) == "Mouse models"]
    assert italic[0].find(f"{W}rPr/{W}i") is not None
    lines = report.lines()
    assert report.items == 2 and report.entries == 3
    assert "Bibliography as set in Zotero: uncited item added: A GTPase in the cell cycle" in lines
    assert "Bibliography as set in Zotero: uncited item added: Not in this library" in lines
    assert any(line.startswith("Bibliography as set in Zotero: omitted item left out: Safety of")
               for line in lines)
    assert any(line.startswith("Bibliography as set in Zotero: entry text as edited: Mouse")
               for line in lines)
    assert any("uncited item http://zotero.org/users/1/items/GONE is neither" in line
               for line in lines)
    assert any("edited entry for Safety of a vaccine" in line and "not applied" in line
               for line in lines)
    zed_entry = citation_json(fields[1][0])["citationItems"][0]
    assert zed_entry["uris"][1:] == ["http://zotero.org/users/1/items/KN"]  # Zotero's kept


# --- cite_fields: the LibreOffice extension's citations, rendered as a whole --------------------


def test_cite_fields_renders_a_documents_citations_in_order(library):
    citations = [
        {"citationID": "one", "items": [{"key": "zed2019mouse"}]},
        {"citationID": "two", "items": [{"key": "knowles2023safety", "locator": "3",
                                         "label": "page"}, {"PMID": "31000003"}]},
        {"items": [{"title": "A GTPase in the cell cycle."}]},  # found by its title alone
    ]
    answer = manuscripts.cite_fields(library, citations, AMA)
    assert answer["style"] == AMA
    assert [c["text"] for c in answer["citations"]] == ["1", "1,2(p3)", "3"]
    fields = [c["field"] for c in answer["citations"]]
    assert [f["citationID"] for f in fields[:2]] == ["one", "two"]
    assert fields[2]["citationID"]  # one is made for a citation without
    second = fields[1]["citationItems"]
    assert [i["itemData"]["citation-key"] for i in second] == ["knowles2023safety",
                                                                "zed2019mouse"]
    assert second[0]["locator"] == "3" and fields[1]["properties"]["plainCitation"] == "1,2(p3)"
    assert len(answer["bibliography"]) == 3 and "Zed" in answer["bibliography"][0]


def test_cite_fields_names_what_the_library_lacks_and_unknown_styles(library):
    citations = [{"items": [{"key": "zed2019mouse"}]},
                 {"items": [{"key": "nobody1999"}, "not a cite"]}]
    with pytest.raises(RefmanError, match=r"citation 2: nobody1999"):
        manuscripts.cite_fields(library, citations)
    with pytest.raises(RefmanError, match="no-such-style"):
        manuscripts.cite_fields(library, citations[:1], "no-such-style")
    assert manuscripts.cite_fields(library, [], AMA)["citations"] == []


# --- note styles: body citations become footnotes of their own --------------------------------

IBID_STYLE = "chicago-notes-bibliography-subsequent-ibid"
FOOTNOTE_2 = (b'<w:footnote w:id="2"><w:p><w:r><w:t>See [@gout1993gtpase]</w:t></w:r></w:p>'
              b"</w:footnote></w:footnotes>")


def _rezip(source, out, change: dict, drop=()):
    """A copy of the zip ``source`` with parts replaced (name: bytes) or dropped."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            if info.filename not in drop:
                new.writestr(info, change.get(info.filename, old.read(info)))
    return out


def notes_docx(tmp_path):
    """Footnote 1 (the furniture's, no citation), then body citations around footnote 2 (one
    citing Gout)."""
    source = body_docx(tmp_path, '<w:p><w:r><w:t xml:space="preserve">First [@knowles2023safety,'
                       ' p. 3] and again [@knowles2023safety, p. 3] then</w:t></w:r><w:r>'
                       '<w:footnoteReference w:id="2"/></w:r><w:r><w:t xml:space="preserve"> and '
                       "[@gout1993gtpase].</w:t></w:r></w:p>", name="notes-base.docx")
    footnotes = parts(source)["word/footnotes.xml"].replace(b"</w:footnotes>", FOOTNOTE_2)
    return _rezip(source, tmp_path / "notes.docx", {"word/footnotes.xml": footnotes})


def word_notes(path) -> list[tuple[str, str, int]]:
    """(footnote id, its text, the noteIndex of its citation field or 0) of each footnote the
    body refers to, in the order of the text."""
    notes = {n.get(f"{W}id"): n for n in xml(path, "word/footnotes.xml").iter(f"{W}footnote")}
    out = []
    for ref in xml(path, "word/document.xml").iter(f"{W}footnoteReference"):
        note = notes[ref.get(f"{W}id")]
        codes = [i.text for i in note.iter(f"{W}instrText")]
        index = citation_json(codes[0].strip())["properties"]["noteIndex"] if codes else 0
        text = "".join(t.text or "" for t in note.iter(f"{W}t")).strip()
        out.append((ref.get(f"{W}id"), text, index))
    return out


KNOWLES_NOTE = "S. R. Knowles and J. Smith, Safety of a Vaccine in Older Adults, 401 (May 2023): 3."
GOUT_NOTE = "I. Gout, A GTPase in the Cell Cycle, 75 (1993): 25–36."


def test_a_note_style_puts_word_body_citations_in_new_footnotes(library, tmp_path):
    out = tmp_path / "out.docx"
    report = manuscripts.format_document(library, notes_docx(tmp_path), out, IBID_STYLE)
    assert report.into_notes == 3
    assert any("3 citation(s) in the text were put in new footnotes" in line
               for line in report.lines())
    notes = word_notes(out)
    assert [(text, index) for _, text, index in notes] == [
        ("A footnote that stays as written.", 0),
        (KNOWLES_NOTE, 2), ("Ibid.", 3),
        (f"See {GOUT_NOTE}", 4),  # footnote 2 as written, now the fourth: its citation stays in it
        ("Ibid.", 5),
    ]
    assert notes[3][0] == "2" and len({note_id for note_id, _, _ in notes}) == 5
    paragraph = [p for p in xml(out, "word/document.xml").iter(f"{W}p")
                 if "First" in "".join(p.itertext())][0]
    assert "".join(paragraph.itertext()) == "First and again then and."  # the marks in between
    assert docx_fields(out)[0][0].startswith("ADDIN ZOTERO_BIBL")  # no citation left in the body
    reference = next(paragraph.iter(f"{W}footnoteReference")).getparent()
    assert reference.find(f"{W}rPr/{W}vertAlign").get(f"{W}val") == "superscript"  # no style
    new_note = [n for n in xml(out, "word/footnotes.xml").iter(f"{W}footnote")
                if n.get(f"{W}id") == notes[1][0]][0]
    assert new_note.find(f".//{W}footnoteRef") is not None  # the note shows its number
    second = tmp_path / "second.docx"
    again = manuscripts.format_document(library, out, second)
    assert again.into_notes == 0 and again.from_fields == 5 - 1
    assert word_notes(second) == notes  # stable: no footnote added, the texts the same


FOOTNOTE_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<w:styles xmlns:w="{W_NS}"><w:style w:type="paragraph" w:styleId="Funotentext">'
    '<w:name w:val="footnote text"/></w:style><w:style w:type="character" '
    'w:styleId="Funotenzeichen"><w:name w:val="footnote reference"/></w:style></w:styles>'
).encode()


def test_a_word_manuscript_without_footnotes_gets_its_footnotes_part(library, tmp_path):
    base = body_docx(tmp_path, w_para("Shown [@zed2019mouse]."), name="base.docx")
    bare = without_footnotes(base, tmp_path / "bare.docx", FOOTNOTE_STYLES)
    settings = (f'<w:settings xmlns:w="{W_NS}"><w:zoom w:percent="100"/><w:defaultTabStop '
                'w:val="720"/><w:compat/><w:rsids/></w:settings>').encode()
    source = _rezip(bare, tmp_path / "in.docx", {})
    with zipfile.ZipFile(source, "a") as archive:
        archive.writestr("word/settings.xml", settings)
    out = tmp_path / "out.docx"
    manuscripts.format_document(library, source, out, IBID_STYLE)
    footnotes = list(xml(out, "word/footnotes.xml").iter(f"{W}footnote"))
    assert [(n.get(f"{W}id"), n.get(f"{W}type")) for n in footnotes] == [
        ("-1", "separator"), ("0", "continuationSeparator"), ("1", None)]
    assert "Zed" in "".join(footnotes[2].itertext())
    assert footnotes[2].find(f"{W}p/{W}pPr/{W}pStyle").get(f"{W}val") == "Funotentext"
    reference = next(xml(out, "word/document.xml").iter(f"{W}footnoteReference")).getparent()
    assert reference.find(f"{W}rPr/{W}rStyle").get(f"{W}val") == "Funotenzeichen"
    relations = xml(out, "word/_rels/document.xml.rels")
    assert [r.get("Target") for r in relations if r.get("Type").endswith("/footnotes")] == [
        "footnotes.xml"]
    assert len({r.get("Id") for r in relations}) == len(relations)
    overrides = [o.get("PartName") for o in xml(out, "[Content_Types].xml")]
    assert overrides.count("/word/footnotes.xml") == 1
    settings = xml(out, "word/settings.xml")  # the separators named, before w:compat
    assert [etree.QName(c).localname for c in settings] == [
        "zoom", "defaultTabStop", "footnotePr", "compat", "rsids"]
    assert [f.get(f"{W}id") for f in settings.find(f"{W}footnotePr")] == ["-1", "0"]


def test_a_note_style_puts_libreoffice_body_citations_in_new_footnotes(library, tmp_path):
    source = make_odt(tmp_path / "in.odt", [
        "<text:p>First [@knowles2023safety, p. 3] then<text:note text:id='ftn2' "
        "text:note-class='footnote'><text:note-citation>2</text:note-citation><text:note-body>"
        "<text:p>See [@gout1993gtpase]</text:p></text:note-body></text:note> and "
        "[@gout1993gtpase].</text:p>",
    ])
    out = tmp_path / "out.odt"
    report = manuscripts.format_document(library, source, out, IBID_STYLE)
    assert report.into_notes == 2
    root = xml(out, "content.xml")
    notes = list(root.iter(f"{T}note"))
    assert [n.findtext(f"{T}note-citation") for n in notes] == ["1", "2", "3", "4"]
    assert all(n.get(f"{T}note-class") == "footnote" for n in notes)
    assert len({n.get(f"{T}id") for n in notes}) == 4
    texts = ["".join(n.find(f"{T}note-body").itertext()) for n in notes]
    assert texts == ["A footnote that stays as written.", KNOWLES_NOTE, f"See {GOUT_NOTE}",
                     "Ibid."]
    marks = odt_marks(out)
    assert [citation_json(name)["properties"]["noteIndex"] for name, _ in marks] == [2, 3, 4]
    for note in notes[1:]:  # each citation's mark inside its note's paragraph
        assert next(note.iter(f"{T}reference-mark-start")).getparent().tag == f"{T}p"
    paragraph = [p for p in root.iter(f"{T}p") if (p.text or "").startswith("First")][0]
    assert paragraph.text == "First" and notes[1].tail == " then"  # the space before it went
    second = tmp_path / "second.odt"
    assert manuscripts.format_document(library, out, second).into_notes == 0
    again = list(xml(second, "content.xml").iter(f"{T}note"))
    assert ["".join(n.find(f"{T}note-body").itertext()) for n in again] == texts


@pytest.mark.parametrize(
    ("change", "drop", "message"),
    [
        ({}, {"word/footnotes.xml"},
         "is damaged: it refers to footnotes, but its footnotes part (word/footnotes.xml) is "
         "missing"),
        ({"word/footnotes.xml": (f'<w:footnotes xmlns:w="{W_NS}"/>').encode()}, (),
         "is damaged: its text refers to footnote 1, which word/footnotes.xml does not hold"),
    ],
)
def test_broken_footnotes_are_said_in_plain_words(library, tmp_path, change, drop, message):
    base = body_docx(tmp_path, w_para("See [@zed2019mouse]."), name="base.docx")
    source = _rezip(base, tmp_path / "in.docx", change, drop)
    with pytest.raises(RefmanError, match=re.escape(message)):
        manuscripts.format_document(library, source, tmp_path / "out.docx", IBID_STYLE)
    assert not (tmp_path / "out.docx").exists()


# --- Word's simple fields ----------------------------------------------------------------------


def simple_field(instr: str, result: str) -> str:
    from xml.sax.saxutils import quoteattr

    return (f"<w:fldSimple w:instr={quoteattr(instr)}><w:r><w:rPr><w:i/></w:rPr><w:t>{result}"
            "</w:t></w:r></w:fldSimple>")


def test_simple_fields_are_read_and_written_back_as_complex_fields(library, tmp_path):
    held = {"id": "x", "type": "article-journal", "title": "Mouse models of asthma",
            "PMID": "31000003"}
    data = {"citationID": "simple1", "properties": {"noteIndex": 0},
            "citationItems": [{"id": 9, "uris": ["http://zotero.org/users/1/items/AB"],
                               "itemData": held, "locator": "4"}]}
    citation = simple_field(f" ADDIN ZOTERO_ITEM CSL_CITATION {json.dumps(data)} ", "(old)")
    bibliography = simple_field(' ADDIN ZOTERO_BIBL {"uncited":[],"omitted":[],"custom":[]} '
                                "CSL_BIBLIOGRAPHY ", "Old entry")
    source = body_docx(tmp_path, '<w:p><w:r><w:t xml:space="preserve">Simple </w:t></w:r>'
                       f'{citation}<w:r><w:t xml:space="preserve"> here [@gout1993gtpase].'
                       "</w:t></w:r></w:p>", f"<w:p>{bibliography}</w:p>")
    out = tmp_path / "out.docx"
    report = manuscripts.format_document(library, source, out, "apa")
    assert report.from_fields == 1
    document = xml(out, "word/document.xml")
    assert not list(document.iter(f"{W}fldSimple"))
    fields = docx_fields(out)
    assert [r for _, r in fields[:2]] == ["(Zed, 2019, p. 4)", "(Gout, 1993)"]
    assert citation_json(fields[0][0])["citationID"] == "simple1"
    assert fields[2][0].startswith("ADDIN ZOTERO_BIBL") and fields[2][1].startswith("Gout, I.")
    assert "Old entry" not in "".join(document.itertext())
    texts = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in document.iter(f"{W}p")]
    assert "Simple (Zed, 2019, p. 4) here (Gout, 1993)." in texts


def test_a_citation_in_a_text_box_stays_in_the_text_in_a_note_style(library, tmp_path):
    box = ('<w:p><w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox>'
           '<w:txbxContent><w:p><w:r><w:t xml:space="preserve">Boxed [@zed2019mouse].</w:t>'
           "</w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>")
    source = body_docx(tmp_path, w_para("Body [@gout1993gtpase]."), box)
    out = tmp_path / "out.docx"
    report = manuscripts.format_document(library, source, out, IBID_STYLE)
    assert report.into_notes == 1 and report.boxed == 1
    assert "1 citation(s) in text boxes stay in the text" in "\n".join(report.lines())
    assert [text for _, text, _ in word_notes(out)][1] == GOUT_NOTE
    boxed = next(xml(out, "word/document.xml").iter(f"{W}txbxContent"))
    assert "".join(t.text or "" for t in boxed.iter(f"{W}t")).startswith("Boxed A. Zed, Mouse")
    assert next(boxed.iter(f"{W}footnoteReference"), None) is None


# --- the field marks LibreOffice makes of Word's Zotero fields ----------------------------------

LO_FIELD = "urn:openoffice:names:experimental:ooo-ms-interop:xmlns:field:1.0"


def fieldmark(code: str, result: str, end: bool = True) -> str:
    from xml.sax.saxutils import quoteattr

    start = (f'<field:fieldmark-start xmlns:field="{LO_FIELD}" text:name="Bookmark" '
             'field:type="vnd.oasis.opendocument.field.UNHANDLED"><field:param '
             f'field:name="vnd.oasis.opendocument.field.code" field:value={quoteattr(code)}/>'
             f'</field:fieldmark-start><field:fieldmark-separator xmlns:field="{LO_FIELD}"/>')
    close = f'<field:fieldmark-end xmlns:field="{LO_FIELD}"/>' if end else ""
    return f"{start}{result}{close}"


def test_libreoffice_field_marks_of_word_fields_become_reference_marks(library, tmp_path):
    held = {"id": "x", "type": "article-journal", "title": "Mouse models of asthma",
            "PMID": "31000003"}
    data = {"citationID": "lo1", "properties": {"noteIndex": 0},
            "citationItems": [{"id": 9, "uris": ["http://zotero.org/users/1/items/AB"],
                               "itemData": held}]}
    bibl = 'ADDIN ZOTERO_BIBL {"uncited":[],"omitted":[],"custom":[]} CSL_BIBLIOGRAPHY'
    cited = fieldmark(f"ADDIN ZOTERO_ITEM CSL_CITATION {json.dumps(data)}",
                      "<text:span>1</text:span>")
    source = make_odt(tmp_path / "in.odt", [
        f"<text:p>Seen {cited} and [@gout1993gtpase].</text:p>",
        "<text:p>" + fieldmark(bibl, "1. Old entry", end=False) + "</text:p>",
        f'<text:p>2. Another old entry<field:fieldmark-end xmlns:field="{LO_FIELD}"/></text:p>',
        "<text:p>The end.</text:p>",
    ])
    out = tmp_path / "out.odt"
    report = manuscripts.format_document(library, source, out, AMA)
    assert report.from_fields == 1
    marks = odt_marks(out)
    assert [text for _, text in marks] == ["1", "2"]
    assert citation_json(marks[0][0])["citationID"] == "lo1"
    root = xml(out, "content.xml")
    assert not list(root.iter(f"{{{LO_FIELD}}}fieldmark-start"))
    sections = list(root.iter(f"{T}section"))
    assert len(sections) == 1 and sections[0].get(f"{T}name").startswith("ZOTERO_BIBL")
    body = [("".join(p.itertext())) for p in root.iter(f"{T}p")]
    assert "Seen1 and2." in body and body[-1] == "The end."  # superscripts: no space before
    assert not [text for text in body if "old entry" in text]
    assert "".join(sections[0].itertext()).startswith("1. Zed A. Mouse models of asthma.")


def test_a_libreoffice_bibliography_section_applies_zotero_settings(library, tmp_path):
    ids = library.items.with_identifiers("pmid", ["8254675", "31000003"])
    gout, zed = (f"{manuscripts.REFMAN_URI}{ids[p]}" for p in ("8254675", "31000003"))
    settings = json.dumps({"uncited": [[zed]], "omitted": [[gout]], "custom": []})
    name = f"ZOTERO_BIBL {settings} CSL_BIBLIOGRAPHY RNDabc123".replace('"', "&quot;")
    source = make_odt(tmp_path / "in.odt", [
        "<text:p>See [@knowles2023safety] and [@gout1993gtpase].</text:p>",
        f'<text:section text:name="{name}"><text:p>Old entry</text:p></text:section>',
    ])
    out = tmp_path / "out.odt"
    report = manuscripts.format_document(library, source, out, AMA)
    assert [text for _, text in odt_marks(out)] == ["1", "2"]
    sections = list(xml(out, "content.xml").iter(f"{T}section"))
    assert len(sections) == 1
    assert sections[0].get(f"{T}name").startswith(f"ZOTERO_BIBL {settings} CSL_BIBLIOGRAPHY")
    entries = ["".join(p.itertext()) for p in sections[0].iter(f"{T}p")]
    assert [entry[:12] for entry in entries] == ["1. Knowles S", "3. Zed A. Mo"]
    assert report.items == 2 and report.entries == 2
    assert any(line.endswith("omitted item left out: A GTPase in the cell cycle")
               for line in report.lines())


def test_libreoffice_endnotes_do_not_count_among_footnotes(library, tmp_path):
    source = make_odt(tmp_path / "in.odt", [
        "<text:p>Ended<text:note text:id='e1' text:note-class='endnote'><text:note-citation>i"
        "</text:note-citation><text:note-body><text:p>An endnote.</text:p></text:note-body>"
        "</text:note> then [@zed2019mouse].</text:p>",
    ])
    out = tmp_path / "out.odt"
    manuscripts.format_document(library, source, out, IBID_STYLE)
    notes = list(xml(out, "content.xml").iter(f"{T}note"))
    assert [(n.get(f"{T}note-class"), n.findtext(f"{T}note-citation")) for n in notes] == [
        ("footnote", "1"), ("endnote", "i"), ("footnote", "2")]
    assert [citation_json(name)["properties"]["noteIndex"] for name, _ in odt_marks(out)] == [2]


def test_switching_to_a_note_style_moves_fields_written_before_into_footnotes(library, tmp_path):
    docx = body_docx(tmp_path, w_para("Seen [@zed2019mouse] and [@zed2019mouse]."))
    odt = make_odt(tmp_path / "in.odt",
                   ["<text:p>Seen [@zed2019mouse] and [@zed2019mouse].</text:p>"])
    expected = [("A. Zed, Mouse Models of Asthma, 570 (2019): 1–9.", 2), ("Ibid.", 3)]
    for source in (docx, odt):
        first, second = tmp_path / f"apa{source.suffix}", tmp_path / f"notes{source.suffix}"
        manuscripts.format_document(library, source, first, "apa")
        report = manuscripts.format_document(library, first, second, IBID_STYLE)
        assert report.from_fields == 2 and report.into_notes == 2
        if source.suffix == ".docx":
            assert [(text, index) for _, text, index in word_notes(second)][1:] == expected
            own = [p for p in xml(second, "word/document.xml").iter(f"{W}p")
                   if "Seen" in "".join(p.itertext())][0]
            shown = "".join(t.text or "" for t in own.iter(f"{W}t"))
        else:
            notes = list(xml(second, "content.xml").iter(f"{T}note"))[1:]
            marks = [next(n.iter(f"{T}reference-mark-start")).get(f"{T}name") for n in notes]
            assert [("".join(n.find(f"{T}note-body").itertext()),
                     citation_json(m)["properties"]["noteIndex"])
                    for n, m in zip(notes, marks, strict=True)] == expected
            own = notes[0].getparent()
            shown = (own.text or "") + "".join(
                (c.tail or "") if c.tag == f"{T}note" else "".join(c.itertext()) + (c.tail or "")
                for c in own)
        assert shown == "Seen and."  # the footnote marks right after the words


def word_prefs(path) -> str:
    return "".join("".join(p.itertext()) for p in xml(path, "docProps/custom.xml"))


def test_the_locale_asked_or_the_documents_own_is_used_and_kept(library, tmp_path):
    source = body_docx(tmp_path, w_para(*TYPED))
    out = tmp_path / "out.docx"
    manuscripts.format_document(library, source, out, "apa", "de-DE")
    assert [r for _, r in docx_fields(out)][:2] == [
        "(1993, S. 25; Knowles & Smith, 2023)", "(Gout, 1993)"
    ]
    assert 'locale="de-DE"' in word_prefs(out)
    # The document's own settings (a note type set in the LibreOffice extension or Zotero)
    # stay; a second run without a locale goes on in the document's.
    custom = parts(out)["docProps/custom.xml"]
    note_type = b'&lt;pref name="noteType" value="2"/&gt;'
    custom = custom.replace(b"&lt;prefs&gt;", b"&lt;prefs&gt;" + note_type)
    edited = _rezip(out, tmp_path / "edited.docx", {"docProps/custom.xml": custom})
    again = tmp_path / "again.docx"
    manuscripts.format_document(library, edited, again)
    assert [r for _, r in docx_fields(again)][:1] == ["(1993, S. 25; Knowles & Smith, 2023)"]
    prefs = word_prefs(again)
    assert 'locale="de-DE"' in prefs and 'name="noteType" value="2"' in prefs
    assert "styles/apa" in prefs
    with pytest.raises(RefmanError, match="not a language tag"):
        manuscripts.format_document(library, source, tmp_path / "bad.docx", "apa", "German")
    assert not (tmp_path / "bad.docx").exists()


def test_a_superscript_citation_sits_right_after_the_word(library, tmp_path):
    # AMA's citations are superscript: the space typed before "[@key]" goes; APA's keep it.
    typed = "".join(TYPED).replace("*", "")
    for style, expected in ((AMA, "As shown1,2(p25) and2."),
                            ("apa", "As shown (1993, p. 25; Knowles & Smith, 2023) and (Gout, "
                                    "1993).")):
        source = body_docx(tmp_path, w_para(*TYPED), name=f"{style}.docx")
        out = tmp_path / f"{style}-out.docx"
        manuscripts.format_document(library, source, out, style)
        shown = ["".join(t.text or "" for t in p.iter(f"{W}t"))
                 for p in xml(out, "word/document.xml").iter(f"{W}p")]
        assert expected in shown
        odt = make_odt(tmp_path / f"{style}.odt", [f"<text:p>{typed}</text:p>"])
        odt_out = tmp_path / f"{style}-out.odt"
        manuscripts.format_document(library, odt, odt_out, style)
        paragraphs = ["".join(p.itertext()) for p in xml(odt_out, "content.xml").iter(f"{T}p")]
        assert expected in paragraphs
