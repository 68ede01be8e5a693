"""Items made by hand (``refman new TYPE [--title T] [--field NAME=VALUE]...``): the reference a
type and some fields describe, checked, with plain words for a type or field refman lacks.

The window's New Item makes an empty item of the type chosen (gui/new_item.py); the command line
may fill fields at once. Plain Python: the caller adds the reference (``library.items.add``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from refman.model import AUTHOR, EDITOR, ITEM_TYPES, Creator, PartialDate, Reference, RefmanError

# Other names people give the types (Zotero's among them), each to refman's own (CSL) name.
TYPE_ALIASES = {
    "journal-article": "article-journal",
    "article-in-journal": "article-journal",
    "book-section": "chapter",
    "book-chapter": "chapter",
    "conference-paper": "paper-conference",
    "web-page": "webpage",
    "preprint": "article",
}
# Fields given as text, as the Reference holds them.
TEXT_FIELDS = (
    *("title", "abstract", "container_title", "container_title_short", "collection_title"),
    *("volume", "issue", "pages", "doi", "pmid", "pmcid", "isbn"),
    *("language", "publisher", "place", "url"),
)
# Fields read from text: a date (2023, 2023-05, 2023-05-01), a person ("Family, Given").
OTHER_FIELDS = ("date", AUTHOR, EDITOR)
FIELDS = (*TEXT_FIELDS, *OTHER_FIELDS)
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def item_type(name: str) -> str:
    """refman's name of the type ``name`` (any case, spaces or hyphens, a few aliases)."""
    key = re.sub(r"[\s_]+", "-", name.strip().lower())
    key = TYPE_ALIASES.get(key, key)
    if key not in ITEM_TYPES:
        raise RefmanError(f"'{name}' is not an item type; the types are: {', '.join(ITEM_TYPES)}.")
    return key


def new_reference(type_name: str, fields: Sequence[tuple[str, str]] = ()) -> Reference:
    """The reference of type ``type_name`` with ``fields`` (name, value) filled in; a name
    may be given with hyphens (container-title). An author or editor may be given again."""
    values: dict[str, object] = {"item_type": item_type(type_name)}
    creators: list[Creator] = []
    for name, value in fields:
        key = name.strip().lower().replace("-", "_")
        if key not in FIELDS:
            raise RefmanError(f"'{name}' is not a field; the fields are: {', '.join(FIELDS)}.")
        if key in (AUTHOR, EDITOR):
            creators.append(_person(value, key))
        elif key == "date":
            values["date"] = _date(value)
        else:
            values[key] = value.strip()
    return Reference(**values, creators=tuple(creators))  # type: ignore[arg-type]


def _date(text: str) -> PartialDate:
    found = _DATE.match(text.strip())
    if not found:
        raise RefmanError(f"date '{text}': write it as 2020, 2020-05 or 2020-05-01.")
    year, month, day = (int(part) if part else None for part in found.groups())
    if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
        raise RefmanError(f"date '{text}': no such month or day.")
    return PartialDate(year, month, day, text.strip())


def _person(text: str, role: str) -> Creator:
    family, _, given = text.partition(",")
    if not family.strip():
        raise RefmanError(f"{role} '{text}': write a name as 'Family, Given'.")
    return Creator(role=role, family=family.strip(), given=given.strip())
