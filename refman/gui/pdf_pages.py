"""The PDF viewer's pages: QPdfView with text selected by dragging the mouse over a page.

QPdfView of Qt 6.11 draws the pages and the search matches but has no text selection (it
offers no API for one). ``PageView`` adds it: a drag from one place to another on a page
selects the text between them (QPdfDocument.getSelection, PDFium's own word order), painted
over the page in the palette's highlight colour; a click elsewhere clears it. A drag is kept
to the page it began on (PDFium selects within one page).

To know which page and which point of it lies under the mouse, ``page_rects`` lays the pages
out as QPdfView does (qpdfview.cpp, calculateDocumentLayout): one under the other, in the
document margins, ``pageSpacing`` apart, each centred across, its size the page's in points
times the screen's logical dots per point and the zoom (or fitted to the view's width or whole
to the view). The tests check the result against the pixels QPdfView draws.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPolygonF
from PySide6.QtPdf import QPdfSelection
from PySide6.QtPdfWidgets import QPdfView

SELECTION_ALPHA = 90  # the highlight over selected text, out of 255: the text shows through


def dots_per_point() -> float:
    """The pixels QPdfView draws a PDF point as, at zoom 1 (it reads the primary screen's)."""
    return QGuiApplication.primaryScreen().logicalDotsPerInch() / 72


class PageView(QPdfView):
    """Continuous pages that the mouse can select text on."""

    selection_changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.selection: QPdfSelection | None = None
        self._selection_page = -1
        self._anchor: tuple[int, QPointF] | None = None  # where the drag began: page, point
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)

    # --- where the pages are ----------------------------------------------------------------

    def page_rects(self) -> list[QRectF]:
        """Each page's rectangle in the scrolled area's coordinates (in pixels)."""
        document = self.document()
        if document is None:
            return []
        sizes = [self._page_size(page) for page in range(document.pageCount())]
        margins = self.documentMargins()
        total_width = max((s.width() for s in sizes), default=0.0)
        total_width += margins.left() + margins.right()
        across = max(total_width, self.viewport().width())
        rects, top = [], float(margins.top())
        for size in sizes:
            rects.append(QRectF(QPointF((across - size.width()) / 2, top), size))
            top += size.height() + self.pageSpacing()
        return rects

    def _page_size(self, page: int) -> QSizeF:
        points = self.document().pagePointSize(page)
        natural = points * dots_per_point()
        margins = self.documentMargins()
        width = self.viewport().width() - margins.left() - margins.right()
        mode = self.zoomMode()
        if mode == QPdfView.ZoomMode.FitToWidth and natural.width() > 0:
            return natural * (width / natural.width())
        if mode == QPdfView.ZoomMode.FitInView:
            room = QSizeF(width, self.viewport().height() - self.pageSpacing())
            return natural.scaled(room, Qt.AspectRatioMode.KeepAspectRatio)
        return natural * self.zoomFactor()

    def _scroll(self) -> QPointF:
        return QPointF(self.horizontalScrollBar().value(), self.verticalScrollBar().value())

    def locate(self, pos: QPointF, page: int | None = None) -> tuple[int, QPointF] | None:
        """The page under ``pos`` (in the viewport) and the point of it there, in the page's
        points; with ``page``, the point of that page nearest ``pos``."""
        at = pos + self._scroll()
        rects = self.page_rects()
        if page is None:
            page = next((n for n, r in enumerate(rects) if r.top() <= at.y() <= r.bottom()), None)
        if page is None or not 0 <= page < len(rects):
            return None
        rect = rects[page]
        scale = self.document().pagePointSize(page).width() / rect.width()
        x = min(max(at.x(), rect.left()), rect.right()) - rect.left()
        y = min(max(at.y(), rect.top()), rect.bottom()) - rect.top()
        return page, QPointF(x * scale, y * scale)

    # --- selecting --------------------------------------------------------------------------

    def selected_text(self) -> str:
        """The text selected, its lines ended by \\n (PDFium ends them by \\r\\n)."""
        return self.selection.text().replace("\r\n", "\n") if self.selection is not None else ""

    def clear_selection(self) -> None:
        if self.selection is not None:
            self.selection = None
            self.viewport().update()
            self.selection_changed.emit()

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.LeftButton:
            self.clear_selection()
            self._anchor = self.locate(event.position())
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._anchor is not None and event.buttons() & Qt.MouseButton.LeftButton:
            page, start = self._anchor
            end = self.locate(event.position(), page)
            if end is not None:
                self._select(page, start, end[1])
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.LeftButton:
            self._anchor = None
        super().mouseReleaseEvent(event)

    def _select(self, page: int, start: QPointF, end: QPointF) -> None:
        found = self.document().getSelection(page, start, end)
        self.selection = found if found.isValid() and found.text() else None
        self._selection_page = page
        self.viewport().update()
        self.selection_changed.emit()

    # --- painting ---------------------------------------------------------------------------

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().paintEvent(event)
        rects = self.page_rects()
        if self.selection is None or not 0 <= self._selection_page < len(rects):
            return
        rect = rects[self._selection_page]
        scale = rect.width() / self.document().pagePointSize(self._selection_page).width()
        colour = QColor(self.palette().highlight().color())
        colour.setAlpha(SELECTION_ALPHA)
        painter = QPainter(self.viewport())
        painter.translate(rect.topLeft() - self._scroll())
        painter.scale(scale, scale)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        for polygon in self.selection.bounds():
            painter.drawPolygon(QPolygonF(polygon))
        painter.end()
