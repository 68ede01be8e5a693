"""Reading RIS files: a binary stream (or a path) to ``RisRecord``s, the (tag, value) pairs of
each record as the file holds them, with the line each record starts on.

A record is a run of ``TAG  - value`` lines that opens with ``TY`` and closes with ``ER``. What
the reader accepts beyond the specification's own layout, as the programs that write RIS do:

- tags padded with one to three spaces or a tab (``TY - JOUR``, ``ER  -`` without a value);
- continuation lines (any line that is not a tag line, inside a record): the value goes on,
  the lines joined with a line break (``KW``, ``UR`` and the ``L`` links hold one value a line,
  the others are read as one text: see mapping);
- LF, CRLF and CR line ends, a UTF-8 byte order mark, UTF-16 with a byte order mark, and lines
  that are not UTF-8 (read as Windows-1252, or as Mac Roman when that gives a word its letters:
  old EndNote files on the Mac);
- header text before the first record (Ovid's and ProQuest's ``Provider:`` lines): skipped.

What it reports through ``on_problem``, keeping everything it can (the reading goes on):

- a record that is not closed by ``ER`` (a ``TY`` comes first, or the file ends: it may be cut
  short): the record is kept;
- tag lines before a ``TY``: read as a record of unknown type;
- text between records that is not a tag line: skipped;
- a record that holds nothing but its type: skipped;
- a value longer than ``MAX_FIELD_CHARS`` characters, a record of more than
  ``MAX_RECORD_FIELDS`` fields: the rest is dropped, so that memory stays bounded.

Control characters are removed from values. A stream that is not RIS raises ParseError on the
first ``next()``.
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from refman.formats.ris.sniff import HEAD_BYTES, head_text, not_ris_reason
from refman.formats.sources import Source, label_of, opened
from refman.formats.text import without_controls
from refman.model import ParseError, Problem, SourceRecord

ProblemReport = Callable[[Problem], None]

CHUNK_BYTES = 1 << 16  # how much of a file is read at a time
# The longest value a field keeps (characters), and the most fields a record keeps: far beyond
# any real record (an abstract runs to some thousands of characters, a consortium paper to some
# thousands of authors), small enough that a damaged file cannot fill the memory.
MAX_FIELD_CHARS = 1_000_000
MAX_RECORD_FIELDS = 100_000
# The most of one line held at once (bytes: UTF-8 takes up to 4 a character); the rest of a
# longer line is read and dropped in chunks.
LONGEST_LINE = 4 * MAX_FIELD_CHARS + 64

# A tag line: two characters (a capital, then a capital or a digit), padding, a hyphen, and the
# value after one space. "TY  - JOUR" as the specification has it; "TY - JOUR", "ER  -" as
# programs write it.
TAG_LINE = re.compile(r"([A-Z][A-Z0-9])[ \t]{1,3}-(?:[ \t]|$)(.*)", re.S)


@dataclass(frozen=True)
class RisRecord:
    """One record as the file holds it: (tag, value) pairs in file order (``TY`` first, ``ER``
    left out; a value's lines joined with ``\\n``) and the line it starts on."""

    fields: SourceRecord
    line: int


@dataclass
class _Draft:
    """A record being read: its fields so far (each value as a list of lines)."""

    line: int
    fields: list[tuple[str, list[str]]] = field(default_factory=list)
    chars: int = 0  # characters held in the last value
    blank: bool = False  # a blank line after the last value's text
    dropped_fields: int = 0  # fields beyond MAX_RECORD_FIELDS
    cut_values: list[int] = field(default_factory=list)  # lines whose value was cut

    def record(self) -> RisRecord:
        pairs = tuple((tag, "\n".join(lines).strip()) for tag, lines in self.fields)
        return RisRecord(pairs, self.line)


# --- bytes to lines ---------------------------------------------------------------------------

_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


class _Cut(bytes):
    """The kept start of a line too long to hold."""


def _chunks(head: bytes, stream: BinaryIO) -> Iterator[bytes]:
    """The stream's bytes from the start (``head`` was read already), UTF-16 made UTF-8."""
    chunks = itertools.chain([head], iter(lambda: stream.read(CHUNK_BYTES), b""))
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
        decoded = itertools.chain((decoder.decode(c) for c in chunks), [decoder.decode(b"", True)])
        return (text.encode("utf-8", "surrogatepass") for text in decoded)
    return chunks


def _lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The lines of the byte chunks, without their line ends (LF, CRLF or CR); memory bounded by
    ``LONGEST_LINE``: a longer line is given as a ``_Cut`` of its start, its rest dropped."""
    pending = b""
    dropping = False  # inside the rest of a line too long to hold
    for chunk in chunks:
        data = pending + chunk
        if dropping:
            found = _LINE_BREAK.search(data)
            if not found:
                pending = data[-1:] if data.endswith(b"\r") else b""
                continue
            data, dropping = data[found.end() :], False
        end = _last_break(data)
        lines = _LINE_BREAK.split(data[:end]) if end else []
        if end:
            lines.pop()  # the empty text after the last line break
        yield from lines
        pending = data[end:]
        if len(pending) > LONGEST_LINE:
            yield _Cut(pending[: _char_start(pending, LONGEST_LINE)])
            pending, dropping = b"", True
    if pending and not dropping:
        yield from _LINE_BREAK.split(pending.removesuffix(b"\r"))


_UTF8_TAILS = range(0x80, 0xC0)  # the bytes after the first of a UTF-8 character


def _char_start(data: bytes, index: int) -> int:
    """``index``, moved back to where a UTF-8 character starts (at most 3 bytes back)."""
    for _ in range(3):
        if data[index] not in _UTF8_TAILS:
            break
        index -= 1
    return index


def _last_break(data: bytes) -> int:
    """Where the text after the last complete line break in ``data`` starts (0: none). A CR
    at the very end may be half of a CRLF: it waits for the next chunk."""
    lf = data.rfind(b"\n")
    cr = data.rfind(b"\r", 0, len(data) - 1)
    return max(lf, cr) + 1


# --- lines to text ----------------------------------------------------------------------------

# Letters of Western European languages that Mac Roman and Windows-1252 give for the bytes
# 0x80 to 0xFF: the guess between the two is the one that gives a word more of them.
_LETTERS = re.compile(r"[a-zA-Z][^\x00-\x7f]+|[^\x00-\x7f]+[a-zA-Z]")


class _Decoder:
    """Lines to text: UTF-8, or else the file's legacy encoding, guessed once from the first
    line that is not UTF-8 (Windows-1252, or Mac Roman when that reads as words)."""

    def __init__(self) -> None:
        self.legacy = ""

    def __call__(self, raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        if not self.legacy:
            self.legacy = _guess_legacy(raw)
        try:
            return raw.decode(self.legacy)
        except UnicodeDecodeError:  # the five bytes Windows-1252 does not define
            return raw.decode("latin-1")


def _guess_legacy(raw: bytes) -> str:
    def score(encoding: str) -> int:
        text = raw.decode(encoding, errors="replace")
        return sum(
            len([c for c in m[0] if c.isalpha() and c.islower()]) for m in _LETTERS.finditer(text)
        )

    return "mac_roman" if score("mac_roman") > score("cp1252") else "cp1252"


# --- lines to records -------------------------------------------------------------------------


class _Reader:
    """Lines in, records out (see the module docstring for what is reported)."""

    def __init__(self, label: str, on_problem: ProblemReport | None):
        self.label = label
        self.on_problem = on_problem
        self.draft: _Draft | None = None
        self.seen_record = False
        self.stray: int | None = None  # the first line of skipped text between records

    def report(self, line: int | None, message: str) -> None:
        if self.on_problem is not None:
            self.on_problem(Problem(self.label, line, message))

    def feed(self, number: int, text: str, cut: bool) -> Iterator[RisRecord]:
        match = TAG_LINE.match(text)
        if match is None:
            self._text(number, text, cut)
            return
        tag, value = match[1], match[2].rstrip()
        if tag == "TY":
            if self.draft is not None:
                self.report(
                    self.draft.line,
                    f"the record starting at line {self.draft.line} has no ER line before "
                    f"the next record at line {number}; it was read up to there",
                )
                yield from self._close()
            self._stray_end()
            self.draft = _Draft(number)
        elif tag == "ER":
            if self.draft is None:
                self._stray_end()
                self.report(number, "an ER line without a record before it was skipped")
                return
            yield from self._close()
            return
        elif self.draft is None:
            self._stray_end()
            self.report(
                number,
                f"the record at line {number} does not start with a TY line; "
                "it was read as a record of unknown type",
            )
            self.draft = _Draft(number)
        self._add_field(number, tag, value, cut)

    def _add_field(self, number: int, tag: str, value: str, cut: bool) -> None:
        draft = self.draft
        assert draft is not None
        if len(draft.fields) >= MAX_RECORD_FIELDS:
            draft.dropped_fields += 1
            return
        if len(value) > MAX_FIELD_CHARS:
            value, cut = value[:MAX_FIELD_CHARS], True
        draft.fields.append((tag, [without_controls(value)]))
        draft.chars, draft.blank = len(value), False
        if cut:
            self._cut(number)

    def _text(self, number: int, text: str, cut: bool) -> None:
        """A line that is not a tag line: a value's next line, or text outside a record."""
        draft = self.draft
        if draft is None:
            if text.strip() and self.seen_record and self.stray is None:
                self.stray = number
            return
        if not draft.fields or draft.dropped_fields:
            return
        if not text.strip():
            draft.blank = True  # a paragraph break, kept when more text follows
            return
        if draft.chars >= MAX_FIELD_CHARS:
            return
        lines = draft.fields[-1][1]
        if draft.blank:
            lines.append("")
            draft.blank, draft.chars = False, draft.chars + 1
        text = without_controls(text.rstrip())
        room = MAX_FIELD_CHARS - draft.chars - 1  # the line break before the text
        if len(text) > room or cut:
            text = text[:room]
            self._cut(number)
        lines.append(text)
        draft.chars += len(text) + 1  # and the line break before it

    def _cut(self, number: int) -> None:
        assert self.draft is not None
        if not self.draft.cut_values:
            self.report(
                number,
                f"a value longer than {MAX_FIELD_CHARS:,} characters was cut short there",
            )
        self.draft.cut_values.append(number)

    def _stray_end(self) -> None:
        if self.stray is not None:
            self.report(self.stray, "text outside any record (no TY line before it) was skipped")
            self.stray = None

    def _close(self) -> Iterator[RisRecord]:
        draft, self.draft = self.draft, None
        self.seen_record = True
        if draft is None:
            return
        if draft.dropped_fields:
            self.report(
                draft.line,
                f"the record starting at line {draft.line} has more than "
                f"{MAX_RECORD_FIELDS:,} fields; the last {draft.dropped_fields:,} were dropped",
            )
        record = draft.record()
        if not any(value for tag, value in record.fields if tag != "TY"):
            self.report(draft.line, "this record holds nothing but its type and was skipped")
            return
        yield record

    def finish(self) -> Iterator[RisRecord]:
        if self.draft is not None:
            self.report(
                self.draft.line,
                f"the file ends inside the record starting at line {self.draft.line} (no ER "
                "line): it may be cut short; what it holds was read",
            )
            yield from self._close()
        self._stray_end()


def read_lines(
    lines: Iterable[bytes | str], label: str, on_problem: ProblemReport | None
) -> Iterator[RisRecord]:
    """The records of a file's lines (bytes, decoded here, or text), in file order."""
    reader = _Reader(label, on_problem)
    decode = _Decoder()
    for number, line in enumerate(lines, 1):
        text = line if isinstance(line, str) else decode(line)
        if number == 1:
            text = text.removeprefix("\ufeff")  # a second byte order mark
        yield from reader.feed(number, text, isinstance(line, _Cut))
    yield from reader.finish()


# --- files ------------------------------------------------------------------------------------


def read_raw(
    source: Source, name: str | None = None, on_problem: ProblemReport | None = None
) -> Iterator[RisRecord]:
    """The records of an RIS file (a path or a binary stream), as (tag, value) pairs.

    Raises ParseError on the first ``next()`` when the file is not RIS or cannot be read;
    what cannot be read of a record goes to ``on_problem`` (see the module docstring).
    """
    label = label_of(source, name)
    try:
        with opened(source, label, what="an RIS file") as stream:
            head = stream.read(HEAD_BYTES)
            reason = not_ris_reason(head_text(head))
            if reason:
                raise ParseError(label, None, f"this is not an RIS file ({reason})")
            head = head.removeprefix(codecs.BOM_UTF8)
            yield from read_lines(_lines(_chunks(head, stream)), label, on_problem)
    except OSError as exc:
        raise ParseError(label, None, f"the file cannot be read ({exc})") from None


def read_raw_text(
    text: str, name: str = "clipboard", on_problem: ProblemReport | None = None
) -> Iterator[RisRecord]:
    """The records in RIS text (pasted, say); ParseError on the first ``next()`` when it is
    not RIS."""
    reason = not_ris_reason(text[:HEAD_BYTES])
    if reason:
        raise ParseError(name, None, f"this is not RIS text ({reason})")
    lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
    if lines and not lines[-1]:
        lines.pop()
    yield from read_lines(lines, name, on_problem)
