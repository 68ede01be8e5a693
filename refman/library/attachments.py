"""Files kept with items (issue 15): attach, list, Trash and restore, Empty Trash's files, and
what refman check finds missing or orphaned.

Stored files live in a ``files`` folder beside the library, one folder per attachment named by
its key (``files/7KQ2M4XA/paper.pdf``), the file's own name kept, as Zotero's storage folder
does. A copy is made whole before the library names it: the file is copied under a temporary
name into its new folder, flushed to the disk (fsync), renamed to its own name and the folder
flushed; only then are the rows written, in one transaction for all the files of one attach.
So a crash or a kill at any moment leaves either no row (and at most a folder that refman
check names as orphaned) or a row whose file is complete; a full disk, a file that went away
or cannot be read is told with the file's name, and nothing of that file is left behind.

A linked file stays where it is: the row keeps its path, relative to a base folder when it is
under it (Preferences), so that a library and its papers in one synced folder move together.
refman never deletes or changes a linked file, and never moves or deletes a source file.

The Trash: a trashed attachment (or one of a trashed item) keeps its file until Empty Trash,
so that restoring brings it back whole. Nothing here ever opens the library's own files.
"""

from __future__ import annotations

import contextlib
import errno
import mimetypes
import os
import secrets
import shutil
import stat
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from refman.files import copy_atomically, sync
from refman.library.backups import FILES_FOLDER, LibraryFiles, files_mirror
from refman.library.changes import Changes
from refman.library.use_case import UseCase
from refman.model import ItemId, MissingItemError, RefmanError
from refman.pdf import PdfError, PdfText
from refman.pdf.extract import MEMORY, TIMEOUT, read_pdfs
from refman.store import attachments, fts, items, search
from refman.store.attachments import SUMMARY_SEPARATOR, NewAttachment
from refman.store.attachments import AttachmentRow as AttachmentRow  # re-exported for the window
from refman.store.attachments import Passage as Passage  # the found_in's answer, for the window
from refman.store.connection import Connection

KEY_CHARS = string.ascii_uppercase + string.digits
KEY_LENGTH = 8
COPY_CHUNK = 1 << 20
TEXT_BATCH = 20  # attachments fetched at a time to be read: a cancel is heard between PDFs
PDF = "application/pdf"


class AttachError(RefmanError):
    """A file could not be attached; the message names it and says why."""


@dataclass
class AttachReport:
    """What one attach did: the new attachments' ids, each file that failed with why, and
    each remark on a file attached anyway (a .pdf that is not a PDF)."""

    attached: list[int] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)

    def summary(self, item_id: ItemId) -> str:
        count = len(self.attached)
        line = f"Attached {count} file{'s' * (count != 1)} to item {item_id}."
        if self.failed:
            line += f" {len(self.failed)} not attached."
        return line


@dataclass
class TextReport:
    """What one ``read_text`` did: PDFs indexed, scans without text, PDFs not read and why."""

    indexed: list[str] = field(default_factory=list)
    scans: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def add(self, row: AttachmentRow, state: str) -> None:
        if state == attachments.INDEXED:
            self.indexed.append(row.name)
        elif state == attachments.NO_TEXT:
            self.scans.append(row.name)
        else:
            self.failed.append((row.name, state))

    def summary(self) -> str:
        done = len(self.indexed)
        line = f"Read the text of {done} PDF{'s' * (done != 1)}."
        if self.scans:
            line += f" {len(self.scans)} without a text layer (scanned): not searchable."
        if self.failed:
            line += f" {len(self.failed)} could not be read."
        return line


class Attachments(UseCase):
    """The files of one open library's items."""

    def __init__(self, connection: Connection):
        super().__init__(connection)
        self.folder = connection.path.parent / FILES_FOLDER
        # The library, its -wal/-shm and backups: only SQLite may open them (README, Safety)
        self._own_files = LibraryFiles(connection.path)

    # --- attaching --------------------------------------------------------------------------

    def attach(
        self,
        item_id: ItemId,
        paths: Sequence[str | os.PathLike[str]],
        *,
        link: bool = False,
        base: Path | None = None,
    ) -> AttachReport:
        """Copy (or link) the files at ``paths`` to the item; see the module's docstring."""
        self._must_exist(item_id)
        report = AttachReport()
        new: list[NewAttachment] = []
        for path in map(Path, paths):
            try:
                new.append(self._prepare(item_id, path, link, base, report))
            except AttachError as exc:
                report.failed.append((str(path), str(exc)))
        if not new:
            return report
        try:
            with self._connection.writing() as db:
                report.attached = attachments.insert(db, new)
        except BaseException:
            self._remove_copies([one.key for one in new if not one.linked])
            raise
        report.changes = Changes(changed=frozenset({item_id}))
        return report

    def _must_exist(self, item_id: ItemId) -> None:
        if not self._read(items.rows, [item_id], ["title"]):
            raise MissingItemError(f"There is no item with id {item_id}.")

    def _prepare(
        self, item_id: ItemId, path: Path, link: bool, base: Path | None, report: AttachReport
    ) -> NewAttachment:
        size = self.checked_size(path)
        content_type = _content_type(path)
        if path.suffix.lower() == ".pdf" and content_type != PDF:
            report.remarks.append(f"{path} is named .pdf but is not a PDF: kept as a plain file.")
        key = _new_key()
        if link:
            where = _linked_path(path, base)
            return NewAttachment(item_id, key, path.name, True, where, content_type, size)
        self._copy_in(path, key)
        return NewAttachment(item_id, key, path.name, False, "", content_type, size)

    def checked_size(self, path: Path) -> int:
        """The size of the file at ``path``; AttachError, before anything opens it, when it is
        no plain file or one of the library's own (which only SQLite may open)."""
        return _regular_file_size(path, self._own_files)

    def _copy_in(self, source: Path, key: str) -> Path:
        """Copy ``source`` to files/<key>/<its name>, whole or not at all."""
        folder = self.folder / key
        target = folder / source.name
        temp = folder / f".{key}.refman-part"
        try:
            folder.mkdir(parents=True)
            with source.open("rb") as src, temp.open("xb") as dst:
                shutil.copyfileobj(src, dst, COPY_CHUNK)
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(temp, target)
            sync(folder)
            sync(self.folder)
        except OSError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise AttachError(_cannot_copy(source, exc)) from None
        return target

    def _remove_copies(self, keys: Sequence[str]) -> None:
        for key in keys:
            shutil.rmtree(self.folder / key, ignore_errors=True)

    # --- reading ----------------------------------------------------------------------------

    def of(self, item_ids: Sequence[ItemId]) -> dict[ItemId, list[AttachmentRow]]:
        """Each item's attachments (those in the Trash too, marked), oldest first."""
        return self._read(attachments.of_items, item_ids)

    def items_with_files(self) -> set[ItemId]:
        """The items that have a file outside the Trash."""
        return self._read(attachments.items_with_files)

    def get(self, attachment_id: int) -> AttachmentRow:
        found = self._read(attachments.by_ids, [attachment_id])
        if not found:
            raise RefmanError(f"There is no attachment with id {attachment_id}.")
        return found[0]

    def file(self, attachment: AttachmentRow, base: Path | None = None) -> Path:
        """Where the attachment's file is (it may be missing: see ``check``)."""
        if not attachment.linked:
            return self.folder / attachment.key / attachment.name
        path = Path(attachment.path)
        return path if path.is_absolute() or base is None else base / path

    def move(self, ids: Sequence[int], item_id: ItemId) -> Changes:
        """Give attachments (their files stay where they are) to ``item_id``."""
        self._must_exist(item_id)
        with self._connection.writing() as db:
            rows = attachments.by_ids(db, ids)
            attachments.move(db, [row.id for row in rows], item_id)
        return Changes(changed=frozenset({item_id, *(row.item_id for row in rows)}))

    # --- the Trash --------------------------------------------------------------------------

    def trash(self, ids: Sequence[int]) -> Changes:
        """Move attachments to the Trash; their files stay until Empty Trash."""
        return self._set_trashed(ids, True)

    def restore(self, ids: Sequence[int]) -> Changes:
        return self._set_trashed(ids, False)

    def _set_trashed(self, ids: Sequence[int], trashed: bool) -> Changes:
        with self._connection.writing() as db:
            rows = attachments.by_ids(db, ids)
            attachments.set_trashed(db, [row.id for row in rows], trashed)
        return Changes(changed=frozenset(row.item_id for row in rows))

    def remove_files_of(self, rows: Sequence[AttachmentRow]) -> None:
        """Delete the stored copies of attachments whose rows are gone (after Empty Trash's
        commit); linked files are the user's and are never deleted."""
        self._remove_copies([row.key for row in rows if not row.linked])

    # --- the text of PDFs --------------------------------------------------------------------

    def read_text(
        self,
        *,
        base: Path | None = None,
        cancelled: Callable[[], bool] | None = None,
        timeout: float = TIMEOUT,
        memory: int = MEMORY,
    ) -> TextReport:
        """Read the text of every PDF attachment not read yet into the text index, a batch
        at a time: one child process reads a batch's PDFs (refman.pdf.read_pdfs), outside any
        transaction so that the library stays free for others while PDFium works, and each
        PDF's words are written as soon as it is read. A scan is kept as "no text", a PDF
        that cannot be read as why, so that neither is tried again at every start. Each PDF
        gets ``timeout`` seconds and the child ``memory`` bytes of address space: a PDF past
        either is stopped and told ("took longer than", "need more memory")."""
        report = TextReport()
        while not (cancelled and cancelled()):
            batch = self._read(attachments.unread, PDF, TEXT_BATCH)
            if not batch:
                break
            present = [row for row in batch if self.file(row, base).is_file()]
            for row in batch:
                if row not in present:
                    missing = f"not read: the file is missing ({self.file(row, base)})"
                    self._save_text(row, "", missing, 0, report)
            reading = read_pdfs(
                [self.file(row, base) for row in present], timeout=timeout, memory=memory
            )
            with contextlib.closing(reading):  # a cancel ends the reader's child too
                for row, (_path, found) in zip(present, reading, strict=False):
                    self._save_text(row, *_indexed(found), report)
                    if cancelled and cancelled():
                        break
        return report

    def has_unread(self) -> bool:
        """Whether a PDF's text is still to be read (left by a quit or a crash while reading,
        or attached by another process): the window reads them after it starts."""
        return bool(self._read(attachments.unread, PDF, 1))

    def _save_text(
        self, row: AttachmentRow, text: str, state: str, pages: int, report: TextReport
    ) -> None:
        with self._connection.writing() as db:
            attachments.save_text(db, row.id, text, state, pages)
        report.add(row, state)

    def search_text(self, text: str) -> list[ItemId]:
        """The items whose PDFs (outside the Trash) hold every word of ``text`` (as prefixes,
        as the quick search reads words)."""
        match = _text_match(text)
        return self._read(attachments.text_matches, match) if match else []

    def passage(self, item_id: ItemId, text: str) -> str:
        """Where the item's PDFs hold the words of ``text``: a few lines around them, the
        words in brackets ("" when they do not)."""
        found = self.found_in(item_id, text)
        if found is None:
            return ""
        return found.text.replace(attachments.START, "[").replace(attachments.END, "]")

    def found_in(self, item_id: ItemId, text: str) -> Passage | None:
        """The item's PDF (outside the Trash) that best holds the words of a search's text,
        with a few lines around them, each word found between ``attachments.START`` and
        ``END`` (``passage_parts`` splits them); None when none holds any. The text is read
        as the search box reads it: plain words as prefixes, or a query's untagged and [pdf]
        terms. Made for one item at a time (the row under the mouse, the selected item): a
        passage reads the PDF's text again."""
        phrases = search.pdf_phrases(text)
        if not phrases:
            return None
        return self._read(attachments.passage, " OR ".join(phrases), item_id)

    def rebuild_text(self) -> None:
        """Forget the text index; ``read_text`` then reads every PDF again."""
        with self._connection.writing() as db:
            attachments.forget_text(db)

    # --- after a restore ------------------------------------------------------------------------

    def bring_back(self) -> list[str]:
        """Copy back, from the backups' mirror, the stored files the library names and lacks
        (after a restore to a backup whose attachments were deleted since); their names."""
        mirror = files_mirror(self._connection.path)
        back = []
        for row in self._read(attachments.every):
            here, kept = self.file(row), mirror / row.key / row.name
            if row.linked or here.is_file() or not kept.is_file():
                continue
            try:
                copy_atomically(kept, here)
            except OSError as exc:
                raise AttachError(f"Cannot bring back {here}: {exc.strerror or exc}") from None
            back.append(row.name)
        return back

    # --- refman check -----------------------------------------------------------------------

    def check(self, base: Path | None = None) -> list[str]:
        """Missing files and orphaned folders, each with what to do, in plain words."""
        rows = self._read(attachments.every)
        problems = [
            f"item {row.item_id}: the file of attachment {row.id} ({row.name}) is missing: "
            f"{self.file(row, base)}. Attach the file again, or delete the attachment."
            for row in rows
            if not self.file(row, base).is_file()
        ]
        known = {row.key for row in rows}
        if self.folder.is_dir():
            for entry in sorted(self.folder.iterdir()):
                if entry.is_dir() and entry.name not in known:
                    problems.append(
                        f"{entry} belongs to no attachment (left by an interrupted attach, or "
                        "by another library in this folder): move it away or delete it."
                    )
        return problems


def summary_files(summary: str | None) -> list[tuple[bool, str]]:
    """(is a PDF, name) of each file in an item's files summary, the "attachments" cell of
    ``Items.rows`` (store.attachments.SUMMARY)."""
    if not summary:
        return []
    return [(entry[:1] == "P", entry[1:]) for entry in summary.split(SUMMARY_SEPARATOR)]


def _text_match(text: str) -> str:
    """The FTS5 query of the words of ``text``, each a prefix, all of them wanted."""
    return " AND ".join(fts.match_words(text))


def passage_parts(passage: Passage) -> list[tuple[str, bool]]:
    """The passage's text in pieces, each with True when it is a searched word (to be shown
    in bold), in order."""
    parts: list[tuple[str, bool]] = []
    for piece in passage.text.split(attachments.START):
        word, mark, rest = piece.partition(attachments.END)
        if mark:
            parts.append((word, True))
            piece = rest
        if piece:
            parts.append((piece, False))
    return [part for part in parts if part[0]]


def _indexed(found: PdfText | PdfError) -> tuple[str, str, int]:
    """What the index keeps of a PDF read: its text, its state, its page count."""
    if isinstance(found, PdfError):
        return "", f"not read: {found}", 0
    if not found.has_text_layer:
        return "", attachments.NO_TEXT, found.page_count
    return found.text, attachments.INDEXED, found.page_count


def _regular_file_size(path: Path, own_files: LibraryFiles) -> int:
    """The size of the file at ``path``, refused before anything opens it when it is no
    plain file or one of the library's own."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise AttachError(f"{path} is not there (moved or deleted?).") from None
    except OSError as exc:
        raise AttachError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    refusal = own_files.refusal(path, info)
    if refusal:
        raise AttachError(f"{path}: {refusal.replace('imported', 'attached')}.")
    if stat.S_ISDIR(info.st_mode):
        raise AttachError(f"{path} is a folder: attach the files in it.")
    if not stat.S_ISREG(info.st_mode):
        raise AttachError(f"{path} is not a regular file.")
    return info.st_size


def _content_type(path: Path) -> str:
    """The file's type: a PDF by its first bytes, others by their name."""
    try:
        with path.open("rb") as file:
            if b"%PDF-" in file.read(1024):
                return PDF
    except OSError:
        pass
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return "application/octet-stream" if guessed == PDF else guessed


def _linked_path(path: Path, base: Path | None) -> str:
    absolute = path.resolve()
    if base is not None:
        try:
            return str(absolute.relative_to(base.resolve()))
        except ValueError:
            pass
    return str(absolute)


def _new_key() -> str:
    return "".join(secrets.choice(KEY_CHARS) for _ in range(KEY_LENGTH))


def _cannot_copy(source: Path, exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"Cannot attach {source}: the disk is full. Nothing of it was kept."
    if isinstance(exc, FileNotFoundError) and not source.exists():
        return f"{source} went away while it was being copied. Nothing of it was kept."
    return f"Cannot attach {source}: {exc.strerror or exc}. Nothing of it was kept."
