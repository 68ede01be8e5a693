"""RIS files: a streaming reader, a sniffer and a writer.

An RIS record is a run of ``TAG  - value`` lines from ``TY`` to ``ER``. The package does three
jobs, each in its own modules, as the MEDLINE package does:

- reading (file to records): ``read_raw`` turns a file into ``RisRecord``s, the (tag, value)
  pairs as the file holds them with the line each record starts on, reporting what it cannot
  read (read; sniff for files that are not RIS at all);
- mapping (records to references and back): ``to_reference`` maps a record to a ``Reference``
  that keeps the record as its source, and ``record_fields`` maps a reference back to pairs,
  from its source record when it was imported from RIS (mapping);
- writing: ``write`` lays records out (write).

``read_numbered`` is the reader of the format registry (refman.formats): a binary stream in,
(line, Reference) pairs out, problems to a callback.
"""

from __future__ import annotations

from collections.abc import Iterator

from refman.formats.ris.mapping import (
    SOURCE_FORMAT,
    TYPES,
    item_type,
    parse_date,
    parse_name,
    record_fields,
    to_reference,
)
from refman.formats.ris.read import (
    MAX_FIELD_CHARS,
    MAX_RECORD_FIELDS,
    ProblemReport,
    RisRecord,
    read_raw,
    read_raw_text,
)
from refman.formats.ris.sniff import HEAD_BYTES, not_ris_reason, sniff
from refman.formats.ris.write import format_field, write
from refman.formats.sources import Source
from refman.model import Reference

__all__ = [
    "HEAD_BYTES",
    "MAX_FIELD_CHARS",
    "MAX_RECORD_FIELDS",
    "SOURCE_FORMAT",
    "TYPES",
    "RisRecord",
    "format_field",
    "item_type",
    "not_ris_reason",
    "parse_date",
    "parse_name",
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
    """The references in an RIS file (a path or a binary stream), each with the line its record
    starts on. ParseError on the first ``next()`` when the file is not RIS or cannot be read;
    what cannot be read of a record goes to ``on_problem`` and the reading goes on."""
    for record in read_raw(source, name, on_problem):
        yield record.line, to_reference(record)


def read(
    source: Source, name: str | None = None, on_problem: ProblemReport | None = None
) -> Iterator[Reference]:
    """The references in an RIS file; see ``read_numbered``."""
    for _, ref in read_numbered(source, name, on_problem):
        yield ref


def read_text(
    text: str, name: str = "clipboard", on_problem: ProblemReport | None = None
) -> Iterator[Reference]:
    """The references in RIS text (pasted, say); see ``read_numbered``."""
    for record in read_raw_text(text, name, on_problem):
        yield to_reference(record)
