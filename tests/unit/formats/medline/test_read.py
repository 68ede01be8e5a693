"""Reading MEDLINE files: PubMed's own files, odd and damaged layouts, the limits on what a
record keeps, control characters, input that is not MEDLINE, and Biopython's second opinion."""

import contextlib
import io
import json
import re
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import refman.formats.medline as medline
from refman.formats.medline.read import CHUNK_BYTES, LONGEST_LINE, _flat_record, _record
from refman.formats.medline.record import LIMITS
from refman.model import (
    Creator,
    Issn,
    NotMedlineError,
    ParseError,
    Problem,
    Reference,
    RefmanError,
)
from tests.samples import DATA, SEED_FILE
from tests.unit.formats.medline.helpers import (
    FIXTURES,
    PLAIN,
    PUBMED_LAYOUT,
    RECORDS,
    assert_same_records,
    biopython_records,
    biopython_shape,
    medline_ish,
    raw_all,
    read_all,
    text_refs,
    values,
)

# --- PubMed's own files -----------------------------------------------------------------------


def test_the_balloon_guide_set_holds_as_many_records_as_pubmed_reported():
    path = DATA / "nbib-pubmed-balloongui-set.nbib"
    expected = json.loads(path.with_suffix(".expected.json").read_text())["record_count"]
    problems = []
    refs = read_all(path, on_problem=problems.append)
    assert len(refs) == expected == 75
    assert problems == []
    assert len({r.pmid for r in refs}) == 75
    assert all(r.title and r.creators for r in refs)
    assert "≥" in "".join(r.abstract for r in refs)  # UTF-8 read through CRLF line ends


def test_unicode_spaces_inside_values_are_kept():
    refs = read_all(DATA / "nbib-pubmed-balloongui-set.nbib")
    copyright_lines = [v for r in refs for v in values(r, "CI")]
    assert "©\xa0Georg Thieme Verlag KG Stuttgart · New York." in copyright_lines


# --- damaged records: line breaks lost --------------------------------------------------------


def test_several_damaged_records_on_one_line_are_split_at_each_pmid():
    one_line = " ".join(PLAIN.split())
    assert [r.pmid for r in text_refs(one_line)] == ["11111111", "22222222"]
    assert text_refs(one_line) == text_refs(PLAIN)


def test_damaged_records_one_per_line_and_text_before_them():
    seed_text = SEED_FILE.read_text()
    text = "Here is what PubMed gave me: " + seed_text + "\n" + " ".join(PLAIN.split())
    refs = text_refs(text)
    assert [r.pmid for r in refs] == ["37144409", "11111111", "22222222"]
    assert refs[0] == read_all(SEED_FILE)[0]


def test_a_title_that_mentions_a_tag_is_not_a_damaged_line():
    (ref,) = text_refs("PMID- 1\nTI  - Tau in AD - a review of PT -related work.\n")
    assert ref.title == "Tau in AD - a review of PT -related work"


# --- layouts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "crlf",
        "bom",
        "bom_crlf",
        "latin1",
        "no_final_newline",
        "blank_lines",
        "junk_before",
        "no_blank_between",
    ],
)
def test_layouts_read_the_same_records(name):
    problems = []
    refs = read_all(FIXTURES / f"{name}.nbib", on_problem=problems.append)
    assert refs == text_refs(PLAIN)
    assert problems == []
    assert refs[0].creators[0] == Creator("Müller", "Jürgen")
    assert refs[0].title == "A first record about lumbar puncture in adults"


def test_records_know_the_line_they_start_on():
    assert [r.line for r in medline.read_raw(FIXTURES / "junk_before.nbib")] == [7, 20]
    assert [r.line for r in medline.read_raw(FIXTURES / "blank_lines.nbib")] == [4, 20]


def test_white_space_in_values_is_squashed_to_single_spaces():
    text = (
        "PMID- 1\n"
        "TI  - A title wrapped \n"  # PubMed leaves a space at some wraps
        "      over two lines.\n"
        "AB  -  Leading  and\tinner   runs, \n"
        "         a deep indent.  \n"
        "OT  -  \n"
        "OT  - kept\n"
        "JT  - Journal\n"
    )
    (fields,) = [r.fields for r in medline.read_raw(io.BytesIO(text.encode()))]
    assert fields == (
        ("PMID", "1"),
        ("TI", "A title wrapped over two lines."),
        ("AB", "Leading and inner runs, a deep indent."),
        ("OT", ""),
        ("OT", "kept"),
        ("JT", "Journal"),
    )


def test_four_space_continuation_lines_and_tabs():
    text = PLAIN.replace("\n      adults.", "\n    adults.").replace(
        "TA  - Test J", "TA  -\tTest J"
    )
    assert text_refs(text) == text_refs(PLAIN)


def test_old_mac_line_ends():
    assert text_refs(PLAIN.replace("\n", "\r")) == text_refs(PLAIN)


def test_utf16_with_a_bom_is_read():
    data = PLAIN.replace("\n", "\r\n").encode("utf-16")
    assert read_all(io.BytesIO(data)) == text_refs(PLAIN)


def test_a_text_stream_is_read_too():
    assert read_all(io.StringIO(PLAIN)) == text_refs(PLAIN)


def test_tags_are_matched_by_pattern_not_by_column():
    first, eric = raw_all(FIXTURES / "unpadded_tags.nbib")
    assert first == (
        ("PMID", "30000001"),
        ("OWN", "NLM"),
        ("TI", "Tight tags: a title written right after the dash."),
        ("DP", "2015"),
        ("AU", "Tight A"),
        ("AB", ""),
        ("LA", "eng"),
    )
    assert ("ISSN", "0022-0663") in eric
    assert eric[-1] == ("XYZ", "a tag refman does not know, kept in the source record")


def test_an_eric_record_reads():
    _, eric = read_all(FIXTURES / "unpadded_tags.nbib")
    assert eric.title == "An ERIC record with its own tags"
    assert eric.issns == (Issn("0022-0663"),)
    assert eric.creators == (Creator("Reader", "R"),)
    assert eric.date.year == 2010


def test_words_with_dashes_at_a_line_start_continue_the_value():
    (ref,) = read_all(FIXTURES / "lost_indent.nbib")
    assert ref.title == "Outcomes of patients admitted with SARS-CoV-2 infection: a cohort study"
    assert ref.abstract == (
        "BACKGROUND: Little is known about COVID-19 in older adults and their AD-related "
        "changes, which were IL-6 driven."
    )
    assert [t for t, _ in ref.source_record] == ["PMID", "OWN", "DP", "TI", "AB", "LA", "PT"]


# --- limits: long lines, long values, long records --------------------------------------------


WORDS = "lorem ipsum dolor sit amet consectetur adipiscing elit "


def words(length: int) -> str:
    return (WORDS * (length // len(WORDS) + 1))[:length]


def read_with_problems(data: bytes) -> tuple[list[Reference], list[tuple[int | None, str]]]:
    problems: list[Problem] = []
    refs = read_all(io.BytesIO(data), on_problem=problems.append)
    return refs, [(p.line, p.message) for p in problems]


def cut_message(tag: str, length: int, kept: str) -> str:
    return f"the {tag} field is {length:,} characters long; kept the first {len(kept):,}"


def test_a_line_longer_than_the_reader_holds_is_cut_in_bounded_memory():
    """The line is 4 times what the reader holds: reading it whole would take twice that in
    memory at least (its bytes and its text), the reader stays well below."""
    size = 4 * LONGEST_LINE
    data = f"PMID- 1\nTI  - Long.\nAB  - {words(size)}\nLA  - eng\n".encode()
    tracemalloc.start()
    try:
        refs, problems = read_with_problems(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (ref,) = refs
    assert ref.abstract == words(medline.MAX_FIELD_CHARS).rstrip()
    assert ref.language == "eng"  # the file goes on after the long line
    assert problems == [(3, cut_message("AB", size, ref.abstract))]
    assert peak < 7 * LONGEST_LINE


def test_a_long_line_at_the_end_of_a_file_without_a_line_break_is_cut():
    size = LONGEST_LINE + 5 * CHUNK_BYTES
    (ref,), problems = read_with_problems(f"PMID- 1\nTI  - {words(size)}".encode())
    assert ref.title == words(medline.MAX_FIELD_CHARS).rstrip()
    assert problems == [(2, cut_message("TI", size, ref.title))]


def test_a_long_line_of_multibyte_characters_is_cut_between_characters():
    text = "é€😀" * (LONGEST_LINE // 3)  # 2, 3 and 4 bytes in UTF-8
    (ref,), problems = read_with_problems(f"PMID- 1\nTI  - {text}\n".encode())
    assert ref.title == text[: medline.MAX_FIELD_CHARS]
    assert problems == [(2, cut_message("TI", len(text), ref.title))]


def test_a_value_over_many_continuation_lines_is_cut():
    lines = [words(80) for _ in range(2 * medline.MAX_FIELD_CHARS // 80)]
    text = "PMID- 1\nTI  - A title\nAB  - " + "\n      ".join(lines) + "\nLA  - eng\n\n"
    (ref,), problems = read_with_problems(text.encode())
    whole = " ".join(line.strip() for line in lines)
    assert ref.abstract == whole[: medline.MAX_FIELD_CHARS].rstrip()
    assert ref.language == "eng"
    assert problems == [(3, cut_message("AB", len(whole), ref.abstract))]


def test_values_within_the_limit_are_whole():
    value = words(medline.MAX_FIELD_CHARS).strip()
    (ref,), problems = read_with_problems(f"PMID- 1\nTI  - A title\nAB  - {value}\n".encode())
    assert (ref.abstract, problems) == (value, [])


def test_a_record_with_too_many_fields_keeps_its_first():
    count = medline.MAX_RECORD_FIELDS + 1000
    text = "PMID- 1\nTI  - A title\n" + "AU  - Author X\n" * count + "\nPMID- 2\nTI  - Next\n"
    (ref, following), problems = read_with_problems(text.encode())
    assert len(ref.source_record) == medline.MAX_RECORD_FIELDS
    assert len(ref.creators) == medline.MAX_RECORD_FIELDS - 2
    assert following.title == "Next"
    kept = sum(len(value) for _, value in ref.source_record)
    assert problems == [
        (
            1,
            "this record is longer than any real one: kept its first "
            f"{medline.MAX_RECORD_FIELDS:,} fields ({kept:,} characters) and dropped the other "
            f"{count + 2 - medline.MAX_RECORD_FIELDS:,}",
        )
    ]


def test_a_record_of_too_many_characters_keeps_its_first_fields():
    value = words(medline.MAX_FIELD_CHARS - 10).strip()
    count = medline.MAX_RECORD_CHARS // len(value) + 3
    text = "PMID- 1\nTI  - A title\n" + f"AB  - {value}\n" * count + "LA  - eng\n"
    (ref,), problems = read_with_problems(text.encode())
    fields = ref.source_record
    assert fields[:2] == (("PMID", "1"), ("TI", "A title"))
    assert all(field == ("AB", value) for field in fields[2:])
    kept = sum(len(v) for _, v in fields)
    assert kept <= medline.MAX_RECORD_CHARS < kept + len(value)
    assert problems == [
        (
            1,
            "this record is longer than any real one: kept its first "
            f"{len(fields):,} fields ({kept:,} characters) and dropped the other "
            f"{count + 3 - len(fields):,}",
        )
    ]


def test_lines_ended_by_cr_alone_are_not_one_long_line():
    record = f"PMID- 1\rTI  - A title\rAB  - {words(2000)}\r\r"
    data = (record * (2 * LONGEST_LINE // len(record))).encode()
    refs, problems = read_with_problems(data)
    assert problems == []
    assert len(refs) == len(data) // len(record)
    assert refs[0].abstract == words(2000).strip()


# --- control characters -----------------------------------------------------------------------


DIRTY_TITLE = "A \x1b[31mred\x1b[0m title\x07 with a back\x08space,\ta tab, DEL\x7f and C1\x9b."


CLEAN_TITLE = "A [31mred[0m title with a backspace, a tab, DEL and C1"


DIRTY = (
    f"PMID- 1\nTI  - {DIRTY_TITLE}\nFAU - Smith\x1b, John\nAB  - Line one\n\x1b\x07\n      two.\n"
)


@pytest.mark.parametrize(
    "data",
    [
        DIRTY.encode(),
        DIRTY.encode("utf-16"),
        DIRTY.replace("\n", "\r\n").encode(),
        # Not UTF-8: a line with a byte that Windows-1252 has no character for (0x81) is read
        # as Latin-1, where that byte is a C1 control; it goes as well.
        DIRTY.replace("\x9b", "\x81").replace("Line one", "Lin\xe9 one\x81").encode("latin-1"),
    ],
    ids=["utf-8", "utf-16", "crlf", "latin-1"],
)
def test_control_characters_are_removed_from_values(data):
    (ref,), problems = read_with_problems(data)
    assert problems == []
    assert ref.title == CLEAN_TITLE
    assert ref.creators[0].family == "Smith"
    assert ref.abstract in ("Line one two.", "Liné one two.")  # a line of controls only
    assert not any(re.search("[\x00-\x1f\x7f-\x9f]", v) for _, v in ref.source_record)


def test_control_characters_are_removed_from_pasted_text():
    (ref,) = text_refs(DIRTY)
    assert ref.title == CLEAN_TITLE


def test_a_record_with_nul_bytes_is_still_reported_among_control_characters():
    data = b"PMID- 1\nTI  - bad\x00\x1b\n\nPMID- 2\nTI  - good\x1b\n"
    (ref,), problems = read_with_problems(data)
    assert ref.title == "good"
    assert problems == [(1, "this record holds binary data (NUL bytes) and was skipped")]


# --- input that is not MEDLINE, and records that cannot be read -------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty", "it is empty"),
        ("pdf_like", "it is a PDF"),
        ("not_medline", "it looks like BibTeX"),
    ],
)
def test_a_file_that_is_not_medline_is_refused_with_a_plain_reason(name, reason):
    path = FIXTURES / f"{name}.nbib"
    records = medline.read(path)  # nothing happens before iteration starts
    with pytest.raises(NotMedlineError) as caught:
        next(records)
    assert caught.value.path == str(path)
    assert caught.value.line is None
    assert caught.value.message == f"this is not a MEDLINE/PubMed file ({reason})"
    assert not medline.sniff(path.read_bytes().decode("utf-8", "replace"))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Shopping list: milk, eggs\nCOVID-19 tests - two\n", "no MEDLINE tags"),
        ("TY  - JOUR\nAU  - Smith, J\nTI  - A title\nER  - \n", "it looks like RIS"),
        ('<?xml version="1.0"?>\n<PubmedArticleSet>', "it is XML, but not in a format refman"),
        ('[{"title": "x"}]', "it looks like JSON"),
        ("\x01\x02\x03\x04 binary \x05\x06", "it is a binary file"),
        ("  \n\n \t\n", "it is empty"),
    ],
)
def test_text_that_is_not_medline_is_refused(text, reason):
    with pytest.raises(NotMedlineError, match=reason):
        list(medline.read_text(text))
    assert not medline.sniff(text)


def test_a_folder_or_a_missing_file_is_a_plain_error(tmp_path):
    with pytest.raises(NotMedlineError, match="this is a folder"):
        read_all(tmp_path)
    with pytest.raises(ParseError, match="the file does not exist"):
        read_all(tmp_path / "nope.nbib")


def test_a_stream_that_fails_while_reading_is_a_parse_error():
    class Failing(io.RawIOBase):
        def readable(self):
            return True

        def read(self, size=-1):
            raise OSError(5, "Input/output error")

    with pytest.raises(ParseError, match="cannot be read"):
        read_all(Failing(), name="usb.nbib")


def test_records_that_cannot_be_read_are_reported_and_the_rest_imports():
    problems: list[Problem] = []
    refs = read_all(FIXTURES / "broken.nbib", name="broken.nbib", on_problem=problems.append)
    assert [r.title for r in refs] == [
        "The first good record",
        "The second good record",
        "The third good record",
    ]
    assert problems == [
        Problem("broken.nbib", 5, "this record has no title and no PubMed ID and was skipped"),
        Problem("broken.nbib", 8, "text without MEDLINE tags was skipped"),
        Problem("broken.nbib", 14, "this record holds binary data (NUL bytes) and was skipped"),
    ]
    assert str(problems[0]).startswith("broken.nbib:5: ")


def test_without_a_problem_callback_bad_records_are_skipped_silently():
    assert len(read_all(FIXTURES / "broken.nbib")) == 3


def test_problems_name_the_stream_they_come_from():
    problems = []
    data = b"PMID- 1\nTI  - ok\n\nAB  - no title\n"
    read_all(io.BytesIO(data), name="drop.nbib", on_problem=problems.append)
    assert problems == [
        Problem("drop.nbib", 4, "this record has no title and no PubMed ID and was skipped")
    ]
    problems.clear()
    list(medline.read_text(data.decode(), on_problem=problems.append))
    assert [p.path for p in problems] == ["clipboard"]


# --- any input: references or a RefmanError, nothing else -------------------------------------


def raw(data: bytes) -> list[tuple[tuple[str, str], ...]]:
    return [r.fields for r in medline.read_raw(io.BytesIO(data))]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), medline_ish))
def test_any_text_reads_or_raises_a_refman_error(text):
    try:
        refs = list(medline.read_text(text))
    except RefmanError:
        return
    assert all(r.source_format == "medline" and r.source_record for r in refs)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(),
        medline_ish.map(lambda t: t.encode("utf-8", "surrogatepass")),
        medline_ish.map(lambda t: t.encode("utf-16", "surrogatepass")),
        st.tuples(st.sampled_from(RECORDS), st.binary()).map(lambda p: p[0].encode() + p[1]),
    )
)
def test_any_bytes_read_or_raise_a_refman_error(data):
    problems = []
    with contextlib.suppress(RefmanError):
        list(medline.read(io.BytesIO(data), name="x.nbib", on_problem=problems.append))
    assert all(p.path == "x.nbib" and p.line >= 1 for p in problems)


# --- PubMed's own layout read with its line wraps joined first ---------------------------------


ODD_PIECES = [
    "PMID- 1\nTI  - a long\n      title\nAB  - an \n      abstract",  # read flat
    "PMID- 1\nTI  - \n      title",  # a value that starts on its continuation line
    "PMID- 1\nTI  - ",  # an empty value at the end
    "AB-\n      0",  # a tag with no space after its dash, its value on a continuation line
    "PMID- 1\nTI  - \nAB  - x",  # an empty value
    "PMID- 1\nTI  - a\n       b",  # seven spaces
    "PMID- 1\nTI  - a\n   b",  # three spaces
    "PMID- 1\nTI  - a\n      \nAB  - b",  # a line of spaces
    "PMID- 1\nTI  - a\n      ",  # a line of spaces at the end
    "PMID- 1\nTI  - a\n      \u00a0b",  # a no-break space after the indent: not a continuation
    "PMID- 1\nTI  - a\n      \x1cb",
    "PMID- 1\nTI  - a\n      \tb",
    "PMID- 1\nTI  - a \nAB  - b",  # a space at a value's end
    "PMID- 1\nTI  -  a",  # and at its start
    "PMID- 1\nTI  - a  b",
    "PMID- 1\nTI  - a\tb",
    "PMID- 1\nTI  - a\u00a0b\u2003c",  # content, not white space to squash
    "PMID- 1\nTI  - x-\n      y",  # a dash at a line's end
    "PMID- 1\nTI  - x- y",
    "PMID- 1\nTI  - x\x1fy",
    "PMID- 1\nTI    - x",  # a longer pad
    "PMID- 1\nTI - x\nXYZ - y",
    "PMID- 1\nTI- x\nXYZ - y",  # an unknown tag not padded
    "PMID- 1\nPMID- 2",
    " PMID- 1",
]


@pytest.mark.parametrize("piece", ODD_PIECES)
def test_a_record_read_flat_is_the_record_read_the_general_way(piece):
    flat = _flat_record(piece, 1, LIMITS)
    assert flat is None or flat == _record(piece, 1, LIMITS)


def test_pubmeds_own_records_are_read_flat():
    """Almost all the real records are: of the others, one has a space at a value's end and
    the rest are not read whole at all (they go to the assembler)."""
    assert _flat_record(ODD_PIECES[0], 1, LIMITS) is not None
    flat = [_flat_record(record, 1, LIMITS) for record in RECORDS]
    assert all(f is None or f == _record(r, 1, LIMITS) for f, r in zip(flat, RECORDS, strict=True))
    assert sum(f is not None for f in flat) >= 0.8 * len(RECORDS)


@settings(max_examples=500, deadline=None)
@given(medline_ish)
def test_any_piece_read_flat_is_the_piece_read_the_general_way(text):
    for piece in text.split("\n\n"):
        if piece:
            flat = _flat_record(piece, 1, LIMITS)
            assert flat is None or flat == _record(piece, 1, LIMITS)


# --- damaged layouts of real records ----------------------------------------------------------


def one_line(text: str) -> str:
    """The record as pasted from a web page: every ASCII line break and indent gone."""
    return re.sub(r"[ \t\n]+", " ", text)


@st.composite
def damaged_files(draw):
    """(original file, damaged file) for a few real records."""
    records = draw(st.lists(st.sampled_from(RECORDS), min_size=1, max_size=3))
    original = "\n\n".join(records) + "\n"
    lines_lost = draw(st.sampled_from(["none", "each record", "whole file"]))
    if lines_lost == "each record":
        damaged = "\n".join(one_line(r) for r in records)
    elif lines_lost == "whole file":
        damaged = one_line(original)
    else:
        gap = st.sampled_from(["\n\n", "\n\n\n", "\n \n\n", "\n\t\n"])
        gaps = draw(st.lists(gap, min_size=len(records) + 1, max_size=len(records) + 1))
        damaged = gaps[0] + "".join(r + g for r, g in zip(records, gaps[1:], strict=True))
        if draw(st.booleans()):
            damaged = damaged.replace("\n      ", "\n    ")
    if draw(st.booleans()):
        damaged = "Saved from PubMed, 3 items.\n\n" + damaged
    if draw(st.booleans()):
        damaged = damaged.replace("\n", "\r\n")
    data = damaged.encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return original.encode("utf-8"), data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_files())
def test_damaged_layouts_read_back_the_same_fields(files):
    original, damaged = files
    assert raw(damaged) == raw(original)


# --- Biopython's Bio.Medline, on the files it reads correctly (see helpers) -------------------


@pytest.mark.parametrize("name", ["pubmed_result1", "pubmed_result2"])
def test_raw_values_are_those_biopython_asserts_in_its_own_tests(name):
    expected = json.loads((DATA / f"{name}.expected.json").read_text())["records"]
    records = [biopython_shape(r.fields) for r in medline.read_raw(DATA / f"{name}.txt")]
    assert len(records) == len(expected)
    for record, wanted in zip(records, expected, strict=True):
        assert {key: record.get(key) for key in wanted} == wanted


@pytest.mark.parametrize("path", PUBMED_LAYOUT, ids=lambda p: p.name)
def test_raw_records_agree_with_biopython(path):
    text = path.read_bytes().decode("utf-8")
    mine = [biopython_shape(r.fields) for r in medline.read_raw(path)]
    assert_same_records(mine, biopython_records(text))
