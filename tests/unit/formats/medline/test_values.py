"""MEDLINE values one at a time: dates, page ranges, titles (and back: see test_mapping for
the values written)."""

import pytest

import refman.formats.medline as medline
from refman.model import (
    PartialDate,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023 Dec 1", PartialDate(2023, 12, 1, "2023 Dec 1")),
        ("2002 Sep", PartialDate(2002, 9, None, "2002 Sep")),
        ("2019 Sep-Oct", PartialDate(2019, 9, None, "2019 Sep-Oct", "Sep-Oct")),
        ("2013 Winter", PartialDate(2013, None, None, "2013 Winter", "Winter")),
        ("2013 06 10", PartialDate(2013, 6, 10, "2013 06 10")),
        ("Apr 1990", PartialDate(1990, 4, None, "Apr 1990")),
        ("2001", PartialDate(2001, None, None, "2001")),
        ("2005 Dec-2006 Jan", PartialDate(2005, 12, None, "2005 Dec-2006 Jan", "Dec-2006 Jan")),
        ("2010 Jan 15-21", PartialDate(2010, 1, 15, "2010 Jan 15-21")),
        ("2011 September", PartialDate(2011, 9, None, "2011 September")),
        (
            "2014 Spring-Summer",
            PartialDate(2014, None, None, "2014 Spring-Summer", "Spring-Summer"),
        ),
        ("2013 13 40", PartialDate(2013, None, None, "2013 13 40", "13 40")),
        ("in press", PartialDate(None, None, None, "in press")),
    ],
)
def test_publication_dates(text, expected):
    assert medline.parse_date(text) == expected


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ("475-82", "475-482"),
        ("6913-7", "6913-6917"),
        ("1041-1049", "1041-1049"),
        ("e1042", "e1042"),
        ("401M-421M", "401M-421M"),
        ("e1042-e1050", "e1042-e1050"),
        ("10", "10"),
        ("99-5", "99-5"),  # not a range that can be expanded
        ("23-9, 45-7", "23-29, 45-47"),
        ("S12-8", "S12-8"),
    ],
)
def test_abbreviated_page_ranges_are_written_out(pages, expected):
    assert medline.expand_pages(pages) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("The Bio* toolkits--a brief overview.", "The Bio* toolkits--a brief overview"),
        ("Is it safe?", "Is it safe?"),
        ("Is it safe?.", "Is it safe?"),
        ("Waiting for...", "Waiting for..."),
        ("A study by Smith et al.", "A study by Smith et al."),
        ("Prevalence in the U.S.", "Prevalence in the U.S."),
        ("Effects of vitamin A.", "Effects of vitamin A"),
        ("[Surgery of the hip in the elderly].", "[Surgery of the hip in the elderly]"),
        ("No period", "No period"),
    ],
)
def test_the_closing_period_of_a_title_is_dropped_once(title, expected):
    assert medline.clean_title(title) == expected
