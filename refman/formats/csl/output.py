"""Write a blob tree as plain text, HTML or RTF, with citeproc-js's punctuation rules.

The tree is first flattened into a stream of text pieces and open/close marks. Then every seam
between two consecutive pieces of text is cleaned up as citeproc-js does it:

* a doubled space or punctuation mark is written once ("Study." + ". " gives "Study. ");
* two marks that merge are written as one ("Title?" + "." gives "Title?"; "." + "," stays ".,");
* a period, comma, question or exclamation mark right after a closing quotation mark moves inside
  it when the locale's ``punctuation-in-quote`` option is on (en-US: ``“Title,”``); when it is
  off, a comma, colon or semicolon at the end of a quotation moves out (``‘Title’,``).

Display blocks (``left-margin``, ``right-inline``...) are barriers: nothing merges across them.
The markup of each format copies citeproc-js's output format tables; in HTML, the line breaks
citeproc-js puts around display blocks are written as spaces so that every entry is one line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from refman.formats.csl.blob import CITE_AFFIX, FLIP, Blob

PUNCT = frozenset(".,;:!?")
SWAP_IN = frozenset(".,!?")  # moved into a quotation when punctuation-in-quote is on
SWAP_OUT = frozenset(",;:")  # moved out of a quotation when it is off

# What two adjacent marks become (left mark, right mark); absent pairs stay as they are.
_MERGED = {
    ("!", "."): "!",
    ("!", ":"): "!",
    ("?", "."): "?",
    ("?", ":"): "?",
    (":", "!"): "!",
    (":", "?"): "?",
    (":", "."): ":",
    (";", "!"): "!",
    (";", "?"): "?",
    (";", ":"): ";",
    (";", "."): ";",
}

# Decorations, outermost first; display blocks wrap the affixes too.
_DECOR_ORDER = (
    "vertical-align",
    "text-decoration",
    "font-weight",
    "font-variant",
    "font-style",
    "quotes",
)


@dataclass(frozen=True)
class Quotes:
    """The locale's quotation marks and its punctuation-in-quote option."""

    open: str = "“"
    close: str = "”"
    open_inner: str = "‘"
    close_inner: str = "’"
    punctuation_in_quote: bool = True


class _Tok:
    __slots__ = ("kind", "text", "affix", "attr", "value")

    def __init__(
        self, kind: str, text: str = "", affix: bool = False, attr: str = "", value: str = ""
    ) -> None:
        self.kind = kind  # "text", "open" or "close"
        self.text = text
        self.affix = affix
        self.attr = attr
        self.value = value


# --- Flattening ------------------------------------------------------------------------------


def _flatten(blob: Blob, out: list[_Tok]) -> None:
    if blob.is_empty():
        return
    display = [d for d in blob.decorations if d[0] == "display"]
    inner = [d for d in blob.decorations if d[0] != "display"]
    if len(inner) > 1:
        inner.sort(key=lambda d: _DECOR_ORDER.index(d[0]) if d[0] in _DECOR_ORDER else 0)
    for attr, value in display:
        out.append(_Tok("open", attr=attr, value=value))
    if blob.prefix:
        out.append(_Tok("text", blob.prefix, affix=True))
    for attr, value in inner:
        out.append(_Tok("open", attr=attr, value=value))
    _flatten_content(blob, out)
    for attr, value in reversed(inner):
        out.append(_Tok("close", attr=attr, value=value))
    if blob.suffix:
        out.append(_Tok("text", blob.suffix, affix=True))
    for attr, value in reversed(display):
        out.append(_Tok("close", attr=attr, value=value))


def _flatten_content(blob: Blob, out: list[_Tok]) -> None:
    if blob.is_leaf:
        out.append(_Tok("text", blob.text or ""))
        return
    first = True
    for child in blob.children:
        piece: list[_Tok] = []
        _flatten(child, piece)
        if not any(tok.text for tok in piece):
            continue  # a child emptied after it was built (subsequent-author-substitute)
        if not first and blob.delimiter:
            out.append(_Tok("text", blob.delimiter, affix=True))
        out.extend(piece)
        first = False


# --- Seams -----------------------------------------------------------------------------------


def _merge(left: str, right: str) -> str | None:
    """The single mark two adjacent marks collapse to, or None when both stay."""
    if left == right:
        return left
    return _MERGED.get((left, right))


def _fix_spaces(p: _Tok, t: _Tok) -> None:
    if p.text.endswith(" ") and t.text.startswith(" "):
        if t.affix:
            t.text = t.text[1:]
        elif p.affix:
            p.text = p.text[:-1]


def _seam(p: _Tok, t: _Tok, after_quote: bool, quotes: Quotes) -> None:
    """Clean up the seam between text ``p`` and the following text ``t``."""
    _fix_spaces(p, t)
    if not p.text or not t.text:
        return
    x, y = p.text[-1], t.text[0]
    if after_quote and not quotes.punctuation_in_quote and x in SWAP_OUT:
        p.text = p.text[:-1]
        merged = _merge(x, y) if y in PUNCT else None
        t.text = (merged + t.text[1:]) if merged else x + t.text
        return
    if after_quote and quotes.punctuation_in_quote and y in SWAP_IN:
        t.text = t.text[1:]
        merged = _merge(x, y) if x in PUNCT else None
        p.text = p.text[:-1] + merged if merged else p.text + y
        return
    if x in PUNCT and y in PUNCT:
        merged = _merge(x, y)
        if merged:
            p.text = p.text[:-1] + merged
            t.text = t.text[1:]


def _fix_seams(tokens: list[_Tok], quotes: Quotes) -> None:
    prev: _Tok | None = None
    barrier = after_quote = False
    for tok in tokens:
        if tok.kind != "text":
            barrier = barrier or tok.attr == "display"
            after_quote = after_quote or (tok.kind == "close" and tok.attr == "quotes")
            if tok.kind == "open" and tok.attr == CITE_AFFIX:
                after_quote = False
            continue
        if not tok.text:
            continue
        if prev is not None and not barrier:
            _seam(prev, tok, after_quote, quotes)
        if tok.text:
            prev, barrier, after_quote = tok, False, False


# --- Formats ---------------------------------------------------------------------------------


_DOUBLE_SPACE = re.compile(r"\s\s")


def _html_escape(text: str) -> str:
    text = text.replace("&", "&#38;").replace("<", "&#60;").replace(">", "&#62;")
    return _DOUBLE_SPACE.sub("\u00a0 ", text)


def _rtf_escape(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if ch in "\\{}":
            out.append("\\" + ch)
        elif ch == "\t":
            out.append("\\tab ")
        elif code < 128:
            out.append(ch)
        elif code < 0x10000:
            out.append(f"\\u{code if code < 0x8000 else code - 0x10000}?")
        else:  # outside the BMP: a UTF-16 surrogate pair
            code -= 0x10000
            for half in (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)):
                out.append(f"\\u{half - 0x10000}?")
    return "".join(out)


_HTML_MARKUP: dict[tuple[str, str], tuple[str, str]] = {
    ("font-style", "italic"): ("<i>", "</i>"),
    ("font-style", "oblique"): ("<em>", "</em>"),
    ("font-style", "normal"): ('<span style="font-style:normal;">', "</span>"),
    ("font-variant", "small-caps"): ('<span style="font-variant:small-caps;">', "</span>"),
    ("font-variant", "normal"): ('<span style="font-variant:normal;">', "</span>"),
    ("font-weight", "bold"): ("<b>", "</b>"),
    ("font-weight", "normal"): ('<span style="font-weight:normal;">', "</span>"),
    ("text-decoration", "underline"): ('<span style="text-decoration:underline;">', "</span>"),
    ("text-decoration", "none"): ('<span style="text-decoration:none;">', "</span>"),
    ("vertical-align", "sup"): ("<sup>", "</sup>"),
    ("vertical-align", "sub"): ("<sub>", "</sub>"),
    ("vertical-align", "baseline"): ('<span style="baseline">', "</span>"),
    ("display", "block"): ('      <div class="csl-block">', "</div> "),
    ("display", "left-margin"): ('     <div class="csl-left-margin">', "</div>"),
    ("display", "right-inline"): ('<div class="csl-right-inline">', "</div>   "),
    ("display", "indent"): ('<div class="csl-indent">', "</div>   "),
}
_RTF_MARKUP: dict[tuple[str, str], tuple[str, str]] = {
    ("font-style", "italic"): ("{\\i{}", "}"),
    ("font-style", "oblique"): ("{\\i{}", "}"),
    ("font-style", "normal"): ("{\\i0{}", "}"),
    ("font-variant", "small-caps"): ("{\\scaps ", "}"),
    ("font-variant", "normal"): ("{\\scaps0{}", "}"),
    ("font-weight", "bold"): ("{\\b{}", "}"),
    ("font-weight", "normal"): ("{\\b0{}", "}"),
    ("text-decoration", "underline"): ("{\\ul{}", "}"),
    ("vertical-align", "sup"): ("\\super ", "\\nosupersub{}"),
    ("vertical-align", "sub"): ("\\sub ", "\\nosupersub{}"),
    ("display", "block"): ("\\line{}", "\\line "),
    ("display", "left-margin"): ("", "\\tab "),
    ("display", "indent"): ("\\line\\tab ", "\\line "),
}
_TEXT_MARKUP: dict[tuple[str, str], tuple[str, str]] = {
    ("display", "block"): ("\n", ""),
    ("display", "left-margin"): ("", " "),
    ("display", "indent"): ("\n    ", ""),
}


@dataclass(frozen=True)
class _Format:
    escape: Callable[[str], str]
    markup: dict[tuple[str, str], tuple[str, str]]


_FORMATS = {
    "text": _Format(lambda s: s, _TEXT_MARKUP),
    "html": _Format(_html_escape, _HTML_MARKUP),
    "rtf": _Format(_rtf_escape, _RTF_MARKUP),
}
FORMATS = tuple(_FORMATS)


class _Writer:
    """Writes tokens in one format, resolving flip-flop decorations against the open ones."""

    def __init__(self, fmt: _Format, quotes: Quotes) -> None:
        self.fmt = fmt
        self.quotes = quotes
        self.out: list[str] = []
        self.stack: list[tuple[str, str, str]] = []  # (attr, value, closing markup)

    def current(self, attr: str) -> str:
        for a, value, _ in reversed(self.stack):
            if a == attr:
                return value
        return "false" if attr == "quotes" else "normal"

    def resolve(self, attr: str, value: str) -> str:
        if not value.endswith(FLIP):
            return value
        base, current = value[: -len(FLIP)], self.current(attr)
        if attr == "quotes":
            return "inner" if current == "true" else "true"
        return "normal" if current == base else base

    def open(self, attr: str, value: str) -> None:
        value = self.resolve(attr, value)
        start, end = self.markup(attr, value)
        if value == "normal" and self.current(attr) == "normal":
            start = end = ""  # an upright span with nothing slanted around it is dropped
        self.out.append(start)
        self.stack.append((attr, value, end))

    def markup(self, attr: str, value: str) -> tuple[str, str]:
        if attr == "quotes":
            q = self.quotes
            marks = (q.open, q.close) if value == "true" else (q.open_inner, q.close_inner)
            return self.fmt.escape(marks[0]), self.fmt.escape(marks[1])
        return self.fmt.markup.get((attr, value), ("", ""))

    def close(self) -> None:
        self.out.append(self.stack.pop()[2])

    def write(self, tokens: list[_Tok]) -> str:
        for tok in tokens:
            if tok.kind == "open":
                self.open(tok.attr, tok.value)
            elif tok.kind == "close":
                self.close()
            else:
                self.out.append(self.fmt.escape(tok.text))
        return "".join(self.out)


def render(blob: Blob | None, fmt: str, quotes: Quotes) -> str:
    """The formatted text of one entry or citation."""
    if blob is None or blob.is_empty():
        return ""
    tokens: list[_Tok] = []
    _flatten(blob, tokens)
    _fix_seams(tokens, quotes)
    return _Writer(_FORMATS[fmt], quotes).write(tokens)


# --- Documents -------------------------------------------------------------------------------

RTF_HEADER = "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\n"


def html_entry(body: str) -> str:
    return f'<div class="csl-entry">{body}</div>'


def bibliography_document(entries: list[str], fmt: str) -> str:
    """Entries (already rendered in ``fmt``) as one bibliography."""
    if fmt == "html":
        return '<div class="csl-bib-body">\n' + "".join(f"  {e}\n" for e in entries) + "</div>"
    if fmt == "rtf":
        return RTF_HEADER + "".join(f"{{\\pard {e}\\par}}\n" for e in entries) + "}"
    return "\n".join(entries)


def citation_document(body: str, fmt: str) -> str:
    if fmt == "rtf":
        return RTF_HEADER + f"{{\\pard {body}\\par}}\n" + "}"
    return body
