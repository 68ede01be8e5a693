"""``refman import`` of EndNote XML, as a user leaving EndNote runs it: files found by their
content whatever their name, the references listed and exported with their fields, an XML bomb
refused with the rest imported, and a 100 MB export read in bounded memory (measured in a
process of its own). The reader itself is tested in tests/unit/formats/endnote_xml/."""

from __future__ import annotations

import json
import shutil

from bench.synthetic_endnote_xml import write_synthetic
from refman.formats.xml_input import ENTITIES_REFUSED
from tests.safety_helpers import assert_kept, refman, snapshot
from tests.samples import DATA
from tests.system.test_bad_input import MAX_RSS_MB, measured

CASES = DATA / "import" / "endnotexml"
BOOKS = CASES / "zotero-endnotexml-01.xml"  # 9 records
CITEKEYS = CASES / "zotero-endnotexml-03.xml"  # 2 records
BIG_FILE_BYTES = 100 * 2**20
BIG_FILE_RECORDS = 21_000  # of bench.synthetic_endnote_xml's records, some 4.8 KB each


def test_endnote_xml_is_imported_whatever_the_files_are_called(library_path, tmp_path):
    renamed = tmp_path / "my library.txt"
    shutil.copy(CITEKEYS, renamed)
    result = refman(library_path, "import", BOOKS, renamed)
    assert result.returncode == 0, result.stderr
    assert "11 added" in result.stdout
    listed = refman(library_path, "list", "--json")
    items = {item["title"]: item for item in map(json.loads, listed.stdout.splitlines())}
    assert items["Planting green roofs and living walls"]["creators"] == [
        {"name": "Dunnett, Nigel", "role": "author"},
        {"name": "Kingsbury, Noël", "role": "author"},
    ]
    assert items["Rooftop greenhouse will boost city farming"]["journal"] == "New York Times"
    assert items["A test item (without a citekey)"]["creators"] == [
        {"name": "Author, Test Jr", "role": "author"}
    ]
    exported = refman(library_path, "export", "--format", "csl-json")
    by_title = {item["title"]: item for item in json.loads(exported.stdout)}
    chapter = by_title[
        "Firms and the welfare state: When, why, and how does social policy matter to employers?"
    ]
    assert chapter["type"] == "chapter" and chapter["page"] == "184-213"
    assert chapter["container-title"].startswith("Varieties of capitalism")
    assert [e["family"] for e in chapter["editor"]] == ["Hall", "Soskice"]


def test_an_xml_bomb_is_refused_and_the_other_files_are_imported(filled_library, tmp_path):
    bomb = tmp_path / "bomb.xml"
    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 12))
    bomb.write_text(
        f'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY l0 "lol">{laughs}]>'
        "<xml><records><record><titles><title>&l11;</title></titles></record></records></xml>"
    )
    before = snapshot(filled_library)
    result = refman(filled_library, "import", bomb, BOOKS)
    assert result.returncode == 0, result.stderr
    assert f"{bomb}: {ENTITIES_REFUSED}" in result.stdout
    assert "9 added" in result.stdout
    assert_kept(before, filled_library)


def test_a_cut_file_imports_the_records_before_the_cut_and_says_where_it_ends(
    filled_library, tmp_path
):
    cut = tmp_path / "cut.xml"
    whole = BOOKS.read_bytes()
    cut.write_bytes(whole[: whole.index(b"Steve Jobs")])
    before = snapshot(filled_library)
    result = refman(filled_library, "import", cut)
    line = cut.read_bytes().count(b"\n") + 1
    assert (
        f"{cut}:{line}: record 5: the file ends in the middle of a record (it was cut short)"
        in (result.stdout)
    )
    assert "4 added" in result.stdout
    assert_kept(before, filled_library)


def test_a_100_mb_endnote_export_imports_in_bounded_memory(library_path, tmp_path):
    path = tmp_path / "library.xml"
    write_synthetic(path, BIG_FILE_RECORDS, seed=5)
    assert path.stat().st_size >= BIG_FILE_BYTES * 0.95
    result, peak_mb = measured(library_path, "import", path)
    assert result.returncode == 0, result.stderr
    assert f"{BIG_FILE_RECORDS:,} added" in result.stdout or f"{BIG_FILE_RECORDS} added" in (
        result.stdout
    )
    assert "problem" not in result.stdout
    assert peak_mb < MAX_RSS_MB
