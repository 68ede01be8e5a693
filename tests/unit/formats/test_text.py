"""The text helpers of the readers and writers: one line, and no control characters."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refman.formats.text import CONTROLS, one_line, utf8_holds_controls, without_controls


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("A title", "A title"),
        ("  A\n\ttitle  ", "A title"),
        ("Paragraph one.\n\nParagraph two.", "Paragraph one. Paragraph two."),
        ("", ""),
    ],
)
def test_one_line(text, line):
    assert one_line(text) == line


def test_without_controls_keeps_the_visible_text_and_line_ends():
    assert without_controls("A \x1b[31mred\x1b[0m bell\x07,\x00 a C1\x9b\tand\nmore") == (
        "A [31mred[0m bell, a C1\tand\nmore"
    )
    assert without_controls("clean") == "clean"


@given(st.text())
def test_the_bytes_test_agrees_with_the_text_test(text):
    data = text.encode("utf-8", "surrogatepass")
    has_controls = bool(CONTROLS.search(text.replace("\x00", "")))
    assert utf8_holds_controls(data) is has_controls
    assert not CONTROLS.search(without_controls(text))
