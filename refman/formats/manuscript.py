"""Manuscripts (.docx and .odt) read and written for ``refman format-document``: the citations
a manuscript holds, found in reading order, and a copy written with each one a live field in
the format Zotero's word-processor plugins use, and a bibliography.

A manuscript is a zip of XML parts, read with zipfile and lxml. What is found:

- Pandoc citations typed as text, ``[@knowles2023safety; -@gout1993gtpase, p. 25]`` (a
  prefix, a locator with its label, a suffix, ``-@`` suppress-author), and PMIDs,
  ``[PMID:37144409]`` or ``[PMID: 1, 2]``, and Zotero's scannable cites
  (``{ | Knowles et al., 2023 | p. 3 | | zu:0:KEY }``); the text may be spread over several
  runs (``w:r``, ``text:span``) of one paragraph; in the body text and in footnotes (with
  their note number), never in deleted text kept by tracked changes or in comments;
- fields written before, by refman or by Zotero: Word's complex fields
  ``ADDIN ZOTERO_ITEM CSL_CITATION {json}`` and ``ADDIN ZOTERO_BIBL ... CSL_BIBLIOGRAPHY``
  (and the same as simple fields, ``w:fldSimple``, which are written back as complex ones),
  LibreOffice's reference marks ``ZOTERO_ITEM CSL_CITATION {json} RND<id>`` and the
  ``ZOTERO_BIBL ... RND<id>`` section, the field marks LibreOffice makes of Word's Zotero
  fields when it opens a .docx (written back as reference marks), and Mendeley Cite's Word
  fields (``ADDIN CSL_CITATION``); their JSON is kept (``Found.data``).

The texts come as the engine's HTML: italics, bold, small capitals and superscript become
Word run properties or ODF text styles. In a note style each citation of the body text
becomes a footnote of its own at its place (``move_into_notes`` numbers them, ``_NewNotes``
writes them: Word's footnote reference and ``w:footnote``, the footnotes part made when the
document has none; LibreOffice's ``text:note``), its field inside.

Only the paragraphs holding citations, the bibliography and the document preferences
(``ZOTERO_PREF_n``) are rewritten: every other part of the zip is copied byte for byte, and
inside a rewritten part every other element is left as it was. Nothing here knows the
library: ``refman.library.manuscripts`` resolves what is found and renders the texts.
"""

from __future__ import annotations

import copy
import json
import os
import random
import re
import string
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

from refman.model import RefmanError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_NS = "http://www.w3.org/XML/1998/namespace"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
# LibreOffice's field marks: what it makes of Word fields it has no field of its own for
# (Zotero's among them), keeping the Word field code as a parameter.
LO_FIELD = "urn:openoffice:names:experimental:ooo-ms-interop:xmlns:field:1.0"
FIELD_CODE = "vnd.oasis.opendocument.field.code"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
# The format identifier Word gives user-defined properties.
CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"

# What Zotero writes in a citation's JSON and a bibliography field's code.
CSL_CITATION_SCHEMA = "https://github.com/citation-style-language/schema/raw/master/csl-citation.json"
ITEM_CODE = "ZOTERO_ITEM CSL_CITATION"
BIBL_CODE = 'ZOTERO_BIBL {"uncited":[],"omitted":[],"custom":[]} CSL_BIBLIOGRAPHY'
# Word field codes read as citations and as the bibliography: Zotero's, and Mendeley Cite's
# (``ADDIN CSL_CITATION {json}``, ``ADDIN Mendeley Bibliography CSL_BIBLIOGRAPHY``), which
# are written back as Zotero's.
CITATION_CODE_RE = re.compile(r"ADDIN\s+(?:ZOTERO_ITEM\s+)?CSL_CITATION\s*\{")
BIBLIOGRAPHY_CODE_RE = re.compile(r"ADDIN\s+(?:ZOTERO_BIBL\b|Mendeley Bibliography\b)")
PREF_NAME = "ZOTERO_PREF_"
PREF_CHUNK = 255  # Word keeps at most 255 characters in a text property; Zotero splits there
BIBLIOGRAPHY_MARKER = "{Bibliography}"

DOCX, ODT = "docx", "odt"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted .docx is an OLE file

# A Pandoc citation: [prefix @key, locator suffix; ...]; a PMID citation: [PMID: 1, 2].
PANDOC_RE = re.compile(r"\[([^\[\]\x00]*?-?@[A-Za-z0-9_][^\[\]\x00]*?)\]")
PMID_RE = re.compile(r"\[\s*PMID:?\s*(\d+(?:\s*[,;]\s*(?:PMID:?\s*)?\d+)*)\s*\]", re.IGNORECASE)
# Zotero's scannable cite (RTF/ODF Scan): { prefix | Author, Year | locator | suffix | zu:0:KEY };
# markers side by side (spaces between) make one citation, as Zotero's ODF Scan reads them.
_FIELD = r"([^|{}\x00]*)\|"
_MARKER = rf"\{{\s*{_FIELD * 4}\s*((?:zu|zg|zotero):[^{{}}|\s\x00]*)\s*\}}"
MARKER_RE = re.compile(_MARKER)
MARKERS_RE = re.compile(rf"{_MARKER}(?:\s*{_MARKER})*")
_KEY_RE = re.compile(
    r"(?P<prefix>.*?)(?P<minus>-?)@(?P<key>[A-Za-z0-9_][\w:.#$%&+?<>~/-]*)(?P<rest>.*)", re.S
)
_LOCATOR_TERMS = {
    "p": "page", "pp": "page", "page": "page", "pages": "page",
    "chap": "chapter", "ch": "chapter", "chapter": "chapter", "chapters": "chapter",
    "fig": "figure", "figs": "figure", "figure": "figure", "figures": "figure",
    "sec": "section", "sect": "section", "section": "section", "sections": "section",
    "vol": "volume", "vols": "volume", "volume": "volume",
    "para": "paragraph", "paras": "paragraph", "paragraph": "paragraph", "¶": "paragraph",
    "l": "line", "ll": "line", "line": "line", "lines": "line",
    "n": "note", "nn": "note", "note": "note", "notes": "note",
    "tbl": "table", "table": "table", "tables": "table",
    "col": "column", "column": "column", "no": "issue", "issue": "issue",
    "art": "article-locator", "app": "appendix", "appendix": "appendix",
    "eq": "equation", "equation": "equation", "bk": "book", "book": "book",
    "pt": "part", "part": "part", "v": "verse", "verse": "verse", "supp": "supplement",
}
_LOCATOR_RE = re.compile(
    r"\s*(?:(?P<term>[A-Za-z¶]+)\.?\s*)?"
    r"(?P<loc>[0-9ivxlcdmIVXLCDM]+[a-z]?(?:\s*[-–]\s*[0-9ivxlcdmIVXLCDM]+)?"
    r"(?:\s*,\s*[0-9]+(?:\s*[-–]\s*[0-9]+)?)*)(?P<suffix>.*)",
    re.S,
)


@dataclass
class TypedCite:
    """One cite as typed: a citation key or a PMID, and its locator, label and affixes."""

    key: str = ""
    pmid: str = ""
    marker: str = ""  # a Zotero scannable cite's "Author, Year" (its key is in ``key``)
    locator: str = ""
    label: str = ""
    prefix: str = ""
    suffix: str = ""
    suppress_author: bool = False


@dataclass
class Found:
    """A citation found in the manuscript, in reading order: typed text (``cites``) or a field
    written before (``data``: its JSON). ``paragraph`` counts from 1 in the main text;
    ``context`` is the text around it; ``note`` the footnote it sits in (0: body text)."""

    paragraph: int
    context: str
    text: str
    cites: list[TypedCite] = field(default_factory=list)
    data: dict[str, Any] | None = None
    note: int = 0
    # In the body text: how many footnotes the text refers to before it (to number new ones).
    notes_before: int = 0
    into_note: bool = False  # a body citation a note style puts in a new footnote of its own
    in_text_box: bool = False  # where no footnote can be (Word and LibreOffice refuse them)
    endnote: bool = False  # in a LibreOffice endnote (``note``: its number among endnotes)
    # Where it sits, for the writer: a span of a paragraph's text, or an element to replace.
    _anchor: Any = None


@dataclass
class Manuscript:
    """A .docx or .odt read: its parts, the citations found, and where a bibliography goes."""

    path: Path
    kind: str
    found: list[Found]
    style_id: str  # the style its preferences name ("" when none)
    _zip_infos: list[zipfile.ZipInfo]
    _parts: dict[str, bytes]
    _trees: dict[str, Any]
    _bibliography: Any = None  # the element (or first of the elements) a bibliography replaces
    _bibliography_end: Any = None
    # Zotero's bibliography field code, kept as found: its uncited, omitted and edited entries
    bibliography_code: str = BIBL_CODE
    locale: str = ""  # the language its preferences name (Zotero's and refman's extension's)


# --- reading ---------------------------------------------------------------------------------


def read(path: Path) -> Manuscript:
    """The manuscript at ``path``: RefmanError in plain words when it is not a readable Word or
    LibreOffice document (not a zip, password-protected, damaged)."""
    try:
        head = path.read_bytes()[:8]
    except OSError as exc:
        raise RefmanError(f"Cannot read {path}: {exc.strerror or exc}") from None
    if head == _OLE_MAGIC:
        raise RefmanError(
            f"{path} is password-protected (or an old .doc file): save it without a password "
            "as .docx and try again."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            parts = {info.filename: archive.read(info) for info in infos}
    except (zipfile.BadZipFile, EOFError):
        raise RefmanError(f"{path} is not a Word (.docx) or LibreOffice (.odt) document.") from None
    except (OSError, RuntimeError, NotImplementedError) as exc:
        raise RefmanError(f"Cannot read {path}: {exc}") from None
    if "word/document.xml" in parts:
        kind, main = DOCX, "word/document.xml"
    elif "content.xml" in parts:
        kind, main = ODT, "content.xml"
        if b"encryption-data" in parts.get("META-INF/manifest.xml", b""):
            raise RefmanError(f"{path} is password-protected: save it without a password.")
    else:
        raise RefmanError(
            f"{path} is a zip file but not a Word (.docx) or LibreOffice (.odt) document."
        )
    root = _parse(path, main, parts[main])
    manuscript = Manuscript(path, kind, [], "", infos, parts, {main: root})
    if kind == DOCX:
        _scan_docx(manuscript, root)
    else:
        _scan_odt(manuscript, root)
    manuscript.style_id, manuscript.locale = _read_style_pref(manuscript)
    return manuscript


def _parse(path: Path, name: str, data: bytes) -> Any:
    try:
        return etree.fromstring(data, etree.XMLParser(resolve_entities=False, huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise RefmanError(f"{path} is damaged: {name}, line {exc.lineno}: {exc.msg}") from None


@dataclass
class _Segment:
    """A piece of a paragraph's text: an element's text (``w:t``) or an lxml text/tail slot."""

    element: Any
    slot: str  # "text" or "tail"
    start: int

    def get(self) -> str:
        return getattr(self.element, self.slot) or ""

    def set(self, value: str) -> None:
        setattr(self.element, self.slot, value)


@dataclass
class _Paragraph:
    element: Any
    number: int  # 1.. in the main text, 0 inside a footnote
    note: int
    text: str = ""
    segments: list[_Segment] = field(default_factory=list)
    run_offsets: dict[Any, int] = field(default_factory=dict)  # a field's begin run: where
    # (where, footnote id) in Word, (where, text:note element) in LibreOffice
    footnotes: list[tuple[int, Any]] = field(default_factory=list)


def _context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - 30) : start].replace("\x00", " ")
    after = text[end : end + 30].replace("\x00", " ")
    return f"…{before}{text[start:end]}{after}…".strip()


def _find_typed(paragraph: _Paragraph) -> list[tuple[int, int, list[TypedCite]]]:
    """The typed citations in a paragraph's text: (start, end, cites), in order."""
    spans = []
    for match in PANDOC_RE.finditer(paragraph.text):
        cites = parse_pandoc(match.group(1))
        if cites:
            spans.append((match.start(), match.end(), cites))
    for match in MARKERS_RE.finditer(paragraph.text):
        spans.append((match.start(), match.end(), parse_markers(match.group(0))))
    for match in PMID_RE.finditer(paragraph.text):
        pmids = re.findall(r"\d+", match.group(1))
        spans.append((match.start(), match.end(), [TypedCite(pmid=p) for p in pmids]))
    return sorted(spans, key=lambda span: span[0])


def parse_pandoc(inside: str) -> list[TypedCite]:
    """The cites of a Pandoc citation's bracketed text (without the brackets); [] when a part
    holds no key (it is then not a citation: "[see @ sign]")."""
    cites = []
    for part in inside.split(";"):
        match = _KEY_RE.fullmatch(part.strip())
        if not match:
            return []
        key = match.group("key").rstrip(".:,")  # a key does not end with punctuation
        rest = match.group("key")[len(key) :] + match.group("rest")
        cite = TypedCite(key=key, prefix=match.group("prefix").strip(),
                         suppress_author=bool(match.group("minus")))
        _locator_and_suffix(cite, rest)
        cites.append(cite)
    return cites


def parse_markers(text: str) -> list[TypedCite]:
    """The cites of side-by-side Zotero scannable cites."""
    cites = []
    for prefix, names, locator, suffix, key in MARKER_RE.findall(text):
        names = names.strip()
        cite = TypedCite(key=key.rsplit(":", 1)[-1].rsplit("/", 1)[-1], prefix=prefix.strip(),
                         marker=names.lstrip("-").strip(), suppress_author=names.startswith("-"))
        _locator_and_suffix(cite, locator)
        if cite.suffix and not cite.locator:  # a locator that is not one: keep it as written
            cite.locator, cite.label = cite.suffix, "page"
        cite.suffix = suffix.strip()
        cites.append(cite)
    return cites


def _locator_and_suffix(cite: TypedCite, rest: str) -> None:
    text = rest.strip()
    if text.startswith(","):
        text = text[1:].strip()
    match = _LOCATOR_RE.fullmatch(text)
    term = (match.group("term") or "").lower() if match else ""
    if match and (not term or term in _LOCATOR_TERMS):
        cite.locator = re.sub(r"\s*[-–]\s*", "-", match.group("loc").strip())
        cite.label = _LOCATOR_TERMS.get(term, "page")
        cite.suffix = match.group("suffix").strip()
    else:
        cite.suffix = text


# Word ------------------------------------------------------------------------------------------


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _scan_docx(manuscript: Manuscript, root: Any) -> None:
    body = root.find(_w("body"))
    if body is None:
        raise RefmanError(f"{manuscript.path} is damaged: its document has no body.")
    _unfold_simple_fields(body)
    footnotes = _docx_footnotes(manuscript)
    number = 0
    notes = 0  # footnotes referred to so far: a footnote's number
    bibl_open = False
    for paragraph in body.iter(_w("p")):
        number += 1
        if bibl_open:  # a paragraph inside the bibliography field
            if _field_ends(paragraph):
                manuscript._bibliography_end = paragraph
                bibl_open = False
            continue
        fields = _docx_fields(paragraph)
        bibl = next((f for f in fields if BIBLIOGRAPHY_CODE_RE.match(f[0])), None)
        if bibl is not None and manuscript._bibliography is None:
            manuscript._bibliography = paragraph
            manuscript._bibliography_end = paragraph
            bibl_open = not bibl[3]
            manuscript.bibliography_code = _kept_bibliography_code(bibl[0][len("ADDIN"):])
            continue
        para = _docx_paragraph(paragraph, number)
        if para.text.strip() == BIBLIOGRAPHY_MARKER and manuscript._bibliography is None:
            manuscript._bibliography = paragraph
            continue
        here = _collect(manuscript, para, fields)
        _count_notes_before(here, para, notes)
        for offset, note_id in para.footnotes:  # a footnote's citations where it is referred to
            notes += 1
            if note_id not in footnotes:
                raise RefmanError(_missing_footnote(manuscript, note_id))
            for note_paragraph in footnotes[note_id]:
                note_para = _docx_paragraph(note_paragraph, number)
                note_para.note = notes
                here += [(offset, found) for _, found in
                         _collect(manuscript, note_para, _docx_fields(note_paragraph))]
        manuscript.found.extend(found for _, found in sorted(here, key=lambda pair: pair[0]))


def _count_notes_before(here: list[tuple[int, Found]], para: _Paragraph, before: int) -> None:
    """Each body citation's count of the footnotes referred to before it: ``before`` (those of
    earlier paragraphs) and those of its own paragraph ahead of it."""
    for offset, found in here:
        found.notes_before = before + sum(1 for at, _ in para.footnotes if at < offset)


def _missing_footnote(manuscript: Manuscript, note_id: str) -> str:
    if "word/footnotes.xml" not in manuscript._parts:
        return (f"{manuscript.path} is damaged: it refers to footnotes, but its footnotes part "
                "(word/footnotes.xml) is missing. Open it in Word or LibreOffice and save it "
                "again.")
    return (f"{manuscript.path} is damaged: its text refers to footnote {note_id}, which "
            "word/footnotes.xml does not hold. Open it in Word or LibreOffice and save it again.")


def _docx_footnotes(manuscript: Manuscript) -> dict[str, list[Any]]:
    """{footnote id: its paragraphs} of word/footnotes.xml (kept to be written back)."""
    name = "word/footnotes.xml"
    if name not in manuscript._parts:
        if DOCUMENT_RELS in manuscript._parts:
            rels = _parse(manuscript.path, DOCUMENT_RELS, manuscript._parts[DOCUMENT_RELS])
            if any(r.get("Type") == FOOTNOTES_REL and r.get("Target") in ("footnotes.xml",
                   "/word/footnotes.xml") for r in rels):
                raise RefmanError(_missing_footnote(manuscript, ""))
        return {}
    root = _parse(manuscript.path, name, manuscript._parts[name])
    manuscript._trees[name] = root
    _unfold_simple_fields(root)
    notes = root.iter(_w("footnote"))
    return {note.get(_w("id")) or "": list(note.iter(_w("p"))) for note in notes}


def _unfold_simple_fields(root: Any) -> None:
    """Word's simple fields holding a Zotero (or Mendeley) citation or bibliography,
    ``<w:fldSimple w:instr="ADDIN ZOTERO_ITEM CSL_CITATION {...}">`` with its result runs
    inside, made complex fields (begin, code, separate, the same runs, end) as Zotero writes
    them: they are then read, and written back, as every other citation field."""
    for simple in list(root.iter(_w("fldSimple"))):
        code = (simple.get(_w("instr")) or "").strip()
        if not (CITATION_CODE_RE.match(code) or BIBLIOGRAPHY_CODE_RE.match(code)):
            continue
        first = simple.find(_w("r"))
        rpr = first.find(_w("rPr")) if first is not None else None
        runs = []
        for kind in ("begin", "code", "separate"):
            run = etree.Element(_w("r"))
            if rpr is not None:
                run.append(copy.deepcopy(rpr))
            if kind == "code":
                instr = _sub(run, "instrText")
                instr.text = f" {code} "
                instr.set(f"{{{XML_NS}}}space", "preserve")
            else:
                _sub(run, "fldChar", fldCharType=kind)
            runs.append(run)
        runs += [child for child in simple if child.tag != _w("fldData")]
        end = etree.Element(_w("r"))
        _sub(end, "fldChar", fldCharType="end")
        runs.append(end)
        for run in runs:
            simple.addprevious(run)
        end.tail = simple.tail
        simple.getparent().remove(simple)


_Field = tuple[str, list[Any], str, bool]  # code, runs begin..end, result text, ended here


def _collect(manuscript: Manuscript, para: _Paragraph, fields: list[_Field]
             ) -> list[tuple[int, Found]]:
    """The paragraph's fields written before and its typed citations, with their offsets."""
    here: list[tuple[int, Found]] = []
    boxed = any(a.tag == _w("txbxContent") for a in para.element.iterancestors())
    for code, runs, result, _ended in fields:
        if not CITATION_CODE_RE.match(code):
            continue
        found = Found(para.number, result, result, data=_field_json(code, manuscript.path),
                      note=para.note)
        found._anchor = ("field", runs)
        here.append((_offset_of(para, runs[0]), found))
    for start, end, cites in _find_typed(para):
        found = Found(para.number, _context(para.text, start, end), para.text[start:end], cites,
                      note=para.note)
        found._anchor = ("span", para, start, end)
        here.append((start, found))
    for _, found in here:
        found.in_text_box = boxed
    return sorted(here, key=lambda pair: pair[0])


def _offset_of(para: _Paragraph, run: Any) -> int:
    """Where a field's first run sits in the paragraph's text (to order it among typed ones)."""
    return para.run_offsets.get(run, len(para.text))


def _field_json(code: str, path: Path) -> dict[str, Any]:
    start = code.find("{")
    try:
        data = json.loads(code[start : code.rfind("}") + 1])
    except (ValueError, TypeError):
        data = None
    if not isinstance(data, dict):
        raise RefmanError(f"{path}: a Zotero citation field holds JSON that cannot be read.")
    return data


def _docx_runs(paragraph: Any) -> Iterator[Any]:
    """The runs of a paragraph in order, those inside insertions and hyperlinks too; deleted
    text (tracked deletions) is left out."""
    for element in paragraph.iter(_w("r")):
        ancestor = element.getparent()
        if ancestor is not None and ancestor.tag in (_w("del"), _w("moveFrom")):
            continue
        if next(element.iterancestors(_w("p")), None) is not paragraph:
            continue  # a text box's paragraph inside this one: read on its own
        yield element


def _docx_fields(paragraph: Any) -> list[_Field]:
    """The complex fields starting in a paragraph: (code, runs begin..end, result text, ended
    in this paragraph). A field's code may be split over many ``w:instrText`` runs."""
    fields = []
    current: dict[str, Any] | None = None
    depth = 0
    for run in _docx_runs(paragraph):
        char = run.find(_w("fldChar"))
        kind = char.get(_w("fldCharType")) if char is not None else None
        if kind == "begin":
            depth += 1
            if depth == 1:
                current = {"code": "", "runs": [], "result": "", "in_result": False}
        if current is not None:
            current["runs"].append(run)
            if depth == 1 and kind == "separate":
                current["in_result"] = True
            for instr in run.iter(_w("instrText")):
                current["code"] += instr.text or ""
            if current["in_result"]:
                current["result"] += "".join(t.text or "" for t in run.iter(_w("t")))
        if kind == "end":
            depth -= 1
            if depth == 0 and current is not None:
                fields.append((current["code"].strip(), current["runs"], current["result"], True))
                current = None
    if current is not None:
        fields.append((current["code"].strip(), current["runs"], current["result"], False))
    return fields


def _field_ends(paragraph: Any) -> bool:
    return any(c.get(_w("fldCharType")) == "end" for c in paragraph.iter(_w("fldChar")))


def _docx_paragraph(paragraph: Any, number: int) -> _Paragraph:
    """A paragraph's text and where each piece sits; field codes and results are left out
    (``\\x00`` stands for them and for tabs and breaks, so a citation never spans them)."""
    para = _Paragraph(paragraph, number, 0)
    in_field = 0
    parts: list[str] = []
    for run in _docx_runs(paragraph):
        for child in run:
            if child.tag == _w("fldChar"):
                kind = child.get(_w("fldCharType"))
                para.run_offsets.setdefault(run, sum(map(len, parts)))
                in_field += 1 if kind == "begin" else -1 if kind == "end" else 0
                parts.append("\x00")
            elif child.tag == _w("t") and not in_field:
                para.segments.append(_Segment(child, "text", sum(map(len, parts))))
                parts.append(child.text or "")
            elif child.tag == _w("footnoteReference"):
                para.footnotes.append((sum(map(len, parts)), child.get(_w("id")) or ""))
                parts.append("\x00")
            elif child.tag != _w("rPr"):
                parts.append("\x00")
    para.text = "".join(parts)
    return para


# LibreOffice -----------------------------------------------------------------------------------


def _t(tag: str) -> str:
    return f"{{{TEXT}}}{tag}"


_ODT_BREAKS = {_t("s"), _t("tab"), _t("line-break"), _t("note"), _t("reference-mark-start"),
               _t("reference-mark-end"), _t("reference-mark"), _t("bookmark")}


_ODT_SKIPPED = {_t("tracked-changes"), f"{{{OFFICE}}}annotation"}


def _scan_odt(manuscript: Manuscript, root: Any) -> None:
    body = root.find(f"{{{OFFICE}}}body/{{{OFFICE}}}text")
    if body is None:
        raise RefmanError(f"{manuscript.path} is not a text document (no office:text).")
    for section in body.iter(_t("section")):
        if (section.get(_t("name")) or "").startswith("ZOTERO_BIBL"):
            manuscript._bibliography = section
            code = re.sub(r"\s+RND\w+$", "", section.get(_t("name")) or "")
            manuscript.bibliography_code = _kept_bibliography_code(code)
            break
    bibliography_paragraphs = set()
    if manuscript._bibliography is None:
        bibliography_paragraphs = _fieldmark_bibliography(manuscript, body)
    number = 0
    last_note = 0  # the number of the last footnote met so far
    all_notes = list(body.iter(_t("note")))
    endnotes = [n for n in all_notes if n.get(_t("note-class")) == "endnote"]
    # Footnotes and endnotes are numbered apart, as LibreOffice shows them.
    notes = {n: i for i, n in enumerate([n for n in all_notes if n not in endnotes], 1)}
    notes.update({n: i for i, n in enumerate(endnotes, 1)})
    in_endnote = set(endnotes)
    for paragraph in body.iter(_t("p"), _t("h")):
        if manuscript._bibliography is not None and _inside(paragraph, manuscript._bibliography):
            continue
        if paragraph in bibliography_paragraphs:
            continue
        if any(a.tag in _ODT_SKIPPED or a.tag == _t("note") for a in paragraph.iterancestors()):
            continue  # deleted text kept for tracked changes, a comment; a note: read below
        number += 1
        para = _odt_paragraph(paragraph, number, 0)
        if para.text.strip() == BIBLIOGRAPHY_MARKER and manuscript._bibliography is None:
            manuscript._bibliography = paragraph
            continue
        here = _collect_odt(manuscript, para)
        for offset, found in here:
            found.notes_before = max((notes[n] for at, n in para.footnotes
                                      if at < offset and n not in in_endnote), default=last_note)
        for offset, note in para.footnotes:  # a footnote's citations where it is referred to
            if note not in in_endnote:
                last_note = notes[note]
            for note_paragraph in note.iter(_t("p"), _t("h")):
                if any(a.tag in _ODT_SKIPPED for a in note_paragraph.iterancestors()):
                    continue
                note_para = _odt_paragraph(note_paragraph, number, notes[note])
                for _, found in _collect_odt(manuscript, note_para):
                    found.endnote = note in in_endnote
                    here.append((offset, found))
        manuscript.found.extend(found for _, found in sorted(here, key=lambda pair: pair[0]))


def _fieldmark_code(element: Any) -> str:
    """The Word field code a LibreOffice field mark keeps, "ADDIN " left out ("" if none)."""
    for param in element.iter(f"{{{LO_FIELD}}}param"):
        if param.get(f"{{{LO_FIELD}}}name") == FIELD_CODE:
            return re.sub(r"^ADDIN\s+", "", (param.get(f"{{{LO_FIELD}}}value") or "").strip())
    return ""


def _fieldmark_end(start: Any) -> Any:
    """The field mark's end: a sibling after its start (a citation is in one paragraph)."""
    return next((s for s in start.itersiblings(f"{{{LO_FIELD}}}fieldmark-end")), None)


def _fieldmark_bibliography(manuscript: Manuscript, body: Any) -> set[Any]:
    """A Zotero bibliography LibreOffice kept as a field mark (a Word document it opened):
    its paragraphs, from the mark's start to its end, are the bibliography to replace."""
    marks = list(body.iter(f"{{{LO_FIELD}}}fieldmark-start", f"{{{LO_FIELD}}}fieldmark-end"))
    for n, start in enumerate(marks):
        code = _fieldmark_code(start) if start.tag.endswith("start") else ""
        if not BIBLIOGRAPHY_CODE_RE.match(f"ADDIN {code}"):
            continue
        depth = 0
        end = None
        for mark in marks[n + 1 :]:
            depth += 1 if mark.tag.endswith("start") else -1
            if depth < 0:
                end = mark
                break
        first = next(start.iterancestors(_t("p"), _t("h")), None)
        last = next(end.iterancestors(_t("p"), _t("h")), None) if end is not None else None
        if first is None or last is None or first.getparent() is not last.getparent():
            return set()  # not a range of paragraphs: left as it is
        paragraphs = [first]
        if last is not first:
            for sibling in first.itersiblings():
                paragraphs.append(sibling)
                if sibling is last:
                    break
        manuscript._bibliography, manuscript._bibliography_end = first, last
        manuscript.bibliography_code = _kept_bibliography_code(code)
        return set(paragraphs)
    return set()


def _kept_bibliography_code(code: str) -> str:
    """A Zotero bibliography code as found, when it is one whose JSON reads; else refman's."""
    code = code.strip()
    if not re.fullmatch(r"ZOTERO_BIBL \{.*\} CSL_BIBLIOGRAPHY", code, re.S):
        return BIBL_CODE
    try:
        json.loads(code[len("ZOTERO_BIBL ") : -len(" CSL_BIBLIOGRAPHY")])
    except ValueError:
        return BIBL_CODE
    return code


def bibliography_settings(code: str) -> dict[str, list[Any]]:
    """A Zotero bibliography code's settings: its ``uncited``, ``omitted`` and ``custom``
    lists (each present, possibly empty; {} when it holds none)."""
    try:
        data = json.loads(code[len("ZOTERO_BIBL ") : -len(" CSL_BIBLIOGRAPHY")])
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    settings: dict[str, list[Any]] = {}
    for kind in ("uncited", "omitted", "custom"):
        value = data.get(kind)
        settings[kind] = value if isinstance(value, list) else []
    return settings if any(settings.values()) else {}


def _inside(element: Any, container: Any) -> bool:
    return any(a is container for a in element.iterancestors())


def _odt_paragraph(paragraph: Any, number: int, note: int) -> _Paragraph:
    para = _Paragraph(paragraph, number, note)
    parts: list[str] = []

    def add(element: Any, slot: str) -> None:
        para.segments.append(_Segment(element, slot, sum(map(len, parts))))
        parts.append(getattr(element, slot) or "")

    def walk(element: Any) -> None:
        add(element, "text")
        for child in element:
            if (child.tag in _ODT_BREAKS or not isinstance(child.tag, str)
                    or not child.tag.startswith(f"{{{TEXT}}}")):  # a frame, a comment
                if child.tag == _t("note"):
                    para.footnotes.append((sum(map(len, parts)), child))
                parts.append("\x00")
            else:
                walk(child)
            add(child, "tail")

    walk(paragraph)
    para.text = "".join(parts)
    return para


def _collect_odt(manuscript: Manuscript, para: _Paragraph) -> list[tuple[int, Found]]:
    """The paragraph's reference marks written before and its typed citations, with their
    offsets, in order."""
    here: list[tuple[int, Found]] = []
    starts = {}
    for element in para.element.iter(_t("reference-mark-start"), _t("reference-mark-end")):
        name = element.get(_t("name")) or ""
        if not name.startswith(ITEM_CODE) or not _own(para, element):
            continue
        if element.tag == _t("reference-mark-start"):
            starts[name] = element
        elif name in starts:
            start = starts.pop(name)
            result = _text_between(start, element)
            code = re.sub(r"\s+RND\w+$", "", name)
            found = Found(para.number, result, result, data=_field_json(code, manuscript.path),
                          note=para.note)
            found._anchor = ("mark", start, element)
            offset = next((s.start for s in para.segments if s.element is start), 0)
            here.append((offset, found))
    for element in para.element.iter(f"{{{LO_FIELD}}}fieldmark-start"):  # from a Word file
        code = _fieldmark_code(element)
        end = _fieldmark_end(element)
        if not CITATION_CODE_RE.match(f"ADDIN {code}") or end is None or not _own(para, element):
            continue
        result = _text_between(element, end)
        found = Found(para.number, result, result, data=_field_json(code, manuscript.path),
                      note=para.note)
        found._anchor = ("mark", element, end)
        here.append((next((s.start for s in para.segments if s.element is element), 0), found))
    for element in para.element.iter(_t("reference-mark")):  # a collapsed mark: no text
        name = element.get(_t("name")) or ""
        if name.startswith(ITEM_CODE) and _own(para, element):
            found = Found(para.number, "", "", note=para.note,
                          data=_field_json(re.sub(r"\s+RND\w+$", "", name), manuscript.path))
            found._anchor = ("collapsed", element)
            here.append((next((s.start for s in para.segments if s.element is element), 0), found))
    for start_at, end, cites in _find_typed(para):
        found = Found(para.number, _context(para.text, start_at, end), para.text[start_at:end],
                      cites, note=para.note)
        found._anchor = ("span", para, start_at, end)
        here.append((start_at, found))
    boxed = any(a.tag == f"{{{DRAW}}}text-box" for a in para.element.iterancestors())
    for _, found in here:
        found.in_text_box = boxed
    return sorted(here, key=lambda pair: pair[0])


def _own(para: _Paragraph, element: Any) -> bool:
    """Is ``element`` in the paragraph's own text, not in a footnote (or frame) inside it?"""
    return next(element.iterancestors(_t("p"), _t("h")), None) is para.element


def _text_between(start: Any, end: Any) -> str:
    """The text between a reference mark's start and end (siblings in one paragraph)."""
    text = [start.tail or ""]
    for element in start.itersiblings():
        if element is end:
            break
        text.append("".join(element.itertext()))
        text.append(element.tail or "")
    return "".join(text)


def move_into_notes(manuscript: Manuscript) -> int:
    """For a note style: each citation in the body text is to become a footnote of its own at
    its place (as Zotero does); every note number after it shifts. Sets each citation's
    ``note`` to the number its footnote will have and gives the count moved. A citation in a
    text box stays in the text: neither Word nor LibreOffice has footnotes there."""
    moved: list[Found] = []
    for found in manuscript.found:  # in reading order
        if found.endnote:
            continue  # numbered among endnotes: new footnotes do not shift them
        if found.note:
            found.note += sum(1 for m in moved if m.notes_before < found.note)
        elif not found.in_text_box:
            moved.append(found)
            found.into_note = True
            found.note = found.notes_before + len(moved)
    return len(moved)


# Preferences -----------------------------------------------------------------------------------


def _read_style_pref(manuscript: Manuscript) -> tuple[str, str]:
    """The style id and the locale the document's ZOTERO_PREF_n properties name ("" when
    none)."""
    prefs = "".join(value for _, value in sorted(_pref_chunks(manuscript).items()))
    style = re.search(r'<style\s[^>]*>', prefs)
    if style is None:
        return "", ""
    style_id = re.search(r'\bid="([^"]+)"', style.group(0))
    locale = re.search(r'\blocale="([^"]*)"', style.group(0))
    return (
        style_id.group(1).rsplit("/", 1)[-1] if style_id else "",
        locale.group(1) if locale else "",
    )


def _pref_chunks(manuscript: Manuscript) -> dict[int, str]:
    chunks = {}
    if manuscript.kind == DOCX and "docProps/custom.xml" in manuscript._parts:
        name = "docProps/custom.xml"
        root = _parse(manuscript.path, name, manuscript._parts[name])
        for prop in root:
            name = prop.get("name") or ""
            if name.startswith(PREF_NAME) and name[len(PREF_NAME):].isdigit():
                chunks[int(name[len(PREF_NAME):])] = "".join(prop.itertext())
    elif manuscript.kind == ODT and "meta.xml" in manuscript._parts:
        root = _parse(manuscript.path, "meta.xml", manuscript._parts["meta.xml"])
        for prop in root.iter(f"{{{META}}}user-defined"):
            name = prop.get(f"{{{META}}}name") or ""
            if name.startswith(PREF_NAME) and name[len(PREF_NAME):].isdigit():
                chunks[int(name[len(PREF_NAME):])] = prop.text or ""
    return chunks


def preferences(style_id: str, kind: str, locale: str = "") -> str:
    """The document preferences Zotero keeps (its ``ZOTERO_PREF_n`` properties joined)."""
    session = _random_id(8)
    field_type = "Field" if kind == DOCX else "ReferenceMark"
    return (
        f'<data data-version="3" zotero-version="6.0.30"><session id="{session}"/>'
        f'<style id="http://www.zotero.org/styles/{style_id}" locale="{locale or "en-US"}" '
        'hasBibliography="1" bibliographyStyleHasBeenSet="0"/>'
        f'<prefs><pref name="fieldType" value="{field_type}"/></prefs></data>'
    )


def _kept_preferences(manuscript: Manuscript, rendered: Rendered, kind: str) -> str:
    """The document's own preferences with the style and locale used (Zotero's other
    settings, such as the note type refman's LibreOffice extension keeps, stay); new ones
    when it has none."""
    prefs = "".join(value for _, value in sorted(_pref_chunks(manuscript).items()))
    style = re.search(r"<style\s[^>]*>", prefs)
    if style is None or "<data" not in prefs:
        return preferences(rendered.style_id, kind, rendered.locale)
    tag = _set_attribute(style.group(0), "id", f"http://www.zotero.org/styles/{rendered.style_id}")
    tag = _set_attribute(tag, "locale", rendered.locale or "en-US")
    return prefs[: style.start()] + tag + prefs[style.end() :]


def _set_attribute(tag: str, name: str, value: str) -> str:
    value = escape(value, {'"': "&quot;"})
    if re.search(rf'\b{name}="[^"]*"', tag):
        return re.sub(rf'\b{name}="[^"]*"', lambda _m: f'{name}="{value}"', tag, count=1)
    end = -2 if tag.endswith("/>") else -1
    return f'{tag[:end]} {name}="{value}"{tag[end:]}'


def _random_id(length: int) -> str:
    return "".join(random.choices(string.ascii_letters + string.digits, k=length))


# --- writing ---------------------------------------------------------------------------------


@dataclass
class Rendered:
    """What each found citation becomes: its field JSON and its HTML (italics, superscript
    kept as run properties or spans), in the order found; the bibliography's entries in HTML;
    the style id for the preferences."""

    citations: list[tuple[dict[str, Any], str]]
    bibliography: list[str]
    style_id: str
    locale: str = ""


def write(manuscript: Manuscript, rendered: Rendered, out: Path) -> None:
    """Write the formatted copy to ``out`` (through a temporary file in its folder, so that a
    failure leaves no half-written file). RefmanError when it cannot be written."""
    used: set[str] = set()  # the ODF text styles the citations' spans name
    pairs = list(zip(manuscript.found, rendered.citations, strict=True))
    notes = _NewNotes(manuscript) if any(f.into_note for f in manuscript.found) else None
    for found, (data, text) in reversed(pairs):  # the last first: earlier offsets hold
        if found.into_note and notes is not None:
            notes.make(found)  # the citation's place: a new footnote, the field goes inside
        if manuscript.kind == DOCX:
            _write_docx_citation(found, data, text)
        else:
            _write_odt_citation(found, data, text, used)
    # A manuscript citing nothing gets no bibliography, unless it had one (then emptied).
    wanted = bool(rendered.bibliography) or manuscript._bibliography is not None
    if manuscript.kind == DOCX:
        if wanted:
            _write_docx_bibliography(manuscript, rendered.bibliography)
        changed = {"word/document.xml": manuscript._trees["word/document.xml"]}
        if any(found.note for found in manuscript.found):  # else footnotes.xml stays as it was
            changed["word/footnotes.xml"] = manuscript._trees["word/footnotes.xml"]
        if notes is not None:
            changed.update(notes.registered)
        changed.update(_docx_preferences(manuscript, _kept_preferences(manuscript, rendered, DOCX)))
    else:
        if wanted:
            _write_odt_bibliography(manuscript, rendered.bibliography, used)
        _add_odt_styles(manuscript._trees["content.xml"], used)
        if notes is not None:
            _renumber_odt_notes(manuscript._trees["content.xml"])
        changed = {"content.xml": manuscript._trees["content.xml"]}
        changed.update(_odt_preferences(manuscript, _kept_preferences(manuscript, rendered, ODT)))
    _write_zip(manuscript, {name: _serialise(tree) for name, tree in changed.items()}, out)


FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
DOCUMENT_RELS = "word/_rels/document.xml.rels"


class _NewNotes:
    """The footnotes a note style makes of body citations: each citation's place gets a
    footnote reference (Word) or a ``text:note`` (LibreOffice), and the citation is then
    written inside the new note (its anchor is moved there). Word's footnotes part, its
    relationship and content type are made when the document has none."""

    def __init__(self, manuscript: Manuscript) -> None:
        self.manuscript = manuscript
        self.registered: dict[str, Any] = {}  # parts changed to name a new footnotes part
        moving = [found for found in manuscript.found if found.into_note]
        if manuscript.kind == DOCX:
            root = self._footnotes_root()
            taken = [int(n.get(_w("id")) or 0) for n in root.iter(_w("footnote"))
                     if (n.get(_w("id")) or "").lstrip("-").isdigit()]
            first = max([0, *taken]) + 1
            self.root, self.at = root, len(root)  # new notes go after the others
            self.ref_style, self.text_style = _footnote_styles(manuscript)
        else:
            content = manuscript._trees["content.xml"]
            taken_ids = {n.get(_t("id")) for n in content.iter(_t("note"))}
            first = 1
            while any(f"ftn{first + k}" in taken_ids for k in range(len(moving))):
                first += 1
            self.has_footnote_style = b'style:name="Footnote"' in manuscript._parts.get(
                "styles.xml", b"")
        self.ids = {id(found): str(first + k) for k, found in enumerate(moving)}

    def make(self, found: Found) -> None:
        if self.manuscript.kind == DOCX:
            self._make_docx(found)
        else:
            self._make_odt(found)

    def _make_docx(self, found: Found) -> None:
        note_id = self.ids[id(found)]

        def reference(_rpr: Any) -> list[Any]:
            run = etree.Element(_w("r"))
            run.append(self._reference_rpr())
            _sub(run, "footnoteReference", id=note_id)
            return [run]

        _replace_docx(found, reference, trim=True)
        note = etree.Element(_w("footnote"))
        note.set(_w("id"), note_id)
        paragraph = _sub(note, "p")
        if self.text_style:
            _sub(_sub(paragraph, "pPr"), "pStyle", val=self.text_style)
        mark = _sub(paragraph, "r")
        mark.append(self._reference_rpr())
        _sub(mark, "footnoteRef")
        space = _sub(_sub(paragraph, "r"), "t")
        space.text = " "
        space.set(f"{{{XML_NS}}}space", "preserve")
        placeholder = _sub(paragraph, "r")
        self.root.insert(self.at, note)  # the last citation comes first: notes in text order
        found._anchor = ("field", [placeholder])

    def _reference_rpr(self) -> Any:
        rpr = etree.Element(_w("rPr"))
        if self.ref_style:
            _sub(rpr, "rStyle", val=self.ref_style)
        else:
            _sub(rpr, "vertAlign", val="superscript")
        return rpr

    def _make_odt(self, found: Found) -> None:
        number = self.ids[id(found)]
        note = etree.Element(_t("note"))
        note.set(_t("id"), f"ftn{number}")
        note.set(_t("note-class"), "footnote")
        etree.SubElement(note, _t("note-citation")).text = str(found.note)
        paragraph = etree.SubElement(etree.SubElement(note, _t("note-body")), _t("p"))
        if self.has_footnote_style:
            paragraph.set(_t("style-name"), "Footnote")
        _replace_odt(found, [note], trim=True)
        placeholder = etree.SubElement(paragraph, _t("reference-mark"))
        found._anchor = ("collapsed", placeholder)

    def _footnotes_root(self) -> Any:
        """word/footnotes.xml as read, or a new one with Word's two separator notes."""
        name = "word/footnotes.xml"
        if name in self.manuscript._trees:
            return self.manuscript._trees[name]
        root = etree.Element(_w("footnotes"), nsmap={"w": W})
        for number, kind in ((-1, "separator"), (0, "continuationSeparator")):
            note = _sub(root, "footnote", type=kind, id=str(number))
            _sub(_sub(_sub(note, "p"), "r"), kind)
        self.manuscript._trees[name] = root
        self._register_footnotes()
        return root

    def _register_footnotes(self) -> None:
        """The new footnotes part named in the content types and the document's relationships."""
        path, parts = self.manuscript.path, self.manuscript._parts
        types = _tree(self.manuscript, "[Content_Types].xml")
        if not any(o.get("PartName") == "/word/footnotes.xml" for o in types):
            etree.SubElement(types, f"{{{CT}}}Override", PartName="/word/footnotes.xml",
                             ContentType=FOOTNOTES_TYPE)
        self.registered["[Content_Types].xml"] = types
        if DOCUMENT_RELS in parts:
            rels = _parse(path, DOCUMENT_RELS, parts[DOCUMENT_RELS])
        else:
            rels = etree.Element(f"{{{PKG_REL}}}Relationships", nsmap={None: PKG_REL})
        ids = {r.get("Id") for r in rels}
        number = len(ids) + 1
        while f"rId{number}" in ids:
            number += 1
        etree.SubElement(rels, f"{{{PKG_REL}}}Relationship", Id=f"rId{number}",
                         Type=FOOTNOTES_REL, Target="footnotes.xml")
        self.registered[DOCUMENT_RELS] = rels
        if "word/settings.xml" in parts:
            self._name_separators(_tree(self.manuscript, "word/settings.xml"))

    def _name_separators(self, settings: Any) -> None:
        """The separator notes named in the settings' ``w:footnotePr``, as Word (and
        LibreOffice) write them, in the place the schema gives it."""
        if settings.find(_w("footnotePr")) is not None:
            return
        properties = etree.Element(_w("footnotePr"))
        for number in ("-1", "0"):
            _sub(properties, "footnote", id=number)
        later = next((c for c in settings if isinstance(c.tag, str)
                      and etree.QName(c).localname in _AFTER_FOOTNOTE_PR), None)
        if later is not None:
            later.addprevious(properties)
        else:
            settings.append(properties)
        self.registered["word/settings.xml"] = settings


# The elements of Word's settings (CT_Settings) that come after w:footnotePr.
_AFTER_FOOTNOTE_PR = {
    "endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang",
    "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
    "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
    "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator"}


def _footnote_styles(manuscript: Manuscript) -> tuple[str, str]:
    """The style ids of the document's footnote reference (character) and footnote text
    (paragraph) styles, "" for one it does not define (Word's built-in names, any language)."""
    if "word/styles.xml" not in manuscript._parts:
        return "", ""
    root = _parse(manuscript.path, "word/styles.xml", manuscript._parts["word/styles.xml"])
    found: dict[str, str] = {}
    for style in root.iter(_w("style")):
        name = style.find(_w("name"))
        label = (name.get(_w("val")) or "").casefold() if name is not None else ""
        found.setdefault(label, style.get(_w("styleId")) or "")
    return found.get("footnote reference", ""), found.get("footnote text", "")


def _renumber_odt_notes(root: Any) -> None:
    """Each footnote's number (its ``text:note-citation``) in text order, as LibreOffice would
    show it: new notes shift the later ones. A note with its own label keeps it."""
    number = 0
    for note in root.iter(_t("note")):
        if note.get(_t("note-class"), "footnote") != "footnote":
            continue
        citation = note.find(_t("note-citation"))
        if citation is not None and citation.get(_t("label")):
            continue
        number += 1
        if citation is not None:
            citation.text = str(number)


def _tree(manuscript: Manuscript, name: str) -> Any:
    """A part parsed once: changes made to it by one step of the writing are kept for the
    next (the content types name both a new footnotes part and new custom properties)."""
    if name not in manuscript._trees:
        manuscript._trees[name] = _parse(manuscript.path, name, manuscript._parts[name])
    return manuscript._trees[name]


def _serialise(tree: Any) -> bytes:
    if isinstance(tree, bytes):
        return tree
    data: bytes = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)
    return data


def _write_zip(manuscript: Manuscript, changed: dict[str, bytes], out: Path) -> None:
    names = {info.filename for info in manuscript._zip_infos}
    folder = out.parent if str(out.parent) else Path(".")
    try:
        handle, temp = tempfile.mkstemp(prefix=".refman-", suffix=out.suffix, dir=folder)
    except OSError as exc:
        raise RefmanError(f"Cannot write {out}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
            for info in manuscript._zip_infos:  # same order, same compression: mimetype first
                archive.writestr(info, changed.get(info.filename, manuscript._parts[info.filename]))
            for name in sorted(set(changed) - names):
                archive.writestr(name, changed[name], zipfile.ZIP_DEFLATED)
        os.replace(temp, out)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise RefmanError(f"Cannot write {out}: {exc.strerror or exc}") from None


def field_json(
    citation_id: str, items: list[dict[str, Any]], text: str, note: int
) -> dict[str, Any]:
    """A citation's JSON as Zotero writes it (``items``: its citationItems, each with id, uris,
    itemData and the cite's locator, label, prefix, suffix, suppress-author)."""
    return {
        "citationID": citation_id,
        "properties": {"formattedCitation": text, "plainCitation": text, "noteIndex": note},
        "citationItems": items,
        "schema": CSL_CITATION_SCHEMA,
    }


def _code(data: dict[str, Any]) -> str:
    return f"{ITEM_CODE} {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}"


Rich = list[tuple[str, frozenset[str]]]  # pieces of text, each with its marks (i, b, sup...)
_TAG_MARKS = {"i": "i", "em": "i", "b": "b", "strong": "b", "sup": "sup", "sub": "sub"}


class _RichParser(HTMLParser):
    """The engine's HTML (a citation or a bibliography entry) as pieces of marked text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: Rich = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        style = dict(attrs).get("style") or ""
        mark = _TAG_MARKS.get(tag) or ("sc" if "small-caps" in style else "")
        if tag == "span" and "font-style:normal" in style.replace(" ", ""):
            mark = "-i"
        self._open.append(mark)

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()
        if tag == "div" and self.pieces and not self.pieces[-1][0].endswith(" "):
            self.handle_data(" ")  # "1." then the entry: a space, as the text output has

    def handle_data(self, data: str) -> None:
        marks = {m for m in self._open if m and not m.startswith("-")}
        if "-i" in self._open:
            marks.discard("i")
        if data:
            self.pieces.append((data, frozenset(marks)))


def rich(html: str) -> Rich:
    """HTML from the engine as marked pieces; whitespace between its divs dropped."""
    parser = _RichParser()
    parser.feed(re.sub(r"\s*(</?div[^>]*>)\s*", r"\1", html))
    parser.close()
    pieces = parser.pieces
    if pieces and pieces[-1][0].endswith(" "):
        pieces[-1] = (pieces[-1][0].rstrip(), pieces[-1][1])
    return [piece for piece in pieces if piece[0]]


# Word ------------------------------------------------------------------------------------------

# The order Word's schema gives a run's properties (CT_RPr); a mark added keeps it.
_RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike",
    "dstrike", "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish",
    "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u",
    "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout",
    "specVanish", "oMath"]
_RPR_OF_MARK = {"b": ("b", None), "i": ("i", None), "sc": ("smallCaps", None),
                "sup": ("vertAlign", "superscript"), "sub": ("vertAlign", "subscript")}


def _marked_rpr(rpr: Any, marks: frozenset[str]) -> Any:
    """A copy of ``rpr`` (or a new one) with the marks' properties, in the schema's order."""
    new = copy.deepcopy(rpr) if rpr is not None else etree.Element(_w("rPr"))
    for mark in sorted(marks):
        if mark not in _RPR_OF_MARK:
            continue
        tag, value = _RPR_OF_MARK[mark]
        for old in new.findall(_w(tag)):
            new.remove(old)
        element = etree.Element(_w(tag))
        if value:
            element.set(_w("val"), value)
        rank = _RPR_ORDER.index(tag)
        later = next((c for c in new if isinstance(c.tag, str) and c.tag.startswith(f"{{{W}}}")
                      and etree.QName(c).localname in _RPR_ORDER
                      and _RPR_ORDER.index(etree.QName(c).localname) > rank), None)
        if later is not None:
            later.addprevious(element)
        else:
            new.append(element)
    return new if len(new) else None


def _sub(parent: Any, tag: str, **attrs: str) -> Any:
    element = etree.SubElement(parent, _w(tag))
    for name, value in attrs.items():
        element.set(_w(name), value)
    return element


def _field_runs(code: str, result: Rich, rpr: Any, begin: bool = True, end: bool = True
                ) -> list[Any]:
    """The runs of a complex field: begin, the code, separate, the result, end."""
    runs = []

    def run(text: str | None = None, marks: frozenset[str] = frozenset()) -> Any:
        element = etree.Element(_w("r"))
        properties = _marked_rpr(rpr, marks)
        if properties is not None:
            element.append(properties)
        if text is not None:
            t = _sub(element, "t")
            t.text = text
            t.set(f"{{{XML_NS}}}space", "preserve")
        runs.append(element)
        return element

    if begin:
        _sub(run(), "fldChar", fldCharType="begin")
        instr = _sub(run(), "instrText")
        instr.text = f" ADDIN {code} "
        instr.set(f"{{{XML_NS}}}space", "preserve")
        _sub(run(), "fldChar", fldCharType="separate")
    for text, marks in result:
        run(text, marks)
    if end:
        _sub(run(), "fldChar", fldCharType="end")
    return runs


def _write_docx_citation(found: Found, data: dict[str, Any], text: str) -> None:
    def field(rpr: Any) -> list[Any]:
        return _field_runs(_code(data), rich(text), rpr)

    _replace_docx(found, field, trim=_superscript(text))


def _superscript(html: str) -> bool:
    """Whether the citation is all superscript (AMA, Nature, ...): then it sits right after
    the word or the punctuation, so the spaces typed before ``[@key]`` go (as in Zotero's
    documents, where a superscript citation is inserted without one)."""
    text = html.strip()
    return text.startswith("<sup>") and text.endswith("</sup>") and text.count("<sup>") == 1


def _replace_docx(found: Found, make: Any, trim: bool = False) -> None:
    """The citation's runs (a field) or typed text replaced by the runs ``make(rPr)`` gives
    (rPr: the run properties of the text replaced); ``trim``: the spaces before it go too."""
    if found._anchor[0] == "field":
        runs = found._anchor[1]
        before = runs[0].getprevious()
        if trim and before is not None and before.tag == _w("r"):
            texts = before.findall(_w("t"))
            if texts:
                texts[-1].text = (texts[-1].text or "").rstrip()
        for element in make(runs[0].find(_w("rPr"))):
            runs[0].addprevious(element)
        for old in runs:
            old.getparent().remove(old)
        return
    _, para, start, end = found._anchor
    first, last = _segment_at(para, start), _segment_at(para, end - 1)
    first_text, last_text = first.get(), last.get()
    before = first_text[: start - first.start]
    if trim:
        before = before.rstrip()
    after = last_text[end - last.start :]
    run = first.element.getparent()
    rpr = run.find(_w("rPr"))
    for segment in para.segments:
        if first.start < segment.start and segment.start <= last.start and segment is not first:
            segment.set("")
    first.set(before)
    anchor = run
    if last is first:
        if after:
            tail_run = etree.Element(_w("r"))
            if rpr is not None:
                tail_run.append(copy.deepcopy(rpr))
            t = _sub(tail_run, "t")
            t.text = after
            t.set(f"{{{XML_NS}}}space", "preserve")
            for sibling in list(first.element.itersiblings()):
                tail_run.append(sibling)
            run.addnext(tail_run)
    else:
        last.set(after)
    for element in reversed(make(rpr)):
        anchor.addnext(element)
    if not before:
        first.element.getparent().remove(first.element)
    for segment in (first, last):
        if segment.element.getparent() is not None:
            segment.element.set(f"{{{XML_NS}}}space", "preserve")


def _segment_at(para: _Paragraph, offset: int) -> _Segment:
    found = para.segments[0]
    for segment in para.segments:
        if segment.start <= offset:
            found = segment
        if segment.start <= offset < segment.start + len(segment.get()):
            return segment
    return found


def _write_docx_bibliography(manuscript: Manuscript, entries: list[str]) -> None:
    root = manuscript._trees["word/document.xml"]
    body = root.find(_w("body"))
    at, end = manuscript._bibliography, manuscript._bibliography_end
    ppr = at.find(_w("pPr")) if at is not None else None
    paragraphs = []
    lines = entries or [""]
    for number, entry in enumerate(lines):
        paragraph = etree.Element(_w("p"))
        if ppr is not None:
            paragraph.append(copy.deepcopy(ppr))
        for run in _field_runs(manuscript.bibliography_code, rich(entry), None,
                               begin=number == 0,
                               end=number == len(lines) - 1):
            paragraph.append(run)
        paragraphs.append(paragraph)
    if at is None:
        last = body[-1] if len(body) and body[-1].tag == _w("sectPr") else None
        for paragraph in paragraphs:
            if last is not None:
                last.addprevious(paragraph)
            else:
                body.append(paragraph)
        return
    for paragraph in paragraphs:
        at.addprevious(paragraph)
    doomed = [at]
    if end is not None and end is not at:
        for sibling in at.itersiblings():
            doomed.append(sibling)
            if sibling is end:
                break
    for element in doomed:
        element.getparent().remove(element)


def _docx_preferences(manuscript: Manuscript, prefs: str) -> dict[str, Any]:
    """docProps/custom.xml with ZOTERO_PREF_n (other properties kept); the content types and
    the package relationships name the part when it is new."""
    changed: dict[str, Any] = {}
    name = "docProps/custom.xml"
    if name in manuscript._parts:
        root = _parse(manuscript.path, name, manuscript._parts[name])
    else:
        root = etree.Element(f"{{{CUSTOM}}}Properties", nsmap={None: CUSTOM, "vt": VT})
        changed.update(_register_custom(manuscript))
    for prop in list(root):
        if (prop.get("name") or "").startswith(PREF_NAME):
            root.remove(prop)
    pids = [int(p.get("pid") or 1) for p in root]
    pid = max(pids, default=1) + 1
    for number, start in enumerate(range(0, len(prefs), PREF_CHUNK), 1):
        prop = etree.SubElement(root, f"{{{CUSTOM}}}property", fmtid=CUSTOM_FMTID,
                                pid=str(pid), name=f"{PREF_NAME}{number}")
        etree.SubElement(prop, f"{{{VT}}}lpwstr").text = prefs[start : start + PREF_CHUNK]
        pid += 1
    changed[name] = root
    return changed


def _register_custom(manuscript: Manuscript) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    types = _tree(manuscript, "[Content_Types].xml")
    etree.SubElement(types, f"{{{CT}}}Override", PartName="/docProps/custom.xml",
                     ContentType=CUSTOM_TYPE)
    changed["[Content_Types].xml"] = types
    if "_rels/.rels" in manuscript._parts:
        rels = _parse(manuscript.path, "_rels/.rels", manuscript._parts["_rels/.rels"])
    else:
        rels = etree.Element(f"{{{PKG_REL}}}Relationships", nsmap={None: PKG_REL})
    ids = {r.get("Id") for r in rels}
    number = len(ids) + 1
    while f"rId{number}" in ids:
        number += 1
    etree.SubElement(rels, f"{{{PKG_REL}}}Relationship", Id=f"rId{number}", Type=CUSTOM_REL,
                     Target="docProps/custom.xml")
    changed["_rels/.rels"] = rels
    return changed


# LibreOffice -----------------------------------------------------------------------------------


def _mark_name(data: dict[str, Any]) -> str:
    return f"{_code(data)} RND{_random_id(10)}"


_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
_ODT_PROPERTIES = {"i": (_FO, "font-style", "italic"), "b": (_FO, "font-weight", "bold"),
                   "sc": (_FO, "font-variant", "small-caps"),
                   "sup": (_STYLE, "text-position", "super 58%"),
                   "sub": (_STYLE, "text-position", "sub 58%")}


def _odt_style(marks: frozenset[str]) -> str:
    return "refman_" + "_".join(sorted(m for m in marks if m in _ODT_PROPERTIES))


def _odt_pieces(pieces: Rich, used: set[str]) -> tuple[str, list[Any]]:
    """Marked text as ODF: the leading plain text, and spans (each with its plain tail)."""
    leading = ""
    spans: list[Any] = []
    for text, marks in pieces:
        if not {m for m in marks if m in _ODT_PROPERTIES}:
            if spans:
                spans[-1].tail = (spans[-1].tail or "") + text
            else:
                leading += text
            continue
        span = etree.Element(_t("span"))
        span.set(_t("style-name"), _odt_style(marks))
        span.text = text
        used.add(_odt_style(marks))
        spans.append(span)
    return leading, spans


def _add_odt_styles(root: Any, used: set[str]) -> None:
    """The automatic text styles the spans name, added to content.xml once each."""
    office = f"{{{OFFICE}}}"
    styles = root.find(f"{office}automatic-styles")
    if styles is None:
        styles = etree.Element(f"{office}automatic-styles")
        root.find(f"{office}body").addprevious(styles)
    have = {s.get(f"{{{_STYLE}}}name") for s in styles}
    for name in sorted(used - have):
        style = etree.SubElement(styles, f"{{{_STYLE}}}style")
        style.set(f"{{{_STYLE}}}name", name)
        style.set(f"{{{_STYLE}}}family", "text")
        properties = etree.SubElement(style, f"{{{_STYLE}}}text-properties")
        for mark in name.split("_")[1:]:
            namespace, attribute, value = _ODT_PROPERTIES[mark]
            properties.set(f"{{{namespace}}}{attribute}", value)


def _write_odt_citation(found: Found, data: dict[str, Any], text: str, used: set[str]) -> None:
    name = _mark_name(data)
    start_mark = etree.Element(_t("reference-mark-start"))
    start_mark.set(_t("name"), name)
    end_mark = etree.Element(_t("reference-mark-end"))
    end_mark.set(_t("name"), name)
    start_mark.tail, spans = _odt_pieces(rich(text), used)
    _replace_odt(found, [start_mark, *spans, end_mark], trim=_superscript(text))


def _replace_odt(found: Found, elements: list[Any], trim: bool = False) -> None:
    """The citation's reference mark or typed text replaced by ``elements``, siblings in
    order (the first one's tail is its text); ``trim``: the spaces before it go too."""
    kind = found._anchor[0]
    if kind in ("mark", "collapsed"):
        old_start = found._anchor[1]
        old_end = found._anchor[2] if kind == "mark" else old_start
        doomed = [old_start]
        if old_end is not old_start:
            for sibling in old_start.itersiblings():
                doomed.append(sibling)
                if sibling is old_end:
                    break
        elements[-1].tail = (elements[-1].tail or "") + (old_end.tail or "")
        before = old_start.getprevious()
        if trim and before is not None:
            before.tail = (before.tail or "").rstrip()
        elif trim:
            old_start.getparent().text = (old_start.getparent().text or "").rstrip()
        old_start.addprevious(elements[0])
        _close_mark(elements[0], elements[1:-1], elements[-1])
        for element in doomed:
            element.getparent().remove(element)
        return
    _, para, start, end = found._anchor
    first, last = _segment_at(para, start), _segment_at(para, end - 1)
    before = first.get()[: start - first.start]
    if trim:
        before = before.rstrip()
    after = last.get()[end - last.start :]
    for segment in para.segments:
        if first.start < segment.start <= last.start and segment is not first:
            segment.set("")
    if last is first:
        elements[-1].tail = (elements[-1].tail or "") + after
    else:
        last.set(after)
    first.set(before)
    if first.slot == "text":
        first.element.insert(0, elements[0])
    else:
        first.element.addnext(elements[0])
    _close_mark(elements[0], elements[1:-1], elements[-1])


def _close_mark(start_mark: Any, spans: list[Any], end_mark: Any) -> None:
    """The citation's spans after its mark's start, then the end: start and end siblings."""
    last = start_mark
    for span in spans:
        last.addnext(span)
        last = span
    if end_mark is not start_mark:
        last.addnext(end_mark)


def _write_odt_bibliography(manuscript: Manuscript, entries: list[str], used: set[str]) -> None:
    at = manuscript._bibliography
    body = manuscript._trees["content.xml"].find(f"{{{OFFICE}}}body/{{{OFFICE}}}text")
    section = etree.Element(_t("section"))
    section.set(_t("name"), f"{manuscript.bibliography_code} RND{_random_id(10)}")
    style = None
    if at is not None:
        style = at.get(_t("style-name")) if at.tag != _t("section") else next(
            (p.get(_t("style-name")) for p in at.iter(_t("p"))), None)
    for entry in entries or [""]:
        paragraph = etree.SubElement(section, _t("p"))
        if style:
            paragraph.set(_t("style-name"), style)
        paragraph.text, spans = _odt_pieces(rich(entry), used)
        paragraph.extend(spans)
    if at is None:
        body.append(section)
    else:
        if at.tag == _t("section") and at.get(_t("style-name")):
            section.set(_t("style-name"), at.get(_t("style-name")))
        doomed = [at]
        end = manuscript._bibliography_end  # a field mark's last paragraph
        if end is not None and end is not at:
            for sibling in at.itersiblings():
                doomed.append(sibling)
                if sibling is end:
                    break
        section.tail = doomed[-1].tail
        at.addprevious(section)
        for element in doomed:
            element.getparent().remove(element)


def _odt_preferences(manuscript: Manuscript, prefs: str) -> dict[str, Any]:
    """meta.xml with ZOTERO_PREF_n user-defined properties (others kept)."""
    if "meta.xml" not in manuscript._parts:
        return {}  # a document without metadata: its preferences are the defaults
    root = _parse(manuscript.path, "meta.xml", manuscript._parts["meta.xml"])
    meta = root.find(f"{{{OFFICE}}}meta")
    if meta is None:
        meta = etree.SubElement(root, f"{{{OFFICE}}}meta")
    for prop in list(meta.iter(f"{{{META}}}user-defined")):
        if (prop.get(f"{{{META}}}name") or "").startswith(PREF_NAME):
            prop.getparent().remove(prop)
    for number, start in enumerate(range(0, len(prefs), PREF_CHUNK), 1):
        prop = etree.SubElement(meta, f"{{{META}}}user-defined")
        prop.set(f"{{{META}}}name", f"{PREF_NAME}{number}")
        prop.text = prefs[start : start + PREF_CHUNK]
    return {"meta.xml": root}
