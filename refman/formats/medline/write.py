"""Writing MEDLINE: references as records in PubMed's layout (``TAG - value`` lines wrapped at
88 columns, continuation lines indented by six spaces, a blank line between records).

The lines of a record come from mapping (``record_fields``); ``format_field`` lays one out.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import TextIO

from refman.formats.medline.mapping import record_fields
from refman.formats.medline.record import KNOWN_TAGS, squash
from refman.model import Reference

WIDTH = 88  # PubMed wraps its lines at 88 columns
INDENT = " " * 6


def format_field(tag: str, value: str) -> str:
    """One field in PubMed's layout: ``TAG - value`` wrapped, continuation lines indented."""
    # An unknown tag needs a space before its dash to be read back as a tag (``ISSN - x``).
    head = f"{tag:<4}- " if tag in KNOWN_TAGS or len(tag) < 4 else f"{tag} - "
    text = squash(value)
    if len(text) <= WIDTH - len(INDENT):
        # What textwrap makes of a text that fits (a test holds them equal), for the most
        # fields by far: wrapping every field made a MEDLINE export ten times slower.
        return (head + text).rstrip()
    wrapped = textwrap.wrap(
        text, WIDTH - len(INDENT), break_long_words=False, break_on_hyphens=False
    )
    first, *rest = wrapped or [""]
    return "\n".join([(head + first).rstrip()] + [INDENT + line for line in rest])


def write(refs: Iterable[Reference], out: TextIO) -> None:
    """Write ``refs`` as MEDLINE records separated by blank lines."""
    for number, ref in enumerate(refs):
        if number:
            out.write("\n")
        for tag, value in record_fields(ref):
            out.write(format_field(tag, value) + "\n")
