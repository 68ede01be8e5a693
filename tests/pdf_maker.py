"""A small, valid one-page PDF with given lines of text, for tests that need a PDF printing an
identifier for which a real recorded answer exists (the real article PDFs in tests/data/pdf
print DOIs no recorded answer covers). Written by hand to the PDF 1.4 layout: a catalog, a
page tree, one page with Helvetica, its content stream, a cross-reference table with the
true offsets, and an Info dictionary when a title is given."""

from __future__ import annotations


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
