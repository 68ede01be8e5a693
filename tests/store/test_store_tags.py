"""Tags: adding and removing links, rename (and merge), delete, colours, counts per view."""

from datetime import UTC, datetime

import pytest

from refman.model import MeshQualifier, Reference, Tag, TagCount
from refman.store import Store

OLD = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "library.sqlite")
    yield store
    store.close()


def add(store, *tags: Tag, title: str = "Paper") -> int:
    ref = Reference(title=title, tags=tags, date_added=OLD, date_modified=OLD)
    return store.add_reference(ref)


def counts(store, **view) -> dict[str, tuple]:
    return {t.name: (t.count, t.automatic, t.color) for t in store.tag_counts(**view)}


BRAIN = Tag("Brain", "mesh", True, (MeshQualifier("enzymology", True),))


def test_add_tags_appends_links_and_leaves_existing_ones_untouched(store):
    item_id = add(store, BRAIN)
    store.add_tags([item_id], [Tag("Brain"), Tag("to read"), Tag("Lung", "mesh")])
    tags = store.get(item_id).tags
    assert tags == (BRAIN, Tag("to read"), Tag("Lung", "mesh"))  # the MeSH link kept its stars
    assert store.get(item_id).date_modified > OLD
    assert store.check_fts() == []


def test_adding_tags_an_item_already_has_does_not_touch_it(store):
    item_id = add(store, Tag("a"))
    store.add_tags([item_id], [Tag("a")])
    assert store.get(item_id).date_modified == OLD


def test_add_tags_to_many_items(store):
    ids = [add(store, title=f"P{n}") for n in range(1100)]
    store.add_tags(ids, [Tag("batch")])
    assert store.search_ids(tags=["batch"]) == ids
    assert counts(store)["batch"] == (1100, False, "")


def test_remove_tags_unlinks_every_kind_and_forgets_unused_tags(store):
    first = add(store, BRAIN, Tag("keep"))
    second = add(store, Tag("Brain"))
    store.remove_tags([first], ["Brain"])
    assert store.get(first).tags == (Tag("keep"),)
    assert store.get(first).date_modified > OLD
    assert store.get(second).date_modified == OLD
    assert store.tag_names() == ["Brain", "keep"]
    store.remove_tags([second], ["Brain", "no such tag"])
    assert store.tag_names() == ["keep"]
    assert store.check_fts() == []


def test_rename_tag_everywhere(store):
    first, second = add(store, BRAIN), add(store, Tag("Brain"))
    store.rename_tag("Brain", "Cerebrum")
    assert store.get(first).tags == (Tag("Cerebrum", "mesh", True, BRAIN.qualifiers),)
    assert store.get(second).tags == (Tag("Cerebrum"),)
    assert store.search_ids("cerebrum") == [first, second]
    assert store.search_ids("brain") == []
    assert store.check_fts() == []


def test_rename_onto_an_existing_tag_merges_them(store):
    both = add(store, Tag("brain"), Tag("Brain"))
    old_only = add(store, Tag("brain"))
    store.set_tag_color("brain", "#ff0000")
    store.rename_tag("brain", "Brain")
    assert store.get(both).tags == (Tag("Brain"),)
    assert store.get(old_only).tags == (Tag("Brain"),)
    assert counts(store) == {"Brain": (2, False, "#ff0000")}
    assert store.check_fts() == []


def test_rename_or_delete_of_an_unknown_tag_is_a_key_error(store):
    with pytest.raises(KeyError):
        store.rename_tag("nope", "x")
    with pytest.raises(KeyError):
        store.delete_tag("nope")


def test_delete_tag_removes_it_from_every_item(store):
    first, second = add(store, BRAIN, Tag("x")), add(store, Tag("Brain"))
    store.delete_tag("Brain")
    assert store.get(first).tags == (Tag("x"),)
    assert store.get(second).tags == ()
    assert store.tag_names() == ["x"]
    assert store.search_ids("brain") == []


def test_colours_are_kept_by_name_even_without_items(store):
    item_id = add(store, Tag("urgent"))
    store.set_tag_color("urgent", "#ff0000")
    store.set_tag_color("later", "#00ff00")
    store.remove_tags([item_id], ["urgent"])
    assert counts(store) == {"later": (0, False, "#00ff00"), "urgent": (0, False, "#ff0000")}
    store.set_tag_color("urgent", "")
    assert store.tag_names() == ["later"]


def test_counts_per_view_sorted_by_name_ignoring_case(store):
    a = add(store, Tag("zeta"), Tag("Alpha", "mesh"))
    b = add(store, Tag("zeta"), Tag("beta", "keyword"))
    c = add(store, Tag("Alpha"), Tag("gamma"))
    collection = store.create_collection("C")
    store.add_to_collection([a, b], collection.id)
    store.set_trashed([c], True)
    assert list(counts(store)) == ["Alpha", "beta", "zeta"]
    assert counts(store) == {
        "Alpha": (1, True, ""),  # its manual link is on a trashed item
        "beta": (1, True, ""),
        "zeta": (2, False, ""),
    }
    assert counts(store, trashed=True) == {"Alpha": (1, False, ""), "gamma": (1, False, "")}
    assert counts(store, collection=collection.id) == counts(store)
    store.remove_from_collection([b], collection.id)
    assert counts(store, collection=collection.id) == {
        "Alpha": (1, True, ""),
        "zeta": (1, False, ""),
    }
    assert counts(store, unfiled=True) == {"beta": (1, True, ""), "zeta": (1, False, "")}


def test_a_tag_is_manual_in_a_view_if_any_of_its_links_there_is(store):
    add(store, Tag("COVID-19", "mesh"), Tag("COVID-19", "keyword"))
    manual = add(store, Tag("COVID-19"))
    assert store.tag_counts() == [TagCount("COVID-19", automatic=False, count=2)]
    store.set_trashed([manual], True)
    assert store.tag_counts() == [TagCount("COVID-19", automatic=True, count=1)]


def test_the_same_name_is_manual_on_one_item_and_automatic_on_another(store):
    manual, automatic = add(store, Tag("Brain")), add(store, BRAIN)
    assert store.get(manual).tags[0].automatic is False
    assert store.get(automatic).tags[0].automatic is True
    assert store.tag_names() == ["Brain"]
