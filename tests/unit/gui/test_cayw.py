"""The citation picker for editors (gui/cayw.py): real HTTP requests to the window's endpoint,
the picker driven through its widgets, as an editor plugin and its user would.

Each request runs in a thread of its own (as the editor is another program) while the test
waits in the window's event loop, which answers it.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from refman.cayw import CITE_PATH, PATH
from refman.gui import cayw
from refman.gui.preferences import PreferencesDialog
from refman.paths import port_file_path
from tests.unit.gui.helpers import id_of

WAIT_MS = 20_000


@pytest.fixture
def threads():
    """The editors' threads; at the end every request is answered before the window goes."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        pool.asked = []  # the requests' futures (ask)
        yield pool
        settle(lambda: all(future.done() for future in pool.asked))


@pytest.fixture
def server(window, settings, threads) -> cayw.CaywServer:
    """The window's endpoint, served as app.py serves it, listening on a free port."""
    served = cayw.serve(window, settings)
    assert served.port == 0  # off until Preferences turns it on
    assert served.listen(0)
    yield served
    if served.picker is not None:  # a picker left open: cancelled, its request answered
        served.picker.reject()
    settle(lambda: True)
    served.stop()


def settle(done, timeout=WAIT_MS / 1000) -> None:
    """Process events until ``done()`` (for teardown: qtbot.wait would also run the deferred
    deletion of the window that pytest-qt has already asked for, before it is closed)."""
    deadline = time.monotonic() + timeout
    QApplication.processEvents()
    while not done() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    for _ in range(5):  # the last answer's bytes written
        QApplication.processEvents()


def ask(threads, port: int, query: str = "", *, method="GET", path=PATH, headers=None) -> Future:
    """Send one request from another thread: (status, body, headers) once answered."""

    def send():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request(method, path + ("?" + query if query else ""), headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8"), dict(response.getheaders())
        finally:
            connection.close()

    future = threads.submit(send)
    threads.asked.append(future)
    return future


def answered(qtbot, future: Future):
    qtbot.waitUntil(future.done, timeout=WAIT_MS)
    return future.result()


def wait_for_picker(qtbot, server) -> cayw.CitationPicker:
    def shown():
        return server.picker is not None and server.picker.isVisible()

    qtbot.waitUntil(shown, timeout=WAIT_MS)
    return server.picker


def pick(qtbot, picker: cayw.CitationPicker, *searches: str) -> None:
    """Type each search in the picker's box and press Enter (adds the first result)."""
    for words in searches:
        QTest.keyClicks(picker.search, words)
        QTest.keyClick(picker.search, Qt.Key.Key_Return)
    qtbot.wait(1)


def pick_and_insert(qtbot, threads, server, query: str, *searches: str):
    """An editor's request answered by picking ``searches``, then Enter on the empty box."""
    future = ask(threads, server.port, query)
    picker = wait_for_picker(qtbot, server)
    pick(qtbot, picker, *searches)
    QTest.keyClick(picker.search, Qt.Key.Key_Return)
    return answered(qtbot, future)


def test_probe_answers_ready_without_a_picker(qtbot, threads, server):
    status, body, headers = answered(qtbot, ask(threads, server.port, "probe=1"))
    assert (status, body) == (200, "ready")
    assert server.picker is None
    status, body, _ = answered(qtbot, ask(threads, server.port, "probe=true", method="HEAD"))
    assert (status, body) == (200, "")
    port = server.port
    server.stop()  # as when refman is closed and started again, at once
    assert server.listen(port)  # its port is free for it again (no TIME_WAIT on its side)
    assert answered(qtbot, ask(threads, port, "probe=1"))[:2] == (200, "ready")


def test_picking_two_items_answers_them_for_pandoc(qtbot, threads, server):
    future = ask(threads, server.port, "format=pandoc&brackets=1")
    picker = wait_for_picker(qtbot, server)
    assert picker.search.hasFocus() or picker.isActiveWindow() or picker.isVisible()
    pick(qtbot, picker, "zhang", "knowles")
    assert picker.picked_keys() == ["zhang2021gut", "knowles2023safety"]  # the chips
    assert not future.done()  # the editor waits until the user inserts
    QTest.keyClick(picker.search, Qt.Key.Key_Return)  # Enter on the empty box
    status, body, headers = answered(qtbot, future)
    assert (status, body) == (200, "[@zhang2021gut; @knowles2023safety]")
    assert headers["Content-Type"].startswith("text/plain")
    qtbot.waitUntil(lambda: server.picker is None)


def test_the_picker_searches_as_one_types_by_pmid_and_doi(qtbot, threads, server, window):
    seed = window.library.items.get(id_of(window.library, "Safety"))
    future = ask(threads, server.port, "format=pandoc")
    picker = wait_for_picker(qtbot, server)
    for words, key in ((seed.pmid, "knowles2023safety"), (seed.doi, "knowles2023safety")):
        picker.search.clear()
        QTest.keyClicks(picker.search, words)
        # Found without Enter, and only it.
        qtbot.waitUntil(lambda k=key: picker.shown_keys() == [k], timeout=WAIT_MS)
    picker.search.clear()
    QTest.keyClicks(picker.search, "microbiota")
    qtbot.waitUntil(lambda: picker.shown_keys() == ["zhang2021gut"], timeout=WAIT_MS)
    QTest.keyClick(picker.search, Qt.Key.Key_Return)
    picker.insert_button.click()
    assert answered(qtbot, future)[:2] == (200, "@zhang2021gut")


def test_picker_rows_show_author_year_title_and_key(qtbot, threads, server):
    future = ask(threads, server.port, "format=pandoc")
    picker = wait_for_picker(qtbot, server)
    picker.search.setText("gut microbiota")
    picker.search_now()
    row = picker.results.topLevelItem(0)
    assert [row.text(n) for n in range(4)] == [
        "Zhang",
        "2021",
        "Gut microbiota and obesity",
        "zhang2021gut",
    ]
    picker.search.setText("no such paper anywhere")
    picker.search_now()
    assert picker.shown_keys() == []
    assert "Nothing in the library matches" in picker.message.text()
    QTest.keyClick(picker.search, Qt.Key.Key_Return)  # nothing to add: the picker stays
    assert picker.isVisible() and picker.picked_keys() == []
    picker.reject()
    answered(qtbot, future)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "\\cite{zhang2021gut,brown2018deep}"),  # Better BibTeX's default: latex
        ("format=latex", "\\cite{zhang2021gut,brown2018deep}"),
        ("format=cite", "\\cite{zhang2021gut,brown2018deep}"),
        ("format=citep", "\\citep{zhang2021gut,brown2018deep}"),
        ("format=citet", "\\citet{zhang2021gut,brown2018deep}"),
        ("format=natbib&command=citeauthor", "\\citeauthor{zhang2021gut,brown2018deep}"),
        ("format=biblatex", "\\autocite{zhang2021gut,brown2018deep}"),
        ("format=biblatex&command=parencite", "\\parencite{zhang2021gut,brown2018deep}"),
        ("format=pandoc", "@zhang2021gut; @brown2018deep"),
        ("format=pandoc&brackets=true", "[@zhang2021gut; @brown2018deep]"),
        ("format=mmd", "[#zhang2021gut][][#brown2018deep][]"),
        (
            "format=playground&keyprefix=%5B%5B&keypostfix=%5D%5D&separator=%20",
            "[[zhang2021gut]] [[brown2018deep]]",
        ),
    ],
)
def test_each_key_format(qtbot, threads, server, query, expected):
    status, body, _ = pick_and_insert(qtbot, threads, server, query, "zhang", "brown")
    assert (status, body) == (200, expected)


def test_json_lists_the_picks_with_their_csl_json(qtbot, threads, server):
    status, body, headers = pick_and_insert(qtbot, threads, server, "format=json", "brown")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    (picked,) = json.loads(body)
    assert picked["citekey"] == picked["citationKey"] == "brown2018deep"
    assert picked["itemData"]["title"] == "Deep brain stimulation in Parkinson disease"
    assert picked["itemData"]["type"] == "article-journal"


def test_formatted_citation_and_bibliography_in_the_asked_or_default_style(
    qtbot, threads, server, window
):
    ids = [id_of(window.library, "Gut"), id_of(window.library, "Safety")]
    exporting = window.library.exporting
    for query, expected in (
        ("format=formatted-citation&style=apa", exporting.cite(ids, "apa")),
        ("format=formatted-citation", exporting.cite(ids, window.citation_style())),
        (
            "format=formatted-bibliography&style=apa",
            exporting.export(ids, "text", style="apa").rstrip("\n"),
        ),
    ):
        status, body, _ = pick_and_insert(qtbot, threads, server, query, "zhang", "knowles")
        assert (status, body) == (200, expected)
    assert "Zhang" in body and "Knowles" in body  # the bibliography has both entries


def test_unknown_style_or_format_is_said_plainly_without_a_picker(qtbot, threads, server):
    status, body, _ = answered(qtbot, ask(threads, server.port, "format=troff"))
    assert status == 400 and "Unknown format 'troff'" in body and "pandoc" in body
    assert server.picker is None
    query = "format=formatted-citation&style=no-such-style"
    status, body, _ = answered(qtbot, ask(threads, server.port, query))
    assert status == 400 and "Unknown style 'no-such-style'" in body
    query = "format=translate&translator=cslyaml"
    status, body, _ = answered(qtbot, ask(threads, server.port, query))
    assert status == 400 and "Unknown translator 'cslyaml'" in body
    assert server.picker is None
    status, body, _ = answered(qtbot, ask(threads, server.port, "format=latex&command=x%7B"))
    assert status == 400 and "not a LaTeX citation command" in body


def test_refman_cite_renders_a_documents_citations_without_a_picker(
    qtbot, threads, server, window
):
    """The LibreOffice extension's request: a document's citations in order, by key."""
    zhang, knowles = (window.library.keys.of([id_of(window.library, word)])
                      for word in ("Gut", "Safety"))
    keys = [*zhang.values(), *knowles.values()]
    citations = [{"citationID": "a1", "items": [{"key": keys[1], "locator": "3"}]},
                 {"citationID": "b2", "items": [{"key": keys[0]}, {"key": keys[1]}]}]
    query = urlencode({"style": "american-medical-association",
                       "citations": json.dumps(citations)})
    status, body, headers = answered(qtbot, ask(threads, server.port, query, path=CITE_PATH))
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert server.picker is None
    answer = json.loads(body)
    assert [c["text"] for c in answer["citations"]] == ["1(p3)", "1,2"]
    assert [c["field"]["citationID"] for c in answer["citations"]] == ["a1", "b2"]
    assert len(answer["bibliography"]) == 2 and "Knowles" in answer["bibliography"][0]
    # Bad input is said plainly: an unknown key, citations that are not JSON, a wrong Host.
    query = urlencode({"citations": json.dumps([{"items": [{"key": "nobody1999"}]}])})
    status, body, _ = answered(qtbot, ask(threads, server.port, query, path=CITE_PATH))
    assert status == 400 and "does not hold" in body and "nobody1999" in body
    status, body, _ = answered(qtbot, ask(threads, server.port, "citations=%5B",
                                          path=CITE_PATH))
    assert status == 400 and "JSON list" in body
    answer = ask(threads, server.port, "citations=%5B%5D", path=CITE_PATH,
                 headers={"Host": "evil.example"})
    assert answered(qtbot, answer)[0] == 403


def test_escape_cancels_with_an_empty_answer(qtbot, threads, server):
    future = ask(threads, server.port, "format=pandoc")
    picker = wait_for_picker(qtbot, server)
    pick(qtbot, picker, "zhang")
    QTest.keyClick(picker.search, Qt.Key.Key_Escape)
    assert answered(qtbot, future)[:2] == (200, "")
    qtbot.waitUntil(lambda: server.picker is None)


def test_an_editor_giving_up_closes_the_picker(qtbot, server):
    with socket.create_connection(("127.0.0.1", server.port)) as editor:
        editor.sendall(f"GET {PATH}?format=pandoc HTTP/1.1\r\n".encode())
        editor.sendall(f"Host: 127.0.0.1:{server.port}\r\n\r\n".encode())
        wait_for_picker(qtbot, server)
    qtbot.waitUntil(lambda: server.picker is None, timeout=WAIT_MS)


def test_a_second_request_while_picking_is_told_to_wait(qtbot, threads, server):
    first = ask(threads, server.port, "format=pandoc")
    picker = wait_for_picker(qtbot, server)
    status, body, _ = answered(qtbot, ask(threads, server.port, "format=latex"))
    assert status == 503 and "already" in body
    pick(qtbot, picker, "brown")
    QTest.keyClick(picker.search, Qt.Key.Key_Return)
    assert answered(qtbot, first)[:2] == (200, "@brown2018deep")


def test_selected_answers_the_window_selection_without_a_picker(qtbot, threads, server, window):
    ids = [id_of(window.library, "Balloon"), id_of(window.library, "Deep")]
    window.table.select_ids(ids)
    status, body, _ = answered(qtbot, ask(threads, server.port, "format=pandoc&selected=1"))
    keys = window.library.keys.in_order(window.table.selected_ids())
    assert (status, body) == (200, "@" + "; @".join(keys))
    assert sorted(keys) == ["brown2018deep", "smith2019balloon"]
    assert server.picker is None


def test_clipboard_gets_the_answer_too(qtbot, threads, server, window):
    QGuiApplication.clipboard().setText("before")
    window.table.select_ids([id_of(window.library, "Gut")])
    query = "format=biblatex&selected=yes&clipboard=1"
    status, body, _ = answered(qtbot, ask(threads, server.port, query))
    assert (status, body) == (200, "\\autocite{zhang2021gut}")
    assert QGuiApplication.clipboard().text() == "\\autocite{zhang2021gut}"


def test_an_item_without_a_key_gets_one_as_regenerate_makes_it(qtbot, threads, server, window):
    item_id = id_of(window.library, "Gut")
    with window.library.connection.writing() as db:  # as in a library from before keys
        db.execute_sql("DELETE FROM citation_key WHERE item_id = ?", (item_id,))
    assert window.library.keys.of([item_id]) == {}
    window.table.select_ids([item_id])
    status, body, _ = answered(qtbot, ask(threads, server.port, "format=cite&selected=1"))
    assert (status, body) == (200, "\\cite{zhang2021gut}")
    assert window.library.keys.of([item_id]) == {item_id: "zhang2021gut"}  # kept


@pytest.mark.parametrize(
    "host",
    ["evil.example:{port}", "127.0.0.1:1", "localhost", "attacker.127.0.0.1.nip.io:{port}", ""],
)
def test_a_host_header_not_naming_this_port_on_localhost_is_refused(qtbot, threads, server, host):
    headers = {"Host": host.format(port=server.port)}
    status, body, _ = answered(qtbot, ask(threads, server.port, "format=pandoc", headers=headers))
    assert status == 403 and "localhost only" in body
    assert server.picker is None


@pytest.mark.parametrize("host", ["localhost:{port}", "LOCALHOST:{port}", "127.0.0.1:{port}"])
def test_localhost_names_are_answered(qtbot, threads, server, host):
    headers = {"Host": host.format(port=server.port)}
    assert answered(qtbot, ask(threads, server.port, "probe=1", headers=headers))[:2] == (
        200,
        "ready",
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"},
    ],
)
def test_web_pages_are_refused(qtbot, threads, server, headers):
    answer = ask(threads, server.port, "probe=1", headers=headers)
    status, _, answer_headers = answered(qtbot, answer)
    assert status == 403
    assert "Access-Control-Allow-Origin" not in answer_headers


def test_a_browser_agent_that_says_it_is_allowed_is_answered(qtbot, threads, server):
    agent = "Mozilla/5.0 (X11; Linux x86_64) obsidian/1.5 Electron/28"
    for allowed in ({"Zotero-Allowed-Request": "1"}, {"X-Zotero-Connector-API-Version": "3"}):
        headers = {"User-Agent": agent, **allowed}
        answer = ask(threads, server.port, "probe=1", headers=headers)
        assert answered(qtbot, answer)[:2] == (200, "ready")


def test_other_methods_and_paths(qtbot, threads, server):
    assert answered(qtbot, ask(threads, server.port, "probe=1", method="POST"))[0] == 405
    assert answered(qtbot, ask(threads, server.port, "probe=1", method="DELETE"))[0] == 405
    status, _, headers = answered(qtbot, ask(threads, server.port, method="OPTIONS"))
    assert status == 204 and "GET" in headers["Allow"]
    assert "Access-Control-Allow-Origin" not in headers
    assert answered(qtbot, ask(threads, server.port, path="/connector/ping"))[0] == 404
    assert server.picker is None


def test_garbage_and_endless_headers_are_refused_without_harm(qtbot, server, threads):
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"\x16\x03\x01 hello\r\n\r\n")  # a TLS hello, say
        qtbot.waitUntil(lambda: _readable(sock), timeout=WAIT_MS)
        assert sock.recv(100).startswith(b"HTTP/1.1 400")
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"GET " + PATH.encode() + b" HTTP/1.1\r\nX: " + b"a" * 300_000)
        qtbot.waitUntil(lambda: _readable(sock), timeout=WAIT_MS)
        assert sock.recv(100).startswith(b"HTTP/1.1 431")
    assert answered(qtbot, ask(threads, server.port, "probe=1"))[:2] == (200, "ready")


def _readable(sock: socket.socket) -> bool:
    import select

    return bool(select.select([sock], [], [], 0)[0])


def test_it_listens_on_loopback_only(server):
    addresses = [s.serverAddress() for s in server._servers]
    assert addresses and all(address.isLoopback() for address in addresses)
    assert {s.serverPort() for s in server._servers} == {server.port}


def test_a_port_another_program_listens_on_is_left_to_it(qtbot, window, settings):
    other = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    other.bind(("127.0.0.1", 0))
    other.listen(4)
    taken = other.getsockname()[1]
    try:
        settings.setValue(cayw.ENABLED_KEY, True)
        settings.setValue(cayw.PORT_KEY, taken)
        server = cayw.serve(window, settings)  # no exception: the window goes on
        assert server.port == 0
        message = f"Port {taken} is in use by another program (Zotero?)"
        label = window.statusBar().findChild(QLabel, "cayw_problem")
        assert message in label.text() and label.isVisibleTo(window)
        assert "choose another port" in server.status()
        with socket.create_connection(("127.0.0.1", taken), timeout=5):
            accepted, _ = other.accept()  # the other program still gets its connections
        accepted.close()  # after the client's close: no TIME_WAIT on the port
        dialog = PreferencesDialog(settings, window, window.library)
        assert message in dialog.cayw_status.text()
        dialog.reject()
    finally:
        other.close()
    assert server.start() and server.port == taken  # free again: it starts
    assert not label.isVisibleTo(window)
    server.stop()


def test_preferences_turn_it_on_and_choose_its_port(qtbot, window, settings, threads):
    server = cayw.serve(window, settings)
    assert server.port == 0 and "off" in server.status()
    free = _free_port()
    window.show_preferences()
    dialog = window.findChild(PreferencesDialog)
    qtbot.waitExposed(dialog)
    dialog.cayw_enabled.setChecked(True)
    dialog.cayw_port.setValue(free)
    dialog.accept()
    try:
        assert server.port == free
        assert settings.value(cayw.ENABLED_KEY, type=bool) is True
        assert answered(qtbot, ask(threads, free, "probe=1"))[:2] == (200, "ready")
        assert str(free) in server.status()
    finally:
        server.stop()


def test_preferences_install_the_libreoffice_extension(qtbot, window, tmp_path, monkeypatch):
    from refman import libreoffice
    from refman.model import RefmanError

    installed = []
    monkeypatch.setattr(libreoffice, "default_path", lambda: tmp_path / "refman.oxt")
    monkeypatch.setattr(libreoffice, "install", lambda oxt: installed.append(oxt))
    window.show_preferences()
    dialog = window.findChild(PreferencesDialog)
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.libreoffice_install, Qt.MouseButton.LeftButton)
    assert installed == [tmp_path / "refman.oxt"] and installed[0].is_file()
    assert "Installed: restart LibreOffice" in dialog.libreoffice_status.text()

    def refused(oxt):
        raise RefmanError("LibreOffice's unopkg was not found: install LibreOffice")

    monkeypatch.setattr(libreoffice, "install", refused)
    qtbot.mouseClick(dialog.libreoffice_install, Qt.MouseButton.LeftButton)
    assert "unopkg was not found" in dialog.libreoffice_status.text()
    dialog.reject()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_parse_head_and_response():
    request = parse = cayw.parse_head(
        b"GET /better-bibtex/cayw?format=pandoc HTTP/1.1\r\nHost: localhost:23119\r\nX-A: b"
    )
    assert (parse.method, request.path, request.query) == ("GET", PATH, "format=pandoc")
    assert request.headers == {"host": "localhost:23119", "x-a": "b"}
    for bad in (b"hello", b"GET / HTTP/1.1\r\nno colon here", b"GET /a b HTTP/1.1"):
        with pytest.raises(ValueError):
            cayw.parse_head(bad)
    response = cayw.http_response(200, "é")
    assert response.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Content-Length: 2\r\n" in response and response.endswith(b"\r\n\r\n\xc3\xa9")


def test_backspace_and_the_chips_take_picks_back(qtbot, threads, server):
    future = ask(threads, server.port, "format=pandoc")
    picker = wait_for_picker(qtbot, server)
    pick(qtbot, picker, "zhang", "brown", "knowles")
    QTest.keyClick(picker.search, Qt.Key.Key_Backspace)  # in the empty box: the last pick
    assert picker.picked_keys() == ["zhang2021gut", "brown2018deep"]
    picker.chosen.setCurrentRow(0)
    QTest.keyClick(picker.chosen, Qt.Key.Key_Delete)  # Delete on a chip
    assert picker.picked_keys() == ["brown2018deep"]
    picker.insert_button.click()
    assert answered(qtbot, future)[:2] == (200, "@brown2018deep")


def test_a_request_brings_the_window_forward_and_minimize_sends_it_back(
    qtbot, threads, server, window
):
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    future = ask(threads, server.port, "format=pandoc&minimize=1")
    picker = wait_for_picker(qtbot, server)
    assert not window.isMinimized() and window.isVisible()
    pick(qtbot, picker, "zhang")
    QTest.keyClick(picker.search, Qt.Key.Key_Return)
    assert answered(qtbot, future)[:2] == (200, "@zhang2021gut")
    qtbot.waitUntil(window.isMinimized)  # the editor comes back to the front


def test_it_answers_on_the_ipv6_loopback_too(qtbot, server):
    assert len(server._servers) == 2  # 127.0.0.1 and ::1 (this machine has both)
    connection = http.client.HTTPConnection("::1", server.port, timeout=30)
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_probe_over, connection)
        qtbot.waitUntil(future.done, timeout=WAIT_MS)
    assert future.result() == (200, "ready")


def _probe_over(connection: http.client.HTTPConnection):
    try:
        connection.request("GET", PATH + "?probe=1")  # Host: [::1]:PORT
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_a_port_held_by_closing_connections_is_waited_for_not_blamed_on_zotero(
    qtbot, window, settings
):
    held = _port_in_time_wait()
    settings.setValue(cayw.ENABLED_KEY, True)
    settings.setValue(cayw.PORT_KEY, held)
    server = cayw.serve(window, settings)
    assert server.port == 0 and server.problem == cayw.PORT_CLOSING
    assert "Zotero" not in server.problem
    assert server.retry.isActive()  # it tries again by itself
    server.stop()
    assert not server.retry.isActive()


def _port_in_time_wait() -> int:
    """A port nobody listens on but that a connection closed from its side still holds."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    accepted.close()  # the listening side closes first: its end waits out TIME_WAIT
    client.close()
    listener.close()
    return port


def test_texstudio_gets_the_citation_pushed_into_it(
    qtbot, threads, server, window, tmp_path, monkeypatch
):
    """A stand-in ``texstudio`` on PATH records how it was run, as TeXstudio would insert."""
    received = tmp_path / "inserted.txt"
    fake = tmp_path / "bin" / "texstudio"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\nprintf "%s|%s" "$1" "$2" > "{received}"\n', encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    window.table.select_ids([id_of(window.library, "Gut")])
    query = "format=latex&selected=1&texstudio=1"
    assert answered(qtbot, ask(threads, server.port, query))[:2] == (200, "\\cite{zhang2021gut}")
    qtbot.waitUntil(received.exists, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: received.read_text(encoding="utf-8").endswith("}"), timeout=WAIT_MS)
    assert received.read_text(encoding="utf-8") == "--insert-cite|\\cite{zhang2021gut}"


def test_texstudio_asked_but_missing_is_said(qtbot, threads, server, monkeypatch):
    monkeypatch.setattr(cayw, "find_texstudio", lambda: None)
    status, body, _ = answered(qtbot, ask(threads, server.port, "format=latex&texstudio=1"))
    assert status == 400 and "TeXstudio was not found" in body
    assert server.picker is None


# Another refman's endpoint, in a process of its own (as another window would be).
OTHER_REFMAN = """
import sys
from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication
from refman.gui.cayw import CaywServer
app = QApplication([])
server = CaywServer(QObject(), QSettings(sys.argv[1], QSettings.Format.IniFormat))
assert server.listen(0)
print(server.port, flush=True)
QTimer.singleShot(60_000, app.quit)  # the test kills it sooner
app.exec()
"""


def test_a_port_another_refman_window_listens_on_is_said_so(qtbot, window, settings, tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER_REFMAN, str(tmp_path / "other.ini")],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        taken = int(other.stdout.readline())
        settings.setValue(cayw.ENABLED_KEY, True)
        settings.setValue(cayw.PORT_KEY, taken)
        server = cayw.serve(window, settings)
        assert server.port == 0
        assert server.problem == cayw.PORT_IN_USE_BY_REFMAN.format(port=taken)
    finally:
        other.kill()
        other.wait()


def test_the_port_listened_on_is_written_for_the_libreoffice_extension(qtbot, server):
    written = json.loads(port_file_path().read_text("utf-8"))
    assert written == {"port": server.port, "pid": os.getpid()}
    assert port_file_path().is_relative_to(os.environ["XDG_CACHE_HOME"])
    port = server.port
    server.stop()  # turned off in Preferences, or the window quits: the file goes
    assert not port_file_path().exists()
    assert server.listen(0) and server.port != 0
    assert json.loads(port_file_path().read_text("utf-8"))["port"] == server.port
    assert port  # (the first port was a real one)


def test_a_page_typed_after_the_search_goes_with_the_item(qtbot, threads, server):
    future = ask(threads, server.port, "format=pandoc&brackets=1")
    picker = wait_for_picker(qtbot, server)
    QTest.keyClicks(picker.search, "knowles p. 25")
    # The locator is not searched for: the paper is found by the words before it.
    qtbot.waitUntil(lambda: picker.shown_keys() == ["knowles2023safety"], timeout=WAIT_MS)
    QTest.keyClick(picker.search, Qt.Key.Key_Return)
    assert picker.chosen.item(0).text() == "knowles2023safety, p. 25"  # as it will be cited
    pick(qtbot, picker, "zhang")
    QTest.keyClick(picker.search, Qt.Key.Key_Return)
    assert answered(qtbot, future)[:2] == (200, "[@knowles2023safety, p. 25; @zhang2021gut]")


def test_a_picked_items_details_give_its_locator_prefix_suffix_and_omit_author(
    qtbot, threads, server
):
    future = ask(threads, server.port, "format=json")
    picker = wait_for_picker(qtbot, server)
    pick(qtbot, picker, "knowles", "zhang", "brown")

    def fill_details():  # the details dialog is modal: filled in once it shows
        dialog = QApplication.activeModalWidget()
        assert dialog.windowTitle() == "Cite knowles2023safety"
        dialog.label.setCurrentIndex(dialog.label.findData("chapter"))
        dialog.locator.setText("3")
        dialog.prefix.setText("see")
        dialog.suffix.setText("for a review")
        dialog.omit_author.setChecked(True)
        dialog.accept()

    QTimer.singleShot(0, fill_details)
    picker.chosen.itemActivated.emit(picker.chosen.item(0))  # double-click on its chip
    assert picker.chosen.item(0).text() == "see -knowles2023safety, chap. 3, for a review"
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().remove_button.click())
    picker.chosen.itemActivated.emit(picker.chosen.item(2))  # Remove from Citation
    assert picker.picked_keys() == ["knowles2023safety", "zhang2021gut"]
    picker.insert_button.click()
    listed = json.loads(answered(qtbot, future)[1])
    first = {k: listed[0][k] for k in ("locator", "label", "prefix", "suffix", "suppressAuthor")}
    assert first == {
        "locator": "3",
        "label": "chapter",
        "prefix": "see",
        "suffix": "for a review",
        "suppressAuthor": True,
    }
    assert listed[1]["citekey"] == "zhang2021gut" and listed[1]["locator"] == ""
