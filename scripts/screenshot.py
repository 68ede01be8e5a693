"""Make docs/screenshot.png: the main window on a library of every sample file in tests/data.

    python scripts/screenshot.py [OUTPUT.png]

The library and the window's settings live in a temporary folder, so the user's own library
and settings are never touched. Without a display, Qt renders offscreen; for the fonts a user
sees, run it under Xvfb (``xvfb-run python scripts/screenshot.py``) with fonts-dejavu installed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "data"
OUTPUT = ROOT / "docs" / "screenshot.png"
SCREEN = (1600, 1000)  # the window is placed as on a first start on a screen this size
SELECTED_PMID = "37144409"  # the seed record: authors, MeSH tags and an abstract fill the pane
# Coloured tags put on a few items (dots in the table), and a note on the seed (Notes column).
COLOURED_TAGS = {"To read": "#ff6666", "Key paper": "#2ea8e5"}
SETTLE_MS = 1500  # lets the table fetch its rows and the detail pane lay out before the grab

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRect, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

from refman.gui.app import application  # noqa: E402
from refman.gui.main_window import MainWindow  # noqa: E402
from refman.library import Library  # noqa: E402


def sample_files() -> list[Path]:
    """The MEDLINE sample files at the top of tests/data (the golden fixtures stay out)."""
    return sorted(p for p in SAMPLES.iterdir() if p.suffix in (".nbib", ".txt"))


def build_library(path: Path) -> Library:
    library = Library(path)
    report = library.importing.files(sample_files())
    print(report.summary())
    return library


def seed_item(library: Library) -> list:
    refs = library.items.get_many(library.items.search())
    chosen = [r.id for r in refs if r.pmid == SELECTED_PMID]
    return chosen or [refs[0].id]


def mark_items(library: Library, seed: list) -> None:
    """Colour two tags and put them on a few items around the seed, and a note on the seed:
    the picture shows the tag dots and the Notes column."""
    ids = library.items.search()
    at = ids.index(seed[0])
    library.tags.add(ids[max(at - 6, 0) : at + 1 : 2], ["To read"])
    library.tags.add(seed, ["Key paper"])
    for name, colour in COLOURED_TAGS.items():
        library.tags.set_color(name, colour)
    library.notes.add(seed[0], "<p>Phase 1/2: 12-month follow-up.</p>")


def grab(window: QWidget, output: Path) -> None:
    """Save what ``window`` shows as a PNG at ``output``."""
    output.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(output)):
        raise SystemExit(f"could not write {output}")
    print(f"wrote {output}")


def main(output: Path = OUTPUT) -> int:
    app = application()
    with tempfile.TemporaryDirectory(prefix="refman-screenshot-") as folder:
        library = build_library(Path(folder) / "library.sqlite")
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        seed = seed_item(library)
        mark_items(library, seed)
        window = MainWindow(library, settings)
        window.place_first(area=QRect(0, 0, *SCREEN))
        window.show()
        window.table.select_ids(seed)

        def finish() -> None:
            grab(window, output)
            window.close()
            app.quit()

        QTimer.singleShot(SETTLE_MS, finish)
        app.exec()
        library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT))
