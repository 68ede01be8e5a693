"""A file no reader recognises: one plain message, what it looks like and what refman reads."""

import io

import pytest

from refman import formats
from refman.formats.unreadable import IN_NO_FORMAT, what_it_looks_like
from refman.model import ParseError


@pytest.mark.parametrize(
    ("head", "looks"),
    [
        (b"", "it is empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "it is a PDF"),
        (b"\x00\x01\x02\x03binary", "it is a binary file, not text"),
        (b'{"a": [1, 2]}', "it looks like JSON, but not like CSL-JSON items"),
        (b"<html><body>", "it is a web page (HTML)"),
        (b"Dear colleague,\nplease find the papers below.\n", IN_NO_FORMAT),
    ],
    ids=["empty", "pdf", "binary", "json", "html", "letter"],
)
def test_what_a_file_looks_like(head, looks):
    assert formats.sniff(head, "file.txt") is None  # no reader takes any of them
    assert what_it_looks_like(head) == looks


def test_the_message_names_the_file_what_it_looks_like_and_every_format_refman_reads():
    reading = formats.UNREADABLE.reader(
        io.BytesIO(b"%PDF-1.4\n"), name="paper.nbib", on_problem=lambda p: None
    )
    with pytest.raises(ParseError) as caught:
        next(reading)
    assert caught.value.path == "paper.nbib"
    assert caught.value.message.startswith("refman cannot read it: it is a PDF. It reads MEDLINE")
    assert all(f.name in caught.value.message for f in formats.READ_FORMATS.values())
    assert "UNREADABLE" not in formats.READ_FORMATS and "unreadable" not in formats.FORMATS
