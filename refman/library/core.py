"""The Library: one library file opened, with its use cases by job.

``Library(path)`` checks the path, opens the file (``store.connection.Connection``: the one
place that runs transactions and translates SQLite's errors), and gives the window and the
command line the use cases as attributes: ``items``, ``tags``, ``collections``, ``notes``,
``importing``, ``imports`` (the imports made, each undone whole), ``exporting`` and
``safety``. Each change they make is one transaction and returns ``Changes`` after its
commit; long ones (imports) take ``progress(done, total)`` and ``cancelled()`` callables and
know nothing of threads.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from refman import paths, storage
from refman.library import backups
from refman.library.adding import Adding
from refman.library.attachments import Attachments
from refman.library.batches import Imports
from refman.library.citing import Citing
from refman.library.collections import Collections
from refman.library.duplicates import Duplicates
from refman.library.exporting import Exporting
from refman.library.fulltext import FullText
from refman.library.importing import Importing
from refman.library.items import Items
from refman.library.keys import Keys
from refman.library.live_exports import LiveExports
from refman.library.notes import Notes
from refman.library.notices import Notices
from refman.library.pdfs import Pdfs
from refman.library.pubmed import PubMedSearch
from refman.library.safety import Safety
from refman.library.searches import Searches
from refman.library.tags import Tags
from refman.library.updating import Updating
from refman.model import LibraryError
from refman.store.connection import Connection, steps_pending

UpdateProgress = Callable[[int, int], None]  # (schema steps done, steps the file needs)

READ_ONLY_NOTICE = (
    "{path} is on a read-only disk or in a folder you cannot write to: it is open for "
    "reading only, and changes cannot be saved."
)


class Library:
    """A reference library in one SQLite file, open."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        read_only: bool = False,
        verify: bool = True,
        on_update: UpdateProgress | None = None,
    ):
        """Open (or create) the library at ``path``.

        A path that cannot be a library (a folder, a device, a missing folder...) raises
        LibraryError before SQLite sees it (paths.check_library_path). A library this
        process may not write (a read-only disk or folder) opens read-only, and ``notice``
        says so. Before it is opened for writing, SQLite's quick check runs on it once per
        process (``verify``; see backups; the window passes False and checks in the
        background): a damaged one raises DamagedLibraryError. A library made by an older
        refman is first copied into its backups folder as it is (``before-update``), then
        updated to this one's schema, step by step, each step all or nothing;
        ``on_update(done, total)`` follows the steps (``update_steps_pending``).
        """
        self.path = Path(path)
        self.notice = ""  # a sentence for the user when the library is not as asked
        paths.check_library_path(self.path)
        # The library is on a network drive or in a synced folder (see refman.storage).
        self.storage_warning = storage.storage_warning(self.path)
        if not read_only and self.path.exists() and not backups.can_write(self.path):
            read_only = True
            self.notice = READ_ONLY_NOTICE.format(path=self.path)
        if not read_only:
            _make_folder(self.path)
            if verify:
                backups.verify(self.path)
            _copy_before_updating(self.path)
        self.connection = Connection(self.path, read_only=read_only, on_update=on_update)
        self.items = Items(self.connection)
        self.tags = Tags(self.connection)
        self.collections = Collections(self.connection)
        self.notes = Notes(self.connection)
        self.importing = Importing(self.connection)
        self.adding = Adding(self.connection)  # add by identifier (PubMed, doi.org)
        self.imports = Imports(self.connection)
        self.exporting = Exporting(self.connection)
        self.safety = Safety(self.connection)
        self.notices = Notices(self.connection)
        self.pubmed = PubMedSearch(self.connection)  # Search PubMed, import chosen hits
        self.updating = Updating(self.connection)  # update from PubMed
        # Files kept up to date with the library ("Keep updated")
        self.live_exports = LiveExports(self.connection, self.exporting)
        self.attachments = Attachments(self.connection)  # files kept with items
        self.pdfs = Pdfs(self.connection)  # PDFs to references, the PDF attached
        self.fulltext = FullText(self.connection)  # Find Available PDF (open access)
        self.duplicates = Duplicates(self.connection)  # Duplicate Items: groups, merging
        self.keys = Keys(self.connection)  # citation keys and their pattern
        self.searches = Searches(self.connection)  # saved searches (smart collections)
        self.citing = Citing(self.connection)  # a document's citations, rendered as a whole

    @property
    def read_only(self) -> bool:
        return self.connection.read_only

    def refuse_writes(self, notice: str) -> None:
        """Refuse every change from now on (damage was found while the library was open)."""
        self.connection.read_only = True
        self.notice = notice

    def close(self) -> None:
        self.connection.close()
        if not self.read_only:
            backups.remember_closed(self.path)

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def update_steps_pending(path: str | os.PathLike[str]) -> int:
    """How many schema steps opening the library at ``path`` will run (0 when none, or when
    the file cannot be opened: opening it then says why). Seconds at 100,000 items, minutes
    at a million: the window shows their progress, the command line says they run."""
    return steps_pending(Path(path))


def _copy_before_updating(path: Path) -> None:
    """Keep the library as an older refman left it before the schema steps change it, as
    Zotero does before its upgrades: a step that proves wrong later (not a crash: each step
    is all or nothing) can then be undone with ``refman restore``. A copy that cannot be
    written (a full disk) stops the opening, and the library is left as it was."""
    if not update_steps_pending(path):
        return
    try:
        backups.save_as_is(path, backups.BEFORE_UPDATE)
    except LibraryError as exc:
        raise LibraryError(
            f"{path} was made by an older version of refman. Before updating it, refman keeps "
            f"a copy of it as it is, and the copy could not be made: {exc} "
            "The library has not been changed."
        ) from None


def _make_folder(library: Path) -> None:
    """The library's folder, made when missing (check_library_path allows that only for the
    default library)."""
    try:
        library.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryError(
            f"Cannot create the folder for the library {library}: {exc.strerror}"
        ) from None
