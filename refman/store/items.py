"""Items: adding (in bulk), reading, editing, trashing and deleting, and duplicate lookup.

Adding goes through one path for one reference or a hundred thousand: the rows are built in
Python (``mapping``) and written with ``executemany``, one statement per table, instead of an
ORM save per row. Item ids are assigned here (max + 1, as SQLite would) so that the creators,
tags and index rows can be written in the same pass; the caller's immediate transaction makes
that safe against another writer.
"""

from __future__ import annotations

import operator
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

from peewee import SQL, ColumnBase, Database, ModelSelect, chunked, fn

from refman import collector
from refman.model import EDITABLE_FIELDS, ItemId, MissingItemError, Reference, Tag
from refman.store import attachments, batches, citekeys, field_index, fts, mapping, tags
from refman.store.bulk import CHUNK, fetch, ids_listed, insert_rows, rows_where_in
from refman.store.duplicate_groups import KEY_PARTS, row_keys
from refman.store.duplicates import KEY_COLUMNS, DuplicateKeys, Match, best_match
from refman.store.schema import (
    CitationKey,
    Creator,
    Item,
    ItemAbstract,
    ItemTag,
    SourceRecord,
    Trash,
)
from refman.store.schema import Tag as TagRow

# Display value of each item-table column (the sort keys' names), as an SQL expression.
# The DOI as stored, or its doi_key when the column is "" (mapping.stored_doi).
DOI_READ = fn.COALESCE(fn.NULLIF(Item.doi, ""), Item.doi_key)
DISPLAY_COLUMNS = {
    "title": Item.title,
    "creators": Item.creator_summary,
    "year": Item.year,
    "journal": fn.COALESCE(fn.NULLIF(Item.container_title, ""), Item.container_title_short),
    "date_added": Item.date_added,
    "date_modified": Item.date_modified,
    "item_type": Item.item_type,
    "doi": DOI_READ,
    "pmid": Item.pmid,
    "volume": Item.volume,
    "pages": Item.pages,
    # The stored citation key (store/citekeys.py), a table of its own.
    "citation_key": CitationKey.select(CitationKey.key).where(CitationKey.item == Item.id),
    # Not a sort key: the paper-clip column's summary of the item's files (store.attachments).
    "attachments": attachments.SUMMARY,
}


# --- adding -----------------------------------------------------------------------------------


# New items put in the full-text index together (issue 18): one statement for 10,000 items
# instead of one for each batch of 500.
INDEXED_AT_ONCE = 10_000
# Tag and affiliation ids an import remembers across its batches, at most (then forgotten).
IDS_KEPT = 100_000


class NewItems:
    """What the inserts of one import of a file share, in its transaction: the fingerprints
    of its items as inserted, the ids of the tags and affiliations it met, and the new items
    not yet in the full-text index.

    Items are indexed INDEXED_AT_ONCE at a time; ``index_pending`` must run before the text
    of an item waiting to be indexed changes (``waiting``: FTS5 takes a changed item's old
    words out of the index, which it must hold) and before the transaction ends.
    """

    def __init__(self, prints: bytearray | None = None) -> None:
        self.prints = prints
        self.tag_ids: dict[str, int] = {}
        self.affiliation_ids: dict[str, int] = {}
        self.unindexed: tuple[int, int] | None = None  # first and last id

    def waiting(self, item_id: int) -> bool:
        """Whether the item is one of those waiting to be put in the full-text index."""
        return self.unindexed is not None and self.unindexed[0] <= item_id <= self.unindexed[1]

    def index_pending(self, db: Database) -> None:
        if self.unindexed is not None:
            fts.index_range(db, fts.ITEMS, *self.unindexed)
            self.unindexed = None

    def _added(self, db: Database, first: int, last: int) -> None:
        if self.unindexed is not None and self.unindexed[1] + 1 != first:
            self.index_pending(db)
        start = first if self.unindexed is None else self.unindexed[0]
        self.unindexed = (start, last)
        if last - start + 1 >= INDEXED_AT_ONCE:
            self.index_pending(db)


def _ids_known(
    db: Database,
    names: Iterable[str],
    kept: dict[str, int] | None,
    look_up: Callable[[Database, Iterable[str]], dict[str, int]],
) -> Mapping[str, int]:
    """{name: id} from ``look_up`` (which makes the missing ones), the ones in ``kept`` not
    asked again; ``kept`` learns the others (emptied first when it would hold IDS_KEPT)."""
    if kept is None:
        return look_up(db, names)
    distinct = list(dict.fromkeys(names))
    missing = [name for name in distinct if name not in kept]
    if not missing:
        return kept
    found = look_up(db, missing)
    if len(kept) + len(found) <= IDS_KEPT:
        kept.update(found)
        return kept
    known = {name: kept[name] for name in distinct if name in kept}
    known.update(found)
    kept.clear()
    kept.update(found)
    return known


def insert(
    db: Database, refs: Sequence[Reference], new_items: NewItems | None = None
) -> list[ItemId]:
    """Add the references with all their parts and index rows; their ids in the same order.

    New tags are indexed by trigger as they are created. Each item gets its citation key
    (store.citekeys): its own when it brings a free one, else the library's pattern's. With
    ``new_items`` (an import's), each item's fingerprint as inserted (store.batches) is
    appended to its ``prints`` (16 bytes an item, made from the rows in memory), tag and
    affiliation ids are remembered and the items put in the full-text index later.
    """
    if not refs:
        return []
    first_id = (Item.select(fn.MAX(Item.id)).bind(db).scalar() or 0) + 1
    moment = mapping.now()
    new = [(ItemId(first_id + n), _tagged_once(ref)) for n, ref in enumerate(refs)]
    item_rows = [
        mapping.item_row(ref, item_id, ref.date_added or moment, ref.date_modified or moment)
        for item_id, ref in new
    ]
    insert_rows(db, Item._meta.table_name, mapping.ITEM_COLUMNS, item_rows)
    creators = _insert_parts(db, new, new_items)
    links = _insert_tag_links(db, new, new_items)
    prints = new_items.prints if new_items is not None else None
    if prints is not None:
        prints += batches.fingerprints_of_new(
            db,
            item_rows,
            [ref.abstract for _, ref in new],
            creators,
            [mapping.affiliations_json(c.affiliations) for _, ref in new for c in ref.creators],
            links,
        )
    last_id = first_id + len(new) - 1
    if new_items is None:
        fts.index_range(db, fts.ITEMS, first_id, last_id)  # from the rows above
    else:
        new_items._added(db, first_id, last_id)
    citekeys.assign(db, citekeys.new_keys(new))
    return [item_id for item_id, _ in new]


def _insert_parts(
    db: Database, new: Sequence[tuple[int, Reference]], new_items: NewItems | None
) -> Sequence[tuple[object, ...]]:
    """The rows of the tables beside item: abstract, trash, creators, source record; the
    creator rows written."""
    abstracts = [
        (item_id, mapping.pack_abstract(ref.abstract)) for item_id, ref in new if ref.abstract
    ]
    insert_rows(db, ItemAbstract._meta.table_name, ("item_id", "abstract"), abstracts)
    trashed = [(item_id,) for item_id, ref in new if ref.trashed]
    insert_rows(db, Trash._meta.table_name, ("item_id",), trashed)
    kept = new_items.affiliation_ids if new_items is not None else None
    texts = _affiliations(ref for _, ref in new)
    known = _ids_known(db, texts, kept, field_index.affiliation_ids)
    creators = [
        row for item_id, ref in new for row in mapping.creator_rows(item_id, ref.creators, known)
    ]
    insert_rows(db, Creator._meta.table_name, mapping.CREATOR_COLUMNS, creators)
    # The rows just written name their affiliations as ``known`` does: by id (by text only
    # where affiliation_ids gives texts, as refman did before storing them once). By id, the
    # links are made here, in the order index_affiliations would read them.
    if type(next(iter(known.values()), 0)) is int:  # all of one kind
        field_index.link_affiliations(
            db,
            (
                (known[text], item_id)
                for item_id, ref in new
                for creator in ref.creators
                for text in creator.affiliations
            ),
        )
    else:
        field_index.index_affiliations(db, (i for i, ref in new if _has_affiliations(ref)))
    records = [
        (
            item_id,
            mapping.encode_source_record(
                ref.source_record, ref.abstract, mapping.record_affiliations(ref.creators)
            ),
        )
        for item_id, ref in new
        if ref.source_record
    ]
    insert_rows(db, SourceRecord._meta.table_name, ("item_id", "pairs"), records)
    return creators


def _tagged_once(ref: Reference) -> Reference:
    """The reference with each tag name once, as the links will hold it (and the index too)."""
    unique = tags.unique_tags(ref.tags)
    return ref if len(unique) == len(ref.tags) else ref.with_changes(tags=tuple(unique))


def _insert_tag_links(
    db: Database, new: Sequence[tuple[int, Reference]], new_items: NewItems | None
) -> list[tuple[int, int, str, int, int, str]]:
    kept = new_items.tag_ids if new_items is not None else None
    names = (tag.name for _, ref in new for tag in ref.tags)
    known = _ids_known(db, names, kept, tags.tag_ids)
    qualifiers = field_index.qualifier_ids(db, mapping.qualifier_names(_all_tags(new)))
    links, by_id = mapping.tag_link_rows(new, known, qualifiers)
    insert_rows(db, ItemTag._meta.table_name, mapping.ITEM_TAG_COLUMNS, links)
    tags.add_to_totals(db, Counter(map(_TAG_ID, links)).items())
    if by_id is None:  # a subheading named by its text
        field_index.index_qualifiers(db, (item_id for item_id, ref in new if _has_qualifiers(ref)))
    else:  # every subheading by id: its rows made with the links, in the order the index reads
        field_index.link_qualifiers(db, by_id)
    return links


_TAG_ID = operator.itemgetter(1)


def _all_tags(new: Sequence[tuple[int, Reference]]) -> Iterator[Tag]:
    return (tag for _, ref in new for tag in ref.tags)


def _has_qualifiers(ref: Reference) -> bool:
    return any(tag.qualifiers for tag in ref.tags)


def _has_affiliations(ref: Reference) -> bool:
    return any(creator.affiliations for creator in ref.creators)


def _affiliations(refs: Iterable[Reference]) -> Iterable[str]:
    return (text for ref in refs for creator in ref.creators for text in creator.affiliations)


# --- reading ----------------------------------------------------------------------------------


def load(
    db: Database,
    ids: Sequence[ItemId],
    *,
    source_records: bool | Collection[str] = True,
    tag_details: bool = True,
) -> list[Reference]:
    """The references with these ids, in this order; MissingItemError for an id that is not
    in the library (deleted meanwhile, say).

    Without ``source_records`` they have none; given source formats, only the items imported
    from one of them have theirs (``Format.source_records_of``); without ``tag_details``
    their tags are names only (see library.items.Items.get_many).
    """
    reader = mapping.ItemReader()
    found: dict[int, Reference] = {}
    with collector.paused():  # what it builds is acyclic: see refman.collector
        for chunk in chunked(list(dict.fromkeys(ids)), CHUNK):
            found.update(_load_chunk(db, chunk, source_records, tag_details, reader))
    missing = next((item_id for item_id in ids if item_id not in found), None)
    if missing is not None:
        raise MissingItemError(f"There is no item with id {missing}.")
    return [found[item_id] for item_id in ids]


_ITEM_COLUMNS = (
    Item.id,
    *(DOI_READ if name == "doi" else getattr(Item, name) for name in mapping.STORED_COLUMNS),
)
_CREATOR_COLUMNS = (
    Creator.item,
    Creator.role,
    Creator.family,
    Creator.given,
    Creator.literal,
    Creator.affiliations,
    Creator.ids,
)


def _load_chunk(
    db: Database,
    ids: Sequence[int],
    source_records: bool | Collection[str],
    tag_details: bool,
    reader: mapping.ItemReader,
) -> dict[int, Reference]:
    listed = ids_listed(ids)
    rows = fetch(db, Item.select(*_ITEM_COLUMNS).where(Item.id.in_(listed)))
    creators_query = Creator.select(*_CREATOR_COLUMNS).where(Creator.item.in_(listed))
    creators = reader.creators(
        fetch(db, creators_query.order_by(Creator.item, Creator.position)),
        lambda wanted: field_index.affiliation_texts(db, wanted),
    )
    if tag_details:
        tag_columns = (TagRow.name, ItemTag.kind, ItemTag.major, ItemTag.qualifiers)
        tag_links = reader.tags(
            fetch(db, _tag_links(tag_columns, ids)),
            lambda wanted: field_index.qualifier_names(db, wanted),
        )
    else:
        tag_links = reader.tag_names(fetch(db, _tag_links((TagRow.name,), ids)))
    records = _source_records(db, rows, listed, source_records)
    abstracts = {
        item_id: mapping.unpack_abstract(value)
        for item_id, value in fetch(db, ItemAbstract.select().where(ItemAbstract.item.in_(listed)))
    }
    trashed = {i for (i,) in fetch(db, Trash.select().where(Trash.item.in_(listed)))}
    keys = citekeys.keys_of(db, ids)
    loaded = {}
    for row in rows:
        abstract = abstracts.get(row[0], "")
        named = creators.get(row[0], ())
        affiliations = mapping.record_affiliations(named)
        record, damage = mapping.read_source_record(records.get(row[0]), abstract, affiliations)
        loaded[row[0]] = reader.reference(
            row,
            abstract=abstract,
            trashed=row[0] in trashed,
            creators=named,
            tags=tag_links.get(row[0], ()),
            source_record=record,
            damage=damage,
            citation_key=keys.get(row[0], ""),
        )
    return loaded


_SOURCE_FORMAT_AT = 1 + mapping.STORED_COLUMNS.index("source_format")  # in _ITEM_COLUMNS


def _source_records(
    db: Database, rows: Sequence[Sequence[Any]], listed: SQL, wanted: bool | Collection[str]
) -> dict[int, bytes]:
    """{item id: stored source record} of the rows' items: every one, none, or those of the
    items imported from the source formats ``wanted`` (a BibTeX export of 10,000 MEDLINE
    items unpacked each record to write none of them: a fifth of its time, issue 18)."""
    if wanted is False:
        return {}
    if wanted is not True:
        chosen = [row[0] for row in rows if row[_SOURCE_FORMAT_AT] in wanted]
        if not chosen:
            return {}
        listed = ids_listed(chosen)
    return dict(fetch(db, SourceRecord.select().where(SourceRecord.item.in_(listed))))


def _tag_links(columns: Sequence[ColumnBase], ids: Sequence[int]) -> ModelSelect[ItemTag]:
    """(item id, *columns) of the items' tag links, in each item's order."""
    query = (
        ItemTag.select(ItemTag.item, *columns).join(TagRow).where(ItemTag.item.in_(ids_listed(ids)))
    )
    return query.order_by(ItemTag.item, ItemTag.position, ItemTag.tag)


def count(db: Database, trashed: bool) -> int:
    in_trash = Trash.select().bind(db).count()
    return in_trash if trashed else Item.select().bind(db).count() - in_trash


def total(db: Database) -> int:
    """How many items the library holds, the trashed ones too."""
    return Item.select().bind(db).count()


def all_ids(db: Database) -> list[ItemId]:
    return [ItemId(i) for (i,) in fetch(db, Item.select(Item.id).order_by(Item.id))]


def damaged_source_records(db: Database) -> list[tuple[ItemId, str]]:
    """Every stored source record decoded: (item id, what is wrong) of those that fail."""
    found = []
    cursor = db.execute_sql("SELECT item_id, pairs FROM source_record ORDER BY item_id")
    for item_id, blob in cursor:
        _, damage = mapping.read_source_record(blob)
        if damage:
            found.append((ItemId(item_id), damage))
    return found


def drop_source_records(db: Database, ids: Sequence[ItemId]) -> None:
    """Forget the stored records of ``ids``: the items are then written from their fields."""
    for chunk in chunked(ids, CHUNK):
        SourceRecord.delete().where(SourceRecord.item.in_(chunk)).bind(db).execute()
        Item.update(source_format="").where(Item.id.in_(chunk)).bind(db).execute()


def rows(
    db: Database, ids: Sequence[ItemId], columns: Sequence[str]
) -> dict[ItemId, tuple[str, ...]]:
    """Display values of the columns for each id found (missing ids are left out)."""
    unknown = [name for name in columns if name not in DISPLAY_COLUMNS]
    if unknown:
        raise ValueError(f"unknown columns {unknown}; use {', '.join(DISPLAY_COLUMNS)}")
    year = list(columns).index("year") if "year" in columns else None
    found: dict[ItemId, tuple[str, ...]] = {}
    for chunk in chunked(list(dict.fromkeys(ids)), CHUNK):
        query = Item.select(Item.id, *(DISPLAY_COLUMNS[name] for name in columns))
        for item_id, *values in fetch(db, query.where(Item.id.in_(chunk))):
            if year is not None:
                values[year] = "" if values[year] is None else str(values[year])
            found[ItemId(item_id)] = tuple(values)
    return found


def find_duplicate(db: Database, ref: Reference) -> ItemId | None:
    """The item this reference duplicates (see ``duplicates``), or None."""
    return find_duplicates(db, [ref])[0]


def find_duplicates(db: Database, refs: Sequence[Reference]) -> list[ItemId | None]:
    """``find_duplicate`` of each reference, looked up together."""
    matches = find_matches(db, [DuplicateKeys.of(ref) for ref in refs])
    return [match.item_id if match else None for match in matches]


# A candidate's id, whether it is trashed, and what its keys are made of (title first, for
# the import's report).
_CANDIDATE_COLUMNS = "id, id IN (SELECT item_id FROM trash), " + KEY_PARTS
# (its keys, its rank: (trashed, id), (its id, its title)), as duplicates.best_match takes them.
_Candidate = tuple[DuplicateKeys, tuple[bool, int], tuple[int, str]]


def find_matches(db: Database, keys: Sequence[DuplicateKeys]) -> list[Match | None]:
    """The item each record (given by its keys) duplicates, with the reason; None for none.

    Every item sharing a key with a record is a candidate, and the duplicate rule decides
    which candidates match. The strongest reason wins; then a live item before a trashed one
    (trashed items count: restoring one is better than a second copy), then the oldest. One
    query per kind of key, strongest first, for all the records not matched yet: no item can
    match a record better than one that shares its PMID, so such a record is done.
    """
    found: list[Match | None] = [None] * len(keys)
    for kind, column in enumerate(KEY_COLUMNS):
        values = [k.column_values()[kind] for k in keys]
        todo = [i for i, k in enumerate(keys) if found[i] is None and values[i]]
        if not todo:
            continue
        candidates = _candidates(db, column, {values[i] for i in todo})
        for i in todo:
            found[i] = _best(keys[i], candidates.get(values[i], ()))
    return found


def _candidates(db: Database, column: str, values: Iterable[str]) -> dict[str, list[_Candidate]]:
    """{key value: [(the item's keys, its rank, (its id, its title))]} of the items whose
    ``column`` is one of ``values``."""
    select = f"SELECT {column}, {_CANDIDATE_COLUMNS} FROM item"
    candidates: dict[str, list[_Candidate]] = defaultdict(list)
    for value, item_id, trashed, *parts in rows_where_in(db, select, column, values):
        keys = row_keys(*parts)
        candidates[value].append((keys, (bool(trashed), item_id), (item_id, parts[0])))
    return candidates


def _best(keys: DuplicateKeys, candidates: Iterable[_Candidate]) -> Match | None:
    found = best_match(keys, candidates)
    if found is None:
        return None
    reason, (item_id, title) = found
    return Match(ItemId(item_id), title, reason)


# --- changing ---------------------------------------------------------------------------------


def update(db: Database, item_id: ItemId, changes: Mapping[str, object]) -> bool:
    """Change editable fields of one item; False when nothing changed."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    return write_fields(db, item_id, changes)


def write_fields(db: Database, item_id: ItemId, changes: Mapping[str, object]) -> bool:
    """Change any fields of one item a Reference has (an update from PubMed also writes
    publication_types); False when nothing changed. Tags and the source record apart."""
    (current,) = load(db, [item_id])
    assert current.date_added is not None  # every stored item has one
    updated = current.with_changes(**changes)
    if updated == current:
        return False
    row = mapping.item_row(updated, item_id, current.date_added, mapping.now())
    values = dict(zip(mapping.ITEM_COLUMNS, row, strict=True))
    del values["id"], values["date_added"]
    fts.forget(db, fts.ITEMS, [item_id])  # while the rows hold the words it was indexed with
    Item.update(values).where(Item.id == item_id).bind(db).execute()
    changed = updated.abstract != current.abstract or updated.creators != current.creators
    if current.source_record and changed:
        # Its blob may leave out the old abstract or affiliations: written against the new.
        affiliations = mapping.record_affiliations(updated.creators)
        blob = mapping.encode_source_record(current.source_record, updated.abstract, affiliations)
        SourceRecord.update(pairs=blob).where(SourceRecord.item == item_id).bind(db).execute()
    if updated.abstract != current.abstract:
        ItemAbstract.delete().where(ItemAbstract.item == item_id).bind(db).execute()
        rows_ = [(item_id, mapping.pack_abstract(updated.abstract))] if updated.abstract else []
        insert_rows(db, ItemAbstract._meta.table_name, ("item_id", "abstract"), rows_)
    if updated.creators != current.creators:
        Creator.delete().where(Creator.item == item_id).bind(db).execute()
        known = field_index.affiliation_ids(db, _affiliations([updated]))
        creators = mapping.creator_rows(item_id, updated.creators, known)
        insert_rows(db, Creator._meta.table_name, mapping.CREATOR_COLUMNS, creators)
        field_index.index_affiliations(db, [item_id], replace=True)
    fts.index(db, fts.ITEMS, [item_id])
    return True


def tag(db: Database, ids: Sequence[ItemId], new_tags: Sequence[Tag]) -> None:
    """Link the tags to the items (links already there stay as they are); the items whose
    tags changed are modified now."""
    touch(db, tags.add(db, ids, new_tags))


def untag(db: Database, ids: Sequence[ItemId], names: Sequence[str]) -> None:
    """Unlink the named tags, manual or automatic, from the items."""
    touch(db, tags.remove(db, ids, names))


def touch(db: Database, ids: Iterable[int]) -> None:
    """Set date_modified of these items to now."""
    stamp = mapping.format_time(mapping.now())
    for chunk in chunked(list(ids), CHUNK):
        Item.update(date_modified=stamp).where(Item.id.in_(chunk)).bind(db).execute()


def set_trashed(db: Database, ids: Sequence[ItemId], trashed: bool) -> None:
    """Move items to the trash or back; unknown ids are ignored."""
    for chunk in chunked(list(dict.fromkeys(ids)), CHUNK):
        if trashed:
            existing = fetch(db, Item.select(Item.id).where(Item.id.in_(chunk)))
            insert_rows(db, Trash._meta.table_name, ("item_id",), existing)
        else:
            Trash.delete().where(Trash.item.in_(chunk)).bind(db).execute()


def delete(db: Database, ids: Sequence[ItemId]) -> None:
    """Delete items for good; their creators, tag links, notes and memberships go with them."""
    fts.forget(db, fts.ITEMS, ids)  # first: FTS5 reads the words to take out from the items
    for chunk in chunked(list(ids), CHUNK):
        Item.delete().where(Item.id.in_(chunk)).bind(db).execute()
    # their notes' index rows go by trigger
    tags.purge_unused(db)
