"""Citation keys in the window: the detail pane's Citation Key field (edited, refused, undone),
the Citation Key column, Copy Citation Key / Pandoc / LaTeX, Regenerate, Alt-drag of Pandoc
keys, and the key pattern in Preferences."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMenu

from refman import citekeys
from refman.gui.item_table import COLUMN_KEYS, COLUMNS
from refman.gui.preferences import PreferencesDialog
from tests.unit.gui.helpers import id_of, menu_action, open_dialog

KNOWLES = "knowles2023safety"
SMITH = "smith2019balloon"


@pytest.fixture
def knowles(window) -> int:
    item_id = id_of(window.library, "Safety")
    window.table.select_ids([item_id])
    return item_id


@pytest.fixture
def two(window) -> list[int]:
    """Knowles and Smith selected, in the table's order (by title: Balloon first)."""
    ids = [id_of(window.library, "Safety"), id_of(window.library, "Balloon")]
    window.table.select_ids(ids)
    return ids


def key_field(window):
    return window.detail.fields.citation_key


def type_key(window, text: str) -> None:
    field = key_field(window)
    field.setFocus()
    field.selectAll()
    QTest.keyClick(field, Qt.Key.Key_Delete)
    QTest.keyClicks(field, text)
    QTest.keyClick(field, Qt.Key.Key_Return)


def test_the_detail_pane_shows_the_stored_key(window, knowles):
    assert key_field(window).text() == KNOWLES
    form = window.detail.fields.form
    assert form.labelForField(key_field(window)).text() == "Citation Key"


def test_a_key_typed_in_the_pane_is_saved_and_undone_like_a_field(window, knowles):
    type_key(window, "knowles:iltamiocel")
    assert window.library.keys.of([knowles]) == {knowles: "knowles:iltamiocel"}
    assert window.editor.undo_stack.undoText() == "Edit citation key"
    window.table.setFocus()
    QTest.keySequence(window, "Ctrl+Z")
    assert window.library.keys.of([knowles]) == {knowles: KNOWLES}
    assert key_field(window).text() == KNOWLES
    QTest.keySequence(window, "Ctrl+Shift+Z")
    assert key_field(window).text() == "knowles:iltamiocel"


def test_another_items_key_is_refused_with_a_message_and_the_key_comes_back(
    window, knowles, shown_errors
):
    type_key(window, SMITH.upper())
    assert shown_errors == [
        f"The key '{SMITH.upper()}' is already item {id_of(window.library, 'Balloon')}'s "
        '"Balloon dilation of the frontal sinus": keys are unique in the library (ignoring '
        "case, as BibTeX compares them)."
    ]
    assert window.library.keys.of([knowles]) == {knowles: KNOWLES}
    assert key_field(window).text() == KNOWLES
    assert not window.editor.undo_stack.canUndo()


def test_a_key_with_a_space_is_refused(window, knowles, shown_errors):
    type_key(window, "two words")
    assert len(shown_errors) == 1 and "cannot hold a space" in shown_errors[0]
    assert key_field(window).text() == KNOWLES


def test_the_citation_key_column_shows_and_sorts_by_key(window):
    assert COLUMNS[COLUMN_KEYS.index("citation_key")].title == "Citation Key"
    model = window.table_model
    column = COLUMN_KEYS.index("citation_key")
    model.sort(column, Qt.SortOrder.AscendingOrder)
    shown = [model.data(model.index(row, column)) for row in range(model.rowCount())]
    assert shown == sorted(window.library.keys.of(model.ids).values())
    assert shown[0] == "brown2018deep"


def copy(window, text: str) -> str:
    menu_action(window, "Edit", text).trigger()
    return QGuiApplication.clipboard().text()


def test_copy_key_pandoc_and_latex_citations_of_the_selection(window, two):
    assert copy(window, "Copy Citation Key") == f"{SMITH}, {KNOWLES}"
    assert copy(window, "Copy Pandoc Citation") == f"[@{SMITH}; @{KNOWLES}]"
    assert copy(window, "Copy LaTeX Citation") == f"\\cite{{{SMITH},{KNOWLES}}}"


def test_copy_citation_key_has_ctrl_shift_k_and_is_off_without_a_selection(window, knowles):
    action = menu_action(window, "Edit", "Copy Citation Key")
    assert action.shortcut() == QKeySequence("Ctrl+Shift+K")
    window.table.setFocus()
    QGuiApplication.clipboard().setText("")
    QTest.keySequence(window, "Ctrl+Shift+K")
    assert QGuiApplication.clipboard().text() == KNOWLES
    window.table.clearSelection()
    assert not action.isEnabled()


def test_the_items_context_menu_offers_the_key_copies(window, two):
    shown: list[str] = []

    def read_and_close() -> None:
        menu = QApplication.activePopupWidget()
        if isinstance(menu, QMenu):
            shown.extend(action.text() for action in menu.actions())
            menu.close()

    QTimer.singleShot(100, read_and_close)
    window.item_actions._show_menu(window.table.visualRect(window.table.currentIndex()).center())
    assert {"Copy Citation Key", "Copy Pandoc Citation", "Copy LaTeX Citation"} <= set(shown)


def test_regenerate_makes_keys_from_the_pattern_and_undo_gives_them_back(window, knowles):
    window.library.keys.set(knowles, "mine")
    window.library.keys.set_pattern("pmid[pmid]")
    menu_action(window, "Edit", "Regenerate Citation Key").trigger()
    assert window.library.keys.of([knowles]) == {knowles: "pmid37144409"}
    assert key_field(window).text() == "pmid37144409"
    window.editor.undo_stack.undo()
    assert window.library.keys.of([knowles]) == {knowles: "mine"}


def test_dragging_with_alt_carries_the_pandoc_citation(window, two):
    model = window.table_model
    indexes = [model.index(model.row_of(i), 0) for i in two]
    plain = model.mimeData(indexes)
    assert "Balloon dilation" in plain.text()  # a formatted bibliography, as before
    model.modifiers = lambda: Qt.KeyboardModifier.AltModifier
    keyed = model.mimeData(indexes)
    assert keyed.text() == f"[@{SMITH}; @{KNOWLES}]"
    assert not keyed.hasHtml()
    assert keyed.hasFormat("application/x-refman-item-ids")  # still dropped on collections


def open_preferences(window, qtbot) -> PreferencesDialog:
    return open_dialog(window, qtbot, "Edit", "Preferences…", PreferencesDialog)


def test_preferences_set_the_librarys_key_pattern_for_new_items(window, qtbot):
    dialog = open_preferences(window, qtbot)
    assert dialog.key_pattern.currentText() == citekeys.DEFAULT_PATTERN
    names = [dialog.key_pattern.itemText(i) for i in range(dialog.key_pattern.count())]
    pmid = names.index(next(n for n in names if n.startswith("PMID")))
    dialog.key_pattern.activated.emit(pmid)
    assert dialog.key_pattern.currentText() == citekeys.PMID_PATTERN
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert window.library.keys.pattern() == citekeys.PMID_PATTERN
    # Keys already made stay; Regenerate makes one from the new pattern.
    assert KNOWLES in window.library.keys.of(window.table_model.ids).values()


def test_a_bad_pattern_is_said_in_preferences_and_not_saved(window, qtbot):
    dialog = open_preferences(window, qtbot)
    dialog.key_pattern.setEditText("[auth][title]")
    assert dialog.key_pattern_problem.isVisibleTo(dialog)
    assert "unknown part [title]" in dialog.key_pattern_problem.text()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible()
    assert window.library.keys.pattern() == citekeys.DEFAULT_PATTERN
    dialog.key_pattern.setEditText("[auth]")
    assert not dialog.key_pattern_problem.isVisibleTo(dialog)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert window.library.keys.pattern() == "[auth]"
