"""The name elements: cs:names and cs:name with their options, et-al, labels, substitutes."""

import pytest

from refman.formats.csl.name_elements import sort_text
from refman.formats.csl.names import name_from_csl

KNOWLES = {"family": "Knowles", "given": "Charles H"}
CANESTRARI = {"family": "Canestrari", "given": "Emanuele"}
VAN_RAAIJ = {"family": "van Raaij", "given": "Joost"}
ITEM = {"id": "1", "author": [KNOWLES, CANESTRARI, VAN_RAAIJ], "editor": [KNOWLES]}


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("<name/>", "Charles H Knowles, Emanuele Canestrari, Joost van Raaij"),
        ('<name initialize-with=". "/>', "C. H. Knowles, E. Canestrari, J. van Raaij"),
        (
            '<name name-as-sort-order="all" sort-separator=", " initialize-with=". "/>',
            "Knowles, C. H., Canestrari, E., Raaij, J. van",
        ),
        ('<name and="text"/>', "Charles H Knowles, Emanuele Canestrari, and Joost van Raaij"),
        (
            '<name and="symbol" delimiter-precedes-last="never"/>',
            "Charles H Knowles, Emanuele Canestrari & Joost van Raaij",
        ),
        ('<name et-al-min="3" et-al-use-first="1"/>', "Charles H Knowles et al."),
        (
            '<name et-al-min="3" et-al-use-first="1" et-al-use-last="true"/>',
            "Charles H Knowles, … Joost van Raaij",
        ),
        ('<name form="short"/>', "Knowles, Canestrari, van Raaij"),
        ('<name form="count"/>', "3"),
    ],
)
def test_name_options(small_style, name, written):
    assert small_style(f'<names variable="author">{name}</names>').entry(ITEM) == written


def test_two_names_are_joined_by_and_without_a_comma(small_style):
    style = small_style('<names variable="author"><name form="short" and="text"/></names>')
    assert style.entry({"id": "1", "author": [KNOWLES, CANESTRARI]}) == "Knowles and Canestrari"


def test_a_particle_is_demoted_as_the_style_says(small_style):
    names = '<names variable="author"><name name-as-sort-order="all" initialize-with=""/></names>'
    item = {"id": "1", "author": [VAN_RAAIJ]}
    assert small_style(names).entry(item) == "Raaij, J van"
    assert small_style(names, demote_non_dropping_particle="never").entry(item) == "van Raaij, J"


def test_a_substitute_stands_in_for_missing_names(small_style):
    style = small_style(
        '<names variable="author"><name/><substitute><names variable="editor"/></substitute>'
        "</names>"
    )
    assert style.entry({**ITEM, "author": []}) == "Charles H Knowles"


def test_a_label_says_one_or_more(small_style):
    style = small_style(
        '<names variable="editor"><name/><label form="short" prefix=" (" suffix=")"/></names>'
    )
    assert style.entry(ITEM) == "Charles H Knowles (ed.)"
    assert style.entry({**ITEM, "editor": [KNOWLES, CANESTRARI]}) == (
        "Charles H Knowles, Emanuele Canestrari (eds.)"
    )


def test_a_name_as_a_sort_key():
    van_raaij = name_from_csl(VAN_RAAIJ)
    assert sort_text("display-and-sort", van_raaij) == "Raaij Joost van"
    assert sort_text("never", van_raaij) == "van Raaij Joost"
    assert sort_text(None, name_from_csl({"literal": "WHO"})) == "WHO"
