"""refman.store.tags: adding and removing links, rename (and merge), delete, colours, the
counts of a view and the listing kept between reads."""

import time
from contextlib import closing
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refman.model import MeshQualifier, MissingItemError, Reference, Tag, TagCount, ViewQuery
from refman.store import collection_tree, items, search, tags
from refman.store.connection import Connection
from tests.unit.store.helpers import index_problems

OLD = datetime(2020, 1, 1, tzinfo=UTC)
BRAIN = Tag("Brain", "mesh", True, (MeshQualifier("enzymology", True),))


def add(db, *item_tags: Tag, title: str = "Paper") -> int:
    """An item carrying these tags, last modified long ago."""
    ref = Reference(title=title, tags=item_tags, date_added=OLD, date_modified=OLD)
    return items.insert(db, [ref])[0]


def counts(db, listings: tags.TagListings, **place) -> dict[str, tuple]:
    """The counts of the view at this place, by name: (items, automatic, colour)."""
    found = tags.counts(db, listings, ViewQuery(**place))
    assert [found[i] for i in range(len(found))] == list(found)  # a row as the list reads it
    return {t.name: (t.count, t.automatic, t.color) for t in found}


def test_tagging_appends_links_and_leaves_existing_ones_untouched(db):
    item_id = add(db, BRAIN)
    items.tag(db, [item_id], [Tag("Brain"), Tag("to read"), Tag("Lung", "mesh")])
    # The MeSH link kept its stars.
    assert items.load(db, [item_id])[0].tags == (BRAIN, Tag("to read"), Tag("Lung", "mesh"))
    assert items.load(db, [item_id])[0].date_modified > OLD
    assert index_problems(db) == []


def test_tagging_with_tags_an_item_already_has_does_not_touch_it(db):
    item_id = add(db, Tag("a"))
    items.tag(db, [item_id], [Tag("a")])
    assert items.load(db, [item_id])[0].date_modified == OLD


def test_tagging_many_items(connection, db):
    ids = [add(db, title=f"P{n}") for n in range(1100)]
    items.tag(db, ids, [Tag("batch")])
    assert search.search_ids(db, ViewQuery(tags=("batch",)), sort="title", descending=False) == ids
    assert counts(db, connection.tag_listings)["batch"] == (1100, False, "")


def test_untagging_unlinks_every_kind_and_forgets_unused_tags(connection, db):
    first = add(db, BRAIN, Tag("keep"))
    second = add(db, Tag("Brain"))
    items.untag(db, [first], ["Brain"])
    assert items.load(db, [first])[0].tags == (Tag("keep"),)
    assert items.load(db, [first])[0].date_modified > OLD
    assert items.load(db, [second])[0].date_modified == OLD
    assert tags.names(db, connection.tag_listings) == ["Brain", "keep"]
    items.untag(db, [second], ["Brain", "no such tag"])
    assert tags.names(db, connection.tag_listings) == ["keep"]
    assert index_problems(db) == []


def test_rename_tag_everywhere(db):
    first, second = add(db, BRAIN), add(db, Tag("Brain"))
    tags.rename(db, "Brain", "Cerebrum")
    assert items.load(db, [first])[0].tags == (Tag("Cerebrum", "mesh", True, BRAIN.qualifiers),)
    assert items.load(db, [second])[0].tags == (Tag("Cerebrum"),)
    assert search.search_ids(db, ViewQuery("cerebrum"), sort="title", descending=False) == [
        first,
        second,
    ]
    assert search.search_ids(db, ViewQuery("brain"), sort="title", descending=False) == []
    assert index_problems(db) == []


def test_rename_onto_an_existing_tag_merges_them(connection, db):
    both = add(db, Tag("brain"), Tag("Brain"))
    old_only = add(db, Tag("brain"))
    tags.set_color(db, "brain", "#ff0000")
    tags.rename(db, "brain", "Brain")
    assert items.load(db, [both])[0].tags == (Tag("Brain"),)
    assert items.load(db, [old_only])[0].tags == (Tag("Brain"),)
    assert counts(db, connection.tag_listings) == {"Brain": (2, False, "#ff0000")}
    assert index_problems(db) == []


def test_rename_or_delete_of_an_unknown_tag_is_a_missing_tag_named_in_the_message(db):
    with pytest.raises(MissingItemError, match="^There is no tag 'nope'.$"):
        tags.rename(db, "nope", "x")
    with pytest.raises(MissingItemError, match="^There is no tag 'nope'.$"):
        tags.delete(db, "nope")


def test_delete_tag_removes_it_from_every_item(connection, db):
    first, second = add(db, BRAIN, Tag("x")), add(db, Tag("Brain"))
    tags.delete(db, "Brain")
    assert items.load(db, [first])[0].tags == (Tag("x"),)
    assert items.load(db, [second])[0].tags == ()
    assert tags.names(db, connection.tag_listings) == ["x"]
    assert search.search_ids(db, ViewQuery("brain"), sort="title", descending=False) == []


def test_colours_are_kept_by_name_even_without_items(connection, db):
    item_id = add(db, Tag("urgent"))
    tags.set_color(db, "urgent", "#ff0000")
    tags.set_color(db, "later", "#00ff00")
    items.untag(db, [item_id], ["urgent"])
    assert counts(db, connection.tag_listings) == {
        "later": (0, False, "#00ff00"),
        "urgent": (0, False, "#ff0000"),
    }
    tags.set_color(db, "urgent", "")
    assert tags.names(db, connection.tag_listings) == ["later"]


def test_counts_per_view_sorted_by_name_ignoring_case(connection, db):
    listings = connection.tag_listings
    a = add(db, Tag("zeta"), Tag("Alpha", "mesh"))
    b = add(db, Tag("zeta"), Tag("beta", "keyword"))
    c = add(db, Tag("Alpha"), Tag("gamma"))
    collection = collection_tree.create(db, "C", None)
    collection_tree.add_items(db, [a, b], collection.id)
    items.set_trashed(db, [c], True)
    assert list(counts(db, listings)) == ["Alpha", "beta", "zeta"]
    assert counts(db, listings) == {
        "Alpha": (1, True, ""),  # its manual link is on a trashed item
        "beta": (1, True, ""),
        "zeta": (2, False, ""),
    }
    assert counts(db, listings, trashed=True) == {"Alpha": (1, False, ""), "gamma": (1, False, "")}
    assert counts(db, listings, collection=collection.id) == counts(db, listings)
    collection_tree.remove_items(db, [b], collection.id)
    assert counts(db, listings, collection=collection.id) == {
        "Alpha": (1, True, ""),
        "zeta": (1, False, ""),
    }
    assert counts(db, listings, unfiled=True) == {"beta": (1, True, ""), "zeta": (1, False, "")}


def test_each_row_reads_its_count_less_the_trashed_items(connection, db):
    """The tag list reads a row at a time (a large library's counts are picked when asked)."""
    add(db, Tag("shared"), Tag("Alpha", "mesh"))
    trashed = add(db, Tag("shared"), Tag("Alpha", "mesh"))
    add(db, Tag("shared"))
    items.set_trashed(db, [trashed], True)
    found = tags.counts(db, connection.tag_listings, ViewQuery())
    rows = [(found[i].name, found[i].count) for i in range(len(found))]
    assert rows == [("Alpha", 1), ("shared", 2)]
    assert found[-1].count == 2 and [t.count for t in found[:1]] == [1]


def test_a_tag_is_manual_in_a_view_if_any_of_its_links_there_is(connection, db):
    add(db, Tag("COVID-19", "mesh"), Tag("COVID-19", "keyword"))
    manual = add(db, Tag("COVID-19"))
    library = ViewQuery()
    assert tags.counts(db, connection.tag_listings, library) == [
        TagCount("COVID-19", automatic=False, count=2)
    ]
    items.set_trashed(db, [manual], True)
    assert tags.counts(db, connection.tag_listings, library) == [
        TagCount("COVID-19", automatic=True, count=1)
    ]


def test_the_same_name_is_manual_on_one_item_and_automatic_on_another(connection, db):
    manual, automatic = add(db, Tag("Brain")), add(db, BRAIN)
    assert items.load(db, [manual])[0].tags[0].automatic is False
    assert items.load(db, [automatic])[0].tags[0].automatic is True
    assert tags.names(db, connection.tag_listings) == ["Brain"]


def test_names_sort_ignoring_case_in_every_alphabet(connection, db):
    names = ["Zebra", "ärzte", "Apple", "apple", "Éclair", "eclair", "Straße", "strasse", "Strand",
             "Ωmega", "omega", "ΑΒΓ", "12", "ß", "sr", "İstanbul", "istanbul", "Z", "APPLE",
             "ECLAIR"]  # fmt: skip
    add(db, *(Tag(name) for name in names))
    expected = sorted(names, key=lambda n: (n.casefold(), n))
    assert tags.names(db, connection.tag_listings) == expected
    assert isinstance(connection.tag_listings.current(db).names, tags._Names)  # SQLite sorted
    assert list(counts(db, connection.tag_listings)) == expected
    tags.delete(db, "Z")  # ids with a gap
    assert list(counts(db, connection.tag_listings)) == [n for n in expected if n != "Z"]


def test_tag_ids_past_two_to_the_thirty_first_are_listed_in_order_too(connection, db):
    add(db, Tag("beta"), Tag("Alpha"))
    db.execute_sql("INSERT INTO tag (id, name, color) VALUES (?, 'gamma', '')", (2**31 + 5,))
    assert tags.names(db, connection.tag_listings) == ["Alpha", "beta", "gamma"]


class _Undone(Exception):
    """Raised to roll a test's transaction back."""


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=6)))
def test_the_order_sqlite_sorts_in_is_pythons_casefolded_then_exact(connection, names):
    # SQLite folds ASCII names, Python the others (and a name holding a NUL is sorted in Python).
    with pytest.raises(_Undone), connection.writing() as db:
        add(db, *(Tag(name) for name in names))
        stored = [name for (name,) in db.execute_sql("SELECT name FROM tag")]
        expected = sorted(stored, key=lambda n: (n.casefold(), n))
        assert tags.names(db, connection.tag_listings) == expected
        raise _Undone


# --- counts kept by the library file ----------------------------------------------------------


def recounted(db) -> dict[str, tuple]:
    """What the library's counts must say, counted from the links themselves."""
    rows = db.execute_sql(
        "SELECT t.name, count(l.item_id), sum(l.kind = 'manual'), t.color FROM tag t"
        " LEFT JOIN item_tag l ON l.tag_id = t.id"
        " AND l.item_id NOT IN (SELECT item_id FROM trash) GROUP BY t.id"
    )
    return {name: (n, n > 0 and not manual, color) for name, n, manual, color in rows if n or color}


@pytest.fixture(params=["read anew", "placed"])
def new_tags(request, monkeypatch):
    """New tags join the kept listing as a large library's do (each put in its place), or
    make it read anew as a small one's do."""
    monkeypatch.setattr(tags, "NEW_TAGS_PLACED", 0 if request.param == "read anew" else 10**9)


def test_counts_follow_every_change_to_links_and_tags(connection, new_tags):
    """Each change is a transaction of its own, and the counts are read after it: the
    listing kept between reads must follow every kind of change."""
    with connection.writing() as db:
        a = add(db, Tag("Alpha", "mesh"), Tag("beta"))
        b = add(db, Tag("alpha"), Tag("beta", "keyword"), Tag("gamma"))
        c = add(db, Tag("gamma", "keyword"))
    two = Reference(title="Two", tags=(Tag("beta"), Tag("beta", "mesh"), Tag("new one")))
    library = ViewQuery()
    changes = [
        lambda db: items.tag(db, [a, c], [Tag("beta"), Tag("delta")]),
        lambda db: items.untag(db, [b], ["beta", "gamma"]),
        lambda db: tags.rename(db, "delta", "epsilon"),
        lambda db: tags.rename(db, "epsilon", "beta"),  # a merge
        lambda db: items.set_trashed(db, [a], True),
        lambda db: tags.set_color(db, "zeta", "#123456"),
        lambda db: tags.delete(db, "gamma"),
        lambda db: items.delete(db, [a]),
        lambda db: items.insert(db, [Reference(title="New", tags=(Tag("Alpha"), Tag("ápex")))]),
        lambda db: items.tag(db, [], [Tag("lonely")]),
        lambda db: items.insert(db, [two] * 2),
        lambda db: items.untag(
            db, search.search_ids(db, library, sort="title", descending=False), ["beta"]
        ),
    ]
    for change in changes:
        with connection.writing() as db:
            change(db)
        with connection.reading() as db:
            assert counts(db, connection.tag_listings) == recounted(db)
            expected = sorted(recounted(db), key=lambda n: (n.casefold(), n))
            assert list(counts(db, connection.tag_listings)) == expected


def read_counts(connection) -> dict[str, tuple]:
    with connection.reading() as db:
        return counts(db, connection.tag_listings)


def test_counts_follow_changes_made_by_another_program(connection, other):
    with connection.writing() as db:
        item_id = items.insert(db, [Reference(title="Paper", tags=(Tag("Brain", "mesh"),))])[0]
    assert read_counts(connection) == {"Brain": (1, True, "")}
    with other.writing() as db:
        items.tag(db, [item_id], [Tag("to read")])
    assert read_counts(connection) == {"Brain": (1, True, ""), "to read": (1, False, "")}
    with other.writing() as db:
        tags.rename(db, "Brain", "Cortex")
    assert read_counts(connection) == {"Cortex": (1, True, ""), "to read": (1, False, "")}
    with other.writing() as db:
        items.set_trashed(db, [item_id], True)
    assert read_counts(connection) == {}


def test_a_tag_added_in_a_transaction_rolled_back_leaves_the_list(connection):
    def names() -> list[str]:
        with connection.reading() as db:
            return tags.names(db, connection.tag_listings)

    with connection.writing() as db:
        add(db, Tag("kept"))
    assert names() == ["kept"]
    with pytest.raises(RuntimeError), connection.writing() as db:
        add(db, Tag("gone"))
        assert names() == ["gone", "kept"]
        raise RuntimeError("cancelled")
    with connection.writing() as db:
        add(db, Tag("other"))  # the same number of tag changes as the rolled-back one
    assert names() == ["kept", "other"]
    assert read_counts(connection) == {"kept": (1, False, ""), "other": (1, False, "")}


def test_counts_are_counted_from_the_links_when_tag_total_lacks_a_tag(connection, db):
    add(db, Tag("a"), Tag("b", "mesh"))
    db.execute_sql(
        "DELETE FROM tag_total WHERE tag_id = (SELECT id FROM tag WHERE name = 'b')"
    )  # as a file written by another tool might be
    assert counts(db, connection.tag_listings) == {"a": (1, False, ""), "b": (1, True, "")}


def test_counts_are_counted_from_the_links_when_some_were_left_uncounted(connection, db):
    add(db, Tag("a"))
    db.execute_sql(
        "INSERT INTO item_tag (item_id, tag_id, kind, position)"
        " SELECT ?, id, 'manual', 1 FROM tag WHERE name = 'a'",
        (add(db, Tag("b")),),
    )  # a link written past the store, as another tool might
    assert counts(db, connection.tag_listings) == {"a": (2, False, ""), "b": (1, False, "")}


def test_the_tag_listing_is_read_once_while_the_tags_stay_as_they_are(connection, monkeypatch):
    """Kept across snapshots (each read is one), made anew after a change, never kept from
    inside a write that may yet be rolled back."""
    with connection.writing() as db:
        add(db, Tag("sinus"), Tag("Humans", "mesh"))
    made = []
    listing = tags._listing
    monkeypatch.setattr(
        tags, "_listing", lambda db, version: made.append(1) or listing(db, version)
    )
    for _ in range(3):
        with connection.reading() as db:
            assert tags.names(db, connection.tag_listings) == ["Humans", "sinus"]
    assert len(made) == 1
    with connection.writing() as db:
        add(db, Tag("zebrafish"))
        assert "zebrafish" in tags.names(db, connection.tag_listings)  # read, not kept
    with connection.reading() as db:
        assert tags.names(db, connection.tag_listings)[-1] == "zebrafish"
    assert len(made) == 3


def test_new_tags_take_their_place_in_the_kept_listing(connection, monkeypatch):
    """A large library's kept listing takes new tags in rather than sorting every name again:
    the list and the counts are those a full read gives, names alike but for case included."""
    first = ["Zebra", "apple", "Mango", "ñame", "Éclair", "12", "mango", "Kiwi"]
    with connection.writing() as db:
        for name in first:
            add(db, Tag(name), Tag("shared"))
    with connection.reading() as db:
        tags.names(db, connection.tag_listings)  # kept
    read_anew = []
    listing = tags._listing
    monkeypatch.setattr(tags, "_listing", lambda *args: read_anew.append(1) or listing(*args))
    monkeypatch.setattr(tags, "NEW_TAGS_PLACED", 10**9)
    # Several new tags fall in one place, in an order that is not theirs.
    later = [["MANGO", "aardvark", "zzz"], ["Kiwis", "éclair", "0", "kiwi", "Apple", "ÑAME"]]
    for batch in later:
        with connection.writing() as db:
            add(db, *(Tag(name, "mesh") for name in batch), Tag("shared"))
            for n, name in enumerate(batch):  # each new tag on as many more items as it is far
                for _ in range(n):
                    add(db, Tag(name, "mesh"))
        with connection.reading() as db:
            shown = counts(db, connection.tag_listings)
            assert shown == recounted(db)
            assert list(shown) == sorted(recounted(db), key=lambda n: (n.casefold(), n))
            assert shown["shared"] == (len(first) + later.index(batch) + 1, False, "")
    assert read_anew == []


def test_the_links_are_counted_again_only_after_a_change(connection, other, monkeypatch):
    """The check that tag_total adds up counts every link: a refresh of an unchanged library
    skips it, one after a change made here or by another program does it again."""
    with connection.writing() as db:
        item_id = add(db, Tag("a"))
    counted = []
    links = tags._links
    monkeypatch.setattr(tags, "_links", lambda db: counted.append(1) or links(db))
    assert read_counts(connection) == {"a": (1, False, "")}
    assert read_counts(connection) == {"a": (1, False, "")}
    assert len(counted) == 1
    with connection.writing() as db:
        items.tag(db, [item_id], [Tag("b")])
    assert read_counts(connection) == {"a": (1, False, ""), "b": (1, False, "")}
    assert len(counted) == 2
    with other.writing() as db:
        items.tag(db, [add(db, Tag("c"))], [Tag("a")])
    assert read_counts(connection)["a"] == (2, False, "")
    assert len(counted) == 3
    with other.writing() as db:  # a link written past the store: counted from the links
        db.execute_sql(
            "INSERT INTO item_tag (item_id, tag_id, kind, position)"
            " SELECT ?, id, 'manual', 5 FROM tag WHERE name = 'c'",
            (item_id,),
        )
    assert read_counts(connection)["c"] == (2, False, "")
    assert read_counts(connection)["c"] == (2, False, "")


# --- the listing kept in the library file -----------------------------------------------------


def listed_anew(monkeypatch) -> list[int]:
    """A list that grows by one each time every tag name is sorted anew."""
    made: list[int] = []
    listing = tags._listing
    monkeypatch.setattr(tags, "_listing", lambda *args: made.append(1) or listing(*args))
    return made


def new_process_names(path, *, read_only: bool = False) -> list[str]:
    """The names as a new process lists them (it then keeps its listing in the file)."""
    with closing(Connection(path, read_only=read_only)) as fresh:
        with fresh.reading() as db:
            found = tags.names(db, fresh.tag_listings)
        fresh.store_tag_listing()
    return found


def expected_names(connection) -> list[str]:
    with connection.reading() as db:
        names = [name for (name,) in db.execute_sql("SELECT name FROM tag")]
    return sorted(names, key=lambda n: (n.casefold(), n))


def test_a_new_process_reads_the_listing_the_file_keeps(connection, monkeypatch):
    with connection.writing() as db:
        add(db, Tag("Zebra"), Tag("apple"), Tag("Apple"), Tag("ñame"))
    sorted_anew = listed_anew(monkeypatch)
    assert new_process_names(connection.path) == ["Apple", "apple", "Zebra", "ñame"]
    assert new_process_names(connection.path) == ["Apple", "apple", "Zebra", "ñame"]
    assert len(sorted_anew) == 1


TAG_CHANGES = {
    "tag added": lambda db: add(db, Tag("Mango"), Tag("banana")),
    "import": lambda db: items.insert(
        db, [Reference(title=f"T{n}", tags=(Tag(f"New {n}", "mesh"),)) for n in range(30)]
    ),
    "rename": lambda db: tags.rename(db, "Zebra", "aardvark"),
    "merge": lambda db: tags.rename(db, "Zebra", "apple"),
    "delete": lambda db: tags.delete(db, "apple"),
    "last item untagged": lambda db: items.untag(
        db, search.search_ids(db, ViewQuery(), sort="title", descending=False), ["ñame"]
    ),
}


@pytest.mark.parametrize("change", TAG_CHANGES.values(), ids=TAG_CHANGES.keys())
def test_the_listing_the_file_keeps_follows_every_change(connection, change, other, new_tags):
    """A change made by a process that does not store the listing (an older refman, another
    program): the next process lists the tags as they are, and so does the one after it."""
    with connection.writing() as db:
        add(db, Tag("Zebra"), Tag("apple"), Tag("Apple"), Tag("ñame"), Tag("kiwi"))
    new_process_names(connection.path)  # kept in the file
    with other.writing() as db:
        change(db)
    expected = expected_names(connection)
    assert new_process_names(connection.path) == expected
    assert new_process_names(connection.path) == expected
    assert list(read_counts(connection)) == expected


@pytest.mark.parametrize(
    "stale",
    [
        "UPDATE tag_listing SET format = 'another'",  # another program's way of sorting
        "UPDATE tag_listing SET ranks = x'00'",  # not as refman writes it
        "UPDATE tag_listing SET names_version = names_version + 1",  # from another future
        "UPDATE tag_listing SET newest_tag_id = newest_tag_id + 1",
    ],
)
def test_a_listing_the_file_keeps_that_does_not_fit_is_sorted_anew(connection, stale, monkeypatch):
    with connection.writing() as db:
        add(db, Tag("b"), Tag("A"), Tag("c"))
    new_process_names(connection.path)
    with connection.writing() as db:
        db.execute_sql(stale)
    sorted_anew = listed_anew(monkeypatch)
    assert new_process_names(connection.path) == ["A", "b", "c"]
    assert len(sorted_anew) == 1
    assert new_process_names(connection.path) == ["A", "b", "c"]  # stored anew
    assert len(sorted_anew) == 1


def test_a_read_only_library_lists_its_tags_without_storing_them(connection, monkeypatch):
    with connection.writing() as db:
        add(db, Tag("b"), Tag("A"))
    new_process_names(connection.path)
    with connection.writing() as db:
        tags.rename(db, "b", "0")  # the stored listing is out of date
        stored = db.execute_sql("SELECT * FROM tag_listing").fetchall()
    sorted_anew = listed_anew(monkeypatch)
    assert new_process_names(connection.path, read_only=True) == ["0", "A"]
    assert new_process_names(connection.path, read_only=True) == ["0", "A"]
    assert len(sorted_anew) == 2
    with connection.reading() as db:
        assert db.execute_sql("SELECT * FROM tag_listing").fetchall() == stored


def test_a_listing_made_inside_a_write_is_not_stored(connection):
    """Its new tags may yet be rolled back."""
    with connection.writing() as db:
        add(db, Tag("kept"))
        tags.names(db, connection.tag_listings)
    connection.store_tag_listing()
    with connection.reading() as db:
        assert db.execute_sql("SELECT count(*) FROM tag_listing").fetchone() == (0,)


def test_storing_the_listing_never_waits_for_another_programs_write(connection, other):
    """Only a cache: while another program writes (an import), the list is shown at once and
    the listing stored by a later read."""
    with connection.writing() as db:
        add(db, Tag("a"))
    with connection.reading() as db:
        tags.names(db, connection.tag_listings)
    with other.writing():
        started = time.monotonic()
        connection.store_tag_listing()
        assert time.monotonic() - started < 1
    with connection.reading() as db:
        assert db.execute_sql("SELECT count(*) FROM tag_listing").fetchone() == (0,)
    assert new_process_names(connection.path) == ["a"]
    with connection.reading() as db:
        assert db.execute_sql("SELECT count(*) FROM tag_listing").fetchone() == (1,)


def test_a_slice_of_the_counts_in_list_order_is_those_positions_alone():
    from refman.store.tags import _ByRank

    counts = _ByRank([10, 20, 30, 40], [3, 0, 2, 1], {2: 5})
    assert list(counts) == [40, 10, 25, 20]
    assert counts[1:3] == [10, 25] and counts[::-2] == [20, 10] and counts[-1] == 20
