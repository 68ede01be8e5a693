"""The BibTeX sniffer: BibTeX from its content, whatever the name; nothing else claimed."""

from __future__ import annotations

import pytest

from refman import formats
from refman.formats.bibtex import sniff
from tests.samples import BAD, DATA, EXPORT, SAMPLE_FILES

BIB = sorted((DATA / "import" / "bibtex").glob("*.bib")) + sorted(EXPORT.glob("*.bib"))


@pytest.mark.parametrize("path", BIB, ids=lambda p: p.name)
def test_bibtex_files_are_recognised(path):
    assert sniff(path.read_bytes()[: formats.SNIFF_BYTES])


def test_a_bibtex_file_named_nbib_or_txt_is_read_as_bibtex():
    head = (BAD / "bibtex.nbib").read_bytes()
    assert formats.sniff(head, "bibtex.nbib") is formats.FORMATS["bibtex"]
    assert formats.sniff(head, "refs.txt") is formats.FORMATS["bibtex"]
    assert (
        formats.sniff("% JabRef header\n@Article{k,\n".encode("utf-16"), "x")
        is formats.FORMATS["bibtex"]
    )


OTHERS = [
    *SAMPLE_FILES,
    *sorted(EXPORT.glob("*.ris")),
    *sorted(DATA.glob("*.nbib")),
    *sorted(DATA.glob("csl/*.json")),
]


@pytest.mark.parametrize("path", OTHERS, ids=lambda p: p.name)
def test_other_formats_are_not_claimed(path):
    assert not sniff(path.read_bytes()[: formats.SNIFF_BYTES])


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"%PDF-1.7\n",
        b'[{"id": "a", "type": "article-journal"}]',
        b"<?xml version='1.0'?><records><record></record></records>",
        b"Write to me@example.org {soon}\n",
        b"\x00\x00@article{k,",
    ],
)
def test_heads_that_are_not_bibtex(head):
    assert not sniff(head)
