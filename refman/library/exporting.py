"""Exporting: items written in a format (a CSL bibliography, BibTeX, RIS, CSL-JSON, MEDLINE),
an in-text citation, and an export written to a file whole or not at all.

The writers are in refman.formats; this module loads what each one needs of the items (the
stored MEDLINE records only for MEDLINE, tag names only where that is all a writer reads) and
pauses the cyclic collector while the references live (refman.collector).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from refman import collector, files, formats
from refman.library import backups
from refman.library.items import LIBRARY
from refman.library.use_case import UseCase
from refman.model import ItemId, LibraryError, Reference, ViewQuery
from refman.store import items, search
from refman.store.connection import Database


class Exporting(UseCase):
    """Exports of one open library."""

    def export(self, ids: Sequence[ItemId], fmt: str, *, style: str | None = None) -> str:
        """The items ``ids`` written in format ``fmt`` (a key of formats.EXPORT_FORMATS) and,
        for a bibliography, CSL ``style``; MissingItemError when one is gone."""
        with self._connection.reading() as db:
            return self._written(db, ids, fmt, style)

    def export_view(
        self, view: ViewQuery = LIBRARY, fmt: str = "csl-json", *, style: str | None = None
    ) -> tuple[int, str]:
        """(how many, the text) of every item of a view, sorted by creators, found and read in
        one state of the library even while another program deletes some."""
        with self._connection.reading() as db:
            ids = search.search_ids(db, view, sort="creators", descending=False)
            return len(ids), self._written(db, ids, fmt, style)

    def _written(self, db: Database, ids: Sequence[ItemId], fmt: str, style: str | None) -> str:
        needs = formats.find_export_format(fmt)
        # The references are freed before the collector resumes: it never walks them.
        with collector.paused():
            refs: list[Reference] = items.load(
                db,
                ids,
                source_records=needs.source_records,
                tag_details=needs.needs_tag_details,
            )
            text = formats.export(refs, fmt, style=style)
            del refs
        return text

    def cite(self, ids: Sequence[ItemId], style: str | None = None, fmt: str = "text") -> str:
        """One in-text citation of the items in a CSL ``style`` ("1-3", "(Knowles…)");
        ``fmt`` is text, html or rtf; the style defaults to the CSL default."""
        with self._connection.reading() as db:
            refs = items.load(db, ids, source_records=False)
        return formats.cite(refs, style, fmt)

    def write(self, path: str | os.PathLike[str], text: str) -> None:
        """Write an export to ``path`` whole or not at all (refman.files); never over the
        library, its -wal/-shm or a backup, which only SQLite may touch."""
        if backups.is_library_file(self._connection.path, Path(path)):
            raise LibraryError(
                f"{path} is the library itself or one of its backups: choose another file."
            )
        files.write_text_atomically(path, text)
