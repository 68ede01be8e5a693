"""Find Available PDF (issue 15): items' open-access PDFs found online and attached.

``FullText.find_available(item_ids)`` looks for each item's PDF with its PMCID, PMID or DOI
(refman.online.fulltext: PubMed Central's OA service, then Unpaywall), attaches the PDF found
(Attachments.attach: copied whole into the library's files folder, from a temporary folder
that is removed afterwards), and reads the text of the PDFs attached so that the quick search
finds their words. An item that has a PDF already is skipped, and so is one in the Trash; each
item gets an ``Outcome`` that says in plain words what became of it.

The network work happens here, in the caller's thread: the window runs it on its task runner,
with progress and Cancel; the command line directly.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from refman.library.attachments import PDF, Attachments, TextReport
from refman.library.changes import Changes
from refman.library.items import Items
from refman.library.use_case import UseCase
from refman.model import ItemId, MissingItemError, Reference
from refman.online import Http
from refman.online.fulltext import Article, NoPdfError, find_pdf
from refman.online.http import DownloadCancelled
from refman.store.connection import Connection

ATTACHED = "attached"
SKIPPED = "skipped"
NOT_FOUND = "not found"
FAILED = "failed"
NOT_FOUND_TEXT = "no open-access PDF found"

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


@dataclass(frozen=True)
class Outcome:
    """What became of one item: ``kind`` (ATTACHED, SKIPPED, NOT_FOUND, FAILED), the line
    that says so, and why in detail (every place looked in, for NOT_FOUND)."""

    item_id: ItemId
    kind: str
    text: str
    why: str = ""
    url: str = ""  # where the PDF attached came from

    def line(self) -> str:
        detail = f" ({self.why})" if self.why else ""
        return f"Item {self.item_id}: {self.text}{detail}"


@dataclass
class FindReport:
    """Every item's outcome, in the order asked; whether the user cancelled; how reading the
    PDFs' text went."""

    outcomes: list[Outcome] = field(default_factory=list)
    cancelled: bool = False
    offline: bool = False  # a service could not be reached: trying again later may help
    text: TextReport | None = None

    def of_kind(self, kind: str) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.kind == kind]

    @property
    def attached(self) -> list[ItemId]:
        return [outcome.item_id for outcome in self.of_kind(ATTACHED)]

    def changes(self) -> Changes:
        return Changes(changed=frozenset(self.attached))

    def summary(self) -> str:
        """ "Find Available PDF: 2 PDFs attached, 1 item without an open-access PDF, 1 skipped
        (of 4)."."""
        found = len(self.attached)
        parts = [f"{found} PDF{'s' * (found != 1)} attached"]
        missing = len(self.of_kind(NOT_FOUND))
        if missing:
            parts.append(f"{missing} item{'s' * (missing != 1)} without an open-access PDF")
        if self.of_kind(SKIPPED):
            parts.append(f"{len(self.of_kind(SKIPPED))} skipped")
        if self.of_kind(FAILED):
            parts.append(f"{len(self.of_kind(FAILED))} failed")
        head = "Find Available PDF cancelled" if self.cancelled else "Find Available PDF"
        line = f"{head}: {', '.join(parts)} (of {len(self.outcomes)})."
        if self.offline:
            line += " A service could not be reached: try again when online."
        return line

    def lines(self) -> list[str]:
        """Each item's outcome, then the summary."""
        return [outcome.line() for outcome in self.outcomes] + [self.summary()]


class FullText(UseCase):
    """Open-access PDFs found for the items of one open library."""

    def __init__(self, connection: Connection):
        super().__init__(connection)
        self._items = Items(connection)
        self._attachments = Attachments(connection)

    def find_available(
        self,
        item_ids: Sequence[ItemId],
        *,
        http: Http | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> FindReport:
        """Find, check and attach each item's open-access PDF (see the module's docstring)."""
        report = FindReport()
        client = http or Http()
        try:
            with tempfile.TemporaryDirectory(prefix="refman-find-pdf-") as temp:
                for done, item_id in enumerate(item_ids):
                    if cancelled and cancelled():
                        report.cancelled = True
                        break
                    self._one(item_id, client, Path(temp), report, cancelled)
                    if progress:
                        progress(done + 1, len(item_ids))
        finally:
            if http is None:
                client.close()
        if report.attached:
            report.text = self._attachments.read_text(cancelled=cancelled)
        return report

    def _one(
        self,
        item_id: ItemId,
        http: Http,
        temp: Path,
        report: FindReport,
        cancelled: Cancelled | None,
    ) -> None:
        ref, skip = self._reason_to_skip(item_id)
        if skip is not None or ref is None:
            report.outcomes.append(skip or Outcome(item_id, FAILED, "there is no such item"))
            return
        folder = Path(tempfile.mkdtemp(dir=temp))  # one per item: names never collide
        try:
            found = find_pdf(http, _article(ref), folder, cancelled)
        except DownloadCancelled:
            report.cancelled = True
            return
        except NoPdfError as exc:
            report.offline = report.offline or exc.offline
            report.outcomes.append(Outcome(item_id, NOT_FOUND, NOT_FOUND_TEXT, str(exc)))
            return
        attached = self._attachments.attach(item_id, [found.path])
        if attached.failed:
            why = attached.failed[0][1]
            report.outcomes.append(Outcome(item_id, FAILED, "the PDF found was not attached", why))
            return
        text = f"attached {found.path.name} from {found.source}"
        report.outcomes.append(Outcome(item_id, ATTACHED, text, url=found.url))

    def _reason_to_skip(self, item_id: ItemId) -> tuple[Reference | None, Outcome | None]:
        """The item, and an outcome when it is not to be looked for: gone, in the Trash,
        without identifiers, or with a PDF already."""
        try:
            ref = self._items.get(item_id)
        except MissingItemError:
            return None, Outcome(item_id, FAILED, "there is no such item")
        return ref, self._skipped(item_id, ref)

    def _skipped(self, item_id: ItemId, ref: Reference) -> Outcome | None:
        if ref.trashed:
            return Outcome(item_id, SKIPPED, "it is in the Trash")
        if not (ref.pmcid or ref.pmid or ref.doi):
            return Outcome(item_id, NOT_FOUND, "no PMCID, PMID or DOI to look for a PDF with")
        held = [
            row.name
            for row in self._attachments.of([item_id]).get(item_id, [])
            if row.content_type == PDF and not row.trashed
        ]
        if held:
            return Outcome(item_id, SKIPPED, f"it has a PDF already ({held[0]})")
        return None


def _article(ref: Reference) -> Article:
    return Article(pmcid=ref.pmcid, pmid=ref.pmid, doi=ref.doi)
