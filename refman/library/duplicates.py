"""Duplicate Items: the library's duplicate groups, "Not Duplicates", and merging.

``groups()`` finds every group of items outside the Trash that are one paper, by the import's
rule (store/duplicate_groups.py), each with why it matched. ``not_duplicates(ids)`` remembers
that the items are different papers, so that they are never proposed again; ``forget(pairs)``
takes that back (the window's Undo).

``merge(master, others, fields=...)`` makes one item of several, in one transaction:

- each field keeps the master's value, or the value of the item chosen for it in ``fields``
  ({field name: item id}); a field the master has empty takes the first other item's value,
  as an import's merge does (so identifiers the master lacks are kept);
- the other items' tags (with their kind: MeSH headings stay headings), notes and collections
  move to the master;
- the other items go to the Trash, where they can be restored.

It returns a ``MergeResult`` that says what it did (``lines()``, for the command line) and that
``unmerge`` takes back whole (the window's Undo). ``merge_all(keep)`` merges every group, the
master chosen by a rule (the oldest item, or the one with most fields filled), in one
transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from refman.library.changes import Changes
from refman.library.updating import FIELD_LABELS, show
from refman.library.use_case import UseCase
from refman.model import (
    EDITABLE_FIELDS,
    CollectionId,
    ItemId,
    NoteId,
    PartialDate,
    Reference,
    RefmanError,
)
from refman.store import attachments, collection_tree, duplicate_groups, items, notes
from refman.store.connection import Database
from refman.store.duplicate_groups import DuplicateGroup
from refman.store.duplicates import REASONS

__all__ = [
    "KEEP_RULES",
    "MERGE_FIELDS",
    "REASONS",
    "FIELD_NAMES",
    "DuplicateGroup",
    "Duplicates",
    "MergeAll",
    "MergeResult",
    "field_text",
    "filled_fields",
]

# The fields a merge chooses between, in the order the merge pane shows them, with their names.
MERGE_FIELDS: tuple[str, ...] = EDITABLE_FIELDS
FIELD_NAMES: dict[str, str] = {**FIELD_LABELS, "pmid": "PMID"}
KEEP_OLDEST, KEEP_MOST_FIELDS = "oldest", "most-fields"
KEEP_RULES = (KEEP_OLDEST, KEEP_MOST_FIELDS)
Pair = tuple[ItemId, ItemId]


def is_empty(name: str, value: object) -> bool:
    """True when an item has nothing in the field (a date without year or text is empty)."""
    if isinstance(value, PartialDate):
        return value.year is None and not value.text
    return name != "item_type" and not value


def field_text(name: str, ref: Reference) -> str:
    """The field's value in words, for the merge pane and the command line."""
    return show(name, getattr(ref, name))


def filled_fields(ref: Reference) -> int:
    """How many of the merge's fields the item has filled (the "most fields" rule)."""
    return sum(not is_empty(name, getattr(ref, name)) for name in MERGE_FIELDS)


@dataclass(frozen=True)
class MergeResult:
    """What one merge did, enough to say it and to take it back."""

    master: ItemId
    title: str
    others: tuple[ItemId, ...]
    before: Mapping[str, object]  # the master's old value of each field the merge changed
    taken: Mapping[str, ItemId]  # each changed field: the item its new value came from
    tags_added: tuple[str, ...] = ()
    notes_moved: tuple[tuple[NoteId, ItemId], ...] = ()  # (note, the item it came from)
    collections_added: tuple[CollectionId, ...] = ()
    attachments_moved: tuple[tuple[int, ItemId], ...] = ()  # (attachment, the item it was on)

    def changes(self) -> Changes:
        return Changes(
            changed=frozenset({self.master}),
            removed=frozenset(self.others),
            tags=True,  # the Trash holds the others' tags now: the counts move either way
            collections=bool(self.collections_added),
            notes=frozenset({self.master, *self.others}) if self.notes_moved else frozenset(),
        )

    def lines(self) -> list[str]:
        """What the merge did, in words, a line each."""
        others = ", ".join(str(i) for i in self.others)
        said = [f"merged {_items(len(self.others))} ({others}) into {self.master}: {self.title}"]
        for name, item_id in self.taken.items():
            said.append(f"  {FIELD_NAMES.get(name, name)}: from item {item_id}")
        moved = [
            _count(len(self.tags_added), "tag"),
            _count(len(self.notes_moved), "note"),
            _count(len(self.collections_added), "collection"),
            _count(len(self.attachments_moved), "attachment"),
        ]
        moved = [part for part in moved if part]
        if moved:
            said.append(f"  moved to {self.master}: {', '.join(moved)}")
        said.append(f"  moved to the Trash: {others}")
        return said


@dataclass(frozen=True)
class MergeAll:
    """The merges ``merge_all`` made, one per group."""

    rule: str
    merges: tuple[MergeResult, ...] = field(default_factory=tuple)

    @property
    def trashed(self) -> int:
        return sum(len(m.others) for m in self.merges)

    def summary(self) -> str:
        if not self.merges:
            return "No duplicates to merge."
        groups = _count(len(self.merges), "group")
        rule = "the oldest" if self.rule == KEEP_OLDEST else "the one with most fields"
        return (
            f"Merged {groups} of duplicates, keeping {rule} of each: "
            f"{_items(self.trashed)} moved to the Trash."
        )

    def changes(self) -> Changes:
        return _joined([m.changes() for m in self.merges])


class Duplicates(UseCase):
    """The duplicate groups of one open library, and merging them."""

    # --- finding --------------------------------------------------------------------------------

    def groups(self) -> list[DuplicateGroup]:
        """Every duplicate group outside the Trash, oldest item first in each."""
        return self._read(duplicate_groups.find_groups)

    def count(self) -> int:
        """How many items are in a duplicate group (the sidebar's count)."""
        return sum(len(group.ids) for group in self.groups())

    # --- "Not Duplicates" -----------------------------------------------------------------------

    def not_duplicates(self, ids: Sequence[ItemId]) -> tuple[list[Pair], Changes]:
        """Remember that these items are different papers, every pair of them; the pairs not
        remembered before (to ``forget`` on undo)."""
        distinct = list(dict.fromkeys(ids))
        if len(distinct) < 2:
            raise RefmanError("Name at least two different items that are not duplicates.")
        with self._connection.writing() as db:
            items.load(db, distinct, source_records=False)  # MissingItemError for unknown ids
            pairs = duplicate_groups.remember_not_duplicates(
                db, duplicate_groups.pairs_of(distinct)
            )
        return pairs, Changes(changed=frozenset(distinct))

    def forget(self, pairs: Sequence[Pair]) -> Changes:
        """Forget pairs remembered as not duplicates: they may be proposed again."""
        with self._connection.writing() as db:
            duplicate_groups.forget_not_duplicates(db, pairs)
        return Changes(changed=frozenset(i for pair in pairs for i in pair))

    # --- merging --------------------------------------------------------------------------------

    def merge(
        self,
        master: ItemId,
        others: Sequence[ItemId],
        *,
        fields: Mapping[str, ItemId] | None = None,
    ) -> MergeResult:
        """Merge ``others`` into ``master`` (see the module's docstring), in one transaction.

        RefmanError, nothing changed, for no other item, the master among the others, an item
        in the Trash, an unknown field or a field chosen from an item not merged;
        MissingItemError for an id not in the library.
        """
        with self._connection.writing() as db:
            return _merge(db, master, others, fields or {})

    def merge_all(self, keep: str = KEEP_OLDEST) -> MergeAll:
        """Merge every duplicate group into its oldest item (``keep="oldest"``) or the one with
        most fields filled (``"most-fields"``, the oldest of those on a tie); one transaction."""
        if keep not in KEEP_RULES:
            raise RefmanError(f"Unknown rule '{keep}': use {' or '.join(KEEP_RULES)}.")
        merges = []
        with self._connection.writing() as db:
            groups = duplicate_groups.find_groups(db)
            # Read together: a read per group costs more than its merge.
            every_id = [item_id for group in groups for item_id in group.ids]
            read = items.load(db, every_id, source_records=False)
            loaded = dict(zip(every_id, read, strict=True))
            for group in groups:
                refs = [loaded[item_id] for item_id in group.ids]
                master = _master(refs, keep)
                others = [i for i in group.ids if i != master]
                merges.append(
                    _merge(db, master, others, {}, [loaded[i] for i in (master, *others)])
                )
        return MergeAll(keep, tuple(merges))

    def unmerge(self, result: MergeResult) -> Changes:
        """Take a merge back: the master's fields, tags, notes and collections as they were,
        the other items out of the Trash. MissingItemError when one was deleted meanwhile."""
        with self._connection.writing() as db:
            _unmerge(db, result)
        return _undone(result.changes())

    def unmerge_all(self, done: MergeAll) -> Changes:
        """Take back every merge of a ``merge_all``, in one transaction."""
        with self._connection.writing() as db:
            for result in reversed(done.merges):
                _unmerge(db, result)
        return _undone(done.changes())


def _master(refs: Sequence[Reference], keep: str) -> ItemId:
    """The item a group is merged into; refs are oldest first."""
    if keep == KEEP_OLDEST:
        chosen = refs[0]
    else:
        chosen = max(refs, key=lambda ref: (filled_fields(ref), -refs.index(ref)))
    assert chosen.id is not None  # loaded from the library
    return chosen.id


def _checked(
    master: ItemId, others: Sequence[ItemId], fields: Mapping[str, ItemId]
) -> list[ItemId]:
    """The other items, each once; RefmanError for a merge that cannot be made."""
    others = list(dict.fromkeys(others))
    if master in others:
        raise RefmanError(f"Item {master} cannot be merged with itself.")
    if not others:
        raise RefmanError(f"Name at least one other item to merge into item {master}.")
    for name, item_id in fields.items():
        if name not in MERGE_FIELDS:
            raise RefmanError(
                f"There is no field '{name}' to choose; use {', '.join(MERGE_FIELDS)}."
            )
        if item_id != master and item_id not in others:
            raise RefmanError(
                f"The {FIELD_NAMES.get(name, name)} is chosen from item {item_id}, "
                "which is not one of the items merged."
            )
    return others


def _merge(
    db: Database,
    master: ItemId,
    others: Sequence[ItemId],
    fields: Mapping[str, ItemId],
    refs: Sequence[Reference] = (),
) -> MergeResult:
    """One merge inside the caller's transaction; ``refs``: the master's and the others',
    in that order, when the caller has read them already."""
    others = _checked(master, others, fields)
    refs = refs or items.load(db, [master, *others], source_records=False)
    for ref in refs:
        if ref.trashed:
            raise RefmanError(f"Item {ref.id} is in the Trash: restore it before merging it.")
    by_id = {ItemId(ref.id or 0): ref for ref in refs}
    kept = by_id[master]
    new, taken = _chosen_values(kept, refs[1:], by_id, fields)
    before = {name: getattr(kept, name) for name in new}
    if new:
        items.write_fields(db, master, new)
    have = {tag.name for tag in kept.tags}
    new_tags = [t for ref in refs[1:] for t in ref.tags if t.name not in have]
    new_tags = list({t.name: t for t in reversed(new_tags)}.values())[::-1]  # first one wins
    if new_tags:
        items.tag(db, [master], new_tags)
    moved = [(note.id, other) for other in others for note in notes.of_item(db, other)]
    notes.move(db, [note_id for note_id, _ in moved], master)
    member_of = set(collection_tree.of_item(db, master))
    joined = sorted({c for o in others for c in collection_tree.of_item(db, o)} - member_of)
    for cid in joined:
        collection_tree.add_items(db, [master], cid)
    files = [
        (row.id, other)
        for other in others
        for row in attachments.of_items(db, [other]).get(other, [])
    ]
    attachments.move(db, [attachment_id for attachment_id, _ in files], master)
    items.set_trashed(db, others, True)
    return MergeResult(
        master,
        kept.title if "title" not in new else str(new["title"]),
        tuple(others),
        before,
        taken,
        tuple(t.name for t in new_tags),
        tuple(moved),
        tuple(joined),
        tuple(files),
    )


def _chosen_values(
    kept: Reference,
    others: Sequence[Reference],
    by_id: Mapping[ItemId, Reference],
    fields: Mapping[str, ItemId],
) -> tuple[dict[str, object], dict[str, ItemId]]:
    """The master's fields that change ({name: value}) and the item each value comes from."""
    new: dict[str, object] = {}
    taken: dict[str, ItemId] = {}
    for name in MERGE_FIELDS:
        source = by_id[fields[name]] if name in fields else None
        if source is None and is_empty(name, getattr(kept, name)):
            source = next((o for o in others if not is_empty(name, getattr(o, name))), None)
        if source is not None and getattr(source, name) != getattr(kept, name):
            new[name] = getattr(source, name)
            taken[name] = ItemId(source.id or 0)
    return new, taken


def _unmerge(db: Database, result: MergeResult) -> None:
    items.load(db, [result.master, *result.others], source_records=False)  # all still there?
    if result.before:
        items.write_fields(db, result.master, result.before)
    if result.tags_added:
        items.untag(db, [result.master], result.tags_added)
    for note_id, origin in result.notes_moved:
        notes.move(db, [note_id], origin)
    for cid in result.collections_added:
        collection_tree.remove_items(db, [result.master], cid)
    for attachment_id, origin in result.attachments_moved:
        attachments.move(db, [attachment_id], origin)
    items.set_trashed(db, result.others, False)


def _undone(changes: Changes) -> Changes:
    """The Changes of taking a change back: what it removed comes back."""
    return Changes(
        added=changes.removed,
        changed=changes.changed,
        tags=changes.tags,
        collections=changes.collections,
        notes=changes.notes,
    )


def _joined(all_changes: Sequence[Changes]) -> Changes:
    return Changes(
        changed=frozenset(i for c in all_changes for i in c.changed),
        removed=frozenset(i for c in all_changes for i in c.removed),
        tags=any(c.tags for c in all_changes),
        collections=any(c.collections for c in all_changes),
        notes=frozenset(i for c in all_changes for i in c.notes),
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}" if n else ""


def _items(n: int) -> str:
    return f"{n} item{'s' * (n != 1)}"
