"""MEDLINE/PubMed ("nbib") files: a streaming reader and a writer.

A MEDLINE record is a run of ``TAG - value`` lines; continuation lines start with white space and
a blank line ends the record. The package does three jobs, each in its own modules:

- reading (file to records): ``read_raw`` turns a file into ``RawRecord``s, the tag/value pairs
  as the file holds them with the line each record starts on, reporting what it cannot read
  (read, with assemble for the layouts that are not PubMed's own, sniff for files that are not
  MEDLINE at all, record for the rules of lines and values they share);
- mapping (records to references and back): ``to_reference`` maps a record to a ``Reference``
  that keeps the record as its source, and ``record_fields`` maps a reference back to tag/value
  lines (mapping, with values for single values: dates, pages, names, identifiers);
- writing: ``write`` lays records out as PubMed does (write);
- notices: ``notices`` reads the retractions, errata, expressions of concern, comments and
  updates a stored record names, and ``flags`` sums them up (corrections).

What the rest of refman calls is here. ``read_numbered`` is the reader of the format registry
(refman.formats): a binary stream in, (line, Reference) pairs out, problems to a callback.
"""

from __future__ import annotations

from collections.abc import Iterator

from refman.formats.medline.corrections import Notice, flags, notices
from refman.formats.medline.mapping import (
    SOURCE_FORMAT,
    article_number,
    pt_type,
    record_fields,
    to_reference,
)
from refman.formats.medline.read import ProblemReport, read_raw, read_raw_text
from refman.formats.medline.record import (
    KNOWN_TAGS,
    MAX_FIELD_CHARS,
    MAX_RECORD_CHARS,
    MAX_RECORD_FIELDS,
    RawRecord,
)
from refman.formats.medline.sniff import HEAD_BYTES, sniff
from refman.formats.medline.values import clean_title, expand_pages, parse_date
from refman.formats.medline.write import format_field, write
from refman.formats.sources import Source
from refman.model import Reference

__all__ = [
    "HEAD_BYTES",
    "KNOWN_TAGS",
    "MAX_FIELD_CHARS",
    "MAX_RECORD_CHARS",
    "MAX_RECORD_FIELDS",
    "Notice",
    "SOURCE_FORMAT",
    "RawRecord",
    "article_number",
    "clean_title",
    "expand_pages",
    "flags",
    "format_field",
    "notices",
    "parse_date",
    "pt_type",
    "read",
    "read_numbered",
    "read_raw",
    "read_text",
    "record_fields",
    "sniff",
    "to_reference",
    "write",
]


def read_numbered(
    source: Source, name: str | None = None, on_problem: ProblemReport | None = None
) -> Iterator[tuple[int, Reference]]:
    """The references in a MEDLINE file (a path or a binary stream), each with the line its
    record starts on (for the import's report).

    Raises NotMedlineError on the first ``next()`` when the file is not MEDLINE, and ParseError
    when it cannot be read. Records that cannot be read go to ``on_problem`` and are skipped.
    """
    for record in read_raw(source, name, on_problem):
        yield record.line, to_reference(record)


def read(
    source: Source, name: str | None = None, on_problem: ProblemReport | None = None
) -> Iterator[Reference]:
    """The references in a MEDLINE file (a path or a binary stream); see ``read_numbered``."""
    for _, ref in read_numbered(source, name, on_problem):
        yield ref


def read_text(
    text: str, name: str = "clipboard", on_problem: ProblemReport | None = None
) -> Iterator[Reference]:
    """The references in MEDLINE text, e.g. pasted from the clipboard; see ``read_numbered``."""
    for record in read_raw_text(text, name, on_problem):
        yield to_reference(record)
