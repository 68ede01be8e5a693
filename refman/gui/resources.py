"""Files shipped with refman that the window loads: SVG icons and the sample record."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
ICONS = RESOURCES / "icons"
SAMPLE_RECORD = RESOURCES / "sample.nbib"


@cache
def icon(name: str) -> QIcon:
    """The icon ``name`` from resources/icons (SVG, so it is sharp at any scale)."""
    return QIcon(str(ICONS / f"{name}.svg"))
