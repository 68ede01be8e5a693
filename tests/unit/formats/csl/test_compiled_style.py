"""A compiled style: its language, quotation marks, page ranges and macros."""

import pytest

from refman.formats.csl.compiled_style import CompiledStyle
from refman.formats.csl.parser import parse_style
from refman.model import RefmanError


@pytest.mark.parametrize(
    ("language", "marks", "inside"),
    [
        ("en-US", ("“", "”", "‘", "’"), True),
        ("en-GB", ("‘", "’", "“", "”"), False),
        ("de-DE", ("„", "“", "‚", "‘"), False),
    ],
)
def test_quotation_marks_come_from_the_locale(small_style, language, marks, inside):
    quotes = small_style(default_locale=language).engine.quotes
    assert (quotes.open, quotes.close, quotes.open_inner, quotes.close_inner) == marks
    assert quotes.punctuation_in_quote is inside


def test_the_language_is_the_dependent_styles_then_the_styles_then_american(small_style):
    path = small_style(default_locale="fr-FR").engine.root.base
    assert CompiledStyle(parse_style(path)).lang == "fr-FR"
    assert CompiledStyle(parse_style(path), "de-DE").lang == "de-DE"
    assert small_style().engine.lang == "en-US"


def test_page_ranges_take_the_styles_format_and_the_locales_delimiter(small_style):
    assert small_style(page_range_format="minimal").engine.page_range("321-328") == "321–8"
    hyphen = '<locale><terms><term name="page-range-delimiter">-</term></terms></locale>'
    assert small_style(locale=hyphen).engine.page_range("5-7") == "5-7"


def test_macros_and_year_suffixes(small_style):
    style = small_style(macros='<macro name="m"><text value="x"/></macro>').engine
    assert style.macro("m").get("name") == "m"
    with pytest.raises(RefmanError, match="does not define"):
        style.macro("n")
    assert not style.explicit_year_suffix
    assert small_style('<text variable="year-suffix"/>').engine.explicit_year_suffix
