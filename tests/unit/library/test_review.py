"""refman.library.review: an import reviewed before anything is written (each record new, a
duplicate of an item and why, a repeat of a line of the same file, or a problem at a line),
then committed with a choice per record, in one batch."""

from __future__ import annotations

import os

import pytest

from refman.library.review import DUPLICATE, IMPORT, KEEP, MERGE, NEW, PROBLEM, REPEAT, SKIP
from refman.model import RefmanError
from refman.store.duplicates import SAME_PMID
from tests.safety_helpers import snapshot
from tests.samples import AHEAD_OF_PRINT, BAD, BALLOON, FINAL, REPEATED, SEED_FILE


def record(pmid: str, title: str) -> str:
    return f"PMID- {pmid}\nTI  - {title}\nDP  - 2020\n"


def test_a_review_writes_nothing(library, library_path):
    library.importing.files([SEED_FILE])
    before = snapshot(library_path)
    review = library.importing.review([BALLOON, SEED_FILE])
    assert snapshot(library_path) == before
    assert review.record_count == 76
    assert review.count(NEW) == 75 and review.count(DUPLICATE) == 1
    assert library.imports.list()[0].added == 1  # only the first import is remembered


def test_a_duplicate_names_its_item_and_why(library):
    (item_id,) = library.importing.files([AHEAD_OF_PRINT]).added
    review = library.importing.review([FINAL])
    (row,) = review.rows
    assert (row.status, row.item_id, row.reason, row.line) == (DUPLICATE, item_id, SAME_PMID, 2)
    assert row.matched.startswith(f'same PMID as item {item_id} "Long-term outcomes')
    assert row.default_choice() == SKIP


def test_repeats_in_one_file_name_the_line_they_repeat(library):
    review = library.importing.review([REPEATED])
    repeats = [(row.line, row.twin_line) for row in review.rows if row.status == REPEAT]
    assert repeats == [(47, 2), (62, 17), (70, 17)]
    assert review.count(NEW) == 4
    assert review.summary() == "Review: 7 records in 1 file: 4 new, 3 repeats."


def test_a_bad_record_is_a_problem_at_its_line(library):
    review = library.importing.review([BAD / "no_pmid.nbib"])
    problems = [row for row in review.rows if row.status == PROBLEM]
    assert len(problems) == 1 and problems[0].line is not None
    assert problems[0].where == f"{BAD / 'no_pmid.nbib'}:{problems[0].line}"
    assert review.count(NEW) == 2


def test_a_missing_file_is_a_problem_of_the_review(library, tmp_path):
    review = library.importing.review([tmp_path / "gone.nbib"])
    (row,) = review.rows
    assert row.status == PROBLEM and "no such file" in row.message


def test_a_review_needs_a_look_when_large_or_with_a_duplicate(library):
    small = library.importing.review_text(record("1", "One") + "\n" + record("2", "Two"))
    assert not small.needs_a_look(5)
    assert small.needs_a_look(1)
    library.importing.text(record("1", "One"))
    assert library.importing.review_text(record("1", "One")).needs_a_look(5)


def test_commit_imports_with_each_choice(library):
    (old,) = library.importing.files([AHEAD_OF_PRINT]).added
    text = "\n".join(record(str(n), f"Record {n}") for n in (1, 2, 3))
    review = library.importing.review([FINAL])
    choices = {review.rows[0].key: MERGE}
    report = library.importing.commit(review, choices)
    assert report.added == [] and library.items.get(old).volume == "278"
    pasted = library.importing.review_text(text)
    first, second, third = pasted.rows
    report = library.importing.commit(pasted, {first.key: SKIP, second.key: IMPORT})
    assert len(report.added) == 2  # the third has its default: new records are imported
    assert report.left_out == 1
    assert {library.items.get(i).title for i in report.added} == {"Record 2", "Record 3"}


def test_keep_both_adds_a_second_copy(library):
    library.importing.files([SEED_FILE])
    review = library.importing.review([SEED_FILE])
    report = library.importing.commit(review, {review.rows[0].key: KEEP})
    assert len(report.added) == 1
    assert library.items.count() == 2


def test_a_committed_review_is_one_batch_undone_whole(library, tmp_path):
    other = tmp_path / "other.nbib"
    other.write_text(record("5", "Five"), encoding="utf-8")
    review = library.importing.review([BALLOON, other])
    report = library.importing.commit(review)
    (batch,) = library.imports.list()
    assert (batch.id, batch.added, batch.files) == (report.batch, 76, (str(BALLOON), str(other)))
    library.imports.undo(batch.id)
    assert library.items.count() == 0


def test_a_file_changed_since_its_review_is_not_imported(library, tmp_path):
    path = tmp_path / "changing.nbib"
    path.write_text(record("1", "One"), encoding="utf-8")
    review = library.importing.review([path])
    path.write_text(record("2", "Two, written after the review"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    report = library.importing.commit(review)
    assert library.items.count() == 0
    (problem,) = report.problems
    assert "changed since it was reviewed" in problem.message


def test_a_record_that_became_a_duplicate_since_the_review_is_not_added_twice(library):
    review = library.importing.review([SEED_FILE])
    library.importing.files([SEED_FILE])
    report = library.importing.commit(review)
    assert report.added == [] and library.items.count() == 1


def test_an_unknown_choice_is_refused(library):
    review = library.importing.review([SEED_FILE])
    with pytest.raises(RefmanError, match="Unknown choice"):
        library.importing.commit(review, {review.rows[0].key: "maybe"})
    assert library.items.count() == 0
