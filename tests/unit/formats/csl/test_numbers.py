"""Numbers and page ranges as CSL 1.0.2 and citeproc-js write them."""

import pytest
from lxml import etree

from refman.formats.csl.locale import NS, Locale
from refman.formats.csl.numbers import format_number, is_numeric, is_plural, page_range, roman

EN = Locale(etree.Element(f"{{{NS}}}style"), "en-US")
PAGES = ["321-328", "42-5", "101-108", "1496-1504", "44-40", "e12-e19"]


@pytest.mark.parametrize(
    ("value", "numeric"),
    [
        ("12", True),
        ("12-14", True),
        ("2a", True),
        ("12, 14", True),
        ("12 & 14", True),
        ("12 and 14", True),
        ("twelve", False),
        ("12 pages", False),
    ],
)
def test_is_numeric(value, numeric):
    assert is_numeric(value) is numeric


def test_more_than_one_number_is_plural():
    assert [is_plural(v) for v in ["937-944", "2, 3", "937", "3a"]] == [True, True, False, False]


@pytest.mark.parametrize(
    ("range_format", "written"),
    [
        (None, ["321–328", "42–45", "101–108", "1496–1504", "44–40", "e12–e19"]),
        ("expanded", ["321–328", "42–45", "101–108", "1496–1504", "44–40", "e12–e19"]),
        ("minimal", ["321–8", "42–5", "101–8", "1496–504", "44–40", "e12–9"]),
        ("minimal-two", ["321–28", "42–45", "101–08", "1496–504", "44–40", "e12–19"]),
        ("chicago", ["321–28", "42–45", "101–8", "1496–1504", "44–40", "e12–19"]),
        ("chicago-16", ["321–28", "42–45", "101–8", "1496–504", "44–40", "e12–19"]),
    ],
)
def test_page_ranges_in_each_page_range_format(range_format, written):
    """An abbreviated end is a range (42-5 is 42–45); an end not past its start stays."""
    assert [page_range(p, range_format, "–") for p in PAGES] == written


def test_the_delimiter_is_the_locales_and_replaces_every_hyphen():
    assert page_range("5-7, 9-10", None, "-") == "5-7, 9-10"
    assert page_range("5-7, 9-10", None, "–") == "5–7, 9–10"


@pytest.mark.parametrize(
    ("value", "form", "written"),
    [
        ("3", "ordinal", "3rd"),
        ("3", "long-ordinal", "third"),
        ("12", "long-ordinal", "12th"),  # the locale has words up to tenth
        ("2-3", "ordinal", "2nd–3rd"),
        ("3", "roman", "iii"),
        ("2,3", "numeric", "2, 3"),
        ("2 and 3", "numeric", "2 and 3"),
        ("Second", "ordinal", "Second"),  # not a number: as it is
    ],
)
def test_numbers_in_each_form(value, form, written):
    assert format_number(value, form, EN) == written


def test_roman_numerals():
    assert [roman(n) for n in (4, 9, 14, 1994, 3999)] == ["iv", "ix", "xiv", "mcmxciv", "mmmcmxcix"]


def test_a_page_value_with_a_suffixed_end_is_left_as_it_is():
    # citeproc-js prints PMID 31542275's "1759-1764.e6" unchanged, in every format.
    assert page_range("1759-1764.e6", "chicago-16", "–") == "1759-1764.e6"
    assert page_range("1759-1764", "chicago-16", "–") == "1759–64"
