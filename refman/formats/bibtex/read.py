"""Reading .bib files: blocks (split) to entries (bibtexparser) to references (mapping).

Each block the splitter cuts is read by bibtexparser's splitter alone, so that a 100 MB file
is never held whole. ``@string`` definitions are kept as they come (a later one wins, names
ignore case) and put into the values of the entries after them; ``#`` joins pieces of a value.
``@comment``, ``@preamble``, BibLaTeX's ``@xdata`` and ``@set`` (no items of their own) and
text between entries are skipped.

``crossref``: an entry names its parent, whose fields it lacks it takes (the parent's title as
its ``booktitle``), as BibTeX and biber do. The parent usually comes after its children
(BibTeX wants it so), so a child waits for it; entries that may be parents are remembered.
Both are bounded (``MAX_WAITING``, ``MAX_REMEMBERED``, ``MAX_HELD_CHARS`` with the
``@string``s): beyond that, or when the parent never
comes, the child is read without it and a problem says so. The source record of a child holds
the fields it took, and no ``crossref`` (its parent may not be exported with it).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import BinaryIO

from bibtexparser.library import Library
from bibtexparser.model import DuplicateFieldKeyBlock, ParsingFailedBlock
from bibtexparser.model import Entry as BibEntry
from bibtexparser.splitter import Splitter

from refman.formats.bibtex.mapping import Entry, to_reference
from refman.formats.bibtex.sniff import HEAD_BYTES, not_bibtex_reason
from refman.formats.bibtex.split import Cut, cut_blocks, text_blocks
from refman.formats.bibtex.values import evaluate
from refman.formats.text import one_line, without_controls
from refman.model import ParseError, Problem, Reference

MAX_WAITING = 10_000  # children waiting for their crossref parent
# Characters held for later entries: the children waiting, and the @string definitions.
MAX_HELD_CHARS = 16_000_000
MAX_REMEMBERED = 2_000  # entries remembered as possible crossref parents
# The entry types a crossref names (the whole that a part is in).
_PARENT_TYPES = frozenset(
    [
        "book",
        "mvbook",
        "collection",
        "mvcollection",
        "proceedings",
        "mvproceedings",
        "reference",
        "mvreference",
        "periodical",
        "booklet",
        "manual",
    ]
)
_SKIPPED = frozenset({"comment", "preamble", "xdata", "set"})  # no items of their own
# Fields a child does not take from its parent (biber's rule, less its obscure ones).
_NOT_INHERITED = frozenset(
    {"title", "subtitle", "shorttitle", "titleaddon", "crossref", "xref", "ids", "key", "label"}
)
_PARENT_TITLE_AS = "booktitle"

ProblemReport = Callable[[Problem], None]

# bibtexparser logs each block it cannot read; the reader says so as a problem instead (with
# the file's line), and nothing of the library's own may reach the user's terminal.
_PARSER_LOG = logging.getLogger("bibtexparser")
_PARSER_LOG.addHandler(logging.NullHandler())
_PARSER_LOG.propagate = False


def _split(text: str) -> Library | None:
    """bibtexparser's reading of one block; None if it fails on it (a state it calls a bug)."""
    try:
        return Splitter(text).split()
    except Exception:  # noqa: BLE001 - one block the parser cannot take is a problem, not a crash
        return None


class _Reader:
    def __init__(self, name: str, on_problem: ProblemReport):
        self.name = name
        self.on_problem = on_problem
        self.strings: dict[str, str] = {}
        self.remembered: OrderedDict[str, Entry] = OrderedDict()
        self.waiting: list[tuple[int, Entry, str]] = []  # line, child, parent key
        self.held = 0  # characters of the waiting children and the strings

    def problem(self, line: int, message: str) -> None:
        self.on_problem(Problem(self.name, line, message))

    def read(self, cuts: Iterator[Cut]) -> Iterator[tuple[int, Reference]]:
        for cut in cuts:
            if cut.problem:
                what = f"@{cut.kind}{{{cut.key}" if cut.key else f"@{cut.kind}"
                self.problem(cut.line, f"the entry {what} cannot be read: {cut.problem}")
            elif cut.kind == "string":
                self._string(cut)
            elif cut.kind not in _SKIPPED:
                entry = self._entry(cut)
                if entry is not None:
                    yield from self._resolved(cut.line, entry)
        for line, child, parent in self.waiting:
            self.problem(line, f"the entry {child.key}: its crossref '{parent}' is not in the file")
            yield line, to_reference(child)

    def _string(self, cut: Cut) -> None:
        library = _split(cut.text)
        if library is None or library.failed_blocks or not library.strings:
            self._failed(cut, library.failed_blocks if library else [])
            return
        for string in library.strings:
            value, _ = evaluate(string.value, self.strings)
            if self.held + len(value) > MAX_HELD_CHARS:
                self.problem(cut.line, f"@string {string.key} is left out: too many strings")
                continue
            self.held += len(value)
            self.strings[string.key.strip().lower()] = without_controls(value)

    def _failed(self, cut: Cut, failed: list[ParsingFailedBlock]) -> None:
        error = getattr(failed[0], "error", None) if failed else None
        reason = str(getattr(error, "abort_reason", "") or error or "")
        detail = f": {reason.strip().rstrip('.')}" if reason else ""
        self.problem(cut.line, f"the entry @{cut.kind}{{{cut.key} cannot be read{detail}")

    def _entry(self, cut: Cut) -> Entry | None:
        library = _split(cut.text)
        if library is None:
            self._failed(cut, [])
            return None
        entries = list(library.entries)
        for block in library.failed_blocks:
            if isinstance(block, DuplicateFieldKeyBlock) and isinstance(
                block.ignore_error_block, BibEntry
            ):
                # BibTeX's rule: the first of a repeated field counts.
                entries.append(block.ignore_error_block)
        if not entries:
            self._failed(cut, library.failed_blocks)
            return None
        found = entries[0]
        fields = []
        for field in found.fields:
            name = field.key.strip().lower()
            value, bare = evaluate(str(field.value), self.strings)
            if name == "month" and bare:
                value = str(field.value).strip().lower()  # the macro, as BibTeX writes it
            # White space runs are one space to BibTeX: a value is kept on one line.
            fields.append((name, one_line(without_controls(value))))
        return Entry(found.entry_type.strip().lower(), found.key.strip(), tuple(fields))

    def _resolved(self, line: int, entry: Entry) -> Iterator[tuple[int, Reference]]:
        """The entry's reference, once its crossref parent (if any) is known; and the children
        that waited for this entry."""
        parent_key = next((v.strip() for n, v in entry.fields if n == "crossref"), "")
        parent = self.remembered.get(parent_key.lower()) if parent_key else None
        if parent_key and parent is None:
            size = sum(len(value) for _, value in entry.fields)
            if len(self.waiting) < MAX_WAITING and self.held + size <= MAX_HELD_CHARS:
                self.waiting.append((line, entry, parent_key))
                self.held += size
            else:
                self.problem(
                    line,
                    f"the entry {entry.key} is read without its crossref '{parent_key}', "
                    "which is not before it (too many entries wait for theirs)",
                )
                yield line, to_reference(entry)
        else:
            yield line, to_reference(inherit(entry, parent) if parent else entry)
        self._remember(entry)
        if self.waiting and entry.key:
            yield from self._children_of(entry)

    def _remember(self, entry: Entry) -> None:
        if not entry.key or entry.kind not in _PARENT_TYPES:
            return
        self.remembered[entry.key.lower()] = entry
        self.remembered.move_to_end(entry.key.lower())
        while len(self.remembered) > MAX_REMEMBERED:
            self.remembered.popitem(last=False)

    def _children_of(self, parent: Entry) -> Iterator[tuple[int, Reference]]:
        key = parent.key.lower()
        still = []
        for line, child, parent_key in self.waiting:
            if parent_key.lower() == key:
                self.held -= sum(len(value) for _, value in child.fields)
                yield line, to_reference(inherit(child, parent))
            else:
                still.append((line, child, parent_key))
        self.waiting = still


def inherit(child: Entry, parent: Entry) -> Entry:
    """The child with the fields of its parent that it lacks, its crossref field dropped."""
    own = [(n, v) for n, v in child.fields if n != "crossref"]
    names = {n for n, _ in own}
    taken = []
    parent_fields = dict(reversed(parent.fields))  # the first of a repeated field
    if _PARENT_TITLE_AS not in names and parent_fields.get("title"):
        taken.append((_PARENT_TITLE_AS, parent_fields["title"]))
        names.add(_PARENT_TITLE_AS)
    for name, value in parent.fields:
        if name not in names and name not in _NOT_INHERITED:
            taken.append((name, value))
            names.add(name)
    return Entry(child.kind, child.key, tuple(own + taken))


def read_numbered(
    stream: BinaryIO, /, *, name: str, on_problem: ProblemReport
) -> Iterator[tuple[int, Reference]]:
    """The references in a .bib file, each with the line its entry starts on.

    Raises ParseError on the first ``next()`` when the file is not BibTeX or cannot be read;
    an entry that cannot be read goes to ``on_problem`` and the reading goes on.
    """
    try:
        head = stream.read(HEAD_BYTES)
        reason = not_bibtex_reason(head)
        if reason:
            raise ParseError(name, None, f"this is not a BibTeX file ({reason})")
        yield from _Reader(name, on_problem).read(cut_blocks(text_blocks(stream, head)))
    except OSError as exc:
        raise ParseError(name, None, f"the file cannot be read ({exc})") from None
