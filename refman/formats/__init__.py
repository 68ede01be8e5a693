"""File formats and citation rendering: one registry of plain functions, no Qt, no peewee.

Readers turn files into ``model.Reference`` objects; exporters turn references into text.
Modules are imported when a format is first used, so that starting the window does not pay
for the citation processor.

``export`` and ``cite`` are the writers' one way out, and what they write holds no control
character (formats.text.CONTROLS), even for references that a library holds with some (an
older refman imported them): what a writer wrote is looked at, and written again from copies of
the references without them when it holds one, raw or in the escaped form of its format.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from refman.formats.text import utf8_holds_controls, without_controls
from refman.model import Reference, RefmanError


@dataclass(frozen=True)
class ExportFormat:
    """An export format: its key on the command line, a name for menus, its file extension."""

    key: str
    name: str
    extension: str
    module: str  # module under refman.formats
    function: str  # writer(refs, out) in that module, or a CSL output kind
    styled: bool = False  # True when the output is a formatted bibliography in a CSL style
    needs_source_record: bool = False  # True when the writer uses the imported record
    # False when the writer reads nothing of a tag but its name (no kind, MeSH star, qualifier)
    needs_tag_details: bool = True


EXPORT_FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("text", "Bibliography (plain text)", ".txt", "csl", "text", styled=True),
        ExportFormat("html", "Bibliography (HTML)", ".html", "csl", "html", styled=True),
        ExportFormat("rtf", "Bibliography (RTF)", ".rtf", "csl", "rtf", styled=True),
        ExportFormat("bibtex", "BibTeX", ".bib", "bibtex", "write_bibtex", needs_tag_details=False),
        ExportFormat(
            "biblatex", "BibLaTeX", ".bib", "bibtex", "write_biblatex", needs_tag_details=False
        ),
        ExportFormat("ris", "RIS", ".ris", "ris", "write", needs_tag_details=False),
        ExportFormat("csl-json", "CSL-JSON", ".json", "csl_json", "write"),
        ExportFormat("medline", "MEDLINE / PubMed", ".nbib", "medline", "write", False, True),
    )
}


def find_export_format(key: str) -> ExportFormat:
    """The format called ``key``, or a RefmanError that lists the close matches."""
    try:
        return EXPORT_FORMATS[key.lower()]
    except KeyError:
        close = difflib.get_close_matches(key.lower(), EXPORT_FORMATS, n=3, cutoff=0.4)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        known = ", ".join(EXPORT_FORMATS)
        raise RefmanError(f"Unknown export format '{key}'.{hint} Known formats: {known}.") from None


def _module(name: str):
    return importlib.import_module(f"refman.formats.{name}")


def export(refs: Sequence[Reference], key: str, style: str | None = None) -> str:
    """``refs`` written in the format ``key`` (and CSL ``style`` for bibliographies)."""
    fmt = find_export_format(key)
    text = _write(refs, fmt, style)
    if _holds_controls(text, fmt.function if fmt.styled else fmt.key):
        text = _write([_without_controls(ref) for ref in refs], fmt, style)
    return text


def cite(refs: Sequence[Reference], style: str | None = None, kind: str = "text") -> str:
    """One in-text citation of ``refs`` in a CSL ``style``, as ``text``, ``html`` or ``rtf``."""
    csl = _module("csl")
    text = csl.cite_references(refs, style or csl.DEFAULT_STYLE, kind)
    if _holds_controls(text, kind):
        text = csl.cite_references(
            [_without_controls(r) for r in refs], style or csl.DEFAULT_STYLE, kind
        )
    return text


def _write(refs: Sequence[Reference], fmt: ExportFormat, style: str | None) -> str:
    module = _module(fmt.module)
    if fmt.styled:
        style_id = module.find_style(style).id if style else module.DEFAULT_STYLE
        text = module.format_references(refs, style=style_id, fmt=fmt.function)
        return text if not text or text.endswith("\n") else text + "\n"
    out = io.StringIO()
    writer: Callable = getattr(module, fmt.function)
    writer(refs, out)
    return out.getvalue()


# Control characters as the writers that escape them write them: JSON as \u001b, \b or \f (C1
# and DEL it writes raw), RTF's C1 as \u128? to \u159? (C0 and DEL it writes raw). A false
# alarm (a title holding a backslash and a "b") only costs writing twice.
_ESCAPED_CONTROLS = {
    "csl-json": re.compile(r"\\(?:u00[01]|[bf])"),
    "rtf": re.compile(r"\\u1(?:2[89]|[3-5][0-9])\?"),
}


def _holds_controls(text: str, kind: str) -> bool:
    """True when ``text``, written as ``kind``, holds a control character, raw or escaped."""
    raw = utf8_holds_controls(text.encode("utf-8", "surrogatepass")) or "\x00" in text
    escaped = _ESCAPED_CONTROLS.get(kind)
    return raw or bool(escaped and escaped.search(text))


def _without_controls(value):
    """A copy of ``value`` (a reference, or any of its parts) without control characters."""
    if isinstance(value, str):
        return without_controls(value)
    if isinstance(value, tuple):
        return tuple(_without_controls(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _without_controls(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    return value
