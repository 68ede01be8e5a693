"""Where the library file lives: ``--library PATH``, else ``REFMAN_LIBRARY``, else user data."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "refman"
LIBRARY_FILE = "library.sqlite"
ENV_LIBRARY = "REFMAN_LIBRARY"


def default_library_path() -> Path:
    """The library in the platform's user data folder (e.g. ~/.local/share/refman on Linux)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False) / LIBRARY_FILE


def resolve_library_path(option: str | os.PathLike | None = None) -> Path:
    """The library the user asked for, in order of precedence: option, environment, default."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(ENV_LIBRARY)
    if env:
        return Path(env).expanduser()
    return default_library_path()
