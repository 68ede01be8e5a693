"""Undo and redo of collection create/delete and tag rename, merge and delete, from the panes."""

from __future__ import annotations

from gui_helpers import id_of

from refman.gui import dialogs
from refman.model import ViewQuery


def answer(monkeypatch, name, value):
    monkeypatch.setattr(dialogs, name, lambda *args, **kwargs: value)


def tree_names(window) -> set[tuple[str, str | None]]:
    """(name, parent name) of every collection, as the sidebar tree shows them."""
    model, found = window.sidebar.model, set()

    def walk(parent, parent_name):
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            found.add((index.data(), parent_name))
            walk(index, index.data())

    walk(model.index(0, 0), None)
    return found


def tag_counts(window) -> dict[str, int]:
    return {t.name: t.count for t in window.sidebar.tags.model._tags}


def members(library, name) -> list[int]:
    return sorted(library.items.search(ViewQuery(collection=library.collections.find(name).id)))


def test_creating_collections_is_undone_and_redone(window, monkeypatch):
    undo = window.editor.undo_stack
    answer(monkeypatch, "ask_text", "Surgery")
    window.sidebar.new_collection()
    surgery = window.library.collections.find("Surgery").id
    answer(monkeypatch, "ask_text", "Colorectal")
    window.sidebar.new_collection(surgery)
    assert tree_names(window) == {("Surgery", None), ("Colorectal", "Surgery")}
    undo.undo()
    undo.undo()
    assert tree_names(window) == set()
    undo.redo()
    undo.redo()  # the subcollection finds its parent under the parent's new id
    assert tree_names(window) == {("Surgery", None), ("Colorectal", "Surgery")}


def test_deleting_a_collection_tree_is_undone_with_its_members(window, monkeypatch):
    library = window.library
    safety, gut = id_of(library, "Safety"), id_of(library, "Gut")
    surgery, _ = library.collections.create("Surgery")
    child, changes = library.collections.create("Colorectal", surgery.id)
    library.collections.add_items([safety], surgery.id)
    library.collections.add_items([safety, gut], child.id)
    window.editor.notify(changes)
    answer(monkeypatch, "confirm", True)
    window.sidebar.delete_collection(surgery.id)
    assert tree_names(window) == set()
    window.editor.undo_stack.undo()
    assert tree_names(window) == {("Surgery", None), ("Colorectal", "Surgery")}
    assert members(library, "Surgery") == [safety]
    assert members(library, "Colorectal") == sorted([safety, gut])
    window.editor.undo_stack.redo()
    assert tree_names(window) == set()


def test_renaming_a_collection_after_undoing_its_deletion_can_still_be_undone(window, monkeypatch):
    cid = window.editor.create_collection("Surgery", None).id
    answer(monkeypatch, "ask_text", "Surgical")
    window.sidebar.rename_collection(cid)
    answer(monkeypatch, "confirm", True)
    window.sidebar.delete_collection(cid)
    undo = window.editor.undo_stack
    undo.undo()  # made again, under a new id
    undo.undo()
    assert tree_names(window) == {("Surgery", None)}


def test_deleting_a_tag_is_undone_with_its_items_and_colour(window, monkeypatch):
    library = window.library
    library.tags.set_color("sinus", "#cc3300")
    gut = id_of(library, "Gut")
    library.tags.add([gut], ["sinus"])
    library.items.trash([gut])  # items in the trash get the tag back too
    window.sidebar.tags.refresh()
    before = tag_counts(window)
    answer(monkeypatch, "confirm", True)
    window.sidebar.tags.delete("sinus")
    assert "sinus" not in tag_counts(window)
    window.editor.undo_stack.undo()
    assert tag_counts(window) == before
    assert gut in library.items.search(ViewQuery(tags=["sinus"], trashed=True))
    assert window.sidebar.tags.model.find("sinus").color == "#cc3300"
    window.editor.undo_stack.redo()
    assert "sinus" not in tag_counts(window)


def test_a_tag_rename_is_undone_and_redone(window, monkeypatch):
    answer(monkeypatch, "ask_text", "sinuses")
    window.sidebar.tags.rename("sinus")
    window.editor.undo_stack.undo()
    assert "sinus" in tag_counts(window) and "sinuses" not in tag_counts(window)
    window.editor.undo_stack.redo()
    assert "sinuses" in tag_counts(window) and "sinus" not in tag_counts(window)


def test_a_tag_merge_is_undone_into_the_two_tags_as_they_were(window, monkeypatch):
    library = window.library
    balloon, gut = id_of(library, "Balloon"), id_of(library, "Gut")
    library.tags.add([balloon, gut], ["review"])  # balloon has both: keeps review on undo
    library.tags.set_color("review", "#0000ff")
    window.sidebar.tags.refresh()
    before = tag_counts(window)
    answer(monkeypatch, "ask_text", "review")
    window.sidebar.tags.rename("sinus")
    assert "sinus" not in tag_counts(window)
    window.editor.undo_stack.undo()
    assert tag_counts(window) == before
    assert sorted(library.items.search(ViewQuery(tags=["sinus"]))) == [balloon]
    assert balloon in library.items.search(ViewQuery(tags=["review"]))
    window.editor.undo_stack.redo()
    assert "sinus" not in tag_counts(window)
    assert tag_counts(window)["review"] == before["review"]
