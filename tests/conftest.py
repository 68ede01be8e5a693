"""Shared test set-up. Qt runs offscreen so that GUI tests need no display."""

import os
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session", autouse=True)
def _clipboard_emptied_before_exit():
    """Empty the clipboard after the last test.

    The offscreen platform keeps clipboard data in a C++ global that is destroyed after Python
    has finalised; deleting Python-made QMimeData then crashes the process (PySide6 6.11, not
    seen on xcb). Emptying it while Python runs avoids that.
    """
    yield
    if "PySide6.QtGui" in sys.modules:
        from PySide6.QtGui import QGuiApplication

        app = QGuiApplication.instance()
        if app is not None:
            app.clipboard().clear()
