"""Text helpers shared by the readers and writers."""

from __future__ import annotations

import re

# Control characters that no value keeps: C0 but tab and the line ends, DEL, and C1. An escape
# sequence (ESC [31m) in a title recolours the terminal it is printed on, a backspace hides the
# letter before it, a BEL rings; none has a place in a reference. NUL is left out of the ranges:
# the MEDLINE reader reports a record holding NUL bytes as binary data instead.
CONTROL_RANGES = "\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
CONTROLS = re.compile(f"[\x00{CONTROL_RANGES}]")
# The same in UTF-8: single bytes (NUL apart) and C1 as two bytes. Looking at bytes is several
# times faster than a regular expression over the decoded text, so readers and writers can
# afford it on everything they read or write.
_C0_BYTES = bytes(c for c in range(0x20) if c not in b"\x00\t\n\r") + b"\x7f"
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")


def one_line(text: str) -> str:
    """Runs of white space (line breaks in abstracts too) as one space, none at either end."""
    # Every white space but " " is unprintable, so most text is returned as it is: splitting a
    # long abstract into words to join them again was a tenth of the time of an export.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def without_controls(text: str) -> str:
    """``text`` without its control characters (see CONTROLS), NUL included."""
    return CONTROLS.sub("", text) if CONTROLS.search(text) else text


def utf8_holds_controls(data: bytes) -> bool:
    """True when UTF-8 ``data`` holds a control character of CONTROL_RANGES (NUL not counted).

    Bytes that are not UTF-8 may hold C1 controls that this does not see (as Latin-1, bytes
    0x80 to 0x9F are C1): text decoded from them must be looked at with CONTROLS.
    """
    return len(data.translate(None, _C0_BYTES)) != len(data) or bool(_C1_UTF8.search(data))


def note_text(text: str) -> str:
    """A note's text as a file holds it: each line without white space at its ends and its
    controls, blank lines as one paragraph break (``\\r`` and ``\\r\\n`` are line ends); "" for
    a note with nothing in it."""
    lines = [
        " ".join(line.split())
        for line in without_controls(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    ]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
