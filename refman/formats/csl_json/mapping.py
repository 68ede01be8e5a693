"""CSL-JSON items to references, and references back to items.

``to_csl`` maps a Reference to a standard CSL-JSON item (the citation engine's input too);
``extras`` gives refman's own ``_refman`` member, what CSL has no variable for (ISSN labels,
MeSH structure, affiliations and ids, publication types, the printed date), so that refman's own
CSL-JSON reads back into equal references. Other CSL tools ignore members they do not know.

``read_item`` maps an item back: refman's own (with ``_refman``) exactly as written; any other
(Zotero's, Pandoc's, doi.org's, Crossref's) tolerantly, through values. The reader keeps the
item's JSON as the reference's source record, and ``export_item`` gives that item back on
export with only the members behind the fields the user edited replaced (each ``_Aspect`` says
which members some fields own), as the MEDLINE writer does with its records.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from refman.formats.csl_json.values import (
    NAME_VARIABLE_SET,
    NAME_VARIABLES,
    SEASON_NUMBERS,
    abstract_text,
    date_of,
    issns_of,
    item_type_of,
    names_of,
    parts_of,
    text_of,
    texts_of,
)
from refman.model import (
    EDITABLE_FIELDS,
    TAG_MANUAL,
    Creator,
    Issn,
    MeshQualifier,
    PartialDate,
    Reference,
    Tag,
)

# A JSON object as json.loads gives it: a CSL-JSON item, a name, a date, refman's extras.
Json = dict[str, Any]

SOURCE_FORMAT = "csl-json"  # a Reference's source_format when its source record is CSL-JSON
SOURCE_TAG = "item"  # the source record's one pair: ("item", the item's JSON)
EXTRAS = "_refman"  # refman's own member

# Reference attribute -> CSL variable, for the plain string fields.
STRING_FIELDS = {
    "title": "title",
    "abstract": "abstract",
    "container_title": "container-title",
    "container_title_short": "container-title-short",
    "collection_title": "collection-title",
    "volume": "volume",
    "issue": "issue",
    "pages": "page",
    "doi": "DOI",
    "pmid": "PMID",
    "pmcid": "PMCID",
    "isbn": "ISBN",
    "language": "language",
    "publisher": "publisher",
    "place": "publisher-place",
    "url": "URL",
}
# Members other tools write for a field, read when the standard one is missing: Zotero's
# journalAbbreviation, Crossref's short-container-title, an event's place, a first page alone.
ALIASES = {
    "container_title_short": ("journalAbbreviation", "short-container-title"),
    "place": ("event-place",),
    "pages": ("page-first",),
}
# The date members read for the date, in this order (Crossref's API gives no "issued" at times).
DATE_MEMBERS = ("issued", "published-print", "published-online", "published")

# The fields a reference's content is: what a round trip must keep.
CONTENT_FIELDS = (*EDITABLE_FIELDS, "tags", "publication_types")

CSL_SEASONS = SEASON_NUMBERS  # the name a season had here before values.py


# --- references to items ----------------------------------------------------------------------


def _name(creator: Creator) -> Json:
    name: Json = {}
    if creator.family or not creator.literal:
        name["family"] = creator.family
    if creator.given:
        name["given"] = creator.given
    if creator.literal:
        name["literal"] = creator.literal
    return name


def _issued(date: PartialDate) -> Json | None:
    parts = parts_of(date)
    if not parts:
        return {"literal": date.text} if date.text else None
    issued: Json = {"date-parts": [parts]}
    season = SEASON_NUMBERS.get(date.season.lower()) if date.season else None
    if season and date.month is None:
        issued["season"] = season
    return issued


def _roles(ref: Reference) -> list[str]:
    """The CSL name variables of the item's creators, in the order they first come."""
    return [r for r in dict.fromkeys(c.role for c in ref.creators) if r in NAME_VARIABLE_SET]


def to_csl(ref: Reference, item_id: str) -> Json:
    """The CSL-JSON item for ``ref``; empty fields are left out, as processors expect."""
    item: Json = {"id": item_id, "type": ref.item_type}
    for attr, var in STRING_FIELDS.items():
        value = getattr(ref, attr)
        if value:
            item[var] = value
    for role in _roles(ref):
        item[role] = [_name(c) for c in ref.creators if c.role == role]
    issued = _issued(ref.date)
    if issued:
        item["issued"] = issued
    if ref.issns:
        item["ISSN"] = ", ".join(dict.fromkeys(i.value for i in ref.issns))
    keywords = [t.name for t in ref.tags]
    if keywords:
        item["keyword"] = ", ".join(keywords)
    return item


def extras(ref: Reference) -> Json:
    """What CSL cannot say, so that refman's own CSL-JSON round-trips without loss."""
    found: Json = {
        "issns": [[i.value, i.kind] for i in ref.issns],
        "date_text": ref.date.text,
        "season": ref.date.season,
        "creators": [_creator_extras(c) for c in ref.creators],
        "tags": [
            {
                "name": t.name,
                "kind": t.kind,
                "major": t.major,
                "qualifiers": [[q.name, q.major] for q in t.qualifiers],
            }
            for t in ref.tags
        ],
        "publication_types": list(ref.publication_types),
    }
    date = ref.date
    issued = _issued(date)
    read = date_of(issued) if issued else PartialDate()
    if (read.year, read.month, read.day) != (date.year, date.month, date.day):
        found["date"] = [date.year, date.month, date.day]  # parts CSL cannot hold
    return found


def _creator_extras(creator: Creator) -> Json:
    found: Json = {
        "role": creator.role,
        "affiliations": list(creator.affiliations),
        "ids": list(creator.ids),
    }
    if creator.role not in NAME_VARIABLE_SET:  # no CSL variable holds it: the name goes here
        found["name"] = [creator.family, creator.given, creator.literal]
    return found


# --- items to references ----------------------------------------------------------------------


def from_csl(item: Json) -> Reference:
    """A Reference from one CSL-JSON item (refman's own extras used when present)."""
    return read_item(item)[0]


def read_item(item: Json) -> tuple[Reference, str]:
    """The reference one item describes, and a problem met in reading it ("" when none).

    An item with refman's own ``_refman`` member is read as refman wrote it; one whose member
    cannot be read (a hand edit gone wrong) is read as any other tool's item, and said.
    """
    own = item.get(EXTRAS)
    if isinstance(own, dict):
        try:
            return _own_item(item, own), ""
        except (KeyError, TypeError, ValueError, AttributeError, StopIteration):
            problem = f"refman's own {EXTRAS} member cannot be read; read the CSL variables alone"
            return _other_item(item), problem
    return _other_item(item), ""


# Identifiers that tools with no variable for them write into the note, a "Name: value" line
# each, as Zotero's Extra field holds them (Zotero before 5.0.78, Better BibTeX, Mendeley).
_NOTE_IDS = {"PMID": "pmid", "PMCID": "pmcid", "DOI": "doi"}
_NOTE_LINE = re.compile(r"^\s*(PMID|PMCID|DOI)\s*:\s*(\S+)\s*$", re.M | re.I)


def _note_ids(note: str) -> dict[str, str]:
    """The identifiers the note states (``PMID: 123``), by Reference attribute."""
    found: dict[str, str] = {}
    for name, value in _NOTE_LINE.findall(note):
        found.setdefault(_NOTE_IDS[name.upper()], value)
    return found


def _other_item(item: Json) -> Reference:
    """An item written by another tool, read tolerantly (see values)."""
    fields: Json = {}
    for attr, var in STRING_FIELDS.items():
        value = text_of(item.get(var))
        for alias in ALIASES.get(attr, ()):
            value = value or text_of(item.get(alias))
        fields[attr] = value
    for attr, found in _note_ids(text_of(item.get("note"))).items():
        fields[attr] = fields[attr] or found
    fields["abstract"] = abstract_text(item.get("abstract"))
    fields["isbn"] = ", ".join(dict.fromkeys(texts_of(item.get("ISBN"))))
    date = next((item[m] for m in DATE_MEMBERS if item.get(m)), None)
    roles = [key for key in item if key in NAME_VARIABLE_SET]  # in the item's order
    words = [w.strip() for text in texts_of(item.get("keyword")) for w in text.split(",")]
    return Reference(
        item_type=item_type_of(item.get("type"), bool(fields["container_title"])),
        creators=tuple(c for role in roles for c in names_of(item.get(role, []), role)),
        date=date_of(date),
        issns=issns_of(item.get("ISSN"), item.get("issn-type")),
        tags=tuple(Tag(w, TAG_MANUAL) for w in dict.fromkeys(words) if w),
        **fields,
    )


def _own_item(item: Json, own: Json) -> Reference:
    """An item refman wrote: the CSL variables as they are, the rest from ``own``."""
    fields: Json = {attr: text_of(item.get(var)) for attr, var in STRING_FIELDS.items()}
    return Reference(
        item_type=text_of(item["type"]) if "type" in item else "article-journal",
        creators=_own_creators(item, own),
        date=_own_date(item, own),
        issns=tuple(Issn(str(v), str(k)) for v, k in own["issns"]),
        tags=tuple(
            Tag(
                str(t["name"]),
                str(t["kind"]),
                bool(t["major"]),
                tuple(MeshQualifier(str(name), bool(major)) for name, major in t["qualifiers"]),
            )
            for t in own["tags"]
        ),
        publication_types=tuple(map(str, own["publication_types"])),
        **fields,
    )


def _own_creators(item: Json, own: Json) -> tuple[Creator, ...]:
    """The creators in refman's order, each with its affiliations and ids."""
    names = {role: iter(item[role]) for role in NAME_VARIABLES if isinstance(item.get(role), list)}
    creators = []
    for detail in own["creators"]:
        role = str(detail["role"])
        if "name" in detail:
            family, given, literal = map(str, detail["name"])
        else:
            name = next(names[role])
            family, given, literal = (text_of(name.get(p)) for p in ("family", "given", "literal"))
        creators.append(
            Creator(
                family,
                given,
                literal,
                role,
                tuple(map(str, detail["affiliations"])),
                tuple(map(str, detail["ids"])),
            )
        )
    if any(next(left, None) is not None for left in names.values()):
        raise ValueError("more names than refman's member lists")
    return tuple(creators)


def _own_date(item: Json, own: Json) -> PartialDate:
    date = date_of(item.get("issued"))
    year, month, day = own.get("date", (date.year, date.month, date.day))
    return PartialDate(year, month, day, str(own["date_text"]), str(own["season"]))


# --- references back to items: the item as imported, with the edited members replaced ----------


@dataclass(frozen=True)
class _Aspect:
    """Some Reference fields and the members of an item that say them."""

    names: tuple[str, ...]
    owns: Callable[[str], bool]  # is this member one of them?


def _string_aspect(attr: str, var: str) -> _Aspect:
    members = frozenset((var, *ALIASES.get(attr, ())))
    return _Aspect((attr,), members.__contains__)


_ASPECTS: tuple[_Aspect, ...] = (
    _Aspect(("item_type",), "type".__eq__),
    *(_string_aspect(attr, var) for attr, var in STRING_FIELDS.items()),
    _Aspect(("creators",), NAME_VARIABLE_SET.__contains__),
    _Aspect(("date",), "issued".__eq__),
    _Aspect(("issns",), ("ISSN", "issn-type").__contains__),
    _Aspect(("tags",), "keyword".__eq__),
)


def _tag_set(tags: Iterable[Tag]) -> list[Tag]:
    """The tags as a library holds them: each name once, the first kept."""
    first: dict[str, Tag] = {}
    for tag in tags:
        first.setdefault(tag.name, tag)
    return list(first.values())


def _differs(ref: Reference, base: Reference, name: str) -> bool:
    if name == "tags":
        return _tag_set(ref.tags) != _tag_set(base.tags)
    return bool(getattr(ref, name) != getattr(base, name))


def same_content(ref: Reference, other: Reference) -> bool:
    """True when the two say the same in every field a round trip keeps."""
    return not any(_differs(ref, other, name) for name in CONTENT_FIELDS)


def source_item(ref: Reference) -> Json | None:
    """The CSL-JSON item ``ref`` was imported from, or None."""
    if ref.source_format != SOURCE_FORMAT or not ref.source_record:
        return None
    tag, text = ref.source_record[0]
    try:
        item = json.loads(text) if tag == SOURCE_TAG else None
    except ValueError:
        return None
    return item if isinstance(item, dict) else None


def _patched(source: Json, ref: Reference, base: Reference) -> Json:
    """``source`` with the members behind the fields edited since (``ref`` against ``base``)
    replaced by the members ``to_csl`` writes for them, in the place of the first old one."""
    members = list(source.items())
    fresh = to_csl(ref, "")
    for aspect in _ASPECTS:
        if not any(_differs(ref, base, name) for name in aspect.names):
            continue
        new = [(key, value) for key, value in fresh.items() if aspect.owns(key) and key != "id"]
        owned = [i for i, (key, _) in enumerate(members) if aspect.owns(key)]
        at = owned[0] if owned else len(members)
        kept = [pair for i, pair in enumerate(members) if i not in owned]
        at -= sum(1 for i in owned if i < at)
        members = kept[:at] + new + kept[at:]
    return dict(members)


def export_item(ref: Reference, item_id: str, *, keep_own_id: bool = True) -> Json:
    """The item a CSL-JSON export writes for ``ref``.

    An item imported from CSL-JSON is its item as imported (its own ``id`` too, unless
    ``keep_own_id`` is False: then ``item_id``, the stored citation key), with the members
    of the fields edited since replaced; refman's member is
    written when the item had one, or when the CSL variables alone would not give ``ref``
    back. Any other reference is ``to_csl`` with refman's member.
    """
    source = source_item(ref)
    if source is None:
        item = to_csl(ref, item_id)
        item[EXTRAS] = extras(ref)
        return item
    base, _ = read_item(source)
    item = _patched(source, ref, base)
    if keep_own_id:
        item.setdefault("id", item_id)
    else:
        item = {"id": item_id, **item} if "id" not in item else {**item, "id": item_id}
    if EXTRAS in source:
        item[EXTRAS] = extras(ref)
        return item
    if not same_content(_other_item(item), ref):
        item[EXTRAS] = extras(ref)
    return item


def with_source(ref: Reference, item: Json, text: str) -> Reference:
    """``ref`` keeping ``item`` (written as ``text``) as its source record."""
    own_id = item.get("id")  # Pandoc's citation key: kept by the import when it is free
    return replace(
        ref,
        source_format=SOURCE_FORMAT,
        source_record=((SOURCE_TAG, text),),
        citation_key=own_id if isinstance(own_id, str) else "",
    )
