"""A citation style picker: a search field over the titles of every installed CSL style.

The collection holds about 11,000 styles, most of them journals that borrow a parent's layout,
so nobody scrolls to theirs: they type a few words of its title ("lancet", "american medical")
and pick from what matches. The matches come best first (``csl.rank_styles``: titles that
start with the words, then those that hold them, then styles found by their summary or
field), and the best one is selected and scrolled to as the user types; Up and Down in the
search field move through the list. Each row shows the title and, under it, the style's
description (``csl.describe``: numeric or author-date, the fields, the summary or the parent
whose layout it takes); a title too long for the row is shortened in its middle, where the
nine "NLM/Vancouver: Citing Medicine 2nd edition (...)" styles do not differ, and the tooltip
and the line under the list give it whole. The list is a model over the matching
``StyleInfo`` records, which keeps refilling it on every keystroke cheap. Shared by the export
dialog and Preferences.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from refman.formats import csl
from refman.formats.csl import StyleInfo

AnyIndex = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
STYLE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 2
PADDING = 4  # pixels around a row's two lines


class StyleListModel(QAbstractListModel):
    """Styles, best match first; the tooltip gives the whole title, the description and the
    style's id (what ``--style`` takes)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._styles: list[StyleInfo] = []

    def set_styles(self, styles: list[StyleInfo]) -> None:
        self.beginResetModel()
        self._styles = styles
        self.endResetModel()

    def style_at(self, row: int) -> StyleInfo:
        return self._styles[row]

    def row_of(self, style_id: str) -> int | None:
        for row, style in enumerate(self._styles):
            if style.id == style_id:
                return row
        return None

    def rowCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self._styles)

    def data(self, index: AnyIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        style = self._styles[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return style.title
        if role == DESCRIPTION_ROLE:
            return csl.describe(style)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(style)
        if role == STYLE_ID_ROLE:
            return style.id
        return None


def tooltip(style: StyleInfo) -> str:
    """The whole title, the description and the id, one a line."""
    return "\n".join(part for part in (style.title, csl.describe(style), f"Id: {style.id}") if part)


class StyleDelegate(QStyledItemDelegate):
    """A row: the title, wrapped onto a second line when too long for one (and shortened in
    its middle beyond that), then the description in a smaller, quieter type (shortened at
    its end). Every row has room for two lines of title, a short title's lines sit in its
    middle: rows of one height let the view lay out 11,000 of them without asking each."""

    def __init__(self, view: QListView):
        super().__init__(view)
        self._view = view

    def paint(self, painter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        self.initStyleOption(option, index)
        option.text = ""  # the lines are drawn below, over the row's background
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect = option.rect.adjusted(2 * PADDING, PADDING, -2 * PADDING, -PADDING)
        titles, description = self.shown_texts(index, rect.width(), option.font)
        line_height = QFontMetrics(option.font).height()
        if len(titles) == 1:  # in the middle of the room for two
            rect.translate(0, line_height // 2)
        painter.save()
        painter.setPen(option.palette.color(text_role))
        painter.setFont(option.font)
        for n, line in enumerate(titles):
            top = rect.top() + n * line_height
            painter.drawText(QRect(rect.left(), top, rect.width(), line_height), 0, line)
        painter.setFont(_small(option.font))
        if not selected:
            painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        top = rect.top() + len(titles) * line_height + PADDING // 2
        small_height = QFontMetrics(_small(option.font)).height()
        painter.drawText(QRect(rect.left(), top, rect.width(), small_height), 0, description)
        painter.restore()

    @staticmethod
    def shown_texts(index: AnyIndex, width: int, font: QFont) -> tuple[list[str], str]:
        """The title's lines and the description as a row ``width`` pixels wide shows them."""
        title = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        description = str(index.data(DESCRIPTION_ROLE) or "")
        small = QFontMetrics(_small(font))
        return (
            title_lines(title, width, QFontMetrics(font)),
            small.elidedText(description, Qt.TextElideMode.ElideRight, width),
        )

    def text_width(self) -> int:
        """The width the lines of a row get in the view."""
        return self._view.viewport().width() - 4 * PADDING

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        height = 2 * QFontMetrics(option.font).height() + QFontMetrics(_small(option.font)).height()
        return QSize(self.text_width(), height + 2 * PADDING + PADDING // 2)


def title_lines(title: str, width: int, metrics: QFontMetrics) -> list[str]:
    """``title`` on one line, or on two, broken between words; what does not fit the second
    is left out of its middle, so that its end (where like titles differ) stays."""
    if metrics.horizontalAdvance(title) <= width:
        return [title]
    words = title.split(" ")
    first = words[0]
    for count in range(1, len(words)):
        longer = " ".join(words[: count + 1])
        if metrics.horizontalAdvance(longer) > width:
            break
        first = longer
    rest = title[len(first) :].strip()
    if not rest:  # one word wider than the row
        return [metrics.elidedText(title, Qt.TextElideMode.ElideMiddle, width)]
    return [first, metrics.elidedText(rest, Qt.TextElideMode.ElideMiddle, width)]


def _small(font: QFont) -> QFont:
    small = QFont(font)
    if font.pointSizeF() > 0:
        small.setPointSizeF(font.pointSizeF() * 0.85)
    else:
        small.setPixelSize(max(8, round(font.pixelSize() * 0.85)))
    return small


class StylePicker(QWidget):
    """Type to narrow the list (the best match is chosen), click a title to choose another;
    ``style_changed`` gives the new id."""

    style_changed = Signal(str)

    def __init__(self, style_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._style = csl.find_style(style_id)
        # The style chosen by hand (a click, a key, Return) or before the search: chosen again
        # when the words typed match nothing.
        self._settled = self._style
        self._typing = False
        self.filter = QLineEdit(placeholderText="Search styles by title", clearButtonEnabled=True)
        self.model = StyleListModel(self)
        # Rows rewrap on resize; all of one height (StyleDelegate), for speed.
        self.list = QListView(resizeMode=QListView.ResizeMode.Adjust, uniformItemSizes=True)
        self.list.setModel(self.model)
        self.list.setItemDelegate(StyleDelegate(self.list))
        self.current_label = QLabel(wordWrap=True)
        self.current_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.description_label = QLabel(wordWrap=True)
        self.description_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.description_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.filter, self.list, self.current_label, self.description_label):
            layout.addWidget(widget)
        self.filter.textChanged.connect(self._apply_filter)
        self.filter.returnPressed.connect(self._settle)
        self.filter.installEventFilter(self)
        self.list.selectionModel().currentChanged.connect(self._on_current_changed)
        self._apply_filter("")

    # Not QWidget.style() (the widget's QStyle, which Qt reads in C++, never through Python).
    def style(self) -> str:  # type: ignore[override]
        """The id of the chosen style."""
        return self._style.id

    def style_title(self) -> str:
        return self._style.title

    def set_style(self, style_id: str) -> None:
        self._choose(csl.find_style(style_id))
        self._settled = self._style
        self._show_current()

    def shown_titles(self) -> list[str]:
        return [self.model.style_at(row).title for row in range(self.model.rowCount())]

    def _apply_filter(self, text: str) -> None:
        self._typing = True
        try:
            self.model.set_styles(csl.rank_styles(text))
            if not text.strip():
                self._settled = self._style
            elif self.model.rowCount():
                self._select_row(0)  # the best match: chosen, as a click would
            else:
                self._choose(self._settled)
            self._show_current()
        finally:
            self._typing = False

    def _show_current(self) -> None:
        """Select the chosen style in the list, when the filter lets it show."""
        self._show_labels()
        row = self.model.row_of(self._style.id)
        if row is None:
            self.list.clearSelection()
            return
        self._select_row(row)

    def _show_labels(self) -> None:
        self.current_label.setText(f"Style: {self._style.title}")
        self.description_label.setText(f"{csl.describe(self._style)}\nId: {self._style.id}")

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.list.setCurrentIndex(index)
        self.list.scrollTo(index, QListView.ScrollHint.PositionAtCenter)

    def _settle(self) -> None:
        """Return in the search field: the match selected (the best, unless Up or Down moved
        on) is settled on."""
        if self.model.rowCount() and not self.list.currentIndex().isValid():
            self._select_row(0)
        self._settled = self._style

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up and Down in the search field move through the matches."""
        if watched is self.filter and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            step = 1 if key == Qt.Key.Key_Down else -1 if key == Qt.Key.Key_Up else 0
            if step and self.model.rowCount():
                row = min(max(self.list.currentIndex().row() + step, 0), self.model.rowCount() - 1)
                self._select_row(row)
                return True
        return super().eventFilter(watched, event)

    def _on_current_changed(self, current: QModelIndex, _previous=None) -> None:
        if current.isValid():
            self._choose(self.model.style_at(current.row()))
            if not self._typing:
                self._settled = self._style

    def _choose(self, style: StyleInfo) -> None:
        if style.id == self._style.id:
            return
        self._style = style
        self._show_labels()
        self.style_changed.emit(style.id)
