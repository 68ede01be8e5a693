"""Is it CSL-JSON? The first few KB of a file, looked at before reading it.

CSL-JSON is JSON: a list of items or one item, so the text starts with ``[`` or ``{`` (after a
byte order mark and white space). JSON is common, so that alone is not enough: the head must
also name members only CSL items have (see read.CSL_MEMBERS), as keys: two of them, or one when
every key in the head is one of CSL's. An empty list is CSL-JSON with no items.
"""

from __future__ import annotations

import codecs
import re

from refman.formats.csl_json.read import CSL_MEMBERS
from refman.formats.csl_json.values import NAME_VARIABLES

# Every key a CSL item holds (CSL 1.0.2's variables, and the members of its names and dates).
_OTHER_KEYS = (
    "id type categories language journalAbbreviation shortTitle note keyword annote archive "
    "archive_location archive-place authority call-number chapter-number citation-label "
    "collection-number container-title-short dimensions edition event event-date genre medium "
    "number number-of-volumes original-date original-publisher original-title part-number "
    "references reviewed-title scale section source status submitted title-short version "
    "year-suffix available-date family given literal suffix dropping-particle "
    "non-dropping-particle parse-names date-parts season circa raw _refman"
)
CSL_KEYS = CSL_MEMBERS | frozenset(NAME_VARIABLES) | frozenset(_OTHER_KEYS.split())

# Keys of Zotero's item JSON (its API's and its translators' tests'), which is not CSL-JSON:
# read as CSL it would lose its creators (firstName/lastName) and most fields.
_ZOTERO_ITEM_KEYS = frozenset({"itemType", "creatorType", "firstName", "lastName"})

HEAD_BYTES = 4096  # how much of a file sniffing looks at

_KEY = re.compile(r'"([A-Za-z_-]+)"\s*:')
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
    keys = set(_KEY.findall(text))
    if keys & _ZOTERO_ITEM_KEYS:  # Zotero's own item JSON shares title and DOI with CSL
        return False
    found = keys & CSL_MEMBERS
    # One CSL member is enough when every key seen is CSL's: one small item, or an item whose
    # first member is a long abstract (Pandoc writes the members in alphabetical order).
    return len(found) >= 2 or (len(found) == 1 and keys <= CSL_KEYS)
