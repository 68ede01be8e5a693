"""CSL text-case, as citeproc-js applies it across the leaves of a rendered blob."""

import pytest

from refman.formats.csl.blob import group, leaf
from refman.formats.csl.textcase import apply_text_case, capitalise, strip_periods, word_set


def cased(text: str, case: str) -> str:
    blob = leaf(text)
    apply_text_case(blob, case)
    return blob.text


@pytest.mark.parametrize(
    ("case", "written"),
    [
        ("title", "The Lord OF the Rings: An Introduction to Its World"),  # never lowers
        ("sentence", "The lord of the rings: an introduction to its world"),
        ("capitalize-first", "The lord OF the rings: an introduction to its world"),
        ("capitalize-all", "The Lord OF The Rings: An Introduction To Its World"),
        ("lowercase", "the lord of the rings: an introduction to its world"),
        ("uppercase", "THE LORD OF THE RINGS: AN INTRODUCTION TO ITS WORLD"),
        ("no such case", "the lord OF the rings: an introduction to its world"),
    ],
)
def test_each_text_case(case, written):
    assert cased("the lord OF the rings: an introduction to its world", case) == written


def test_title_case_capitalises_the_last_word_and_words_after_a_colon_even_short_ones():
    assert cased("what it is for", "title") == "What It Is For"
    assert cased("surgery: a review of it", "title") == "Surgery: A Review of It"


def test_nocase_text_is_left_alone_but_counts_as_a_word():
    blob = group([leaf("the "), leaf("iPhone", nocase=True), leaf(" in a story")])
    apply_text_case(blob, "title")
    assert blob.plain() == "The iPhone in a Story"
    apply_text_case(blob, "uppercase")
    assert blob.plain() == "THE iPhone IN A STORY"


def test_strip_periods_keeps_a_period_before_a_lowercase_letter():
    blob = group([leaf("Ann. Surg."), leaf(" e.g. here")])
    strip_periods(blob)
    assert blob.plain() == "Ann Surg e.g here"


def test_a_lone_greek_letter_is_not_capitalised():
    assert [capitalise(w) for w in ("word", "α", "")] == ["Word", "α", ""]
    assert word_set(" a  b\nc ") == frozenset({"a", "b", "c"})


def test_title_case_leaves_a_word_with_a_capital_inside():
    # citeproc-js: "(BAlloon guiDe with ...)" keeps "guiDe" (PMID 31648562).
    assert cased("the BADDASS approach (BAlloon guiDe with large bore)", "title") == (
        "The BADDASS Approach (BAlloon guiDe with Large Bore)"
    )
