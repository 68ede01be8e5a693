"""Reading an EndNote XML file: its records, one at a time, as references.

Imported by the package's ``read_numbered`` on the first reading only: it loads lxml, which
the window does not need to start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from refman.formats.endnote_xml.mapping import ref_type, to_reference
from refman.formats.xml_input import XmlFormat, records
from refman.model import Problem, Reference

_DECODING = "the file holds bytes that are not UTF-8"
FORMAT = XmlFormat("EndNote XML", roots=("xml",), records=("record",))


def read_numbered(
    stream: BinaryIO, name: str, on_problem: Callable[[Problem], None]
) -> Iterator[tuple[int, Reference]]:
    """The references in an EndNote XML file, each with the line its record starts on; see
    refman.formats.endnote_xml.read_numbered."""
    number = 0

    def reading_problem(problem: Problem) -> None:
        """A problem of the XML itself (a cut, a break), with the record it came in: EndNote
        writes a whole file on one line, where the line alone says little."""
        if problem.message.startswith(_DECODING):  # found while decoding ahead of the records
            on_problem(problem)
        else:
            on_problem(
                Problem(problem.path, problem.line, f"record {number + 1}: {problem.message}")
            )

    for number, (line, element) in enumerate(records(stream, FORMAT, name, reading_problem), 1):
        kind = ref_type(element.find("ref-type"))
        where = f"record {number}"
        if not kind.known:
            on_problem(
                Problem(
                    name,
                    line,
                    f"{where} has the reference type '{kind.name}', which EndNote does not "
                    "have; it was imported as a document",
                )
            )
        ref = to_reference(element, kind)
        if not (ref.title or ref.creators or ref.doi or ref.pmid or ref.container_title):
            on_problem(
                Problem(name, line, f"{where} has no title, no author and no identifier: skipped")
            )
            continue
        yield line, ref
