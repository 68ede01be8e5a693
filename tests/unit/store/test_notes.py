"""refman.store.notes: HTML notes on items, listed oldest first, kept in the search index."""

import pytest

from refman.model import MissingItemError, Reference
from refman.store import items, notes


@pytest.fixture
def item_id(db):
    return items.insert(db, [Reference(title="Paper")])[0]


def test_notes_are_added_listed_oldest_first_updated_and_deleted(db, item_id):
    first = notes.add(db, item_id, "<p>First <b>idea</b></p>")
    second = notes.add(db, item_id, "<p>Second</p>")
    assert notes.of_item(db, item_id) == [first, second]
    assert first.title == "First idea"
    assert first.created == first.modified
    changed = notes.update(db, first.id, "<p>Changed</p>")
    assert (changed.id, changed.created, changed.html) == (
        first.id,
        first.created,
        "<p>Changed</p>",
    )
    assert notes.get(db, first.id) == changed
    assert notes.delete(db, second.id) == item_id
    assert notes.of_item(db, item_id) == [changed]


def test_notes_of_another_item_are_separate(db, item_id):
    other = items.insert(db, [Reference(title="Other")])[0]
    notes.add(db, other, "elsewhere")
    assert notes.of_item(db, item_id) == []


def test_unknown_notes_and_items_are_missing_and_named_in_the_message(db, item_id):
    with pytest.raises(MissingItemError, match="^There is no note with id 999.$"):
        notes.get(db, 999)
    with pytest.raises(MissingItemError, match="^There is no note with id 999.$"):
        notes.update(db, 999, "x")
    with pytest.raises(MissingItemError, match="^There is no note with id 999.$"):
        notes.delete(db, 999)
    with pytest.raises(MissingItemError, match=f"^There is no item with id {item_id + 1}.$"):
        notes.add(db, item_id + 1, "x")
    assert notes.of_item(db, item_id) == []
