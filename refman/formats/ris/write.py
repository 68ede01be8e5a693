"""RIS writer: the tagged format that Zotero, EndNote and Mendeley import.

Each line is ``TAG  - value`` (two capitals or a capital and a digit, two spaces, a hyphen, a
space); a record opens with ``TY`` and closes with ``ER  - ``, and a blank line separates records.

Choices:

- Lines end with CRLF, as the RIS specification says; Zotero and Mendeley also accept LF, older
  EndNote versions want CRLF. Open the file with ``newline=""`` (as for the csv module) so that
  the platform does not translate the line ends again.
- Editors are ``A2`` (the secondary author: the book's editors for a chapter), as Zotero and
  EndNote write them; ``ED`` is the older tag.
- ``PY`` is the year alone; ``DA`` is ``YYYY/MM/DD/`` with empty parts where the date is not that
  precise and a season after the last slash (``2019/09//Sep-Oct``), written only when the date is
  more precise than the year.
- ``AN`` holds the PMID (EndNote's PubMed filter does the same), ``C2`` the PMCID (EndNote's
  Custom 2, where its PubMed import puts it); ``KW`` is one line per tag.
- ``SN`` is the ISBN for books and chapters, the ISSNs (comma-separated) for the rest.
- A value made from a reference's fields never spans lines: line breaks inside it (abstract
  paragraphs) become spaces, because a continuation line without a tag is read differently by
  each program. A value from an imported record's source keeps its lines as it had them.
- Pages ``937-944`` give ``SP  - 937`` and ``EP  - 944``; anything that is not one range stays
  whole in ``SP`` so that nothing is lost.
- A journal article's ``place`` is not written: MEDLINE fills it with the journal's country.
- An item imported from RIS is written from its source record: its record comes back as it was
  read (unknown tags, notes and links too), only the lines behind edited fields replaced
  (mapping.record_fields).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from refman.formats.ris.mapping import record_fields
from refman.model import Reference

EOL = "\r\n"


def format_field(tag: str, value: str) -> str:
    """One field: ``TAG  - value``, the value's further lines (a source record's) after it."""
    return f"{tag}  - {value}".replace("\n", EOL)


def _record(ref: Reference) -> str:
    lines = [format_field(tag, value) for tag, value in record_fields(ref) if value]
    lines.append("ER  - ")
    return EOL.join(lines) + EOL


def write(refs: Sequence[Reference], out: TextIO) -> None:
    """Write ``refs`` as RIS records with CRLF line ends (open ``out`` with ``newline=""``)."""
    for index, ref in enumerate(refs):
        if index:
            out.write(EOL)
        out.write(_record(ref))
