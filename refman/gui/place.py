"""Where the user was in a library, restored on the next start: the expanded collections, the
place selected in the sidebar (My Library, a collection, Unfiled Items, the Trash, ...) and
the selected items.

Kept in QSettings under a group of the library's own (its resolved path, hashed: a path is no
settings key), so that each library opens where it was left. What is gone since (an item
deleted, a collection removed, a view that has nothing to show) is simply not selected: the
window then shows My Library, or the place without a selection.

``restore`` expands and selects the place at once, and gives the items for the window to
select once its citation style is compiled in the background: an item selected at start would
compile it on the window's thread (its citation), holding up the first paint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSettings

from refman.gui.sidebar import COLLECTION, Sidebar, Source
from refman.model import CollectionId, ItemId

# A selection of thousands of items is not worth keeping whole: its first ones are.
KEPT_SELECTION = 100


def group(library_path: Path) -> str:
    """The settings group of one library."""
    key = hashlib.sha1(str(library_path.resolve()).encode("utf-8")).hexdigest()[:16]
    return f"libraries/{key}"


def save(
    settings: QSettings, library_path: Path, sidebar: Sidebar, selected: Sequence[ItemId]
) -> None:
    """Keep the expanded collections and the place of ``sidebar``, and ``selected``."""
    source = sidebar.source
    settings.beginGroup(group(library_path))
    try:
        settings.setValue("path", str(library_path))  # for a person reading the settings file
        settings.setValue("expanded", _joined(sorted(sidebar.tree.expanded_collections())))
        settings.setValue("source/kind", source.kind)
        settings.setValue(
            "source/collection", "" if source.collection is None else source.collection
        )
        settings.setValue("selected", _joined(selected[:KEPT_SELECTION]))
    finally:
        settings.endGroup()


def restore(settings: QSettings, library_path: Path, sidebar: Sidebar) -> list[ItemId]:
    """Expand and select the place kept by ``save``, as far as it is there; the items that
    were selected, for ``ItemTableView.select_ids`` (which selects those the view shows).
    Selecting the place narrows the table (the sidebar's ``source_changed``), so the items are
    looked for in the place they were selected in."""
    settings.beginGroup(group(library_path))
    try:
        expanded = _ids(settings.value("expanded", ""))
        kind = str(settings.value("source/kind", "", type=str))
        collections = _ids(settings.value("source/collection", ""))
        selected = _ids(settings.value("selected", ""))
    finally:
        settings.endGroup()
    sidebar.tree.expand_collections({CollectionId(i) for i in expanded})
    if kind:
        collection = CollectionId(collections[0]) if collections and kind == COLLECTION else None
        sidebar.select(Source(kind, collection))  # My Library when it is gone
    return [ItemId(i) for i in selected]


def _joined(ids) -> str:
    return ",".join(str(i) for i in ids)


def _ids(value) -> list[int]:
    """Ids from what ``_joined`` wrote; anything else in the file (edited by hand) is left out."""
    text = ",".join(value) if isinstance(value, list) else str(value or "")
    return [int(part) for part in text.split(",") if part.strip().isdigit()]
