"""Add by identifier: PMIDs, DOIs (and later PMCIDs, ISBNs, arXiv ids) to library items.

``Adding.identifiers(text)`` finds the identifiers in pasted text (refman.identifiers), fetches
their records (refman.online: PubMed's MEDLINE, doi.org's CSL-JSON) and imports the answers
through the library's own import path (Importing.answers): the records keep their source, and a
record already in the library is reported as a duplicate, not added twice. Everything that
brought no record is listed with why (``AddReport.failed``).

The network work happens here, in the caller's thread: the window runs it on its task runner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from refman.identifiers import Identifier, Unrecognised, find_identifiers
from refman.library.importing import Importing, ImportReport
from refman.library.use_case import UseCase
from refman.model import ItemId
from refman.online import Http
from refman.online.sources import Failed, fetch_sources
from refman.store.connection import Connection

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


@dataclass(frozen=True)
class Existing:
    """An identifier (as the user gave it) whose item is already in the library: not fetched,
    the item is selected instead of a copy being added."""

    text: str
    item_id: ItemId


@dataclass
class AddReport:
    """What adding by identifier did: the import's report, each identifier already in the
    library, and each identifier that failed."""

    imported: ImportReport = field(default_factory=ImportReport)
    failed: list[Failed] = field(default_factory=list)
    existing: list[Existing] = field(default_factory=list)

    @property
    def item_ids(self) -> list[ItemId]:
        """The items to select: new ones, then those already in the library, once each."""
        found = [entry.item_id for entry in self.existing]
        return list(dict.fromkeys(self.imported.item_ids + found))

    @property
    def offline(self) -> list[Failed]:
        """The identifiers that failed because a source could not be reached: worth a retry."""
        return [entry for entry in self.failed if entry.offline]

    def summary(self) -> str:
        """The import's summary, then how many identifiers brought no record."""
        line = self.imported.summary()
        if self.failed:
            count = len(self.failed)
            line += f" {count} identifier{'s' * (count != 1)} not added."
        return line


class Adding(UseCase):
    """Adds records by their identifiers to one open library."""

    def __init__(self, connection: Connection):
        super().__init__(connection)
        self._importing = Importing(connection)

    def identifiers(
        self,
        text: str,
        *,
        http: Http | None = None,
        duplicates: str = "skip",
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> AddReport:
        """Fetch and import the records of the identifiers in ``text``.

        ``http`` is the client to use (one with the environment's settings when None);
        ``progress(done, total)`` and ``cancelled()`` as the import takes them (the window's
        task runner passes its own)."""
        report = AddReport()
        found: list[Identifier] = []
        for piece in find_identifiers(text):
            if isinstance(piece, Unrecognised):
                report.failed.append(Failed(piece.text, piece.reason))
            else:
                found.append(piece)
        if not found:
            return report
        client = http or Http()
        try:
            fetched = fetch_sources(client, found)
        finally:
            if http is None:
                client.close()
        report.failed.extend(fetched.failed)
        answers = [(src.name, src.format_key, src.body) for src in fetched.sources]
        if answers:
            report.imported = self._importing.answers(answers, duplicates=duplicates)
        return report
