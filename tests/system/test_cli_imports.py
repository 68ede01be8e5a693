"""``refman import --dry-run`` (the review as text or JSON, nothing changed), ``refman imports``
(every import as a batch) and ``refman imports undo N``, through real ``refman`` processes."""

from __future__ import annotations

import json

from refman.library import Library
from refman.store import migrations
from tests.safety_helpers import as_before_field_indexes, refman, snapshot
from tests.samples import AHEAD_OF_PRINT, BAD, FINAL, REPEATED, RESULT2, SEED_FILE


def ok(library, *args) -> str:
    result = refman(library, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_dry_run_prints_each_record_and_changes_nothing(filled_library):
    before = snapshot(filled_library)
    batches_before = ok(filled_library, "imports")
    out = ok(filled_library, "import", "--dry-run", SEED_FILE, REPEATED, BAD / "no_pmid.nbib")
    lines = out.splitlines()
    assert lines[0] == "Review: 10 records in 3 files: 6 new, 1 duplicate, 3 repeats, 1 problem."
    seed = next(line for line in lines if line.startswith(f"  {SEED_FILE}:"))
    assert "duplicate: PMID 37144409" in seed and ": same PMID as item " in seed
    assert f"  {REPEATED}:47  repeat: " in out
    assert "same PMID as the record at line 2 of the same file" in out
    assert f"{BAD / 'no_pmid.nbib'}:8  problem: this record has no title" in out
    assert lines[-1] == "Nothing was imported (--dry-run)."
    assert snapshot(filled_library) == before
    assert ok(filled_library, "imports") == batches_before


def test_dry_run_as_json(library_path):
    ok(library_path, "import", AHEAD_OF_PRINT)
    review = json.loads(ok(library_path, "import", "--dry-run", "--json", FINAL, RESULT2))
    assert review["summary"] == "Review: 5 records in 2 files: 4 new, 1 duplicate."
    assert [f["records"] for f in review["files"]] == [1, 4]
    first = review["records"][0]
    assert (first["status"], first["line"], first["reason"]) == ("duplicate", 2, "same PMID")
    assert first["item"] == 1 and first["pmid"] == "99400001"
    assert {r["status"] for r in review["records"][1:]} == {"new"}


def test_dry_run_without_a_library_makes_none(tmp_path):
    library = tmp_path / "none-yet.sqlite"
    out = ok(library, "import", "--dry-run", RESULT2)
    assert out.startswith("Review: 4 records in 1 file: 4 new.")
    assert not library.exists()


def test_dry_run_of_a_file_that_cannot_be_read_fails_plainly(library_path, tmp_path):
    result = refman(library_path, "import", "--dry-run", tmp_path / "missing.nbib")
    assert result.returncode == 1
    assert "no such file or folder" in result.stdout


def test_json_without_dry_run_is_refused_before_anything_changes(library_path):
    result = refman(library_path, "import", "--json", SEED_FILE)
    assert result.returncode == 1
    assert (
        result.stderr
        == "refman: --json goes with --dry-run: an import prints its report as text.\n"
    )
    assert not library_path.exists()


def test_imports_lists_each_import_and_undo_takes_it_back(library_path):
    assert ok(library_path, "import", SEED_FILE).startswith("Imported: 1 added")
    ok(library_path, "import", AHEAD_OF_PRINT, RESULT2)
    ok(library_path, "import", "--duplicates", "merge", FINAL)
    listed = ok(library_path, "imports").splitlines()
    assert [line.split(",")[0] for line in listed] == ["Import 3", "Import 2", "Import 1"]
    assert listed[0].endswith(f"{FINAL.name}: 0 added, 1 merged")
    assert listed[1].endswith(f"{AHEAD_OF_PRINT.name}, {RESULT2.name}: 5 added")
    rows = [json.loads(line) for line in ok(library_path, "imports", "--json").splitlines()]
    assert [(r["import"], r["added"], r["merged"]) for r in rows] == [
        (3, 0, 1),
        (2, 5, 0),
        (1, 1, 0),
    ]

    undo = ok(library_path, "imports", "undo", "3")
    assert undo == "Undid import 3: removed 0 items, took back its changes to 1 item.\n"
    assert ok(library_path, "imports", "undo", "2") == "Undid import 2: removed 5 items.\n"
    pmids = [json.loads(line)["pmid"] for line in ok(library_path, "list", "--json").splitlines()]
    assert pmids == ["37144409"]
    assert "(undone " in ok(library_path, "imports").splitlines()[1]


def test_undo_names_an_item_changed_since_and_keeps_it(library_path):
    ok(library_path, "import", RESULT2)
    listed = json.loads(ok(library_path, "list", "--json").splitlines()[0])
    ok(library_path, "note", "add", str(listed["id"]), "my reading notes")
    out = ok(library_path, "imports", "undo", "1")
    assert out.startswith("Undid import 1: removed 3 items, left 1 item as it is.\n")
    assert f"  item {listed['id']} " in out and "changed after the import" in out
    assert len(ok(library_path, "list", "--json").splitlines()) == 1


def test_undo_refusals_are_plain(library_path):
    ok(library_path, "import", SEED_FILE)
    ok(library_path, "imports", "undo", "1")
    again = refman(library_path, "imports", "undo", "1")
    assert again.returncode == 1 and "Import 1 was already undone" in again.stderr
    unknown = refman(library_path, "imports", "undo", "7")
    assert unknown.returncode == 1
    assert unknown.stderr == "refman: There is no import 7: `refman imports` lists them.\n"
    not_a_number = refman(library_path, "imports", "undo", "last")
    assert not_a_number.returncode == 2 and "invalid int value" in not_a_number.stderr


def test_imports_of_a_library_that_does_not_exist(tmp_path):
    result = refman(tmp_path / "nowhere.sqlite", "imports")
    assert result.returncode == 1 and "There is no library at" in result.stderr


def test_dry_run_on_a_library_from_before_import_batches(library_path, monkeypatch):
    with monkeypatch.context() as patch:  # the program as it was: schema 5, no batches
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:5])
        as_before_field_indexes(patch)
        patch.setattr(
            "refman.library.batches.BatchRecorder.record", lambda self, db, name, changes: None
        )
        with Library(library_path) as old:
            old.importing.files([SEED_FILE])
    out = ok(library_path, "import", "--dry-run", SEED_FILE)
    assert out.startswith("Review: 1 record in 1 file: 0 new, 1 duplicate.")
    assert ok(library_path, "imports") == "No imports yet.\n"
