"""MEDLINE values one at a time, read and written: dates, page ranges, titles, names,
identifiers."""

import pytest

import refman.formats.medline as medline
from refman.formats.medline.values import (
    clean_title,
    date_text,
    doi_of,
    full_name,
    initials,
    is_et_al,
    isbn_of,
    issns_of,
    parse_date,
    pmcid_of,
    short_name,
    title_text,
)
from refman.model import Issn, PartialDate


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


@pytest.mark.parametrize(
    ("date", "text"),
    [
        (PartialDate(2024, 2), "2024 Feb"),
        (PartialDate(2024, 2, 3), "2024 Feb 3"),
        (PartialDate(2013, season="Winter"), "2013 Winter"),
        (PartialDate(2023, 12, 1, "2023 Dec 1"), "2023 Dec 1"),
        (PartialDate(2019, 9, None, "2019 Sep-Oct", "Sep-Oct"), "2019 Sep-Oct"),
        (PartialDate(2024, 2, None, "2023 Dec 1"), "2024 Feb"),  # the text no longer says it
        (PartialDate(text="in press"), "in press"),
    ],
)
def test_a_date_is_written_so_that_it_reads_back(date, text):
    assert date_text(date) == text
    assert parse_date(text).year == date.year
    assert (parse_date(text).month, parse_date(text).season) == (date.month, date.season)


@pytest.mark.parametrize("title", ["A title", "Is it safe?", "Cats, dogs etc", "Made in the U.S."])
def test_a_title_is_written_with_pubmeds_period_only_where_reading_drops_it(title):
    assert clean_title(title_text(title)) == title


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (("full", "Knowles, Charles H"), ("Knowles", "Charles H")),
        (("short", "Knowles CH"), ("Knowles", "CH")),
        (("short", "Hellinger FR Jr"), ("Hellinger", "FR Jr")),
        (("short", "van Raaij MJ"), ("van Raaij", "MJ")),
        (("short", "Doe, J"), ("Doe", "J")),
        (("short", "Plato"), ("Plato", "")),
    ],
)
def test_names_in_their_full_and_short_forms(value, name):
    form, text = value
    assert (full_name if form == "full" else short_name)(text) == name


def test_initials_are_written_as_pubmed_writes_them_and_et_al_is_no_name():
    assert [initials(g) for g in ("Charles H", "CH", "Jean-Paul", "John Jr", "M. J.")] == [
        "CH",
        "CH",
        "JP",
        "J Jr",
        "MJ",
    ]
    assert is_et_al("et al") and is_et_al("Et al.") and not is_et_al("Etal")


def test_identifiers():
    dois = ["10.1016/x.1 [doi]", "doi:10.1016/x.1", "https://doi.org/10.1016/x.1", "10.1016/x.1"]
    assert {doi_of(value) for value in dois} == {"10.1016/x.1"}
    assert doi_of("S0140-6736(13)00001-1 [pii]") == doi_of("not a doi") == ""
    assert [pmcid_of(v) for v in ("PMC123", "123", "", "PMC1 [pmc]")] == [
        "PMC123",
        "PMC123",
        "",
        "PMC1",
    ]
    assert issns_of(
        ["1234-5678 (Print)", "8765-4321 (electronic)", "1234-5678 (Linking)", "1111-2222"]
    ) == (
        Issn("1234-5678", "Print"),
        Issn("8765-4321", "Electronic"),
        Issn("1234-5678", "Linking"),
        Issn("1111-2222"),
    )


def test_erics_issn_and_isbn_lines():
    assert issns_of(["EISSN-2375-5636", "ISSN-1042-1629", "EISSN-", "1234-5678 (Print)"]) == (
        Issn("2375-5636", "Electronic"),
        Issn("1042-1629", "Print"),
        Issn("1234-5678", "Print"),
    )
    assert [isbn_of(v) for v in ("ISBN-978-1-5985-7192-9", "979-8-2098-8762-1")] == [
        "978-1-5985-7192-9",
        "979-8-2098-8762-1",
    ]
