"""Drops that offer Move, the bar that shows new items a view hides, Delete that selects the
next item, and the context menus of the item table and the collection tree, each entry
doing its job."""

from __future__ import annotations

import shutil
from functools import partial

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu

from refman.gui import dialogs, export_dialog
from refman.gui.sidebar import COLLECTION, TRASH, Source
from refman.model import ViewQuery
from tests.samples import RESULT1
from tests.unit.gui.helpers import id_of, import_and_wait, menu_action, shown_titles

MOVE = Qt.DropAction.MoveAction


COPY = Qt.DropAction.CopyAction
COPY_OR_MOVE = COPY | MOVE
SHIFT = Qt.KeyboardModifier.ShiftModifier  # asks for Move where Copy is offered too


def drop_files(view, pos: QPoint, paths, actions, keys=SHIFT) -> QDropEvent:
    """Drag files over ``view``'s viewport offering ``actions`` (proposing Move) and drop
    them there; the drop event, as the source sees it after."""
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    args = (actions, data, Qt.MouseButton.LeftButton, keys)
    viewport = view.viewport()
    for kind in (QDragEnterEvent, QDragMoveEvent):
        event = _drag_event(kind, pos, args)
        assert event.proposedAction() == MOVE
        QApplication.sendEvent(viewport, event)
        assert event.isAccepted(), kind.__name__
    drop = QDropEvent(QPointF(pos), *args)
    QApplication.sendEvent(viewport, drop)
    return drop


def _drag_event(kind, pos: QPoint, args: tuple):
    # PySide 6.12 takes a QPointF (the QPoint form is deprecated); earlier ones only a QPoint.
    try:
        return kind(QPointF(pos), *args)
    except TypeError:
        return kind(pos, *args)


def copy_of_sample(tmp_path):
    path = tmp_path / "offered.txt"
    shutil.copy(RESULT1, path)
    return path


def test_a_file_proposed_for_move_is_imported_as_a_copy(window, qtbot, tmp_path):
    path = copy_of_sample(tmp_path)
    before = path.read_bytes()
    drops = []
    drop_on_table = partial(drop_files, window.table, QPoint(40, 150), [path], COPY_OR_MOVE)
    report = import_and_wait(qtbot, window, lambda: drops.append(drop_on_table()))
    assert drops[0].isAccepted()
    assert drops[0].dropAction() == COPY  # the source is told: a copy, keep your file
    assert len(report.added) == 1
    assert path.read_bytes() == before


def test_a_file_offered_for_move_alone_is_imported_and_left_in_place(window, qtbot, tmp_path):
    path = copy_of_sample(tmp_path)
    before = path.read_bytes()
    drops = []
    drop_on_table = partial(drop_files, window.table, QPoint(40, 150), [path], MOVE)
    report = import_and_wait(qtbot, window, lambda: drops.append(drop_on_table()))
    assert drops[0].isAccepted()  # Qt lets no other answer than Move be given
    assert len(report.added) == 1
    assert path.read_bytes() == before


def test_a_file_offered_for_move_drops_on_a_collection(window, qtbot, tmp_path):
    collection, changes = window.library.collections.create("Tools")
    window.editor.notify(changes)
    path = copy_of_sample(tmp_path)
    tree = window.sidebar.tree
    index = window.sidebar.model.index_of(Source(COLLECTION, collection.id))
    tree.scrollTo(index)
    drops = []
    report = import_and_wait(
        qtbot,
        window,
        lambda: drops.append(
            drop_files(tree, tree.visualRect(index).center(), [path], COPY_OR_MOVE)
        ),
    )
    assert drops[0].dropAction() == COPY
    assert window.library.items.search(ViewQuery(collection=collection.id)) == report.added
    assert path.exists()


# --- new items hidden by the view ---------------------------------------------------------


def import_while(window, qtbot, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a: ([str(RESULT1)], ""))
    return import_and_wait(qtbot, window, menu_action(window, "File", "Import…").trigger)


def test_new_items_hidden_by_the_search_are_offered_by_a_bar(window, qtbot, monkeypatch):
    window.search_box.setText("Safety")
    qtbot.waitUntil(lambda: window.query.text == "Safety")
    report = import_while(window, qtbot, monkeypatch)
    bar = window.hidden_items
    assert bar.isVisible()
    assert bar.text.text() == "1 new item is hidden by the search:"
    assert report.added[0] not in window.table_model.ids
    QTest.mouseClick(bar.show_button, Qt.MouseButton.LeftButton)
    assert not bar.isVisible()
    assert window.search_box.text() == "" and window.query.text == ""
    assert window.table.selected_ids() == report.added
    assert window.detail.ref.title.startswith("The Bio* toolkits")


def test_new_items_hidden_by_a_collection_show_my_library(window, qtbot, monkeypatch):
    collection, changes = window.library.collections.create("Tools")
    window.editor.notify(changes)
    window.sidebar.select(Source(COLLECTION, collection.id))
    report = import_while(window, qtbot, monkeypatch)
    assert window.hidden_items.text.text() == "1 new item is hidden by the collection on show:"
    window.hidden_items.show_button.click()
    assert window.sidebar.source == Source()
    assert window.table.selected_ids() == report.added


def test_no_bar_when_the_new_items_are_in_view(window, qtbot, monkeypatch):
    import_while(window, qtbot, monkeypatch)
    assert not window.hidden_items.isVisible()


def test_the_bar_goes_when_the_view_changes(window, qtbot, monkeypatch):
    window.search_box.setText("Safety")
    qtbot.waitUntil(lambda: window.query.text == "Safety")
    import_while(window, qtbot, monkeypatch)
    assert window.hidden_items.isVisible()
    window.sidebar.select(Source(TRASH))
    assert not window.hidden_items.isVisible()


# --- Delete, and the next item ----------------------------------------------------------------


def test_delete_trashes_and_selects_the_next_item_and_again(window):
    shown = list(window.table_model.ids)
    window.table.select_ids([shown[1]])
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_Delete)
    assert window.table.selected_ids() == [shown[2]]
    assert window.detail.ref.id == shown[2]
    QTest.keyClick(window.table, Qt.Key.Key_Delete)
    assert window.table.selected_ids() == [shown[3]]
    QTest.keyClick(window.table, Qt.Key.Key_Delete)  # the last row: the one before it
    assert window.table.selected_ids() == [shown[0]]
    assert window.table_model.ids == [shown[0]]


def test_restore_in_the_trash_selects_the_next_item(window):
    ids = list(window.table_model.ids)
    window.editor.trash(ids[:3])
    window.sidebar.select(Source(TRASH))
    trashed = list(window.table_model.ids)
    window.table.select_ids([trashed[0]])
    window.item_actions.restore.trigger()
    assert window.table.selected_ids() == [trashed[1]]


# --- the item table's context menu -------------------------------------------------------------


def menu_texts(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def entry(menu: QMenu, text: str):
    found = [a for a in menu.actions() if a.text() == text]
    assert found, f"no {text} in {menu_texts(menu)}"
    return found[0]


def popup_texts(press, qtbot=None, window=None) -> list[str]:
    """The entries of the menu that ``press()`` pops up; the menu is closed again (and
    ``window`` made active again, as the window manager would)."""
    seen: list[list[str]] = []

    def read_and_close() -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):  # not shown yet
            QTimer.singleShot(10, read_and_close)
            return
        seen.append(menu_texts(menu))
        menu.close()

    QTimer.singleShot(0, read_and_close)
    press()
    if qtbot is not None and not seen:  # a menu popped up without waiting (a text box's)
        qtbot.waitUntil(lambda: bool(seen))
    assert seen, "no menu popped up"
    if window is not None:
        focused = window.focusWidget()
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        focused.setFocus()
    return seen[0]


def test_the_item_menu_in_my_library(window, monkeypatch):
    window.table.select_ids([id_of(window.library, "Safety")])
    texts = menu_texts(window.item_actions.context_menu())
    assert texts == [
        "Add to Collection",
        "Open DOI",
        "Open in PubMed",
        "Copy Citation",
        "Copy Bibliography",
        "Copy Citation Key",
        "Copy Pandoc Citation",
        "Copy LaTeX Citation",
        "Create Bibliography from Items…",
        "Export Items…",
        "Update from PubMed",
        "Find Available PDF",
        "Attach File…",
        "Move to Trash",
    ]


def test_the_item_menu_in_a_collection_and_in_the_trash(window):
    collection, changes = window.library.collections.create("Tools")
    window.editor.notify(changes)
    seed = id_of(window.library, "Safety")
    window.editor.add_to_collection([seed], collection.id)
    window.sidebar.select(Source(COLLECTION, collection.id))
    window.table.select_ids([seed])
    texts = menu_texts(window.item_actions.context_menu())
    assert texts[0] == "Show in Library"
    assert "Remove from Collection" in texts
    window.editor.trash([seed])
    window.sidebar.select(Source(TRASH))
    window.table.select_ids([seed])
    texts = menu_texts(window.item_actions.context_menu())
    assert texts[-2:] == ["Restore to Library", "Delete Permanently…"]
    assert "Move to Trash" not in texts and "Show in Library" not in texts


def test_shift_f10_and_the_menu_key_open_the_menu_of_the_focused_pane(window, qtbot):
    def shift_f10(widget):
        return lambda: QTest.keyClick(widget, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)

    def popup(press):
        return popup_texts(press, qtbot, window)

    seed = id_of(window.library, "Safety")
    window.table.select_ids([seed])
    window.table.setFocus()
    assert "Move to Trash" in popup(shift_f10(window.table))
    assert "Copy Citation" in popup(lambda: QTest.keyClick(window.table, Qt.Key.Key_Menu))
    tags = window.sidebar.tags
    qtbot.waitUntil(lambda: tags.filled)
    tags.view.setFocus()
    tags.view.setCurrentIndex(tags.proxy.index(0, 0))
    tag_menu = popup(lambda: QTest.keyClick(tags.view, Qt.Key.Key_Menu))
    assert tag_menu and "Move to Trash" not in tag_menu
    collection, changes = window.library.collections.create("Tools")
    window.editor.notify(changes)
    window.sidebar.select(Source(COLLECTION, collection.id))
    window.sidebar.tree.setFocus()
    assert "Rename Collection…" in popup(shift_f10(window.sidebar.tree))
    window.search_box.setFocus()  # a text box: its own menu (Undo, Cut, Copy, Paste…)
    assert any("Paste" in text for text in popup(shift_f10(window.search_box)))


def test_add_to_collection_lists_the_tree_and_adds(window):
    parent, changes = window.library.collections.create("Surgery")
    window.editor.notify(changes)
    child, changes = window.library.collections.create("Safety", parent.id)
    window.editor.notify(changes)
    seed = id_of(window.library, "Safety")
    window.table.select_ids([seed])
    submenu = entry(window.item_actions.context_menu(), "Add to Collection").menu()
    assert menu_texts(submenu) == ["New Collection…", "Surgery", "    Safety"]
    entry(submenu, "    Safety").trigger()
    assert window.library.collections.of_item(seed) == [child.id]


def test_add_to_a_new_collection(window, monkeypatch):
    monkeypatch.setattr(dialogs, "ask_text", lambda *args: "Reading")
    seed = id_of(window.library, "Safety")
    window.table.select_ids([seed])
    submenu = entry(window.item_actions.context_menu(), "Add to Collection").menu()
    entry(submenu, "New Collection…").trigger()
    made = [c for c in window.library.collections.all() if c.name == "Reading"]
    assert len(made) == 1
    assert window.library.collections.of_item(seed) == [made[0].id]


def test_remove_from_collection_and_show_in_library(window):
    collection, changes = window.library.collections.create("Tools")
    window.editor.notify(changes)
    ids = list(window.table_model.ids)
    window.editor.add_to_collection(ids[:2], collection.id)
    window.sidebar.select(Source(COLLECTION, collection.id))
    window.table.select_ids([ids[0]])
    entry(window.item_actions.context_menu(), "Show in Library").trigger()
    assert window.sidebar.source == Source()
    assert window.table.selected_ids() == [ids[0]]
    window.sidebar.select(Source(COLLECTION, collection.id))
    window.table.select_ids([ids[0]])
    entry(window.item_actions.context_menu(), "Remove from Collection").trigger()
    assert window.library.items.search(ViewQuery(collection=collection.id)) == [ids[1]]
    assert window.table.selected_ids() == [ids[1]]


def test_show_in_library_from_a_search(window, qtbot):
    window.search_box.setText("Safety")
    qtbot.waitUntil(lambda: window.query.text == "Safety")
    seed = id_of(window.library, "Safety")
    window.table.select_ids([seed])
    entry(window.item_actions.context_menu(), "Show in Library").trigger()
    assert window.search_box.text() == ""
    assert len(shown_titles(window)) == 4
    assert window.table.selected_ids() == [seed]


def test_open_doi_and_pubmed_open_the_item_pages(window, monkeypatch):
    opened = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True
    )
    seed = window.library.items.get(id_of(window.library, "Safety"))
    window.table.select_ids([seed.id])
    menu = window.item_actions.context_menu()
    entry(menu, "Open DOI").trigger()
    entry(menu, "Open in PubMed").trigger()
    assert opened == [
        f"https://doi.org/{seed.doi}",
        f"https://pubmed.ncbi.nlm.nih.gov/{seed.pmid}/",
    ]


def test_open_doi_without_a_browser_or_a_doi_says_so(window, monkeypatch):
    told = []
    monkeypatch.setattr(dialogs, "show_info", lambda parent, message: told.append(message))
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    seed = id_of(window.library, "Safety")
    window.table.select_ids([seed])
    window.item_actions.open_doi.trigger()
    assert told[-1].startswith("No web browser could be opened for https://doi.org/")
    window.library.items.update(seed, doi="")
    window.item_actions.open_doi.trigger()
    assert told[-1] == "The selected items have no DOI."


def test_the_copy_and_update_entries_do_their_jobs(window, qtbot):
    seed = id_of(window.library, "Safety")
    window.table.select_ids([seed])
    menu = window.item_actions.context_menu()
    clipboard = QApplication.clipboard()
    clipboard.clear()
    entry(menu, "Copy Bibliography").trigger()
    bibliography = clipboard.text()
    assert "Safety" in bibliography
    entry(menu, "Copy Citation").trigger()
    assert clipboard.text() and clipboard.text() != bibliography
    # What is asked, not the fetch (test_updating.py covers that, against a local server).
    window.item_actions.update_requested.disconnect(window.update_from_pubmed)
    with qtbot.waitSignal(window.item_actions.update_requested) as asked:
        entry(menu, "Update from PubMed").trigger()
    assert asked.args == [[seed]]


def opened_exports(window, monkeypatch) -> list:
    dialogs_ = []
    real = export_dialog.show_export_dialog

    def record(*args):
        dialog = real(*args)
        dialogs_.append(dialog)
        return dialog

    monkeypatch.setattr(export_dialog, "show_export_dialog", record)
    return dialogs_


def test_export_items_and_create_bibliography_open_the_export_dialog(window, monkeypatch):
    opened = opened_exports(window, monkeypatch)
    ids = list(window.table_model.ids[:2])
    window.table.select_ids(ids)
    menu = window.item_actions.context_menu()
    entry(menu, "Export Items…").trigger()
    entry(menu, "Create Bibliography from Items…").trigger()
    export, bibliography = opened
    assert export.format_box.currentData() == "ris"
    assert export.scope().ids == tuple(ids)
    assert bibliography.format_box.currentData() == "text"
    assert bibliography.windowTitle() == "Create Bibliography"
    assert bibliography.style_box.isVisible()
    for dialog in opened:
        dialog.close()


def test_move_to_trash_and_delete_permanently(window, monkeypatch):
    monkeypatch.setattr(dialogs, "confirm", lambda *args: True)
    seed = id_of(window.library, "Safety")
    window.table.select_ids([seed])
    entry(window.item_actions.context_menu(), "Move to Trash").trigger()
    assert seed in window.library.items.search(ViewQuery(trashed=True))
    window.sidebar.select(Source(TRASH))
    window.table.select_ids([seed])
    entry(window.item_actions.context_menu(), "Delete Permanently…").trigger()
    assert window.library.items.search(ViewQuery(trashed=True)) == []
    assert not window.editor.undo_stack.canUndo()  # nothing left to undo into


def test_delete_permanently_asks_first(window, monkeypatch):
    monkeypatch.setattr(dialogs, "confirm", lambda *args: False)
    seed = id_of(window.library, "Safety")
    window.editor.trash([seed])
    window.sidebar.select(Source(TRASH))
    window.table.select_ids([seed])
    window.item_actions.delete_permanently.trigger()
    assert window.library.items.search(ViewQuery(trashed=True)) == [seed]


def test_the_edit_menu_shares_the_copies_and_trash_entries(window):
    for text in ("Copy Citation", "Copy Bibliography", "Move to Trash", "Delete Permanently…"):
        menu_action(window, "Edit", text)


# --- the collection tree's context menu ----------------------------------------------------------


def test_the_collection_menu_exports_and_makes_bibliographies(window, monkeypatch):
    collection, changes = window.library.collections.create("Tools")
    window.editor.notify(changes)
    ids = list(window.table_model.ids[:3])
    window.editor.add_to_collection(ids, collection.id)
    opened = opened_exports(window, monkeypatch)
    menu = window.sidebar.context_menu(Source(COLLECTION, collection.id))
    assert menu_texts(menu) == [
        "New Subcollection…",
        "Rename Collection…",
        "Delete Collection…",
        "Export Collection…",
        "Create Bibliography from Collection…",
    ]
    entry(menu, "Export Collection…").trigger()
    entry(menu, "Create Bibliography from Collection…").trigger()
    export, bibliography = opened
    assert sorted(export.scope().ids) == sorted(ids)
    assert export.scope().name == "Collection “Tools”"
    assert export.format_box.currentData() == "ris"
    assert bibliography.format_box.currentData() == "text"
    for dialog in opened:
        dialog.close()


def test_the_collection_menu_makes_renames_and_deletes(window, monkeypatch):
    collection, changes = window.library.collections.create("Tools")
    window.editor.notify(changes)
    answers = iter(["Parsers", "Utilities"])
    monkeypatch.setattr(dialogs, "ask_text", lambda *args: next(answers))
    monkeypatch.setattr(dialogs, "confirm", lambda *args: True)
    menu = window.sidebar.context_menu(Source(COLLECTION, collection.id))
    entry(menu, "New Subcollection…").trigger()
    entry(menu, "Rename Collection…").trigger()
    names = {c.name: c.parent_id for c in window.library.collections.all()}
    assert names == {"Utilities": None, "Parsers": collection.id}
    entry(menu, "Delete Collection…").trigger()
    assert window.library.collections.all() == []
