"""refman.library.importing: duplicates at import, on records shaped like PubMed's.

Different papers that look alike (editorials, errata, replies, book chapters, one guideline in
two journals) must all be added; the same paper twice must not be; and every record the import
does not add is named in the report with what it matched and why. The files are described in
tests/data/duplicates/README.md.
"""

import re
from pathlib import Path

import pytest

import refman.library.importing as library_module
from refman.model import Creator, PartialDate, Reference
from refman.store.duplicates import SAME_DOI, SAME_PMID, SAME_TITLE
from tests.samples import (
    AHEAD_OF_PRINT,
    BALLOON,
    DUPLICATES,
    EDITORIALS,
    FINAL,
    REPEATED,
    SEED_FILE,
)

# Files of different papers only, with how many records each holds.
LOOK_ALIKES = {
    "editorials.nbib": 2,
    "errata.nbib": 5,
    "erratum-titled-as-its-article.nbib": 2,
    "replies.nbib": 2,
    "book-and-chapters.nbib": 5,
    "joint-guideline-without-pmids.nbib": 2,
}


def records_of(path: Path) -> list[str]:
    """The text of each record in a MEDLINE file (records are separated by blank lines)."""
    return [text for text in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")) if text.strip()]


def one_file_per_record(path: Path, folder: Path) -> list[Path]:
    folder.mkdir()
    files = []
    for number, text in enumerate(records_of(path)):
        files.append(folder / f"{number:02d}.nbib")
        files[-1].write_text(text + "\n", encoding="utf-8")
    return files


# --- the same record twice ------------------------------------------------------------------------


def test_same_record_twice_in_one_file_is_one_item(library, tmp_path):
    text = SEED_FILE.read_text(encoding="utf-8")
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
    balloon = BALLOON
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
    report = library.importing.files([SEED_FILE])
    assert report.duplicates == [item_id]
    library.items.update(item_id, title="Something else", doi="10.1097/sla.0000000000005894")
    assert library.importing.files([SEED_FILE]).duplicates == [item_id]


def test_merge_fills_empty_fields_and_unites_tags(library):
    item_id, _ = library.items.add(Reference(title="Old title", pmid="37144409"))
    library.tags.add([item_id], ["to read"])
    report = library.importing.files([SEED_FILE], duplicates="merge")
    assert report.merged == [item_id]
    merged = library.items.get(item_id)
    assert merged.title == "Old title"  # a field the user has is never overwritten
    assert merged.doi == "10.1097/SLA.0000000000005894"
    names = {t.name for t in merged.tags}
    assert "to read" in names and "Fecal Incontinence" in names


def test_keep_adds_a_second_copy(library):
    library.importing.files([SEED_FILE])
    report = library.importing.files([SEED_FILE], duplicates="keep")
    assert len(report.added) == 1
    assert library.items.count() == 2


# --- different papers that look alike -------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LOOK_ALIKES))
def test_look_alikes_in_one_file_are_all_added(library, name):
    report = library.importing.files([DUPLICATES / name])
    assert (len(report.added), report.not_added, report.problems) == (LOOK_ALIKES[name], [], [])
    assert library.items.count() == LOOK_ALIKES[name]
    assert report.summary() == (
        f"Imported: {LOOK_ALIKES[name]} added, 0 duplicates skipped from 1 file."
    )


@pytest.mark.parametrize("name", sorted(LOOK_ALIKES))
def test_look_alikes_imported_one_by_one_are_all_added(library, tmp_path, name):
    # Each record is then checked against the library, not against the file.
    for path in one_file_per_record(DUPLICATES / name, tmp_path / "records"):
        report = library.importing.files([path])
        assert (len(report.added), report.not_added) == (1, [])
    assert library.items.count() == LOOK_ALIKES[name]


def test_look_alikes_are_kept_apart_by_what_tells_them_apart(library):
    library.importing.files([DUPLICATES / name for name in LOOK_ALIKES])
    refs = library.items.get_many(library.items.search())
    editorials = [r for r in refs if r.title == "Editorial"]
    assert sorted(r.container_title for r in editorials) == [
        "Journal of advanced nursing",
        "Journal of clinical nursing",
    ]
    errata = [r for r in refs if "Published Erratum" in r.publication_types]
    assert len({r.pmid for r in errata}) == len(errata) == 6
    chapters = [r for r in refs if r.item_type == "chapter"]
    assert sorted(r.title for r in chapters) == [
        "Introduction",
        "Introduction",
        "Methods",
        "Results",
    ]
    assert len({r.container_title for r in chapters}) == 2
    guidelines = [r for r in refs if "Practice Guideline" in r.publication_types]
    assert sorted(r.container_title_short for r in guidelines) == [
        "Hypertension",
        "J Am Coll Cardiol",
    ]


@pytest.mark.parametrize("policy", ["skip", "merge"])
def test_a_generic_title_typed_by_hand_swallows_no_record(library, policy):
    # Without identifiers on one side nothing vetoes: only the title rule keeps them apart,
    # and merge fills an item only from a true duplicate.
    typed, _ = library.items.add(
        Reference(title="Editorial", date=PartialDate(2021), creators=(Creator("Jackson", "D"),))
    )
    files = [EDITORIALS, DUPLICATES / "errata.nbib"]
    report = library.importing.files(files, duplicates=policy)
    assert (len(report.added), report.not_added) == (7, [])
    assert library.items.get(typed).container_title == ""


def test_importing_the_look_alikes_again_skips_each_for_its_own_item(library):
    files = [DUPLICATES / name for name in sorted(LOOK_ALIKES)]
    first = library.importing.files(files)
    again = library.importing.files(files)
    assert again.added == []
    assert library.items.count() == len(first.added) == sum(LOOK_ALIKES.values())
    # Each record matched the item it made the first time, not a look-alike of it.
    assert [record.item_id for record in again.not_added] == first.added
    assert again.duplicates == first.added
    reasons = {record.reason for record in again.not_added}
    assert reasons == {SAME_PMID, SAME_DOI}  # the guideline's records have no PMID
    assert (
        again.summary() == f"Imported: 0 added, {len(first.added)} duplicates skipped from 6 files."
    )


# --- the same paper twice -------------------------------------------------------------------------


def test_the_final_record_of_an_article_read_ahead_of_print_is_skipped(library):
    (ahead,) = library.importing.files([AHEAD_OF_PRINT]).added
    report = library.importing.files([FINAL])
    assert (report.added, report.duplicates, len(report.not_added)) == ([], [ahead], 1)
    record = report.not_added[0]
    title = library.items.get(ahead).title
    assert (record.path, record.line, record.pmid) == (str(FINAL), 2, "99400001")
    assert (record.item_id, record.item_title, record.reason) == (ahead, title, SAME_PMID)
    assert not record.merged
    assert library.items.get(ahead).volume == ""  # skip leaves the item as it is
    assert report.summary() == "Imported: 0 added, 1 duplicate skipped from 1 file."


def test_merging_the_final_record_fills_what_the_ahead_of_print_one_lacked(library):
    (ahead,) = library.importing.files([AHEAD_OF_PRINT]).added
    before = library.items.get(ahead)
    library.items.update(ahead, title="My own title for it")
    report = library.importing.files([FINAL], duplicates="merge")
    assert (report.added, report.merged) == ([], [ahead])
    assert [(r.merged, r.item_id, r.reason) for r in report.not_added] == [(True, ahead, SAME_PMID)]
    merged = library.items.get(ahead)
    assert (merged.volume, merged.issue, merged.pages) == ("278", "6", "945-952")
    assert "Fecal Incontinence" in {tag.name for tag in merged.tags}
    assert merged.title == "My own title for it"  # what the item has is never overwritten
    assert merged.date == before.date
    assert report.summary() == "Imported: 0 added, 1 merged, 0 duplicates skipped from 1 file."


def test_keep_adds_the_final_record_as_a_second_copy(library):
    library.importing.files([AHEAD_OF_PRINT])
    report = library.importing.files([FINAL], duplicates="keep")
    assert (len(report.added), report.not_added) == (1, [])
    assert library.items.count() == 2


# --- repeats within one file ----------------------------------------------------------------------


# (line, line it repeats, reason) of each repeat in repeated-records.nbib.
REPEATS = [(47, 2, SAME_PMID), (62, 17, SAME_DOI), (70, 17, SAME_TITLE)]


@pytest.mark.parametrize("batch", [1, 2, 500])
def test_repeats_within_a_file_are_counted_and_named(library, monkeypatch, batch):
    # With small batches the first copy is written before its repeat is read: the repeat
    # is then found in the library, and must still be named as a repeat in the file.
    monkeypatch.setattr(library_module, "BATCH_SIZE", batch)
    report = library.importing.files([REPEATED])
    assert len(report.added) == library.items.count() == 4
    found = [(r.line, r.twin_line, r.reason, r.item_id, r.merged) for r in report.not_added]
    assert found == [(line, twin, reason, None, False) for line, twin, reason in REPEATS]
    assert report.duplicates == []  # nothing was in the library before
    assert report.summary() == "Imported: 4 added, 3 duplicates skipped from 1 file."
    assert str(report.not_added[0]) == (
        f'{REPEATED}:47: skipped PMID 99600001 "Vitamin D supplementation and fracture risk '
        'in community-...": same PMID as the record at line 2 of the same file'
    )


def test_repeats_within_a_file_are_merged_into_their_first_copy(library):
    report = library.importing.files([REPEATED], duplicates="merge")
    assert len(report.added) == 4
    found = [(r.line, r.twin_line, r.reason, r.merged) for r in report.not_added]
    assert found == [(line, twin, reason, True) for line, twin, reason in REPEATS]
    assert report.summary() == "Imported: 4 added, 3 merged, 0 duplicates skipped from 1 file."
    assert str(report.not_added[2]).endswith(
        "into the record at line 17 of the same file: same title, year and first author"
    )


def test_records_repeating_items_of_an_earlier_file_name_those_items(library):
    # Two files in one import: the second file's record matches an item the first one added.
    report = library.importing.files([REPEATED, EDITORIALS, REPEATED])
    assert len(report.added) == 6
    second = report.not_added[3:]
    assert [(r.line, r.item_id is not None) for r in second] == [
        (2, True),
        (17, True),
        (32, True),
        (47, True),
        (62, True),
        (70, True),
        (76, True),
    ]
    titles = {r.item_id: r.item_title for r in second}
    assert titles == {ref.id: ref.title for ref in library.items.get_many(list(titles))}
    assert report.summary() == "Imported: 6 added, 10 duplicates skipped from 3 files."


def test_a_file_rolled_back_reports_none_of_its_records(library, monkeypatch):
    def cancel_after_two_repeats():  # asked before the file, then before each record
        calls.append(1)
        return len(calls) > 6

    calls = []
    monkeypatch.setattr(library_module, "BATCH_SIZE", 2)
    report = library.importing.files([REPEATED], cancelled=cancel_after_two_repeats)
    assert report.cancelled
    assert (report.added, report.not_added, library.items.count()) == ([], [], 0)
