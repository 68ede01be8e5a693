"""Writing a file the user named (an export) whole or not at all.

``write_atomically`` writes to a temporary name in the target's folder, flushes it to the disk
(fsync), then renames it over the target: a full disk, a crash or a kill leaves either the old
file as it was or the new one complete, never a truncated file. On failure the temporary file
is removed, and the message names the target and says plainly when the disk is full.

A target that is not a regular file (``/dev/stdout``, a named pipe) is written to directly:
renaming over a device would replace it. A symbolic link is followed, so that the link stays
and the file it points to gets the new text.

Never use this on a library file or its ``-wal``/``-shm``: only SQLite may touch those while
the library is open (see the README's architecture section).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
from pathlib import Path

from refman.model import RefmanError

# The temporary file's name: hidden, recognisable, and short enough whatever the target's
# name (a file name has at most 255 bytes).
_TEMP_NAME = ".{name}.{token}.refman-tmp"
_NAME_CHARS = 40


def write_text_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8, line ends as they are (RIS wants CRLF); RefmanError on failure."""
    write_atomically(path, text.encode("utf-8"))


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace the file at ``path`` with ``data`` in one step; RefmanError on failure, and then
    the file at ``path`` is as it was (or still absent)."""
    named = Path(path)
    target = Path(os.path.realpath(named))  # a symbolic link stays; its file is replaced
    try:
        found = os.stat(target)
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise RefmanError(_cannot_write(named, exc)) from None
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise RefmanError(f"Cannot write {named}: it is a folder.")
    if found is not None and not os.access(target, os.W_OK):  # replacing would get round it
        if _on_read_only_disk(target):
            raise RefmanError(f"Cannot write {named}: it is on a read-only disk.")
        raise RefmanError(f"Cannot write {named}: you have no permission to change it.")
    try:
        if found is not None and not stat.S_ISREG(found.st_mode):
            _write_through(target, data)
        else:
            _write_and_rename(target, data, found)
    except OSError as exc:
        raise RefmanError(_cannot_write(named, exc)) from None


def _on_read_only_disk(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows): the plainer message stands
        return False


def _write_through(target: Path, data: bytes) -> None:
    """A device or a pipe: written as it is; there is nothing to rename over."""
    fd = os.open(target, os.O_WRONLY)
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)


def _write_and_rename(target: Path, data: bytes, old: os.stat_result | None) -> None:
    temp = target.with_name(
        _TEMP_NAME.format(name=target.name[:_NAME_CHARS], token=secrets.token_hex(4))
    )
    # Mode 0666 less the umask, as a file made by open() would have.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        try:
            _write_all(fd, data)
            if old is not None:  # a file written anew keeps its permissions
                os.fchmod(fd, stat.S_IMODE(old.st_mode))
            os.fsync(fd)  # on the disk before the rename makes it the target
        finally:
            os.close(fd)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    sync(target.parent)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def copy_atomically(source: Path, target: Path) -> None:
    """Copy the file ``source`` to ``target`` whole or not at all (a temporary name in the
    target's folder, fsync, rename); OSError as raised, nothing left behind. Not for the files
    of an open library (see the module's docstring)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    name = _TEMP_NAME.format(name=target.name[:_NAME_CHARS], token=secrets.token_hex(4))
    temp = target.with_name(name)
    try:
        with source.open("rb") as src, temp.open("xb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    sync(target.parent)


def sync(path: Path) -> None:
    """Flush a file, or a folder's entries (a rename), to the disk; a folder may refuse on
    some systems, which is no error. Never for a file a SQLite connection of this process
    has open: closing this descriptor would drop SQLite's locks on it."""
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() and hasattr(os, "O_DIRECTORY") else 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _cannot_write(path: Path, exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"Cannot write {path}: the disk is full. Nothing was written."
    return f"Cannot write {path}: {exc.strerror or exc}."
