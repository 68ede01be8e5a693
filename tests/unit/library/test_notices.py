"""refman.library.notices: retractions, errata and expressions of concern read from the stored
source records, listed without loading every item, in a new library, in one from before the
flags table, and in one open read-only."""

import sqlite3
from contextlib import closing

from refman.formats.medline import corrections
from refman.library import Library
from refman.store import mapping, migrations
from tests.safety_helpers import as_before_field_indexes
from tests.samples import DATA, DUPLICATES

CORRECTIONS = DATA / "import" / "pubmedxml" / "corrections.nbib"
CORRECTIONS_XML = DATA / "import" / "pubmedxml" / "corrections.xml"
ERRATA = DUPLICATES / "errata.nbib"

# Small records for the kinds the real files lack: an expression of concern, a retraction
# known only by its publication type, a retraction notice (not flagged itself).
MADE_UP = """PMID- 41000001
TI  - A paper with an expression of concern.
PT  - Journal Article
ECI - BMJ. 2023;380:p1. PMID: 41000091

PMID- 41000002
TI  - A paper retracted without a notice line.
PT  - Journal Article
PT  - Retracted Publication

PMID- 41000003
TI  - Retraction notice: A paper.
PT  - Retraction of Publication
ROF - J Example Stud. 2019;12(3):10-20. PMID: 39000001

PMID- 41000004
TI  - A paper with nothing to say.
PT  - Journal Article
"""


def ids_by_pmid(library) -> dict[str, int]:
    return {library.items.get(i).pmid: i for i in library.items.all_ids()}


def test_flagged_items_are_listed_by_flag(library):
    library.importing.files([CORRECTIONS, ERRATA])
    library.importing.text(MADE_UP)
    ids = ids_by_pmid(library)
    assert library.notices.flagged("retracted") == sorted([ids["39000001"], ids["41000002"]])
    assert library.notices.flagged("concern") == [ids["41000001"]]
    errata = [ids[p] for p in ("39000001", "99200001", "99200002", "99200003")]
    assert library.notices.flagged("erratum") == sorted(errata)
    assert ids["41000003"] not in library.notices.flagged()
    assert ids["41000004"] not in library.notices.flagged()
    flags = library.notices.flags([ids["39000001"], ids["41000004"]])
    assert flags == {ids["39000001"]: ("retracted", "erratum")}


def test_an_items_notices_say_what_and_where(library):
    library.importing.files([CORRECTIONS])
    (item_id,) = library.items.all_ids()
    found = library.notices.of_item(item_id)
    retracted = [n for n in found if n.kind == corrections.RETRACTED]
    assert [n.describe() for n in retracted] == [
        "Retracted: J Example Stud. 2021;14(2):50 (PMID 39000004)"
    ]
    assert retracted[0].pubmed_url == "https://pubmed.ncbi.nlm.nih.gov/39000004/"


def test_pubmed_xml_items_give_the_same_notices_as_medline(tmp_path):
    with Library(tmp_path / "xml.sqlite") as from_xml, Library(tmp_path / "nbib.sqlite") as nbib:
        from_xml.importing.files([CORRECTIONS_XML])
        nbib.importing.files([CORRECTIONS])
        xml_id = ids_by_pmid(from_xml)["39000001"]
        nbib_id = ids_by_pmid(nbib)["39000001"]
        assert from_xml.notices.of_item(xml_id) == nbib.notices.of_item(nbib_id)
        assert from_xml.notices.flagged("retracted") == [xml_id]


def test_trashed_items_are_not_listed(library):
    library.importing.files([CORRECTIONS])
    (item_id,) = library.items.all_ids()
    library.items.trash([item_id])
    assert library.notices.flagged() == []
    library.items.restore([item_id])
    assert library.notices.flagged() == [item_id]


def stored_flags(path) -> dict[int, str]:
    with closing(sqlite3.connect(path)) as db:
        return dict(db.execute("SELECT item_id, flags FROM item_flags"))


def test_a_library_from_before_the_flags_table_is_flagged_once_upgraded(library_path, monkeypatch):
    with monkeypatch.context() as patch:  # refman as it was: schema 6, no item_flags
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:6])
        as_before_field_indexes(patch)
        with Library(library_path) as old:
            old.importing.files([CORRECTIONS, ERRATA])
    with closing(sqlite3.connect(library_path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 6
    with Library(library_path) as upgraded:
        ids = ids_by_pmid(upgraded)
        assert stored_flags(library_path) == {}  # read on first use, not on opening
        assert upgraded.notices.flagged("retracted") == [ids["39000001"]]
        kept = stored_flags(library_path)
        assert kept[ids["39000001"]] == "retracted erratum"
        assert kept[ids["99200004"]] == ""  # read, nothing found: not read again
        assert len(kept) == len(ids)
        assert upgraded.notices.read_unread() == 0


def test_a_read_only_library_is_flagged_without_being_written(library_path):
    with Library(library_path) as writable:
        writable.importing.files([CORRECTIONS, ERRATA])
        ids = ids_by_pmid(writable)
    with Library(library_path, read_only=True) as read_only:
        assert read_only.notices.flagged("retracted") == [ids["39000001"]]
        assert read_only.notices.flags([ids["99200001"]]) == {ids["99200001"]: ("erratum",)}
        assert read_only.notices.read_unread() == 0
    assert stored_flags(library_path) == {}


def test_a_replaced_source_record_is_read_again(library):
    library.importing.files([CORRECTIONS])
    (item_id,) = library.items.all_ids()
    assert library.notices.flagged() == [item_id]
    with library.connection.writing() as db:  # as Update from PubMed will: a new record
        record = (("PMID", "39000001"), ("TI", "Now sound."), ("CIN", "X. PMID: 5"))
        db.execute_sql(
            "UPDATE source_record SET pairs = ? WHERE item_id = ?",
            (mapping.encode_source_record(record), item_id),
        )
    assert library.notices.flagged() == []
    assert [n.kind for n in library.notices.of_item(item_id)] == [corrections.COMMENT]


def test_a_damaged_source_record_is_read_as_without_notices(library):
    library.importing.files([CORRECTIONS, ERRATA])
    ids = ids_by_pmid(library)
    with library.connection.writing() as db:
        db.execute_sql(
            "UPDATE source_record SET pairs = ? WHERE item_id = ?", (b"junk", ids["39000001"])
        )
    assert ids["39000001"] not in library.notices.flagged()
    assert ids["99200001"] in library.notices.flagged()


def test_flags_of_a_page_of_items_are_read_without_writing(library_path):
    with Library(library_path) as library:
        library.importing.files([CORRECTIONS, ERRATA])
        ids = ids_by_pmid(library)
        page = [ids["39000001"], ids["99200004"]]
        assert library.notices.flags(page) == {ids["39000001"]: ("retracted", "erratum")}
        assert stored_flags(library_path) == {}
        library.notices.read_unread()
        assert library.notices.flags(page) == {ids["39000001"]: ("retracted", "erratum")}
        assert len(stored_flags(library_path)) == len(ids)
