"""Undoable library changes: each command and its inverse, and what the editor reports."""

from __future__ import annotations

from gui_helpers import id_of

from refman.gui.undo import InverseCommand
from refman.model import PartialDate, ViewQuery


def tag_names(library, item_id) -> set[str]:
    return {t.name for t in library.items.get(item_id).tags}


def test_a_field_edit_goes_back_and_forth(editor, library):
    item = id_of(library, "Gut")
    old = library.items.get(item).date
    assert editor.set_field(item, "date", old, PartialDate(2022))
    editor.undo_stack.undo()
    assert library.items.get(item).date == old
    editor.undo_stack.redo()
    assert library.items.get(item).date.year == 2022


def test_an_edit_that_changes_nothing_is_not_an_undo_step(editor, library):
    item = id_of(library, "Gut")
    assert editor.set_field(item, "title", "Same", "Same")
    assert editor.undo_stack.count() == 0


def test_undoing_a_tag_leaves_items_that_already_had_it(editor, library):
    balloon, gut = id_of(library, "Balloon"), id_of(library, "Gut")
    editor.add_tags([balloon, gut], ["sinus"])  # balloon had it already
    assert "sinus" in tag_names(library, gut)
    editor.undo_stack.undo()
    assert "sinus" in tag_names(library, balloon)
    assert "sinus" not in tag_names(library, gut)


def test_removing_a_tag_is_undone_by_adding_it_back(editor, library):
    balloon = id_of(library, "Balloon")
    editor.remove_tags([balloon], ["sinus"])
    assert "sinus" not in tag_names(library, balloon)
    editor.undo_stack.undo()
    assert "sinus" in tag_names(library, balloon)


def test_trash_and_restore_are_inverses(editor, library):
    gut = id_of(library, "Gut")
    editor.trash([gut])
    assert library.items.search(ViewQuery(trashed=True)) == [gut]
    editor.undo_stack.undo()
    assert library.items.search(ViewQuery(trashed=True)) == []
    editor.restore([gut])  # nothing to restore: still a step, and harmless
    editor.undo_stack.undo()
    assert library.items.search(ViewQuery(trashed=True)) == [gut]


def test_collection_membership_undo_keeps_earlier_members(editor, library):
    collection, _ = library.collections.create("Reading")
    gut, deep = id_of(library, "Gut"), id_of(library, "Deep")
    library.collections.add_items([gut], collection.id)
    editor.add_to_collection([gut, deep], collection.id)
    editor.undo_stack.undo()
    assert library.items.search(ViewQuery(collection=collection.id)) == [gut]


def test_every_change_is_reported_once(editor, library, qtbot):
    gut = id_of(library, "Gut")
    with qtbot.waitSignal(editor.changed) as changed:
        editor.add_tags([gut], ["later"])
    assert changed.args[0].changed == {gut}
    assert changed.args[0].tags


def test_a_refused_change_is_reported_in_plain_words_and_not_kept(editor, library, qtbot):
    collection, _ = library.collections.create("Reading")
    with qtbot.waitSignal(editor.failed) as failed:
        editor.push(
            InverseCommand(
                library,
                "Rename",
                lambda: library.collections.rename(collection.id, ""),
                lambda: library.collections.rename(collection.id, "Reading"),
            )
        )
    assert failed.args[0]
    assert editor.undo_stack.count() == 0


def test_items_gone_from_the_library_are_reported_in_plain_words(editor, library, qtbot):
    gut = id_of(library, "Gut")
    library.items.trash([gut])
    library.items.empty_trash()  # behind the editor's back: a stale selection
    with qtbot.waitSignal(editor.failed) as failed:
        assert not editor.add_tags([gut], ["late"])
    assert failed.args == ["Some of these items are no longer in the library."]
    assert editor.undo_stack.count() == 0
