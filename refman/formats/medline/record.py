"""A MEDLINE record as a file holds it, and the rules for its lines and values.

A record is a run of ``TAG - value`` lines; continuation lines start with white space and a
blank line ends the record. Everything here is shared by the reader (assemble, read), the
sniffer and the writer: the known tags, the tag-line rule, the white-space rule for values, and
the limits on what a record keeps.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from refman.formats.text import CONTROL_RANGES
from refman.model import SourceRecord

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


# Text without a blank line beyond this many characters is read line by line (by the
# assembler) instead of being held until a blank line comes: memory stays bounded by the
# longest line, as it was before records were read whole.
LONGEST_PIECE = 1 << 22


@dataclass(frozen=True)
class Limits:
    """How much of a record the reader keeps (each value, the fields and characters of a
    record), and how much text without a blank line it holds before it reads line by line.

    The defaults are the limits every import uses; smaller ones let a test reach, with small
    examples, the paths that only huge files reach.
    """

    field_chars: int = MAX_FIELD_CHARS
    record_fields: int = MAX_RECORD_FIELDS
    record_chars: int = MAX_RECORD_CHARS
    piece_chars: int = LONGEST_PIECE


LIMITS = Limits()


@dataclass(frozen=True)
class RawRecord:
    """One record as the file holds it: tag/value pairs in file order, and its first line.

    Continuation lines are joined to their value with one space and runs of white space are
    collapsed, so a value does not depend on where PubMed wrapped it.
    """

    fields: SourceRecord
    line: int


_TAG_LINE = re.compile(r"([A-Z][A-Z0-9]{0,3})([ \t]*)-( ?)(.*)", re.S)


# A known tag whose line break was lost: after white space (or at the start), then "-" and a
# space.
_MARKER = re.compile(r"(?<![^ \t])(" + "|".join(sorted(KNOWN_TAGS)) + r")[ \t]*-(?=[ \t]|$)")


# Runs of ASCII white space other than a single space (a thin or no-break space is content).
# Leaving single spaces alone lets re.sub return a clean value without copying it in pieces.
_SPACES = re.compile(r"[\t\n\r\f\v][ \t\n\r\f\v]*| [ \t\n\r\f\v]+")
_SEPARATOR = "\x1f"  # between values squashed together (unit separator: not white space)
_SQUASHED = ("  ", "\t", "\n", "\r", "\f", "\v")  # what _SPACES finds, if anything
CONTROLS = re.compile(f"[{CONTROL_RANGES}]")  # removed from values (NUL is reported instead)


def squash(text: str) -> str:
    """``text`` with each run of white space (but a single space) as one space, none at either
    end: a value as the reader keeps it, whatever the layout it was written in."""
    return _SPACES.sub(" ", text).strip(" ")


def join_lines(parts: list[str], whole: bool = True) -> str:
    """A value's lines joined as the assembler joins them, squashed; when they are not the whole
    value (its end was dropped), a space at their end is kept: it is not the value's end."""
    text = _SPACES.sub(" ", parts[0] if len(parts) == 1 else " ".join(parts))
    return text.strip(" ") if whole else text.lstrip(" ")


def squashed(texts: Sequence[str]) -> list[str]:
    """Each text with its white space squashed (see ``squash``).

    All are squashed at once, joined by a separator they do not hold: a few calls a record
    instead of a few a field. PubMed's own line wrap (a space perhaps, a line break and six
    spaces) is replaced as plain text first, which is several times faster than the regex, so
    that the regex only runs over the rare record that has other runs of white space.
    """
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:
        return [squash(text) for text in texts]
    if "\n" in joined:
        joined = joined.replace(" \n      ", " ").replace("\n      ", " ")
    if any(space in joined for space in _SQUASHED):
        joined = _SPACES.sub(" ", joined)
    if " " + _SEPARATOR in joined or _SEPARATOR + " " in joined:
        joined = joined.replace(" " + _SEPARATOR, _SEPARATOR).replace(_SEPARATOR + " ", _SEPARATOR)
    return joined.strip(" ").split(_SEPARATOR)


def parse_tag_line(line: str) -> tuple[str, str] | None:
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


def is_damaged(line: str) -> bool:
    """True when a line holds several fields: a record whose line breaks were lost."""
    if line.count("- ") + line.count("-\t") + line.endswith("-") < 2:
        return False  # the quick answer for almost every line
    tags = [found.group(1) for found in itertools.islice(field_markers(line), 3)]
    return len(tags) == 3 or (len(tags) == 2 and "PMID" in tags)


def field_markers(line: str, start: int = 0) -> Iterator[re.Match[str]]:
    """The known tags in ``line`` that are followed by ``-`` and white space (each match's
    group 1 is the tag): where a line whose breaks were lost holds its fields."""
    return _MARKER.finditer(line, start)
