"""Cutting a .bib file into its blocks (``@type{...}``), a block at a time, in bounded memory.

bibtexparser reads a whole text at once; a 100 MB file must not be held whole, so this module
reads the file a chunk at a time, decodes it (UTF-8, UTF-16 with a byte order mark, and lines
that are not UTF-8 read as Windows-1252), and cuts it into blocks that bibtexparser then reads
one by one. A block ends where its braces balance (or, for ``@type(...)``, at the ``)`` outside
braces and quotes).

What a block cannot be, and what then happens (a ``Cut`` with ``problem`` set, the reading goes
on with the next block):

- nested deeper than ``MAX_DEPTH`` braces (LaTeX never needs it; the decoder recurses);
- longer than ``MAX_BLOCK_CHARS`` characters (its text is dropped as it is read, not held);
- not closed before a line that starts a new ``@type{`` (a ``}`` is missing): what was read of
  it is dropped, and the new block is read;
- not closed at the end of the file (a truncated file).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

CHUNK_BYTES = 1 << 16
MAX_DEPTH = 64  # levels of braces in one block
MAX_BLOCK_CHARS = 4_000_000  # characters in one block: a thousand times a long abstract
_LONG_LINE_BYTES = 1 << 20  # a line longer than this is decoded in pieces


@dataclass(frozen=True)
class Cut:
    """One block of the file: its text (``@type{...}``), the line it starts on, its type and
    key as far as they could be seen, and ``problem`` when it cannot be read (text then "")."""

    text: str
    line: int
    kind: str
    key: str = ""
    problem: str = ""


def _decode_line(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _decode(raw: bytes) -> str:
    """A block of bytes ending at a line end: UTF-8, else line by line UTF-8 or Windows-1252."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "\n".join(_decode_line(line) for line in raw.split(b"\n"))


def text_blocks(stream: BinaryIO, head: bytes) -> Iterator[str]:
    """The decoded text of ``head`` and the rest of ``stream``, in blocks that end at a line
    break (but perhaps the last), CRLF and CR made LF."""
    chunks = _chunks(stream, head)
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
        texts: Iterable[str] = (decoder.decode(c, final=not c) for c in chunks)
    else:
        texts = _utf8_blocks(chunks)
    carry_cr = False
    for text in texts:
        if carry_cr and text.startswith("\n"):
            text = text[1:]
        carry_cr = text.endswith("\r")
        yield text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _chunks(stream: BinaryIO, head: bytes) -> Iterator[bytes]:
    yield head.removeprefix(codecs.BOM_UTF8)
    while chunk := stream.read(CHUNK_BYTES):
        yield chunk
    yield b""


def _utf8_blocks(chunks: Iterable[bytes]) -> Iterator[str]:
    pending = b""
    for chunk in chunks:
        pending += chunk
        end = pending.rfind(b"\n") + 1
        if not end and len(pending) > _LONG_LINE_BYTES:
            end = _char_start(pending)
        if chunk and end:
            yield _decode(pending[:end])
            pending = pending[end:]
    if pending:
        yield _decode(pending)


def _char_start(data: bytes) -> int:
    """Where the last UTF-8 character of ``data`` starts (the whole length if that fails)."""
    end = len(data)
    while end > 0 and data[end - 1] & 0xC0 == 0x80:
        end -= 1
    end -= 1 if end > 0 and data[end - 1] >= 0xC0 else 0
    return end or len(data)


# A block starts with @, its type and an opening delimiter (white space and line breaks may
# come between). An @ not so followed (an e-mail address in the text between entries) is text.
_START = re.compile(r"@[ \t]*([A-Za-z][\w:.+-]*)[ \t\n]*([{(])")
# Inside a block: braces, and a line that starts a new block (a "}" was missing before it).
_BRACES = re.compile(r"[{}]|^[ \t]*@[ \t]*[A-Za-z][\w:.+-]*[ \t]*[{(]", re.M)
_PARENS = re.compile(r'[{}()"]|^[ \t]*@[ \t]*[A-Za-z][\w:.+-]*[ \t]*[{(]', re.M)
_KEY = re.compile(r"[ \t\n]*([^,\s{}()=\"#]*)(?=[\s,{}()=\"#])")  # the key whole


class _Block:
    """The block being read: its text so far, where it started, its depth of braces."""

    def __init__(self, kind: str, line: int, paren: bool, text: str):
        self.kind = kind
        self.line = line
        self.paren = paren
        self.parts = [text]
        self.head = len(text)  # the key starts after the head: "@type{"
        self.size = len(text)
        self.depth = 0
        self.deepest = 0
        self.in_quotes = False
        self.key = ""

    def add(self, text: str) -> None:
        self.size += len(text)
        if self.size <= MAX_BLOCK_CHARS:
            self.parts.append(text)
        elif self.parts:
            self.parts = []  # too long: drop what is held, keep counting

    def see_key(self) -> None:
        if not self.key and self.parts:
            match = _KEY.match("".join(self.parts[:4])[self.head : self.head + 500])
            self.key = match[1] if match else ""

    def cut(self, problem: str = "") -> Cut:
        self.see_key()
        if not problem and self.deepest > MAX_DEPTH:
            problem = f"its braces are nested more than {MAX_DEPTH} deep"
        if not problem and self.size > MAX_BLOCK_CHARS:
            problem = f"it is longer than {MAX_BLOCK_CHARS:,} characters"
        text = "" if problem else "".join(self.parts)
        return Cut(text, self.line, self.kind, self.key, problem)


def cut_blocks(texts: Iterable[str]) -> Iterator[Cut]:
    """The blocks in decoded text (see ``text_blocks``), in file order, with their lines.

    Text between blocks is a comment and is skipped (BibTeX's own rule).
    """
    block: _Block | None = None
    line = 1  # the line ``buf`` starts on
    buf = ""
    for text in texts:
        buf += text
        pos = 0
        while True:
            if block is None:
                match = _START.search(buf, pos)
                if match is None:
                    break
                start_line = line + buf.count("\n", 0, match.start())
                block = _Block(match[1].lower(), start_line, match[2] == "(", match[0])
                pos = match.end()
                continue
            pos, block, done = _scan(block, buf, pos, line)
            if done is not None:
                yield done
            if block is not None and pos >= len(buf):
                break
        if block is not None:
            block.see_key()
            line += buf.count("\n")
            buf = ""
        else:
            # Keep the last line: a block's start may go on in the next text.
            keep = max(buf.rfind("\n", 0, len(buf) - 1) + 1, pos)
            line += buf.count("\n", 0, keep)
            buf = buf[keep:]
    if block is not None:
        yield block.cut("the file ends inside it (the file may be cut short, or a } is missing)")


def _scan(block: _Block, buf: str, pos: int, line: int) -> tuple[int, _Block | None, Cut | None]:
    """Read ``block`` on in ``buf`` from ``pos``: (where reading stopped, the block still open
    or None, the block finished here or None)."""
    pattern = _PARENS if block.paren else _BRACES
    for match in pattern.finditer(buf, pos):
        mark = match[0]
        if mark == "{":
            block.depth += 1
            block.deepest = max(block.deepest, block.depth)
        elif mark == "}":
            block.depth -= 1
            if block.depth < 0 and not block.paren:
                block.add(buf[pos : match.end()])
                return match.end(), None, block.cut()
            block.depth = max(block.depth, 0)
        elif mark == '"':
            if block.depth == 0:
                block.in_quotes = not block.in_quotes
        elif mark == "(":
            continue
        elif mark == ")":
            if block.depth == 0 and not block.in_quotes:
                block.add(buf[pos : match.end()])
                return match.end(), None, block.cut()
        else:  # a new block starts on this line: this one was never closed
            block.add(buf[pos : match.start()])
            return match.start(), None, block.cut("it is not closed (a } is missing)")
    block.add(buf[pos:])
    return len(buf), block, None
