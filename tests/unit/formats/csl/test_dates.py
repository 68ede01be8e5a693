"""CSL dates: localized formats, the style's own date parts, ranges, seasons and literals."""

import pytest

ITEM = {"id": "1", "issued": {"date-parts": [[2023, 12, 1]]}}


def issued(date: dict) -> dict:
    return {"id": "1", "issued": date}


@pytest.mark.parametrize(
    ("element", "locale", "written"),
    [
        ('<date variable="issued" form="text"/>', "en-US", "December 1, 2023"),
        ('<date variable="issued" form="numeric"/>', "en-US", "12/01/2023"),
        ('<date variable="issued" form="text"/>', "en-GB", "1 December 2023"),
        ('<date variable="issued" form="text" date-parts="year-month"/>', "en-US", "December 2023"),
        ('<date variable="issued" form="text" date-parts="year"/>', "en-US", "2023"),
    ],
)
def test_localized_dates(small_style, element, locale, written):
    assert small_style(element, default_locale=locale).entry(ITEM) == written


def test_a_styles_own_date_parts_in_their_forms(small_style):
    own = small_style(
        '<date variable="issued"><date-part name="month" form="numeric-leading-zeros" suffix="/"/>'
        '<date-part name="day" form="ordinal" suffix=" "/><date-part name="year" form="short"/>'
        "</date>"
    )
    assert own.entry(ITEM) == "12/1st 23"
    short = small_style(
        '<date variable="issued"><date-part name="year"/>'
        '<date-part name="month" form="short" prefix=" "/></date>'
    )
    assert short.entry(ITEM) == "2023 Dec."


@pytest.mark.parametrize(
    ("parts", "written"),
    [
        ([[2001, 5, 3], [2001, 5, 5]], "May 3–5, 2001"),
        ([[2001, 5, 3], [2001, 6, 5]], "May 3–June 5, 2001"),
        ([[2001, 5], [2002, 6]], "May 2001–June 2002"),
        ([[2001], [2002]], "2001–2002"),
    ],
)
def test_a_range_prints_what_its_ends_share_once(small_style, parts, written):
    style = small_style('<date variable="issued" form="text"/>')
    assert style.entry(issued({"date-parts": parts})) == written


def test_seasons_literals_and_missing_dates(small_style):
    style = small_style('<text value="x"/><date variable="issued" form="text" prefix=" "/>')
    assert style.entry(issued({"date-parts": [[2019]], "season": 1})) == "x Spring 2019"
    assert style.entry(issued({"literal": "in press"})) == "x in press"
    assert style.entry({"id": "1"}) == "x"
