"""Is it MEDLINE? The first few KB of a file, looked at before reading it.

The reader refuses a file whose head ``not_medline_reason`` finds a reason in, and says the
reason in plain words (empty, a PDF, RIS, BibTeX, XML, JSON, binary); ``sniff`` is the same test
as a yes or no, for the format registry and for folder walks that pick the files to import.
"""

from __future__ import annotations

import codecs
import re

from refman.formats.medline.record import KNOWN_TAGS, is_damaged, parse_tag_line
from refman.formats.xml_sniff import root_of_text

HEAD_BYTES = 4096  # how much of a file sniffing looks at


# What a file that is not MEDLINE looks like, checked after the MEDLINE tags are not found.
_OTHER_FORMATS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s*@\w+\s*[{(]", re.M), "it looks like BibTeX"),
    (re.compile(r"^\s*<"), "it looks like XML or HTML"),
    (re.compile(r"^\s*[\[{]"), "it looks like JSON, but not like CSL-JSON items"),
)
_RIS = re.compile(r"^TY {1,2}- ", re.M)  # "TY - JOUR": EndNote writes one space too
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def not_medline_reason(head: str) -> str | None:
    """Why text starting with ``head`` is not MEDLINE, or None when it looks like MEDLINE."""
    text = head.lstrip("\ufeff")
    if not text.strip():
        return "it is empty"
    if text.startswith("%PDF"):
        return "it is a PDF"
    if _RIS.search(text):  # RIS shares AU, TI and IS with MEDLINE, but not TY
        return "it looks like RIS"
    if _has_medline_tags(text):
        return None  # even with some binary junk inside: the bad records get reported
    if "\x00" in text or len(_CONTROL.findall(text)) > len(text) // 100:
        return "it is a binary file, not text"
    if (root := root_of_text(text)) is not None:
        return _xml_reason(root)
    for pattern, reason in _OTHER_FORMATS:
        if pattern.search(text):
            return reason
    return "no MEDLINE tags such as PMID- or TI  - were found"


def _xml_reason(root: str) -> str:
    """Why XML with this root element was not read: the formats refman reads from XML have
    readers of their own, so this is XML of some other kind (NCBI's other answers, JATS...)."""
    if root.lower() == "html":
        return "it is a web page (HTML)"
    return f"it is XML, but not in a format refman reads (its root element is <{root}>)"


def _has_medline_tags(text: str) -> bool:
    lines = text.splitlines()
    tags = {parsed[0] for line in lines if (parsed := parse_tag_line(line))} & KNOWN_TAGS
    return "PMID" in tags or len(tags) >= 2 or any(is_damaged(line) for line in lines)


def sniff(head: bytes | str) -> bool:
    """True when ``head``, the first ``HEAD_BYTES`` of a file (or of a text), looks like
    MEDLINE: when the reader would read it rather than refuse it."""
    return not_medline_reason(head_text(head)) is None


def head_text(head: bytes | str) -> str:
    """The first bytes of a file as text, as the reader decodes them: UTF-16 when they start
    with its byte order mark, else UTF-8 (a character cut at the end, or bytes that are not
    UTF-8, become replacement characters)."""
    if isinstance(head, str):
        return head
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace")
