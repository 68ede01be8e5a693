"""A citation style picker: a search field over the titles of every installed CSL style.

The collection holds about 11,000 styles, most of them journals that borrow a parent's layout,
so nobody scrolls to theirs: they type a few words of its title ("lancet", "american medical")
and pick from what matches. The list is a model over the matching ``StyleInfo`` records, which
keeps refilling it on every keystroke cheap. Shared by the export dialog and Preferences.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from refman.formats import csl
from refman.formats.csl import StyleInfo

AnyIndex = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
STYLE_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class StyleListModel(QAbstractListModel):
    """Styles by title; the tooltip names the style's id (what ``--style`` takes)."""

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
        values = {
            Qt.ItemDataRole.DisplayRole: style.title,
            Qt.ItemDataRole.ToolTipRole: style.id,
            STYLE_ID_ROLE: style.id,
        }
        return values.get(role)


class StylePicker(QWidget):
    """Type to narrow the list, click a title to choose; ``style_changed`` gives the new id."""

    style_changed = Signal(str)

    def __init__(self, style_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._style = csl.find_style(style_id)
        self.filter = QLineEdit(placeholderText="Search styles by title", clearButtonEnabled=True)
        self.model = StyleListModel(self)
        self.list = QListView(uniformItemSizes=True)
        self.list.setModel(self.model)
        self.current_label = QLabel(wordWrap=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.filter, self.list, self.current_label):
            layout.addWidget(widget)
        self.filter.textChanged.connect(self._apply_filter)
        self.filter.returnPressed.connect(self._pick_first)
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
        self._show_current()

    def shown_titles(self) -> list[str]:
        return [self.model.style_at(row).title for row in range(self.model.rowCount())]

    def _apply_filter(self, text: str) -> None:
        self.model.set_styles(csl.search_styles(text))
        self._show_current()

    def _show_current(self) -> None:
        """Select the chosen style in the list, when the filter lets it show."""
        self.current_label.setText(f"Style: {self._style.title}")
        row = self.model.row_of(self._style.id)
        if row is None:
            self.list.clearSelection()
            return
        index = self.model.index(row, 0)
        self.list.setCurrentIndex(index)
        self.list.scrollTo(index, QListView.ScrollHint.PositionAtCenter)

    def _pick_first(self) -> None:
        if self.model.rowCount():
            self.list.setCurrentIndex(self.model.index(0, 0))

    def _on_current_changed(self, current: QModelIndex, _previous=None) -> None:
        if current.isValid():
            self._choose(self.model.style_at(current.row()))

    def _choose(self, style: StyleInfo) -> None:
        if style.id == self._style.id:
            return
        self._style = style
        self.current_label.setText(f"Style: {style.title}")
        self.style_changed.emit(style.id)
