"""CSL-JSON values, one at a time: text, names, dates, ISSNs and item types, read tolerantly.

Real CSL-JSON is often not what the schema says: numbers where strings belong (``"volume": 7``,
``"date-parts": [["2013", 1, 1]]``), lists where one value belongs (Crossref's ``"title":
["..."]``, ``"ISSN": ["x", "y"]``), ``null`` or empty date parts, a date with too many parts, a
name given as a plain string, types from Crossref's vocabulary (``journal-article``). Each
function here takes whatever JSON gave and returns what refman keeps, never raising on a shape
it did not expect: what it cannot use it leaves out (the item's JSON is kept whole anyway, as its
source record, see mapping).
"""

from __future__ import annotations

import re
from typing import Any

from refman.formats.medline import parse_date
from refman.model import AUTHOR, EDITOR, ITEM_TYPES, Creator, Issn, PartialDate

# --- text -------------------------------------------------------------------------------------


def text_of(value: Any) -> str:
    """A string variable as text: strings as they are, numbers written out, the first
    non-empty entry of a list; anything else (null, an object, true) is no text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, list):
        return next((text for text in map(text_of, value) if text), "")
    return ""


def texts_of(value: Any) -> list[str]:
    """Every text of a variable that may hold several (a list, or one value)."""
    values = value if isinstance(value, list) else [value]
    return [text for text in map(text_of, values) if text]


_JATS = re.compile(r"</?jats:[^>]*>")


def abstract_text(value: Any) -> str:
    """An abstract without Crossref's JATS markup (``<jats:p>``, ``<jats:title>``)."""
    text = text_of(value)
    if "<jats:" not in text:
        return text
    text = re.sub(r"</jats:(?:p|title|sec)>\s*", "\n", text)
    return "\n".join(line.strip() for line in _JATS.sub("", text).splitlines() if line.strip())


# --- numbers ----------------------------------------------------------------------------------

_DIGITS = re.compile(r"\s*(-?\d+)")


def number_of(value: Any) -> int | None:
    """A date part as an integer: ``2013``, ``"2013"``, ``2013.0`` and ``" 7 "`` all count;
    ``null``, ``""`` and words do not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        match = _DIGITS.match(value)
        return int(match[1]) if match else None
    return None


# --- names ------------------------------------------------------------------------------------

# CSL 1.0.2's name variables, in the order CSL lists them (author and editor first).
NAME_VARIABLES: tuple[str, ...] = (
    AUTHOR,
    EDITOR,
    "chair",
    "collection-editor",
    "compiler",
    "composer",
    "container-author",
    "contributor",
    "curator",
    "director",
    "editorial-director",
    "editor-translator",
    "executive-producer",
    "guest",
    "host",
    "illustrator",
    "interviewer",
    "narrator",
    "organizer",
    "original-author",
    "performer",
    "producer",
    "recipient",
    "reviewed-author",
    "script-writer",
    "series-creator",
    "translator",
)
NAME_VARIABLE_SET = frozenset(NAME_VARIABLES)

_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", re.I)


def _affiliations(value: Any) -> tuple[str, ...]:
    """Crossref's ``affiliation``: a list of ``{"name": ...}`` (or of plain strings)."""
    if not isinstance(value, list):
        value = [value]
    found = [text_of(a.get("name")) if isinstance(a, dict) else text_of(a) for a in value]
    return tuple(a for a in found if a)


def name_of(value: Any, role: str) -> Creator | None:
    """One CSL name as a Creator, or None when it names no one.

    Particles and suffixes go where refman keeps them: ``non-dropping-particle`` before the
    family name (``van Gogh``), ``dropping-particle`` and ``suffix`` after the given names
    (``Ludwig van``, ``Frank R Jr``), as MEDLINE writes them. Crossref's organisations
    (``name``), affiliations and ORCID come along. A plain string is a name too: ``Family,
    Given`` a person, anything else a group.
    """
    if isinstance(value, str):
        family, comma, given = value.partition(",")
        if comma:
            return Creator(family.strip(), given.strip(), role=role)
        return Creator(literal=value.strip(), role=role) if value.strip() else None
    if not isinstance(value, dict):
        return None
    family = text_of(value.get("family"))
    given = text_of(value.get("given"))
    literal = text_of(value.get("literal")) or (
        text_of(value.get("name")) if not (family or given) else ""
    )
    particle = text_of(value.get("non-dropping-particle"))
    if particle:
        family = f"{particle} {family}".strip()
    extra = [text_of(value.get(part)) for part in ("dropping-particle", "suffix")]
    given = " ".join(part for part in [given, *extra] if part)
    if not (family or given or literal):
        return None
    orcid = _ORCID.search(text_of(value.get("ORCID")))
    return Creator(
        family,
        given,
        literal,
        role,
        _affiliations(value.get("affiliation", [])),
        (f"ORCID: {orcid[1].upper()}",) if orcid else (),
    )


def names_of(value: Any, role: str) -> list[Creator]:
    """The names of a name variable: a list of names (or one name given alone)."""
    values = value if isinstance(value, list) else [value]
    return [c for c in (name_of(v, role) for v in values) if c is not None]


# --- dates ------------------------------------------------------------------------------------

SEASON_NUMBERS = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}
SEASON_NAMES = {1: "Spring", 2: "Summer", 3: "Autumn", 4: "Winter"}
_ISO_DATE = re.compile(r"\s*(-?\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?(?:[T ][\d:.+Z-]*)?\s*")


def _season_name(value: Any) -> str:
    number = number_of(value)
    if number is not None:
        return SEASON_NAMES.get(number, "")
    return text_of(value).strip()


def _checked(year: int | None, month: int | None, day: int | None) -> PartialDate:
    """The parts that make sense: a month 1-12 (13-16 and 21-24 are seasons, dropped here),
    a day 1-31 only with a month."""
    if month is not None and not 1 <= month <= 12:
        month = None
    if day is not None and (month is None or not 1 <= day <= 31):
        day = None
    return PartialDate(year, month, day)


def date_of_text(text: str) -> PartialDate:
    """A date given as text (``raw`` or ``literal``): ISO forms (``2019-03-04``, ``2019-03``,
    ``2019/03/04``, with or without a time), else PubMed's forms (``2019 Mar 4``, ``Mar 2019``,
    ``2013 Winter``), else the first four-digit year; the text is kept as printed."""
    match = _ISO_DATE.fullmatch(text)
    if match:
        month, day = (int(p) if p else None for p in match.group(2, 3))
        date = _checked(int(match[1]), month, day)
        return PartialDate(date.year, date.month, date.day, text)
    parsed = parse_date(text)
    date = _checked(parsed.year, parsed.month, parsed.day)
    season = parsed.season or next(
        (SEASON_NAMES[n] for word, n in SEASON_NUMBERS.items() if word in text.lower()), ""
    )
    return PartialDate(date.year, date.month, date.day, text, season)


def date_of(value: Any) -> PartialDate:
    """A CSL date variable: ``date-parts`` (the first date of a range; parts as numbers or
    strings; ``null``, empty or too many parts tolerated), else ``raw`` or ``literal`` text,
    with ``season`` (1-4, or a name). A plain string is read as ``raw``."""
    if isinstance(value, str):
        return date_of_text(value) if value.strip() else PartialDate()
    if not isinstance(value, dict):
        return PartialDate()
    parts = value.get("date-parts")
    first = parts[0] if isinstance(parts, list) and parts else None
    if not isinstance(first, list):  # [2019, 3] instead of [[2019, 3]]
        first = parts if isinstance(parts, list) else []
    numbers = [number_of(p) for p in first[:3]] + [None, None, None]
    text = text_of(value.get("raw")) or text_of(value.get("literal"))
    season = _season_name(value.get("season"))
    if numbers[0] is None:
        if not text:
            return PartialDate(season=season)
        found = date_of_text(text)
        return PartialDate(found.year, found.month, found.day, text, found.season or season)
    month = numbers[1]
    if month is not None and (13 <= month <= 16 or 21 <= month <= 24):  # seasons as months
        season = season or SEASON_NAMES[(month - 1) % 4 + 1 if month < 20 else month - 20]
    date = _checked(numbers[0], numbers[1], numbers[2])
    return PartialDate(date.year, date.month, date.day, text, season)


def parts_of(date: PartialDate) -> list[int]:
    """The date-parts CSL can say of ``date``: the year, then the month, then the day."""
    if date.year is None:
        return []
    if date.month is None:
        return [date.year]
    return [date.year, date.month] + ([date.day] if date.day is not None else [])


# --- ISSNs ------------------------------------------------------------------------------------

_ISSN_SPLIT = re.compile(r"[,;\s]+")
_ISSN_KINDS = {"print": "Print", "electronic": "Electronic", "linking": "Linking"}


def issns_of(value: Any, typed: Any = None) -> tuple[Issn, ...]:
    """Every ISSN of ``ISSN`` (a string that may hold several, or a list), each once, with
    its kind from Crossref's ``issn-type`` when given."""
    kinds: dict[str, str] = {}
    for entry in typed if isinstance(typed, list) else []:
        if isinstance(entry, dict):
            kind = text_of(entry.get("type")).strip()
            kinds.setdefault(text_of(entry.get("value")), _ISSN_KINDS.get(kind.lower(), kind))
    values = [v for text in texts_of(value) for v in _ISSN_SPLIT.split(text) if v]
    values += [v for v in kinds if v not in values]
    return tuple(Issn(v, kinds.get(v, "")) for v in dict.fromkeys(values))


# --- item types -------------------------------------------------------------------------------

# CSL types (and Crossref's, which doi.org's CSL-JSON and Crossref's API give) that are not one
# of refman's ITEM_TYPES, as the nearest of those. The item's JSON keeps the original type, and
# a CSL-JSON export writes it back.
_TYPES = {
    "article-magazine": "article-journal",
    "article-newspaper": "article-journal",
    "review": "article-journal",
    "review-book": "article-journal",
    "periodical": "article-journal",
    "journal-article": "article-journal",
    "entry": "chapter",
    "entry-dictionary": "chapter",
    "entry-encyclopedia": "chapter",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "reference-entry": "chapter",
    "classic": "book",
    "collection": "book",
    "pamphlet": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-set": "book",
    "book-series": "book",
    "book-track": "book",
    "proceedings-article": "paper-conference",
    "proceedings": "book",
    "speech": "paper-conference",
    "dissertation": "thesis",
    "report-component": "report",
    "report-series": "report",
    "standard": "report",
    "posted-content": "article",
    "manuscript": "article",
    "post": "webpage",
    "post-weblog": "webpage",
    "database": "dataset",
    "software": "document",
}


def item_type_of(value: Any, has_container: bool) -> str:
    """The refman item type for a CSL (or Crossref) type; an unknown or missing one is a
    journal article when the item names a container, else a document."""
    kind = text_of(value).strip().lower().replace("_", "-")
    if kind in ITEM_TYPES:
        return kind
    if kind in _TYPES:
        return _TYPES[kind]
    return "article-journal" if has_container else "document"
