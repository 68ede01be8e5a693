"""Every change the window makes to the library, as undoable commands on one QUndoStack.

``LibraryEditor`` is the one door from the panes to the library's write methods. It runs a
command once, pushes it on the undo stack only when the library accepted it, and emits
``changed`` with the library's ``Changes`` so the main window refreshes each pane once. A
``RefmanError`` becomes ``failed(message)``, which the window shows in plain words.

Commands remember what they need to go back: a field edit keeps the old and new values; adding
a tag remembers which items did not have it (undo removes it from those only); trash and
restore are each other's inverse. Deleting a collection keeps its subtree and members so undo
can rebuild it; deleting, renaming or merging a tag keeps the items that carried it. A
collection made again by undo or redo gets a new id: the editor remembers which id stands for
which, so older commands on the stack still find "their" collection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar, overload

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from refman.library import Changes, Library
from refman.library.new_items import new_reference
from refman.library.tags import tag_name
from refman.library.updating import ItemUpdate, UpdateResult
from refman.model import Collection, CollectionId, ItemId, MissingItemError, RefmanError, ViewQuery

T = TypeVar("T")
GONE = "Some of these items are no longer in the library."


class LibraryEditor(QObject):
    """Runs library changes, keeps the undoable ones, and tells the window what changed."""

    changed = Signal(object)  # Changes
    failed = Signal(str)

    def __init__(self, library: Library, parent: QObject | None = None):
        super().__init__(parent)
        self.library = library
        self.undo_stack = QUndoStack(self)
        self._renumbered: dict[CollectionId, CollectionId] = {}

    @overload
    def collection_id(self, cid: CollectionId) -> CollectionId: ...
    @overload
    def collection_id(self, cid: CollectionId | None) -> CollectionId | None: ...
    def collection_id(self, cid: CollectionId | None) -> CollectionId | None:
        """The id a collection has now, after undo or redo made it again under a new id."""
        while cid in self._renumbered:
            cid = self._renumbered[cid]
        return cid

    def renumber(self, old: CollectionId, new: CollectionId) -> None:
        if old != new:
            self._renumbered[old] = new
            self._renumbered.pop(new, None)  # a live id stands for itself: no loops

    def push(self, command: LibraryCommand) -> bool:
        """Do ``command`` now; keep it for undo if the library accepted it."""
        command.editor = self
        if not self.run(command.do):
            return False
        command.done_once = True
        self.undo_stack.push(command)
        return True

    def run(self, action: Callable[[], Changes]) -> bool:
        """Do a change that cannot be undone (or one step of a command)."""
        try:
            changes = action()
        except (RefmanError, KeyError) as exc:
            self._report(exc)
            return False
        self.notify(changes)
        return True

    def _report(self, exc: Exception) -> None:
        # An id that is gone (the trash emptied meanwhile): KeyError from the store's bulk
        # operations, MissingItemError from the library's reads.
        gone = isinstance(exc, KeyError | MissingItemError)
        self.failed.emit(GONE if gone else str(exc))

    def run_returning(self, action: Callable[[], tuple[T, Changes]]) -> T | None:
        """Do a change that makes something (a collection, a note) and return it, or None."""
        made: list[T] = []

        def step() -> Changes:
            value, changes = action()
            made.append(value)
            return changes

        return made[0] if self.run(step) else None

    def notify(self, changes: Changes) -> None:
        if changes:
            self.changed.emit(changes)

    # Shorthands for the commands the panes use most.

    def set_field(self, item_id: ItemId, field: str, old: object, new: object) -> bool:
        if old == new:
            return True
        return self._push_new(SetFieldCommand, item_id, field, old, new)

    def set_key(self, item_id: ItemId, old: str, new: str) -> bool:
        """Give the item another citation key; refused (``failed``) when another item has it."""
        if old == new:
            return True
        return self._push_new(SetKeysCommand, {item_id: new}, "Edit citation key")

    def regenerate_keys(self, ids: Sequence[ItemId]) -> bool:
        """Make the items' citation keys again from the pattern; undo gives the old ones back."""
        return self._push_new(SetKeysCommand, dict.fromkeys(ids, None), "Regenerate citation key")

    def add_tags(self, ids: Sequence[ItemId], names: Sequence[str]) -> bool:
        return self._push_new(TagCommand, ids, names, adding=True)

    def remove_tags(self, ids: Sequence[ItemId], names: Sequence[str]) -> bool:
        return self._push_new(TagCommand, ids, names, adding=False)

    def trash(self, ids: Sequence[ItemId]) -> bool:
        return self._push_new(TrashCommand, ids, trashing=True)

    def restore(self, ids: Sequence[ItemId]) -> bool:
        return self._push_new(TrashCommand, ids, trashing=False)

    def trash_attachments(self, ids: Sequence[int]) -> bool:
        """Move files to the Trash (kept until Empty Trash); undo brings them back."""
        return self._push_new(AttachmentTrashCommand, ids)

    def add_to_collection(self, ids: Sequence[ItemId], cid: CollectionId) -> bool:
        return self._push_new(MembershipCommand, ids, cid, adding=True)

    def remove_from_collection(self, ids: Sequence[ItemId], cid: CollectionId) -> bool:
        return self._push_new(MembershipCommand, ids, cid, adding=False)

    def create_collection(self, name: str, parent_id: CollectionId | None) -> Collection | None:
        command = CreateCollectionCommand(self.library, name, parent_id)
        return command.made if self.push(command) else None

    def delete_collection(self, cid: CollectionId) -> bool:
        return self._push_new(DeleteCollectionCommand, cid)

    def rename_tag(self, old: str, new: str) -> bool:
        return self._push_new(RenameTagCommand, old, new)

    def delete_tag(self, name: str) -> bool:
        return self._push_new(DeleteTagCommand, name)

    def new_item(self, item_type: str, collection: CollectionId | None = None) -> ItemId | None:
        """Make an empty item of ``item_type`` (in ``collection`` if given); its id, or None."""
        command = NewItemCommand(self.library, item_type, collection)
        return command.item_id if self.push(command) else None

    def _push_new(self, kind: type[LibraryCommand], *args, **kwargs) -> bool:
        """Make a command (it may read the library to know its inverse) and push it."""
        try:
            command = kind(self.library, *args, **kwargs)
        except (RefmanError, KeyError) as exc:
            self._report(exc)
            return False
        return self.push(command)


class LibraryCommand(QUndoCommand):
    """A change with its inverse. ``LibraryEditor.push`` does the first run itself."""

    editor: LibraryEditor  # set by LibraryEditor.push, before the first do()

    def __init__(self, library: Library, text: str):
        super().__init__(text)
        self.library = library
        self.done_once = False

    def do(self) -> Changes:
        raise NotImplementedError

    def revert(self) -> Changes:
        raise NotImplementedError

    def redo(self) -> None:
        if self.done_once:  # QUndoStack.push calls redo; the editor already did it
            self.done_once = False
            return
        self._step(self.do)

    def undo(self) -> None:
        self._step(self.revert)

    def _step(self, action: Callable[[], Changes]) -> None:
        if not self.editor.run(action):
            self.setObsolete(True)  # the library moved on (e.g. trash emptied): drop it


class SetFieldCommand(LibraryCommand):
    """One field of one item, from ``old`` to ``new``."""

    def __init__(self, library: Library, item_id: ItemId, field: str, old: object, new: object):
        super().__init__(library, f"Edit {field.replace('_', ' ')}")
        self.item_id, self.field, self.old, self.new = item_id, field, old, new

    def do(self) -> Changes:
        return self.library.items.update(self.item_id, **{self.field: self.new})

    def revert(self) -> Changes:
        return self.library.items.update(self.item_id, **{self.field: self.old})


class SetKeysCommand(LibraryCommand):
    """Citation keys set ({item: key}) or made again from the pattern ({item: None}); undo
    gives each item its old key back."""

    def __init__(self, library: Library, new: Mapping[ItemId, str | None], text: str):
        super().__init__(library, text)
        self.new = dict(new)
        self.old = library.keys.of(list(new))

    def do(self) -> Changes:
        keys = {i: k for i, k in self.new.items() if k is not None}
        if keys:
            return self.library.keys.set_many(keys)
        _, changes = self.library.keys.regenerate(list(self.new))
        return changes

    def revert(self) -> Changes:
        return self.library.keys.set_many(self.old)


class UpdateFromPubMedCommand(LibraryCommand):
    """Update from PubMed: the chosen fields and PubMed's record, written in one transaction;
    undo gives the items their values, tags and record back (library.updating.revert)."""

    def __init__(
        self,
        library: Library,
        updates: Sequence[ItemUpdate],
        choices: Mapping[ItemId, Iterable[str]],
    ):
        super().__init__(library, "Update from PubMed")
        self.updates, self.choices = list(updates), choices
        self.result: UpdateResult | None = None

    def do(self) -> Changes:
        self.result = self.library.updating.apply(self.updates, choices=self.choices)
        return self.result.changes()

    def revert(self) -> Changes:
        assert self.result is not None  # done before it can be undone
        return self.library.updating.revert(self.result)


class TwoWayCommand(LibraryCommand):
    """A change whose revert is the same change the other way: ``_apply(forward)`` does it
    when ``forward`` is True (add, trash) and undoes it when False."""

    forward = True

    def do(self) -> Changes:
        return self._apply(self.forward)

    def revert(self) -> Changes:
        return self._apply(not self.forward)

    def _apply(self, forward: bool) -> Changes:
        raise NotImplementedError


class TagCommand(TwoWayCommand):
    """Add (or remove) tags on items; undo touches only the items whose tags really changed."""

    def __init__(self, library: Library, ids: Sequence[ItemId], names: Sequence[str], adding: bool):
        names = [tag_name(n) for n in names]  # RefmanError for a blank one: nothing is pushed
        verb = "Add" if adding else "Remove"
        super().__init__(library, f"{verb} tag {', '.join(names)}")
        self.forward = adding
        self.affected = _items_to_change(library, ids, names, adding)

    def _apply(self, adding: bool) -> Changes:
        method = self.library.tags.add if adding else self.library.tags.remove
        changed: set[ItemId] = set()
        for name, ids in self.affected.items():
            if ids:
                changed.update(method(ids, [name]).changed)
        return Changes(changed=frozenset(changed), tags=True)


def _items_to_change(
    library: Library, ids: Sequence[ItemId], names: Sequence[str], adding: bool
) -> dict[str, list[ItemId]]:
    """For each tag name, the items that lack it (adding) or have it (removing)."""
    has: dict[str, set[ItemId]] = {name.casefold(): set() for name in names}
    for item_id, ref in zip(ids, library.items.get_many(list(ids)), strict=True):
        for tag in ref.tags:
            if tag.name.casefold() in has:
                has[tag.name.casefold()].add(item_id)
    return {name: [i for i in ids if (i in has[name.casefold()]) != adding] for name in names}


class TrashCommand(TwoWayCommand):
    """Move items to the trash, or restore them from it."""

    def __init__(self, library: Library, ids: Sequence[ItemId], trashing: bool):
        count = len(ids)
        noun = f"{count} item{'s' * (count != 1)}"
        super().__init__(library, f"Move {noun} to Trash" if trashing else f"Restore {noun}")
        self.ids = list(ids)
        self.forward = trashing

    def _apply(self, trashing: bool) -> Changes:
        method = self.library.items.trash if trashing else self.library.items.restore
        return method(self.ids)


class AttachmentTrashCommand(TwoWayCommand):
    """Move attachments to the Trash (their files stay until Empty Trash), or back."""

    def __init__(self, library: Library, ids: Sequence[int]):
        count = len(ids)
        super().__init__(library, f"Move {count} file{'s' * (count != 1)} to Trash")
        self.ids = list(ids)

    def _apply(self, trashing: bool) -> Changes:
        files = self.library.attachments
        return files.trash(self.ids) if trashing else files.restore(self.ids)


class MembershipCommand(TwoWayCommand):
    """Add items to a collection or remove them from it."""

    def __init__(self, library: Library, ids: Sequence[ItemId], cid: CollectionId, adding: bool):
        verb = "Add to" if adding else "Remove from"
        super().__init__(library, f"{verb} collection")
        self.cid = cid
        self.forward = adding
        self.ids = [i for i in ids if (cid in library.collections.of_item(i)) != adding]

    def _apply(self, adding: bool) -> Changes:
        if not self.ids:
            return Changes()
        tree = self.library.collections
        method = tree.add_items if adding else tree.remove_items
        return method(self.ids, self.editor.collection_id(self.cid))


class InverseCommand(LibraryCommand):
    """A change whose inverse is the same call with other arguments (rename, move, colour)."""

    def __init__(
        self, library: Library, text: str, do: Callable[[], Changes], revert: Callable[[], Changes]
    ):
        super().__init__(library, text)
        self._do, self._revert = do, revert

    def do(self) -> Changes:
        return self._do()

    def revert(self) -> Changes:
        return self._revert()


class CreateCollectionCommand(LibraryCommand):
    """Make a collection; undo deletes it, redo makes it again (under a new id)."""

    def __init__(self, library: Library, name: str, parent_id: CollectionId | None):
        super().__init__(library, f"New collection {name.strip()}")
        self.name, self.parent_id = name, parent_id
        self.made: Collection | None = None

    def do(self) -> Changes:
        parent = self.editor.collection_id(self.parent_id)
        made, changes = self.library.collections.create(self.name, parent)
        if self.made is not None:
            self.editor.renumber(self.made.id, made.id)
        self.made = made
        return changes

    def revert(self) -> Changes:
        assert self.made is not None  # undone after it was done
        return self.library.collections.delete(self.editor.collection_id(self.made.id))


class DeleteCollectionCommand(LibraryCommand):
    """Delete a collection and its subcollections; undo rebuilds them with their members."""

    def __init__(self, library: Library, cid: CollectionId):
        tree = _subtree(library.collections.all(), cid)
        if not tree:
            raise KeyError(cid)
        super().__init__(library, f"Delete collection {tree[0].name}")
        self.tree = tree  # parents before children
        self.members = {c.id: _members(library, c.id) for c in tree}

    def do(self) -> Changes:
        return self.library.collections.delete(self.editor.collection_id(self.tree[0].id))

    def revert(self) -> Changes:
        for collection in self.tree:
            parent = self.editor.collection_id(collection.parent_id)
            made, _ = self.library.collections.create(collection.name, parent)
            self.editor.renumber(self.editor.collection_id(collection.id), made.id)
            if self.members[collection.id]:
                self.library.collections.add_items(self.members[collection.id], made.id)
        changed = frozenset(i for ids in self.members.values() for i in ids)
        return Changes(changed=changed, collections=True)


def _subtree(collections: list[Collection], root: CollectionId) -> list[Collection]:
    """The collection ``root`` and everything nested in it, each parent before its children."""
    found = [c for c in collections if c.id == root]
    for collection in found:  # grows while it is walked: breadth first
        found.extend(c for c in collections if c.parent_id == collection.id)
    return found


def _members(library: Library, cid: CollectionId) -> list[ItemId]:
    return library.items.search(ViewQuery(collection=cid)) + library.items.search(
        ViewQuery(collection=cid, trashed=True)
    )


def _tagged(library: Library, name: str) -> list[ItemId]:
    """Every item with the tag, in the library or in the trash."""
    return library.items.search(ViewQuery(tags=(name,))) + library.items.search(
        ViewQuery(tags=(name,), trashed=True)
    )


def _tag_color(library: Library, name: str) -> str:
    for counts in (library.tags.counts(), library.tags.counts(ViewQuery(trashed=True))):
        tag = counts.find(name)
        if tag is not None:
            return tag.color
    return ""


class DeleteTagCommand(LibraryCommand):
    """Delete a tag everywhere; undo gives it back to its items, as a manual tag, and its colour.

    Where the tag was automatic (a MeSH heading or author keyword) undo brings it back as a
    manual tag: the library can only add manual tags.
    """

    def __init__(self, library: Library, name: str):
        super().__init__(library, f"Delete tag {name}")
        self.name = name
        self.items = _tagged(library, name)
        self.color = _tag_color(library, name)

    def do(self) -> Changes:
        return self.library.tags.delete(self.name)

    def revert(self) -> Changes:
        changes = self.library.tags.add(self.items, [self.name]) if self.items else Changes()
        if self.color:
            self.library.tags.set_color(self.name, self.color)
        return Changes(changed=changes.changed, tags=True)


class RenameTagCommand(LibraryCommand):
    """Rename a tag; onto an existing name it merges, and undo splits the two apart again.

    A plain rename is undone by renaming back. A merge removed the old tag, so undo gives the
    old name back to its items (as a manual tag) and takes the new name from those that did not
    have it before; the colours go back as they were.
    """

    def __init__(self, library: Library, old: str, new: str):
        new = tag_name(new)  # RefmanError for a blank one
        merging = new in library.tags.names()
        super().__init__(library, f"{'Merge' if merging else 'Rename'} tag {old} into {new}")
        self.old, self.new, self.merging = old, new, merging
        self.old_items = _tagged(library, old) if merging else []
        self.new_items = set(_tagged(library, new)) if merging else set()
        self.colors = {name: _tag_color(library, name) for name in (old, new)} if merging else {}

    def do(self) -> Changes:
        return self.library.tags.rename(self.old, self.new)

    def revert(self) -> Changes:
        if not self.merging:
            return self.library.tags.rename(self.new, self.old)
        self.library.tags.add(self.old_items, [self.old])
        only_old = [i for i in self.old_items if i not in self.new_items]
        if only_old:
            self.library.tags.remove(only_old, [self.new])
        for name, color in self.colors.items():
            self.library.tags.set_color(name, color)
        return Changes(changed=frozenset(self.old_items), tags=True)


class NewItemCommand(LibraryCommand):
    """Make an empty item (File > New Item); undo deletes it, redo makes it again.

    Undo deletes the item for good only while nothing but its fields was given to it: one
    with notes (which are not on the undo stack) goes to the Trash instead, notes and all.
    """

    def __init__(self, library: Library, item_type: str, collection: CollectionId | None):
        super().__init__(library, "New item")
        self.item_type, self.collection = item_type, collection
        self.item_id: ItemId | None = None

    def do(self) -> Changes:
        item_id, changes = self.library.items.add(new_reference(self.item_type))
        self.item_id = item_id
        cid = self.editor.collection_id(self.collection)
        if cid is not None:
            changes = _merged(changes, self.library.collections.add_items([item_id], cid))
        return changes

    def revert(self) -> Changes:
        assert self.item_id is not None  # undone after it was done
        if self.library.notes.of_item(self.item_id):
            return self.library.items.trash([self.item_id])
        return self.library.items.delete([self.item_id])


def _merged(first: Changes, second: Changes) -> Changes:
    return Changes(
        added=first.added | second.added,
        changed=(first.changed | second.changed) - first.added,
        removed=first.removed | second.removed,
        tags=first.tags or second.tags,
        collections=first.collections or second.collections,
        notes=first.notes | second.notes,
        searches=first.searches or second.searches,
    )
