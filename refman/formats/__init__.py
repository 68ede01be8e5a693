"""File formats and citation rendering: one registry of plain functions, no Qt, no peewee.

Readers turn files into ``model.Reference`` objects; exporters turn references into text.
Modules are imported when a format is first used, so that starting the window does not pay
for the citation processor.
"""

from __future__ import annotations

import difflib
import importlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
        ExportFormat("csl-json", "CSL-JSON", ".json", "csljson", "write"),
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
    module = _module(fmt.module)
    if fmt.styled:
        style_id = module.find_style(style).id if style else module.DEFAULT_STYLE
        text = module.format_references(refs, style=style_id, fmt=fmt.function)
        return text if not text or text.endswith("\n") else text + "\n"
    out = io.StringIO()
    writer: Callable = getattr(module, fmt.function)
    writer(refs, out)
    return out.getvalue()
