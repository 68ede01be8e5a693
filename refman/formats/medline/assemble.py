"""Lines to records: the MEDLINE reader's line-by-line path, which knows every layout.

``Assembler`` takes numbered lines and builds ``RawRecord``s from them, whatever their layout:
tags matched by pattern, damaged lines split at the known tags in them, a second PMID starting a
new record, lines that lost their indentation continuing the value before them, junk between
records reported. It keeps each record within the ``Limits`` as it grows, so that memory stays
bounded whatever the file, and reports what it cut or skipped. The reader (read) gives it every
stretch of text that is not a record in PubMed's own layout; a property test holds the two
paths to the same records and problems, which is why ``Assembler`` is public.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterator

from refman.formats.medline.record import (
    CONTROLS,
    KNOWN_TAGS,
    LIMITS,
    Limits,
    RawRecord,
    field_markers,
    is_damaged,
    join_lines,
    parse_tag_line,
    squash,
    squashed,
)
from refman.model import SourceRecord


def _one_dash(text: str) -> bool:
    """No second field marker (``- ``, ``-`` and a tab, or ``-`` at the end) in a line's rest.

    ``is_damaged``'s quick answer for the part of a line after its own tag.
    """
    return "- " not in text and "-\t" not in text and text[-1:] != "-"


def _values(fields: list[tuple[str, list[str], int]]) -> SourceRecord:
    """The record's tag/value pairs, each value's lines joined and its white space squashed."""
    texts = [parts[0] if len(parts) == 1 else " ".join(parts) for _, parts, _ in fields]
    return tuple(zip([tag for tag, _, _ in fields], squashed(texts), strict=True))


def _without_controls(record: RawRecord) -> RawRecord:
    """The record with the control characters removed from its values (see CONTROL_RANGES)."""
    fields = tuple(
        (tag, squash(CONTROLS.sub("", value)) if CONTROLS.search(value) else value)
        for tag, value in record.fields
    )
    return RawRecord(fields, record.line)


_IDENTIFYING_TAGS = frozenset({"TI", "BTI", "VTI", "TT", "PMID", "PMC"})


def _record_problem(record: RawRecord) -> str | None:
    """Why ``record`` cannot be imported, or None."""
    values = map(operator.itemgetter(1), record.fields)
    if any(map(str.__contains__, values, itertools.repeat("\x00"))):  # C loops: every record
        return "this record holds binary data (NUL bytes) and was skipped"
    if not any(tag in _IDENTIFYING_TAGS and value for tag, value in record.fields):
        return "this record has no title and no PubMed ID and was skipped"
    return None


class _Trimmer:
    """Keeps a record in progress within the ``limits`` as it grows: each value within
    ``field_chars``, the record within ``record_fields`` fields and ``record_chars``
    characters, so that memory stays bounded by the limits and a block of text, whatever the
    file. Sizes are counted as ``_values`` makes the values (lines joined, white space squashed),
    so that the outcome does not depend on where the blocks ended.

    The record is the assembler's list of fields (tag, lines, number of the first line). A value
    that is cut keeps its start, and ``long`` counts the characters of the whole value, for the
    problem reported. Once the record is full, the fields after the kept ones are dropped and
    counted; the last of them stays, emptied, as a sink for continuation lines still to come.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
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
            if index == self.limits.record_fields:
                self._drop_from(fields, index)
                return
            parts = fields[index][1]
            self._fit(parts, index)
            if index < complete:
                parts[:] = [join_lines(parts)]
                self._chars += len(parts[0])
                if self._chars > self.limits.record_chars:
                    self._drop_from(fields, index)
                    return
                self._done = index + 1

    def cut_line(self, fields: list[tuple[str, list[str], int]], dropped: int) -> None:
        """The last field's last line was cut (see ``read``): ``dropped`` characters of it
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
        elif (len(parts) > 1 or len(parts[0]) > self.limits.field_chars) and (
            sum(map(len, parts)) + len(parts) - 1 > self.limits.field_chars
        ):
            self._cut(parts, index)

    def _cut(self, parts: list[str], index: int, dropped: int = 0) -> None:
        """Keep at most ``field_chars`` of a value (its ``parts``), and count the whole;
        ``dropped``: characters of its last line that were never read in.

        Once a value has been cut, what comes after its kept start is only counted: the kept
        text never jumps over what was dropped.
        """
        if index in self.long:
            rest = join_lines(parts[1:], whole=not dropped) if len(parts) > 1 else ""
            self.long[index] += (len(rest) + 1 if rest else 0) + dropped
            del parts[1:]
            return
        value = join_lines(parts, whole=not dropped)
        if len(value) > self.limits.field_chars or dropped:
            self.long[index] = len(value) + dropped
            value = value[: self.limits.field_chars]
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

    def finish(
        self,
        fields: list[tuple[str, list[str], int]],
        start: int,
        report: Callable[[int, str], None],
    ) -> SourceRecord:
        """The record's tag/value pairs within the limits; what was cut is reported."""
        if not self.used:  # the usual case: a record that nothing was cut from yet
            values = _values(fields)
            lengths = list(map(len, map(operator.itemgetter(1), values)))
            limits = self.limits
            if (
                len(values) <= limits.record_fields
                and sum(lengths) <= limits.record_chars
                and max(lengths) <= limits.field_chars
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


class Assembler:
    """Builds RawRecords from numbered lines and reports what it has to skip.

    A field is held as its tag, its lines and the number of its first line.
    """

    def __init__(self, report: Callable[[int, str], None], limits: Limits = LIMITS):
        self._report = report
        self._limits = limits
        self._fields: list[tuple[str, list[str], int]] = []
        self._start = 0
        self._has_pmid = False
        self._seen_record = False  # junk before the first record is skipped silently
        self._junk_line: int | None = None
        self._trimmer = _Trimmer(limits)  # keeps the record in progress within the limits
        # Lines the block reader cut (see ``read``), not fed yet: the characters dropped.
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
                self._trimmer.cut_line(self._fields, dropped)
        return self._feed_lines(number, lines[number - first :], records)

    def feed(self, line_no: int, text: str) -> Iterator[RawRecord]:
        if not text.strip():
            yield from self.finish()
            return
        if is_damaged(text):
            yield from self._feed_damaged(line_no, text)
            return
        parsed = parse_tag_line(text)
        if parsed:
            yield from self._add(line_no, *parsed)
        else:
            self._continue(line_no, text)

    @property
    def busy(self) -> bool:
        """True while a record is in progress: the lines up to its end must come here."""
        return bool(self._fields)

    def trim(self) -> None:
        """Cut the record in progress to the limits (see ``_Trimmer``): called after each block
        while a long record is fed a block at a time."""
        self._trimmer.trim(self._fields)

    def finish(self) -> Iterator[RawRecord]:
        """End the record in progress (at a blank line or at the end of the text)."""
        self._end_junk()
        if not self._fields:
            return
        fields = self._trimmer.finish(self._fields, self._start, self._report)
        record = RawRecord(fields, self._start)
        self._fields, self._has_pmid = [], False
        self._trimmer = _Trimmer(self._limits)
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
        markers = field_markers(text)
        marker = next(markers)
        if text[: marker.start()].strip():
            self._continue(line_no, text[: marker.start()])
        for following in itertools.chain(markers, [None]):
            end = following.start() if following else len(text)
            yield from self._add(line_no, marker.group(1), text[marker.end() : end])
            if following is None:
                break
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
