"""Update from PubMed: fetch the items' MEDLINE records again and apply what changed.

``Updating.check(ids)`` fetches the current MEDLINE record of each item that has a PMID
(refman.online.pubmed, 200 PMIDs a request) and compares it with the item, field by field:
title, pages and volume/issue once an ahead-of-print article is in an issue, dates, authors,
abstract, MeSH headings and keywords (the automatic tags), publication types, and PubMed's
status (``STAT``: ``Publisher`` -> ``MEDLINE``). Nothing is written; the network work happens in
the caller's thread (the window runs it on its task runner).

A field the user edited is not overwritten without asking. "Edited" needs no tracking: the item
keeps the record it was imported from, so a field whose value differs from what that record
maps to was changed in refman (``FieldChange.edited``: a conflict). PubMed's value is proposed
only when PubMed changed it (the new record maps to something else than the stored one).

``Updating.apply(check.updates)`` writes, in one transaction, the chosen fields (by default
every change but the conflicts), replaces the stored source record with PubMed's new one and
keeps the old one in the item's history (``history(item_id)``; schema 8). A field changed in
refman between the check and the apply is left as it is. ``revert(result)`` takes an apply back
(the window's Undo): the old values, tags and record come back and the history rows go.
Notices the new record names that the old one did not (a retraction, an expression of concern,
an erratum) are listed per item (``ItemUpdate.new_notices``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from refman.formats import medline, pubmed_xml
from refman.formats.medline import Notice, RawRecord
from refman.formats.medline.corrections import RETRACTED
from refman.library.changes import Changes
from refman.library.notices import notices_of
from refman.library.use_case import UseCase
from refman.model import (
    TAG_MESH,
    ItemId,
    MissingItemError,
    PartialDate,
    Problem,
    Reference,
    RefmanError,
    SourceRecord,
    Tag,
)
from refman.online import Http, pubmed
from refman.store import fts, history, items, tags
from refman.store.history import EarlierRecord

__all__ = [
    "FIELD_LABELS",
    "AppliedItem",
    "EarlierRecord",
    "FieldChange",
    "ItemUpdate",
    "UpdateCancelled",
    "UpdateCheck",
    "UpdateResult",
    "Updating",
    "compare",
    "new_notices",
    "show",
]

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

REASON = "Updated from PubMed"
LOAD_CHUNK = 1000  # items read at a time for a check
STATUS = "status"  # PubMed's STAT: a field of the record only, written with it
TAGS = "tags"  # the automatic tags (MeSH headings, keywords); manual tags are never touched

# The fields compared, in the order they are shown, with their names for people.
FIELD_LABELS: dict[str, str] = {
    "item_type": "Item type",
    "title": "Title",
    "creators": "Authors",
    "container_title": "Journal",
    "container_title_short": "Journal abbreviation",
    "collection_title": "Series",
    "date": "Date",
    "volume": "Volume",
    "issue": "Issue",
    "pages": "Pages",
    "doi": "DOI",
    "pmcid": "PMCID",
    "issns": "ISSN",
    "isbn": "ISBN",
    "language": "Language",
    "publisher": "Publisher",
    "place": "Place",
    "url": "URL",
    "abstract": "Abstract",
    "publication_types": "Publication types",
    TAGS: "MeSH headings and keywords",
    STATUS: "PubMed status",
}


class UpdateCancelled(RefmanError):
    """The update was cancelled before anything was written."""


@dataclass(frozen=True)
class FieldChange:
    """One field PubMed's record now gives otherwise. ``old`` is the item's value when it was
    checked, ``new`` PubMed's; ``edited`` when the item's value is the user's own (it differs
    from what the stored record says), so that it is kept unless chosen."""

    name: str
    old: Any
    new: Any
    edited: bool = False

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.name, self.name)

    @property
    def old_text(self) -> str:
        return show(self.name, self.old)

    @property
    def new_text(self) -> str:
        return show(self.name, self.new)

    @property
    def added_text(self) -> str:
        """For the tags: those PubMed adds, "+ A; + B"."""
        return "; ".join(f"+ {t}" for t in show(self.name, self.new - self.old).split("; ") if t)

    @property
    def removed_text(self) -> str:
        """For the tags: those PubMed no longer gives, "- A; - B"."""
        return "; ".join(f"- {t}" for t in show(self.name, self.old - self.new).split("; ") if t)


@dataclass(frozen=True)
class ItemUpdate:
    """What PubMed's current record would change in one item."""

    item_id: ItemId
    pmid: str
    title: str
    changes: tuple[FieldChange, ...]
    new_notices: tuple[Notice, ...]
    record: SourceRecord  # PubMed's record as fetched

    @property
    def conflicts(self) -> tuple[FieldChange, ...]:
        return tuple(c for c in self.changes if c.edited)

    def chosen(self, overwrite_edits: bool = False) -> set[str]:
        """The fields applied by default: all but the conflicts (all with overwrite_edits)."""
        return {c.name for c in self.changes if overwrite_edits or not c.edited}

    @property
    def warnings(self) -> tuple[Notice, ...]:
        """The new notices a reader must be warned of: a retraction, a concern, an erratum."""
        return tuple(n for n in self.new_notices if medline.flags([n]))

    def lines(self, overwrite_edits: bool = False, width: int = 70) -> list[str]:
        """The update in words: a heading, each field "old -> new" (an edited one "edited by
        you, kept" unless ``overwrite_edits``), then each new notice."""
        title = self.title if len(self.title) <= width else self.title[: width - 1] + "…"
        found = [f"Item {self.item_id} (PMID {self.pmid}): {title}"]
        for change in self.changes:
            old, new = (_short(t, width) for t in (change.old_text, change.new_text))
            if change.name == TAGS:  # long lists: what came and went
                both = "; ".join(t for t in (change.added_text, change.removed_text) if t)
                found.append(
                    f"  {change.label}: {_short(both, width * 2)}{_mark(change, overwrite_edits)}"
                )
                continue
            mark = _mark(change, overwrite_edits)
            found.append(f"  {change.label}: {old or '(none)'} -> {new or '(none)'}{mark}")
        for notice in self.new_notices:
            if notice.kind == RETRACTED and notice.about_this:
                cited = notice.citation + (f" (PMID {notice.pmid})" if notice.pmid else "")
                found.append(f"  RETRACTED: this article has been retracted. Notice: {cited}")
            elif medline.flags([notice]):
                found.append(f"  WARNING, new notice: {notice.describe()}")
            else:
                found.append(f"  New notice: {notice.describe()}")
        return found


@dataclass
class UpdateCheck:
    """What a check found: the items PubMed would change, those it would not, the PMIDs it
    no longer has, the items without a PMID, and what its reader said of its answer."""

    updates: list[ItemUpdate] = field(default_factory=list)
    unchanged: list[ItemId] = field(default_factory=list)
    not_in_pubmed: list[tuple[ItemId, str]] = field(default_factory=list)
    without_pmid: list[ItemId] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def checked(self) -> int:
        """Items whose PMID was asked for."""
        return len(self.updates) + len(self.unchanged) + len(self.not_in_pubmed)

    @property
    def retracted(self) -> list[ItemUpdate]:
        """The updates that bring a new retraction of their item."""
        return [u for u in self.updates if any(n.kind == RETRACTED for n in u.warnings)]

    def summary(self, updated: int | None = None) -> str:
        """ "N items checked, M updated, K unchanged, J not in PubMed" (and the items without
        a PMID); ``updated`` is what an apply wrote, None for a dry run ("would change")."""
        count = self.checked
        done = f"{updated} updated" if updated is not None else f"{len(self.updates)} to update"
        line = (
            f"{count} item{'s' * (count != 1)} checked, {done}, {len(self.unchanged)} "
            f"unchanged, {len(self.not_in_pubmed)} not in PubMed"
        )
        if self.without_pmid:
            line += f"; {len(self.without_pmid)} without a PMID skipped"
        return line + "."


@dataclass(frozen=True)
class AppliedItem:
    """What an apply did to one item, with what it takes to undo it."""

    item_id: ItemId
    applied: tuple[str, ...]  # the fields written
    kept: tuple[str, ...]  # fields PubMed changed that were left as they are (edited by you)
    changed_since: tuple[str, ...]  # fields chosen but changed in refman after the check
    before: Mapping[str, Any]  # the written fields' values before
    tags_removed: tuple[Tag, ...]
    tags_added: tuple[Tag, ...]
    source_format_before: str
    record_before: SourceRecord
    history_id: int | None  # the row that keeps the record before, if it had one


@dataclass
class UpdateResult:
    """What an apply did: each item written, and the items gone since the check."""

    items: list[AppliedItem] = field(default_factory=list)
    gone: list[ItemId] = field(default_factory=list)

    def changes(self) -> Changes:
        ids = frozenset(entry.item_id for entry in self.items)
        touched_tags = any(e.tags_added or e.tags_removed for e in self.items)
        return Changes(changed=ids, tags=touched_tags)


# --- values ------------------------------------------------------------------------------------


def _mark(change: FieldChange, overwrite_edits: bool) -> str:
    if not change.edited:
        return ""
    return "  [edited by you, replaced]" if overwrite_edits else "  [edited by you, kept]"


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _automatic_tags(ref: Reference) -> tuple[Tag, ...]:
    """The item's MeSH headings and keywords, one per name (the first), in order."""
    seen: dict[str, Tag] = {}
    for tag in ref.tags:
        if tag.automatic:
            seen.setdefault(tag.name, tag)
    return tuple(seen.values())


def _status(record: SourceRecord) -> str:
    return next((value for tag, value in record if tag == "STAT"), "")


def _value(ref: Reference, name: str) -> Any:
    if name == TAGS:
        return frozenset(_automatic_tags(ref))
    if name == STATUS:
        return _status(ref.source_record)
    return getattr(ref, name)


def show(name: str, value: Any) -> str:
    """A field's value in words, for the change view and the command line."""
    if name == TAGS:
        ordered = sorted(value, key=lambda t: t.name.casefold())
        return "; ".join(t.mesh_text if t.kind == TAG_MESH else t.name for t in ordered)
    if isinstance(value, PartialDate):
        if value.text:
            return value.text
        return "-".join(str(p) for p in (value.year, value.month, value.day) if p)
    if name == "creators":
        return "; ".join(c.display_name for c in value)
    if name == "issns":
        return ", ".join(f"{i.value} ({i.kind})" if i.kind else i.value for i in value)
    if isinstance(value, tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


def _base(ref: Reference) -> Reference | None:
    """What the item's stored PubMed record maps to, or None when it has none."""
    as_medline = pubmed_xml.as_medline(ref)
    if as_medline.source_format != medline.SOURCE_FORMAT or not as_medline.source_record:
        return None
    return medline.to_reference(RawRecord(as_medline.source_record, 0))


def compare(current: Reference, new: Reference) -> tuple[FieldChange, ...]:
    """The fields PubMed's record ``new`` changes in the item ``current``.

    With a stored record, a field is proposed when PubMed's value changed since that record
    and differs from the item's; it is ``edited`` when the item's value is not the stored
    record's. Without one (an item from another source), a field is proposed when PubMed's
    value differs, and edited unless the item's is empty.
    """
    base = _base(current)
    found = []
    for name in FIELD_LABELS:
        now, theirs = _value(current, name), _value(new, name)
        if name == STATUS:
            now = _value(pubmed_xml.as_medline(current), name)
        if now == theirs:
            continue
        if base is None:
            found.append(FieldChange(name, now, theirs, edited=bool(now)))
            continue
        was = now if name == STATUS else _value(base, name)
        if theirs != was:
            found.append(FieldChange(name, now, theirs, edited=now != was))
    return tuple(found)


def _notice_key(notice: Notice) -> tuple[str, bool, str, str]:
    return notice.kind, notice.about_this, notice.pmid, notice.citation


def new_notices(current: Reference, new: Reference) -> tuple[Notice, ...]:
    """The notices PubMed's record names that the item's stored record does not."""
    had = {_notice_key(n) for n in notices_of(current)}
    return tuple(n for n in medline.notices(new.source_record) if _notice_key(n) not in had)


# --- the use case ------------------------------------------------------------------------------


class Updating(UseCase):
    """Brings an open library's items up to date with PubMed."""

    def check(
        self,
        ids: Sequence[ItemId],
        *,
        http: Http | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> UpdateCheck:
        """Fetch the records of the items' PMIDs and compare; nothing is written.

        A failed request raises NetworkError (offline, a bad answer) and ``cancelled()``
        UpdateCancelled, between requests. ``progress(done, total)`` counts items."""
        check = UpdateCheck()
        refs = self._load(ids)
        with_pmid = [ref for ref in refs if ref.pmid]
        check.without_pmid = [ref.id for ref in refs if not ref.pmid and ref.id is not None]
        client = http or Http()
        try:
            fetched = self._fetch(client, with_pmid, progress, cancelled)
        finally:
            if http is None:
                client.close()
        check.problems = fetched.problems
        for ref in with_pmid:
            assert ref.id is not None  # loaded from the library
            new = fetched.references.get(ref.pmid)
            if new is None:
                check.not_in_pubmed.append((ref.id, ref.pmid))
                continue
            update = ItemUpdate(
                ref.id,
                ref.pmid,
                ref.title,
                compare(ref, new),
                new_notices(ref, new),
                new.source_record,
            )
            if update.changes or update.new_notices:
                check.updates.append(update)
            else:
                check.unchanged.append(ref.id)
        return check

    def _load(self, ids: Sequence[ItemId]) -> list[Reference]:
        """The items still in the library, a chunk at a time; one gone since it was chosen
        is left out (nothing to update)."""
        unique = list(dict.fromkeys(ids))
        found: list[Reference] = []
        with self._connection.reading() as db:
            for start in range(0, len(unique), LOAD_CHUNK):
                chunk = unique[start : start + LOAD_CHUNK]
                try:
                    found += items.load(db, chunk)
                except MissingItemError:
                    found += [ref for i in chunk for ref in _if_there(db, i)]
        return found

    def _fetch(
        self,
        client: Http,
        refs: Sequence[Reference],
        progress: Progress | None,
        cancelled: Cancelled | None,
    ) -> pubmed.Fetched:
        pmids = list(dict.fromkeys(ref.pmid for ref in refs))
        total = pubmed.Fetched()
        for start in range(0, len(pmids), pubmed.BATCH):
            if cancelled is not None and cancelled():
                raise UpdateCancelled("Update from PubMed cancelled; nothing was changed.")
            part = pubmed.fetch_pmids(client, pmids[start : start + pubmed.BATCH])
            total.references.update(part.references)
            total.missing += part.missing
            total.problems += part.problems
            if progress is not None:
                progress(min(start + pubmed.BATCH, len(pmids)), len(pmids))
        if cancelled is not None and cancelled():  # during the last request
            raise UpdateCancelled("Update from PubMed cancelled; nothing was changed.")
        return total

    def apply(
        self,
        updates: Iterable[ItemUpdate],
        *,
        choices: Mapping[ItemId, Iterable[str]] | None = None,
        overwrite_edits: bool = False,
    ) -> UpdateResult:
        """Write the updates in one transaction: for each item the fields chosen (``choices``
        by item, else ``ItemUpdate.chosen(overwrite_edits)``), and PubMed's record in place
        of the stored one, which goes to the item's history."""
        result = UpdateResult()
        with self._connection.writing() as db:
            for update in updates:
                chosen = (
                    set(choices[update.item_id])
                    if choices is not None and update.item_id in choices
                    else update.chosen(overwrite_edits)
                )
                try:
                    result.items.append(_apply_one(db, update, chosen))
                except MissingItemError:
                    result.gone.append(update.item_id)
        return result

    def revert(self, result: UpdateResult) -> Changes:
        """Take an apply back: the fields, tags and record each item had, history rows gone."""
        with self._connection.writing() as db:
            for entry in result.items:
                items.write_fields(db, entry.item_id, entry.before)
                _swap_tags(db, entry.item_id, remove=entry.tags_added, add=entry.tags_removed)
                history.set_record(
                    db, entry.item_id, entry.source_format_before, entry.record_before
                )
                if entry.history_id is not None:
                    history.drop(db, [entry.history_id])
                fts.refresh(db, fts.ITEMS, [entry.item_id])
        return result.changes()

    def history(self, item_id: ItemId) -> list[EarlierRecord]:
        """The item's earlier source records, oldest first (MissingItemError when gone)."""
        with self._connection.reading() as db:
            items.load(db, [item_id], source_records=False, tag_details=False)
            return history.of_item(db, item_id)


def _apply_one(db: Any, update: ItemUpdate, chosen: set[str]) -> AppliedItem:
    (current,) = items.load(db, [update.item_id])
    writes: dict[str, Any] = {}
    applied, kept, since = [], [], []
    for change in update.changes:
        if change.name not in chosen and change.name != STATUS:
            kept.append(change.name)
        elif change.name != STATUS and _value(current, change.name) != change.old:
            since.append(change.name)  # changed in refman after the check: left alone
        else:
            applied.append(change.name)
            if change.name not in (TAGS, STATUS):
                writes[change.name] = change.new
    before = {name: getattr(current, name) for name in writes}
    items.write_fields(db, update.item_id, writes)
    removed: tuple[Tag, ...] = ()
    added: tuple[Tag, ...] = ()
    if TAGS in applied:
        old, new = _automatic_tags(current), tuple(_tags_of(update.record))
        removed = tuple(t for t in old if t not in new)
        added = tuple(t for t in new if t not in old)
        _swap_tags(db, update.item_id, remove=removed, add=added)
    history_id = None
    if current.source_record:
        reason = f"{REASON}: " + (", ".join(FIELD_LABELS[n] for n in applied) or "record")
        history_id = history.keep(
            db, update.item_id, current.source_format, current.source_record, reason
        )
    history.set_record(db, update.item_id, medline.SOURCE_FORMAT, update.record)
    items.touch(db, [update.item_id])
    fts.refresh(db, fts.ITEMS, [update.item_id])
    return AppliedItem(
        item_id=update.item_id,
        applied=tuple(applied),
        kept=tuple(kept),
        changed_since=tuple(since),
        before=before,
        tags_removed=removed,
        tags_added=added,
        source_format_before=current.source_format,
        record_before=current.source_record,
        history_id=history_id,
    )


def _if_there(db: Any, item_id: ItemId) -> list[Reference]:
    try:
        return items.load(db, [item_id])
    except MissingItemError:
        return []


def _tags_of(record: SourceRecord) -> tuple[Tag, ...]:
    return _automatic_tags(medline.to_reference(RawRecord(record, 0)))


def _swap_tags(db: Any, item_id: ItemId, *, remove: Sequence[Tag], add: Sequence[Tag]) -> None:
    """Unlink the ``remove`` tags, then link the ``add`` ones (a heading whose star or
    subheadings changed is both)."""
    if remove:
        tags.remove(db, [item_id], [t.name for t in remove])
    if add:
        tags.add(db, [item_id], list(add))
