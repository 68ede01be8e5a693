"""The MEDLINE reader against Biopython's Bio.Medline, on files Biopython reads correctly.

Bio.Medline reads by fixed columns (tag in 0-3, value from column 6) and keeps every value as
printed, so on files in PubMed's own layout it is a fair second opinion on the raw tag/value
pairs. Where it differs by design, the comparison normalises:

- white space: Biopython joins continuation lines with one space (or, for MH and AD, with the
  continuation line's own indentation) and keeps PubMed's trailing spaces; both sides are
  compared with runs of white space collapsed;
- list-valued tags: Biopython turns each continuation line of a tag that is not MH or AD (e.g. a
  long COIS or OT) into a list item of its own, so lists are compared joined, and item by item
  only where no continuation line was involved (the list lengths agree).

Files left out, because Biopython misreads them: the damaged seed (all on one line: Biopython
sees one PMID field), files with a BOM (its first tag becomes "\\ufeffPMID"), blank lines that
hold spaces, records with no blank line between them (it merges them into one), the Latin-1
fixture (one encoding per file) and the unpadded-tag fixture (``PMID-1`` puts the value in the
tag's columns). The writer's output of every file, the seed included, is in the comparison.
"""

import io
import json
import re
from pathlib import Path

import pytest
from Bio import Medline

import refman.formats.medline as medline

DATA = Path(__file__).parents[1] / "data"
FIXTURES = DATA / "medline"
PUBMED_LAYOUT = [
    DATA / "pubmed_result1.txt",
    DATA / "pubmed_result2.txt",
    DATA / "nbib-pubmed-balloongui-set.nbib",
    DATA / "zotero-case-01.nbib",
    DATA / "zotero-case-02.nbib",
    DATA / "zotero-case-03.nbib",
    FIXTURES / "crlf.nbib",
    FIXTURES / "no_final_newline.nbib",
    FIXTURES / "book.nbib",
    FIXTURES / "book_chapter.nbib",
    FIXTURES / "collective_authors.nbib",
    FIXTURES / "au_only.nbib",
    FIXTURES / "ids.nbib",
]

# The tags Bio.Medline joins into one string; every other tag is a list of values.
BIO_TEXT_TAGS = frozenset(
    (
        *("ID", "PMID", "SO", "RF", "NI", "JC", "TA", "IS", "CY", "TT", "CA", "IP", "VI", "DP"),
        *("YR", "PG", "LID", "DA", "LR", "OWN", "STAT", "DCOM", "PUBM", "DEP", "PL", "JID", "SB"),
        *("PMC", "EDAT", "MHDA", "PST", "AB", "EA", "TI", "JT"),
    )
)


def biopython_shape(fields) -> dict:
    """Raw fields in Bio.Medline's record shape: a string for text tags, else a list."""
    grouped: dict[str, list[str]] = {}
    for tag, value in fields:
        grouped.setdefault(tag, []).append(value)
    return {t: " ".join(v) if t in BIO_TEXT_TAGS else v for t, v in grouped.items()}


def squash(value) -> str:
    text = " ".join(value) if isinstance(value, list) else value
    return re.sub(r"\s+", " ", text).strip()


def biopython_records(text: str) -> list[dict]:
    return [dict(r) for r in Medline.parse(io.StringIO(text, newline=""))]


def assert_same_records(mine: list[dict], theirs: list[dict]) -> None:
    assert len(mine) == len(theirs)
    for ours, bio in zip(mine, theirs, strict=True):
        assert ours.keys() == bio.keys()
        for tag, value in bio.items():
            assert squash(ours[tag]) == squash(value), tag
            if isinstance(value, list) and len(value) == len(ours[tag]):
                assert [squash(v) for v in ours[tag]] == [squash(v) for v in value], tag


@pytest.mark.parametrize("name", ["pubmed_result1", "pubmed_result2"])
def test_raw_values_are_those_biopython_asserts_in_its_own_tests(name):
    expected = json.loads((DATA / f"{name}.expected.json").read_text())["records"]
    records = [biopython_shape(r.fields) for r in medline.read_raw(DATA / f"{name}.txt")]
    assert len(records) == len(expected)
    for record, wanted in zip(records, expected, strict=True):
        assert {key: record.get(key) for key in wanted} == wanted


@pytest.mark.parametrize("path", PUBMED_LAYOUT, ids=lambda p: p.name)
def test_raw_records_agree_with_biopython(path):
    text = path.read_bytes().decode("utf-8")
    mine = [biopython_shape(r.fields) for r in medline.read_raw(path)]
    assert_same_records(mine, biopython_records(text))


@pytest.mark.parametrize("path", PUBMED_LAYOUT + [DATA / "000_dccecbf8d310899f.txt"])
def test_biopython_reads_what_the_writer_writes(path):
    refs = list(medline.read(path))
    out = io.StringIO()
    medline.write(refs, out)
    mine = [biopython_shape(r.source_record) for r in refs]
    assert_same_records(mine, biopython_records(out.getvalue()))
