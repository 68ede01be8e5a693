"""MEDLINE records to references, and references back to records.

``to_reference`` maps a ``RawRecord`` to a ``Reference``, which keeps the record itself as its
source record. ``record_fields`` maps a reference back to tag/value lines for the writer: an
item imported from MEDLINE is written from its source record, so that import, export and import
again give the same item; only the tags behind the fields the user edited are replaced (each
``_Aspect`` says which tags some fields own and how to write them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from refman.formats.medline.record import RawRecord
from refman.formats.medline.values import (
    clean_title,
    date_text,
    doi_of,
    expand_pages,
    full_name,
    initials,
    is_et_al,
    isbn_of,
    issns_of,
    parse_date,
    pmcid_of,
    short_name,
    title_text,
)
from refman.model import (
    ARTICLE_JOURNAL,
    AUTHOR,
    BOOK,
    CHAPTER,
    EDITOR,
    TAG_KEYWORD,
    TAG_MESH,
    Creator,
    MeshQualifier,
    PartialDate,
    Reference,
    SourceRecord,
    Tag,
)

SOURCE_FORMAT = "medline"  # a Reference's source_format when its source record is MEDLINE
REPORT = "report"
THESIS = "thesis"

# --- records to references: creators and tags --------------------------------------------------

# tag: (role, full form?)
_NAME_TAGS = {
    "FAU": (AUTHOR, True),
    "AU": (AUTHOR, False),
    "FED": (EDITOR, True),
    "ED": (EDITOR, False),
}
_FULL_FORM = {AUTHOR: "FAU", EDITOR: "FED"}
_FULL_FORM_ROLES = {tag: role for role, tag in _FULL_FORM.items()}
_SHORT_FORMS = {tag: role for tag, (role, full) in _NAME_TAGS.items() if not full}
_CREATOR_TAGS = frozenset({"FAU", "AU", "AD", "AUID", "CN", "FED", "ED"})


def _name_for(tag: str, value: str, full_roles: set[str]) -> tuple[str, str, str, str] | None:
    """(family, given, literal, role) of a name line, or None when it names no one new."""
    if tag == "CN":
        return ("", "", value, AUTHOR) if value else None
    role, full = _NAME_TAGS[tag]
    if not value or (not full and role in full_roles) or is_et_al(value):
        return None  # the short form only counts when the record has no full names
    family, given = full_name(value) if full else short_name(value)
    return family, given, "", role


def _creators(fields: SourceRecord, full_roles: set[str]) -> tuple[Creator, ...]:
    """Authors, groups and editors in file order, each with the AD and AUID lines after it.

    ``full_roles``: the roles the record gives full names for (FAU, FED), whose short forms
    (AU, ED) are then left out. AD and AUID lines before the first name (old records) belong
    to the first creator.
    """
    # Each creator as its name and two lists that the AD and AUID lines after it fill;
    # the Creator is made once at the end, when those lists are complete. The lines before
    # the first name fill the first creator's lists.
    drafts: list[tuple[tuple[str, str, str, str], list[str], list[str]]] = []
    affiliations: list[str] = []
    ids: list[str] = []
    # Only the creators' lines, picked out first: a comprehension skips the others faster.
    for tag, value in [field for field in fields if field[0] in _CREATOR_TAGS]:
        if tag == "AD":
            if value:
                affiliations.append(value)
        elif tag == "AUID":
            if value:
                ids.append(value)
        elif tag in _SHORT_FORMS and _SHORT_FORMS[tag] in full_roles:
            continue  # the short form only counts when the record has no full names
        else:
            name = _name_for(tag, value, full_roles)
            if name:
                if drafts:
                    affiliations, ids = [], []
                drafts.append((name, affiliations, ids))
    return tuple(Creator(*name, tuple(aff), tuple(ids)) for name, aff, ids in drafts)


@lru_cache(maxsize=65536)  # headings recur across records; a Tag is immutable, so shared
def _mesh_tag(value: str) -> Tag | None:
    """``Brain/*enzymology/pathology`` as a MeSH tag; ``*`` marks a major topic."""
    if "/" not in value and "*" not in value:  # a plain heading, the most common kind
        value = value.strip()
        return Tag(value, TAG_MESH) if value else None
    head, *rest = [part.strip() for part in value.split("/")]
    name = head.lstrip("*").strip()
    if not name:
        return None
    qualifiers = tuple(filter(None, map(_qualifier, rest)))
    return Tag(name, TAG_MESH, head.startswith("*"), qualifiers)


@lru_cache(maxsize=4096)  # a few dozen subheadings make almost all of them
def _qualifier(part: str) -> MeshQualifier | None:
    """A heading's subheading (``*enzymology``), or None for an empty one."""
    if not part.strip("* "):
        return None
    return MeshQualifier(part.lstrip("*").strip(), part.startswith("*"))


@lru_cache(maxsize=65536)
def _keyword_tag(value: str) -> Tag:
    """An author keyword (OT); PubMed marks a major one with ``*`` as it does MeSH headings."""
    name = value.lstrip("*").strip()
    return Tag(name, TAG_KEYWORD, True) if name and name != value else Tag(value, TAG_KEYWORD)


def _tags(fields: SourceRecord, values: dict[str, list[str]]) -> tuple[Tag, ...]:
    """The MeSH headings (MH) and author keywords (OT), one tag per kind and name (the first
    kept), in file order. ``values``: the record's values by tag."""
    headings, keywords = values.get("MH", ()), values.get("OT", ())
    if headings and keywords and not _headings_first(fields, len(headings)):
        return _tags_in_order(fields)
    tags: dict[str, Tag] = {}
    for found in map(_mesh_tag, headings):
        if found is not None and found.name not in tags:
            tags[found.name] = found
    if not keywords:
        return tuple(tags.values())
    named: dict[str, Tag] = {}
    for found in map(_keyword_tag, keywords):
        if found.name and found.name not in named:
            named[found.name] = found
    return (*tags.values(), *named.values())


def _headings_first(fields: SourceRecord, headings: int) -> bool:
    """True when all the MH lines come before the first OT line (as PubMed writes them)."""
    picked = [tag for tag, _ in fields if tag == "MH" or tag == "OT"]
    return picked.index("OT") == headings


def _tags_in_order(fields: SourceRecord) -> tuple[Tag, ...]:
    tags: dict[tuple[str, str], Tag] = {}
    for tag, value in fields:
        found = _mesh_tag(value) if tag == "MH" else _keyword_tag(value) if tag == "OT" else None
        if found and found.name and (found.kind, found.name) not in tags:
            tags[found.kind, found.name] = found
    return tuple(tags.values())


# --- records to references: the reference -----------------------------------------------------

_TYPE_BY_PT = {"book chapter": CHAPTER, "book": BOOK, "books": BOOK}  # "Books": ERIC's
# The PT that says a type, written when an item's type must be said (PubMed's own values;
# for a thesis, the prefix of ERIC's thesis types).
_PT_BY_TYPE = {
    CHAPTER: "Book Chapter",
    BOOK: "Book",
    REPORT: "Technical Report",
    THESIS: "Dissertations/Theses",
}
# Types whose PL is where they were published (a journal's PL is its country).
_PLACED = (BOOK, CHAPTER, REPORT, THESIS)
# Types whose JT (in ERIC's records) names the publisher or the institution, not a journal.
_PUBLISHED_BY_JT = (BOOK, REPORT)


# Reference field: the tag whose first value it takes as it is.
_PLAIN = {
    "abstract": "AB",
    "container_title_short": "TA",
    "collection_title": "CTI",
    "volume": "VI",
    "issue": "IP",
    "pmid": "PMID",
    "language": "LA",
}


def pt_type(publication_type: str) -> str | None:
    """The item type one PT line says on its own, or None when it says none.

    PubMed's Book and Book Chapter; and the types of the ERIC records that other databases
    export in this layout: ``Books``, ``Dissertations/Theses - Doctoral Dissertations``,
    ``Reports - Research`` (a report unless the record is a journal's; see ``_item_type``).
    PubMed's ``Case Reports`` are journal articles.
    """
    pt = publication_type.strip().lower()
    if pt in _TYPE_BY_PT:
        return _TYPE_BY_PT[pt]
    if "dissertation" in pt:  # ERIC's "Dissertations/Theses - ..."
        return THESIS
    if pt.startswith("reports -") or pt == "technical report":
        return REPORT
    return None


def _journal_signs(publication_types: Iterable[str], values: dict[str, list[str]]) -> bool:
    """True when the record says it is a journal's article: a Journal Article(s) PT, or an
    ERIC number of ERIC's journal series (``OID - EJ1208101``)."""
    pts = {pt.strip().lower() for pt in publication_types}
    eric_journal = any(oid.startswith("EJ") for oid in values.get("OID", ()))
    return bool(pts & {"journal article", "journal articles"}) or eric_journal


def _item_type(publication_types: tuple[str, ...], values: dict[str, list[str]]) -> str:
    """Chapter, book, thesis, report (in that order of precedence), else a journal article.

    A report PT (``Reports - Research``) only makes a report of a record that does not say it
    is a journal's: ERIC files its journal articles under report types too. PubMed's
    ``Technical Report`` always does.
    """
    found = {pt_type(pt) for pt in publication_types}
    for kind in (CHAPTER, BOOK, THESIS):
        if kind in found:
            return kind
    if REPORT in found and (
        _says_report(publication_types) or not _journal_signs(publication_types, values)
    ):
        return REPORT
    return ARTICLE_JOURNAL


def _says_report(publication_types: Iterable[str]) -> bool:
    """PubMed's Technical Report: a report whatever else the record says (as in Zotero)."""
    return any(pt.strip().lower() == "technical report" for pt in publication_types)


# An article number (an e-only article's "page"): ``1042``, ``e0123456``, ``CD012345``.
# A publisher item identifier (``S1080-6032(22)00139-9``, ``neurintsurg-2019-015595``,
# ``2018.6.JNS181045``) holds other characters and is not a page.
_ARTICLE_NUMBER = re.compile(r"[A-Za-z]{0,3}[0-9]{1,10}")
_LID_LABEL = re.compile(r"\s*\[(pii)\]$", re.I)


def article_number(lids: Iterable[str]) -> str:
    """The article number among LID values (``1042 [pii]``, ``e0123456``), or ""."""
    for lid in lids:
        value = _LID_LABEL.sub("", lid).strip()
        if "[" not in value and _ARTICLE_NUMBER.fullmatch(value):
            return value
    return ""


def _pages(values: dict[str, list[str]]) -> str:
    """PG written out in full; without PG, the article number in LID (e-only articles)."""
    pages = next((v for v in values.get("PG", ()) if v), "")
    return expand_pages(pages) if pages else article_number(values.get("LID", ()))


_UNIVERSITY = re.compile(r",\s*([^,]*\b(?:University|College|Institute|School)\b[^,]*)$")


def _publisher(item_type: str, first: Callable[[str], str]) -> str:
    """PB; in ERIC's records, the publisher or institution in JT, or the university in SO
    (``Ph.D. Dissertation, Drexel University``)."""
    if first("PB"):
        return first("PB")
    if item_type in _PUBLISHED_BY_JT:
        return first("JT")
    if item_type == THESIS:
        university = _UNIVERSITY.search(first("SO"))
        return university[1].strip() if university else ""
    return ""


def _container_title(item_type: str, first: Callable[[str], str]) -> str:
    tag = _container_tag(item_type)
    return first(tag) if tag else ""


# The dates of a file's records are few (a PartialDate is immutable, so shared).
_date = lru_cache(maxsize=4096)(parse_date)


def to_reference(record: RawRecord) -> Reference:
    """The Reference that a MEDLINE record describes; the record itself goes along with it."""
    values: dict[str, list[str]] = {}
    for tag, value in record.fields:
        values.setdefault(tag, []).append(value)

    def first(tag: str) -> str:
        for value in values.get(tag, ()):
            if value:
                return value
        return ""

    full_roles = {role for tag, role in _FULL_FORM_ROLES.items() if tag in values}

    publication_types = tuple(values.get("PT", ()))
    item_type = _item_type(publication_types, values)
    dois = (doi_of(v) for v in values.get("LID", []) + values.get("AID", []))
    plain: dict[str, Any] = {name: first(tag) for name, tag in _PLAIN.items()}  # text fields
    return Reference(
        item_type=item_type,
        title=clean_title(first("TI")) or (first("BTI") if item_type == BOOK else ""),
        container_title=_container_title(item_type, first),
        pages=_pages(values),
        date=_date(first("DP")) if first("DP") else PartialDate(),
        doi=next((doi for doi in dois if doi), ""),
        pmcid=pmcid_of(first("PMC")),
        issns=issns_of(values.get("IS", []) + values.get("ISSN", [])),
        isbn=isbn_of(first("ISBN")),
        publisher=_publisher(item_type, first),
        place=first("PL") if item_type in _PLACED else "",
        creators=_creators(record.fields, full_roles),
        tags=_tags(record.fields, values),
        publication_types=publication_types,
        source_format=SOURCE_FORMAT,
        source_record=record.fields,
        **plain,
    )


# --- references to records -------------------------------------------------------------------

# PubMed's tag order, for placing a tag that the source record did not have.
_TAG_ORDER = (  # noqa: SIM905
    "PMID OWN STAT DCOM LR IS VI IP DP TI BTI CTI PG LID AB CI FED ED FAU AU AD AUID CN LA PT DEP "
    "PL PB ISBN TA JT JID SB MH OT PMC EDAT MHDA CRDT PHST AID PST SO"
).split()
_RANK = {tag: rank for rank, tag in enumerate(_TAG_ORDER)}


def _creator_fields(creator: Creator) -> list[tuple[str, str]]:
    if creator.literal:
        lines = [("CN", creator.literal)]
    elif creator.role in _FULL_FORM:
        full = f"{creator.family}, {creator.given}" if creator.given else creator.family
        short = f"{creator.family} {initials(creator.given)}".strip()
        lines = [(_FULL_FORM[creator.role], full), (_FULL_FORM[creator.role][1:], short)]
    else:
        return []  # MEDLINE has no tag for translators and other roles
    return lines + [("AD", a) for a in creator.affiliations] + [("AUID", i) for i in creator.ids]


def publication_types(ref: Reference) -> list[str]:
    """PT lines that say the item's type: Book, Book Chapter, Technical Report or
    Dissertations/Theses added, and those of other types dropped, to match it.

    What a reference's publication types are once written and read again: its item type
    decides them (public for the property test that writes edited references and reads them
    back)."""
    kept = [pt for pt in ref.publication_types if pt_type(pt) in (None, ref.item_type)]
    said = (
        _says_report(kept)  # ERIC's report types do not make a report of a journal's record
        if ref.item_type == REPORT
        else any(pt_type(pt) == ref.item_type for pt in kept)
    )
    wanted = _PT_BY_TYPE.get(ref.item_type)
    if wanted and not said:
        kept.insert(0, wanted)
    return kept


def _automatic_tags(tags: Iterable[Tag]) -> list[Tag]:
    return [t for t in tags if t.kind in (TAG_MESH, TAG_KEYWORD)]


def _tag_fields(ref: Reference) -> list[tuple[str, str]]:
    tags = _automatic_tags(ref.tags)
    return [("MH", t.mesh_text) for t in tags if t.kind == TAG_MESH] + [
        ("OT", t.mesh_text) for t in tags if t.kind == TAG_KEYWORD
    ]


def _one(tag: str, value: str) -> list[tuple[str, str]]:
    return [(tag, value)] if value else []


@dataclass(frozen=True)
class _Aspect:
    """What some Reference fields become in MEDLINE: the tags they own and how to write them.

    ``owns(tag, value, item_type)`` says whether a source line belongs to these fields for an
    item of that type; ``emit(ref)`` gives the lines for the fields' current values.
    """

    names: tuple[str, ...]
    owns: Callable[[str, str, str], bool]
    emit: Callable[[Reference], list[tuple[str, str]]]
    typed: bool = False  # the tags depend on the item type


def _plain(name: str, tag: str) -> _Aspect:
    return _Aspect((name,), lambda t, v, k: t == tag, lambda r: _one(tag, getattr(r, name)))


def _book_title(ref: Reference) -> list[tuple[str, str]]:
    # A PubMed Book record names the book in BTI and has no TI.
    if ref.item_type == BOOK:
        return _one("BTI", ref.title)
    return _one("TI", title_text(ref.title))


def _container_tag(item_type: str) -> str:
    """The tag of the container's title: BTI for a chapter, JT for a journal's article, none
    for the types whose JT names the publisher (ERIC's books and reports) or that have no
    container (a thesis)."""
    if item_type == CHAPTER:
        return "BTI"
    return "" if item_type in (*_PUBLISHED_BY_JT, THESIS) else "JT"


def _container(ref: Reference) -> list[tuple[str, str]]:
    tag = _container_tag(ref.item_type)
    return _one(tag, ref.container_title) if tag else []


# In PubMed's order, which is the order of a record written from the fields alone.
_ASPECTS: tuple[_Aspect, ...] = (
    _plain("pmid", "PMID"),
    _Aspect(
        ("issns",),
        lambda t, v, k: t in ("IS", "ISSN"),
        lambda r: [("IS", f"{i.value} ({i.kind})" if i.kind else i.value) for i in r.issns],
    ),
    _plain("volume", "VI"),
    _plain("issue", "IP"),
    _Aspect(("date",), lambda t, v, k: t == "DP", lambda r: _one("DP", date_text(r.date))),
    _Aspect(
        ("title",),
        lambda t, v, k: t == "TI" or (t == "BTI" and k == BOOK),
        _book_title,
        typed=True,
    ),
    _plain("collection_title", "CTI"),
    _Aspect(
        ("pages",),
        # An article number in LID is the pages of a record without PG: edited pages replace it.
        lambda t, v, k: t == "PG" or (t == "LID" and bool(article_number([v]))),
        lambda r: _one("PG", r.pages),
    ),
    _Aspect(
        ("doi",),
        lambda t, v, k: t in ("LID", "AID") and bool(doi_of(v)),
        lambda r: [("LID", f"{r.doi} [doi]"), ("AID", f"{r.doi} [doi]")] if r.doi else [],
    ),
    _plain("abstract", "AB"),
    _Aspect(
        ("creators",),
        lambda t, v, k: t in _CREATOR_TAGS,
        lambda r: [line for c in r.creators for line in _creator_fields(c)],
    ),
    _plain("language", "LA"),
    _Aspect(
        ("item_type", "publication_types"),
        lambda t, v, k: t == "PT",
        lambda r: [("PT", pt) for pt in publication_types(r)],
    ),
    _Aspect(
        ("place",),
        lambda t, v, k: t == "PL" and k in _PLACED,  # a journal's PL is its country
        lambda r: _one("PL", r.place) if r.item_type in _PLACED else [],
        typed=True,
    ),
    _Aspect(
        ("publisher",),
        # A thesis's university is read from its SO: an edited publisher replaces that SO too.
        lambda t, v, k: (
            t == "PB"
            or (t == "JT" and k in _PUBLISHED_BY_JT)
            or (t == "SO" and k == THESIS and bool(_UNIVERSITY.search(v)))
        ),
        lambda r: _one("PB", r.publisher),
        typed=True,
    ),
    _plain("isbn", "ISBN"),
    _plain("container_title_short", "TA"),
    _Aspect(
        ("container_title",),
        lambda t, v, k: t == _container_tag(k),
        _container,
        typed=True,
    ),
    _Aspect(("tags",), lambda t, v, k: t in ("MH", "OT"), _tag_fields),
    _plain("pmcid", "PMC"),
)


def _tag_set(tags: Iterable[Tag]) -> set[str]:
    """The automatic tags as a library holds them: in any order, one per name, the first kept.

    An author keyword that is also a MeSH heading ("Stroke") is one tag in the library; that
    is not an edit, and the record's MH and OT lines are written as they were.
    """
    first: dict[str, Tag] = {}
    for tag in _automatic_tags(tags):
        first.setdefault(tag.name, tag)
    return {repr(tag) for tag in first.values()}


def _edited(aspect: _Aspect, ref: Reference, base: Reference) -> bool:
    if aspect.typed and ref.item_type != base.item_type:
        return True
    if aspect.names == ("tags",):
        return _tag_set(ref.tags) != _tag_set(base.tags)
    return any(getattr(ref, name) != getattr(base, name) for name in aspect.names)


def _insert_at(fields: list[tuple[str, str]], tag: str) -> int:
    """Where PubMed would put ``tag``: after the last line whose tag comes before it or is it."""
    rank = _RANK.get(tag, len(_RANK))
    after = [i for i, (t, _) in enumerate(fields) if t in _RANK and _RANK[t] <= rank]
    return after[-1] + 1 if after else 0


def _owned(aspect: _Aspect, fields: SourceRecord, old_type: str, new_type: str) -> list[int]:
    """The lines that mean these fields for the item's old type or for its new one."""
    types = {old_type, new_type}
    return [i for i, (t, v) in enumerate(fields) if any(aspect.owns(t, v, k) for k in types)]


def _patched(ref: Reference) -> list[tuple[str, str]]:
    """The source record with the lines behind the fields the user edited replaced.

    New lines take the places of the old ones (one for one when they have the same tags, else
    all at the first old line); lines for a field the record did not have go where PubMed would
    put them.
    """
    fields = ref.source_record
    base = to_reference(RawRecord(fields, 0))
    dropped: set[int] = set()
    put: dict[int, list[tuple[str, str]]] = {}  # old line index: the new lines written there
    added: list[list[tuple[str, str]]] = []
    for aspect in _ASPECTS:
        if not _edited(aspect, ref, base):
            continue
        owned = _owned(aspect, fields, base.item_type, ref.item_type)
        new = aspect.emit(ref)
        dropped.update(owned)
        if [fields[i][0] for i in owned] == [t for t, _ in new]:
            for i, line in zip(owned, new, strict=True):
                put.setdefault(i, []).append(line)
        elif owned:
            put.setdefault(owned[0], []).extend(new)
        elif new:
            added.append(new)
    out = [
        new for i, line in enumerate(fields) for new in (put.get(i, []) if i in dropped else [line])
    ]
    for lines in added:
        at = _insert_at(out, lines[0][0])
        out[at:at] = lines
    return out


def record_fields(ref: Reference) -> list[tuple[str, str]]:
    """The MEDLINE tag/value lines for ``ref``: for an item imported from MEDLINE, its source
    record with only the lines behind the fields the user edited replaced (so that import,
    export and import again give the same item); for any other, lines made from its fields."""
    if ref.source_format == SOURCE_FORMAT and ref.source_record:
        return _patched(ref)
    return [line for aspect in _ASPECTS for line in aspect.emit(ref)]
