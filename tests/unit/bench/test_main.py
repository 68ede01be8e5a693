"""bench/__main__.py: the sizes asked for, a working folder that keeps only what was there, and
the review's lines. A whole run, and its table, are in tests/system/test_bench.py."""

from pathlib import Path

import pytest

from bench.__main__ import (
    QUICK_SIZES,
    Workdir,
    failed,
    parse_args,
    review_library,
    review_note,
    review_table,
)

REVIEW = {
    "library_items": 10_000,
    "review_s": 2.5,
    "review_cpu_s": 2.25,
    "records": 10_000,
    "statuses": {"new": 9_700, "duplicate": 300, "repeat": 0, "problem": 0},
    "dialog_built_s": 0.012,
    "dialog_shown_s": 1.5,
    "painted": True,
    "rows": 10_000,
    "rows_on_screen": 22,
    "import_button": "Import 9,700",
    "baseline_rss_mib": 30.0,
    "peak_rss_mib": 180.4,
}


def test_sizes_default_quick_and_bad():
    assert parse_args([]).sizes == [10_000, 100_000]
    assert parse_args(["--sizes", "300,2000"]).sizes == [300, 2000]
    assert parse_args(["--quick"]).sizes == QUICK_SIZES
    for bad in ("ten", "0", ""):
        with pytest.raises(SystemExit):
            parse_args(["--sizes", bad])


def test_a_chosen_workdir_keeps_only_what_was_there(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    work = Workdir(str(tmp_path), keep=False)
    work.file("library-1.sqlite").write_text("x")
    (tmp_path / "backups").mkdir()
    work.cleanup()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]
    kept = Workdir(str(tmp_path), keep=True)
    kept.file("library-1.sqlite").write_text("x")
    kept.cleanup()
    assert (tmp_path / "library-1.sqlite").exists()


def test_the_reviews_lines_judge_the_dialog_only():
    lines = review_table(REVIEW, 10_000).splitlines()
    assert lines[0] == "| Measurement | 10,000 records | Target |"
    assert lines[2:] == [
        "| Review of a 10,000-record file: reading for the review | 2.50 s (CPU 2.25 s) |  |",
        "| Review of a 10,000-record file: dialog shown | 1.50 s ✗ | < 1 s |",
        "| ↳ of which: building the dialog | 12 ms |  |",
        "| Review of a 10,000-record file: peak memory (RSS) | 180 MB |  |",
    ]
    quick = dict(REVIEW, dialog_shown_s=0.05)
    assert "| Review of a 2,000-record file: dialog shown | 0.05 s ✓ | < 1 s |" in (
        review_table(quick, 2_000)
    )
    assert review_note(REVIEW) == (
        "Review: 10,000 records against a library of 10,000 items (9,700 new, 300 duplicates);"
        " 10,000 rows in the dialog, 22 of them on screen at its first paint."
    )


def test_a_failed_review_fails_its_lines_and_the_run():
    broken = {"error": "the review measurement failed (exit 1):\nMemoryError"}
    cells = [line.split(" | ")[1] for line in review_table(broken, 10_000).splitlines()[2:]]
    assert cells == ["failed"] * 4
    assert review_note(broken) == "The review measurement failed: MemoryError"
    reading = {"records": 10_000, "formats": {}, "review": broken}
    assert failed([], reading) and not failed([], dict(reading, review=REVIEW))


def test_the_review_runs_over_the_smallest_library_imported(tmp_path):
    work = Workdir(str(tmp_path), keep=True)
    imported = [{"size": 100_000, "import": {}}, {"size": 10_000, "import": {}}]
    assert review_library(imported, work) == Path(tmp_path) / "library-10000.sqlite"
    broken = [{"size": 10_000, "import": {"error": "boom"}}, {"size": 100_000, "import": {}}]
    assert review_library(broken, work) == Path(tmp_path) / "library-100000.sqlite"
    assert review_library([{"size": 10_000, "import": {"error": "boom"}}], work) is None
