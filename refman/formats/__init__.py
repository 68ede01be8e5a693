"""File formats and citation rendering: plain functions over model.Reference, no Qt, no peewee.

Each format is a module or a package: ``medline/`` (read and written), ``bibtex`` (BibTeX and
BibLaTeX), ``ris``, ``csl_json/`` (CSL-JSON, read and written) and ``csl/``
(the citation engine: bibliographies and citations in a CSL style). The registry (registry)
holds one typed entry per format, with its reader and sniffer, its writer and the flags the
exporters need: ``sniff`` picks the reader for a file, ``find_reader`` and
``find_export_format`` find one by key. A new import format is a new entry there.

``export`` and ``cite`` are the writers' one way out, and what they write holds no control
character (formats.text.CONTROLS), even for references that a library holds with some (an
older refman imported them): what a writer wrote is looked at, and written again from copies of
the references without them when it holds one, raw or in the escaped form of its format.

Importing refman.formats does not load the citation engine: that happens on the first
bibliography or citation (refman.formats.bibliography), so that the window starts without it.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence
from typing import TypeVar, cast

from refman.formats import bibliography
from refman.formats.registry import (
    EXPORT_FORMATS,
    FORMATS,
    READ_FORMATS,
    SNIFF_BYTES,
    UNREADABLE,
    Format,
    Reader,
    StyledWriter,
    Writer,
    find_export_format,
    find_reader,
    sniff,
)
from refman.formats.text import utf8_holds_controls, without_controls
from refman.model import Reference

_T = TypeVar("_T")

__all__ = [
    "EXPORT_FORMATS",
    "FORMATS",
    "READ_FORMATS",
    "SNIFF_BYTES",
    "UNREADABLE",
    "Format",
    "Reader",
    "StyledWriter",
    "Writer",
    "cite",
    "export",
    "find_export_format",
    "find_reader",
    "sniff",
]


def export(refs: Sequence[Reference], key: str, style: str | None = None) -> str:
    """``refs`` written in the format ``key`` (and CSL ``style`` for bibliographies)."""
    fmt = find_export_format(key)
    text = _write(refs, fmt, style)
    if _holds_controls(text, fmt):
        text = _write([_without_controls(ref) for ref in refs], fmt, style)
    return text


def cite(refs: Sequence[Reference], style: str | None = None, kind: str = "text") -> str:
    """One in-text citation of ``refs`` in a CSL ``style``, as ``text``, ``html`` or ``rtf``."""
    text = bibliography.citation(refs, style, kind)
    if _holds_controls(text, FORMATS.get(kind)):
        text = bibliography.citation([_without_controls(r) for r in refs], style, kind)
    return text


def _write(refs: Sequence[Reference], fmt: Format, style: str | None) -> str:
    out = io.StringIO()
    if fmt.styled_writer is not None:
        fmt.styled_writer(refs, out, style)
    elif fmt.writer is not None:
        fmt.writer(refs, out)
    return out.getvalue()


def _holds_controls(text: str, fmt: Format | None) -> bool:
    """True when ``text``, written as ``fmt``, holds a control character, raw or escaped."""
    raw = utf8_holds_controls(text.encode("utf-8", "surrogatepass")) or "\x00" in text
    escaped = fmt.escaped_controls if fmt is not None else None
    return raw or bool(escaped and escaped.search(text))


def _without_controls(value: _T) -> _T:
    """A copy of ``value`` (a reference, or any of its parts) without control characters."""
    copy: object = value
    if isinstance(value, str):
        copy = without_controls(value)
    elif isinstance(value, tuple):
        copy = tuple(_without_controls(item) for item in value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _without_controls(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
        copy = dataclasses.replace(value, **changes)
    return cast(_T, copy)  # a string, a tuple or a dataclass as it was given
