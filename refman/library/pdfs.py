"""PDFs as references (issue 15): a PDF imported becomes its reference with the PDF attached.

``Pdfs.import_files(paths)`` reads each PDF's first pages and metadata (refman.pdf, in a child
process), looks up the DOI, PMID, PMCID or arXiv id it prints through add by identifier
(library.adding: PubMed first, as for an identifier typed), and attaches the PDF to the item
made, or to the item the library already has for that identifier, instead of making a copy.
When the PDF prints no identifier, or the lookup fails (offline, not found), the PDF becomes an
item of its own: its title from the PDF's metadata or first lines, whatever identifiers it
showed, and the manual tag ``needs lookup`` (NEEDS_LOOKUP), so that it is plain to see and to
find; ``retrieve(ids)`` ("Retrieve Metadata") tries again later and, when the reference is
found, moves the PDF to it and puts the stand-in item in the Trash (restorable).

A PDF that cannot be read at all (damaged, or not a PDF though named so) is not imported and
is told with why; one locked with a password is kept as an item of its own, titled by its file
name, since its text cannot be read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from refman.library.adding import Adding
from refman.library.attachments import PDF, AttachError, Attachments
from refman.library.changes import Changes
from refman.library.collections import Collections
from refman.library.items import Items
from refman.library.use_case import UseCase
from refman.model import CollectionId, ItemId, Reference, Tag
from refman.online import Http
from refman.pdf import PdfError, Recognised, identifiers_in, read_pdf
from refman.store.connection import Connection

NEEDS_LOOKUP = "needs lookup"
DOCUMENT = "document"  # the item type of a PDF whose reference is not known yet
PAGES_READ = 3  # where articles print their DOI; later pages cite other papers
NO_IDENTIFIER = "no DOI, PMID, PMCID or arXiv id in its first pages or metadata"

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


@dataclass
class PdfImportReport:
    """What became of each PDF: the item made for it, the item it was attached to, the item
    of its own that needs a lookup (and why), or why it was not imported."""

    added: list[tuple[str, ItemId]] = field(default_factory=list)
    attached: list[tuple[str, ItemId]] = field(default_factory=list)
    needs_lookup: list[tuple[str, ItemId, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    cancelled: bool = False
    offline: bool = False  # a lookup could not reach its source (no connection)

    @property
    def item_ids(self) -> list[ItemId]:
        found = [item for _, item in self.added + self.attached]
        found += [item for _, item, _ in self.needs_lookup]
        return list(dict.fromkeys(found))

    def changes(self) -> Changes:
        made = {item for _, item in self.added} | {item for _, item, _ in self.needs_lookup}
        return Changes(
            added=frozenset(made),
            changed=frozenset(item for _, item in self.attached),
            tags=True,
            collections=True,
        )

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added with {'its' if len(self.added) == 1 else 'their'} PDF",
            f"{len(self.attached)} attached to items already in the library",
        ]
        if self.needs_lookup:
            parts.append(f"{len(self.needs_lookup)} kept as items that need a lookup")
        if self.failed:
            parts.append(f"{len(self.failed)} not imported")
        total = len(self.added) + len(self.attached) + len(self.needs_lookup) + len(self.failed)
        head = "PDFs cancelled" if self.cancelled else "PDFs"
        return f"{head}: {', '.join(parts)} (of {total})."

    def lines(self) -> list[str]:
        """The summary, then each PDF that did not simply become an item, with why."""
        lines = [self.summary()]
        lines += [f"  {path}: attached to item {item}" for path, item in self.attached]
        lines += [
            f"  {path}: item {item}, tagged '{NEEDS_LOOKUP}': {why}"
            for path, item, why in self.needs_lookup
        ]
        lines += [f"  {path}: {why}" for path, why in self.failed]
        return lines


class Pdfs(UseCase):
    """PDFs turned into references of one open library; see the module's docstring."""

    def __init__(self, connection: Connection):
        super().__init__(connection)
        self._adding = Adding(connection)
        self._attachments = Attachments(connection)
        self._items = Items(connection)
        self._collections = Collections(connection)

    def import_files(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        http: Http | None = None,
        collection: str | CollectionId | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> PdfImportReport:
        """Each PDF at ``paths`` to its reference, the PDF attached (see the docstring)."""
        report = PdfImportReport()
        target = self._collection_id(collection)
        client = http or Http()
        try:
            for done, path in enumerate(map(Path, paths)):
                if cancelled and cancelled():
                    report.cancelled = True
                    break
                self._one(path, client, target, report)
                if progress:
                    progress(done + 1, len(paths))
        finally:
            if http is None:
                client.close()
        return report

    def retrieve(
        self, item_ids: Sequence[ItemId], *, http: Http | None = None, base: Path | None = None
    ) -> PdfImportReport:
        """Retrieve Metadata: look the PDFs of these items up again; a reference found gets
        the PDFs, and the item that stood in for it goes to the Trash. ``base``: the base
        folder of linked files (library.file_settings)."""
        report = PdfImportReport()
        client = http or Http()
        try:
            for item_id in item_ids:
                self._retrieve_one(item_id, client, report, base)
        finally:
            if http is None:
                client.close()
        return report

    def _collection_id(self, collection: str | CollectionId | None) -> CollectionId | None:
        """The collection named (made when new), as an import's ``--collection`` is."""
        if collection is None or isinstance(collection, int):
            return collection
        found = self._collections.find(collection.strip())
        return found.id if found else self._collections.create(collection.strip())[0].id

    # --- one PDF ------------------------------------------------------------------------------

    def _one(
        self, path: Path, http: Http, collection: CollectionId | None, report: PdfImportReport
    ) -> None:
        try:
            self._attachments.checked_size(path)  # the library's own files are never opened
        except AttachError as exc:
            report.failed.append((str(path), str(exc)))
            return
        found, why = self._recognise(path)
        if found is None:
            report.failed.append((str(path), why))
            return
        item, new, why = (
            (None, False, why) if why else self._look_up(found, http, collection, report)
        )
        if item is None:
            item = self._stand_in(found, path, collection)
            report.needs_lookup.append((str(path), item, why))
        elif new:
            report.added.append((str(path), item))
        else:
            report.attached.append((str(path), item))
        self._attach_once(item, path, report)

    def _recognise(self, path: Path) -> tuple[Recognised | None, str]:
        """The PDF's identifiers and title; None and why when it cannot be imported."""
        try:
            return identifiers_in(read_pdf(path, max_pages=PAGES_READ)), ""
        except PdfError as exc:
            if "locked with a password" in str(exc):
                return Recognised(title=path.stem), "it is locked with a password"
            return None, str(exc)

    def _look_up(
        self,
        found: Recognised,
        http: Http,
        collection: CollectionId | None,
        report: PdfImportReport,
    ) -> tuple[ItemId | None, bool, str]:
        """The item of the PDF's identifier (new or already held), whether it is new; else
        None and why."""
        if not found.identifier:
            return None, False, NO_IDENTIFIER
        added = self._adding.identifiers(found.identifier, http=http, collection=collection)
        if added.item_ids:
            item = added.item_ids[0]
            return item, item in added.imported.added, ""
        report.offline = report.offline or bool(added.offline)
        reason = added.failed[0].reason if added.failed else "no record was found"
        return None, False, f"{found.identifier}: {reason}"

    def _stand_in(self, found: Recognised, path: Path, collection: CollectionId | None) -> ItemId:
        ref = Reference(
            item_type=DOCUMENT,
            title=found.title or path.stem,
            doi=found.doi,
            pmid=found.pmid,
            pmcid=found.pmcid,
            tags=(Tag(NEEDS_LOOKUP),),
        )
        item, _ = self._items.add(ref)
        if collection is not None:
            self._collections.add_items([item], collection)
        return item

    def _attach_once(self, item: ItemId, path: Path, report: PdfImportReport) -> None:
        """Attach ``path`` unless the item has a file of that name and size already."""
        size = path.stat().st_size
        held = self._attachments.of([item]).get(item, [])
        if any(row.name == path.name and row.size == size and not row.trashed for row in held):
            return
        attached = self._attachments.attach(item, [path])
        for _path, why in attached.failed:
            report.failed.append((str(path), why))

    # --- Retrieve Metadata --------------------------------------------------------------------

    def _retrieve_one(
        self, item_id: ItemId, http: Http, report: PdfImportReport, base: Path | None
    ) -> None:
        ref = self._items.get(item_id)
        if NEEDS_LOOKUP not in (tag.name for tag in ref.tags):
            report.failed.append((f"item {item_id}", f"it is not tagged '{NEEDS_LOOKUP}'"))
            return
        pdfs = [
            row
            for row in self._attachments.of([item_id]).get(item_id, [])
            if row.content_type == PDF and not row.trashed
        ]
        found = Recognised(doi=ref.doi, pmid=ref.pmid, pmcid=ref.pmcid, title=ref.title)
        for row in pdfs if not found.identifier else ():
            recognised, _ = self._recognise(self._attachments.file(row, base))
            if recognised is not None and recognised.identifier:
                found = recognised
                break
        # The stand-in's own identifiers would make the lookup and the import take it for the
        # reference: they are set aside while it runs, and put back when nothing is found.
        held = {"doi": ref.doi, "pmid": ref.pmid, "pmcid": ref.pmcid}
        if any(held.values()):
            self._items.update(item_id, doi="", pmid="", pmcid="")
        item, new, why = self._look_up(found, http, None, report)
        name = pdfs[0].name if pdfs else f"item {item_id}"
        if item is None:
            if any(held.values()):
                self._items.update(item_id, **held)
            report.needs_lookup.append((name, item_id, why))
            return
        rows = self._attachments.of([item_id]).get(item_id, [])
        self._attachments.move([row.id for row in rows], item)
        self._items.trash([item_id])
        (report.added if new else report.attached).append((name, item))


def pdf_paths(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The PDFs among ``paths``: files named .pdf, and the PDFs inside named folders (not in
    their subfolders' hidden ones), in name order."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.suffix.lower() == ".pdf":
            found.append(path)
    return found

