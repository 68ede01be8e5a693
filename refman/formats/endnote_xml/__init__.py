"""EndNote XML: the file EndNote's "Export" writes in its "XML" format (and Mendeley, Papers
and other programs write for EndNote): ``<xml><records><record>...``, one ``<record>`` per
reference.

The package reads such files (there is no writer): ``sniff`` says from a file's first bytes
whether it is one (sniff), ``read_numbered`` (the format registry's reader) turns each record
into a Reference (read; mapping: reference types, creators' roles, fields; values: styled text,
names, dates, identifiers). Each reference keeps its record's XML as its source record
(``source_format`` "endnote-xml"), so nothing EndNote held is lost, even what refman has no
field for (notes, label, custom fields, edition...).

Reading is safe and streams in bounded memory (refman.formats.xml_input): entities are refused,
nothing outside the file is read, a cut or broken file gives the records before the break and
one problem naming the line, and text that is not UTF-8 (Windows-1252 or Mac Roman, in files
written by old EndNote versions) is read and said so. lxml (through xml_input) is loaded on
the first reading, not with refman.formats: the window starts without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from refman.formats.endnote_xml.mapping import SOURCE_FORMAT
from refman.formats.endnote_xml.sniff import sniff
from refman.model import Problem, Reference

__all__ = ["SOURCE_FORMAT", "read_numbered", "sniff"]


def read_numbered(
    stream: BinaryIO, /, *, name: str, on_problem: Callable[[Problem], None]
) -> Iterator[tuple[int, Reference]]:
    """The references in an EndNote XML file, each with the line its record starts on (the
    format registry's reader). Problems name the record by its place in the file as well as
    its line: EndNote often writes a whole file on one line. An empty record (no title, no
    creator, no identifier) is a problem and is skipped. ParseError on the first ``next()``
    for a file that is not EndNote XML or that declares entities."""
    from refman.formats.endnote_xml import read

    yield from read.read_numbered(stream, name, on_problem)
