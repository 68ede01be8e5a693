"""The rules for MEDLINE lines and values that reading, sniffing and writing share."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refman.formats.medline.record import (
    LIMITS,
    MAX_FIELD_CHARS,
    MAX_RECORD_CHARS,
    MAX_RECORD_FIELDS,
    field_markers,
    is_damaged,
    join_lines,
    parse_tag_line,
    squash,
    squashed,
)


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        ("PMID- 123", ("PMID", "123")),
        ("TI  - A title", ("TI", "A title")),
        ("PMID-123", ("PMID", "123")),  # a known tag of three letters or more may be glued
        ("TI  -x", ("TI", "x")),
        ("TI-", ("TI", "")),
        ("ISSN - 0022-0663", ("ISSN", "0022-0663")),  # an unknown tag, padded
        ("AD-related changes", None),  # a two-letter word glued to a dash is text
        ("SARS-CoV-2 infection", None),
        ("XYZ- v", None),  # an unknown tag must be padded
        ("ti  - x", None),
        ("  TI  - x", None),  # an indented line continues a value
    ],
)
def test_tag_lines(line, parsed):
    assert parse_tag_line(line) == parsed


@pytest.mark.parametrize(
    ("line", "damaged", "markers"),
    [
        ("PMID- 1 TI  - x AU  - y", True, ["PMID", "TI", "AU"]),
        ("PMID- 1 TI - x", True, ["PMID", "TI"]),  # two fields, one of them a PMID
        ("TI  - x AU - y", False, ["TI", "AU"]),
        ("TI  - Tau in AD - a review of PT -related work.", False, ["TI", "AD"]),
        ("a - b - c", False, []),
    ],
)
def test_a_line_that_lost_its_breaks_holds_three_fields_or_two_with_a_pmid(line, damaged, markers):
    assert is_damaged(line) is damaged
    assert [found.group(1) for found in field_markers(line)] == markers


def test_white_space_in_a_value_is_one_space_none_at_the_ends():
    assert squash("  a \t b\n  c  ") == "a b c"
    assert squash("a\u00a0b") == "a\u00a0b"  # a no-break space is content
    assert join_lines(["a title ", " wrapped"]) == "a title wrapped"
    assert join_lines(["the start of a value ", ""], whole=False) == "the start of a value "


@given(st.lists(st.text(alphabet=" \t\n\r\x0b\x0c\x1fab\u00a0", max_size=12), max_size=6))
def test_values_squashed_together_are_squashed_one_by_one(texts):
    assert squashed(texts) == [squash(text) for text in texts]


def test_the_default_limits_are_the_documented_ones():
    assert (LIMITS.field_chars, LIMITS.record_fields, LIMITS.record_chars) == (
        MAX_FIELD_CHARS,
        MAX_RECORD_FIELDS,
        MAX_RECORD_CHARS,
    )
    assert LIMITS.piece_chars > MAX_FIELD_CHARS
