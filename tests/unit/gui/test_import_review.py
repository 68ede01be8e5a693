"""The review of an import in the window (gui/import_review.py, gui/importing.py): shown for a
file of more than a few records or with a possible duplicate, every record with its status, a
check box and, for a duplicate, skip / merge / keep both; then Import or Cancel. And Undo
Import, Recent Imports and the setting that turns the review off (gui/main_window.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QPushButton, QWidget

from refman.gui import dialogs, preferences
from refman.gui.import_review import ACTION, CHECK, MATCHED, STATUS, TITLE, ImportReviewDialog
from refman.gui.importing import ImportController
from refman.gui.recent_imports import RecentImportsDialog
from refman.gui.tasks import TaskRunner
from refman.library import Library
from tests.samples import AHEAD_OF_PRINT, BALLOON, FINAL, REPEATED, RESULT1, RESULT2, SEED_FILE
from tests.unit.gui.helpers import IMPORT_TIMEOUT_MS, drag_and_drop, menu_action

REVIEW_TIMEOUT_MS = 60_000


@pytest.fixture
def parent_widget(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def turned_off() -> list[bool]:
    return []


@pytest.fixture
def controller(parent_widget, library_path, turned_off):
    """An import controller that reviews (until its dialog's box turns the review off)."""
    return ImportController(
        TaskRunner(library_path, parent_widget),
        parent_widget,
        review_wanted=lambda: not turned_off,
        stop_reviewing=lambda: turned_off.append(True),
    )


def many_records(path: Path, count: int) -> Path:
    """``count`` copies of a sample record, each with its own PMID and title."""
    record = RESULT1.read_text(encoding="utf-8").strip()
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            copy = record.replace("PMID- 12230038", f"PMID- {90_000_000 + n}")
            out.write(copy.replace("a brief overview.", f"a brief overview, part {n}.") + "\n\n")
    return path


def items_in(library_path: Path) -> list:
    with Library(library_path) as library:
        return library.items.get_many(library.items.search())


def start_reviewed(qtbot, controller, paths) -> ImportReviewDialog:
    """Import ``paths`` with the review; the review dialog, once shown."""
    controller.import_paths([str(p) for p in paths], review=True)
    qtbot.waitUntil(lambda: controller.review_dialog is not None, timeout=REVIEW_TIMEOUT_MS)
    dialog = controller.review_dialog
    qtbot.waitExposed(dialog)
    return dialog


def press(qtbot, controller, button: QPushButton):
    """Click a button of the review that ends it; the ImportReport."""
    with qtbot.waitSignal(controller.finished, timeout=IMPORT_TIMEOUT_MS) as done:
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    return done.args[0]


def cell(dialog: ImportReviewDialog, row: int, column: int) -> str:
    return dialog.model.index(row, column).data()


def click_check_box(dialog: ImportReviewDialog, row: int) -> None:
    table = dialog.table
    rect = table.visualRect(dialog.model.index(row, CHECK))
    QTest.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 10, rect.center().y())
    )


def select_rows(dialog: ImportReviewDialog, *rows: int) -> None:
    dialog.table.clearSelection()
    for row in rows:
        rect = dialog.table.visualRect(dialog.model.index(row, TITLE))
        QTest.mouseClick(
            dialog.table.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.ControlModifier,
            rect.center(),
        )


# --- when the review shows ------------------------------------------------------------------


def test_a_file_of_many_records_is_shown_before_it_is_imported(qtbot, controller, library_path):
    dialog = start_reviewed(qtbot, controller, [BALLOON])
    assert dialog.model.rowCount() == 75
    assert dialog.summary.text() == "Review: 75 records in 1 file: 75 new."
    assert {cell(dialog, row, STATUS) for row in range(75)} == {"New"}
    assert items_in(library_path) == []  # nothing is written while the user looks
    assert dialog.import_button.text() == "Import 75"
    report = press(qtbot, controller, dialog.import_button)
    assert len(report.added) == 75 == len(items_in(library_path))


def test_a_small_file_without_duplicates_goes_straight_in(qtbot, controller, library_path):
    with qtbot.waitSignal(controller.finished, timeout=IMPORT_TIMEOUT_MS) as done:
        controller.import_paths([str(RESULT2)], review=True)
    assert controller.review_dialog is None
    assert len(done.args[0].added) == 4


def test_a_single_duplicate_is_shown_with_its_item_and_why(qtbot, controller, library_path):
    with Library(library_path) as library:
        (item_id,) = library.importing.files([AHEAD_OF_PRINT]).added
    dialog = start_reviewed(qtbot, controller, [FINAL])
    assert cell(dialog, 0, STATUS) == "Duplicate"
    assert cell(dialog, 0, MATCHED).startswith(f'same PMID as item {item_id} "Long-term')
    assert cell(dialog, 0, ACTION) == "Skip"
    assert not dialog.import_button.isEnabled()  # nothing chosen to import yet
    select_rows(dialog, 0)
    QTest.mouseClick(dialog.choice_buttons["merge"], Qt.MouseButton.LeftButton)
    assert cell(dialog, 0, ACTION) == "Merge"
    report = press(qtbot, controller, dialog.import_button)
    assert report.merged == [item_id]
    (item,) = items_in(library_path)
    assert item.volume == "278"


def test_keep_both_chosen_in_the_action_list(qtbot, controller, library_path):
    with Library(library_path) as library:
        library.importing.files([SEED_FILE])
    dialog = start_reviewed(qtbot, controller, [SEED_FILE])
    index = dialog.model.index(0, ACTION)
    dialog.table.edit(index)
    combo = dialog.table.findChild(QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["Skip", "Merge", "Keep both"]
    combo.setCurrentIndex(2)
    combo.activated.emit(2)
    assert cell(dialog, 0, ACTION) == "Keep both"
    press(qtbot, controller, dialog.import_button)
    assert len(items_in(library_path)) == 2


def test_unticked_records_and_repeats_are_left_out(qtbot, controller, library_path):
    dialog = start_reviewed(qtbot, controller, [REPEATED, RESULT1])
    statuses = [cell(dialog, row, STATUS) for row in range(dialog.model.rowCount())]
    assert statuses.count("Repeat") == 3 and statuses.count("New") == 5
    assert dialog.import_button.text() == "Import 5"
    click_check_box(dialog, 0)
    assert dialog.model.index(0, CHECK).data(Qt.ItemDataRole.CheckStateRole) == (
        Qt.CheckState.Unchecked
    )
    assert dialog.import_button.text() == "Import 4"
    left_out = cell(dialog, 0, TITLE)
    report = press(qtbot, controller, dialog.import_button)
    assert len(report.added) == 4 and report.left_out == 4
    assert left_out not in {item.title for item in items_in(library_path)}


def test_cancel_imports_nothing(qtbot, controller, library_path):
    dialog = start_reviewed(qtbot, controller, [BALLOON])
    cancel = dialog.buttons.button(dialog.buttons.StandardButton.Cancel)
    report = press(qtbot, controller, cancel)
    assert report.cancelled
    assert items_in(library_path) == []
    assert not controller.is_running()


def test_the_dialogs_box_turns_the_review_off(qtbot, controller, library_path, turned_off):
    dialog = start_reviewed(qtbot, controller, [BALLOON])
    dialog.skip_review.setChecked(True)
    press(qtbot, controller, dialog.import_button)
    assert turned_off == [True]
    with Library(library_path) as library:
        library.items.trash(library.items.search())
        library.items.empty_trash()
    with qtbot.waitSignal(controller.finished, timeout=IMPORT_TIMEOUT_MS) as done:
        controller.import_paths([str(BALLOON)], review=True)
    assert controller.review_dialog is None and len(done.args[0].added) == 75


def test_a_file_of_ten_thousand_records_opens_in_the_review(
    qtbot, controller, library_path, tmp_path
):
    dialog = start_reviewed(qtbot, controller, [many_records(tmp_path / "many.nbib", 10_000)])
    assert dialog.model.rowCount() == 10_000
    assert cell(dialog, 9_999, TITLE).endswith("part 9999")


def test_space_ticks_and_unticks_the_selected_records(qtbot, controller):
    dialog = start_reviewed(qtbot, controller, [BALLOON])
    select_rows(dialog, 0, 1, 2)
    dialog.table.setFocus()
    QTest.keyClick(dialog.table, Qt.Key.Key_Space)
    assert dialog.import_button.text() == "Import 72"
    QTest.keyClick(dialog.table, Qt.Key.Key_Space)
    assert dialog.import_button.text() == "Import 75"
    press(qtbot, controller, dialog.buttons.button(dialog.buttons.StandardButton.Cancel))


def test_a_slow_review_shows_its_progress_and_cancel_imports_nothing(
    qtbot, controller, library_path, tmp_path
):
    big = many_records(tmp_path / "big.nbib", 20_000)
    with qtbot.waitSignal(controller.finished, timeout=IMPORT_TIMEOUT_MS) as done:
        controller.import_paths([str(big)], review=True)
        qtbot.waitUntil(lambda: controller.progress_dialog is not None, timeout=IMPORT_TIMEOUT_MS)
        progress = controller.progress_dialog
        label = re.compile(r"Reading for the review… [\d,]+ KB of [\d,]+ KB")
        qtbot.waitUntil(lambda: bool(label.fullmatch(progress.labelText())))
        QTest.mouseClick(progress.findChild(QPushButton), Qt.MouseButton.LeftButton)
    assert done.args[0].cancelled
    assert controller.review_dialog is None
    assert items_in(library_path) == []
    assert controller.summary_box.text() == "Import cancelled."


# --- the window -----------------------------------------------------------------------------


def test_a_file_dropped_on_the_window_is_reviewed_when_it_holds_a_duplicate(seed_window, qtbot):
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(SEED_FILE))])
    drag_and_drop(seed_window.table, QPoint(40, 150), data)
    importer = seed_window.importer()
    qtbot.waitUntil(lambda: importer.review_dialog is not None, timeout=REVIEW_TIMEOUT_MS)
    assert cell(importer.review_dialog, 0, STATUS) == "Duplicate"
    press(
        qtbot,
        importer,
        importer.review_dialog.buttons.button(importer.review_dialog.buttons.StandardButton.Cancel),
    )


def test_pasted_text_with_a_duplicate_is_reviewed_and_merged(seed_window, qtbot):
    QGuiApplication.clipboard().setText(SEED_FILE.read_text(encoding="utf-8"))
    menu_action(seed_window, "File", "Import from Clipboard").trigger()
    importer = seed_window.importer()
    qtbot.waitUntil(lambda: importer.review_dialog is not None, timeout=REVIEW_TIMEOUT_MS)
    dialog = importer.review_dialog
    assert dialog.summary.text() == "Review: 1 record in the pasted text: 0 new, 1 duplicate."
    click_check_box(dialog, 0)  # ticking a duplicate merges it
    assert cell(dialog, 0, ACTION) == "Merge"
    report = press(qtbot, importer, dialog.import_button)
    assert report.added == [] and report.left_out == 0
    assert seed_window.library.items.count() == 4
    assert seed_window.library.imports.list()[0].files == ("clipboard",)
    summary = importer.summary_box.text()
    assert summary == "Imported: 0 added, 1 merged, 0 duplicates skipped from the pasted text."


def test_preferences_turn_the_review_off(window, qtbot, settings):
    assert preferences.review_imports(settings)
    menu_action(window, "Edit", "Preferences").trigger()
    dialog = window.findChild(preferences.PreferencesDialog)
    assert dialog.review_imports.isChecked()
    dialog.review_imports.setChecked(False)
    dialog.accept()
    assert not preferences.review_imports(settings)
    with qtbot.waitSignal(window.importer().finished, timeout=IMPORT_TIMEOUT_MS) as done:
        window.import_chosen_paths([str(BALLOON)])
    assert window.importer().review_dialog is None and len(done.args[0].added) == 75


def test_undo_import_removes_the_last_import(window, qtbot, monkeypatch):
    monkeypatch.setattr(dialogs, "confirm", lambda *args: True)
    before = sorted(window.table_model.ids)
    with qtbot.waitSignal(window.importer().finished, timeout=IMPORT_TIMEOUT_MS):
        window.import_chosen_paths([str(RESULT2)])
    assert len(window.table_model.ids) == len(before) + 4
    with qtbot.waitSignal(window.importer().undone, timeout=IMPORT_TIMEOUT_MS) as done:
        menu_action(window, "Edit", "Undo Import").trigger()
    assert len(done.args[0].removed) == 4
    assert sorted(window.table_model.ids) == before
    assert window.importer().summary_box.text() == "Undid import 1: removed 4 items."


def test_undo_import_with_nothing_to_undo_says_so(window, monkeypatch):
    told = []
    monkeypatch.setattr(dialogs, "show_info", lambda parent, message: told.append(message))
    menu_action(window, "Edit", "Undo Import").trigger()
    assert told == ["There is no import to undo."]


def test_recent_imports_lists_them_and_undoes_the_one_chosen(window, qtbot, monkeypatch):
    monkeypatch.setattr(dialogs, "confirm", lambda *args: True)
    for path in (RESULT1, RESULT2):
        with qtbot.waitSignal(window.importer().finished, timeout=IMPORT_TIMEOUT_MS):
            window.import_chosen_paths([str(path)])
    menu_action(window, "File", "Recent Imports").trigger()
    dialog = window.findChild(RecentImportsDialog)
    lines = [dialog.list.item(row).text() for row in range(dialog.list.count())]
    assert lines[0].startswith("Import 2, ") and lines[0].endswith(f"{RESULT2.name}: 4 added")
    assert dialog.list.item(0).toolTip() == str(RESULT2)
    assert lines[1].startswith("Import 1, ") and lines[1].endswith(f"{RESULT1.name}: 1 added")
    dialog.list.setCurrentRow(1)
    with qtbot.waitSignal(window.importer().undone, timeout=IMPORT_TIMEOUT_MS):
        QTest.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    assert dialog.list.item(1).text().endswith(")") and "(undone " in dialog.list.item(1).text()
    dialog.list.setCurrentRow(1)
    assert not dialog.undo_button.isEnabled()  # an import is undone once
    pmids = [ref.pmid for ref in window.library.items.get_many(window.library.items.search())]
    assert "12230038" not in pmids and len(pmids) == 4 + 4  # the papers, and RESULT2's four
