"""Running a parsed query (refman.query) against the library: each term to the ids of the items
it matches, combined as sets (AND, OR, NOT). The view's place and order are applied after, by
search.py, as for plain words.

Every field is read where it already lives, through an index where there is one:

- title, abstract, creators' names and journals: the full-text index's columns (``item_fts``),
  which also narrow author and journal terms before they are compared exactly;
- MeSH headings and major topics: the ``mesh`` tag links (``item_tag``: its ``major`` star and
  its qualifiers as JSON), the headings found through ``tag_fts``; subheadings alone through
  their own indexed table (``mesh_qualifier``, store/field_index.py);
- publication types, language, dates and identifiers: the item's columns (``date_sort`` and
  the PMID and DOI keys are indexed);
- affiliations: the distinct affiliations, each once (table affiliation, store/field_index.py);
- refman's tags, notes and collections: their own tables and indexes.

Plain words never come here: search.py searches them as it always has.

A part may find most of the library (``english[la]``, ``NOT review[pt]``): it is then held as
the items it leaves out (``Ids`` with ``excluded``), and the operators combine both kinds, so
that ``Female[mh] AND english[la]`` takes the few items in other languages off the heading's
rather than reading the ids of nearly every item (issue 18: 1,000,000 items).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import cache, partial
from itertools import compress

from peewee import Database

from refman.query import (
    And,
    DateRange,
    Identifier,
    Node,
    Not,
    Or,
    QueryError,
    Term,
    author_matches,
    author_name,
    fold,
    language_names,
)
from refman.store import attachments, fts
from refman.store.mapping import doi_key, natural_key

# Up to this many items found so far, a filter (dates, language, publication type) is checked on
# them alone rather than run over the library: "Smith J[au] AND 2019:2023[dp]" need not read
# the ids of every item of those five years. About where both cost the same at 100,000 items.
WITHIN_AT_MOST = 5_000


# Past this many ids, a part's items are held as a mask (a byte per item id, 1 for an item
# found) rather than a set: quicker to fill from SQLite's list, and two masks combine in one
# operation on integers; search.py puts a mask in the view's order as it is (issue 18:
# ``metabolism[sh]`` finds 478,385 of a million items).
MASK_FROM = 20_000

# A part's items: a set of ids, or a mask (MASK_FROM).
Group = set[int] | bytearray
_INVERTED = bytes.maketrans(b"\x00\x01", b"\x01\x00")


@dataclass(frozen=True)
class Ids:
    """Items a query or a part of it finds: ``ids``, or with ``excluded`` every item (in the
    Trash or not) but ``ids``."""

    ids: Group
    excluded: bool = False

    def __bool__(self) -> bool:
        return self.excluded or any_in(self.ids)


EVERY_ITEM = Ids(set(), excluded=True)


def both(first: Ids, second: Ids) -> Ids:
    """The items in both (AND)."""
    if first.excluded and second.excluded:
        return Ids(_union(first.ids, second.ids), excluded=True)
    if first.excluded:
        return Ids(_minus(second.ids, first.ids))
    if second.excluded:
        return Ids(_minus(first.ids, second.ids))
    return Ids(common(first.ids, second.ids))


def either(first: Ids, second: Ids) -> Ids:
    """The items in one or the other (OR)."""
    if first.excluded and second.excluded:
        return Ids(common(first.ids, second.ids), excluded=True)
    if first.excluded:
        return Ids(_minus(first.ids, second.ids), excluded=True)
    if second.excluded:
        return Ids(_minus(second.ids, first.ids), excluded=True)
    return Ids(_union(first.ids, second.ids))


def other_than(found: Ids) -> Ids:
    """Every item but these (NOT)."""
    return Ids(found.ids, excluded=not found.excluded)


# --- groups: sets and masks -----------------------------------------------------------------


def any_in(group: Group) -> bool:
    """Whether the group holds an id: a mask's first set byte is looked for, not every one
    counted."""
    return bool(group) if isinstance(group, set) else 1 in group


def size(group: Group) -> int:
    return len(group) if isinstance(group, set) else group.count(1)


def as_set(group: Group) -> set[int]:
    return group if isinstance(group, set) else set(ids_of_mask(group))


def ids_of_mask(mask: bytearray) -> list[int]:
    """The ids a mask holds, in order."""
    return list(compress(range(len(mask)), mask))


def mask_of(ids: Collection[int], length: int) -> bytearray:
    """A byte per id below ``length`` (longer when an id is past it: a row of a damaged
    index), 1 for these ids."""
    mask = bytearray(length)
    try:
        for item_id in ids:
            mask[item_id] = 1
    except IndexError:
        return mask_of(ids, max(ids) + 1)
    return mask


def inverted(mask: bytearray, length: int) -> bytearray:
    """A mask of every id below ``length`` (at least) that ``mask`` does not hold."""
    flipped = mask.translate(_INVERTED)
    return flipped + b"\x01" * (length - len(flipped)) if length > len(flipped) else flipped


def _in_mask(ids: set[int], mask: bytearray, *, held: bool) -> set[int]:
    """Those of ``ids`` that the mask holds (``held``) or does not."""
    end = len(mask)
    if held:
        return {i for i in ids if i < end and mask[i]}
    return {i for i in ids if i >= end or not mask[i]}


def _as_int(mask: bytearray) -> int:
    return int.from_bytes(mask, "little")


def _as_mask(value: int, length: int) -> bytearray:
    return bytearray(value.to_bytes(length, "little"))


def common(first: Group, second: Group) -> Group:
    """The ids in both."""
    if isinstance(first, set):
        return first & second if isinstance(second, set) else _in_mask(first, second, held=True)
    if isinstance(second, set):
        return _in_mask(second, first, held=True)
    return _as_mask(_as_int(first) & _as_int(second), max(len(first), len(second)))


def _union(first: Group, second: Group) -> Group:
    """The ids in one or the other."""
    if isinstance(first, set) and isinstance(second, set):
        return first | second
    if isinstance(first, set):
        first, second = second, first
    assert isinstance(first, bytearray)
    if isinstance(second, set):
        top = max(second, default=0) + 1
        mask = first + bytes(top - len(first)) if top > len(first) else bytearray(first)
        for item_id in second:
            mask[item_id] = 1
        return mask
    return _as_mask(_as_int(first) | _as_int(second), max(len(first), len(second)))


def _minus(first: Group, second: Group) -> Group:
    """The ids of the first that the second does not hold."""
    if isinstance(first, set):
        return first - second if isinstance(second, set) else _in_mask(first, second, held=False)
    if isinstance(second, set):
        mask = bytearray(first)
        end = len(mask)
        for item_id in second:
            if item_id < end:
                mask[item_id] = 0
        return mask
    return _as_mask(_as_int(first) & ~_as_int(second), len(first))


def matches(db: Database, node: Node) -> set[int]:
    """Ids of the items (in the Trash or not) that the query's tree matches."""
    found = find(db, node)
    return _all_items(db) - as_set(found.ids) if found.excluded else as_set(found.ids)


def find(db: Database, node: Node) -> Ids:
    """What the query's tree matches, as the items found or as those it leaves out."""
    if isinstance(node, And):
        # Filters last: the other parts narrow first, and the filters then check only those.
        parts = sorted(node.parts, key=_is_filter)
        found = find(db, parts[0])
        for part in parts[1:]:
            if not found:
                break  # the other parts cannot bring any back
            found = _narrowed(db, part, found)
        return found
    if isinstance(node, Or):
        found = find(db, node.parts[0])
        for part in node.parts[1:]:
            found = either(found, find(db, part))
        return found
    if isinstance(node, Not):
        keep = EVERY_ITEM if node.keep is None else find(db, node.keep)
        return both(keep, other_than(_narrowed(db, node.drop, keep))) if keep else keep
    if _is_filter(node):
        return _filtered(db, node)
    if isinstance(node, Identifier):
        return Ids(_identifier(db, node.kind, node.value))
    assert isinstance(node, Term)
    return Ids(_FIELDS[node.field](db, node))


_DATES = "date_sort BETWEEN ? AND ?"  # index item_by_date
_OTHER_DATES = "(date_sort < ? OR date_sort > ?)"  # the same index, the two ranges around


def _is_filter(node: Node) -> bool:
    """Dates, languages and publication types: conditions on the item's own row, which often
    hold for most of the library."""
    return isinstance(node, DateRange) or (
        isinstance(node, Term) and node.field in ("language", "pubtype")
    )


def _narrowed(db: Database, node: Node, found: Ids) -> Ids:
    """The items of ``found`` that ``node`` matches: a filter is checked on them alone when they
    are few; anything else, or a filter after many, is run and combined."""
    if not (_is_filter(node) and not found.excluded and size(found.ids) <= WITHIN_AT_MOST):
        return both(found, find(db, node))
    condition, params = _filter(node)
    within = f"SELECT id FROM item WHERE {condition} AND id IN (SELECT value FROM json_each(?))"
    return Ids(_ids(db, within, [*params, json.dumps(list(as_set(found.ids)))]))


def _filtered(db: Database, node: Node) -> Ids:
    """A filter over the whole library: the items it holds for, or those it does not when they
    are fewer (``english[la]``: a few percent). Which side is fewer is counted first, up to half
    the library, on the filter's index."""
    (condition, params), (other, other_params) = _sides(db, node)
    half = _top(db) // 2
    counted = f"SELECT count(*) FROM (SELECT 1 FROM item WHERE {condition} LIMIT ?)"
    if db.execute_sql(counted, (*params, half + 1)).fetchone()[0] <= half:
        return Ids(_group(db, f"SELECT id FROM item WHERE {condition}", params))
    return Ids(_group(db, f"SELECT id FROM item WHERE {other}", other_params), excluded=True)


def _top(db: Database) -> int:
    """The highest item id: the library's size, unless many were deleted."""
    return db.execute_sql("SELECT max(id) FROM item").fetchone()[0] or 0


def _filter(node: Node, value: str = "") -> tuple[str, list[str]]:
    """A filter's condition on the item row, and its parameters; ``value``: on this value in
    place of the language or publication types column."""
    if isinstance(node, DateRange):
        return _DATES, [node.low, node.high]
    assert isinstance(node, Term)
    if node.field == "language":
        return _LANGUAGE.format(value or "language"), [_language_forms(node)]
    pattern = _publication_type_pattern(node)
    return _PUBLICATION_TYPE.format(value or "publication_types"), [pattern]


def _sides(db: Database, node: Node) -> tuple[tuple[str, list[str]], tuple[str, list[str]]]:
    """Conditions (with their parameters) on the item row where the filter holds and where it
    does not, each read off the filter's index: the dates in and around the range; the
    languages or publication types (each distinct value, a seek on the index) that the filter's
    condition takes and those it leaves, so that ``review[pt]`` compares a few dozen values
    rather than every item's."""
    if isinstance(node, DateRange):
        return (_DATES, [node.low, node.high]), (_OTHER_DATES, [node.low, node.high])
    assert isinstance(node, Term)
    column = "language" if node.field == "language" else "publication_types"
    values = [value for (value,) in db.execute_sql(_DISTINCT.format(column=column))]
    condition, params = _filter(node, value="v.value")
    matched = f"SELECT v.value FROM json_each(?) AS v WHERE {condition}"
    kept = {value for (value,) in db.execute_sql(matched, (json.dumps(values), *params))}
    listed = f"{column} IN (SELECT value FROM json_each(?))"
    taken = [json.dumps([value for value in values if value in kept])]
    return (listed, taken), (listed, [json.dumps([value for value in values if value not in kept])])


# The distinct values of an indexed column of item, a seek on its index each (a few dozen
# languages or combinations of publication types among a million items).
_DISTINCT = """
WITH RECURSIVE v(x) AS (
    SELECT (SELECT min({column}) FROM item)
    UNION ALL
    SELECT (SELECT min({column}) FROM item WHERE {column} > x) FROM v WHERE x IS NOT NULL
)
SELECT x FROM v WHERE x IS NOT NULL
"""


def _ids(db: Database, sql: str, params: Iterable[object] = ()) -> set[int]:
    """The first column of a query's rows, fetched as one JSON array (many rows one by one cost
    several times more)."""
    return set(_listed(db, sql, params))


def _listed(db: Database, sql: str, params: Iterable[object] = ()) -> list[int]:
    row = db.execute_sql(f"SELECT json_group_array(id) FROM ({sql})", tuple(params)).fetchone()
    ids: list[int] = json.loads(row[0])
    return ids


def _group(db: Database, sql: str, params: Iterable[object] = ()) -> Group:
    """``_ids``, as a mask past MASK_FROM ids."""
    return _grouped(db, _listed(db, sql, params))


def _grouped(db: Database, ids: list[int]) -> Group:
    """These ids as a set, or past MASK_FROM as a mask."""
    return mask_of(ids, mask_length(db)) if len(ids) > MASK_FROM else set(ids)


def mask_length(db: Database) -> int:
    """One more than the highest item id: a mask's length."""
    return (db.execute_sql("SELECT max(id) FROM item").fetchone()[0] or 0) + 1


def _all_items(db: Database) -> set[int]:
    return _ids(db, "SELECT id FROM item")


def _phrase(term: Term, *, prefix: bool = False) -> str:
    """The term as an FTS5 phrase: quoted (so that FTS5 reads no syntax in it), a prefix when
    truncated. Control characters separate words (see fts.match_words)."""
    text = fts._UNSAFE.sub(" ", term.text).replace('"', '""')
    return f'"{text}"' + ("*" if prefix or term.truncated else "")


def _like(text: str) -> str:
    """Text for a LIKE pattern with ESCAPE '!': its own % and _ match only themselves."""
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _json_text(text: str) -> str:
    """Text as it appears inside a JSON string of the store's columns."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


# --- text fields ----------------------------------------------------------------------------------


def _everywhere(db: Database, term: Term) -> Group:
    """Untagged: where plain words look (fields, tags, notes, the text of PDFs outside the
    Trash). A word is a prefix, as in the search box; a quoted phrase is exact unless it ends
    with ``*``."""
    if not any(ch.isalnum() for ch in term.text):
        raise QueryError(
            f'"{term.text}" at character {term.position} has no word to search for', term.position
        )
    phrase = _phrase(term, prefix=not term.quoted)
    (in_pdfs,) = attachments.word_matches(db, [phrase])
    return _grouped(db, fts.word_matches(db, phrase) + in_pdfs)


def pdf_phrases(node: Node) -> list[str]:
    """The FTS5 phrases of the query's terms that look in PDFs (untagged and ``[pdf]``), those
    it leaves out (after NOT) aside: what the table's "found in a PDF" marks are made of."""
    if isinstance(node, And | Or):
        return [phrase for part in node.parts for phrase in pdf_phrases(part)]
    if isinstance(node, Not):
        return pdf_phrases(node.keep) if node.keep is not None else []
    if isinstance(node, Term) and node.field == "all" and any(ch.isalnum() for ch in node.text):
        return [_phrase(node, prefix=not node.quoted)]
    if isinstance(node, Term) and node.field == "pdf":
        return [_phrase(node)]
    return []


def _in_columns(*columns: str) -> Callable[[Database, Term], Group]:
    """Words or a phrase in these columns of the full-text index, as whole words unless
    truncated (as PubMed)."""
    names = " ".join(columns)

    def search(db: Database, term: Term) -> Group:
        match = f"{{{names}}} : {_phrase(term)}"
        return _group(db, "SELECT rowid AS id FROM item_fts WHERE item_fts MATCH ?", (match,))

    return search


def _fts_candidates(column: str, term: Term, words: str) -> tuple[str, str]:
    """SQL for the items whose full-text ``column`` holds these words, and its parameter
    (the first: ``?1``)."""
    phrase = _phrase(Term(words, truncated=term.truncated))
    return "SELECT rowid FROM item_fts WHERE item_fts MATCH ?1", f"{{{column}}} : {phrase}"


# --- creators ---------------------------------------------------------------------------------

# The authors of the items whose creators hold the family name's words (the full-text index),
# narrowed to those who may bear it: a whole family name compared by NOCASE equality (ASCII
# letters ignoring case, as LIKE, at half its cost), a beginning by LIKE, the given name's
# first letter with the first initial; a name with other letters than ASCII (Müller, Alcázar)
# is kept for Python to compare without accents. Such a name is told by its length in bytes
# (UTF-8: more than its characters), each column by itself: a GLOB for a character outside
# ASCII's printable range read every character of every candidate's names, most of the SQL's
# time for ``Ramirez N[au]`` (joining the columns first made a string for every creator of the
# candidates, 300,000 for ``Zhu A[1au]`` at a million items). An ASCII name holding a control
# character (a tab between its words) is now found only as typed, as one with two spaces in a
# row always was.
# An author's role is stored as "" (mapping.STORED_AUTHOR), a MeSH link's kind too (STORED_MESH).
_NAME_FITS = """({named}
    OR length(family) != length(CAST(family AS BLOB))
    OR length(literal) != length(CAST(literal AS BLOB)))
AND (given LIKE ?3 ESCAPE '!' OR length(given) != length(CAST(given AS BLOB)) OR family = '')"""
_AUTHORS = f"""
SELECT item_id, family, given, literal FROM creator
WHERE role = '' AND item_id IN ({{candidates}}) AND {_NAME_FITS}
"""
# [1au] and [lastau]: only the first or last person (a group, MEDLINE's CN, is no first
# author), one row a candidate: the item's authors are read up to the first that has a family
# name (the last: from the end), and only that row is compared. Comparing every author of
# each candidate first, then looking for the first, read them all and compared each twice.
_ONE_AUTHOR = f"""
SELECT item_id, family, given, literal
FROM (SELECT rowid AS id FROM item_fts WHERE item_fts MATCH ?1) AS candidate
JOIN creator ON item_id = candidate.id AND position = (
    SELECT c.position FROM creator c
    WHERE c.item_id = candidate.id AND c.role = '' AND c.family != ''
    ORDER BY c.position {{direction}} LIMIT 1
)
WHERE {_NAME_FITS}
"""
_NAMED = "family = ?2 COLLATE NOCASE OR literal = ?2 COLLATE NOCASE"
_NAMED_BEGINNING = "family LIKE ?2 ESCAPE '!' OR literal LIKE ?2 ESCAPE '!'"


def _authors(which: str) -> Callable[[Database, Term], set[int]]:
    """``[au]``, ``[1au]`` or ``[lastau]``: PubMed's name forms (``Knowles CH``, ``Knowles C``,
    ``Knowles``, ``Knowles, Charles H``) compared with each author's family name and initials.
    The creators column of the full-text index finds the items with the family name first."""
    if which == "any":
        sql = _AUTHORS
    else:
        sql = _ONE_AUTHOR.replace("{direction}", "ASC" if which == "first" else "DESC")

    def search(db: Database, term: Term) -> set[int]:
        name = author_name(term)
        if not any(ch.isalnum() for ch in name.family):
            return set()
        candidates, match = _fts_candidates("creators", term, name.family)
        first = (name.given.split() or [name.initials[:1]])[0]
        # The given name (or its beginning) just before the family name narrows the candidates
        # when it is a word: one letter would read the lists of every word it begins (the index
        # keeps no lists by first letter), more than the family name's candidates cost to check.
        if len(first) > 1:
            family = _phrase(Term(name.family, truncated=name.truncated))
            match = f"{{creators}} : NEAR({_phrase(Term(first), prefix=True)} {family}, 4)"
        named = _NAMED_BEGINNING if name.truncated else _NAMED
        family = _like(name.family) + "%" if name.truncated else name.family
        given = _like(name.given or name.initials[:1]) + "%"  # the first initial, at least
        params = (match, family, given)
        rows = db.execute_sql(sql.format(candidates=candidates, named=named), params)
        # Each distinct name is compared once: many candidates' authors share one (13,875 rows
        # of ``Tesfaye SC[au]`` at a million items, each an initials' reckoning).
        fits = cache(partial(author_matches, name))
        return {item_id for item_id, family, given, literal in rows if fits(family, given, literal)}

    return search


def _affiliation(db: Database, term: Term) -> Group:
    """Words in one of the item's affiliations, read once each off the distinct affiliations
    (tables affiliation and item_affiliation, store/field_index.py)."""
    # LIKE ignores the case of ASCII letters only: the words are compared as typed otherwise.
    words = _like(" ".join(term.text.split()))
    sql = """SELECT item_id AS id FROM item_affiliation WHERE affiliation_id IN (
        SELECT id FROM affiliation WHERE text LIKE ? ESCAPE '!')"""
    return _group(db, sql, (f"%{words}%",))


# --- journal --------------------------------------------------------------------------------------


def _journal(db: Database, term: Term) -> set[int]:
    """The journal's abbreviation (``J Neurointerv Surg``), its full name or its ISSN, whole
    (a beginning with ``*``), ignoring case and accents."""
    if _looks_like_issn(term.text):
        # The column is JSON (beginning with "[") or the short text, where a value of the
        # ISSN's form can only be a whole ISSN (mapping.issns_text).
        sql = (
            "SELECT id FROM item WHERE issns LIKE ?1 ESCAPE '!'"
            " OR (issns NOT LIKE '[%' AND issns LIKE ?2 ESCAPE '!')"
        )
        value = _like(term.text.upper())
        return _ids(db, sql, (f'%"{value}"%', f"%{value}%"))
    wanted = fold(term.text)
    candidates, match = _fts_candidates("journal", term, term.text)
    sql = f"SELECT id, container_title, container_title_short FROM item WHERE id IN ({candidates})"
    # Each distinct name is compared once: the candidates share a few journals (19,000 items
    # of ``Mol Biol Lett[ta]`` at a million, two names each).
    @cache
    def fitting(name: str) -> bool:
        folded = fold(name)
        return folded.startswith(wanted) if term.truncated else folded == wanted

    return {
        item_id
        for item_id, title, short in db.execute_sql(sql, (match,))
        if (title and fitting(title)) or (short and fitting(short))
    }


def _looks_like_issn(text: str) -> bool:
    text = text.strip().upper()
    return len(text) == 9 and text[4] == "-" and (text[:4] + text[5:8]).isdigit()


# --- MeSH ---------------------------------------------------------------------------------------

_MESH_LINKS = """
SELECT item_id AS id FROM item_tag
WHERE tag_id IN (SELECT value FROM json_each(?)) AND kind = '' {extra}
"""
# A heading is a major topic when it is starred or one of its subheadings is (MEDLINE's
# "Brain/*enzymology"), as PubMed's [majr] counts it. A subheading's flag is 1 or 0 in links
# written since issue 18 (i18-bytes), true or false in those written before.
_MAJOR = "AND (major = 1 OR qualifiers LIKE '%,1]%' OR qualifiers LIKE '%,true]%')"
# A heading alone: every link of its tag (off item_tag_by_tag, which holds no kind) but those
# of another kind (off item_tag_other_than_mesh, a few): reading each link's kind off the
# table costs a lookup per link, most of a [mh] search of a heading on many items. One tag at a
# time: NOT IN of a single column, which SQLite knows holds no NULL, is one lookup per link.
_MESH_ONLY = """
SELECT item_id AS id FROM item_tag WHERE tag_id = ?1 AND item_id NOT IN (
    SELECT item_id FROM item_tag WHERE tag_id = ?1 AND kind != ''
)
"""


def _mesh(*, major: bool) -> Callable[[Database, Term], Group]:
    """``[mh]`` / ``[majr]``: items with the heading (no narrower headings: refman holds no
    MeSH tree); ``Stroke/therapy[mh]`` only with that subheading."""

    def search(db: Database, term: Term) -> Group:
        heading, _, qualifier = term.text.partition("/")
        tags = _tags_named(db, Term(heading, truncated=term.truncated and not qualifier))
        if not tags:
            return set()
        if not (major or qualifier):
            found: Group = set()
            for tag in tags:
                found = _union(found, _group(db, _MESH_ONLY, (tag,)))
            return found
        extra, params = _MAJOR if major else "", [json.dumps(tags)]
        if qualifier:
            extra += _WITH_QUALIFIER
            params.append(_like(qualifier.strip().lower()) + ("%" if term.truncated else ""))
        return _group(db, _MESH_LINKS.format(extra=extra), params)

    return search


# A link with a subheading of this name (a LIKE pattern), through the subheadings' own index: a
# link's qualifiers name them by id (or, written before, by text; field_index.py).
_WITH_QUALIFIER = """AND EXISTS (
    SELECT 1 FROM mesh_qualifier AS m
    WHERE m.item_id = item_tag.item_id AND m.tag_id = item_tag.tag_id
    AND m.qualifier_id IN (SELECT id FROM qualifier WHERE name LIKE ? ESCAPE '!')
)"""


def _subheading(db: Database, term: Term) -> Group:
    """``[sh]``: items with a heading that carries this subheading (``therap*``: one that
    begins so), through the subheadings' own index (mesh_qualifier, store/field_index.py)."""
    name = " ".join(term.text.lower().split())
    named = "SELECT item_id AS id FROM mesh_qualifier WHERE qualifier_id IN ({})"
    if not term.truncated:
        # One subheading (the names are unique): its links come off the index in item order,
        # so DISTINCT drops an item's repeats (one a heading) without sorting, and fewer ids
        # are read into Python (478,385 items for 666,000 links of "metabolism" at a million).
        one = """SELECT DISTINCT item_id AS id FROM mesh_qualifier
            WHERE qualifier_id = (SELECT id FROM qualifier WHERE name = ?)"""
        return _group(db, one, (name,))
    after = name[:-1] + chr(ord(name[-1]) + 1)  # the first text past every one that begins so
    sql = named.format("SELECT id FROM qualifier WHERE name >= ? AND name < ?")
    return _group(db, sql, (name, after))


# --- refman's own: tags, notes, collections -----------------------------------------------


def _tags_named(db: Database, term: Term) -> list[int]:
    """Ids of the tags with this name (one beginning so with ``*``), ignoring case and accents;
    tag_fts finds those that hold its words first."""
    wanted = fold(term.text)
    if not any(ch.isalnum() for ch in wanted):
        return []
    sql = "SELECT id, name FROM tag WHERE id IN (SELECT rowid FROM tag_fts WHERE tag_fts MATCH ?)"
    rows = db.execute_sql(sql, (_phrase(term),))
    return [
        tag_id
        for tag_id, name in rows
        if (fold(name).startswith(wanted) if term.truncated else fold(name) == wanted)
    ]


def _tag(db: Database, term: Term) -> Group:
    """``[tag]``: items with a tag of this name, of any kind (manual, MeSH, keyword)."""
    tags = _tags_named(db, term)
    sql = "SELECT item_id AS id FROM item_tag WHERE tag_id IN (SELECT value FROM json_each(?))"
    return _group(db, sql, (json.dumps(tags),)) if tags else set()


def _note(db: Database, term: Term) -> Group:
    """``[note]``: words or a phrase in the item's notes (whole words unless truncated)."""
    sql = fts.NOTES.to_items.format(match="note_fts MATCH ?").replace("item_id", "item_id AS id", 1)
    return _group(db, sql, (_phrase(term),))


def _pdf(db: Database, term: Term) -> set[int]:
    """``[pdf]``: words or a phrase in the text of the item's PDFs (attachment_fts, filled when
    a PDF is attached: library/attachments.py), attachments in the Trash left out."""
    (in_pdfs,) = attachments.word_matches(db, [_phrase(term)])
    return set(in_pdfs)


def _collection(db: Database, term: Term) -> Group:
    """``[collection]``: items filed in a collection of this name (not its subcollections)."""
    wanted = fold(term.text)
    chosen = [
        collection_id
        for collection_id, name in db.execute_sql("SELECT id, name FROM collection")
        if (fold(name).startswith(wanted) if term.truncated else fold(name) == wanted)
    ]
    sql = (
        "SELECT item_id AS id FROM collection_item "
        "WHERE collection_id IN (SELECT value FROM json_each(?))"
    )
    return _group(db, sql, (json.dumps(chosen),)) if chosen else set()


# --- item columns -----------------------------------------------------------------------------


# ``[pt]``: one of the item's publication types, whole (a beginning with ``*``), read off the
# index item_by_publication_types rather than the item rows; ``[la]``: the item's language, by
# name or code (``english``, ``eng``, ``en``), looked up in the index item_by_language. Both
# are filters (``_filtered``, ``_narrowed``), as dates are.
_PUBLICATION_TYPE = "{} LIKE ? ESCAPE '!'"  # the column publication_types
_LANGUAGE = "{} IN (SELECT value FROM json_each(?))"  # the column language


def _publication_type_pattern(term: Term) -> str:
    name = _like(_json_text(term.text.strip()))
    return f'%"{name}%' if term.truncated else f'%"{name}"%'


def _language_forms(term: Term) -> str:
    """Each form of the language as records write it (eng, Eng, ENG, English), as JSON."""
    names = language_names(term.text)
    return json.dumps([form(name) for name in names for form in (str, str.title, str.upper)])


def _identifier(db: Database, kind: str, value: str) -> set[int]:
    """Items with this PMID, PMCID or DOI (through the indexed keys for PMIDs and DOIs)."""
    value = value.strip()
    if kind == "pmid":
        return _ids(db, "SELECT id FROM item WHERE pmid_sort = ?", (natural_key(value),))
    if kind == "doi":
        return _ids(db, "SELECT id FROM item WHERE doi_key = ?", (doi_key(value),))
    value = value.upper()
    value = value if value.startswith("PMC") else "PMC" + value
    return _ids(db, "SELECT id FROM item WHERE upper(pmcid) = ?", (value,))


def _identifier_field(kind: str) -> Callable[[Database, Term], Group]:
    return lambda db, term: _identifier(db, kind, term.text)


_FIELDS: dict[str, Callable[[Database, Term], Group]] = {
    "all": _everywhere,
    "title": _in_columns("title"),
    "abstract": _in_columns("abstract"),
    "tiab": _in_columns("title", "abstract"),
    "author": _authors("any"),
    "first_author": _authors("first"),
    "last_author": _authors("last"),
    "affiliation": _affiliation,
    "journal": _journal,
    "mesh": _mesh(major=False),
    "major": _mesh(major=True),
    "subheading": _subheading,
    "pmid": _identifier_field("pmid"),
    "doi": _identifier_field("doi"),
    "pmcid": _identifier_field("pmcid"),
    "tag": _tag,
    "note": _note,
    "collection": _collection,
    "pdf": _pdf,
}
