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
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
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

from refman.cayw import SHORT_LABELS, Cited, split_locator
from refman.library import Library
from refman.model import ItemId, NoWordsError, RefmanError, ViewQuery

RESULT_LIMIT = 100  # results listed; typing more narrows them
SEARCH_DELAY_MS = 150  # the search runs once typing pauses this long

HINT = (
    "Type to search (authors, title, year, key, PMID, DOI), a page after the words if you like "
    "(knowles p. 25). Enter adds the highlighted item; Enter on an empty box, or Insert, sends "
    "the citation to your editor; Esc cancels. Double-click a picked item for its page, "
    "prefix and suffix."
)
_KEY_ROLE = Qt.ItemDataRole.UserRole + 1  # a chip's citation key (its text adds the locator)


class CitationPicker(QDialog):
    """A search box searching as one types, its results, the items picked so far (their keys);
    ``picked`` gives the picks (Cited) in the order picked, [] when cancelled (once either
    way)."""

    picked = Signal(list)

    def __init__(self, library: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self.ids: list[ItemId] = []  # picked, in order
        self.details: dict[ItemId, Cited] = {}  # each pick's locator, prefix, suffix
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
        self.chosen.itemActivated.connect(self.edit_details)
        self.chosen.installEventFilter(self)

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
        text, _label, _locator = split_locator(self.search.text())
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
        """Add the result to the citation, with the locator typed after the words, if any."""
        item_id = ItemId(item.data(0, Qt.ItemDataRole.UserRole))
        if item_id not in self.ids:
            _search, label, locator = split_locator(self.search.text())
            self.ids.append(item_id)
            self.details[item_id] = Cited(item_id=item_id, locator=locator, label=label)
            chip = QListWidgetItem()
            chip.setData(Qt.ItemDataRole.UserRole, item_id)
            chip.setData(_KEY_ROLE, item.text(3) or item.text(2))
            chip.setToolTip(
                f"{item.text(0)} {item.text(1)}: {item.text(2)} "
                "(double-click for page, prefix, suffix; Delete removes it)"
            )
            self.chosen.addItem(chip)
            self._show_details(chip)
        self.search.clear()
        self.results.clear()
        self.search.setFocus()

    def _show_details(self, chip: QListWidgetItem) -> None:
        """The chip reads as the citation will: ``see knowles2023safety, p. 25``."""
        cited = self.details[chip.data(Qt.ItemDataRole.UserRole)]
        key = ("-" if cited.suppress_author else "") + chip.data(_KEY_ROLE)
        parts = [f"{cited.prefix} {key}".strip(), cited.locator_text, cited.suffix]
        chip.setText(", ".join(part for part in parts if part))

    def edit_details(self, chip: QListWidgetItem) -> None:
        """The picked item's locator and label, prefix, suffix and "omit author"; or remove."""
        item_id = chip.data(Qt.ItemDataRole.UserRole)
        dialog = CiteDetails(self.details[item_id], chip.data(_KEY_ROLE), self)
        result = dialog.exec()
        if result == CiteDetails.REMOVE:
            self.unpick(chip)
            return
        if result == QDialog.DialogCode.Accepted:
            self.details[item_id] = dialog.cited()
            self._show_details(chip)
        self.search.setFocus()

    def unpick(self, chip: QListWidgetItem) -> None:
        item_id = chip.data(Qt.ItemDataRole.UserRole)
        self.ids = [i for i in self.ids if i != item_id]
        self.details.pop(item_id, None)
        self.chosen.takeItem(self.chosen.row(chip))
        self.search.setFocus()

    def picked_keys(self) -> list[str]:
        return [self.chosen.item(n).data(_KEY_ROLE) for n in range(self.chosen.count())]

    def picks(self) -> list[Cited]:
        """The items picked, in order, with their locators, prefixes and suffixes."""
        return [self.details[item_id] for item_id in self.ids]

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
        if (
            watched is self.chosen
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            and self.chosen.currentItem() is not None
        ):
            self.unpick(self.chosen.currentItem())
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
            picked = self.picks() if result == QDialog.DialogCode.Accepted else []
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
    view.setToolTip(
        "The items cited, in order; double-click one for its page, prefix and suffix, "
        "Delete takes it out."
    )
    return view


class CiteDetails(QDialog):
    """One picked item's details, as Zotero's citation dialog has them: the locator and its
    label, a prefix, a suffix, "Omit author"; Remove takes the item out of the citation."""

    REMOVE = 2  # exec()'s result when Remove was pressed

    def __init__(self, cited: Cited, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Cite {key}")
        self._cited = cited
        self.label = QComboBox()
        self.label.setObjectName("cite_label")
        for label in SHORT_LABELS:
            self.label.addItem(label.replace("-", " "), label)
        self.label.setCurrentIndex(max(0, self.label.findData(cited.label or "page")))
        self.locator = QLineEdit(cited.locator, placeholderText="25, 3-5, …")
        self.prefix = QLineEdit(cited.prefix, placeholderText="see")
        self.suffix = QLineEdit(cited.suffix, placeholderText="emphasis added")
        self.omit_author = QCheckBox("Omit author")
        self.omit_author.setChecked(cited.suppress_author)
        form = QFormLayout(self)
        form.addRow("Label:", self.label)
        form.addRow("Locator:", self.locator)
        form.addRow("Prefix:", self.prefix)
        form.addRow("Suffix:", self.suffix)
        form.addRow("", self.omit_author)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.remove_button = buttons.addButton(
            "Remove from Citation", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.remove_button.clicked.connect(lambda: self.done(self.REMOVE))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.locator.setFocus()

    def cited(self) -> Cited:
        """The details as edited."""
        locator = self.locator.text().strip()
        return Cited(
            key=self._cited.key,
            item_id=self._cited.item_id,
            locator=locator,
            label=self.label.currentData() if locator else "",
            prefix=self.prefix.text().strip(),
            suffix=self.suffix.text().strip(),
            suppress_author=self.omit_author.isChecked(),
        )
