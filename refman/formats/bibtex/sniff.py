"""Is it BibTeX? The first few KB of a file, looked at before reading it.

A file is BibTeX when a line (after spaces) starts an entry: ``@`` and a type BibTeX or
BibLaTeX knows (or ``@string``, ``@comment``, ``@preamble``), or any ``@word{key,``, whatever
the file's name. Text before it (a JabRef or Emacs header) is allowed. MEDLINE, RIS, XML and
JSON have no such line.
"""

from __future__ import annotations

import codecs
import re

from refman.formats.bibtex.mapping import ITEM_TYPES

HEAD_BYTES = 4096

_KNOWN = frozenset(ITEM_TYPES) | {"string", "comment", "preamble", "set", "xdata"}
_START = re.compile(
    r"^[ \t]*@[ \t]*([A-Za-z]\w*)[ \t]*([{(])[ \t\n]*([^\s,{}()=\"#]*)[ \t]*(,?)", re.M
)


def head_text(head: bytes) -> str:
    """The first bytes as text: UTF-16 after its byte order mark, else UTF-8 (bytes that are
    not, such as Windows-1252 letters, become replacement characters)."""
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


def not_bibtex_reason(head: bytes) -> str | None:
    """Why a file starting with ``head`` is not BibTeX, or None when it looks like BibTeX."""
    text = head_text(head)
    if not text.strip():
        return "it is empty"
    if "\x00" in text:
        return "it is a binary file, not text"
    for match in _START.finditer(text):
        kind = match[1].lower()
        if kind in _KNOWN or (match[3] and match[4]):
            return None
    return "no entry such as @article{key, was found"


def sniff(head: bytes) -> bool:
    """True when a file starting with ``head`` (its first HEAD_BYTES) looks like BibTeX."""
    return not_bibtex_reason(head) is None
