"""Is it RIS? The first few KB of a file, looked at before reading it.

RIS is recognised by its content, whatever the file's name (a ``.txt`` from a database's export
button): the first two-letter tag line of the file is ``TY  - `` (header text before it, as Ovid
and ProQuest write, is allowed). MEDLINE shares tags such as ``AU`` and ``TI`` with RIS but has no
``TY`` and starts with ``PMID-``; BibTeX, XML and JSON have no tag lines at all.
"""

from __future__ import annotations

import codecs
import re

HEAD_BYTES = 4096  # how much of a file sniffing looks at

# A tag line as the sniffer sees one: a two-character tag, padding, a hyphen (see read.TAG_LINE).
_TAG = re.compile(r"^([A-Z][A-Z0-9])[ \t]{1,3}-(?:[ \t]|$)", re.M)
_MEDLINE_PMID = re.compile(r"^PMID ?- ?\d", re.M)


def not_ris_reason(head: str) -> str | None:
    """Why text starting with ``head`` is not RIS, or None when it looks like RIS."""
    text = head.lstrip("\ufeff")
    if not text.strip():
        return "it is empty"
    if "\x00" in text:
        return "it is a binary file, not text"
    first = _TAG.search(text)
    if first is None:
        return "no RIS tag lines such as TY  - JOUR were found"
    if first[1] != "TY":
        return f"its first tag is {first[1]}, not TY"
    pmid = _MEDLINE_PMID.search(text)
    if pmid is not None and pmid.start() < first.start():
        return "it looks like MEDLINE"
    return None


def sniff(head: bytes | str) -> bool:
    """True when ``head``, the first ``HEAD_BYTES`` of a file (or of a text), looks like RIS:
    when the reader would read it rather than refuse it."""
    return not_ris_reason(head_text(head)) is None


def head_text(head: bytes | str) -> str:
    """The first bytes of a file as text: UTF-16 when they start with its byte order mark,
    else UTF-8 (bytes that are not UTF-8 become replacement characters)."""
    if isinstance(head, str):
        return head
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace")
