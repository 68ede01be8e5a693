"""MEDLINE/PubMed ("nbib") files: a streaming reader and a writer.

A MEDLINE record is a run of ``TAG - value`` lines; continuation lines start with white space and
a blank line ends the record. Reading happens in two steps: ``read_raw`` turns text into
``RawRecord``s (the tag/value pairs as the file holds them, which refman keeps with every item)
and ``to_reference`` maps one record to a ``Reference``.

``read_raw`` takes a record in PubMed's own layout whole, with a few regex and string calls
(``_clean_record``), and leaves everything else to a line-by-line reader (``_Assembler``) that
knows all the layouts below; a property test holds the two to the same records and problems.

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

A file that is not MEDLINE at all raises ``NotMedlineError`` when iteration starts.

The writer puts out PubMed's layout. An item imported from MEDLINE is written from its source
record, so that import, export and import again give the same item; only the tags behind the
fields the user edited are replaced.
"""

from __future__ import annotations

import codecs
import itertools
import operator
import os
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TextIO

from refman.formats.text import CONTROL_RANGES, utf8_holds_controls
from refman.model import (
    ARTICLE_JOURNAL,
    AUTHOR,
    BOOK,
    CHAPTER,
    EDITOR,
    TAG_KEYWORD,
    TAG_MESH,
    Creator,
    Issn,
    MeshQualifier,
    NotMedlineError,
    ParseError,
    PartialDate,
    Problem,
    Reference,
    SourceRecord,
    Tag,
)

__all__ = [
    "KNOWN_TAGS",
    "RawRecord",
    "read",
    "read_numbered",
    "read_raw",
    "read_text",
    "sniff",
    "to_reference",
    "write",
]

# NLM's MEDLINE/PubMed element tags, with the book tags and the older ones still met in files.
KNOWN_TAGS: frozenset[str] = frozenset(
    """
    AB AD AID AU AUID BTI CDAT CI CIN CN COI COIS CON CP CRDT CRF CRI CTDT CTI DA DCOM DDIN DEP
    DP DRDT DRIN ECF ECI ED EDAT EFR EIN EN FAU FED FIR FPS GN GR GS IP IR IRAD IS ISBN JID JT
    LA LID LR MH MHDA MID NM OAB OABL OCI OID ORI OT OTO OWN PB PG PHST PL PMC PMCR PMID PRIN
    PROF PS PST PT PUBM RF RIN RN ROF RPF RPI RRF RRI SB SFM SI SO SPIN STAT TA TI TT UIN UOF VI
    VTI
    """.split()  # noqa: SIM905 - laid out like NLM's table
)

SOURCE_FORMAT = "medline"
HEAD_BYTES = 4096  # how much of a file sniffing looks at
_CHUNK = 1 << 16
# The longest value a field keeps. PubMed's longest abstracts run to some tens of thousands of
# characters, and its other fields are shorter: a million is far beyond any real value, yet a
# record holding one stays small in the library (its text, its source record and its search
# index entry are each a copy) and in every export. Beyond it is junk; it is dropped, and said.
MAX_FIELD_CHARS = 1_000_000
# The most a record keeps. PubMed's largest records (consortium papers that list some 15,000
# investigators, each with a name in two forms and an affiliation) hold about 50,000 fields and
# 5 million characters. The fields of a longer record after these limits are dropped, and said.
MAX_RECORD_FIELDS = 200_000
MAX_RECORD_CHARS = 16_000_000
# The most of one line the reader holds: room for MAX_FIELD_CHARS characters after the tag in
# any encoding (UTF-8 takes up to 4 bytes a character). The rest of a longer line is read in
# chunks and dropped, so that memory stays bounded whatever the file.
_LONGEST_LINE = 4 * MAX_FIELD_CHARS + 64
_WIDTH = 88  # PubMed wraps its lines at 88 columns
_INDENT = " " * 6


@dataclass(frozen=True)
class RawRecord:
    """One record as the file holds it: tag/value pairs in file order, and its first line.

    Continuation lines are joined to their value with one space and runs of white space are
    collapsed, so a value does not depend on where PubMed wrapped it.
    """

    fields: SourceRecord
    line: int


# --- lines -------------------------------------------------------------------------------------

_TAG_LINE = re.compile(r"([A-Z][A-Z0-9]{0,3})([ \t]*)-( ?)(.*)", re.S)
# A known tag whose line break was lost: after white space (or at the start), then "-" and a
# space.
_MARKER = re.compile(r"(?<![^ \t])(" + "|".join(sorted(KNOWN_TAGS)) + r")[ \t]*-(?=[ \t]|$)")
# Runs of ASCII white space other than a single space (a thin or no-break space is content).
# Leaving single spaces alone lets re.sub return a clean value without copying it in pieces.
_SPACES = re.compile(r"[\t\n\r\f\v][ \t\n\r\f\v]*| [ \t\n\r\f\v]+")
_CR = re.compile(r"\r\n?")
_SEPARATOR = "\x1f"  # between values squashed together (unit separator: not white space)
_SQUASHED = ("  ", "\t", "\n", "\r", "\f", "\v")  # what _SPACES finds, if anything
_CONTROLS = re.compile(f"[{CONTROL_RANGES}]")  # removed from values (NUL is reported instead)


def _squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip(" ")


def _one_dash(text: str) -> bool:
    """No second field marker (``- ``, ``-`` and a tab, or ``-`` at the end) in a line's rest.

    ``_is_damaged``'s quick answer for the part of a line after its own tag.
    """
    return "- " not in text and "-\t" not in text and text[-1:] != "-"


def _values(fields: list[tuple[str, list[str], int]]) -> SourceRecord:
    """The record's tag/value pairs, each value's lines joined and its white space squashed."""
    texts = [parts[0] if len(parts) == 1 else " ".join(parts) for _, parts, _ in fields]
    return tuple(zip([tag for tag, _, _ in fields], _squashed(texts), strict=True))


def _joined(parts: list[str], whole: bool = True) -> str:
    """A value's lines joined as ``_values`` joins them, squashed; when they are not the whole
    value (its end was dropped), a space at their end is kept: it is not the value's end."""
    text = _SPACES.sub(" ", parts[0] if len(parts) == 1 else " ".join(parts))
    return text.strip(" ") if whole else text.lstrip(" ")


def _without_controls(record: RawRecord) -> RawRecord:
    """The record with the control characters removed from its values (see CONTROL_RANGES)."""
    fields = tuple(
        (tag, _squash(_CONTROLS.sub("", value)) if _CONTROLS.search(value) else value)
        for tag, value in record.fields
    )
    return RawRecord(fields, record.line)


def _squashed(texts: Sequence[str]) -> list[str]:
    """Each text with its white space squashed (see ``_squash``).

    All are squashed at once, joined by a separator they do not hold: a few calls a record
    instead of a few a field. PubMed's own line wrap (a space perhaps, a line break and six
    spaces) is replaced as plain text first, which is several times faster than the regex, so
    that the regex only runs over the rare record that has other runs of white space.
    """
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:
        return [_squash(text) for text in texts]
    if "\n" in joined:
        joined = joined.replace(" \n      ", " ").replace("\n      ", " ")
    if any(space in joined for space in _SQUASHED):
        joined = _SPACES.sub(" ", joined)
    if " " + _SEPARATOR in joined or _SEPARATOR + " " in joined:
        joined = joined.replace(" " + _SEPARATOR, _SEPARATOR).replace(_SEPARATOR + " ", _SEPARATOR)
    return joined.strip(" ").split(_SEPARATOR)


def _parse_tag_line(line: str) -> tuple[str, str] | None:
    """``(tag, value)`` when ``line`` is a tag line, else None.

    A known tag may be glued to its dash on both sides (``PMID-123``) when it has three or more
    letters; a two-letter word glued to a dash (``AD-related``) is text. An unknown tag counts
    only in the padded ``XYZ - value`` form, so that ``SARS-CoV-2`` starting a line stays text.
    """
    match = _TAG_LINE.match(line)
    if not match:
        return None
    tag, pad, space, rest = match.groups()
    if tag in KNOWN_TAGS:
        is_tag = bool(pad or space or not rest or len(tag) >= 3)
    else:
        is_tag = bool(pad and (space or not rest))
    return (tag, rest) if is_tag else None


def _is_damaged(line: str) -> bool:
    """True when a line holds several fields: a record whose line breaks were lost."""
    if line.count("- ") + line.count("-\t") + line.endswith("-") < 2:
        return False  # the quick answer for almost every line
    tags, start = [], 0
    while len(tags) < 3 and (found := _MARKER.search(line, start)):
        tags.append(found.group(1))
        start = found.end()
    return len(tags) == 3 or (len(tags) == 2 and "PMID" in tags)


# --- records -----------------------------------------------------------------------------------

_IDENTIFYING_TAGS = frozenset({"TI", "BTI", "VTI", "TT", "PMID", "PMC"})


def _record_problem(record: RawRecord) -> str | None:
    """Why ``record`` cannot be imported, or None."""
    values = map(operator.itemgetter(1), record.fields)
    if any(map(str.__contains__, values, itertools.repeat("\x00"))):  # C loops: every record
        return "this record holds binary data (NUL bytes) and was skipped"
    if not any(tag in _IDENTIFYING_TAGS and value for tag, value in record.fields):
        return "this record has no title and no PubMed ID and was skipped"
    return None


class _Limits:
    """Keeps a record in progress within the limits as it grows: each value within
    ``MAX_FIELD_CHARS``, the record within ``MAX_RECORD_FIELDS`` fields and ``MAX_RECORD_CHARS``
    characters, so that memory stays bounded by the limits and a block of text, whatever the
    file. Sizes are counted as ``_values`` makes the values (lines joined, white space squashed),
    so that the outcome does not depend on where the blocks ended.

    The record is the assembler's list of fields (tag, lines, number of the first line). A value
    that is cut keeps its start, and ``long`` counts the characters of the whole value, for the
    problem reported. Once the record is full, the fields after the kept ones are dropped and
    counted; the last of them stays, emptied, as a sink for continuation lines still to come.
    """

    def __init__(self) -> None:
        self.long: dict[int, int] = {}  # field index: the length of its whole value
        self.kept: int | None = None  # once the record is full: how many fields it keeps
        self.dropped = 0  # the fields dropped from a full record
        self.used = False  # a value or the record was cut, or may need to be
        self._done = 0  # the fields before this one are complete, cut and counted in _chars
        self._chars = 0

    def trim(self, fields: list[tuple[str, list[str], int]], final: bool = False) -> None:
        """Cut ``fields`` to the limits; ``final`` at the record's end, when its last field is
        complete too (before, the last field may grow, so it is not counted yet)."""
        self.used = True
        if self.kept is not None:
            self._drop_from(fields, self.kept)
            return
        complete = len(fields) if final else len(fields) - 1
        for index in range(self._done, len(fields)):
            if index == MAX_RECORD_FIELDS:
                self._drop_from(fields, index)
                return
            parts = fields[index][1]
            self._fit(parts, index)
            if index < complete:
                parts[:] = [_joined(parts)]
                self._chars += len(parts[0])
                if self._chars > MAX_RECORD_CHARS:
                    self._drop_from(fields, index)
                    return
                self._done = index + 1

    def cut_line(self, fields: list[tuple[str, list[str], int]], dropped: int) -> None:
        """The last field's last line was cut (see ``_long_line``): ``dropped`` characters of it
        were never read in."""
        index = len(fields) - 1
        if self.kept is None or index < self.kept:
            self.used = True
            self._cut(fields[index][1], index, dropped)

    def _fit(self, parts: list[str], index: int) -> None:
        """Cut the value of field ``index`` (its ``parts``) if it has grown too long."""
        if index in self.long:
            if len(parts) > 1:
                self._cut(parts, index)
        elif (len(parts) > 1 or len(parts[0]) > MAX_FIELD_CHARS) and (
            sum(map(len, parts)) + len(parts) - 1 > MAX_FIELD_CHARS
        ):
            self._cut(parts, index)

    def _cut(self, parts: list[str], index: int, dropped: int = 0) -> None:
        """Keep at most ``MAX_FIELD_CHARS`` of a value (its ``parts``), and count the whole;
        ``dropped``: characters of its last line that were never read in.

        Once a value has been cut, what comes after its kept start is only counted: the kept
        text never jumps over what was dropped.
        """
        if index in self.long:
            rest = _joined(parts[1:], whole=not dropped) if len(parts) > 1 else ""
            self.long[index] += (len(rest) + 1 if rest else 0) + dropped
            del parts[1:]
            return
        value = _joined(parts, whole=not dropped)
        if len(value) > MAX_FIELD_CHARS or dropped:
            self.long[index] = len(value) + dropped
            value = value[:MAX_FIELD_CHARS]
        parts[:] = [value]

    def _drop_from(self, fields: list[tuple[str, list[str], int]], index: int) -> None:
        """Drop the fields from ``index`` on, and count them; the last stays as the sink."""
        sink = 1 if self.kept is not None else 0  # counted when it was dropped
        self.dropped += len(fields) - index - sink
        tag, _, line = fields[-1]
        fields[index:] = [(tag, [], line)]
        self.kept = index
        for cut in [i for i in self.long if i >= index]:
            del self.long[cut]

    def finish(self, fields: list[tuple[str, list[str], int]], start: int, report) -> SourceRecord:
        """The record's tag/value pairs within the limits; what was cut is reported."""
        if not self.used:  # the usual case: a record that nothing was cut from yet
            values = _values(fields)
            lengths = list(map(len, map(operator.itemgetter(1), values)))
            if (
                len(values) <= MAX_RECORD_FIELDS
                and sum(lengths) <= MAX_RECORD_CHARS
                and max(lengths) <= MAX_FIELD_CHARS
            ):
                return values
        self.trim(fields, final=True)
        values = _values(fields if self.kept is None else fields[: self.kept])
        for index, length in sorted(self.long.items()):
            tag, value = values[index]
            message = (
                f"the {tag} field is {length:,} characters long; kept the first {len(value):,}"
            )
            report(fields[index][2], message)
        if self.kept is not None:
            chars = sum(len(value) for _, value in values)
            report(
                start,
                f"this record is longer than any real one: kept its first {self.kept:,} fields "
                f"({chars:,} characters) and dropped the other {self.dropped:,}",
            )
        return values


class _Assembler:
    """Builds RawRecords from numbered lines and reports what it has to skip.

    A field is held as its tag, its lines and the number of its first line.
    """

    def __init__(self, report: Callable[[int, str], None]):
        self._report = report
        self._fields: list[tuple[str, list[str], int]] = []
        self._start = 0
        self._has_pmid = False
        self._seen_record = False  # junk before the first record is skipped silently
        self._junk_line: int | None = None
        self._limits = _Limits()  # keeps the record in progress within the limits
        # Lines the block reader cut (see ``_long_line``), not fed yet: the characters dropped.
        self.cuts: dict[int, int] = {}
        self.controls = False  # the text holds control characters: look for them in values

    def feed_block(self, number: int, lines: list[str], records: list[RawRecord]) -> int:
        """Feed lines numbered from ``number + 1``; the records they end go to ``records``."""
        if self.cuts:
            return self._feed_cut_block(number, lines, records)
        return self._feed_lines(number, lines, records)

    def _feed_lines(self, number: int, lines: list[str], records: list[RawRecord]) -> int:
        """``feed_block`` for lines none of which was cut.

        The two lines that make up almost all of a file are handled here inline: a known tag
        padded to four (``TI  - ``, not PMID, which may start a record) and an indented
        continuation, each inside a record and with no second ``- `` that could mean a
        damaged line. Everything else takes ``feed``, which knows every layout.
        """
        for text in lines:
            number += 1
            fields = self._fields  # read anew: ``feed`` starts a new list at a record's end
            if fields:
                if text[4:6] == "- ":
                    value = text[6:]
                    tag = text[:4].rstrip(" \t")
                    if tag in KNOWN_TAGS and tag != "PMID" and _one_dash(value):
                        fields.append((tag, [value], number))
                        continue
                elif text[:1] == " " and ("-" not in text or _one_dash(text)) and text.strip():
                    fields[-1][1].append(text.lstrip(" "))  # squashed to one space anyway
                    continue
            records.extend(self.feed(number, text))
        return number

    def _feed_cut_block(self, number: int, lines: list[str], records: list[RawRecord]) -> int:
        """``feed_block`` when lines were cut: after each cut line, the characters dropped from
        it count for the value it ended (the line's end is the value's end so far)."""
        first = number
        cut_lines = sorted(n for n in self.cuts if first < n <= first + len(lines))
        for cut in cut_lines:
            number = self._feed_lines(number, lines[number - first : cut - first], records)
            dropped = self.cuts.pop(cut)
            if self._fields:  # else the line was junk, or blank: nothing of it is kept
                self._limits.cut_line(self._fields, dropped)
        return self._feed_lines(number, lines[number - first :], records)

    def feed(self, line_no: int, text: str) -> Iterator[RawRecord]:
        if not text.strip():
            yield from self.finish()
            return
        if _is_damaged(text):
            yield from self._feed_damaged(line_no, text)
            return
        parsed = _parse_tag_line(text)
        if parsed:
            yield from self._add(line_no, *parsed)
        else:
            self._continue(line_no, text)

    @property
    def busy(self) -> bool:
        """True while a record is in progress: the lines up to its end must come here."""
        return bool(self._fields)

    def trim(self) -> None:
        """Cut the record in progress to the limits (see ``_Limits``): called after each block
        while a long record is fed a block at a time."""
        self._limits.trim(self._fields)

    def finish(self) -> Iterator[RawRecord]:
        """End the record in progress (at a blank line or at the end of the text)."""
        self._end_junk()
        if not self._fields:
            return
        fields = self._limits.finish(self._fields, self._start, self._report)
        record = RawRecord(fields, self._start)
        self._fields, self._has_pmid, self._limits = [], False, _Limits()
        yield from self._checked(record)

    def take(self, record: RawRecord, records: list[RawRecord]) -> None:
        """A whole record read past the assembler (``_clean_record``), between blank lines."""
        self._end_junk()
        records.extend(self._checked(record))

    def _checked(self, record: RawRecord) -> Iterator[RawRecord]:
        self._seen_record = True
        if self.controls:
            record = _without_controls(record)
        problem = _record_problem(record)
        if problem:
            self._report(record.line, problem)
        else:
            yield record

    def _feed_damaged(self, line_no: int, text: str) -> Iterator[RawRecord]:
        """Split a line at the known tags in it; what comes before the first one continues."""
        markers = _MARKER.finditer(text)
        marker = next(markers)
        if text[: marker.start()].strip():
            self._continue(line_no, text[: marker.start()])
        for following in itertools.chain(markers, [None]):
            end = following.start() if following else len(text)
            yield from self._add(line_no, marker.group(1), text[marker.end() : end])
            marker = following

    def _add(self, line_no: int, tag: str, value: str) -> Iterator[RawRecord]:
        if tag == "PMID" and self._has_pmid:
            yield from self.finish()
        if not self._fields:
            self._end_junk()
            self._start = line_no
        self._fields.append((tag, [value], line_no))
        self._has_pmid = self._has_pmid or tag == "PMID"

    def _continue(self, line_no: int, text: str) -> None:
        """A line that is not a tag line: it continues the value before it, or it is junk."""
        if self._fields:
            self._fields[-1][1].append(text)
        elif self._seen_record and self._junk_line is None:
            self._junk_line = line_no

    def _end_junk(self) -> None:
        if self._junk_line is not None:
            self._report(self._junk_line, "text without MEDLINE tags was skipped")
            self._junk_line = None


# --- sniffing ----------------------------------------------------------------------------------

# What a file that is not MEDLINE looks like, checked after the MEDLINE tags are not found.
_OTHER_FORMATS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"^\s*@\w+\s*[{(]", re.M), "it looks like BibTeX"),
    (re.compile(r"^\s*<"), "it looks like XML or HTML"),
    (re.compile(r"^\s*[\[{]"), "it looks like JSON"),
)
_RIS = re.compile(r"^TY  - ", re.M)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _not_medline_reason(head: str) -> str | None:
    """Why text starting with ``head`` is not MEDLINE, or None when it looks like MEDLINE."""
    text = head.lstrip("\ufeff")
    if not text.strip():
        return "it is empty"
    if text.startswith("%PDF"):
        return "it is a PDF"
    if _RIS.search(text):  # RIS shares AU, TI and IS with MEDLINE, but not TY
        return "it looks like RIS"
    if _has_medline_tags(text):
        return None  # even with some binary junk inside: the bad records get reported
    if "\x00" in text or len(_CONTROL.findall(text)) > len(text) // 100:
        return "it is a binary file, not text"
    for pattern, reason in _OTHER_FORMATS:
        if pattern.search(text):
            return reason
    return "no MEDLINE tags such as PMID- or TI  - were found"


def _has_medline_tags(text: str) -> bool:
    lines = text.splitlines()
    tags = {parsed[0] for line in lines if (parsed := _parse_tag_line(line))} & KNOWN_TAGS
    return "PMID" in tags or len(tags) >= 2 or any(_is_damaged(line) for line in lines)


def sniff(head: str) -> bool:
    """True when ``head``, the first few KB of a file, looks like MEDLINE."""
    return _not_medline_reason(head) is None


# --- reading -----------------------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1")


class _Marked(str):
    """A block of text that asks more of ``_records`` than the others: it holds control
    characters, or it is the kept start of a line too long to hold, ``dropped`` characters of
    which were read and dropped."""

    controls = False
    dropped = 0


def _text_blocks(chunks: Iterable) -> Iterator[str]:
    """Decoded text, a chunk's worth at a time, each block ending at a line break but perhaps
    the last; memory bounded by ``_LONGEST_LINE``.

    A block is decoded whole (UTF-8 almost always holds for all of it), and only a block that
    fails is decoded line by line, each line as UTF-8 or else Windows-1252 (``_decode``). CR
    and CRLF ends become LF. Working a block at a time, not a line at a time, is what keeps the
    reader close to a plain split of the file. A line longer than ``_LONGEST_LINE`` is cut
    (``_long_line``): the block of its kept start ends without a line break.
    """
    chunks = iter(chunks)
    pending: list = []  # the pieces of a line that began in an earlier chunk
    size = 0  # their length
    for chunk in chunks:
        while True:
            end = chunk.rfind(b"\n" if isinstance(chunk, bytes) else "\n")
            if end >= 0:
                pending.append(chunk[: end + 1])
                yield _block_text(chunk[:0].join(pending))
                pending = [chunk[end + 1 :]]
                size = len(pending[0])
            else:
                pending.append(chunk)
                size += len(chunk)
            if size <= _LONGEST_LINE:
                break
            # Go on from where the long line ended, with the rest of the chunk it ended in.
            chunk = yield from _long_line(chunk[:0].join(pending), chunks)
            pending, size = [], 0
    rest = pending[0][:0].join(pending) if pending else ""
    if rest:
        yield _block_text(rest.removesuffix(b"\r" if isinstance(rest, bytes) else "\r"))


def _long_line(text, chunks: Iterator):
    """Blocks for ``text``, which holds no LF and is longer than ``_LONGEST_LINE``: the lines
    in it that a CR alone ends (an old Mac file), then the start of its last line, cut at
    ``_LONGEST_LINE`` as a ``_Marked`` block. The rest of that line is read from ``chunks``
    and dropped, a chunk at a time; returns the chunk it ends in, from its line break on.
    """
    cr = b"\r" if isinstance(text, bytes) else "\r"
    start = text.rfind(cr, 0, len(text) - 1) + 1  # a CR at the end may be a CRLF's half
    if start:
        yield _block_text(text[:start])
        text = text[start:]
        if len(text) <= _LONGEST_LINE:
            return text
    keep = _char_start(text, _LONGEST_LINE)
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
    line = _block_text(text[:keep])
    cut = _Marked(line)
    cut.controls, cut.dropped = isinstance(line, _Marked) and line.controls, dropped
    yield cut
    return rest


_UTF8_TAILS = bytes(range(0x80, 0xC0))  # the bytes after the first of a UTF-8 character


def _char_start(text, index: int) -> int:
    """``index``, moved back to where a UTF-8 character starts in bytes ``text``."""
    if isinstance(text, bytes):
        for _ in range(3):  # a character has at most 3 bytes after its first
            if text[index] not in _UTF8_TAILS:
                break
            index -= 1
    return index


def _characters(text) -> int:
    """How many characters ``text`` holds: for bytes, counted as UTF-8 (Windows-1252 text may
    count a few short)."""
    return len(text.translate(None, _UTF8_TAILS)) if isinstance(text, bytes) else len(text)


def _line_end(chunk) -> int:
    """Where the first line break (LF or CR) in ``chunk`` is, or -1."""
    lf, cr = (b"\n", b"\r") if isinstance(chunk, bytes) else ("\n", "\r")
    return min([i for i in (chunk.find(lf), chunk.find(cr)) if i >= 0], default=-1)


def _block_text(block) -> str:
    """A block of text (bytes or str) decoded, its CR and CRLF line ends made LF; a ``_Marked``
    block when it holds control characters."""
    if isinstance(block, bytes):
        try:
            text = block.decode("utf-8")
            controls = utf8_holds_controls(block)
        except UnicodeDecodeError:
            text = "\n".join(_decode(line) for line in block.split(b"\n"))
            controls = bool(_CONTROLS.search(text))  # Latin-1 holds C1 controls
    else:
        text, controls = block, bool(_CONTROLS.search(block))
    if "\r" in text:
        text = _CR.sub("\n", text)
    if controls:
        text = _Marked(text)
        text.controls = True
    return text


def _text_chunks(head, stream) -> Iterator:
    """The stream's content as chunks, decoded when it is UTF-16 (which has NUL bytes)."""
    chunks = itertools.chain([head], iter(lambda: stream.read(_CHUNK), head[:0]))
    if isinstance(head, bytes) and head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
        chunks = itertools.chain((decoder.decode(c) for c in chunks), [decoder.decode(b"", True)])
    return chunks


def _head_text(head) -> str:
    if isinstance(head, str):
        return head
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace")


def _stream_blocks(stream, label: str) -> Iterator[str]:
    """Blocks of text of a binary (or text) stream, after checking that it is MEDLINE."""
    head = stream.read(HEAD_BYTES)
    reason = _not_medline_reason(_head_text(head))
    if reason:
        raise NotMedlineError(label, None, f"this is not a MEDLINE/PubMed file ({reason})")
    # The UTF-8 byte order mark goes before decoding (the UTF-16 decoder drops its own).
    bom = codecs.BOM_UTF8 if isinstance(head, bytes) else "\ufeff"
    yield from _text_blocks(_text_chunks(head.removeprefix(bom), stream))


def _reporter(label: str, on_problem) -> Callable[[int, str], None]:
    def report(line: int, message: str) -> None:
        if on_problem is not None:
            on_problem(Problem(label, line, message))

    return report


def _records(blocks: Iterable[str], label: str, on_problem) -> Iterator[RawRecord]:
    """The records in blocks of text (see ``_text_blocks``), in file order.

    The text is cut at blank lines into record-sized pieces. A piece in PubMed's own layout
    (almost all of them) is read whole by ``_clean_record``; any other piece, and any stretch
    longer than ``_LONGEST_PIECE`` without a blank line, goes line by line through the
    ``_Assembler``, which knows every layout. Both give the same records: a property test
    checks that. A ``_Marked`` block tells the assembler what it must look for.
    """
    assembler = _Assembler(_reporter(label, on_problem))
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
            number = _read_pieces(assembler, pending[:cut], number, records)
            pending = pending[cut + 2 :]
        elif len(pending) > _LONGEST_PIECE and not assembler.busy:
            pending, number = _feed_lines(assembler, pending, number, records)
        if assembler.busy:
            assembler.trim()
        yield from records
    records = []
    if assembler.busy:
        assembler.feed_block(number, pending.split("\n"), records)
    elif pending:
        _read_pieces(assembler, pending, number, records)
    yield from records
    yield from assembler.finish()


# Text without a blank line beyond this many characters is read line by line (by the
# assembler) instead of being held until a blank line comes: memory stays bounded by the
# longest line, as it was before records were read whole.
_LONGEST_PIECE = 1 << 22


def _read_pieces(assembler: _Assembler, text: str, number: int, records: list) -> int:
    """Read the records of ``text`` (lines numbered from ``number + 1``, ending at a blank line
    or at the end of the file); the number of the blank line that follows it."""
    for piece in text.split("\n\n"):
        start = len(piece)
        piece = piece.lstrip("\n")  # the extra blank lines of a run of them
        number += start - len(piece)
        record = _clean_record(piece, number + 1) if piece else None
        if record is not None:
            assembler.take(record, records)
        elif piece:
            assembler.feed_block(number, piece.split("\n"), records)
            records.extend(assembler.finish())
        number += piece.count("\n") + 2
    return number


def _feed_lines(assembler: _Assembler, text: str, number: int, records: list) -> tuple[str, int]:
    """Feed the whole lines of ``text`` to the assembler; the rest, and the new line count."""
    end = text.rfind("\n")
    if end < 0:
        return text, number
    lines = text[:end].split("\n")
    return text[end + 1 :], assembler.feed_block(number, lines, records)


def _feed_to_end(assembler: _Assembler, text: str, number: int, records: list) -> tuple[str, int]:
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


def _clean_record(piece: str, line: int) -> RawRecord | None:
    """The record in ``piece`` (text between blank lines), read whole; None unless every line
    of it is a field or a continuation line in PubMed's layout with nothing the assembler
    would read differently: a tag glued to its dash that is not a known tag, a second PMID
    (a new record), a second field marker in a line (perhaps a damaged line: "- ", a dash
    before a tab or at a line's end), a NUL (reported by the assembler), a piece so long
    that a value may need cutting (the assembler cuts it).
    """
    if len(piece) > min(MAX_FIELD_CHARS, MAX_RECORD_CHARS):
        return None
    found = _FIELD.findall(piece)
    if not found or len(found) > MAX_RECORD_FIELDS:
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
    squashed = _squashed(values)
    return RawRecord(tuple(zip(tags, squashed, strict=True)), line)


_OPEN_ERRORS: tuple[tuple[type[OSError], str], ...] = (
    (FileNotFoundError, "the file does not exist"),
    (PermissionError, "you are not allowed to read this file"),
)


@contextmanager
def _opened(source, label: str):
    """A binary stream for ``source`` (a path or an open stream); plain errors for bad paths."""
    if not isinstance(source, (str, os.PathLike)):
        yield source
        return
    if os.path.isdir(source):
        raise NotMedlineError(label, None, "this is a folder, not a MEDLINE/PubMed file")
    try:
        stream = open(source, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        message = next((m for kind, m in _OPEN_ERRORS if isinstance(exc, kind)), None)
        raise ParseError(label, None, message or f"the file cannot be read ({exc})") from None
    with stream:
        yield stream


def _label(source, name: str | None) -> str:
    if name:
        return name
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return str(getattr(source, "name", "") or "input")


def read_raw(source, name: str | None = None, on_problem=None) -> Iterator[RawRecord]:
    """The records of a MEDLINE file (a path or a binary stream), as tag/value pairs.

    Raises NotMedlineError on the first ``next()`` when the file is not MEDLINE, and ParseError
    when it cannot be read. Records that cannot be read go to ``on_problem`` and are skipped.
    """
    label = _label(source, name)
    try:
        with _opened(source, label) as stream:
            yield from _records(_stream_blocks(stream, label), label, on_problem)
    except OSError as exc:
        raise ParseError(label, None, f"the file cannot be read ({exc})") from None


def read(source, name: str | None = None, on_problem=None) -> Iterator[Reference]:
    """The references in a MEDLINE file (a path or a binary stream); see ``read_raw``."""
    for _, ref in read_numbered(source, name, on_problem):
        yield ref


def read_numbered(
    source, name: str | None = None, on_problem=None
) -> Iterator[tuple[int, Reference]]:
    """``read``, each reference with the line its record starts on (for the import's report)."""
    for record in read_raw(source, name, on_problem):
        yield record.line, to_reference(record)


def read_text(text: str, name: str = "clipboard", on_problem=None) -> Iterator[Reference]:
    """The references in MEDLINE text, e.g. pasted from the clipboard; see ``read_raw``."""
    reason = _not_medline_reason(text[:HEAD_BYTES])
    if reason:
        raise NotMedlineError(name, None, f"this is not MEDLINE/PubMed text ({reason})")
    for record in _records([_block_text(text.removeprefix("\ufeff"))], name, on_problem):
        yield to_reference(record)


# --- mapping: names, dates, ids ----------------------------------------------------------------

_SUFFIXES = frozenset({"Jr", "Sr", "II", "III", "IV", "V", "2nd", "3rd", "Jr.", "Sr."})
_ET_AL = re.compile(r"et\.? al\.?", re.I)


def _full_name(value: str) -> tuple[str, str]:
    """``Last, First M`` (FAU, FED) as (family, given)."""
    family, _, given = value.partition(",")
    return family.strip(), given.strip()


def _short_name(value: str) -> tuple[str, str]:
    """``Last FM`` (AU, ED) as (family, given): the initials are the last word."""
    if "," in value:
        return _full_name(value)
    words = value.split()
    if len(words) >= 3 and words[-1] in _SUFFIXES:
        return " ".join(words[:-2]), " ".join(words[-2:])
    if len(words) >= 2:
        return " ".join(words[:-1]), words[-1]
    return value, ""


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = (  # noqa: SIM905
    "january february march april may june july august september october november december"
).split()


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    for number, (short, full) in enumerate(zip(_MONTHS, _MONTH_NAMES, strict=True), 1):
        if word in (short, full) or (word == "sept" and number == 9):
            return number
    return None


def _day(digits: str | None) -> int | None:
    return int(digits) if digits and 1 <= int(digits) <= 31 else None


_YEAR_FIRST = re.compile(r"([0-9]{4})\b\s*(.*)", re.S)
_MONTH_YEAR = re.compile(r"([A-Za-z]+)\.?,?\s+([0-9]{4})")
_NAMED_MONTH = re.compile(r"([A-Za-z]+)\.?(?:\s+([0-9]{1,2})(?:\s*-\s*[0-9]{1,2})?)?")
_NUMBER_MONTH = re.compile(r"([0-9]{1,2})(?:\s+([0-9]{1,2}))?")
_MONTH_RANGE = re.compile(r"([A-Za-z]+)\.?\s*[-/]")


def _month_day(rest: str) -> tuple[int | None, int | None, str]:
    """(month, day, season) from what follows the year: ``Dec 1``, ``06 10``, ``Sep-Oct``..."""
    if not rest:
        return None, None, ""
    match = _NAMED_MONTH.fullmatch(rest)
    if match and _month(match[1]):
        return _month(match[1]), _day(match[2]), ""
    match = _NUMBER_MONTH.fullmatch(rest)
    if match and 1 <= int(match[1]) <= 12:
        return int(match[1]), _day(match[2]), ""
    match = _MONTH_RANGE.match(rest)
    if match and _month(match[1]):
        return _month(match[1]), None, rest
    return None, None, rest  # a season ("Winter") or another printed form


def parse_date(text: str) -> PartialDate:
    """A DP value (``2023 Dec 1``, ``2019 Sep-Oct``, ``2013 Winter``, ``Apr 1990``...)."""
    text = text.strip()
    match = _YEAR_FIRST.match(text)
    if match:
        month, day, season = _month_day(match[2].strip())
        return PartialDate(int(match[1]), month, day if month else None, text, season)
    match = _MONTH_YEAR.fullmatch(text)
    if match and _month(match[1]):
        return PartialDate(int(match[2]), _month(match[1]), None, text)
    year = re.search(r"\b([0-9]{4})\b", text)
    return PartialDate(int(year[1]) if year else None, text=text)


_PAGE_RANGE = re.compile(r"(?<![\w.])([0-9]{1,9})-([0-9]{1,9})(?![\w.])")


def _expand_range(match: re.Match) -> str:
    first, last = match[1], match[2]
    if len(last) < len(first):
        full = first[: len(first) - len(last)] + last
        if int(full) > int(first):
            return f"{first}-{full}"
    return match[0]


def expand_pages(pages: str) -> str:
    """PubMed's abbreviated ranges written out: ``475-82`` → ``475-482``; ``e1042`` unchanged."""
    return _PAGE_RANGE.sub(_expand_range, pages)


_DOI = re.compile(r"10\.[0-9]{3,9}/\S+")
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.I)
_ID_LABEL = re.compile(r"\s*\[([^\]]*)\]$")


def _doi_of(value: str) -> str:
    """The DOI in a LID or AID value (``10.1/x [doi]``, ``doi:10.1/x``, a doi.org URL), or ""."""
    label = _ID_LABEL.search(value)
    if label and label[1].strip().lower() != "doi":
        return ""  # a pii, a bookaccession...
    bare = _DOI_PREFIX.sub("", value[: label.start()] if label else value).strip()
    return bare if label or _DOI.fullmatch(bare) else ""


def _pmcid(value: str) -> str:
    value = value.split()[0] if value.split() else ""
    return f"PMC{value}" if value.isdigit() else value


_ISSN = re.compile(r"(\S+)\s*(?:\(([^)]*)\))?")
_ISSN_KINDS = {"print": "Print", "electronic": "Electronic", "linking": "Linking"}


def _issns(values: list[str]) -> tuple[Issn, ...]:
    """One Issn per distinct value, with the first label it has (Print, Electronic, Linking)."""
    found: dict[str, str] = {}
    for value in values:
        match = _ISSN.match(value)
        if match and match[1] not in found:
            kind = (match[2] or "").strip()
            found[match[1]] = _ISSN_KINDS.get(kind.lower(), kind)
    return tuple(Issn(value, kind) for value, kind in found.items())


# Endings where the last period belongs to the title, not to PubMed: "et al.", "U.S.", "...".
_KEPT_ENDINGS = re.compile(
    r"(?:\.\.|\b(?:al|etc|Inc|Ltd|Co|Corp|Jr|Sr|St|vs|spp|sp|cf|approx|Dr|Mr|Mrs|Ms|Prof|Fig)\.|"
    r"\b(?:[A-Za-z]\.){2,})$"
)


def clean_title(title: str) -> str:
    """A TI value without the period PubMed ends every title with."""
    if title.endswith(".") and not _KEPT_ENDINGS.search(title):
        return title[:-1].rstrip()
    return title


# --- mapping: creators and tags ----------------------------------------------------------------

# tag: (role, full form?)
_NAME_TAGS = {
    "FAU": (AUTHOR, True),
    "AU": (AUTHOR, False),
    "FED": (EDITOR, True),
    "ED": (EDITOR, False),
}
_FULL_FORM = {AUTHOR: "FAU", EDITOR: "FED"}
_FULL_FORM_ROLES = {tag: role for role, tag in _FULL_FORM.items()}


def _name_for(tag: str, value: str, full_roles: set[str]) -> tuple[str, str, str, str] | None:
    """(family, given, literal, role) of a name line, or None when it names no one new."""
    if tag == "CN":
        return ("", "", value, AUTHOR) if value else None
    role, full = _NAME_TAGS[tag]
    if not value or (not full and role in full_roles) or _ET_AL.fullmatch(value):
        return None  # the short form only counts when the record has no full names
    family, given = _full_name(value) if full else _short_name(value)
    return family, given, "", role


def _creators(fields: SourceRecord, full_roles: set[str]) -> tuple[Creator, ...]:
    """Authors, groups and editors in file order, each with the AD and AUID lines after it.

    ``full_roles``: the roles the record gives full names for (FAU, FED), whose short forms
    (AU, ED) are then left out. AD and AUID lines before the first name (old records) belong
    to the first creator.
    """
    # Each creator as its name and two lists that the AD and AUID lines after it fill;
    # the Creator is made once at the end, when those lists are complete.
    drafts: list[tuple[tuple[str, str, str, str], list[str], list[str]]] = []
    early: tuple[list[str], list[str]] = ([], [])  # AD and AUID lines before the first name
    for tag, value in fields:
        if tag in _NAME_TAGS or tag == "CN":
            name = _name_for(tag, value, full_roles)
            if name:
                drafts.append((name, *early) if not drafts else (name, [], []))
        elif tag in ("AD", "AUID") and value:
            affiliations, ids = drafts[-1][1:] if drafts else early
            (affiliations if tag == "AD" else ids).append(value)
    return tuple(Creator(*name, tuple(aff), tuple(ids)) for name, aff, ids in drafts)


@lru_cache(maxsize=65536)  # headings recur across records; a Tag is immutable, so shared
def _mesh_tag(value: str) -> Tag | None:
    """``Brain/*enzymology/pathology`` as a MeSH tag; ``*`` marks a major topic."""
    if "/" not in value and "*" not in value:  # a plain heading, the most common kind
        value = value.strip()
        return Tag(value, TAG_MESH) if value else None
    head, *rest = [part.strip() for part in value.split("/")]
    name = head.lstrip("*").strip()
    if not name:
        return None
    qualifiers = tuple(
        MeshQualifier(q.lstrip("*").strip(), q.startswith("*")) for q in rest if q.strip("* ")
    )
    return Tag(name, TAG_MESH, head.startswith("*"), qualifiers)


@lru_cache(maxsize=65536)
def _keyword_tag(value: str) -> Tag:
    """An author keyword (OT); PubMed marks a major one with ``*`` as it does MeSH headings."""
    name = value.lstrip("*").strip()
    return Tag(name, TAG_KEYWORD, True) if name and name != value else Tag(value, TAG_KEYWORD)


def _tags(fields: SourceRecord) -> tuple[Tag, ...]:
    tags: dict[tuple[str, str], Tag] = {}
    for tag, value in fields:
        found = _mesh_tag(value) if tag == "MH" else _keyword_tag(value) if tag == "OT" else None
        if found and found.name and (found.kind, found.name) not in tags:
            tags[found.kind, found.name] = found
    return tuple(tags.values())


# --- mapping: the reference --------------------------------------------------------------------

_TYPE_BY_PT = {"book chapter": CHAPTER, "book": BOOK}
_PT_BY_TYPE = {CHAPTER: "Book Chapter", BOOK: "Book"}
_BOOKISH = (BOOK, CHAPTER)

# Reference field: the tag whose first value it takes as it is.
_PLAIN = {
    "abstract": "AB",
    "container_title_short": "TA",
    "collection_title": "CTI",
    "volume": "VI",
    "issue": "IP",
    "pmid": "PMID",
    "isbn": "ISBN",
    "language": "LA",
    "publisher": "PB",
}


def _item_type(publication_types: Iterable[str]) -> str:
    found = {_TYPE_BY_PT.get(pt.strip().lower()) for pt in publication_types}
    return next((kind for kind in (CHAPTER, BOOK) if kind in found), ARTICLE_JOURNAL)


def to_reference(record: RawRecord) -> Reference:
    """The Reference that a MEDLINE record describes; the record itself goes along with it."""
    values: dict[str, list[str]] = {}
    for tag, value in record.fields:
        values.setdefault(tag, []).append(value)

    def first(tag: str) -> str:
        for value in values.get(tag, ()):
            if value:
                return value
        return ""

    full_roles = {role for tag, role in _FULL_FORM_ROLES.items() if tag in values}

    publication_types = tuple(values.get("PT", ()))
    item_type = _item_type(publication_types)
    dois = (_doi_of(v) for v in values.get("LID", []) + values.get("AID", []))
    return Reference(
        item_type=item_type,
        title=clean_title(first("TI")) or (first("BTI") if item_type == BOOK else ""),
        container_title=first("BTI") if item_type == CHAPTER else first("JT"),
        pages=expand_pages(first("PG")),
        date=parse_date(first("DP")) if first("DP") else PartialDate(),
        doi=next((doi for doi in dois if doi), ""),
        pmcid=_pmcid(first("PMC")),
        issns=_issns(values.get("IS", []) + values.get("ISSN", [])),
        place=first("PL") if item_type in _BOOKISH else "",
        creators=_creators(record.fields, full_roles),
        tags=_tags(record.fields),
        publication_types=publication_types,
        source_format=SOURCE_FORMAT,
        source_record=record.fields,
        **{name: first(tag) for name, tag in _PLAIN.items()},
    )


# --- writing -----------------------------------------------------------------------------------

# PubMed's tag order, for placing a tag that the source record did not have.
_TAG_ORDER = (  # noqa: SIM905
    "PMID OWN STAT DCOM LR IS VI IP DP TI BTI CTI PG LID AB CI FED ED FAU AU AD AUID CN LA PT DEP "
    "PL PB ISBN TA JT JID SB MH OT PMC EDAT MHDA CRDT PHST AID PST SO"
).split()
_RANK = {tag: rank for rank, tag in enumerate(_TAG_ORDER)}
_CREATOR_TAGS = frozenset({"FAU", "AU", "AD", "AUID", "CN", "FED", "ED"})


def _initials(given: str) -> str:
    """``Charles H`` → ``CH``; words already in capitals (``CH``) stay as they are."""
    words = given.replace(".", " ").replace("-", " ").split()
    suffixes = [w for w in words if w in _SUFFIXES]
    letters = "".join(
        w if w.isupper() and len(w) <= 3 else w[0] for w in words if w not in suffixes
    )
    return " ".join(filter(None, [letters.upper(), *suffixes]))


def _creator_fields(creator: Creator) -> list[tuple[str, str]]:
    if creator.literal:
        lines = [("CN", creator.literal)]
    elif creator.role in _FULL_FORM:
        full = f"{creator.family}, {creator.given}" if creator.given else creator.family
        short = f"{creator.family} {_initials(creator.given)}".strip()
        lines = [(_FULL_FORM[creator.role], full), (_FULL_FORM[creator.role][1:], short)]
    else:
        return []  # MEDLINE has no tag for translators and other roles
    return lines + [("AD", a) for a in creator.affiliations] + [("AUID", i) for i in creator.ids]


def _title_value(title: str) -> str:
    """TI with PubMed's closing period, unless reading it back would keep the period."""
    if not title or title.endswith((".", "?", "!")):
        return title
    return title + "." if clean_title(title + ".") == title else title


_MONTH_ABBR = [m.capitalize() for m in _MONTHS]


def _date_value(date: PartialDate) -> str:
    """DP: the printed text when it still says what the fields say, else made from them."""
    if date.text and parse_date(date.text) == PartialDate(
        date.year, date.month, date.day, date.text, date.season
    ):
        return date.text
    if date.year is None:
        return date.text
    parts = [str(date.year)]
    if date.season:
        parts.append(date.season)
    elif date.month:
        parts += [_MONTH_ABBR[date.month - 1]] + ([str(date.day)] if date.day else [])
    return " ".join(parts)


def _publication_types(ref: Reference) -> list[str]:
    """PT lines that say the item's type: Book and Book Chapter added or dropped to match it."""
    kept = [
        pt for pt in ref.publication_types if _TYPE_BY_PT.get(pt.lower()) in (None, ref.item_type)
    ]
    wanted = _PT_BY_TYPE.get(ref.item_type)
    if wanted and not any(pt.lower() == wanted.lower() for pt in kept):
        kept.insert(0, wanted)
    return kept


def _automatic_tags(tags: Iterable[Tag]) -> list[Tag]:
    return [t for t in tags if t.kind in (TAG_MESH, TAG_KEYWORD)]


def _tag_fields(ref: Reference) -> list[tuple[str, str]]:
    tags = _automatic_tags(ref.tags)
    return [("MH", t.mesh_text) for t in tags if t.kind == TAG_MESH] + [
        ("OT", t.mesh_text) for t in tags if t.kind == TAG_KEYWORD
    ]


def _one(tag: str, value: str) -> list[tuple[str, str]]:
    return [(tag, value)] if value else []


@dataclass(frozen=True)
class _Aspect:
    """What some Reference fields become in MEDLINE: the tags they own and how to write them.

    ``owns(tag, value, item_type)`` says whether a source line belongs to these fields for an
    item of that type; ``emit(ref)`` gives the lines for the fields' current values.
    """

    names: tuple[str, ...]
    owns: Callable[[str, str, str], bool]
    emit: Callable[[Reference], list[tuple[str, str]]]
    typed: bool = False  # the tags depend on the item type


def _plain(name: str, tag: str) -> _Aspect:
    return _Aspect((name,), lambda t, v, k: t == tag, lambda r: _one(tag, getattr(r, name)))


def _book_title(ref: Reference) -> list[tuple[str, str]]:
    # A PubMed Book record names the book in BTI and has no TI.
    if ref.item_type == BOOK:
        return _one("BTI", ref.title)
    return _one("TI", _title_value(ref.title))


def _container(ref: Reference) -> list[tuple[str, str]]:
    return _one("BTI" if ref.item_type == CHAPTER else "JT", ref.container_title)


# In PubMed's order, which is the order of a record written from the fields alone.
_ASPECTS: tuple[_Aspect, ...] = (
    _plain("pmid", "PMID"),
    _Aspect(
        ("issns",),
        lambda t, v, k: t in ("IS", "ISSN"),
        lambda r: [("IS", f"{i.value} ({i.kind})" if i.kind else i.value) for i in r.issns],
    ),
    _plain("volume", "VI"),
    _plain("issue", "IP"),
    _Aspect(("date",), lambda t, v, k: t == "DP", lambda r: _one("DP", _date_value(r.date))),
    _Aspect(
        ("title",),
        lambda t, v, k: t == "TI" or (t == "BTI" and k == BOOK),
        _book_title,
        typed=True,
    ),
    _plain("collection_title", "CTI"),
    _plain("pages", "PG"),
    _Aspect(
        ("doi",),
        lambda t, v, k: t in ("LID", "AID") and bool(_doi_of(v)),
        lambda r: [("LID", f"{r.doi} [doi]"), ("AID", f"{r.doi} [doi]")] if r.doi else [],
    ),
    _plain("abstract", "AB"),
    _Aspect(
        ("creators",),
        lambda t, v, k: t in _CREATOR_TAGS,
        lambda r: [line for c in r.creators for line in _creator_fields(c)],
    ),
    _plain("language", "LA"),
    _Aspect(
        ("item_type", "publication_types"),
        lambda t, v, k: t == "PT",
        lambda r: [("PT", pt) for pt in _publication_types(r)],
    ),
    _Aspect(
        ("place",),
        lambda t, v, k: t == "PL" and k in _BOOKISH,  # a journal's PL is its country
        lambda r: _one("PL", r.place) if r.item_type in _BOOKISH else [],
        typed=True,
    ),
    _plain("publisher", "PB"),
    _plain("isbn", "ISBN"),
    _plain("container_title_short", "TA"),
    _Aspect(
        ("container_title",),
        lambda t, v, k: t == ("BTI" if k == CHAPTER else "JT"),
        _container,
        typed=True,
    ),
    _Aspect(("tags",), lambda t, v, k: t in ("MH", "OT"), _tag_fields),
    _plain("pmcid", "PMC"),
)


def _tag_set(tags: Iterable[Tag]) -> set[str]:
    """The automatic tags as a library holds them: in any order, one per name, the first kept.

    An author keyword that is also a MeSH heading ("Stroke") is one tag in the library; that
    is not an edit, and the record's MH and OT lines are written as they were.
    """
    first: dict[str, Tag] = {}
    for tag in _automatic_tags(tags):
        first.setdefault(tag.name, tag)
    return {repr(tag) for tag in first.values()}


def _edited(aspect: _Aspect, ref: Reference, base: Reference) -> bool:
    if aspect.typed and ref.item_type != base.item_type:
        return True
    if aspect.names == ("tags",):
        return _tag_set(ref.tags) != _tag_set(base.tags)
    return any(getattr(ref, name) != getattr(base, name) for name in aspect.names)


def _insert_at(fields: list[tuple[str, str]], tag: str) -> int:
    """Where PubMed would put ``tag``: after the last line whose tag comes before it or is it."""
    rank = _RANK.get(tag, len(_RANK))
    after = [i for i, (t, _) in enumerate(fields) if t in _RANK and _RANK[t] <= rank]
    return after[-1] + 1 if after else 0


def _owned(aspect: _Aspect, fields: SourceRecord, old_type: str, new_type: str) -> list[int]:
    """The lines that mean these fields for the item's old type or for its new one."""
    types = {old_type, new_type}
    return [i for i, (t, v) in enumerate(fields) if any(aspect.owns(t, v, k) for k in types)]


def _patched(ref: Reference) -> list[tuple[str, str]]:
    """The source record with the lines behind the fields the user edited replaced.

    New lines take the places of the old ones (one for one when they have the same tags, else
    all at the first old line); lines for a field the record did not have go where PubMed would
    put them.
    """
    fields = ref.source_record
    base = to_reference(RawRecord(fields, 0))
    dropped: set[int] = set()
    put: dict[int, list[tuple[str, str]]] = {}  # old line index: the new lines written there
    added: list[list[tuple[str, str]]] = []
    for aspect in _ASPECTS:
        if not _edited(aspect, ref, base):
            continue
        owned = _owned(aspect, fields, base.item_type, ref.item_type)
        new = aspect.emit(ref)
        dropped.update(owned)
        if [fields[i][0] for i in owned] == [t for t, _ in new]:
            for i, line in zip(owned, new, strict=True):
                put.setdefault(i, []).append(line)
        elif owned:
            put.setdefault(owned[0], []).extend(new)
        elif new:
            added.append(new)
    out = [
        new for i, line in enumerate(fields) for new in (put.get(i, []) if i in dropped else [line])
    ]
    for lines in added:
        at = _insert_at(out, lines[0][0])
        out[at:at] = lines
    return out


def record_fields(ref: Reference) -> list[tuple[str, str]]:
    """The MEDLINE tag/value lines for ``ref``."""
    if ref.source_format == SOURCE_FORMAT and ref.source_record:
        return _patched(ref)
    return [line for aspect in _ASPECTS for line in aspect.emit(ref)]


def format_field(tag: str, value: str) -> str:
    """One field in PubMed's layout: ``TAG - value`` wrapped, continuation lines indented."""
    # An unknown tag needs a space before its dash to be read back as a tag (``ISSN - x``).
    head = f"{tag:<4}- " if tag in KNOWN_TAGS or len(tag) < 4 else f"{tag} - "
    text = _squash(value)
    if len(text) <= _WIDTH - len(_INDENT):
        # What textwrap makes of a text that fits (a test holds them equal), for the most
        # fields by far: wrapping every field made a MEDLINE export ten times slower.
        return (head + text).rstrip()
    wrapped = textwrap.wrap(
        text, _WIDTH - len(_INDENT), break_long_words=False, break_on_hyphens=False
    )
    first, *rest = wrapped or [""]
    return "\n".join([(head + first).rstrip()] + [_INDENT + line for line in rest])


def write(refs: Iterable[Reference], out: TextIO) -> None:
    """Write ``refs`` as MEDLINE records separated by blank lines."""
    for number, ref in enumerate(refs):
        if number:
            out.write("\n")
        for tag, value in record_fields(ref):
            out.write(format_field(tag, value) + "\n")
