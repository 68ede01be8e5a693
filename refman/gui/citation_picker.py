"""The quick citation picker that an editor's request opens (gui/cayw.py serves the request).

A search box that searches as one types with the library's quick search (words, PMIDs, DOIs,
keys), its results (authors, year, title, citation key), and the items picked so far as their
keys. Enter adds the highlighted result and empties the box; Enter on the empty box, or
Insert, answers; Backspace in the empty box takes the last pick back; Escape (or closing it)
cancels. ``picked`` gives the ids in the order picked, [] when cancelled, once either way.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from refman.library import Library
from refman.model import ItemId, NoWordsError, RefmanError, ViewQuery

RESULT_LIMIT = 100  # results listed; typing more narrows them
SEARCH_DELAY_MS = 150  # the search runs once typing pauses this long

HINT = (
    "Type to search (authors, title, year, key, PMID, DOI). Enter adds the highlighted item; "
    "Enter on an empty box, or Insert, sends the citation to your editor; Esc cancels."
)


class CitationPicker(QDialog):
    """A search box searching as one types, its results, the items picked so far (their keys);
    ``picked`` gives the ids in the order picked, [] when cancelled (once either way)."""

    picked = Signal(list)

    def __init__(self, library: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self.ids: list[ItemId] = []  # picked, in order
        self._keys: dict[ItemId, str] = {}
        self._answered = False
        self.setWindowTitle("Cite — refman")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.search = QLineEdit(placeholderText="Search the library: author, title, PMID, DOI…")
        self.search.setObjectName("cayw_search")
        self.search.setClearButtonEnabled(True)
        self.results = _results_view()
        self.chosen = _chosen_view()
        self.message = QLabel(HINT, wordWrap=True)
        self.message.setObjectName("cayw_message")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.insert_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.insert_button.setText("Insert")
        for button in self.buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)  # Enter belongs to the box (see keyPressEvent)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addWidget(QLabel("Citing:"))
        layout.addWidget(self.chosen)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(760, 460)
        self.timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.search_now)
        self.search.textChanged.connect(lambda _text: self.timer.start())
        self.search.returnPressed.connect(self.enter)
        self.search.installEventFilter(self)
        self.results.itemActivated.connect(lambda item, _column: self.add(item))
        self.chosen.itemActivated.connect(self.unpick)

    def open_for_picking(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        self.search.setFocus()

    # --- searching ---

    def search_now(self) -> None:
        """List the items the box's text finds (the library's quick search), best first."""
        self.timer.stop()
        self.results.clear()
        text = self.search.text().strip()
        if not text:
            return
        try:
            ids = self.library.items.search(ViewQuery(text=text), sort="creators")
        except NoWordsError:
            return
        except RefmanError as exc:
            self.message.setText(str(exc))
            return
        shown = ids[:RESULT_LIMIT]
        rows = self.library.items.rows(shown, ["creators", "year", "title", "citation_key"])
        for item_id in shown:
            if item_id in rows:
                item = QTreeWidgetItem(list(rows[item_id]))
                item.setData(0, Qt.ItemDataRole.UserRole, item_id)
                item.setToolTip(2, rows[item_id][2])
                self.results.addTopLevelItem(item)
        more = len(ids) - len(shown)
        if not ids:
            self.message.setText(f"Nothing in the library matches “{text}”.")
        else:
            self.message.setText(f"{more} more found: type more to narrow them." if more else HINT)
        first = self.results.topLevelItem(0)
        if first is not None:
            self.results.setCurrentItem(first)

    def shown_keys(self) -> list[str]:
        """The keys of the results listed (for tests and the eye)."""
        items = (self.results.topLevelItem(n) for n in range(self.results.topLevelItemCount()))
        return [item.text(3) for item in items if item is not None]

    # --- picking ---

    def enter(self) -> None:
        """Enter in the box: add the highlighted result; with the box empty, insert."""
        if self.timer.isActive():
            self.search_now()  # typed faster than the search: find what was typed first
        current = self.results.currentItem()
        if not self.search.text().strip():
            self.accept()
        elif current is not None:
            self.add(current)

    def add(self, item: QTreeWidgetItem) -> None:
        item_id = ItemId(item.data(0, Qt.ItemDataRole.UserRole))
        if item_id not in self.ids:
            self.ids.append(item_id)
            chip = QListWidgetItem(item.text(3) or item.text(2))
            chip.setData(Qt.ItemDataRole.UserRole, item_id)
            chip.setToolTip(f"{item.text(0)} {item.text(1)}: {item.text(2)} (Enter removes it)")
            self.chosen.addItem(chip)
        self.search.clear()
        self.results.clear()
        self.search.setFocus()

    def unpick(self, chip: QListWidgetItem) -> None:
        item_id = chip.data(Qt.ItemDataRole.UserRole)
        self.ids = [i for i in self.ids if i != item_id]
        self.chosen.takeItem(self.chosen.row(chip))
        self.search.setFocus()

    def picked_keys(self) -> list[str]:
        return [self.chosen.item(n).text() for n in range(self.chosen.count())]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """The box's Up and Down move in the results; Backspace in an empty box takes the last
        pick back."""
        if (
            watched is self.search
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
        ):
            key = event.key()
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
                QApplication.sendEvent(self.results, event)
                return True
            if key == Qt.Key.Key_Backspace and not self.search.text() and self.ids:
                self.unpick(self.chosen.item(self.chosen.count() - 1))
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        # Enter adds or inserts from the box and the results (``enter``, itemActivated); the
        # dialog's own Enter would press the button box's default button instead.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def done(self, result: int) -> None:  # accept, reject, Escape, the window's close button
        if not self._answered:
            self._answered = True
            picked = list(self.ids) if result == QDialog.DialogCode.Accepted else []
            super().done(result)
            self.picked.emit(picked)
            return
        super().done(result)


def _results_view() -> QTreeWidget:
    view = QTreeWidget()
    view.setObjectName("cayw_results")
    view.setHeaderLabels(["Authors", "Year", "Title", "Citation Key"])
    view.setRootIsDecorated(False)
    view.setUniformRowHeights(True)
    view.setAllColumnsShowFocus(True)
    view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    for column, width in enumerate((150, 50, 380)):
        view.setColumnWidth(column, width)
    return view


def _chosen_view() -> QListWidget:
    view = QListWidget()
    view.setObjectName("cayw_chosen")
    view.setFlow(QListWidget.Flow.LeftToRight)
    view.setWrapping(True)
    view.setSpacing(4)
    view.setMaximumHeight(64)
    view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
    view.setToolTip("The items cited, in order; double-click one to take it out.")
    return view
