"""Author searches ([au], [1au], [lastau]) over creators made to try each rule the store's SQL
applies before Python compares names: whole family names in any case, beginnings, names with
other letters than ASCII, and the first or last author past editors and groups."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from refman.library import Library
from refman.model import Creator, Reference, ViewQuery

EDITOR = "editor"


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Iterator[Library]:
    path = tmp_path_factory.mktemp("authors") / "library.sqlite"
    with Library(path) as opened:
        for title, creators in ITEMS.items():
            opened.items.add(Reference(title=title, creators=creators))
        yield opened


ITEMS = {
    "edited first": (
        Creator("Zhu", "Wei", role=EDITOR),
        Creator(literal="Stroke Group"),
        Creator("Okafor", "Ada"),
        Creator("Zhu", "Anna"),
    ),
    "group last": (Creator("zhu", "Anna"), Creator("Okafor", "Ada"), Creator(literal="Zhu")),
    "accents": (Creator("Żhú", "Anna"), Creator("van der Berg", "Jan")),
    "upper case": (Creator("OKAFOR", "A"), Creator("ZHU", "AB")),
    "other family": (Creator("Zhuang", "Anna"), Creator("Zhu", "Boris")),
}


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        ("Zhu A[au]", {"edited first", "group last", "accents", "upper case"}),
        ("zhu a[1au]", {"group last", "accents"}),  # case and accents aside; not the editor
        ("Okafor A[1au]", {"edited first", "upper case"}),  # past an editor and a group
        ("Zhu A[lastau]", {"edited first", "upper case"}),  # a group is no last author
        ("Okafor A[lastau]", {"group last"}),
        ("Zhu AB[lastau]", {"upper case"}),
        ("Zhu B[au]", {"other family", "group last"}),  # a group named so has no initials
        ("zhu*[1au]", {"group last", "accents", "other family"}),  # a beginning
        ("Zhu[au]", {"edited first", "group last", "accents", "upper case", "other family"}),
        ("Zhu[1au] AND Zhu[lastau]", set()),
        ("Zhu, Anna[1au]", {"group last", "accents"}),  # a given name: NEAR in the index
        ("Berg[au]", set()),  # a family name is whole
        ("van der Berg J[lastau]", {"accents"}),
    ],
)
def test_author_fields_find_what_a_reader_would(library: Library, text: str, titles: set[str]):
    ids = library.items.search(ViewQuery(text=text))
    found = {ref.title for ref in library.items.get_many(ids, source_records=False)}
    assert found == titles
