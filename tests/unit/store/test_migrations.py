"""refman.store.migrations: schema versions, the steps that reach the latest, and files that
this refman must not use (newer, another program's, one that needs upgrading read-only)."""

import json
import sqlite3
import zlib
from contextlib import closing

import pytest

from refman.model import (
    Creator,
    LibraryError,
    MeshQualifier,
    PartialDate,
    Reference,
    Tag,
    ViewQuery,
)
from refman.store import (
    batches,
    duplicate_groups,
    field_index,
    fts,
    items,
    mapping,
    migrations,
    search,
    tags,
)
from refman.store.connection import Connection, steps_pending
from refman.store.duplicates import SAME_TITLE, DuplicateKeys
from refman.store.record_dictionary import DICTIONARY


def tag_counts(connection) -> dict[str, tuple]:
    with connection.reading() as db:
        found = tags.counts(db, connection.tag_listings, ViewQuery())
    return {t.name: (t.count, t.automatic) for t in found}


def test_a_version_0_file_is_migrated_to_the_current_schema(path):
    with sqlite3.connect(path) as db:  # an empty SQLite file, as another tool might leave it
        db.execute("PRAGMA user_version = 0")
    with closing(Connection(path)) as connection, connection.writing() as db:
        assert migrations.schema_version(db) == migrations.latest_version()
        (item_id,) = items.insert(db, [Reference(title="After migration", tags=(Tag("x"),))])
        view = ViewQuery("migration")
        assert search.search_ids(db, view, sort="title", descending=False) == [item_id]


def test_the_steps_sort_in_files_and_the_library_then_in_memory_again(path, monkeypatch):
    """A step that makes an index anew over a million items held 1.3 GB with its sorts in
    memory; the steps sort in temporary files, and the connection goes back to memory."""
    Connection(path).close()
    seen: list[int] = []

    def make_an_index(db):
        seen.append(db.execute_sql("PRAGMA temp_store").fetchone()[0])
        db.execute_sql("CREATE INDEX item_by_title_again ON item (title)")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, make_an_index])
    with closing(Connection(path)) as connection, connection.reading() as db:
        assert seen == [1]  # FILE
        assert db.execute_sql("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY


def test_an_older_library_runs_only_the_missing_steps_and_keeps_its_data(path, monkeypatch):
    with closing(Connection(path)) as connection, connection.writing() as db:
        (item_id,) = items.insert(db, [Reference(title="Old item")])

    def add_reading_list(db):
        db.execute_sql("CREATE TABLE reading_list (item_id INTEGER REFERENCES item (id))")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, add_reading_list])
    with closing(Connection(path)) as connection, connection.reading() as db:
        assert migrations.schema_version(db) == len(migrations.MIGRATIONS)
        assert items.load(db, [item_id])[0].title == "Old item"
        tables = [r[0] for r in db.execute_sql("SELECT name FROM sqlite_master")]
        assert "reading_list" in tables


def fts_rows_only(db, last_id):
    """New tags as schema 2 made them: indexed, without a tag_total row."""
    sql = "INSERT INTO tag_fts (rowid, name) SELECT id, name FROM tag WHERE id > ?"
    db.execute_sql(sql, (last_id,))


def test_a_version_2_library_gets_its_tag_counts_and_the_tables_of_a_new_one(
    path, tmp_path, monkeypatch
):
    with monkeypatch.context() as patch:  # the program as it was: no tag_total to keep
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:2])
        patch.setattr(tags, "add_to_totals", lambda *args: None)
        patch.setattr(tags, "_start_new_tags", fts_rows_only)
        with closing(Connection(path)) as connection, connection.writing() as db:
            items.insert(db, [Reference(title="a", tags=(Tag("Brain", "mesh"), Tag("x")))])
            (x_only,) = items.insert(db, [Reference(title="b", tags=(Tag("x"),))])
    with closing(Connection(path)) as old, closing(Connection(tmp_path / "new.sqlite")) as new:
        with old.reading() as db:
            assert migrations.schema_version(db) == migrations.latest_version()
        assert tag_counts(old) == {"Brain": (1, True), "x": (2, False)}
        with old.writing() as db:
            items.tag(db, [x_only], [Tag("Brain")])
        assert tag_counts(old) == {"Brain": (2, False), "x": (2, False)}
        schema = (
            "SELECT type, name, tbl_name, sql FROM sqlite_master"
            " WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
        )
        assert old.db.execute_sql(schema).fetchall() == new.db.execute_sql(schema).fetchall()


def test_a_failing_migration_leaves_the_file_at_its_old_version(path, monkeypatch):
    Connection(path).close()
    old_version = migrations.latest_version()

    def broken(db):
        db.execute_sql("CREATE TABLE half_done (x)")
        raise RuntimeError("bug in a migration")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, broken])
    with pytest.raises(RuntimeError):
        Connection(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == old_version
        half_done = "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'"
        assert db.execute(half_done).fetchone()[0] == 0


def test_a_newer_library_is_refused_with_both_versions(path):
    Connection(path).close()
    newer = migrations.latest_version() + 1
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {newer}")
    with pytest.raises(LibraryError) as error:
        Connection(path)
    assert str(error.value).startswith(
        f"This library was made by a newer version of refman (schema {newer}); "
        f"this version reads up to {migrations.latest_version()}. "
    )


def test_another_programs_database_is_not_taken_over(path):
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    with pytest.raises(LibraryError, match="not a refman library"):
        Connection(path)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 1


def test_a_database_that_uses_user_version_too_is_not_taken_for_a_library(path):
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE item (id INTEGER PRIMARY KEY)")
        db.execute("PRAGMA user_version = 2")
    with pytest.raises(LibraryError, match="is a SQLite database but not a refman library"):
        Connection(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # not made WAL


def test_read_only_cannot_open_a_library_that_needs_migrating(path, monkeypatch):
    Connection(path).close()
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, lambda db: None])
    with pytest.raises(LibraryError, match="upgraded"):
        Connection(path, read_only=True)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(migrations.MIGRATIONS) - 1


def old_summary(ref: Reference) -> str:
    """The creator summary as versions before 5 stored it: editors not marked."""
    names = [c.literal or c.family for c in mapping.primary_creators(ref)]
    return f"{names[0]} et al." if len(names) > 2 else " and ".join(names)


def test_a_version_4_library_marks_the_editors_in_its_creator_summaries(path, monkeypatch):
    book = Reference(
        title="GeneReviews",
        creators=(Creator("Adam", role="editor"), Creator("Feldman", role="editor")),
    )
    handbook = Reference(title="Handbook", creators=(Creator("Mirzaa", role="editor"),))
    chapter = Reference(
        title="A chapter", creators=(Creator("Bennett", role="editor"), Creator("Ishikawa"))
    )
    with monkeypatch.context() as patch:  # the program as it was at version 4
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:4])
        patch.setattr(mapping, "creator_summary", old_summary)
        patch.setattr(mapping, "stored_role", lambda role: role)  # "author" written then
        with closing(Connection(path)) as connection, connection.writing() as db:
            ids = items.insert(db, [book, handbook, chapter, Reference(title="Nobody")])
            assert items.rows(db, ids, ["creators"])[ids[0]] == ("Adam and Feldman",)
    with closing(Connection(path)) as connection, connection.reading() as db:
        assert migrations.schema_version(db) == migrations.latest_version()
        found = items.rows(db, ids, ["creators"])
        assert [found[item_id][0] for item_id in ids] == [
            "Adam and Feldman (eds.)",
            "Mirzaa (ed.)",
            "Ishikawa",
            "",
        ]
        # What the migration wrote is what the store writes for the same items today.
        assert [mapping.creator_summary(r) for r in (book, handbook, chapter)] == [
            "Adam and Feldman (eds.)",
            "Mirzaa (ed.)",
            "Ishikawa",
        ]


ITEM_TEXT_PAPERS = [
    Reference(
        title="Zebrafish heart regeneration",
        abstract="Cardiomyocytes proliferate after injury.",
        container_title="Developmental Biology",
        container_title_short="Dev Biol",
        date=PartialDate(2019),
        creators=(Creator("Knowles", "Carla"), Creator(literal="WHO Study Group")),
        tags=(Tag("Heart", "mesh"),),
    ),
    Reference(title="Axolotl limbs", creators=(Creator("Raval", "M"),), date=PartialDate(2021)),
    Reference(title="No words but these"),
]
ITEM_TEXT_QUERIES = [
    "zebrafish",
    "cardiomyocytes",
    "knowles",
    "who study",
    "dev biol",
    "2021",
    "axolotl[ti]",
    "knowles c[au]",
    "proliferate[tiab]",
    "developmental biology[ta]",
]


def plain_abstract(text: str) -> str:
    """How abstracts were stored before the step that packs them."""
    return text


def searched(db, queries) -> dict[str, list[int]]:
    return {
        text: search.search_ids(db, ViewQuery(text), sort="title", descending=False)
        for text in queries
    }


def test_the_item_index_step_keeps_every_search_and_drops_the_indexs_own_copy(path, monkeypatch):
    step = migrations.MIGRATIONS.index(migrations._index_items_over_stored_text)
    with monkeypatch.context() as patch:  # refman as it was: the index kept its own copy
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:step])
        patch.setattr(mapping, "pack_abstract", plain_abstract)  # abstracts stored plain
        with closing(Connection(path)) as old, old.writing() as db:
            ids = items.insert(db, ITEM_TEXT_PAPERS)
            assert "item_fts_content" in table_names(db)
            before = searched(db, ITEM_TEXT_QUERIES)
            loaded = items.load(db, ids)
    assert all(before.values()), before  # every query finds something
    with closing(Connection(path)) as upgraded, upgraded.writing() as db:
        assert migrations.schema_version(db) == migrations.latest_version()
        assert "item_fts_content" not in table_names(db)
        assert searched(db, ITEM_TEXT_QUERIES) == before
        assert items.load(db, ids) == loaded  # what exports and the detail pane read
        assert fts.differences(db) + fts.self_check(db) == []
        items.update(db, ids[0], {"title": "Medaka fins"})  # kept in step from here on
        assert searched(db, ["zebrafish", "medaka"]) == {"zebrafish": [], "medaka": [ids[0]]}
    with closing(Connection(path)) as again, again.writing() as db:  # a second run: no change
        migrations._index_items_over_stored_text(db)
        assert fts.differences(db) + fts.self_check(db) == []


def test_the_view_the_item_index_reads_is_the_query_the_store_indexes_with(path):
    with closing(Connection(path)) as connection, connection.reading() as db:
        (sql,) = db.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'item_text'").fetchone()
    expected = "CREATE VIEW item_text AS " + fts.ITEM_TEXT_SELECT.format(where="")
    assert sql.split() == expected.split()


def table_names(db) -> set[str]:
    return {name for (name,) in db.execute_sql("SELECT name FROM sqlite_master")}


PACKED_QUERIES = [
    "cardiomyocytes",  # a plain word of an abstract
    "proliferate[ab]",
    "proliferate[tiab]",
    '"proliferate after injury"',  # a phrase of it
    '"after injury"[ab]',
    "zebrafish",
    "kiel[ad]",
    "heart centre[ad]",
]
SUBHEADING_QUERIES = ["physiology[sh]", "surg*[sh]"]  # searched differently before the step
HEART = "Heart Centre, Kiel, Germany."
AFFILIATED = [
    ITEM_TEXT_PAPERS[0].with_changes(
        creators=(
            Creator("Knowles", "Carla", affiliations=(HEART, "Zoology, Lund, Sweden.")),
            Creator("Raval", "M", affiliations=(HEART,)),
            Creator(literal="WHO Study Group"),
        ),
        tags=(
            Tag(
                "Heart",
                "mesh",
                qualifiers=(MeshQualifier("physiology"), MeshQualifier("surgery", True)),
            ),
        ),
    ),
    ITEM_TEXT_PAPERS[1].with_changes(creators=(Creator("Ünal", "Ö", affiliations=(HEART,)),)),
    *ITEM_TEXT_PAPERS[2:],
]


def qualifiers_by_name(db, item_ids, by_text=True) -> None:
    """The subheadings' index as it was before the step: each row holds the name."""
    db.execute_sql(
        """INSERT OR IGNORE INTO mesh_qualifier (item_id, tag_id, name)
        SELECT item_tag.item_id, item_tag.tag_id, lower(json_extract(q.value, '$[0]'))
        FROM item_tag, json_each(item_tag.qualifiers) AS q
        WHERE item_tag.qualifiers != '' AND item_tag.item_id IN (SELECT value FROM json_each(?))""",
        (json.dumps(list(item_ids)),),
    )


def texts_by_text(db, texts) -> dict[str, str]:
    """Affiliations as they were stored before the step: each creator row holds the texts."""
    return {text: text for text in texts}


def test_the_step_that_packs_long_text_keeps_searches_items_and_fingerprints(path, monkeypatch):
    step = migrations.MIGRATIONS.index(migrations._pack_long_text)
    with monkeypatch.context() as patch:  # refman as it was: abstracts and affiliations as text
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:step])
        patch.setattr(mapping, "pack_abstract", plain_abstract)
        patch.setattr(field_index, "affiliation_ids", texts_by_text)
        patch.setattr(field_index, "index_qualifiers", qualifiers_by_name)
        patch.setattr(mapping, "qualifier_names", lambda tags: set())  # links name them
        with closing(Connection(path)) as old, old.writing() as db:
            ids = items.insert(db, AFFILIATED)
            before = searched(db, PACKED_QUERIES)
            loaded = items.load(db, ids)
            prints = batches.fingerprints(db, ids)
            kinds = db.execute_sql("SELECT DISTINCT typeof(abstract) FROM item_abstract")
            assert kinds.fetchall() == [("text",)]
            assert (
                affiliation_columns(db)
                == [f'["{HEART}","Zoology, Lund, Sweden."]'] + [f'["{HEART}"]'] * 2
            )
    assert all(before.values()), before  # every query finds something
    with closing(Connection(path)) as upgraded, upgraded.writing() as db:
        assert migrations.schema_version(db) == migrations.latest_version()
        kinds = db.execute_sql("SELECT DISTINCT typeof(abstract) FROM item_abstract")
        assert kinds.fetchall() == [("blob",)]
        texts = dict(db.execute_sql("SELECT text, id FROM affiliation").fetchall())
        heart, lund = texts[HEART], texts["Zoology, Lund, Sweden."]
        assert affiliation_columns(db) == [f"[{heart},{lund}]", f"[{heart}]", f"[{heart}]"]
        rows = db.execute_sql("SELECT name FROM mesh_qualifier JOIN qualifier ON id = qualifier_id")
        assert sorted(rows.fetchall()) == [("physiology",), ("surgery",)]
        assert searched(db, SUBHEADING_QUERIES) == dict.fromkeys(SUBHEADING_QUERIES, [ids[0]])
        assert searched(db, PACKED_QUERIES) == before
        assert items.load(db, ids) == loaded  # what exports and the detail pane read
        # An import made before can still be undone: its items read as unchanged.
        assert batches.fingerprints(db, ids) == prints
        assert fts.differences(db) + fts.self_check(db) == []
        # Kept in step from here on: a new abstract is searched, the old one's words are gone.
        items.update(db, ids[0], {"abstract": "Fins regrow in medaka."})
        assert searched(db, ["cardiomyocytes", '"regrow in medaka"[ab]']) == {
            "cardiomyocytes": [],
            '"regrow in medaka"[ab]': [ids[0]],
        }
        assert fts.differences(db) + fts.self_check(db) == []
    with closing(Connection(path)) as again, again.writing() as db:  # a second run: no change
        migrations._pack_long_text(db)
        assert items.load(db, ids)[0].abstract == "Fins regrow in medaka."
        assert items.load(db, ids)[1:] == loaded[1:]
        assert fts.differences(db) + fts.self_check(db) == []


def affiliation_columns(db) -> list[str]:
    rows = db.execute_sql("SELECT affiliations FROM creator WHERE affiliations != ''")
    return [value for (value,) in rows]


SMALLER_PAPERS = [
    *ITEM_TEXT_PAPERS,
    # The same paper twice (title, year, first author), and the same title by another author.
    Reference(
        title="Fin regrowth in medaka: a 3-day course",
        date=PartialDate(2020),
        creators=(Creator("Zhu", "Ai"), Creator("Okafor", "B")),
    ),
    Reference(
        title="Fin regrowth in medaka — a 3 day course.",
        date=PartialDate(2020),
        creators=(Creator("Zhu", "A"),),
    ),
    Reference(
        title="Fin regrowth in medaka: a 3-day course",
        date=PartialDate(2020),
        creators=(Creator("Alcázar", "Zhu"),),
    ),
]
SMALLER_QUERIES = [
    *ITEM_TEXT_QUERIES,
    "a",  # one letter: every word it begins
    "m",
    "zhu a[au]",  # an initial
    "okafor[au]",
    "zhu[1au]",
    "zhu a[1au]",
    "okafor b[au]",
    "alcazar z[au]",
    '"fin regrowth"',
    '"regrowth in medaka"[ti]',
]


def stored_title_keys(db, ids, refs) -> None:
    """The title key as refman stored it in its own column before the step."""
    db.cursor().executemany(
        "UPDATE item SET title_key = ? WHERE id = ?",
        [(mapping.title_key(ref), item_id) for item_id, ref in zip(ids, refs, strict=True)],
    )


def test_the_step_that_drops_the_title_key_and_prefixes_keeps_searches_and_duplicates(
    path, monkeypatch
):
    step = migrations.MIGRATIONS.index(migrations._smaller_item_indexes)
    twin = SMALLER_PAPERS[3].with_changes(creators=(Creator("Zhu", "An"),))
    with monkeypatch.context() as patch:  # refman as it was: a title key, one-letter prefixes
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:step])
        with closing(Connection(path)) as old, old.writing() as db:
            ids = items.insert(db, SMALLER_PAPERS)
            stored_title_keys(db, ids, SMALLER_PAPERS)
            assert "prefix" in fts_ddl(db)
            before = searched(db, SMALLER_QUERIES)
            loaded = items.load(db, ids)
            prints = batches.fingerprints(db, ids)
            groups = duplicate_groups.find_groups(db)
            twins = items.find_matches(db, [DuplicateKeys.of(twin)])
    assert groups == [duplicate_groups.DuplicateGroup((ids[3], ids[4]), (SAME_TITLE,))]
    assert twins[0] is not None and twins[0].item_id == ids[3]
    assert all(before.values()), before  # every query finds something
    with closing(Connection(path)) as upgraded, upgraded.writing() as db:
        assert migrations.schema_version(db) == migrations.latest_version()
        assert "title_key" not in {row[1] for row in db.execute_sql("PRAGMA table_info(item)")}
        assert "prefix" not in fts_ddl(db)
        assert searched(db, SMALLER_QUERIES) == before
        assert items.load(db, ids) == loaded
        assert batches.fingerprints(db, ids) == prints  # imports made before can be undone
        assert duplicate_groups.find_groups(db) == groups
        assert items.find_matches(db, [DuplicateKeys.of(twin)]) == twins
        assert fts.differences(db) + fts.self_check(db) == []
        items.update(db, ids[4], {"date": PartialDate(2021)})  # no longer the same paper
        assert duplicate_groups.find_groups(db) == []


def fts_ddl(db) -> str:
    (sql,) = db.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'item_fts'").fetchone()
    return sql


def test_records_stored_before_the_step_that_names_affiliations_read_as_they_were(
    path, monkeypatch
):
    step = migrations.MIGRATIONS.index(migrations._records_name_affiliations)
    heart = "Heart Centre, University Hospital Schleswig-Holstein, Kiel, Germany."
    paper = Reference(
        title="Hearts",
        creators=(Creator("Knowles", "Carla", affiliations=(heart,)),),
        source_record=(("PMID", "1"), ("FAU", "Knowles, Carla"), ("AD", heart)),
    )
    encode = mapping.encode_source_record
    with monkeypatch.context() as patch:  # refman as it was: affiliations kept in the record
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:step])
        patch.setattr(
            mapping, "encode_source_record", lambda record, abstract="", _=(): encode(record)
        )
        with closing(Connection(path)) as old, old.writing() as db:
            (old_id,) = items.insert(db, [paper])
            loaded = items.load(db, [old_id])
            blob = db.execute_sql("SELECT pairs FROM source_record").fetchone()[0]
    assert heart.encode() in zlib.decompressobj(zdict=DICTIONARY).decompress(blob[1:])
    with closing(Connection(path)) as upgraded, upgraded.writing() as db:
        assert migrations.schema_version(db) == migrations.latest_version()
        assert items.load(db, [old_id]) == loaded
        (new_id,) = items.insert(db, [paper])
        blobs = dict(db.execute_sql("SELECT item_id, pairs FROM source_record").fetchall())
        assert blobs[old_id] == blob  # left as it was
        assert len(blobs[new_id]) < len(blob) - 20  # the new one names the affiliation
        assert items.load(db, [new_id])[0].source_record == paper.source_record


def test_the_step_that_reads_tag_names_from_tags_keeps_tag_searches_and_follows_renames(
    path, monkeypatch
):
    step = migrations.MIGRATIONS.index(migrations._tag_index_over_tags)
    tagged = [
        Reference(title="One", tags=(Tag("Heart Diseases", "mesh"), Tag("zebrafish"))),
        Reference(title="Two", tags=(Tag("Zebrafish Proteins", "mesh"),)),
    ]
    queries = ["zebrafish", "heart", "protein", "z", "heart diseases[mh]", "zebrafish proteins[mh]"]
    with monkeypatch.context() as patch:  # refman as it was: the tag index kept the names
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:step])
        with closing(Connection(path)) as old, old.writing() as db:
            ids = items.insert(db, tagged)
            assert "tag_fts_content" in table_names(db)
            before = searched(db, queries)
    assert all(before.values()), before
    with closing(Connection(path)) as upgraded, upgraded.writing() as db:
        assert migrations.schema_version(db) == migrations.latest_version()
        assert "tag_fts_content" not in table_names(db)
        assert searched(db, queries) == before
        assert fts.differences(db) + fts.self_check(db) == []
        tags.rename(db, "zebrafish", "medaka")  # the triggers keep the index in step
        tags.delete(db, "Zebrafish Proteins")
        assert searched(db, ["zebrafish", "medaka", "protein"]) == {
            "zebrafish": [],
            "medaka": [ids[0]],
            "protein": [],
        }
        assert fts.differences(db) + fts.self_check(db) == []
        db.execute_sql("UPDATE tag SET name = 'axolotl' WHERE name = 'medaka'")  # any path
        assert searched(db, ["medaka", "axolotl"]) == {"medaka": [], "axolotl": [ids[0]]}
        assert fts.differences(db) + fts.self_check(db) == []


def test_the_step_that_keeps_the_tag_listing_in_the_file_keeps_the_tags(path, monkeypatch):
    step = migrations.MIGRATIONS.index(migrations._add_tag_listing)
    tagged = [Reference(title="One", tags=(Tag("zebrafish"), Tag("Brain", "mesh"), Tag("brain")))]
    with monkeypatch.context() as patch:  # refman as it was: no listing in the file
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:step])
        with closing(Connection(path)) as old, old.writing() as db:
            items.insert(db, tagged)
            assert "tag_listing" not in table_names(db)
    with closing(Connection(path)) as upgraded:
        assert tag_counts(upgraded) == {
            "Brain": (1, True),
            "brain": (1, False),
            "zebrafish": (1, False),
        }
        upgraded.store_tag_listing()
    with closing(Connection(path)) as again, again.reading() as db:
        assert migrations.schema_version(db) == migrations.latest_version()
        assert db.execute_sql("SELECT newest_tag_id FROM tag_listing").fetchall() == [(3,)]
        assert tags.names(db, again.tag_listings) == ["Brain", "brain", "zebrafish"]


def test_the_steps_an_older_library_needs_are_counted_and_followed(path, monkeypatch):
    """The window shows an update's progress from these (gui/library_update.py)."""
    Connection(path).close()
    assert steps_pending(path) == 0
    made: list[str] = []
    monkeypatch.setattr(
        migrations,
        "MIGRATIONS",
        [*migrations.MIGRATIONS, lambda db: made.append("a"), lambda db: made.append("b")],
    )
    assert steps_pending(path) == 2
    seen: list[tuple[int, int, list[str]]] = []
    Connection(path, on_update=lambda done, total: seen.append((done, total, list(made)))).close()
    assert seen == [(0, 2, []), (1, 2, ["a"]), (2, 2, ["a", "b"])]
    assert steps_pending(path) == 0
    untouched: list[tuple[int, int]] = []
    Connection(path, on_update=lambda *step: untouched.append(step)).close()
    assert untouched == []


def test_no_steps_are_counted_for_what_opening_refuses_or_creates(path, tmp_path):
    assert steps_pending(tmp_path / "missing.sqlite") == 0
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (x)")  # another program's database
    assert steps_pending(path) == 0
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 3")  # ... that uses user_version too
    assert steps_pending(path) == 0
    text = tmp_path / "text.sqlite"
    text.write_text("not a database" * 100)
    assert steps_pending(text) == 0


def test_the_step_that_stores_where_names_start_sorts_an_older_listing_again(path, monkeypatch):
    step = migrations.MIGRATIONS.index(migrations._add_tag_listing_starts)
    tagged = [Reference(title="One", tags=(Tag("zebrafish"), Tag("Ärzte"), Tag("brain")))]
    with monkeypatch.context() as patch:  # refman as it was: a listing in the older format
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:step])
        with closing(Connection(path)) as old, old.writing() as db:
            items.insert(db, tagged)
            db.execute_sql(
                "INSERT INTO tag_listing (names_version, newest_tag_id, format, names, ids, ranks)"
                " VALUES (0, 3, ?, ?, x'', x'')",
                (tags._FORMAT.replace("3;", "2;", 1), b"brain\0zebrafish\0\xc3\x84rzte"),
            )
    with closing(Connection(path)) as upgraded:
        with upgraded.reading() as db:
            assert migrations.schema_version(db) == migrations.latest_version()
            assert db.execute_sql("SELECT count(*) FROM tag_listing").fetchone() == (0,)
        assert list(tag_counts(upgraded)) == ["brain", "zebrafish", "Ärzte"]
        upgraded.store_tag_listing()
    with closing(Connection(path)) as again, again.reading() as db:
        form, starts, places = db.execute_sql(
            "SELECT format, starts, places FROM tag_listing"
        ).fetchone()
        assert form == tags._FORMAT_COMPRESSED  # a small listing: its columns compressed
        assert (len(zlib.decompress(starts)), len(zlib.decompress(places))) == (16, 12)
        listing = again.tag_listings.current(db)
        assert isinstance(listing.names, tags._Names)  # read from the file, not sorted
        assert list(listing.names) == ["brain", "zebrafish", "Ärzte"]
        assert [listing.names.index(name) for name in ("Ärzte", "brain")] == [2, 0]
