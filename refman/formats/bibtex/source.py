"""An imported entry given back by the writers, with only the fields behind edits replaced.

The reference is compared with the one its source record reads as (``to_reference``); for
each group of reference fields that differs (an ``_Aspect``: the title, the creators, the
date...), the entry's fields for it are dropped and the writer's fields for the new values
take the place of the first of them (or go at the end). Fields refman has no place for (note,
edition, file...) stay as they were. A changed item type gives the writer's entry type and
all the writer's fields, still keeping the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from refman.formats.bibtex.mapping import Entry, to_reference
from refman.model import Reference

Field = tuple[str, str]


class Dialect(Protocol):
    """What a writer gives: its entry type for a reference, and its fields for one."""

    @property
    def entry_type(self) -> Callable[[Reference], str]: ...

    @property
    def fields(self) -> Callable[[Reference, str], list[Field]]: ...


@dataclass(frozen=True)
class _Aspect:
    names: tuple[str, ...]  # Reference fields
    owns: frozenset[str]  # entry fields that hold them


def _aspect(names: str, owns: str) -> _Aspect:
    return _Aspect(tuple(names.split()), frozenset(owns.split()))


_ASPECTS = (
    _aspect("item_type", "type"),
    _aspect("title", "title subtitle"),
    _aspect("creators", "author editor"),
    _aspect("container_title", "journal journaltitle fjournal booktitle howpublished"),
    _aspect("container_title_short", "shortjournal journalabbrev"),
    _aspect("collection_title", "series"),
    _aspect("volume", "volume"),
    _aspect("issue", "number issue"),
    _aspect("pages", "pages"),
    _aspect("date", "date year month day"),
    _aspect("doi", "doi"),
    _aspect("pmid", "pmid eprint eprinttype"),
    _aspect("pmcid", "pmcid"),
    _aspect("issns", "issn"),
    _aspect("isbn", "isbn"),
    _aspect("language", "langid language"),
    _aspect("publisher", "publisher school institution"),
    _aspect("place", "address location"),
    _aspect("url", "url"),
    _aspect("abstract", "abstract"),
    _aspect("tags", "keywords"),
)


def _tag_names(ref: Reference) -> set[str]:
    return {tag.name for tag in ref.tags}


def _edited(aspect: _Aspect, ref: Reference, base: Reference) -> bool:
    if aspect.names == ("tags",):  # the library may hold tags in another order or kind
        return _tag_names(ref) != _tag_names(base)
    return any(getattr(ref, name) != getattr(base, name) for name in aspect.names)


def given_back(ref: Reference, dialect: Dialect) -> tuple[str, list[Field]]:
    """The entry type and fields to write for ``ref``, imported from a .bib file."""
    entry = Entry.of(ref.source_record)
    base = to_reference(entry)
    fields = list(entry.fields)
    if ref.item_type != base.item_type:
        entry_type = dialect.entry_type(ref)
        edited = list(_ASPECTS)
    else:
        entry_type = entry.kind
        edited = [aspect for aspect in _ASPECTS if _edited(aspect, ref, base)]
    if not edited:
        return entry_type, fields
    written = [(n, v) for n, v in dialect.fields(ref, entry_type) if v]
    for aspect in edited:
        new = [(n, v) for n, v in written if n in aspect.owns]
        at = next((i for i, (n, _) in enumerate(fields) if n in aspect.owns), None)
        fields = [(n, v) for n, v in fields if n not in aspect.owns]
        if at is None:
            fields += new
        else:
            fields[at:at] = new
    return entry_type, fields
