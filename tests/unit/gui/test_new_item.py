"""File > New Item: the type chooser, the empty item selected with the keyboard in its Title,
in the collection on show, and Edit > Undo taking it away."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from refman.gui.fields import ITEM_TYPE_LABELS
from refman.gui.new_item import NewItemDialog
from refman.gui.sidebar import COLLECTION, TRASH, Source
from refman.model import ITEM_TYPES, ViewQuery
from tests.unit.gui.helpers import menu_action, open_dialog


def open_new_item(window, qtbot) -> NewItemDialog:
    return open_dialog(window, qtbot, "File", "New Item", NewItemDialog)


def choose(qtbot, dialog: NewItemDialog, label: str) -> None:
    """Click the type named ``label``, then Create."""
    row = [dialog.types.item(r).text() for r in range(dialog.types.count())].index(label)
    rect = dialog.types.visualItemRect(dialog.types.item(row))
    QTest.mouseClick(dialog.types.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    create = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert create.text() == "Create"
    QTest.mouseClick(create, Qt.MouseButton.LeftButton)


def new_ids(window, before: set[int]) -> list[int]:
    return sorted(set(window.library.items.search()) - before)


def test_every_item_type_is_offered_journal_article_first(window, qtbot):
    dialog = open_new_item(window, qtbot)
    shown = [dialog.types.item(r).text() for r in range(dialog.types.count())]
    assert shown == [ITEM_TYPE_LABELS[t] for t in ITEM_TYPES]
    assert dialog.types.currentItem().text() == "Journal Article"
    dialog.reject()


def test_the_new_item_is_selected_with_its_type_and_the_keyboard_in_its_title(window, qtbot):
    before = set(window.library.items.search())
    choose(qtbot, open_new_item(window, qtbot), "Book")

    (item_id,) = new_ids(window, before)
    ref = window.library.items.get(item_id)
    assert (ref.item_type, ref.title, ref.creators) == ("book", "", ())
    assert window.table.selected_ids() == [item_id]
    assert window.detail.fields.item_type.currentText() == "Book"
    title = window.detail.fields.fields["title"]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is title)
    QTest.keyClicks(title, "Clinical Epidemiology")
    QTest.keyClick(title, Qt.Key.Key_Return)
    assert window.library.items.get(item_id).title == "Clinical Epidemiology"


def test_undo_takes_the_new_item_away_and_redo_brings_it_back(window, qtbot):
    before = set(window.library.items.search())
    choose(qtbot, open_new_item(window, qtbot), "Report")
    (item_id,) = new_ids(window, before)
    undo = menu_action(window, "Edit", "Undo")
    assert undo.text() == "&Undo New item"

    undo.trigger()
    assert set(window.library.items.search()) == before
    assert window.library.items.search(ViewQuery(trashed=True)) == []  # gone, not in the Trash
    assert item_id not in window.table_model.ids

    menu_action(window, "Edit", "Redo").trigger()
    (again,) = new_ids(window, before)
    assert window.library.items.get(again).item_type == "report"


def test_the_new_item_goes_in_the_collection_on_show(window, qtbot):
    collection = window.editor.create_collection("Theses", None)
    window.sidebar.select(Source(COLLECTION, collection.id))
    choose(qtbot, open_new_item(window, qtbot), "Thesis")

    (item_id,) = window.table_model.ids
    assert window.library.collections.of_item(item_id) == [collection.id]
    assert window.table.selected_ids() == [item_id]
    assert window.library.items.get(item_id).item_type == "thesis"


def test_the_type_last_chosen_is_offered_first_next_time(window, qtbot):
    choose(qtbot, open_new_item(window, qtbot), "Dataset")
    qtbot.waitUntil(lambda: window.findChild(NewItemDialog) is None)
    dialog = open_new_item(window, qtbot)
    assert dialog.types.currentItem().text() == "Dataset"
    dialog.reject()


def test_new_item_is_on_the_toolbar_with_the_standard_shortcut(window):
    action = menu_action(window, "File", "New Item")
    assert action in window.toolbar.actions()
    assert action.shortcut().toString() == "Ctrl+N"


def test_a_read_only_library_offers_neither_new_item_nor_add_by_identifier(window):
    window.library.refuse_writes("The library is open read-only for this test.")
    window.show_read_only()
    for text in ("New Item", "Add by Identifier"):
        assert not menu_action(window, "File", text).isEnabled(), text


def shown_labels(window) -> list[str]:
    fields = window.detail.fields
    form = fields.form
    labels = []
    for row in range(form.rowCount()):
        label = form.itemAt(row, form.ItemRole.LabelRole)
        if label is not None and form.isRowVisible(row):
            labels.append(label.widget().text())
    return labels


def test_the_detail_pane_shows_the_fields_of_the_type_chosen(window, qtbot):
    choose(qtbot, open_new_item(window, qtbot), "Book")
    book = shown_labels(window)
    assert "Publisher" in book and "Place" in book
    assert not {"Journal", "Journal Abbr", "Issue", "PMID"} & set(book)

    choose(qtbot, open_new_item(window, qtbot), "Book Section")
    chapter = shown_labels(window)
    assert "Book Title" in chapter and "Journal" not in chapter

    choose(qtbot, open_new_item(window, qtbot), "Journal Article")
    article = shown_labels(window)
    assert {"Journal", "Journal Abbr", "Volume", "Issue", "Pages", "PMID"} <= set(article)


def test_a_field_with_a_value_shows_whatever_the_type(window, qtbot):
    choose(qtbot, open_new_item(window, qtbot), "Thesis")
    (item_id,) = window.table.selected_ids()
    assert "Pages" not in shown_labels(window)
    window.editor.set_field(item_id, "pages", "", "1-250")
    assert "Pages" in shown_labels(window)


def test_undo_of_a_new_item_given_a_note_moves_it_to_the_trash_note_and_all(window, qtbot):
    before = set(window.library.items.search())
    choose(qtbot, open_new_item(window, qtbot), "Journal Article")
    (item_id,) = new_ids(window, before)
    window.library.notes.add(item_id, "<p>Read this first</p>")  # notes are not undone
    menu_action(window, "Edit", "Undo").trigger()
    assert set(window.library.items.search()) == before
    assert window.library.items.search(ViewQuery(trashed=True)) == [item_id]
    assert [n.html for n in window.library.notes.of_item(item_id)] == ["<p>Read this first</p>"]


def test_a_new_item_made_while_the_trash_is_on_show_is_shown_in_my_library(window, qtbot):
    window.sidebar.select(Source(TRASH))
    choose(qtbot, open_new_item(window, qtbot), "Web Page")
    assert window.sidebar.source == Source()
    (item_id,) = window.table.selected_ids()
    assert window.library.items.get(item_id).item_type == "webpage"
