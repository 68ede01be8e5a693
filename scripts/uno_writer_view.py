"""Show a document in a running LibreOffice as the README's screenshot wants it (run by the
system's Python, which has LibreOffice's ``uno``; scripts/libreoffice_screenshot.py runs it):

    /usr/bin/python3 scripts/uno_writer_view.py PORT DOCUMENT WIDTH HEIGHT ZOOM [AFTER]

Connects to the office listening on 127.0.0.1:PORT (retrying while it starts), opens DOCUMENT
in a window of its own at the screen's top left, WIDTH x HEIGHT pixels, docks refman's toolbar
(an add-on toolbar, which LibreOffice first shows floating) at the top, zooms to ZOOM percent
and puts the cursor at the start. Prints JSON: the toolbars docked and the refman menu found.
With AFTER, it then puts the cursor just after the first AFTER in the text and chooses refman >
Add/Edit Citation there (through LibreOffice's dispatcher, as the menu does), which waits for
the pick in refman; then it prints JSON again: the cursor's line before and after.
"""

import json
import sys
import time

import uno
from com.sun.star.awt import Point
from com.sun.star.beans import PropertyValue

CONNECT_SECONDS = 180
TOP = uno.Enum("com.sun.star.ui.DockingArea", "DOCKINGAREA_TOP")
POS_SIZE = 15  # com.sun.star.awt.PosSize.POSSIZE
BY_VALUE = 3  # com.sun.star.view.DocumentZoomType.BY_VALUE
DRAWN_S = 4  # for LibreOffice to draw the document once it is laid out


def connect(port):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    url = f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            return resolver.resolve(url)
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def prop(name, value):
    found = PropertyValue()
    found.Name, found.Value = name, value
    return found


def main():
    port, document, width, height, zoom = sys.argv[1:6]
    context = connect(int(port))
    desktop = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.Desktop", context)
    loaded = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(document), "_blank", 0, (prop("Hidden", False),))
    controller = loaded.getCurrentController()
    frame = controller.getFrame()
    frame.getContainerWindow().setPosSize(0, 0, int(width), int(height), POS_SIZE)
    layout = frame.LayoutManager
    addons = [e.ResourceURL for e in layout.getElements() if "addon_" in e.ResourceURL]
    for url in addons:  # after the standard and formatting toolbars
        layout.showElement(url)
        layout.dockWindow(url, TOP, Point(0, 2))
    layout.doLayout()
    settings = controller.getViewSettings()
    settings.ZoomType = BY_VALUE
    settings.ZoomValue = int(zoom)
    controller.getViewCursor().gotoStart(False)
    menu = [e.ResourceURL for e in layout.getElements() if "menubar" in e.ResourceURL]
    print(json.dumps({"toolbars": addons, "menubar": menu}), flush=True)
    if len(sys.argv) > 6:
        cite_after(context, loaded, frame, sys.argv[6])


def cite_after(context, document, frame, text):
    """refman > Add/Edit Citation with the cursor just after ``text``."""
    search = document.createSearchDescriptor()
    search.SearchString = text
    found = document.findFirst(search)
    if found is None:
        raise SystemExit(f"{text!r} is not in the document")
    view = document.getCurrentController().getViewCursor()
    view.gotoRange(found.getEnd(), False)
    before = _line(view)
    view.gotoRange(found.getEnd(), False)
    # The command waits in LibreOffice's own thread for the pick, and LibreOffice draws nothing
    # meanwhile: let it draw the document first.
    time.sleep(DRAWN_S)
    dispatcher = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.DispatchHelper", context)
    dispatcher.executeDispatch(frame, "org.refman.libreoffice:AddCitation", "", 0, ())
    print(json.dumps({"before": before, "line": _line(view)}), flush=True)


def _line(view):
    """The text of the line the view cursor is on (the cursor then at its end)."""
    view.gotoStartOfLine(False)
    view.gotoEndOfLine(True)
    return view.getString()


main()
