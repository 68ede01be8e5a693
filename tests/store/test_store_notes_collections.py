"""Notes on items, and the collection tree with its memberships."""

import pytest

from refman.model import Collection, Reference, RefmanError
from refman.store import Store


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "library.sqlite")
    yield store
    store.close()


@pytest.fixture
def item_id(store):
    return store.add_reference(Reference(title="Paper"))


# --- notes ------------------------------------------------------------------------------------


def test_notes_are_added_listed_oldest_first_updated_and_deleted(store, item_id):
    first = store.add_note(item_id, "<p>First <b>idea</b></p>")
    second = store.add_note(item_id, "<p>Second</p>")
    assert store.notes(item_id) == [first, second]
    assert first.title == "First idea"
    assert first.created == first.modified
    changed = store.update_note(first.id, "<p>Changed</p>")
    assert (changed.id, changed.created, changed.html) == (
        first.id,
        first.created,
        "<p>Changed</p>",
    )
    assert store.get_note(first.id) == changed
    store.delete_note(second.id)
    assert store.notes(item_id) == [changed]


def test_notes_of_another_item_are_separate(store, item_id):
    other = store.add_reference(Reference(title="Other"))
    store.add_note(other, "elsewhere")
    assert store.notes(item_id) == []


def test_unknown_notes_and_items_are_key_errors(store, item_id):
    with pytest.raises(KeyError):
        store.get_note(999)
    with pytest.raises(KeyError):
        store.update_note(999, "x")
    with pytest.raises(KeyError):
        store.delete_note(999)
    with pytest.raises(KeyError):
        store.add_note(item_id + 1, "x")


# --- collections ------------------------------------------------------------------------------


def test_collections_nest_and_list_sorted_by_name(store):
    thesis = store.create_collection("Thesis")
    chapter = store.create_collection("chapter 1", thesis.id)
    other = store.create_collection("Another")
    assert chapter == Collection(chapter.id, "chapter 1", thesis.id)
    assert store.collections() == [other, chapter, thesis]


def test_find_collection_by_exact_name_then_ignoring_case(store):
    lower = store.create_collection("reading")
    upper = store.create_collection("Reading")
    assert store.find_collection("Reading") == upper
    assert store.find_collection("READING") == lower
    assert store.find_collection("nothing") is None


def test_rename_and_move(store):
    a, b = store.create_collection("A"), store.create_collection("B")
    store.rename_collection(a.id, "A2")
    store.move_collection(a.id, b.id)
    assert store.find_collection("A2") == Collection(a.id, "A2", b.id)
    store.move_collection(a.id, None)
    assert store.find_collection("A2").parent_id is None


def test_a_collection_cannot_move_into_itself_or_below_itself(store):
    top = store.create_collection("Top")
    middle = store.create_collection("Middle", top.id)
    bottom = store.create_collection("Bottom", middle.id)
    for target in (top, middle, bottom):
        with pytest.raises(RefmanError, match="inside"):
            store.move_collection(top.id, target.id)
    assert store.find_collection("Top").parent_id is None


def test_empty_names_and_unknown_parents_are_refused(store):
    with pytest.raises(RefmanError):
        store.create_collection("  ")
    with pytest.raises(KeyError):
        store.create_collection("Orphan", 42)


def test_deleting_a_collection_deletes_its_subcollections_but_no_item(store, item_id):
    top = store.create_collection("Top")
    sub = store.create_collection("Sub", top.id)
    subsub = store.create_collection("Subsub", sub.id)
    kept = store.create_collection("Kept")
    for collection in (top, sub, subsub, kept):
        store.add_to_collection([item_id], collection.id)
    store.delete_collection(top.id)
    assert store.collections() == [kept]
    assert store.collections_of(item_id) == [kept.id]
    assert store.get(item_id).title == "Paper"
    assert store.integrity_check() == []


def test_membership_is_added_once_and_removed(store, item_id):
    other = store.add_reference(Reference(title="Other"))
    first, second = store.create_collection("First"), store.create_collection("Second")
    store.add_to_collection([item_id, other], first.id)
    store.add_to_collection([item_id, item_id], first.id)
    store.add_to_collection([item_id], second.id)
    assert store.search_ids(collection=first.id) == [other, item_id]
    assert store.collections_of(item_id) == [first.id, second.id]
    store.remove_from_collection([item_id], first.id)
    assert store.search_ids(collection=first.id) == [other]
    assert store.collections_of(item_id) == [second.id]
