"""The engine: a bibliography in the style's order with its numbers, citations, year
suffixes, repeated authors."""

import pytest

from refman.model import RefmanError

ENTRY = '<text variable="citation-number" suffix=". "/><text variable="title"/>'


def article(item_id: str, family: str, year: int | None, title: str) -> dict:
    item = {"id": item_id, "type": "article-journal", "title": title}
    if family:
        item["author"] = [{"family": family, "given": "A"}]
    if year:
        item["issued"] = {"date-parts": [[year]]}
    return item


ITEMS = [
    article("1", "Smith", 2020, "S"),
    article("2", "Adams", 2021, "A"),
    article("3", "Smith", 2019, "S2"),
    article("4", "", None, "None"),
]


def test_without_a_sort_the_order_is_the_input_order(small_style):
    assert small_style(ENTRY).entries(ITEMS) == ["1. S", "2. A", "3. S2", "4. None"]


def test_the_bibliography_is_sorted_by_its_keys_and_numbered_in_that_order(small_style):
    sort = '<sort><key variable="author"/><key variable="issued"/></sort>'
    assert small_style(ENTRY, sort=sort).entries(ITEMS) == ["1. A", "2. S2", "3. S", "4. None"]


def test_a_descending_key_still_puts_items_without_a_value_last(small_style):
    sort = '<sort><key variable="issued" sort="descending"/></sort>'
    assert small_style(ENTRY, sort=sort).entries(ITEMS) == ["1. A", "2. S", "3. S2", "4. None"]


def test_a_macro_key_sorts_by_the_names_it_renders_ties_in_input_order(small_style):
    sort = '<sort><key macro="a"/></sort>'
    macro = '<macro name="a"><names variable="author"><name/></names></macro>'
    style = small_style(ENTRY, sort=sort, macros=macro)
    assert style.entries(ITEMS) == ["1. A", "2. S", "3. S2", "4. None"]


def test_sorted_by_citation_number_the_numbers_follow_the_input(small_style):
    sort = '<sort><key variable="citation-number" sort="descending"/></sort>'
    assert small_style(ENTRY, sort=sort).entries(ITEMS[:3]) == ["3. S2", "2. A", "1. S"]


def test_three_or_more_consecutive_numbers_collapse_to_a_range(small_style):
    style = small_style(ENTRY, citation_attributes='collapse="citation-number"')
    assert style.cite(ITEMS[:3]) == "1–3"
    assert style.cite(ITEMS[:2]) == "12"  # this layout has no delimiter


def test_a_repeated_author_list_is_substituted(small_style):
    style = small_style(
        '<names variable="author"><name/></names><text variable="title" prefix=". "/>',
        bibliography_attributes='subsequent-author-substitute="———"',
    )
    assert style.entries([ITEMS[0], ITEMS[2], ITEMS[1]]) == ["A Smith. S", "———. S2", "A Adams. A"]


def test_the_same_author_and_year_get_year_suffixes(small_style):
    cite = (
        '<group delimiter=" "><names variable="author"><name form="short"/></names>'
        '<date variable="issued"><date-part name="year"/></date></group>'
    )
    style = small_style(cite, cite, citation_attributes='disambiguate-add-year-suffix="true"')
    items = [article("a", "Lee", 2020, "X"), article("b", "Lee", 2020, "Y")]
    assert style.entries(items) == ["Lee 2020a", "Lee 2020b"]


def test_a_style_without_a_bibliography_or_citation_says_so(small_style):
    with pytest.raises(RefmanError, match="has no bibliography"):
        small_style(None).entries(ITEMS)
    with pytest.raises(RefmanError, match="has no citation layout"):
        small_style(ENTRY, None).cite(ITEMS)
