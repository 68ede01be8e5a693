"""Duplicate Items in the window: the sidebar's view with its count, the groups in place of the
table, the merge pane (master, a version per field), Merge and Not Duplicates undone with the
window's Undo, and Merge All Duplicates with its rule and summary."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from refman.gui import dialogs
from refman.gui.sidebar import DUPLICATES, Source
from refman.library import Library
from refman.library.duplicates import MERGE_FIELDS
from tests.samples import AHEAD_OF_PRINT, FINAL
from tests.samples import DUPLICATES as DUPLICATES_DATA
from tests.unit.gui.helpers import close_window, make_window, menu_action
from tests.unit.gui.test_sidebar import click_source

FOUND_TIMEOUT_MS = 20_000
SCOP_FILES = [DUPLICATES_DATA / "scop-pubmed.nbib", DUPLICATES_DATA / "scop-others.ris"]


@pytest.fixture
def dup_library(library) -> Library:
    """The SCOP paper three times (PubMed, Crossref, a bare RIS record) with its look-alikes,
    and an article ahead of print and in its final form: two groups."""
    library.importing.files([*SCOP_FILES, AHEAD_OF_PRINT, FINAL], duplicates="keep")
    return library


@pytest.fixture
def dup_window(qtbot, dup_library, settings) -> Iterator:
    window = make_window(qtbot, dup_library, settings)
    yield window
    close_window(qtbot, window)


def sidebar_title(window) -> str:
    return window.sidebar.model.index_of(Source(DUPLICATES)).data()


def wait_for_groups(qtbot, window, count: int) -> None:
    """Wait until the view shows ``count`` groups (they are found in the background)."""
    view = window.duplicates.view
    qtbot.waitUntil(lambda: view.topLevelItemCount() == count, timeout=FOUND_TIMEOUT_MS)


def wait_for_title(qtbot, window, title: str) -> None:
    qtbot.waitUntil(lambda: sidebar_title(window) == title, timeout=FOUND_TIMEOUT_MS)


def open_duplicates(qtbot, window) -> None:
    """Click Duplicate Items and wait for its groups."""
    click_source(window, Source(DUPLICATES))
    wait_for_groups(qtbot, window, 2)


def undo(window) -> None:
    window.editor.undo_stack.undo()


def test_the_sidebar_counts_the_items_in_duplicate_groups(qtbot, dup_window):
    wait_for_title(qtbot, dup_window, "Duplicate Items (5)")


def test_duplicate_items_lists_the_groups_with_why_in_place_of_the_table(qtbot, dup_window):
    open_duplicates(qtbot, dup_window)
    view = dup_window.duplicates.view
    assert view.isVisible() and not dup_window.table.isVisible()
    heads = [view.topLevelItem(n).text(0) for n in range(2)]
    assert heads == [
        "3 items · same DOI; same title, year and first author",
        "2 items · same PMID",
    ]
    scop = view.topLevelItem(0)
    assert [scop.child(n).text(2) for n in range(scop.childCount())] == ["2006"] * 3
    assert "groups of duplicates" in dup_window.count_label.text()
    click_source(dup_window, Source())  # back to My Library: the table and the detail pane
    assert dup_window.table.isVisible() and not view.isVisible()
    assert dup_window.right_pane.currentWidget() is dup_window.detail


def select_group(qtbot, window, number: int):
    view = window.duplicates.view
    top = view.topLevelItem(number)
    view.scrollToItem(top)
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualItemRect(top).center()
    )
    pane = window.duplicates.pane
    assert window.right_pane.currentWidget() is pane
    return pane


def click_cell(pane, field: str, column: int) -> None:
    row = pane.rows.index(field)
    table = pane.table
    rect = table.visualRect(table.model().index(row, column))
    table.scrollTo(table.model().index(row, column))
    rect = table.visualRect(table.model().index(row, column))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_a_merge_with_a_chosen_master_and_field_is_undone_and_redone(qtbot, dup_window):
    library = dup_window.library
    open_duplicates(qtbot, dup_window)
    pane = select_group(qtbot, dup_window, 0)
    ids = [pane.master_box.itemData(n) for n in range(pane.master_box.count())]
    assert pane.merge_button.text() == "Merge 3 items"
    assert pane.table.columnCount() == 3
    before = library.items.get_many(ids)
    # The bare RIS record as master; the title PubMed gives; its own journal name kept.
    pane.master_box.setCurrentIndex(2)
    pane.master_box.activated.emit(2)
    assert pane.master == ids[2]
    click_cell(pane, "title", 0)
    assert pane.table.item(pane.rows.index("title"), 0).text().startswith("✓ ")
    QTest.mouseClick(pane.merge_button, Qt.MouseButton.LeftButton)

    merged = library.items.get(ids[2])
    assert merged.title == before[0].title
    assert merged.container_title == before[2].container_title
    assert merged.pmid == before[0].pmid and merged.doi == before[1].doi
    assert library.items.get(ids[0]).trashed and library.items.get(ids[1]).trashed
    wait_for_groups(qtbot, dup_window, 1)
    wait_for_title(qtbot, dup_window, "Duplicate Items (2)")
    assert dup_window.editor.undo_stack.undoText() == "Merge 3 items"

    undo(dup_window)
    after = library.items.get_many(ids)
    assert [ref.with_changes(date_modified=None) for ref in after] == [
        ref.with_changes(date_modified=None) for ref in before
    ]
    wait_for_groups(qtbot, dup_window, 2)
    dup_window.editor.undo_stack.redo()
    assert library.items.get(ids[0]).trashed


def test_not_duplicates_is_remembered_and_undone_from_the_view(qtbot, dup_window):
    library = dup_window.library
    open_duplicates(qtbot, dup_window)
    pane = select_group(qtbot, dup_window, 1)
    assert pane.merge_button.text() == "Merge 2 items"
    QTest.mouseClick(pane.apart_button, Qt.MouseButton.LeftButton)
    wait_for_groups(qtbot, dup_window, 1)
    assert len(library.duplicates.groups()) == 1
    assert library.items.count() == 8  # nothing merged, nothing trashed
    undo(dup_window)
    wait_for_groups(qtbot, dup_window, 2)


def test_merge_all_asks_the_rule_says_what_it_did_and_is_undone(qtbot, dup_window, monkeypatch):
    library = dup_window.library
    open_duplicates(qtbot, dup_window)
    asked, told = [], []
    monkeypatch.setattr(
        dialogs, "ask_choice", lambda _p, _t, question, choices: asked.append(question) or 1
    )
    monkeypatch.setattr(dialogs, "show_info", lambda _p, message: told.append(message))
    menu_action(dup_window, "Tools", "Merge All Duplicates").trigger()
    assert asked == ["Merge 2 groups of duplicates (5 items)?"]
    assert told == [
        "Merged 2 groups of duplicates, keeping the one with most fields of each: "
        "3 items moved to the Trash. Edit > Undo takes it back."
    ]
    assert library.items.count() == 5
    wait_for_groups(qtbot, dup_window, 0)
    undo(dup_window)
    assert library.items.count() == 8
    assert len(library.duplicates.groups()) == 2


def test_merge_all_cancelled_changes_nothing(qtbot, dup_window, monkeypatch):
    open_duplicates(qtbot, dup_window)
    monkeypatch.setattr(dialogs, "ask_choice", lambda *args: None)
    menu_action(dup_window, "Tools", "Merge All Duplicates").trigger()
    assert dup_window.library.items.count() == 8
    assert dup_window.editor.undo_stack.count() == 0


def test_a_group_whose_item_went_to_the_trash_meanwhile_is_not_merged(
    qtbot, dup_window, shown_errors
):
    library = dup_window.library
    open_duplicates(qtbot, dup_window)
    pane = select_group(qtbot, dup_window, 1)
    library.items.trash([pane.refs[1].id])  # another program, say
    QTest.mouseClick(pane.merge_button, Qt.MouseButton.LeftButton)
    assert shown_errors and "is in the Trash" in shown_errors[-1]
    assert not library.items.get(pane.refs[0].id).trashed
    assert dup_window.editor.undo_stack.count() == 0


def test_every_field_shown_can_be_chosen_from_the_other_item(qtbot, dup_window):
    open_duplicates(qtbot, dup_window)
    pane = select_group(qtbot, dup_window, 1)
    other = pane.refs[1].id
    for name in pane.rows:
        pane.choose(pane.rows.index(name), 1)
    assert set(pane.chosen_fields().values()) == {other}
    assert set(pane.rows) <= set(MERGE_FIELDS)
