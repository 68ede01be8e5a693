"""CSL-JSON: the citation processors' input format, and refman's most complete exchange format.

``to_csl`` maps a Reference to a standard CSL-JSON item; ``from_csl`` maps one back, so that
CSL-JSON written by refman reads back into equal references. Fields that CSL has no variable
for (MeSH structure, ISSN labels, affiliations) travel in refman's own ``_refman`` member;
other CSL tools ignore members they do not know.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any, TextIO

from refman.model import (
    AUTHOR,
    EDITOR,
    TAG_MANUAL,
    Creator,
    Issn,
    MeshQualifier,
    PartialDate,
    Reference,
    RefmanError,
    Tag,
)

# Reference attribute -> CSL variable, for the plain string fields.
# A JSON object as json.loads gives it: a CSL-JSON item, a name, a date, refman's extras.
Json = dict[str, Any]

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

CSL_SEASONS = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}


def _name(creator: Creator) -> Json:
    if creator.literal:
        return {"literal": creator.literal}
    name = {"family": creator.family}
    if creator.given:
        name["given"] = creator.given
    return name


def _issued(date: PartialDate) -> Json | None:
    if date.year is None:
        return {"literal": date.text} if date.text else None
    parts = [date.year] + [p for p in (date.month, date.day) if p is not None]
    if date.day is not None and date.month is None:
        parts = [date.year]
    issued: Json = {"date-parts": [parts]}
    season = CSL_SEASONS.get(date.season.lower()) if date.season else None
    if season and date.month is None:
        issued["season"] = season
    return issued


def to_csl(ref: Reference, item_id: str) -> Json:
    """The CSL-JSON item for ``ref``; empty fields are left out, as processors expect."""
    item: Json = {"id": item_id, "type": ref.item_type}
    for attr, var in STRING_FIELDS.items():
        value = getattr(ref, attr)
        if value:
            item[var] = value
    for role in (AUTHOR, EDITOR):
        names = [_name(c) for c in ref.creators if c.role == role]
        if names:
            item[role] = names
    issued = _issued(ref.date)
    if issued:
        item["issued"] = issued
    issns = ", ".join(dict.fromkeys(issn.value for issn in ref.issns if issn.value))
    if issns:
        item["ISSN"] = issns  # every ISSN, as Zotero's ISSN field holds them
    keywords = [t.name for t in ref.tags]
    if keywords:
        item["keyword"] = ", ".join(keywords)
    return item


def _extras(ref: Reference) -> Json:
    """What CSL cannot say, so that refman's own CSL-JSON round-trips without loss."""
    return {
        "issns": [[i.value, i.kind] for i in ref.issns],
        "date_text": ref.date.text,
        "season": ref.date.season,
        "creators": [
            {"role": c.role, "affiliations": list(c.affiliations), "ids": list(c.ids)}
            for c in ref.creators
        ],
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


def write(refs: Sequence[Reference], out: TextIO, ids: Sequence[str] | None = None) -> None:
    """Write ``refs`` as one CSL-JSON array; ``ids`` default to the library ids or positions."""
    items = []
    for n, ref in enumerate(refs):
        item_id = ids[n] if ids else str(ref.id if ref.id is not None else n + 1)
        item = to_csl(ref, item_id)
        item["_refman"] = _extras(ref)
        items.append(item)
    json.dump(items, out, ensure_ascii=False, indent=1)
    out.write("\n")


# --- reading back ------------------------------------------------------------------------------


def _creators(item: Json, extras: Json) -> tuple[Creator, ...]:
    """The creators; in refman's own order, with affiliations and ids, when the extras say."""
    by_role = {
        role: [
            Creator(
                family=name.get("family", ""),
                given=name.get("given", ""),
                literal=name.get("literal", ""),
                role=role,
            )
            for name in item.get(role, [])
        ]
        for role in (AUTHOR, EDITOR)
    }
    details = extras.get("creators", [])
    roles = [d.get("role") for d in details]
    if sorted(map(str, roles)) != sorted(
        [AUTHOR] * len(by_role[AUTHOR]) + [EDITOR] * len(by_role[EDITOR])
    ):
        return tuple(by_role[AUTHOR] + by_role[EDITOR])  # not refman's extras: CSL's order
    queues = {role: iter(creators) for role, creators in by_role.items()}
    return tuple(
        replace(next(queues[d["role"]]), affiliations=tuple(d["affiliations"]), ids=tuple(d["ids"]))
        for d in details
    )


def _date(item: Json, extras: Json) -> PartialDate:
    issued = item.get("issued") or {}
    parts = (issued.get("date-parts") or [[]])[0]
    parts = [int(p) for p in parts] + [None, None, None]
    return PartialDate(
        year=parts[0],
        month=parts[1],
        day=parts[2],
        text=extras.get("date_text", issued.get("literal", "")),
        season=extras.get("season", ""),
    )


def _tags(item: Json, extras: Json) -> tuple[Tag, ...]:
    if "tags" in extras:
        return tuple(
            Tag(t["name"], t["kind"], t["major"], tuple(MeshQualifier(*q) for q in t["qualifiers"]))
            for t in extras["tags"]
        )
    words = [w.strip() for w in item.get("keyword", "").split(",")]
    return tuple(Tag(w, TAG_MANUAL) for w in words if w)


def from_csl(item: Json) -> Reference:
    """A Reference from one CSL-JSON item (refman's own extras used when present)."""
    extras = item.get("_refman", {})
    fields: Json = {attr: str(item[var]) for attr, var in STRING_FIELDS.items() if item.get(var)}
    if "issns" in extras:
        issns = tuple(Issn(v, k) for v, k in extras["issns"])
    else:
        issns = (Issn(str(item["ISSN"])),) if item.get("ISSN") else ()
    return Reference(
        item_type=item.get("type", "article-journal"),
        creators=_creators(item, extras),
        date=_date(item, extras),
        issns=issns,
        tags=_tags(item, extras),
        publication_types=tuple(extras.get("publication_types", ())),
        **fields,
    )


def read_text(text: str, name: str = "CSL-JSON") -> Iterable[Reference]:
    """References from CSL-JSON text (an array of items, or one item)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RefmanError(f"{name}: not valid CSL-JSON ({exc.msg} at line {exc.lineno})") from None
    items = data if isinstance(data, list) else [data]
    return [from_csl(item) for item in items if isinstance(item, dict)]
