"""Tag editing in the detail pane: one item's tags, or a tag for many items at once."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from refman.gui.tag_selector import muted_text_brush
from refman.model import Tag

TAG_NAME_ROLE = Qt.ItemDataRole.UserRole + 1


class TagInput(QLineEdit):
    """A tag name with completion from the library's tags; Return emits ``tag_entered``."""

    tag_entered = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setPlaceholderText("Add a tag")
        self.names = QStringListModel(self)
        completer = QCompleter(self.names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompleter(completer)
        self.returnPressed.connect(self._enter)

    def set_completions(self, names: list[str]) -> None:
        self.names.setStringList(names)

    def _enter(self) -> None:
        name = self.text()
        if name:  # spaces alone go on: the library refuses a blank tag in plain words
            self.clear()
            self.tag_entered.emit(name)


class ItemTagsEditor(QWidget):
    """One item's tags: automatic ones in muted italics; add with completion, remove."""

    add_requested = Signal(str)
    remove_requested = Signal(list)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.input = TagInput()
        self.input.tag_entered.connect(self.add_requested)
        self.remove_button = _button("Remove", self.remove_selected)
        layout = QVBoxLayout(self)
        layout.addLayout(_row(self.input, self.remove_button))
        layout.addWidget(self.list)

    def set_tags(self, tags: tuple[Tag, ...]) -> None:
        self.list.clear()
        for tag in sorted(tags, key=lambda t: (t.automatic, t.name.casefold())):
            item = QListWidgetItem(tag.mesh_text if tag.kind == "mesh" else tag.name)
            item.setData(TAG_NAME_ROLE, tag.name)
            if tag.automatic:
                _mute(item)
            self.list.addItem(item)

    def names(self) -> list[str]:
        return [self.list.item(row).data(TAG_NAME_ROLE) for row in range(self.list.count())]

    def remove_selected(self) -> None:
        names = [item.data(TAG_NAME_ROLE) for item in self.list.selectedItems()]
        if names:
            self.remove_requested.emit(names)

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Delete) or event.key() == Qt.Key.Key_Backspace:
            self.remove_selected()
            return
        super().keyPressEvent(event)


def _button(text: str, slot) -> QPushButton:
    button = QPushButton(text)
    button.clicked.connect(slot)
    return button


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    return row


def _mute(item: QListWidgetItem) -> None:
    font = QFont(item.font())
    font.setItalic(True)
    item.setFont(font)
    item.setForeground(muted_text_brush())
    item.setToolTip("Automatic tag (from the record)")


class BulkTagger(QWidget):
    """Add a tag to, or remove it from, every selected item."""

    add_requested = Signal(str)
    remove_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.input = TagInput()
        self.input.tag_entered.connect(self.add_requested)
        self.add_button = _button("Add to All", self.input.returnPressed)
        self.remove_button = _button("Remove from All", self._remove)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Tag:"))
        layout.addWidget(self.input)
        layout.addLayout(_row(self.add_button, self.remove_button))

    def _remove(self) -> None:
        name = self.input.text().strip()
        if name:
            self.input.clear()
            self.remove_requested.emit(name)
