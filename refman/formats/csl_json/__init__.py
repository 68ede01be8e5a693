"""CSL-JSON: the citation processors' data format, and refman's most complete exchange format.

Zotero, Pandoc (``pandoc -t csljson``), doi.org's content negotiation (``Accept:
application/vnd.citationstyles.csl+json``) and Crossref's API all write it, each a little
differently. The package does three jobs, each in its own modules:

- reading (file to items): ``read_items`` takes a file's items one at a time, in bounded
  memory, with the line each starts on, reporting what it cannot read (read; sniff for whether
  a file is CSL-JSON at all);
- mapping (items to references and back): ``read_item`` maps an item tolerantly (values for
  single values: text, names, dates, ISSNs, types), ``to_csl`` maps a reference to an item, and
  ``export_item`` gives an imported item back with only its edited members replaced (mapping);
- writing: ``write`` lays the items out as one JSON array (write).

What the rest of refman calls is here. ``read_numbered`` is the reader of the format registry
(refman.formats): a binary stream in, (line, Reference) pairs out, problems to a callback.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

from refman.formats.csl_json.mapping import (
    EXTRAS,
    SOURCE_FORMAT,
    Json,
    export_item,
    extras,
    from_csl,
    read_item,
    same_content,
    source_item,
    to_csl,
    with_source,
)
from refman.formats.csl_json.read import (
    MAX_ITEM_CHARS,
    ProblemReport,
    looks_like_item,
    read_items,
)
from refman.formats.csl_json.sniff import HEAD_BYTES, sniff
from refman.formats.csl_json.write import write
from refman.formats.sources import Source, label_of
from refman.model import ParseError, Problem, Reference

__all__ = [
    "EXTRAS",
    "HEAD_BYTES",
    "MAX_ITEM_CHARS",
    "SOURCE_FORMAT",
    "Json",
    "export_item",
    "extras",
    "from_csl",
    "looks_like_item",
    "read",
    "read_item",
    "read_items",
    "read_numbered",
    "read_text",
    "same_content",
    "sniff",
    "source_item",
    "to_csl",
    "write",
]


def read_numbered(
    source: Source, name: str | None = None, on_problem: ProblemReport | None = None
) -> Iterator[tuple[int, Reference]]:
    """The references in a CSL-JSON file (a path or a binary stream), each with the line its
    item starts on; each keeps its item as its source record.

    Raises ParseError on the first ``next()`` when the file is not CSL-JSON or cannot be read.
    Items that cannot be read go to ``on_problem`` and are skipped.
    """
    for line, item in read_items(source, name, on_problem):
        ref, problem = read_item(item)
        if problem and on_problem is not None:
            on_problem(Problem(label_of(source, name), line, problem))
        text = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
        yield line, with_source(ref, item, text)


def read(
    source: Source, name: str | None = None, on_problem: ProblemReport | None = None
) -> Iterator[Reference]:
    """The references in a CSL-JSON file; see ``read_numbered``."""
    for _, ref in read_numbered(source, name, on_problem):
        yield ref


def read_text(
    text: str, name: str = "CSL-JSON", on_problem: ProblemReport | None = None
) -> list[Reference]:
    """The references in CSL-JSON text; without ``on_problem``, the first problem is raised
    as a ParseError."""

    def strict(problem: Problem) -> None:
        raise ParseError(problem.path, problem.line, problem.message)

    stream = io.BytesIO(text.encode("utf-8"))
    return list(read(stream, name, on_problem or strict))
