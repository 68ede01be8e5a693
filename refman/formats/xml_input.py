"""Reading XML reference files safely, in bounded memory, whatever their encoding: what the
PubMed XML and EndNote XML readers share.

**Safety.** libxml2 (through lxml) is set so that nothing outside the file is ever read and
nothing expands: entities are not resolved, no DTD is loaded, the network is off, libxml2's own
limits hold (``huge_tree`` off: a text node of at most 10 MB, nesting of at most 256), and a
resolver refuses every load that would be tried all the same. A file that declares entities
(``<!ENTITY ...>``: the "billion laughs" bomb, or an external entity that would read another
file) is refused whole, before any record is read: PubMed and EndNote never write them.

**Memory.** Records are read one at a time (``iterparse`` on the record elements) and each is
dropped, with everything before it, once the reader has mapped it; no record may span more than
``MAX_RECORD_BYTES`` of the file (PubMed's largest, consortium papers with 15,000
investigators, take some 10 MB), so a file of any size is read in a few MB plus one record.

**Encodings.** The bytes are decoded here and handed to libxml2 as UTF-8: a byte order mark or
the XML declaration says the encoding (UTF-8 when neither does). A file that says UTF-8 but
holds bytes that are not (old EndNote files: Windows-1252 on Windows, Mac Roman on a Mac) has
those bytes read in whichever of the two its text makes likelier, and one problem says so.
Control characters, raw or as character references, which XML forbids and libxml2 stops at,
are dropped (refman keeps them out of every value anyway).

**Damage.** A file that is not XML, or not the format (its root element says), raises
ParseError before the first record. XML that breaks off or breaks down part-way (a cut file, a
tag left open) ends the reading with one problem naming the line: the records before it are
read, the rest of the file cannot be.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from lxml import etree

from refman.formats.text import CONTROLS
from refman.model import ParseError, Problem

# How much of the file is decoded and handed on at a time.
CHUNK_BYTES = 1 << 16
# The first bytes, in which the root element must start (PubMed's and EndNote's prologs take
# a few hundred bytes).
HEAD_BYTES = 1 << 16
# The most of the file one record (and whatever comes between two records) may span.
MAX_RECORD_BYTES = 32 << 20

ENTITIES_REFUSED = (
    "it declares XML entities (<!ENTITY ...>), which refman refuses: entities can make a small "
    "file expand to gigabytes or read other files on this computer, and neither PubMed nor "
    "EndNote writes them"
)
NOT_XML = "it is not XML: it does not start with an XML element"


@dataclass(frozen=True)
class XmlFormat:
    """What the shared reading needs to know of a format: its name for messages, the root
    elements its files have, and the elements that each hold one record."""

    name: str
    roots: tuple[str, ...]
    records: tuple[str, ...]


class RecordTooLong(Exception):
    """Raised from inside the parser's reading when one record spans too much of the file."""


# --- decoding --------------------------------------------------------------------------------

_LEGACY = ("cp1252", "mac_roman")  # the guesses for bytes that are not UTF-8, likelier first
_LEGACY_NAMES = {"cp1252": "Windows-1252", "mac_roman": "Mac Roman"}


def _legacy_handler(codec: str) -> Callable[[UnicodeError], tuple[str, int]]:
    def handle(error: UnicodeError) -> tuple[str, int]:
        assert isinstance(error, UnicodeDecodeError)
        bad = error.object[error.start : error.end]
        return bytes(bad).decode(codec, errors="replace"), error.end

    return handle


for _codec in _LEGACY:  # valid UTF-8 stays UTF-8; each byte that is not is read in the codec
    codecs.register_error(f"refman-{_codec}", _legacy_handler(_codec))


def guess_legacy(data: bytes) -> str:
    """The codec, Windows-1252 or Mac Roman, that reads the high bytes of ``data`` more
    plausibly: a byte beside a lowercase letter should be a lowercase letter (``caf\\xe9``),
    a byte between spaces a mark (`` \\xd1 ``, an em dash in Mac Roman). Ties go to
    Windows-1252, by far the commoner."""
    scores = dict.fromkeys(_LEGACY, 0)
    for match in re.finditer(rb"(?<=(.))?[\x80-\xff](?=(.))?", data, re.S):
        before, after = match[1] or b" ", match[2] or b" "
        in_word = before.islower() or after.islower()
        between_marks = not before.isalnum() and not after.isalnum()
        if not (in_word or between_marks):
            continue
        for codec in _LEGACY:
            char = match[0].decode(codec, errors="replace")
            scores[codec] += char.islower() if in_word else not char.isalnum()
    return max(_LEGACY, key=lambda codec: scores[codec])  # max keeps the first of a tie


_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
# A character reference to a control character that XML forbids (&#27; &#x1B;): dropped.
_CONTROL_REFS = re.compile(
    r"&#(?:x0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF]|[89][0-9a-fA-F])|"
    r"0*(?:[0-8]|1[1-2]|1[4-9]|2[0-9]|3[01]|12[7-9]|1[3-5][0-9]));"
)
_UNFINISHED_REF = re.compile(rb"&#?[0-9A-Za-z]{0,10}$")


def _first_codec(head: bytes) -> tuple[str, int]:
    """(codec, bytes of byte order mark) for a file that starts with ``head``."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return codec, len(bom) if codec == "utf-8" else 0
    if head.startswith(b"<\x00?\x00"):
        return "utf-16-le", 0
    if head.startswith(b"\x00<\x00?"):
        return "utf-16-be", 0
    declared = _DECLARED.match(head)
    name = declared[1].decode("ascii").lower() if declared else "utf-8"
    if name in _UTF8_NAMES or name.startswith(("utf-16", "utf-32", "ucs")):
        return "utf-8", 0  # a wide encoding without its byte order mark is not one
    try:
        return codecs.lookup(name).name, 0
    except LookupError:
        raise _ParseFailure(
            f"it says it is in the encoding '{name}', which refman does not know"
        ) from None


class _ParseFailure(Exception):
    """Why a file cannot be read at all: a ParseError once the file's name is at hand."""


class Utf8Input:
    """A binary stream read in chunks and handed on as UTF-8 without control characters (see
    the module docstring), for libxml2. ``mark()`` starts a new record: more than
    ``limit`` bytes before the next mark raise RecordTooLong."""

    def __init__(
        self,
        raw: BinaryIO,
        name: str,
        on_problem: Callable[[Problem], None],
        limit: int = MAX_RECORD_BYTES,
    ):
        self._raw = raw
        self._name = name
        self._on_problem = on_problem
        self._limit = limit
        self._since_mark = 0
        self._out = b""  # decoded bytes not yet handed on
        self._at = 0  # how much of them was
        self._carry = b""  # read bytes not decoded yet (a character or reference cut off)
        self._lines = 0  # line breaks handed on, for the line of a problem
        self._eof = self._flushed = False
        first = raw.read(CHUNK_BYTES)
        codec, bom = _first_codec(first)
        self._codec = codec
        self._legacy: str | None = None  # set once bytes that are not UTF-8 are met
        self._decoder = None if codec == "utf-8" else codecs.getincrementaldecoder(codec)("replace")
        self._carry = first[bom:]
        self._eof = not first

    def mark(self) -> None:
        self._since_mark = 0

    def read(self, size: int = -1) -> bytes:
        while self._at >= len(self._out) and not self._eof:
            self._fill()
        if self._at >= len(self._out) and not self._flushed:
            self._flushed = True  # the end: what the decoding still holds
            self._out, self._at = self._decoded(self._carry, final=True), 0
            self._carry = b""
        size = len(self._out) - self._at if size < 0 else size
        piece = self._out[self._at : self._at + size]
        self._at += len(piece)
        self._since_mark += len(piece)
        if self._since_mark > self._limit:
            raise RecordTooLong()
        return piece

    def _fill(self) -> None:
        chunk = self._raw.read(CHUNK_BYTES)
        if not chunk:
            self._eof = True
            return
        self._lines += self._out.count(b"\n")  # all handed on: _fill runs only then
        data = self._carry + chunk
        # A wide encoding's decoder keeps a character cut off itself.
        cut = _safe_end(data) if self._decoder is None else len(data)
        self._carry = data[cut:]
        self._out, self._at = self._decoded(data[:cut], final=False), 0

    def _decoded(self, data: bytes, final: bool) -> bytes:
        if self._decoder is not None:
            return _cleaned(self._decoder.decode(data, final))
        if self._legacy is None:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as error:
                self._start_legacy(data, error.start)
            else:
                return _cleaned_utf8(data)
        return _cleaned(data.decode("utf-8", errors=f"refman-{self._legacy}"))

    def _start_legacy(self, data: bytes, at: int) -> None:
        self._legacy = guess_legacy(data)
        line = self._lines + data[:at].count(b"\n") + 1
        self._on_problem(
            Problem(
                self._name,
                line,
                "the file holds bytes that are not UTF-8, as it says it is: they were read as "
                f"{_LEGACY_NAMES[self._legacy]} (as old EndNote files are written); check the "
                "accented letters of what it imports",
            )
        )


def _safe_end(data: bytes) -> int:
    """Where ``data`` can be cut without splitting a UTF-8 character or a character
    reference: the rest waits for the next chunk."""
    cut = len(data)
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            break
        if byte >= 0xC0:  # a lead byte: is its character complete?
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            if back < need:
                cut = len(data) - back
            break
    unfinished = _UNFINISHED_REF.search(data, max(0, cut - 12), cut)
    return unfinished.start() if unfinished else cut


def _cleaned_utf8(data: bytes) -> bytes:
    """UTF-8 ``data`` without control characters (raw or referred to): most often itself."""
    text_needed = b"&#" in data or CONTROLS.search(data.decode("utf-8")) is not None
    return _cleaned(data.decode("utf-8")) if text_needed else data


def _cleaned(text: str) -> bytes:
    if "&#" in text:
        text = _CONTROL_REFS.sub("", text)
    return CONTROLS.sub("", text).encode("utf-8")


# --- parsing ---------------------------------------------------------------------------------


class _RefuseLoads(etree.Resolver):  # type: ignore[misc]  # lxml ships no types
    """Refuses every outside document libxml2 would load (a DTD, an entity): nothing beyond
    the file itself is ever read, whatever the file asks for."""

    def resolve(self, system_url: str | None, public_id: str | None, context: object) -> None:
        raise _ParseFailure(f"it asks for another document ({system_url}); refman reads none")


def _parser_options() -> dict[str, object]:
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "huge_tree": False,
        "remove_comments": True,
        "remove_pis": True,
        "encoding": "utf-8",
    }


def _is_entity_error(message: str) -> bool:
    return "entit" in message.lower()


def _root(head: bytes, at_end: bool) -> etree._Element:
    """The root element that ``head`` (the file's first decoded bytes) starts; _ParseFailure
    when there is none or when the file declares entities."""
    parser = etree.XMLPullParser(events=("start",), **_parser_options())
    parser.resolvers.add(_RefuseLoads())
    root = None
    try:
        parser.feed(head)
        for _, element in parser.read_events():
            root = element
            break
    except etree.XMLSyntaxError as error:
        if _is_entity_error(str(error)):
            raise _ParseFailure(ENTITIES_REFUSED) from None
        if root is None:
            root = next((element for _, element in parser.read_events()), None)
        if root is None:
            raise _ParseFailure(_not_xml(head, error)) from None
    if root is None:
        if not head.strip():
            raise _ParseFailure("it is empty")
        raise _ParseFailure(NOT_XML if at_end else "no XML element starts in its first 64 KB")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise _ParseFailure(ENTITIES_REFUSED)
    return root


def _not_xml(head: bytes, error: etree.XMLSyntaxError) -> str:
    if not head.strip():
        return "it is empty"
    if head.lstrip()[:1] != b"<":
        return NOT_XML
    return f"it is not well-formed XML ({_plain(error)}, line {error.lineno})"


def _plain(error: etree.XMLSyntaxError) -> str:
    """libxml2's message without the position it repeats: "Opening and ending tag mismatch"."""
    message = str(error.msg or error)
    return re.sub(r",? line \d+,? column \d+.*$", "", message).strip() or "broken XML"


def records(
    stream: BinaryIO, fmt: XmlFormat, name: str, on_problem: Callable[[Problem], None]
) -> Iterator[tuple[int, etree._Element]]:
    """The record elements of ``fmt`` in ``stream``, each with the line it starts on; each is
    dropped when the next is asked for. ParseError on the first ``next()`` for a file that is
    not XML, not ``fmt`` or that declares entities; a break in the XML part-way is a problem
    that ends the reading (see the module docstring)."""
    try:
        source = Utf8Input(stream, name, on_problem)
        head = source.read(HEAD_BYTES)
        root = _root(head, len(head) < HEAD_BYTES)
    except _ParseFailure as failure:
        raise ParseError(name, None, str(failure)) from None
    if root.tag not in fmt.roots:
        raise ParseError(name, None, _not_the_format(root, fmt))
    yield from _parsed(_Replay(head, source), source, fmt, name, on_problem)


def _not_the_format(root: etree._Element, fmt: XmlFormat) -> str:
    tag = root.tag if isinstance(root.tag, str) else "?"
    roots = " or ".join(f"<{r}>" for r in fmt.roots)
    return f"it is XML, but not {fmt.name}: its root element is <{tag}>, not {roots}"


class _Replay:
    """The head already read, then the rest of the stream."""

    def __init__(self, head: bytes, rest: Utf8Input):
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            piece, self._head = (
                (self._head, b"") if size < 0 else (self._head[:size], self._head[size:])
            )
            return piece
        return self._rest.read(size)


def _parsed(
    stream: _Replay,
    source: Utf8Input,
    fmt: XmlFormat,
    name: str,
    on_problem: Callable[[Problem], None],
) -> Iterator[tuple[int, etree._Element]]:
    line = 1
    try:
        for _, element in _record_events(stream, fmt):
            line = element.sourceline or line
            yield line, element
            source.mark()
            _drop(element)
    except etree.XMLSyntaxError as error:
        on_problem(Problem(name, error.lineno or None, _broken(error, fmt)))
    except RecordTooLong:
        on_problem(
            Problem(
                name,
                line,
                f"the record after this line runs past {MAX_RECORD_BYTES >> 20} MB of the file, "
                f"more than any {fmt.name} record: it and the rest of the file were not read",
            )
        )
    except _ParseFailure as failure:
        on_problem(Problem(name, line, str(failure)))


def _record_events(stream: _Replay, fmt: XmlFormat) -> Iterator[tuple[str, etree._Element]]:
    """The end events of the record elements, a chunk of the file at a time.

    A pull parser fed by hand rather than ``iterparse``: when a chunk holds the end of one record
    and a break in the XML after it, lxml 6.2's iterparse raises the error before handing out
    the record it had already read; here the records parsed before the break come out first,
    then the error is raised, so "the records before it were read" stays true.
    """
    parser = etree.XMLPullParser(events=("end",), tag=fmt.records, **_parser_options())
    parser.resolvers.add(_RefuseLoads())
    while chunk := stream.read(CHUNK_BYTES):
        try:
            parser.feed(chunk)
        except etree.XMLSyntaxError:
            yield from parser.read_events()
            raise
        yield from parser.read_events()
    # At the end, no events are taken after an error: closing a cut file ends the elements
    # still open, and the record cut short would come out as if it were whole.
    parser.close()
    yield from parser.read_events()


def _broken(error: etree.XMLSyntaxError, fmt: XmlFormat) -> str:
    message = _plain(error)
    if _is_entity_error(message):
        return ENTITIES_REFUSED
    rest = "the records before it were read, the rest of the file was not"
    if "Premature end of data" in message or "EndTag" in message and "not found" in message:
        return f"the file ends in the middle of a record (it was cut short): {rest}"
    return f"the XML breaks here ({message}): {rest}"


def _drop(element: etree._Element) -> None:
    """Free a record that was read and whatever came before it in its parent."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


# --- values ----------------------------------------------------------------------------------


def text_of(element: etree._Element | None) -> str:
    """The text of ``element`` and of the markup inside it (``<i>``, ``<sup>``, MathML), its
    white space runs as single spaces; "" for no element."""
    if element is None:
        return ""
    # Most elements (a name, a year, an id) hold plain text: no walk through children.
    text = "".join(element.itertext()) if len(element) else element.text or ""
    return " ".join(text.split())


def xml_text(element: etree._Element) -> str:
    """The element as XML text: a record's source record, as read."""
    return str(etree.tostring(element, encoding="unicode", with_tail=False))


# --- small documents -----------------------------------------------------------------------


def element_from_text(text: str) -> etree._Element:
    """One element read back from its XML text (a source record), with the same safe parser
    as files; ParseError when the text is not well-formed XML."""
    parser = etree.XMLParser(**_parser_options())
    parser.resolvers.add(_RefuseLoads())
    try:
        return etree.fromstring(_cleaned(text), parser)
    except (etree.XMLSyntaxError, _ParseFailure) as error:
        raise ParseError("source record", None, f"it is not well-formed XML ({error})") from None
