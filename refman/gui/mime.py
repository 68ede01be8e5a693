"""What items carry when they leave the table: by drag, or by Copy Citation / Copy Bibliography.

A drag offers three formats: formatted references as text/plain and text/html (for a word
processor or a mail), and the item ids in a private type for drops on collections, tags and
the trash inside refman. The references are rendered only when a drop target asks for them,
so starting a drag of thousands of items costs nothing. They are rendered in the default
citation style (Preferences); a copy puts the text and the HTML on the clipboard together, so
that word processors paste the formatted version and plain editors the text. A drag says when
its references are first rendered (``rendered``), for the window to warn of retracted items.

Drops into refman are copies (``CopyDrops``): a file manager may propose Move, which refman
accepts as a Copy, so that the source keeps its file. A source that offers Move alone (Qt's
QDrag default) has its drop accepted all the same (Qt lets no other action be answered); refman
only reads the files, never moves or deletes them.

A drag started with Alt held (Option on macOS) carries the items' Pandoc citation instead,
``[@key1; @key2]``, as text/plain alone: a Markdown or Quarto editor inserts it as it is.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray, QMimeData, Qt
from PySide6.QtGui import QDropEvent

from refman import citekeys
from refman.library import Library
from refman.model import ItemId, RefmanError

ITEM_IDS_MIME = "application/x-refman-item-ids"
COLLECTION_ID_MIME = "application/x-refman-collection-id"
TEXT_MIME = "text/plain"
HTML_MIME = "text/html"


class CopyDrops:
    """A view's drag and drop handlers, taking every drop as a Copy whatever the source
    proposed: mixed into the item table and the collection tree, before their Qt class."""

    def dragEnterEvent(self, event) -> None:
        _as_copy(event, lambda: super(CopyDrops, self).dragEnterEvent(event))  # type: ignore[misc]

    def dragMoveEvent(self, event) -> None:
        _as_copy(event, lambda: super(CopyDrops, self).dragMoveEvent(event))  # type: ignore[misc]

    def dropEvent(self, event) -> None:
        _as_copy(event, lambda: super(CopyDrops, self).dropEvent(event))  # type: ignore[misc]


def _as_copy(event: QDropEvent, handle: Callable[[], None]) -> None:
    """Let Qt handle the event as a Copy, then tell the source Copy (Qt's handlers accept the
    source's proposed action, Move included). Qt keeps Move when the source offers nothing
    else; the models take Move drops too, and never move anything."""
    event.setDropAction(Qt.DropAction.CopyAction)
    handle()
    event.setDropAction(Qt.DropAction.CopyAction)


def encode_ids(ids: Sequence[int]) -> QByteArray:
    return QByteArray(",".join(str(i) for i in ids).encode("ascii"))


def decode_ids(data: QMimeData, mime: str = ITEM_IDS_MIME) -> list[int]:
    """The ids a drag carries in ``mime``, or [] when it carries none."""
    if not data.hasFormat(mime):
        return []
    raw = bytes(data.data(mime).data()).decode("ascii", errors="replace")
    return [int(part) for part in raw.split(",") if part.strip().isdigit()]


def bibliography(
    library: Library, ids: Sequence[ItemId], fmt: str, style: str | None = None
) -> str:
    """The items as a bibliography (``text`` or ``html``) in ``style``, or plain lines.

    The fallback covers a citation module that is missing or fails on odd data: a drag or a
    copy must still give the user something to paste.
    """
    try:
        return library.exporting.export(ids, fmt, style=style)
    except (ImportError, RefmanError):
        lines = fallback_lines(library, ids)
        if fmt == "html":
            return "".join(f"<p>{html.escape(line)}</p>" for line in lines)
        return "\n".join(lines) + "\n"


def fallback_lines(library: Library, ids: Sequence[ItemId]) -> list[str]:
    """ "Title — Authors" for each item."""
    lines = []
    for ref in library.items.get_many(list(ids)):
        authors = "; ".join(c.display_name for c in ref.authors())
        lines.append(f"{ref.title} — {authors}" if authors else ref.title)
    return lines


def citation(
    library: Library, ids: Sequence[ItemId], fmt: str = "text", style: str | None = None
) -> str:
    """One in-text citation of the items in ``style`` ("1-3", "<sup>1</sup>", "(Knowles…)").

    Falls back to an author-date citation for the same reasons as ``bibliography``.
    """
    try:
        return library.exporting.cite(ids, style, fmt)
    except (ImportError, RefmanError):
        text = author_date_citation(library, ids)
        return html.escape(text) if fmt == "html" else text


def author_date_citation(library: Library, ids: Sequence[ItemId]) -> str:
    """An author-date in-text citation: "(Knowles et al., 2023; Raval, 2020)"."""
    rows = library.items.rows(list(ids), ["creators", "year"])
    parts = []
    for item_id in ids:
        creators, year = rows.get(item_id, ("", None))
        parts.append(", ".join(str(p) for p in (creators, year) if p))
    return "(" + "; ".join(p for p in parts if p) + ")"


def key_data(library: Library, ids: Sequence[ItemId]) -> QMimeData:
    """Items dragged as their Pandoc citation (and their ids, for drops inside refman)."""
    data = QMimeData()
    data.setData(ITEM_IDS_MIME, encode_ids(ids))
    data.setText(citekeys.pandoc_citation(library.keys.in_order(ids)))
    return data


def clipboard_data(text: str, html: str = "") -> QMimeData:
    data = QMimeData()
    data.setText(text)
    if html:
        data.setHtml(html)
    return data


class ItemMimeData(QMimeData):
    """Items being dragged: ids now, formatted references when a drop target asks.

    ``style`` gives the citation style when the references are rendered (None: the default);
    ``rendered(ids)`` is called once, when a drop target first asks for them.
    """

    def __init__(
        self,
        library: Library,
        ids: Sequence[ItemId],
        style: Callable[[], str | None] | None = None,
        rendered: Callable[[list[ItemId]], None] | None = None,
    ):
        super().__init__()
        self.library = library
        self.ids = list(ids)
        self._style = style
        self._on_rendered = rendered
        self._rendered: dict[str, str] = {}

    def formats(self) -> list[str]:
        return [ITEM_IDS_MIME, TEXT_MIME, HTML_MIME]

    def hasFormat(self, mime: str) -> bool:
        return mime in self.formats()

    def retrieveData(self, mime: str, kind):
        mime = mime.split(";")[0]  # "text/plain;charset=utf-8"
        if mime == ITEM_IDS_MIME:
            return encode_ids(self.ids)  # a new one each time: Qt may take it over
        if mime not in self._rendered:
            fmt = {TEXT_MIME: "text", HTML_MIME: "html"}.get(mime)
            if fmt is None:
                return None
            style = self._style() if self._style else None
            first = not self._rendered
            self._rendered[mime] = bibliography(self.library, self.ids, fmt, style)
            if first and self._on_rendered is not None:
                self._on_rendered(list(self.ids))
        return self._rendered[mime]
