"""RIS records to references, and references back to records.

``to_reference`` maps a record's (tag, value) pairs to a ``Reference`` that keeps them as its
source record. ``record_fields`` maps a reference back to pairs for the writer: an item imported
from RIS is written from its source record, with only the tags behind the fields the user edited
replaced (each ``_Aspect`` says which tags some fields own and how to write them), so that a
record comes back as it was imported, unknown tags, notes and links included.

Reading, tag by tag (the RIS specification, and what EndNote, Zotero, Mendeley, Scopus, Web of
Science and Ovid write):

- ``TY``: the item type (``_TYPES``); a type refman has no name for becomes the nearest one
  (``document`` for the rest) and is kept in the source record.
- ``AU``/``A1`` authors, ``A2``/``ED`` editors, in file order; ``A3``, ``A4`` (series editors,
  translators) stay in the source record. ``Last, First, Suffix``; a name without a comma is a
  group's (``World Health Organization``).
- ``TI``/``T1``/``CT`` title (``BT`` for a book); ``T2``/``JF``/``BT`` the journal or the book a
  chapter is in (``JO``/``JA`` when nothing else names it); ``J2``/``JA``/``J1``/``JO`` the
  journal's abbreviation; ``T3`` the series (``T2`` for a book without ``T3``).
- Dates: ``DA`` (``YYYY/MM/DD/other``), else ``PY``, else ``Y1``: the first that holds a year
  (Zotero's rule: ``DA`` wins over the deprecated ``Y1`` whatever their order).
- ``SP``/``EP`` the pages (``SP`` alone may hold the range; else ``C7``, the article number
  Scopus writes), ``VL``, ``IS``, ``PB``,
  ``CY``/``PP``, ``LA``, ``DO`` (``doi:`` and ``https://doi.org/`` taken off), ``SN`` (ISSNs and
  ISBNs told apart by their shape), ``AN`` as the PMID when it is a PubMed number (digits, and
  no database named but PubMed/MEDLINE), ``C2`` as the PMCID when it is one (EndNote) and as
  the PMID when it is a number (Scopus).
- ``UR`` the URL (the first of several; ``L2`` when there is no ``UR``), ``KW`` keywords (one a
  line, a keyword per continuation line as well), ``AB`` the abstract (``N2`` when there is no
  ``AB``).
- ``N1`` notes: each ``N1`` a note (its lines kept), which the import makes a note on the
  item (as Zotero makes child notes); they stay in the source record as well.
- ``L1``/``L4`` file and figure links and every other tag stay in the source record only: the
  library does not take attachments from an import.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from refman.formats.medline.values import date_text
from refman.formats.ris.read import RisRecord
from refman.formats.text import note_text, one_line
from refman.model import (
    ARTICLE_JOURNAL,
    AUTHOR,
    BOOK,
    CHAPTER,
    EDITOR,
    TAG_KEYWORD,
    Creator,
    Issn,
    PartialDate,
    Reference,
    SourceRecord,
    Tag,
)

SOURCE_FORMAT = "ris"  # a Reference's source_format when its source record is RIS

# --- item types -------------------------------------------------------------------------------

# Every TY of the RIS specification (and EndNote's and Zotero's additions) → refman's type.
_TYPE_GROUPS: dict[str, str] = {
    ARTICLE_JOURNAL: "JOUR JFULL EJOUR ABST INPR MGZN NEWS",
    BOOK: "BOOK EBOOK EDBOOK SER CLSWK",
    CHAPTER: "CHAP ECHAP ENCYC DICT",
    "paper-conference": "CONF CPAPER",
    "report": "RPRT GOVDOC GRANT STAND",
    "thesis": "THES",
    "dataset": "DATA DBASE",
    "webpage": "ELEC WEB BLOG",
    "article": "UNPB MANSCPT PAMP",
    "document": (
        "GEN ADVS AGGR ANCIENT ART BILL CASE CHART COMP CTLG EQUA FIGURE HEAR ICOMM LEGAL MAP MPCT "
        "MULTI MUSIC PAT PCOMM SLIDE SOUND STAT UNBILL VIDEO"
    ),
}
TYPES: dict[str, str] = {ty: kind for kind, tys in _TYPE_GROUPS.items() for ty in tys.split()}
# refman's type → the TY written for it (a preprint is an unpublished work).
TY_OF: dict[str, str] = {
    ARTICLE_JOURNAL: "JOUR",
    BOOK: "BOOK",
    CHAPTER: "CHAP",
    "paper-conference": "CONF",
    "report": "RPRT",
    "thesis": "THES",
    "dataset": "DATA",
    "webpage": "ELEC",
    "article": "UNPB",
    "document": "GEN",
}
_BOOKS = frozenset(ty for ty, kind in TYPES.items() if kind == BOOK)
_ISBN_TYPES = frozenset({BOOK, CHAPTER})


def item_type(ty: str) -> str:
    """refman's item type for a TY value (``document`` for one it does not know)."""
    return TYPES.get(ty.strip().upper(), "document")


# --- values -----------------------------------------------------------------------------------

_MULTI_TAGS = frozenset({"KW", "UR", "L1", "L2", "L3", "L4"})  # one value a line


def values_of(tag: str, value: str) -> list[str]:
    """The values a field holds: one a line for keywords and links (keywords split at
    semicolons as well, as some databases put them on one line), else the whole text."""
    if tag == "KW":
        return [word.strip() for word in re.split(r"[\n;]", value) if word.strip()]
    if tag in _MULTI_TAGS:
        return [line.strip() for line in value.split("\n") if line.strip()]
    return [one_line(value)] if value.strip() else []


def parse_name(value: str, role: str) -> Creator | None:
    """``Last, First[, Suffix]`` (the suffix stays with the given names, as the writer puts it
    back); a name without a comma is a group's or a single name."""
    value = one_line(value)
    if not value:
        return None
    family, comma, given = value.partition(",")
    if not comma:
        return Creator(literal=value, role=role)
    return Creator(family.strip(), given.strip(), role=role)


_SLASH_DATE = re.compile(r"(\d{1,4})(?:[/-](\d{0,2}))?(?:[/-](\d{0,2}))?(?:/(.*))?")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def parse_date(value: str) -> PartialDate | None:
    """A DA, PY or Y1 value (``2014/06/01``, ``2019/09//Sep-Oct``, ``2009``, ``2020-05-17``);
    None when it holds no year (``Date Accessed``, ``0000``)."""
    value = one_line(value)
    match = _SLASH_DATE.fullmatch(value)
    if match is None or len(match[1]) != 4:
        found = _YEAR.search(value)  # free text ("Spring 2009"): the year alone
        year = int(found[1]) if found else 0
        return PartialDate(year, text=str(year)) if year else None
    year = int(match[1])
    if not year:
        return None
    month = int(match[2]) if match[2] and 1 <= int(match[2]) <= 12 else None
    day = int(match[3]) if month and match[3] and 1 <= int(match[3]) <= 31 else None
    season = one_line(match[4] or "")
    return PartialDate(
        year, month, day, date_text(PartialDate(year, month, day, "", season)), season
    )


def _date(values: dict[str, list[str]]) -> PartialDate:
    for tag in ("DA", "PY", "Y1"):
        for value in values.get(tag, ()):
            date = parse_date(value)
            if date is not None:
                return date
    return PartialDate()


_DOI = re.compile(r"10\.\d{3,9}/\S+")


def doi_of(value: str) -> str:
    found = _DOI.search(value)
    return found[0].rstrip(".,;") if found else ""


_ISSN = re.compile(r"\d{4}-?\d{3}[\dXx]")
_ISBN = re.compile(r"(?:97[89][- ]?)?(?:\d[- ]?){9}[\dXx]")
_SN_SPLIT = re.compile(r"[,;]\s*|\s+(?=\d{4}-\d{3}[\dXx])|\n")


def serial_numbers(values: Iterable[str]) -> tuple[tuple[Issn, ...], str]:
    """The ISSNs and the first ISBN in SN values; a value that is neither counts as an ISBN
    when there is none (what a user typed there is kept)."""
    issns: list[Issn] = []
    isbns: list[str] = []
    other: list[str] = []
    for value in values:
        for part in filter(None, (p.strip() for p in _SN_SPLIT.split(value))):
            core = part.split(" (")[0].strip()
            if _ISSN.fullmatch(core):  # Scopus writes 19326203: written as 1932-6203
                issns.append(Issn(core if "-" in core else f"{core[:4]}-{core[4:]}".upper()))
            elif _ISBN.fullmatch(core):
                isbns.append(core)
            else:
                other.append(one_line(part))
    return tuple(dict.fromkeys(issns)), next(iter(isbns + other), "")


_PMCID = re.compile(r"PMC\d+")
_PUBMED_DB = re.compile(r"pubmed|medline|\bnlm\b", re.I)


def _pmid(values: dict[str, list[str]]) -> str:
    databases = " ".join(values.get("DB", []) + values.get("DP", []))
    if databases and not _PUBMED_DB.search(databases):
        # Web of Science, Scopus, CINAHL... have accession numbers of their own
        return next((v for v in values.get("C2", []) if _is_pmid(v)), "")
    # Scopus writes the PMID in C2, where EndNote's PubMed import puts the PMCID.
    numbers = values.get("AN", []) + values.get("C2", [])
    return next((v for v in numbers if _is_pmid(v)), "")


def _is_pmid(value: str) -> bool:
    return value.isdigit() and len(value) <= 9


def _pages(values: dict[str, list[str]]) -> str:
    start, end = _first(values, "SP"), _first(values, "EP")
    if start and end:
        return f"{start}-{end}"
    return start or end or _first(values, "C7")  # an e-only article's number (Scopus)


def _first(values: dict[str, list[str]], *tags: str) -> str:
    for tag in tags:
        for value in values.get(tag, ()):
            if value:
                return value
    return ""


def _collect(fields: SourceRecord) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for tag, value in fields:
        values.setdefault(tag, []).extend(values_of(tag, value))
    return values


# --- records to references --------------------------------------------------------------------

_NAME_ROLES = {"AU": AUTHOR, "A1": AUTHOR, "A2": EDITOR, "ED": EDITOR}


def _creators(fields: SourceRecord, ty: str, kind: str) -> tuple[Creator, ...]:
    """Authors and editors in file order. In the types refman calls documents (patents,
    bills, cases, letters, artworks...) A2 names a sponsor, a recipient, an issuing body: it
    stays in the source record only."""
    found = (
        parse_name(value, _NAME_ROLES[tag])
        for tag, value in fields
        if tag in _NAME_ROLES and not (tag == "A2" and kind == "document" and ty != "GEN")
        for value in value.split("\n")
    )
    return tuple(creator for creator in found if creator is not None)


def _titles(values: dict[str, list[str]], ty: str, kind: str) -> dict[str, Any]:
    """title, container_title, container_title_short and collection_title."""
    book = ty in _BOOKS or kind == BOOK
    title = _first(values, "TI", "T1", "CT") or (_first(values, "BT") if book else "")
    short = _first(values, "J2", "JA", "J1", "JO")
    if book:
        series = _first(values, "T3") or _first(values, "T2")
        container = _first(values, "T2") if _first(values, "T3") else ""
    else:
        series = _first(values, "T3")
        container = _first(values, "T2", "JF", "BT", "JO", "JA")
    return {
        "title": title,
        "container_title": container,
        "container_title_short": short,
        "collection_title": series,
    }


def to_reference(record: RisRecord | SourceRecord) -> Reference:
    """The Reference that an RIS record describes; the record goes along as its source."""
    fields = record.fields if isinstance(record, RisRecord) else record
    values = _collect(fields)
    ty = _first(values, "TY")
    kind = item_type(ty)
    issns, isbn = serial_numbers(values.get("SN", []))
    pmcid = next((v for v in values.get("C2", []) if _PMCID.fullmatch(v)), "")
    plain: dict[str, Any] = {
        "abstract": _first(values, "AB", "N2"),
        "volume": _first(values, "VL", "VO"),
        # EndNote's journal articles may hold the issue in M1 (its "Number").
        "issue": _first(values, "IS") or (_first(values, "M1") if kind == ARTICLE_JOURNAL else ""),
        "publisher": _first(values, "PB"),
        "place": _first(values, "CY", "PP"),
        "language": _first(values, "LA"),
        "url": _first(values, "UR", "L2"),
    }
    keywords = dict.fromkeys(values.get("KW", []))
    return Reference(
        item_type=kind,
        pages=_pages(values),
        date=_date(values),
        doi=doi_of(_first(values, "DO")),
        pmid=_pmid(values),
        pmcid=pmcid,
        issns=issns,
        isbn=isbn,
        creators=_creators(fields, ty.strip().upper(), kind),
        tags=tuple(Tag(name, TAG_KEYWORD) for name in keywords),
        source_format=SOURCE_FORMAT,
        source_record=fields,
        notes=_notes(fields),
        **_titles(values, ty, kind),
        **plain,
    )


def _notes(fields: SourceRecord) -> tuple[str, ...]:
    """Each ``N1`` as one note, its lines as the file has them."""
    return tuple(text for tag, value in fields if tag == "N1" and (text := note_text(value)))


# --- references to records --------------------------------------------------------------------


def _name(creator: Creator) -> str:
    if literal := one_line(creator.literal):
        return literal
    family, given = one_line(creator.family), one_line(creator.given)
    return f"{family}, {given}" if family and given else family or given


_RANGE = re.compile(r"\s*([^\s,;–—-]+)\s*[-‐‑‒–—]+\s*([^\s,;–—-]+)\s*")


def _page_lines(ref: Reference) -> list[tuple[str, str]]:
    pages = one_line(ref.pages)
    if match := _RANGE.fullmatch(pages):
        return [("SP", match[1]), ("EP", match[2])]
    return [("SP", pages)]


def _date_lines(ref: Reference) -> list[tuple[str, str]]:
    date = ref.date
    if not date.year:
        return []
    lines = [("PY", f"{date.year:04d}")]
    if date.month or date.season:
        month = f"{date.month:02d}" if date.month else ""
        day = f"{date.day:02d}" if date.month and date.day else ""
        lines.append(("DA", f"{date.year:04d}/{month}/{day}/{one_line(date.season)}"))
    return lines


def _serial_number(ref: Reference) -> list[tuple[str, str]]:
    if ref.item_type in _ISBN_TYPES and ref.isbn:
        return [("SN", ref.isbn)]
    issns = ", ".join(dict.fromkeys(issn.value for issn in ref.issns if issn.value))
    return [("SN", issns or ref.isbn)]


def _keywords(ref: Reference) -> list[tuple[str, str]]:
    return [("KW", one_line(name)) for name in dict.fromkeys(tag.name for tag in ref.tags)]


def _creator_lines(ref: Reference) -> list[tuple[str, str]]:
    return [("AU", _name(c)) for c in ref.authors()] + [("A2", _name(c)) for c in ref.editors()]


@dataclass(frozen=True)
class _Aspect:
    """What some Reference fields become in RIS: the tags they own and how to write them.

    ``owns(tag, value, item_type)`` says whether a source line belongs to these fields for an
    item of that type; ``emit(ref)`` gives the lines for the fields' current values (empty values
    included: the writer drops them).
    """

    names: tuple[str, ...]
    owns: Callable[[str, str, str], bool]
    emit: Callable[[Reference], list[tuple[str, str]]]
    typed: bool = False  # which tags it owns depends on the item type


def _plain(name: str, tag: str, *also: str) -> _Aspect:
    tags = frozenset((tag, *also))
    return _Aspect(
        (name,), lambda t, v, k: t in tags, lambda r: [(tag, one_line(getattr(r, name)))]
    )


def _is_book(kind: str) -> bool:
    return kind == BOOK


# In the writer's order, which is the order of a record written from the fields alone.
_ASPECTS: tuple[_Aspect, ...] = (
    _Aspect(("item_type",), lambda t, v, k: t == "TY", lambda r: [("TY", TY_OF[r.item_type])]),
    _Aspect(("creators",), lambda t, v, k: t in _NAME_ROLES, _creator_lines),
    _Aspect(
        ("title",),
        lambda t, v, k: t in ("TI", "T1", "CT") or (t == "BT" and _is_book(k)),
        lambda r: [("TI", one_line(r.title))],
        typed=True,
    ),
    _Aspect(
        ("container_title",),
        lambda t, v, k: t in ("T2", "JF") or (t == "BT" and not _is_book(k)),
        lambda r: [("T2", one_line(r.container_title))],
        typed=True,
    ),
    _Aspect(
        ("collection_title",),
        lambda t, v, k: t == "T3" or (t == "T2" and _is_book(k)),
        lambda r: [("T3", one_line(r.collection_title))],
        typed=True,
    ),
    _plain("container_title_short", "J2", "JA", "J1", "JO"),
    _Aspect(("date",), lambda t, v, k: t in ("PY", "DA", "Y1"), _date_lines),
    _plain("volume", "VL", "VO"),
    _plain("issue", "IS"),
    _Aspect(("pages",), lambda t, v, k: t in ("SP", "EP"), _page_lines),
    _plain("publisher", "PB"),
    _Aspect(
        ("place",),
        lambda t, v, k: t in ("CY", "PP"),
        # A journal's place is MEDLINE's country of the journal: not written.
        lambda r: [("CY", one_line(r.place))] if r.item_type != ARTICLE_JOURNAL else [],
        typed=True,
    ),
    _Aspect(("issns", "isbn"), lambda t, v, k: t == "SN", _serial_number, typed=True),
    _plain("doi", "DO"),
    _Aspect(
        ("pmid",),
        lambda t, v, k: t in ("AN", "C2") and _is_pmid(v),
        lambda r: [("AN", one_line(r.pmid))],
    ),
    _Aspect(  # EndNote keeps a PubMed Central id in C2 (Custom 2)
        ("pmcid",),
        lambda t, v, k: t == "C2" and bool(_PMCID.fullmatch(v)),
        lambda r: [("C2", one_line(r.pmcid))],
    ),
    _plain("language", "LA"),
    _plain("url", "UR"),
    _Aspect(("tags",), lambda t, v, k: t == "KW", _keywords),
    _plain("abstract", "AB", "N2"),
)


def _same(aspect: _Aspect, ref: Reference, base: Reference) -> bool:
    if aspect.names == ("tags",):  # RIS keeps names, not kinds or order of a tag set
        return {t.name for t in ref.tags} == {t.name for t in base.tags}
    return all(getattr(ref, name) == getattr(base, name) for name in aspect.names)


def _replace(
    fields: list[tuple[str, str]], aspect: _Aspect, ref: Reference, base: Reference
) -> list[tuple[str, str]]:
    """``fields`` with the lines behind ``aspect`` (for the old or the new type) replaced by
    those for ``ref``'s values: at the first old line, else where the writer would put them."""
    kinds = {base.item_type, ref.item_type}
    owned = [i for i, (t, v) in enumerate(fields) if any(aspect.owns(t, v, k) for k in kinds)]
    new = [(t, v) for t, v in aspect.emit(ref) if v]
    if owned:
        at = owned[0]
        kept = [line for i, line in enumerate(fields) if i not in set(owned)]
        return kept[:at] + new + kept[at:]
    return _insert(fields, new)


# The writer's tag order, for placing a line that the source record did not have.
_ORDER = [
    "TY",
    "AU",
    "A2",
    "TI",
    "T2",
    "T3",
    "J2",
    "PY",
    "DA",
    "VL",
    "IS",
    "SP",
    "EP",
    "PB",
    "CY",
    "SN",
    "DO",
    "AN",
    "C2",
    "LA",
    "UR",
    "KW",
    "AB",
]
_RANK = {tag: rank for rank, tag in enumerate(_ORDER)}
# Tags of the same meaning rank with the one the writer writes.
_ALIASES = {
    "AU": "A1 A3 A4 ED", "TI": "T1 CT BT", "T2": "JF JO JA J1", "PY": "Y1 Y2", "VL": "VO",
    "CY": "PP", "UR": "L1 L2 L4", "AB": "N2",
}  # fmt: skip
_RANK.update({alias: _RANK[tag] for tag, aliases in _ALIASES.items() for alias in aliases.split()})


def _insert(fields: list[tuple[str, str]], new: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``new`` lines put after the last line whose tag the writer puts before them."""
    if not new:
        return fields
    rank = _RANK[new[0][0]]
    after = [i for i, (t, _) in enumerate(fields) if _RANK.get(t, len(_RANK)) <= rank]
    at = after[-1] + 1 if after else len(fields)
    return fields[:at] + new + fields[at:]


def _patched(ref: Reference) -> list[tuple[str, str]]:
    """The source record with the lines behind the fields the user edited replaced.

    A record read back must give the reference's fields: after the edited aspects are
    written, any aspect that still reads differently (a journal title that lived in ``JO``,
    which the abbreviation also owns) is written again, at most once more each.
    """
    fields = list(ref.source_record)
    base = to_reference(tuple(fields))
    for _ in range(3):
        changed = False
        for aspect in _ASPECTS:
            typed_change = aspect.typed and base.item_type != ref.item_type
            if typed_change or not _same(aspect, ref, base):
                fields = _replace(fields, aspect, ref, base)
                changed = True
        if not changed:
            break
        base = to_reference(tuple(fields))
        if base.item_type == ref.item_type and all(_same(a, ref, base) for a in _ASPECTS):
            break
    if not fields or fields[0][0] != "TY":  # a record read without one: every record opens so
        fields = [("TY", TY_OF[ref.item_type])] + [line for line in fields if line[0] != "TY"]
    return fields


def record_fields(ref: Reference) -> list[tuple[str, str]]:
    """The RIS (tag, value) pairs of ``ref``, ``TY`` first and ``ER`` left out: for an item
    imported from RIS, its source record with only the lines behind edited fields replaced;
    for any other, pairs made from its fields."""
    if ref.source_format == SOURCE_FORMAT and ref.source_record:
        return _patched(ref)
    return [(t, v) for aspect in _ASPECTS for t, v in aspect.emit(ref) if v]
