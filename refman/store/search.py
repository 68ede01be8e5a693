"""Finding items: view filters (collection, unfiled, tags, trash), text and sort orders.

A view (the trash or the rest, a collection, tags) is sorted in SQL on indexed columns. The
text part comes from the full-text index (``fts``) as the ids each word matches, which then
narrow the view's sorted ids in Python. The sorted ids of the last few views are kept
(``ViewOrders``) as long as the library does not change, so that typing in the search box
sorts nothing again. The item table model holds the ordered ids this returns.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import compress
from operator import is_not, itemgetter
from typing import Any, cast

from peewee import ColumnBase, Database, Expression, Model, fn

from refman import query
from refman.model import CollectionId, ItemId, NoWordsError, ViewQuery
from refman.store import attachments, fts, querying
from refman.store.bulk import fetch, ids_in_order, ids_listed
from refman.store.schema import (
    CitationKey,
    CollectionItem,
    Item,
    ItemFlags,
    ItemTag,
    Tag,
    Trash,
)

# Sort key (as the item table names its columns) → the indexed column that orders it.
SORT_COLUMNS = {
    "title": Item.title_sort,
    "creators": Item.creators_sort,
    "year": Item.date_sort,
    "journal": Item.journal_sort,
    "date_added": Item.date_added,
    "date_modified": Item.date_modified,
    "item_type": Item.item_type,
    "doi": Item.doi_key,
    "pmid": Item.pmid_sort,
    "volume": Item.volume_sort,
    "pages": Item.pages_sort,
    # Ignoring case, as keys are compared; items without a key (none, in a migrated library)
    # first.
    "citation_key": fn.IFNULL(
        CitationKey.select(CitationKey.folded).where(CitationKey.item == Item.id), ""
    ),
}

# Up to this many matches, they are sorted by themselves (by the view's kept order, else looked
# up by id in SQL); past it, they select from the view's sorted ids. A view of up to this many
# items is looked up by id and sorted; a larger one walks the sort index. About the point where
# both cost the same on a 100,000-item library.
FEW_MATCHES = 5000
# Up to this share of the view's ids (1/32), matches in a set have their places in the view's
# order sorted; past it they select from the order, a pass over all of it whatever the matches.
# Measured at 1,000,000 items: 9,000-19,000 matches sorted took 15-20 ms less, 54,000-82,000
# took 25-50 ms more (the places are looked up all over memory). A mask (plain words) always
# selects.
SORT_UP_TO_SHARE = 32

# Up to this many ids, a view's order keeps each id's place (a dict, made when first needed):
# few or some thousands of matches are then put in order by their places. A larger view does
# without: its dict cost 170-190 ms of processor time to make at 1,000,000 items (and 100 MB),
# paid by the first search with few matches; there, few matches are sorted in SQL and more
# select from the view's order (a pass over its ids, 25-70 ms at a million).
PLACES_UP_TO = 250_000

Matches = querying.Group  # a set of ids, or past querying.MASK_FROM a mask (a byte per id)
_is_place = partial(is_not, None)  # a found id's place in a view, None when outside it
# A kept order's key: the sort, descending, and the view's tags, collection, unfiled, trashed
# and notice flags.
ViewKey = tuple[str, bool, tuple[str, ...], CollectionId | None, bool, bool, tuple[str, ...]]


class ViewOrder:
    """The sorted ids of one view, and what narrowing them by text needs (made when used)."""

    def __init__(self, ids: list[int]):
        self.ids = ids
        self._ranks: dict[int, int] | None = None
        self._pick: itemgetter[Any] | None = None

    @property
    def places(self) -> bool:
        """Whether ``sort`` may be used: the view is small enough to keep its ids' places."""
        return len(self.ids) <= PLACES_UP_TO

    def sort(self, found: Iterable[int]) -> list[int]:
        """These ids in the view's order; those outside the view are left out. Their places in
        the view are sorted, each loop in C: a cost that grows with the ids, not the view."""
        if self._ranks is None:
            self._ranks = dict(zip(self.ids, range(len(self.ids)), strict=True))
        places = cast(Iterable[int], filter(_is_place, map(self._ranks.get, found)))
        return list(map(self.ids.__getitem__, sorted(places)))

    def select(self, mask: bytes | bytearray) -> list[int]:
        """The view's ids whose byte in the mask is set, in the view's order."""
        if len(self.ids) < 2:  # itemgetter of one id returns a byte, not a tuple
            return [i for i in self.ids if mask[i]]
        if self._pick is None:
            self._pick = itemgetter(*self.ids)  # every id's byte in one call, in C
        return list(compress(self.ids, self._pick(mask)))


class ViewOrders:
    """The orders of the last few views searched. The connection empties it whenever the
    library may have changed (Connection.view_orders), so that an order here is always the
    current one."""

    SIZE = 4

    def __init__(self) -> None:
        self._orders: OrderedDict[ViewKey, ViewOrder] = OrderedDict()

    def clear(self) -> None:
        self._orders.clear()

    def get(self, key: ViewKey) -> ViewOrder | None:
        order = self._orders.get(key)
        if order is not None:
            self._orders.move_to_end(key)
        return order

    def put(self, key: ViewKey, order: ViewOrder) -> ViewOrder:
        self._orders[key] = order
        self._orders.move_to_end(key)
        while len(self._orders) > self.SIZE:
            self._orders.popitem(last=False)
        return order


def _with_tag(item: ColumnBase, name: str) -> Expression:
    return item.in_(ItemTag.select(ItemTag.item).join(Tag).where(Tag.name == name))


def _with_flag(item: ColumnBase, flags: Sequence[str]) -> Expression:
    """Items whose kept notice flags (item_flags, "retracted concern ...") hold one of these."""
    # The flags are a few fixed words, none part of another: a word's LIKE is exact enough.
    found = ItemFlags.flags.contains(flags[0])
    for flag in flags[1:]:
        found |= ItemFlags.flags.contains(flag)
    return item.in_(ItemFlags.select(ItemFlags.item).where(found))


def view_condition(
    view: ViewQuery, *, walk: bool = False, column: ColumnBase = Item.id
) -> Expression:
    """The items of a view's place (its text aside), as a condition on Item (or on another
    table's item id ``column``): the trash or the rest, then the collection, unfiled, tag and
    notice flag filters.

    ``walk``: the conditions are written on ``id + 0``, which SQLite cannot look items up
    by, so that it walks the sort index instead of starting from a long list of ids.
    """
    item: ColumnBase = column + 0 if walk else column
    in_trash = Trash.select(Trash.item)
    condition = item.in_(in_trash) if view.trashed else item.not_in(in_trash)
    if view.collection is not None:
        members = CollectionItem.select(CollectionItem.item)
        condition &= item.in_(members.where(CollectionItem.collection == view.collection))
    if view.unfiled:
        condition &= item.not_in(CollectionItem.select(CollectionItem.item))
    for name in dict.fromkeys(view.tags):
        condition &= _with_tag(item, name)
    if view.flags:
        condition &= _with_flag(item, view.flags)
    return condition


@dataclass(frozen=True)
class Found:
    """What a search found: the ids in order, and the items found whose PDFs hold searched
    words (a word that matched there, whether or not the item's fields hold it too). ``in_pdf``
    is asked about the ids shown: it may also name items the view's place (a collection, the
    Trash) leaves out, since narrowing it too would cost a pass over every id."""

    ids: list[ItemId]
    in_pdf: frozenset[ItemId] = field(default_factory=frozenset)


def search_ids(
    db: Database,
    view: ViewQuery,
    *,
    sort: str,
    descending: bool,
    orders: ViewOrders | None = None,
) -> list[ItemId]:
    """Ids of the items in a view that match its text, in the given order: ``search``'s ids."""
    return search(db, view, sort=sort, descending=descending, orders=orders).ids


def search(
    db: Database,
    view: ViewQuery,
    *,
    sort: str,
    descending: bool,
    orders: ViewOrders | None = None,
) -> Found:
    """The items in a view that match its text, in the given order (ties: by id), and which
    of them the words were found in a PDF of.

    ``orders`` keeps the sorted ids of views between calls (None: nothing is kept). Few
    matches are sorted by themselves: by the view's kept order, else in SQL by id. Many
    matches narrow the view's sorted ids, made first when not kept.

    The text is a query (refman.query): plain words are searched as prefixes through the
    full-text index; field tags, operators, phrases and identifiers through store.querying.
    Each plain (untagged) word finds an item through its fields, a tag, a note or the text of
    one of its PDFs outside the Trash, as Zotero's "All Fields & Tags" mode with full text
    ("Everything") does: ``cancer smith`` finds Smith's paper whose PDF alone says cancer.
    Blank text narrows nothing; text with no word in it (``?``, an emoji) raises NoWordsError:
    it must never stand for every item. Text that cannot be read raises query.QueryError.
    """
    if sort not in SORT_COLUMNS:
        raise ValueError(f"unknown sort key {sort!r}; use one of {', '.join(SORT_COLUMNS)}")
    if view.saved_query:
        return _within_saved_search(db, view, sort, descending, orders)
    ids, in_pdf = _found_ids(db, view, sort, descending, orders)
    # ItemId is int at run time: the list is handed on as it is, not copied (100,000 ids).
    return Found(cast(list[ItemId], ids), cast(frozenset[ItemId], in_pdf))


def _within_saved_search(
    db: Database, view: ViewQuery, sort: str, descending: bool, orders: ViewOrders | None
) -> Found:
    """A view narrowed by a saved search (``view.saved_query``): with no search text of its
    own, the saved query is its text, one search; with both, the view's items that the saved
    query finds too (a set: its order is not needed)."""
    saved = replace(view, text=view.saved_query, saved_query="")
    if not view.text.strip():
        return search(db, saved, sort=sort, descending=descending, orders=orders)
    wanted = search(db, saved, sort="title", descending=False, orders=orders)
    kept = set(wanted.ids)
    narrowed = replace(view, saved_query="")
    found = search(db, narrowed, sort=sort, descending=descending, orders=orders)
    ids = [item_id for item_id in found.ids if item_id in kept]
    return Found(ids, (found.in_pdf | wanted.in_pdf) & kept)


def _found_ids(
    db: Database, view: ViewQuery, sort: str, descending: bool, orders: ViewOrders | None
) -> tuple[list[int], frozenset[int]]:
    """The view's ids that match its text, in order, and those found in a PDF."""
    tree = query.parse(view.text)  # QueryError when it cannot be read
    if tree is None:
        return list(_view_order(db, orders, sort, descending, view).ids), frozenset()
    plain = query.plain_words(tree)
    if plain is None:  # field tags, operators, phrases or an identifier
        try:
            found = _as_matches(db, querying.find(db, tree))
        except query.QueryError as error:  # a term with nothing to search for
            raise query.in_query(error, view.text) from None
        pdf_hits = _pdf_hits(db, querying.pdf_phrases(tree))
    else:  # plain words: the instant prefix search, as before the query language
        words = fts.match_words(" ".join(plain))
        if not words:
            raise NoWordsError(view.text)
        found, pdf_hits = _matches(db, words)
    in_pdf = frozenset(_within(pdf_hits, found))
    count = querying.size(found)
    if count <= FEW_MATCHES:
        ids = found if isinstance(found, set) else querying.ids_of_mask(found)
        kept = orders.get(_view_key(sort, descending, view)) if orders is not None else None
        if kept is not None and kept.places:
            return kept.sort(ids), in_pdf
        return (_sorted(db, sort, descending, view, among=ids) if ids else []), in_pdf
    order = _view_order(db, orders, sort, descending, view)
    if isinstance(found, set) and order.places and count <= len(order.ids) // SORT_UP_TO_SHARE:
        return order.sort(found), in_pdf
    mask = found if isinstance(found, bytearray) else querying.mask_of(found, _top(db))
    return order.select(mask), in_pdf


def pdf_phrases(text: str) -> list[str]:
    """The FTS5 phrases of a search's text that look in PDFs: each plain word (``"word"*``),
    or, in a query with field tags, its untagged and ``[pdf]`` terms; [] for none (or text
    that cannot be read). The passage shown for a row is made of these."""
    try:
        tree = query.parse(text)
    except query.QueryError:
        return []
    if tree is None:
        return []
    plain = query.plain_words(tree)
    return fts.match_words(" ".join(plain)) if plain is not None else querying.pdf_phrases(tree)


def _pdf_hits(db: Database, phrases: Sequence[str]) -> set[int]:
    """The items whose PDFs hold any of these phrases (one statement)."""
    return {item_id for ids in attachments.word_matches(db, phrases) for item_id in ids}


def _within(ids: Iterable[int], found: Matches) -> list[int]:
    """Those of ``ids`` (a few: items with PDFs) that ``found`` holds."""
    if isinstance(found, set):
        return [i for i in ids if i in found]
    return [i for i in ids if i < len(found) and found[i]]


def _view_key(sort: str, descending: bool, view: ViewQuery) -> ViewKey:
    """The kept order's key: the sort and the view's place; its text narrows the order."""
    return (sort, descending, view.tags, view.collection, view.unfiled, view.trashed, view.flags)


def _view_order(
    db: Database, orders: ViewOrders | None, sort: str, descending: bool, view: ViewQuery
) -> ViewOrder:
    """The view's sorted ids: the kept ones, else sorted now (and kept)."""
    if orders is None:
        return ViewOrder(_sorted(db, sort, descending, view))
    key = _view_key(sort, descending, view)
    kept = orders.get(key)
    if kept is not None:
        return kept
    return orders.put(key, ViewOrder(_sorted(db, sort, descending, view)))


def _sorted(
    db: Database,
    sort: str,
    descending: bool,
    view: ViewQuery,
    among: Iterable[int] | None = None,
) -> list[int]:
    """The view's ids (only those ``among`` these, when given) in the sort order, by SQL.

    Two plans. When the ids, the trash, the collection or a tag narrows the view to a few
    items, they are looked up by id and sorted. Otherwise SQLite walks the sort column's index
    and checks the view's conditions on the way: no sorting at all. SQLite cannot tell the two
    cases apart itself, so the plan is chosen here from counts that cost little.
    """
    few = among is not None or _narrowest(db, view) <= FEW_MATCHES
    if sort == "citation_key" and not few:
        return _by_citation_key(db, view, descending)
    condition = view_condition(view, walk=not few)
    if among is not None:
        condition &= Item.id.in_(ids_listed(list(among)))
    key: ColumnBase = SORT_COLUMNS[sort]
    if few:
        key = key.concat("")  # an expression: SQLite will not walk the index for the order
    order = [key.desc(), Item.id.desc()] if descending else [key, Item.id]
    query = Item.select(Item.id).where(condition).order_by(*order)
    return [item_id for (item_id,) in fetch(db, query)]


def _by_citation_key(db: Database, view: ViewQuery, descending: bool) -> list[int]:
    """A large view's ids by citation key, in SORT_COLUMNS' order: items without a key first
    (as ""), each tie by id, all reversed going down.

    The key lives in its own table, so SORT_COLUMNS' subquery made SQLite sort the whole
    library (1.5 s at a million items). Here it walks the unique index of the folded keys,
    which holds the item ids too, and reads no item row. Every item gets a key when it is
    made: items without one (a damaged library) are looked for only when the counts differ.
    """
    folded = CitationKey.folded.desc() if descending else CitationKey.folded
    keyed = (
        CitationKey.select(CitationKey.item.alias("id"))
        .where(view_condition(view, walk=True, column=CitationKey.item))
        .order_by(folded)
    )
    with_key = ids_in_order(db, keyed)
    if _count_of(db, Item) == _count_of(db, CitationKey):
        return with_key
    no_key = Item.id.not_in(CitationKey.select(CitationKey.item))
    keyless = Item.select(Item.id).where(view_condition(view, walk=True) & no_key)
    # Unordered: SQLite then scans a small index rather than every item row.
    without = sorted((item_id for (item_id,) in fetch(db, keyless)), reverse=descending)
    return with_key + without if descending else without + with_key


def _count_of(db: Database, table: type[Model]) -> int:
    """The rows of a table. Exactly ``count(*)``: SQLite adds up the entries of its smallest
    index's pages rather than reading each one."""
    return db.execute_sql(f'SELECT count(*) FROM "{table._meta.table_name}"').fetchone()[0]


def _matches(db: Database, words: Sequence[str]) -> tuple[Matches, set[int]]:
    """The items matching every word (each through fields, a tag, a note or a PDF), and the
    items whose PDFs hold any of the words. The PDFs' matches come first, for all the words
    in one statement: without PDFs in the library it costs next to nothing."""
    in_pdfs = attachments.word_matches(db, words)
    found: Matches | None = None
    top = 0  # a mask's length, asked once
    for word, in_pdf in zip(words, in_pdfs, strict=True):
        ids = fts.word_matches(db, word)
        ids += in_pdf
        if len(ids) > querying.MASK_FROM:
            top = top or _top(db)
            matched: Matches = querying.mask_of(ids, top)
        else:
            matched = set(ids)
        found = matched if found is None else querying.common(found, matched)
        if not querying.any_in(found):
            break  # the other words cannot bring any back
    pdf_hits = {item_id for ids in in_pdfs for item_id in ids}
    return (found if found is not None else set()), pdf_hits


def _as_matches(db: Database, found: querying.Ids) -> Matches:
    """A query's items as a set, or when it names those it leaves out (most of the library),
    as a mask of every other id."""
    if not found.excluded:
        return found.ids
    top = _top(db)
    mask = found.ids if isinstance(found.ids, bytearray) else querying.mask_of(found.ids, top)
    return querying.inverted(mask, top)


def _top(db: Database) -> int:
    """One more than the highest item id: the length of a mask."""
    return querying.mask_length(db)


def _narrowest(db: Database, view: ViewQuery) -> float:
    """The size of the smallest set of items the view's trash, collection, tags or notice
    flags allow."""
    sizes = [float("inf")]
    if view.trashed:
        sizes.append(Trash.select().bind(db).count())
    if view.collection is not None:
        members = CollectionItem.select().where(CollectionItem.collection == view.collection)
        sizes.append(members.bind(db).count())
    for name in view.tags:
        links = ItemTag.select().join(Tag).where(Tag.name == name)
        sizes.append(links.bind(db).count())
    if view.flags:  # few: the flagged items of a library are a handful
        sizes.append(ItemFlags.select().where(ItemFlags.flags != "").bind(db).count())
    return min(sizes)
