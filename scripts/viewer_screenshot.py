"""Make docs/viewer.png: the built-in PDF viewer on a real article, a search hit highlighted.

    xvfb-run -a -s "-screen 0 1600x1000x24" python scripts/viewer_screenshot.py [OUTPUT.png]

The tour (scripts/tour.py) builds the sample library in a temporary folder (the user's own
library and settings are never touched) up to its item-selected step; then the article of
tests/data/pdf/rehabil-res-pract-2010-hindawi.pdf is added with its reference as printed on
its first page, the PDF attached to it, the item selected and Edit > View PDF chosen, and
"heart failure" looked for in the PDF's find bar; the window is grabbed once the
match is highlighted. Run it under Xvfb with fonts-dejavu installed for the fonts a user sees;
without a display, Qt renders offscreen.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import tour
from PySide6.QtTest import QTest

from refman.model import Creator, PartialDate, Reference

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "viewer.png"
SIZE = (1280, 800)
ARTICLE = ROOT / "tests" / "data" / "pdf" / "rehabil-res-pract-2010-hindawi.pdf"
# The article's reference as its first page prints it.
REFERENCE = Reference(
    title="Patient experiences of structured heart failure programmes",
    creators=(
        Creator("Tully", "Nuala E"),
        Creator("Morgan", "Karen M"),
        Creator("Burke", "Helen M"),
        Creator("McGee", "Hannah M"),
    ),
    container_title="Rehabilitation Research and Practice",
    volume="2010",
    pages="157939",
    date=PartialDate(2010),
    doi="10.1155/2010/157939",
)
WORDS = "heart failure"
MATCH = 2  # the third match: in the abstract, below the title


def read_the_article(steps: tour.Tour) -> None:
    """Add the article, attach its PDF, View PDF on it and find WORDS in it."""
    window, library = steps.window, steps.library
    item_id, added = library.items.add(REFERENCE)
    library.attachments.attach(item_id, [ARTICLE])
    window.apply(added)
    window.table.select_ids([item_id])
    window.item_actions.view_pdf.trigger()  # Edit > View PDF
    tab = window.viewer_tabs.current_pdf()
    if tab is None:
        raise tour.StepFailed("View PDF opened no tab")
    tab.open_find()  # Ctrl+F in the PDF's tab
    QTest.keyClicks(tab.find_bar.box, WORDS)
    steps.wait_until(lambda: tab.match_count() > MATCH, f"{MATCH + 1} matches of '{WORDS}'")
    tour.spin(1000)  # every page counted
    tab.show_match(MATCH)
    steps.wait_until(lambda: tab.page() == tab.search.resultAtIndex(MATCH).page(), "the match")


def main(output: Path = OUTPUT) -> int:
    """The tour up to its item-selected step, then the viewer step, shot to ``output``."""
    tour.STEPS.insert(
        [name for name, _ in tour.STEPS].index(tour.README_STEP) + 1,
        ("viewer", read_the_article),
    )
    with tempfile.TemporaryDirectory(prefix="refman-viewer-shot-") as folder:
        shots = Path(folder)
        status = tour.run(shots, SIZE, last_step="viewer")
        if status:
            return status
        (shot,) = shots.glob("*-viewer.png")
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(shot.read_bytes())
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT))
