"""refman.store.collection_tree: the tree of collections and the items filed in them."""

import pytest

from refman.model import Collection, MissingItemError, Reference, RefmanError, ViewQuery
from refman.store import collection_tree, items, maintenance, search


@pytest.fixture
def item_id(db):
    return items.insert(db, [Reference(title="Paper")])[0]


def members(db, collection: Collection) -> list[int]:
    view = ViewQuery(collection=collection.id)
    return search.search_ids(db, view, sort="title", descending=False)


def test_collections_nest_and_list_sorted_by_name(db):
    thesis = collection_tree.create(db, "Thesis", None)
    chapter = collection_tree.create(db, "chapter 1", thesis.id)
    other = collection_tree.create(db, "Another", None)
    assert chapter == Collection(chapter.id, "chapter 1", thesis.id)
    assert collection_tree.all_collections(db) == [other, chapter, thesis]


def test_find_collection_by_exact_name_then_ignoring_case(db):
    lower = collection_tree.create(db, "reading", None)
    upper = collection_tree.create(db, "Reading", None)
    assert collection_tree.find(db, "Reading") == upper
    assert collection_tree.find(db, "READING") == lower
    assert collection_tree.find(db, "nothing") is None


def test_rename_and_move(db):
    a, b = collection_tree.create(db, "A", None), collection_tree.create(db, "B", None)
    collection_tree.rename(db, a.id, "A2")
    collection_tree.move(db, a.id, b.id)
    assert collection_tree.find(db, "A2") == Collection(a.id, "A2", b.id)
    collection_tree.move(db, a.id, None)
    assert collection_tree.find(db, "A2").parent_id is None


def test_a_collection_cannot_move_into_itself_or_below_itself(db):
    top = collection_tree.create(db, "Top", None)
    middle = collection_tree.create(db, "Middle", top.id)
    bottom = collection_tree.create(db, "Bottom", middle.id)
    for target in (top, middle, bottom):
        with pytest.raises(RefmanError, match="inside"):
            collection_tree.move(db, top.id, target.id)
    assert collection_tree.find(db, "Top").parent_id is None


def test_empty_names_and_unknown_parents_are_refused(db):
    with pytest.raises(RefmanError, match="^A collection needs a name.$"):
        collection_tree.create(db, "  ", None)
    with pytest.raises(MissingItemError, match="^There is no collection with id 42.$"):
        collection_tree.create(db, "Orphan", 42)
    assert collection_tree.all_collections(db) == []


def test_deleting_a_collection_deletes_its_subcollections_but_no_item(db, item_id):
    top = collection_tree.create(db, "Top", None)
    sub = collection_tree.create(db, "Sub", top.id)
    subsub = collection_tree.create(db, "Subsub", sub.id)
    kept = collection_tree.create(db, "Kept", None)
    for collection in (top, sub, subsub, kept):
        collection_tree.add_items(db, [item_id], collection.id)
    collection_tree.delete(db, top.id)
    assert collection_tree.all_collections(db) == [kept]
    assert collection_tree.of_item(db, item_id) == [kept.id]
    assert items.load(db, [item_id])[0].title == "Paper"
    assert maintenance.integrity_problems(db) == []


def test_membership_is_added_once_and_removed(db, item_id):
    other = items.insert(db, [Reference(title="Other")])[0]
    first = collection_tree.create(db, "First", None)
    second = collection_tree.create(db, "Second", None)
    collection_tree.add_items(db, [item_id, other], first.id)
    collection_tree.add_items(db, [item_id, item_id], first.id)
    collection_tree.add_items(db, [item_id], second.id)
    assert members(db, first) == [other, item_id]
    assert collection_tree.of_item(db, item_id) == [first.id, second.id]
    collection_tree.remove_items(db, [item_id], first.id)
    assert members(db, first) == [other]
    assert collection_tree.of_item(db, item_id) == [second.id]


def test_changes_to_an_unknown_collection_are_refused_and_named(db, item_id):
    known = collection_tree.create(db, "Known", None)
    missing = "^There is no collection with id 42.$"
    changes = [
        lambda: collection_tree.rename(db, 42, "New name"),
        lambda: collection_tree.move(db, 42, None),
        lambda: collection_tree.move(db, known.id, 42),
        lambda: collection_tree.delete(db, 42),
        lambda: collection_tree.add_items(db, [item_id], 42),
    ]
    for change in changes:
        with pytest.raises(MissingItemError, match=missing):
            change()
    assert collection_tree.all_collections(db) == [known]
    assert collection_tree.of_item(db, item_id) == []
