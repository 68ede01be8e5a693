"""RIS writer: the tagged format that Zotero, EndNote and Mendeley import.

Each line is ``TAG  - value`` (two capitals or a capital and a digit, two spaces, a hyphen, a
space); a record opens with ``TY`` and closes with ``ER  - ``, and a blank line separates records.

Choices:

- Lines end with CRLF, as the RIS specification says; Zotero and Mendeley also accept LF, older
  EndNote versions want CRLF. Open the file with ``newline=""`` (as for the csv module) so that
  the platform does not translate the line ends again.
- Editors are ``A2`` (the secondary author: the book's editors for a chapter), as Zotero and
  EndNote write them; ``ED`` is the older tag.
- ``PY`` is the year alone; ``DA`` is ``YYYY/MM/DD/`` with empty parts where the date is not that
  precise and a season after the last slash (``2019/09//Sep-Oct``), written only when the date is
  more precise than the year.
- ``AN`` holds the PMID (EndNote's PubMed filter does the same); ``KW`` is one line per tag.
- ``SN`` is the ISBN for books and chapters, the ISSNs (comma-separated) for the rest.
- A value never spans lines: line breaks inside it (abstract paragraphs) become spaces, because a
  continuation line without a tag is read differently by each program.
- Pages ``937-944`` give ``SP  - 937`` and ``EP  - 944``; anything that is not one range stays
  whole in ``SP`` so that nothing is lost.
- A journal article's ``place`` is not written: MEDLINE fills it with the journal's country.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TextIO

from refman.formats.text import one_line
from refman.model import ARTICLE_JOURNAL, BOOK, CHAPTER, Creator, PartialDate, Reference

_EOL = "\r\n"

# Item type → RIS type. RIS has no preprint type; GEN (generic) is what the others fall back to.
_TYPES = {
    ARTICLE_JOURNAL: "JOUR",
    BOOK: "BOOK",
    CHAPTER: "CHAP",
    "paper-conference": "CONF",
    "report": "RPRT",
    "thesis": "THES",
    "dataset": "DATA",
    "webpage": "ELEC",
    "article": "GEN",
    "document": "GEN",
}

_ISBN_TYPES = frozenset({BOOK, CHAPTER})

_RANGE = re.compile(r"\s*([^\s,;–—-]+)\s*[-‐‑‒–—]+\s*([^\s,;–—-]+)\s*")


def _name(creator: Creator) -> str:
    if literal := one_line(creator.literal):
        return literal
    family, given = one_line(creator.family), one_line(creator.given)
    return f"{family}, {given}" if family and given else family or given


def _page_lines(pages: str) -> list[tuple[str, str]]:
    pages = one_line(pages)
    if match := _RANGE.fullmatch(pages):
        return [("SP", match[1]), ("EP", match[2])]
    return [("SP", pages)]


def _date_lines(date: PartialDate) -> list[tuple[str, str]]:
    if not date.year:
        return []
    lines = [("PY", f"{date.year:04d}")]
    if date.month or date.season:
        month = f"{date.month:02d}" if date.month else ""
        day = f"{date.day:02d}" if date.month and date.day else ""
        lines.append(("DA", f"{date.year:04d}/{month}/{day}/{one_line(date.season)}"))
    return lines


def _serial_number(ref: Reference) -> str:
    if ref.item_type in _ISBN_TYPES and ref.isbn:
        return ref.isbn
    issns = ", ".join(dict.fromkeys(issn.value for issn in ref.issns if issn.value))
    return issns or ref.isbn


def _fields(ref: Reference) -> Iterator[tuple[str, str]]:
    """The (tag, value) pairs of one record, each value on one line (see the module docstring),
    empty values included (the caller drops them)."""
    yield "TY", _TYPES.get(ref.item_type, "GEN")
    yield from (("AU", _name(c)) for c in ref.authors())
    yield from (("A2", _name(c)) for c in ref.editors())
    yield "TI", one_line(ref.title)
    yield "T2", one_line(ref.container_title)
    yield "T3", one_line(ref.collection_title)
    yield "J2", one_line(ref.container_title_short)
    yield from _date_lines(ref.date)
    yield "VL", one_line(ref.volume)
    yield "IS", one_line(ref.issue)
    yield from _page_lines(ref.pages)
    yield "PB", one_line(ref.publisher)
    if ref.item_type != ARTICLE_JOURNAL:  # MEDLINE's place of a journal is its country
        yield "CY", one_line(ref.place)
    yield "SN", one_line(_serial_number(ref))
    yield "DO", one_line(ref.doi)
    yield "AN", one_line(ref.pmid)
    yield "LA", one_line(ref.language)
    yield "UR", one_line(ref.url)
    yield from (("KW", one_line(name)) for name in dict.fromkeys([tag.name for tag in ref.tags]))
    yield "AB", one_line(ref.abstract)


def _record(ref: Reference) -> str:
    lines = [f"{tag}  - {value}" for tag, value in _fields(ref) if value]
    lines.append("ER  - ")
    return _EOL.join(lines) + _EOL


def write(refs: Sequence[Reference], out: TextIO) -> None:
    """Write ``refs`` as RIS records with CRLF line ends (open ``out`` with ``newline=""``)."""
    for index, ref in enumerate(refs):
        if index:
            out.write(_EOL)
        out.write(_record(ref))
