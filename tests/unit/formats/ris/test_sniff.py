"""Is it RIS? The sniffer recognises RIS by its content, whatever the name, and claims none of
the other formats' files."""

import codecs

import pytest

from refman import formats
from refman.formats import ris
from tests.samples import BAD, CSL_DATA, DATA, EXPORT, REAL_FILES
from tests.unit.formats.ris.zotero import CASES

RIS_FILES = (*CASES, *sorted(EXPORT.glob("*.ris")))
OTHERS = (
    *REAL_FILES,
    *sorted((DATA / "medline").glob("*.nbib")),
    *sorted(BAD.iterdir()),
    *sorted(EXPORT.glob("*.bib")),
    CSL_DATA / "seed.csl.json",
)


def head(path) -> bytes:
    return path.read_bytes()[: formats.SNIFF_BYTES]


@pytest.mark.parametrize("path", RIS_FILES, ids=lambda p: p.name)
def test_ris_files_are_recognised_whatever_their_name(path):
    assert ris.sniff(head(path))
    assert formats.sniff(head(path), "export.txt") is formats.FORMATS["ris"]


@pytest.mark.parametrize("path", OTHERS, ids=lambda p: p.name)
def test_the_other_formats_files_are_not_claimed(path):
    assert not ris.sniff(head(path))


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + b"TY  - JOUR\r\nTI  - x\r\nER  - \r\n",
        "TY  - JOUR\nTI  - Größe\nER  - \n".encode("utf-16"),
        b"Provider: Ovid Technologies\nDatabase: Embase\n\nTY  - JOUR\nTI  - x\nER  - \n",
        b"TY - JOUR\nTI - One space before the hyphen\nER -\n",
    ],
    ids=["bom", "utf-16", "ovid-header", "one-space"],
)
def test_ris_in_its_various_shapes_is_recognised(data):
    assert ris.sniff(data)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "it is empty"),
        ("PMID- 1\nTI  - A MEDLINE record\nTY  - x\n", "its first tag is TI, not TY"),
        ("Dear colleague,\nTY  - for the list\n", None),
    ],
)
def test_the_reason_a_text_is_not_ris(text, reason):
    assert ris.not_ris_reason(text) == reason
