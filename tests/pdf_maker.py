"""A small, valid one-page PDF with given lines of text, for tests that need a PDF printing an
identifier for which a real recorded answer exists (the real article PDFs in tests/data/pdf
print DOIs no recorded answer covers). Written by hand to the PDF 1.4 layout: a catalog, a
page tree, one page with Helvetica, its content stream, a cross-reference table with the
true offsets, and an Info dictionary when a title is given.

``write_large_pdf`` and ``write_huge_page_pdf`` write hundreds of megabytes of valid PDF to a
file a megabyte at a time, for the bounds of reading a PDF: many pages of large images with
a line of text each, or one page whose text is a huge content stream."""

from __future__ import annotations

import math


def make_pdf(lines: list[str], title: str | None = None) -> bytes:
    text = "".join(
        f"BT /F1 11 Tf 72 {720 - 16 * number} Td ({_escaped(line)}) Tj ET\n"
        for number, line in enumerate(lines)
    ).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"endstream",
    ]
    if title is not None:
        objects.append(b"<< /Title (" + _escaped(title).encode("latin-1") + b") >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    info = b" /Info %d 0 R" % len(objects) if title is not None else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, info, xref
    )
    return bytes(out)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


# --- large PDFs, written a piece at a time (never held whole in memory) ----------------------

_CHUNK = 1 << 20


def write_large_pdf(path, *, pages: int, image_bytes: int, words: str) -> int:
    """A valid PDF at ``path`` of ``pages`` pages, each a line of text (``words`` and the
    page's number, ``page7``) above an uncompressed grey image of about ``image_bytes``
    bytes (at least), so that the file is as large as a scanned book with its text layer. Written a
    megabyte at a time; returns the file's size."""
    side = math.isqrt(max(image_bytes - 1, 0)) + 1  # at least image_bytes pixels
    pixels = side * side
    with open(path, "wb") as out:
        writer = _Writer(out)
        writer.object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        kids = " ".join(f"{3 + 4 * n} 0 R" for n in range(pages)).encode()
        writer.object(2, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages))
        font = 3 + 4 * pages
        for n in range(pages):
            page, contents, image = 3 + 4 * n, 4 + 4 * n, 5 + 4 * n
            text = f"{words} page{n + 1}".encode("latin-1")
            ops = b"q 400 0 0 400 100 200 cm /Im0 Do Q BT /F1 11 Tf 72 720 Td (%s) Tj ET" % text
            writer.object(
                page,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R >> /XObject << /Im0 %d 0 R >> >> >>"
                % (contents, font, image),
            )
            writer.stream(contents, b"", [ops], len(ops))
            head = b"/Type /XObject /Subtype /Image /Width %d /Height %d " % (side, side)
            head += b"/ColorSpace /DeviceGray /BitsPerComponent 8"
            writer.stream(image, head, _pattern(pixels), pixels)
            writer.object(6 + 4 * n, b"null")  # keeps four objects a page
        writer.object(font, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        writer.finish()
        return out.tell()


def _pattern(length: int):
    """``length`` bytes of a grey ramp, a megabyte at a time."""
    ramp = bytes(range(256)) * (_CHUNK // 256)
    while length > 0:
        yield ramp[: min(length, _CHUNK)]
        length -= _CHUNK


class _Writer:
    """Numbered objects written in order, their offsets kept for the cross-reference table."""

    def __init__(self, out):
        self.out = out
        self.offsets: dict[int, int] = {}
        out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def object(self, number: int, body: bytes) -> None:
        self.offsets[number] = self.out.tell()
        self.out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def stream(self, number: int, head: bytes, pieces, length: int) -> None:
        self.offsets[number] = self.out.tell()
        self.out.write(b"%d 0 obj\n<< %s /Length %d >>\nstream\n" % (number, head, length))
        for piece in pieces:
            self.out.write(piece)
        self.out.write(b"\nendstream\nendobj\n")

    def finish(self) -> None:
        count = max(self.offsets) + 1
        xref = self.out.tell()
        self.out.write(b"xref\n0 %d\n0000000000 65535 f \n" % count)
        for number in range(1, count):
            self.out.write(b"%010d 00000 n \n" % self.offsets[number])
        trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        self.out.write(trailer % (count, xref))


def write_huge_page_pdf(path, *, stream_bytes: int, words: str) -> int:
    """A valid one-page PDF at ``path`` whose content stream is ``stream_bytes`` of text drawn
    word by word (``words`` over and over): a page the PDF library must read whole to give
    its text. Written a megabyte at a time; returns the file's size."""
    line = b"".join(
        b"BT /F1 9 Tf %d %d Td (%s) Tj ET\n" % (20 + 40 * (n % 14), 20 + (n * 7) % 760, w.encode())
        for n, w in enumerate(words.split() * 64)
    )
    repeats = max(1, -(-stream_bytes // len(line)))  # at least stream_bytes
    with open(path, "wb") as out:
        writer = _Writer(out)
        writer.object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        writer.object(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        writer.object(
            3,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
        )
        per_chunk = max(1, _CHUNK // len(line))
        pieces = (
            line * min(per_chunk, repeats - done) for done in range(0, repeats, per_chunk)
        )
        writer.stream(4, b"", pieces, len(line) * repeats)
        writer.object(5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        writer.finish()
        return out.tell()
