"""The import service and the library API, on the real sample files."""

import shutil
from pathlib import Path

import pytest

import refman.library as library_module
from refman.library import Library
from refman.model import Creator, LibraryError, NoWordsError, PartialDate, Reference, RefmanError

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
    return lib.get_many(lib.search(sort="pmid")) + lib.get_many(lib.search(trashed=True))


def test_seed_imports_with_every_field(library):
    report = library.import_files([SEED])
    assert (len(report.added), report.problems) == (1, [])
    ref = library.get(report.added[0])
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
    first = library.import_files(SAMPLES)
    count = library.item_count()
    assert count == len(first.added) > 75
    second = library.import_files(SAMPLES)
    assert second.added == []
    assert library.item_count() == count
    assert len(second.duplicates) == count


def test_same_record_twice_in_one_file_is_one_item(library, tmp_path):
    text = SEED.read_text(encoding="utf-8")
    doubled = tmp_path / "twice.nbib"
    doubled.write_text(text + "\n\n" + text, encoding="utf-8")
    report = library.import_files([doubled])
    assert library.item_count() == 1
    assert len(report.added) == 1


@pytest.mark.parametrize("batch", [1, 2, 7, 500])
def test_a_record_repeated_after_many_others_is_still_one_item(library, monkeypatch, batch):
    # Duplicates are looked up a batch at a time: the repeat must be found whether the
    # first copy is still waiting to be written or was written batches before.
    monkeypatch.setattr(library_module, "BATCH_SIZE", batch)
    balloon = DATA / "nbib-pubmed-balloongui-set.nbib"
    text = balloon.read_text(encoding="utf-8")
    report = library.import_text(text + "\n\n" + text)
    assert library.item_count() == len(report.added) == 75


def test_duplicate_found_by_doi_and_by_title(library):
    item_id, _ = library.add(
        Reference(
            title="Safety and efficacy of iltamiocel cellular therapy for the treatment "
            "of fecal incontinence: results of a phase 1/2 study",
            date=PartialDate(2023),
            creators=(Creator("Knowles", "C"),),
        )
    )
    report = library.import_files([SEED])
    assert report.duplicates == [item_id]
    library.update(item_id, title="Something else", doi="10.1097/sla.0000000000005894")
    assert library.import_files([SEED]).duplicates == [item_id]


def test_merge_fills_empty_fields_and_unites_tags(library):
    item_id, _ = library.add(Reference(title="Old title", pmid="37144409"))
    library.add_tags([item_id], ["to read"])
    report = library.import_files([SEED], duplicates="merge")
    assert report.merged == [item_id]
    merged = library.get(item_id)
    assert merged.title == "Old title"  # a field the user has is never overwritten
    assert merged.doi == "10.1097/SLA.0000000000005894"
    names = {t.name for t in merged.tags}
    assert "to read" in names and "Fecal Incontinence" in names


def test_keep_adds_a_second_copy(library):
    library.import_files([SEED])
    report = library.import_files([SEED], duplicates="keep")
    assert len(report.added) == 1
    assert library.item_count() == 2


def test_collection_and_tags_apply_to_new_and_matched_items(library):
    library.import_files([SEED])
    report = library.import_files(
        [SEED, DATA / "pubmed_result2.txt"], collection="Thesis", tags=["phd"]
    )
    thesis = library.find_collection("Thesis")
    in_thesis = library.search(collection=thesis.id)
    assert sorted(in_thesis) == sorted(report.item_ids)
    assert sorted(library.search(tags=["phd"])) == sorted(report.item_ids)


def test_folder_imports_the_medline_files_inside(library, tmp_path):
    folder = tmp_path / "downloads"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SEED, folder / "seed.txt")
    shutil.copy(DATA / "pubmed_result2.txt", folder / "sub" / "more.nbib")
    (folder / "notes.txt").write_text("shopping list: milk, eggs\n")
    (folder / "paper.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    report = library.import_files([folder])
    assert report.files_read == 2
    assert report.problems == []
    assert library.item_count() == len(report.added) > 1
    assert library.search("iltamiocel")


def test_a_file_that_is_not_medline_is_one_clear_problem(library, tmp_path):
    library.import_files([SEED])
    before = snapshot(library)
    bib = tmp_path / "refs.nbib"
    bib.write_text("@article{knowles2023, title={Safety}, year={2023}}\n")
    report = library.import_files([bib])
    assert report.files_failed == 1 and report.files_read == 0
    assert len(report.problems) == 1
    assert str(bib) in str(report.problems[0])
    assert snapshot(library) == before


def test_missing_file_and_empty_folder_are_reported(library, tmp_path):
    (tmp_path / "empty").mkdir()
    report = library.import_files([tmp_path / "nope.nbib", tmp_path / "empty"])
    messages = [p.message for p in report.problems]
    assert messages == ["no such file or folder", "this folder holds no MEDLINE files"]
    assert report.nothing_read


def test_a_broken_record_is_reported_with_its_line_and_the_rest_imports(library, tmp_path):
    good = (DATA / "pubmed_result2.txt").read_text(encoding="utf-8")
    broken = tmp_path / "broken.nbib"
    broken.write_text("PMID- 1\nTI  - First.\n\nPMID- 2\nTI  - Bin\x00ary.\n\n" + good)
    report = library.import_files([broken])
    assert report.files_read == 1
    assert [(p.path, p.line) for p in report.problems] == [(str(broken), 4)]
    pmids = {ref.pmid for ref in library.get_many(library.search())}
    assert "1" in pmids and "2" not in pmids
    assert len(pmids) == len(report.added) > 2


def test_progress_reports_bytes_up_to_the_total(library):
    seen = []
    library.import_files(SAMPLES, progress=lambda done, total: seen.append((done, total)))
    total = sum(p.stat().st_size for p in SAMPLES)
    assert seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_cancel_in_the_middle_of_a_file_leaves_the_library_as_before(library, monkeypatch):
    library.import_files([SEED])
    before = snapshot(library)
    calls = []

    def cancel_after_some_records():
        calls.append(1)
        return len(calls) > 20

    monkeypatch.setattr(library_module, "BATCH_SIZE", 5)
    report = library.import_files(
        [DATA / "nbib-pubmed-balloongui-set.nbib"], cancelled=cancel_after_some_records
    )
    assert report.cancelled
    assert snapshot(library) == before
    assert library.store.check_fts() == []


def test_a_failure_in_the_middle_of_a_file_rolls_that_file_back(library, monkeypatch):
    library.import_files([SEED])
    before = snapshot(library)
    monkeypatch.setattr(library_module, "BATCH_SIZE", 5)
    real_add = library.store.add_references
    batches = []

    def failing_add(refs):
        batches.append(refs)
        if len(batches) == 3:
            raise RuntimeError("disk gone")
        return real_add(refs)

    monkeypatch.setattr(library.store, "add_references", failing_add)
    with pytest.raises(RuntimeError):
        library.import_files([DATA / "nbib-pubmed-balloongui-set.nbib"])
    assert snapshot(library) == before
    assert library.store.check_fts() == []
    monkeypatch.setattr(library.store, "add_references", real_add)
    report = library.import_files([DATA / "nbib-pubmed-balloongui-set.nbib"])
    assert len(report.added) == 75


def test_import_text_from_the_clipboard(library):
    report = library.import_text(SEED.read_text(encoding="utf-8"))
    assert len(report.added) == 1
    assert report.summary() == "Imported: 1 added, 0 duplicates skipped from 1 file."


def test_search_finds_by_prefix_across_fields(library):
    library.import_files(SAMPLES)
    assert library.search("iltamio")
    assert library.search("knowles 2023") == library.search("iltamiocel")
    assert library.search("no-such-word-anywhere") == []


def test_notes_are_searchable_and_kept(library):
    item_id = library.import_files([SEED]).added[0]
    note, changes = library.add_note(item_id, "<p>Ask Dr Raval about zebrafish</p>")
    assert changes.notes == {item_id}
    assert library.search("zebrafish") == [item_id]
    assert [n.html for n in library.notes(item_id)] == [note.html]


def test_search_text_with_no_words_is_refused_whatever_the_view(library):
    library.import_files([DATA / "pubmed_result2.txt"])
    collection, _ = library.create_collection("Reading")
    for view in ({}, {"trashed": True}, {"collection": collection.id}, {"tags": ["x"]}):
        with pytest.raises(NoWordsError, match="^the query '\\?' has no words to search for$"):
            library.search("?", **view)
    assert library.search("  ") == library.search()


# --- tag and collection names -----------------------------------------------------------------


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_a_blank_tag_name_is_refused_and_nothing_changes(library, blank):
    ids = library.import_files([DATA / "pubmed_result2.txt"]).added
    library.add_tags(ids, ["to read"])
    before = (snapshot(library), library.tag_names())
    refusals = [
        lambda: library.add_tags(ids, ["fine", blank]),
        lambda: library.remove_tags(ids, [blank]),
        lambda: library.rename_tag("to read", blank),
        lambda: library.import_files([SEED], tags=["fine", blank]),
        lambda: library.import_text(SEED.read_text(encoding="utf-8"), tags=[blank]),
    ]
    for refused in refusals:
        with pytest.raises(RefmanError, match="^A tag needs a name: it cannot be blank.$"):
            refused()
    assert (snapshot(library), library.tag_names()) == before


def test_tag_and_collection_names_lose_the_spaces_around_them(library):
    ids = library.import_files([SEED], collection="  Reading  ", tags=[" to read "]).added
    assert [c.name for c in library.collections()] == ["Reading"]
    library.import_files([SEED], collection="Reading")
    assert len(library.collections()) == 1
    library.rename_tag("to read", "  later ")
    assert [t.name for t in library.get(ids[0]).tags if not t.automatic] == ["later"]


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_collection_name_is_refused(library, blank):
    made, _ = library.create_collection("Reading")
    for refused in (
        lambda: library.create_collection(blank),
        lambda: library.rename_collection(made.id, blank),
        lambda: library.import_files([SEED], collection=blank),
    ):
        with pytest.raises(RefmanError, match="^A collection needs a name.$"):
            refused()
    assert library.collections() == [made] and library.item_count() == 0


# --- where a library may be -------------------------------------------------------------------


def test_a_library_in_a_missing_folder_is_refused_and_no_folder_made(tmp_path):
    with pytest.raises(LibraryError, match="There is no folder .* create the folder first"):
        Library(tmp_path / "missing" / "library.sqlite")
    assert list(tmp_path.iterdir()) == []


def test_the_default_library_gets_its_folders(tmp_path, monkeypatch):
    default = tmp_path / "data" / "refman" / "library.sqlite"
    monkeypatch.setattr(library_module.paths, "default_library_path", lambda: default)
    with Library(default) as made:
        assert made.item_count() == 0
    assert default.is_file()


def test_trash_and_restore(library):
    ids = library.import_files([DATA / "pubmed_result2.txt"]).added
    library.trash(ids[:1])
    assert ids[0] not in library.search()
    assert library.search(trashed=True) == ids[:1]
    library.restore(ids[:1])
    assert ids[0] in library.search()
    library.trash(ids[:1])
    library.empty_trash()
    assert library.item_count() == len(ids) - 1
