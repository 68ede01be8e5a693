"""Make docs/manuscript.png: a manuscript before and after ``refman format-document``.

    python scripts/manuscript_screenshot.py [OUTPUT.png] [--soffice PATH] [--keep DIR]

The sample library (tests/data's PubMed records, scripts/citing_demo.py) is built in a
temporary folder; the manuscript there cites some of its records as a writer types them
(Pandoc keys, a locator, a PMID) with a ``{Bibliography}`` paragraph; ``refman
format-document`` formats it in AMA style (numbered); LibreOffice (``soffice --headless``, with
a profile of its own) prints both documents to PDF, and their first pages are drawn side by
side (Qt's PDF module), the typed draft on the left, the formatted copy on the right.
``--keep DIR`` keeps the draft and the formatted .odt there. The user's own library, settings
and LibreOffice profile are never touched. Needs LibreOffice (Debian's
libreoffice-writer-nogui is enough) and fonts-dejavu.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import citing_demo
from tour import ROOT

OUTPUT = ROOT / "docs" / "manuscript.png"
PAGE_WIDTH = 620  # pixels of each page drawn (an A5 page: 10 pt type stays readable)
GAP = 36
CAPTION_HEIGHT = 34
BACKGROUND = "#d9dce0"  # as LibreOffice's grey around the page
CAPTIONS = ("The draft as typed: Pandoc keys and a PMID",
            f"After refman format-document --style {citing_demo.STYLE}")


def make_documents(folder: Path) -> tuple[Path, Path, Path]:
    """The library, the draft and its formatted copy, in ``folder``."""
    library_path = folder / "library.sqlite"
    citing_demo.build_library(library_path).close()
    draft = citing_demo.write_draft(folder / "draft.odt")
    formatted = folder / "formatted.odt"
    print(citing_demo.format_document(library_path, draft, formatted))
    return library_path, draft, formatted


def first_page(pdf: Path, width: int):
    """The PDF's first page drawn ``width`` pixels wide, a QImage."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    if document.load(str(pdf)) != QPdfDocument.Error.None_:
        raise SystemExit(f"Qt could not read {pdf}")
    points = document.pagePointSize(0)
    size = QSize(width, round(width * points.height() / points.width()))
    page = QImage(size, QImage.Format.Format_RGB32)
    page.fill(QColor("white"))  # the rendering is transparent where the page is blank
    painter = QPainter(page)
    painter.drawImage(0, 0, document.render(0, size))
    painter.end()
    document.close()
    return page


def side_by_side(pages: list, captions: tuple[str, ...]):
    """The pages next to each other on LibreOffice's grey, each with its caption above."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    width = sum(page.width() for page in pages) + GAP * (len(pages) + 1)
    height = max(page.height() for page in pages) + CAPTION_HEIGHT + GAP
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(BACKGROUND))
    painter = QPainter(image)
    font = QFont("DejaVu Sans")
    font.setPixelSize(16)
    font.setBold(True)
    painter.setFont(font)
    x = GAP
    for page, caption in zip(pages, captions, strict=True):
        painter.drawText(QRect(x, 0, page.width(), CAPTION_HEIGHT),
                         Qt.AlignmentFlag.AlignCenter, caption)
        painter.fillRect(QRect(x + 3, CAPTION_HEIGHT + 3, page.width(), page.height()),
                         QColor("#a9adb3"))  # the page's shadow
        painter.drawImage(x, CAPTION_HEIGHT, page)
        x += page.width() + GAP
    painter.end()
    return image


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", nargs="?", type=Path, default=OUTPUT)
    parser.add_argument("--soffice", help="LibreOffice's soffice (default: the one on PATH)")
    parser.add_argument("--keep", type=Path, help="a folder to keep the documents in")
    args = parser.parse_args(argv)
    soffice = citing_demo.soffice_program(args.soffice)
    with tempfile.TemporaryDirectory(prefix="refman-manuscript-shot-") as temporary:
        folder = Path(temporary)
        citing_demo.private_environment(folder)
        from PySide6.QtGui import QGuiApplication

        app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (Qt's fonts)
        _library, draft, formatted = make_documents(folder)
        profile = citing_demo.office_profile(folder / "office", soffice)
        pages = [first_page(citing_demo.convert_to_pdf(document, folder, soffice, profile),
                            PAGE_WIDTH) for document in (draft, formatted)]
        args.output.parent.mkdir(parents=True, exist_ok=True)
        if not side_by_side(pages, CAPTIONS).save(str(args.output)):
            raise SystemExit(f"could not write {args.output}")
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for path in folder.glob("*.odt"):
                shutil.copyfile(path, args.keep / path.name)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
