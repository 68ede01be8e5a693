"""The log file, where the traceback of a bug goes instead of the user's screen.

The command line (``refman.app``) and the window (``refman.gui.app``) both write to it; it has
a module of its own so that neither has to import the other for it.
"""

from __future__ import annotations

import traceback
from pathlib import Path

import platformdirs

from refman.paths import APP_NAME


def log_file() -> Path:
    return platformdirs.user_log_path(APP_NAME, appauthor=False) / "refman.log"


def log_unexpected(exc: BaseException) -> Path | None:
    """Write the traceback of a bug to the log file; return its path (None if unwritable)."""
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write("".join(traceback.format_exception(exc)))
    except OSError:
        return None
    return path
