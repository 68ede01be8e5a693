"""Notices: the retractions, errata, expressions of concern, comments and updates that items'
stored source records name (PubMed's comments and corrections), read offline.

``of_item`` gives one item's notices, read from its record (MEDLINE, or PubMed XML turned
into MEDLINE lines first). For lists, the store keeps each item's flags ("retracted",
"concern", "erratum"; see refman.formats.medline.corrections.flags) in a small table; the
records of items without a row yet (a library from before that table, items added since) are
read first by ``read_unread``, which ``flagged`` calls; ``flags`` (a page of the item table)
reads those of its few ids in memory and never writes. A library open read-only is not
written: the records not yet read are read in memory each time instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from refman.formats import medline, pubmed_xml
from refman.formats.medline import Notice
from refman.library.use_case import UseCase
from refman.model import ItemId, Reference, SourceRecord
from refman.store import items, notices

# The source formats whose records name notices: MEDLINE, and PubMed XML (as MEDLINE lines).
SOURCE_FORMATS = (medline.SOURCE_FORMAT, pubmed_xml.SOURCE_FORMAT)
READ_CHUNK = 2000  # records read and saved per transaction

RETRACTED = medline.corrections.FLAG_RETRACTED
CONCERN = medline.corrections.FLAG_CONCERN
ERRATUM = medline.corrections.FLAG_ERRATUM
# Each flag in words, for markers and tooltips.
FLAG_LABELS = {RETRACTED: "Retracted", CONCERN: "Expression of concern", ERRATUM: "Erratum"}


def describe_flags(flags: Sequence[str]) -> str:
    """Flags in words: "Retracted; Erratum"."""
    return "; ".join(FLAG_LABELS.get(flag, flag) for flag in flags)


def notices_of(ref: Reference) -> tuple[Notice, ...]:
    """The notices a reference's source record names; none for other formats."""
    ref = pubmed_xml.as_medline(ref)
    if ref.source_format != medline.SOURCE_FORMAT:
        return ()
    return medline.notices(ref.source_record)


def _record_flags(source_format: str, record: SourceRecord) -> tuple[str, ...]:
    ref = Reference(source_format=source_format, source_record=record)
    return medline.flags(notices_of(ref))


class Notices(UseCase):
    """The notices of an open library's items."""

    def of_item(self, item_id: ItemId) -> tuple[Notice, ...]:
        """One item's notices in record order; MissingItemError when it is gone."""
        with self._connection.reading() as db:
            (ref,) = items.load(db, [item_id], tag_details=False)
        return notices_of(ref)

    def read_unread(self) -> int:
        """Read the records not read yet and keep their flags; how many were read. Does
        nothing in a library open read-only."""
        if self._connection.read_only:
            return 0
        done = 0
        while True:
            with self._connection.writing() as db:
                found = self._unread_flags(db, READ_CHUNK)
                notices.save(db, found.items())
            done += len(found)
            if len(found) < READ_CHUNK:
                return done

    def flags(self, ids: Sequence[ItemId]) -> dict[ItemId, tuple[str, ...]]:
        """The flags of each of ``ids`` that has any (the item table's marker, a page of
        rows at a time). Never writes: the records of ``ids`` not read yet are read in
        memory (``read_unread`` keeps them; ``flagged`` calls it)."""
        with self._connection.reading() as db:
            found = notices.flags_of(db, ids)
            unread = self._unread_flags(db, None, ids)
        found.update({item_id: flags for item_id, flags in unread.items() if flags})
        return found

    def flagged(self, flag: str | None = None) -> list[ItemId]:
        """Items outside the Trash with ``flag`` ("retracted", "concern", "erratum"; any of
        them when None), by id."""
        self.read_unread()
        with self._connection.reading() as db:
            found = notices.flagged_ids(db, flag)
            if self._connection.read_only:
                found = self._with_unread(db, found, flag)
        return found

    def _unread_flags(
        self, db: Any, limit: int | None, ids: Sequence[ItemId] | None = None
    ) -> dict[ItemId, tuple[str, ...]]:
        """{id: flags} for items (of ``ids`` when given) whose records have no row yet (all
        of them when no limit)."""
        rows = notices.unread_records(db, SOURCE_FORMATS, limit if limit else -1, ids)
        return {item_id: _record_flags(fmt, record) for item_id, fmt, record in rows}

    def _with_unread(self, db: Any, found: list[ItemId], flag: str | None) -> list[ItemId]:
        """``found`` with the unread items that have ``flag``, outside the Trash, by id."""
        unread = self._unread_flags(db, None)
        extra = [i for i, f in unread.items() if f and (flag is None or flag in f)]
        trashed = set(notices.trashed_among(db, extra)) if extra else set()
        return sorted(set(found) | {i for i in extra if i not in trashed})
