"""Identifiers in pasted text: PMID, PMCID, DOI, ISBN and arXiv id ("Add by identifier").

``find_identifiers(text)`` splits text pasted in any mix (spaces, commas, semicolons, lines) into
pieces and names each one: an ``Identifier`` with its kind and normalised value, or an
``Unrecognised`` piece with why. Full URLs (PubMed, PMC, doi.org, arxiv.org) and the usual
prefixes (``PMID: 123``, ``doi:10...``, ``arXiv:2101.00001``, ``ISBN 978-...``) are understood.
A prefix written apart from its value (``PMID: 123``, ``ISBN 978 0 ...``) is joined to it.

Plain Python on purpose (no Qt, no peewee, no network): the window and the command line both
call it, and what it finds is then fetched by refman.eutils.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

PMID = "pmid"
PMCID = "pmcid"
DOI = "doi"
ISBN = "isbn"
ARXIV = "arxiv"

# Largest PMID a plain number is taken to be: PubMed's ids are 8 digits today; 9 leaves room.
_MAX_PMID_DIGITS = 9


@dataclass(frozen=True)
class Identifier:
    """A recognised identifier: its kind (PMID, DOI, ...) and its value as sources want it."""

    kind: str
    value: str
    text: str  # the piece of the pasted text it came from


@dataclass(frozen=True)
class Unrecognised:
    """A piece of the pasted text that is no identifier, and why, in plain words."""

    text: str
    reason: str


# Separators between identifiers. A DOI may hold commas or semicolons in principle, but ones that
# do are vanishingly rare, while lists separated by them are common.
_SEPARATORS = re.compile(r"[\s,;]+")
# A label written apart from its value: "PMID: 123", "doi: 10.1/x", "ISBN 978 ...".
_LABEL = re.compile(r"^(pmid|pmcid|doi|isbn(?:-1[03])?|arxiv)\s*:?$", re.IGNORECASE)
_PREFIX = re.compile(r"^(pmid|pmcid|doi|isbn(?:-1[03])?|arxiv)\s*:\s*(.+)$", re.IGNORECASE)

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_PMCID = re.compile(r"^PMC(\d{1,9})$", re.IGNORECASE)
_ARXIV_NEW = re.compile(r"^(\d{2}(?:0[1-9]|1[0-2])\.\d{4,5})(v\d+)?$")
_ARXIV_OLD = re.compile(r"^([a-z][a-z-]*(?:\.[A-Z]{2})?/\d{2}(?:0[1-9]|1[0-2])\d{3})(v\d+)?$")
_ISBN_CHARS = re.compile(r"^[0-9Xx -]+$")

_URLS = (
    (re.compile(r"^(?:https?://)?(?:www\.)?pubmed\.ncbi\.nlm\.nih\.gov/(\d+)/?(?:[?#].*)?$", re.I),
     PMID),
    (re.compile(r"^(?:https?://)?(?:www\.)?ncbi\.nlm\.nih\.gov/pubmed/(\d+)/?(?:[?#].*)?$", re.I),
     PMID),
    (re.compile(r"^(?:https?://)?(?:www\.)?(?:pmc\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov/pmc)"
                r"/articles/(PMC\d+)/?(?:[?#].*)?$", re.I), PMCID),
    (re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/(.+)$", re.I), DOI),
    (re.compile(r"^(?:https?://)?(?:export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?/?$", re.I),
     ARXIV),
)


def find_identifiers(text: str) -> list[Identifier | Unrecognised]:
    """Every piece of ``text`` in order, each an Identifier or an Unrecognised with why.

    The same identifier pasted twice is given once (its first place)."""
    found: list[Identifier | Unrecognised] = []
    seen: set[tuple[str, str]] = set()
    for piece in _pieces(text):
        result = identify(piece)
        if isinstance(result, Identifier):
            if (result.kind, result.value) in seen:
                continue
            seen.add((result.kind, result.value))
        found.append(result)
    return found


def _pieces(text: str) -> list[str]:
    """The pasted text split at separators, a lone label joined to the value after it, and the
    digit groups of an ISBN written with spaces joined together."""
    words = [_trim(word) for word in _SEPARATORS.split(text)]
    words = [word for word in words if word]
    pieces: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if _LABEL.match(word) and index + 1 < len(words):
            label = word.rstrip(":")
            index += 1
            word = f"{label}:{words[index]}"
            if label.lower().startswith("isbn"):
                word, index = _join_isbn_groups(word, words, index)
        pieces.append(word)
        index += 1
    return pieces


def _trim(word: str) -> str:
    """A word without the quotes, brackets and full stop that text puts around an identifier:
    ``(PMID: 123).``, ``<https://doi.org/...>``. A closing bracket that a DOI opened is kept."""
    word = word.strip().lstrip("<\"'([").rstrip(".")
    while word and word[-1] in ">\"']" or word.endswith(")") and word.count(")") > word.count("("):
        word = word[:-1].rstrip(".")
    return word


def _join_isbn_groups(word: str, words: list[str], index: int) -> tuple[str, int]:
    """``ISBN 978 0 306 40615 7``: digit groups after an ISBN label, joined while short of 13."""
    while _digits(word) < 13 and index + 1 < len(words) and _ISBN_CHARS.match(words[index + 1]):
        if _digits(word) == 10 and isbn_valid(_isbn_digits(word.split(":", 1)[1])):
            break
        index += 1
        word += words[index]
    return word, index


def _digits(text: str) -> int:
    return sum(ch.isdigit() or ch in "xX" for ch in text.split(":", 1)[-1])


def identify(piece: str) -> Identifier | Unrecognised:
    """One piece of text (no separators inside) as an Identifier, or Unrecognised with why."""
    text = _trim(piece)
    for pattern, kind in _URLS:
        match = pattern.match(text)
        if match:
            return _checked(kind, unquote(match.group(1)), piece)
    prefix = _PREFIX.match(text)
    if prefix:
        label = prefix.group(1).lower()
        kind = ISBN if label.startswith("isbn") else label
        return _checked(kind, prefix.group(2).strip(), piece)
    return _guess(text, piece)


def _guess(text: str, piece: str) -> Identifier | Unrecognised:
    """A piece without label or URL: named by its shape."""
    if text.isascii() and text.isdigit() and len(text) <= _MAX_PMID_DIGITS:
        return _checked(PMID, text, piece)
    if _PMCID.match(text):
        return _checked(PMCID, text, piece)
    if text.startswith("10."):
        return _checked(DOI, text, piece)
    if _ARXIV_NEW.match(text) or _ARXIV_OLD.match(text):
        return _checked(ARXIV, text, piece)
    if _ISBN_CHARS.match(text) and len(_isbn_digits(text)) in (10, 13):
        return _checked(ISBN, text, piece)
    if text.isascii() and text.isdigit():
        return Unrecognised(piece, f"{len(text)} digits is too long for a PMID and is no ISBN")
    return Unrecognised(piece, "not a PMID, PMCID, DOI, ISBN or arXiv id")


def _checked(kind: str, value: str, piece: str) -> Identifier | Unrecognised:
    """The value of a known kind, normalised, or Unrecognised when it is not of that shape."""
    check = _CHECKS[kind]
    normal = check(value)
    if normal is None:
        return Unrecognised(piece, f"not a valid {_NAMES[kind]}")
    return Identifier(kind, normal, piece)


def _pmid(value: str) -> str | None:
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > _MAX_PMID_DIGITS:
        return None
    value = value.lstrip("0")
    return value or None


def _pmcid(value: str) -> str | None:
    value = value.strip()
    if value.isdigit():
        value = "PMC" + value
    match = _PMCID.match(value)
    if not match or not match.group(1).isascii():
        return None
    number = match.group(1).lstrip("0")
    return f"PMC{number}" if number else None


def _doi(value: str) -> str | None:
    """A DOI without prefix or URL, its prefix ``10.`` and registrant kept, lower case (DOIs are
    case-insensitive, and lower case is how refman compares them)."""
    value = value.strip().rstrip(".")
    if value.lower().startswith("doi:"):
        value = value[4:].strip()
    if not _DOI.match(value):
        return None
    return value.lower()


def _arxiv(value: str) -> str | None:
    """An arXiv id without its ``arXiv:`` prefix; the version (``v2``) is kept when given."""
    value = value.strip()
    if value.lower().startswith("arxiv:"):
        value = value[6:]
    for pattern in (_ARXIV_NEW, _ARXIV_OLD):
        match = pattern.match(value)
        if match:
            return match.group(1) + (match.group(2) or "")
    return None


def _isbn_digits(value: str) -> str:
    return value.replace("-", "").replace(" ", "").upper()


def isbn_valid(digits: str) -> bool:
    """Whether 10 or 13 characters (digits, a final X in ISBN-10) carry a right check digit."""
    if len(digits) == 10 and digits[:9].isdigit() and (digits[9].isdigit() or digits[9] == "X"):
        total = sum((10 - i) * int(ch) for i, ch in enumerate(digits[:9]))
        total += 10 if digits[9] == "X" else int(digits[9])
        return total % 11 == 0
    if len(digits) == 13 and digits.isdigit() and digits.startswith(("978", "979")):
        total = sum(int(ch) * (1 if i % 2 == 0 else 3) for i, ch in enumerate(digits))
        return total % 10 == 0
    return False


def _isbn(value: str) -> str | None:
    """An ISBN as its 13 digits (an ISBN-10 converted), so both forms of a book are one."""
    digits = _isbn_digits(value.strip())
    if not digits.isascii() or not isbn_valid(digits):
        return None
    if len(digits) == 10:
        return isbn13(digits)
    return digits


def isbn13(isbn10: str) -> str:
    """The ISBN-13 of a valid ISBN-10: 978, its first nine digits, a new check digit."""
    body = "978" + isbn10[:9]
    total = sum(int(ch) * (1 if i % 2 == 0 else 3) for i, ch in enumerate(body))
    return body + str((10 - total % 10) % 10)


_CHECKS = {PMID: _pmid, PMCID: _pmcid, DOI: _doi, ISBN: _isbn, ARXIV: _arxiv}
_NAMES = {PMID: "PMID", PMCID: "PMCID", DOI: "DOI", ISBN: "ISBN (check digit)", ARXIV: "arXiv id"}
