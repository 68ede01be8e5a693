"""How fields look in the window: item type names, column values, dates as the user types them."""

from __future__ import annotations

import re
from datetime import datetime

from refman.model import ITEM_TYPES, PartialDate, RefmanError

ITEM_TYPE_LABELS: dict[str, str] = {
    "article-journal": "Journal Article",
    "book": "Book",
    "chapter": "Book Section",
    "paper-conference": "Conference Paper",
    "report": "Report",
    "thesis": "Thesis",
    "dataset": "Dataset",
    "webpage": "Web Page",
    "article": "Preprint",
    "document": "Document",
}
assert set(ITEM_TYPE_LABELS) == set(ITEM_TYPES)

# What the container (CSL container-title) is called for each type; "Journal" otherwise.
CONTAINER_LABELS = {
    "chapter": "Book Title",
    "paper-conference": "Proceedings Title",
    "report": "Publication",
    "dataset": "Repository",
    "webpage": "Website",
    "article": "Repository",
    "document": "Publication",
}
_JOURNAL_ONLY = {"container_title_short", "issue", "pmid", "pmcid"}
# Fields the form leaves out for a type while they are empty (one with a value always shows).
HIDDEN_WHEN_EMPTY: dict[str, set[str]] = {
    "book": {"container_title", *_JOURNAL_ONLY},
    "chapter": _JOURNAL_ONLY,
    "paper-conference": {"container_title_short", "issue"},
    "report": _JOURNAL_ONLY,
    "thesis": {"container_title", "volume", "pages", *_JOURNAL_ONLY},
    "dataset": {"container_title_short", "issue", "pages", "pmid", "pmcid"},
    "webpage": {"volume", "pages", "place", *_JOURNAL_ONLY},
    "article": {"container_title_short", "issue", "pmid"},
}


def field_label(item_type: str, name: str, label: str) -> str:
    """The form's label of field ``name`` (whose usual label is ``label``) for a type."""
    if name == "container_title":
        return CONTAINER_LABELS.get(item_type, label)
    return label


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_NAMES = tuple(m.capitalize() for m in MONTHS)
# "2023", "2023 Dec", "2023 Dec 1", "2023-12-01", "2023/12", "Winter 2023", "2023 Sep-Oct"
_ISO_DATE = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?$")
_YEAR = re.compile(r"\b(\d{4})\b")


def display_value(value: object) -> str:
    """A table cell: text as it is, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(display_value(v) for v in value)
    return str(value)


def display_time(value: object) -> str:
    """A stored moment (ISO 8601, UTC) as the user's local date and time."""
    if isinstance(value, str):
        text = value
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return text
    if not isinstance(value, datetime):
        return display_value(value)
    if value.tzinfo is not None:
        value = value.astimezone()
    return value.strftime("%Y-%m-%d %H:%M")


def item_type_label(item_type: object) -> str:
    return ITEM_TYPE_LABELS.get(str(item_type), str(item_type or ""))


def date_to_text(date: PartialDate) -> str:
    """The date as the source printed it, or built from its parts: "2023 Dec 1"."""
    if date.text:
        return date.text
    parts = [str(date.year)] if date.year else []
    if date.month:
        parts.append(MONTH_NAMES[date.month - 1])
        if date.day:
            parts.append(str(date.day))
    return " ".join(parts)


def text_to_date(text: str) -> PartialDate:
    """The date the user typed. A year is required; month and day are read when given."""
    text = " ".join(text.split())
    if not text:
        return PartialDate()
    iso = _ISO_DATE.match(text)
    if iso:
        year, month, day = (int(g) if g else None for g in iso.groups())
        return _checked(PartialDate(year, month, day if month else None, text))
    found = _YEAR.search(text)
    if not found:
        raise RefmanError(f"'{text}' has no year: write a date as 2023, 2023 Dec or 2023 Dec 1.")
    words = text.replace("-", " ").split()
    month = _month_in(words)
    day = _day_after_month(words, month)
    return _checked(PartialDate(int(found.group(1)), month, day, text))


def _month_in(words: list[str]) -> int | None:
    for word in words:
        key = word[:3].lower()
        if key in MONTHS and word.isalpha():
            return MONTHS.index(key) + 1
    return None


def _day_after_month(words: list[str], month: int | None) -> int | None:
    if month is None:
        return None
    names = [w[:3].lower() for w in words]
    at = names.index(MONTHS[month - 1])
    after = words[at + 1] if at + 1 < len(words) else ""
    return int(after) if after.isdigit() and 1 <= int(after) <= 31 else None


def _checked(date: PartialDate) -> PartialDate:
    if date.month is not None and not 1 <= date.month <= 12:
        raise RefmanError(f"'{date.text}': the month must be between 1 and 12.")
    if date.day is not None and not 1 <= date.day <= 31:
        raise RefmanError(f"'{date.text}': the day must be between 1 and 31.")
    return date
