"""The search's line above the item table: where a query cannot be read, and "No items match"
when it finds nothing, naming the place searched."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from refman.gui.sidebar import COLLECTION, TRASH, Source
from tests.samples import PAPERS


def search(window, qtbot, text: str) -> None:
    """Type the text into the search box and press Return, as a user would."""
    window.search_box.clear()
    QTest.keyClicks(window.search_box, text)
    with qtbot.waitSignal(window.table_model.modelReset, timeout=2000):
        QTest.keyClick(window.search_box, Qt.Key.Key_Return)


def test_a_query_that_cannot_be_read_says_where(window, qtbot):
    search(window, qtbot, "(Knowles[au] OR balloon")
    message = window.search_message
    assert message.isVisible()
    assert message.text() == 'Search not understood: the "(" at character 1 is never closed'
    assert window.table_model.rowCount() == 0
    assert window.count_label.text().startswith("No items: Search not understood")
    search(window, qtbot, "Knowles[au] OR balloon")
    assert not message.isVisible()
    assert window.table_model.rowCount() == 2


def test_an_unknown_field_tag_names_the_ones_there_are(window, qtbot):
    search(window, qtbot, "stroke[xyz]")
    text = window.search_message.text()
    assert text.startswith("Search not understood: [xyz] at character 7 is not a field")
    assert "[tiab]" in text and "[majr]" in text


def test_no_items_match_says_so_and_where(window, qtbot):
    search(window, qtbot, "Knowles[1au] AND 2019[dp]")
    assert window.search_message.isVisible()
    expected = 'No items match "Knowles[1au] AND 2019[dp]" in My Library'
    assert window.search_message.text() == expected
    search(window, qtbot, "Knowles[1au]")
    assert not window.search_message.isVisible()
    assert window.table_model.rowCount() == 1
    assert window.table_model.index(0, 0).data() == PAPERS[0].title


def test_no_items_match_names_the_collection(window, qtbot):
    collection, changes = window.library.collections.create("Surgery")
    window.editor.notify(changes)
    window.sidebar.select(Source(COLLECTION, collection.id))
    search(window, qtbot, "humans[mh]")
    assert window.search_message.text() == 'No items match "humans[mh]" in Surgery'
    window.sidebar.select(Source(TRASH))
    qtbot.waitUntil(lambda: window.search_message.text().endswith(" in Trash"))


def test_a_pdf_search_without_pdfs_says_nothing_matches(window, qtbot):
    search(window, qtbot, "balloon[pdf]")
    assert window.search_message.text() == 'No items match "balloon[pdf]" in My Library'
    assert window.table_model.ids == []


def test_the_message_sits_directly_above_the_table(window):
    layout = window.table.parentWidget().layout()
    index = layout.indexOf(window.table)
    assert layout.itemAt(index - 1).widget() is window.search_message


def test_an_empty_box_or_an_empty_view_shows_no_message(window, qtbot):
    search(window, qtbot, "nothing matches this")
    assert window.search_message.isVisible()
    window.search_box.clear_now()
    qtbot.waitUntil(lambda: not window.search_message.isVisible())
    window.sidebar.select(Source(TRASH))  # empty, but no search: i17's empty state, not ours
    assert not window.search_message.isVisible()
