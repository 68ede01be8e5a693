"""The keyboard: Tab round the panes, redo, the note editor's formatting keys, Shift+F10 and
the Menu key, Delete, and no shortcut claimed twice."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.unit.gui.helpers import id_of

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
