"""PubMed's search syntax run against a library: a table of real PubMed queries over the sample
MEDLINE records (the seed, Biopython's two exports and the 75-record balloon guide catheter set)
with the items each must find, through ``library.items.search`` as the window and the command
line run them. The expected PMIDs were read off the records themselves (their AU, MH, PT, DP,
TA and AD lines), not off refman's answers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from refman import query
from refman.library import Library
from refman.model import TAG_MESH, MeshQualifier, Reference, Tag, ViewQuery
from refman.query import And, Not, Or, QueryError
from refman.store import field_index, mapping, migrations, querying, search
from tests.samples import SAMPLE_FILES

SEED = "37144409"  # Knowles CH, Ann Surg 2023 Dec 1; *Fecal Incontinence/therapy
STRATIS = "30776994"  # Zaidat OO ... Liebeskind DS, STRATIS Investigators; Stroke 2019 Mar
TRASH_VIEW = ViewQuery(trashed=True)


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Iterator[Library]:
    """The sample files (81 records), and one French item typed in, tagged, noted and filed."""
    path = tmp_path_factory.mktemp("query") / "library.sqlite"
    with Library(path) as opened:
        opened.importing.files(list(SAMPLE_FILES))
        french, _ = opened.items.add(
            Reference(title="Les cathéters à ballonnet", language="fre", pmid="99999991")
        )
        opened.tags.add([french], ["to read"])
        opened.notes.add(french, "<p>Ask <b>Dr Raval</b> about the balloon sizes</p>")
        thesis, _ = opened.collections.create("Thesis")
        opened.collections.add_items([french], thesis.id)
        yield opened


def back_to_before(path: Path, step, *statements: str) -> None:
    """The library file as the version before migration ``step`` left it: ``statements`` undo
    what the step and later ones made, and the version goes back."""
    db = sqlite3.connect(path)
    for statement in statements:
        db.execute(statement)
    db.execute(f"PRAGMA user_version = {migrations.MIGRATIONS.index(step)}")
    db.commit()
    db.close()


def pmids(library: Library, text: str, **view) -> set[str]:
    ids = library.items.search(ViewQuery(text=text, **view))
    return {ref.pmid for ref in library.items.get_many(ids, source_records=False)}


PUBMED_QUERIES = [
    # authors: PubMed's three forms, first and last author, full names, groups, accents
    ("Knowles CH[au]", {SEED}),
    ("Knowles C[au]", {SEED}),
    ("Knowles[au]", {SEED}),
    ('"Knowles C"[au]', set()),  # quoted: the initials exactly
    ("Knowles CH[1au]", {SEED}),
    ("Knowles CH[lastau]", set()),
    ("Raval MJ[lastau]", {SEED}),
    ("Zaidat OO[1au]", {"28963367", STRATIS}),
    ("Liebeskind DS[lastau]", {STRATIS}),  # after him only the group (CN)
    ("Liebeskind DS[Author - Last]", {STRATIS}),
    ("Kallmes D[au]", {"28754806", "30760625", STRATIS}),
    ("STRATIS Investigators[au]", {STRATIS}),
    ("Alcazar P[au]", {"26789499"}),  # Alcázar P
    ("Mangalam H[Author]", {"12230038"}),
    ("(Velasco A[au] OR Brinjikji W[au]) NOT Kallmes DF[au]", {"26789499"}),
    ("aspiration[ti] AND (Nogueira RG[au] OR Haussen DC[au])", {"29628942"}),
    # affiliations, journals, publication types, dates
    ("pittsburgh[ad]", {SEED, "27076599", STRATIS, "31197024"}),
    ("Mayo[ad]", {"28754806", "30611184", "30760625", STRATIS}),
    ("Ann Surg[ta]", {SEED}),
    ("Annals of surgery[journal]", {SEED}),
    ("Stroke[ta] AND 2019[dp]", {"30612534", STRATIS, "31043149", "31318624"}),
    ("review[pt]", {"28366058", "28754806", "31648562", "32419724"}),
    ("systematic review[pt]", {"28754806"}),
    ('"Clinical Trial, Phase I"[Publication Type]', {SEED}),
    ("Meta-Analysis[pt] OR Multicenter Study[pt] AND 2019:2020[dp]",
     {STRATIS, "31043149", "31072248", "31542275"}),
    ("2019/03[dp]", {"30177546", "30579014", STRATIS, "30847500"}),
    ("2002[dp]", {"12230038"}),
    ("2023/12/01[dp]", {SEED}),
    # MeSH: headings, major topics, subheadings, heading/subheading
    ("Fecal Incontinence[majr]", {SEED}),
    ("Programming Languages[majr]", {"12230038", "14630660", "14871861", "16377612"}),
    ("thrombectomy[mh] AND stroke[ta]", {"23493730", "30612534", STRATIS, "31043149", "31318624"}),
    ("Catheters[mh] NOT Humans[mh]", {"30309845"}),
    ('"Stroke"[MeSH Terms] AND "2019/01/01"[dp] : "2019/06/30"[dp]',
     {"29858398", "30579014", STRATIS, "30851472", "31043149"}),
    ("therapy[sh]", {SEED, "16908572", "21479799", "24668201", "27076599", "28366058", "28691137",
                     "29238099", "30579014", "30711506", STRATIS, "31239220", "31318624",
                     "31542275", "31648562"}),
    ("Fecal Incontinence/therapy[mh]", {SEED}),
    ("Fecal Incontinence/surgery[mh]", set()),
    # title and abstract words, truncation, phrases
    ("bio*[ti]", {"12230038"}),
    ("balloon guide catheter*[ti] AND 2016:2017[dp]",
     {"25676149", "26789499", "26801392", "27987034", "28691137", "28723284", "29238099"}),
    ("iltamiocel[tiab]", {SEED}),
    ("iltamiocel[ti] AND episiotomy[ab]", {SEED}),
    ("episiotomy[ti]", set()),
    ('"fecal incontinence quality of life"', {SEED}),
    # identifiers
    ("37144409", {SEED}),
    ("10.1097/SLA.0000000000005894", {SEED}),
    ("https://doi.org/10.1097/sla.0000000000005894", {SEED}),
    ("PMC6216708", {"30410509"}),
    ("37144409[pmid]", {SEED}),
    ("10.1161/STROKEAHA.118.021126[doi]", {STRATIS}),
    # refman's own fields, and languages
    ("to read[tag]", {"99999991"}),
    ("Humans[tag] AND Knowles[au]", {SEED}),
    ("raval[note]", {"99999991"}),
    ("thesis[collection]", {"99999991"}),
    ("french[la]", {"99999991"}),
    ("fre[la] OR Knowles[1au]", {"99999991", SEED}),
    # filters that hold for most of the library, after a narrow term
    ("Knowles CH[au] AND english[la]", {SEED}),
    ("NOT english[la]", {"99999991"}),
    ("iltamiocel[tiab] AND 1990:2024[dp] NOT case reports[pt]", {SEED}),
]  # fmt: skip


@pytest.fixture(params=["few", "many"])
def filter_plans(request, monkeypatch):
    """Both ways of applying dates, languages and publication types after other terms: on the
    items found so far alone (few), or over the library and intersected (many: what a
    100,000-item library does after a term that finds thousands)."""
    if request.param == "many":
        monkeypatch.setattr(querying, "WITHIN_AT_MOST", 0)


@pytest.fixture(params=["sets", "masks", "mixed"])
def group_plans(request, monkeypatch):
    """Both ways of holding a part's items: a set of ids, or (past querying.MASK_FROM) a mask of
    a byte per item id: here from the first id (masks), or past three (mixed: parts of both
    kinds combined)."""
    if request.param != "sets":
        monkeypatch.setattr(querying, "MASK_FROM", 0 if request.param == "masks" else 3)


@pytest.mark.parametrize(("query", "expected"), PUBMED_QUERIES)
def test_pubmed_queries_find_their_items(library, filter_plans, group_plans, query, expected):
    assert pmids(library, query) == expected


def test_the_pubmed_search_box_example(library):
    """A query as PubMed's own search box holds it, Search details style."""
    query = '("stroke"[MeSH Terms] OR thrombectomy[tiab]) AND 2019:2023[dp] NOT review[pt]'
    found = pmids(library, query)
    assert STRATIS in found and "28754806" not in found  # a 2018 review
    assert found == pmids(library, "(stroke[mh] OR thrombectomy[tiab]) AND 2019:2023[dp]") - (
        pmids(library, "review[pt]")
    )
    assert found == pmids(library, query.lower().replace("[mesh terms]", "[mh]"))


def test_operators_combine_as_sets(library):
    stroke, review = pmids(library, "stroke[mh]"), pmids(library, "review[pt]")
    assert pmids(library, "stroke[mh] OR review[pt]") == stroke | review
    assert pmids(library, "stroke[mh] AND review[pt]") == stroke & review
    assert pmids(library, "stroke[mh] NOT review[pt]") == stroke - review
    everything = pmids(library, "")
    assert pmids(library, "NOT review[pt]") == everything - review


def test_plain_words_keep_the_instant_prefix_search(library):
    assert pmids(library, "iltam") == {SEED}
    assert pmids(library, "knowles incontin") == {SEED}


def test_a_query_stays_within_the_view(library):
    """The sidebar's place still applies: a collection, the Trash."""
    thesis = library.collections.find("Thesis")
    assert pmids(library, "ballonnet OR Knowles[au]", collection=thesis.id) == {"99999991"}
    assert pmids(library, "Knowles[au]", trashed=True) == set()


def test_pdf_finds_items_by_the_words_of_their_pdfs(tmp_path):
    data = Path(__file__).parents[2] / "data"
    pdf = data / "pdf" / "rehabil-res-pract-2010-hindawi.pdf"
    with Library(tmp_path / "pdfs.sqlite") as own:
        first, second = own.importing.files([data / "pubmed_result2.txt"]).added[:2]
        own.attachments.attach(first, [pdf])
        own.attachments.read_text()

        def found(text: str) -> list:
            return own.items.search(ViewQuery(text=text))

        assert found("heart failure[pdf]") == [first]
        assert found('"structured heart failure"[pdf]') == [first]
        assert found("heart[pdf] AND zebrafish[pdf]") == []
        either = f"heart[pdf] OR {own.items.get(second).pmid}[pmid]"
        assert set(found(either)) == {first, second}
        (row,) = own.attachments.of([first])[first]
        own.attachments.trash([row.id])
        assert found("heart failure[pdf]") == []


def test_a_term_with_no_word_in_a_query_says_which(library):
    with pytest.raises(QueryError) as raised:
        library.items.search(ViewQuery(text="stroke[mh] OR ?"))
    assert raised.value.position == 15
    assert str(raised.value) == (
        "the query 'stroke[mh] OR ?' cannot be read: "
        '"?" at character 15 has no word to search for'
    )


# --- subheadings: their own index, kept in step -------------------------------------------------


def test_subheadings_follow_their_links(tmp_path):
    """Untagging, deleting and a duplicate's merge keep [sh] right."""
    with Library(tmp_path / "library.sqlite") as library:
        typed, _ = library.items.add(Reference(title="Iltamiocel", pmid=SEED))  # no MeSH
        # the seed's record merges into it: its MeSH headings are linked by tags.add
        library.importing.files(list(SAMPLE_FILES), duplicates="merge")
        ids = library.items.search(ViewQuery(text="therapy[sh]"))
        assert typed in ids and len(ids) == 15
        library.tags.remove([typed], ["Fecal Incontinence"])
        assert library.items.search(ViewQuery(text="therapy[sh]")) == [i for i in ids if i != typed]
        other = next(i for i in ids if i != typed)
        library.items.delete([other])
        assert len(library.items.search(ViewQuery(text="therapy[sh]"))) == 13


def test_an_edited_creator_list_is_searched_by_its_new_affiliations(tmp_path):
    with Library(tmp_path / "library.sqlite") as library:
        library.importing.files([SAMPLE_FILES[0]])  # the seed
        (seed,) = library.items.search()
        assert library.items.search(ViewQuery(text="pittsburgh[ad]")) == [seed]
        creators = library.items.get(seed).creators[:1]  # Knowles, in London only
        library.items.update(seed, creators=creators)
        assert library.items.search(ViewQuery(text="pittsburgh[ad]")) == []
        assert library.items.search(ViewQuery(text="Queen Mary[ad]")) == [seed]
        library.items.delete([seed])
        assert library.items.search(ViewQuery(text="Queen Mary[ad]")) == []


def test_a_library_from_before_gets_its_subheadings_indexed(tmp_path, monkeypatch):
    path = tmp_path / "library.sqlite"
    with monkeypatch.context() as patch, Library(path) as library:
        # Creators hold their affiliations' texts, as before they were stored once.
        patch.setattr(field_index, "affiliation_ids", lambda db, texts: {t: t for t in texts})
        # Links name their subheadings by text, as before they were named by id.
        patch.setattr(mapping, "qualifier_names", lambda tags: set())
        library.importing.files(list(SAMPLE_FILES))
        expected = library.items.search(ViewQuery(text="therapy[sh]"))
    assert len(expected) == 15
    # the version before the field indexes' step (the steps after it make their own tables
    # again only when absent)
    back_to_before(
        path,
        migrations._add_field_indexes,
        *(f"DROP TABLE {t}" for t in ("mesh_qualifier", "item_affiliation", "affiliation")),
        "DROP INDEX item_by_language",
        "DROP INDEX item_by_publication_types",
    )
    with Library(path) as library:
        assert library.items.search(ViewQuery(text="therapy[sh]")) == expected
        assert len(library.items.search(ViewQuery(text="eng[la]"))) == 81
        assert pmids(library, "pittsburgh[ad]") == {SEED, "27076599", STRATIS, "31197024"}


# --- parts that find most of the library: held as the items they leave out ---------------------

# Dates, languages and publication types that hold for most of the sample library, or for few,
# alone and combined every way (AND, OR, NOT, a leading NOT, parentheses).
MOST_AND_FEW = [
    "english[la]",
    "NOT english[la]",
    "eng[la] AND Humans[mh]",
    "Humans[mh] AND english[la] AND 1990:2024[dp]",
    "english[la] NOT review[pt]",
    "NOT review[pt]",
    "review[pt] OR english[la]",
    "(NOT english[la]) OR (NOT review[pt])",
    "1990:2024[dp]",
    "NOT 2019:2020[dp] AND english[la]",
    "french[la] OR 2019:2020[dp] NOT english[la]",
    "journal article[pt] AND english[la] AND 1950:2030[dp]",
    "(english[la] OR french[la]) NOT 2023[dp]",
    "(NOT english[la]) OR stroke[mh]",
    "stroke[mh] OR english[la] NOT 2019[dp]",
    "Journal Art*[pt] NOT (english[la] AND 2019:2020[dp])",
]
FILTERS = ["english[la]", "eng[la]", "french[la]", "german[la]", "review[pt]", "review*[pt]",
           "journal article[pt]", "2019:2020[dp]", "1900:2030[dp]", "2023/12/01[dp]"]  # fmt: skip


@pytest.fixture(params=["counted", "found", "left out"])
def filter_sides(request, monkeypatch):
    """A filter over the whole library read as the items it finds or as those it leaves out:
    whichever is fewer (counted), or forced either way."""
    if request.param != "counted":
        size = 0 if request.param == "left out" else 10**9
        monkeypatch.setattr(querying, "_top", lambda db: size)


@pytest.fixture(params=["few", "placed", "selected", "unplaced"])
def order_plans(request, monkeypatch):
    """Every way of putting the matches in the view's order: few, looked up and sorted in SQL;
    placed, their places in the view's sorted ids sorted; selected, a pass over those ids;
    unplaced, a view too large to keep its ids' places (search.PLACES_UP_TO): few sorted in
    SQL even with the view's order kept, more selected."""
    if request.param == "unplaced":
        monkeypatch.setattr(search, "PLACES_UP_TO", 0)
        monkeypatch.setattr(search, "SORT_UP_TO_SHARE", 1)
    elif request.param != "few":
        monkeypatch.setattr(search, "FEW_MATCHES", 0)
        monkeypatch.setattr(search, "SORT_UP_TO_SHARE", 1 if request.param == "placed" else 10**9)


def reference(db, node) -> set[int]:
    """What a query finds, computed plainly: each term's items, combined as sets."""
    every = querying._all_items(db)
    if isinstance(node, And):
        return set.intersection(*(reference(db, part) for part in node.parts))
    if isinstance(node, Or):
        return set().union(*(reference(db, part) for part in node.parts))
    if isinstance(node, Not):
        keep = every if node.keep is None else reference(db, node.keep)
        return keep - reference(db, node.drop)
    if querying._is_filter(node):
        condition, params = querying._filter(node)
        return querying._ids(db, f"SELECT id FROM item WHERE {condition}", params)
    return querying.matches(db, node)


@pytest.mark.parametrize("text", FILTERS)
def test_a_filter_finds_the_same_items_either_way(library, filter_sides, group_plans, text):
    with library.connection.reading() as db:
        assert querying.matches(db, query.parse(text)) == reference(db, query.parse(text))
    everything = pmids(library, "")
    if text in ("english[la]", "eng[la]"):
        assert pmids(library, text) == everything - {"99999991"}
    if text == "1900:2030[dp]":
        assert pmids(library, text) == everything - {"99999991"}  # the French item has no date


@pytest.mark.parametrize("text", MOST_AND_FEW)
def test_parts_that_find_most_combine_as_sets(
    library, filter_sides, filter_plans, order_plans, group_plans, text
):
    with library.connection.reading() as db:
        expected = reference(db, query.parse(text))
        assert querying.matches(db, query.parse(text)) == expected
    everything = library.items.search(sort="year")
    found = library.items.search(ViewQuery(text=text), sort="year")
    assert found == [i for i in everything if i in expected]  # in the view's order


def test_most_of_the_library_within_a_collection_and_the_trash(
    tmp_path, filter_sides, order_plans, group_plans
):
    with Library(tmp_path / "library.sqlite") as own:
        added = own.importing.files(list(SAMPLE_FILES)).added
        french, _ = own.items.add(Reference(title="Ballonnets", language="fre"))
        thesis, _ = own.collections.create("Thesis")
        own.collections.add_items([french, *added[:3]], thesis.id)
        own.items.trash(added[-2:])

        def found(text: str, **view) -> list:
            return own.items.search(ViewQuery(text=text, **view), sort="title")

        in_thesis = own.items.search(ViewQuery(collection=thesis.id), sort="title")
        assert found("english[la]", collection=thesis.id) == [i for i in in_thesis if i != french]
        assert found("NOT english[la]", collection=thesis.id) == [french]
        assert found("english[la]", trashed=True) == own.items.search(TRASH_VIEW, sort="title")
        assert found("NOT english[la]", trashed=True) == []
        outside = own.items.search(sort="title")
        assert found("NOT review[pt] OR english[la]") == outside
        assert found("english[la]") == [i for i in outside if i != french]


def test_mesh_headings_leave_out_tags_of_another_kind_with_their_name(tmp_path):
    """[mh] is the MeSH heading's links alone: a tag typed by hand with the same name (or a
    name that differs in case) is no heading, yet leaves the item's own heading found."""
    with Library(tmp_path / "library.sqlite") as own:
        own.importing.files(list(SAMPLE_FILES))
        humans = own.items.search(ViewQuery(text="Humans[mh]"))
        typed, _ = own.items.add(Reference(title="Typed in"))
        own.tags.add([typed], ["Humans"])  # the heading's own tag, by hand
        own.tags.add([humans[0]], ["humans"])  # another tag that folds to the same name
        assert own.items.search(ViewQuery(text="Humans[mh]")) == humans
        assert typed in own.items.search(ViewQuery(text="Humans[tag]"))
        beginning = own.items.search(ViewQuery(text="Human*[mh]"))  # both tags' links
        assert humans[0] in beginning and typed not in beginning


def test_a_library_from_before_gets_the_index_of_links_other_than_mesh(tmp_path):
    path = tmp_path / "library.sqlite"
    with Library(path) as library:
        library.importing.files(list(SAMPLE_FILES))
        typed, _ = library.items.add(Reference(title="Typed in"))
        library.tags.add([typed], ["Humans"])
        expected = library.items.search(ViewQuery(text="Humans[mh]"))
    assert expected and typed not in expected
    back_to_before(
        path, migrations._index_links_other_than_mesh, "DROP INDEX item_tag_other_than_mesh"
    )
    with Library(path) as library:
        assert library.items.search(ViewQuery(text="Humans[mh]")) == expected
    db = sqlite3.connect(path)
    names = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    db.close()
    assert "item_tag_other_than_mesh" in names


MIGRATED_QUERIES = [
    "Knowles CH[au]",
    "Zaidat OO[1au]",
    "Liebeskind DS[lastau]",
    "Humans[mh]",
    "Fecal Incontinence[majr]",
    "Fecal Incontinence/therapy[mh]",
    "therapy[sh]",
    "Stroke[majr]",
]


def _as_read(library: Library) -> dict[str, tuple]:
    """{pmid: (creators, tags)} of every item, as the library reads them."""
    refs = library.items.get_many(library.items.all_ids(), source_records=False)
    return {ref.pmid: (ref.creators, ref.tags) for ref in refs}


def test_a_library_from_before_gets_its_roles_and_kinds_stored_as_empty(tmp_path, monkeypatch):
    with Library(tmp_path / "new.sqlite") as library:
        library.importing.files(list(SAMPLE_FILES))
        expected = {text: pmids(library, text) for text in MIGRATED_QUERIES}
        expected_read = _as_read(library)
    assert all(expected.values())
    path = tmp_path / "library.sqlite"
    with monkeypatch.context() as patch, Library(path) as library:
        # Rows as written before: "author", "mesh", subheadings' names and true or false.
        patch.setattr(mapping, "stored_role", lambda role: role)
        patch.setattr(mapping, "stored_kind", lambda kind: kind)
        patch.setattr(mapping, "qualifier_names", lambda tags: set())
        patch.setattr(
            mapping,
            "_qualifiers_json",
            lambda qs, ids: mapping.to_json([[q.name, q.major] for q in qs]),
        )
        batch = library.importing.files(list(SAMPLE_FILES)).batch
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM item_tag WHERE qualifiers LIKE '%,true]%'").fetchone()
    db.close()
    back_to_before(
        path,
        migrations._smaller_links,
        "DROP INDEX item_tag_other_than_mesh",
        "CREATE INDEX item_tag_other_than_mesh ON item_tag (tag_id, item_id) WHERE kind != 'mesh'",
    )
    with Library(path) as library:
        assert {text: pmids(library, text) for text in MIGRATED_QUERIES} == expected
        assert _as_read(library) == expected_read
        db = sqlite3.connect(path)
        stored = db.execute(
            "SELECT (SELECT count(*) FROM creator WHERE role IN ('author', 'mesh')),"
            " (SELECT count(*) FROM item_tag WHERE kind = 'mesh'),"
            " (SELECT count(*) FROM creator WHERE role = ''),"
            " (SELECT count(*) FROM item_tag WHERE kind = '')"
        ).fetchone()
        db.close()
        assert stored[:2] == (0, 0) and stored[2] > 100 and stored[3] > 100
        # The import's fingerprints still hold: undone, it takes back every item it added.
        undone = library.imports.undo(batch)
        assert undone.kept == [] and library.items.count() == 0


def test_subheadings_are_named_by_id_but_one_not_in_lower_case_by_text(tmp_path):
    heading = Tag(
        "Wounds",
        kind=TAG_MESH,
        qualifiers=(MeshQualifier("Drug Therapy", True), MeshQualifier("metabolism", False)),
    )
    with Library(tmp_path / "library.sqlite") as library:
        item, _ = library.items.add(Reference(title="Healing", tags=(heading,)))
        assert library.items.get(item).tags == (heading,)
        for text in ("Wounds/metabolism[mh]", "Wounds/drug therapy[mh]", "Wounds/drug*[mh]",
                     "Wounds[majr]", "metabolism[sh]", "drug therapy[sh]"):  # fmt: skip
            assert library.items.search(ViewQuery(text=text)) == [item], text
        assert library.items.search(ViewQuery(text="Wounds/therapy[mh]")) == []
    db = sqlite3.connect(tmp_path / "library.sqlite")
    (stored,) = db.execute("SELECT qualifiers FROM item_tag").fetchone()
    (metabolism,) = db.execute("SELECT id FROM qualifier WHERE name = 'metabolism'").fetchone()
    db.close()
    assert stored == f'[["Drug Therapy",1],[{metabolism},0]]'
