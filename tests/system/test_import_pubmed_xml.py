"""``refman import`` of PubMed XML as a user runs it: files found by content whatever their
names, bad files named with their line while the rest is read, and a 100 MB file imported in
bounded memory. The reader's side is tested in tests/unit/formats/pubmed_xml/."""

from __future__ import annotations

import json
import shutil

import pytest

from bench.synthetic_pubmed_xml import HEAD, TAIL, records
from tests.safety_helpers import assert_kept, refman, snapshot
from tests.samples import DATA
from tests.system.test_bad_input import MAX_RSS_MB, import_measured

pytestmark = pytest.mark.system

XML = DATA / "import" / "pubmedxml"
MB = 2**20


def listed(library) -> dict[str, dict]:
    lines = refman(library, "list", "--json").stdout.splitlines()
    return {item["pmid"]: item for item in map(json.loads, lines)}


def test_a_folder_of_pubmed_xml_is_read_whatever_the_names(filled_library, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(XML / "zotero-pubmedxml-01.xml", folder / "pubmed-export.txt")
    shutil.copy(XML / "zotero-pubmedxml-02.xml", folder / "book.nbib")
    shutil.copy(XML / "corrections.xml", folder / "efetch")
    before = snapshot(filled_library)
    result = refman(filled_library, "import", folder)
    assert result.returncode == 0, result.stderr
    assert "5 added" in result.stdout and "problem" not in result.stdout
    assert_kept(before, filled_library)
    items = listed(filled_library)
    assert items["18157122"]["doi"] == "10.1038/nchembio.2007.59"
    assert items["20821847"]["title"] == "Endocrinology: An Integrated Approach"
    assert items["39000001"]["creators"][-1]["name"] == "Example Calcium Imaging Consortium"
    again = refman(filled_library, "import", folder)
    assert "0 added, 5 duplicates skipped" in again.stdout


def test_bad_xml_files_are_named_and_the_good_records_kept(filled_library, tmp_path):
    data = (XML / "zotero-pubmedxml-01.xml").read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: data.index(b"<PMID", data.index(b"18157123") - 100)])
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY a "aaaa">'
        '<!ENTITY b "&a;&a;&a;&a;">]>\n<PubmedArticleSet><PubmedArticle><MedlineCitation>'
        "<PMID>1</PMID><Article><ArticleTitle>&b;</ArticleTitle></Article></MedlineCitation>"
        "</PubmedArticle></PubmedArticleSet>\n"
    )
    other = XML / "not-pubmed" / "biopython-esearch1.xml"
    before = snapshot(filled_library)
    result = refman(filled_library, "import", cut, bomb, other)
    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stdout and "3 problems from 3 files" in result.stdout
    line = cut.read_bytes().count(b"\n") + 1  # the last line, where the file breaks off
    assert f"{cut}:{line}: the file ends in the middle of a record" in result.stdout
    assert (
        f"{bomb}: it declares XML entities (<!ENTITY ...>), which refman refuses" in result.stdout
    )
    assert (
        f"{other}: refman cannot read it: it is XML, but not in a format refman reads"
        " (its root element is <eSearchResult>). It reads" in result.stdout
    )
    assert_kept(before, filled_library)
    assert "18157122" in listed(filled_library)


def write_big(path, size: int) -> int:
    """PubMed XML records with 250 cited references each (as efetch gives them), until the
    file holds ``size`` bytes; the number of records."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        for count, record in enumerate(records(size // 30_000), 1):
            cited = "".join(
                f"<Reference><Citation>Author{i} A. Cited paper {i} of record {count}. "
                f"J Example Stud. 2001;{i}:{i}-{i + 9}.</Citation><ArticleIdList><ArticleId "
                f'IdType="pubmed">{10_000_000 + i}</ArticleId></ArticleIdList></Reference>'
                for i in range(250)
            )
            out.write(
                record.replace(
                    "</PubmedData>", f"<ReferenceList>{cited}</ReferenceList></PubmedData>"
                )
            )
            if out.tell() >= size:
                break
        out.write(TAIL)
    return count


def test_a_100_mb_file_imports_in_bounded_memory(filled_library, tmp_path):
    path = tmp_path / "big.xml"
    count = write_big(path, 100 * MB)
    assert path.stat().st_size >= 100 * MB
    before, said = import_measured(filled_library, path, 0, MAX_RSS_MB)
    assert f"{count} added" in said
    assert_kept(before, filled_library)
