"""Is it MEDLINE? The first bytes of a file, looked at before it is read."""

import pytest

import refman.formats.medline as medline
from refman.formats.medline.sniff import head_text, not_medline_reason, sniff
from tests.samples import SEED_FILE
from tests.unit.formats.medline.helpers import (
    PLAIN,
)


def test_sniff_accepts_medline_heads():
    assert medline.sniff(PLAIN)
    assert medline.sniff(SEED_FILE.read_text()[:4096])
    assert medline.sniff("\ufeffPMID- 1\n")
    assert medline.sniff("Search results\n\nOWN - ERIC\nTI  - A title\n")


NOT_READ = "it is XML, but not in a format refman reads"


@pytest.mark.parametrize(
    ("head", "reason"),
    [
        ("", "it is empty"),
        ("%PDF-1.4\n", "it is a PDF"),
        ("TY  - JOUR\nTI  - x\n", "it looks like RIS"),
        ("@article{key,\n", "it looks like BibTeX"),
        ("<eSearchResult>", f"{NOT_READ} (its root element is <eSearchResult>)"),
        ("<!DOCTYPE html>\n<html>", "it is a web page (HTML)"),
        ("<p>a fragment", f"{NOT_READ} (its root element is <p>)"),
        ("< not a tag", "it looks like XML or HTML"),
        ('{"title": 1}', "it looks like JSON, but not like CSL-JSON items"),
        ("\x00\x01binary", "it is a binary file, not text"),
        ("TI  - only one tag\n", "no MEDLINE tags such as PMID- or TI  - were found"),
        ("PMID- 1\n", None),
        ("TI  - x\nAU  - y\n", None),
        ("PMID- 1 TI  - x AU  - y", None),  # one damaged line
    ],
)
def test_the_reason_a_head_is_not_medline(head, reason):
    assert not_medline_reason(head) == reason
    assert sniff(head) is (reason is None)


@pytest.mark.parametrize(
    "head",
    [
        b"PMID- 1\nTI  - A title\n",
        b"\xef\xbb\xbfPMID- 1\n",
        "PMID- 1\nTI  - A title\n".encode("utf-16"),
        "PMID- 1\nTI  - Caf\u00e9".encode()[:-1],  # cut inside a character at SNIFF_BYTES
    ],
    ids=["utf-8", "bom", "utf-16", "cut"],
)
def test_the_first_bytes_of_a_file_are_decoded_as_the_reader_decodes_them(head):
    assert head_text(head).lstrip("\ufeff").startswith("PMID- 1\n")
    assert sniff(head)
