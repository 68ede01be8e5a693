"""Find Available PDF in the window: Edit menu and context menu, the search on the task runner
with progress and Cancel, the PDF attached, and a plain summary at the end. A local server
replays PubMed Central's OA service (tests/oa_replay.py), reached through the REFMAN_*_URL
variables the window's online settings read."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from werkzeug import Response

from refman.gui.sidebar import TRASH, Source
from refman.library import Library
from refman.model import Reference
from tests.oa_replay import (
    ARTICLE,
    NETWORK,
    OA,
    WJR_PDF,
    environment,
    serve_ncbi_file,
    serve_nothing_else,
)
from tests.unit.gui.helpers import close_window, make_window, menu_action

TIMEOUT_MS = 60_000


@pytest.fixture
def oa_library(library_path) -> Iterator[Library]:
    """An article PMC has in its open-access subset and one it has outside it."""
    with Library(library_path) as lib:
        lib.items.add(Reference(title="Open article", pmcid="PMC5334499"))
        lib.items.add(Reference(title="Closed article", pmcid="PMC8550608"))
        yield lib


@pytest.fixture
def ids(oa_library) -> dict[str, int]:
    return {ref.title: ref.id for ref in oa_library.items.each()}


@pytest.fixture
def window(qtbot, oa_library, settings, httpserver, monkeypatch):
    for name, value in environment(httpserver).items():
        monkeypatch.setenv(name, value)
    window = make_window(qtbot, oa_library, settings)
    yield window
    finder = window.pdf_finder
    if finder is not None and finder.task is not None:
        with qtbot.waitSignal(finder.finished, timeout=TIMEOUT_MS):
            pass
    close_window(qtbot, window)


def serve_one_open_one_closed(httpserver) -> None:
    """The OA service answers by the PMCID asked: PMC5334499's PDF, PMC8550608 not open."""
    recordings = {
        "PMC5334499": "oa-PMC5334499-pdf-and-tgz.xml",
        "PMC8550608": "oa-PMC8550608-not-open-access.xml",
    }

    def answer(request):
        name = recordings[request.args["id"]]
        return Response((NETWORK / name).read_bytes(), content_type="text/xml")

    httpserver.expect_request(OA).respond_with_handler(answer)
    serve_ncbi_file(httpserver, WJR_PDF, ARTICLE.read_bytes())
    serve_nothing_else(httpserver)


def test_edit_menu_attaches_the_pdf_found_and_tells_each_item(qtbot, window, ids, httpserver):
    serve_one_open_one_closed(httpserver)
    chosen = [ids["Open article"], ids["Closed article"]]
    window.table.select_ids(chosen)
    action = menu_action(window, "Edit", "Find Available PDF")
    assert action.isEnabled()
    with qtbot.waitSignal(window.item_actions.find_pdf_requested):
        action.trigger()
    finder = window.pdf_finder
    assert finder.progress_dialog is not None and finder.progress_dialog.isVisible()
    with qtbot.waitSignal(finder.finished, timeout=TIMEOUT_MS) as done:
        pass
    report = done.args[0]
    assert finder.progress_dialog is None
    box = finder.message_box
    assert box.text() == (
        "Find Available PDF: 1 PDF attached, 1 item without an open-access PDF (of 2)."
    )
    lines = box.informativeText().splitlines()  # in the table's order: by title
    assert lines[1] == (
        f"Item {ids['Open article']}: attached WJR-9-27.PMC5334499.pdf from PubMed Central"
    )
    assert lines[0] == (
        f"Item {ids['Closed article']}: no open-access PDF found (PubMed Central has"
        " PMC8550608, but not in its open-access subset (no PDF to download))"
    )
    assert report.attached == [ids["Open article"]]
    rows = window.library.attachments.of(chosen)
    assert [row.name for row in rows[ids["Open article"]]] == ["WJR-9-27.PMC5334499.pdf"]
    assert ids["Closed article"] not in rows
    assert window.library.attachments.search_text("Hindawi") == [ids["Open article"]]


def test_the_context_menu_offers_it_but_not_in_the_trash(qtbot, window, ids):
    window.table.select_ids([ids["Open article"]])
    menu = window.item_actions.context_menu()
    (entry,) = [a for a in menu.actions() if a.text() == "Find Available PDF"]
    assert entry.isEnabled()
    window.editor.trash([ids["Open article"]])
    window.sidebar.select(Source(TRASH))
    window.table.select_ids([ids["Open article"]])
    window.item_actions.update_enabled()
    assert not window.item_actions.find_pdf.isEnabled()


def test_cancel_stops_the_search_and_says_so(qtbot, window, ids, httpserver):
    asked = threading.Event()

    def slow(request):
        asked.set()
        time.sleep(1.0)  # the service takes its time: the user cancels meanwhile
        body = (NETWORK / "oa-PMC8550608-not-open-access.xml").read_bytes()
        return Response(body, content_type="text/xml")

    httpserver.expect_request(OA).respond_with_handler(slow)
    window.find_available_pdf([ids["Closed article"], ids["Open article"]])
    finder = window.pdf_finder
    qtbot.waitUntil(asked.is_set, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(finder.finished, timeout=TIMEOUT_MS) as done:
        finder.progress_dialog.canceled.emit()  # as its Cancel button does
    report = done.args[0]
    assert report.cancelled, report
    assert [o.item_id for o in report.outcomes] == [ids["Closed article"]]  # not the next
    assert finder.message_box.text().startswith("Find Available PDF cancelled: 0 PDFs attached")
    assert window.library.attachments.of(list(ids.values())) == {}
