"""Tags: the tag table (name, colour) and the links that put tags on items.

A tag is unique by its exact name ("Brain" and "brain" are two tags, as in Zotero); lists are
sorted case-insensitively as Python's ``casefold`` folds every alphabet (by SQLite, which calls
it for the names that are not ASCII: see ``_listing``). An item carries a tag once (as in
Zotero): the link holds its kind (``manual``, ``mesh``, ``keyword``) and, for MeSH, the major
flag and qualifiers, so one tag can be manual on one item and automatic on another. When a
record names a tag twice (a MeSH heading repeated as an author keyword), the first wins: MEDLINE
lists MH before OT, so the heading with its stars is kept. One link per item also lets the
counts come straight off the (tag, item) index without DISTINCT, and tag_total hold, for each
tag, the number of items that carry it (see migrations).

Tags no item carries are removed unless they have a colour. Functions that change links return
the ids of the items changed, whose date_modified the store bumps. New tags are indexed for
search here, all of a batch in one statement; renames and deletions reach the index through
triggers on the tag table (see fts.py).
"""

from __future__ import annotations

import json
import operator
import sys
import unicodedata
import zlib
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from itertools import accumulate, compress
from typing import Any, overload

from peewee import (
    SQL,
    Case,
    Database,
    Expression,
    ModelSelect,
    OperationalError,
    SelectQuery,
    chunked,
    fn,
)

from refman.model import TAG_MANUAL, ItemId, MissingItemError, Tag, TagCount, TagCounts, ViewQuery
from refman.store import field_index, fts, mapping, search
from refman.store.bulk import CHUNK, fetch, insert_rows, rows_where_in
from refman.store.database import CASEFOLD_FUNCTION
from refman.store.mapping import Row
from refman.store.schema import CollectionItem, Item, ItemTag, TagNamesVersion, Trash
from refman.store.schema import Tag as TagRow


def unique_tags(tags: Iterable[Tag]) -> list[Tag]:
    """The tags with each name once, the first one kept."""
    first: dict[str, Tag] = {}
    for tag in tags:
        first.setdefault(tag.name, tag)
    return list(first.values())


def tag_ids(db: Database, names: Iterable[str]) -> dict[str, int]:
    """Ids of the tags with these names, creating the missing ones with their index and
    tag_total rows."""
    names = list(dict.fromkeys(names))
    last_id = newest_tag_id(db)
    insert_rows(db, TagRow._meta.table_name, ("name",), [(name,) for name in names])
    _start_new_tags(db, last_id)
    return dict(rows_where_in(db, "SELECT name, id FROM tag", "name", names))


def _start_new_tags(db: Database, last_id: int) -> None:
    """Index the tags made after ``last_id`` and give each a tag_total row (no items yet).

    New rows get ids past the largest (INTEGER PRIMARY KEY without AUTOINCREMENT), so all
    the tags of a batch are handled in one statement each: five times faster than a trigger
    row by row. This is the one place tags are made.
    """
    db.execute_sql(
        f"INSERT INTO {fts.TAGS.name} (rowid, name) SELECT id, name FROM tag WHERE id > ?",
        (last_id,),
    )
    db.execute_sql("INSERT INTO tag_total (tag_id) SELECT id FROM tag WHERE id > ?", (last_id,))


def _find(db: Database, name: str) -> TagRow | None:
    return TagRow.select().where(TagRow.name == name).bind(db).first()


def _linked_items(
    db: Database, tags: Sequence[int], within: Sequence[int] | None = None
) -> set[int]:
    """Ids of the items that carry any of these tags (among ``within`` when given)."""
    query = ItemTag.select(ItemTag.item).distinct().where(ItemTag.tag.in_(tags))
    if within is not None:
        query = query.where(ItemTag.item.in_(within))
    return {item_id for (item_id,) in fetch(db, query)}


# --- links ------------------------------------------------------------------------------------


def add(db: Database, ids: Sequence[ItemId], tags: Sequence[Tag]) -> set[int]:
    """Link the tags to the items; an item that has a tag keeps its link as it is."""
    tags = unique_tags(tags)
    known = tag_ids(db, (tag.name for tag in tags))
    qualifiers = field_index.qualifier_ids(db, mapping.qualifier_names(tags))
    linked: Counter[int] = Counter()  # new links per tag id, for tag_total
    changed: set[int] = set()
    for chunk in chunked(list(dict.fromkeys(ids)), CHUNK):
        existing, next_position = _links_of(db, chunk, list(known.values()))
        links = []
        for item_id in chunk:
            position = next_position.get(item_id, 0)
            for tag in tags:
                if (item_id, known[tag.name]) not in existing:
                    row = mapping.tag_link_row(item_id, known[tag.name], tag, position, qualifiers)
                    links.append(row)
                    linked[known[tag.name]] += 1
                    position += 1
                    changed.add(item_id)
        insert_rows(db, ItemTag._meta.table_name, mapping.ITEM_TAG_COLUMNS, links)
    add_to_totals(db, linked.items())
    if any(tag.qualifiers for tag in tags):  # MeSH headings with subheadings ([sh] searches)
        by_text = mapping.names_qualifiers_by_text(tags, qualifiers)
        field_index.index_qualifiers(db, changed, by_text=by_text)
    return changed


def add_to_totals(db: Database, added: Iterable[tuple[int, int]]) -> None:
    """Add (tag id, links written) to tag_total. Deleted and moved links are followed by
    triggers; written ones are counted by whoever writes them (here and ``items.insert``),
    since a trigger per inserted link made imports twice as slow."""
    sql = "UPDATE tag_total SET items = items + ? WHERE tag_id = ?"
    db.cursor().executemany(sql, ((count, tag_id) for tag_id, count in added))


def newest_tag_id(db: Database) -> int:
    return TagRow.select(fn.MAX(TagRow.id)).bind(db).scalar() or 0


def _links_of(
    db: Database, ids: Sequence[int], tags: Sequence[int]
) -> tuple[set[Row], dict[int, int]]:
    """The items' existing links to these tags, and each item's next free tag position."""
    links = ItemTag.select(ItemTag.item, ItemTag.tag)
    existing = set(fetch(db, links.where(ItemTag.item.in_(ids) & ItemTag.tag.in_(tags))))
    ends = ItemTag.select(ItemTag.item, fn.MAX(ItemTag.position) + 1).where(ItemTag.item.in_(ids))
    return existing, dict(fetch(db, ends.group_by(ItemTag.item)))


def remove(db: Database, ids: Sequence[ItemId], names: Sequence[str]) -> set[int]:
    """Unlink the named tags, whatever their kind, from the items."""
    query = TagRow.select(TagRow.id).where(TagRow.name.in_(list(names)))
    found = [tag_id for (tag_id,) in fetch(db, query)]
    if not found:
        return set()
    changed: set[int] = set()
    for chunk in chunked(list(dict.fromkeys(ids)), CHUNK):
        changed |= _linked_items(db, found, chunk)
        condition = ItemTag.item.in_(chunk) & ItemTag.tag.in_(found)
        ItemTag.delete().where(condition).bind(db).execute()
    purge_unused(db)
    return changed


# --- the tags themselves ----------------------------------------------------------------------


def rename(db: Database, old: str, new: str) -> None:
    """Rename a tag; onto an existing name the two merge. MissingItemError when ``old`` is
    unknown."""
    source = _find(db, old)
    if source is None:
        raise MissingItemError(f"There is no tag '{old}'.")
    if new == old:
        return
    target = _find(db, new)
    if target is None:
        TagRow.update(name=new).where(TagRow.id == source.id).bind(db).execute()
        return
    _move_links(db, source.id, target.id)
    if source.color and not target.color:
        TagRow.update(color=source.color).where(TagRow.id == target.id).bind(db).execute()
    TagRow.delete().where(TagRow.id == source.id).bind(db).execute()


def _move_links(db: Database, source_id: int, target_id: int) -> None:
    """Re-point links from one tag to another; an item with both keeps its link to the target."""
    taken = ItemTag.alias()
    already = taken.select(taken.item).where(
        (taken.tag == target_id) & (taken.item == ItemTag.item)
    )
    movable = (ItemTag.tag == source_id) & ~fn.EXISTS(already)
    ItemTag.update(tag=target_id).where(movable).bind(db).execute()
    ItemTag.delete().where(ItemTag.tag == source_id).bind(db).execute()


def delete(db: Database, name: str) -> None:
    """Delete a tag from every item (its links go by cascade). MissingItemError when it does
    not exist."""
    tag = _find(db, name)
    if tag is None:
        raise MissingItemError(f"There is no tag '{name}'.")
    TagRow.delete().where(TagRow.id == tag.id).bind(db).execute()


def set_color(db: Database, name: str, color: str) -> None:
    """Colour a tag ("" removes the colour); colouring an unknown name creates the tag."""
    if color:
        tag_ids(db, [name])
    TagRow.update(color=color).where(TagRow.name == name).bind(db).execute()
    purge_unused(db)


def names(db: Database, listings: TagListings) -> list[str]:
    return list(listings.current(db).names)


def _order(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


def purge_unused(db: Database) -> None:
    """Drop tags no item carries, unless the user gave them a colour."""
    used = ItemTag.select(ItemTag.tag).where(ItemTag.tag == TagRow.id)
    TagRow.delete().where((TagRow.color == "") & ~fn.EXISTS(used)).bind(db).execute()


# --- counts -----------------------------------------------------------------------------------


class TagListing:
    """Every tag's name and id in list order: ignoring case, then exact (see ``_order``).

    Reading 200,000 names in order costs more than the rest of the counts, so the store keeps
    a listing until a tag is added, renamed or deleted (``version``, see TagListings).
    """

    def __init__(
        self,
        version: tuple[int, int],
        names: Sequence[str],
        ids: Sequence[int],
        ranks: Sequence[int],
        places: Sequence[int] | None = None,
    ):
        self.version = version
        self.names = names  # a list, or _Names when read from the file (see _stored_listing)
        self.ids = ids  # lists, or views of the bytes read from the file
        self.ranks = ranks  # where each tag comes in order of id
        self._places = places  # the position of each rank: ranks turned inside out

    @property
    def places(self) -> Sequence[int]:
        """The position in the list of the tag at each rank (in order of id)."""
        if self._places is None:
            places = array("i", bytes(len(self.ranks) * array("i").itemsize))
            for position, rank in enumerate(self.ranks):
                places[rank] = position
            self._places = places
        return self._places

    def position(self, tag_id: int) -> int:
        """The tag's position in the list (KeyError when not listed): found by bisecting the
        ranks, whose ids ascend, instead of a map of every id (a seventh of a second to make
        at 1,770,000 tags, for the few manual, coloured or trashed tags looked up)."""
        ids, places = self.ids, self.places
        rank = bisect_left(range(len(places)), tag_id, key=lambda r: ids[places[r]])
        if rank == len(places) or ids[places[rank]] != tag_id:
            raise KeyError(tag_id)
        return places[rank]

    def with_new(self, version: tuple[int, int], ids: list[int], names: list[str]) -> TagListing:
        """This listing with tags made since (ids past all of this one's, ascending), each put
        in its place: the copy costs a pass over the lists, where sorting anew casefolds and
        sorts every name (1.5 s for the 1,770,000 tags of a million items)."""
        kept_names = list(self.names)  # decoded at once (_Names): slices of it are copied
        places = [bisect_left(kept_names, _order(name), key=_order) for name in names]
        # The new tags in list order; each goes before the kept tag at its place.
        new = sorted(range(len(names)), key=lambda j: (places[j], _order(names[j])))
        at = [places[j] for j in new]
        first_rank = len(self.ids)  # new ids come after every kept one
        return TagListing(
            version,
            _spliced(kept_names, at, [names[j] for j in new]),
            _spliced(self.ids, at, [ids[j] for j in new]),
            _spliced(self.ranks, at, [first_rank + j for j in new]),
        )


class _Names(Sequence[str]):
    """The names of a stored listing, each decoded from the UTF-8 when asked: decoding and
    splitting all 1,770,000 of a million items took a seventh of a second of each new
    process's first tag list, which shows a screenful. ``text`` holds a NUL before the first
    name and after each; ``starts`` where each name starts, then the length of ``text``."""

    def __init__(self, text: bytes, starts: Sequence[int]):
        self._text = text
        self._starts = starts

    def __len__(self) -> int:
        return len(self._starts) - 1

    def packed(self) -> tuple[bytes, Sequence[int]]:
        """The text and the starts, as given."""
        return self._text, self._starts

    @overload
    def __getitem__(self, position: int) -> str: ...
    @overload
    def __getitem__(self, position: slice) -> list[str]: ...
    def __getitem__(self, position: int | slice) -> str | list[str]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(position)
        return self._text[self._starts[position] : self._starts[position + 1] - 1].decode()

    def __iter__(self) -> Iterator[str]:
        """Every name, decoded and split in C."""
        if not len(self):
            return iter(())
        return iter(self._text[1:-1].decode().split(_SEPARATOR))

    def __contains__(self, name: object) -> bool:
        return self._find(name) is not None

    def index(self, name: object, start: int = 0, stop: int | None = None) -> int:
        """The name's position: a search of the UTF-8 in C, then a bisection of the starts."""
        position = self._find(name)
        first, end, _ = slice(start, stop).indices(len(self))
        if position is None or not first <= position < end:
            raise ValueError(f"{name!r} is not in the list")
        return position

    def count(self, name: object) -> int:
        return int(name in self)

    def _find(self, name: object) -> int | None:
        if not isinstance(name, str) or _SEPARATOR in name:
            return None
        try:
            wanted = f"{_SEPARATOR}{name}{_SEPARATOR}".encode()
        except UnicodeEncodeError:  # a lone surrogate: no stored name holds one
            return None
        at = self._text.find(wanted)  # names are unique: the first is the one
        if at < 0:
            return None
        return bisect_left(self._starts, at + 1)


def _spliced(kept: Sequence[Any], at: list[int], added: list[Any]) -> list[Any]:
    """``kept`` with each ``added`` value put before the kept one at its place (ascending)."""
    spliced: list[Any] = []
    start = 0
    for place, value in zip(at, added, strict=True):
        spliced += kept[start:place]
        spliced.append(value)
        start = place
    spliced += kept[start:]
    return spliced


class TagListings:
    """The store's kept TagListing; made anew after changes to the tags' names."""

    def __init__(self, stamp: Callable[[], Hashable | None] = lambda: None) -> None:
        # What moves whenever the library may have changed (None: nothing read now may be
        # kept, as inside a write transaction, whose changes may yet be rolled back).
        self._stamp = stamp
        self._kept: TagListing | None = None
        self._unstored: TagListing | None = None
        self._totals: tuple[Hashable, Sequence[int], bool] | None = None

    def current(self, db: Database) -> TagListing:
        # Renames and deletions move the version; a new tag has the highest id yet. Read before
        # the names: a change between the two makes the next call read them again.
        names_version = TagNamesVersion.select(TagNamesVersion.version).bind(db).scalar() or 0
        version = (names_version, newest_tag_id(db))
        kept = self._kept
        if kept is not None and kept.version == version:
            return kept
        listing, worth_storing = _made(db, kept, version)
        if self._stamp() is not None:
            self._kept = listing
            self._unstored = listing if worth_storing else None
        return listing

    def unstored(self) -> TagListing | None:
        """The listing the last read sorted (or largely placed) and the file does not keep
        yet, once: see ``store_listing``."""
        listing, self._unstored = self._unstored, None
        return listing

    def totals(self, db: Database) -> tuple[Sequence[int], bool]:
        """tag_total in order of tag id, and whether it adds up to the links: kept while the
        library stays as it was, since the check counts every link (a tenth of a second at
        12 million) and the read takes longer still."""
        stamp = self._stamp()  # before the reads: a change between them makes a new stamp
        kept = self._totals
        if stamp is not None and kept is not None and kept[0] == stamp:
            return kept[1], kept[2]
        totals = _totals(db)
        adds_up = sum(totals) == _links(db)
        if stamp is not None:
            self._totals = (stamp, totals, adds_up)
        return totals, adds_up


# Every name in list order, sorted by SQLite: ASCII names by SQLite's lower() (Python's
# casefold for ASCII), the others by Python's casefold (database.CASEFOLD_FUNCTION, called once
# a name, not once a comparison); then exactly. Casefolded UTF-8 compared byte by byte sorts as
# Python compares the strings. SQLite's sorter holds its rows in its own memory (or temporary
# files, see database.sorting_in_files), so the names are never Python strings: sorting 1.77
# million of them in Python took 2.2 s and 650 MB more; this takes about as long (2.6-3.1 s
# with keeping it, on a loaded machine) and 76 MB more (README, issue 18).
_PLAIN = "length(name) = length(CAST(name AS BLOB))"  # ASCII, and no NUL (length stops at one)
_IN_ORDER = (
    "SELECT id, name FROM tag ORDER BY"
    f" CASE WHEN {_PLAIN} THEN lower(name) ELSE {CASEFOLD_FUNCTION}(name) END, name"
)
# The three columns of the listing, of the names in list order: the names in UTF-8 with a
# NUL between them; ids and lengths as eight hex digits each, read into machine integers by
# bytes.fromhex in C (JSON made a Python int of each first: 60 MB more at a million items).
_COLUMNS = (
    "CAST(group_concat(name, char(0)) AS BLOB)",
    "group_concat(printf('%08x', id), '')",
    "group_concat(printf('%08x', length(CAST(name AS BLOB))), '')",
)
_SORTED = "temp.refman_tag_order"


def _listing(db: Database, version: tuple[int, int]) -> TagListing:
    """The names (and ids) in list order, sorted anew: the names as one UTF-8 text (decoded
    one by one when shown, ``_Names``), ids and lengths as hex (one fetch per tag is several
    times slower)."""
    if version[1] >= 2**31:  # the newest tag id: not eight hex digits of a positive int
        return _listing_in_python(db, version)
    joined, ids_hex, lengths_hex = _sorted_columns(db)
    if joined is None:  # no tags
        return TagListing(version, [], [], [])
    ids, lengths = _from_hex(ids_hex), _from_hex(lengths_hex)
    del ids_hex, lengths_hex
    text = b"%s%s%s" % (_NUL, joined, _NUL)
    del joined
    if ids is None or lengths is None or text.count(_NUL) != len(ids) + 1:
        return _listing_in_python(db, version)  # a name holding a NUL
    # Each name starts one byte (the NUL) past the end of the one before: sums made in C.
    starts = array("i", accumulate(map((1).__add__, lengths), initial=1))
    return TagListing(version, _Names(text, starts), ids, _ranks(db, ids))


def _sorted_columns(db: Database) -> list[Any]:
    """The listing's columns, sorted once into a temporary table and read one at a time:
    SQLite and Python then hold one column's copies at a time, not all three (at a million
    items 40 MB less of the peak, which a large import's end pays, see
    Connection.keep_tag_listing). A read-only library (``query_only``, no temporary table
    either) reads the three at once."""
    try:
        db.execute_sql(f"CREATE TEMP TABLE {_SORTED} AS {_IN_ORDER}")
    except OperationalError:  # "attempt to write a readonly database"
        return _fetched(db, f"SELECT {', '.join(_COLUMNS)} FROM ({_IN_ORDER})")
    try:
        return [_fetched(db, f"SELECT {column} FROM {_SORTED}")[0] for column in _COLUMNS]
    finally:
        db.execute_sql(f"DROP TABLE {_SORTED}")


def _fetched(db: Database, sql: str) -> list[Any]:
    """The one row of ``sql``, SQLite's copies of its values freed before it is returned."""
    cursor = db.execute_sql(sql)
    row = list(cursor.fetchone())
    cursor.close()
    return row


def _from_hex(text: str) -> array[int] | None:
    """Numbers below 2**31 written as eight hex digits each; None if a number took more."""
    numbers = array("i", bytes.fromhex(text))
    if sys.byteorder == "little":  # the hex is written most significant byte first
        numbers.byteswap()
    return numbers if len(numbers) * 8 == len(text) else None


def _listing_in_python(db: Database, version: tuple[int, int]) -> TagListing:
    """The listing sorted in Python, for what the SQL cannot list (see _listing)."""
    rows = sorted(db.execute_sql("SELECT id, name FROM tag"), key=lambda row: _order(row[1]))
    ids = [tag_id for tag_id, _ in rows]
    return TagListing(version, [name for _, name in rows], ids, _ranks(db, ids))


# Past this share of new tags, sorting every name anew costs less than placing each one.
NEW_TAGS_PLACED = 0.2
# Past this share of tags placed in the file's listing, the listing is stored anew: storing
# costs more than placing a few (a tag added by hand), and each new process places them.
NEW_TAGS_STORED = 0.01


def _made(
    db: Database, kept: TagListing | None, version: tuple[int, int]
) -> tuple[TagListing, bool]:
    """The listing at this version, made from what is at hand: the one this process keeps,
    the one the file keeps, or every name sorted anew; and whether the file should keep it
    (it was sorted, or many tags were placed in the file's)."""
    if kept is not None and kept.version[0] == version[0] and kept.version[1] < version[1]:
        return _with_new_tags(db, kept, version)  # tags added, none renamed or deleted
    stored = _stored_listing(db, version)
    if stored is None:
        return _listing(db, version), True
    if stored.version == version:
        return stored, False
    listing, sorted_anew = _with_new_tags(db, stored, version)
    return listing, sorted_anew or len(listing.ids) - len(stored.ids) > NEW_TAGS_STORED * len(
        listing.ids
    )


def _with_new_tags(
    db: Database, kept: TagListing, version: tuple[int, int]
) -> tuple[TagListing, bool]:
    """The kept listing with the tags made since it was read, and whether every name was
    sorted anew instead (too many new tags)."""
    sql = (
        "SELECT json_group_array(id), json_group_array(name) FROM"
        " (SELECT id, name FROM tag WHERE id > ? ORDER BY id)"
    )
    ids_json, names_json = db.execute_sql(sql, (kept.version[1],)).fetchone()
    ids, names = json.loads(ids_json), json.loads(names_json)
    if len(ids) > NEW_TAGS_PLACED * len(kept.ids):
        return _listing(db, version), True
    return kept.with_new(version, ids, names), False


def _ranks(db: Database, ids: Sequence[int]) -> Sequence[int]:
    """Where each of these tag ids comes in order of id."""
    if not ids:
        return []
    # The lowest and highest ids off the table's own b-tree, not a pass over the list.
    low = db.execute_sql("SELECT min(id) FROM tag").fetchone()[0]
    high = db.execute_sql("SELECT max(id) FROM tag").fetchone()[0]
    if high - low + 1 != len(ids):  # tags were deleted: rank the ids that are left
        ascending_sql = "SELECT json_group_array(id) FROM (SELECT id FROM tag ORDER BY id)"
        (ascending,) = db.execute_sql(ascending_sql).fetchone()
        ranks = dict(zip(json.loads(ascending), range(len(ids)), strict=True))
        return array("i", map(ranks.__getitem__, ids))
    return array("i", map((-low).__add__, ids))  # no gaps: the rank is the id


# --- the listing kept in the library file ----------------------------------------------------

# A stored listing is read only by a process that sorts and packs as the one that wrote it:
# casefold follows Python's Unicode version, and the numbers are in the machine's byte order.
_FORMAT = f"3; Unicode {unicodedata.unidata_version}; {sys.byteorder}; int{8 * array('i').itemsize}"
# A listing whose names take at most this many bytes is kept with each column compressed by
# zlib (level 1): 8.3 MB → 3.8 MB at 100,000 items (221,000 tags), where the file's size
# counts (issue 18: at most 1.5 times the MEDLINE source), unpacked in about 35 ms. A larger
# one is kept as it is: unpacking the 62 MB of a million items' listing would add a fifth of
# a second to each new process's first tag list, for 1 % of that file.
COMPRESSED_UP_TO = 16_000_000
_FORMAT_COMPRESSED = f"{_FORMAT}; zlib"
_SEPARATOR = "\0"  # around the names; a name holding it leaves the listing unstored
_NUL = _SEPARATOR.encode()


def _stored_listing(db: Database, version: tuple[int, int]) -> TagListing | None:
    """The file's listing if the tags it lists are still as they were (only new ones since),
    at the version it was made for: names are decoded when asked (``_Names``)."""
    row = db.execute_sql(
        "SELECT format, newest_tag_id, names, starts, ids, ranks, places FROM tag_listing"
        " WHERE names_version = ? AND newest_tag_id <= ? AND format IN (?, ?)",
        (version[0], version[1], _FORMAT, _FORMAT_COMPRESSED),
    ).fetchone()
    if row is None:
        return None
    form, newest, *columns = row
    try:
        if form == _FORMAT_COMPRESSED:
            columns = [zlib.decompress(column) for column in columns]
        text, packed_starts, ids, ranks, places = columns
        starts = _unpacked(packed_starts)
        listing = TagListing(
            (version[0], newest),
            _Names(text, starts),
            _unpacked(ids),
            _unpacked(ranks),
            _unpacked(places),
        )
    except (ValueError, TypeError, zlib.error):  # not bytes, whole numbers, or zlib's
        return None  # not as this program writes it: sorted anew
    if not _whole(listing, text, starts):
        return None
    return listing


def _whole(listing: TagListing, text: bytes, starts: Sequence[int]) -> bool:
    """Whether the stored columns fit together (a check of their lengths and ends)."""
    count = len(listing.ids)
    if len(starts) != count + 1 or not count == len(listing.ranks) == len(listing.places):
        return False
    sep = _SEPARATOR.encode()
    return text[:1] == text[-1:] == sep and starts[0] == 1 and starts[-1] == len(text)


def store_listing(db: Database, listing: TagListing) -> None:
    """Keep the listing in the file for the next process, if the tags are still as it lists
    them (inside a write transaction: no other program changes them meanwhile). Tag ids past
    2**31 (never made by counting up) leave it unstored."""
    names_version = TagNamesVersion.select(TagNamesVersion.version).bind(db).scalar() or 0
    if (names_version, newest_tag_id(db)) != listing.version or not listing.ids:
        return
    names = _names_packed(listing.names)
    if names is None:
        return
    text, starts = names
    try:
        columns = [text, _packed(starts), _packed(listing.ids), _packed(listing.ranks)]
        columns.append(_packed(listing.places))
    except OverflowError:
        return
    form = _FORMAT
    if len(text) <= COMPRESSED_UP_TO:
        form = _FORMAT_COMPRESSED
        columns = [zlib.compress(column, 1) for column in columns]
    db.execute_sql("DELETE FROM tag_listing")
    # Room made for each column, then written into it (SQLite's incremental BLOB I/O): bound
    # as parameters, SQLite took a copy of all 62 MB of a million items' listing first.
    sizes = [memoryview(column).nbytes for column in columns]
    cursor = db.execute_sql(
        "INSERT INTO tag_listing"
        f" (names_version, newest_tag_id, format, {', '.join(_STORED)})"
        " VALUES (?, ?, ?, zeroblob(?), zeroblob(?), zeroblob(?), zeroblob(?), zeroblob(?))",
        (*listing.version, form, *sizes),
    )
    row = cursor.lastrowid
    for name, column in zip(_STORED, columns, strict=True):
        with db.connection().blobopen("tag_listing", name, row) as blob:
            blob.write(column)


_STORED = ("names", "starts", "ids", "ranks", "places")  # tag_listing's columns, in that order


def _names_packed(names: Sequence[str]) -> tuple[bytes, Sequence[int]] | None:
    """The names as the file keeps them: one UTF-8 text with a NUL before, between and after
    them, and where each starts; None when a name holds a NUL."""
    if isinstance(names, _Names):
        return names.packed()
    joined = _SEPARATOR.join(names)
    if joined.count(_SEPARATOR) != len(names) - 1:
        return None
    # Each name starts one byte (the NUL) past the end of the one before: sums made in C.
    lengths = map((1).__add__, _utf8_lengths(names))
    return f"{_SEPARATOR}{joined}{_SEPARATOR}".encode(), array("i", accumulate(lengths, initial=1))


def _utf8_lengths(names: Sequence[str]) -> list[int]:
    """Each name's length in UTF-8: its length in characters (found in C), but for the few
    names that are not ASCII, encoded one by one (splitting all the encoded names took three
    times as long)."""
    lengths = list(map(len, names))
    not_ascii = compress(range(len(lengths)), map(operator.not_, map(str.isascii, names)))
    for position in not_ascii:
        lengths[position] = len(names[position].encode())
    return lengths


def _packed(numbers: Sequence[int]) -> array[int] | memoryview:
    """The numbers as machine integers: SQLite takes them as a BLOB without a copy in Python."""
    if isinstance(numbers, (array, memoryview)):
        return numbers
    return array("i", numbers)


def _unpacked(packed: bytes) -> memoryview:
    """The numbers as a view of the bytes read: neither a list (40 ms to make at 1,770,000)
    nor an array (a copy). TypeError when the bytes are not whole numbers."""
    return memoryview(packed).cast("i")


def counts(db: Database, listings: TagListings, view: ViewQuery) -> TagCounts:
    """Each tag on the items of a view with its item count; coloured tags always appear.

    A tag is ``automatic`` when none of its links in the view is manual: the selector then
    hides it with the other automatic tags, but never hides a tag the user applied by hand.
    The library (or its unfiled part) is counted off tag_total, the items outside it (the
    trash, and for "unfiled" the filed items) taken away; another view counts its own links.
    """
    if view.collection is not None or view.trashed or view.flags:
        return _counted(db, *_link_counts(db, _view_items(view)))
    listing = listings.current(db)
    totals, adds_up = listings.totals(db)
    try:
        if len(totals) != len(listing.ids) or not adds_up:
            raise KeyError("tag_total")  # tags changed while read, or links left uncounted
        return _listed_counts(db, listing, totals, view)
    except KeyError:  # tag_total and the tags disagree: count the links themselves
        return _counted(db, *_library_counts(db, view))


def _listed_counts(
    db: Database, listing: TagListing, totals: Sequence[int], view: ViewQuery
) -> TagCounts:
    """The library's counts in list order: tag_total, less the items outside the view."""
    outside: SelectQuery = Trash.select(Trash.item)
    if view.unfiled:
        outside = outside | CollectionItem.select(CollectionItem.item)
    out_items, out_manual = _link_counts(db, outside)
    less = {listing.position(tag_id): count for tag_id, count in out_items.items()}
    found = _ByRank(totals, listing.ranks, less)
    automatic = [True] * len(found)
    for tag_id, count in _manual_links(db).items():
        if count > out_manual.get(tag_id, 0):
            automatic[listing.position(tag_id)] = False
    colors = [""] * len(found)
    for tag_id, color in fetch(db, TagRow.select(TagRow.id, TagRow.color).where(_coloured())):
        at = listing.position(tag_id)
        colors[at] = color
        automatic[at] = automatic[at] and found[at] > 0
    names = listing.names
    if found.has_zero():  # tags on trashed (or filed) items only: shown only when coloured
        counted = list(found)
        shown = [bool(count or color) for count, color in zip(counted, colors, strict=True)]
        names, counted = list(compress(names, shown)), list(compress(counted, shown))
        automatic, colors = list(compress(automatic, shown)), list(compress(colors, shown))
        return TagCounts(names, counted, automatic, colors)
    return TagCounts(names, found, automatic, colors)


class _ByRank(Sequence[int]):
    """The listed tags' counts, each picked when asked from the counts in order of tag id (at
    its rank), less the items outside the view: picking all 1,770,000 of a large library into
    list order cost a seventh of a second at each refresh, for a list that shows a screenful."""

    def __init__(self, by_id: Sequence[int], ranks: Sequence[int], less: dict[int, int]):
        self._by_id = by_id
        self._ranks = ranks
        self._less = less  # {position in the list: items outside the view}

    def __len__(self) -> int:
        return len(self._ranks)

    @overload
    def __getitem__(self, position: int) -> int: ...
    @overload
    def __getitem__(self, position: slice) -> list[int]: ...
    def __getitem__(self, position: int | slice) -> int | list[int]:
        if isinstance(position, slice):  # only the positions asked for, not all 1.77 M
            return [self[i] for i in range(*position.indices(len(self._ranks)))]
        if position < 0:
            position += len(self._ranks)
        return self._by_id[self._ranks[position]] - self._less.get(position, 0)

    def __iter__(self) -> Iterator[int]:
        counts = list(map(self._by_id.__getitem__, self._ranks))
        for position, count in self._less.items():
            counts[position] -= count
        return iter(counts)

    def has_zero(self) -> bool:
        """Whether a tag has no item in the view (a scan in C, and one look per tag with
        items outside the view)."""
        return 0 in self._by_id or any(
            self._by_id[self._ranks[position]] == count for position, count in self._less.items()
        )


def _coloured() -> Expression:
    # A literal, not a parameter: SQLite must see that the partial index of coloured tags fits.
    return TagRow.color != SQL("''")


def _totals(db: Database) -> list[int]:
    """Items per tag, in order of tag id (a tag_total row per tag)."""
    # A scan of the table (NOT INDEXED: should an index come) walks it in order of tag id; a
    # subquery with ORDER BY would cost a third more. JSON, not hex as _LISTING_SQL: SQLite's
    # printf for each of a million rows costs more than decoding the JSON.
    by_id = "SELECT json_group_array(items) FROM tag_total NOT INDEXED"
    (found,) = db.execute_sql(by_id).fetchone()
    return json.loads(found)


def _links(db: Database) -> int:
    """How many links there are. Exactly ``count(*)``: SQLite then adds up the entries of an
    index's pages instead of reading each one (well under a millisecond for a million)."""
    return db.execute_sql("SELECT count(*) FROM item_tag").fetchone()[0]


def _manual_links(db: Database) -> dict[int, int]:
    """{tag id: manual links} over the whole library, read off the partial index."""
    # A literal, not a parameter: SQLite must see that the partial index of manual links fits.
    manual = ItemTag.select(ItemTag.tag, fn.COUNT(SQL("*"))).where(
        ItemTag.kind == SQL(f"'{TAG_MANUAL}'")
    )
    return dict(fetch(db, manual.group_by(ItemTag.tag)))


def _counted(db: Database, items: dict[int, int], manual: dict[int, int]) -> TagCounts:
    """The tags with items (and the coloured ones), sorted in Python: for smaller views."""
    wanted = TagRow.id.in_(SQL("(SELECT value FROM json_each(?))", [json.dumps(list(items))]))
    query = TagRow.select(TagRow.id, TagRow.name, TagRow.color).where(wanted | _coloured())
    found = []
    for tag_id, name, color in fetch(db, query):
        count = items.get(tag_id, 0)
        if count or color:
            automatic = count > 0 and not manual.get(tag_id)
            found.append(TagCount(name, automatic=automatic, count=count, color=color))
    return TagCounts.of(found)


def _library_counts(db: Database, view: ViewQuery) -> tuple[dict[int, int], dict[int, int]]:
    """({tag id: items}, {tag id: items carrying it by hand}) counted over every link."""
    outside: SelectQuery = Trash.select(Trash.item)
    if view.unfiled:
        outside = outside | CollectionItem.select(CollectionItem.item)
    links = ItemTag.select(ItemTag.tag, fn.COUNT(SQL("*"))).group_by(ItemTag.tag)
    out_items, out_manual = _link_counts(db, outside)
    all_items: dict[int, int] = dict(fetch(db, links))
    all_manual = _manual_links(db)
    return _subtract(all_items, out_items), _subtract(all_manual, out_manual)


def _view_items(view: ViewQuery) -> ModelSelect[Item]:
    return Item.select(Item.id).where(search.view_condition(view))


def _link_counts(db: Database, items: SelectQuery) -> tuple[dict[int, int], dict[int, int]]:
    """({tag id: links}, {tag id: manual links}) among the links of these items."""
    manual = Case(None, [(ItemTag.kind == TAG_MANUAL, 1)], 0)
    query = ItemTag.select(ItemTag.tag, fn.COUNT(SQL("*")), fn.SUM(manual))
    rows = fetch(db, query.where(ItemTag.item.in_(items)).group_by(ItemTag.tag))
    return {tag: n for tag, n, _ in rows}, {tag: m for tag, _, m in rows if m}


def _subtract(total: dict[int, int], part: dict[int, int]) -> dict[int, int]:
    return {tag_id: count - part.get(tag_id, 0) for tag_id, count in total.items()}


# --- checking the counts ----------------------------------------------------------------------

_WRONG_TOTALS = """
SELECT tag.name, coalesce(tag_total.items, -1), (SELECT count(*) FROM item_tag
    WHERE item_tag.tag_id = tag.id) AS counted
FROM tag LEFT JOIN tag_total ON tag_total.tag_id = tag.id
WHERE coalesce(tag_total.items, -1) != counted ORDER BY tag.id
"""


def check_totals(db: Database) -> list[str]:
    """Tags whose stored item count (tag_total) differs from their links; empty when right."""
    return [
        f"tag {name!r} is counted on {stored} items but is on {counted}"
        if stored >= 0
        else f"tag {name!r} has no stored item count"
        for name, stored, counted in db.execute_sql(_WRONG_TOTALS)
    ]


def rebuild_totals(db: Database) -> None:
    """Count every tag's items anew from the links."""
    db.execute_sql("DELETE FROM tag_total")
    db.execute_sql(
        "INSERT INTO tag_total (tag_id, items) SELECT id, (SELECT count(*) FROM item_tag"
        " WHERE item_tag.tag_id = tag.id) FROM tag"
    )
