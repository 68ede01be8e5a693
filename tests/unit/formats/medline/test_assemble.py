"""The line-by-line path of the reader (assemble.Assembler) and the fast path that reads a
record in PubMed's layout whole (read.read_blocks): whatever the text, wherever the file's
blocks end and whatever the limits, both give the same records on the same lines and the same
problems."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import refman.formats.medline as medline
from refman.formats.medline.assemble import Assembler
from refman.formats.medline.read import block_text, read_blocks
from refman.formats.medline.record import LIMITS, Limits
from tests.unit.formats.medline.helpers import (
    PUBMED_FILES,
    RECORDS,
    medline_ish,
)


def line_by_line(text: str, limits: Limits = LIMITS) -> tuple[list, list]:
    problems: list = []
    assembler = Assembler(lambda line, message: problems.append((line, message)), limits)
    records: list = []
    assembler.feed_block(0, text.split("\n"), records)
    records += assembler.finish()
    return [(r.fields, r.line) for r in records], problems


def in_blocks(blocks: list[str], limits: Limits = LIMITS) -> tuple[list, list]:
    problems: list = []
    records = read_blocks(blocks, "x", lambda p: problems.append((p.line, p.message)), limits)
    return [(r.fields, r.line) for r in records], problems


def cut_in_blocks(text: str, cuts: list[int]) -> list[str]:
    """``text`` in blocks that end at line breaks (but the last), as the file reader gives it."""
    ends = sorted({i + 1 for i, char in enumerate(text) if char == "\n"} & set(cuts))
    starts = [0, *ends]
    return [text[a:b] for a, b in zip(starts, [*ends, len(text)], strict=True) if a < b]


mixed_records = st.lists(
    st.one_of(
        st.sampled_from(RECORDS),
        medline_ish,
        st.sampled_from(RECORDS).map(lambda r: r.replace("\nTI  - ", "\nTI  - a - b ")),
        st.sampled_from(RECORDS).map(lambda r: r.replace("\nAB  - ", "\nXYZ- ")),
        st.sampled_from(RECORDS).map(lambda r: r + "\nPMID- 1\nTI  - second"),
        st.sampled_from(RECORDS).map(lambda r: r.replace("\n      ", "\n   \n      ", 1)),
        st.sampled_from(RECORDS).map(lambda r: r.replace("\nDP  - ", "\nDP  -\tx ")),
        st.sampled_from(RECORDS).map(lambda r: r.replace("\nTI  - ", "\nTI  - x AU -\ty PG -\t")),
        st.sampled_from(RECORDS).map(lambda r: r.replace("\nTI  - ", "\nTI  - x PMID -\nPG  - ")),
        st.sampled_from(RECORDS).map(lambda r: r.replace("\nTI  - ", "\nTI  - x AU - y PG - ")),
        st.sampled_from(["junk text", "  ", "PMID- 9\x00", "TI  - ", "TI  - x -", "\x1f"]),
    ),
    max_size=5,
)


# The limits on values and records (field characters, fields, record characters): the real
# ones, and small ones that cut some of the values and records of the examples.
SOME_LIMITS = [
    (medline.MAX_FIELD_CHARS, medline.MAX_RECORD_FIELDS, medline.MAX_RECORD_CHARS),
    (30, 1000, 10_000),
    (10_000, 4, 10_000),
    (10_000, 1000, 150),
    (25, 5, 100),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mixed_records,
    st.lists(st.sampled_from(["\n\n", "\n\n\n", "\n", "\n \n"]), min_size=6, max_size=6),
    st.lists(st.integers(0, 20_000), max_size=6),
    st.sampled_from([LIMITS.piece_chars, 40, 400]),
    st.sampled_from(SOME_LIMITS),
)
def test_records_read_whole_agree_with_the_line_by_line_reader(
    records, gaps, cuts, longest, limits
):
    """Whatever the limits: a record fed a block at a time is cut as it grows (``trim``), and
    must come out as it does when it is cut whole at its end."""
    text = "".join(record + gap for record, gap in zip(records, gaps, strict=False))
    fields, count, chars = limits
    # A small piece_chars takes the long-stretch path.
    small = Limits(field_chars=fields, record_fields=count, record_chars=chars, piece_chars=longest)
    assert in_blocks(cut_in_blocks(text, cuts), small) == line_by_line(text, small)


def test_real_files_read_whole_agree_with_the_line_by_line_reader():
    for path in PUBMED_FILES:
        text = block_text(path.read_bytes())
        assert in_blocks([text]) == line_by_line(text)


# --- the assembler alone ----------------------------------------------------------------------


def test_a_line_that_lost_its_indent_continues_the_value_before_it():
    records, problems = line_by_line("PMID- 1\nTI  - A title\nthat lost its indent\nLA  - eng")
    assert records == [((("PMID", "1"), ("TI", "A title that lost its indent"), ("LA", "eng")), 1)]
    assert problems == []


def test_a_second_pmid_starts_a_new_record_and_a_damaged_line_is_split():
    records, _ = line_by_line("PMID- 1\nTI  - a\nPMID- 2 TI  - b AU  - Doe J")
    assert records == [
        ((("PMID", "1"), ("TI", "a")), 1),
        ((("PMID", "2"), ("TI", "b"), ("AU", "Doe J")), 3),
    ]


def test_junk_between_records_is_reported_once_at_its_first_line_and_not_before_them():
    text = "Saved from PubMed\n\nPMID- 1\nTI  - a\n\njunk\nmore junk\n\nPMID- 2\nTI  - b"
    records, problems = line_by_line(text)
    assert [line for _, line in records] == [3, 9]
    assert problems == [(6, "text without MEDLINE tags was skipped")]


def test_what_is_over_the_limits_is_cut_and_said():
    records, problems = line_by_line("PMID- 1\nTI  - abcdefgh", Limits(field_chars=5))
    assert records == [((("PMID", "1"), ("TI", "abcde")), 1)]
    assert problems == [(2, "the TI field is 8 characters long; kept the first 5")]
    records, problems = line_by_line("PMID- 1\nTI  - a\nAU  - b\nLA  - c", Limits(record_fields=2))
    assert records == [((("PMID", "1"), ("TI", "a")), 1)]
    assert problems == [
        (
            1,
            "this record is longer than any real one: kept its first 2 fields "
            "(2 characters) and dropped the other 2",
        )
    ]
