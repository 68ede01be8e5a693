"""The import service and the library API, on the real sample files."""

import shutil
from pathlib import Path

import pytest

import refman.library.core as library_core
import refman.library.importing as library_module
from refman.library import Library
from refman.model import (
    Creator,
    LibraryError,
    NoWordsError,
    PartialDate,
    Reference,
    RefmanError,
    ViewQuery,
)
from refman.store import items as stored_items
from tests.safety_helpers import index_problems

DATA = Path(__file__).parent / "data"
SEED = DATA / "000_dccecbf8d310899f.txt"
SAMPLES = [
    SEED,
    DATA / "pubmed_result1.txt",
    DATA / "pubmed_result2.txt",
    DATA / "nbib-pubmed-balloongui-set.nbib",
    DATA / "zotero-case-01.nbib",
    DATA / "zotero-case-02.nbib",
    DATA / "zotero-case-03.nbib",
]


@pytest.fixture
def library(tmp_path):
    with Library(tmp_path / "library.sqlite") as lib:
        yield lib


def snapshot(lib: Library) -> list[Reference]:
    """Everything a user would see of the items, to compare before and after."""
    return lib.items.get_many(lib.items.search(sort="pmid")) + lib.items.get_many(
        lib.items.search(ViewQuery(trashed=True))
    )


def test_seed_imports_with_every_field(library):
    report = library.importing.files([SEED])
    assert (len(report.added), report.problems) == (1, [])
    ref = library.items.get(report.added[0])
    assert ref.title.startswith("Safety and Efficacy of Iltamiocel Cellular Therapy")
    assert ref.title.endswith("Results of a Phase 1/2 Study")
    assert [c.family for c in ref.authors()] == [
        "Knowles",
        "Canestrari",
        "Jankowski",
        "Cardello",
        "Raval",
    ]
    assert (ref.container_title, ref.container_title_short) == ("Annals of surgery", "Ann Surg")
    assert (ref.volume, ref.issue, ref.pages) == ("278", "6", "937-944")
    assert (ref.date.year, ref.date.month, ref.date.day) == (2023, 12, 1)
    assert ref.doi == "10.1097/SLA.0000000000005894"
    assert ref.pmid == "37144409"
    assert {i.value for i in ref.issns} == {"1528-1140", "0003-4932"}
    assert ref.language == "eng"
    assert "Journal Article" in ref.publication_types
    assert any(t.kind == "mesh" for t in ref.tags)
    assert ref.source_record[0] == ("PMID", "37144409")


def test_importing_every_sample_twice_keeps_one_copy(library):
    first = library.importing.files(SAMPLES)
    count = library.items.count()
    assert count == len(first.added) > 75
    second = library.importing.files(SAMPLES)
    assert second.added == []
    assert library.items.count() == count
    assert len(second.duplicates) == count


def test_same_record_twice_in_one_file_is_one_item(library, tmp_path):
    text = SEED.read_text(encoding="utf-8")
    doubled = tmp_path / "twice.nbib"
    doubled.write_text(text + "\n\n" + text, encoding="utf-8")
    report = library.importing.files([doubled])
    assert library.items.count() == 1
    assert len(report.added) == 1


@pytest.mark.parametrize("batch", [1, 2, 7, 500])
def test_a_record_repeated_after_many_others_is_still_one_item(library, monkeypatch, batch):
    # Duplicates are looked up a batch at a time: the repeat must be found whether the
    # first copy is still waiting to be written or was written batches before.
    monkeypatch.setattr(library_module, "BATCH_SIZE", batch)
    balloon = DATA / "nbib-pubmed-balloongui-set.nbib"
    text = balloon.read_text(encoding="utf-8")
    report = library.importing.text(text + "\n\n" + text)
    assert library.items.count() == len(report.added) == 75


def test_duplicate_found_by_doi_and_by_title(library):
    item_id, _ = library.items.add(
        Reference(
            title="Safety and efficacy of iltamiocel cellular therapy for the treatment "
            "of fecal incontinence: results of a phase 1/2 study",
            date=PartialDate(2023),
            creators=(Creator("Knowles", "C"),),
        )
    )
    report = library.importing.files([SEED])
    assert report.duplicates == [item_id]
    library.items.update(item_id, title="Something else", doi="10.1097/sla.0000000000005894")
    assert library.importing.files([SEED]).duplicates == [item_id]


def test_merge_fills_empty_fields_and_unites_tags(library):
    item_id, _ = library.items.add(Reference(title="Old title", pmid="37144409"))
    library.tags.add([item_id], ["to read"])
    report = library.importing.files([SEED], duplicates="merge")
    assert report.merged == [item_id]
    merged = library.items.get(item_id)
    assert merged.title == "Old title"  # a field the user has is never overwritten
    assert merged.doi == "10.1097/SLA.0000000000005894"
    names = {t.name for t in merged.tags}
    assert "to read" in names and "Fecal Incontinence" in names


def test_keep_adds_a_second_copy(library):
    library.importing.files([SEED])
    report = library.importing.files([SEED], duplicates="keep")
    assert len(report.added) == 1
    assert library.items.count() == 2


def test_collection_and_tags_apply_to_new_and_matched_items(library):
    library.importing.files([SEED])
    report = library.importing.files(
        [SEED, DATA / "pubmed_result2.txt"], collection="Thesis", tags=["phd"]
    )
    thesis = library.collections.find("Thesis")
    in_thesis = library.items.search(ViewQuery(collection=thesis.id))
    assert sorted(in_thesis) == sorted(report.item_ids)
    assert sorted(library.items.search(ViewQuery(tags=["phd"]))) == sorted(report.item_ids)


def test_folder_imports_the_medline_files_inside(library, tmp_path):
    folder = tmp_path / "downloads"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SEED, folder / "seed.txt")
    shutil.copy(DATA / "pubmed_result2.txt", folder / "sub" / "more.nbib")
    (folder / "notes.txt").write_text("shopping list: milk, eggs\n")
    (folder / "paper.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    report = library.importing.files([folder])
    assert report.files_read == 2
    assert report.problems == []
    assert library.items.count() == len(report.added) > 1
    assert library.items.search(ViewQuery(text="iltamiocel"))


def test_a_file_that_is_not_medline_is_one_clear_problem(library, tmp_path):
    library.importing.files([SEED])
    before = snapshot(library)
    bib = tmp_path / "refs.nbib"
    bib.write_text("@article{knowles2023, title={Safety}, year={2023}}\n")
    report = library.importing.files([bib])
    assert report.files_failed == 1 and report.files_read == 0
    assert len(report.problems) == 1
    assert str(bib) in str(report.problems[0])
    assert snapshot(library) == before


def test_missing_file_and_empty_folder_are_reported(library, tmp_path):
    (tmp_path / "empty").mkdir()
    report = library.importing.files([tmp_path / "nope.nbib", tmp_path / "empty"])
    messages = [p.message for p in report.problems]
    assert messages == ["no such file or folder", "this folder holds no MEDLINE files"]
    assert report.nothing_read


def test_a_broken_record_is_reported_with_its_line_and_the_rest_imports(library, tmp_path):
    good = (DATA / "pubmed_result2.txt").read_text(encoding="utf-8")
    broken = tmp_path / "broken.nbib"
    broken.write_text("PMID- 1\nTI  - First.\n\nPMID- 2\nTI  - Bin\x00ary.\n\n" + good)
    report = library.importing.files([broken])
    assert report.files_read == 1
    assert [(p.path, p.line) for p in report.problems] == [(str(broken), 4)]
    pmids = {ref.pmid for ref in library.items.get_many(library.items.search())}
    assert "1" in pmids and "2" not in pmids
    assert len(pmids) == len(report.added) > 2


def test_progress_reports_bytes_up_to_the_total(library):
    seen = []
    library.importing.files(SAMPLES, progress=lambda done, total: seen.append((done, total)))
    total = sum(p.stat().st_size for p in SAMPLES)
    assert seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_cancel_in_the_middle_of_a_file_leaves_the_library_as_before(library, monkeypatch):
    library.importing.files([SEED])
    before = snapshot(library)
    calls = []

    def cancel_after_some_records():
        calls.append(1)
        return len(calls) > 20

    monkeypatch.setattr(library_module, "BATCH_SIZE", 5)
    report = library.importing.files(
        [DATA / "nbib-pubmed-balloongui-set.nbib"], cancelled=cancel_after_some_records
    )
    assert report.cancelled
    assert snapshot(library) == before
    assert index_problems(library) == []


def test_a_failure_in_the_middle_of_a_file_rolls_that_file_back(library, monkeypatch):
    library.importing.files([SEED])
    before = snapshot(library)
    monkeypatch.setattr(library_module, "BATCH_SIZE", 5)
    real_add = stored_items.insert
    batches = []

    def failing_add(db, refs):
        batches.append(refs)
        if len(batches) == 3:
            raise RuntimeError("disk gone")
        return real_add(db, refs)

    monkeypatch.setattr(stored_items, "insert", failing_add)
    with pytest.raises(RuntimeError):
        library.importing.files([DATA / "nbib-pubmed-balloongui-set.nbib"])
    assert snapshot(library) == before
    assert index_problems(library) == []
    monkeypatch.setattr(stored_items, "insert", real_add)
    report = library.importing.files([DATA / "nbib-pubmed-balloongui-set.nbib"])
    assert len(report.added) == 75


def test_import_text_from_the_clipboard(library):
    report = library.importing.text(SEED.read_text(encoding="utf-8"))
    assert len(report.added) == 1
    assert report.summary() == "Imported: 1 added, 0 duplicates skipped from 1 file."


def test_search_finds_by_prefix_across_fields(library):
    library.importing.files(SAMPLES)
    assert library.items.search(ViewQuery(text="iltamio"))
    assert library.items.search(ViewQuery(text="knowles 2023")) == library.items.search(
        ViewQuery(text="iltamiocel")
    )
    assert library.items.search(ViewQuery(text="no-such-word-anywhere")) == []


def test_notes_are_searchable_and_kept(library):
    item_id = library.importing.files([SEED]).added[0]
    note, changes = library.notes.add(item_id, "<p>Ask Dr Raval about zebrafish</p>")
    assert changes.notes == {item_id}
    assert library.items.search(ViewQuery(text="zebrafish")) == [item_id]
    assert [n.html for n in library.notes.of_item(item_id)] == [note.html]


def test_search_text_with_no_words_is_refused_whatever_the_view(library):
    library.importing.files([DATA / "pubmed_result2.txt"])
    collection, _ = library.collections.create("Reading")
    for view in ({}, {"trashed": True}, {"collection": collection.id}, {"tags": ["x"]}):
        with pytest.raises(NoWordsError, match="^the query '\\?' has no words to search for$"):
            library.items.search(ViewQuery(text="?", **view))
    assert library.items.search(ViewQuery(text="  ")) == library.items.search()


# --- tag and collection names -----------------------------------------------------------------


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_a_blank_tag_name_is_refused_and_nothing_changes(library, blank):
    ids = library.importing.files([DATA / "pubmed_result2.txt"]).added
    library.tags.add(ids, ["to read"])
    before = (snapshot(library), library.tags.names())
    refusals = [
        lambda: library.tags.add(ids, ["fine", blank]),
        lambda: library.tags.remove(ids, [blank]),
        lambda: library.tags.rename("to read", blank),
        lambda: library.importing.files([SEED], tags=["fine", blank]),
        lambda: library.importing.text(SEED.read_text(encoding="utf-8"), tags=[blank]),
    ]
    for refused in refusals:
        with pytest.raises(RefmanError, match="^A tag needs a name: it cannot be blank.$"):
            refused()
    assert (snapshot(library), library.tags.names()) == before


def test_tag_and_collection_names_lose_the_spaces_around_them(library):
    ids = library.importing.files([SEED], collection="  Reading  ", tags=[" to read "]).added
    assert [c.name for c in library.collections.all()] == ["Reading"]
    library.importing.files([SEED], collection="Reading")
    assert len(library.collections.all()) == 1
    library.tags.rename("to read", "  later ")
    assert [t.name for t in library.items.get(ids[0]).tags if not t.automatic] == ["later"]


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_collection_name_is_refused(library, blank):
    made, _ = library.collections.create("Reading")
    for refused in (
        lambda: library.collections.create(blank),
        lambda: library.collections.rename(made.id, blank),
        lambda: library.importing.files([SEED], collection=blank),
    ):
        with pytest.raises(RefmanError, match="^A collection needs a name.$"):
            refused()
    assert library.collections.all() == [made] and library.items.count() == 0


# --- where a library may be -------------------------------------------------------------------


def test_a_library_in_a_missing_folder_is_refused_and_no_folder_made(tmp_path):
    with pytest.raises(LibraryError, match="There is no folder .* create the folder first"):
        Library(tmp_path / "missing" / "library.sqlite")
    assert list(tmp_path.iterdir()) == []


def test_the_default_library_gets_its_folders(tmp_path, monkeypatch):
    default = tmp_path / "data" / "refman" / "library.sqlite"
    monkeypatch.setattr(library_core.paths, "default_library_path", lambda: default)
    with Library(default) as made:
        assert made.items.count() == 0
    assert default.is_file()


def test_trash_and_restore(library):
    ids = library.importing.files([DATA / "pubmed_result2.txt"]).added
    library.items.trash(ids[:1])
    assert ids[0] not in library.items.search()
    assert library.items.search(ViewQuery(trashed=True)) == ids[:1]
    library.items.restore(ids[:1])
    assert ids[0] in library.items.search()
    library.items.trash(ids[:1])
    library.items.empty_trash()
    assert library.items.count() == len(ids) - 1
