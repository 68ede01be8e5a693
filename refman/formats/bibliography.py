"""Bibliographies and citations in a CSL style, as the format registry and ``cite`` use them.

The citation engine (refman.formats.csl) loads lxml, citeproc-py and a style: a few hundred
milliseconds that starting the window must not pay. refman.formats imports this module, which
imports the engine only inside its functions, on the first bibliography or citation asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TextIO

from refman.model import Reference


def bibliography_writer(kind: str) -> Callable[[Sequence[Reference], TextIO, str | None], None]:
    """A writer of bibliographies as ``kind`` (``text``, ``html`` or ``rtf``): it takes the
    references, the stream and a style id or title (None: the default style); a bibliography
    that is not empty ends with a line break."""

    def write(refs: Sequence[Reference], out: TextIO, style: str | None) -> None:
        from refman.formats import csl  # on first use: see the module docstring

        text = csl.format_references(refs, style or csl.DEFAULT_STYLE, kind)
        out.write(text if not text or text.endswith("\n") else text + "\n")

    return write


def citation(refs: Sequence[Reference], style: str | None, kind: str) -> str:
    """One in-text citation of ``refs`` in a CSL ``style`` (None: the default) as ``kind``."""
    from refman.formats import csl  # on first use: see the module docstring

    return csl.cite_references(refs, style or csl.DEFAULT_STYLE, kind)
