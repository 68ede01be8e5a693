"""Manuscripts made by hand for the format-document tests: the smallest .docx and .odt zips
Word and LibreOffice open, shaped like real ones (a heading, a table, a footnote, a tracked
insertion and deletion, styles), with the body paragraphs given as their XML; and the small
library they cite (``keyed_library``: three PubMed records, one retracted, with their keys)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from refman.library import Library

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"

MEDLINE = """PMID- 37144409
TI  - Safety of a vaccine in older adults.
AU  - Knowles SR
AU  - Smith J
DP  - 2023 May
TA  - Lancet
VI  - 401
PG  - 100-110
PT  - Journal Article

PMID- 8254675
TI  - A GTPase in the cell cycle.
AU  - Gout I
DP  - 1993
TA  - Cell
VI  - 75
PG  - 25-36
PT  - Journal Article
PT  - Retracted Publication

PMID- 31000003
TI  - Mouse models of asthma.
AU  - Zed A
DP  - 2019
TA  - Nature
VI  - 570
PG  - 1-9
PT  - Journal Article
"""
KEYS = {"37144409": "knowles2023safety", "8254675": "gout1993gtpase", "31000003": "zed2019mouse"}


def keyed_library(library: Library) -> None:
    """Import MEDLINE's three records into ``library`` and give them the KEYS manuscripts cite."""
    library.importing.text(MEDLINE)
    ids = library.items.with_identifiers("pmid", list(KEYS))
    for pmid, key in KEYS.items():
        library.keys.set(ids[pmid], key)

DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.footnotes+xml"/>'
    "</Types>"
)
DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
DOCUMENT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/footnotes" Target="footnotes.xml"/></Relationships>'
)
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<w:styles xmlns:w="{W_NS}"><w:style w:type="paragraph" w:styleId="Heading1">'
    '<w:name w:val="heading 1"/></w:style></w:styles>'
)
FOOTNOTES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<w:footnotes xmlns:w="{W_NS}"><w:footnote w:id="1"><w:p><w:r><w:t>A footnote that '
    "stays as written.</w:t></w:r></w:p></w:footnote></w:footnotes>"
)


def w_para(*runs: str, style: str = "") -> str:
    """A Word paragraph of plain runs (each a text; "*text" makes a bold run)."""
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    out = []
    for text in runs:
        bold = "<w:rPr><w:b/></w:rPr>" if text.startswith("*") else ""
        out.append(f'<w:r>{bold}<w:t xml:space="preserve">{text.lstrip("*")}</w:t></w:r>')
    return f"<w:p>{ppr}{''.join(out)}</w:p>"


DOCX_FURNITURE = [
    w_para("Results", style="Heading1"),
    "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cell one</w:t></w:r></w:p></w:tc>"
    "<w:tc><w:p><w:r><w:t>Cell two</w:t></w:r></w:p></w:tc></w:tr></w:tbl>",
    '<w:p><w:r><w:t xml:space="preserve">Noted here</w:t></w:r><w:r><w:footnoteReference '
    'w:id="1"/></w:r><w:ins w:id="7" w:author="Ann" w:date="2026-01-01T00:00:00Z"><w:r>'
    '<w:t xml:space="preserve"> and inserted</w:t></w:r></w:ins><w:del w:id="8" w:author="Ann" '
    'w:date="2026-01-01T00:00:00Z"><w:r><w:delText> [@deleted]</w:delText></w:r></w:del></w:p>',
]


def make_docx(path: Path, paragraphs: list[str]) -> Path:
    """A .docx whose body is the furniture then ``paragraphs`` (Word XML)."""
    body = "".join([*DOCX_FURNITURE, *paragraphs])
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}"><w:body>{body}'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", DOCX_TYPES)
        archive.writestr("_rels/.rels", DOCX_RELS)
        archive.writestr("word/_rels/document.xml.rels", DOCUMENT_RELS)
        archive.writestr("word/document.xml", document)
        archive.writestr("word/styles.xml", STYLES)
        archive.writestr("word/footnotes.xml", FOOTNOTES)
    return path


ODT_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    f'xmlns:text="{TEXT_NS}" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3"'
)
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.3">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
ODT_STYLES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f"<office:document-styles {ODT_NAMESPACES}><office:styles/></office:document-styles>"
)
ODT_META = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f"<office:document-meta {ODT_NAMESPACES}><office:meta><dc:title>Draft</dc:title>"
    '<meta:user-defined meta:name="Reviewer">Ann</meta:user-defined>'
    "</office:meta></office:document-meta>"
)
ODT_FURNITURE = [
    '<text:h text:outline-level="1">Results</text:h>',
    '<table:table table:name="T1"><table:table-column/><table:table-row><table:table-cell>'
    "<text:p>Cell one</text:p></table:table-cell></table:table-row></table:table>",
    '<text:p>Noted here<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>'
    "1</text:note-citation><text:note-body><text:p>A footnote that stays as written.</text:p>"
    '</text:note-body></text:note><text:change-start text:change-id="ct1"/> and inserted'
    '<text:change-end text:change-id="ct1"/></text:p>',
]
TRACKED = (
    '<text:tracked-changes><text:changed-region text:id="ct1"><text:insertion>'
    "<office:change-info><dc:creator>Ann</dc:creator><dc:date>2026-01-01T00:00:00</dc:date>"
    "</office:change-info></text:insertion></text:changed-region></text:tracked-changes>"
)


def make_odt(path: Path, paragraphs: list[str]) -> Path:
    """An .odt whose text is the furniture then ``paragraphs`` (ODF XML)."""
    body = "".join([TRACKED, *ODT_FURNITURE, *paragraphs])
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<office:document-content {ODT_NAMESPACES}><office:body><office:text>{body}"
        "</office:text></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text",
                         zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", MANIFEST)
        archive.writestr("content.xml", content)
        archive.writestr("styles.xml", ODT_STYLES)
        archive.writestr("meta.xml", ODT_META)
    return path


def without_footnotes(source: Path, out: Path, styles: bytes | None = None) -> Path:
    """A copy of the .docx ``source`` that has no footnotes at all: no footnote referred to,
    no footnotes part, relationship or content type (``styles``: word/styles.xml to use)."""
    import re

    old = parts(source)
    changed = {
        "word/document.xml": old["word/document.xml"].replace(
            b'<w:r><w:footnoteReference w:id="1"/></w:r>', b""),
        "word/_rels/document.xml.rels": re.sub(
            rb'<Relationship Id="rId2"[^>]*/>', b"", old["word/_rels/document.xml.rels"]),
        "[Content_Types].xml": re.sub(
            rb'<Override PartName="/word/footnotes.xml"[^>]*/>', b"", old["[Content_Types].xml"]),
    }
    if styles is not None:
        changed["word/styles.xml"] = styles
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(out, "w") as copy:
        for info in archive.infolist():
            if info.filename != "word/footnotes.xml":
                copy.writestr(info, changed.get(info.filename, archive.read(info)))
    return out


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def xml(path: Path, name: str):
    return etree.fromstring(parts(path)[name])
