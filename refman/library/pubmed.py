"""Search PubMed from refman: a page of hits with those already in the library marked, and
the hits the user chose imported (issue 14).

``PubMedSearch.page(query, start=, size=)`` asks PubMed (refman.online.pubmed_search: esearch,
then esummary for the page) and looks the page's PMIDs up in the library, so each ``Hit`` says
which item already holds it. ``PubMedSearch.add(pmids)`` imports the chosen PMIDs through add by
identifier (library.adding: PubMed's MEDLINE records, read by refman's reader, one import
batch, so Undo Import takes it back whole). The network work happens in the caller's thread:
the window runs it on its task runner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from refman.library.adding import Adding, AddReport, Cancelled, Progress
from refman.library.use_case import UseCase
from refman.model import ItemId
from refman.online import Http
from refman.online.pubmed_search import (
    MAX_REACHABLE,
    SearchPage,
    Summary,
    search,
    summaries,
)
from refman.store import identifiers
from refman.store.connection import Connection


@dataclass(frozen=True)
class Hit:
    """One hit of a search: its PMID, PubMed's summary (None when PubMed gave none) and the
    item that already holds the PMID (None when the library does not)."""

    pmid: str
    summary: Summary | None
    item_id: ItemId | None = None

    @property
    def in_library(self) -> bool:
        return self.item_id is not None


@dataclass(frozen=True)
class ResultsPage:
    """A page of hits, with the search's count, PubMed's reading of the query and remarks."""

    search: SearchPage
    size: int
    hits: list[Hit] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.search.count

    @property
    def start(self) -> int:
        return self.search.start

    @property
    def end(self) -> int:
        """One past the last hit shown (the "20" of "1-20 of 63")."""
        return self.start + len(self.hits)

    @property
    def has_previous(self) -> bool:
        return self.start > 0

    @property
    def has_next(self) -> bool:
        return self.end < min(self.count, MAX_REACHABLE) and bool(self.hits)

    def shown(self) -> str:
        """ "63 hits, 1-20 shown", "1 hit", "No hits"."""
        if not self.count:
            return "No hits"
        hits = f"{self.count:,} hit{'s' * (self.count != 1)}"
        if not self.hits:
            return f"{hits}, none on this page"
        if len(self.hits) == self.count:
            return hits
        return f"{hits}, {self.start + 1:,}-{self.end:,} shown"


class PubMedSearch(UseCase):
    """Searches PubMed and imports chosen hits into one open library."""

    def __init__(self, connection: Connection):
        super().__init__(connection)
        self._adding = Adding(connection)

    def page(
        self, query: str, *, start: int = 0, size: int = 20, http: Http | None = None
    ) -> ResultsPage:
        """The page of ``query``'s hits from ``start`` (0-based), ``size`` at most, each marked
        when the library already holds its PMID."""
        client = http or Http()
        try:
            found = search(client, query, retmax=size, retstart=start)
            summary = summaries(client, found.pmids) if found.pmids else {}
        finally:
            if http is None:
                client.close()
        held = self.held(found.pmids)
        hits = [Hit(pmid, summary.get(pmid), held.get(pmid)) for pmid in found.pmids]
        return ResultsPage(found, size, hits)

    def held(self, pmids: Sequence[str]) -> dict[str, ItemId]:
        """Which of ``pmids`` the library holds (outside the Trash): PMID -> item."""
        return self._read(identifiers.items_by_identifier, "pmid", list(pmids))

    def add(
        self,
        pmids: Sequence[str],
        *,
        http: Http | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> AddReport:
        """Import the records of ``pmids`` from PubMed, as one import (add by identifier)."""
        return self._adding.identifiers(
            " ".join(pmids), http=http, progress=progress, cancelled=cancelled
        )
