"""The root element of an XML file from its first bytes, for the XML formats' sniffers.

Sniffing runs on every file a folder import looks at and when the window starts, so it does not
load lxml (refman.formats.xml_input, which reads the files, does) and does not parse: the head
of a file is cut anywhere. It decodes the head as the reader would (a byte order mark, UTF-16
without one, else UTF-8), skips the prolog (declaration, comments, processing instructions, a
DOCTYPE) and names the first element.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What may come before the root element: the declaration, processing instructions, comments,
# a DOCTYPE (its internal subset in brackets) and white space.
_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)", re.S)
_ROOT_NAME = re.compile(r"\s*<([A-Za-z_][\w.:-]*)")
# A DOCTYPE names the root element too: for a head that ends inside a long internal subset.
_DOCTYPE_NAME = re.compile(r"\s*<!DOCTYPE\s+([A-Za-z_][\w.:-]*)")


def head_text(head: bytes) -> str:
    """The first bytes of a file as text, decoded as the XML reader decodes them."""
    codec = next((codec for bom, codec in _BOMS if head.startswith(bom)), None)
    if codec is None:
        codec = {b"<\x00": "utf-16-le", b"\x00<": "utf-16-be"}.get(head[:2], "utf-8")
    return head.decode(codec, errors="replace")


def root_tag(head: bytes) -> str | None:
    """The name of the root element that a file starting with ``head`` has (or that its
    DOCTYPE names, when the head ends inside it), or None when the head starts no XML
    element."""
    return root_of_text(head_text(head))


def root_of_text(text: str) -> str | None:
    """The name of the root element of XML text that starts with ``text`` (see root_tag)."""
    at = 0
    while (prolog := _PROLOG.match(text, at)) and prolog.end() > at:
        at = prolog.end()
    element = _ROOT_NAME.match(text, at) or _DOCTYPE_NAME.match(text, at)
    return element[1] if element else None
