"""``python -m bench.floor``: the minimal import it measures stores every record, findable.

The floor is only worth its number if it does the work it claims to (every record in, its
words searchable, its tags linked, its copy whole); nothing here is timed.
"""

import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

from bench import floor
from tests.samples import SYNTHETIC_RECORDS

ROOT = Path(__file__).resolve().parents[3]


def test_the_minimal_import_stores_every_record_searchable_and_whole(synthetic_medline, tmp_path):
    path, refs = synthetic_medline
    db = tmp_path / "floor.sqlite"
    assert floor.FloorImport(db).run(path) == SYNTHETIC_RECORDS
    connection = sqlite3.connect(db)
    assert connection.execute("SELECT count(*) FROM item").fetchone() == (SYNTHETIC_RECORDS,)
    first = refs[0]
    word = max(first.title.split(), key=len).strip(".,:;()[]")
    found = connection.execute("SELECT rowid FROM item_fts WHERE item_fts MATCH ?", [f'"{word}"'])
    assert 1 in {row[0] for row in found}
    (record,) = connection.execute("SELECT record FROM source WHERE item_id = 1").fetchone()
    assert f"PMID: {first.pmid}" in zlib.decompress(record).decode("utf-8")
    tags = connection.execute(
        "SELECT name FROM tag JOIN item_tag ON tag_id = id WHERE item_id = 1"
    ).fetchall()
    assert {name for (name,) in tags} == {tag.name for tag in first.tags}
    connection.close()


def test_python_m_bench_floor_prints_every_part_against_the_parse(synthetic_medline, tmp_path):
    path, _ = synthetic_medline
    command = [sys.executable, "-m", "bench.floor", str(path), "--db", str(tmp_path / "f.sqlite")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{SYNTHETIC_RECORDS:,} records, ")
    parts = [line.split(" | ")[0].lstrip("| ") for line in lines if line.startswith("| ")]
    assert parts[1:] == [
        "parse (Bio.Medline)",
        "rows (Python)",
        "compressing the copy (zlib level 1)",
        "SQLite: item",
        "SQLite: full-text index",
        "SQLite: source copy",
        "SQLite: tag",
        "SQLite: item_tag",
        "SQLite: commit and checkpoint",
        "**the whole minimal import**",
    ]
    assert lines[-1].startswith("Its database: ")


def test_a_missing_file_is_a_usage_error(tmp_path):
    command = [sys.executable, "-m", "bench.floor", str(tmp_path / "none.nbib")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert "no such file: " in done.stderr


def test_a_file_without_medline_records_is_said_so(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("Some notes, not a MEDLINE file.\n", encoding="utf-8")
    command = [sys.executable, "-m", "bench.floor", str(text), "--db", str(tmp_path / "f.sqlite")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (1, "")
    said = f"python -m bench.floor: {text} holds no MEDLINE record"
    assert done.stderr == f"{said} (no line starting with 'PMID- ')\n"


def test_without_db_the_database_is_made_beside_the_file_and_removed(synthetic_medline, tmp_path):
    path, _ = synthetic_medline
    copy = tmp_path / "records.nbib"
    copy.write_bytes(path.read_bytes())
    command = [sys.executable, "-m", "bench.floor", str(copy)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("Its database: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.nbib"]
