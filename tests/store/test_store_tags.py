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


# --- counts kept by the library file ----------------------------------------------------------


def recounted(store) -> dict[str, tuple]:
    """What counts(store) must say, counted from the links themselves."""
    rows = store._db.execute_sql(
        "SELECT t.name, count(l.item_id), sum(l.kind = 'manual'), t.color FROM tag t"
        " LEFT JOIN item_tag l ON l.tag_id = t.id"
        " AND l.item_id NOT IN (SELECT item_id FROM trash) GROUP BY t.id"
    )
    return {name: (n, n > 0 and not manual, color) for name, n, manual, color in rows if n or color}


def test_counts_follow_every_change_to_links_and_tags(store):
    a = add(store, Tag("Alpha", "mesh"), Tag("beta"))
    b = add(store, Tag("alpha"), Tag("beta", "keyword"), Tag("gamma"))
    c = add(store, Tag("gamma", "keyword"))
    changes = [
        lambda: store.add_tags([a, c], [Tag("beta"), Tag("delta")]),
        lambda: store.remove_tags([b], ["beta", "gamma"]),
        lambda: store.rename_tag("delta", "epsilon"),
        lambda: store.rename_tag("epsilon", "beta"),  # a merge
        lambda: store.set_trashed([a], True),
        lambda: store.set_tag_color("zeta", "#123456"),
        lambda: store.delete_tag("gamma"),
        lambda: store.delete_items([a]),
        lambda: store.add_reference(Reference(title="New", tags=(Tag("Alpha"), Tag("ápex")))),
        lambda: store.add_tags([], [Tag("lonely")]),
        lambda: store.add_references(
            [Reference(title="Two", tags=(Tag("beta"), Tag("beta", "mesh"), Tag("new one")))] * 2
        ),
        lambda: store.remove_tags(store.search_ids(), ["beta"]),
    ]
    for change in changes:
        change()
        assert counts(store) == recounted(store)
        assert list(counts(store)) == sorted(recounted(store), key=lambda n: (n.casefold(), n))


def test_counts_follow_changes_made_by_another_program(tmp_path):
    path = tmp_path / "library.sqlite"
    window, other = Store(path), Store(path)
    item_id = window.add_reference(Reference(title="Paper", tags=(Tag("Brain", "mesh"),)))
    assert counts(window) == {"Brain": (1, True, "")}
    other.add_tags([item_id], [Tag("to read")])
    assert counts(window) == {"Brain": (1, True, ""), "to read": (1, False, "")}
    other.rename_tag("Brain", "Cortex")
    assert counts(window) == {"Cortex": (1, True, ""), "to read": (1, False, "")}
    other.set_trashed([item_id], True)
    assert counts(window) == {}
    window.close()
    other.close()


def test_a_tag_added_in_a_transaction_rolled_back_leaves_the_list(store):
    add(store, Tag("kept"))
    assert store.tag_names() == ["kept"]
    with pytest.raises(RuntimeError), store.transaction():
        add(store, Tag("gone"))
        assert store.tag_names() == ["gone", "kept"]
        raise RuntimeError("cancelled")
    add(store, Tag("other"))  # the same number of tag changes as the rolled-back one
    assert store.tag_names() == ["kept", "other"]
    assert counts(store) == {"kept": (1, False, ""), "other": (1, False, "")}


def test_names_sort_ignoring_case_in_every_alphabet(store):
    names = ["Zebra", "ärzte", "Apple", "apple", "Éclair", "eclair", "Straße", "strasse", "Strand",
             "Ωmega", "omega", "ΑΒΓ", "12", "ß", "sr", "İstanbul", "istanbul", "Z"]  # fmt: skip
    add(store, *(Tag(name) for name in names))
    expected = sorted(names, key=lambda n: (n.casefold(), n))
    assert store.tag_names() == expected
    assert [t.name for t in store.tag_counts()] == expected
    store.delete_tag("Z")  # ids with a gap
    assert [t.name for t in store.tag_counts()] == [n for n in expected if n != "Z"]


def test_counts_are_counted_from_the_links_when_tag_total_lacks_a_tag(store):
    add(store, Tag("a"), Tag("b", "mesh"))
    store._db.execute_sql(
        "DELETE FROM tag_total WHERE tag_id = (SELECT id FROM tag WHERE name = 'b')"
    )  # as a file written by another tool might be
    assert counts(store) == {"a": (1, False, ""), "b": (1, True, "")}


def test_counts_are_counted_from_the_links_when_some_were_left_uncounted(store):
    add(store, Tag("a"))
    store._db.execute_sql(
        "INSERT INTO item_tag (item_id, tag_id, kind, position)"
        " SELECT ?, id, 'manual', 1 FROM tag WHERE name = 'a'",
        (add(store, Tag("b")),),
    )  # a link written past the store, as another tool might
    assert counts(store) == {"a": (2, False, ""), "b": (1, False, "")}
