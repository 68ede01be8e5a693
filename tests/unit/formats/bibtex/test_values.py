"""Field values: raw values to LaTeX text, LaTeX text to plain text, names and dates."""

from __future__ import annotations

import pytest

from refman.formats.bibtex.values import date_of, evaluate, names, plain
from refman.model import EDITOR, Creator


@pytest.mark.parametrize(
    "raw, text, bare",
    [
        ("{A {B} c}", "A {B} c", False),
        ('"A {"} b"', 'A {"} b', False),
        ("1964", "1964", False),
        ("mar", "March", True),
        ("jn # { x} # 2", "Journal x2", False),
        ("undefined", "undefined", True),
        ("{T}\n  file = {x}", "T", False),  # a missing comma: the value ends there
    ],
)
def test_raw_values(raw, text, bare):
    assert evaluate(raw, {"jn": "Journal"}) == (text, bare)


@pytest.mark.parametrize(
    "latex, text",
    [
        ("Caf{\\'e} M{\\\"u}ller \\v{S}koda {\\ss} {\\o}", "Café Müller Škoda ß ø"),
        ("{The {DNA} of {T}-cells}", "The DNA of T-cells"),
        ("R\\&D 50\\% \\$5 \\#1 a\\_b", "R&D 50% $5 #1 a_b"),
        ("50% of \\textit{x}", "50% of x"),  # a bare % is text, not a LaTeX comment
        ("pages 1--2 and 3---4", "pages 1–2 and 3—4"),
        ("DNA$_{\\textrm{2}}$ and $\\Sigma^{0}$ and $x^{abc}$", "DNA₂ and Σ⁰ and xabc"),
        ("\\url{http://a.org/x_y}", "http://a.org/x_y"),
        ("D\\textquotesingle aspremont", "D'aspremont"),
        ("tilde operator: \\~", "tilde operator: ~"),
        ("{\\textbraceleft}x{\\textbraceright} {\\textbackslash}", "{x} \\"),
        ("a\n   b\tc", "a b c"),
        ("Bad\x1b[31m\x07", "Bad[31m"),
    ],
)
def test_latex_to_text(latex, text):
    assert plain(latex) == text


def test_names_follow_bibtex_rules():
    found = names(
        "Fritz, U. and de la Fontaine, Jean and Hellinger, Jr, Frank R and {NASA} and"
        " Ludwig van Beethoven and Aristotle and others",
        EDITOR,
    )
    assert found == [
        Creator("Fritz", "U.", role=EDITOR),
        Creator("de la Fontaine", "Jean", role=EDITOR),
        Creator("Hellinger", "Frank R Jr", role=EDITOR),
        Creator(literal="NASA", role=EDITOR),
        Creator("van Beethoven", "Ludwig", role=EDITOR),
        Creator("Aristotle", role=EDITOR),
    ]


@pytest.mark.parametrize(
    "date, year, month, day, expected",
    [
        ("2020-05-17", "", "", "", (2020, 5, 17, "2020 May 17")),
        ("2020-05/2020-07", "", "", "", (2020, 5, None, "2020 May")),
        ("", "2001", "mar", "", (2001, 3, None, "2001 Mar")),
        ("", "2021", "June", "18", (2021, 6, 18, "2021 Jun 18")),
        ("", "{2009}", "13", "", (2009, None, None, "2009")),
        ("", "in press", "", "", (None, None, None, "")),
    ],
)
def test_dates(date, year, month, day, expected):
    found = date_of(date, year, month, day)
    assert (found.year, found.month, found.day, found.text) == expected


def test_escaped_dollars_are_not_math():
    assert plain("\\$\\_{\\textbackslash}\\$ and $x_2$") == "$_\\$ and x₂"
