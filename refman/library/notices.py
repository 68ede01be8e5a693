"""Notices: the retractions, errata, expressions of concern, comments and updates that items'
stored source records name (PubMed's comments and corrections), read offline.

``of_item`` gives one item's notices, read from its record (MEDLINE, or PubMed XML turned
into MEDLINE lines first). For lists, the store keeps each item's flags ("retracted",
"concern", "erratum"; see refman.formats.medline.corrections.flags) in a small table; the
records of items without a row yet (a library from before that table, items added since) are
read first by ``read_unread``, which ``flagged`` calls; ``flags`` (a page of the item table)
reads those of its few ids in memory and never writes. A library open read-only is not
written: the records not yet read are read in memory each time instead.

``cited_warnings`` names the items among some that a citation or an export must warn of
(retracted, or with an expression of concern), and ``warning_lines`` says it in words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


# What a citation or an export of an item warns of, gravest first. An erratum does not: the
# item stands, corrected.
WARNING_FLAGS = (RETRACTED, CONCERN)
# "1 retracted item", "2 items with an expression of concern".
_WARNING_WORDS = {
    RETRACTED: ("retracted item", "retracted items"),
    CONCERN: ("item with an expression of concern", "items with an expression of concern"),
}


def describe_flags(flags: Sequence[str]) -> str:
    """Flags in words: "Retracted; Erratum"."""
    return "; ".join(FLAG_LABELS.get(flag, flag) for flag in flags)


@dataclass(frozen=True)
class FlaggedItem:
    """An item a citation or an export warns of: its flags, title and PMID ("" if none)."""

    item_id: ItemId
    flags: tuple[str, ...]
    title: str
    pmid: str

    @property
    def label(self) -> str:
        """ "PMID 9500320 Ileal-lymphoid…", or "item 12 Title" for an item without a PMID."""
        return self.short_label(0)

    def short_label(self, width: int) -> str:
        """The label with the title cut to ``width`` characters and "…" (0: whole)."""
        name = f"PMID {self.pmid}" if self.pmid else f"item {self.item_id}"
        title = self.title
        if width and len(title) > width:
            title = title[: width - 1].rstrip() + "…"
        return f"{name} {title}".strip()

    @property
    def gravest(self) -> str:
        """The flag it is warned of: retracted before an expression of concern."""
        return next(flag for flag in WARNING_FLAGS if flag in self.flags)


def warning_lines(
    found: Sequence[FlaggedItem], where: str, limit: int = 0, title_width: int = 0
) -> list[str]:
    """The warning in words, a line per flag: ``"1 retracted item in the export: PMID 9500320
    Ileal-lymphoid…"``; ``where`` says where they are ("in the export"); ``limit`` names at
    most that many items a line and counts the rest (0: names them all); ``title_width`` cuts
    each title to that many characters (0: whole)."""
    lines = []
    for flag in WARNING_FLAGS:
        these = [item for item in found if item.gravest == flag]
        if not these:
            continue
        one, many = _WARNING_WORDS[flag]
        named = these[:limit] if limit else these
        listed = "; ".join(item.short_label(title_width) for item in named)
        if len(named) < len(these):
            listed += f"; and {len(these) - len(named)} more"
        lines.append(f"{len(these)} {one if len(these) == 1 else many} {where}: {listed}")
    return lines


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

    def read_unread(self, cancelled: Callable[[], bool] = lambda: False) -> int:
        """Read the records not read yet and keep their flags; how many were read. Does
        nothing in a library open read-only; stops between chunks once ``cancelled()``."""
        if self._connection.read_only:
            return 0
        done = 0
        while not cancelled():
            with self._connection.writing() as db:
                found = self._unread_flags(db, READ_CHUNK)
                notices.save(db, found.items())
            done += len(found)
            if len(found) < READ_CHUNK:
                break
        return done

    def flagged_count(self) -> int:
        """How many items outside the Trash have a flag, as kept: never writes, so the
        records not read yet do not count until ``read_unread`` has read them (the window
        reads them in the background). A library open read-only reads them in memory."""
        with self._connection.reading() as db:
            found = notices.flagged_ids(db)
            if self._connection.read_only:
                found = self._with_unread(db, found, None)
        return len(found)

    def cited_warnings(self, ids: Sequence[ItemId]) -> list[FlaggedItem]:
        """Those of ``ids`` that a citation or an export must warn of (retracted, or with an
        expression of concern), in the order of ``ids``. Never writes (see ``flags``)."""
        flags = self.flags(ids)
        warned = [i for i in dict.fromkeys(ids) if set(flags.get(i, ())) & set(WARNING_FLAGS)]
        if not warned:
            return []
        with self._connection.reading() as db:
            rows = items.rows(db, warned, ["title", "pmid"])
        found = []
        for item_id in warned:
            title, pmid = rows.get(item_id, ("", ""))
            found.append(FlaggedItem(item_id, flags[item_id], title or "", pmid or ""))
        return found

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
