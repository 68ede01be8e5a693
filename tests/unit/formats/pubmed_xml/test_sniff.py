"""Is it PubMed XML? Its root element, from the first bytes: PubMed's own files in whatever
encoding are, the other formats' files (and NCBI's other XML) are not."""

import pytest

from refman import formats
from refman.formats import pubmed_xml
from tests.samples import DATA

XML = DATA / "import" / "pubmedxml"
PUBMED_FILES = sorted(XML.glob("*.xml"))
OTHER_FILES = sorted(
    [
        *(XML / "not-pubmed").glob("*.xml"),
        *(DATA / "import" / "endnotexml").glob("*.xml"),
        *(DATA / "export").iterdir(),
        *(DATA / "medline").glob("*.nbib"),
        *DATA.glob("*.nbib"),
        *DATA.glob("pubmed_result*.txt"),
        *(DATA / "bad").iterdir(),
    ]
)


def head(path):
    return path.read_bytes()[: formats.SNIFF_BYTES]


@pytest.mark.parametrize("path", PUBMED_FILES, ids=lambda p: p.name)
def test_pubmeds_files_are_sniffed_and_picked_whatever_their_name(path):
    assert pubmed_xml.sniff(head(path))
    assert formats.sniff(head(path), "export.txt") is formats.FORMATS["pubmed-xml"]


@pytest.mark.parametrize("path", OTHER_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_other_files_are_not_pubmed_xml(path):
    assert not pubmed_xml.sniff(head(path))


@pytest.mark.parametrize("codec", ["utf-16", "utf-8-sig"])
def test_a_pubmed_file_in_utf16_or_with_a_bom_is_sniffed(codec):
    text = PUBMED_FILES[0].read_text("utf-8")
    assert pubmed_xml.sniff(text.encode(codec)[: formats.SNIFF_BYTES])


def test_one_record_as_the_root_is_sniffed():
    assert pubmed_xml.sniff(b"<PubmedArticle><MedlineCitation>")
    assert pubmed_xml.sniff(b"<PubmedBookArticle>")
    assert not pubmed_xml.sniff(b"<PubmedArticleSetX>")
    assert not pubmed_xml.sniff(b'<?xml version="1.0"?>\n<xml><records><record>')
