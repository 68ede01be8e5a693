"""Shared by the scripts here (run by the system's Python, which has ``uno``): connecting to
the test's LibreOffice, loading and storing documents."""

from __future__ import annotations

import json
import os
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def connect(port: int, seconds: float = 30):
    """The office's component context, retried until it answers or ``seconds`` pass."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    url = f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
    deadline = time.monotonic() + seconds
    while True:
        try:
            return resolver.resolve(url)
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def desktop(context):
    return context.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.Desktop", context)


def props(**values) -> tuple:
    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        out.append(prop)
    return tuple(out)


def load(context, path: str, hidden: bool = True):
    return desktop(context).loadComponentFromURL(
        uno.systemPathToFileUrl(path), "_blank", 0, props(Hidden=hidden))


def store_copy(document, path: str) -> None:
    document.storeToURL(uno.systemPathToFileUrl(path), props(FilterName="writer8"))


def answer(result) -> None:
    """Print ``result`` as JSON for the test and end this process at once.

    Python's own shutdown is skipped on purpose: with LibreOffice 7.4, pyuno tearing down its
    bridge at interpreter exit now and then ends the script by SIGSEGV (rc -11, nothing on
    stderr) after its work was done, which failed a test for nothing refman does.
    """
    print(json.dumps(result))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
