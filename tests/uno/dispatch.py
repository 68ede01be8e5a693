"""Drive refman's extension as a user would: ``dispatch.py PORT IN OUT STEPS``.

STEPS is a JSON list run in order on the document IN (loaded hidden): ``{"after": TEXT}`` puts
the cursor just after the first TEXT in the body (``{"after": ""}``: at the very end),
``{"before": TEXT}`` just before it, ``{"command": NAME, "args": {...}}`` dispatches
``org.refman.libreoffice:NAME`` with those arguments through LibreOffice's dispatcher (as the
menu and toolbar do). The document is then stored to OUT and what LibreOffice sees of it is
printed (inspect_marks.report).
"""

import json
import sys

from inspect_marks import report
from unoconnect import answer, connect, load, props, store_copy


def place(document, text, after):
    view = document.getCurrentController().getViewCursor()
    if not text:
        view.gotoEnd(False)
        return
    search = document.createSearchDescriptor()
    search.SearchString = text
    found = document.findFirst(search)
    if found is None:
        raise SystemExit(f"{text!r} is not in the document")
    view.gotoRange(found.getEnd() if after else found.getStart(), False)


def main():
    context = connect(int(sys.argv[1]))
    document = load(context, sys.argv[2])
    dispatcher = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.DispatchHelper", context)
    frame = document.getCurrentController().getFrame()
    try:
        for step in json.loads(sys.argv[4]):
            if "after" in step:
                place(document, step["after"], True)
            elif "before" in step:
                place(document, step["before"], False)
            else:
                dispatcher.executeDispatch(frame, "org.refman.libreoffice:" + step["command"],
                                           "", 0, props(**step.get("args", {})))
        seen = report(document)
        store_copy(document, sys.argv[3])
    finally:
        document.close(True)
    answer(seen)


main()
