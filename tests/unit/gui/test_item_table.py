"""The item table: lazy rows, search as you type, sorting in SQL, columns, drag out, drops in."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from refman.gui import mime
from refman.gui.item_table import (
    COLUMNS,
    NOTICE_FLAGS_ROLE,
    PAGE_SIZE,
    ItemTableModel,
    ItemTableView,
    ViewQuery,
)
from refman.library import Library
from refman.model import Reference
from refman.store import items
from tests.samples import DATA, PAPERS
from tests.unit.gui.helpers import close_window, drag_and_drop, id_of, make_window, shown_titles

TITLE, CREATORS, YEAR, JOURNAL = range(4)


def column_of(key: str) -> int:
    return next(i for i, c in enumerate(COLUMNS) if c.key == key)


def test_the_model_passes_the_model_tester(qtmodeltester, papers_library):
    model = ItemTableModel(papers_library)
    model.set_query(ViewQuery())
    qtmodeltester.check(model)


def test_default_columns_show_title_its_markers_creators_year_journal(window):
    table = window.table
    header = table.horizontalHeader()
    shown = [i for i in range(len(COLUMNS)) if not table.isColumnHidden(i)]
    in_order = [COLUMNS[i].title for i in sorted(shown, key=header.visualIndex)]
    assert in_order == [
        "Title", "Attachments", "Notes", "Notices", "Found in PDF", "Creators", "Year", "Journal"
    ]
    row = window.table_model.row_of(id_of(window.library, "Safety"))
    cells = [window.table_model.index(row, c).data() for c in (CREATORS, YEAR, JOURNAL)]
    assert cells == ["Knowles et al.", "2023", "Annals of surgery"]


def test_rows_are_fetched_in_pages_only_when_shown(tmp_path):
    fetched: list[int] = []
    with Library(tmp_path / "big.sqlite") as library:
        with library.connection.writing() as db:
            items.insert(db, [Reference(title=f"Item {i:04}") for i in range(450)])
        rows = library.items.rows

        def counted_rows(ids, columns):
            fetched.append(len(ids))
            return rows(ids, columns)

        library.items.rows = counted_rows
        model = ItemTableModel(library)
        model.set_query(ViewQuery())
        assert model.rowCount() == 450
        assert fetched == []  # opening costs one search, no rows
        assert model.index(0, 0).data() == "Item 0000"
        assert model.index(PAGE_SIZE - 1, 0).data() == f"Item {PAGE_SIZE - 1:04}"
        assert fetched == [PAGE_SIZE]  # one page for both rows
        assert model.index(449, 0).data() == "Item 0449"
        assert fetched == [PAGE_SIZE, 450 - 2 * PAGE_SIZE]


def test_typing_in_the_search_box_narrows_the_table_after_a_pause(window, qtbot):
    assert len(shown_titles(window)) == len(PAPERS)
    with qtbot.waitSignal(window.search_box.search_changed, timeout=2000):
        QTest.keyClicks(window.search_box, "knowl")  # a creator, by prefix
    assert shown_titles(window) == [PAPERS[0].title]
    assert window.count_label.text() == "1 item"


def test_search_matches_journal_year_and_tags(window, qtbot):
    for text, expected in (("laryngo", 1), ("2021", 1), ("review", 1), ("humans", 2)):
        window.search_box.setText(text)
        qtbot.waitUntil(lambda t=text, n=expected: len(shown_titles(window)) == n)


def test_ctrl_f_focuses_the_search_box(window, qtbot):
    window.table.setFocus()
    QTest.keySequence(window, "Ctrl+F")
    qtbot.waitUntil(window.search_box.hasFocus)


def test_clicking_a_header_sorts_in_sql(window, qtbot):
    header = window.table.horizontalHeader()
    year = column_of("year")
    QTest.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(year) + 5, 5),
    )
    years = [window.table_model.index(r, year).data() for r in range(4)]
    assert years == sorted(years)
    QTest.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(year) + 5, 5),
    )
    years = [window.table_model.index(r, year).data() for r in range(4)]
    assert years == ["2023", "2021", "2019", "2018"]


def test_sorting_keeps_the_selection_on_the_same_items(window):
    knowles = id_of(window.library, "Safety")
    window.table.select_ids([knowles])
    window.table.sortByColumn(column_of("year"), Qt.SortOrder.DescendingOrder)
    assert window.table.selected_ids() == [knowles]
    assert window.table_model.row_of(knowles) == 0


def test_every_column_sorts(window):
    model = window.table_model
    for section in range(len(COLUMNS)):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            window.table.sortByColumn(section, order)
            assert sorted(model.ids) == sorted(window.library.items.search())


def test_the_column_chooser_shows_and_hides_columns(window):
    pmid = column_of("pmid")
    action = window.table.column_actions[pmid]
    assert window.table.isColumnHidden(pmid) and not action.isChecked()
    action.trigger()
    assert not window.table.isColumnHidden(pmid)
    row = window.table_model.row_of(id_of(window.library, "Safety"))
    assert window.table_model.index(row, pmid).data() == "37144409"


def test_columns_and_sort_order_are_remembered(qtbot, papers_library, settings):
    first = make_window(qtbot, papers_library, settings)
    first.table.column_actions[column_of("doi")].trigger()
    first.table.sortByColumn(column_of("year"), Qt.SortOrder.DescendingOrder)
    first.close()
    second = make_window(qtbot, papers_library, settings)
    assert not second.table.isColumnHidden(column_of("doi"))
    assert second.table.column_actions[column_of("doi")].isChecked()
    assert second.table_model.index(0, YEAR).data() == "2023"


def test_multi_select_with_the_keyboard(window):
    window.table.setFocus()
    window.table.selectRow(0)
    QTest.keyClick(window.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClick(window.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert len(window.table.selected_ids()) == 3
    assert window.detail.multi.count_label.text() == "3 items selected"


def test_dragged_items_carry_ids_and_formatted_text(window):
    model = window.table_model
    data = model.mimeData([model.index(0, 0), model.index(0, 1), model.index(1, 0)])
    assert mime.decode_ids(data) == model.ids[:2]
    assert {mime.TEXT_MIME, mime.HTML_MIME} <= set(data.formats())
    assert shown_titles(window)[0] in data.text()
    assert data.html()


@pytest.fixture
def table(qtbot, papers_library):
    model = ItemTableModel(papers_library)
    model.set_query(ViewQuery())
    view = ItemTableView(model)
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_files_dropped_on_the_table_are_offered_for_import(table, qtbot, tmp_path):
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(tmp_path / "a.nbib"))])
    with qtbot.waitSignal(table.model().files_dropped) as dropped:
        assert drag_and_drop(table, QPoint(50, 200), data)
    assert dropped.args == [[str(tmp_path / "a.nbib")]]


def test_medline_text_dropped_on_the_table_is_offered_for_import(table, qtbot):
    data = QMimeData()
    data.setText("PMID- 1\nTI  - A title\n")
    with qtbot.waitSignal(table.model().text_dropped) as dropped:
        assert drag_and_drop(table, QPoint(50, 200), data)
    assert dropped.args == ["PMID- 1\nTI  - A title\n"]


def test_the_tables_own_items_are_not_dropped_back_on_it(table):
    model = table.model()
    data = model.mimeData([model.index(0, 0)])
    assert not model.canDropMimeData(data, Qt.DropAction.CopyAction, -1, -1, model.index(0, 0))
    assert not drag_and_drop(table, QPoint(50, 200), data)


def test_ctrl_v_in_the_table_asks_to_paste(table, qtbot):
    table.setFocus()
    with qtbot.waitSignal(table.paste_requested):
        QTest.keySequence(table, QKeySequence.StandardKey.Paste)


def test_an_empty_library_shows_what_to_do(qtbot, library, settings):
    window = make_window(qtbot, library, settings)
    placeholder = window.table.placeholder
    assert placeholder.isVisible()
    assert "Drop MEDLINE files here" in placeholder.message.text()
    assert placeholder.add_sample.text() == "Add a sample record"


def test_an_empty_search_result_is_not_mistaken_for_an_empty_library(window, qtbot):
    window.search_box.setText("nothing-matches-this")
    qtbot.waitUntil(lambda: window.table_model.rowCount() == 0)
    assert not window.table.placeholder.isVisible()


@pytest.mark.parametrize("text", ["?", "*", "\U0001f600"])
def test_search_text_with_no_words_shows_no_items_and_says_why(window, qtbot, text):
    """Never every item: the window and the command line read the search alike. ("(" is a
    query that cannot be read: tests/unit/gui/test_search_message.py.)"""
    window.search_box.setText(text)
    QTest.keyClick(window.search_box, Qt.Key.Key_Return)
    assert window.table_model.rowCount() == 0
    assert window.count_label.text() == f"No items: the query '{text}' has no words to search for"
    assert window.search_message.text() == f"The query '{text}' has no words to search for"
    assert not window.table.placeholder.isVisible()  # the library is not empty
    _, changes = window.library.items.add(Reference(title="Added by another pane"))
    window.apply(changes)  # a change while the text stays: still nothing, still said
    assert window.table_model.rowCount() == 0
    assert window.count_label.text().startswith("No items: the query")
    window.search_box.setText(f"{text} knowl")  # a word beside it: searched
    QTest.keyClick(window.search_box, Qt.Key.Key_Return)
    assert shown_titles(window) == [PAPERS[0].title]
    assert window.count_label.text() == "1 item"


def test_the_creators_column_names_a_chapters_authors_and_marks_editors(qtbot, library, settings):
    # The chapter's record names its book's editors first; the book has editors only.
    library.importing.files([DATA / "zotero-case-02.nbib", DATA / "medline" / "book.nbib"])
    window = make_window(qtbot, library, settings)
    try:
        model = window.table_model
        creators = {
            model.index(row, TITLE).data(): model.index(row, CREATORS).data()
            for row in range(model.rowCount())
        }
        assert creators["Peutz-Jeghers Syndrome"] == "Riegert-Johnson et al."
        assert creators["GeneReviews(R)"] == "Adam and Feldman (eds.)"
        chapter = id_of(library, "Peutz-Jeghers")
        # The chapter's authors removed: its editors are what the column shows, marked.
        model.apply(library.items.update(chapter, creators=library.items.get(chapter).editors()))
        assert (
            model.index(model.row_of(chapter), CREATORS).data() == "Riegert-Johnson et al. (eds.)"
        )
    finally:
        close_window(qtbot, window)


def test_retracted_items_are_marked_in_the_notices_column(qtbot, library):
    library.importing.files(
        [DATA / "import" / "pubmedxml" / "corrections.nbib", DATA / "duplicates" / "errata.nbib"]
    )
    model = ItemTableModel(library)
    model.set_query(ViewQuery())
    view = ItemTableView(model)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    by_pmid = {library.items.get(i).pmid: i for i in model.ids}
    retracted = model.index(model.row_of(by_pmid["39000001"]), column_of("notices"))
    assert retracted.data(NOTICE_FLAGS_ROLE) == ("retracted", "erratum")
    assert not retracted.data(Qt.ItemDataRole.DecorationRole).isNull()
    tip = retracted.data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Retracted; Erratum")
    plain = model.index(model.row_of(by_pmid["99200004"]), column_of("notices"))
    assert plain.data(NOTICE_FLAGS_ROLE) == ()
    assert plain.data(Qt.ItemDataRole.DecorationRole) is None
    assert plain.data(Qt.ItemDataRole.ToolTipRole) is None
    # The Title's tooltip is the title in full; its icon is the item's type, flagged or not.
    title = model.index(retracted.row(), column_of("title"))
    assert title.data(Qt.ItemDataRole.ToolTipRole) == library.items.get(by_pmid["39000001"]).title
    plain_title = model.index(plain.row(), column_of("title"))
    assert title.data(Qt.ItemDataRole.DecorationRole).cacheKey() == (
        plain_title.data(Qt.ItemDataRole.DecorationRole).cacheKey()
    )
    # Other columns carry no marker.
    journal = model.index(retracted.row(), column_of("journal"))
    assert journal.data(Qt.ItemDataRole.DecorationRole) is None
