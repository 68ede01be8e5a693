"""Import batches: every import remembered as one batch, listed, and undone whole.

An import (``library.importing``) records, in the same transaction as each file it reads, what
that file did: the items it added, and for each item already in the library that it changed,
what it changed (the fields a merge filled with their values before, the notes, tags and
collections it added). With each item goes a fingerprint of the item as the import left it
(``store.batches.fingerprints``).

Undoing a batch (``Imports.undo``, one transaction) deletes the items it added and takes back
what it changed, but only where the item is as the import left it (the same fingerprint):
an added item that was edited, tagged, filed or given a note since is kept, and a merged item
changed since keeps what the merge gave it; both are named in plain words. An item in the
Trash counts as unchanged: it goes with the batch. A batch is undone once; undoing it again is
refused.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import Any

from refman.library.changes import Changes
from refman.library.use_case import UseCase
from refman.model import CollectionId, ItemId, NoteId, PartialDate, Reference, RefmanError
from refman.store import batches, collection_tree, items, mapping, notes
from refman.store.connection import Database

ADDED, MERGED, TAGGED = "added", "merged", "tagged"
WRITTEN_AT_ONCE = 5_000  # added items fingerprinted and written together into the batch
TITLE_SHOWN = 60  # characters of a title in a line of a report
CHANGED_SINCE = (
    "it was changed after the import (edited, tagged, filed, given a note or merged into)"
)


@dataclass(frozen=True, slots=True)
class ImportBatch:
    """One import as remembered: when, from which files, what it added and changed."""

    id: int
    started: str  # ISO 8601 UTC, to the second
    files: tuple[str, ...]
    added: int
    merged: int
    tagged: int  # items already there that it only tagged or filed (--tag, --collection)
    undone: str = ""  # when it was undone; "" while it stands

    @property
    def when(self) -> str:
        """When it began, as a person reads it: ``2026-11-27 10:03 UTC``."""
        return _shown_time(self.started)

    @property
    def counts(self) -> str:
        """``120 added, 2 merged`` (and ``3 tagged or filed`` when some were)."""
        parts = [f"{self.added} added"]
        if self.merged:
            parts.append(f"{self.merged} merged")
        if self.tagged:
            parts.append(f"{self.tagged} tagged or filed")
        return ", ".join(parts)

    def describe(self) -> str:
        """One line: ``Import 3, 2026-11-27 10:03 UTC, pubmed.nbib: 120 added, 2 merged``; the
        files by name, the first three of many."""
        files = _files_shown(self.files)
        undone = f" (undone {_shown_time(self.undone)})" if self.undone else ""
        return f"Import {self.id}, {self.when}, {files}: {self.counts}{undone}"


SHOWN_FILES = 3  # a folder's import names its first files; the JSON listing has every path


def _files_shown(files: Sequence[str]) -> str:
    """``a.nbib, b.ris and 91 more files``: the files' names, a line's worth of them."""
    if not files:
        return "no file"
    names = ", ".join(PurePath(f).name or f for f in files[:SHOWN_FILES])
    more = len(files) - SHOWN_FILES
    return f"{names} and {more} more file{'s' if more > 1 else ''}" if more > 0 else names


def _shown_time(stamp: str) -> str:
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return moment.strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True, slots=True)
class Leftover:
    """An item an undo left as it is, and why, in plain words."""

    item_id: ItemId
    title: str
    why: str

    def __str__(self) -> str:
        return f"item {self.item_id}{_quoted(self.title)}: {self.why}"


def _quoted(title: str) -> str:
    title = " ".join(title.split())
    if len(title) > TITLE_SHOWN:
        title = title[: TITLE_SHOWN - 3].rstrip() + "..."
    return f' "{title}"' if title else ""


@dataclass
class UndoneImport:
    """What undoing a batch did: items removed and restored, and what it left, named."""

    batch: ImportBatch
    removed: list[ItemId] = field(default_factory=list)
    removed_from_trash: list[ItemId] = field(default_factory=list)  # of ``removed``
    restored: list[ItemId] = field(default_factory=list)  # merges and tags taken back
    kept: list[Leftover] = field(default_factory=list)  # added items changed since
    not_restored: list[Leftover] = field(default_factory=list)  # changed items changed since
    already_gone: int = 0  # items it added or changed that were deleted since

    def summary(self) -> str:
        removed = len(self.removed)
        parts = [f"removed {removed} item{'s' * (removed != 1)}"]
        if self.restored:
            parts.append(f"took back its changes to {_items(len(self.restored))}")
        left = len(self.kept) + len(self.not_restored)
        if left:
            parts.append(f"left {_items(left)} as {'they are' if left != 1 else 'it is'}")
        return f"Undid import {self.batch.id}: {', '.join(parts)}."

    def lines(self) -> list[str]:
        """Each thing the user should know, one line each: what stays, and why."""
        lines = [f"{leftover}" for leftover in self.kept + self.not_restored]
        if self.removed_from_trash:
            count = len(self.removed_from_trash)
            lines.append(
                f"{_items(count)} of those removed {'was' if count == 1 else 'were'} in the Trash."
            )
        if self.already_gone:
            verb = "was" if self.already_gone == 1 else "were"
            lines.append(f"{_items(self.already_gone)} it added or changed {verb} deleted before.")
        return lines

    def changes(self) -> Changes:
        return Changes(
            removed=frozenset(self.removed),
            changed=frozenset(self.restored),
            tags=True,
            collections=True,
            notes=frozenset(self.restored),  # a merge's notes taken back
        )


def _items(count: int) -> str:
    return f"{count} item{'s' * (count != 1)}"


# --- what one file of an import did -----------------------------------------------------------


@dataclass
class _Touch:
    """What an import did to an item that was in the library before it."""

    kind: str = TAGGED
    filled: dict[str, object] = field(default_factory=dict)  # field -> its value before
    tags: list[str] = field(default_factory=list)
    collections: list[int] = field(default_factory=list)
    notes: list[int] = field(default_factory=list)  # the notes a merge added, by id
    before: bytes = b""  # its fingerprint before the import touched it


@dataclass
class FileChanges:
    """What one file of an import added and changed, gathered while it is read."""

    added: list[ItemId] = field(default_factory=list)
    touched: dict[ItemId, _Touch] = field(default_factory=dict)
    # The fingerprints of ``added`` as inserted (items.insert), 16 bytes each in the same
    # order, while every one of them is; ``changed_since`` the added items that got notes
    # after: theirs, and those of touched items, are read back when the batch is written.
    prints: bytearray = field(default_factory=bytearray)
    changed_since: set[ItemId] = field(default_factory=set)

    def all_changed(self) -> None:
        """Every added item changed after it was inserted (the import's collection or tags):
        their fingerprints are read back."""
        self.prints.clear()

    def before(self, db: Database, ids: Sequence[ItemId]) -> None:
        """Note the fingerprint of these items before the file changes them: an undo that
        takes the change back gives earlier imports their items back (see ``_undo``)."""
        new = [i for i in ids if i not in self.touched]
        for item_id, fingerprint in batches.fingerprints(db, new).items():
            self.touched[item_id] = _Touch(before=fingerprint)

    def merged(
        self,
        item_id: ItemId,
        before: Reference,
        filled: Iterable[str],
        tags: Iterable[str],
        notes: Iterable[int] = (),
    ) -> None:
        """A record merged into ``item_id``: it filled these fields of ``before``, linked
        these tags (the ones the item did not carry) and added these notes (the file's)."""
        touch = self.touched.setdefault(item_id, _Touch())
        touch.kind = MERGED
        for name in filled:
            touch.filled.setdefault(name, getattr(before, name))
        touch.tags.extend(name for name in tags if name not in touch.tags)
        touch.notes.extend(notes)

    def tagged(self, item_id: ItemId, tags: Iterable[str], collections: Iterable[int]) -> None:
        """The import's own tags and collection, given to an item that lacked them."""
        touch = self.touched.setdefault(item_id, _Touch())
        touch.tags.extend(name for name in tags if name not in touch.tags)
        touch.collections.extend(c for c in collections if c not in touch.collections)


def extras_given(
    db: Database,
    changes: FileChanges,
    old: Sequence[ItemId],
    collection: CollectionId | None,
    tag_names: Sequence[str],
) -> None:
    """Note, before the import files and tags its items, which of ``old``, the items that
    were in the library before the file, lack the tags or the collection (the ones it adds
    to the new items go with them)."""
    if not old:
        return
    changes.before(db, old)
    carried = batches.tag_names_of(db, old, tag_names)
    filed = batches.in_collection(db, old, collection) if collection is not None else set(old)
    for item_id in old:
        missing = [name for name in tag_names if name not in carried.get(item_id, ())]
        in_it = [] if item_id in filed else [int(collection)] if collection is not None else []
        changes.tagged(item_id, missing, in_it)


class BatchRecorder:
    """Writes the batch of one import, a file at a time, in each file's transaction.

    ``record`` runs inside the transaction of the file; ``committed`` after it committed. A
    file whose transaction rolls back leaves no trace: the batch row itself is made with the
    first file that commits.
    """

    def __init__(self) -> None:
        self.batch_id: int | None = None
        self.started = mapping.format_time(mapping.now())
        self.files: list[str] = []

    def record(self, db: Database, name: str, changes: FileChanges) -> int:
        """Write what the file did into the batch (made now if this is its first file: an
        import that added nothing is remembered too, to say so).

        The added items' rows are fingerprinted and written a chunk at a time: a file of a
        million records must not hold a million fingerprints and rows at once. Which touched
        items an earlier file of the import added is read from the batch's rows, not kept.
        """
        batch_id = self.batch_id if self.batch_id is not None else batches.create(db, self.started)
        in_file = {i for i in changes.added if i in changes.touched}
        earlier = [i for i in changes.touched if i not in in_file]
        known = batches.items_of(db, batch_id, earlier) if self.batch_id is not None else {}
        added_before = [i for i in earlier if i in known and known[i][1] == ADDED]
        for ids, printed in ((changes.added, _as_inserted(changes)), (added_before, None)):
            for start in range(0, len(ids), WRITTEN_AT_ONCE):
                chunk = ids[start : start + WRITTEN_AT_ONCE]
                made = printed(start, chunk) if printed is not None else {}
                _write_added(db, batch_id, chunk, made)
        ours = in_file.union(added_before)
        touched_old = {i: t for i, t in changes.touched.items() if i not in ours}
        prints = batches.fingerprints(db, list(touched_old))
        batches.write_items(
            db,
            batch_id,
            [
                _touch_row(i, t, known.get(i), prints[i])
                for i, t in touched_old.items()
                if t.kind == MERGED or t.tags or t.collections  # noted, then left as it was
            ],
        )
        batches.update(db, batch_id, json.dumps([*self.files, name]))
        return batch_id

    def committed(self, batch_id: int, name: str, changes: FileChanges) -> None:
        self.batch_id = batch_id
        self.files.append(name)


def _as_inserted(
    changes: FileChanges,
) -> Callable[[int, Sequence[ItemId]], dict[ItemId, bytes]] | None:
    """A function giving, for the added items from index ``start`` on, the fingerprints
    made when they were inserted of those unchanged since; None when there are none."""
    prints = changes.prints
    size = batches.DIGEST_SIZE
    if len(prints) != size * len(changes.added):
        return None
    changed = changes.changed_since.union(changes.touched)

    def printed(start: int, ids: Sequence[ItemId]) -> dict[ItemId, bytes]:
        return {
            item_id: bytes(prints[size * at : size * (at + 1)])
            for at, item_id in enumerate(ids, start)
            if item_id not in changed
        }

    return printed


def _write_added(
    db: Database, batch_id: int, ids: Sequence[ItemId], known: dict[ItemId, bytes]
) -> None:
    """The batch rows of these items, added by the import, with their fingerprints (an item
    no longer in the library has none, and no row); ``known``: fingerprints already made
    (when inserted) of some of them."""
    prints = {**batches.fingerprints(db, [i for i in ids if i not in known]), **known}
    batches.write_items(
        db, batch_id, [(i, ADDED, prints[i], "", "", "", b"") for i in ids if i in prints]
    )


def _touch_row(
    item_id: ItemId, touch: _Touch, known: tuple[object, ...] | None, fingerprint: bytes
) -> tuple[object, ...]:
    """The batch row of an item the import changed, with what an earlier file of the same
    import changed in it (``known``) kept: the first value before is the one to go back to."""
    kind = touch.kind
    filled = {name: _encoded(name, value) for name, value in touch.filled.items()}
    note_ids = list(touch.notes)
    tags, collections = list(touch.tags), list(touch.collections)
    before: object = touch.before
    if known is not None:
        _, old_kind, _, old_filled, old_tags, old_collections, before = known
        kind = MERGED if MERGED in (kind, old_kind) else TAGGED
        old = _json_dict(old_filled)
        note_ids = [*old.pop(NOTES_ADDED, []), *note_ids]
        filled = {**filled, **old}
        tags = list(dict.fromkeys([*_json_list(old_tags), *tags]))
        collections = list(dict.fromkeys([*_json_list(old_collections), *collections]))
    if note_ids:
        filled[NOTES_ADDED] = note_ids
    return (
        item_id,
        kind,
        fingerprint,
        json.dumps(filled) if filled else "",
        json.dumps(tags) if tags else "",
        json.dumps(collections) if collections else "",
        before,
    )


# The notes a merge added are kept with the fields it filled, as a list of note ids under this
# name (no field has it): an undo deletes them, as it empties the fields.
NOTES_ADDED = "notes added"


def _json_dict(text: object) -> dict[str, Any]:
    return dict(json.loads(str(text))) if text else {}


def _json_list(text: object) -> list[Any]:
    return list(json.loads(str(text))) if text else []


def _encoded(name: str, value: object) -> object:
    """A field's value before a merge, as JSON: a date in parts (one without a year may still
    hold a season or text); any other field was empty, which is all there is to say."""
    if name == "date" and isinstance(value, PartialDate):
        return [value.year, value.month, value.day, value.season, value.text]
    return None


def _decoded(name: str, value: object) -> object:
    if name == "date" and isinstance(value, list):
        year, month, day, season, text = value
        return PartialDate(year, month, day, text=text, season=season)
    return getattr(_EMPTY, name)


_EMPTY = Reference()


# --- listing and undoing ----------------------------------------------------------------------


class Imports(UseCase):
    """The imports of one open library, remembered as batches."""

    def list(self) -> list[ImportBatch]:
        """Every import, the newest first."""
        return [_batch(row) for row in self._read(batches.all_batches)]

    def get(self, batch_id: int) -> ImportBatch:
        """One import; RefmanError when there is none with that number."""
        row = self._read(batches.get, batch_id)
        if row is None:
            raise RefmanError(f"There is no import {batch_id}: `refman imports` lists them.")
        return _batch(row)

    def undo(self, batch_id: int) -> UndoneImport:
        """Remove what the import added and take back what it changed, where the items are as
        it left them; name every item left as it is. One transaction; refused for an import
        already undone."""
        with self._connection.writing() as db:
            batch = self.get(batch_id)
            if batch.undone:
                raise RefmanError(
                    f"Import {batch_id} was already undone ({_shown_time(batch.undone)})."
                )
            result = _undo(db, batch)
            batches.mark_undone(db, batch_id, mapping.format_time(mapping.now()))
        return result


def _batch(row: Sequence[object]) -> ImportBatch:
    batch_id, started, files, added, merged, tagged, undone = row
    names = tuple(json.loads(str(files))) if files else ()
    return ImportBatch(
        int(str(batch_id)),
        str(started),
        names,
        int(str(added)),
        int(str(merged)),
        int(str(tagged)),
        str(undone),
    )


def _undo(db: Database, batch: ImportBatch) -> UndoneImport:
    entries = batches.items_of(db, batch.id)
    now = batches.fingerprints(db, list(entries))
    unchanged = {i for i, row in entries.items() if now.get(i) == row[2]}
    result = UndoneImport(batch)
    titles = {i: row[0] for i, row in items.rows(db, list(entries), ["title"]).items()}
    for item_id, (_, kind, *_rest) in entries.items():
        if item_id in unchanged:
            (result.removed if kind == ADDED else result.restored).append(item_id)
        elif kind == ADDED:
            why = f"kept: {CHANGED_SINCE}; delete it yourself if it should go"
            result.kept.append(Leftover(item_id, titles.get(item_id, ""), why))
        else:
            what = _what_changed(entries[item_id])
            why = f"what the import {what} was left: {CHANGED_SINCE}"
            result.not_restored.append(Leftover(item_id, titles.get(item_id, ""), why))
    result.already_gone = max(0, batch.added + batch.merged + batch.tagged - len(entries))
    result.removed_from_trash = sorted(batches.trashed(db, result.removed))
    _take_back(db, [entries[i] for i in result.restored])
    _give_back(db, batch.id, {i: entries[i][6] for i in result.restored})
    items.delete(db, result.removed)
    return result


def _give_back(db: Database, batch_id: int, befores: dict[ItemId, object]) -> None:
    """Items this undo put back as they were before the import: an earlier import that
    recorded an item as it was then (the fingerprint before this import) has it back,
    so that undoing that one too removes or restores it (the window's Undo Import, twice)."""
    now = batches.fingerprints(db, list(befores))
    for item_id, before in befores.items():
        if isinstance(before, bytes) and before and item_id in now:
            batches.refingerprint(db, item_id, before, now[item_id], batch_id)


def _what_changed(row: tuple[object, ...]) -> str:
    """``filled (title, DOI) and tagged (Brain)``: what an import did to an item."""
    _, _, _, filled, tags, collections, _ = row
    parts = []
    filled_in = _json_dict(filled)
    added_notes = filled_in.pop(NOTES_ADDED, [])
    if filled_in:
        shown = ", ".join(name.replace("_", " ") for name in filled_in)
        parts.append(f"filled in it ({shown})")
    if added_notes:
        parts.append(f"added {len(added_notes)} note{'s' * (len(added_notes) != 1)} to it")
    names = _json_list(tags)
    if names:
        parts.append(f"tagged it with ({', '.join(names)})")
    if collections:
        parts.append("filed it in")
    return " and ".join(parts) or "changed"


def _take_back(db: Database, rows: Sequence[tuple[object, ...]]) -> None:
    """Put back the fields merges filled; unlink the tags and collections imports added."""
    untag: dict[str, list[ItemId]] = defaultdict(list)
    unfile: dict[int, list[ItemId]] = defaultdict(list)
    added_notes: list[NoteId] = []
    for item_id, _, _, filled, tags, collections, _ in rows:
        iid = ItemId(int(str(item_id)))
        filled_in = _json_dict(filled)
        added_notes += [NoteId(int(note_id)) for note_id in filled_in.pop(NOTES_ADDED, [])]
        before = {name: _decoded(name, value) for name, value in filled_in.items()}
        if before:
            items.update(db, iid, before)
        for name in _json_list(tags):
            untag[name].append(iid)
        for cid in _json_list(collections):
            unfile[cid].append(iid)
    for name, ids in untag.items():
        items.untag(db, ids, [name])
    for cid, ids in unfile.items():
        collection_tree.remove_items(db, ids, CollectionId(cid))
    notes.delete_many(db, added_notes)
