"""Plain data shared by every layer: references, creators, tags, notes, ids and errors.

Nothing here imports the rest of refman, Qt or peewee. Records are frozen dataclasses so that
a reference read from a file, stored, and read back can be compared with ``==``.

Item types use the CSL type names (``article-journal``, ``book``, ``chapter``, ...) so that
the citation layer needs no translation table and CSL-JSON round-trips without loss.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NewType, overload

ItemId = NewType("ItemId", int)
NoteId = NewType("NoteId", int)
CollectionId = NewType("CollectionId", int)
TagId = NewType("TagId", int)

# Item types (CSL names). The tuple is the order shown in pickers.
ARTICLE_JOURNAL = "article-journal"
BOOK = "book"
CHAPTER = "chapter"
ITEM_TYPES: tuple[str, ...] = (
    ARTICLE_JOURNAL,
    BOOK,
    CHAPTER,
    "paper-conference",
    "report",
    "thesis",
    "dataset",
    "webpage",
    "article",  # preprints and other unpublished articles
    "document",
)

AUTHOR = "author"
EDITOR = "editor"

# Where an automatic tag came from.
TAG_MANUAL = "manual"
TAG_MESH = "mesh"
TAG_KEYWORD = "keyword"


@dataclass(frozen=True)
class Creator:
    """A person or a group in an ordered creator list.

    A person has ``family`` and ``given``; a collective author (MEDLINE ``CN``) has ``literal``
    only. ``affiliations`` (AD) and ``ids`` (AUID, e.g. ``0000-0002-1825-0097 [ORCID]``) belong
    to this creator.
    """

    family: str = ""
    given: str = ""
    literal: str = ""
    role: str = AUTHOR
    affiliations: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        if self.literal:
            return self.literal
        return f"{self.family}, {self.given}" if self.given else self.family


@dataclass(frozen=True)
class PartialDate:
    """A publication date as precise as the source gives it, and the text as printed."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    text: str = ""
    # A season or range printed in place of a month ("Winter", "Sep-Oct"): kept for display.
    season: str = ""


@dataclass(frozen=True)
class Issn:
    """An ISSN with its MEDLINE label: ``Print``, ``Electronic``, ``Linking`` or ``""``."""

    value: str
    kind: str = ""


@dataclass(frozen=True)
class MeshQualifier:
    name: str
    major: bool = False


@dataclass(frozen=True)
class Tag:
    """A tag on an item.

    ``kind`` says where it came from: ``manual`` (the user), ``mesh`` (a MeSH heading) or
    ``keyword`` (an author keyword, MEDLINE ``OT``). Only manual tags are not ``automatic``.
    For MeSH, ``name`` is the descriptor, ``major`` its major-topic star and ``qualifiers``
    the subheadings with their own stars; these belong to the item's link, not to the tag.
    """

    name: str
    kind: str = TAG_MANUAL
    major: bool = False
    qualifiers: tuple[MeshQualifier, ...] = ()

    @property
    def automatic(self) -> bool:
        return self.kind != TAG_MANUAL

    @property
    def mesh_text(self) -> str:
        """The heading as MEDLINE prints it: ``Brain/*enzymology/pathology``."""
        head = ("*" if self.major else "") + self.name
        return "/".join([head] + [("*" if q.major else "") + q.name for q in self.qualifiers])


# The source record: the tag/value pairs of the imported record, in file order.
SourceRecord = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Reference:
    """One bibliographic item, as read from a file or from the library."""

    item_type: str = ARTICLE_JOURNAL
    title: str = ""
    abstract: str = ""
    container_title: str = ""  # journal, or the book title of a chapter (MEDLINE BTI)
    container_title_short: str = ""  # journal abbreviation (MEDLINE TA)
    collection_title: str = ""  # book series (MEDLINE CTI)
    volume: str = ""
    issue: str = ""
    pages: str = ""
    date: PartialDate = field(default_factory=PartialDate)
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    issns: tuple[Issn, ...] = ()
    isbn: str = ""
    language: str = ""
    publisher: str = ""
    place: str = ""
    url: str = ""
    creators: tuple[Creator, ...] = ()
    tags: tuple[Tag, ...] = ()
    publication_types: tuple[str, ...] = ()
    source_format: str = ""  # "medline" when source_record holds a MEDLINE record
    source_record: SourceRecord = ()
    # Set only for references that live in a library.
    damage: str = ""  # what of the stored item could not be read, in plain words
    id: ItemId | None = None
    date_added: datetime | None = None
    date_modified: datetime | None = None
    trashed: bool = False
    # The notes the file carried (RIS N1, EndNote notes, BibTeX annote), each as plain text as
    # read: set only on references read from a file, never on ones loaded from the library
    # (whose notes are HTML, in ``Note``). The import makes each a note on the item.
    notes: tuple[str, ...] = ()
    # The citation key: the library's stored key (refman.citekeys) for a reference loaded from
    # it; for one read from a file, the key the file gave it (a BibTeX entry's, a CSL-JSON
    # item's id), which the import keeps when it is free. Not compared: the same record with
    # another key says the same thing, and a key is changed only on its own (store.citekeys).
    citation_key: str = field(default="", compare=False)

    def authors(self) -> tuple[Creator, ...]:
        return tuple(c for c in self.creators if c.role == AUTHOR)

    def editors(self) -> tuple[Creator, ...]:
        return tuple(c for c in self.creators if c.role == EDITOR)

    def with_changes(self, **changes: Any) -> Reference:
        # Any: each field has its own type; replace() refuses a name that is not a field.
        return replace(self, **changes)


# Fields a user edits in place; the store and library accept exactly these names in updates.
EDITABLE_FIELDS: tuple[str, ...] = (
    "item_type",
    "title",
    "abstract",
    "container_title",
    "container_title_short",
    "collection_title",
    "volume",
    "issue",
    "pages",
    "date",
    "doi",
    "pmid",
    "pmcid",
    "issns",
    "isbn",
    "language",
    "publisher",
    "place",
    "url",
    "creators",
)


@dataclass(frozen=True)
class Note:
    id: NoteId
    item_id: ItemId
    html: str
    created: datetime
    modified: datetime

    @property
    def title(self) -> str:
        """First line of the note's text, as Zotero shows it in the notes list."""
        text = re.sub(r"<[^>]+>", " ", self.html)
        text = re.sub(r"\s+", " ", text).strip()
        return text[:80]


@dataclass(frozen=True)
class Collection:
    id: CollectionId
    name: str
    parent_id: CollectionId | None = None


@dataclass(frozen=True)
class ViewQuery:
    """Which items a view holds: a place (the library, a collection, the unfiled items or the
    Trash), the tags every item must carry, and the search text. Passed whole from the
    window's table down to the query that finds the items. ``flags`` keeps only the items
    with one of these notice flags ("retracted", "concern", "erratum"; library.notices)."""

    text: str = ""
    collection: CollectionId | None = None
    unfiled: bool = False
    trashed: bool = False
    tags: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    # A saved search's query text: the view holds only the items it finds as well (the search
    # text then narrows those). Run by library.searches, which the store never sees.
    saved_query: str = ""

    def __post_init__(self) -> None:
        # A view is a key of the kept sort orders: its tags must be hashable, however given.
        object.__setattr__(self, "tags", tuple(self.tags))
        object.__setattr__(self, "flags", tuple(self.flags))


@dataclass(frozen=True)
class TagCount:
    """A tag in the tag selector: name, automatic (no manual link in the view), count, colour."""

    name: str
    automatic: bool
    count: int
    color: str = ""


class TagCounts(Sequence[TagCount]):
    """The tags of a view sorted by name ignoring case, as four columns; a TagCount on demand.

    A large library has some 200,000 tags: making a TagCount of each costs more than counting
    them, and the tag list only ever draws a screenful. The columns are read-only; equal to any
    sequence of the same TagCounts.
    """

    __slots__ = ("names", "counts", "automatic", "colors")

    def __init__(
        self,
        names: Sequence[str] = (),
        counts: Sequence[int] = (),
        automatic: Sequence[bool] = (),
        colors: Sequence[str] = (),
    ):
        self.names = names
        self.counts = counts
        self.automatic = automatic
        self.colors = colors

    @classmethod
    def of(cls, tags: Iterable[TagCount]) -> TagCounts:
        """The tags in columns, sorted by name ignoring case (then exactly)."""
        rows = sorted(tags, key=lambda t: (t.name.casefold(), t.name))
        return cls(
            [t.name for t in rows],
            [t.count for t in rows],
            [t.automatic for t in rows],
            [t.color for t in rows],
        )

    def __len__(self) -> int:
        return len(self.names)

    @overload
    def __getitem__(self, index: int) -> TagCount: ...
    @overload
    def __getitem__(self, index: slice) -> TagCounts: ...
    def __getitem__(self, index: int | slice) -> TagCount | TagCounts:
        if isinstance(index, slice):
            return TagCounts(
                self.names[index], self.counts[index], self.automatic[index], self.colors[index]
            )
        return TagCount(
            self.names[index], self.automatic[index], self.counts[index], self.colors[index]
        )

    def __iter__(self) -> Iterator[TagCount]:
        return map(TagCount, self.names, self.automatic, self.counts, self.colors)

    def find(self, name: str) -> TagCount | None:
        """The tag of that name, if present."""
        try:
            return self[self.names.index(name)]
        except ValueError:
            return None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TagCounts):
            return all(
                list(mine) == list(theirs)
                for mine, theirs in zip(
                    (self.names, self.counts, self.automatic, self.colors),
                    (other.names, other.counts, other.automatic, other.colors),
                    strict=True,
                )
            )
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # compared by value, like a list

    def __add__(self, other: Iterable[TagCount]) -> list[TagCount]:
        return [*self, *other]

    def __repr__(self) -> str:
        shown = ", ".join(repr(tag) for tag in self[:3])
        more = f", ... {len(self) - 3} more" if len(self) > 3 else ""
        return f"TagCounts([{shown}{more}])"


# --- errors -----------------------------------------------------------------------------------


class RefmanError(Exception):
    """An expected failure, with a message in plain words for the user. Never a bug."""


class ParseError(RefmanError):
    """A part of a file that cannot be read, with where it is."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class NotMedlineError(ParseError):
    """A whole file that is not MEDLINE (a PDF, a binary, an empty file, a BibTeX file...)."""


class MissingItemError(RefmanError):
    """An item, note, collection or tag that is not (or no longer) in the library: deleted by
    another program meanwhile, say. The message names it."""


class LibraryError(RefmanError):
    """The library file cannot be opened or written (newer schema, read-only, corrupt...)."""


class DiskFullError(LibraryError):
    """The disk holding the library is full: the change in progress was not saved."""


class BusyError(LibraryError):
    """Another program held the library's write lock for longer than refman waits."""


class DamageFoundError(LibraryError):
    """SQLite found the library damaged while it was open: nothing more is written to it."""


class NoWordsError(RefmanError):
    """A search text that is not blank but holds no word to search for (``?``, ``*``, ``(``).

    Raised rather than answered with every item (as blank text is) or with none: a caller
    that forgets the case then stops with this message instead of acting on the whole
    library, which is how ``tag remove keep --query '?'`` once untagged every item.
    """

    def __init__(self, text: str):
        self.text = text
        super().__init__(f"the query '{text}' has no words to search for")


@dataclass(frozen=True)
class Problem:
    """One problem met during an import: file, line (when known) and a plain message."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"
