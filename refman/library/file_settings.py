"""This machine's settings for a library's attached files: the base folder of linked files, and
whether the window links files instead of copying them (issue 15).

The base folder is per machine, as Zotero's "Linked Attachment Base Directory" is: a library
and its papers in one synced folder sit under another path on each machine, so each machine
names its own base, and a linked file under it is stored relative to it. The window
(Edit > Preferences > Files) and the command line (``refman files-base``) must agree on it, so
it is kept in neither QSettings (the command line has no Qt) nor the library (which travels):
in a small JSON file in the user's configuration folder (platformdirs: ~/.config/refman/
files.json on Linux, $XDG_CONFIG_HOME when set), one entry per library, keyed by the library's
absolute path:

    {"libraries": {"/home/me/Sync/refs/library.sqlite": {"base": "/home/me/Sync/refs",
                                                          "link": false}}}

The file is written whole under a temporary name and renamed over the old one, so that a crash
never leaves half of it. A file that is not this JSON is told with its name when read; a
setting saved over it (Preferences, ``refman files-base``) starts a new file and keeps the
unreadable one beside it as files.json.broken. Nothing of Qt here: the command line uses it
too.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from refman.model import RefmanError

APP_NAME = "refman"
FILE_NAME = "files.json"


@dataclass(frozen=True)
class FileSettings:
    """One library's file settings on this machine: the base folder of linked files (None:
    linked files are kept by their absolute path) and whether the window links new files."""

    base: Path | None = None
    link: bool = False


def settings_path() -> Path:
    """The JSON file that holds every library's file settings on this machine."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / FILE_NAME


def load(library_path: Path) -> FileSettings:
    """The file settings of the library at ``library_path`` (the defaults when none were set)."""
    entry = _read().get(_key(library_path), {})
    base = entry.get("base") if isinstance(entry, dict) else None
    link = entry.get("link") if isinstance(entry, dict) else False
    return FileSettings(Path(base) if isinstance(base, str) and base else None, link is True)


def base_folder(library_path: Path) -> Path | None:
    """The base folder of the library's linked files on this machine, or None."""
    return load(library_path).base


def save(library_path: Path, settings: FileSettings) -> FileSettings:
    """Keep ``settings`` for the library; a base folder must be a folder that exists (it is
    kept as an absolute path). The settings kept."""
    base = checked_base(settings.base) if settings.base is not None else None
    kept = FileSettings(base, settings.link)
    try:
        libraries = _read()
    except RefmanError:  # unreadable: kept aside for the user, a sound file started
        _set_aside()
        libraries = {}
    entry = {"base": str(base) if base else "", "link": kept.link}
    if kept == FileSettings():
        libraries.pop(_key(library_path), None)
    else:
        libraries[_key(library_path)] = entry
    _write(libraries)
    return kept


def checked_base(folder: Path) -> Path:
    """``folder`` as an absolute path; RefmanError, in plain words, when it is no folder."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise RefmanError(f"{folder} {what}: the base folder for linked files must be a folder.")
    return folder.resolve()


def _key(library_path: Path) -> str:
    return str(Path(library_path).expanduser().resolve())


def _read() -> dict[str, object]:
    path = settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise RefmanError(f"Cannot read the file settings in {path}: {exc}.") from None
    try:
        found = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RefmanError(
            f"{path} (line {exc.lineno}) is not valid JSON: correct it or delete it "
            "(it holds only the base folders of linked files)."
        ) from None
    libraries = found.get("libraries") if isinstance(found, dict) else None
    if not isinstance(libraries, dict):
        raise RefmanError(
            f"{path} does not hold refman's file settings: correct it or delete it."
        )
    return libraries


def _set_aside() -> None:
    path = settings_path()
    try:
        os.replace(path, path.with_name(f"{FILE_NAME}.broken"))
    except OSError as exc:
        raise RefmanError(f"Cannot replace the unreadable {path}: {exc.strerror or exc}.") from None


def _write(libraries: dict[str, object]) -> None:
    path = settings_path()
    temp = path.with_name(f".{FILE_NAME}.{os.getpid()}.part")
    text = json.dumps({"libraries": libraries}, indent=2, ensure_ascii=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temp.open("w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        why = exc.strerror or exc
        raise RefmanError(f"Cannot save the file settings in {path}: {why}.") from None
