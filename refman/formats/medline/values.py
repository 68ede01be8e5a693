"""MEDLINE values, read and written one at a time: names, dates, pages, identifiers, titles.

Each reading function takes a value as the record holds it and gives what refman keeps
(``parse_date``: ``2019 Sep-Oct`` to a PartialDate); the writing ones give a value back in
PubMed's form (``date_text``, ``title_text``, ``initials``), such that reading it again gives
what was written.
"""

from __future__ import annotations

import re
from functools import lru_cache

from refman.model import Issn, PartialDate

# --- names -------------------------------------------------------------------------------------

_SUFFIXES = frozenset({"Jr", "Sr", "II", "III", "IV", "V", "2nd", "3rd", "Jr.", "Sr."})
_ET_AL = re.compile(r"et\.? al\.?", re.I)


def full_name(value: str) -> tuple[str, str]:
    """``Last, First M`` (FAU, FED) as (family, given)."""
    family, _, given = value.partition(",")
    return family.strip(), given.strip()


def initials(given: str) -> str:
    """``Charles H`` → ``CH``; words already in capitals (``CH``) stay as they are."""
    words = given.replace(".", " ").replace("-", " ").split()
    suffixes = [w for w in words if w in _SUFFIXES]
    letters = "".join(
        w if w.isupper() and len(w) <= 3 else w[0] for w in words if w not in suffixes
    )
    return " ".join(filter(None, [letters.upper(), *suffixes]))


def is_et_al(value: str) -> bool:
    """True for a name line that only says "et al" (some old records end their lists so)."""
    return bool(_ET_AL.fullmatch(value))


def short_name(value: str) -> tuple[str, str]:
    """``Last FM`` (AU, ED) as (family, given): the initials are the last word."""
    if "," in value:
        return full_name(value)
    words = value.split()
    if len(words) >= 3 and words[-1] in _SUFFIXES:
        return " ".join(words[:-2]), " ".join(words[-2:])
    if len(words) >= 2:
        return " ".join(words[:-1]), words[-1]
    return value, ""


# --- dates -------------------------------------------------------------------------------------

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = (  # noqa: SIM905
    "january february march april may june july august september october november december"
).split()


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    for number, (short, full) in enumerate(zip(_MONTHS, _MONTH_NAMES, strict=True), 1):
        if word in (short, full) or (word == "sept" and number == 9):
            return number
    return None


def _day(digits: str | None) -> int | None:
    return int(digits) if digits and 1 <= int(digits) <= 31 else None


_YEAR_FIRST = re.compile(r"([0-9]{4})\b\s*(.*)", re.S)
_MONTH_YEAR = re.compile(r"([A-Za-z]+)\.?,?\s+([0-9]{4})")
_NAMED_MONTH = re.compile(r"([A-Za-z]+)\.?(?:\s+([0-9]{1,2})(?:\s*-\s*[0-9]{1,2})?)?")
_NUMBER_MONTH = re.compile(r"([0-9]{1,2})(?:\s+([0-9]{1,2}))?")
_MONTH_RANGE = re.compile(r"([A-Za-z]+)\.?\s*[-/]")


def _month_day(rest: str) -> tuple[int | None, int | None, str]:
    """(month, day, season) from what follows the year: ``Dec 1``, ``06 10``, ``Sep-Oct``..."""
    if not rest:
        return None, None, ""
    match = _NAMED_MONTH.fullmatch(rest)
    if match and _month(match[1]):
        return _month(match[1]), _day(match[2]), ""
    match = _NUMBER_MONTH.fullmatch(rest)
    if match and 1 <= int(match[1]) <= 12:
        return int(match[1]), _day(match[2]), ""
    match = _MONTH_RANGE.match(rest)
    if match and _month(match[1]):
        return _month(match[1]), None, rest
    return None, None, rest  # a season ("Winter") or another printed form


def parse_date(text: str) -> PartialDate:
    """A DP value (``2023 Dec 1``, ``2019 Sep-Oct``, ``2013 Winter``, ``Apr 1990``...)."""
    text = text.strip()
    match = _YEAR_FIRST.match(text)
    if match:
        month, day, season = _month_day(match[2].strip())
        return PartialDate(int(match[1]), month, day if month else None, text, season)
    match = _MONTH_YEAR.fullmatch(text)
    if match and _month(match[1]):
        return PartialDate(int(match[2]), _month(match[1]), None, text)
    year = re.search(r"\b([0-9]{4})\b", text)
    return PartialDate(int(year[1]) if year else None, text=text)


_MONTH_ABBR = [m.capitalize() for m in _MONTHS]


def date_text(date: PartialDate) -> str:
    """DP: the printed text when it still says what the fields say, else made from them."""
    if date.text and parse_date(date.text) == PartialDate(
        date.year, date.month, date.day, date.text, date.season
    ):
        return date.text
    if date.year is None:
        return date.text
    parts = [str(date.year)]
    if date.season:
        parts.append(date.season)
    elif date.month:
        parts += [_MONTH_ABBR[date.month - 1]] + ([str(date.day)] if date.day else [])
    return " ".join(parts)


# --- pages, identifiers, titles ----------------------------------------------------------------

_PAGE_RANGE = re.compile(r"(?<![\w.])([0-9]{1,9})-([0-9]{1,9})(?![\w.])")


def _expand_range(match: re.Match[str]) -> str:
    first, last = match[1], match[2]
    if len(last) < len(first):
        full = first[: len(first) - len(last)] + last
        if int(full) > int(first):
            return f"{first}-{full}"
    return match[0]


def expand_pages(pages: str) -> str:
    """PubMed's abbreviated ranges written out: ``475-82`` → ``475-482``; ``e1042`` unchanged."""
    return _PAGE_RANGE.sub(_expand_range, pages)


_DOI = re.compile(r"10\.[0-9]{3,9}/\S+")
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.I)
_ID_LABEL = re.compile(r"\s*\[([^\]]*)\]$")


def doi_of(value: str) -> str:
    """The DOI in a LID or AID value (``10.1/x [doi]``, ``doi:10.1/x``, a doi.org URL), or ""."""
    label = _ID_LABEL.search(value)
    if label and label[1].strip().lower() != "doi":
        return ""  # a pii, a bookaccession...
    bare = _DOI_PREFIX.sub("", value[: label.start()] if label else value).strip()
    return bare if label or _DOI.fullmatch(bare) else ""


def pmcid_of(value: str) -> str:
    value = value.split()[0] if value.split() else ""
    return f"PMC{value}" if value.isdigit() else value


_ISSN = re.compile(r"(\S+)\s*(?:\(([^)]*)\))?")
_ISSN_KINDS = {"print": "Print", "electronic": "Electronic", "linking": "Linking"}
# ERIC's ISSN lines name the kind in a prefix instead: ``ISSN-1042-1629``, ``EISSN-2375-5636``.
_ERIC_ISSN = re.compile(r"(E?)ISSN-(\S*)", re.I)


@lru_cache(maxsize=4096)  # a journal's ISSN lines recur in its records; an Issn is immutable
def _issn(value: str) -> Issn | None:
    """One IS or ISSN line as an Issn, or None when it holds no number (ERIC's ``EISSN-``)."""
    match = _ISSN.match(value)
    if not match:
        return None
    number, kind = match[1], (match[2] or "").strip()
    eric = _ERIC_ISSN.fullmatch(number)
    if eric:
        number, kind = eric[2], kind or ("Electronic" if eric[1] else "Print")
    return Issn(number, _ISSN_KINDS.get(kind.lower(), kind)) if number else None


def issns_of(values: list[str]) -> tuple[Issn, ...]:
    """Every ISSN line with its label (Print, Electronic, Linking), in file order.

    A number given twice with two labels (``0027-8424 (Print)`` and ``0027-8424 (Linking)``)
    stays twice: the labels are what the record says of it. Only exact repeats are dropped.
    """
    found = (_issn(value) for value in values)
    return tuple(dict.fromkeys(issn for issn in found if issn))


def isbn_of(value: str) -> str:
    """An ISBN line without ERIC's ``ISBN-`` prefix (``ISBN-978-1-5985-7192-9``)."""
    return value[5:].strip() if value[:5].upper() == "ISBN-" else value


# Endings where the last period belongs to the title, not to PubMed: "et al.", "U.S.", "...".
_KEPT_ENDINGS = re.compile(
    r"(?:\.\.|\b(?:al|etc|Inc|Ltd|Co|Corp|Jr|Sr|St|vs|spp|sp|cf|approx|Dr|Mr|Mrs|Ms|Prof|Fig)\.|"
    r"\b(?:[A-Za-z]\.){2,})$"
)


# How far from a title's end ``_KEPT_ENDINGS`` can first match: its longest word and period
# ("approx."), and a character before it for the word boundary. (Two initials, "U.S.", match
# there too when a longer run of them does.)
_KEPT_REACH = 8


def clean_title(title: str) -> str:
    """A TI value without the period PubMed ends every title with."""
    # The search starts near the end (a search from the start tries every position), and
    # its word boundary still sees the character before where it starts.
    if title.endswith(".") and not _KEPT_ENDINGS.search(title, max(0, len(title) - _KEPT_REACH)):
        return title[:-1].rstrip()
    return title


def title_text(title: str) -> str:
    """TI with PubMed's closing period, unless reading it back would keep the period."""
    if not title or title.endswith((".", "?", "!")):
        return title
    return title + "." if clean_title(title + ".") == title else title
