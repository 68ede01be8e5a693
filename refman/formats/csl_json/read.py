"""Reading CSL-JSON files: a stream to items, one at a time, in bounded memory.

A CSL-JSON file is a JSON array of items; some tools write one item alone, Crossref's API wraps
items in a message (``{"message-type": "work", "message": {...}}``), and JSON Lines files hold
one item a line. ``read_values`` takes any of these a top-level value at a time: the array is
never parsed whole, so a 100 MB file is read in about the memory of its largest item (an item
beyond ``MAX_ITEM_CHARS`` is skipped, and said).

Why a splitter of our own and not a streaming JSON library: the items are parsed by Python's own
``json`` decoder (C, and already the fastest at whole values), and only the top level is ours:
``raw_decode`` at each item's start, reading more text when an item is cut at the end of what
was read (at least as much again each time, so a large item is parsed a bounded number of
times). That top level is also where real files break: a trailing comma, a missing comma
between items, an item with a syntax error, a file cut short. A bracket scanner (``_Scanner``)
finds where a broken item ends, so that it is reported and the items after it are still read.

What the reader accepts beyond the standard: UTF-8 with or without a BOM, UTF-16 with a BOM (or
without one, told by its zero bytes), bytes that are not UTF-8 (read as Windows-1252, or
Latin-1 where that fails, a chunk at a time), raw tabs and line breaks inside strings, a
trailing comma, a missing comma between items. Control characters are removed from every
string (see mapping for what becomes of the values).
"""

from __future__ import annotations

import codecs
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from refman.formats.sources import Source, label_of, opened
from refman.formats.text import CONTROL_RANGES, without_controls
from refman.model import ParseError, Problem

Json = dict[str, Any]  # a JSON object as json.loads gives it
ProblemReport = Callable[[Problem], None]

CHUNK_BYTES = 1 << 16  # how much of a file the reader reads at a time
# The largest item kept. Real items are a few kB; Crossref's largest, with thousands of
# references cited, some MB. Beyond this is junk: skipped, and said, without being held whole.
MAX_ITEM_CHARS = 16_000_000

_DECODER = json.JSONDecoder(strict=False)  # raw tabs and line breaks inside strings
_NOT_SPACE = re.compile(r"[^ \t\n\r]")
_STRUCTURE = re.compile(r'[\[\]{}",]')
_STRING_END = re.compile(r'["\\]')
# A control character in a value, raw or as JSON writes it (\u001b, \b, \f; \u007f-\u009f):
# only values where this is found are walked to remove them (an escaped backslash before a "b"
# is a false alarm, which only costs the walk).
_CONTROL_TEXT = re.compile(f"[\x00{CONTROL_RANGES}]" + r"|\\(?:u00[01]|u007[fF]|u00[89]|[bf])")


# --- bytes to text ----------------------------------------------------------------------------


def _encoding(head: bytes) -> str:
    """The encoding of a file starting with ``head``: UTF-16 by its BOM or by the zero byte
    beside its first (ASCII) character, else UTF-8."""
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    if len(head) >= 2 and head[0] == 0 and head[1] != 0:
        return "utf-16-be"
    if len(head) >= 2 and head[0] != 0 and head[1] == 0:
        return "utf-16-le"
    return "utf-8"


def _single_byte(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def decoded(stream: IO[Any]) -> Iterator[str]:
    """The stream's text a chunk at a time (a text stream's as it is)."""
    head = stream.read(CHUNK_BYTES)
    if isinstance(head, str):
        yield head.removeprefix("\ufeff")
        yield from iter(lambda: stream.read(CHUNK_BYTES), "")
        return
    chunks: Iterable[bytes] = itertools.chain(
        [head.removeprefix(codecs.BOM_UTF8)], iter(lambda: stream.read(CHUNK_BYTES), b"")
    )
    encoding = _encoding(head)
    if encoding != "utf-8":
        wide = codecs.getincrementaldecoder(encoding)(errors="replace")
        yield from (wide.decode(chunk) for chunk in chunks)
        yield wide.decode(b"", True)
        return
    decoder = codecs.getincrementaldecoder("utf-8")()
    for chunk in chunks:
        try:
            yield decoder.decode(chunk)
        except UnicodeDecodeError:  # this chunk as Windows-1252, then UTF-8 again
            pending = decoder.getstate()[0]
            decoder.reset()
            yield _single_byte(pending + chunk)
    try:
        yield decoder.decode(b"", True)
    except UnicodeDecodeError:
        yield _single_byte(decoder.getstate()[0])


# --- text to top-level values -----------------------------------------------------------------


class _Scanner:
    """Finds where a JSON value ends without parsing it: brackets counted outside strings.

    Its state carries over from one text to the next, so that a value too large to hold can be
    skipped a chunk at a time.
    """

    def __init__(self) -> None:
        self.depth = 0
        self.in_string = False
        self.escaped = False
        self.scalar: bool | None = None  # the value is not an object or an array

    def end(self, text: str, i: int) -> int | None:
        """Where the value that starts at (or continues from) ``text[i]`` ends: the index after
        its closing bracket, or of the comma or closing bracket after a scalar; None when
        ``text`` ends first."""
        if self.scalar is None:
            self.scalar = text[i] not in "[{"
        while i < len(text):
            if self.escaped:
                i, self.escaped = i + 1, False
            elif self.in_string:
                found = _STRING_END.search(text, i)
                if found is None:
                    return None
                i = found.end()
                self.escaped = found.group() == "\\"
                self.in_string = self.escaped
            else:
                found = _STRUCTURE.search(text, i)
                if found is None:
                    return None
                i, char = found.end(), found.group()
                if char == '"':
                    self.in_string = True
                elif char in "[{":
                    self.depth += 1
                elif char in "]}":
                    self.depth -= 1
                    if self.depth == 0 and not self.scalar:
                        return i
                    if self.depth < 0:  # the close of the list it was in
                        return found.start()
                elif self.depth == 0:  # the comma after a scalar
                    return found.start()
        return None


class Cut(Exception):
    """The text ends inside a value: the file was cut short."""


class Invalid:
    """A value that is not valid JSON, and why (the decoder's message, at a line)."""

    def __init__(self, message: str, line: int):
        self.message = message
        self.line = line


class TooLarge:
    """A value longer than MAX_ITEM_CHARS, skipped unread."""

    def __init__(self, chars: int):
        self.chars = chars


class Values:
    """The text of a file read a top-level value at a time, with the line each starts on.

    ``buf`` holds the text from a little before the current value on; ``pos`` is where reading
    is in it. Lines are counted as the reading goes, never twice.
    """

    def __init__(self, chunks: Iterator[str], max_chars: int = MAX_ITEM_CHARS):
        self._chunks = chunks
        self.max_chars = max_chars
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._counted = 0  # buf index up to which lines are counted
        self._line = 1  # the line of buf[_counted]

    def line_at(self, index: int) -> int:
        """The line of ``buf[index]``."""
        if index >= self._counted:
            self._line += self.buf.count("\n", self._counted, index)
        else:
            self._line -= self.buf.count("\n", index, self._counted)
        self._counted = index
        return self._line

    def _more(self, at_least: int = 1) -> bool:
        """Read at least ``at_least`` more characters (less at the end); False when none."""
        if self.eof:
            return False
        if self.pos > CHUNK_BYTES and 2 * self.pos > len(self.buf):  # drop what was read
            self.line_at(self.pos)
            self.buf, self._counted, self.pos = self.buf[self.pos :], 0, 0
        pieces, got = [self.buf], 0
        while got < at_least:
            chunk = next(self._chunks, None)
            if chunk is None:
                self.eof = True
                break
            pieces.append(chunk)
            got += len(chunk)
        self.buf = "".join(pieces)
        return got > 0

    def next_char(self) -> str:
        """The next character that is not white space ("" at the end); ``pos`` moves to it."""
        while True:
            found = _NOT_SPACE.search(self.buf, self.pos)
            if found is not None:
                self.pos = found.start()
                return self.buf[self.pos]
            self.pos = len(self.buf)
            if not self._more():
                return ""

    def value(self) -> Any:
        """The JSON value at ``pos`` (an ``Invalid`` or a ``TooLarge`` for one that cannot be
        read), ``pos`` moved past it; raises Cut when the text ends inside it."""
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # Cut by the end of what was read (the usual case, at each chunk's end): read
                # on without scanning; else the scanner tells a cut value from a broken one.
                cut = exc.pos >= len(self.buf) - 1 or exc.msg.startswith("Unterminated string")
                stop = None if cut and not self.eof else _Scanner().end(self.buf, self.pos)
                if stop is None:
                    if self.eof:
                        raise Cut from None
                    if len(self.buf) - self.pos > self.max_chars:
                        return self._skip()
                    self._more(max(CHUNK_BYTES, len(self.buf) - self.pos))
                    continue
                invalid = Invalid(exc.msg, self.line_at(exc.pos))
                self.pos = max(stop, self.pos + 1)
                return invalid
            if end == len(self.buf) and not self.eof and not isinstance(value, (dict, list)):
                self._more()  # a number or a word may go on in the next chunk
                continue
            if _CONTROL_TEXT.search(self.buf, self.pos, end):
                value = cleaned(value)
            self.pos = end
            return value

    def _skip(self) -> TooLarge:
        """Skip the value at ``pos``, longer than ``max_chars``, without holding it."""
        scanner, chars = _Scanner(), 0
        end = scanner.end(self.buf, self.pos)
        while end is None:
            chars += len(self.buf) - self.pos
            self.line_at(len(self.buf))
            self.buf, self._counted, self.pos = "", 0, 0
            if not self._more(CHUNK_BYTES):
                raise Cut
            end = scanner.end(self.buf, 0)
        chars += end - self.pos
        self.pos = end
        return TooLarge(chars)


def cleaned(value: Any) -> Any:
    """``value`` (a JSON value) with the control characters of its strings (and keys) removed."""
    if isinstance(value, str):
        return without_controls(value)
    if isinstance(value, list):
        return [cleaned(v) for v in value]
    if isinstance(value, dict):
        return {without_controls(k): cleaned(v) for k, v in value.items()}
    return value


# --- opening ----------------------------------------------------------------------------------

# --- top-level values to items ----------------------------------------------------------------

# Members only a CSL item (or Crossref's work, its superset) has: a JSON object holding none of
# them is not an item. ("type" and "author" alone are not enough: package.json has both.)
CSL_MEMBERS = frozenset(
    {
        "title",
        "issued",
        "container-title",
        "collection-title",
        "DOI",
        "ISBN",
        "ISSN",
        "PMID",
        "PMCID",
        "URL",
        "page",
        "volume",
        "issue",
        "publisher",
        "publisher-place",
        "editor",
        "abstract",
        "accessed",
        "citation-key",
        "event-place",
        "number-of-pages",
        "published-print",
        "published-online",
    }
)
_WRAPPER = "message"  # Crossref's API: {"message-type": "work", "message": {...}}


def looks_like_item(value: Any) -> bool:
    """True when ``value`` is a JSON object with a member only CSL items have."""
    return isinstance(value, dict) and not CSL_MEMBERS.isdisjoint(value)


def _kind(value: Any) -> str:
    """What a JSON value is, in words, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


class _Items:
    """The items of one file's top-level values, in order, with the problems met.

    Items are numbered from 1 in file order, whatever their shape; a problem names the item's
    number and the line it starts on. A file whose first value is not an item or a list of
    items is not CSL-JSON: ParseError, before anything is read.
    """

    def __init__(self, values: Values, label: str, on_problem: ProblemReport | None):
        self._values = values
        self._label = label
        self._on_problem = on_problem
        self.number = 0  # the items met so far
        self._line = 1  # where the value being read starts

    def report(self, line: int | None, message: str) -> None:
        if self._on_problem is not None:
            self._on_problem(Problem(self._label, line, message))

    def _not_csl(self, what: str) -> ParseError:
        return ParseError(self._label, None, f"this is not CSL-JSON: {what}")

    def all(self) -> Iterator[tuple[int, Json]]:
        """(line, item) for each item of the file."""
        values = self._values
        try:
            while char := values.next_char():
                self._line = values.line_at(values.pos)
                if char == "[":
                    yield from self._list(self._line)
                elif char == "{":
                    yield from self._take(values.value(), top=True)
                elif self.number == 0:
                    raise self._not_csl("it does not start with [ or {, as JSON lists and items do")
                else:
                    self.report(self._line, "what follows the items is not JSON; it is ignored")
                    return
        except Cut:
            self.report(
                self._line,
                f"the file ends inside item {self.number + 1}: it was cut short; "
                "the items before it are read",
            )
            return
        if self.number == 0 and not values.buf.strip():
            raise self._not_csl("the file is empty")

    def _list(self, start: int) -> Iterator[tuple[int, Json]]:
        """The items of a list that starts at ``values.pos`` (on line ``start``)."""
        values = self._values
        values.pos += 1
        while True:
            char = values.next_char()
            if char == "]":
                values.pos += 1
                return
            if char == ",":  # between items; one too many is tolerated
                values.pos += 1
                continue
            if not char:
                self.report(
                    start,
                    f"the file ends before the list of items that starts at line {start} is "
                    "closed: it may have been cut short; the items in it are read",
                )
                return
            self._line = values.line_at(values.pos)
            yield from self._take(values.value(), top=False)

    def _take(self, value: Any, top: bool) -> Iterator[tuple[int, Json]]:
        """The item(s) of one value: in a list (``top`` False) or alone."""
        if isinstance(value, dict) and isinstance(value.get(_WRAPPER), dict):
            message = value[_WRAPPER]  # Crossref's API: one work, or a list of them
            inner = message.get("items")
            for item in inner if isinstance(inner, list) else [message]:
                yield from self._take(item, top=False)
            return
        self.number += 1
        line, where = self._line, f"item {self.number}"
        if isinstance(value, Invalid):
            why = f"{value.message} at line {value.line}"
            self.report(line, f"{where} is not valid JSON ({why}); it is skipped")
        elif isinstance(value, TooLarge):
            size = f"{value.chars:,} characters, more than {self._values.max_chars:,}"
            self.report(line, f"{where} is too large ({size}); it is skipped")
        elif value is None or value == {}:
            self.report(line, f"{where} is empty; it is skipped")
        elif looks_like_item(value):
            yield line, value
        elif self.number == 1:  # the first value says what the file is
            if isinstance(value, dict):
                raise self._not_csl(f"its first item has none of CSL's members ({_MEMBERS})")
            place = "at the top" if top else "in its list"
            raise self._not_csl(f"it holds {_kind(value)} {place}, not CSL items")
        elif isinstance(value, dict):
            self.report(line, f"{where} has none of CSL's members ({_MEMBERS}); it is skipped")
        else:
            self.report(line, f"{where} is {_kind(value)}, not an item; it is skipped")


_MEMBERS = "title, issued, DOI, page..."


def read_items(
    source: Source,
    name: str | None = None,
    on_problem: ProblemReport | None = None,
    max_item_chars: int = MAX_ITEM_CHARS,
) -> Iterator[tuple[int, Json]]:
    """(line, item) for each CSL-JSON item of a file (a path or a binary stream), in order.

    Raises ParseError on the first ``next()`` when the file is not CSL-JSON or cannot be read;
    an item that cannot be read goes to ``on_problem`` and the reading goes on, as does an
    item longer than ``max_item_chars`` characters, skipped without being held.
    """
    label = label_of(source, name)
    try:
        with opened(source, label, what="a CSL-JSON file") as stream:
            values = Values(decoded(stream), max_item_chars)
            yield from _Items(values, label, on_problem).all()
    except OSError as exc:
        raise ParseError(label, None, f"the file cannot be read ({exc})") from None
