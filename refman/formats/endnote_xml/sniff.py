"""Is it EndNote XML? The first bytes of a file, looked at before reading it.

EndNote's XML export starts ``<xml><records>`` (after an XML declaration, and perhaps a
comment or a document type), in UTF-8 or, from some versions on Windows, UTF-16 with a byte
order mark. A document type with an internal subset is let through, so that a file that
declares entities reaches the reader and is refused there with its reason, rather than being
called "not EndNote XML".
"""

from __future__ import annotations

import codecs
import re

_START = re.compile(
    r"""\A\s*(?:<\?xml[^>]*\?>\s*)?"""  # the XML declaration
    r"""(?:<!--.*?-->\s*|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>\s*)*"""  # comments, a document type
    r"""<xml(?:\s[^>]*)?>\s*(?:<!--.*?-->\s*)*<records(?:\s[^>]*)?/?>""",
    re.S,
)


def head_text(head: bytes) -> str:
    """A file's first bytes as text: UTF-16 or UTF-32 when a byte order mark says so, else
    UTF-8 (bytes that are not, such as Windows-1252 accents, become replacement characters)."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return head.decode(codec, errors="replace")
    return head.decode("utf-8", errors="replace")


def sniff(head: bytes) -> bool:
    """True when ``head``, a file's first bytes, starts an EndNote XML document."""
    return _START.match(head_text(head)) is not None
