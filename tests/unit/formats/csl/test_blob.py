"""The engine's output tree: blobs with affixes and decorations, and the markup in values."""

from refman.formats.csl.blob import Blob, group, has_markup, leaf, parse_markup, wrap
from refman.formats.csl.output import Quotes, render


def html(blob: Blob) -> str:
    return render(blob, "html", Quotes())


def test_a_group_keeps_only_the_children_that_hold_something():
    joined = group([leaf("a"), None, leaf(""), group([]), leaf("b")], ", ")
    assert joined is not None and joined.plain() == "a, b"
    assert group([None, leaf("")]) is None


def test_plain_text_has_the_affixes_of_the_children_but_not_of_the_blob_itself():
    inner = wrap(leaf("12"), prefix="(", suffix=")")
    outer = wrap(group([leaf("vol"), inner], " "), prefix="[", suffix="]")
    assert outer.plain() == "vol (12)"
    assert outer.plain_with_affixes() == "[vol (12)]"


def test_wrap_puts_new_affixes_outside_the_ones_a_blob_already_has():
    inner = wrap(leaf("12"), prefix="(", suffix=")")
    outer = wrap(inner, prefix="vol. ", decorations=[("font-weight", "bold")])
    assert render(outer, "text", Quotes()) == "vol. (12)"
    assert html(outer) == "vol. <b>(12)</b>"  # CSL: a blob's own affixes are not formatted
    assert wrap(leaf("x")).plain() == "x"
    assert wrap(leaf(""), prefix="(") is None


def test_the_leaves_come_in_reading_order():
    tree = group([leaf("a"), group([leaf("b"), leaf("c")]), leaf("d")])
    assert [part.text for part in tree.leaves()] == ["a", "b", "c", "d"]


def test_markup_in_a_value_becomes_decorations():
    assert has_markup("A <i>b</i> c") and not has_markup("A b c")
    assert html(parse_markup("A <i>b</i> <b>c</b> H<sub>2</sub>O")) == (
        "A <i>b</i> <b>c</b> H<sub>2</sub>O"
    )


def test_italics_inside_an_italic_title_come_out_upright():
    title = wrap(parse_markup("The <i>Titanic</i> story"), decorations=[("font-style", "italic")])
    assert html(title) == '<i>The <span style="font-style:normal;">Titanic</span> story</i>'


def test_quotation_marks_in_a_value_are_the_locales_and_nest():
    assert render(parse_markup('He said "no" today'), "text", Quotes()) == "He said “no” today"
    quoted = wrap(parse_markup('A "quoted" word'), decorations=[("quotes", "true")])
    assert render(quoted, "text", Quotes()) == "“A ‘quoted’ word”"


def test_a_straight_apostrophe_becomes_a_curly_one():
    assert parse_markup("Crohn's disease").plain() == "Crohn’s disease"


def test_a_nocase_span_is_marked_and_an_unclosed_tag_is_text():
    leaves = list(parse_markup('the <span class="nocase">iPhone</span> story').leaves())
    assert [(part.text, part.nocase) for part in leaves] == [
        ("the ", False),
        ("iPhone", True),
        (" story", False),
    ]
    assert parse_markup("a <i>b").plain() == "a <i>b"
