"""Is it EndNote XML? The sniffer says yes to EndNote's files however they are encoded, and no
to every other format refman reads or writes."""

from __future__ import annotations

import codecs

import pytest

from refman import formats
from refman.formats import endnote_xml
from tests.samples import BAD, DATA, EXPORT, SEED_FILE
from tests.unit.formats.endnote_xml.conftest import ZOTERO_XML

ENDNOTE = b'<?xml version="1.0" encoding="UTF-8" ?><xml><records><record>'


def head(path) -> bytes:
    return path.read_bytes()[: formats.SNIFF_BYTES]


@pytest.mark.parametrize(
    "data",
    [
        ENDNOTE,
        b"\n  <xml>\n  <records>\n    <record>",  # no declaration
        b"<xml><records/></xml>",  # no records at all
        codecs.BOM_UTF8 + ENDNOTE,
        ENDNOTE.decode().replace("UTF-8", "UTF-16").encode("utf-16"),  # a byte order mark
        b'<?xml version="1.0"?><!-- exported --><!DOCTYPE xml><xml><records>',
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><records>',  # a bomb
    ],
    ids=["endnote", "bare", "empty", "bom", "utf-16", "doctype", "entities"],
)
def test_endnote_xml_is_recognised(data):
    assert endnote_xml.sniff(data)
    assert formats.sniff(data, "library.txt") is formats.FORMATS["endnote-xml"]


def test_the_zotero_cases_are_recognised_by_content_whatever_their_name():
    for path in ZOTERO_XML:
        assert formats.sniff(head(path), "export.nbib") is formats.FORMATS["endnote-xml"]


OTHER_FORMATS = {
    "medline": lambda: head(SEED_FILE),
    "medline folder": lambda: head(DATA / "medline" / "book.nbib"),
    "bibtex": lambda: head(EXPORT / "seed.bib"),
    "biblatex": lambda: head(EXPORT / "seed.biblatex.bib"),
    "ris": lambda: head(EXPORT / "seed.ris"),
    "pdf": lambda: head(BAD / "pubmed-article.pdf"),
    "csl-json": lambda: b'[{"id": "1", "type": "article-journal", "title": "A"}]',
    "pubmed xml": lambda: (
        b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle,'
        b' 1st January 2024//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd">'
        b"\n<PubmedArticleSet>\n<PubmedArticle>"
    ),
    "html": lambda: b"<!DOCTYPE html><html><head><title>xml records</title>",
    "other xml": lambda: b'<?xml version="1.0"?><xml><data><records>',
    "empty": lambda: b"",
}


@pytest.mark.parametrize("make", OTHER_FORMATS.values(), ids=OTHER_FORMATS)
def test_other_formats_are_not_taken_for_endnote_xml(make):
    assert not endnote_xml.sniff(make())
