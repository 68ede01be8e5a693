"""Items the search found through their PDFs' words: the Found in PDF marker, the passage on
hover, and the detail pane's "Found in paper.pdf: ..." line."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument

from refman.gui.item_table import COLUMNS, ItemTableModel
from refman.model import ViewQuery
from tests.unit.gui.helpers import close_window, id_of, make_window, shown_titles

PDF = Path(__file__).parents[2] / "data" / "pdf" / "int-psychogeriatr-2014-cambridge.pdf"
_TIP, _ICON = Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.DecorationRole
MARKER = next(i for i, c in enumerate(COLUMNS) if c.key == "in_pdf")
TITLE = next(i for i, c in enumerate(COLUMNS) if c.key == "title")


@pytest.fixture
def with_pdf(window):
    """The "Safety" paper with the dementia PDF attached and read."""
    item = id_of(window.library, "Safety")
    window.library.attachments.attach(item, [PDF])
    window.library.attachments.read_text()
    return item


def search(window, qtbot, text: str) -> None:
    with qtbot.waitSignal(window.search_box.search_changed, timeout=3000):
        window.search_box.setText(text)


def plain(rich: str) -> str:
    document = QTextDocument()
    document.setHtml(rich)
    return document.toPlainText()


def test_an_item_found_by_its_pdf_is_marked_and_its_passage_shown_on_hover(window, qtbot, with_pdf):
    search(window, qtbot, "dementia")  # in the PDF only
    model = window.table_model
    assert shown_titles(window) == [window.library.items.get(with_pdf).title]
    marker = model.index(model.row_of(with_pdf), MARKER)
    assert not marker.data(_ICON).isNull()
    tip = marker.data(_TIP)
    assert plain(tip).startswith(f"Found in {PDF.name}: …")
    assert "<b>dementia</b>" in tip.lower()
    # Hovering any cell of the row shows the passage too, under the cell's own text.
    title = model.index(marker.row(), TITLE).data(_TIP)
    assert title.startswith("Safety") and "<b>dementia</b>" in title.lower()
    assert model.headerData(MARKER, Qt.Orientation.Horizontal, _TIP) == "Found in PDF"


def test_items_found_by_their_fields_alone_carry_no_marker(window, qtbot, with_pdf):
    search(window, qtbot, "knowles")  # a creator of the Safety paper, not in its PDF
    model = window.table_model
    marker = model.index(model.row_of(with_pdf), MARKER)
    assert marker.data(_ICON) is None and marker.data(_TIP) is None
    assert model.index(marker.row(), TITLE).data(_TIP).startswith("Safety")
    search(window, qtbot, "")  # no search: no marks at all
    assert all(model.index(r, MARKER).data(_ICON) is None for r in range(model.rowCount()))


def test_the_passage_is_made_only_for_the_row_hovered(window, qtbot, with_pdf, monkeypatch):
    made = []
    found_in = window.library.attachments.found_in
    monkeypatch.setattr(
        window.library.attachments,
        "found_in",
        lambda item, text: made.append(item) or found_in(item, text),
    )
    search(window, qtbot, "a")  # every paper by some word; only the one with a PDF marked
    model = window.table_model
    assert model.rowCount() > 1 and made == []  # the search made no passage
    for row in range(model.rowCount()):
        model.index(row, MARKER).data(_TIP)
        model.index(row, TITLE).data(_TIP)
    assert made == [with_pdf]  # once, for the one row found in a PDF


def test_the_detail_pane_says_where_the_pdf_holds_the_words(window, qtbot, with_pdf):
    search(window, qtbot, "dementia")
    window.table.select_ids([with_pdf])
    line = window.detail.found_in_pdf
    assert line.isVisible()
    assert plain(line.text()).startswith(f"Found in {PDF.name}: …")
    assert "<b>dementia</b>" in line.text().lower()
    search(window, qtbot, "knowles")  # found by its creator now: the line goes
    assert window.table.selected_ids() == [with_pdf]
    assert not line.isVisible()


def test_a_pdf_moved_to_the_trash_no_longer_finds_its_item(window, qtbot, with_pdf):
    (row,) = window.library.attachments.of([with_pdf])[with_pdf]
    window.table_model.apply(window.library.attachments.trash([row.id]))
    search(window, qtbot, "dementia")
    assert window.table_model.rowCount() == 0


def test_a_saved_searchs_pdf_words_give_the_passage_too(window, with_pdf):
    model = ItemTableModel(window.library)
    model.set_query(ViewQuery(text="safety", saved_query="dementia"))
    assert model.ids == [with_pdf] and model.in_pdf == {with_pdf}
    passage = model.pdf_passage(with_pdf)
    assert passage is not None and passage.name == PDF.name
    model.set_query(ViewQuery(text="safety"))  # its title alone: no passage asked for
    assert model.in_pdf == frozenset() and model.pdf_passage(with_pdf) is None


def test_pdfs_left_unread_are_read_after_the_window_starts(qtbot, papers_library, settings):
    # As after a quit or a crash in the middle of reading: the PDF is attached, its text not
    # read. The window reads it once it is up, and the search then finds the item by it.
    item = id_of(papers_library, "Safety")
    papers_library.attachments.attach(item, [PDF])
    assert papers_library.attachments.has_unread()
    window = make_window(qtbot, papers_library, settings)
    try:
        with qtbot.waitSignal(window.attachment_actions.text_read, timeout=30_000):
            pass
        assert not papers_library.attachments.has_unread()
        search(window, qtbot, "dementia")
        assert shown_titles(window) == [papers_library.items.get(item).title]
    finally:
        close_window(qtbot, window)


def test_a_window_over_read_pdfs_starts_no_reading(window, qtbot, with_pdf, monkeypatch):
    reads = []
    monkeypatch.setattr(window.attachment_actions, "read_text", lambda: reads.append(1))
    qtbot.wait(2500)  # past the start-up read's delay
    assert reads == []
