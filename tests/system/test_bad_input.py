"""Bad input on import, as the command line meets it: each bad file named and the rest read, and
memory bounded whatever the file (a 50 MB line, 50 MB values), measured in a process of its own.
The library's handling of each kind of bad file is tested in
tests/unit/library/test_importing_bad_input.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from refman.formats.medline import MAX_FIELD_CHARS
from refman.library import Library
from tests.safety_helpers import assert_kept, refman, snapshot
from tests.samples import BAD, REJECTED, ZOTERO_CASES

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


# --- whole files that are not MEDLINE -------------------------------------------------------------


# A PDF given to ``refman import`` is not a bad reference file but a paper: it becomes its
# reference with the PDF attached (tests/system/test_cli_import_pdf.py); the library's own
# import of files still refuses it as "a PDF" (tests/unit/library/test_importing_bad_input.py).
NOT_PDFS = {name: reason for name, reason in REJECTED.items() if not name.endswith(".pdf")}


def test_the_command_line_names_each_bad_file_and_carries_on(filled_library):
    before = snapshot(filled_library)
    good = ZOTERO_CASES[1]
    result = refman(filled_library, "import", *(BAD / name for name in NOT_PDFS), good)
    assert result.returncode == 0  # one file was read
    for name, reason in NOT_PDFS.items():
        assert f"{BAD / name}: refman cannot read it: {reason}" in result.stdout
    assert "2 added" in result.stdout  # the two records of the good file
    assert_kept(before, filled_library)


def test_nothing_readable_exits_1(filled_library):
    before = snapshot(filled_library)
    result = refman(filled_library, "import", *(BAD / name for name in NOT_PDFS))
    assert result.returncode == 1
    assert f"{len(NOT_PDFS)} problems from {len(NOT_PDFS)} files" in result.stdout
    assert snapshot(filled_library) == before


# --- a 50 MB line, in a child process whose peak memory is measured -------------------------------


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


def import_measured(library: Path, file: Path, status: int, max_mb: int) -> tuple[tuple, str]:
    """``refman import FILE`` in a child process: it exits with ``status``, and its peak
    resident memory stays under ``max_mb`` MiB. The library's snapshot from before the import,
    and what the import printed."""
    before = snapshot(library)
    result, peak_mb = measured(library, "import", file)
    assert result.returncode == status, result.stderr
    assert peak_mb < max_mb
    return before, result.stdout


def big_line(length: int = BIG_LINE_BYTES) -> str:
    return (WORDS * (length // len(WORDS) + 1))[:length]


def test_a_50_mb_line_of_text_is_refused_in_bounded_memory(filled_library, tmp_path):
    path = tmp_path / "one-line.nbib"
    path.write_text(big_line())
    before, said = import_measured(filled_library, path, 1, REFUSED_MAX_RSS_MB)
    assert "refman cannot read it" in said
    assert snapshot(filled_library) == before


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
def test_a_record_with_a_50_mb_title_is_cut_in_bounded_memory(filled_library, tmp_path, shape):
    path = tmp_path / "huge-title.nbib"
    text, value = BIG_TITLES[shape]()
    path.write_text(text)
    value = " ".join(value.split())
    size_before = filled_library.stat().st_size
    before, said = import_measured(filled_library, path, 0, MAX_RSS_MB)
    assert "1 added" in said
    cut = re.search(
        rf"{re.escape(str(path))}:2: the TI field is ([0-9,]+) characters long; "
        r"kept the first ([0-9,]+)\n",
        said,
    )
    assert cut, said
    length, kept = (int(number.replace(",", "")) for number in cut.groups())
    assert length >= BIG_LINE_BYTES - 1 and 0 < kept <= MAX_FIELD_CHARS
    assert_kept(before, filled_library)
    with Library(filled_library) as library:
        (title,) = [
            ref.title
            for ref in library.items.get_many(library.items.search())
            if ref.pmid == "31000098"
        ]
    assert title == value[:kept]
    assert filled_library.stat().st_size - size_before < MAX_GROWTH_BYTES
    exported, export_peak_mb = measured(filled_library, "export", "--format", "bibtex")
    assert exported.returncode == 0, exported.stderr
    assert title in exported.stdout
    assert export_peak_mb < MAX_RSS_MB


def test_a_record_with_a_50_mb_abstract_imports_in_bounded_memory(filled_library, tmp_path):
    path = tmp_path / "huge-abstract.nbib"
    path.write_text(f"PMID- 31000098\nTI  - A record with a 50 MB abstract\nAB  - {big_line()}\n")
    before, said = import_measured(filled_library, path, 0, MAX_RSS_MB)
    assert "1 added" in said
    assert f"{path}:3: the AB field is {BIG_LINE_BYTES:,} characters long" in said
    assert_kept(before, filled_library)


def test_many_records_with_huge_values_import_in_bounded_memory(filled_library, tmp_path):
    """120 records of a million characters each: held 500 at a time (a batch of ordinary
    records), they took 250 MB; a batch ends early when its records are that large."""
    path = tmp_path / "huge-records.nbib"
    value = big_line(MAX_FIELD_CHARS - 100)
    with path.open("w") as out:
        for n in range(120):
            out.write(f"PMID- {32000000 + n}\nTI  - Huge record {n}\nAB  - {n} {value}\n\n")
    before, said = import_measured(filled_library, path, 0, MAX_RSS_MB)
    assert "120 added" in said
    assert "problem" not in said
    assert_kept(before, filled_library)
