"""Files with their items in the window (issue 15): the Attachments column and the files' rows
under their item, the keys that expand and collapse them, opening a file, Attach File… and
drops on an item, PDFs dropped on the table imported, a file moved to the Trash and back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from refman.gui.item_table import (
    ATTACHMENT_ID_ROLE,
    COLUMNS,
    EXPANDED_ROLE,
    ItemTableModel,
    arrow_rect,
)
from refman.gui.pdf_import import split_import_paths
from refman.gui.resources import icon
from refman.library.pdfs import NEEDS_LOOKUP
from refman.model import ViewQuery
from tests.pdf_maker import make_pdf
from tests.samples import DATA
from tests.unit.gui.helpers import (
    IMPORT_TIMEOUT_MS,
    drag_and_drop,
    drop_on_index,
    id_of,
    menu_action,
    shown_titles,
)
from tests.unit.online.conftest import network_data

PDFS = Path(__file__).parents[2] / "data" / "pdf"
REAL_PDF = "postgrad-med-j-2010-bmj.pdf"
SCIENCE_DOI = "10.1126/science.169.3946.635"
TITLE = 0
FILES = next(n for n, c in enumerate(COLUMNS) if c.key == "attachments")


@pytest.fixture
def paper(tmp_path) -> Path:
    """A real article PDF, in a folder of its own."""
    path = tmp_path / "in" / REAL_PDF
    path.parent.mkdir(exist_ok=True)
    shutil.copy(PDFS / REAL_PDF, path)
    return path


@pytest.fixture
def data_file(tmp_path) -> Path:
    path = tmp_path / "in" / "data.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text("dose,response\n1,2\n", encoding="utf-8")
    return path


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """The local paths the desktop was asked to open, instead of opening them."""
    seen: list[str] = []

    def open_url(url: QUrl) -> bool:
        seen.append(url.toLocalFile())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    return seen


def attach(window, item_id: int, paths: list[Path]) -> list[int]:
    report = window.library.attachments.attach(item_id, paths)
    window.editor.notify(report.changes)
    return report.attached


def cell(window, item_id: int, column: int):
    return window.table_model.index(window.table_model.row_of(item_id), column)


def click_arrow(window, item_id: int) -> None:
    index = cell(window, item_id, TITLE)
    rect = window.table.visualRect(index)
    QTest.mouseClick(
        window.table.viewport(), Qt.MouseButton.LeftButton, pos=arrow_rect(rect).center()
    )


def select_row(window, row: int) -> None:
    model, table = window.table_model, window.table
    flags = (
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    table.selectionModel().setCurrentIndex(model.index(row, TITLE), flags)


def wait_for_text(qtbot, window) -> None:
    """The text of the PDFs just attached is read in the background: wait until it is."""
    qtbot.waitUntil(lambda: window.attachment_actions._reading is None, timeout=IMPORT_TIMEOUT_MS)


# --- the column and the rows -------------------------------------------------------------------


def test_an_item_with_a_pdf_shows_a_pdf_icon_and_its_files_under_it(window, paper, data_file):
    seed = id_of(window.library, "Safety")
    other = id_of(window.library, "Gut microbiota")
    attach(window, seed, [paper, data_file])
    attach(window, other, [data_file])
    marker = cell(window, seed, FILES)
    assert marker.data(Qt.ItemDataRole.DecorationRole).cacheKey() == icon("pdf").cacheKey()
    assert marker.data(Qt.ItemDataRole.ToolTipRole) == f"2 files:\ndata.csv\n{REAL_PDF}"
    clip = cell(window, other, FILES).data(Qt.ItemDataRole.DecorationRole)
    assert clip.cacheKey() == icon("attachment").cacheKey()  # no PDF: a paper clip
    bare = id_of(window.library, "Balloon")
    assert cell(window, bare, FILES).data(Qt.ItemDataRole.DecorationRole) is None
    assert cell(window, bare, TITLE).data(EXPANDED_ROLE) is None  # no arrow
    assert cell(window, seed, TITLE).data(EXPANDED_ROLE) is False

    titles = shown_titles(window)
    click_arrow(window, seed)
    row = window.table_model.row_of(seed)
    assert shown_titles(window)[row + 1 : row + 3] == [REAL_PDF, "data.csv"]
    assert len(shown_titles(window)) == len(titles) + 2
    assert window.count_label.text() == "4 items"  # files are not counted as items
    assert cell(window, seed, TITLE).data(EXPANDED_ROLE) is True
    click_arrow(window, seed)
    assert shown_titles(window) == titles


def test_right_and_left_expand_and_collapse_plus_and_minus_do_all(window, qtbot, paper, data_file):
    seed = id_of(window.library, "Safety")
    other = id_of(window.library, "Gut microbiota")
    attach(window, seed, [paper])
    attach(window, other, [data_file])
    table, model = window.table, window.table_model
    table.select_ids([seed])
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_Right)
    assert model.is_expanded(seed)
    QTest.keyClick(table, Qt.Key.Key_Down)  # onto the PDF's row
    assert table.currentIndex().data() == REAL_PDF
    assert table.selected_ids() == [seed]  # a file's row stands for its item
    QTest.keyClick(table, Qt.Key.Key_Left)  # from the file up to its item
    assert table.selected_ids() == [seed] and table.currentIndex().row() == model.row_of(seed)
    QTest.keyClick(table, Qt.Key.Key_Left)
    assert not model.is_expanded(seed)
    QTest.keyClick(table, Qt.Key.Key_Plus)
    assert model.is_expanded(seed) and model.is_expanded(other)
    assert {REAL_PDF, "data.csv"} <= set(shown_titles(window))
    QTest.keyClick(table, Qt.Key.Key_Minus)
    assert len(shown_titles(window)) == 4


def test_files_stay_under_their_item_when_sorted_and_the_model_is_sound(
    window, qtmodeltester, paper, data_file
):
    seed = id_of(window.library, "Safety")
    attach(window, seed, [paper, data_file])
    model = window.table_model
    model.expand(seed)
    year = next(n for n, c in enumerate(COLUMNS) if c.key == "year")
    for order in (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder):
        window.table.sortByColumn(year, order)
        row = model.row_of(seed)
        assert shown_titles(window)[row + 1 : row + 3] == [REAL_PDF, "data.csv"]
    fresh = ItemTableModel(window.library)
    fresh.set_query(ViewQuery())
    fresh.expand(seed)
    qtmodeltester.check(fresh)


def test_editing_an_expanded_item_keeps_its_rows_without_a_reset(window, qtbot, data_file):
    other = id_of(window.library, "Gut microbiota")
    attach(window, other, [data_file])
    model = window.table_model
    model.expand(other)
    window.table.select_ids([other])
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    window.editor.set_field(other, "volume", window.library.items.get(other).volume, "99")
    assert resets == []  # the detail pane and the selection stay as they are
    row = model.row_of(other)
    assert shown_titles(window)[row + 1] == "data.csv"
    volume = next(n for n, c in enumerate(COLUMNS) if c.key == "volume")
    assert model.index(row, volume).data() == "99"


# --- opening -----------------------------------------------------------------------------------


def test_a_double_click_on_a_file_opens_it_and_show_file_opens_its_folder(window, paper, opened):
    seed = id_of(window.library, "Safety")
    (attachment,) = attach(window, seed, [paper])
    window.table_model.expand(seed)
    row = window.table_model.row_of_attachment(attachment)
    rect = window.table.visualRect(window.table_model.index(row, TITLE))
    viewport, left = window.table.viewport(), Qt.MouseButton.LeftButton
    QTest.mouseClick(viewport, left, pos=rect.center())  # a double-click starts with a click
    QTest.mouseDClick(viewport, left, pos=rect.center())
    stored = window.library.attachments.file(window.library.attachments.get(attachment))
    assert opened == [str(stored)]
    assert stored.read_bytes() == paper.read_bytes()  # the library's own copy
    menu = window.attachment_actions.file_menu(window.table_model.index(row, TITLE))
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Open", "Show File", "View in refman", "Move to Trash"]
    next(a for a in menu.actions() if a.text() == "Show File").trigger()
    assert opened[-1] == str(stored.parent)


def test_view_in_refman_is_offered_when_the_window_has_a_viewer(window, paper, monkeypatch):
    seed = id_of(window.library, "Safety")
    (attachment,) = attach(window, seed, [paper])
    viewed: list[int] = []
    monkeypatch.setattr(window, "view_attachment", viewed.append, raising=False)
    window.table_model.expand(seed)
    index = window.table_model.index(window.table_model.row_of_attachment(attachment), TITLE)
    menu = window.attachment_actions.file_menu(index)
    next(a for a in menu.actions() if a.text() == "View in refman").trigger()
    assert viewed == [attachment]


def test_a_missing_file_is_told_with_its_path_and_not_opened(window, paper, opened, shown_errors):
    seed = id_of(window.library, "Safety")
    (attachment,) = attach(window, seed, [paper])
    stored = window.library.attachments.file(window.library.attachments.get(attachment))
    stored.unlink()
    window.attachment_actions.open(attachment)
    assert opened == []
    (message,) = shown_errors
    assert str(stored) in message and "missing" in message and "Attach the file again" in message


# --- attaching ---------------------------------------------------------------------------------


def test_attach_file_attaches_the_chosen_files_and_says_which_failed(
    window, qtbot, tmp_path, data_file, paper, monkeypatch, shown_errors
):
    seed = id_of(window.library, "Safety")
    gone = tmp_path / "in" / "gone.pdf"
    chosen = ([str(paper), str(gone), str(data_file)], "")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *args: chosen)
    window.table.select_ids([seed])
    action = menu_action(window, "Edit", "Attach File")
    assert action in window.toolbar.actions()
    with qtbot.waitSignal(window.attachment_actions.attached, timeout=IMPORT_TIMEOUT_MS):
        action.trigger()
    wait_for_text(qtbot, window)
    files = window.library.attachments.of([seed])[seed]
    assert [f.name for f in files] == [REAL_PDF, "data.csv"]
    (message,) = shown_errors
    assert "Attached 2 files" in message and f"{gone} is not there" in message
    row = window.table_model.row_of(seed)  # shown under the item at once
    assert shown_titles(window)[row + 1 : row + 3] == [REAL_PDF, "data.csv"]
    assert window.library.attachments.search_text("helicobacter") == [seed]  # text read


def test_attaching_to_an_item_gone_meanwhile_says_so(window, qtbot, data_file, shown_errors):
    gone = id_of(window.library, "Balloon")
    window.library.items.delete([gone])  # another window or refman emptied it meanwhile
    with qtbot.waitSignal(window.attachment_actions.attached, timeout=IMPORT_TIMEOUT_MS) as done:
        window.attachment_actions.attach(gone, [str(data_file)])
    assert done.args == [None]
    assert shown_errors == [f"Nothing was attached: There is no item with id {gone}."]


def test_attach_file_needs_one_item_selected(window):
    window.table.select_ids(
        [id_of(window.library, "Safety"), id_of(window.library, "Gut microbiota")]
    )
    assert not window.attachment_actions.attach_file.isEnabled()
    window.table.select_ids([id_of(window.library, "Safety")])
    assert window.attachment_actions.attach_file.isEnabled()


def test_a_file_dropped_on_an_item_is_attached_to_it(window, qtbot, data_file):
    other = id_of(window.library, "Gut microbiota")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(data_file))])
    with qtbot.waitSignal(window.attachment_actions.attached, timeout=IMPORT_TIMEOUT_MS):
        assert drop_on_index(window.table, cell(window, other, TITLE), data)
    assert [f.name for f in window.library.attachments.of([other])[other]] == ["data.csv"]
    assert window.library.items.count() == 4  # attached, not imported
    assert window.table_model.is_expanded(other)


def test_a_pdf_dropped_on_the_table_without_an_identifier_becomes_an_item_to_look_up(
    window, qtbot, tmp_path
):
    pdf = tmp_path / "notes.pdf"
    pdf.write_bytes(make_pdf(["Notes on nothing in particular"], title="Notes on nothing"))
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(pdf))])
    with qtbot.waitSignal(window.pdf_importer().finished, timeout=IMPORT_TIMEOUT_MS) as done:
        assert drag_and_drop(window.table, QPoint(40, 190), data)  # below the rows
    report = done.args[0]
    ((_path, item, _why),) = report.needs_lookup
    ref = window.library.items.get(item)
    assert ref.title == "Notes on nothing" and NEEDS_LOOKUP in [t.name for t in ref.tags]
    assert window.table.selected_ids() == [item]
    assert [f.name for f in window.library.attachments.of([item])[item]] == ["notes.pdf"]
    assert "1 kept as items that need a lookup" in window.pdf_importer().summary_box.text()
    wait_for_text(qtbot, window)


def test_a_pdf_dropped_with_a_medline_file_is_imported_beside_it(window, qtbot, tmp_path):
    pdf = tmp_path / "notes.pdf"
    pdf.write_bytes(make_pdf(["Notes on nothing in particular"], title="Notes on nothing"))
    data = QMimeData()
    data.setUrls(
        [QUrl.fromLocalFile(str(pdf)), QUrl.fromLocalFile(str(DATA / "pubmed_result1.txt"))]
    )
    pdfs, references = window.pdf_importer().finished, window.importer().finished
    with qtbot.waitSignals([pdfs, references], timeout=IMPORT_TIMEOUT_MS):
        assert drag_and_drop(window.table, QPoint(40, 190), data)
    assert window.library.items.count() == 6  # the MEDLINE record and the PDF's item
    assert window.importer().summary_box.text().startswith("Imported: 1 added")  # no "a PDF"
    titles = {window.library.items.get(i).title for i in window.library.items.search()}
    assert {"Notes on nothing"} <= titles
    assert any(t.startswith("The Bio* toolkits") for t in titles)
    wait_for_text(qtbot, window)


def test_a_pdf_chosen_in_file_import_is_looked_up_by_its_doi(
    window, qtbot, tmp_path, httpserver, monkeypatch
):
    monkeypatch.setenv("REFMAN_EUTILS_URL", httpserver.url_for("/eutils"))
    monkeypatch.setenv("REFMAN_DOI_URL", httpserver.url_for("/doi"))
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_data(
        network_data("esearch-zero-hits.xml")
    )
    httpserver.expect_request(f"/doi/{SCIENCE_DOI}").respond_with_data(
        network_data("doi-science.169.3946.635.csl.json"),
        content_type="application/vnd.citationstyles.csl+json",
    )
    pdf = tmp_path / "water.pdf"
    pdf.write_bytes(make_pdf(["The Structure of Ordinary Water", f"doi:{SCIENCE_DOI}"]))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *args: ([str(pdf)], ""))
    with qtbot.waitSignal(window.pdf_importer().finished, timeout=IMPORT_TIMEOUT_MS) as done:
        menu_action(window, "File", "Import…").trigger()
    ((_path, item),) = done.args[0].added
    assert window.library.items.get(item).doi == SCIENCE_DOI
    assert window.table.selected_ids() == [item]
    assert (
        window.table_model.index(window.table_model.row_of(item), FILES)
        .data(Qt.ItemDataRole.DecorationRole)
        .cacheKey()
        == icon("pdf").cacheKey()
    )
    wait_for_text(qtbot, window)


# --- the Trash -----------------------------------------------------------------------------------


def test_delete_on_a_file_row_moves_the_file_to_the_trash_and_undo_brings_it_back(
    window, data_file
):
    other = id_of(window.library, "Gut microbiota")
    (attachment,) = attach(window, other, [data_file])
    model, table = window.table_model, window.table
    model.expand(other)
    select_row(window, model.row_of_attachment(attachment))
    assert table.currentIndex().data(ATTACHMENT_ID_ROLE) == attachment
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_Delete)
    assert window.library.attachments.get(attachment).trashed
    assert window.library.items.count() == 4  # the file, not its item
    assert "data.csv" not in shown_titles(window)
    assert cell(window, other, FILES).data(Qt.ItemDataRole.DecorationRole) is None
    stored = window.library.attachments.file(window.library.attachments.get(attachment))
    assert stored.is_file()  # kept until Empty Trash
    window.editor.undo_stack.undo()
    assert not window.library.attachments.get(attachment).trashed
    assert cell(window, other, FILES).data(Qt.ItemDataRole.DecorationRole) is not None


def test_move_to_trash_in_a_file_rows_menu(window, paper, data_file):
    seed = id_of(window.library, "Safety")
    pdf, csv = attach(window, seed, [paper, data_file])
    model = window.table_model
    model.expand(seed)
    index = model.index(model.row_of_attachment(csv), TITLE)
    menu = window.attachment_actions.file_menu(index)
    next(a for a in menu.actions() if a.text() == "Move to Trash").trigger()
    assert window.library.attachments.get(csv).trashed
    assert not window.library.attachments.get(pdf).trashed
    row = model.row_of(seed)
    assert shown_titles(window)[row + 1] == REAL_PDF and "data.csv" not in shown_titles(window)
    assert window.editor.undo_stack.undoText() == "Move 1 attachment to Trash"


def test_pdfs_and_folders_of_pdfs_go_to_the_pdf_import_reference_files_as_before(tmp_path):
    papers = tmp_path / "papers"
    (papers / "2024").mkdir(parents=True)
    (papers / "2024" / "b.pdf").write_bytes(make_pdf(["b"]))
    (papers / "a.PDF").write_bytes(make_pdf(["a"]))
    (papers / ".hidden").mkdir()
    (papers / ".hidden" / "old.ris").write_text("TY  - JOUR\nER  - \n", encoding="utf-8")
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "c.pdf").write_bytes(make_pdf(["c"]))
    (mixed / "export.nbib").write_text("PMID- 1\n", encoding="utf-8")
    loose = tmp_path / "d.pdf"
    loose.write_bytes(make_pdf(["d"]))
    medline = tmp_path / "result.txt"
    medline.write_text("PMID- 2\n", encoding="utf-8")
    paths = [str(papers), str(mixed), str(loose), str(medline)]
    references, pdfs = split_import_paths(paths)
    assert references == [str(mixed), str(medline)]  # a folder of PDFs alone is not read twice
    assert pdfs == [
        str(papers / "2024" / "b.pdf"),
        str(papers / "a.PDF"),
        str(mixed / "c.pdf"),
        str(loose),
    ]
