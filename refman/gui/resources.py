"""Files shipped with refman that the window loads: SVG icons and the sample record.

The icons in resources/icons were drawn for refman (simple SVG shapes, under refman's own
licence) in mid-tone colours that read on a light and on a dark background. Toolbar actions
ask the desktop's icon theme first (``themed_icon``), so that refman looks like the other
programs where a theme is installed; the bundled SVG is the fallback. SVG keeps every icon
sharp at any scale (200% included): no bitmap is ever scaled up.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
ICONS = RESOURCES / "icons"
SAMPLE_RECORD = RESOURCES / "sample.nbib"

# The freedesktop icon-theme name asked for first, by bundled icon name.
THEME_NAMES = {
    "new-item": "document-new",
    "add-identifier": "tools-wizard",
    "import": "document-import",
    "search-pubmed": "system-search",
    "new-collection": "folder-new",
    "new-note": "note-new",
    "attachment": "mail-attachment",
}


@cache
def icon(name: str) -> QIcon:
    """The icon ``name`` from resources/icons (SVG, so it is sharp at any scale)."""
    return QIcon(str(ICONS / f"{name}.svg"))


@cache
def themed_icon(name: str) -> QIcon:
    """The desktop theme's icon for ``name`` (THEME_NAMES), else the bundled SVG."""
    return QIcon.fromTheme(THEME_NAMES.get(name, name), icon(name))


@cache
def item_type_icon(item_type: str) -> QIcon:
    """The item table's icon for an item type (a plain document for a type without one)."""
    path = ICONS / f"type-{item_type}.svg"
    return icon(f"type-{item_type}") if path.exists() else icon("type-document")
