"""refman.gui.undo: undoable library changes, each command and its inverse, and what the editor
reports; then undo and redo of collection create/delete and tag rename, merge and delete, from
the panes."""

from __future__ import annotations

from refman.gui import dialogs
from refman.gui.undo import InverseCommand
from refman.model import PartialDate, ViewQuery
from tests.unit.gui.helpers import id_of


def tag_names(library, item_id) -> set[str]:
    return {t.name for t in library.items.get(item_id).tags}


def test_a_field_edit_goes_back_and_forth(editor, papers_library):
    item = id_of(papers_library, "Gut")
    old = papers_library.items.get(item).date
    assert editor.set_field(item, "date", old, PartialDate(2022))
    editor.undo_stack.undo()
    assert papers_library.items.get(item).date == old
    editor.undo_stack.redo()
    assert papers_library.items.get(item).date.year == 2022


def test_an_edit_that_changes_nothing_is_not_an_undo_step(editor, papers_library):
    item = id_of(papers_library, "Gut")
    assert editor.set_field(item, "title", "Same", "Same")
    assert editor.undo_stack.count() == 0


def test_undoing_a_tag_leaves_items_that_already_had_it(editor, papers_library):
    balloon, gut = id_of(papers_library, "Balloon"), id_of(papers_library, "Gut")
    editor.add_tags([balloon, gut], ["sinus"])  # balloon had it already
    assert "sinus" in tag_names(papers_library, gut)
    editor.undo_stack.undo()
    assert "sinus" in tag_names(papers_library, balloon)
    assert "sinus" not in tag_names(papers_library, gut)


def test_removing_a_tag_is_undone_by_adding_it_back(editor, papers_library):
    balloon = id_of(papers_library, "Balloon")
    editor.remove_tags([balloon], ["sinus"])
    assert "sinus" not in tag_names(papers_library, balloon)
    editor.undo_stack.undo()
    assert "sinus" in tag_names(papers_library, balloon)


def test_trash_and_restore_are_inverses(editor, papers_library):
    gut = id_of(papers_library, "Gut")
    editor.trash([gut])
    assert papers_library.items.search(ViewQuery(trashed=True)) == [gut]
    editor.undo_stack.undo()
    assert papers_library.items.search(ViewQuery(trashed=True)) == []
    editor.restore([gut])  # nothing to restore: still a step, and harmless
    editor.undo_stack.undo()
    assert papers_library.items.search(ViewQuery(trashed=True)) == [gut]


def test_collection_membership_undo_keeps_earlier_members(editor, papers_library):
    collection, _ = papers_library.collections.create("Reading")
    gut, deep = id_of(papers_library, "Gut"), id_of(papers_library, "Deep")
    papers_library.collections.add_items([gut], collection.id)
    editor.add_to_collection([gut, deep], collection.id)
    editor.undo_stack.undo()
    assert papers_library.items.search(ViewQuery(collection=collection.id)) == [gut]


def test_every_change_is_reported_once(editor, papers_library, qtbot):
    gut = id_of(papers_library, "Gut")
    with qtbot.waitSignal(editor.changed) as changed:
        editor.add_tags([gut], ["later"])
    assert changed.args[0].changed == {gut}
    assert changed.args[0].tags


def test_a_refused_change_is_reported_in_plain_words_and_not_kept(editor, papers_library, qtbot):
    collection, _ = papers_library.collections.create("Reading")
    with qtbot.waitSignal(editor.failed) as failed:
        editor.push(
            InverseCommand(
                papers_library,
                "Rename",
                lambda: papers_library.collections.rename(collection.id, ""),
                lambda: papers_library.collections.rename(collection.id, "Reading"),
            )
        )
    assert failed.args[0]
    assert editor.undo_stack.count() == 0


def test_items_gone_from_the_library_are_reported_in_plain_words(editor, papers_library, qtbot):
    gut = id_of(papers_library, "Gut")
    papers_library.items.trash([gut])
    papers_library.items.empty_trash()  # behind the editor's back: a stale selection
    with qtbot.waitSignal(editor.failed) as failed:
        assert not editor.add_tags([gut], ["late"])
    assert failed.args == ["Some of these items are no longer in the library."]
    assert editor.undo_stack.count() == 0


# --- from the panes: collections and tags -------------------------------------------------------


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
