"""The file formats refman reads and writes: one typed entry each, and how to find one.

An entry (``Format``) names a format (its key on the command line, a name for menus, its file
extensions) and holds plain callables for what refman can do with it:

- ``reader``: a binary stream in, (line, Reference) pairs out, each problem met to a callback
  (see ``Reader``); with it a ``sniffer`` that says from a file's first bytes whether the reader
  would read it. A new import format is one more entry here.
- ``writer``: references out to a text stream (see ``Writer``); or ``styled_writer`` for the
  bibliographies, which take a CSL style as well (see ``StyledWriter``).

and the flags the exporters need (what a writer reads of the references, how its output
escapes control characters). The citation engine is not imported with this module: the
bibliographies' writers import it when first called (refman.formats.bibliography).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO, Protocol, TextIO

from refman.formats import bibtex, csl_json, endnote_xml, medline, pubmed_xml, ris, unreadable
from refman.formats.bibliography import bibliography_writer
from refman.formats.bibtex.mapping import SOURCE_FORMATS
from refman.model import ParseError, Problem, Reference, RefmanError

SNIFF_BYTES = 4096  # the first bytes of a file that ``sniff`` looks at, and every sniffer


class Reader(Protocol):
    """A format's reader: the references in ``stream``, each with the line it starts on.

    A part that cannot be read goes to ``on_problem`` (as a Problem naming ``name`` and the
    line) and the reading goes on; a stream that is not in the format at all, or that cannot be
    read, raises ParseError on the first ``next()``.
    """

    def __call__(
        self, stream: BinaryIO, /, *, name: str, on_problem: Callable[[Problem], None]
    ) -> Iterator[tuple[int, Reference]]: ...


Writer = Callable[[Sequence[Reference], TextIO], None]  # refs written to the stream
StyledWriter = Callable[[Sequence[Reference], TextIO, str | None], None]  # and a CSL style
Sniffer = Callable[[bytes], bool]  # a file's first SNIFF_BYTES: would the reader read it?


BIBTEX_SOURCES = frozenset(SOURCE_FORMATS)  # what a BibTeX or BibLaTeX export gives back


@dataclass(frozen=True)
class Format:
    """A file format: its key, a name for menus, its extensions (the first is the one written)
    and what refman can do with it (see the module docstring)."""

    key: str
    name: str
    extensions: tuple[str, ...]
    sniffer: Sniffer | None = None
    reader: Reader | None = None
    writer: Writer | None = None
    styled_writer: StyledWriter | None = None
    needs_source_record: bool = False  # True when the writer uses the imported record
    # The source formats whose records the writer reads, when not every one: a BibTeX export
    # gives back only a .bib entry's record, and need not unpack the others (issue 18).
    source_records_of: frozenset[str] | None = None
    # False when the writer reads nothing of a tag but its name (no kind, MeSH star, qualifier)
    needs_tag_details: bool = True
    # Control characters as the writer escapes them (JSON's \u001b, RTF's \u155?), if it does:
    # refman.formats.export looks for them in what it wrote.
    escaped_controls: re.Pattern[str] | None = None

    @property
    def source_records(self) -> bool | frozenset[str]:
        """What an export reads of the stored source records (store.items.load): none, every
        one, or those of the items imported from these source formats."""
        if not self.needs_source_record:
            return False
        return self.source_records_of if self.source_records_of is not None else True

    def __post_init__(self) -> None:
        if (self.reader is None) != (self.sniffer is None):
            raise ValueError(f"{self.key}: a reader goes with a sniffer")
        if self.writer is not None and self.styled_writer is not None:
            raise ValueError(f"{self.key}: a writer or a styled writer, not both")

    @property
    def extension(self) -> str:
        """The extension of the files this format writes."""
        return self.extensions[0]

    @property
    def styled(self) -> bool:
        """True when the output is a formatted bibliography in a CSL style."""
        return self.styled_writer is not None

    @property
    def can_read(self) -> bool:
        return self.reader is not None

    @property
    def can_write(self) -> bool:
        return self.writer is not None or self.styled_writer is not None


# JSON writes C0 controls as \u001b, \b or \f (C1 and DEL raw); RTF writes C1 as \u128? to
# \u159? (C0 and DEL raw). A false alarm (a title holding a backslash and a "b") only costs
# writing twice.
_JSON_CONTROLS = re.compile(r"\\(?:u00[01]|[bf])")
_RTF_CONTROLS = re.compile(r"\\u1(?:2[89]|[3-5][0-9])\?")

FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format(
            "text",
            "Bibliography (plain text)",
            (".txt",),
            styled_writer=bibliography_writer("text"),
        ),
        Format(
            "html", "Bibliography (HTML)", (".html",), styled_writer=bibliography_writer("html")
        ),
        Format(
            "rtf",
            "Bibliography (RTF)",
            (".rtf",),
            styled_writer=bibliography_writer("rtf"),
            escaped_controls=_RTF_CONTROLS,
        ),
        Format(
            "bibtex",
            "BibTeX",
            (".bib",),
            sniffer=bibtex.sniff,
            reader=bibtex.read_numbered,
            writer=bibtex.write_bibtex,
            needs_source_record=True,
            source_records_of=BIBTEX_SOURCES,
            needs_tag_details=False,
        ),
        Format(
            "biblatex",
            "BibLaTeX",
            (".bib",),
            writer=bibtex.write_biblatex,
            needs_source_record=True,
            source_records_of=BIBTEX_SOURCES,
            needs_tag_details=False,
        ),
        Format(
            "ris",
            "RIS",
            (".ris",),
            sniffer=ris.sniff,
            reader=ris.read_numbered,
            writer=ris.write,
            needs_source_record=True,
            needs_tag_details=False,
        ),
        Format(
            "csl-json",
            "CSL-JSON",
            (".json",),
            sniffer=csl_json.sniff,
            reader=csl_json.read_numbered,
            writer=csl_json.write,
            needs_source_record=True,
            escaped_controls=_JSON_CONTROLS,
        ),
        Format(
            "medline",
            "MEDLINE / PubMed",
            (".nbib", ".txt", ".medline"),
            sniffer=medline.sniff,
            reader=medline.read_numbered,
            writer=pubmed_xml.medline_writer(medline.write),
            needs_source_record=True,
        ),
        Format(
            "pubmed-xml",
            "PubMed XML",
            (".xml",),
            sniffer=pubmed_xml.sniff,
            reader=pubmed_xml.read_numbered,
        ),
        Format(
            "endnote-xml",
            "EndNote XML",
            (".xml",),
            sniffer=endnote_xml.sniff,
            reader=endnote_xml.read_numbered,
        ),
    )
}
EXPORT_FORMATS: dict[str, Format] = {key: f for key, f in FORMATS.items() if f.can_write}
READ_FORMATS: dict[str, Format] = {key: f for key, f in FORMATS.items() if f.can_read}


def readable_formats() -> str:
    """The formats refman reads, named for a message: "MEDLINE / PubMed, BibTeX, ... and X"."""
    # MEDLINE first: the format refman is made for.
    names = sorted((f.name for f in READ_FORMATS.values()), key=lambda n: not n.startswith("MED"))
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]


def _refuse(
    stream: BinaryIO, /, *, name: str, on_problem: Callable[[Problem], None]
) -> Iterator[tuple[int, Reference]]:
    """UNREADABLE's reader: ParseError on the first next(), saying what the file looks like."""
    looks = unreadable.what_it_looks_like(stream.read(SNIFF_BYTES))
    raise ParseError(
        name, None, f"refman cannot read it: {looks}. It reads {readable_formats()} files."
    )
    yield  # a generator, so that the reading raises on the first next() as any reader's does


# The format of a file that no reader recognises: its reader says so, in plain words. Not in
# FORMATS: nothing is ever read or written in it.
UNREADABLE = Format(
    "unreadable", "a format refman does not read", (), sniffer=lambda head: False, reader=_refuse
)


def find_export_format(key: str) -> Format:
    """The format called ``key`` that refman writes, or a RefmanError that lists the close
    matches."""
    return _find(key, EXPORT_FORMATS, "export format")


def find_reader(key: str) -> Format:
    """The format called ``key`` that refman reads, or a RefmanError that lists the close
    matches."""
    return _find(key, READ_FORMATS, "import format")


def _find(key: str, table: dict[str, Format], what: str) -> Format:
    try:
        return table[key.lower()]
    except KeyError:
        close = difflib.get_close_matches(key.lower(), table, n=3, cutoff=0.4)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        known = ", ".join(table)
        raise RefmanError(f"Unknown {what} '{key}'.{hint} Known formats: {known}.") from None


def sniff(head: bytes, name: str = "") -> Format | None:
    """The format whose reader reads a file that starts with ``head`` (its first SNIFF_BYTES)
    and is called ``name``, or None when no reader would.

    The content decides; when several readers would read it, the one whose extensions hold the
    name's comes first, else the first in the registry.
    """
    found = [f for f in READ_FORMATS.values() if f.sniffer is not None and f.sniffer(head)]
    suffix = PurePath(name).suffix.lower()
    named = [f for f in found if suffix in f.extensions]
    return next(iter(named or found), None)
