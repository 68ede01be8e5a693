"""The benchmark at a small size: a full run's table and numbers, ``python -m bench`` from the
checkout, a measurement from any folder, and a wheel without the benchmark.

Nothing here is timed against a threshold (CI machines differ): the run must finish, every row
of the table must be filled, and the numbers must make sense together (every item imported and
shown, p50 <= p95, memory above the interpreter's own, ...). The generator and the report's
parts are tested in tests/unit/bench/.
"""

import os
import shutil
import subprocess
import sys
import zipfile
from itertools import takewhile
from pathlib import Path

import pytest

from bench import measure
from bench.__main__ import (
    FIELD_QUERY_COUNT,
    QUERY_COUNT,
    ROWS,
    Workdir,
    failed,
    is_field_query,
    report,
    review_rows,
    run,
    run_readers,
    run_review,
    search_percentile,
)
from refman.formats import READ_FORMATS
from refman.library import Library
from tests.samples import SYNTHETIC_RECORDS, SYNTHETIC_SEED

ROOT = Path(__file__).resolve().parents[2]


# --- a whole run ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    work = Workdir(str(tmp_path_factory.mktemp("bench")), keep=False)
    try:
        (found,) = run([SYNTHETIC_RECORDS], SYNTHETIC_SEED, work)
        found["floor_files_left"] = sorted(p.name for p in work.path.glob("floor-*"))
    finally:
        work.cleanup()
    return found


def test_every_item_is_imported_listed_and_shown(result):
    assert result["import"]["added"] == result["import"]["items"] == SYNTHETIC_RECORDS
    assert result["import"]["problems"] == 0
    assert result["library"]["items"] == result["window"]["rows"] == SYNTHETIC_RECORDS
    assert result["biopython"]["records"] == result["reader"]["records"] == SYNTHETIC_RECORDS
    assert result["floor"]["records"] == SYNTHETIC_RECORDS


def test_numbers_make_sense_together(result):
    imported, window, library = result["import"], result["window"], result["library"]
    assert 0 < imported["baseline_rss_mib"] < imported["peak_rss_mib"]
    assert 0 < window["open_s"] < window["first_rows_s"] <= window["painted_s"]
    assert result["startup"]["rows"] == SYNTHETIC_RECORDS
    assert result["startup"]["launch_to_paint_s"] > window["first_rows_s"] > 0
    assert len(library["searches"]) == QUERY_COUNT + FIELD_QUERY_COUNT
    assert sum(s["matches"] > 0 for s in library["searches"]) > QUERY_COUNT / 2
    assert 0 < search_percentile(result, 0.5) <= search_percentile(result, 0.95)
    fields = [s for s in library["searches"] if is_field_query(s["query"])]
    assert len(fields) == FIELD_QUERY_COUNT
    assert sum(s["matches"] > 0 for s in fields) > FIELD_QUERY_COUNT / 2
    assert search_percentile(result, 0.95, fields_only=True) > 0
    assert set(library["sorts"]) == set(measure.SORT_KEYS)
    assert all(len(t) == 2 and min(t) > 0 for t in library["sorts"].values())
    assert library["tags"] > 100 and library["tag_counts_s"] > 0
    assert library["tag_counts_first_s"] > 0
    assert (
        library["export_items"] == SYNTHETIC_RECORDS
        and library["export_chars"] > SYNTHETIC_RECORDS * 200
    )
    assert library["ris_s"] > 0 and library["bibliography_items"] == SYNTHETIC_RECORDS
    assert 0 < result["reader"]["seconds"] < imported["seconds"]
    assert 0 < imported["sqlite_s"] < imported["seconds"]
    # The minimal import does a part of the import's work, and its database is removed.
    assert 0 < result["floor"]["cpu_s"] < imported["cpu_s"] and result["floor"]["db_bytes"] > 0
    assert result["floor_files_left"] == []
    assert result["library_bytes"] > 0 and result["file_bytes"] > SYNTHETIC_RECORDS * 2000


def test_the_table_has_every_row_filled(result):
    text = report([result], SYNTHETIC_SEED, ["0.0", "0.0"])
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[0] == f"| Measurement | {SYNTHETIC_RECORDS:,} items | Target |"
    body = rows[1:]
    assert [row.split(" | ")[0][2:] for row in body] == [row.label for row in ROWS]
    cells = [row.split(" | ")[1] for row in body]
    assert all(cell and cell != "n/a" for cell in cells)
    assert "SQLite" in text and "CPU" in text


@pytest.fixture(scope="module")
def reading(tmp_path_factory):
    work = Workdir(str(tmp_path_factory.mktemp("readers")), keep=False)
    try:
        return run_readers(SYNTHETIC_RECORDS, SYNTHETIC_SEED, work)
    finally:
        work.cleanup()


def test_every_reader_reads_every_synthetic_record(reading):
    formats = reading["formats"]
    assert list(formats) == list(READ_FORMATS)  # every format refman reads
    assert all("error" not in f for f in formats.values())
    measured = {key: f for key, f in formats.items() if not f.get("missing")}
    assert "medline" in measured
    assert all(f["records"] == SYNTHETIC_RECORDS for f in measured.values())
    assert all(f["problems"] == 0 and f["seconds"] > 0 for f in measured.values())


def test_the_readers_table_has_a_line_per_reader(result, reading):
    text = report([result], SYNTHETIC_SEED, ["0.0", "0.0"], reading)
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    start = next(i for i, line in enumerate(lines) if line.startswith("| Reader ("))
    body = list(takewhile(lambda line: not line.startswith("| Measurement "), lines[start + 1 :]))
    assert len(body) == len(READ_FORMATS)  # up to the review's table
    medline = next(line for line in body if line.startswith("| MEDLINE"))
    assert f"| {SYNTHETIC_RECORDS:,} |" in medline and "(the reference)" in medline
    assert not failed([result], reading)


def test_the_review_of_a_file_over_a_new_library_finds_every_record_new(reading):
    review = reading["review"]
    assert review["library_items"] == 0
    assert review["records"] == review["rows"] == SYNTHETIC_RECORDS
    assert review["statuses"]["new"] == SYNTHETIC_RECORDS
    assert review["import_button"] == f"Import {SYNTHETIC_RECORDS:,}"


def test_the_review_over_a_library_finds_its_duplicates_and_shows_every_row(
    synthetic_medline, tmp_path
):
    """The review's file is other papers than the library's, a few of them sharing a PMID with
    an item: both statuses show, and the dialog lists every record, painted."""
    path, _ = synthetic_medline
    library_path = tmp_path / "library.sqlite"
    with Library(library_path) as library:
        library.importing.files([path])
    work = Workdir(str(tmp_path / "work"), keep=False)
    try:
        review = run_review(SYNTHETIC_RECORDS, SYNTHETIC_SEED, work, library_path)
    finally:
        work.cleanup()
    statuses = review["statuses"]
    assert review["library_items"] == SYNTHETIC_RECORDS
    assert review["records"] == review["rows"] == sum(statuses.values()) == SYNTHETIC_RECORDS
    assert statuses["new"] > 0 and statuses["duplicate"] > 0 and statuses["problem"] == 0
    assert review["import_button"] == f"Import {statuses['new']:,}"
    assert review["painted"] and 0 < review["rows_on_screen"] < review["rows"]
    assert 0 < review["dialog_built_s"] < review["dialog_shown_s"]
    assert review["review_s"] > 0 and review["review_cpu_s"] > 0
    assert 0 < review["baseline_rss_mib"] < review["peak_rss_mib"]


def test_the_reviews_lines_are_filled(result, reading):
    text = report([result], SYNTHETIC_SEED, ["0.0", "0.0"], reading)
    lines = [line.split(" | ") for line in text.splitlines() if line.startswith("| ")]
    cells = {parts[0][2:]: parts[1:] for parts in lines}
    for row in review_rows(SYNTHETIC_RECORDS):
        shown, target = cells[row.label]
        assert shown and shown not in ("n/a", "failed")
        assert target.rstrip(" |") == row.target
    assert f"Review of a {SYNTHETIC_RECORDS:,}-record file: dialog shown" in cells
    assert f"Review: {SYNTHETIC_RECORDS:,} records against a library of 0 items" in text


def test_a_failed_measurement_fails_its_cells_only(result):
    broken = dict(result, window={"error": "the window measurement failed (exit 1):\nBoom"})
    text = report([broken], SYNTHETIC_SEED, ["0.0", "0.0"])
    lines = [line.split(" | ") for line in text.splitlines() if line.startswith("| ")]
    rows = {cells[0][2:]: cells[1] for cells in lines}
    assert rows["Open library → first rows shown"] == "failed"
    assert rows["Tag selector: model fill"] == "failed"
    assert rows["Import: time"] != "failed" and rows["Sort by title ↑ / ↓"] != "failed"
    assert f"{SYNTHETIC_RECORDS:,} items: the window measurement failed: Boom" in text
    assert failed([broken]) and not failed([result])


# --- running from the checkout, and the wheel -----------------------------------------------------


def test_python_m_bench_runs_from_the_checkout():
    """The README's command, from the repository's root: the benchmark is not installed."""
    command = [sys.executable, "-m", "bench", "--sizes", "ten"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("usage: python -m bench ")
    assert "--sizes takes item counts separated by commas, not 'ten'" in done.stderr


def test_a_measurement_finds_the_benchmark_from_any_folder(
    synthetic_medline, tmp_path, monkeypatch
):
    path, _ = synthetic_medline
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    assert (
        measure.run_child("reader", {"file": str(path)}, tmp_path)["records"] == SYNTHETIC_RECORDS
    )


def test_the_wheel_holds_refman_and_not_the_benchmark(tmp_path):
    """``pip wheel`` on a clean copy of the sources (a build/ folder left by an older build
    would be packed as it is): refman and its resources go in, bench/ beside it does not."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("refman", "bench"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    command = [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q"]
    command += ["-w", str(tmp_path / "wheel")]
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = (tmp_path / "wheel").glob("refman-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    version = wheel.name.split("-")[1]
    assert {name.split("/")[0] for name in names} == {"refman", f"refman-{version}.dist-info"}
    assert "refman/app.py" in names and "refman/formats/__init__.py" in names
    assert any(name.startswith("refman/resources/") for name in names)
    assert [name for name in names if "bench" in name] == []


def test_the_pdf_benchmark_runs_small_and_fills_its_table(tmp_path):
    """``python -m bench.pdfs`` at 6 PDFs: every row filled, every PDF's text indexed."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.pdfs", "--count", "6", "--workdir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    rows = [line for line in lines if line.startswith("| ") and "---" not in line]
    assert rows[0] == "| Measurement | Value |" and len(rows) == 8
    assert "6 PDFs indexed" in done.stdout
    assert list(tmp_path.iterdir()) == []  # its work folder is removed
