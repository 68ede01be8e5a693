"""Retractions in the window: the Retracted & Corrected view in the sidebar, the notices read
in the background after start, and the warnings when a retracted item is copied, dragged out
or exported as a citation."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from PySide6.QtCore import QObject, QPoint, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from refman.gui import dialogs
from refman.gui.export_dialog import ExportDialog
from refman.gui.sidebar import FLAGGED, Source
from tests.samples import DATA, RESULT2
from tests.unit.gui.helpers import (
    close_window,
    id_of,
    make_window,
    menu_action,
    open_dialog,
    shown_titles,
)
from tests.unit.gui.test_sidebar import click_source
from tests.unit.gui.test_tag_selector import click_tag

RETRACTED = DATA / "notices" / "retracted-9500320.nbib"  # PubMed's record of a retracted paper
CORRECTIONS = DATA / "import" / "pubmedxml" / "corrections.nbib"  # retracted, with an erratum
ERRATA = DATA / "duplicates" / "errata.nbib"
WAKEFIELD = "Ileal-lymphoid-nodular hyperplasia"
CALCIUM = "Calcium (Ca(2+)) signalling"  # corrections.nbib's retracted article
NOTICES_TIMEOUT_MS = 20_000


def stored_flags(path) -> dict[int, str]:
    with closing(sqlite3.connect(path)) as db:
        return dict(db.execute("SELECT item_id, flags FROM item_flags"))


def flagged_entry(window):
    return window.sidebar.model.index_of(Source(FLAGGED))


def wait_for_flagged_entry(qtbot, window):
    qtbot.waitUntil(lambda: flagged_entry(window).isValid(), timeout=NOTICES_TIMEOUT_MS)
    return flagged_entry(window)


@pytest.fixture
def flagged_library(library):
    """A library of real PubMed records, two of them retracted (the notices not read yet:
    an import leaves that to the first use, as in a library from before notice flags)."""
    library.importing.files([RETRACTED, RESULT2, CORRECTIONS, ERRATA])
    return library


@pytest.fixture
def flagged_window(qtbot, flagged_library, settings):
    window = make_window(qtbot, flagged_library, settings)
    wait_for_flagged_entry(qtbot, window)
    yield window
    close_window(qtbot, window)


def flagged_ids(library) -> set[int]:
    return set(library.notices.flagged())


def test_notices_are_read_in_the_background_after_start(qtbot, flagged_library, settings):
    assert stored_flags(flagged_library.path) == {}  # rows missing, as before schema 7
    window = make_window(qtbot, flagged_library, settings)
    try:
        assert not flagged_entry(window).isValid()  # nothing read yet: the window did not wait
        entry = wait_for_flagged_entry(qtbot, window)
        stored = stored_flags(flagged_library.path)
        assert len(stored) == len(flagged_library.items.all_ids())  # every record read, kept
        assert stored[id_of(flagged_library, WAKEFIELD)] == "retracted"
        # Two retracted items and three errata.
        assert entry.data() == "Retracted & Corrected (5)"
        assert not entry.data(0x1).isNull()  # the warning icon (DecorationRole)
    finally:
        close_window(qtbot, window)


def test_the_view_lists_the_flagged_items_and_narrows_by_search_and_tags(qtbot, flagged_window):
    library = flagged_window.library
    click_source(flagged_window, Source(FLAGGED))
    assert set(flagged_window.table_model.ids) == flagged_ids(library)
    assert len(flagged_window.table_model.ids) == 5  # two retracted items, three errata
    titles = shown_titles(flagged_window)
    assert any(t.startswith(WAKEFIELD) for t in titles)
    assert any(t.startswith(CALCIUM) for t in titles)
    flagged_window.search_box.setText("colitis")
    qtbot.waitUntil(lambda: len(shown_titles(flagged_window)) == 1)
    assert shown_titles(flagged_window)[0].startswith(WAKEFIELD)
    flagged_window.search_box.setText("")
    qtbot.waitUntil(lambda: len(shown_titles(flagged_window)) == 5)
    # Tag the retracted paper and a paper that is not flagged: the tag narrows the view.
    clean = next(i for i in library.items.search() if i not in flagged_ids(library))
    wakefield = id_of(library, WAKEFIELD)
    flagged_window.editor.notify(library.tags.add([wakefield, clean], ["to-check"]))
    qtbot.waitUntil(lambda: flagged_window.sidebar.tags.filled)
    click_tag(flagged_window, "to-check")
    assert flagged_window.table_model.ids == [wakefield]
    assert flagged_window.count_label.text() == "1 item"


def test_the_entry_goes_when_its_items_are_trashed_and_the_window_shows_my_library(
    qtbot, flagged_window
):
    click_source(flagged_window, Source(FLAGGED))
    flagged_window.table.selectAll()
    menu_action(flagged_window, "Edit", "Move to Trash").trigger()
    qtbot.waitUntil(lambda: not flagged_entry(flagged_window).isValid())
    assert flagged_window.sidebar.source == Source()
    assert len(shown_titles(flagged_window)) == len(flagged_window.library.items.search())


def test_an_import_of_a_retracted_paper_adds_it_to_the_view(qtbot, library, settings):
    library.importing.files([RESULT2])
    window = make_window(qtbot, library, settings)
    try:
        # The read after start keeps a row (without flags) for each record it read.
        qtbot.waitUntil(lambda: len(stored_flags(library.path)) == 4, timeout=NOTICES_TIMEOUT_MS)
        assert not flagged_entry(window).isValid()  # a library with nothing flagged: no entry
        window.import_paths([str(RETRACTED)])
        entry = wait_for_flagged_entry(qtbot, window)
        assert entry.data() == "Retracted & Corrected (1)"
    finally:
        close_window(qtbot, window)


def copy_citation_of(window, title_start: str, what: str = "Copy Citation") -> None:
    window.table.select_ids([id_of(window.library, title_start)])
    menu_action(window, "Edit", what).trigger()


def test_copying_a_retracted_item_as_a_citation_shows_a_warning(qtbot, flagged_window):
    bar = flagged_window.citation_warning
    assert not bar.isVisible()
    copy_citation_of(flagged_window, WAKEFIELD)
    assert QGuiApplication.clipboard().text()  # copied all the same
    assert bar.isVisible()
    assert bar.text.text() == (
        "Copied the citation of 1 item. 1 retracted item among them: PMID 9500320 "
        "Ileal-lymphoid-nodular hyperplasia, non…"
    )
    assert bar.toolTip() == (  # the title whole
        "1 retracted item among them: PMID 9500320 Ileal-lymphoid-nodular hyperplasia, "
        "non-specific colitis, and pervasive developmental disorder in children"
    )
    # A copy of a paper that is not flagged: the warning goes.
    clean = next(
        i
        for i in flagged_window.library.items.search()
        if i not in flagged_ids(flagged_window.library)
    )
    flagged_window.table.select_ids([clean])
    menu_action(flagged_window, "Edit", "Copy Bibliography").trigger()
    assert not bar.isVisible()


def test_a_bibliography_of_many_names_the_retracted_ones_and_can_be_closed(qtbot, flagged_window):
    flagged_window.table.selectAll()
    menu_action(flagged_window, "Edit", "Copy Bibliography").trigger()
    bar = flagged_window.citation_warning
    count = len(flagged_window.library.items.search())
    text = bar.text.text()
    assert text.startswith(f"Copied the bibliography of {count} items. 2 retracted items among")
    assert "PMID 9500320" in text and "PMID 39000001" in text
    assert "erratum" not in text.casefold()  # errata do not warn
    bar.close_button.click()
    assert not bar.isVisible()


def test_dragging_a_retracted_item_out_warns_once_the_references_are_taken(flagged_window):
    model = flagged_window.table_model
    row = model.row_of(id_of(flagged_window.library, CALCIUM))
    data = model.mimeData([model.index(row, 0)])
    assert not flagged_window.citation_warning.isVisible()  # only ids so far
    assert CALCIUM in data.text()  # a drop target takes the references
    bar = flagged_window.citation_warning
    assert bar.isVisible()
    assert bar.text.text().startswith(
        "Dragged out 1 item. 1 retracted item among them: PMID 39000001"
    )


def test_the_export_dialog_warns_and_asks_before_exporting_retracted_items(
    qtbot, flagged_window, monkeypatch, tmp_path
):
    flagged_window.table.select_ids([id_of(flagged_window.library, WAKEFIELD)])
    dialog = open_dialog(flagged_window, qtbot, "File", "Export…", ExportDialog)
    assert dialog.flag_warning.isVisible()
    assert dialog.flag_warning.text() == (
        "⚠ 1 retracted item in these items: PMID 9500320 "
        "Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive "
        "developmental disorder in children"
    )
    asked: list[str] = []

    def answer(go_on):
        def confirm(parent, title, question, action):
            asked.append(question)
            return go_on

        monkeypatch.setattr(dialogs, "confirm", confirm)

    target = tmp_path / "refs.ris"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    dialog.format_box.setCurrentIndex(dialog.format_box.findText("RIS"))  # data formats too
    answer(False)
    dialog.save_button.click()
    assert len(asked) == 1 and "1 retracted item in the export: PMID 9500320" in asked[0]
    assert not target.exists()  # the user said no
    answer(True)
    dialog.save_button.click()
    assert "Wakefield" in target.read_text(encoding="utf-8")
    dialog.close()


def test_the_export_dialog_does_not_ask_for_items_without_retractions(
    qtbot, flagged_window, monkeypatch
):
    clean = next(
        i
        for i in flagged_window.library.items.search()
        if i not in flagged_ids(flagged_window.library)
    )
    flagged_window.table.select_ids([clean])
    dialog = open_dialog(flagged_window, qtbot, "File", "Export…", ExportDialog)
    assert not dialog.flag_warning.isVisible()
    monkeypatch.setattr(dialogs, "confirm", lambda *a: pytest.fail("asked for nothing"))
    dialog.copy_to_clipboard()
    assert "Copied 1 item" in dialog.status.text()
    dialog.close()


class UrlCatcher(QObject):
    """Stands in for the desktop's browser: the links the window asks it to open."""

    def __init__(self):
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_the_banner_shows_the_notice_and_links_it_on_pubmed(qtbot, flagged_window):
    flagged_window.table.select_ids([id_of(flagged_window.library, WAKEFIELD)])
    banner = flagged_window.detail.notice_banner
    assert banner.isVisible() and banner.warning
    assert banner.text() == (
        '<b><a href="https://pubmed.ncbi.nlm.nih.gov/20137807/">'
        "Retracted: Lancet. 2010 Feb 6;375(9713):445. (PMID 20137807)</a></b>"
    )
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("https", catcher, "open")
    try:  # a click on the notice's words, at the start of the banner's first line
        pos = QPoint(banner.margin() + 8, banner.margin() + banner.fontMetrics().height() // 2)
        QTest.mouseClick(banner, Qt.MouseButton.LeftButton, pos=pos)
        qtbot.waitUntil(lambda: bool(catcher.urls))
    finally:
        QDesktopServices.unsetUrlHandler("https")
    assert catcher.urls == [QUrl("https://pubmed.ncbi.nlm.nih.gov/20137807/")]
