"""Live exports: files kept up to date with the library, as Better BibTeX's "Keep updated".

A live export is a target file, a format (a key of formats.EXPORT_FORMATS, with a CSL style for
a bibliography) and what it covers (``Coverage``: the whole library, a collection, or a saved
search by name). They are stored in the library (the live_export table), so every program that
opens it knows them: the window rewrites them shortly after its own changes and when it
starts, the command line after each command that changes the library.

``refresh`` renders each export through the ordinary export path (Exporting.export_view) in one
snapshot and compares the text's SHA-256 with the fingerprint of what was last written: an
unchanged export is not rewritten. A changed one is written whole or not at all
(files.write_text_atomically: a temporary file, fsync, rename), inside a write transaction that
also records the new fingerprint. Should another program have committed between the render
and that transaction (SQLite's data_version moved), the export is rendered again, so an older
text never lands after a newer one. A target that cannot be written keeps its previous file,
and the reason is stored with the export (and returned) for the window and the command line to
tell; the library itself is never at risk: the target is refused when it is the library or
one of its files.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from refman import formats
from refman.library import backups
from refman.library.exporting import Exporting
from refman.library.use_case import UseCase
from refman.model import CollectionId, LibraryError, RefmanError, ViewQuery
from refman.store import collection_tree, saved_searches
from refman.store import live_exports as table
from refman.store.connection import Connection, Database

LIBRARY, COLLECTION, SEARCH = "library", "collection", "search"
WRITTEN, UNCHANGED, FAILED = "written", "unchanged", "failed"
# Renders tried when other programs keep committing meanwhile; the last one is written anyway.
RENDER_ATTEMPTS = 3


@dataclass(frozen=True)
class Coverage:
    """What a live export covers: a place, and the collection's id or the saved search's name."""

    place: str = LIBRARY
    collection_id: CollectionId | None = None
    query: str = ""  # a saved search's name (place SEARCH)


@dataclass(frozen=True)
class LiveExport:
    """A file kept up to date: where, in which format (and style), covering what; the
    fingerprint of what was last written, when (UTC, ISO 8601; '' never), and why the last
    attempt failed ('' when it did not)."""

    id: int
    path: Path
    format: str
    style: str
    covers: Coverage
    fingerprint: str = ""
    written: str = ""
    problem: str = ""

    @property
    def format_name(self) -> str:
        """"BibTeX", or "Bibliography (plain text), apa" for a styled format."""
        found = formats.EXPORT_FORMATS.get(self.format)
        name = found.name if found is not None else self.format
        return f"{name}, {self.style}" if self.style else name


@dataclass(frozen=True)
class Outcome:
    """What a refresh did to one live export: written, unchanged or failed (``message`` says
    why, in plain words); ``count`` items were exported."""

    export: LiveExport
    status: str
    count: int = 0
    message: str = ""


class LiveExports(UseCase):
    """The live exports of one open library."""

    def __init__(self, connection: Connection, exporting: Exporting):
        super().__init__(connection)
        self._exporting = exporting

    # --- the list -------------------------------------------------------------------------------

    def all(self) -> list[LiveExport]:
        return [_export(row) for row in self._read(table.all_rows)]

    def find(self, path_or_id: str) -> LiveExport:
        """The live export with this id or target path; RefmanError naming it when none."""
        with self._connection.reading() as db:
            row = table.by_path(db, _absolute(path_or_id))
            if row is None and path_or_id.strip().isdigit():
                row = table.row(db, int(path_or_id))
        if row is None:
            raise RefmanError(
                f"There is no live export {path_or_id}: see 'refman autoexport list'."
            )
        return _export(row)

    def add(
        self,
        path: str | os.PathLike[str],
        fmt: str,
        *,
        style: str | None = None,
        covers: Coverage = Coverage(),
    ) -> LiveExport:
        """Keep ``path`` up to date in format ``fmt`` (and CSL ``style``); not written yet:
        ``refresh([export.id])`` writes it. RefmanError, nothing stored, for a format or
        style that does not exist, a target that cannot be one, or a collection that is gone."""
        found = formats.find_export_format(fmt)
        style_id = _style_id(style) if found.styled else ""
        target = _absolute(path)
        _check_target(self._connection.path, Path(target))
        with self._connection.writing() as db:
            _view(db, covers)  # the collection or search exists
            if table.by_path(db, target) is not None:
                raise RefmanError(
                    f"{target} is kept up to date already: remove that live export first."
                )
            export_id = table.add(
                db, target, found.key, style_id, covers.place, covers.collection_id, covers.query
            )
            return _export(table.row(db, export_id))

    def remove(self, export_id: int) -> None:
        """Stop keeping a file up to date; the file stays as it is."""
        with self._connection.writing() as db:
            if not table.remove(db, export_id):
                raise RefmanError(f"There is no live export {export_id}.")

    def describe(self, covers: Coverage) -> str:
        """What an export covers, in words: "My Library", "Collection “Surgery”"."""
        if covers.place == COLLECTION:
            names = {c.id: c.name for c in self._read(collection_tree.all_collections)}
            name = names.get(covers.collection_id)  # type: ignore[arg-type]
            return f"Collection “{name}”" if name is not None else "A deleted collection"
        if covers.place == SEARCH:
            return f"Saved search “{covers.query}”"
        return "My Library"

    # --- keeping the files up to date -----------------------------------------------------------

    def refresh(self, ids: Iterable[int] | None = None, *, force: bool = False) -> list[Outcome]:
        """Rewrite each live export (those of ``ids``; all when None) whose text changed, or
        every one with ``force``; an outcome for each. Never raises for one target that cannot
        be written: its outcome says why, and its previous file is left as it was."""
        wanted = None if ids is None else set(ids)
        exports = [e for e in self.all() if wanted is None or e.id in wanted]
        return [self._refresh_one(export, force) for export in exports]

    def _refresh_one(self, export: LiveExport, force: bool) -> Outcome:
        for attempt in range(1, RENDER_ATTEMPTS + 1):
            try:
                seen, count, text = self._render(export)
            except RefmanError as exc:
                return self._failed(export, f"Not written: {exc}")
            fingerprint = hashlib.sha256(text.encode("utf-8")).hexdigest()
            if not force and fingerprint == export.fingerprint and os.path.isfile(export.path):
                if export.problem:  # the file holds this text: whatever failed is past
                    self._record(table.record_written, export.id, fingerprint, export.written)
                return Outcome(export, UNCHANGED, count)
            if self._connection.read_only:  # nothing can be recorded: write only
                return self._write(export, count, text)
            try:
                with self._connection.writing() as db:
                    if table.data_version(db) != seen and attempt < RENDER_ATTEMPTS:
                        continue  # another program committed since the render: again
                    outcome = self._write(export, count, text)
                    if outcome.status == WRITTEN:
                        table.record_written(db, export.id, fingerprint, _now())
                    else:
                        table.record_problem(db, export.id, outcome.message)
                    return outcome
            except RefmanError as exc:  # the library is busy, damaged, read-only
                return Outcome(export, FAILED, count, f"Not written: {exc}")
        raise AssertionError("the last attempt always returns")  # pragma: no cover

    def _render(self, export: LiveExport) -> tuple[int, int, str]:
        """(data_version, how many items, the text), all of one snapshot."""
        with self._connection.reading() as db:
            view = _view(db, export.covers)
            count, text = self._exporting.export_view(
                view, export.format, style=export.style or None
            )
            return table.data_version(db), count, text

    def _write(self, export: LiveExport, count: int, text: str) -> Outcome:
        had_file = os.path.isfile(export.path)
        try:
            self._exporting.write(export.path, text)
        except RefmanError as exc:
            kept = " The previous file is kept." if had_file else ""
            return Outcome(export, FAILED, count, f"{exc}{kept}")
        return Outcome(export, WRITTEN, count)

    def _failed(self, export: LiveExport, message: str) -> Outcome:
        self._record(table.record_problem, export.id, message)
        return Outcome(export, FAILED, 0, message)

    def _record(self, record: Callable[..., None], *args: object) -> None:
        """Store what happened, when the library can be written; a library that cannot only
        loses that note."""
        if self._connection.read_only:
            return
        try:
            with self._connection.writing() as db:
                record(db, *args)
        except RefmanError:
            pass


def _view(db: Database, covers: Coverage) -> ViewQuery:
    """The view whose items an export holds; RefmanError when its collection or search is gone."""
    if covers.place == LIBRARY:
        return ViewQuery()
    if covers.place == COLLECTION:
        ids = {c.id for c in collection_tree.all_collections(db)}
        if covers.collection_id not in ids:
            raise RefmanError("the collection it exported has been deleted.")
        return ViewQuery(collection=covers.collection_id)
    if covers.place == SEARCH:
        found = saved_searches.find(db, covers.query)
        if found is None:
            raise RefmanError(f"the saved search '{covers.query}' has been deleted or renamed.")
        return ViewQuery(saved_query=found[2])  # (id, name, query, created, changed)
    raise RefmanError(f"it covers '{covers.place}', which this version of refman does not know.")


def _style_id(style: str | None) -> str:
    from refman.formats import csl

    return csl.find_style(style).id if style else csl.DEFAULT_STYLE


def _absolute(path: str | os.PathLike[str]) -> str:
    """The target as stored: absolute (the window and the command line run in other folders),
    its symbolic links kept, so that a link keeps pointing where the user put it."""
    text = os.path.abspath(os.path.expanduser(os.fspath(path)))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise RefmanError(
            f"{os.fsencode(text).decode('utf-8', 'backslashreplace')}: a live export's file "
            "name must be UTF-8 text; choose another name."
        ) from None
    return text


def _check_target(library: Path, target: Path) -> None:
    if backups.is_library_file(library, target):
        raise LibraryError(
            f"{target} is the library itself or one of its backups: choose another file."
        )
    if target.is_dir():
        raise RefmanError(f"{target} is a folder: name the file to keep up to date.")
    if not target.parent.is_dir():
        raise RefmanError(f"Cannot keep {target} up to date: its folder does not exist.")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _export(row: table.Row | None) -> LiveExport:
    assert row is not None  # read in the transaction that made it
    (export_id, path, fmt, style, place, collection_id, query, fingerprint, written, problem) = row
    cid = CollectionId(collection_id) if collection_id is not None else None
    covers = Coverage(place, cid, query)
    return LiveExport(export_id, Path(path), fmt, style, covers, fingerprint, written, problem)
