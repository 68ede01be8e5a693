"""CSL locales: terms, dates and options, looked up in CSL's fallback order."""

from lxml import etree

from refman.formats.csl.locale import NS, Locale, ordinal_suffix


def style(locales: str = "") -> etree._Element:
    """A style root holding ``locales`` (cs:locale elements)."""
    return etree.fromstring(
        f'<style xmlns="{NS}" xmlns:xml="http://www.w3.org/XML/1998/namespace">{locales}</style>'
    )


def test_terms_in_their_forms_and_numbers():
    en = Locale(style(), "en-US")
    assert (en.term("editor", "short"), en.term("editor", "short", plural=True)) == ("ed.", "eds.")
    assert en.term("page", plural=True) == "pages"
    assert en.term("no such term") is None


def test_a_missing_form_falls_back_to_a_longer_one():
    own = Locale(style('<locale><terms><term name="x">x long</term></terms></locale>'), "en-US")
    assert own.term("x", "short") == own.term("x", "verb-short") == "x long"


def test_the_styles_own_locales_come_before_the_files_most_exact_first():
    locales = (
        '<locale xml:lang="en"><terms><term name="and">plus</term>'
        '<term name="et-al">and others</term></terms></locale>'
        '<locale xml:lang="en-GB"><terms><term name="and">with</term></terms></locale>'
    )
    assert Locale(style(locales), "en-GB").term("and") == "with"
    assert Locale(style(locales), "en-US").term("and") == "plus"
    assert Locale(style(locales), "en-GB").term("et-al") == "and others"
    assert Locale(style(locales), "de-DE").term("and") == "und"


def test_a_language_alone_takes_its_primary_dialect_and_an_unknown_one_english():
    assert Locale(style(), "de").term("and") == "und"
    assert Locale(style(), "fr-XX").term("and") == "et"
    assert Locale(style(), "xx").term("and") == "and"


def test_options_and_date_formats():
    assert Locale(style(), "en-US").option("punctuation-in-quote")
    assert not Locale(style(), "en-GB").option("punctuation-in-quote")
    assert Locale(style(), "en-US").date_format("text") is not None
    assert Locale(style(), "en-US").date_format("no such form") is None


def test_ordinal_suffixes_follow_the_matching_rules():
    en = Locale(style(), "en-US")
    numbers = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 112]
    assert [ordinal_suffix(en, n) for n in numbers] == (
        ["st", "nd", "rd", "th", "th", "th", "th", "st", "nd", "st", "th", "th"]
    )
