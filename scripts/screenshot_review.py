"""Make docs/review.png: the review of an import, over the library of the sample files.

    python scripts/screenshot_review.py [OUTPUT.png]

The library holds every sample file at the top of tests/data (as in scripts/tour.py). The file
reviewed, ``pubmed-export.nbib``, joins sample files into one export as PubMed would give it:
records the library does not hold, some of them repeated in the file
(tests/data/duplicates/repeated-records.nbib), a record the library already holds
(pubmed_result1.txt, a duplicate by its PMID) and two more new ones. The dialog is the one the
window opens (refman.gui.import_review), built over the review that the library reads.

Everything lives in a temporary folder, so the user's own library and settings are never
touched. For the fonts a user sees, run it under Xvfb
(``xvfb-run python scripts/screenshot_review.py``) with fonts-dejavu installed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from tour import ROOT, SAMPLES, sample_files

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

from refman.gui.app import application  # noqa: E402
from refman.gui.import_review import ImportReviewDialog  # noqa: E402
from refman.library import ImportReview, Library  # noqa: E402

OUTPUT = ROOT / "docs" / "review.png"
REVIEWED_NAME = "pubmed-export.nbib"  # the file's name as the dialog's File column shows it
REVIEWED_PARTS = (
    SAMPLES / "duplicates" / "repeated-records.nbib",  # new records, and repeats of them
    SAMPLES / "pubmed_result1.txt",  # in the sample library: a duplicate
    SAMPLES / "duplicates" / "erratum-titled-as-its-article.nbib",  # new
)
# Wider than the dialog opens (980 x 560), so that every column shows, the File column too.
SIZE = (1230, 420)
SETTLE_MS = 1000  # lets the table fetch its rows and lay out before the grab


def build_library(path: Path) -> Library:
    library = Library(path)
    print(library.importing.files(sample_files()).summary())
    return library


def grab(window: QWidget, output: Path) -> None:
    """Save what ``window`` shows as a PNG at ``output``."""
    output.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(output)):
        raise SystemExit(f"could not write {output}")
    print(f"wrote {output}")


def write_export(folder: Path) -> Path:
    """The reviewed file: the parts one after another, a blank line between records."""
    path = folder / REVIEWED_NAME
    text = "\n".join(part.read_text(encoding="utf-8").strip("\n") + "\n" for part in REVIEWED_PARTS)
    path.write_text("\n" + text, encoding="utf-8")
    return path


def review_export(library: Library, folder: Path) -> ImportReview:
    """The review of the file, named from inside its folder: the File column then reads
    ``pubmed-export.nbib:LINE``, not the temporary folder's random name."""
    write_export(folder)
    here = Path.cwd()
    os.chdir(folder)
    try:
        review = library.importing.review([REVIEWED_NAME])
    finally:
        os.chdir(here)
    print(review.summary())
    return review


def main(output: Path = OUTPUT) -> int:
    app = application()
    with tempfile.TemporaryDirectory(prefix="refman-screenshot-") as folder:
        library = build_library(Path(folder) / "library.sqlite")
        dialog = ImportReviewDialog(review_export(library, Path(folder)))
        dialog.resize(*SIZE)
        dialog.show()

        def finish() -> None:
            grab(dialog, output)
            dialog.close()
            app.quit()

        QTimer.singleShot(SETTLE_MS, finish)
        app.exec()
        library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT))
