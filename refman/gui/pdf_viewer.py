"""The built-in PDF viewer (issue 15): one PDF in a tab of the window, its item's details beside.

A ``PdfTab`` shows a PDF with QtPdf (from PySide6-Addons): a QPdfView over a QPdfDocument in
continuous (multi-page) mode, a toolbar with previous/next page, the page box ("3 / 12"), zoom
in and out, fit width and fit page, and a find bar (QPdfSearchModel) that counts the matches
("2 of 14 matches"), highlights the current one and scrolls to it. The item's DetailPane is
beside the PDF, editable as in the library tab.

Text is selected by dragging the mouse over a page (pdf_pages.PageView: QPdfView of Qt 6.11
has no selection of its own) and copied with Ctrl+C or the pages' context menu; Copy Match
copies the current match with the words around it, Copy Page Text the page on show. Ctrl+C
with nothing selected copies the match when there is one, else the page.

``open_pdf`` loads a file and says in plain words why it cannot be shown (damaged, locked with
a password, not a PDF); the window's tabs (viewer_tabs.py) decide what to do about it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPointF, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtPdf import QPdfDocument, QPdfSearchModel
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from refman.gui import keys
from refman.gui.detail_pane import DetailPane
from refman.gui.pdf_pages import PageView, dots_per_point
from refman.gui.undo import LibraryEditor
from refman.model import ItemId

_KEYS = QKeySequence.StandardKey
ZOOM_STEP = 1.25  # each Zoom In multiplies the size by this
ZOOM_RANGE = (0.1, 8.0)
MATCH_MARGIN_PT = 72  # a match scrolled to is shown this far (in PDF points) below the top
LINE_BREAK = "\u23ce"  # how QPdfSearchModel's context marks a line break
PAGE_SHARE = 0.68  # the PDF's share of the tab's width; the item's details have the rest

_PROBLEMS = {
    QPdfDocument.Error.FileNotFound: "{path} is not there (moved or deleted?).",
    QPdfDocument.Error.InvalidFileFormat: ("{path} cannot be shown: it is damaged or not a PDF."),
    QPdfDocument.Error.IncorrectPassword: (
        "{path} is locked with a password, which refman's viewer cannot ask for. "
        "Open it in your PDF reader."
    ),
    QPdfDocument.Error.UnsupportedSecurityScheme: (
        "{path} is encrypted in a way refman's viewer does not support. Open it in your PDF reader."
    ),
}


class PdfLoadError(Exception):
    """A PDF that cannot be shown; the message says why in plain words."""


def open_pdf(path: Path, parent=None) -> QPdfDocument:
    """The PDF at ``path``, loaded; PdfLoadError when QtPdf cannot show it."""
    document = QPdfDocument(parent)
    error = document.load(str(path))
    if error == QPdfDocument.Error.None_ and document.pageCount() > 0:
        return document
    document.deleteLater()
    template = _PROBLEMS.get(error, "{path} cannot be shown (QtPdf gave no reason).")
    raise PdfLoadError(template.format(path=path))


class FindBar(QWidget):
    """Find in the PDF: the words, previous/next, "2 of 14 matches", close."""

    search_changed = Signal(str)
    next_requested = Signal()
    previous_requested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.box = QLineEdit(placeholderText="Find in the PDF")
        self.box.setClearButtonEnabled(True)
        self.box.textChanged.connect(self.search_changed)
        self.box.returnPressed.connect(self.next_requested)
        self.count = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.box, 1)
        for text, tip, signal in (
            ("▲", "Previous match (Shift+F3)", self.previous_requested),
            ("▼", "Next match (F3, Enter)", self.next_requested),
        ):
            layout.addWidget(_button(text, tip, signal.emit))
        layout.addWidget(self.count)
        layout.addWidget(_button("✕", "Close the find bar (Esc)", self.close_bar))

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and shift:
            self.previous_requested.emit()
        else:
            super().keyPressEvent(event)

    def open_bar(self) -> None:
        self.show()
        self.box.setFocus()
        self.box.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()


class PdfTab(QWidget):
    """One PDF file: its toolbar, find bar and pages, and its item's DetailPane beside."""

    def __init__(
        self,
        document: QPdfDocument,
        path: Path,
        attachment_id: int,
        item_id: ItemId,
        editor: LibraryEditor,
        citation_style: Callable[[], str | None] = lambda: None,
    ):
        super().__init__()
        self.document = document
        document.setParent(self)
        self.path = path
        self.attachment_id = attachment_id
        self.item_id = item_id
        self.current_match = -1  # the index of the match on show, -1 before the first
        self.view = self._make_view()
        self.search = QPdfSearchModel(self)
        self.search.setDocument(document)
        self.view.setSearchModel(self.search)
        self.find_bar = FindBar()
        self.find_bar.hide()
        self.detail = DetailPane(editor, citation_style=citation_style)
        self.detail.show_items([item_id])
        self._build_actions()
        self._build_layout()
        self._connect()
        self._show_page(0)

    # --- building ---------------------------------------------------------------------------

    def _make_view(self) -> PageView:
        view = PageView()
        view.setDocument(self.document)
        view.setPageMode(QPdfView.PageMode.MultiPage)
        view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the arrows and Page Up/Down scroll
        return view

    def _build_actions(self) -> None:
        self.previous_page = self._action("Previous Page", lambda: self.go_to_page(-1, True))
        self.next_page = self._action("Next Page", lambda: self.go_to_page(1, True))
        self.zoom_in = self._action(
            "Zoom In", lambda: self.zoom_by(ZOOM_STEP), _KEYS.ZoomIn, "Ctrl+="
        )
        self.zoom_out = self._action("Zoom Out", lambda: self.zoom_by(1 / ZOOM_STEP), _KEYS.ZoomOut)
        self.fit_width = self._action("Fit Width", self.fit_to_width, "Ctrl+0")
        self.fit_page = self._action("Fit Page", self.fit_in_view)
        self.find_next = self._action("Next Match", self.next_match, _KEYS.FindNext)
        self.find_previous = self._action("Previous Match", self.previous_match, _KEYS.FindPrevious)
        self.copy_match = self._action("Copy Match", self.copy_match_now)
        self.copy_page = self._action("Copy Page Text", self.copy_page_now)
        # Ctrl+C where the pages have the keyboard; fields (the find box, the details) keep theirs.
        self.copy = QAction("Copy", self.view)  # the selection, else the match, else the page
        keys.set_keys(self.copy, _KEYS.Copy)
        self.copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy.triggered.connect(self.copy_now)
        self.view.addAction(self.copy)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.view.addActions([self.copy_match, self.copy_page])

    def _action(self, text: str, slot, *shortcut) -> QAction:
        """An action of this tab: its keys work while the keyboard is anywhere in the tab."""
        action = QAction(text, self)
        if shortcut:
            keys.set_keys(action, *shortcut)
            key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{text} ({key})")
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_layout(self) -> None:
        self.page_box = QSpinBox()
        self.page_box.setRange(1, self.document.pageCount())
        self.page_box.setSuffix(f" / {self.document.pageCount()}")
        self.page_box.setToolTip("Page: type a number and press Enter")
        self.page_box.setKeyboardTracking(False)  # jump on Enter, not on every digit
        self.zoom_label = QLabel()
        bar = QToolBar()
        bar.addActions([self.previous_page, self.next_page])
        bar.addWidget(self.page_box)
        bar.addSeparator()
        bar.addActions([self.zoom_out, self.zoom_in, self.fit_width, self.fit_page])
        bar.addWidget(self.zoom_label)
        bar.addSeparator()
        bar.addActions([self.copy_match, self.copy_page])
        pages = QWidget()
        column = QVBoxLayout(pages)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        for widget in (bar, self.find_bar, self.view):
            column.addWidget(widget)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(pages)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.toolbar = bar

    def _connect(self) -> None:
        navigator = self.view.pageNavigator()
        navigator.currentPageChanged.connect(self._show_page)
        self.page_box.valueChanged.connect(lambda number: self.go_to_page(number - 1))
        self.view.zoomFactorChanged.connect(self._show_zoom)
        self.view.zoomModeChanged.connect(self._show_zoom)
        self.find_bar.search_changed.connect(self.find_text)
        self.find_bar.next_requested.connect(self.next_match)
        self.find_bar.previous_requested.connect(self.previous_match)
        self.find_bar.closed.connect(self._on_find_closed)
        self.search.countChanged.connect(self._on_count_changed)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if not self.splitter.property("placed"):  # the first time: the PDF gets most room
            self.splitter.setProperty("placed", True)
            width = max(self.width(), 400)
            self.splitter.setSizes([round(width * PAGE_SHARE), round(width * (1 - PAGE_SHARE))])
        self._show_zoom()

    # --- pages and zoom ---------------------------------------------------------------------

    def page(self) -> int:
        """The page on show (0 for the first)."""
        return self.view.pageNavigator().currentPage()

    def go_to_page(self, page: int, relative: bool = False) -> None:
        """Show page ``page`` (0 for the first), or ``page`` pages on when ``relative``."""
        target = self.page() + page if relative else page
        target = max(0, min(target, self.document.pageCount() - 1))
        if target != self.page():
            self.view.pageNavigator().jump(target, QPointF(), 0)

    def _show_page(self, page: int) -> None:
        self.page_box.blockSignals(True)  # the box follows the pages; it does not move them
        self.page_box.setValue(page + 1)
        self.page_box.blockSignals(False)
        self.previous_page.setEnabled(page > 0)
        self.next_page.setEnabled(page < self.document.pageCount() - 1)

    def zoom(self) -> float:
        """The size the pages are shown at (1.0: the PDF's own size), in a fit mode too."""
        mode = self.view.zoomMode()
        if mode == QPdfView.ZoomMode.Custom:
            return self.view.zoomFactor()
        size = self.document.pagePointSize(self.page())
        if size.isEmpty():
            return 1.0
        dpi = dots_per_point()
        margins = self.view.documentMargins()
        width = self.view.viewport().width() - margins.left() - margins.right()
        height = self.view.viewport().height() - margins.top() - margins.bottom()
        factor = width / (size.width() * dpi)
        if mode == QPdfView.ZoomMode.FitInView:
            factor = min(factor, height / (size.height() * dpi))
        return factor

    def zoom_by(self, step: float) -> None:
        factor = max(ZOOM_RANGE[0], min(self.zoom() * step, ZOOM_RANGE[1]))
        page = self.page()
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(factor)
        self.view.pageNavigator().jump(page, QPointF(), 0)  # stay on the page read

    def fit_to_width(self) -> None:
        self._fit(QPdfView.ZoomMode.FitToWidth)

    def fit_in_view(self) -> None:
        self._fit(QPdfView.ZoomMode.FitInView)

    def _fit(self, mode: QPdfView.ZoomMode) -> None:
        page = self.page()
        self.view.setZoomMode(mode)
        self.view.pageNavigator().jump(page, QPointF(), 0)

    def _show_zoom(self, *_args) -> None:
        self.zoom_label.setText(f"{round(self.zoom() * 100)}%")

    # --- find -------------------------------------------------------------------------------

    def open_find(self) -> None:
        """Ctrl+F in this tab: the find bar, with the keyboard in it (and its last words
        looked for again)."""
        if not self.find_bar.isVisible() and self.find_bar.box.text():
            self.find_text(self.find_bar.box.text())
        self.find_bar.open_bar()

    def find_text(self, text: str) -> None:
        """Look for ``text`` (the model counts the pages' matches a few pages at a time)."""
        self.current_match = -1
        self.view.setCurrentSearchResultIndex(-1)
        self.search.setSearchString(text)
        self._show_count()

    def match_count(self) -> int:
        return self.search.count() if self.search.searchString() else 0

    def next_match(self) -> None:
        self._step_match(1)

    def previous_match(self) -> None:
        self._step_match(-1)

    def _step_match(self, step: int) -> None:
        count = self.match_count()
        if not count:
            if not self.find_bar.isVisible():
                self.open_find()  # F3 with nothing to find: ask what
            return
        if self.current_match < 0:
            self.current_match = 0 if step > 0 else count - 1
        else:
            self.current_match = (self.current_match + step) % count
        self.show_match(self.current_match)

    def show_match(self, index: int) -> None:
        """Highlight match ``index`` and scroll to it."""
        self.current_match = index
        self.view.setCurrentSearchResultIndex(index)
        link = self.search.resultAtIndex(index)
        where = link.location()
        self.view.pageNavigator().jump(
            link.page(), QPointF(0, max(where.y() - MATCH_MARGIN_PT, 0)), 0
        )
        self._show_count()

    def _on_count_changed(self) -> None:
        # The first match is shown as soon as it is found, as a browser's find does.
        if self.current_match < 0 and self.match_count() and self.find_bar.isVisible():
            self.show_match(0)
        self._show_count()

    def _show_count(self) -> None:
        count = self.match_count()
        text = self.search.searchString()
        if not text:
            words = ""
        elif not count:
            words = "No matches"
        elif self.current_match >= 0:
            words = f"{self.current_match + 1} of {count} match{'es' * (count != 1)}"
        else:
            words = f"{count} match{'es' * (count != 1)}"
        self.find_bar.count.setText(words)
        self.copy_match.setEnabled(self.current_match >= 0)

    def _on_find_closed(self) -> None:
        """The find bar closed: no match highlighted, the keyboard back in the pages."""
        self.find_text("")
        self.view.setFocus()

    # --- copy -------------------------------------------------------------------------------

    def page_text(self, page: int | None = None) -> str:
        page = self.page() if page is None else page
        return self.document.getAllText(page).text().replace("\r\n", "\n")

    def match_text(self) -> str:
        """The current match with the words around it on its page, as one line."""
        if self.current_match < 0:
            return ""
        row = self.search.index(self.current_match, 0, QModelIndex())
        role = QPdfSearchModel.Role
        before = str(self.search.data(row, int(role.ContextBefore.value)) or "")
        after = str(self.search.data(row, int(role.ContextAfter.value)) or "")
        words = self._matched_words(self.search.resultAtIndex(self.current_match))
        return " ".join(f"{before}{words}{after}".replace(LINE_BREAK, " ").split())

    def _matched_words(self, link) -> str:
        """The words matched as the page has them (the search ignores case)."""
        rects = link.rectangles()
        text = self.search.searchString()
        if rects:
            box = rects[0]
            found = self.document.getSelection(link.page(), box.topLeft(), box.bottomRight())
            if found.isValid() and found.text().strip().casefold() == text.casefold():
                return found.text().strip()
        return text

    def copy_match_now(self) -> None:
        text = self.match_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    def copy_page_now(self) -> None:
        QGuiApplication.clipboard().setText(self.page_text())

    def copy_now(self) -> None:
        """Ctrl+C in the pages: the text selected with the mouse, else the current match and
        its words around, else the page."""
        if self.view.selected_text():
            QGuiApplication.clipboard().setText(self.view.selected_text())
        elif self.current_match >= 0:
            self.copy_match_now()
        else:
            self.copy_page_now()

    # --- the window's part ------------------------------------------------------------------

    def show_item(self, item_id: ItemId) -> None:
        """The attachment now belongs to ``item_id``: show that item beside the PDF."""
        self.item_id = item_id
        self.detail.show_items([item_id])

    def title(self) -> str:
        return self.path.name

    def flush(self) -> None:
        """Save what is typed in the details and not saved yet (before the tab closes)."""
        self.detail.flush()


def _button(text: str, tip: str, slot) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    button.clicked.connect(slot)
    return button
