"""refman.store.fts: the full-text index stays in step with every change the store makes, is
checked against the tables, and can be rebuilt."""

import pytest

from refman.model import Creator, PartialDate, Reference, Tag, ViewQuery
from refman.store import collection_tree, fts, items, notes, search, tags
from tests.unit.store.helpers import index_problems


def found(db, text: str) -> list[int]:
    return search.search_ids(db, ViewQuery(text), sort="title", descending=False)


PAPERS = [
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


@pytest.fixture
def ids(db):
    return items.insert(db, PAPERS)


CHANGES = {
    "add one": lambda db, ids: items.insert(db, [Reference(title="Late arrival")]),
    "edit title": lambda db, ids: items.update(db, ids[0], {"title": "Renamed"}),
    "edit creators": lambda db, ids: items.update(db, ids[0], {"creators": (Creator("Raval"),)}),
    "edit journal": lambda db, ids: items.update(db, ids[0], {"container_title_short": "Ann"}),
    "edit date": lambda db, ids: items.update(db, ids[0], {"date": PartialDate(1990)}),
    "add tags": lambda db, ids: items.tag(db, ids[:2], [Tag("new tag")]),
    "colour a new tag": lambda db, ids: tags.set_color(db, "fresh tag", "#ff0000"),
    "remove tags": lambda db, ids: items.untag(db, ids[1:], ["Brain"]),
    "rename tag": lambda db, ids: tags.rename(db, "Brain", "Cerebrum"),
    "merge tag": lambda db, ids: tags.rename(db, "Brain", "to read"),
    "delete tag": lambda db, ids: tags.delete(db, "to read"),
    "add note": lambda db, ids: notes.add(db, ids[0], "<p>organoids</p>"),
    "edit note": lambda db, ids: notes.update(db, notes.add(db, ids[0], "a").id, "<p>b</p>"),
    "delete note": lambda db, ids: notes.delete(db, notes.add(db, ids[0], "gone").id),
    "trash": lambda db, ids: items.set_trashed(db, ids[:1], True),
    "delete items": lambda db, ids: items.delete(db, ids[1:]),
    "collections": lambda db, ids: collection_tree.add_items(
        db, ids, collection_tree.create(db, "C", None).id
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_index_is_in_step_after_each_kind_of_change(connection, change):
    # A transaction each, as the library makes them: the check reads what was committed.
    with connection.writing() as db:
        ids = items.insert(db, PAPERS)
    with connection.writing() as db:
        CHANGES[change](db, ids)
    with connection.writing() as db:  # FTS5's own check needs the write lock
        assert index_problems(db) == []


def test_search_sees_each_change(db, ids):
    items.update(db, ids[0], {"title": "Organoids"})
    assert found(db, "organoids") == [ids[0]]
    tags.rename(db, "Brain", "Cerebrum")
    assert found(db, "cerebrum") == ids
    notes.add(db, ids[1], "<p>gastruloid</p>")
    assert found(db, "gastruloid") == [ids[1]]
    items.update(db, ids[2], {"creators": (Creator("Raval", "M"),)})
    assert found(db, "raval") == [ids[2]]
    assert found(db, "knowles") == ids[:2]


def test_check_finds_stale_missing_and_stray_rows(db, ids):
    note = notes.add(db, ids[0], "<p>organoid</p>")
    # Damage the index behind the store's back.
    db.execute_sql("UPDATE item_fts SET title = 'stale' WHERE rowid = ?", (ids[0],))
    db.execute_sql("INSERT INTO item_fts (rowid, title) VALUES (999, 'ghost')")
    db.execute_sql("DELETE FROM tag_fts WHERE name = 'Brain'")
    db.execute_sql("UPDATE note_fts SET text = 'other' WHERE rowid = ?", (note.id,))
    tag_id = db.execute_sql("SELECT id FROM tag WHERE name = 'Brain'").fetchone()[0]
    # Stale words in item_fts (which reads its text from the items) are found by the check
    # that needs the write lock, after those that read the tables.
    assert index_problems(db) == [
        "item_fts has a row for item 999, which does not exist",
        f"tag {tag_id} is missing from tag_fts",
        f"note {note.id} has out-of-date text in note_fts",
        f"item {ids[0]} has out-of-date text in item_fts",
    ]
    fts.rebuild(db)
    assert index_problems(db) == []
    assert found(db, "paper brain organoid") == [ids[0]]
    assert found(db, "ghost") == []


@pytest.mark.parametrize("table", ["item_fts", "tag_fts", "note_fts"])
def test_check_finds_a_damaged_index_and_rebuild_heals_it(connection, table):
    # Committed first: until then FTS5 holds a transaction's new words in memory.
    with connection.writing() as db:
        ids = items.insert(db, PAPERS)
        notes.add(db, ids[0], "<p>organoid</p>")
    with connection.writing() as db:
        db.execute_sql(f"DELETE FROM {table}_data WHERE id > 1")  # FTS5's own b-tree
    with connection.repairing() as db:
        assert any(problem.startswith(f"{table} is damaged") for problem in index_problems(db))
        fts.rebuild(db)
        assert index_problems(db) == []
        assert found(db, "zebrafish brain organoid") == [ids[0]]


def test_rebuild_makes_the_tables_the_migrations_make(db, ids):
    def fts_sql():
        # attachment_fts is not rebuilt here but from the files (library.attachments)
        query = (
            "SELECT name, sql FROM sqlite_master WHERE name LIKE '%fts'"
            " AND name != 'attachment_fts' ORDER BY name"
        )
        return [(name, "".join(sql.split())) for name, sql in db.execute_sql(query)]

    created = fts_sql()
    assert [name for name, _ in created] == ["item_fts", "note_fts", "tag_fts"]
    fts.rebuild(db)
    assert fts_sql() == created
    tags.rename(db, "Brain", "Cerebrum")  # the triggers work on the new tables
    assert found(db, "cerebrum") == ids
    assert index_problems(db) == []


def index_buffers(db) -> list[tuple]:
    return [
        db.execute_sql(f"SELECT v FROM {table.name}_config WHERE k = 'hashsize'").fetchone()
        for table in fts.TABLES
    ]


def test_the_index_writes_through_a_large_buffer_also_after_a_rebuild(db):
    expected = [(fts.WRITE_BUFFER_BYTES,)] * len(fts.TABLES)
    assert index_buffers(db) == expected
    fts.rebuild(db)
    assert index_buffers(db) == expected


def test_words_may_match_in_fields_tags_or_notes(db, ids):
    notes.add(db, ids[2], "<p>organoid culture</p>")
    assert found(db, "knowles brain zebrafish") == ids  # creator, tag, abstract
    assert found(db, "organoid knowles") == [ids[2]]  # note and creator
    assert found(db, "organoid nothing") == []


def test_deleting_items_takes_their_notes_out_of_the_index(db, ids):
    notes.add(db, ids[0], "<p>organoid</p>")
    items.delete(db, [ids[0]])
    assert db.execute_sql("SELECT count(*) FROM note_fts").fetchone()[0] == 0
    assert index_problems(db) == []


def test_the_item_index_keeps_no_copy_and_finds_text_changed_behind_it(db, ids):
    tables = {name for (name,) in db.execute_sql("SELECT name FROM sqlite_master")}
    assert "item_fts_content" not in tables  # the words are read from the items
    # Another tool changes a title past the store: the index still holds the old words.
    db.execute_sql("UPDATE item SET title = 'Gastruloids' WHERE id = ?", (ids[1],))
    assert index_problems(db) == [f"item {ids[1]} has out-of-date text in item_fts"]
    fts.rebuild(db)
    assert index_problems(db) == []
    assert found(db, "gastruloids") == [ids[1]]
    assert found(db, "paper") == [ids[0], ids[2]]
