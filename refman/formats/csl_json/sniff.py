"""Is it CSL-JSON? The first few KB of a file, looked at before reading it.

CSL-JSON is JSON: a list of items or one item, so the text starts with ``[`` or ``{`` (after a
byte order mark and white space). JSON is common, so that alone is not enough: the head must
also name members only CSL items have (see read.CSL_MEMBERS), as keys, at least two of them
(one, when the head holds a single short item). An empty list is CSL-JSON with no items.
"""

from __future__ import annotations

import codecs
import re

from refman.formats.csl_json.read import CSL_MEMBERS

HEAD_BYTES = 4096  # how much of a file sniffing looks at

_KEY = re.compile(r'"([A-Za-z-]+)"\s*:')
_EMPTY_LIST = re.compile(r"\[\s*\]\s*")


def head_text(head: bytes) -> str:
    """The first bytes of a file as text, as the reader decodes them (UTF-16 by its byte order
    mark or its zero bytes, else UTF-8 with anything else replaced)."""
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return head.decode("utf-16", errors="replace")
    if len(head) >= 2 and head[0] == 0 and head[1] != 0:
        return head.decode("utf-16-be", errors="replace")
    if len(head) >= 2 and head[0] != 0 and head[1] == 0:
        return head.decode("utf-16-le", errors="replace")
    return head.decode("utf-8", errors="replace")


def sniff(head: bytes) -> bool:
    """True when ``head``, the first ``HEAD_BYTES`` of a file, looks like CSL-JSON."""
    text = head_text(head).lstrip("\ufeff \t\r\n")
    if not text.startswith(("[", "{")):
        return False
    if _EMPTY_LIST.fullmatch(text):
        return True
    keys = set(_KEY.findall(text)) & CSL_MEMBERS
    short = len(head) < HEAD_BYTES and text.count("{") == 1  # one small item, all of it seen
    return len(keys) >= (1 if short else 2)
