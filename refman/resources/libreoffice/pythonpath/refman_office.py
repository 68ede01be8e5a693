"""What refman's Writer commands do (refman_lo.py dispatches here), in LibreOffice's Python.

Citations are reference marks named ``ZOTERO_ITEM CSL_CITATION {json} RND...`` and the
bibliography a text section named ``ZOTERO_BIBL {...} CSL_BIBLIOGRAPHY RND...``, the document's
style in ``ZOTERO_PREF_n`` properties: the fields ``refman format-document`` writes and Zotero's
and Mendeley's plugins read. The running refman does the citing, over loopback:

- Add/Edit Citation asks its picker (``GET /better-bibtex/cayw?format=json``); the items picked
  become a new citation at the cursor, or replace those of the citation the cursor is in;
- in a note style (Chicago's notes), a citation added in the body text goes into a new
  footnote (or endnote, as the document's preferences say) at the cursor, as Zotero does, and
  Document Preferences moves the citations between the text and notes when the kind changes;
- every change ends with a Refresh: all the citations, in document order, those in footnotes
  and endnotes with their note's number, are sent to ``/refman/cite``, which renders them as a
  whole in the document's style and locale (numbers, "ibid", disambiguation), and each mark
  and the bibliography get their new text, its italics, bold, superscript, subscript and small
  capitals as character properties.

refman's port: the one the running refman wrote to its port file (in its cache folder, found
here as platformdirs finds it), else REFMAN_PORT, else 23119. refman not running, or its picker
off, is said in a message box, in plain words.
"""

import json
import os
import random
import re
import string
import sys
import urllib.error
import urllib.parse
import urllib.request
from xml.etree import ElementTree
from xml.sax.saxutils import quoteattr

ITEM_CODE = "ZOTERO_ITEM CSL_CITATION"
BIBL_CODE = 'ZOTERO_BIBL {"uncited":[],"omitted":[],"custom":[]} CSL_BIBLIOGRAPHY'
SCHEMA = "https://github.com/citation-style-language/schema/raw/master/csl-citation.json"
PREF_NAME = "ZOTERO_PREF_"
PREF_CHUNK = 255  # as Zotero splits its preferences
STYLE_URL = "http://www.zotero.org/styles/"
FIELD_TYPE = "ReferenceMark"  # Zotero's name of LibreOffice's citation fields
FOOTNOTES, ENDNOTES = 1, 2  # Zotero's noteType
DEFAULT_PORT = 23119  # refman's picker port unless its port file or REFMAN_PORT says another
PORT_FILE = "citation-picker-port"  # refman.paths.port_file_path's name, in refman's cache
PICK_SECONDS = 600  # the picker open longer: LibreOffice is given back, with a message
PICK_PATH = "/better-bibtex/cayw"
CITE_PATH = "/refman/cite"
PLACEHOLDER = "{refman: citing...}"
NOT_RUNNING = (
    "refman is not answering on port {port}.\n\nStart refman and turn on its citation picker "
    "(Edit > Preferences > Enable the citation picker for editors), then try again."
)
PICK_TOO_LONG = (
    "refman's citation picker was open for {minutes} minutes without an answer: "
    "LibreOffice goes on without the citation. Add it again when you are ready."
)
PARAGRAPH_BREAK = 0  # com.sun.star.text.ControlCharacter.PARAGRAPH_BREAK


class Problem(Exception):
    """Something to tell the user in a message box."""


# --- the commands -----------------------------------------------------------------------------


def run(context, frame, command, given):
    """Run ``command`` (AddCitation, AddBibliography, Refresh, Preferences) on the frame's
    document; any problem is told in a message box, never as a traceback."""
    commands = {"AddCitation": add_citation, "AddBibliography": add_bibliography,
                "Refresh": refresh, "Preferences": preferences}
    try:
        document = frame.getController().getModel()
        if not document.supportsService("com.sun.star.text.TextDocument"):
            raise Problem("refman cites in Writer documents only.")
        undo = document.getUndoManager()
        undo.enterUndoContext(f"refman: {command}")  # one Undo takes the whole command back
        # Fields are updated untracked, as Zotero does: a tracked deletion would leave the old
        # text (and a mark's end) in the document.
        recording = document.RecordChanges
        document.RecordChanges = False
        try:
            commands[command](context, frame, document, given)
        finally:
            document.RecordChanges = recording
            undo.leaveUndoContext()
    except Problem as exc:
        tell(context, frame, str(exc))
    except Exception as exc:  # a bug: said plainly, LibreOffice goes on
        tell(context, frame, f"refman's extension could not do that: {exc}")


def add_citation(context, frame, document, given):
    """The items picked in refman: a new citation at the cursor (in a new footnote or endnote
    when the style is a note style and the cursor is in the body text), or the cursor's
    citation's."""
    picks = _ask(PICK_PATH, {"format": "json"}, timeout=PICK_SECONDS)
    if not picks.strip():
        return  # the pick was cancelled
    items = [picked_item(pick) for pick in json.loads(picks)]
    view = frame.getController().getViewCursor()
    current = _mark_at(document, view)
    if current is not None:  # its items replaced once refman has rendered them: on a
        # refusal, the citation stays as it was, formatting and all
        edited = dict(citation_data(current.getName()), citationItems=items)
        refresh(context, frame, document, given, {current.getName(): edited})
        return
    data = {"citationID": _random(8), "properties": {"noteIndex": 0},
            "citationItems": items, "schema": SCHEMA}
    text = view.getText()
    cursor = text.createTextCursorByRange(view.getEnd())
    note = None
    note_type = _note_type(document)
    if note_type and not _in_note(text):
        kind = "Endnote" if note_type == ENDNOTES else "Footnote"
        note = document.createInstance(f"com.sun.star.text.{kind}")
        text.insertTextContent(cursor, note, False)
        text, cursor = note, note.createTextCursor()
    mark = _insert_mark(document, text, cursor, _plain(PLACEHOLDER), data)
    try:
        refresh(context, frame, document, given)
    except Exception:
        _remove(mark)  # nothing half-done stays in the text
        if note is not None:
            note.getAnchor().getText().removeTextContent(note)
        raise


def add_bibliography(context, frame, document, given):
    """A bibliography section at the cursor (when the document has none), then a refresh."""
    if _bibliography(document) is None:
        view = frame.getController().getViewCursor()
        text = view.getText()
        cursor = text.createTextCursorByRange(view.getEnd())
        text.insertControlCharacter(cursor, PARAGRAPH_BREAK, False)
        section = document.createInstance("com.sun.star.text.TextSection")
        section.setName(f"{BIBL_CODE} RND{_random(10)}")
        text.insertTextContent(cursor, section, False)
    refresh(context, frame, document, given)


def refresh(context, frame, document, given, edits=None):
    """Every citation and the bibliography rendered again by refman, in document order, in
    the document's style and locale (``edits``: {mark name: its new citation JSON}). Nothing
    changes before refman has answered."""
    marks = citation_marks(document)
    section = _bibliography(document)
    if not marks and section is None:
        return
    prefs = read_prefs(document)
    edits = edits or {}
    citations = [_request_citation(edits.get(mark.getName()) or citation_data(mark.getName()),
                                   note) for mark, note in marks]
    query = {"citations": json.dumps(citations, separators=(",", ":"))}
    query.update({name: prefs[name] for name in ("style", "locale") if prefs[name]})
    answer = json.loads(_ask(CITE_PATH, query, timeout=60))
    for (mark, _), rendered in zip(marks, answer["citations"], strict=True):
        _replace(document, mark, rendered.get("runs") or _plain(rendered["text"]),
                 rendered["field"])
    if section is not None:
        runs = answer.get("bibliography_runs") or [_plain(e) for e in answer["bibliography"]]
        _fill(section, runs)
    write_prefs(document, answer["style"], prefs["locale"], _kept_note_type(answer, prefs))


def preferences(context, frame, document, given):
    """The document's citation style, locale and, for a note style, footnotes or endnotes
    (given as ``Style``, ``Locale``, ``NoteType``: footnotes or endnotes; else asked in a small
    dialog), then a refresh in them."""
    old = read_prefs(document)
    if not {"Style", "Locale", "NoteType"} & set(given):
        given = _ask_preferences(context, frame, old)
        if given is None:
            return  # cancelled
    style = str(given.get("Style", old["style"]) or "").strip()
    locale = str(given.get("Locale", old["locale"]) or "").strip()
    note_type = _note_type_named(given.get("NoteType"), old["noteType"])
    if (style, locale, note_type) == (old["style"], old["locale"], old["noteType"]):
        return
    chunks = _pref_chunks(document)
    write_prefs(document, style or old["style"], locale, note_type)
    try:
        if not citation_marks(document) and _bibliography(document) is None:
            _describe(document)  # nothing to refresh: the style is checked all the same
        refresh(context, frame, document, given)
    except Exception:  # an unknown style or locale: the document keeps its own
        _restore_prefs(document, chunks)
        raise
    if convert_citations(document, read_prefs(document)["noteType"] or 0):
        refresh(context, frame, document, given)  # the notes' numbers have changed


def convert_citations(document, note_type):
    """Citations moved to where the style wants them, as Zotero's plugin moves them: into a
    new footnote or endnote of their own (``note_type``) from the body text, into a note of
    the other kind, or (0: a style without notes) out of a note that holds nothing else, to
    its anchor. A note with text of its own besides the citation stays. True when any moved."""
    moved = False
    for mark, _, note in _marks_with_notes(document):
        alone = note is not None and note.getString().strip() == \
            mark.getAnchor().getString().strip()
        if note_type and note is None:
            _into_note(document, mark, note_type)
        elif note_type and alone and _is_endnote(note) != (note_type == ENDNOTES):
            _into_note(document, _out_of_note(document, mark, note), note_type)
        elif not note_type and alone:
            _out_of_note(document, mark, note)
        else:
            continue
        moved = True
    return moved


def _into_note(document, mark, note_type):
    """The citation moved into a new note of its own at its place in the text."""
    anchor = mark.getAnchor()
    text, runs, data = anchor.getText(), _plain(anchor.getString()), citation_data(mark.getName())
    cursor = text.createTextCursorByRange(anchor)
    text.removeTextContent(mark)
    cursor.setString("")
    kind = "Endnote" if note_type == ENDNOTES else "Footnote"
    note = document.createInstance(f"com.sun.star.text.{kind}")
    text.insertTextContent(cursor, note, False)
    return _insert_mark(document, note, note.createTextCursor(), runs, data)


def _out_of_note(document, mark, note):
    """The citation put where its note's anchor is, the note taken out."""
    runs, data = _plain(mark.getAnchor().getString()), citation_data(mark.getName())
    anchor = note.getAnchor()
    text = anchor.getText()
    cursor = text.createTextCursorByRange(anchor.getStart())
    text.removeTextContent(note)
    return _insert_mark(document, text, cursor, runs, data)


def _describe(document):
    """The document's preferences as refman reads them (its style's id, a note style or not),
    asked with no citations: before the first citation of a document, where it goes depends
    on them."""
    prefs = read_prefs(document)
    query = {"citations": "[]"}
    query.update({name: prefs[name] for name in ("style", "locale") if prefs[name]})
    answer = json.loads(_ask(CITE_PATH, query, timeout=60))
    write_prefs(document, answer["style"], prefs["locale"], _kept_note_type(answer, prefs))


def _note_type(document):
    """FOOTNOTES or ENDNOTES in a note style, 0 in another (asked of refman when the
    preferences do not say: a document it has not seen yet)."""
    prefs = read_prefs(document)
    if not prefs["style"] or prefs["noteType"] is None:
        _describe(document)
        prefs = read_prefs(document)
    return prefs["noteType"] or 0


def _kept_note_type(answer, prefs):
    """The note type to keep for the style refman answered: the document's (footnotes when
    it has none) in a note style, none in another."""
    if not answer.get("note"):
        return 0
    return prefs["noteType"] if prefs["noteType"] in (FOOTNOTES, ENDNOTES) else FOOTNOTES


def _note_type_named(value, default):
    if value is None:
        return default
    named = str(value).strip().lower()
    if named in ("1", "footnote", "footnotes"):
        return FOOTNOTES
    if named in ("2", "endnote", "endnotes"):
        return ENDNOTES
    raise Problem(f"'{value}' is not a kind of note: say footnotes or endnotes.")


# --- the fields ---------------------------------------------------------------------------------


def citation_marks(document):
    """The document's citation marks (ZOTERO_ITEM) in the order of the text, each with the
    number of the note it sits in (0: the body text): the body's paragraphs, its tables'
    cells, and each footnote's or endnote's text where the note's anchor is (footnotes and
    endnotes numbered apart, as LibreOffice numbers them)."""
    return [(mark, number) for mark, number, _ in _marks_with_notes(document)]


def _marks_with_notes(document):
    """citation_marks, each with its note too (None in the body text)."""
    found, seen, counted = [], set(), {"footnote": 0, "endnote": 0}

    def walk(text, number, note):
        for paragraph in _paragraphs(text):
            portions = paragraph.createEnumeration()
            while portions.hasMoreElements():
                portion = portions.nextElement()
                kind = portion.TextPortionType
                if kind == "ReferenceMark":
                    mark = portion.ReferenceMark
                    name = mark.getName()
                    if name.startswith(ITEM_CODE) and name not in seen:
                        seen.add(name)
                        found.append((mark, number, note))
                elif kind == "Footnote" and note is None:
                    footnote = portion.Footnote
                    which = "endnote" if _is_endnote(footnote) else "footnote"
                    counted[which] += 1
                    walk(footnote, counted[which], footnote)

    walk(document.getText(), 0, None)
    return found


def _is_endnote(note):
    return note.supportsService("com.sun.star.text.Endnote")


def _in_note(text):
    """Is this text (the view cursor's) a footnote's or an endnote's?"""
    try:
        return bool(text.supportsService("com.sun.star.text.Footnote")
                    or text.supportsService("com.sun.star.text.Endnote"))
    except Exception:
        return False


def citation_data(name):
    """The citation JSON in a mark's name (between the code and `` RND...``)."""
    code = name[len(ITEM_CODE):].strip()
    end = code.rfind(" RND")
    try:
        return json.loads(code[:end] if end > 0 else code)
    except ValueError:
        raise Problem("A citation in this document is damaged (its field is not JSON): "
                      "delete it and add it again.") from None


def mark_name(data):
    return f"{ITEM_CODE} {json.dumps(data, ensure_ascii=False, separators=(',', ':'))} " \
           f"RND{_random(10)}"


def _paragraphs(text):
    walk = text.createEnumeration()
    while walk.hasMoreElements():
        element = walk.nextElement()
        if element.supportsService("com.sun.star.text.Paragraph"):
            yield element
        elif element.supportsService("com.sun.star.text.TextTable"):
            for name in element.getCellNames():
                yield from _paragraphs(element.getCellByName(name).getText())


def _request_citation(data, note=0):
    """What /refman/cite needs of a citation: its id, its note's number and each item's key,
    identifiers and locator (the items' data stays in the document)."""
    items = []
    for entry in data.get("citationItems") or []:
        item_data = entry.get("itemData") or {}
        cite = {"key": item_data.get("citation-key") or item_data.get("citationKey"),
                "DOI": item_data.get("DOI"), "PMID": item_data.get("PMID"),
                "title": item_data.get("title"), "uris": entry.get("uris")}
        for name in ("locator", "label", "prefix", "suffix", "suppress-author"):
            cite[name] = entry.get(name)
        items.append({name: value for name, value in cite.items() if value})
    return {"citationID": data.get("citationID"), "note": note, "items": items}


def picked_item(pick):
    """A picked item (Better BibTeX's json) as a citationItem, with the locator and its
    label, prefix, suffix and "omit author" picked with it, named as Zotero names them."""
    item_data = dict(pick.get("itemData") or {})
    item_data["citation-key"] = pick.get("citekey") or pick.get("citationKey")
    item = {"id": pick.get("id"), "itemData": item_data}
    if pick.get("locator"):
        item["locator"] = str(pick["locator"])
        item["label"] = pick.get("label") or "page"
    for name in ("prefix", "suffix"):
        if pick.get(name):
            item[name] = pick[name]
    if pick.get("suppressAuthor"):
        item["suppress-author"] = True
    return item


# --- rich text: the runs refman answers, as character properties ---------------------------------

# A mark of the engine's (manuscript.rich) and the character properties it sets; every other
# one of these properties is set back to the paragraph's, so that a citation written after
# italic or superscript text does not take them on.
_DEFAULTED = ("CharPosture", "CharWeight", "CharEscapement", "CharEscapementHeight",
              "CharCaseMap")
BOLD, SMALL_CAPS = 150.0, 4  # com.sun.star.awt.FontWeight.BOLD, style.CaseMap.SMALLCAPS
SUPER, SUB, SMALLER = 33, -33, 58  # escapement and height (%), LibreOffice's own


def _plain(text):
    return [[text, []]]


def _units(text):
    """The length of ``text`` as LibreOffice counts (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def char_properties(marks):
    """{property: value} of the character properties a run with ``marks`` sets (the italic
    slant is named: the caller turns it into LibreOffice's enum)."""
    chosen = {}
    if "i" in marks:
        chosen["CharPosture"] = "ITALIC"
    if "b" in marks:
        chosen["CharWeight"] = BOLD
    if "sc" in marks:
        chosen["CharCaseMap"] = SMALL_CAPS
    if "sup" in marks or "sub" in marks:
        chosen["CharEscapement"] = SUPER if "sup" in marks else SUB
        chosen["CharEscapementHeight"] = SMALLER
    return chosen


def _format(cursor, marks):
    chosen = char_properties(marks)
    for name in _DEFAULTED:
        if name not in chosen:
            cursor.setPropertyToDefault(name)
    for name, value in chosen.items():
        if name == "CharPosture":
            import uno  # LibreOffice's: imported where used, the module stays testable

            value = uno.Enum("com.sun.star.awt.FontSlant", value)
        cursor.setPropertyValue(name, value)


def _insert_runs(text, cursor, runs):
    """The runs' text at the cursor, each run formatted; a cursor over the whole of it."""
    whole = "".join(piece for piece, _ in runs)
    text.insertString(cursor, whole, False)
    cursor.goLeft(_units(whole), True)
    run = text.createTextCursorByRange(cursor.getStart())
    for piece, marks in runs:
        run.goRight(_units(piece), True)
        _format(run, marks)
        run.collapseToEnd()
    return cursor


def _insert_mark(document, text, cursor, runs, data):
    cursor = _insert_runs(text, cursor, runs)
    mark = document.createInstance("com.sun.star.text.ReferenceMark")
    mark.setName(mark_name(data))
    text.insertTextContent(cursor, mark, True)
    return mark


def _replace(document, mark, runs, data):
    """The mark's text and name made new (a mark's name cannot change: a new mark is put over
    the new text, so that it has a start and an end around it)."""
    anchor = mark.getAnchor()
    text = anchor.getText()
    cursor = text.createTextCursorByRange(anchor)
    text.removeTextContent(mark)
    cursor.setString("")
    return _insert_mark(document, text, cursor, runs, data)


def _remove(mark):
    anchor = mark.getAnchor()
    text = anchor.getText()
    cursor = text.createTextCursorByRange(anchor)
    text.removeTextContent(mark)
    cursor.setString("")


def _mark_at(document, view):
    """The citation mark the view cursor is in, or None."""
    for mark, _ in citation_marks(document):
        anchor = mark.getAnchor()
        text = anchor.getText()
        try:
            starts = text.compareRegionStarts(anchor, view.getStart())
            ends = text.compareRegionEnds(anchor, view.getStart())
        except Exception:  # another text (a cell, a footnote): not this one
            continue
        if starts >= 0 and ends <= 0:  # the mark starts before the cursor, ends after it
            return mark
    return None


def _bibliography(document):
    sections = document.getTextSections()
    for name in sections.getElementNames():
        if name.startswith("ZOTERO_BIBL"):
            return sections.getByName(name)
    return None


def _fill(section, entries):
    """The bibliography section's paragraphs: one per entry (its runs)."""
    anchor = section.getAnchor()
    text = anchor.getText()
    cursor = text.createTextCursorByRange(anchor)
    cursor.setString("")
    for number, runs in enumerate(entries or [_plain("")]):
        if number:
            text.insertControlCharacter(cursor, PARAGRAPH_BREAK, False)
        cursor = _insert_runs(text, cursor, runs)
        cursor.collapseToEnd()


# --- the document's preferences ----------------------------------------------------------------


def parse_prefs(joined):
    """{style, locale, noteType, session, prefs} of Zotero's preferences XML (the
    ZOTERO_PREF_n properties joined): the style's id without Zotero's URL, "" or None for
    what it does not say, ``prefs`` every <pref> (kept when written again)."""
    found = {"style": "", "locale": "", "noteType": None, "session": "", "prefs": {}}
    try:
        root = ElementTree.fromstring(joined) if joined.strip() else None
    except ElementTree.ParseError:
        root = None
    if root is None:
        match = re.search(r'<style\s[^>]*\bid="([^"]+)"', joined)  # damaged: the style at least
        found["style"] = match.group(1).rsplit("/", 1)[-1] if match else ""
        return found
    style, session = root.find("style"), root.find("session")
    if style is not None:
        found["style"] = (style.get("id") or "").rstrip("/").rsplit("/", 1)[-1]
        found["locale"] = style.get("locale") or ""
    if session is not None:
        found["session"] = session.get("id") or ""
    for pref in root.iter("pref"):
        if pref.get("name"):
            found["prefs"][pref.get("name")] = pref.get("value") or ""
    note = found["prefs"].get("noteType", "")
    found["noteType"] = int(note) if note in ("0", "1", "2") else None
    return found


def prefs_xml(style, locale, note_type, session, kept=None):
    """Zotero's preferences XML (data-version 3, as its LibreOffice plugin writes it): the
    style as Zotero's URL, its locale, the field type and noteType (1 footnotes, 2 endnotes,
    0 in a style without notes);
    ``kept``: the document's other <pref>s (Zotero's own), written again as they were."""
    prefs = dict(kept or {})
    prefs["fieldType"] = FIELD_TYPE
    # 0 in another style, as Zotero wrote it before it left empty values out: the extension
    # then knows the style's kind without asking refman.
    prefs["noteType"] = str(note_type or 0)
    written = "".join(f"<pref name={quoteattr(name)} value={quoteattr(value)}/>"
                      for name, value in prefs.items() if value)
    locale_attr = f" locale={quoteattr(locale)}" if locale else ""
    return (f'<data data-version="3" zotero-version="6.0.30"><session id={quoteattr(session)}/>'
            f"<style id={quoteattr(STYLE_URL + style)}{locale_attr} "
            'hasBibliography="1" bibliographyStyleHasBeenSet="0"/>'
            f"<prefs>{written}</prefs></data>")


def read_prefs(document):
    """The document's preferences (parse_prefs), read again at every command."""
    return parse_prefs("".join(value for _, value in sorted(_pref_chunks(document).items())))


def read_style(document):
    """The style id the ZOTERO_PREF_n properties name, "" when none."""
    return read_prefs(document)["style"]


def write_prefs(document, style_id, locale="", note_type=0):
    """The ZOTERO_PREF_n properties for the style, locale and note type (the document's
    session and other preferences kept)."""
    old = read_prefs(document)
    xml = prefs_xml(style_id, locale, note_type, old["session"] or _random(8), old["prefs"])
    _write_chunks(document, xml)


def _write_chunks(document, xml):
    _clear_style(document)
    user = document.getDocumentProperties().getUserDefinedProperties()
    for number, start in enumerate(range(0, len(xml), PREF_CHUNK), 1):
        user.addProperty(f"{PREF_NAME}{number}", 128, xml[start:start + PREF_CHUNK])


def _restore_prefs(document, chunks):
    if chunks:
        _write_chunks(document, "".join(value for _, value in sorted(chunks.items())))
    else:
        _clear_style(document)


def _clear_style(document):
    user = document.getDocumentProperties().getUserDefinedProperties()
    for number in _pref_chunks(document):
        user.removeProperty(f"{PREF_NAME}{number}")


def _pref_chunks(document):
    user = document.getDocumentProperties().getUserDefinedProperties()
    chunks = {}
    for prop in user.getPropertySetInfo().getProperties():
        number = prop.Name[len(PREF_NAME):]
        if prop.Name.startswith(PREF_NAME) and number.isdigit():
            chunks[int(number)] = str(user.getPropertyValue(prop.Name))
    return chunks


# --- talking to refman, and to the user ----------------------------------------------------------


def cache_folder(environ=None, platform=None, home=None):
    """refman's cache folder as platformdirs.user_cache_path("refman", appauthor=False)
    finds it (LibreOffice's Python has no platformdirs): where refman writes its port."""
    environ = os.environ if environ is None else environ
    platform = platform or sys.platform
    home = home or os.path.expanduser("~")
    if platform.startswith("win"):
        local = environ.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local")
        return os.path.join(local, "refman", "Cache")
    if platform == "darwin":
        return os.path.join(home, "Library", "Caches", "refman")
    base = environ.get("XDG_CACHE_HOME", "").strip() or os.path.join(home, ".cache")
    return os.path.join(base, "refman")


def port_from_file(folder=None):
    """The port the running refman wrote to its port file, None when there is none (refman
    not running, or it stopped without removing it: its process is gone)."""
    path = os.path.join(folder or cache_folder(), PORT_FILE)
    try:
        with open(path, encoding="utf-8") as handle:
            written = json.load(handle)
        found, pid = int(written["port"]), int(written.get("pid") or 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not 0 < found < 65536:
        return None
    if pid and hasattr(os, "kill") and not sys.platform.startswith("win"):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None  # a refman that ended without removing it
        except OSError:
            pass  # another user's process: alive
    return found


def port():
    found = port_from_file()
    if found:
        return found
    given = os.environ.get("REFMAN_PORT", "")
    return int(given) if given.isdigit() else DEFAULT_PORT


def _ask(path, query, timeout):
    """refman's answer to ``GET path?query`` on the loopback port; Problem when it is not
    running or refuses (its words), or, for the picker, when no answer came in time."""
    where = port()
    url = f"http://127.0.0.1:{where}{path}?{urllib.parse.urlencode(query)}"
    request = urllib.request.Request(url, headers={"User-Agent": "refman-libreoffice/1.0"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        said = exc.read().decode("utf-8", "replace").strip()
        raise Problem(f"refman could not do that: {said or exc.reason}") from None
    except TimeoutError:
        if path == PICK_PATH:
            raise Problem(PICK_TOO_LONG.format(minutes=round(timeout / 60))) from None
        raise Problem(f"refman did not answer within {timeout} seconds: try again.") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError) and path == PICK_PATH:
            raise Problem(PICK_TOO_LONG.format(minutes=round(timeout / 60))) from None
        raise Problem(NOT_RUNNING.format(port=where)) from None
    except OSError:
        raise Problem(NOT_RUNNING.format(port=where)) from None


def tell(context, frame, message):
    """A message box (or, for the tests, a line in the file REFMAN_LO_MESSAGES names)."""
    log = os.environ.get("REFMAN_LO_MESSAGES")
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(json.dumps(message) + "\n")
        return
    toolkit = context.ServiceManager.createInstanceWithContext("com.sun.star.awt.Toolkit",
                                                               context)
    import uno  # LibreOffice's: imported where used, the module stays testable

    kind = uno.Enum("com.sun.star.awt.MessageBoxType", "INFOBOX")
    box = toolkit.createMessageBox(frame.getContainerWindow(), kind, 1, "refman", message)
    box.execute()


def _ask_preferences(context, frame, current):
    """{Style, Locale, NoteType} typed and chosen in a small dialog (None when cancelled)."""
    manager = context.ServiceManager
    model = manager.createInstanceWithContext("com.sun.star.awt.UnoControlDialogModel", context)
    model.Width, model.Height, model.Title = 220, 130, "refman: Document Preferences"
    notes = ("Footnotes", "Endnotes")
    chosen = 1 if current["noteType"] == ENDNOTES else 0
    parts = [("label", "FixedText", (8, 8, 204, 12), {"Label": "Citation style (its id, "
                                                      "e.g. apa, nature, vancouver):"}),
             ("style", "Edit", (8, 22, 204, 14), {"Text": current["style"]}),
             ("locale_label", "FixedText", (8, 42, 204, 12),
              {"Label": "Language (e.g. en-US, en-GB, de-DE, fr-FR; empty: the style's):"}),
             ("locale", "Edit", (8, 56, 204, 14), {"Text": current["locale"]}),
             ("notes_label", "FixedText", (8, 76, 204, 12),
              {"Label": "In a note style, citations go into:"}),
             ("notes", "ListBox", (8, 90, 204, 14), {"StringItemList": notes, "Dropdown": True,
                                                     "SelectedItems": (chosen,)}),
             ("ok", "Button", (110, 110, 50, 14), {"Label": "OK", "PushButtonType": 1,
                                                   "DefaultButton": True}),
             ("cancel", "Button", (164, 110, 50, 14), {"Label": "Cancel", "PushButtonType": 2})]
    for name, kind, (x, y, width, height), values in parts:
        control = model.createInstance(f"com.sun.star.awt.UnoControl{kind}Model")
        control.PositionX, control.PositionY, control.Width, control.Height = x, y, width, height
        for key, value in values.items():
            setattr(control, key, value)
        model.insertByName(name, control)
    dialog = manager.createInstanceWithContext("com.sun.star.awt.UnoControlDialog", context)
    dialog.setModel(model)
    dialog.createPeer(manager.createInstanceWithContext("com.sun.star.awt.Toolkit", context),
                      frame.getContainerWindow())
    try:
        if dialog.execute() != 1:
            return None
        picked = dialog.getControl("notes").getSelectedItemPos()
        return {"Style": dialog.getControl("style").getText().strip(),
                "Locale": dialog.getControl("locale").getText().strip(),
                "NoteType": ENDNOTES if picked == 1 else FOOTNOTES}
    finally:
        dialog.dispose()


def _random(length):
    return "".join(random.choices(string.ascii_letters + string.digits, k=length))
