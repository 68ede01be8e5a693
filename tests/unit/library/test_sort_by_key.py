"""Sorting by citation key (library.items.search): keys compared ignoring case, items without
a key first going up and last going down, ties by id, in the library, the Trash, a collection
and a tag's view. A large view walks the keys' own index and a small one is looked up and
sorted: both must give the order the user sees the same way."""

from __future__ import annotations

import math

import pytest

from refman.library import Library
from refman.model import ItemId, Reference, ViewQuery
from refman.store import search


@pytest.fixture(params=["small view", "large view"])
def plan(request, monkeypatch):
    """Every view taken as small (looked up by id and sorted), or every one as large (walked
    along the index), whatever its size."""
    monkeypatch.setattr(search, "FEW_MATCHES", math.inf if request.param == "small view" else -1)
    return request.param


def without_key(library: Library, ids) -> None:
    """Items whose key row is missing, as in a library damaged or made by hand."""
    with library.connection.writing() as db:
        for item_id in ids:
            db.execute_sql("DELETE FROM citation_key WHERE item_id = ?", (item_id,))


@pytest.fixture
def keyed(library) -> dict[str, ItemId]:
    """Items named by their key (none for "-1" and "-2": no key), added in an order that is
    neither the keys' nor their titles'."""
    keys = ["gamma", "-1", "Beta", "alpha", "-2", "beta2", "ALPHA1"]
    ids = {key: library.items.add(Reference(title=f"Paper {n}"))[0] for n, key in enumerate(keys)}
    for key, item_id in ids.items():
        if not key.startswith("-"):
            library.keys.set(item_id, key)
    without_key(library, [ids["-1"], ids["-2"]])
    return ids


UP = ["-1", "-2", "alpha", "ALPHA1", "Beta", "beta2", "gamma"]  # ignoring case; none first


def order(
    library: Library, names: dict[str, ItemId], view: ViewQuery | None = None, down=False
) -> list[str]:
    by_id = {item_id: name for name, item_id in names.items()}
    ids = library.items.search(view or ViewQuery(), sort="citation_key", descending=down)
    return [by_id[item_id] for item_id in ids]


def test_keys_sort_ignoring_case_with_keyless_items_first_up_and_last_down(library, keyed, plan):
    assert order(library, keyed) == UP
    # Down: the keys reversed, then the items without a key by id, newest first (as
    # every sort breaks ties: by id, reversed with the order).
    assert order(library, keyed, down=True) == ["gamma", "beta2", "Beta", "ALPHA1", "alpha",
                                                "-2", "-1"]  # fmt: skip


def test_a_changed_key_moves_its_item(library, keyed, plan):
    assert order(library, keyed) == UP
    library.keys.set(keyed["gamma"], "aardvark")
    assert order(library, keyed)[:3] == ["-1", "-2", "gamma"]


def test_trash_collection_and_tag_views_keep_the_key_order(library, keyed, plan):
    trashed = [keyed[name] for name in ("-2", "Beta", "gamma")]
    library.items.trash(trashed)
    assert order(library, keyed) == ["-1", "alpha", "ALPHA1", "beta2"]
    assert order(library, keyed, ViewQuery(trashed=True)) == ["-2", "Beta", "gamma"]
    assert order(library, keyed, ViewQuery(trashed=True), down=True) == ["gamma", "Beta", "-2"]

    collection = library.collections.create("Reading")[0]
    library.collections.add_items([keyed[n] for n in ("beta2", "-1", "alpha", "gamma")],
                                  collection.id)  # fmt: skip
    in_collection = ViewQuery(collection=collection.id)
    assert order(library, keyed, in_collection) == ["-1", "alpha", "beta2"]  # gamma: trashed
    assert order(library, keyed, in_collection, down=True) == ["beta2", "alpha", "-1"]
    assert order(library, keyed, ViewQuery(unfiled=True)) == ["ALPHA1"]

    library.tags.add([keyed[n] for n in ("ALPHA1", "-1", "Beta", "beta2")], ["to read"])
    tagged = ViewQuery(tags=("to read",))
    assert order(library, keyed, tagged) == ["-1", "ALPHA1", "beta2"]  # Beta: trashed
    assert order(library, keyed, tagged, down=True) == ["beta2", "ALPHA1", "-1"]
    assert order(library, keyed, ViewQuery("paper", tags=("to read",))) == ["-1", "ALPHA1",
                                                                            "beta2"]  # fmt: skip


def test_every_item_keyed_as_imported(library, plan):
    """The common case: every item has the key it was given when it came in."""
    ids = [library.items.add(Reference(title=f"Paper {n}"))[0] for n in range(5)]
    for item_id, key in zip(ids, ["d", "B", "e", "a", "C"], strict=True):
        library.keys.set(item_id, key)
    expected = [ids[3], ids[1], ids[4], ids[0], ids[2]]
    assert library.items.search(sort="citation_key") == expected
    assert library.items.search(sort="citation_key", descending=True) == expected[::-1]
