"""refman.store.items: round trip, bulk add, reading in order, edits, trash, delete,
duplicate look-up, the item table's rows."""

import json
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refman.model import (
    EDITOR,
    ITEM_TYPES,
    Creator,
    Issn,
    MeshQualifier,
    MissingItemError,
    PartialDate,
    Reference,
    Tag,
    ViewQuery,
)
from refman.store import collection_tree, items, maintenance, notes, search, tags
from refman.store.record_dictionary import DICTIONARY
from tests.samples import RICH
from tests.unit.store.helpers import index_problems


def stored(ref: Reference) -> Reference:
    """What the store adds to a reference: forget it to compare with the original."""
    return ref.with_changes(id=None, date_added=None, date_modified=None)


def test_a_rich_reference_comes_back_equal(db):
    item_id = items.insert(db, [RICH])[0]
    back = items.load(db, [item_id])[0]
    assert stored(back) == RICH
    assert back.id == item_id
    assert back.date_added == back.date_modified
    assert abs(back.date_added - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_tag_named_twice_in_one_record_is_linked_once_first_kept(db):
    heading = Tag("COVID-19", "mesh", True)
    ref = Reference(tags=(heading, Tag("Lung"), Tag("COVID-19", "keyword")))
    assert items.load(db, items.insert(db, [ref]))[0].tags == (heading, Tag("Lung"))


def test_an_empty_reference_comes_back_equal(db):
    assert stored(items.load(db, items.insert(db, [Reference()]))[0]) == Reference()


def test_trashed_flag_and_given_dates_are_kept(db):
    added = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    ref = Reference(title="Old", trashed=True, date_added=added, date_modified=added)
    back = items.load(db, items.insert(db, [ref]))[0]
    assert back.trashed and back.date_added == added and back.date_modified == added


def test_bulk_add_returns_ids_in_order_and_reads_back_in_any_order(db):
    refs = [RICH.with_changes(title=f"Paper {n}", pmid=str(n)) for n in range(1200)]
    ids = items.insert(db, refs)
    assert len(set(ids)) == 1200 and items.count(db, trashed=False) == 1200
    assert [stored(r) for r in items.load(db, ids)] == refs
    backwards = list(reversed(ids))
    assert [r.title for r in items.load(db, backwards)] == [r.title for r in reversed(refs)]
    assert items.all_ids(db) == sorted(ids)
    assert items.insert(db, []) == []


def test_without_tag_details_tags_are_their_names_in_order_and_the_rest_is_whole(db):
    first, second = items.insert(db, [RICH, RICH.with_changes(pmid="1", tags=RICH.tags[1:])])
    light = items.load(db, [first, second], source_records=False, tag_details=False)
    assert [ref.tags for ref in light] == [
        tuple(Tag(tag.name) for tag in RICH.tags),
        tuple(Tag(tag.name) for tag in RICH.tags[1:]),
    ]
    full = items.load(db, [first, second], source_records=False)
    assert [ref.with_changes(tags=()) for ref in light] == [
        ref.with_changes(tags=()) for ref in full
    ]


def test_unknown_ids_are_missing_items_named_in_the_message(db):
    item_id = items.insert(db, [RICH])[0]
    with pytest.raises(MissingItemError, match=f"^There is no item with id {item_id + 1}.$"):
        items.load(db, [item_id + 1])
    with pytest.raises(MissingItemError, match=f"^There is no item with id {item_id + 1}.$"):
        items.load(db, [item_id, item_id + 1])


def test_update_changes_fields_creators_and_date_modified(db):
    old = datetime(2020, 1, 1, tzinfo=UTC)
    item_id = items.insert(db, [RICH.with_changes(date_added=old, date_modified=old)])[0]
    creators = (Creator("Raval", "M"), Creator(literal="Group"))
    changed = items.update(
        db, item_id, {"title": "New title", "date": PartialDate(2024, 2), "creators": creators}
    )
    assert changed is True
    back = items.load(db, [item_id])[0]
    assert (back.title, back.date, back.creators) == ("New title", PartialDate(2024, 2), creators)
    assert back.date_added == old and back.date_modified > old
    assert stored(back) == RICH.with_changes(
        title="New title", date=PartialDate(2024, 2), creators=creators
    )


def test_update_with_the_same_values_leaves_date_modified(db):
    old = datetime(2020, 1, 1, tzinfo=UTC)
    item_id = items.insert(db, [RICH.with_changes(date_added=old, date_modified=old)])[0]
    assert items.update(db, item_id, {"title": RICH.title}) is False
    assert items.load(db, [item_id])[0].date_modified == old


def test_update_refuses_fields_that_are_not_editable_and_unknown_items(db):
    item_id = items.insert(db, [RICH])[0]
    with pytest.raises(ValueError, match="tags"):
        items.update(db, item_id, {"tags": ()})
    with pytest.raises(MissingItemError, match=f"^There is no item with id {item_id + 1}.$"):
        items.update(db, item_id + 1, {"title": "x"})
    assert stored(items.load(db, [item_id])[0]) == RICH


def test_trash_moves_items_between_library_and_trash(db):
    ids = items.insert(db, [Reference(title=f"T{n}") for n in range(3)])
    items.set_trashed(db, ids[:2], True)
    assert items.count(db, trashed=False) == 1 and items.count(db, trashed=True) == 2
    assert items.load(db, [ids[0]])[0].trashed
    items.set_trashed(db, ids[:1], False)
    assert items.count(db, trashed=False) == 2


def test_delete_removes_items_with_their_children_and_unused_tags(connection, db):
    keep, gone = items.insert(db, [Reference(title="Keep"), RICH])
    notes.add(db, gone, "<p>note</p>")
    collection = collection_tree.create(db, "C", None)
    collection_tree.add_items(db, [keep, gone], collection.id)
    items.delete(db, [gone])
    assert items.all_ids(db) == [keep]
    in_collection = ViewQuery(collection=collection.id)
    assert search.search_ids(db, in_collection, sort="title", descending=False) == [keep]
    assert tags.names(db, connection.tag_listings) == []
    assert maintenance.integrity_problems(db) == []
    assert index_problems(db) == []
    counts = {
        table: db.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("creator", "item_tag", "note", "source_record", "item_abstract")
    }
    assert set(counts.values()) == {0}


# --- duplicates -------------------------------------------------------------------------------


def test_duplicate_by_pmid_first(db):
    by_pmid = items.insert(db, [Reference(title="A", pmid="111")])[0]
    items.insert(db, [Reference(title="B", doi="10.1/x")])
    assert items.find_duplicate(db, Reference(title="B", doi="10.1/x", pmid="111")) == by_pmid


def test_duplicate_by_doi_ignores_case_and_resolver_prefix(db):
    item_id = items.insert(db, [Reference(title="A", doi="10.1097/SLA.0000000000005894")])[0]
    for doi in ("10.1097/sla.0000000000005894", "https://doi.org/10.1097/SLA.0000000000005894"):
        assert items.find_duplicate(db, Reference(title="Other", doi=doi)) == item_id


def test_duplicate_by_title_year_and_first_author(db):
    original = Reference(
        title="[Efficacy of ÉTUDE: a trial].",
        date=PartialDate(2023),
        creators=(Creator("Müller", "K"),),
    )
    (item_id,) = items.insert(db, [original])
    same = Reference(
        title="Efficacy of etude -- a  trial", date=PartialDate(2023), creators=(Creator("Muller"),)
    )
    assert items.find_duplicate(db, same) == item_id
    assert items.find_duplicate(db, same.with_changes(date=PartialDate(2022))) is None
    assert items.find_duplicate(db, same.with_changes(creators=(Creator("Other"),))) is None


def test_trashed_items_still_count_as_duplicates(db):
    item_id = items.insert(db, [Reference(title="A", pmid="5")])[0]
    items.set_trashed(db, [item_id], True)
    assert items.find_duplicate(db, Reference(pmid="5")) == item_id


def test_live_copies_are_found_before_trashed_ones(db):
    trashed = items.insert(db, [Reference(title="A", pmid="5")])[0]
    live = items.insert(db, [Reference(title="A copy", pmid="5")])[0]
    items.set_trashed(db, [trashed], True)
    assert items.find_duplicate(db, Reference(pmid="5")) == live
    assert items.find_duplicates(db, [Reference(pmid="5")]) == [live]


def test_duplicates_looked_up_together_match_one_by_one(db):
    by_pmid, by_doi, by_title = items.insert(
        db,
        [
            Reference(title="A", pmid="111"),
            Reference(title="B", doi="10.1/X"),
            Reference(
                title="One trial's outcome", date=PartialDate(2020), creators=(Creator("Lee"),)
            ),
        ],
    )
    items.set_trashed(db, [by_doi], True)
    wanted = [
        Reference(title="B", doi="10.1/x", pmid="111"),
        Reference(title="Other", doi="https://doi.org/10.1/x"),
        Reference(title="One trial's outcome.", date=PartialDate(2020), creators=(Creator("Lee"),)),
        Reference(title="Unknown", pmid="999"),
        Reference(),
    ]
    expected = [by_pmid, by_doi, by_title, None, None]
    assert [items.find_duplicate(db, ref) for ref in wanted] == expected
    assert items.find_duplicates(db, wanted) == expected


def test_text_with_nul_characters_is_tagged_and_matched(db):
    # Found by hypothesis: names and keys must be compared whole, NUL and all.
    (item_id,) = items.insert(db, [Reference(title="A", doi="10.1/a\x00b", tags=(Tag("\x00"),))])
    assert [t.name for t in items.load(db, [item_id])[0].tags] == ["\x00"]
    found = items.find_duplicates(db, [Reference(doi="10.1/A\x00b"), Reference(doi="10.1/a")])
    assert found == [item_id, None]


def test_untitled_items_without_ids_are_not_duplicates(db):
    items.insert(db, [Reference()])
    assert items.find_duplicate(db, Reference()) is None


# --- rows for the item table ------------------------------------------------------------------


def test_rows_give_display_strings(db):
    one, two, many, bare = items.insert(
        db,
        [
            RICH.with_changes(creators=(Creator("Knowles", "C"),)),
            RICH.with_changes(creators=(Creator("Knowles", "C"), Creator("Canestrari", "E"))),
            RICH,
            Reference(container_title_short="Ann Surg", creators=(Creator("Ed", role=EDITOR),)),
        ],
    )
    columns = ["creators", "year", "journal", "title"]
    rows = items.rows(db, [one, two, many, bare], columns)
    assert rows[one][:3] == ("Knowles", "2023", "Annals of surgery")
    assert rows[two][0] == "Knowles and Canestrari"
    assert rows[many][0] == "Knowles et al."
    assert rows[bare] == ("Ed (ed.)", "", "Ann Surg", "")  # editors alone are marked


def test_rows_give_every_sort_column_and_iso_dates(db):
    item_id = items.insert(db, [RICH])[0]
    columns = [
        "title",
        "creators",
        "year",
        "journal",
        "date_added",
        "date_modified",
        "item_type",
        "doi",
        "pmid",
        "volume",
        "pages",
    ]
    row = items.rows(db, [item_id], columns)[item_id]
    added = items.load(db, [item_id])[0].date_added
    assert row[4] == added.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert datetime.fromisoformat(row[5]) == added
    assert row[6:] == ("chapter", RICH.doi, "37144409", "278", "937-944")


def test_rows_leave_out_unknown_ids_and_refuse_unknown_columns(db):
    item_id = items.insert(db, [RICH])[0]
    assert list(items.rows(db, [item_id + 5, item_id], ["title"])) == [item_id]
    with pytest.raises(ValueError):
        items.rows(db, [item_id], ["colour"])


# Any text a file could hold once decoded: every character but lone surrogates.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
CREATORS = st.builds(
    Creator,
    family=TEXT,
    given=TEXT,
    literal=TEXT,
    role=st.sampled_from(["author", "editor"]),
    affiliations=st.lists(TEXT, max_size=2).map(tuple),
    ids=st.lists(TEXT, max_size=2).map(tuple),
)
TAGS = st.builds(
    Tag,
    name=TEXT,
    kind=st.sampled_from(["manual", "mesh", "keyword"]),
    major=st.booleans(),
    qualifiers=st.lists(st.builds(MeshQualifier, TEXT, st.booleans()), max_size=2).map(tuple),
)
REFERENCES = st.builds(
    Reference,
    item_type=st.sampled_from(ITEM_TYPES),
    title=TEXT,
    abstract=TEXT,
    container_title=TEXT,
    pages=TEXT,
    doi=TEXT,
    pmid=TEXT,
    date=st.builds(
        PartialDate,
        year=st.none() | st.integers(-9999, 99999),
        month=st.none() | st.integers(1, 12),
        day=st.none() | st.integers(1, 31),
        text=TEXT,
        season=TEXT,
    ),
    issns=st.lists(st.builds(Issn, TEXT, TEXT), max_size=3).map(tuple),
    creators=st.lists(CREATORS, max_size=3).map(tuple),
    tags=st.lists(TAGS, max_size=4, unique_by=lambda t: t.name).map(tuple),
    publication_types=st.lists(TEXT, max_size=2).map(tuple),
    source_record=st.lists(st.tuples(TEXT, TEXT), max_size=4).map(tuple),
    trashed=st.booleans(),
)


def test_any_reference_comes_back_equal_and_indexed(db):
    @settings(max_examples=150, deadline=None)
    @given(ref=REFERENCES)
    def round_trip(ref):
        assert stored(items.load(db, items.insert(db, [ref]))[0]) == ref

    round_trip()
    assert index_problems(db) == []


def test_source_records_with_separator_characters_come_back_equal(db):
    record = (("TI", "a\x1fb"), ("AB", "c\x1ed"), ("X\x1f", ""), ("PMID", "1"))
    item_id = items.insert(db, [Reference(title="T", source_record=record)])[0]
    assert items.load(db, [item_id])[0].source_record == record


def test_source_records_stored_as_json_by_earlier_versions_are_read(db):
    record = (("PMID", "37144409"), ("TI", "Iltamiocel"), ("AB", "Ünïcode text"))
    item_id = items.insert(db, [Reference(title="T", source_record=record)])[0]
    old_layout = zlib.compress(json.dumps(record, ensure_ascii=False).encode("utf-8"), 1)
    db.execute_sql("UPDATE source_record SET pairs = ? WHERE item_id = ?", (old_layout, item_id))
    assert items.load(db, [item_id])[0].source_record == record


def test_the_source_record_keeps_its_abstract_once_and_the_original_after_an_edit(db):
    abstract = "Cardiomyocytes proliferate after injury. " * 10
    record = (("PMID", "1"), ("TI", "Hearts"), ("AB", abstract), ("FAU", "Knowles, Carla"))
    ref = Reference(title="Hearts", abstract=abstract, source_record=record)
    (item_id,) = items.insert(db, [ref])
    (blob,) = db.execute_sql("SELECT pairs FROM source_record").fetchone()
    unpacked = zlib.decompressobj(zdict=DICTIONARY).decompress(blob[blob.index(b":") + 1 :])
    assert b"Knowles" in unpacked and abstract.split()[0].encode() not in unpacked
    assert items.load(db, [item_id])[0].source_record == record
    items.update(db, item_id, {"abstract": "Edited in refman."})
    (edited,) = items.load(db, [item_id])
    assert (edited.abstract, edited.source_record) == ("Edited in refman.", record)
    items.update(db, item_id, {"abstract": ""})
    assert items.load(db, [item_id])[0].source_record == record


def test_the_source_record_keeps_its_affiliations_once_and_the_originals_after_an_edit(db):
    heart = "Heart Centre, University Hospital Schleswig-Holstein, Kiel, Germany."
    record = (("PMID", "1"), ("FAU", "Knowles, Carla"), ("AD", heart), ("AB", "Hearts."))
    creators = (Creator("Knowles", "Carla", affiliations=(heart,)),)
    ref = Reference(title="Hearts", abstract="Hearts.", creators=creators, source_record=record)
    (item_id,) = items.insert(db, [ref])
    (blob,) = db.execute_sql("SELECT pairs FROM source_record").fetchone()
    unpacked = zlib.decompressobj(zdict=DICTIONARY).decompress(blob[blob.index(b":") + 1 :])
    assert b"Knowles" in unpacked and b"Schleswig" not in unpacked
    assert items.load(db, [item_id])[0].source_record == record  # exports read it whole
    moved = (Creator("Knowles", "Carla", affiliations=("Zoology, Lund University, Sweden.",)),)
    items.update(db, item_id, {"creators": moved})
    (edited,) = items.load(db, [item_id])
    assert (edited.creators, edited.source_record) == (moved, record)  # as imported
    items.update(db, item_id, {"creators": (), "abstract": ""})
    assert items.load(db, [item_id])[0].source_record == record


def test_the_abstract_is_stored_packed_and_read_shown_and_searched_from_there(db):
    abstract = "Cardiomyocytes proliferate after injury in the zebrafish heart. " * 8
    (item_id,) = items.insert(db, [Reference(title="Hearts", abstract=abstract)])
    (stored,) = db.execute_sql("SELECT abstract FROM item_abstract").fetchone()
    assert isinstance(stored, bytes) and len(stored) < len(abstract) / 2
    assert items.load(db, [item_id])[0].abstract == abstract  # the detail pane, exports
    for text in ("cardiomyocytes", "proliferate[ab]", '"after injury"', '"zebrafish heart"[ab]'):
        assert searched(db, text) == [item_id], text
    assert searched(db, '"injury after"[ab]') == []  # a phrase, not just its words


def searched(db, text: str) -> list[int]:
    return search.search_ids(db, ViewQuery(text), sort="title", descending=False)


def test_a_damaged_packed_abstract_reads_empty_and_stops_nothing(db):
    ids = items.insert(db, [Reference(title="A", abstract="Lost words."), Reference(title="B")])
    db.execute_sql("UPDATE item_abstract SET abstract = ? WHERE item_id = ?", (b"x\x9cbad", ids[0]))
    assert [ref.title for ref in items.load(db, ids)] == ["A", "B"]
    assert items.load(db, ids)[0].abstract == ""


def test_an_affiliation_is_stored_once_however_many_creators_give_it(db):
    heart, lund = "Heart Centre, Kiel, Germany.", "Zoology, Lund, Sweden."
    refs = [
        Reference(
            title="A",
            creators=(
                Creator("Knowles", "C", affiliations=(heart, lund)),
                Creator("Raval", "M", affiliations=(heart,)),
            ),
        ),
        Reference(title="B", creators=(Creator("Ünal", "Ö", affiliations=(heart,)),)),
    ]
    ids = items.insert(db, refs)
    assert [ref.creators for ref in items.load(db, ids)] == [ref.creators for ref in refs]
    assert db.execute_sql("SELECT COUNT(*) FROM affiliation").fetchone() == (2,)
    stored = [value for (value,) in db.execute_sql("SELECT affiliations FROM creator")]
    assert not any("Kiel" in value for value in stored)  # ids, not the text again
    assert searched(db, "kiel[ad]") == ids
    moved = (Creator("Knowles", "C", affiliations=("Zoology, Oslo, Norway.",)),)
    items.update(db, ids[0], {"creators": moved})
    assert items.load(db, ids)[0].creators == moved
    assert (searched(db, "kiel[ad]"), searched(db, "oslo[ad]")) == ([ids[1]], [ids[0]])
