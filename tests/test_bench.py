"""The benchmark at a small size: the generator's files, and a full run's table and numbers.

Nothing here is timed against a threshold (CI machines differ): the run must finish, every row
of the table must be filled, and the numbers must make sense together (every item imported and
shown, p50 <= p95, memory above the interpreter's own, ...).
"""

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from Bio import Medline

from bench import measure, synthetic
from bench.__main__ import (
    QUERY_COUNT,
    QUICK_SIZES,
    ROWS,
    Workdir,
    failed,
    parse_args,
    report,
    run,
    search_percentile,
)
from refman.formats import medline
from refman.model import TAG_KEYWORD, TAG_MESH

SIZE = 300
SEED = 7
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def vocab():
    return synthetic.Vocabulary(SEED)


@pytest.fixture(scope="module")
def references(tmp_path_factory, vocab):
    path = tmp_path_factory.mktemp("synthetic") / "records.nbib"
    synthetic.write_medline(path, SIZE, SEED, vocab)
    problems = []
    refs = list(medline.read(path, on_problem=problems.append))
    assert problems == []
    return path, refs


# --- the generator ----------------------------------------------------------------------------


def test_every_record_reads_back_with_its_ids(references):
    _, refs = references
    assert len(refs) == SIZE
    assert len({r.pmid for r in refs}) == SIZE
    dois = [r.doi for r in refs if r.doi]
    assert len(set(dois)) == len(dois) > SIZE * 0.7


def test_records_have_authors_mesh_keywords_and_abstracts(references):
    _, refs = references
    assert all(1 <= len(r.authors()) <= 15 for r in refs)
    assert max(len(r.authors()) for r in refs) >= 12
    assert any(c.affiliations for r in refs for c in r.creators)
    assert any(c.ids for r in refs for c in r.creators)  # ORCIDs
    mesh = [[t for t in r.tags if t.kind == TAG_MESH] for r in refs]
    assert all(3 <= len(headings) <= 15 for headings in mesh)
    flat = [t for headings in mesh for t in headings]
    assert any(t.major for t in flat) and any(q.major for t in flat for q in t.qualifiers)
    assert sum(any(t.kind == TAG_KEYWORD for t in r.tags) for r in refs) > SIZE / 3
    assert sum(bool(r.abstract) for r in refs) > SIZE * 0.8
    assert len({r.container_title for r in refs}) > 50


def test_dates_come_in_pubmeds_varied_forms(references):
    _, refs = references
    shapes = Counter(re.sub(r"[0-9]", "9", re.sub(r"[A-Za-z]+", "A", r.date.text)) for r in refs)
    assert {"9999 A 9", "9999 A", "9999", "9999 A-A"} <= set(shapes)
    assert all(r.date.year and 1965 <= r.date.year <= 2024 for r in refs)


def test_words_follow_a_long_tailed_distribution(references):
    _, refs = references
    words = Counter(w.lower() for r in refs for w in (r.title + " " + r.abstract).split())
    ranked = [count for _, count in words.most_common()]
    assert ranked[0] > 50 * ranked[len(ranked) // 2]  # a few words everywhere, most rare
    assert len(words) > 5000


def test_the_same_seed_writes_the_same_bytes(tmp_path, vocab):
    first, second, other = tmp_path / "a.nbib", tmp_path / "b.nbib", tmp_path / "c.nbib"
    synthetic.write_medline(first, 50, SEED, vocab)
    synthetic.write_medline(second, 50, SEED, synthetic.Vocabulary(SEED))
    synthetic.write_medline(other, 50, SEED + 1)
    assert first.read_bytes() == second.read_bytes() != other.read_bytes()


def test_biopython_reads_as_many_records(references):
    path, _ = references
    with open(path, encoding="utf-8") as handle:
        records = list(Medline.parse(handle))
    assert len(records) == SIZE
    assert all(record["TI"] for record in records)


def test_long_values_wrap_like_pubmed():
    text = synthetic.wrapped("AB", " ".join(["word"] * 60))
    lines = text.split("\n")
    assert lines[0].startswith("AB  - ") and all(line.startswith(" " * 6) for line in lines[1:])
    assert all(len(line) <= synthetic.WRAP + 1 for line in lines)
    assert all(line.endswith(" ") for line in lines[:-1])


def test_queries_are_varied(vocab):
    queries = vocab.queries(QUERY_COUNT, SEED)
    assert len(queries) == QUERY_COUNT
    assert any(q.isdigit() for q in queries)  # years
    assert any(" " in q for q in queries)  # two words, or an author's full name
    families = {a.family for a in vocab.authors.values}
    assert any(q.split()[0] in families for q in queries)


# --- a whole run ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    work = Workdir(str(tmp_path_factory.mktemp("bench")), keep=False)
    try:
        (found,) = run([SIZE], SEED, work)
    finally:
        work.cleanup()
    return found


def test_every_item_is_imported_listed_and_shown(result):
    assert result["import"]["added"] == result["import"]["items"] == SIZE
    assert result["import"]["problems"] == 0
    assert result["library"]["items"] == result["window"]["rows"] == SIZE
    assert result["biopython"]["records"] == result["reader"]["records"] == SIZE


def test_numbers_make_sense_together(result):
    imported, window, library = result["import"], result["window"], result["library"]
    assert 0 < imported["baseline_rss_mib"] < imported["peak_rss_mib"]
    assert 0 < window["open_s"] < window["first_rows_s"] <= window["painted_s"]
    assert result["startup"]["rows"] == SIZE
    assert result["startup"]["launch_to_paint_s"] > window["first_rows_s"] > 0
    assert len(library["searches"]) == QUERY_COUNT
    assert sum(s["matches"] > 0 for s in library["searches"]) > QUERY_COUNT / 2
    assert 0 < search_percentile(result, 0.5) <= search_percentile(result, 0.95)
    assert set(library["sorts"]) == set(measure.SORT_KEYS)
    assert all(len(t) == 2 and min(t) > 0 for t in library["sorts"].values())
    assert library["tags"] > 100 and library["tag_counts_s"] > 0
    assert library["export_items"] == SIZE and library["export_chars"] > SIZE * 200
    assert library["ris_s"] > 0 and library["bibliography_items"] == SIZE
    assert 0 < result["reader"]["seconds"] < imported["seconds"]
    assert 0 < imported["sqlite_s"] < imported["seconds"]
    assert result["library_bytes"] > 0 and result["file_bytes"] > SIZE * 2000


def test_the_table_has_every_row_filled(result):
    text = report([result], SEED, ["0.0", "0.0"])
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[0] == f"| Measurement | {SIZE:,} items | Target |"
    body = rows[1:]
    assert [row.split(" | ")[0][2:] for row in body] == [row.label for row in ROWS]
    cells = [row.split(" | ")[1] for row in body]
    assert all(cell and cell != "n/a" for cell in cells)
    assert "SQLite" in text and "CPU" in text


def test_a_failed_measurement_fails_its_cells_only(result):
    broken = dict(result, window={"error": "the window measurement failed (exit 1):\nBoom"})
    text = report([broken], SEED, ["0.0", "0.0"])
    lines = [line.split(" | ") for line in text.splitlines() if line.startswith("| ")]
    rows = {cells[0][2:]: cells[1] for cells in lines}
    assert rows["Open library → first rows shown"] == "failed"
    assert rows["Tag selector: model fill"] == "failed"
    assert rows["Import: time"] != "failed" and rows["Sort by title ↑ / ↓"] != "failed"
    assert f"{SIZE:,} items: the window measurement failed: Boom" in text
    assert failed([broken]) and not failed([result])


def test_sort_keys_are_the_item_tables_columns():
    from refman.gui.item_table import COLUMN_KEYS

    assert measure.SORT_KEYS == COLUMN_KEYS


# --- options and files ------------------------------------------------------------------------


def test_sizes_default_quick_and_bad():
    assert parse_args([]).sizes == [10_000, 100_000]
    assert parse_args(["--sizes", "300,2000"]).sizes == [300, 2000]
    assert parse_args(["--quick"]).sizes == QUICK_SIZES
    for bad in ("ten", "0", ""):
        with pytest.raises(SystemExit):
            parse_args(["--sizes", bad])


def test_python_m_bench_runs_from_the_checkout():
    """The README's command, from the repository's root: the benchmark is not installed."""
    command = [sys.executable, "-m", "bench", "--sizes", "ten"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("usage: python -m bench ")
    assert "--sizes takes item counts separated by commas, not 'ten'" in done.stderr


def test_a_measurement_finds_the_benchmark_from_any_folder(references, tmp_path, monkeypatch):
    path, _ = references
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    assert measure.run_child("reader", {"file": str(path)}, tmp_path)["records"] == SIZE


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


def test_percentile_is_the_nearest_rank():
    values = [0.01 * n for n in range(1, 101)]
    assert measure.percentile(values, 0.5) == pytest.approx(0.50)
    assert measure.percentile(values, 0.95) == pytest.approx(0.95)
    assert measure.percentile([3.0], 0.95) == 3.0


def test_the_sqlite_clock_counts_time_inside_sqlite_only(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite3, "connect", sqlite3.connect)  # undone after the test
    clock = measure._SqliteClock()
    clock.install()
    connection = sqlite3.connect(tmp_path / "x.sqlite")
    connection.execute("CREATE TABLE t (n)")
    before = clock.seconds
    connection.cursor().executemany("INSERT INTO t VALUES (?)", ((n,) for n in range(200_000)))
    connection.commit()
    inserted = clock.seconds - before
    assert inserted > 0
    time.sleep(0.2)  # time outside SQLite is not counted
    assert clock.seconds - before == inserted
    connection.close()
