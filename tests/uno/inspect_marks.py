"""What LibreOffice sees in a document: ``inspect_marks.py PORT IN [COPY]``.

Prints JSON: each reference mark portion in reading order, footnotes' and endnotes' included
(name, its start and end in the text, collapsed or not), the reference marks' names and
anchor texts, the text sections' names and texts, the user-defined properties; with COPY,
the document is stored there (storeToURL, ODF) before it is closed.
"""

import sys

from unoconnect import answer, connect, load, store_copy


def paragraphs(text):
    """Every paragraph of the body text, tables' cells included, in order."""
    walk = text.createEnumeration()
    while walk.hasMoreElements():
        element = walk.nextElement()
        if element.supportsService("com.sun.star.text.Paragraph"):
            yield element
        elif element.supportsService("com.sun.star.text.TextTable"):
            for name in element.getCellNames():
                yield from paragraphs(element.getCellByName(name).getText())


def mark_portions(document):
    """(name, kind) for each reference-mark portion (start, end or collapsed), in reading
    order: a footnote's or endnote's where its anchor is."""
    found = []

    def walk(text, in_note):
        for paragraph in paragraphs(text):
            portions = paragraph.createEnumeration()
            while portions.hasMoreElements():
                portion = portions.nextElement()
                if portion.TextPortionType == "Footnote" and not in_note:
                    walk(portion.Footnote, True)
                if portion.TextPortionType != "ReferenceMark":
                    continue
                name = portion.ReferenceMark.getName()
                kind = "start" if portion.IsStart else "end"
                if portion.IsCollapsed:
                    kind = "collapsed"
                found.append({"name": name, "kind": kind})

    walk(document.getText(), False)
    return found


def report(document):
    """What the module's docstring lists, of a loaded document."""
    marks = document.getReferenceMarks()
    sections = document.getTextSections()
    user = document.getDocumentProperties().getUserDefinedProperties()
    values = {p.Name: user.getPropertyValue(p.Name)
              for p in user.getPropertySetInfo().getProperties()}
    return {
        "portions": mark_portions(document),
        "marks": [{"name": name, "text": marks.getByName(name).getAnchor().getString()}
                  for name in marks.getElementNames()],
        "sections": [{"name": name, "text": sections.getByName(name).getAnchor().getString()}
                     for name in sections.getElementNames()],
        "properties": values,
    }


def main():
    context = connect(int(sys.argv[1]))
    document = load(context, sys.argv[2])
    try:
        seen = report(document)
        if len(sys.argv) > 3:
            store_copy(document, sys.argv[3])
    finally:
        document.close(True)
    answer(seen)


if __name__ == "__main__":
    main()
