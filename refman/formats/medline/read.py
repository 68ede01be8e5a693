"""Reading MEDLINE files: a file (a path or a binary stream) or a text to ``RawRecord``s, with
the line each starts on and a problem reported for each part that cannot be read.

``read_raw`` takes a record in PubMed's own layout whole, with a few regex and string calls
(``_clean_record``), and leaves everything else to the line-by-line ``Assembler`` (assemble),
which knows all the layouts below; a property test holds the two to the same records and
problems.

What the reader accepts beyond PubMed's own layout:

- tags matched by pattern, not by column: ``PMID-123``, ``TI  -x``, ``ISSN - x``, an empty
  ``TI-``; a word such as ``SARS-CoV-2`` or ``AD-related`` at the start of a line is not a tag;
- LF, CRLF and CR line ends, a UTF-8 BOM, UTF-16 with a BOM, and lines that are not UTF-8 (read
  as Windows-1252, the superset of Latin-1 that old exports use, or as Latin-1 where that fails);
- junk text before the first record (skipped silently), extra blank lines, no final newline;
- damaged layout: records whose line breaks were lost, every tag on one line. A line that holds
  three or more known tags each followed by ``-`` and a space (or two, one of them ``PMID-``) is
  split at those tags;
- a ``PMID-`` in a record that already has one starts a new record (a lost blank line);
- a line inside a record that is neither a tag line nor indented continues the value before it:
  the usual cause is indentation lost in copy and paste.

What the reader skips and reports through ``on_problem`` (the rest of the file still imports):

- a record with no title (TI, BTI, VTI, TT) and no PubMed or PMC id: nothing to show or match;
- a record holding NUL bytes: binary data, not text;
- text between records that holds no MEDLINE tag;
- the part of a value beyond ``MAX_FIELD_CHARS`` characters (the start is kept): a line longer
  than that is never held whole, its rest is read in chunks and dropped.

Control characters (ESC, BEL, backspace, the other C0 and C1 controls, DEL) are removed from
values, and tabs and other white space become single spaces.

A file that is not MEDLINE at all (see sniff) raises ``NotMedlineError`` when iteration starts.
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import IO, Any, AnyStr

from refman.formats.medline.assemble import Assembler
from refman.formats.medline.record import (
    CONTROLS,
    KNOWN_TAGS,
    LIMITS,
    MAX_FIELD_CHARS,
    Limits,
    RawRecord,
    squashed,
)
from refman.formats.medline.sniff import HEAD_BYTES, head_text, not_medline_reason
from refman.formats.sources import Source, label_of, opened
from refman.formats.text import utf8_holds_controls
from refman.model import NotMedlineError, ParseError, Problem

# What the reader reads from: a path, or a binary stream (a text stream is read as well).
ProblemReport = Callable[[Problem], None]  # called with each problem the reader meets

CHUNK_BYTES = 1 << 16  # how much of a file the reader reads at a time
# The most of one line the reader holds: room for MAX_FIELD_CHARS characters after the tag in
# any encoding (UTF-8 takes up to 4 bytes a character). The rest of a longer line is read in
# chunks and dropped, so that memory stays bounded whatever the file. (Public, as CHUNK_BYTES
# is: the tests of bounded memory are stated in them.)
LONGEST_LINE = 4 * MAX_FIELD_CHARS + 64


_CR = re.compile(r"\r\n?")


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1")


class _Marked(str):
    """A block of text that asks more of ``records`` than the others: it holds control
    characters, or it is the kept start of a line too long to hold, ``dropped`` characters of
    which were read and dropped."""

    controls = False
    dropped = 0


def _text_blocks(chunks: Iterable[AnyStr]) -> Iterator[str]:
    """Decoded text, a chunk's worth at a time, each block ending at a line break but perhaps
    the last; memory bounded by ``LONGEST_LINE``.

    A block is decoded whole (UTF-8 almost always holds for all of it), and only a block that
    fails is decoded line by line, each line as UTF-8 or else Windows-1252 (``_decode``). CR
    and CRLF ends become LF. Working a block at a time, not a line at a time, is what keeps the
    reader close to a plain split of the file. A line longer than ``LONGEST_LINE`` is cut
    (``_long_line``): the block of its kept start ends without a line break.
    """
    chunks = iter(chunks)
    pending: list[AnyStr] = []  # the pieces of a line that began in an earlier chunk
    size = 0  # their length
    for chunk in chunks:
        while True:
            end = chunk.rfind(b"\n" if isinstance(chunk, bytes) else "\n")
            if end >= 0:
                pending.append(chunk[: end + 1])
                yield block_text(chunk[:0].join(pending))
                pending = [chunk[end + 1 :]]
                size = len(pending[0])
            else:
                pending.append(chunk)
                size += len(chunk)
            if size <= LONGEST_LINE:
                break
            # Go on from where the long line ended, with the rest of the chunk it ended in.
            chunk = yield from _long_line(chunk[:0].join(pending), chunks)
            pending, size = [], 0
    rest = pending[0][:0].join(pending) if pending else None
    if rest:
        yield block_text(rest.removesuffix(b"\r" if isinstance(rest, bytes) else "\r"))


def _long_line(text: AnyStr, chunks: Iterator[AnyStr]) -> Generator[str, None, AnyStr]:
    """Blocks for ``text``, which holds no LF and is longer than ``LONGEST_LINE``: the lines
    in it that a CR alone ends (an old Mac file), then the start of its last line, cut at
    ``LONGEST_LINE`` as a ``_Marked`` block. The rest of that line is read from ``chunks``
    and dropped, a chunk at a time; returns the chunk it ends in, from its line break on.
    """
    cr = b"\r" if isinstance(text, bytes) else "\r"
    start = text.rfind(cr, 0, len(text) - 1) + 1  # a CR at the end may be a CRLF's half
    if start:
        yield block_text(text[:start])
        text = text[start:]
        if len(text) <= LONGEST_LINE:
            return text
    keep = _char_start(text, LONGEST_LINE)
    dropped = _characters(text[keep:])
    rest = text[:0]
    for chunk in chunks:
        end = _line_end(chunk)
        if end < 0:
            dropped += _characters(chunk)
            continue
        dropped += _characters(chunk[:end])
        rest = chunk[end:]
        break
    line = block_text(text[:keep])
    cut = _Marked(line)
    cut.controls, cut.dropped = isinstance(line, _Marked) and line.controls, dropped
    yield cut
    return rest


_UTF8_TAILS = bytes(range(0x80, 0xC0))  # the bytes after the first of a UTF-8 character


def _char_start(text: AnyStr, index: int) -> int:
    """``index``, moved back to where a UTF-8 character starts in bytes ``text``."""
    if isinstance(text, bytes):
        for _ in range(3):  # a character has at most 3 bytes after its first
            if text[index] not in _UTF8_TAILS:
                break
            index -= 1
    return index


def _characters(text: AnyStr) -> int:
    """How many characters ``text`` holds: for bytes, counted as UTF-8 (Windows-1252 text may
    count a few short)."""
    return len(text.translate(None, _UTF8_TAILS)) if isinstance(text, bytes) else len(text)


def _line_end(chunk: AnyStr) -> int:
    """Where the first line break (LF or CR) in ``chunk`` is, or -1."""
    lf, cr = (b"\n", b"\r") if isinstance(chunk, bytes) else ("\n", "\r")
    return min([i for i in (chunk.find(lf), chunk.find(cr)) if i >= 0], default=-1)


def block_text(block: AnyStr) -> str:
    """A block of text (bytes or str) decoded, its CR and CRLF line ends made LF; a ``_Marked``
    block when it holds control characters."""
    if isinstance(block, bytes):
        try:
            text = block.decode("utf-8")
            controls = utf8_holds_controls(block)
        except UnicodeDecodeError:
            text = "\n".join(_decode(line) for line in block.split(b"\n"))
            controls = bool(CONTROLS.search(text))  # Latin-1 holds C1 controls
    else:
        text, controls = block, bool(CONTROLS.search(block))
    if "\r" in text:
        text = _CR.sub("\n", text)
    if controls:
        text = _Marked(text)
        text.controls = True
    return text


def _text_chunks(head: AnyStr, stream: IO[AnyStr]) -> Iterator[Any]:
    """The stream's content as chunks, decoded when it is UTF-16 (which has NUL bytes): bytes,
    or str (a text stream, or UTF-16 decoded), of one kind throughout."""
    chunks = itertools.chain([head], iter(lambda: stream.read(CHUNK_BYTES), head[:0]))
    if isinstance(head, bytes) and head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
        return itertools.chain((decoder.decode(c) for c in chunks), [decoder.decode(b"", True)])
    return chunks


def _stream_blocks(stream: IO[Any], label: str) -> Iterator[str]:
    """Blocks of text of a binary (or text) stream, after checking that it is MEDLINE."""
    head = stream.read(HEAD_BYTES)
    reason = not_medline_reason(head_text(head))
    if reason:
        raise NotMedlineError(label, None, f"this is not a MEDLINE/PubMed file ({reason})")
    # The UTF-8 byte order mark goes before decoding (the UTF-16 decoder drops its own).
    bom = codecs.BOM_UTF8 if isinstance(head, bytes) else "\ufeff"
    yield from _text_blocks(_text_chunks(head.removeprefix(bom), stream))


def _reporter(label: str, on_problem: ProblemReport | None) -> Callable[[int, str], None]:
    def report(line: int, message: str) -> None:
        if on_problem is not None:
            on_problem(Problem(label, line, message))

    return report


def read_blocks(
    blocks: Iterable[str],
    label: str,
    on_problem: ProblemReport | None,
    limits: Limits = LIMITS,
) -> Iterator[RawRecord]:
    """The records in blocks of text (see ``_text_blocks``), in file order; what cannot be read
    goes to ``on_problem``.

    The text is cut at blank lines into record-sized pieces. A piece in PubMed's own layout
    (almost all of them) is read whole by ``_clean_record``; any other piece, and any stretch
    longer than ``limits.piece_chars`` without a blank line, goes line by line through the
    ``Assembler``, which knows every layout. Both give the same records: a property test
    checks that. A ``_Marked`` block tells the assembler what it must look for.
    """
    assembler = Assembler(_reporter(label, on_problem), limits)
    number = 0  # the lines before ``pending``
    pending = ""  # text that may hold the start of a record not yet ended
    for block in blocks:
        if type(block) is _Marked:
            assembler.controls = assembler.controls or block.controls
            if block.dropped:  # a cut line, which starts after ``pending``
                assembler.cuts[number + pending.count("\n") + 1] = block.dropped
        pending += block
        records: list[RawRecord] = []
        if assembler.busy:  # a long record is being fed line by line: go on to its end
            pending, number = _feed_to_end(assembler, pending, number, records)
        cut = pending.rfind("\n\n")
        if cut >= 0 and not assembler.busy:
            number = _read_pieces(assembler, pending[:cut], number, records, limits)
            pending = pending[cut + 2 :]
        elif len(pending) > limits.piece_chars and not assembler.busy:
            pending, number = _feed_lines(assembler, pending, number, records)
        if assembler.busy:
            assembler.trim()
        yield from records
    records = []
    if assembler.busy:
        assembler.feed_block(number, pending.split("\n"), records)
    elif pending:
        _read_pieces(assembler, pending, number, records, limits)
    yield from records
    yield from assembler.finish()


def _read_pieces(
    assembler: Assembler, text: str, number: int, records: list[RawRecord], limits: Limits
) -> int:
    """Read the records of ``text`` (lines numbered from ``number + 1``, ending at a blank line
    or at the end of the file); the number of the blank line that follows it."""
    for piece in text.split("\n\n"):
        start = len(piece)
        piece = piece.lstrip("\n")  # the extra blank lines of a run of them
        number += start - len(piece)
        record = _clean_record(piece, number + 1, limits) if piece else None
        if record is not None:
            assembler.take(record, records)
        elif piece:
            assembler.feed_block(number, piece.split("\n"), records)
            records.extend(assembler.finish())
        number += piece.count("\n") + 2
    return number


def _feed_lines(
    assembler: Assembler, text: str, number: int, records: list[RawRecord]
) -> tuple[str, int]:
    """Feed the whole lines of ``text`` to the assembler; the rest, and the new line count."""
    end = text.rfind("\n")
    if end < 0:
        return text, number
    lines = text[:end].split("\n")
    return text[end + 1 :], assembler.feed_block(number, lines, records)


def _feed_to_end(
    assembler: Assembler, text: str, number: int, records: list[RawRecord]
) -> tuple[str, int]:
    """Feed lines to the assembler up to the blank line that ends its record, if ``text`` has
    it; the text after that blank line, and the new line count."""
    cut = text.find("\n\n")
    if cut < 0:
        return _feed_lines(assembler, text, number, records)
    number = assembler.feed_block(number, text[:cut].split("\n"), records)
    records.extend(assembler.finish())
    return text[cut + 2 :], number + 1


# A field in PubMed's layout: a tag, padding, "- ", the value and its indented continuation
# lines (a line of white space only is not one: it ends the record).
_FIELD = re.compile(r"^([A-Z][A-Z0-9]{0,3})( *)- (.*(?:\n +\S.*)*)", re.M)


# A line of spaces then white space or nothing: not a continuation line (see _FIELD).
_LOOSE_LINE = re.compile(r"\n +(?:[^\S ]|\Z)")
# A field of a record whose continuation lines are already joined to their values.
_FLAT_FIELD = re.compile(r"^([A-Z][A-Z0-9]{0,3})( *)- (.*)", re.M)
# White space that values keep as one space (see squashed), and the NUL the assembler reports.
_UNFLAT = ("\t", "\x0b", "\x0c", "\r", "\x1f", "\x00")


def _clean_record(piece: str, line: int, limits: Limits) -> RawRecord | None:
    """The record in ``piece`` (text between blank lines), read whole; None unless every line
    of it is a field or a continuation line in PubMed's layout with nothing the assembler
    would read differently: a tag glued to its dash that is not a known tag, a second PMID
    (a new record), a second field marker in a line (perhaps a damaged line: "- ", a dash
    before a tab or at a line's end), a NUL (reported by the assembler), a piece so long
    that a value may need cutting (the assembler cuts it).

    PubMed's own records, whose continuation lines are indented by six spaces and whose values
    hold no other runs of white space, are read from the piece with those line breaks taken
    out first (``_flat_record``), which is the same record read with fewer passes over it.
    """
    if len(piece) > min(limits.field_chars, limits.record_chars):
        return None
    return _flat_record(piece, line, limits) or _record(piece, line, limits)


def _flat_record(piece: str, line: int, limits: Limits) -> RawRecord | None:
    """The record in ``piece`` when it is in PubMed's own layout, read with its continuation
    lines joined to their values first; None when ``_record`` must read it.

    Joining PubMed's line wraps (a space perhaps, a line break and six spaces) as ``squashed``
    does, before the fields are found, gives each field on one line. The piece is read here
    only when nothing is left to squash after that (no other white space than single spaces,
    none at a value's ends) and every line is a field: then the fields, the checks of
    ``_record`` and the values are those ``_record`` finds, with fewer passes over the text.
    """
    flat = piece.replace(" \n      ", " ").replace("\n      ", " ")
    found = _FLAT_FIELD.findall(flat)
    if (
        len(found) != flat.count("\n") + 1  # a line that is not a field
        or len(found) > limits.record_fields
        or flat.count("- ") != len(found)  # a value with "- ": perhaps a damaged line
        or "-\n" in piece  # a dash at a line's end, joined or not (an empty value wrapped)
        or flat[-1] in " -"
        or " \n" in flat  # a space at a value's end, or a line of spaces
        or any(space in flat for space in _UNFLAT)
        or _LOOSE_LINE.search(piece)  # spaces then more white space: not a continuation
    ):
        return None
    tags, pads, values = zip(*found, strict=True)
    # Two spaces are a value's to squash (or start), unless they pad a tag ("TI  - ").
    padded = pads.count("  ") + pads.count("   ")
    if (
        padded + pads.count(" ") + pads.count("") != len(pads)  # a longer pad
        or flat.count("  ") != padded
        or tags.count("PMID") > 1
        or not (KNOWN_TAGS.issuperset(tags) or all(map(bool, pads)))
    ):
        return None
    return RawRecord(tuple(zip(tags, values, strict=True)), line)


def _record(piece: str, line: int, limits: Limits) -> RawRecord | None:
    """The record in ``piece`` in any of PubMed's layouts (see ``_clean_record``), or None."""
    found = _FIELD.findall(piece)
    if not found or len(found) > limits.record_fields:
        return None
    tags, pads, values = zip(*found, strict=True)
    newlines = sum(map(str.count, values, itertools.repeat("\n")))
    if (
        piece.count("\n") != len(tags) - 1 + newlines  # a line that is not a field
        or piece.count("- ") != len(tags)  # a value with "- ": perhaps a damaged line
        or "-\t" in piece
        or "-\n" in piece
        or piece[-1] == "-"
        or "\x00" in piece  # the assembler reports it
        or tags.count("PMID") > 1
        or not (KNOWN_TAGS.issuperset(tags) or all(map(bool, pads)))
    ):
        return None
    return RawRecord(tuple(zip(tags, squashed(values), strict=True)), line)


def read_raw(
    source: Source, name: str | None = None, on_problem: ProblemReport | None = None
) -> Iterator[RawRecord]:
    """The records of a MEDLINE file (a path or a binary stream), as tag/value pairs.

    Raises NotMedlineError on the first ``next()`` when the file is not MEDLINE, and ParseError
    when it cannot be read. Records that cannot be read go to ``on_problem`` and are skipped.
    """
    label = label_of(source, name)
    try:
        with opened(
            source, label, what="a MEDLINE/PubMed file", folder_error=NotMedlineError
        ) as stream:
            yield from read_blocks(_stream_blocks(stream, label), label, on_problem)
    except OSError as exc:
        raise ParseError(label, None, f"the file cannot be read ({exc})") from None


def read_raw_text(
    text: str, name: str = "clipboard", on_problem: ProblemReport | None = None
) -> Iterator[RawRecord]:
    """The records in MEDLINE text (pasted from the clipboard, say), as ``read_raw`` reads a
    file's; NotMedlineError on the first ``next()`` when the text is not MEDLINE."""
    reason = not_medline_reason(text[:HEAD_BYTES])
    if reason:
        raise NotMedlineError(name, None, f"this is not MEDLINE/PubMed text ({reason})")
    yield from read_blocks([block_text(text.removeprefix("\ufeff"))], name, on_problem)
