"""Bad input on import: every case gets a plain message, nothing crashes, memory stays bounded,
and what the library held before is still there unchanged.

The corpus in tests/data/bad/ holds the small cases; large ones (a 50 MB line, 5,000 authors)
are made at run time, and hypothesis mutates the real sample files.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refman.formats.medline import MAX_FIELD_CHARS
from refman.library import Library
from refman.model import ViewQuery
from tests.safety_helpers import (
    BAD,
    DATA,
    SAMPLES,
    file_problems,
    filled_library,
    index_problems,
    refman,
    snapshot,
)

# file in tests/data/bad -> what the message says about it
REJECTED = {
    "empty.nbib": "it is empty",
    "binary.nbib": "it is a binary file",
    "pubmed-article.pdf": "it is a PDF",
    "bibtex.nbib": "it looks like BibTeX",
}
MB = 2**20
BIG_LINE_BYTES = 50 * MB
# Peak memory of ``refman import`` (about 30 MB for a small file): a 50 MB line of text is
# refused from its start, never read whole; a record with a 50 MB value keeps its first
# million characters (medline.MAX_FIELD_CHARS), and the reader never holds more than a few MB
# of the line (reading it whole took 760 MB; the target is 500 MB whatever the file).
REFUSED_MAX_RSS_MB = 100
MAX_RSS_MB = 200
# The library grows by a few copies of the kept million characters, not by the 50 MB.
MAX_GROWTH_BYTES = 20 * MB
WORDS = "lorem ipsum dolor sit amet consectetur adipiscing elit "


@pytest.fixture(scope="module")
def base_library(tmp_path_factory) -> Path:
    return filled_library(tmp_path_factory.mktemp("base") / "library.sqlite")


@pytest.fixture
def library_path(base_library, tmp_path) -> Path:
    """A fresh copy of a library with the samples, a collection, tags, a note, a trashed item."""
    return Path(shutil.copy(base_library, tmp_path / "library.sqlite"))


def import_into(path: Path, *files):
    with Library(path) as library:
        return library.importing.files(files)


def assert_kept(before, path: Path) -> None:
    """Every item the library held is still there unchanged, with its notes and collections
    (an import may only add items)."""
    refs, notes, collections, *_ = snapshot(path)
    by_id = {ref.id: ref for ref in refs}
    assert [by_id.get(ref.id) for ref in before[0]] == before[0]
    assert (notes, collections) == (before[1], before[2])


# --- whole files that are not MEDLINE ---------------------------------------------------------


@pytest.mark.parametrize("name", REJECTED)
def test_a_file_that_is_not_medline_is_refused_with_its_reason(library_path, name):
    before = snapshot(library_path)
    report = import_into(library_path, BAD / name)
    assert (report.files_read, report.files_failed, report.added) == (0, 1, [])
    (problem,) = report.problems
    assert problem.path == str(BAD / name)
    assert REJECTED[name] in problem.message
    assert snapshot(library_path) == before


def test_the_command_line_names_each_bad_file_and_carries_on(library_path):
    before = snapshot(library_path)
    good = DATA / "zotero-case-02.nbib"
    result = refman(library_path, "import", *(BAD / name for name in REJECTED), good)
    assert result.returncode == 0  # one file was read
    for name, reason in REJECTED.items():
        assert f"{BAD / name}: this is not a MEDLINE/PubMed file ({reason}" in result.stdout
    assert "2 added" in result.stdout  # the two records of the good file
    assert_kept(before, library_path)


def test_nothing_readable_exits_1(library_path):
    before = snapshot(library_path)
    result = refman(library_path, "import", *(BAD / name for name in REJECTED))
    assert result.returncode == 1
    assert f"{len(REJECTED)} problems from {len(REJECTED)} files" in result.stdout
    assert snapshot(library_path) == before


def test_a_folder_without_medline_files_says_so(library_path, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    for name in REJECTED:  # not MEDLINE inside, whatever their names say
        shutil.copy(BAD / name, folder)
    before = snapshot(library_path)
    report = import_into(library_path, folder)
    assert [p.message for p in report.problems] == ["this folder holds no MEDLINE files"]
    assert snapshot(library_path) == before


def test_a_missing_file_says_so(library_path, tmp_path):
    report = import_into(library_path, tmp_path / "gone.nbib")
    assert [p.message for p in report.problems] == ["no such file or folder"]


# --- files that cannot be read ----------------------------------------------------------------


def unreadable_file(tmp_path: Path) -> Path:
    """A file that opening for reading refuses (Permission denied), for any user.

    Permissions do not stop root, who runs the tests in CI; a write-only file of the kernel's
    (/proc/sys/vm/drop_caches, mode 0200) refuses reading even to root.
    """
    path = tmp_path / "secret.nbib"
    shutil.copy(DATA / "zotero-case-01.nbib", path)
    path.chmod(0)
    for candidate in (path, Path("/proc/sys/vm/drop_caches")):
        try:
            candidate.open("rb").close()
        except PermissionError:
            return candidate
    raise AssertionError("no file here refuses to be read")


def test_a_file_without_read_permission_is_reported(library_path, tmp_path):
    before = snapshot(library_path)
    path = unreadable_file(tmp_path)
    report = import_into(library_path, path)
    assert [str(p) for p in report.problems] == [f"{path}: cannot read it (Permission denied)"]
    assert report.files_failed == 1
    assert snapshot(library_path) == before


def test_a_read_error_in_the_middle_of_a_file_changes_nothing(library_path):
    """/proc/self/mem opens, then fails to read (I/O error): a failing disk, for anyone."""
    before = snapshot(library_path)
    report = import_into(library_path, "/proc/self/mem")
    (problem,) = report.problems
    assert "Input/output error" in problem.message
    assert report.files_failed == 1
    assert snapshot(library_path) == before


# --- damaged but readable ---------------------------------------------------------------------


def test_bytes_that_are_not_utf8_are_read_as_windows_1252(library_path):
    before = snapshot(library_path)
    report = import_into(library_path, BAD / "invalid_utf8.nbib")
    assert (len(report.added), report.problems) == (1, [])
    with Library(library_path) as library:
        ref = library.items.get(report.added[0])
    assert "café and naïve" in ref.title
    assert ref.creators[0].family == "Müller"
    assert_kept(before, library_path)


def test_a_truncated_file_keeps_what_is_there(library_path):
    before = snapshot(library_path)
    report = import_into(library_path, BAD / "truncated.nbib")
    with Library(library_path) as library:
        titles = [ref.title for ref in library.items.get_many(report.added)]
    assert titles == [
        "A complete record before the cut",  # the closing period goes, as PubMed adds it
        "The second record is cut in the middle of its abst",
    ]
    assert_kept(before, library_path)


def test_records_without_pmid_import_and_empty_ones_are_reported(library_path):
    before = snapshot(library_path)
    report = import_into(library_path, BAD / "no_pmid.nbib")
    assert len(report.added) == 2
    assert [(p.line, p.message) for p in report.problems] == [
        (8, "this record has no title and no PubMed ID and was skipped")
    ]
    again = import_into(library_path, BAD / "no_pmid.nbib")  # matched on title, not PMID
    assert (again.added, len(again.duplicates)) == ([], 2)
    assert_kept(before, library_path)


def test_unknown_tags_are_kept_with_the_record(library_path):
    report = import_into(library_path, BAD / "unknown_tags.nbib")
    with Library(library_path) as library:
        ref = library.items.get(report.added[0])
    assert ref.title == "A record with tags nobody knows"
    assert ("ZZZ", "a tag no version of MEDLINE has") in ref.source_record
    assert ("QQQQ", "another unknown tag with a continuation line") in ref.source_record


def test_five_thousand_authors(library_path, tmp_path):
    path = tmp_path / "consortium.nbib"
    authors = "".join(f"FAU - Author{n:04d}, Given\nAU  - Author{n:04d} G\n" for n in range(5000))
    path.write_text(f"PMID- 31000099\nTI  - A paper by a consortium\n{authors}DP  - 2022\n")
    before = snapshot(library_path)
    report = import_into(library_path, path)
    with Library(library_path) as library:
        ref = library.items.get(report.added[0])
        assert [c.family for c in ref.creators] == [f"Author{n:04d}" for n in range(5000)]
        assert library.items.search(ViewQuery(text="Author4999")) == [ref.id]
    assert_kept(before, library_path)


# --- a 50 MB line, in a child process whose peak memory is measured ---------------------------


# The command line's own code in a child process, which then prints its peak memory: the
# console script's ``ru_maxrss`` would include this (large) test process, which the child ran
# in between fork and exec (see bench.measure.peak_rss_mib).
MEASURED_MAIN = """
import sys
from refman.app import main
from bench.measure import peak_rss_mib
status = main(sys.argv[1:])
print(f"peak_rss_mib={peak_rss_mib():.0f}", file=sys.stderr)
sys.exit(status)
"""


def measured(library: Path, *args) -> tuple[subprocess.CompletedProcess, int]:
    """A ``refman`` command in a child process; its result and its peak resident memory in MiB."""
    env = dict(os.environ)
    env.pop("REFMAN_LIBRARY", None)
    argv = [sys.executable, "-c", MEASURED_MAIN, "--library", str(library), *map(str, args)]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    peak = re.search(r"peak_rss_mib=(\d+)", result.stderr)
    assert peak, result.stderr
    return result, int(peak.group(1))


def import_measured(library: Path, file: Path) -> tuple[subprocess.CompletedProcess, int]:
    """``refman import`` in a child process; its result and its peak resident memory in MiB."""
    return measured(library, "import", file)


def big_line(length: int = BIG_LINE_BYTES) -> str:
    return (WORDS * (length // len(WORDS) + 1))[:length]


def test_a_50_mb_line_of_text_is_refused_in_bounded_memory(library_path, tmp_path):
    path = tmp_path / "one-line.nbib"
    path.write_text(big_line())
    before = snapshot(library_path)
    result, peak_mb = import_measured(library_path, path)
    assert result.returncode == 1, result.stderr
    assert "this is not a MEDLINE/PubMed file" in result.stdout
    assert "Traceback" not in result.stderr
    assert peak_mb < REFUSED_MAX_RSS_MB
    assert snapshot(library_path) == before


def wrapped(text: str, width: int = 80) -> list[str]:
    """``text`` in lines of ``width`` characters."""
    return [text[i : i + width] for i in range(0, len(text), width)]


# A 50 MB title, as it came from the probe (a line after "TI  - "), without any line break
# after it, and spread over many continuation lines; each with the title as it reads (the
# lines of a value joined by a space).
BIG_TITLES = {
    "one line": lambda: (f"PMID- 31000098\nTI  - {big_line()}\n", big_line()),
    "no line break": lambda: (f"PMID- 31000098\nTI  - {big_line()}", big_line()),
    "continuation lines": lambda: (
        "PMID- 31000098\nTI  - " + "\n      ".join(wrapped(big_line())) + "\n",
        " ".join(wrapped(big_line())),
    ),
}


@pytest.mark.parametrize("shape", BIG_TITLES)
def test_a_record_with_a_50_mb_title_is_cut_in_bounded_memory(library_path, tmp_path, shape):
    path = tmp_path / "huge-title.nbib"
    text, value = BIG_TITLES[shape]()
    path.write_text(text)
    value = " ".join(value.split())
    before, size_before = snapshot(library_path), library_path.stat().st_size
    result, peak_mb = import_measured(library_path, path)
    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stdout
    cut = re.search(
        rf"{re.escape(str(path))}:2: the TI field is ([0-9,]+) characters long; "
        r"kept the first ([0-9,]+)\n",
        result.stdout,
    )
    assert cut, result.stdout
    length, kept = (int(number.replace(",", "")) for number in cut.groups())
    assert length >= BIG_LINE_BYTES - 1 and 0 < kept <= MAX_FIELD_CHARS
    assert peak_mb < MAX_RSS_MB
    assert_kept(before, library_path)
    with Library(library_path) as library:
        (title,) = [
            ref.title
            for ref in library.items.get_many(library.items.search())
            if ref.pmid == "31000098"
        ]
    assert title == value[:kept]
    assert library_path.stat().st_size - size_before < MAX_GROWTH_BYTES
    exported, export_peak_mb = measured(library_path, "export", "--format", "bibtex")
    assert exported.returncode == 0, exported.stderr
    assert title in exported.stdout
    assert export_peak_mb < MAX_RSS_MB


def test_a_record_with_a_50_mb_abstract_imports_in_bounded_memory(library_path, tmp_path):
    path = tmp_path / "huge-abstract.nbib"
    path.write_text(f"PMID- 31000098\nTI  - A record with a 50 MB abstract\nAB  - {big_line()}\n")
    before = snapshot(library_path)
    result, peak_mb = import_measured(library_path, path)
    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stdout
    assert f"{path}:3: the AB field is {BIG_LINE_BYTES:,} characters long" in result.stdout
    assert peak_mb < MAX_RSS_MB
    assert_kept(before, library_path)


def test_many_records_with_huge_values_import_in_bounded_memory(library_path, tmp_path):
    """120 records of a million characters each: held 500 at a time (a batch of ordinary
    records), they took 250 MB; a batch ends early when its records are that large."""
    path = tmp_path / "huge-records.nbib"
    value = big_line(MAX_FIELD_CHARS - 100)
    with path.open("w") as out:
        for n in range(120):
            out.write(f"PMID- {32000000 + n}\nTI  - Huge record {n}\nAB  - {n} {value}\n\n")
    before = snapshot(library_path)
    result, peak_mb = import_measured(library_path, path)
    assert result.returncode == 0, result.stderr
    assert "120 added" in result.stdout
    assert "problem" not in result.stdout
    assert peak_mb < MAX_RSS_MB
    assert_kept(before, library_path)


# --- mutations of the real samples ------------------------------------------------------------

SAMPLE_BYTES = [path.read_bytes() for path in SAMPLES]


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
def test_mutated_samples_never_crash_nor_touch_what_was_there(base_library, tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("mutation")
    path = Path(shutil.copy(base_library, folder / "library.sqlite"))
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
