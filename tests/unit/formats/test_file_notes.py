"""Notes in imported files (RIS ``N1``, EndNote XML ``notes`` and ``research-notes``, BibTeX
``annote`` and ``annotation``): each reader gives them as the reference's ``notes``, plain
text a note each, and keeps them in the source record, so an export gives the record back."""

from __future__ import annotations

import io

from refman.formats import ris
from refman.formats.text import note_text
from tests.unit.formats.bibtex.helpers import read as read_bibtex
from tests.unit.formats.endnote_xml.conftest import one as one_endnote


def read_ris(text: str):
    problems: list = []
    found = list(
        ris.read_numbered(io.BytesIO(text.encode()), name="in.ris", on_problem=problems.append)
    )
    assert problems == []
    return [ref for _, ref in found]


RIS_WITH_NOTES = (
    "TY  - JOUR\r\n"
    "TI  - A title\r\n"
    "N1  - First note\r\n"
    "  its second line\r\n"
    "N1  - Read <b>twice</b> & cited\r\n"
    "N1  -   \r\n"
    "ER  - \r\n"
)


def test_each_ris_n1_is_a_note_with_its_lines_and_the_record_stays_as_it_was():
    (ref,) = read_ris(RIS_WITH_NOTES)
    assert ref.notes == ("First note\nits second line", "Read <b>twice</b> & cited")
    assert [value for tag, value in ref.source_record if tag == "N1"][:2] == [
        "First note\n  its second line",
        "Read <b>twice</b> & cited",
    ]
    out = io.StringIO(newline="")
    ris.write([ref], out)
    assert "N1  - Read <b>twice</b> & cited" in out.getvalue()  # the export gives it back


def test_a_ris_record_without_n1_has_no_notes():
    (ref,) = read_ris("TY  - JOUR\nTI  - Plain\nER  - \n")
    assert ref.notes == ()


def test_endnote_notes_and_research_notes_are_notes_with_their_line_breaks():
    ref = one_endnote(
        '<ref-type name="Journal Article">17</ref-type><titles><title>T</title></titles>'
        '<notes><style face="normal" font="default" size="100%">Seen at the&#xD;'
        "conference</style></notes>"
        "<research-notes>Method &lt;b&gt; is weak</research-notes>"
    )
    assert ref.notes == ("Seen at the\nconference", "Method <b> is weak")
    ((_, xml),) = ref.source_record
    assert "<research-notes>" in xml and "conference" in xml  # the record keeps them too


def test_endnote_empty_notes_are_no_notes():
    ref = one_endnote(
        '<ref-type name="Book">6</ref-type><titles><title>T</title></titles><notes> </notes>'
    )
    assert ref.notes == ()


def test_bibtex_annote_and_annotation_are_notes_but_note_is_not():
    (ref,), problems = read_bibtex(
        "@article{k, title = {T}, note = {In press}, annote = {Caf\\'e study, {GOOD}},"
        " annotation = {Second}}"
    )
    assert problems == []
    assert ref.notes == ("Café study, GOOD", "Second")
    assert ("note", "In press") in ref.source_record  # a bibliographic field, kept there
    assert ("annote", "Caf\\'e study, {GOOD}") in ref.source_record


def test_note_text_keeps_lines_and_paragraphs_and_drops_controls():
    assert note_text("  one \r\n two\r\r\r\rthree\x1b[31m ") == "one\ntwo\n\nthree[31m"
    assert note_text(" \n \t ") == ""
