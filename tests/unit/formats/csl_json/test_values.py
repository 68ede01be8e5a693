"""CSL-JSON values read tolerantly: text, numbers, names, dates, ISSNs and item types."""

import pytest

from refman.formats.csl_json import values
from refman.model import ITEM_TYPES, Creator, Issn, PartialDate


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("7", "7"),
        (7, "7"),  # a number where CSL wants a string
        (7.0, "7"),
        (7.5, "7.5"),
        (["A title", "Its subtitle"], "A title"),  # Crossref's lists
        ([None, "", "x"], "x"),
        (None, ""),
        (True, ""),
        ({"a": 1}, ""),
    ],
)
def test_text_of_takes_whatever_json_gave(value, text):
    assert values.text_of(value) == text


@pytest.mark.parametrize(
    ("value", "number"),
    [(2013, 2013), ("2013", 2013), (" 7 ", 7), (2013.0, 2013), (None, None), ("", None)]
    + [("spring", None), (True, None), (1.5, None)],
)
def test_number_of_a_date_part(value, number):
    assert values.number_of(value) == number


def test_particles_and_suffixes_go_where_refman_keeps_them():
    name = {
        "family": "Gogh",
        "given": "Vincent",
        "non-dropping-particle": "van",
        "suffix": "Jr.",
    }
    assert values.name_of(name, "author") == Creator("van Gogh", "Vincent Jr.")
    dropping = {"family": "Fontaine", "given": "Jean", "dropping-particle": "de la"}
    assert values.name_of(dropping, "author") == Creator("Fontaine", "Jean de la")


def test_literal_names_groups_and_plain_strings():
    assert values.name_of({"literal": "WHO"}, "author") == Creator(literal="WHO")
    assert values.name_of({"name": "Crossref Org"}, "author") == Creator(literal="Crossref Org")
    assert values.name_of("Doe, Jane", "editor") == Creator("Doe", "Jane", role="editor")
    assert values.name_of("The Group", "author") == Creator(literal="The Group")
    for nobody in ({}, {"family": ""}, "", None, 3, []):
        assert values.name_of(nobody, "author") is None


def test_crossref_affiliations_and_orcid_come_along():
    name = {
        "family": "Frank",
        "given": "Henry S.",
        "ORCID": "http://orcid.org/0000-0002-1825-009x",
        "affiliation": [{"name": "Pittsburgh"}, "Carnegie"],
    }
    creator = values.name_of(name, "author")
    assert creator is not None
    assert creator.affiliations == ("Pittsburgh", "Carnegie")
    assert creator.ids == ("ORCID: 0000-0002-1825-009X",)


def test_a_name_variable_may_be_one_name_or_hold_junk():
    assert values.names_of({"family": "A"}, "author") == [Creator("A")]
    assert values.names_of([{"family": "A"}, None, 5, {"given": "B"}], "author") == [
        Creator("A"),
        Creator("", "B"),
    ]


@pytest.mark.parametrize(
    ("value", "date"),
    [
        ({"date-parts": [[2013, 1, 1]]}, PartialDate(2013, 1, 1)),
        ({"date-parts": [["2013", "1", "1"]]}, PartialDate(2013, 1, 1)),  # strings for numbers
        ({"date-parts": [[2013, 1, 1, 5]]}, PartialDate(2013, 1, 1)),  # too many parts
        ({"date-parts": [[2013, 1], [2014, 2]]}, PartialDate(2013, 1)),  # a range: its start
        ({"date-parts": [2013, 4]}, PartialDate(2013, 4)),  # one list too few
        ({"date-parts": [[None]]}, PartialDate()),
        ({"date-parts": []}, PartialDate()),
        ({"date-parts": None}, PartialDate()),
        ({"date-parts": [[]]}, PartialDate()),
        ({"date-parts": [[2013, 13]]}, PartialDate(2013, None, None, "", "Spring")),  # season
        ({"date-parts": [[2013]], "season": 4}, PartialDate(2013, season="Winter")),
        ({"date-parts": [[2013]], "season": "Fall"}, PartialDate(2013, season="Fall")),
        ({"date-parts": [[2013, 2, 40]]}, PartialDate(2013, 2)),  # no such day
        ({"raw": "2019-03-04"}, PartialDate(2019, 3, 4, "2019-03-04")),
        ({"raw": "2019-03-04T10:00:00Z"}, PartialDate(2019, 3, 4, "2019-03-04T10:00:00Z")),
        ({"raw": "2019 Mar 4"}, PartialDate(2019, 3, 4, "2019 Mar 4")),
        ({"literal": "Spring 2003"}, PartialDate(2003, None, None, "Spring 2003", "Spring")),
        ({"literal": "n.d."}, PartialDate(None, None, None, "n.d.")),
        ({"date-parts": [[None]], "raw": "2001"}, PartialDate(2001, None, None, "2001")),
        ("2020-06", PartialDate(2020, 6, None, "2020-06")),  # a plain string
        (None, PartialDate()),
        (2013, PartialDate()),
    ],
)
def test_dates_in_every_shape(value, date):
    assert values.date_of(value) == date


def test_parts_say_what_csl_can_of_a_date():
    assert values.parts_of(PartialDate(2013, 2, 3)) == [2013, 2, 3]
    assert values.parts_of(PartialDate(2013, None, 3)) == [2013]
    assert values.parts_of(PartialDate()) == []


def test_every_issn_once_with_crossrefs_kinds():
    typed = [{"value": "1932-6203", "type": "electronic"}, {"value": "0000-0000", "type": "x"}]
    assert values.issns_of(["1932-6203"], typed) == (
        Issn("1932-6203", "Electronic"),
        Issn("0000-0000", "x"),
    )
    assert values.issns_of("1234-5678, 8765-4321; 1234-5678") == (
        Issn("1234-5678"),
        Issn("8765-4321"),
    )
    assert values.issns_of(None, "junk") == ()


# CSL 1.0.2's item types, each with the refman item type it becomes.
CSL_TYPES = {
    "article": "article",
    "article-journal": "article-journal",
    "article-magazine": "article-journal",
    "article-newspaper": "article-journal",
    "bill": "document",
    "book": "book",
    "broadcast": "document",
    "chapter": "chapter",
    "classic": "book",
    "collection": "book",
    "dataset": "dataset",
    "document": "document",
    "entry": "chapter",
    "entry-dictionary": "chapter",
    "entry-encyclopedia": "chapter",
    "event": "document",
    "figure": "document",
    "graphic": "document",
    "hearing": "document",
    "interview": "document",
    "legal_case": "document",
    "legislation": "document",
    "manuscript": "article",
    "map": "document",
    "motion_picture": "document",
    "musical_score": "document",
    "pamphlet": "book",
    "paper-conference": "paper-conference",
    "patent": "document",
    "performance": "document",
    "periodical": "article-journal",
    "personal_communication": "document",
    "post": "webpage",
    "post-weblog": "webpage",
    "regulation": "document",
    "report": "report",
    "review": "article-journal",
    "review-book": "article-journal",
    "software": "document",
    "song": "document",
    "speech": "paper-conference",
    "standard": "report",
    "thesis": "thesis",
    "treaty": "document",
    "webpage": "webpage",
}


@pytest.mark.parametrize(("csl", "refman"), CSL_TYPES.items())
def test_every_csl_type_maps_to_a_refman_type(csl, refman):
    assert refman in ITEM_TYPES
    assert values.item_type_of(csl, has_container=False) == refman


@pytest.mark.parametrize(
    ("crossref", "refman"),
    [
        ("journal-article", "article-journal"),
        ("book-chapter", "chapter"),
        ("proceedings-article", "paper-conference"),
        ("posted-content", "article"),
        ("dissertation", "thesis"),
        ("edited-book", "book"),
    ],
)
def test_crossref_types_map_too(crossref, refman):
    assert values.item_type_of(crossref, has_container=False) == refman


def test_an_unknown_or_missing_type_is_guessed_from_a_container():
    assert values.item_type_of("nonsense", has_container=True) == "article-journal"
    assert values.item_type_of(None, has_container=False) == "document"
    assert values.item_type_of(" Article-Journal ", has_container=False) == "article-journal"


def test_jats_markup_leaves_crossref_abstracts():
    text = "<jats:title>Abstract</jats:title><jats:p>First.</jats:p>\n<jats:p>Second.</jats:p>"
    assert values.abstract_text(text) == "Abstract\nFirst.\nSecond."
