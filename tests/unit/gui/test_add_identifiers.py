"""File > Add by Identifier, through its widgets, against a local server replaying PubMed.

The window reads its E-utilities address from REFMAN_EUTILS_URL (as the installed refman does),
so these tests point it at pytest-httpserver, whose efetch answers with the recorded MEDLINE
records of the PMIDs asked for (tests/data/network/efetch-75.txt), as PubMed does.
"""

from __future__ import annotations

import re
import socket
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from refman.gui import dialogs
from refman.gui.add_identifiers import CANCELLED, AddByIdentifierDialog, identifiers_in
from refman.gui.preferences import API_KEY_KEY, EMAIL_KEY, PreferencesDialog
from refman.model import ViewQuery
from tests.unit.gui.helpers import IMPORT_TIMEOUT_MS, menu_action, open_dialog
from tests.unit.online.conftest import network_data

EFETCH = "/eutils/efetch.fcgi"
MEDLINE = network_data("efetch-75.txt").decode("utf-8")
RECORDS = {
    re.search(r"^PMID- (\d+)", record, re.M).group(1): record  # type: ignore[union-attr]
    for record in re.split(r"\r\n\r\n", MEDLINE.strip())
}
PMIDS = list(RECORDS)


def efetch(request: Request) -> Response:
    """PubMed's efetch: the MEDLINE records of the PMIDs asked for that it has, in order."""
    asked = request.args["id"].split(",")
    found = [RECORDS[pmid] for pmid in asked if pmid in RECORDS]
    return Response("\r\n\r\n".join(found), content_type="text/plain")


@pytest.fixture
def pubmed(httpserver, monkeypatch):
    """The local PubMed, where the window's requests go."""
    httpserver.expect_request(EFETCH).respond_with_handler(efetch)
    monkeypatch.setenv("REFMAN_EUTILS_URL", httpserver.url_for("/eutils"))
    return httpserver


@pytest.fixture
def empty_clipboard(qapp):
    QGuiApplication.clipboard().setText("")


def open_add_dialog(window, qtbot) -> AddByIdentifierDialog:
    return open_dialog(window, qtbot, "File", "Add by Identifier", AddByIdentifierDialog)


def add(qtbot, dialog: AddByIdentifierDialog, text: str | None = None, button=None):
    """Type ``text`` in the box (when given), press Add (or ``button``); the AddReport."""
    if text is not None:
        type_in(dialog, text)
    with qtbot.waitSignal(dialog.added, timeout=IMPORT_TIMEOUT_MS) as done:
        QTest.mouseClick(button or dialog.add_button, Qt.MouseButton.LeftButton)
    return done.args[0]


def type_in(dialog: AddByIdentifierDialog, text: str) -> None:
    """Type ``text`` in the emptied box, line by line (Return between them)."""
    dialog.box.setPlainText("")
    dialog.box.setFocus()
    for number, line in enumerate(text.split("\n")):
        if number:
            QTest.keyClick(dialog.box, Qt.Key.Key_Return)
        QTest.keyClicks(dialog.box, line)


def pmid_ids(window, pmids) -> list[int]:
    found = window.library.items.with_identifiers("pmid", list(pmids))
    return [found[pmid] for pmid in pmids]


def closed_port() -> int:
    """A port where nothing listens (bound, then let go)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_pmids_and_urls_pasted_are_added_and_selected(window, qtbot, pubmed, empty_clipboard):
    before = window.library.items.count()
    QTest.keyClicks(window.search_box, "nothing matches this")  # hides the new items
    QTest.keyClick(window.search_box, Qt.Key.Key_Return)
    assert window.table_model.ids == []
    dialog = open_add_dialog(window, qtbot)
    text = f"{PMIDS[0]}, https://pubmed.ncbi.nlm.nih.gov/{PMIDS[1]}/\nPMID: {PMIDS[2]}"
    report = add(qtbot, dialog, text)

    assert report.failed == []
    new = pmid_ids(window, PMIDS[:3])
    assert window.library.items.count() == before + 3
    assert sorted(window.table.selected_ids()) == sorted(new)
    assert window.search_box.text() == ""
    assert not dialog.isVisible()  # everything found: the dialog is done
    assert window.library.items.get(new[0]).source_format == "medline"
    # one request for the three, with refman's tool name
    ((request, _),) = [entry for entry in pubmed.log if entry[0].path == EFETCH]
    assert request.args["id"] == ",".join(PMIDS[:3]) and request.args["tool"] == "refman"


def test_new_items_go_into_the_collection_on_show_as_a_dropped_file_does(
    window, qtbot, pubmed, empty_clipboard
):
    collection = window.editor.create_collection("Empty", None)
    window.sidebar.select(type(window.sidebar.source)(kind="collection", collection=collection.id))
    assert window.table_model.ids == []
    report = add(qtbot, open_add_dialog(window, qtbot), PMIDS[5])
    new = pmid_ids(window, [PMIDS[5]])
    assert window.library.items.search(ViewQuery(collection=collection.id)) == new
    assert window.sidebar.source.kind == "collection"  # stays where the user was
    assert window.table_model.ids == new
    assert window.table.selected_ids() == report.item_ids == new


def test_an_item_already_held_but_not_in_the_collection_on_show_is_shown_in_my_library(
    window, qtbot, pubmed, empty_clipboard
):
    add(qtbot, open_add_dialog(window, qtbot), PMIDS[6])
    collection = window.editor.create_collection("Other", None)
    window.sidebar.select(type(window.sidebar.source)(kind="collection", collection=collection.id))
    report = add(qtbot, window.add_dialog, PMIDS[6])
    assert window.library.items.search(ViewQuery(collection=collection.id)) == []
    assert window.sidebar.source.kind == "library"
    assert window.table.selected_ids() == report.item_ids == pmid_ids(window, [PMIDS[6]])


def test_an_identifier_already_in_the_library_selects_its_item_and_adds_no_copy(
    window, qtbot, pubmed, empty_clipboard
):
    add(qtbot, open_add_dialog(window, qtbot), PMIDS[9])
    (item_id,) = pmid_ids(window, [PMIDS[9]])
    count = window.library.items.count()
    window.table.select_ids([window.table_model.ids[0]])
    dialog = open_add_dialog(window, qtbot)
    report = add(qtbot, dialog, f"https://pubmed.ncbi.nlm.nih.gov/{PMIDS[9]}/")
    assert window.library.items.count() == count
    assert report.item_ids == [item_id] and window.table.selected_ids() == [item_id]
    assert dialog.message.text() == "0 items added, 1 already in the library."


def test_identifiers_that_fail_are_listed_with_why(window, qtbot, pubmed, empty_clipboard):
    dialog = open_add_dialog(window, qtbot)
    report = add(qtbot, dialog, f"{PMIDS[3]} 99999999 not-an-id")

    assert window.table.selected_ids() == pmid_ids(window, [PMIDS[3]])
    listed = [dialog.failures.item(row).text() for row in range(dialog.failures.count())]
    assert listed == [
        "not-an-id: not a PMID, PMCID, DOI, ISBN or arXiv id",
        "99999999: PubMed has no PMID 99999999",
    ]
    assert dialog.isVisible() and dialog.failures.isVisible()
    assert dialog.message.text() == "1 item added, 2 identifiers not added."
    assert not dialog.retry_button.isVisible()
    assert len(report.failed) == 2


def test_offline_ids_stay_in_the_box_and_try_again_adds_them_once_pubmed_answers(
    window, qtbot, monkeypatch, empty_clipboard
):
    port = closed_port()
    monkeypatch.setenv("REFMAN_EUTILS_URL", f"http://127.0.0.1:{port}/eutils")
    dialog = open_add_dialog(window, qtbot)
    report = add(qtbot, dialog, f"{PMIDS[0]} {PMIDS[1]} junk")

    assert [f.text for f in report.offline] == [PMIDS[0], PMIDS[1]]
    assert "You seem to be offline" in dialog.message.text()
    assert "Traceback" not in dialog.message.text()
    assert dialog.box.toPlainText().split() == [PMIDS[0], PMIDS[1]]  # junk is listed instead
    assert [dialog.failures.item(r).text() for r in range(dialog.failures.count())] == [
        "junk: not a PMID, PMCID, DOI, ISBN or arXiv id"
    ]
    assert dialog.retry_button.isVisible()
    assert window.library.items.with_identifiers("pmid", PMIDS[:2]) == {}

    server = HTTPServer(host="127.0.0.1", port=port)  # PubMed answers again
    server.expect_request(EFETCH).respond_with_handler(efetch)
    server.start()
    try:
        report = add(qtbot, dialog, button=dialog.retry_button)
    finally:
        server.clear()
        server.stop()
    assert report.failed == []
    assert sorted(window.table.selected_ids()) == sorted(pmid_ids(window, PMIDS[:2]))
    assert not dialog.isVisible()


def test_cancel_stops_the_add_and_keeps_the_identifiers(
    window, qtbot, httpserver, monkeypatch, empty_clipboard
):
    asked, release = threading.Event(), threading.Event()

    def slow_efetch(request: Request) -> Response:
        asked.set()
        release.wait(10)
        return efetch(request)

    httpserver.expect_request(EFETCH).respond_with_handler(slow_efetch)
    monkeypatch.setenv("REFMAN_EUTILS_URL", httpserver.url_for("/eutils"))
    dialog = open_add_dialog(window, qtbot)
    QTest.keyClicks(dialog.box, PMIDS[4])
    with qtbot.waitSignal(dialog.added, timeout=IMPORT_TIMEOUT_MS):
        QTest.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(asked.is_set)
        assert dialog.progress.isVisible() and dialog.cancel_button.isVisible()
        assert not dialog.add_button.isEnabled() and dialog.box.isReadOnly()
        QTest.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        assert dialog.message.text() == "Cancelling…"
        assert dialog.task is not None and dialog.task.cancelled
        release.set()

    assert dialog.message.text() == CANCELLED
    assert dialog.box.toPlainText() == PMIDS[4] and dialog.isVisible()
    assert dialog.add_button.isEnabled() and not dialog.cancel_button.isVisible()


def test_ctrl_return_in_the_box_adds(window, qtbot, pubmed, empty_clipboard):
    dialog = open_add_dialog(window, qtbot)
    type_in(dialog, PMIDS[10])
    with qtbot.waitSignal(dialog.added, timeout=IMPORT_TIMEOUT_MS):
        QTest.keyClick(dialog.box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.table.selected_ids() == pmid_ids(window, [PMIDS[10]])


def test_an_empty_box_says_what_to_type(window, qtbot, empty_clipboard):
    dialog = open_add_dialog(window, qtbot)
    QTest.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Type or paste at least one identifier first."
    assert not dialog.is_running()


def test_the_box_starts_with_identifiers_on_the_clipboard_and_nothing_else(window, qtbot):
    QGuiApplication.clipboard().setText("PMID: 12230038, doi:10.1126/science.169.3946.635")
    dialog = open_add_dialog(window, qtbot)
    assert dialog.box.toPlainText().splitlines() == [
        "PMID:12230038",  # as find_identifiers joins a label to its value
        "doi:10.1126/science.169.3946.635",
    ]
    dialog.close()
    dialog.box.clear()
    QGuiApplication.clipboard().setText("A sentence from an abstract, 2023.")
    dialog = open_add_dialog(window, qtbot)
    assert dialog.box.toPlainText() == ""
    assert identifiers_in("x" * 30_000) == []


def test_the_add_is_one_import_that_undo_import_takes_back(
    window, qtbot, pubmed, monkeypatch, empty_clipboard
):
    monkeypatch.setattr(dialogs, "confirm", lambda *args: True)
    before = sorted(window.table_model.ids)
    add(qtbot, open_add_dialog(window, qtbot), f"{PMIDS[6]} {PMIDS[7]}")
    assert len(window.table_model.ids) == len(before) + 2
    with qtbot.waitSignal(window.importer().undone, timeout=IMPORT_TIMEOUT_MS) as done:
        menu_action(window, "Edit", "Undo Import").trigger()
    assert len(done.args[0].removed) == 2
    assert sorted(window.table_model.ids) == before


def test_preferences_email_and_api_key_go_with_each_request(
    window, qtbot, pubmed, settings, empty_clipboard
):
    prefs = open_dialog(window, qtbot, "Edit", "Preferences…", PreferencesDialog)
    QTest.keyClicks(prefs.email, "jane.doe@example.org")
    QTest.keyClicks(prefs.api_key, "0123456789abcdef")
    ok = prefs.buttons.button(QDialogButtonBox.StandardButton.Ok)
    QTest.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert settings.value(EMAIL_KEY) == "jane.doe@example.org"
    assert settings.value(API_KEY_KEY) == "0123456789abcdef"

    add(qtbot, open_add_dialog(window, qtbot), PMIDS[8])
    ((request, _),) = [entry for entry in pubmed.log if entry[0].path == EFETCH]
    assert request.args["email"] == "jane.doe@example.org"
    assert request.args["api_key"] == "0123456789abcdef"
    again = PreferencesDialog(settings)  # the next time Preferences opens
    qtbot.addWidget(again)
    assert (again.email.text(), again.api_key.text()) == (
        "jane.doe@example.org",
        "0123456789abcdef",
    )


def test_the_toolbar_and_the_shortcut_reach_the_dialog(window):
    action = menu_action(window, "File", "Add by Identifier")
    assert action in window.toolbar.actions()
    assert action.shortcut().toString() == "Ctrl+Shift+N"
