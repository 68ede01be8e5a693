"""Numbers and page ranges for CSL: is-numeric, ordinals and roman numerals, page-range-format.

Page ranges follow citeproc-js: ``937-944`` is a range whose end may be abbreviated
(``42-5`` means 42–45); the style's ``page-range-format`` (expanded, minimal, minimal-two,
chicago/chicago-15/chicago-16 as in CSL 1.0.2) shortens the end, and every hyphen is written with
the locale's ``page-range-delimiter`` (an en dash unless the style changes it). A range whose
end is not larger than its start is left as written, with the delimiter.
"""

from __future__ import annotations

import re

from refman.formats.csl.locale import Locale, ordinal_suffix

_NUMBER = r"[A-Za-z]*\d+[A-Za-z]*"
_NUMERIC_RE = re.compile(rf"^\s*{_NUMBER}(?:\s*(?:[-\u2013,&]|and)\s*{_NUMBER})*\s*$")
_PLURAL_RE = re.compile(r"\d+\w*\s*(?:[-\u2013,&]|and)\s*\w*\d+")
_RANGE_RE = re.compile(r"([A-Za-z]*)(\d+)\s*[-\u2013]\s*([A-Za-z]*)(\d+)")
# A character that makes a page value more than numbers and ranges (an item's "1759-1764.e6").
_NOT_PAGES_RE = re.compile(r"[^\w\s,&\-\u2013\\]")
_SEPARATOR_RE = re.compile(r"(\s*(?:[-\u2013,&]|\band\b)\s*)")
_SEPARATORS = {"-": "\u2013", "\u2013": "\u2013", ",": ", ", "&": " & ", "and": " and "}


def is_numeric(value: str) -> bool:
    """CSL's is-numeric: numbers, optionally with letter affixes, joined by - , & or "and"."""
    return bool(_NUMERIC_RE.match(value))


def is_plural(value: str) -> bool:
    """Whether a number variable holds more than one number ("937-944", "2, 3")."""
    return bool(_PLURAL_RE.search(value))


def _minimize(begin: str, end: str, keep: int) -> str:
    """Drop the leading digits ``end`` shares with ``begin``, keeping at least ``keep``."""
    if len(begin) != len(end):
        return end
    shared = 0
    while shared < len(end) and begin[shared] == end[shared] and len(end) - shared > keep:
        shared += 1
    return end[shared:]


def _chicago(begin: str, end: str, fifteenth: bool) -> str:
    first = int(begin)
    if first < 100 or first % 100 == 0:
        return end
    short = _minimize(begin, end, 1 if first % 100 < 10 else 2)
    if fifteenth and len(begin) == 4 and len(end) - len(short) < 2:
        return end  # four digits of which three change: all of them (Chicago 15th)
    return short


_SHORTEN = {
    "minimal": lambda b, e: _minimize(b, e, 1),
    "minimal-two": lambda b, e: _minimize(b, e, 2),
    "chicago": lambda b, e: _chicago(b, e, True),
    "chicago-15": lambda b, e: _chicago(b, e, True),
    "chicago-16": lambda b, e: _chicago(b, e, False),
}


def page_range(value: str, range_format: str | None, delimiter: str) -> str:
    """``value`` with its page ranges written in the style's page-range-format."""
    if _NOT_PAGES_RE.search(value):
        return value  # citeproc-js leaves a value such as "1759-1764.e6" as it is
    shorten = _SHORTEN.get(range_format or "")

    def one_range(match: re.Match[str]) -> str:
        prefix, begin, end_prefix, end = match.groups()
        if end_prefix and end_prefix != prefix:
            whole: str = match.group(0)
            return whole.replace("-", delimiter)
        if len(end) < len(begin):
            end = begin[: len(begin) - len(end)] + end  # "42-5" is 42-45
        if int(begin) >= int(end):
            return f"{prefix}{begin}{delimiter}{end_prefix}{match.group(4)}"
        if shorten is None:
            return f"{prefix}{begin}{delimiter}{prefix}{end}"
        return f"{prefix}{begin}{delimiter}{shorten(begin, end)}"

    ranged = _RANGE_RE.sub(one_range, value)
    return re.sub(r"(?<!\\)-", delimiter, ranged)


def roman(number: int) -> str:
    numerals = (
        ("m", 1000),
        ("cm", 900),
        ("d", 500),
        ("cd", 400),
        ("c", 100),
        ("xc", 90),
        ("l", 50),
        ("xl", 40),
        ("x", 10),
        ("ix", 9),
        ("v", 5),
        ("iv", 4),
        ("i", 1),
    )
    out = []
    for letters, amount in numerals:
        count, number = divmod(number, amount)
        out.append(letters * count)
    return "".join(out)


def _one_number(token: str, form: str, locale: Locale) -> str:
    if not token.isdigit():
        return token
    number = int(token)
    if form == "ordinal":
        return f"{number}{ordinal_suffix(locale, number)}"
    if form == "long-ordinal":
        word = locale.term(f"long-ordinal-{number:02d}") if 1 <= number <= 10 else None
        return word if word else f"{number}{ordinal_suffix(locale, number)}"
    if form == "roman" and 0 < number < 4000:
        return roman(number)
    return str(number)


def format_number(value: str, form: str, locale: Locale) -> str:
    """A cs:number: each number in the form asked for, separators tidied; other text as is."""
    if not is_numeric(value):
        return value
    pieces = _SEPARATOR_RE.split(value.strip())
    out = []
    for i, piece in enumerate(pieces):
        if i % 2:
            out.append(_SEPARATORS.get(piece.strip(), piece))
        else:
            out.append(_one_number(piece, form, locale))
    return "".join(out)
