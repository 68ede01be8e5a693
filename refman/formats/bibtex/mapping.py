"""BibTeX and BibLaTeX entries to references.

An entry is its type, its key and its fields as LaTeX text (``Entry``); ``to_reference`` maps
it to a ``Reference`` whose source record is the entry itself: ``("ENTRYTYPE", type)``,
``("ID", key)`` and then each field in file order, names in lower case, values as LaTeX text
(``@string``s put in, concatenations done, crossref'd fields included). Fields refman has no
place for (note, edition, file, ...) live in the source record only; the writers give them
back. ``annote`` and ``annotation`` are notes (the import makes each a note on the item) and
stay in the source record as well; ``note`` is a bibliographic field, not one of them.

``source_format`` is ``biblatex`` when the entry uses a type or a field that only BibLaTeX has
(``date``, ``journaltitle``, ``@online``...), else ``bibtex``: the BibTeX writer gives back only
the latter, the BibLaTeX writer both (biber reads BibTeX's fields).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from refman.formats.bibtex.values import MONTHS, date_of, names, plain, verbatim
from refman.model import (
    ARTICLE_JOURNAL,
    BOOK,
    CHAPTER,
    EDITOR,
    TAG_KEYWORD,
    Issn,
    Reference,
    SourceRecord,
    Tag,
)

BIBTEX = "bibtex"
BIBLATEX = "biblatex"
SOURCE_FORMATS = (BIBTEX, BIBLATEX)
TYPE_TAG = "ENTRYTYPE"
KEY_TAG = "ID"


@dataclass(frozen=True)
class Entry:
    """An entry as the file holds it: type and field names in lower case, values LaTeX."""

    kind: str
    key: str
    fields: tuple[tuple[str, str], ...]

    @property
    def record(self) -> SourceRecord:
        return ((TYPE_TAG, self.kind), (KEY_TAG, self.key), *self.fields)

    @classmethod
    def of(cls, record: SourceRecord) -> Entry:
        values = dict(record[:2])
        fields = tuple(pair for pair in record if pair[0] not in (TYPE_TAG, KEY_TAG))
        return cls(values.get(TYPE_TAG, "misc"), values.get(KEY_TAG, ""), fields)


# Every BibTeX and BibLaTeX entry type (with the aliases biber knows and those tools write).
_TYPES = {
    ARTICLE_JOURNAL: "article periodical suppperiodical",
    BOOK: (
        "book mvbook booklet collection mvcollection proceedings mvproceedings reference "
        "mvreference manual"
    ),
    CHAPTER: "inbook incollection bookinbook suppbook suppcollection inreference",
    "paper-conference": "inproceedings conference",
    "report": "techreport report",
    "thesis": "phdthesis mastersthesis thesis",
    "webpage": "online electronic www webpage",
    "dataset": "dataset data",
    "article": "unpublished",
    "document": "misc patent software artwork audio image movie music performance video "
    "standard letter review commentary jurisdiction legislation legal",
}
ITEM_TYPES = {kind: item for item, kinds in _TYPES.items() for kind in kinds.split()}

# Types and fields only BibLaTeX has (a BibTeX style would miss what they hold). BibTeX's own
# techreport has institution, and langid and urldate are read by BibTeX styles too.
_BIBLATEX_TYPES = frozenset(
    [
        "mvbook",
        "bookinbook",
        "suppbook",
        "collection",
        "mvcollection",
        "suppcollection",
        "mvproceedings",
        "reference",
        "mvreference",
        "inreference",
        "report",
        "thesis",
        "online",
        "dataset",
        "software",
        "artwork",
        "audio",
        "image",
        "movie",
        "music",
        "performance",
        "video",
        "standard",
        "letter",
        "review",
        "commentary",
        "jurisdiction",
        "legislation",
        "legal",
        "periodical",
        "suppperiodical",
        "patent",
    ]
)
_BIBLATEX_FIELDS = frozenset(
    [
        "date",
        "journaltitle",
        "location",
        "eprinttype",
        "eventdate",
        "origdate",
        "shortjournal",
        "maintitle",
        "subtitle",
        "titleaddon",
        "booksubtitle",
        "bookauthor",
        "journalsubtitle",
    ]
)

# A language as babel and biblatex name it, back to the code MEDLINE gives (the writer's map).
_LANGUAGE_CODES = {
    "english": "eng",
    "french": "fre",
    "german": "ger",
    "spanish": "spa",
    "italian": "ita",
    "portuguese": "por",
    "dutch": "dut",
    "russian": "rus",
    "polish": "pol",
    "swedish": "swe",
    "norsk": "nor",
    "danish": "dan",
    "finnish": "fin",
    "czech": "cze",
    "hungarian": "hun",
    "greek": "gre",
    "turkish": "tur",
}

_URL = re.compile(r"\s*(?:\\url\{)?(https?://\S+?)\}?\s*$")
_DOI_PREFIX = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_PMID_NOTE = re.compile(r"\bPMID:?\s*(\d{1,9})\b")
_LIST_SPLIT = re.compile(r"[,;]|\s+")


def source_format(entry: Entry) -> str:
    if entry.kind in _BIBLATEX_TYPES or any(n in _BIBLATEX_FIELDS for n, _ in entry.fields):
        return BIBLATEX
    return BIBTEX


def split_list(latex: str) -> list[str]:
    """``keywords``: split at commas outside braces (at semicolons if it has no comma), each
    item's own braces (which protect a comma in it) taken off."""
    separator = "," if "," in latex else ";"
    if "{" not in latex:
        return [text for item in latex.split(separator) if (text := plain(item.strip()))]
    items: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(latex):
        depth += (char == "{") - (char == "}")
        if char == separator and depth == 0:
            items.append(latex[start:index])
            start = index + 1
    items.append(latex[start:])
    return [text for item in items if (text := plain(item.strip()))]


def _tags(latex: str) -> tuple[Tag, ...]:
    found = dict.fromkeys(split_list(latex))
    return tuple(Tag(name, TAG_KEYWORD) for name in found)


def _issns(latex: str) -> tuple[Issn, ...]:
    values = [v for v in _LIST_SPLIT.split(plain(latex)) if v]
    return tuple(Issn(v) for v in dict.fromkeys(values))


def _pages(latex: str) -> str:
    """``937--944`` as ``937-944`` (the form MEDLINE and refman use), other text decoded."""
    return plain(re.sub(r"\s*-{2,3}\s*", "-", latex))


def _language(latex: str) -> str:
    text = plain(latex)
    return _LANGUAGE_CODES.get(text.lower(), text)


def _container(entry: Entry, item_type: str, get: dict[str, str]) -> tuple[str, str]:
    """(container title, its short form): the journal, the book, the proceedings, the site."""
    if item_type == ARTICLE_JOURNAL:
        full = get.get("journaltitle") or get.get("fjournal") or get.get("journal", "")
        short = get.get("shortjournal") or get.get("journalabbrev", "")
        if not short and get.get("fjournal") and get.get("journal"):
            short = get["journal"]  # MathSciNet: journal abbreviated, fjournal in full
        return plain(full), plain(short)
    if item_type in (CHAPTER, "paper-conference"):
        return plain(get.get("booktitle") or get.get("maintitle", "")), ""
    if entry.kind in ("online", "dataset") and get.get("organization"):
        return plain(get["organization"]), ""
    published = get.get("howpublished", "")
    if published and not _URL.match(published):
        return plain(published), ""
    return "", ""


def _publisher(item_type: str, get: dict[str, str]) -> str:
    names_: tuple[str, ...]
    if item_type == "thesis":
        names_ = ("school", "institution", "publisher")
    elif item_type == "report":
        names_ = ("institution", "publisher", "organization")
    else:
        names_ = ("publisher", "organization") if item_type == BOOK else ("publisher",)
    return plain(next((get[n] for n in names_ if get.get(n)), ""))


def _url(get: dict[str, str]) -> str:
    if get.get("url"):
        return verbatim(get["url"])
    found = _URL.match(get.get("howpublished", ""))
    return found[1] if found else ""


def _ids(get: dict[str, str]) -> tuple[str, str]:
    """(PMID, PMCID): their own fields, or BibLaTeX's eprint with eprinttype pubmed or pmc."""
    pmid, pmcid = plain(get.get("pmid", "")), plain(get.get("pmcid", ""))
    in_note = _PMID_NOTE.search(plain(get.get("note", "")))
    if in_note and not pmid:
        pmid = in_note[1]  # Zotero's old exports: note = {{PMID:} 23439512}
    kind = get.get("eprinttype", get.get("archiveprefix", "")).strip().lower()
    if kind == "pubmed" and not pmid:
        pmid = plain(get.get("eprint", ""))
    elif kind == "pmc" and not pmcid:
        pmcid = plain(get.get("eprint", ""))
    return pmid, pmcid


def _title(get: dict[str, str]) -> str:
    title = plain(get.get("title", ""))
    subtitle = plain(get.get("subtitle", ""))
    return f"{title}: {subtitle}" if title and subtitle else title or subtitle


def to_reference(entry: Entry) -> Reference:
    """The Reference an entry describes; the entry itself goes along as its source record."""
    get: dict[str, str] = {}
    for name, value in entry.fields:
        get.setdefault(name, value)  # BibTeX takes a repeated field's first value
    item_type = ITEM_TYPES.get(entry.kind, "document")
    container, short = _container(entry, item_type, get)
    pmid, pmcid = _ids(get)
    creators = names(get.get("author", "")) + names(get.get("editor", ""), EDITOR)
    month = get.get("month", "")
    return Reference(
        item_type=item_type,
        title=_title(get),
        abstract=plain(get.get("abstract", "")),
        container_title=container,
        container_title_short=short,
        collection_title=plain(get.get("series", "")),
        volume=plain(get.get("volume", "")),
        issue=plain(get.get("number") or get.get("issue", "")),
        pages=_pages(get.get("pages", "")),
        date=date_of(get.get("date", ""), get.get("year", ""), month, get.get("day", "")),
        doi=_DOI_PREFIX.sub("", verbatim(get.get("doi", ""))),
        pmid=pmid,
        pmcid=pmcid,
        issns=_issns(get.get("issn", "")),
        isbn=plain(get.get("isbn", "")),
        language=_language(get.get("langid") or get.get("language", "")),
        publisher=_publisher(item_type, get),
        place=plain(get.get("address") or get.get("location", "")),  # ACM: location = event
        url=_url(get),
        creators=tuple(creators),
        tags=_tags(get.get("keywords", "")),
        source_format=source_format(entry),
        source_record=entry.record,
        notes=_notes(entry),
        citation_key=entry.key,  # kept by the import when it is free (store.citekeys)
    )


_NOTE_FIELDS = frozenset({"annote", "annotation"})


def _notes(entry: Entry) -> tuple[str, ...]:
    """Each ``annote`` and ``annotation`` as one note, in file order: the text its LaTeX
    stands for (the reader has made its white space single spaces already)."""
    found = (plain(latex) for name, latex in entry.fields if name in _NOTE_FIELDS)
    return tuple(text for text in found if text)


def is_month_macro(value: str) -> bool:
    return value.lower() in MONTHS
