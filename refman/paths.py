"""Where the library file lives: ``--library PATH``, else ``REFMAN_LIBRARY``, else user data.

``check_library_path`` refuses, in plain words, a path that cannot be a library before SQLite
sees it: SQLite would open a device (and make ``/dev/null-journal`` beside it), fail on a folder
with a bare "unable to open", and Python's path functions raise on a symbolic link loop or an
over-long name. The folder of a library must exist, as Zotero asks of its data directory: a
mistyped ``--library`` then says so instead of making folders. Only the default library's
folder, in the user data folder, is made on first use (the quick start relies on it).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import platformdirs

from refman.model import LibraryError

APP_NAME = "refman"
LIBRARY_FILE = "library.sqlite"
ENV_LIBRARY = "REFMAN_LIBRARY"
# The citation picker's port, for the LibreOffice extension (its refman_office.PORT_FILE).
PORT_FILE = "citation-picker-port"


def default_library_path() -> Path:
    """The library in the platform's user data folder (e.g. ~/.local/share/refman on Linux)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False) / LIBRARY_FILE


def port_file_path() -> Path:
    """Where the window writes the port its citation picker listens on: refman's cache folder
    (e.g. ~/.cache/refman), apart from the library's; the LibreOffice extension finds it by
    the same rule without platformdirs (refman_office.cache_folder)."""
    return platformdirs.user_cache_path(APP_NAME, appauthor=False) / PORT_FILE


def resolve_library_path(option: str | os.PathLike[str] | None = None) -> Path:
    """The library the user asked for, in order of precedence: option, environment, default."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get(ENV_LIBRARY)
    if env:
        return Path(env).expanduser()
    return default_library_path()


def check_library_path(path: Path) -> None:
    """LibraryError, in plain words, when ``path`` cannot be a library file.

    A library is a regular file (or one still to be made) in a folder that exists; the
    default library's folder may be missing: it is made when the library is first opened.
    """
    try:
        found = os.stat(path)
    except FileNotFoundError:
        _check_folder(path)
        return
    except OSError as exc:
        raise LibraryError(_unreachable(path, exc)) from None
    if stat.S_ISDIR(found.st_mode):
        raise LibraryError(
            f"{path} is a folder, not a library file: name a file in it, "
            f"such as {path / LIBRARY_FILE}."
        )
    if not stat.S_ISREG(found.st_mode):
        raise LibraryError(
            f"{path} is not a regular file (it is a device, a pipe or a socket): "
            "a library must be a file."
        )


def _check_folder(path: Path) -> None:
    """A library still to be made: its folder must exist, unless it is the default one."""
    folder = path.parent
    try:
        os.stat(folder)
    except FileNotFoundError:
        if path == default_library_path():
            return
        raise LibraryError(
            f"There is no folder {folder} for the library {path}: create the folder first, "
            "or choose a library in a folder that exists."
        ) from None
    except OSError as exc:
        raise LibraryError(_unreachable(path, exc)) from None


def _unreachable(path: Path, exc: OSError) -> str:
    """Why the system cannot reach ``path``, in plain words."""
    if exc.errno == errno.ENOTDIR:
        return f"{path} cannot be a library: {_file_on_the_way(path)} is a file, not a folder."
    if exc.errno == errno.ELOOP:
        return f"{path} cannot be opened: its symbolic links lead round in a loop."
    if exc.errno == errno.ENAMETOOLONG:
        return f"{path} cannot be opened: the name is too long for the file system."
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"{path} cannot be opened: you have no permission to open its folder."
    return f"{path} cannot be opened: {exc.strerror}."


def _file_on_the_way(path: Path) -> Path:
    """The first part of ``path`` that is a file where a folder should be."""
    for part in reversed(path.parents):
        try:
            if not stat.S_ISDIR(os.stat(part).st_mode):
                return part
        except OSError:
            break
    return path.parent
