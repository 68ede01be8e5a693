"""What the elements render from: the CSL-JSON item split by kind of variable, its dates, the
inherited options of the rendering context, and the formatting every element applies."""

import pytest

from refman.formats.csl.context import Ctx, DateValue, Format, Item, date_from_csl


def test_an_item_is_split_into_text_name_and_date_variables():
    item = Item(
        {
            "id": 7,
            "type": "",
            "title": " A title ",
            "shortTitle": "Title",
            "journalAbbreviation": "J Ex",
            "author": [{"family": "Smith"}, "not a name"],
            "issued": "2023-12-01",
            "volume": 12,
            "page": None,
            "note": "",
        }
    )
    assert (item.id, item.type) == ("7", "article")
    assert item.fields == {
        "title": "A title",
        "title-short": "Title",
        "container-title-short": "J Ex",
        "volume": "12",
    }
    assert [name.family for name in item.names["author"]] == ["Smith"]
    assert item.dates["issued"].parts == [(2023, 12, 1)]
    assert item.has("issued") and not item.has("page") and item.value("page") == ""


@pytest.mark.parametrize(
    ("value", "parts", "literal"),
    [
        ({"date-parts": [[2023, 12, 1]]}, [(2023, 12, 1)], ""),
        ("2023-12-01", [(2023, 12, 1)], ""),
        ("2023", [(2023, 0, 0)], ""),
        ({"raw": "2019-05"}, [(2019, 5, 0)], ""),
        ({"date-parts": [[2001, 5], [2002, 6]]}, [(2001, 5, 0), (2002, 6, 0)], ""),
        ({"date-parts": [["2020", "x"]]}, [(2020, 0, 0)], ""),
        ({"literal": "in press"}, [], "in press"),
        ("Spring 2020", [], "Spring 2020"),
    ],
)
def test_dates_in_every_form_csl_json_writes_them(value, parts, literal):
    date = date_from_csl(value)
    assert (date.parts, date.literal) == (parts, literal)
    assert date


def test_an_empty_date_is_no_date_and_dates_sort_by_their_parts():
    assert not date_from_csl({"date-parts": [[]]}) and not date_from_csl(5)
    assert date_from_csl({"date-parts": [[2019]], "circa": 1}).circa
    keys = [DateValue([(y, m, 0)]).sort_key() for y, m in ((2020, 1), (2019, 12), (-50, 0))]
    assert sorted(keys) == [keys[2], keys[1], keys[0]]


def test_an_option_is_inherited_from_the_area_then_the_style(small_style):
    engine = small_style(et_al_min="5", bibliography_attributes='et-al-min="3"').engine
    item = Item({"id": "1", "language": "de"})
    in_bibliography = Ctx(engine, item, engine.bibliography_el)
    in_citation = Ctx(engine, item, engine.citation_el)
    assert in_bibliography.in_bibliography and not in_citation.in_bibliography
    assert in_bibliography.inherit(None, "et-al-min") == "3"
    assert in_citation.inherit(None, "et-al-min") == "5"
    assert in_citation.inherit(None, "et-al-use-first", "1") == "1"
    assert not in_citation.english  # the item's language first, then the style's


def test_formatting_attributes():
    assert Format({}).is_plain and not Format({"prefix": "("}).is_plain
    assert Format({"quotes": "true", "font-style": "italic"}).decorations == [
        ("font-style", "italic"),
        ("quotes", "true"),
    ]


def test_title_case_applies_to_other_elements_only_for_english_items(small_style):
    number = small_style('<number variable="volume" text-case="title"/>')
    text = small_style('<text variable="volume" text-case="title"/>')
    assert number.entry({"id": "1", "volume": "second ed"}) == "Second Ed"
    assert number.entry({"id": "1", "volume": "second ed", "language": "de"}) == "second ed"
    assert text.entry({"id": "1", "volume": "second ed", "language": "de"}) == "Second Ed"
