"""refman.library.batches: every import remembered as one batch (when, which files, what it
added and merged), listed, and undone whole: what it added removed, what it merged taken back,
unless the item was changed since; whatever stays is named."""

from __future__ import annotations

import pytest

import refman.library.batches as batches_module
import refman.library.importing as importing_module
from refman.library import Library
from refman.model import DiskFullError, Reference, RefmanError, ViewQuery
from refman.store import items as stored_items
from refman.store import migrations
from tests.safety_helpers import as_before_field_indexes, snapshot
from tests.samples import AHEAD_OF_PRINT, BALLOON, FINAL, REAL_FILES, REPEATED, RESULT2, SEED_FILE


def record(pmid: str, title: str, extra: str = "") -> str:
    return f"PMID- {pmid}\nTI  - {title}\nDP  - 2020\n{extra}\n"


def test_an_import_is_one_batch_with_its_files_and_counts(library):
    report = library.importing.files([RESULT2, SEED_FILE])
    (batch,) = library.imports.list()
    assert report.batch == batch.id
    assert batch.files == (str(RESULT2), str(SEED_FILE))
    assert (batch.added, batch.merged, batch.undone) == (5, 0, "")
    assert batch.started[:4].isdigit()
    assert "5 added" in batch.describe()
    assert RESULT2.name in batch.describe()


def test_batches_are_listed_newest_first(library):
    first = library.importing.files([SEED_FILE]).batch
    second = library.importing.text(record("1", "Pasted record"), name="clipboard").batch
    assert [b.id for b in library.imports.list()] == [second, first]
    assert library.imports.get(second).files == ("clipboard",)


def test_an_import_that_adds_nothing_is_remembered_as_adding_nothing(library):
    library.importing.files([SEED_FILE])
    again = library.importing.files([SEED_FILE])
    assert library.imports.get(again.batch).added == 0


def test_a_file_that_fails_leaves_no_batch(library, tmp_path):
    missing = tmp_path / "gone.nbib"
    report = library.importing.files([missing])
    assert report.batch is None
    assert library.imports.list() == []


def test_undo_removes_what_the_import_added_and_nothing_else(library):
    library.importing.files([SEED_FILE])
    kept = set(library.items.all_ids())
    batch = library.importing.files([BALLOON]).batch
    assert library.items.count() == 76
    undone = library.imports.undo(batch)
    assert set(library.items.all_ids()) == kept
    assert len(undone.removed) == 75
    assert undone.kept == undone.not_restored == []
    assert undone.summary() == f"Undid import {batch}: removed 75 items."
    assert library.imports.get(batch).undone


def test_undo_twice_is_refused_and_an_unknown_batch_is_named(library):
    batch = library.importing.files([SEED_FILE]).batch
    library.imports.undo(batch)
    with pytest.raises(RefmanError, match="already undone"):
        library.imports.undo(batch)
    with pytest.raises(RefmanError, match="There is no import 99"):
        library.imports.undo(99)


def test_undo_takes_back_what_a_merge_filled(library):
    (item_id,) = library.importing.files([AHEAD_OF_PRINT]).added
    before = library.items.get(item_id)
    merged = library.importing.files([FINAL], duplicates="merge")
    after = library.items.get(item_id)
    assert (after.volume, after.issue, after.pages) == ("278", "6", "945-952")
    assert library.imports.get(merged.batch).merged == 1
    undone = library.imports.undo(merged.batch)
    assert undone.restored == [item_id]
    restored = library.items.get(item_id)
    assert (restored.volume, restored.issue, restored.pages) == ("", "", "")
    assert {t.name for t in restored.tags} == {t.name for t in before.tags}
    assert library.items.count() == 1


def test_an_added_item_edited_since_is_kept_and_named(library):
    text = record("1", "Left alone") + "\n" + record("2", "Edited after the import")
    report = library.importing.text(text)
    left_alone, edited = report.added
    library.items.update(edited, volume="12")
    undone = library.imports.undo(report.batch)
    assert undone.removed == [left_alone]
    (leftover,) = undone.kept
    assert leftover.item_id == edited
    assert "Edited after the import" in str(leftover)
    assert "changed after the import" in str(leftover)
    assert library.items.all_ids() == [edited]
    assert "left 1 item as it is" in undone.summary()


@pytest.mark.parametrize("change", ["tag", "note", "collection"])
def test_an_added_item_tagged_noted_or_filed_since_is_kept(library, change):
    report = library.importing.text(record("1", "Touched later"))
    (item_id,) = report.added
    if change == "tag":
        library.tags.add([item_id], ["read"])
    elif change == "note":
        library.notes.add(item_id, "<p>mine</p>")
    else:
        collection = library.collections.create("Reading")[0]
        library.collections.add_items([item_id], collection.id)
    undone = library.imports.undo(report.batch)
    assert [k.item_id for k in undone.kept] == [item_id]
    assert library.items.count() == 1


def test_a_merged_item_changed_since_keeps_what_the_merge_gave_and_is_named(library):
    (item_id,) = library.importing.files([AHEAD_OF_PRINT]).added
    merged = library.importing.files([FINAL], duplicates="merge")
    library.items.update(item_id, language="fre")
    undone = library.imports.undo(merged.batch)
    assert undone.restored == []
    (leftover,) = undone.not_restored
    assert "filled in it (volume, issue, pages)" in leftover.why
    assert library.items.get(item_id).volume == "278"


def test_an_added_item_in_the_trash_goes_with_the_batch(library):
    report = library.importing.text(record("1", "Trashed later"))
    library.items.trash(report.added)
    undone = library.imports.undo(report.batch)
    assert undone.removed_from_trash == report.added
    assert library.items.count(trashed=True) == 0
    assert any("in the Trash" in line for line in undone.lines())


def test_an_added_item_deleted_since_is_counted_as_already_gone(library):
    report = library.importing.text(record("1", "One") + "\n" + record("2", "Two"))
    library.items.trash([report.added[0]])
    library.items.empty_trash()
    undone = library.imports.undo(report.batch)
    assert undone.removed == [report.added[1]]
    assert undone.already_gone == 1
    assert "1 item it added or changed was deleted before." in undone.lines()


def test_undo_takes_back_the_tags_and_collection_given_to_items_already_there(library):
    (old,) = library.importing.text(record("1", "Already there")).added
    report = library.importing.text(
        record("1", "Already there") + "\n" + record("2", "New one"),
        tags=["batch-tag"],
        collection="Imported",
    )
    (new,) = report.added
    batch = library.imports.get(report.batch)
    assert (batch.added, batch.tagged) == (1, 1)
    assert "batch-tag" in {t.name for t in library.items.get(old).tags}
    undone = library.imports.undo(report.batch)
    assert (undone.removed, undone.restored) == ([new], [old])
    assert "batch-tag" not in {t.name for t in library.items.get(old).tags}
    assert library.collections.of_item(old) == []


def test_undo_of_an_earlier_import_keeps_an_item_a_later_import_merged_into(library):
    first = library.importing.files([AHEAD_OF_PRINT])
    library.importing.files([FINAL], duplicates="merge")
    undone = library.imports.undo(first.batch)
    assert [k.item_id for k in undone.kept] == first.added
    assert library.items.count() == 1


def test_undo_is_one_transaction_and_tells_the_window_what_changed(library):
    report = library.importing.files([RESULT2])
    undone = library.imports.undo(report.batch)
    changes = undone.changes()
    assert changes.removed == frozenset(report.added)


def test_undoing_the_last_two_imports_one_after_the_other_undoes_both(library):
    # The window's Undo Import, twice: the merge taken back gives the first import its item.
    first = library.importing.files([AHEAD_OF_PRINT])
    second = library.importing.files([FINAL], duplicates="merge")
    assert library.imports.undo(second.batch).restored == first.added
    undone = library.imports.undo(first.batch)
    assert (undone.removed, undone.kept) == (first.added, [])
    assert library.items.count() == 0


def test_an_item_changed_between_two_imports_is_not_given_back(library):
    first = library.importing.files([AHEAD_OF_PRINT])
    library.items.update(first.added[0], language="fre")
    second = library.importing.files([FINAL], duplicates="merge")
    library.imports.undo(second.batch)
    undone = library.imports.undo(first.batch)
    assert [k.item_id for k in undone.kept] == first.added


def test_a_library_from_before_batches_is_upgraded_and_its_items_are_no_import(
    library_path, monkeypatch
):
    with monkeypatch.context() as patch:  # the program as it was: no batches
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:5])
        as_before_field_indexes(patch)
        patch.setattr(
            "refman.library.batches.BatchRecorder.record", lambda self, db, name, changes: None
        )
        with Library(library_path) as old:
            old.importing.files([SEED_FILE])
    with Library(library_path) as upgraded:
        assert upgraded.imports.list() == []
        report = upgraded.importing.files([RESULT2])
        upgraded.imports.undo(report.batch)
        assert upgraded.items.count() == 1


def test_an_import_of_many_files_is_described_in_one_short_line(library, tmp_path):
    paths = []
    for n in range(5):
        path = tmp_path / f"part{n}.nbib"
        path.write_text(f"PMID- {n + 1}\nTI  - Paper number {n + 1} of five\n", encoding="utf-8")
        paths.append(path)
    library.importing.files(paths)
    (batch,) = library.imports.list()
    line = batch.describe()
    assert "part0.nbib, part1.nbib, part2.nbib and 2 more files: 5 added" in line
    assert str(tmp_path) not in line  # names only: the full paths are in `imports --json`
    assert list(batch.files) == [str(p) for p in paths]


# --- large files: read a batch at a time, remembered a chunk at a time ------------------------


@pytest.fixture
def small_chunks(monkeypatch):
    """Records written, filed and tagged two at a time and the batch's rows three at a time:
    a small file then crosses the boundaries that a file of a million records crosses."""
    monkeypatch.setattr(importing_module, "BATCH_SIZE", 2)
    monkeypatch.setattr(importing_module, "EXTRAS_AT_ONCE", 2)
    monkeypatch.setattr(batches_module, "WRITTEN_AT_ONCE", 3)


def test_repeats_merged_into_items_of_earlier_batches_are_part_of_what_the_file_added(
    library, small_chunks
):
    # repeated-records.nbib: 7 records of 4 papers; each repeat comes batches after its first
    # copy, which is then in the library, yet it is named as a repeat within the file.
    report = library.importing.files([REPEATED], duplicates="merge")
    found = [(r.line, r.twin_line, r.item_id, r.merged) for r in report.not_added]
    assert found == [(47, 2, None, True), (62, 17, None, True), (70, 17, None, True)]
    batch = library.imports.get(report.batch)
    assert (batch.added, batch.merged, batch.tagged) == (4, 0, 0)
    undone = library.imports.undo(report.batch)
    assert sorted(undone.removed) == sorted(report.added)
    assert library.items.count() == 0


def test_many_files_in_small_chunks_are_undone_to_the_library_as_it_was(library, small_chunks):
    # FINAL merges into the item AHEAD_OF_PRINT added files before in the same import (its
    # batch row written then); SEED_FILE into an item the library held; the second REPEATED
    # meets the first one's items.
    library.items.add(Reference(title="Old title", pmid="37144409"))
    before = as_seen(library)
    files = [REPEATED, AHEAD_OF_PRINT, BALLOON, FINAL, SEED_FILE, REPEATED]
    report = library.importing.files(files, duplicates="merge")
    assert len(report.added) == 4 + 1 + 75
    batch = library.imports.get(report.batch)
    assert (batch.added, batch.merged) == (80, 1)
    undone = library.imports.undo(report.batch)
    assert (len(undone.removed), len(undone.restored), undone.kept) == (80, 1, [])
    assert as_seen(library) == before


def as_seen(library: Library) -> tuple:
    """The library's snapshot but for when items were modified: an undo that takes a merge
    back modifies the item again."""
    refs, *rest = snapshot(library.path)
    return ([ref.with_changes(date_modified=None) for ref in refs], *rest)


def test_a_file_that_fails_after_some_batches_leaves_the_files_before_it_in_the_batch(
    library, small_chunks, monkeypatch
):
    real_insert = stored_items.insert
    calls = []

    def full_on_the_third_batch_of_balloon(db, refs, new_items=None):
        calls.append(len(refs))
        if len(calls) == 2 + 3:  # REPEATED's 4 new records take two batches
            raise DiskFullError("the disk is full")
        return real_insert(db, refs, new_items)

    monkeypatch.setattr(stored_items, "insert", full_on_the_third_batch_of_balloon)
    report = library.importing.files([REPEATED, BALLOON])
    assert (report.files_read, report.files_failed, len(report.added)) == (1, 1, 4)
    assert report.problems[0].path == str(BALLOON)
    batch = library.imports.get(report.batch)
    assert (batch.files, batch.added) == ((str(REPEATED),), 4)
    assert library.items.count() == 4
    library.imports.undo(report.batch)
    assert library.items.count() == 0


def test_a_broken_record_in_a_later_batch_is_named_and_the_rest_is_one_batch(
    library, small_chunks, tmp_path
):
    good = [f"PMID- {n}\nTI  - Paper number {n} of the file\nDP  - 2020\n" for n in range(1, 8)]
    broken = "PMID- 99\nTI  - Bin\x00ary.\n"
    path = tmp_path / "late-problem.nbib"
    path.write_text("\n".join([*good[:5], broken, *good[5:]]), encoding="utf-8")
    report = library.importing.files([path])
    assert [(p.path, p.line) for p in report.problems] == [(str(path), 21)]
    assert library.imports.get(report.batch).added == len(report.added) == 7
    library.imports.undo(report.batch)
    assert library.items.count() == 0


def test_a_tag_and_a_collection_given_in_small_chunks_reach_every_item_and_are_undone(
    library, small_chunks
):
    there = library.importing.text("\n".join(record(str(n), f"Old paper {n}") for n in range(3)))
    before = as_seen(library)
    text = "\n".join(record(str(n), f"Old paper {n}") for n in range(3))
    text += "\n" + "\n".join(record(str(n), f"New paper {n}") for n in range(10, 15))
    report = library.importing.text(text, tags=["batch-tag"], collection="Imported")
    assert (len(report.added), sorted(report.duplicates)) == (5, sorted(there.added))
    imported = library.collections.find("Imported")
    every = sorted(report.item_ids)
    assert sorted(library.items.search(ViewQuery(collection=imported.id))) == every
    assert sorted(library.items.search(ViewQuery(tags=["batch-tag"]))) == every
    batch = library.imports.get(report.batch)
    assert (batch.added, batch.tagged) == (5, 3)
    library.imports.undo(report.batch)
    refs, notes, collections, *counts = as_seen(library)
    assert (refs, notes, counts) == (before[0], before[1], list(before[3:]))
    assert collections == [("Imported", [])]  # the collection the import made stays, empty


# --- fingerprints made from the rows as inserted (issue 18) -------------------------------------

DATA_FOLDERS = [
    RESULT2.parent / "medline",
    RESULT2.parent / "import",
    RESULT2.parent / "duplicates",
]


def _stored_and_read_back(library):
    """{item id: (the fingerprint its batch row holds, the one read back now)}."""
    from refman.store import batches as stored_batches

    with library.connection.reading() as db:
        rows = db.execute_sql(
            "SELECT item_id, fingerprint FROM import_batch_item WHERE kind = 'added'"
        ).fetchall()
        now = stored_batches.fingerprints(db, [item_id for item_id, _ in rows])
    return {item_id: (bytes(print_), now.get(item_id)) for item_id, print_ in rows}


def _assert_as_read_back(library):
    found = _stored_and_read_back(library)
    assert found
    assert all(stored == now for stored, now in found.values())


def test_fingerprints_made_on_insert_are_the_ones_read_back(library, monkeypatch):
    from refman.store import batches as stored_batches

    read: list[int] = []
    reading = stored_batches.fingerprints
    monkeypatch.setattr(
        stored_batches, "fingerprints", lambda db, ids: read.extend(ids) or reading(db, ids)
    )
    report = library.importing.files([*DATA_FOLDERS, *REAL_FILES], duplicates="keep")
    assert len(report.added) > 150
    with_notes = [i for i in report.added if library.notes.of_item(i)]
    assert with_notes
    assert set(read) == set(with_notes)  # the others' were made from the rows in memory
    monkeypatch.undo()
    _assert_as_read_back(library)


def test_fingerprints_are_read_back_when_rows_would_not_come_back_as_written(library, monkeypatch):
    from refman.store import batches as stored_batches

    read: list[int] = []
    reading = stored_batches.fingerprints

    def counted(db, ids):
        read.extend(ids)
        return reading(db, ids)

    monkeypatch.setattr(stored_batches, "_as_written", lambda *args: False)
    monkeypatch.setattr(stored_batches, "fingerprints", counted)
    report = library.importing.files([BALLOON])
    assert sorted(read) == sorted(report.added)
    _assert_as_read_back(library)


def test_items_changed_after_their_insert_in_the_same_file_are_read_back(library, tmp_path):
    # Merged into by a later record of the file (written in an earlier batch), given notes,
    # tagged and filed by the import: each fingerprint is the item as the file left it.
    first = record("11", "A first title", "AB  - Its abstract.\nFAU - Smith, Ann\nAU  - Smith A")
    filler = "".join(record(str(100 + n), f"Filler title {n}") for n in range(1100))
    again = record("11", "A first title", "LA  - fre\nMH  - Humans")
    path = tmp_path / "merge.nbib"
    path.write_text(first + "\n" + filler + "\n" + again, encoding="utf-8")
    report = library.importing.files([path], duplicates="merge")
    assert len(report.added) == 1101
    _assert_as_read_back(library)
    assert set(library.imports.undo(report.batch).removed) == set(report.added)

    tagged = library.importing.files([BALLOON], tags=["mine"], collection="Kept")
    _assert_as_read_back(library)
    library.importing.text(SEED_FILE.read_text(encoding="utf-8"))
    _assert_as_read_back(library)
    assert tagged.added
