"""Render refman's icon (refman/resources/icons/refman.svg) into the hicolor icon theme layout.

    python packaging/render_icons.py

Writes resources/icons/hicolor/scalable/apps/APP_ID.svg (a copy) and APP_ID.png at every size
in SIZES, with Qt's SVG renderer. The PNGs are committed: desktops that do not draw SVG icons
(and the Windows and macOS builds) need them, and building them needs Qt, which a packager's
machine may not have. Run it again when the SVG changes.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "refman" / "resources" / "icons" / "refman.svg"
THEME = ROOT / "resources" / "icons" / "hicolor"
APP_ID = "io.github.refman.Refman"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def png_path(size: int) -> Path:
    return THEME / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def render(renderer, size: int):
    """The icon as a ``size`` × ``size`` QImage, transparent around the drawing."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def save(image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path), "PNG"):
        raise OSError(f"cannot write {path}")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # QPainter needs one
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE} is not a valid SVG")
    for size in SIZES:
        save(render(renderer, size), png_path(size))
        print(png_path(size).relative_to(ROOT))
    scalable = THEME / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE, scalable)
    print(scalable.relative_to(ROOT))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
