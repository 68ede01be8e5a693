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
updates) are kept there, and ``as_medline`` gives such a reference the MEDLINE record of its
XML (PubMed's lines ``EIN - ...``, ``RIN - ...``) for a MEDLINE export.

Reading is safe and streams in bounded memory (refman.formats.xml_input). This module loads
no XML library: the sniffer looks at the text (``sniff``), and the reader
loads lxml on its first use, so that starting refman does not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO, TextIO

from refman.formats.pubmed_xml.sniff import ROOTS, SOURCE_FORMAT, sniff
from refman.model import Problem, Reference

__all__ = ["ROOTS", "SOURCE_FORMAT", "as_medline", "medline_writer", "read_numbered", "sniff"]

MedlineWriter = Callable[[Sequence[Reference], TextIO], None]


def read_numbered(
    stream: BinaryIO, /, *, name: str, on_problem: Callable[[Problem], None]
) -> Iterator[tuple[int, Reference]]:
    """The references in a PubMed XML file, each with the line its record starts on (the
    format registry's reader; see refman.formats.pubmed_xml.read)."""
    from refman.formats.pubmed_xml import read

    return read.read_numbered(stream, name=name, on_problem=on_problem)


def as_medline(ref: Reference) -> Reference:
    """``ref`` with the MEDLINE record of its XML as its source record (see the module
    docstring); any reference not read from PubMed XML as it is."""
    if ref.source_format != SOURCE_FORMAT:
        return ref
    from refman.formats.pubmed_xml import read

    return read.as_medline(ref)


def medline_writer(write: MedlineWriter) -> MedlineWriter:
    """The MEDLINE writer ``write``, giving each item read from PubMed XML the MEDLINE record
    of its XML first (``as_medline``): its export then holds what PubMed's MEDLINE would
    (comments and corrections, history, ids), with the fields edited since replaced."""

    def write_with_records(refs: Sequence[Reference], out: TextIO) -> None:
        write([as_medline(ref) for ref in refs], out)

    return write_with_records
