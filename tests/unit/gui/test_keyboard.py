"""The keyboard: Tab round the panes, redo, the note editor's formatting keys, Shift+F10 and
the Menu key, Delete, and no shortcut claimed twice."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from refman.gui import keys
from tests.unit.gui.helpers import id_of, menu_action

SHIFT = Qt.KeyboardModifier.ShiftModifier


def press(key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key click on whatever has the keyboard now, as a user's key goes."""
    QTest.keyClick(QApplication.focusWidget(), key, modifier)


def focus_path(window, key, count: int, modifier=Qt.KeyboardModifier.NoModifier) -> list:
    path = []
    for _ in range(count):
        press(key, modifier)
        path.append(QApplication.focusWidget())
    return path


def start_in_tree(window, qtbot) -> None:
    window.activateWindow()
    window.sidebar.tree.setFocus()
    qtbot.waitUntil(lambda: window.sidebar.tree.hasFocus())


def test_tab_goes_round_the_panes_and_leaves_the_selection_alone(window, qtbot):
    seed = id_of(window.library, "Safety")
    window.table.select_ids([seed])
    start_in_tree(window, qtbot)
    fields = window.detail.fields
    path = focus_path(window, Qt.Key.Key_Tab, 60)
    panes = [
        window.sidebar.tags.filter,
        window.sidebar.tags.view,
        window.search_box,
        window.table,
        window.detail.tabs.tabBar(),
        fields.item_type,
        fields.fields["title"],
        fields.creators.table,
        fields.fields["doi"],
        fields.fields["abstract"],
        window.sidebar.tree,  # and round again
    ]
    positions = [path.index(pane) for pane in panes]
    assert positions == sorted(positions)
    # Tab left the table at once: the selection is the one the user made, not the next row.
    assert path[path.index(window.table) + 1] is window.detail.tabs.tabBar()
    assert window.table.selected_ids() == [seed]
    round_trip = path[: path.index(window.sidebar.tree) + 1]
    assert path[len(round_trip)] is window.sidebar.tags.filter  # the same way round again
    assert window.detail.fields.links["doi"] in round_trip  # "Open" beside the DOI


def test_shift_tab_goes_round_the_other_way(window, qtbot):
    window.table.select_ids([id_of(window.library, "Safety")])
    start_in_tree(window, qtbot)
    path = focus_path(window, Qt.Key.Key_Backtab, 6, SHIFT)
    assert path[0] is window.detail.fields.fields["abstract"]
    window.table.setFocus()
    back = focus_path(window, Qt.Key.Key_Backtab, 4, SHIFT)  # past the Automatic switch
    assert back[:2] == [window.search_box, window.sidebar.tags.view]
    assert back[-1] is window.sidebar.tags.filter


def test_tab_reaches_the_notes_when_the_notes_tab_is_on_show(window, qtbot):
    window.table.select_ids([id_of(window.library, "Safety")])
    window.detail.tabs.setCurrentWidget(window.detail.notes)
    window.table.setFocus()
    path = focus_path(window, Qt.Key.Key_Tab, 4)
    assert path[0] is window.detail.tabs.tabBar()
    assert window.detail.notes.new_button in path


# --- shortcuts ------------------------------------------------------------------------------


def every_shortcut(window) -> dict[str, list[str]]:
    """Each key of the window's actions, with the actions that claim it."""
    claimed: dict[str, list[str]] = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            claimed.setdefault(key.toString(), []).append(action.text())
    return claimed


def test_no_key_is_claimed_by_two_actions_or_twice_by_one(window):
    claimed = every_shortcut(window)
    assert claimed  # the window has shortcuts at all
    assert {key: texts for key, texts in claimed.items() if len(texts) > 1} == {}


def test_a_key_the_platform_binds_already_is_given_once():
    redo = QKeySequence.StandardKey.Redo
    platform = QKeySequence.keyBindings(redo)
    given = keys.key_list("Ctrl+Shift+Z", redo)
    assert given.count(QKeySequence("Ctrl+Shift+Z")) == 1
    assert all(key in given for key in platform)  # Ctrl+Y too where the platform binds it
    assert keys.key_list(QKeySequence(), "Ctrl+Shift+Z", "Ctrl+Shift+Z") == [
        QKeySequence("Ctrl+Shift+Z")
    ]


def test_every_redo_key_redoes_without_an_ambiguous_shortcut(window, qtbot, qtlog):
    seed = id_of(window.library, "Safety")
    redo = menu_action(window, "Edit", "Redo")
    assert QKeySequence("Ctrl+Shift+Z") in redo.shortcuts()
    window.table.select_ids([seed])
    window.table.setFocus()
    press(Qt.Key.Key_Delete)
    assert seed not in window.library.items.search()
    typed = [k for k in redo.shortcuts() if k[0].keyboardModifiers()]  # not the Redo key
    for key in typed:
        QTest.keySequence(window.table, QKeySequence("Ctrl+Z"))
        assert seed in window.library.items.search(), key.toString()
        QTest.keySequence(window.table, key)
        assert seed not in window.library.items.search(), key.toString()
    assert not [r for r in qtlog.records if "Ambiguous" in r.message]


def test_import_has_its_own_key_and_ctrl_i_in_a_note_is_italic(window, qtbot, monkeypatch):
    asked = []
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *args: asked.append(args) or ([], "")
    )
    window.table.select_ids([id_of(window.library, "Safety")])
    notes = window.detail.notes
    window.detail.tabs.setCurrentWidget(notes)
    notes.new_note()
    qtbot.waitUntil(notes.text.hasFocus)
    for key, check in (
        (QKeySequence.StandardKey.Bold, lambda f: f.fontWeight() >= QFont.Weight.Bold),
        (QKeySequence.StandardKey.Italic, lambda f: f.fontItalic()),
        (QKeySequence.StandardKey.Underline, lambda f: f.fontUnderline()),
    ):
        notes.text.clear()
        QTest.keySequence(notes.text, QKeySequence(key))
        QTest.keyClicks(notes.text, "word")
        fmt = notes.text.textCursor().charFormat()
        assert check(fmt), key
        assert notes._format_actions[key.name].isChecked()
    assert asked == []  # Ctrl+I did not open Import
    window.table.setFocus()
    QTest.keySequence(window.table, QKeySequence("Ctrl+Shift+I"))
    assert len(asked) == 1


def test_the_note_keys_save_formatted_text(window, qtbot):
    seed = id_of(window.library, "Safety")
    window.table.select_ids([seed])
    notes = window.detail.notes
    window.detail.tabs.setCurrentWidget(notes)
    notes.new_note()
    QTest.keySequence(notes.text, QKeySequence(QKeySequence.StandardKey.Bold))
    QTest.keyClicks(notes.text, "Strong")
    notes.flush()
    html = window.library.notes.of_item(seed)[0].html
    assert "font-weight" in html and "Strong" in html
