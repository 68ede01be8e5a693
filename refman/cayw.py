"""Cite as you write: what Better BibTeX's picker endpoint answers, without Qt or a library.

Editor plugins (Zotero Citations for VS Code, Obsidian's Zotero Integration, rbbt, vim and Emacs
snippets, TeXstudio, ...) ask ``GET /better-bibtex/cayw?format=...`` on the loopback port where
Zotero's Better BibTeX listens (JabRef answers the same URL). refman answers it too
(gui/cayw.py serves it, library/cayw.py reads the picked items): this module reads the query
(``CaywRequest``) and writes the picked keys in each format Better BibTeX has:

    latex, cite     \\cite{a,b}            (``command`` gives another: citeauthor, ...)
    citep, citet    \\citep{a,b}, \\citet{a,b}
    natbib          \\cite{a,b} or ``command``'s
    biblatex        \\autocite{a,b}        (``command``: parencite, textcite, ...)
    pandoc          @a; @b                 ([@a; @b] with ``brackets``)
    mmd             [#a][][#b][]           MultiMarkdown
    asciidoctor-bibtex  cite:[a, b]
    playground      ``citeprefix`` + ``keyprefix``a``keypostfix`` + ``separator`` ... +
                    ``citepostfix``        (a citation form of one's own)
    citationLinks   cites: a (a line each)
    json            the picks as Better BibTeX lists them (``citekey``, ``citationKey``, ``id``,
                    ``title``, ...), each with its CSL-JSON as ``itemData``

A pick may carry what Zotero's citation dialog adds to an item (``Cited``): a locator with its
label, a prefix, a suffix, the author left out. The formats that have a place for them write
them (pandoc ``[see @a, p. 25]``, LaTeX ``\\cite[see][p.~25]{a}``, biblatex ``\\autocites``
with each item's notes, MultiMarkdown ``[p. 25][#a]``, asciidoctor ``cite:[a(25)]``, ``json``);
the others leave them out.

The formats that need the items' data (``json``, ``formatted-citation``,
``formatted-bibliography``, ``translate``) are written by library/cayw.py. Nothing picked (the
picker cancelled) is an empty answer, as Better BibTeX gives. A flag is on when given any value
but ``false``, ``0``, ``no`` or ``off`` (Better BibTeX takes any value; editors send ``1``,
``true``, ``yes``).

The window writes the port it listens on to a small file in refman's cache folder
(``write_port_file``, paths.port_file_path) and removes it when it stops: the LibreOffice
extension reads it there, without being told the port.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

from refman.model import RefmanError
from refman.paths import port_file_path

PATH = "/better-bibtex/cayw"
# The LibreOffice extension's: a document's citations rendered (library/cayw.py, cite).
CITE_PATH = "/refman/cite"
DEFAULT_PORT = 23119  # Zotero's, where Better BibTeX answers: editors call it unless told
DEFAULT_FORMAT = "latex"  # Better BibTeX's when no format is given
_OFF = frozenset({"", "0", "false", "no", "off"})
# A LaTeX command name as ``command`` may give it: letters, a star at the end at most.
_COMMAND = re.compile(r"[A-Za-z]+\*?")


class CaywError(RefmanError):
    """A request refman cannot answer, in plain words (the endpoint answers it with 400)."""


# CSL's locator labels and the short forms written before a locator (English, as Pandoc and
# citeproc read them back); a label not listed is written in full.
SHORT_LABELS = {
    "page": "p.", "chapter": "chap.", "figure": "fig.", "section": "sec.", "volume": "vol.",
    "paragraph": "para.", "line": "l.", "note": "n.", "table": "tbl.", "column": "col.",
    "issue": "no.", "book": "bk.", "part": "pt.", "verse": "v.", "equation": "eq.",
    "appendix": "app.", "supplement": "supp.", "article-locator": "art.", "folio": "fol.",
    "opus": "op.", "sub-verbo": "s.v.", "canon": "c.", "elocation": "loc.", "act": "act",
    "scene": "sc.", "timestamp": "",
}


@dataclass(frozen=True)
class Cited:
    """One item of a citation as picked (``item_id``, its ``key`` once known), with what the
    picker adds to it as Zotero's citation dialog does: a locator and its CSL label (a page
    when none is given), a prefix, a suffix, the author left out."""

    key: str = ""
    item_id: int = 0
    locator: str = ""
    label: str = ""
    prefix: str = ""
    suffix: str = ""
    suppress_author: bool = False

    @property
    def has_notes(self) -> bool:
        """Whether a prefix, locator or suffix goes with the key."""
        return bool(self.prefix or self.locator or self.suffix)

    @property
    def locator_text(self) -> str:
        """``p. 25``, ``chap. 3``: the locator with its short label; "" without one."""
        if not self.locator:
            return ""
        short = SHORT_LABELS.get(self.label or "page", self.label)
        return f"{short} {self.locator}".strip()


# The words a locator typed after the search may start with (``knowles 2023 p. 25``): each
# label's short form without its dot, its name, and the plurals in use.
_LOCATOR_WORDS = {
    **{short.rstrip("."): label for label, short in SHORT_LABELS.items() if short},
    **{label: label for label in SHORT_LABELS},
    "pp": "page", "pages": "page", "ch": "chapter", "figs": "figure", "sect": "section",
}  # fmt: skip
_TYPED_LOCATOR = re.compile(
    r"(?P<search>.*?)(?:\s*,?\s+(?P<word>[A-Za-z¶]+)\.?\s*|\s*:\s*)"
    r"(?P<locator>[0-9ivxlcdmIVXLCDM]+[a-z]?(?:\s*[-–]\s*[0-9ivxlcdmIVXLCDM]+[a-z]?)?)\s*",
    re.S,
)


def split_locator(typed: str) -> tuple[str, str, str]:
    """What was typed in the picker's box as (search, label, locator): a locator after the
    words, ``p. 25``, ``pp. 3-5``, ``chap. 2``, ``fig. 1b``, or ``: 25`` for a page (as in
    Zotero's citation dialog), is taken off the search; ("typed", "", "") without one."""
    match = _TYPED_LOCATOR.fullmatch(typed.strip())
    if match is None or not match.group("search").strip():
        return typed.strip(), "", ""
    word = (match.group("word") or "").lower()
    if word and word not in _LOCATOR_WORDS:
        return typed.strip(), "", ""
    locator = re.sub(r"\s*[-–]\s*", "-", match.group("locator"))
    return match.group("search").strip(), _LOCATOR_WORDS.get(word, "page"), locator


def as_cited(cites: Sequence[str | Cited]) -> list[Cited]:
    """Keys given alone read as picks without notes."""
    return [cite if isinstance(cite, Cited) else Cited(key=cite) for cite in cites]


@dataclass(frozen=True)
class Pick:
    """One picked item: its citation key and what the ``json`` format tells of it."""

    key: str
    item_id: int = 0
    title: str = ""
    item_type: str = ""
    csl: Mapping[str, object] = field(default_factory=dict)  # its CSL-JSON, for ``json``
    cited: Cited = field(default_factory=Cited)  # its locator, prefix, suffix


@dataclass(frozen=True)
class CaywRequest:
    """The query of one request: ``CaywRequest.parse("format=pandoc&brackets=1")``."""

    params: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, query: str) -> CaywRequest:
        """The query string's parameters (the last of a repeated one counts)."""
        return cls(dict(parse_qsl(query, keep_blank_values=True)))

    def text(self, name: str, default: str = "") -> str:
        return self.params.get(name, default)

    def flag(self, name: str) -> bool:
        return name in self.params and self.params[name].strip().lower() not in _OFF

    @property
    def format(self) -> str:
        return self.text("format").strip() or DEFAULT_FORMAT

    @property
    def probe(self) -> bool:
        return self.flag("probe")

    @property
    def selected(self) -> bool:
        """The items selected in the window, without the picker."""
        return self.flag("selected")

    @property
    def clipboard(self) -> bool:
        """Put the answer on the clipboard as well."""
        return self.flag("clipboard")

    @property
    def minimize(self) -> bool:
        """Minimise the window after the pick (the editor comes back to the front)."""
        return self.flag("minimize")

    def command(self, default: str) -> str:
        """The LaTeX command asked (``command``, without its backslash), else ``default``."""
        command = self.text("command").strip().lstrip("\\") or default
        if not _COMMAND.fullmatch(command):
            raise CaywError(
                f"'{command}' is not a LaTeX citation command: give letters only, "
                "such as command=citep or command=parencite."
            )
        return command

    def check(self) -> None:
        """CaywError when the format is unknown (before the picker opens for nothing)."""
        if self.format not in KEY_FORMATS and self.format not in DATA_FORMATS:
            known = ", ".join([*KEY_FORMATS, *DATA_FORMATS])
            raise CaywError(f"Unknown format '{self.format}'. Known formats: {known}.")
        if self.format in _COMMAND_DEFAULTS:
            self.command(_COMMAND_DEFAULTS[self.format])


# --- the formats of keys --------------------------------------------------------------------


def natbib(cites: Sequence[str | Cited], command: str) -> str:
    """``\\command{a,b}``: every key in one command; an item with notes gets its own command,
    ``\\command[prefix][postnote]{a}`` (natbib's and biblatex's order), as Better BibTeX
    writes them."""
    cited = as_cited(cites)
    if not any(cite.has_notes for cite in cited):
        return f"\\{command}{{{','.join(cite.key for cite in cited)}}}"
    return "".join(f"\\{command}{_latex_notes(cite, 'p.~')}{{{cite.key}}}" for cite in cited)


def biblatex(cites: Sequence[str | Cited], command: str) -> str:
    """``\\autocite{a,b}``; with notes, biblatex's multicite command, each key with its own
    notes: ``\\autocites[see][25]{a}{b}`` (a page's number alone: biblatex adds "p.")."""
    cited = as_cited(cites)
    if not any(cite.has_notes for cite in cited):
        return natbib(cited, command)
    if len(cited) == 1:
        return f"\\{command}{_latex_notes(cited[0], '')}{{{cited[0].key}}}"
    base = command.rstrip("*")  # the multicite commands have no starred form
    multi = base if base.endswith("s") else base + "s"
    return f"\\{multi}" + "".join(f"{_latex_notes(cite, '')}{{{cite.key}}}" for cite in cited)


def _latex_notes(cite: Cited, page: str) -> str:
    """``[prefix][postnote]``, ``[postnote]`` or "": the postnote is the locator (a page's
    number after ``page``, another label's short form) and the suffix."""
    if cite.locator and (cite.label or "page") == "page":
        locator = page + cite.locator
    else:
        locator = cite.locator_text.replace(" ", "~", 1)
    post = ", ".join(part for part in (locator, cite.suffix) if part)
    if cite.prefix:
        return f"[{cite.prefix}][{post}]"
    return f"[{post}]" if post else ""


def pandoc(cites: Sequence[str | Cited], brackets: bool) -> str:
    """Pandoc's ``@a; @b``, in brackets when asked (``[@a; @b]``, a parenthetical citation);
    with notes ``see -@a, p. 25, suffix``."""
    cited = "; ".join(_pandoc_cite(cite) for cite in as_cited(cites))
    return f"[{cited}]" if brackets else cited


def _pandoc_cite(cite: Cited) -> str:
    text = f"{cite.prefix} " if cite.prefix else ""
    text += f"{'-' if cite.suppress_author else ''}@{cite.key}"
    return ", ".join(part for part in (text, cite.locator_text, cite.suffix) if part)


def mmd(cites: Sequence[str | Cited]) -> str:
    """MultiMarkdown's citations: ``[#a][]``, ``[p. 25][#a]`` with a locator."""
    return "".join(
        f"[{cite.locator_text}][#{cite.key}]" if cite.locator else f"[#{cite.key}][]"
        for cite in as_cited(cites)
    )


def asciidoctor(cites: Sequence[str | Cited], request: CaywRequest) -> str:
    """asciidoctor-bibtex's ``cite:[a, b]``, a locator in parentheses: ``cite:[a(25)]``."""
    keys = [f"{c.key}({c.locator})" if c.locator else c.key for c in as_cited(cites)]
    return f"{request.text('cite') or 'cite'}:[{', '.join(keys)}]"


def playground(cites: Sequence[str | Cited], request: CaywRequest) -> str:
    """A form of one's own: the citation's and each key's prefix and postfix, a separator."""
    each = [request.text("keyprefix") + c.key + request.text("keypostfix") for c in as_cited(cites)]
    joined = request.text("separator", ",").join(each)
    return request.text("citeprefix") + joined + request.text("citepostfix")


# A format with a default LaTeX command takes ``command`` instead.
_COMMAND_DEFAULTS = {
    "latex": "cite",
    "cite": "cite",
    "natbib": "cite",
    "citep": "citep",
    "citet": "citet",
    "biblatex": "autocite",
}

KeyFormat = Callable[[Sequence[Cited], CaywRequest], str]


def _latex(default: str) -> KeyFormat:
    """A LaTeX format: ``\\default{a,b}``, or the request's ``command``."""
    write_keys = biblatex if default == "autocite" else natbib

    def write(cites: Sequence[Cited], request: CaywRequest) -> str:
        return write_keys(cites, request.command(default))

    return write


KEY_FORMATS: dict[str, KeyFormat] = {
    **{name: _latex(default) for name, default in _COMMAND_DEFAULTS.items()},
    "pandoc": lambda cites, request: pandoc(cites, request.flag("brackets")),
    "mmd": lambda cites, _request: mmd(cites),
    "asciidoctor-bibtex": asciidoctor,
    "playground": playground,
    "citationLinks": lambda cites, _request: "\n".join(f"cites: {c.key}" for c in cites),
}

# Written by library/cayw.py from the items themselves.
DATA_FORMATS = ("json", "formatted-citation", "formatted-bibliography", "translate")


def format_keys(request: CaywRequest, keys: Sequence[str | Cited]) -> str:
    """The keys (with their notes, if picked with any) in the request's format (one of
    KEY_FORMATS); "" when none was picked."""
    request.check()
    if request.format not in KEY_FORMATS:
        raise CaywError(f"The format '{request.format}' needs the items, not only their keys.")
    return KEY_FORMATS[request.format](as_cited(keys), request) if keys else ""


def picks_json(picks: Sequence[Pick]) -> str:
    """Better BibTeX's ``json``: a list of the picks with their keys (``citekey``, and
    ``citationKey`` as its later versions name it), the locator, label, prefix and suffix
    picked with it, and each item's CSL-JSON as ``itemData`` (as in a Zotero citation); ""
    for none."""
    if not picks:
        return ""
    listed = [
        {
            "id": pick.item_id,
            "citekey": pick.key,
            "citationKey": pick.key,
            "locator": pick.cited.locator,
            "label": (pick.cited.label or "page") if pick.cited.locator else "",
            "prefix": pick.cited.prefix,
            "suffix": pick.cited.suffix,
            "suppressAuthor": pick.cited.suppress_author,
            "title": pick.title,
            "itemType": pick.item_type,
            "itemData": dict(pick.csl),
        }
        for pick in picks
    ]
    return json.dumps(listed, ensure_ascii=False, indent=2)


# --- the port file: where the LibreOffice extension finds the window's port ------------------


def write_port_file(port: int, path: Path | None = None) -> bool:
    """``{"port": N, "pid": P}`` written whole to the port file (through a temporary file
    beside it, so that a reader never sees half of it); False when it cannot be written (the
    extension then tries REFMAN_PORT and 23119)."""
    path = path or port_file_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".port-", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"port": port, "pid": os.getpid()}, out)
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        return False
    return True


def remove_port_file(port: int, path: Path | None = None) -> None:
    """The port file removed when it is this process's for ``port`` (another refman window
    may have written its own since)."""
    path = path or port_file_path()
    try:
        written = json.loads(path.read_text("utf-8"))
        if written.get("port") == port and written.get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass
