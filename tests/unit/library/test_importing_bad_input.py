"""refman.library.importing, on bad input: every case gets a plain message, nothing crashes,
and what the library held before is still there unchanged.

The corpus in tests/data/bad/ holds the small cases; 5,000 authors are made at run time, and
hypothesis mutates the real sample files. A 50 MB line, measured in a process of its own, is in
tests/system/test_bad_input.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refman.library import Library
from refman.library.importing import NO_READABLE_FILES
from refman.model import ViewQuery
from tests.safety_helpers import assert_kept, file_problems, index_problems, snapshot
from tests.samples import BAD, REJECTED, SAMPLE_FILES, ZOTERO_CASES


def import_into(path: Path, *files):
    with Library(path) as library:
        return library.importing.files(files)


# --- whole files that are not MEDLINE -------------------------------------------------------------


@pytest.mark.parametrize("name", REJECTED)
def test_a_file_that_is_not_medline_is_refused_with_its_reason(filled_library, name):
    before = snapshot(filled_library)
    report = import_into(filled_library, BAD / name)
    assert (report.files_read, report.files_failed, report.added) == (0, 1, [])
    (problem,) = report.problems
    assert problem.path == str(BAD / name)
    assert REJECTED[name] in problem.message
    assert snapshot(filled_library) == before


def test_a_folder_without_medline_files_says_so(filled_library, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    for name in REJECTED:  # not MEDLINE inside, whatever their names say
        shutil.copy(BAD / name, folder)
    before = snapshot(filled_library)
    report = import_into(filled_library, folder)
    assert [p.message for p in report.problems] == [NO_READABLE_FILES]
    assert snapshot(filled_library) == before


def test_a_missing_file_says_so(filled_library, tmp_path):
    report = import_into(filled_library, tmp_path / "gone.nbib")
    assert [p.message for p in report.problems] == ["no such file or folder"]


# --- files that cannot be read --------------------------------------------------------------------


def unreadable_file(tmp_path: Path) -> Path:
    """A file that opening for reading refuses (Permission denied), for any user.

    Permissions do not stop root, who runs the tests in CI; a write-only file of the kernel's
    (/proc/sys/vm/drop_caches, mode 0200) refuses reading even to root.
    """
    path = tmp_path / "secret.nbib"
    shutil.copy(ZOTERO_CASES[0], path)
    path.chmod(0)
    for candidate in (path, Path("/proc/sys/vm/drop_caches")):
        try:
            candidate.open("rb").close()
        except PermissionError:
            return candidate
    raise AssertionError("no file here refuses to be read")


def test_a_file_without_read_permission_is_reported(filled_library, tmp_path):
    before = snapshot(filled_library)
    path = unreadable_file(tmp_path)
    report = import_into(filled_library, path)
    assert [str(p) for p in report.problems] == [f"{path}: cannot read it (Permission denied)"]
    assert report.files_failed == 1
    assert snapshot(filled_library) == before


def test_a_read_error_in_the_middle_of_a_file_changes_nothing(filled_library):
    """/proc/self/mem opens, then fails to read (I/O error): a failing disk, for anyone."""
    before = snapshot(filled_library)
    report = import_into(filled_library, "/proc/self/mem")
    (problem,) = report.problems
    assert "Input/output error" in problem.message
    assert report.files_failed == 1
    assert snapshot(filled_library) == before


# --- damaged but readable -------------------------------------------------------------------------


def test_bytes_that_are_not_utf8_are_read_as_windows_1252(filled_library):
    before = snapshot(filled_library)
    report = import_into(filled_library, BAD / "invalid_utf8.nbib")
    assert (len(report.added), report.problems) == (1, [])
    with Library(filled_library) as library:
        ref = library.items.get(report.added[0])
    assert "café and naïve" in ref.title
    assert ref.creators[0].family == "Müller"
    assert_kept(before, filled_library)


def test_a_truncated_file_keeps_what_is_there(filled_library):
    before = snapshot(filled_library)
    report = import_into(filled_library, BAD / "truncated.nbib")
    with Library(filled_library) as library:
        titles = [ref.title for ref in library.items.get_many(report.added)]
    assert titles == [
        "A complete record before the cut",  # the closing period goes, as PubMed adds it
        "The second record is cut in the middle of its abst",
    ]
    assert_kept(before, filled_library)


def test_records_without_pmid_import_and_empty_ones_are_reported(filled_library):
    before = snapshot(filled_library)
    report = import_into(filled_library, BAD / "no_pmid.nbib")
    assert len(report.added) == 2
    assert [(p.line, p.message) for p in report.problems] == [
        (8, "this record has no title and no PubMed ID and was skipped")
    ]
    again = import_into(filled_library, BAD / "no_pmid.nbib")  # matched on title, not PMID
    assert (again.added, len(again.duplicates)) == ([], 2)
    assert_kept(before, filled_library)


def test_unknown_tags_are_kept_with_the_record(filled_library):
    report = import_into(filled_library, BAD / "unknown_tags.nbib")
    with Library(filled_library) as library:
        ref = library.items.get(report.added[0])
    assert ref.title == "A record with tags nobody knows"
    assert ("ZZZ", "a tag no version of MEDLINE has") in ref.source_record
    assert ("QQQQ", "another unknown tag with a continuation line") in ref.source_record


def test_five_thousand_authors(filled_library, tmp_path):
    path = tmp_path / "consortium.nbib"
    authors = "".join(f"FAU - Author{n:04d}, Given\nAU  - Author{n:04d} G\n" for n in range(5000))
    path.write_text(f"PMID- 31000099\nTI  - A paper by a consortium\n{authors}DP  - 2022\n")
    before = snapshot(filled_library)
    report = import_into(filled_library, path)
    with Library(filled_library) as library:
        ref = library.items.get(report.added[0])
        assert [c.family for c in ref.creators] == [f"Author{n:04d}" for n in range(5000)]
        assert library.items.search(ViewQuery(text="Author4999")) == [ref.id]
    assert_kept(before, filled_library)


# --- mutations of the real samples ----------------------------------------------------------------


SAMPLE_BYTES = [path.read_bytes() for path in SAMPLE_FILES]


@st.composite
def mutated_samples(draw) -> bytes:
    """A real sample damaged a few times over: bytes cut, inserted, doubled, changed."""
    data = bytearray(draw(st.sampled_from(SAMPLE_BYTES)))
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(data)))
        end = draw(st.integers(start, min(len(data), start + 2000)))
        kind = draw(st.sampled_from(["cut", "insert", "double", "change", "truncate"]))
        if kind == "cut":
            del data[start:end]
        elif kind == "insert":
            data[start:start] = draw(st.binary(min_size=1, max_size=200))
        elif kind == "double":
            data[start:start] = data[start:end]
        elif kind == "change":
            data[start:end] = bytes(
                (b + 1 + draw(st.integers(0, 254))) % 256 for b in data[start:end]
            )
        else:
            del data[start:]
    return bytes(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated_samples())
def test_mutated_samples_never_crash_nor_touch_what_was_there(
    filled_library_original, tmp_path_factory, data
):
    folder = tmp_path_factory.mktemp("mutation")
    path = Path(shutil.copy(filled_library_original, folder / "library.sqlite"))
    before = snapshot(path)
    source = folder / "mutated.nbib"
    source.write_bytes(data)
    report = import_into(path, source)
    assert report.files_read + report.files_failed == 1
    assert all(problem.message for problem in report.problems)
    assert_kept(before, path)
    with Library(path) as library:
        assert file_problems(library) == []
        assert index_problems(library) == []
