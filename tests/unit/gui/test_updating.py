"""Update from PubMed in the window: the fetch on the task runner, the change view (new notices
in red, a checkbox per field, edited fields unchecked), Apply, the detail pane, Undo. A local
server replays PubMed's answers (REFMAN_EUTILS_URL, as the window's online settings read it)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton
from werkzeug import Response

from refman.gui.updating import UpdateDialog
from refman.library import Library
from tests.unit.gui.helpers import close_window, make_window, menu_action

NETWORK_DATA = Path(__file__).parents[2] / "data" / "network"
EFETCH = "/eutils/efetch.fcgi"
TIMEOUT_MS = 30_000


@pytest.fixture
def update_library(library_path) -> Iterator[Library]:
    """The ahead-of-print article (its pages edited by the user) and the article PubMed has
    retracted since, as they were imported."""
    with Library(library_path) as lib:
        lib.importing.files(
            [
                NETWORK_DATA / "update-29238099-ahead-of-print.txt",
                NETWORK_DATA / "update-39000001-before-retraction.txt",
            ]
        )
        ids = {ref.pmid: ref.id for ref in lib.items.each()}
        lib.items.update(ids["29238099"], pages="e435")
        yield lib


@pytest.fixture
def ids(update_library) -> dict[str, int]:
    return {ref.pmid: ref.id for ref in update_library.items.each()}


@pytest.fixture
def window(qtbot, update_library, settings, httpserver, monkeypatch):
    monkeypatch.setenv("REFMAN_EUTILS_URL", httpserver.url_for("/eutils"))
    window = make_window(qtbot, update_library, settings)
    yield window
    close_window(qtbot, window)


def serve_current_records(httpserver) -> None:
    answer = b"".join(
        (NETWORK_DATA / name).read_bytes() + b"\n"
        for name in ("update-29238099-now.txt", "update-39000001-retracted.txt")
    )
    httpserver.expect_request(EFETCH).respond_with_data(answer)


def open_change_view(qtbot, window, ids) -> UpdateDialog:
    window.table.select_ids(list(ids))
    menu_action(window, "Edit", "Update from PubMed").trigger()
    qtbot.waitUntil(lambda: window.updater.dialog is not None, timeout=TIMEOUT_MS)
    dialog = window.updater.dialog
    qtbot.waitExposed(dialog)
    return dialog


def test_the_change_view_applies_the_checked_fields_and_undo_takes_them_back(
    qtbot, window, ids, httpserver
):
    serve_current_records(httpserver)
    ahead, retracted = ids["29238099"], ids["39000001"]
    dialog = open_change_view(qtbot, window, [ahead, retracted])
    assert dialog.notices.isVisible()
    assert "Retracted: J Example Stud. 2021;14(2):50" in dialog.notices.text()
    assert "#b00000" in dialog.notices.styleSheet()  # red
    assert dialog.is_checked(ahead, "volume") and dialog.is_checked(ahead, "issue")
    assert not dialog.is_checked(ahead, "pages")  # the user's own pages
    pages = dialog.boxes[(ahead, "pages")]
    assert (pages.text(0), pages.text(1), pages.text(2)) == (
        "Pages (edited by you)",
        "e435",
        "435-441",
    )
    dialog.set_checked(ahead, "issue", False)
    with qtbot.waitSignal(window.updater.finished, timeout=TIMEOUT_MS):
        dialog.apply_button.click()
    ref = window.library.items.get(ahead)
    assert (ref.volume, ref.issue, ref.pages) == ("79", "", "e435")
    assert window.library.notices.flagged("retracted") == [retracted]
    window.table.select_ids([ahead])
    qtbot.waitUntil(lambda: window.detail.fields.fields["volume"].value() == "79")
    history = window.detail.source_history
    assert history.isVisible() and "Updated from PubMed: Volume" in history.text()
    assert "(was Publisher)" in history.text()
    window.editor.undo_stack.undo()
    assert window.library.items.get(ahead).volume == ""
    qtbot.waitUntil(lambda: window.detail.fields.fields["volume"].value() == "")
    assert not window.detail.source_history.isVisible()


def test_cancel_in_the_change_view_changes_nothing(qtbot, window, ids, httpserver):
    serve_current_records(httpserver)
    dialog = open_change_view(qtbot, window, [ids["29238099"]])
    with qtbot.waitSignal(window.updater.finished, timeout=TIMEOUT_MS) as done:
        dialog.reject()
    assert done.args == [None]
    assert window.library.items.get(ids["29238099"]).volume == ""


def test_offline_is_said_plainly_and_nothing_changes(qtbot, window, ids, monkeypatch):
    monkeypatch.setenv("REFMAN_EUTILS_URL", "http://127.0.0.1:9/eutils")
    window.table.select_ids([ids["29238099"]])
    window.item_actions.update_from_pubmed.trigger()
    qtbot.waitUntil(lambda: window.updater.message_box is not None, timeout=TIMEOUT_MS)
    box = window.updater.message_box
    assert box.icon() == QMessageBox.Icon.Warning
    assert box.text().startswith("Nothing was changed: cannot reach 127.0.0.1")
    assert window.updater.dialog is None and window.updater.progress_dialog is None
    assert window.library.items.get(ids["29238099"]).volume == ""


def test_items_without_a_pmid_are_told_so(qtbot, window, update_library):
    from refman.model import Reference

    item_id, _ = update_library.items.add(Reference(title="Typed in"))
    window.table_model.set_query(window.query)
    window.table.select_ids([item_id])
    window.item_actions.update_from_pubmed.trigger()
    qtbot.waitUntil(lambda: window.updater.message_box is not None, timeout=TIMEOUT_MS)
    assert "None of the selected items has a PMID" in window.updater.message_box.text()


def test_cancel_while_pubmed_answers_changes_nothing(qtbot, window, ids, httpserver):
    def slow(request):
        time.sleep(1.0)
        return Response((NETWORK_DATA / "update-29238099-now.txt").read_bytes())

    httpserver.expect_request(EFETCH).respond_with_handler(slow)
    window.table.select_ids([ids["29238099"]])
    window.item_actions.update_from_pubmed.trigger()
    progress = window.updater.progress_dialog
    assert progress is not None and progress.isVisible()
    with qtbot.waitSignal(window.updater.finished, timeout=TIMEOUT_MS) as done:
        progress.findChild(QPushButton).click()  # its Cancel button
    assert done.args == [None]
    assert window.updater.dialog is None and window.updater.message_box is None
    assert window.library.items.get(ids["29238099"]).volume == ""
