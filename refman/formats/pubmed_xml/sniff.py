"""Is it PubMed XML? The root element of a file's first bytes says (no XML library loaded)."""

from __future__ import annotations

from refman.formats.xml_sniff import root_tag

SOURCE_FORMAT = "pubmed-xml"  # a Reference's source_format when its source record is XML
# The root elements of PubMed XML: a set of records (what PubMed and efetch write) or one.
ROOTS = ("PubmedArticleSet", "PubmedArticle", "PubmedBookArticle")


def sniff(head: bytes) -> bool:
    """True when a file's first bytes start a PubMed XML document."""
    return root_tag(head) in ROOTS
