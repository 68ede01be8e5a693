"""PubMed XML: the ``PubmedArticleSet`` that PubMed's "Save as XML" and efetch
(``db=pubmed&retmode=xml``) write, with ``PubmedArticle`` and ``PubmedBookArticle`` records.

Each record is turned into the MEDLINE tag/value pairs PubMed gives for the same PMID
(``fields``: PubMed's own conversion, element by element) and mapped by the MEDLINE mapping, so
the two formats of one record give equal references: authors with affiliations and ORCIDs,
groups in author order, editors, books and chapters, MeSH with qualifiers and major-topic stars,
keywords, dates, ISSNs with their kinds, DOI, PMCID, publication types, structured abstracts
(``BACKGROUND: ...``), pages. What differs is only what one format lacks: the reference read
from XML keeps its record's XML as its source record (``source_format`` "pubmed-xml").

The source record is the record's element as XML text, one pair (``PubmedArticle``, xml), not
its elements as tag/value pairs: PubMed's XML nests what pairs would have to flatten (an
author's identifiers and affiliations, a heading's qualifiers and their stars, a section's label
and category, a correction's type and PMID), and the XML itself is what an export to PubMed XML
or a later reading would want back. Comments and corrections (errata, retractions, comments,
updates) are kept there, and show in a MEDLINE export as PubMed's lines (``EIN - ...``,
``RIN - ...``): ``as_medline`` gives such a reference the MEDLINE record of its XML.

Reading is safe and streams in bounded memory (refman.formats.xml_input).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from refman.formats import medline
from refman.formats.pubmed_xml.fields import Element, medline_fields
from refman.formats.xml_input import XmlFormat, records, xml_text
from refman.model import Problem, Reference

__all__ = ["FORMAT", "SOURCE_FORMAT", "as_medline", "medline_fields", "read_numbered", "sniff"]

SOURCE_FORMAT = "pubmed-xml"
FORMAT = XmlFormat(
    "PubMed XML",
    roots=("PubmedArticleSet", "PubmedArticle", "PubmedBookArticle"),
    records=("PubmedArticle", "PubmedBookArticle"),
)
_TITLE_TAGS = ("TI", "BTI", "VTI", "TT")


def read_numbered(
    stream: BinaryIO, /, *, name: str, on_problem: Callable[[Problem], None]
) -> Iterator[tuple[int, Reference]]:
    """The references in a PubMed XML file, each with the line its record starts on (the
    format registry's reader). A record with neither a title nor a PMID is a problem and is
    skipped, as in a MEDLINE file."""
    for line, element in records(stream, FORMAT, name, on_problem):
        ref = to_reference(element, line)
        if ref is None:
            on_problem(
                Problem(name, line, f"this {element.tag} has no title and no PMID and was skipped")
            )
        else:
            yield line, ref


def to_reference(element: Element, line: int = 0) -> Reference | None:
    """The reference that a ``PubmedArticle`` or ``PubmedBookArticle`` element describes, its
    XML as its source record; None for a record with neither a title nor a PMID."""
    fields = tuple(medline_fields(element))
    if not any(tag in _TITLE_TAGS or tag == "PMID" for tag, _ in fields):
        return None
    ref = medline.to_reference(medline.RawRecord(fields, line))
    return ref.with_changes(
        source_format=SOURCE_FORMAT, source_record=((element.tag, xml_text(element)),)
    )


def as_medline(ref: Reference) -> Reference:
    """``ref`` with the MEDLINE record of its PubMed XML as its source record, so that a
    MEDLINE export writes what PubMed would (corrections, MeSH, history and all), with the
    fields edited since replaced; any other reference as it is."""
    if ref.source_format != SOURCE_FORMAT or not ref.source_record:
        return ref
    from lxml import etree

    tag, text = ref.source_record[0]
    try:
        element = etree.fromstring(text.encode("utf-8"), _SAFE)
    except etree.XMLSyntaxError:
        return ref.with_changes(source_format="", source_record=())
    return ref.with_changes(
        source_format=medline.SOURCE_FORMAT, source_record=tuple(medline_fields(element))
    )


def sniff(head: bytes) -> bool:
    """True when a file's first bytes start a PubMed XML document."""
    return sniffed_root(head) in FORMAT.roots


from refman.formats.xml_input import SAFE_PARSER as _SAFE, sniffed_root  # noqa: E402
