"""What refman's Writer commands do (refman_lo.py dispatches here), in LibreOffice's Python.

Citations are reference marks named ``ZOTERO_ITEM CSL_CITATION {json} RND...`` and the
bibliography a text section named ``ZOTERO_BIBL {...} CSL_BIBLIOGRAPHY RND...``, the document's
style in ``ZOTERO_PREF_n`` properties: the fields ``refman format-document`` writes and Zotero's
and Mendeley's plugins read. The running refman does the citing, over loopback:

- Add/Edit Citation asks its picker (``GET /better-bibtex/cayw?format=json``); the items picked
  become a new citation at the cursor, or replace those of the citation the cursor is in;
- every change ends with a Refresh: all the citations, in document order, are sent to
  ``/refman/cite``, which renders them as a whole in the document's style (numbers, "ibid",
  disambiguation), and each mark and the bibliography get their new text.

refman not running, or its picker off, is said in a message box, in plain words.
"""

import json
import os
import random
import re
import string
import urllib.error
import urllib.parse
import urllib.request

import uno

ITEM_CODE = "ZOTERO_ITEM CSL_CITATION"
BIBL_CODE = 'ZOTERO_BIBL {"uncited":[],"omitted":[],"custom":[]} CSL_BIBLIOGRAPHY'
SCHEMA = "https://github.com/citation-style-language/schema/raw/master/csl-citation.json"
PREF_NAME = "ZOTERO_PREF_"
PREF_CHUNK = 255  # as Zotero splits its preferences
DEFAULT_PORT = 23119  # refman's picker port unless REFMAN_PORT says another
PICK_PATH = "/better-bibtex/cayw"
CITE_PATH = "/refman/cite"
PLACEHOLDER = "{refman: citing...}"
NOT_RUNNING = (
    "refman is not answering on port {port}.\n\nStart refman and turn on its citation picker "
    "(Edit > Preferences > Enable the citation picker for editors), then try again."
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
    """The items picked in refman: a new citation at the cursor, or the cursor's citation's."""
    picks = _ask(PICK_PATH, {"format": "json"}, timeout=None)  # the user picks: no hurry
    if not picks.strip():
        return  # the pick was cancelled
    items = [_picked_item(pick) for pick in json.loads(picks)]
    view = frame.getController().getViewCursor()
    current = _mark_at(document, view)
    if current is not None:
        before = current.getAnchor().getString(), citation_data(current.getName())
        mark = _replace(document, current, PLACEHOLDER, dict(before[1], citationItems=items))
        try:
            refresh(context, frame, document, given)
        except Exception:
            _replace(document, mark, *before)  # the citation as it was
            raise
        return
    data = {"citationID": _random(8), "properties": {"noteIndex": 0},
            "citationItems": items, "schema": SCHEMA}
    text = view.getText()
    cursor = text.createTextCursorByRange(view.getEnd())
    mark = _insert_mark(document, text, cursor, PLACEHOLDER, data)
    try:
        refresh(context, frame, document, given)
    except Exception:
        _remove(mark)  # nothing half-done stays in the text
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


def refresh(context, frame, document, given):
    """Every citation and the bibliography rendered again by refman, in document order."""
    marks = citation_marks(document)
    section = _bibliography(document)
    if not marks and section is None:
        return
    citations = [_request_citation(citation_data(mark.getName())) for mark in marks]
    query = {"citations": json.dumps(citations, separators=(",", ":"))}
    if read_style(document):
        query["style"] = read_style(document)
    answer = json.loads(_ask(CITE_PATH, query, timeout=60))
    for mark, rendered in zip(marks, answer["citations"], strict=True):
        _replace(document, mark, rendered["text"], rendered["field"])
    if section is not None:
        _fill(section, answer["bibliography"])
    write_style(document, answer["style"])


def preferences(context, frame, document, given):
    """The document's citation style (given as ``Style``, or asked in a small dialog)."""
    old = read_style(document)
    style = given.get("Style")
    if style is None:
        style = _ask_style(context, frame, old)
    if not style or style == old:
        return
    write_style(document, style)
    try:
        refresh(context, frame, document, given)
    except Exception:  # an unknown style: the document keeps its own
        if old:
            write_style(document, old)
        else:
            _clear_style(document)
        raise


# --- the fields ---------------------------------------------------------------------------------


def citation_marks(document):
    """The document's citation marks (ZOTERO_ITEM), in the order of the text: the body's
    paragraphs and its tables' cells."""
    marks, seen = [], set()
    for paragraph in _paragraphs(document.getText()):
        portions = paragraph.createEnumeration()
        while portions.hasMoreElements():
            portion = portions.nextElement()
            if portion.TextPortionType != "ReferenceMark":
                continue
            mark = portion.ReferenceMark
            name = mark.getName()
            if name.startswith(ITEM_CODE) and name not in seen:
                seen.add(name)
                marks.append(mark)
    return marks


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


def _request_citation(data):
    """What /refman/cite needs of a citation: its id and each item's key, identifiers and
    locator (the items' data stays in the document)."""
    items = []
    for entry in data.get("citationItems") or []:
        item_data = entry.get("itemData") or {}
        cite = {"key": item_data.get("citation-key") or item_data.get("citationKey"),
                "DOI": item_data.get("DOI"), "PMID": item_data.get("PMID"),
                "title": item_data.get("title"), "uris": entry.get("uris")}
        for name in ("locator", "label", "prefix", "suffix", "suppress-author"):
            cite[name] = entry.get(name)
        items.append({name: value for name, value in cite.items() if value})
    return {"citationID": data.get("citationID"), "items": items}


def _picked_item(pick):
    """A picked item (Better BibTeX's json) as a citationItem."""
    item_data = dict(pick.get("itemData") or {})
    item_data["citation-key"] = pick.get("citekey") or pick.get("citationKey")
    return {"id": pick.get("id"), "itemData": item_data}


def _insert_mark(document, text, cursor, shown, data):
    text.insertString(cursor, shown, False)
    cursor.goLeft(len(shown), True)
    mark = document.createInstance("com.sun.star.text.ReferenceMark")
    mark.setName(mark_name(data))
    text.insertTextContent(cursor, mark, True)
    return mark


def _replace(document, mark, shown, data):
    """The mark's text and name made new (a mark's name cannot change: a new mark is put over
    the new text, so that it has a start and an end around it)."""
    anchor = mark.getAnchor()
    text = anchor.getText()
    cursor = text.createTextCursorByRange(anchor)
    text.removeTextContent(mark)
    cursor.setString("")
    return _insert_mark(document, text, cursor, shown, data)


def _remove(mark):
    anchor = mark.getAnchor()
    text = anchor.getText()
    cursor = text.createTextCursorByRange(anchor)
    text.removeTextContent(mark)
    cursor.setString("")


def _mark_at(document, view):
    """The citation mark the view cursor is in, or None."""
    for mark in citation_marks(document):
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
    """The bibliography section's paragraphs: one per entry."""
    anchor = section.getAnchor()
    text = anchor.getText()
    cursor = text.createTextCursorByRange(anchor)
    cursor.setString("")
    for number, entry in enumerate(entries or [""]):
        if number:
            text.insertControlCharacter(cursor, PARAGRAPH_BREAK, False)
        text.insertString(cursor, entry, False)


# --- the document's preferences ----------------------------------------------------------------


def read_style(document):
    """The style id the ZOTERO_PREF_n properties name, "" when none."""
    prefs = "".join(value for _, value in sorted(_pref_chunks(document).items()))
    match = re.search(r'<style\s[^>]*\bid="([^"]+)"', prefs)
    return match.group(1).rsplit("/", 1)[-1] if match else ""


def write_style(document, style_id):
    prefs = (
        f'<data data-version="3" zotero-version="6.0.30"><session id="{_random(8)}"/>'
        f'<style id="http://www.zotero.org/styles/{style_id}" locale="en-US" '
        'hasBibliography="1" bibliographyStyleHasBeenSet="0"/>'
        '<prefs><pref name="fieldType" value="ReferenceMark"/></prefs></data>'
    )
    _clear_style(document)
    user = document.getDocumentProperties().getUserDefinedProperties()
    for number, start in enumerate(range(0, len(prefs), PREF_CHUNK), 1):
        user.addProperty(f"{PREF_NAME}{number}", 128, prefs[start:start + PREF_CHUNK])


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


def port():
    given = os.environ.get("REFMAN_PORT", "")
    return int(given) if given.isdigit() else DEFAULT_PORT


def _ask(path, query, timeout):
    """refman's answer to ``GET path?query`` on the loopback port; Problem when it is not
    running or refuses (its words)."""
    url = f"http://127.0.0.1:{port()}{path}?{urllib.parse.urlencode(query)}"
    request = urllib.request.Request(url, headers={"User-Agent": "refman-libreoffice/1.0"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        said = exc.read().decode("utf-8", "replace").strip()
        raise Problem(f"refman could not do that: {said or exc.reason}") from None
    except (urllib.error.URLError, OSError):
        raise Problem(NOT_RUNNING.format(port=port())) from None


def tell(context, frame, message):
    """A message box (or, for the tests, a line in the file REFMAN_LO_MESSAGES names)."""
    log = os.environ.get("REFMAN_LO_MESSAGES")
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(json.dumps(message) + "\n")
        return
    toolkit = context.ServiceManager.createInstanceWithContext("com.sun.star.awt.Toolkit",
                                                               context)
    kind = uno.Enum("com.sun.star.awt.MessageBoxType", "INFOBOX")
    box = toolkit.createMessageBox(frame.getContainerWindow(), kind, 1, "refman", message)
    box.execute()


def _ask_style(context, frame, current):
    """The style id typed in a small dialog (None when cancelled)."""
    manager = context.ServiceManager
    model = manager.createInstanceWithContext("com.sun.star.awt.UnoControlDialogModel", context)
    model.Width, model.Height, model.Title = 220, 70, "refman: Document Preferences"
    parts = [("label", "FixedText", (8, 8, 204, 12), {"Label": "Citation style (its id, "
                                                      "e.g. apa, nature, vancouver):"}),
             ("style", "Edit", (8, 22, 204, 14), {"Text": current}),
             ("ok", "Button", (110, 48, 50, 14), {"Label": "OK", "PushButtonType": 1,
                                                  "DefaultButton": True}),
             ("cancel", "Button", (164, 48, 50, 14), {"Label": "Cancel", "PushButtonType": 2})]
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
        return dialog.getControl("style").getText().strip()
    finally:
        dialog.dispose()


def _random(length):
    return "".join(random.choices(string.ascii_letters + string.digits, k=length))
