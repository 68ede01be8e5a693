"""Tools > Search PubMed: the dialog through its widgets, against a local PubMed
(tests/pubmed_replay.py) that the window finds through REFMAN_EUTILS_URL."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from werkzeug import Response

from refman.gui.pubmed_search import CHECK, HELD, TITLE, PubMedSearchDialog
from refman.model import Reference
from tests.pubmed_replay import ESEARCH, NETWORK_DATA, PubMedReplay
from tests.unit.gui.helpers import menu_action

WAIT_MS = 30_000


@pytest.fixture
def pubmed(httpserver, monkeypatch):
    """PubMed finding 25 of the 75 records for any query."""
    monkeypatch.setenv("REFMAN_EUTILS_URL", httpserver.url_for("/eutils"))
    replay = PubMedReplay(httpserver, [])
    replay.hits = list(replay.records)[:25]
    return replay


def open_dialog(window, qtbot) -> PubMedSearchDialog:
    menu_action(window, "Tools", "Search PubMed").trigger()
    dialog = window.findChild(PubMedSearchDialog)
    qtbot.waitExposed(dialog)
    return dialog


def search(qtbot, dialog, query: str) -> None:
    dialog.query.clear()
    QTest.keyClicks(dialog.query, query)
    qtbot.mouseClick(dialog.search_button, Qt.MouseButton.LeftButton)
    wait(qtbot, dialog)


def wait(qtbot, dialog) -> None:
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=WAIT_MS)


def cell(dialog, row: int, column: int) -> str:
    return dialog.table.item(row, column).text()


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_search_shows_the_count_pubmeds_reading_and_a_page_with_held_hits_marked(
    window, qtbot, pubmed
):
    held, _ = window.library.items.add(Reference(title="Typed in", pmid=pubmed.hits[2]))
    dialog = open_dialog(window, qtbot)
    query = 'balloon guide catheter[tiab] AND "stroke"[mh]'
    search(qtbot, dialog, query)
    assert pubmed.queries == [query]  # as typed
    assert dialog.count_label.text() == "<b>25 hits, 1-20 shown</b>"
    assert dialog.translation_label.text() == (
        'PubMed read the query as: "biopython"[All Fields]'  # as the recorded answer says
    )
    assert dialog.table.rowCount() == 20
    assert cell(dialog, 0, TITLE) == pubmed.title(pubmed.hits[0])
    assert [cell(dialog, row, HELD) for row in range(3)] == ["", "", "✓ In library"]
    assert dialog.checked_pmids() == []  # nothing checked to begin with
    assert not dialog.remarks_label.isVisible()  # PubMed had nothing to say
    assert not dialog.import_button.isEnabled()
    assert dialog.previous_button.isEnabled() is False and dialog.next_button.isEnabled()


def test_pages_go_forward_and_back(window, qtbot, pubmed, httpserver):
    window.settings.setValue("online/email", "reader@example.org")  # Edit > Preferences
    dialog = open_dialog(window, qtbot)
    search(qtbot, dialog, "balloon")
    assert {req.args["email"] for req, _ in httpserver.log} == {"reader@example.org"}
    click(qtbot, dialog.next_button)
    wait(qtbot, dialog)
    assert dialog.count_label.text() == "<b>25 hits, 21-25 shown</b>"
    assert [cell(dialog, row, TITLE) for row in range(5)] == [
        pubmed.title(pmid) for pmid in pubmed.hits[20:]
    ]
    assert not dialog.next_button.isEnabled()
    click(qtbot, dialog.previous_button)
    wait(qtbot, dialog)
    assert dialog.table.rowCount() == 20 and cell(dialog, 0, TITLE) == pubmed.title(pubmed.hits[0])
    starts = [req.args["retstart"] for req, _ in httpserver.log if req.path == ESEARCH]
    assert starts == ["0", "20", "0"]
    assert pubmed.queries == ["balloon"] * 3


def test_checked_hits_are_imported_and_selected_in_the_window(window, qtbot, pubmed):
    dialog = open_dialog(window, qtbot)
    search(qtbot, dialog, "balloon")
    dialog.table.item(0, CHECK).setCheckState(Qt.CheckState.Checked)  # its check box
    rect = dialog.table.visualItemRect(dialog.table.item(3, TITLE))  # a double-click on a row
    viewport, left = dialog.table.viewport(), Qt.MouseButton.LeftButton
    QTest.mouseClick(viewport, left, pos=rect.center())  # a double-click starts with a click
    QTest.mouseDClick(viewport, left, pos=rect.center())
    assert dialog.checked_pmids() == [pubmed.hits[0], pubmed.hits[3]]
    before = window.library.items.count()
    with qtbot.waitSignal(dialog.imported, timeout=WAIT_MS) as done:
        click(qtbot, dialog.import_button)
    report = done.args[0]
    assert window.library.items.count() == before + 2
    new = {window.library.items.get(i).pmid: i for i in report.item_ids}
    assert set(new) == {pubmed.hits[0], pubmed.hits[3]}
    assert sorted(window.table.selected_ids()) == sorted(new.values())
    assert dialog.status.text().startswith("Imported: 2 added")
    assert cell(dialog, 0, HELD) == cell(dialog, 3, HELD) == "✓ In library"
    assert dialog.checked_pmids() == []
    assert len(window.library.imports.list()) == 1  # one import: Undo Import takes it back


def test_select_all_checks_every_hit_not_held(window, qtbot, pubmed):
    window.library.items.add(Reference(title="Typed in", pmid=pubmed.hits[5]))
    dialog = open_dialog(window, qtbot)
    search(qtbot, dialog, "balloon")
    click(qtbot, dialog.select_all_button)
    checked = dialog.checked_pmids()
    assert checked == [pmid for pmid in pubmed.hits[:20] if pmid != pubmed.hits[5]]
    assert dialog.import_button.isEnabled()


def test_no_hits_shows_pubmeds_remarks(window, qtbot, httpserver, monkeypatch):
    monkeypatch.setenv("REFMAN_EUTILS_URL", httpserver.url_for("/eutils"))
    httpserver.expect_request(ESEARCH).respond_with_data(
        (NETWORK_DATA / "esearch-zero-hits.xml").read_bytes()
    )
    dialog = open_dialog(window, qtbot)
    search(qtbot, dialog, "abcXYZ")
    assert dialog.count_label.text() == "<b>No hits</b>"
    assert dialog.remarks_label.text() == 'PubMed found nothing for "abcXYZ"\nNo items found.'
    assert dialog.remarks_label.isVisible()
    assert dialog.table.rowCount() == 0 and not dialog.select_all_button.isEnabled()


def test_html_instead_of_xml_and_offline_are_said_in_the_dialog(
    window, qtbot, httpserver, monkeypatch
):
    monkeypatch.setenv("REFMAN_EUTILS_URL", httpserver.url_for("/eutils"))
    httpserver.expect_request(ESEARCH).respond_with_data(
        "<html><body><p>Down for maintenance<br></body></html>", content_type="text/html"
    )
    dialog = open_dialog(window, qtbot)
    search(qtbot, dialog, "cancer")
    assert "PubMed's search answer is not XML (an HTML page)" in dialog.status.text()
    monkeypatch.setenv("REFMAN_EUTILS_URL", "http://127.0.0.1:9/eutils")
    search(qtbot, dialog, "cancer")
    assert "cannot reach 127.0.0.1 for the search: are you offline?" in dialog.status.text()
    assert dialog.search_button.isEnabled()


def test_cancel_drops_a_slow_search(window, qtbot, httpserver, monkeypatch):
    monkeypatch.setenv("REFMAN_EUTILS_URL", httpserver.url_for("/eutils"))

    def slow(_request):
        time.sleep(1.0)
        return Response((NETWORK_DATA / "esearch-zero-hits.xml").read_bytes())

    httpserver.expect_request(ESEARCH).respond_with_handler(slow)
    dialog = open_dialog(window, qtbot)
    QTest.keyClicks(dialog.query, "cancer")
    click(qtbot, dialog.search_button)
    assert dialog.is_busy() and dialog.cancel_button.isVisible()
    click(qtbot, dialog.cancel_button)
    assert not dialog.is_busy() and dialog.status.text() == "Search cancelled."
    qtbot.wait(1500)  # the answer comes, and is dropped
    assert dialog.count_label.text() == "" and dialog.status.text() == "Search cancelled."


def test_the_toolbar_opens_the_same_dialog(window, qtbot):
    action = next(a for a in window.toolbar.actions() if a.toolTip() == "Search PubMed")
    action.trigger()
    first = window.findChild(PubMedSearchDialog)
    action.trigger()
    assert window.findChildren(PubMedSearchDialog) == [first] and first.isVisible()
