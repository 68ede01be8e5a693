"""Where a reader's bytes come from: a path or an open binary stream, opened with plain words
for what goes wrong, and the name its messages give it.

Every reader of a file format (MEDLINE, RIS, CSL-JSON, ...) takes a ``Source`` and opens it
here, so that a missing file, a folder or a file that cannot be read gets the same message
whichever format was expected.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from refman.model import ParseError

Source = str | os.PathLike[str] | BinaryIO

_OPEN_ERRORS: tuple[tuple[type[OSError], str], ...] = (
    (FileNotFoundError, "the file does not exist"),
    (PermissionError, "you are not allowed to read this file"),
)


@contextmanager
def opened(
    source: Source, label: str, *, what: str, folder_error: type[ParseError] = ParseError
) -> Iterator[BinaryIO]:
    """A binary stream for ``source`` (a path, opened here and closed after, or a stream, as it
    is); ParseError in plain words for a folder (``folder_error``: "this is a folder, not
    {what}"), a missing file or one that cannot be read."""
    if not isinstance(source, (str, os.PathLike)):
        yield source
        return
    if os.path.isdir(source):
        raise folder_error(label, None, f"this is a folder, not {what}")
    try:
        stream = open(source, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        message = next((m for kind, m in _OPEN_ERRORS if isinstance(exc, kind)), None)
        raise ParseError(label, None, message or f"the file cannot be read ({exc})") from None
    with stream:
        yield stream


def label_of(source: Source, name: str | None) -> str:
    """The name messages give a source: ``name`` if given, else its path, else the stream's."""
    if name:
        return name
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return str(getattr(source, "name", "") or "input")
