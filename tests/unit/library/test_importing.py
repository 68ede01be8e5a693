"""refman.library.importing: MEDLINE files, folders and text read into the library, one
transaction per file, with progress, cancel and a report of every problem; what an import opens
(regular files only, never the library's own files, never half of a file that changes while it
is read). Duplicates at import are in test_importing_duplicates.py, bad files in
test_importing_bad_input.py."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

import refman.library.importing as library_module
from refman.formats import medline
from refman.library import Library
from refman.library.importing import FILE_CHANGED, NO_READABLE_FILES
from refman.model import ViewQuery
from refman.store import items as stored_items
from tests.safety_helpers import (
    fail_at_batch,
    file_problems,
    fill_library,
    index_problems,
    snapshot,
    unix_socket,
)
from tests.samples import BALLOON, REAL_FILES, RECORDS_PER_PART, RESULT2, SEED_FILE, ZOTERO_CASES

GOOD = ZOTERO_CASES[1]  # two records


def test_seed_imports_with_every_field(library):
    report = library.importing.files([SEED_FILE])
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
    first = library.importing.files(REAL_FILES)
    count = library.items.count()
    assert count == len(first.added) > 75
    second = library.importing.files(REAL_FILES)
    assert second.added == []
    assert library.items.count() == count
    assert len(second.duplicates) == count


def test_collection_and_tags_apply_to_new_and_matched_items(library):
    library.importing.files([SEED_FILE])
    report = library.importing.files([SEED_FILE, RESULT2], collection="Thesis", tags=["phd"])
    thesis = library.collections.find("Thesis")
    in_thesis = library.items.search(ViewQuery(collection=thesis.id))
    assert sorted(in_thesis) == sorted(report.item_ids)
    assert sorted(library.items.search(ViewQuery(tags=["phd"]))) == sorted(report.item_ids)


def test_folder_imports_the_medline_files_inside(library, tmp_path):
    folder = tmp_path / "downloads"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SEED_FILE, folder / "seed.txt")
    shutil.copy(RESULT2, folder / "sub" / "more.nbib")
    (folder / "notes.txt").write_text("shopping list: milk, eggs\n")
    (folder / "paper.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    report = library.importing.files([folder])
    assert report.files_read == 2
    assert report.problems == []
    assert library.items.count() == len(report.added) > 1
    assert library.items.search(ViewQuery(text="iltamiocel"))


def test_a_file_that_is_not_medline_is_one_clear_problem(library, tmp_path):
    library.importing.files([SEED_FILE])
    before = snapshot(library.path)
    bib = tmp_path / "refs.nbib"
    bib.write_text("Knowles 2023, Safety and efficacy; see the PDF.\n")  # in no format
    report = library.importing.files([bib])
    assert report.files_failed == 1 and report.files_read == 0
    assert len(report.problems) == 1
    assert str(bib) in str(report.problems[0])
    assert snapshot(library.path) == before


def test_missing_file_and_empty_folder_are_reported(library, tmp_path):
    (tmp_path / "empty").mkdir()
    report = library.importing.files([tmp_path / "nope.nbib", tmp_path / "empty"])
    messages = [p.message for p in report.problems]
    assert messages == ["no such file or folder", NO_READABLE_FILES]
    assert report.nothing_read


def test_a_broken_record_is_reported_with_its_line_and_the_rest_imports(library, tmp_path):
    good = (RESULT2).read_text(encoding="utf-8")
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
    library.importing.files(REAL_FILES, progress=lambda done, total: seen.append((done, total)))
    total = sum(p.stat().st_size for p in REAL_FILES)
    assert seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_cancel_in_the_middle_of_a_file_leaves_the_library_as_before(library, monkeypatch):
    library.importing.files([SEED_FILE])
    before = snapshot(library.path)
    calls = []

    def cancel_after_some_records():
        calls.append(1)
        return len(calls) > 20

    monkeypatch.setattr(library_module, "BATCH_SIZE", 5)
    report = library.importing.files([BALLOON], cancelled=cancel_after_some_records)
    assert report.cancelled
    assert snapshot(library.path) == before
    assert index_problems(library) == []


def test_a_failure_in_the_middle_of_a_file_rolls_that_file_back(library, monkeypatch):
    library.importing.files([SEED_FILE])
    before = snapshot(library.path)
    monkeypatch.setattr(library_module, "BATCH_SIZE", 5)
    real_add = fail_at_batch(monkeypatch, 3)
    with pytest.raises(RuntimeError):
        library.importing.files([BALLOON])
    assert snapshot(library.path) == before
    assert index_problems(library) == []
    monkeypatch.setattr(stored_items, "insert", real_add)
    report = library.importing.files([BALLOON])
    assert len(report.added) == 75


def test_import_text_from_the_clipboard(library):
    report = library.importing.text(SEED_FILE.read_text(encoding="utf-8"))
    assert len(report.added) == 1
    assert report.summary() == "Imported: 1 added, 0 duplicates skipped from 1 file."


def test_csl_json_pasted_from_doi_org_is_read_as_csl_json(library):
    answer = SEED_FILE.parent / "import" / "csljson" / "doi-content-negotiation.json"
    report = library.importing.text(answer.read_text(encoding="utf-8"))
    assert report.problems == []
    (ref,) = library.items.get_many(report.added)
    assert ref.title == "The Structure of Ordinary Water"
    assert ref.doi == "10.1126/science.169.3946.635"


def test_a_full_disk_fails_the_file_cleanly_and_says_so(filled_library, synthetic_parts):
    """SQLite's page limit stands in for the disk: the write that needs a page more fails."""
    before = snapshot(filled_library)
    with Library(filled_library) as library:
        pages = library.connection.db.execute_sql("PRAGMA page_count").fetchone()[0]
        library.connection.db.execute_sql(f"PRAGMA max_page_count = {pages + 20}")
        report = library.importing.files(synthetic_parts[:1])
        assert (report.files_read, report.files_failed, report.added) == (0, 1, [])
        assert [str(p) for p in report.problems] == [
            f"{synthetic_parts[0]}: the disk is full: part1.nbib was not imported; "
            "nothing in the library changed"
        ]
        library.connection.db.execute_sql(f"PRAGMA max_page_count = {2**30}")  # room again
        assert len(library.importing.files(synthetic_parts[:1]).added) == RECORDS_PER_PART
    with Library(filled_library) as library:
        assert file_problems(library) == []
        assert index_problems(library) == []
        ids = set(library.items.all_ids())
    assert {ref.id for ref in before[0]} <= ids


# --- files that are not regular files -------------------------------------------------------------


def messages(report) -> dict[str, str]:
    return {problem.path: problem.message for problem in report.problems}


def test_a_folder_skips_what_is_not_a_regular_file(filled_library, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    os.mkfifo(folder / "pipe.nbib")
    server = unix_socket(folder / "socket.txt")
    (folder / "zero.nbib").symlink_to("/dev/zero")
    shutil.copy(GOOD, folder / "good.nbib")
    try:
        with Library(filled_library) as library:
            report = library.importing.files([folder])
    finally:
        server.close()
    assert (len(report.added), report.files_read, report.problems) == (2, 1, [])


# --- the library's own files ----------------------------------------------------------------------


OWN = "this is the library itself; it cannot be imported"

BACKUP = "this is in the library's backups folder; to go back to a backup, use restore"


def part_of_library(suffix: str) -> str:
    return f"this is part of the library itself (SQLite's {suffix} file); it cannot be imported"


class OpenedFiles:
    """The paths this process opens (Python's ``open`` audit event: open(), os.open, io)."""

    recording: list[str] | None = None

    @classmethod
    def hook(cls, event: str, args: tuple) -> None:
        if event == "open" and cls.recording is not None and isinstance(args[0], (str, Path)):
            cls.recording.append(os.path.realpath(args[0]))


sys.addaudithook(OpenedFiles.hook)


def import_recording_opens(library: Library, paths) -> tuple:
    OpenedFiles.recording = []
    try:
        report = library.importing.files(paths)
    finally:
        opened, OpenedFiles.recording = OpenedFiles.recording, None
    return report, opened


def test_the_library_its_log_and_its_backups_are_refused_unopened(filled_library, tmp_path):
    with Library(filled_library) as library:
        library.tags.add(library.items.search()[:1], ["written"])  # the -wal file holds a commit
        backup = library.safety.backup()
        link = tmp_path / "another-name.nbib"
        os.link(filled_library, link)
        paths = [filled_library, link, *(f"{filled_library}{s}" for s in ("-wal", "-shm")), backup]
        before = snapshot(filled_library)
        report, opened = import_recording_opens(library, paths)
    assert messages(report) == {
        str(filled_library): OWN,
        str(link): OWN,
        f"{filled_library}-wal": part_of_library("-wal"),
        f"{filled_library}-shm": part_of_library("-shm"),
        str(backup): BACKUP,
    }
    assert (report.files_read, report.added) == (0, [])
    library_files = {os.path.realpath(p) for p in [*paths, f"{filled_library}-journal"]}
    assert library_files.isdisjoint(opened)
    assert snapshot(filled_library) == before


def test_a_folder_holding_the_library_imports_the_rest(tmp_path):
    """A library named without a suffix looks like a MEDLINE file to the folder walk; it and
    its companions are refused before the walk would sniff them."""
    folder = tmp_path / "papers"
    folder.mkdir()
    library_path = fill_library(folder / "refs")
    shutil.copy(GOOD, folder / "good.nbib")
    with Library(library_path) as library:
        library.safety.backup()
        before = snapshot(library_path)
        report, opened = import_recording_opens(library, [folder])
        wal_exists = Path(f"{library_path}-wal").exists()
    assert len(report.added) == 2
    refused = {str(library_path): OWN}
    if wal_exists:
        refused[f"{library_path}-wal"] = part_of_library("-wal")
        refused[f"{library_path}-shm"] = part_of_library("-shm")
    assert messages(report) == refused
    own = {os.path.realpath(library_path), os.path.realpath(f"{library_path}-wal")}
    assert own.isdisjoint(opened)
    assert os.path.realpath(folder / "good.nbib") in opened
    assert snapshot(library_path)[0][: len(before[0])] == before[0]


# --- files that change while they are read --------------------------------------------------------


def shrink(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def grow(path: Path) -> None:
    with path.open("a") as handle:
        handle.write("\nPMID- 39999999\nTI  - A record written while the file was read.\n")


def replace(path: Path) -> None:
    other = path.with_name("other.nbib")
    shutil.copy(GOOD, other)
    os.replace(other, path)


def titles(*paths: Path) -> set[str]:
    return {ref.title for path in paths for ref in medline.read(path)}


@pytest.mark.parametrize("change", [shrink, grow, replace])
def test_a_file_that_changes_while_it_is_read_is_not_imported(tmp_path, change):
    """The change comes from the progress callback, once the first bytes of the file were
    read: the file then really changes under the reader, at the same moment every time."""
    first = Path(shutil.copy(GOOD, tmp_path / "first.nbib"))
    changing = Path(shutil.copy(BALLOON, tmp_path / "downloading.nbib"))
    last = Path(shutil.copy(ZOTERO_CASES[2], tmp_path / "last.nbib"))
    changed: list[int] = []

    def progress(read: int, total: int) -> None:
        if not changed and read > first.stat().st_size:  # inside the changing file
            changed.append(read)
            change(changing)

    with Library(tmp_path / "library.sqlite") as library:
        report = library.importing.files([first, changing, last], progress=progress)
        stored = {ref.title for ref in library.items.get_many(library.items.search())}
    assert changed
    assert messages(report) == {str(changing): FILE_CHANGED}
    assert (report.files_read, report.files_failed) == (2, 1)
    assert stored == titles(first, last)  # the other files, and nothing of the changing one


def test_the_message_for_a_changed_file_names_it(filled_library, tmp_path):
    changing = Path(shutil.copy(BALLOON, tmp_path / "downloading.nbib"))
    before = snapshot(filled_library)
    with Library(filled_library) as library:
        report = library.importing.files([changing], progress=lambda *_: shrink(changing))
    assert [str(p) for p in report.problems] == [
        f"{changing}: it changed while it was being imported; it was not imported: "
        "import it again when it is complete"
    ]
    assert snapshot(filled_library) == before


# --- the full-text index written for many batches at once (issue 18) ---------------------------


def _medline(pmid: str, title: str, extra: str = "") -> str:
    return f"PMID- {pmid}\nTI  - {title}\nDP  - 2020\n{extra}\n"


def test_a_merge_into_an_item_waiting_for_the_index_puts_it_there_first(
    library, tmp_path, monkeypatch
):
    # Batches of 5; the index written 10,000 items at a time: the merged item is waiting.
    monkeypatch.setattr(library_module, "BATCH_SIZE", 5)
    first = _medline("11", "Quokkas of the island", "FAU - Smith, Ann\nAU  - Smith A")
    fillers = [_medline(str(100 + n), f"Filler number {n}") for n in range(12)]
    again = _medline("11", "Quokkas of the island", "AB  - Wallabies nearby.\nLA  - fre")
    path = tmp_path / "merge.nbib"
    path.write_text("\n".join([first, *fillers, again]), encoding="utf-8")
    indexed: list[tuple[int, int]] = []
    real_index = stored_items.fts.index_range

    def index_range(db, table, first_id, last_id):
        indexed.append((first_id, last_id))
        real_index(db, table, first_id, last_id)

    monkeypatch.setattr(stored_items.fts, "index_range", index_range)
    report = library.importing.files([path], duplicates="merge")
    assert len(report.added) == 13
    assert indexed == [(1, 10), (11, 13)]  # the first 10 before the merge, the rest at the end
    assert index_problems(library) == []
    (merged,) = library.items.search(ViewQuery(text="wallabies quokkas"))
    assert library.items.search(ViewQuery(text="filler")) != []
    assert merged == min(report.added)


def test_new_items_are_indexed_many_batches_at_once(library, monkeypatch):
    monkeypatch.setattr(library_module, "BATCH_SIZE", 5)
    monkeypatch.setattr(stored_items, "INDEXED_AT_ONCE", 20)
    statements: list[tuple[int, int]] = []
    real_index = stored_items.fts.index_range
    monkeypatch.setattr(
        stored_items.fts,
        "index_range",
        lambda db, table, a, b: statements.append((a, b)) or real_index(db, table, a, b),
    )
    report = library.importing.files([BALLOON])
    assert len(report.added) == 75
    assert statements == [(1, 20), (21, 40), (41, 60), (61, 75)]
    assert index_problems(library) == []
    assert library.items.search(ViewQuery(text="balloon"))


def test_tag_and_affiliation_ids_kept_across_batches_stay_right(library, monkeypatch):
    monkeypatch.setattr(library_module, "BATCH_SIZE", 5)
    monkeypatch.setattr(stored_items, "IDS_KEPT", 30)  # forgotten and learnt again
    report = library.importing.files([BALLOON])
    with Library(library.path.parent / "other.sqlite") as other:
        monkeypatch.setattr(stored_items, "IDS_KEPT", 10**9)
        monkeypatch.setattr(library_module, "BATCH_SIZE", 500)
        again = other.importing.files([BALLOON])
        assert [other.items.get(i).tags for i in again.added] == [
            library.items.get(i).tags for i in report.added
        ]
        assert [other.items.get(i).creators for i in again.added] == [
            library.items.get(i).creators for i in report.added
        ]
