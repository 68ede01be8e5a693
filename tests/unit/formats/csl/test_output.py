"""A blob tree written as text, HTML or RTF, with citeproc-js's rules at every seam."""

from refman.formats.csl.blob import group, leaf, wrap
from refman.formats.csl.output import (
    RTF_HEADER,
    Quotes,
    bibliography_document,
    citation_document,
    render,
)

QUOTED_TITLE = group(
    [wrap(leaf("Is it safe"), suffix=".", decorations=[("quotes", "true")]), leaf(" Annals")]
)


def test_punctuation_goes_inside_the_quotation_marks_where_the_locale_says():
    assert render(QUOTED_TITLE, "text", Quotes()) == "“Is it safe.” Annals"
    british = Quotes("‘", "’", "“", "”", punctuation_in_quote=False)
    assert render(QUOTED_TITLE, "text", british) == "‘Is it safe’. Annals"


def test_marks_that_meet_are_merged_and_spaces_are_not_doubled():
    assert render(wrap(leaf("Is it safe?"), suffix="."), "text", Quotes()) == "Is it safe?"
    assert render(wrap(leaf("Methods;"), suffix="."), "text", Quotes()) == "Methods;"
    assert render(group([wrap(leaf("a"), suffix=" "), leaf(" b")]), "text", Quotes()) == "a b"


def test_html_and_rtf_escape_what_their_markup_uses():
    assert render(leaf("Fish & chips <x>"), "html", Quotes()) == "Fish &#38; chips &#60;x&#62;"
    assert render(leaf("{a}\\ é 😀"), "rtf", Quotes()) == "\\{a\\}\\\\ \\u233? \\u-10179?\\u-8704?"


def test_decorations_in_each_format():
    title = wrap(leaf("Title"), decorations=[("font-style", "italic")])
    assert [render(title, fmt, Quotes()) for fmt in ("text", "html", "rtf")] == [
        "Title",
        "<i>Title</i>",
        "{\\i{}Title}",
    ]


def test_nothing_renders_as_nothing():
    assert render(None, "html", Quotes()) == ""
    assert render(leaf(""), "text", Quotes()) == ""


def test_documents():
    assert bibliography_document(["a", "b"], "text") == "a\nb"
    assert bibliography_document(["<div>a</div>"], "html") == (
        '<div class="csl-bib-body">\n  <div>a</div>\n</div>'
    )
    assert bibliography_document(["a"], "rtf") == RTF_HEADER + "{\\pard a\\par}\n}"
    assert citation_document("1", "rtf") == RTF_HEADER + "{\\pard 1\\par}\n}"
    assert citation_document("(Smith, 2020)", "html") == "(Smith, 2020)"
