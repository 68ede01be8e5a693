"""Writing MEDLINE: PubMed's layout, records read back as they were, items made in refman."""

import io
import re
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import refman.formats.medline as medline
from refman.formats.medline.record import squash
from refman.formats.medline.write import INDENT, WIDTH
from refman.model import (
    BOOK,
    CHAPTER,
    EDITOR,
    Creator,
    Reference,
)
from tests.samples import DATA, NEW_ITEM, SEED_FILE
from tests.unit.formats.medline.helpers import (
    ALL_FILES,
    PUBMED_LAYOUT,
    assert_same_records,
    biopython_records,
    biopython_shape,
    read_all,
    references,
    text_refs,
    values,
    without_source,
    write_text,
    written_and_read,
)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_read_write_read_gives_the_same_references(path):
    refs = read_all(path)
    assert text_refs(write_text(refs)) == refs


def tag_lines(text: str) -> list[str]:
    return [line[:4] for line in text.split("\n") if line.strip() and not line[0].isspace()]


@pytest.mark.parametrize("name", ["pubmed_result2.txt", "nbib-pubmed-balloongui-set.nbib"])
def test_an_imported_record_is_written_back_tag_line_for_tag_line(name):
    text = (DATA / name).read_text(encoding="utf-8")
    written = write_text(read_all(DATA / name))
    assert tag_lines(written) == tag_lines(text)
    assert written.split() == text.split()  # the same words: only the wrapping may differ


def test_the_written_layout_is_pubmeds():
    text = write_text(read_all(DATA / "nbib-pubmed-balloongui-set.nbib"))
    records = text.split("\n\n")
    assert len(records) == 75
    for line in text.split("\n"):  # (values may hold U+2028, which splitlines() splits on)
        assert line == "" or re.match(r"[A-Z][A-Z0-9]{0,3} *-( |$)|      \S", line)
        assert len(line) <= 88 or " " not in line[6:]


def test_the_damaged_seed_is_written_in_proper_layout(seed):
    text = write_text([seed])
    assert text.startswith("PMID- 37144409\nOWN - NLM\nSTAT- MEDLINE\nDCOM- 20231109\n")
    assert "\nTI  - Safety and Efficacy of Iltamiocel Cellular Therapy for the Treatment of" in text
    assert "\n      Incontinence. Results of a Phase 1/2 Study.\n" in text


def test_an_item_made_in_refman_is_written_from_its_fields():
    text = write_text([NEW_ITEM])
    assert text.splitlines()[:4] == [
        "PMID- 99999999",
        "IS  - 1111-2222 (Print)",
        "IS  - 3333-4444 (Electronic)",
        "VI  - 12",
    ]
    assert "TI  - A reference typed into refman.\n" in text
    assert "FAU - de la Cruz, María José\nAU  - de la Cruz MJ\nAD  - Madrid\nAD  - Bilbao\n" in text
    assert "AU  - Smith J Jr\n" in text
    assert "MH  - *Brain/*surgery\nOT  - kw\n" in text
    (back,) = text_refs(text)
    assert back.with_changes(source_format="", source_record=()) == NEW_ITEM


def test_books_and_chapters_made_in_refman_keep_their_type():
    book = Reference(
        item_type=BOOK,
        title="A Book",
        publisher="Pub",
        place="Town",
        isbn="123",
        creators=(Creator("Ed", "E", role=EDITOR),),
    )
    chapter = book.with_changes(item_type=CHAPTER, title="A chapter", container_title="A Book")
    back = text_refs(write_text([book, chapter]))
    assert [b.with_changes(source_format="", source_record=()) for b in back] == [
        book.with_changes(publication_types=("Book",)),
        chapter.with_changes(publication_types=("Book Chapter",)),
    ]
    assert ("BTI", "A Book") in back[0].source_record and values(back[0], "TI") == []


def test_a_title_ending_in_an_abbreviation_is_written_so_it_reads_back():
    ref = Reference(title="Cats, dogs etc", pmid="1")
    (back,) = text_refs(write_text([ref]))
    assert back.title == "Cats, dogs etc"


def test_major_keyword_star_is_kept_as_a_mark_not_in_the_name():
    text = "PMID- 1\nTI  - Balloon guides.\nOT  - *animals\nOT  - thrombectomy\n"
    (ref,) = medline.read_text(text)
    keywords = [(t.name, t.major) for t in ref.tags if t.kind == "keyword"]
    assert keywords == [("animals", True), ("thrombectomy", False)]
    out = io.StringIO()
    medline.write([ref.with_changes(source_record=())], out)
    assert "OT  - *animals\n" in out.getvalue()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(references(), min_size=1, max_size=2))
def test_references_made_in_refman_survive_writing_and_reading(refs):
    assert [without_source(r) for r in written_and_read(refs)] == refs


@pytest.mark.parametrize("path", PUBMED_LAYOUT + [SEED_FILE])
def test_biopython_reads_what_the_writer_writes(path):
    refs = list(medline.read(path))
    out = io.StringIO()
    medline.write(refs, out)
    mine = [biopython_shape(r.source_record) for r in refs]
    assert_same_records(mine, biopython_records(out.getvalue()))


# --- a field that fits on one line is written as textwrap would write it ----------------------


def wrapped_by_textwrap(tag: str, value: str) -> str:
    """``format_field`` as it was before short fields skipped textwrap: the reference."""
    width = WIDTH - len(INDENT)
    lines = textwrap.wrap(squash(value), width, break_long_words=False, break_on_hyphens=False)
    first, *rest = lines or [""]
    head = f"{tag:<4}- " if tag in medline.KNOWN_TAGS or len(tag) < 4 else f"{tag} - "
    return "\n".join([(head + first).rstrip()] + [INDENT + line for line in rest])


spacey_text = st.text(
    st.sampled_from(list("ab -\t\n\r\x0b\x0c\xa0\u2009\u3000\x1c")) | st.characters(),
    max_size=120,
)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["TI", "AB", "PMID", "XYZW", "AU"]), spacey_text)
def test_fields_are_written_as_textwrap_lays_them_out(tag, value):
    assert medline.format_field(tag, value) == wrapped_by_textwrap(tag, value)
