"""An EndNote XML ``<record>`` as a Reference: item types, creators' roles, fields.

EndNote names each field by a generic slot (``secondary-title``, ``secondary-authors``,
``isbn``) whose meaning depends on the reference type: the secondary title of a journal
article is its journal, of a book section the book, of a book its series; the secondary
authors of a book section are the book's editors, of a book the series editors. The tables
here give each slot its meaning per type, after EndNote's own reference-type table (and
Zotero's EndNote XML translator where EndNote leaves a choice).

Every EndNote reference type maps to one of refman's item types; where refman's type is
broader than EndNote's (a newspaper article is a journal article, a patent a document), the
EndNote type's name is kept as the reference's publication type, so nothing of the type is
lost. ``notes`` and ``research-notes`` are notes, which the import makes notes on the item.
What refman has no field for (edition, label, custom fields, call number, short title, ...)
stays in the source record: the record's XML as read (the notes as well).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from refman.formats.endnote_xml import values
from refman.formats.medline import expand_pages
from refman.formats.text import note_text
from refman.model import (
    ARTICLE_JOURNAL,
    AUTHOR,
    BOOK,
    CHAPTER,
    EDITOR,
    TAG_KEYWORD,
    Creator,
    Reference,
    Tag,
)

Element = Any  # lxml's element: lxml ships no types

SOURCE_FORMAT = "endnote-xml"  # a Reference's source_format when its source record is a record

COLLECTION_EDITOR = "collection-editor"  # CSL's name for a series editor
TRANSLATOR = "translator"
RECIPIENT = "recipient"

CONFERENCE = "paper-conference"
REPORT = "report"
THESIS = "thesis"
WEBPAGE = "webpage"
DOCUMENT = "document"

# EndNote's reference types (lowercase names) and the item type each becomes.
ITEM_TYPES: dict[str, str] = {
    **dict.fromkeys(
        ("journal article", "electronic article", "magazine article", "newspaper article"),
        ARTICLE_JOURNAL,
    ),
    **dict.fromkeys(
        (
            "book",
            "edited book",
            "electronic book",
            "classical work",
            "ancient text",
            "catalog",
            "serial",
        ),
        BOOK,
    ),
    **dict.fromkeys(
        (
            "book section",
            "electronic book section",
            "electronic chapter",
            "dictionary",
            "encyclopedia",
        ),
        CHAPTER,
    ),
    **dict.fromkeys(("conference paper", "conference proceedings"), CONFERENCE),
    **dict.fromkeys(
        ("report", "grant", "standard", "government document", "legal rule or regulation"), REPORT
    ),
    "thesis": THESIS,
    "dataset": "dataset",
    **dict.fromkeys(
        (
            "web page",
            "electronic source",
            "blog",
            "online multimedia",
            "online database",
            "aggregated database",
            "social media",
            "discussion forum",
        ),
        WEBPAGE,
    ),
    **dict.fromkeys(("unpublished work", "manuscript"), "article"),
    **dict.fromkeys(
        (
            "generic",
            "artwork",
            "audiovisual material",
            "bill",
            "case",
            "chart or table",
            "computer program",
            "equation",
            "figure",
            "film or broadcast",
            "hearing",
            "interview",
            "map",
            "music",
            "pamphlet",
            "patent",
            "personal communication",
            "podcast",
            "press release",
            "statute",
            "television episode",
        ),
        DOCUMENT,
    ),
}
# The types refman's item type says all of: no publication type is kept for them.
_EXACT = frozenset(
    {
        "journal article",
        "book",
        "book section",
        "conference paper",
        "conference proceedings",
        "report",
        "thesis",
        "dataset",
        "web page",
        "generic",
        "unpublished work",
    }
)
# ref-type numbers (EndNote 8 and later) for files whose names are missing or translated.
TYPE_NUMBERS: dict[str, str] = {
    "2": "Artwork",
    "3": "Audiovisual Material",
    "4": "Bill",
    "5": "Book Section",
    "6": "Book",
    "7": "Case",
    "8": "Catalog",
    "9": "Computer Program",
    "10": "Conference Proceedings",
    "12": "Web Page",
    "13": "Generic",
    "14": "Hearing",
    "17": "Journal Article",
    "19": "Magazine Article",
    "20": "Map",
    "21": "Film or Broadcast",
    "23": "Newspaper Article",
    "24": "Pamphlet",
    "25": "Patent",
    "26": "Personal Communication",
    "27": "Report",
    "28": "Edited Book",
    "31": "Statute",
    "32": "Thesis",
    "34": "Unpublished Work",
    "36": "Manuscript",
    "37": "Figure",
    "38": "Chart or Table",
    "39": "Equation",
    "43": "Electronic Article",
    "44": "Electronic Book",
    "45": "Online Database",
    "46": "Government Document",
    "47": "Conference Paper",
    "48": "Online Multimedia",
    "49": "Classical Work",
    "50": "Legal Rule or Regulation",
    "51": "Ancient Text",
    "52": "Dictionary",
    "53": "Encyclopedia",
    "54": "Grant",
    "55": "Aggregated Database",
    "56": "Blog",
    "57": "Serial",
    "58": "Standard",
    "59": "Dataset",
    "60": "Electronic Book Section",
    "61": "Music",
}
# Types whose <pages> is the number of pages, not a range (refman has no field for it).
_PAGE_COUNT_TYPES = (BOOK, THESIS)
# Item types whose secondary title is the container (journal, book, proceedings, website).
_CONTAINED = (ARTICLE_JOURNAL, CHAPTER, CONFERENCE, WEBPAGE, DOCUMENT)


@dataclass(frozen=True)
class RefType:
    """A record's reference type: EndNote's name, refman's item type, and whether the name
    was known (an unknown one is read as a document, and said so)."""

    name: str
    item_type: str
    known: bool = True

    @property
    def publication_types(self) -> tuple[str, ...]:
        return () if self.name.lower() in _EXACT or not self.known else (self.name,)


def ref_type(element: Element | None) -> RefType:
    """The type of a record's ``<ref-type name="Journal Article">17</ref-type>``: by its name
    (which Mendeley and other programs' exports give too), else by its number."""
    name = (element.get("name") or "").strip() if element is not None else ""
    number = values.text(element)
    if name.lower() in ITEM_TYPES:
        return RefType(name, ITEM_TYPES[name.lower()])
    if not name and not number:
        return RefType("Generic", DOCUMENT)  # no type: EndNote's own type for anything
    if number in TYPE_NUMBERS:
        known = TYPE_NUMBERS[number]
        return RefType(known, ITEM_TYPES[known.lower()])
    return RefType(name or number, DOCUMENT, known=False)


def _roles(kind: RefType) -> dict[str, str | None]:
    """What each list of ``<contributors>`` holds for this type (None: not a creator refman
    keeps; it stays in the source record)."""
    name, item_type = kind.name.lower(), kind.item_type
    secondary = COLLECTION_EDITOR if item_type in (BOOK, REPORT) else EDITOR
    if name == "personal communication":
        secondary = RECIPIENT
    return {
        "authors": EDITOR if name == "edited book" else AUTHOR,
        "secondary-authors": secondary,
        "tertiary-authors": EDITOR if item_type == BOOK else COLLECTION_EDITOR,
        "subsidiary-authors": TRANSLATOR,
        "translated-authors": None,
    }


def creators(contributors: Element | None, kind: RefType) -> tuple[Creator, ...]:
    """The creators of a record's ``<contributors>``, in their lists' order (authors first)."""
    if contributors is None:
        return ()
    roles = _roles(kind)
    found: list[Creator] = []
    for group in contributors:
        role = roles.get(group.tag) if isinstance(group.tag, str) else None
        if role is None:
            continue
        for author in group.iter("author"):
            person = values.creator(values.raw_text(author), role)
            if person is not None:
                found.append(person)
    return tuple(found)


def to_reference(record: Element, kind: RefType | None = None) -> Reference:
    """The Reference that an EndNote XML ``<record>`` describes, its XML as its source
    record."""
    # xml_input loads lxml, which refman.formats (and so this module) must not load at start.
    from refman.formats.xml_input import xml_text

    kind = kind or ref_type(record.find("ref-type"))
    item_type = kind.item_type

    def field(path: str) -> str:
        return values.text(record.find(path))

    def first(*paths: str) -> str:
        return next((found for path in paths if (found := field(path))), "")

    isbn_lines = values.lines(record.find("isbn"))
    secondary = first("titles/secondary-title")
    journal = first("periodical/full-title", "alt-periodical/full-title")
    if item_type == ARTICLE_JOURNAL:
        container = journal or secondary
    elif item_type in _CONTAINED:
        container = secondary or journal
    else:
        container = ""
    series = first("titles/tertiary-title") or ("" if item_type in _CONTAINED else secondary)
    databases = [field("remote-database-name"), field("remote-database-provider")]
    customs = [field(f"custom{n}") for n in range(1, 8)]
    return Reference(
        item_type=item_type,
        title=first("titles/title"),
        abstract=field("abstract"),
        container_title=container,
        container_title_short=(
            first("periodical/abbr-1", "alt-periodical/abbr-1", "titles/alt-title")
            if container
            else ""
        ),
        collection_title=series,
        volume=field("volume"),
        issue=first("number", "issue") if item_type == ARTICLE_JOURNAL else "",
        pages="" if item_type in _PAGE_COUNT_TYPES else expand_pages(field("pages")),
        date=values.date(field("dates/year"), first("dates/pub-dates/date")),
        doi=values.doi(values.lines(record.find("electronic-resource-num"))),
        pmid=values.pmid(field("accession-num"), databases),
        pmcid=values.pmcid(customs),
        issns=values.issns(isbn_lines),
        isbn=values.isbn(isbn_lines),
        language=field("language"),
        publisher=field("publisher"),
        place=field("pub-location"),
        url=_url(record.find("urls")),
        creators=creators(record.find("contributors"), kind),
        tags=_keywords(record.find("keywords")),
        publication_types=kind.publication_types,
        source_format=SOURCE_FORMAT,
        source_record=(("record", xml_text(record)),),
        notes=_notes(record),
    )


def _notes(record: Element) -> tuple[str, ...]:
    """The record's ``notes`` and ``research-notes``, a note each, their lines kept."""
    found = (note_text(values.raw_text(record.find(path))) for path in _NOTE_FIELDS)
    return tuple(text for text in found if text)


_NOTE_FIELDS = ("notes", "research-notes")


_LINK_SCHEMES = ("http://", "https://", "ftp://")


def _url(urls: Element | None) -> str:
    """The record's address on the web: its first web or related URL, else a PDF's address
    when that is on the web (``internal-pdf://`` files live in the EndNote library)."""
    if urls is None:
        return ""
    for group in ("web-urls", "related-urls", "pdf-urls", "text-urls"):
        for url in urls.iterfind(f"{group}/url"):
            for line in values.lines(url):
                if line.lower().startswith(_LINK_SCHEMES):
                    return line
    return ""


def _keywords(keywords: Element | None) -> tuple[Tag, ...]:
    """Each ``<keyword>`` as an automatic tag; one holding several lines is several."""
    if keywords is None:
        return ()
    names: dict[str, None] = {}
    for keyword in keywords.iter("keyword"):
        for line in values.lines(keyword):
            names.setdefault(line)
    return tuple(Tag(name, kind=TAG_KEYWORD) for name in names)
