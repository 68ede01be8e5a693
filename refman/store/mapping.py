"""Row ↔ Reference: the values stored for an item, its creators, tags and source record.

Everything here is plain Python (no peewee, no SQL) so that the bulk insert path and the
single-item path build exactly the same rows. Besides the fields of a ``Reference`` an item row
holds derived keys: the DOI as compared (lowercase, no resolver prefix), sort keys (the title's
also finds the items that may share a ``title_key``, for duplicate matching: the rule is in
``duplicates``) and the creator summary shown in the item table. They are recomputed whenever
the item is written.
"""

from __future__ import annotations

import json
import operator
import re
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar, cast

from refman.model import (
    AUTHOR,
    EDITABLE_FIELDS,
    TAG_KEYWORD,
    TAG_MESH,
    Creator,
    Issn,
    ItemId,
    MeshQualifier,
    PartialDate,
    Reference,
    SourceRecord,
    Tag,
)
from refman.store.record_dictionary import DICTIONARY

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

# Reference fields stored as-is in an item column of the same name: the editable ones but those
# kept otherwise (the abstract in a table of its own, the date in columns of its parts, ISSNs
# and creators encoded), and the source record's format. Their order is the item row's.
PLAIN_FIELDS: tuple[str, ...] = (
    *(f for f in EDITABLE_FIELDS if f not in ("abstract", "date", "issns", "creators")),
    "source_format",
)
DATE_COLUMNS: tuple[str, ...] = ("year", "month", "day", "season", "date_text")
# Derived from the fields above; never read back into a Reference.
KEY_COLUMNS: tuple[str, ...] = (
    "doi_key",
    "title_sort",
    "creators_sort",
    "creator_summary",
    "date_sort",
    "journal_sort",
    "pmid_sort",
    "volume_sort",
    "pages_sort",
)
# The columns read to rebuild a Reference, in this order after ``id``.
STORED_COLUMNS: tuple[str, ...] = (
    PLAIN_FIELDS + DATE_COLUMNS + ("issns", "publication_types", "date_added", "date_modified")
)
# Every item column, in the order of the tuples ``item_row`` builds.
ITEM_COLUMNS: tuple[str, ...] = ("id",) + STORED_COLUMNS + KEY_COLUMNS
CREATOR_COLUMNS: tuple[str, ...] = (
    "item_id",
    "position",
    "role",
    "family",
    "given",
    "literal",
    "affiliations",
    "ids",
)
ITEM_TAG_COLUMNS: tuple[str, ...] = (
    "item_id",
    "tag_id",
    "kind",
    "position",
    "major",
    "qualifiers",
)

_T = TypeVar("_T", bound="DataclassInstance")

# A row as SQLite gives it or takes it: a value of whatever type its column holds.
Row = tuple[Any, ...]

_NUMBER = re.compile(r"\d+")
_NOT_WORD = re.compile(r"[\W_]+")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


# --- keys -------------------------------------------------------------------------------------


# Cached: an imported title is folded for its sort key and twice for its duplicate key, and
# journal names recur from item to item.
@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lowercase, drop accents and punctuation, collapse spaces: 'Müller-Lyon.' → 'muller lyon'."""
    bare = text.casefold()
    if not bare.isascii():  # most text is ASCII: skip the slow per-character pass
        decomposed = unicodedata.normalize("NFKD", bare)
        bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", bare).split())


def natural_key(text: str) -> str:
    """A key that sorts numbers by value ('9' before '10', 'S2' before 'S10'): each number is
    written shorter than padded to ten digits, in the same order (``_number_key``)."""
    if text.isdigit() and text.isascii() and len(text) < 10:  # a PMID, a volume: one number
        significant = text.lstrip("0") or "0"
        return _LENGTH_MARKS[len(significant)] + significant
    return _NUMBER.sub(_number_key, text.casefold().strip())


# Until issue 18 (i18-file100k) a key padded every number to at least ten digits
# (``padded_numbers``). A number now gives the same order in fewer characters: the keys of any
# two texts compare as their padded keys did (equal, before or after; tests/unit/store/
# test_sort_keys.py). A number of nine digits or fewer, padded, began with "0": it is written as
# one digit telling how many digits it has without its leading zeros ("0" for one, "8" for
# nine) and those digits ("7" → "07", "0123" → "2123", "0" → "00"); a longer run beginning with
# "0" the same way for its first ten digits, then the rest as it is. A run of ten or more
# digits beginning with another ASCII digit is marked "9" and kept whole; one beginning with
# another script's digit is kept as it is. The first character of each form is a digit, as
# the padded number's was, so that a number compares with the text around it as before.
_LENGTH_MARKS = ("",) + tuple("012345678")  # by the count of digits, 1 to 9
_PADDING = {mark: "0" * (10 - count) for count, mark in enumerate(_LENGTH_MARKS) if mark}


def _number_key(match: re.Match[str]) -> str:
    digits = match.group()
    if len(digits) < 10:  # nearly every number
        significant = digits.lstrip("0") or "0"
        return _LENGTH_MARKS[len(significant)] + significant
    if digits[0] == "0":
        significant = digits[:10].lstrip("0") or "0"
        return _LENGTH_MARKS[len(significant)] + significant + digits[10:]
    if "1" <= digits[0] <= "9":
        return "9" + digits
    return digits


def shorter_numbers(key: str) -> str:
    """A key written before with padded numbers (``padded_numbers``) as ``natural_key`` now
    writes it: the schema step that converts a library's sort keys. A key with a run of fewer
    than ten digits was not padded (it is written already, by a step run again on a file put
    back to an earlier version) and is kept."""
    if any(len(run) < 10 for run in _NUMBER.findall(key)):
        return key
    return _NUMBER.sub(_number_key, key)


def _padded_number(match: re.Match[str]) -> str:
    run = match.group()
    padding = _PADDING.get(run[0])
    if padding is not None:
        return padding + run[1:]
    return run[1:] if run[0] == "9" else run


def padded_numbers(key: str) -> str:
    """A key of ``natural_key`` as it was written before issue 18 (i18-file100k), each number
    padded to ten digits: the inverse of ``shorter_numbers`` (import fingerprints digest the
    keys as rows held them, so that imports made before can still be undone)."""
    return _NUMBER.sub(_padded_number, key)


def doi_key(doi: str) -> str:
    """The DOI as compared for duplicates: lowercase, without a resolver prefix."""
    return _DOI_PREFIX.sub("", doi.strip()).lower()


def primary_creators(ref: Reference) -> tuple[Creator, ...]:
    """The creators the item is known by: its authors, or its editors when it has none."""
    return ref.authors() or ref.editors()


def _short_name(creator: Creator) -> str:
    return creator.literal or creator.family or creator.given


def creator_summary(ref: Reference) -> str:
    """'Knowles', 'Knowles and Canestrari' or 'Knowles et al.', as Zotero shows creators;
    editors (of an item with no authors) are marked: 'Boardman (ed.)', 'Boardman et al. (eds.)'.
    Migration step 5 (migrations.mark_editors_in_summaries) marks them in older libraries
    as this does, and must change with it."""
    primary = primary_creators(ref)
    names = [_short_name(c) for c in primary]
    summary = f"{names[0]} et al." if len(names) > 2 else " and ".join(names)
    if summary and not ref.authors():
        summary += " (eds.)" if len(primary) > 1 else " (ed.)"
    return summary


def title_key(ref: Reference) -> str:
    """Normalised title + year + first author's family name, for duplicate matching.

    Empty when the title has no words: untitled items never match one another.
    """
    authors = ref.authors()
    family = (authors[0].family or authors[0].literal) if authors else ""
    return title_key_of(ref.title, ref.date.year, family)


def title_key_of(title: str, year: int | None, family: str) -> str:
    """``title_key`` from an item's title, year and first author's family (or group) name:
    the library keeps no key of its own, the items sharing a title are found through
    ``title_sort`` (``title_sort_of``) and their keys made from their columns."""
    folded = fold(title)
    if not folded:
        return ""
    return f"{folded}|{year if year else ''}|{fold(family)}"


def title_sort_of(key: str) -> str:
    """The ``title_sort`` of every item whose ``title_key`` is ``key``."""
    return natural_key(key.partition("|")[0])


def _date_sort(date: PartialDate) -> str:
    if date.year is None:
        return ""
    return f"{date.year:04d}-{date.month or 0:02d}-{date.day or 0:02d}"


def _creators_sort(ref: Reference) -> str:
    first = next(iter(primary_creators(ref)), None)
    if first is None:
        return ""
    return fold(first.literal or f"{first.family} {first.given}")


def key_values(ref: Reference) -> tuple[str, ...]:
    """The derived columns of KEY_COLUMNS for this reference."""
    return (
        doi_key(ref.doi),
        natural_key(fold(ref.title)),
        _creators_sort(ref),
        creator_summary(ref),
        _date_sort(ref.date),
        fold(ref.container_title or ref.container_title_short),
        natural_key(ref.pmid),
        natural_key(ref.volume),
        natural_key(ref.pages),
    )


# --- times ------------------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@lru_cache(maxsize=256)  # the items of one import share one moment
def format_time(moment: datetime) -> str:
    """ISO 8601 in UTC, to the second: sorts as text and SQLite's date functions read it."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- JSON columns -----------------------------------------------------------------------------
# Small lists read only with their row (ISSNs, affiliations, MeSH qualifiers) are JSON text, and
# "" when empty so that the common case costs no bytes.


# One encoder for all: json.dumps with options builds a new encoder on every call.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


# The commonest values of two columns are stored as "" (issue 18, i18-bytes): a creator's role
# "author" (nearly every creator) and a tag link's kind "mesh" (three links in four of a MEDLINE
# library). A text of 4 or 6 bytes on each of millions of rows goes; the reader puts it back.
STORED_AUTHOR = ""
STORED_MESH = ""


# An author keyword's link (330,000 of them at 100,000 MEDLINE items) is stored as "k" (issue
# 18, i18-file100k); "keyword" in rows written before the schema step that converts them.
STORED_KEYWORD = "k"
_KINDS_READ = {STORED_MESH: TAG_MESH, STORED_KEYWORD: TAG_KEYWORD}


def stored_role(role: str) -> str:
    return STORED_AUTHOR if role == AUTHOR else role


def read_kind(kind: str) -> str:
    """A tag link's kind as stored, read back as the text ("mesh", "keyword", ...)."""
    return _KINDS_READ.get(kind, kind)


def stored_kind(kind: str) -> str:
    if kind == TAG_MESH:
        return STORED_MESH
    return STORED_KEYWORD if kind == TAG_KEYWORD else kind


# ISSNs as text (issue 18, i18-file100k): "0164-1476e 8039-1907l" for a print (p), electronic
# (e), linking (l) or unlabelled ISSN, where the JSON of [value, label] pairs took 52 bytes for
# MEDLINE's usual two. Values not in the ISSN's form, or other labels, keep the JSON (which
# begins with "["; every row written before holds it).
_ISSN_FORM = re.compile(r"\d{4}-\d{3}[\dX]", re.ASCII)
_ISSN_KINDS = {"Print": "p", "Electronic": "e", "Linking": "l", "": ""}
_ISSN_LABELS = {code: kind for kind, code in _ISSN_KINDS.items()}


def issns_text(issns: Sequence[Issn]) -> str:
    """The issns column of these ISSNs: the short text when each has the ISSN's form and one
    of MEDLINE's labels, else JSON; "" for none."""
    if all(i.kind in _ISSN_KINDS and _ISSN_FORM.fullmatch(i.value) for i in issns):
        return " ".join(i.value + _ISSN_KINDS[i.kind] for i in issns)
    return to_json([[issn.value, issn.kind] for issn in issns])


def issns_of_text(text: str) -> tuple[Issn, ...]:
    """The ISSNs of an issns column, in either form."""
    if not text or text[0] == "[":
        return tuple(Issn(value, kind) for value, kind in from_json(text))
    return tuple(Issn(part[:9], _ISSN_LABELS[part[9:]]) for part in text.split(" "))


def shorter_issns(text: str) -> str:
    """An issns column written before as JSON, in the form ``issns_text`` now writes."""
    return issns_text(issns_of_text(text))


@lru_cache(maxsize=4096)  # a journal's items share theirs (JSON_CACHED, below)
def issns_json(text: str) -> str:
    """An issns column as JSON, as rows held it before issue 18 (i18-file100k): what import
    fingerprints digest."""
    if not text or text[0] == "[":
        return text
    return to_json([[issn.value, issn.kind] for issn in issns_of_text(text)])


def to_json(values: Sequence[object]) -> str:
    return _JSON.encode(values) if values else ""


# The JSON of lists an import writes is cached for the values that recur close together (the
# authors of one record share an affiliation, a journal's items their publication types), not
# for every value of a large import: filled to 65,536, these three held some 50 MB more of an
# import of 100,000 synthetic records, and more as the import went on, against 4,096 each.
JSON_CACHED = 4096


@lru_cache(maxsize=JSON_CACHED)
def _strings_json(values: tuple[str, ...]) -> str:
    """to_json of a tuple of strings, cached: the encoder costs more to start than to run,
    and affiliations, ids and publication types repeat across the items of an import."""
    return to_json(list(values))


def qualifier_names(tags: Iterable[Tag]) -> set[str]:
    """The subheadings of these tags that a link names by id: those in lower case, as the
    qualifier table holds them (MEDLINE's all are); another is kept as its text."""
    return {q.name for tag in tags for q in tag.qualifiers if q.name == q.name.lower()}


def names_qualifiers_by_text(tags: Iterable[Tag], ids: Mapping[str, int]) -> bool:
    """Whether a link of these tags, written with ``ids``, names a subheading by its text."""
    return any(q.name not in ids for tag in tags for q in tag.qualifiers)


def _qualifiers_json(qualifiers: Sequence[MeshQualifier], ids: Mapping[str, int]) -> str:
    """The MeSH qualifiers of a tag link as JSON: each subheading by its id in the qualifier
    table when ``ids`` has it, and its major flag as 1 or 0 (issue 18, i18-bytes: the names,
    true and false were 13 bytes of each of some 700,000 subheadings at 100,000 items). Links
    written before hold the names, true and false; both are read."""
    return _pairs_json(tuple((ids.get(q.name, q.name), int(q.major)) for q in qualifiers))


@lru_cache(maxsize=JSON_CACHED)
def _pairs_json(pairs: tuple[tuple[int | str, int], ...]) -> str:
    """to_json of the pairs, cached: the same few sets of subheadings recur."""
    return to_json([list(pair) for pair in pairs])


def from_json(text: str) -> tuple[Any, ...]:
    """The values of a small JSON array column, as a tuple."""
    return tuple(json.loads(text)) if text else ()


def from_json_many(texts: Iterable[str]) -> list[tuple[Any, ...]]:
    """``from_json`` of each text, parsed in one call.

    The fixed cost of a ``json.loads`` call is most of the cost of decoding these small
    values, and loading 10,000 items meets 130,000 of them (affiliations, author ids).
    """
    joined = ",".join(text or "[]" for text in texts)
    return [tuple(values) for values in json.loads(f"[{joined}]")]


# --- writing ----------------------------------------------------------------------------------


# The DOI is stored as "" when it is its own doi_key (issue 18, i18-file100k: lowercase and
# without a resolver prefix, as in nearly every MEDLINE record), and read back from doi_key:
# a DOI that is "" has a doi_key that is "" too, so the reader cannot take one for the other.
_DOI_AT = PLAIN_FIELDS.index("doi")


def stored_doi(doi: str, key: str) -> str:
    """The doi column of an item whose DOI is ``doi`` and doi_key ``key``."""
    return "" if doi == key else doi


def doi_read(stored: str, key: str) -> str:
    """The DOI of an item from its doi and doi_key columns (``stored_doi``)."""
    return stored or key


def item_row(
    ref: Reference, item_id: int, added: datetime, modified: datetime
) -> tuple[object, ...]:
    """The item row in ITEM_COLUMNS order."""
    date = ref.date
    keys = key_values(ref)
    plain = [getattr(ref, name) for name in PLAIN_FIELDS]
    plain[_DOI_AT] = stored_doi(ref.doi, keys[0])
    return (
        (item_id,)
        + tuple(plain)
        + (date.year, date.month, date.day, date.season, date.text)
        + (
            issns_text(ref.issns),
            _strings_json(tuple(ref.publication_types)),
            format_time(added),
            format_time(modified),
        )
        + keys
    )


def creator_rows(
    item_id: int, creators: Iterable[Creator], affiliation_ids: Mapping[str, int]
) -> list[tuple[int, int, str, str, str, str, str, str]]:
    """The creator rows of an item; ``affiliation_ids``: {text: id} of (at least) their
    affiliations, which a row names by id (store/field_index.py)."""
    id_of, role = affiliation_ids.__getitem__, stored_role
    return [
        (
            item_id,
            position,
            role(c.role),
            c.family,
            c.given,
            c.literal,
            _ids_json(tuple(map(id_of, c.affiliations))) if c.affiliations else "",
            _strings_json(tuple(c.ids)) if c.ids else "",
        )
        for position, c in enumerate(creators)
    ]


@lru_cache(maxsize=JSON_CACHED)
def _ids_json(ids: tuple[int, ...]) -> str:
    return to_json(list(ids))


def affiliations_json(affiliations: tuple[str, ...]) -> str:
    """A creator's affiliations as ``affiliations_as_texts`` reads its row back: the JSON of
    their texts, "" for none."""
    return _strings_json(affiliations) if affiliations else ""


def affiliations_as_texts(value: str, texts: Mapping[int, str]) -> str:
    """A creator row's affiliations column with ids replaced by their texts: the column as
    rows held it before affiliations were stored once (what import fingerprints digest)."""
    listed = from_json(value)
    if not any(isinstance(v, int) for v in listed):
        return value
    return _strings_json(tuple(texts.get(v, "") if isinstance(v, int) else v for v in listed))


def tag_link_row(
    item_id: int, tag_id: int, tag: Tag, position: int, qualifier_ids: Mapping[str, int]
) -> tuple[int, int, str, int, int, str]:
    """A tag link's row; ``qualifier_ids``: {name: id} of (at least) the subheadings it names
    by id (``qualifier_names``)."""
    qualifiers = _qualifiers_json(tag.qualifiers, qualifier_ids) if tag.qualifiers else ""
    return (item_id, tag_id, stored_kind(tag.kind), position, int(tag.major), qualifiers)


def tag_link_rows(
    new: Iterable[tuple[int, Reference]],
    tag_ids: Mapping[str, int],
    qualifier_ids: Mapping[str, int],
) -> tuple[list[tuple[int, int, str, int, int, str]], list[tuple[int, int, int]] | None]:
    """The tag link rows (``tag_link_row``) of these (item id, reference), in item order, then
    position; and the (item id, tag id, qualifier id) rows of their subheadings, each item's by
    tag id (as field_index.index_qualifiers reads them), or None when a link names one by its
    text (one not in ``qualifier_ids``). One pass over the tags, for an import's batch."""
    kind_of, qualifiers_json = stored_kind, _qualifiers_json  # as they are now (tests swap them)
    links: list[tuple[int, int, str, int, int, str]] = []
    by_id: list[tuple[int, int, int]] | None = []
    for item_id, ref in new:
        qualified: list[tuple[int, Tag]] = []
        for position, tag in enumerate(ref.tags):
            tag_id = tag_ids[tag.name]
            qualifiers = ""
            if tag.qualifiers:
                qualifiers = qualifiers_json(tag.qualifiers, qualifier_ids)
                qualified.append((tag_id, tag))
            links.append((item_id, tag_id, kind_of(tag.kind), position, int(tag.major), qualifiers))
        if qualified and by_id is not None:
            qualified.sort(key=_FIRST)
            try:
                by_id += [
                    (item_id, tag_id, qualifier_ids[q.name])
                    for tag_id, tag in qualified
                    for q in tag.qualifiers
                ]
            except KeyError:  # named by its text
                by_id = None
    return links, by_id


_FIRST = operator.itemgetter(0)


# Source record blobs come in two layouts. The compact one (schema 4 and later) is the
# pairs as text, each tag and value joined by _TAG_END and the pairs by _PAIR_END, compressed
# and marked by a first byte that zlib output never starts with (its first byte is 0x78 at
# every level used here). Records whose text holds those separators, and all rows written
# before, are a compressed JSON array.
_COMPACT = b"\x01"
_TAG_END, _PAIR_END = "\x1f", "\x1e"
# The compact layout with one value left out because it is the item's abstract, stored
# in item_abstract (issue 18: the abstract is a third of a MEDLINE record's text, and was
# stored twice). After the mark come the pair's index in decimal and b":", then zlib's bytes.
# Written by items.insert only, from the latest schema on; the abstract is put back on reading.
_SHARED = b"\x02"
# The same two layouts compressed with the preset dictionary of store/record_dictionary.py
# (issue 18, i18-size: a seventh smaller). Written from the schema step that packs long text
# on; the two above are still read.
_COMPACT_DICT, _SHARED_DICT = b"\x03", b"\x04"
_WITH_DICTIONARY = {_COMPACT_DICT: _COMPACT, _SHARED_DICT: _SHARED}
# The compact layout with the dictionary and values left out because the item holds them
# elsewhere (issue 18, i18-filesize): its abstract, and each value equal to one of its
# creators' affiliations (a MEDLINE record's AD lines were a fifth of its compressed bytes).
# After the mark come the places, "i=a" (pair i is the abstract) or "i=k" (pair i is the k-th
# of record_affiliations), joined by ",", then b":" and zlib's bytes. Written from the schema
# step that names them (migrations._records_name_affiliations) on.
_SHARED_MANY = b"\x05"
_MIN_SHARED = 16  # a shorter value costs less kept than its place does
# zlib's level: 6 makes records 6 % smaller than 1 for about 10 µs more each.
_LEVEL = 6


def _compress(text: str) -> bytes:
    compressor = zlib.compressobj(_LEVEL, zdict=DICTIONARY)
    return compressor.compress(text.encode("utf-8")) + compressor.flush()


def _decompress(data: bytes, dictionary: bool) -> bytes:
    if not dictionary:
        return zlib.decompress(data)
    decompressor = zlib.decompressobj(zdict=DICTIONARY)
    out = decompressor.decompress(data) + decompressor.flush()
    if not decompressor.eof:
        raise zlib.error("the compressed record is cut short")
    return out


def encode_source_record(
    record: Sequence[tuple[str, str]], abstract: str = "", affiliations: Sequence[str] = ()
) -> bytes:
    """The tag/value pairs as one compressed blob; the first value equal to ``abstract`` (the
    item's, when item_abstract holds it) and the values equal to one of ``affiliations`` (the
    item's, ``record_affiliations``) are left out of it, to be put back on reading.

    One row per item instead of ~60 (a child table would hold 6 million rows for 100,000
    items); the record is only ever read whole, for export or display. zlib at level 1
    shrinks a MEDLINE record about 2.7 times (5 kB → 1.9 kB) for a few tens of µs. Joining
    the pairs with two separators costs a tenth of encoding them as JSON.
    """
    text = _PAIR_END.join(map(_TAG_END.join, record))
    if text.count(_TAG_END) == len(record) and text.count(_PAIR_END) == len(record) - 1:
        shared = _abstract_index(record, abstract)
        places = _affiliation_places(record, affiliations, shared)
        if places:
            return _left_out(record, places)
        if shared is None:
            return _COMPACT_DICT + _compress(text)
        tag = record[shared][0]
        left_out = (*record[:shared], (tag, ""), *record[shared + 1 :])
        text = _PAIR_END.join(map(_TAG_END.join, left_out))
        return b"%s%d:%s" % (_SHARED_DICT, shared, _compress(text))
    return zlib.compress(_JSON.encode(record).encode("utf-8"), 1)


def record_affiliations(creators: Iterable[Creator]) -> tuple[str, ...]:
    """The creators' affiliations in order, each once: the values a stored record may name."""
    return tuple(dict.fromkeys(text for creator in creators for text in creator.affiliations))


def _affiliation_places(
    record: Sequence[tuple[str, str]], affiliations: Sequence[str], abstract: int | None
) -> dict[int, str]:
    """{pair index: "k" of the affiliation it holds, "a" for the abstract's}; {} when no value
    is an affiliation."""
    if not affiliations:
        return {}
    # Only texts long enough to be left out (_MIN_SHARED), each by its first place.
    number = {
        text: str(k)
        for k, text in reversed(list(enumerate(affiliations)))
        if len(text) >= _MIN_SHARED
    }
    if not number:
        return {}
    # Each pair's value looked up at C speed: a MEDLINE record has some 70 pairs.
    found = list(map(number.get, map(_VALUE, record)))
    places = {i: k for i, k in enumerate(found) if k is not None}
    if places and abstract is not None:
        places[abstract] = "a"
    return places


_VALUE = operator.itemgetter(1)


def _left_out(record: Sequence[tuple[str, str]], places: dict[int, str]) -> bytes:
    pairs = list(record)
    for i in places:
        pairs[i] = (pairs[i][0], "")
    kept = _PAIR_END.join(map(_TAG_END.join, pairs))  # not a join per pair in Python
    header = ",".join(f"{i}={source}" for i, source in sorted(places.items()))
    return b"%s%s:%s" % (_SHARED_MANY, header.encode("ascii"), _compress(kept))


def _put_back(
    pairs: list[tuple[str, str]], header: bytes, abstract: str, affiliations: Sequence[str]
) -> SourceRecord:
    """The pairs with the values a _SHARED_MANY blob left out. Without the item's affiliations
    (a caller that needs none) they read as "", as the abstract does."""
    for place in header.decode("ascii").split(","):
        index, _, source = place.partition("=")
        at = int(index)
        named = affiliations[int(source)] if affiliations and source != "a" else ""
        pairs[at] = (pairs[at][0], abstract if source == "a" else named)
    return tuple(pairs)


def _abstract_index(record: Sequence[tuple[str, str]], abstract: str) -> int | None:
    if not abstract:
        return None
    return next((i for i, (_, value) in enumerate(record) if value == abstract), None)


# The abstract, kept compressed (issue 18, i18-size): stored plain it was the library's largest
# table, a third of a MEDLINE record's text, read only to show or export one item and by the
# full-text index (through the SQL function ABSTRACT_FUNCTION, see store/database.py). An
# item_abstract value is a BLOB of deflate's bytes; a TEXT value (written before) is the abstract
# as it is, so that an old row reads the same until the migration packs it.
ABSTRACT_FUNCTION = "refman_abstract"
_RAW = -15  # zlib's wbits for raw deflate


def pack_abstract(text: str) -> bytes:
    """The abstract as item_abstract stores it: raw deflate (zlib's stream without its header
    and checksum, which unpacking then need not compute: an export of 10,000 items unpacks
    9,000 abstracts). Level 6: as fast as level 1 on such short texts, and a little smaller."""
    compressor = zlib.compressobj(6, wbits=_RAW)
    return compressor.compress(text.encode("utf-8")) + compressor.flush()


def unpack_abstract(value: str | bytes | None) -> str:
    """The abstract of an item_abstract value (packed or plain); "" for none. A damaged blob
    (which SQLite's own checks cannot see) reads as "": raising here would stop the listing,
    export or index of the whole library for one item's abstract."""
    if isinstance(value, bytes):
        try:
            return zlib.decompress(value, _RAW).decode("utf-8")
        except (zlib.error, UnicodeDecodeError):
            return ""
    return value or ""


# What a damaged blob raises on decoding: zlib's error, bytes that are not UTF-8, JSON that
# is not JSON or not pairs, an abstract's place that is not a number or not a pair's.
SOURCE_RECORD_ERRORS = (zlib.error, UnicodeDecodeError, ValueError, TypeError, IndexError)
SOURCE_RECORD_DAMAGED = "its stored source record cannot be read ({error})"


def decode_source_record(
    blob: bytes, abstract: str = "", affiliations: Sequence[str] = ()
) -> SourceRecord:
    """The pairs of a blob; raises one of SOURCE_RECORD_ERRORS when it is damaged. A value
    left out for the item's abstract is ``abstract`` (empty when the caller has none), one left
    out for an affiliation is the item's (``affiliations``: its ``record_affiliations``)."""
    mark = blob[:1]
    if mark == _SHARED_MANY:
        header, _, rest = blob[1:].partition(b":")
        return _put_back(list(_compact_pairs(rest, True)), header, abstract, affiliations)
    dictionary = mark in _WITH_DICTIONARY
    mark = _WITH_DICTIONARY.get(mark, mark)
    if mark == _SHARED:
        index, _, rest = blob[1:].partition(b":")
        pairs = list(_compact_pairs(rest, dictionary))
        shared = int(index)  # ValueError when damaged, as for a damaged JSON blob
        pairs[shared] = (pairs[shared][0], abstract)
        return tuple(pairs)
    if mark == _COMPACT:
        return _compact_pairs(blob[1:], dictionary)
    listed = tuple(map(tuple, json.loads(zlib.decompress(blob))))
    if not all(len(pair) == 2 for pair in listed):
        raise ValueError("not tag/value pairs")
    return cast(SourceRecord, listed)


def _compact_pairs(compressed: bytes, dictionary: bool) -> SourceRecord:
    text = _decompress(compressed, dictionary).decode("utf-8")
    # Pairs each: encode_source_record wrote this layout only when no tag or value holds a
    # separator.
    split = tuple(tuple(pair.split(_TAG_END, 1)) for pair in text.split(_PAIR_END))
    return cast(SourceRecord, split)


def read_source_record(
    blob: bytes | None, abstract: str = "", affiliations: Sequence[str] = ()
) -> tuple[SourceRecord, str]:
    """(pairs, "") for a sound blob or none; ((), what is wrong) for a damaged one: one item's
    damaged record must not stop a listing or an export of the whole library. ``abstract`` and
    ``affiliations``: the item's, for a blob that left them out (see encode_source_record)."""
    if blob is None:
        return (), ""
    try:
        return decode_source_record(blob, abstract, affiliations), ""
    except SOURCE_RECORD_ERRORS as exc:
        return (), SOURCE_RECORD_DAMAGED.format(error=exc)


# --- reading ----------------------------------------------------------------------------------


def _constructor(cls: type[_T]) -> Callable[[dict[str, object]], _T]:
    """``cls(**values)`` for a frozen dataclass of the model, given every field: several times
    faster.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, past its
    own guard: building the 150,000 creators, tags and references of 10,000 items that way was
    a tenth of loading them. These classes do nothing else when built (no ``__post_init__``,
    no slots), so filling a new instance's ``__dict__`` makes an equal object; a class that
    gains either is built by its ``__init__`` again.
    """
    count = len(fields(cls))
    new = object.__new__

    def construct(values: dict[str, object]) -> _T:
        if len(values) != count:  # a field left out would not get its default
            raise TypeError(f"{cls.__name__} takes all {count} fields here")
        instance = new(cls)
        instance.__dict__.update(values)
        return instance

    if hasattr(cls, "__post_init__") or "__slots__" in vars(cls):
        return lambda values: cls(**values)
    return construct


_new_creator = _constructor(Creator)
_new_tag = _constructor(Tag)
_new_reference = _constructor(Reference)


class ItemReader:
    """Builds references from the rows of their item, creators and tag links.

    The items of a library repeat many stored values: MeSH headings with the same stars and
    qualifiers, a journal's ISSNs, publication types and dates, the moment of one import. A reader
    decodes each distinct value once and lets the items share what it built (every part of a
    reference is frozen, so sharing is safe): loading thousands of items then builds and keeps
    far fewer objects. One reader serves one load; its memory goes with it.
    """

    def __init__(self) -> None:
        self._tags: dict[tuple[Any, ...], Tag] = {}
        self._named: dict[str, Tag] = {}
        self._qualifiers: dict[str, tuple[MeshQualifier, ...]] = {}
        self._issns: dict[str, tuple[Issn, ...]] = {}
        self._lists: dict[str, tuple[Any, ...]] = {}
        self._times: dict[str, datetime] = {}
        self._dates: dict[tuple[Any, ...], PartialDate] = {}

    def creators(
        self, rows: Sequence[Row], texts_of: Callable[[set[int]], Mapping[int, str]]
    ) -> dict[int, list[Creator]]:
        """{item id: creators in order} from rows of (item id, role, family, given, literal,
        affiliations, ids) in each item's order; ``texts_of``: {id: text} of affiliation ids."""
        affiliations = self._affiliations(rows, texts_of)
        ids = from_json_many(row[6] for row in rows)
        by_item: dict[int, list[Creator]] = defaultdict(list)
        for (item_id, role, family, given, literal, _, _), affiliation, ids_ in zip(
            rows, affiliations, ids, strict=True
        ):
            creator = _new_creator(
                {
                    "family": family,
                    "given": given,
                    "literal": literal,
                    "role": role or AUTHOR,
                    "affiliations": affiliation,
                    "ids": ids_,
                }
            )
            by_item[item_id].append(creator)
        return by_item

    def _affiliations(
        self, rows: Sequence[Row], texts_of: Callable[[set[int]], Mapping[int, str]]
    ) -> list[tuple[Any, ...]]:
        """The affiliations (column 5) of each creator row as texts, each distinct value of the
        column decoded once (an article's authors often share theirs)."""
        distinct = list(dict.fromkeys(row[5] for row in rows))
        decoded = from_json_many(distinct)
        wanted = {v for values in decoded for v in values if isinstance(v, int)}
        if wanted:
            texts = texts_of(wanted)
            decoded = [
                tuple(texts.get(v, "") if isinstance(v, int) else v for v in values)
                for values in decoded
            ]
        by_value = dict(zip(distinct, decoded, strict=True))
        return [by_value[row[5]] for row in rows]

    def tags(
        self, rows: Sequence[Row], names_of: Callable[[set[int]], Mapping[int, str]]
    ) -> dict[int, list[Tag]]:
        """{item id: tags in order} from rows of (item id, name, kind, major, qualifiers) in
        each item's order; ``names_of``: {id: name} of subheading ids."""
        self._decode_qualifiers({row[4] for row in rows}, names_of)
        known, qualifiers = self._tags, self._qualifiers
        by_item: dict[int, list[Tag]] = defaultdict(list)
        for row in rows:
            key = row[1:]
            tag = known.get(key)
            if tag is None:
                name, kind, major, text = key
                tag = _new_tag(
                    {
                        "name": name,
                        "kind": read_kind(kind),
                        "major": bool(major),
                        "qualifiers": qualifiers[text],
                    }
                )
                known[key] = tag
            by_item[row[0]].append(tag)
        return by_item

    def tag_names(self, rows: Iterable[Row]) -> dict[int, list[Tag]]:
        """{item id: tags in order} from rows of (item id, name) in each item's order: tags
        that are their names only (kind manual, no MeSH star or qualifiers)."""
        known = self._named
        by_item: dict[int, list[Tag]] = defaultdict(list)
        for item_id, name in rows:
            tag = known.get(name)
            if tag is None:
                tag = known[name] = Tag(name)
            by_item[item_id].append(tag)
        return by_item

    def reference(
        self,
        row: Row,
        *,
        abstract: str,
        trashed: bool,
        creators: Sequence[Creator],
        tags: Sequence[Tag],
        source_record: SourceRecord,
        damage: str = "",
        citation_key: str = "",
    ) -> Reference:
        """A Reference from a row of ("id",) + STORED_COLUMNS and what the other tables hold.

        STORED_COLUMNS are the plain fields, the date columns, then the four below.
        """
        item_id, *plain, year, month, day, season, text, issns, types, added, modified = row
        values: dict[str, object] = dict(zip(PLAIN_FIELDS, plain, strict=True))
        values.update(
            abstract=abstract,
            date=self._date(year, month, day, text, season),
            issns=self._issn_list(issns),
            publication_types=self._list(types),
            creators=tuple(creators),
            tags=tuple(tags),
            source_record=source_record,
            id=ItemId(item_id),
            date_added=self._time(added),
            date_modified=self._time(modified),
            trashed=trashed,
            damage=damage,
            citation_key=citation_key,
            notes=(),  # the library's notes are Notes of their own, not read with the item
        )
        if damage:  # written from its fields, as an item made in refman is
            values["source_format"] = ""
        return _new_reference(values)

    def _decode_qualifiers(
        self, texts: Iterable[str], names_of: Callable[[set[int]], Mapping[int, str]]
    ) -> None:
        """Decode the MeSH qualifier lists not met yet, all in one call (see from_json_many);
        a subheading named by id gets its name (all of them in one call of ``names_of``)."""
        new = [text for text in texts if text not in self._qualifiers]
        decoded = from_json_many(new)
        wanted = {name for pairs in decoded for name, _ in pairs if isinstance(name, int)}
        names = names_of(wanted) if wanted else {}
        for text, pairs in zip(new, decoded, strict=True):
            self._qualifiers[text] = tuple(
                MeshQualifier(names.get(name, "") if isinstance(name, int) else name, bool(major))
                for name, major in pairs
            )

    def _date(self, *parts: Any) -> PartialDate:
        """The date of (year, month, day, text, season), as the row holds them."""
        found = self._dates.get(parts)
        if found is None:
            found = self._dates[parts] = PartialDate(*parts)
        return found

    def _issn_list(self, text: str) -> tuple[Issn, ...]:
        found = self._issns.get(text)
        if found is None:
            found = self._issns[text] = issns_of_text(text)
        return found

    def _list(self, text: str) -> tuple[Any, ...]:
        found = self._lists.get(text)
        if found is None:
            found = self._lists[text] = from_json(text)
        return found

    def _time(self, text: str) -> datetime:
        found = self._times.get(text)
        if found is None:
            found = self._times[text] = parse_time(text)
        return found
