"""The full-text index stays in step with every change the store makes, and can be repaired."""

import pytest

from refman.model import Creator, PartialDate, Reference, Tag
from refman.store import Store


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "library.sqlite")
    yield store
    store.close()


@pytest.fixture
def ids(store):
    refs = [
        Reference(
            title=f"Paper {n}",
            abstract="about zebrafish",
            container_title="Annals",
            date=PartialDate(2000 + n),
            creators=(Creator("Knowles", "C"),),
            tags=(Tag("Brain", "mesh"), Tag("to read")),
        )
        for n in range(3)
    ]
    return store.add_references(refs)


CHANGES = {
    "add one": lambda s, ids: s.add_reference(Reference(title="Late arrival")),
    "edit title": lambda s, ids: s.update_fields(ids[0], {"title": "Renamed"}),
    "edit creators": lambda s, ids: s.update_fields(ids[0], {"creators": (Creator("Raval"),)}),
    "edit journal": lambda s, ids: s.update_fields(ids[0], {"container_title_short": "Ann"}),
    "edit date": lambda s, ids: s.update_fields(ids[0], {"date": PartialDate(1990)}),
    "add tags": lambda s, ids: s.add_tags(ids[:2], [Tag("new tag")]),
    "colour a new tag": lambda s, ids: s.set_tag_color("fresh tag", "#ff0000"),
    "remove tags": lambda s, ids: s.remove_tags(ids[1:], ["Brain"]),
    "rename tag": lambda s, ids: s.rename_tag("Brain", "Cerebrum"),
    "merge tag": lambda s, ids: s.rename_tag("Brain", "to read"),
    "delete tag": lambda s, ids: s.delete_tag("to read"),
    "add note": lambda s, ids: s.add_note(ids[0], "<p>organoids</p>"),
    "edit note": lambda s, ids: s.update_note(s.add_note(ids[0], "a").id, "<p>b</p>"),
    "delete note": lambda s, ids: s.delete_note(s.add_note(ids[0], "gone").id),
    "trash": lambda s, ids: s.set_trashed(ids[:1], True),
    "delete items": lambda s, ids: s.delete_items(ids[1:]),
    "collections": lambda s, ids: s.add_to_collection(ids, s.create_collection("C").id),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_index_is_in_step_after_each_kind_of_change(store, ids, change):
    CHANGES[change](store, ids)
    assert store.check_fts() == []


def test_search_sees_each_change(store, ids):
    store.update_fields(ids[0], {"title": "Organoids"})
    assert store.search_ids("organoids") == [ids[0]]
    store.rename_tag("Brain", "Cerebrum")
    assert store.search_ids("cerebrum") == ids
    store.add_note(ids[1], "<p>gastruloid</p>")
    assert store.search_ids("gastruloid") == [ids[1]]
    store.update_fields(ids[2], {"creators": (Creator("Raval", "M"),)})
    assert store.search_ids("raval") == [ids[2]]
    assert store.search_ids("knowles") == ids[:2]


def test_check_finds_stale_missing_and_stray_rows(store, ids):
    note = store.add_note(ids[0], "<p>organoid</p>")
    db = store._db  # damage the index behind the store's back
    db.execute_sql("UPDATE item_fts SET title = 'stale' WHERE rowid = ?", (ids[0],))
    db.execute_sql("INSERT INTO item_fts (rowid, title) VALUES (999, 'ghost')")
    db.execute_sql("DELETE FROM tag_fts WHERE name = 'Brain'")
    db.execute_sql("UPDATE note_fts SET text = 'other' WHERE rowid = ?", (note.id,))
    tag_id = db.execute_sql("SELECT id FROM tag WHERE name = 'Brain'").fetchone()[0]
    assert store.check_fts() == [
        f"item {ids[0]} has out-of-date text in item_fts",
        "item_fts has a row for item 999, which does not exist",
        f"tag {tag_id} is missing from tag_fts",
        f"note {note.id} has out-of-date text in note_fts",
    ]
    store.rebuild_fts()
    assert store.check_fts() == []
    assert store.search_ids("paper brain organoid") == [ids[0]]
    assert store.search_ids("ghost") == []


@pytest.mark.parametrize("table", ["item_fts", "tag_fts", "note_fts"])
def test_check_finds_a_damaged_index_and_rebuild_heals_it(store, ids, table):
    store.add_note(ids[0], "<p>organoid</p>")
    store._db.execute_sql(f"DELETE FROM {table}_data WHERE id > 1")  # FTS5's own b-tree
    assert any(problem.startswith(f"{table} is damaged") for problem in store.check_fts())
    store.rebuild_fts()
    assert store.check_fts() == []
    assert store.search_ids("zebrafish brain organoid") == [ids[0]]


def test_rebuild_makes_the_tables_the_migrations_make(store, ids):
    def fts_sql():
        query = "SELECT name, sql FROM sqlite_master WHERE name LIKE '%fts' ORDER BY name"
        return [(name, "".join(sql.split())) for name, sql in store._db.execute_sql(query)]

    created = fts_sql()
    assert [name for name, _ in created] == ["item_fts", "note_fts", "tag_fts"]
    store.rebuild_fts()
    assert fts_sql() == created
    store.rename_tag("Brain", "Cerebrum")  # the triggers work on the new tables
    assert store.search_ids("cerebrum") == ids
    assert store.check_fts() == []


def test_words_may_match_in_fields_tags_or_notes(store, ids):
    store.add_note(ids[2], "<p>organoid culture</p>")
    assert store.search_ids("knowles brain zebrafish") == ids  # creator, tag, abstract
    assert store.search_ids("organoid knowles") == [ids[2]]  # note and creator
    assert store.search_ids("organoid nothing") == []


def test_deleting_items_takes_their_notes_out_of_the_index(store, ids):
    store.add_note(ids[0], "<p>organoid</p>")
    store.delete_items([ids[0]])
    assert store._db.execute_sql("SELECT count(*) FROM note_fts").fetchone()[0] == 0
    assert store.check_fts() == []
