"""``refman new TYPE [--title TEXT] [--field NAME=VALUE]...``: an item made by hand, its id
printed alone; an unknown type or field is refused in plain words that list the valid ones."""

from __future__ import annotations

from refman.library import Library
from refman.model import ITEM_TYPES, PartialDate
from tests.safety_helpers import refman


def test_new_prints_the_id_of_the_item_it_made(library_path):
    result = refman(
        library_path,
        "new",
        "book",
        "--title",
        "Clinical Epidemiology",
        "--field",
        "author=Sackett, David L",
        "--field",
        "date=1991-05",
        "--field",
        "publisher=Little, Brown",
        "--field",
        "isbn=9780316765992",
    )
    assert result.returncode == 0, result.stderr
    item_id = int(result.stdout.strip())
    with Library(library_path) as library:
        ref = library.items.get(item_id)
    assert ref.item_type == "book"
    assert ref.title == "Clinical Epidemiology"
    assert [(c.family, c.given) for c in ref.authors()] == [("Sackett", "David L")]
    assert ref.date == PartialDate(1991, 5, None, "1991-05")
    assert (ref.publisher, ref.isbn) == ("Little, Brown", "9780316765992")


def test_new_takes_the_type_as_people_name_it_and_an_empty_item(library_path):
    first = refman(library_path, "new", "Journal Article")
    second = refman(library_path, "new", "preprint", "--field", "container-title=medRxiv")
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    with Library(library_path) as library:
        made = library.items.get(int(first.stdout)), library.items.get(int(second.stdout))
    assert [(ref.item_type, ref.title) for ref in made] == [
        ("article-journal", ""),
        ("article", ""),
    ]
    assert made[1].container_title == "medRxiv"


def test_an_unknown_type_is_refused_with_the_valid_ones(library_path):
    result = refman(library_path, "new", "pamphlet", "--title", "X")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"refman: 'pamphlet' is not an item type; the types are: {', '.join(ITEM_TYPES)}."
    )
    assert result.stdout == ""


def test_an_unknown_field_or_a_bad_value_is_refused_and_nothing_is_made(library_path):
    refman(library_path, "new", "book")  # the library, with one item
    for field, message in (
        ("colour=red", "'colour' is not a field; the fields are: title, abstract,"),
        ("volume", "--field 'volume': write it as NAME=VALUE"),
        ("date=May 2020", "date 'May 2020': write it as 2020, 2020-05 or 2020-05-01."),
        ("date=2020-13", "date '2020-13': no such month or day."),
        ("author=, Jane", "author ', Jane': write a name as 'Family, Given'."),
    ):
        result = refman(library_path, "new", "report", "--field", field)
        assert result.returncode == 1, field
        assert result.stderr.startswith(f"refman: {message}"), result.stderr
    with Library(library_path) as library:
        assert library.items.count() == 1
