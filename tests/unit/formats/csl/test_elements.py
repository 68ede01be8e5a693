"""The CSL elements that render an item: text, number, label, group, choose, macros."""

import pytest

from refman.model import RefmanError

ITEM = {
    "id": "1",
    "type": "article-journal",
    "title": "a title",
    "volume": "12",
    "page": "5-7",
    "edition": "2",
    "DOI": "10.1/x",
    "container-title-short": "Ann. Surg.",
}


def test_a_group_whose_variables_are_all_empty_is_left_out(small_style):
    style = small_style(
        '<group delimiter=" "><text value="Vol"/><text variable="volume"/></group><text value="!"/>'
    )
    assert style.entry(ITEM) == "Vol 12!"
    assert style.entry({**ITEM, "volume": ""}) == "!"


def test_choose_takes_the_first_branch_that_matches(small_style):
    style = small_style(
        '<choose><if type="book"><text value="B"/></if>'
        '<else-if variable="DOI"><text value="D"/></else-if>'
        '<else><text value="E"/></else></choose>'
    )
    assert [style.entry(i) for i in ({**ITEM, "type": "book"}, ITEM, {**ITEM, "DOI": ""})] == [
        "B",
        "D",
        "E",
    ]


def test_conditions_combine_as_match_says(small_style):
    style = small_style(
        '<group delimiter=" ">'
        '<choose><if variable="DOI ISBN" match="any"><text value="any"/></if></choose>'
        '<choose><if variable="DOI ISBN" match="none"><text value="none"/></if></choose>'
        '<choose><if is-numeric="volume"><text value="numeric"/></if></choose>'
        "</group>"
    )
    assert style.entry(ITEM) == "any numeric"
    assert style.entry({**ITEM, "DOI": "", "volume": "x"}) == "none"


def test_a_term_that_opens_an_entry_is_capitalised(small_style):
    assert small_style('<text term="in"/><text value=" "/><text term="in"/>').entry(ITEM) == "In in"


def test_numbers_and_labels(small_style):
    ordinal = small_style('<number variable="edition" form="ordinal"/>')
    assert (ordinal.entry(ITEM), ordinal.entry({**ITEM, "edition": "Second"})) == (
        "2nd",
        "Second",
    )
    pages = small_style('<label variable="page" form="short" suffix=" "/><text variable="page"/>')
    assert (pages.entry(ITEM), pages.entry({**ITEM, "page": "5"})) == ("pp. 5–7", "p. 5")


def test_formatting_of_a_text(small_style):
    short = small_style(
        '<text variable="container-title-short" strip-periods="true" text-case="uppercase" '
        'prefix="(" suffix=")"/>'
    )
    assert short.entry(ITEM) == "(ANN SURG)"
    assert small_style('<text variable="title" quotes="true"/>').entry(ITEM) == "“a title”"
    html = small_style('<text variable="title" font-style="italic"/>').entry(ITEM, "html")
    assert html == "<i>a title</i>"


def test_a_macro_renders_where_it_is_called_and_a_missing_one_is_a_plain_error(small_style):
    macro = '<macro name="m"><text variable="title" text-case="capitalize-first"/></macro>'
    assert small_style('<text macro="m"/>', macros=macro).entry(ITEM) == "A title"
    with pytest.raises(RefmanError, match="does not define: 'nope'"):
        small_style('<text macro="nope"/>').entry(ITEM)
