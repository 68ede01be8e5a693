"""Preferences: the default citation style, and everything in the window that renders in it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from refman.formats import csl
from refman.gui.export_dialog import ExportDialog
from refman.gui.preferences import STYLE_KEY, PreferencesDialog, default_style, warm_up
from refman.gui.tasks import TaskRunner, wait_for_running_tasks
from tests.unit.gui.helpers import (
    expected_citation,
    id_of,
    make_window,
    menu_action,
    open_dialog,
    pick_style,
)

AMA = "american-medical-association"


def open_preferences(window, qtbot) -> PreferencesDialog:
    return open_dialog(window, qtbot, "Edit", "Preferences…", PreferencesDialog)


def press(dialog: PreferencesDialog, button: QDialogButtonBox.StandardButton) -> None:
    QTest.mouseClick(dialog.buttons.button(button), Qt.MouseButton.LeftButton)


def copied(window, action: str) -> tuple[str, str]:
    menu_action(window, "Edit", action).trigger()
    data = QGuiApplication.clipboard().mimeData()
    return data.text(), data.html()


def test_the_default_style_is_ama_until_another_is_chosen(settings):
    assert default_style(settings) == AMA
    settings.setValue(STYLE_KEY, "ieee")
    assert default_style(settings) == "ieee"
    settings.setValue(STYLE_KEY, "a-style-no-longer-installed")
    assert default_style(settings) == AMA


def test_the_chosen_style_is_compiled_in_the_background_ahead_of_use(settings, qtbot, tmp_path):
    tasks = TaskRunner(tmp_path / "library.sqlite")
    wait_for_running_tasks()  # an earlier window's warm-up would fill the cache meanwhile
    csl._engine.cache_clear()
    settings.setValue(STYLE_KEY, "nature")
    with qtbot.waitSignal(warm_up(settings, tasks).succeeded, timeout=60_000):
        pass
    assert csl._engine.cache_info().currsize == 1
    settings.setValue(STYLE_KEY, "a-style-no-longer-installed")
    with qtbot.waitSignal(warm_up(settings, tasks).succeeded, timeout=60_000):
        pass  # AMA instead; no error escapes the task
    assert csl._engine.cache_info().currsize == 2


def test_preferences_sit_in_the_edit_menu_and_in_the_application_menu_on_macos(
    seed_window, selected_seed
):
    action = menu_action(seed_window, "Edit", "Preferences…")
    assert action.menuRole() == QAction.MenuRole.PreferencesRole


def test_choosing_ieee_changes_every_citation_the_window_makes(
    seed_window, selected_seed, qtbot, settings
):
    assert copied(seed_window, "Copy Bibliography")[0] == expected_citation(AMA)
    dialog = open_preferences(seed_window, qtbot)
    assert dialog.picker.style() == AMA
    pick_style(dialog.picker, "ieee", "IEEE Reference Guide")
    press(dialog, QDialogButtonBox.StandardButton.Ok)
    assert settings.value(STYLE_KEY) == "ieee"
    text, html = copied(seed_window, "Copy Bibliography")
    assert text == expected_citation("ieee")
    assert html == seed_window.library.exporting.export([selected_seed], "html", style="ieee")
    assert copied(seed_window, "Copy Citation") == ("[1]", "[1]")
    model = seed_window.table_model
    dragged = model.mimeData([model.index(model.row_of(selected_seed), 0)])
    assert dragged.text() == expected_citation("ieee")
    label = seed_window.detail.citation.label
    qtbot.waitUntil(lambda: "C. H. Knowles" in label.text())
    menu_action(seed_window, "File", "Export…").trigger()
    assert seed_window.findChild(ExportDialog).style_picker.style() == "ieee"


def test_cancel_keeps_the_style(seed_window, selected_seed, qtbot, settings):
    dialog = open_preferences(seed_window, qtbot)
    pick_style(dialog.picker, "nature", "Nature")
    press(dialog, QDialogButtonBox.StandardButton.Cancel)
    assert settings.value(STYLE_KEY) is None
    assert copied(seed_window, "Copy Bibliography")[0] == expected_citation(AMA)


def test_the_style_chosen_is_kept_for_the_next_start(
    seed_window, selected_seed, qtbot, seed_library, settings
):
    dialog = open_preferences(seed_window, qtbot)
    pick_style(dialog.picker, "the lancet", "The Lancet")
    press(dialog, QDialogButtonBox.StandardButton.Ok)
    seed_window.close()
    again = make_window(qtbot, seed_library, settings)
    again.table.select_ids([id_of(seed_library, "Safety")])
    assert copied(again, "Copy Bibliography")[0] == expected_citation("the-lancet")
    again.close()


def test_return_in_the_filter_picks_the_first_match(seed_window, selected_seed, qtbot):
    picker = open_preferences(seed_window, qtbot).picker
    QTest.keyClicks(picker.filter, "ieee reference")
    assert picker.shown_titles() == ["IEEE Reference Guide version 11.29.2023"]
    QTest.keyClick(picker.filter, Qt.Key.Key_Return)
    assert picker.style() == "ieee"
    assert picker.current_label.text() == f"Style: {picker.style_title()}"
