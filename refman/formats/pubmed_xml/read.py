"""PubMed XML files to references: each record's MEDLINE pairs (``fields``) mapped by the
MEDLINE mapping, the record's XML kept as its source record (see the package docstring)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from refman.formats import medline
from refman.formats.pubmed_xml.fields import Element, medline_fields, vernacular_title
from refman.formats.pubmed_xml.sniff import ROOTS, SOURCE_FORMAT
from refman.formats.xml_input import XmlFormat, element_from_text, records, xml_text
from refman.model import ARTICLE_JOURNAL, ParseError, Problem, Reference

FORMAT = XmlFormat("PubMed XML", roots=ROOTS, records=("PubmedArticle", "PubmedBookArticle"))
PREPRINT = "article"  # refman's item type for preprints and other unpublished articles
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
        item_type=_item_type(ref),
        # An article PubMed knows only by its title in its own language (an empty
        # ArticleTitle) is called by that title, not left without one.
        title=ref.title or medline.clean_title(vernacular_title(element)),
        source_format=SOURCE_FORMAT,
        source_record=((element.tag, xml_text(element)),),
    )


def _item_type(ref: Reference) -> str:
    """A preprint (bioRxiv, arXiv, Research Square: PubMed's publication type "Preprint") is
    an article, not a journal article: its "journal" is the server it was posted on."""
    if ref.item_type == ARTICLE_JOURNAL and "Preprint" in ref.publication_types:
        return PREPRINT
    return ref.item_type


def as_medline(ref: Reference) -> Reference:
    """``ref`` with the MEDLINE record of its PubMed XML as its source record, so that a
    MEDLINE export writes what PubMed would (corrections, MeSH, history and all), with the
    fields edited since replaced; any other reference as it is."""
    if ref.source_format != SOURCE_FORMAT or not ref.source_record:
        return ref
    try:
        element = element_from_text(ref.source_record[0][1])
    except ParseError:
        return ref.with_changes(source_format="", source_record=())
    return ref.with_changes(
        source_format=medline.SOURCE_FORMAT, source_record=tuple(medline_fields(element))
    )
