"""Add by identifier: PMIDs, PMCIDs, DOIs, ISBNs and arXiv ids to library items.

``Adding.identifiers(text)`` finds the identifiers in pasted text (refman.identifiers), looks
them up in the library first (one already there is ``AddReport.existing``, its item selected,
not fetched again), fetches the records of the others (refman.online: PubMed's MEDLINE, the PMC
ID Converter, doi.org's CSL-JSON, Open Library, arXiv) and imports the answers through the
library's own import path (Importing.answers): the records keep their source, and a record
already in the library under another identifier is reported as a duplicate, not added twice.
Everything that brought no record is listed with why (``AddReport.failed``).

The network work happens here, in the caller's thread: the window runs it on its task runner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from refman.identifiers import ARXIV, DOI, ISBN, Identifier, Unrecognised, find_identifiers
from refman.library.importing import Importing, ImportReport
from refman.library.use_case import UseCase
from refman.model import CollectionId, ItemId
from refman.online import Http, arxiv
from refman.online.sources import Failed, arxiv_id, fetch_sources
from refman.store.connection import Connection
from refman.store.identifiers import items_by_identifier

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
    cancelled: bool = False  # the user stopped the fetching: nothing was imported
    asked: int = 0  # the identifiers (and unrecognised pieces) in the text given

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
        """The import's summary, then how many identifiers were already in the library and how
        many brought no record."""
        cancelled = "Add cancelled: nothing was imported."
        origin = f"from {self.asked} identifier{'s' * (self.asked != 1)}"
        line = cancelled if self.cancelled else self.imported.summary(origin)
        if self.existing:
            count = len(self.existing)
            line += f" {count} identifier{'s' * (count != 1)} already in the library."
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
        collection: str | CollectionId | None = None,
    ) -> AddReport:
        """Fetch and import the records of the identifiers in ``text`` (the new items filed
        into ``collection`` when given, as a file dropped on a collection is).

        ``http`` is the client to use (one with the environment's settings when None);
        ``progress(done, total)`` counts the requests made, ``cancelled()`` is asked before
        each: once it says yes, no more requests are made and nothing is imported
        (``AddReport.cancelled``). The window's task runner passes its own."""
        report = AddReport()
        found: list[Identifier] = []
        for piece in find_identifiers(text):
            report.asked += 1
            if isinstance(piece, Unrecognised):
                report.failed.append(Failed(piece.text, piece.reason))
            else:
                found.append(piece)
        report.existing = self._in_library(found)
        held = {entry.text for entry in report.existing}
        found = [ident for ident in found if ident.text not in held]
        if not found:
            return report
        client = http or Http()
        try:
            fetched = fetch_sources(client, found, progress=progress, cancelled=cancelled)
        finally:
            if http is None:
                client.close()
        report.failed.extend(fetched.failed)
        if fetched.cancelled:
            report.cancelled = True
            return report
        answers = [(src.name, src.format_key, src.body) for src in fetched.sources]
        if answers:
            report.imported = self._importing.answers(
                answers, duplicates=duplicates, collection=collection
            )
        return report

    def _in_library(self, found: list[Identifier]) -> list[Existing]:
        """The identifiers whose items the library holds already, in the order given."""
        wanted = {ident.text: _lookups(ident) for ident in found}
        values: dict[str, list[str]] = {}
        for lookups in wanted.values():
            for kind, value in lookups:
                values.setdefault(kind, []).append(value)
        held = {
            kind: self._read(items_by_identifier, kind, vals) for kind, vals in values.items()
        }
        existing = []
        for text, lookups in wanted.items():
            item_id = next((held[k][v] for k, v in lookups if v in held[k]), None)
            if item_id is not None:
                existing.append(Existing(text, item_id))
        return existing


def _lookups(ident: Identifier) -> list[tuple[str, str]]:
    """How the library may hold the item of ``ident``: (kind, value) pairs of
    ``Items.with_identifiers``. An ISBN-13 is looked for as its ISBN-10 too; an arXiv preprint
    by arXiv's DOI and by its abstract page's address."""
    if ident.kind == ISBN:
        pairs = [(ISBN, ident.value)]
        if ident.value.startswith("978"):
            pairs.append((ISBN, _isbn10(ident.value)))
        return pairs
    is_arxiv_doi = ident.kind == DOI and ident.value.startswith(arxiv.ARXIV_DOI_PREFIX)
    if ident.kind == ARXIV or is_arxiv_doi:
        value = arxiv_id(ident)
        urls = dict.fromkeys([arxiv.abs_url(value), arxiv.abs_url(arxiv.base_id(value))])
        return [(DOI, arxiv.arxiv_doi(value)), *(("url", url) for url in urls)]
    return [(ident.kind, ident.value)]


def _isbn10(isbn13: str) -> str:
    """The ISBN-10 of an ISBN-13 that begins 978: its nine digits, a new check digit."""
    body = isbn13[3:12]
    check = (11 - sum((10 - i) * int(ch) for i, ch in enumerate(body)) % 11) % 11
    return body + ("X" if check == 10 else str(check))
