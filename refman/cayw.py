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


@dataclass(frozen=True)
class Pick:
    """One picked item: its citation key and what the ``json`` format tells of it."""

    key: str
    item_id: int = 0
    title: str = ""
    item_type: str = ""
    csl: Mapping[str, object] = field(default_factory=dict)  # its CSL-JSON, for ``json``


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


def natbib(keys: Sequence[str], command: str) -> str:
    """``\\command{a,b}``: every key in one command."""
    return f"\\{command}{{{','.join(keys)}}}"


def pandoc(keys: Sequence[str], brackets: bool) -> str:
    """Pandoc's ``@a; @b``, in brackets when asked (``[@a; @b]``, a parenthetical citation)."""
    cited = "; ".join("@" + key for key in keys)
    return f"[{cited}]" if brackets else cited


def mmd(keys: Sequence[str]) -> str:
    """MultiMarkdown's citations: ``[#a][][#b][]``."""
    return "".join(f"[#{key}][]" for key in keys)


def playground(keys: Sequence[str], request: CaywRequest) -> str:
    """A form of one's own: the citation's and each key's prefix and postfix, a separator."""
    each = [request.text("keyprefix") + key + request.text("keypostfix") for key in keys]
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

KeyFormat = Callable[[Sequence[str], CaywRequest], str]


def _latex(default: str) -> KeyFormat:
    """A LaTeX format: ``\\default{a,b}``, or the request's ``command``."""

    def write(keys: Sequence[str], request: CaywRequest) -> str:
        return natbib(keys, request.command(default))

    return write


KEY_FORMATS: dict[str, KeyFormat] = {
    **{name: _latex(default) for name, default in _COMMAND_DEFAULTS.items()},
    "pandoc": lambda keys, request: pandoc(keys, request.flag("brackets")),
    "mmd": lambda keys, _request: mmd(keys),
    "asciidoctor-bibtex": lambda keys, request: (
        f"{request.text('cite') or 'cite'}:[{', '.join(keys)}]"
    ),
    "playground": playground,
    "citationLinks": lambda keys, _request: "\n".join(f"cites: {key}" for key in keys),
}

# Written by library/cayw.py from the items themselves.
DATA_FORMATS = ("json", "formatted-citation", "formatted-bibliography", "translate")


def format_keys(request: CaywRequest, keys: Sequence[str]) -> str:
    """The keys in the request's format (one of KEY_FORMATS); "" when none was picked."""
    request.check()
    if request.format not in KEY_FORMATS:
        raise CaywError(f"The format '{request.format}' needs the items, not only their keys.")
    return KEY_FORMATS[request.format](list(keys), request) if keys else ""


def picks_json(picks: Sequence[Pick]) -> str:
    """Better BibTeX's ``json``: a list of the picks with their keys (``citekey``, and
    ``citationKey`` as its later versions name it), the citation's parts the picker leaves
    empty, and each item's CSL-JSON as ``itemData`` (as in a Zotero citation); "" for none."""
    if not picks:
        return ""
    listed = [
        {
            "id": pick.item_id,
            "citekey": pick.key,
            "citationKey": pick.key,
            "locator": "",
            "label": "",
            "prefix": "",
            "suffix": "",
            "suppressAuthor": False,
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
