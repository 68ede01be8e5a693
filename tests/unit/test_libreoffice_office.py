"""The LibreOffice extension's own Python that needs no LibreOffice (its pythonpath/
refman_office.py, loaded here as LibreOffice loads it): Zotero's document preferences XML read
and written, the run marks as character properties, and refman's port found from the port
file the window writes (refman.cayw), by the folder rule platformdirs follows."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading

import platformdirs
import pytest
from platformdirs.macos import MacOS

from refman import cayw, paths
from refman.libreoffice import SOURCE

spec = importlib.util.spec_from_file_location(
    "refman_office", SOURCE / "pythonpath" / "refman_office.py")
office = importlib.util.module_from_spec(spec)
spec.loader.exec_module(office)

# What Zotero 6 wrote in a LibreOffice document (its ZOTERO_PREF_n joined).
ZOTERO_PREFS = (
    '<data data-version="3" zotero-version="6.0.30"><session id="Ab12Cd34"/>'
    '<style id="http://www.zotero.org/styles/chicago-note-bibliography" locale="en-GB" '
    'hasBibliography="1" bibliographyStyleHasBeenSet="1"/><prefs>'
    '<pref name="fieldType" value="ReferenceMark"/><pref name="noteType" value="2"/>'
    '<pref name="automaticJournalAbbreviations" value="true"/></prefs></data>'
)


def test_zoteros_preferences_are_read():
    prefs = office.parse_prefs(ZOTERO_PREFS)
    assert prefs["style"] == "chicago-note-bibliography"
    assert prefs["locale"] == "en-GB"
    assert prefs["noteType"] == office.ENDNOTES
    assert prefs["session"] == "Ab12Cd34"
    assert prefs["prefs"]["automaticJournalAbbreviations"] == "true"


def test_preferences_written_as_zotero_writes_them_and_read_back():
    old = office.parse_prefs(ZOTERO_PREFS)
    xml = office.prefs_xml("apa", "de-DE", 0, old["session"], old["prefs"])
    assert xml.startswith('<data data-version="3" zotero-version="6.0.30">'
                          '<session id="Ab12Cd34"/><style id="http://www.zotero.org/styles/apa" '
                          'locale="de-DE" hasBibliography="1" bibliographyStyleHasBeenSet="0"/>')
    again = office.parse_prefs(xml)
    assert (again["style"], again["locale"], again["noteType"]) == ("apa", "de-DE", 0)
    assert again["prefs"]["fieldType"] == "ReferenceMark"
    assert again["prefs"]["automaticJournalAbbreviations"] == "true"  # Zotero's kept
    noted = office.parse_prefs(office.prefs_xml("chicago-notes-bibliography", "", 1, "s"))
    assert noted["noteType"] == office.FOOTNOTES and noted["locale"] == ""
    assert "locale=" not in office.prefs_xml("apa", "", 0, "s")


@pytest.mark.parametrize("damaged", ["", "<data", 'x<style id="http://x/styles/apa"'])
def test_missing_or_damaged_preferences_give_what_can_be_read(damaged):
    prefs = office.parse_prefs(damaged)
    assert prefs["noteType"] is None and prefs["locale"] == ""
    assert prefs["style"] == ("apa" if "apa" in damaged else "")


def test_quotes_in_values_stay_well_formed():
    xml = office.prefs_xml('a"b', "en-US", 0, "s<&", {"x": '"<>&'})
    prefs = office.parse_prefs(xml)
    assert prefs["style"] == 'a"b' and prefs["session"] == "s<&"
    assert prefs["prefs"]["x"] == '"<>&'


def test_marks_become_character_properties():
    assert office.char_properties(set()) == {}
    assert office.char_properties({"i", "b"}) == {"CharPosture": "ITALIC", "CharWeight": 150.0}
    raised = office.char_properties({"sup"})
    assert raised["CharEscapement"] > 0 and raised["CharEscapementHeight"] < 100
    assert office.char_properties({"sub"})["CharEscapement"] < 0
    assert office.char_properties({"sc"}) == {"CharCaseMap": 4}
    assert office._units("a\U0001d11eb") == 4  # LibreOffice counts UTF-16 units


def test_the_cache_folder_is_platformdirs_own(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    found = platformdirs.user_cache_path("refman", appauthor=False)
    assert office.cache_folder() == str(found) == str(paths.port_file_path().parent)
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert office.cache_folder() == str(platformdirs.user_cache_path("refman", appauthor=False))
    home = str(tmp_path)
    mac = MacOS("refman", appauthor=False).user_cache_dir
    assert office.cache_folder({}, "darwin", os.path.expanduser("~")) == mac
    assert office.cache_folder({"LOCALAPPDATA": r"C:\Users\a\AppData\Local"}, "win32", home) \
        == os.path.join(r"C:\Users\a\AppData\Local", "refman", "Cache")


def test_the_port_file_refman_writes_is_read(tmp_path):
    path = tmp_path / "refman" / paths.PORT_FILE
    assert office.PORT_FILE == paths.PORT_FILE
    assert office.port_from_file(str(path.parent)) is None  # refman not running
    assert cayw.write_port_file(45123, path)
    assert office.port_from_file(str(path.parent)) == 45123
    assert [p.name for p in path.parent.iterdir()] == [paths.PORT_FILE]  # no temporary left
    cayw.remove_port_file(45000, path)  # another port's: kept
    assert path.exists()
    cayw.remove_port_file(45123, path)
    assert not path.exists()


def test_a_port_file_left_by_a_refman_gone_or_garbled_is_ignored(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    path = tmp_path / paths.PORT_FILE
    path.write_text(json.dumps({"port": 45123, "pid": int(gone.stdout)}), "utf-8")
    assert office.port_from_file(str(tmp_path)) is None
    for garbled in ("", "23119", '{"port": "x"}', '{"port": 70000}', "[1]"):
        path.write_text(garbled, "utf-8")
        assert office.port_from_file(str(tmp_path)) is None


def test_another_windows_port_file_is_not_removed(tmp_path):
    path = tmp_path / paths.PORT_FILE
    path.write_text(json.dumps({"port": 45123, "pid": 1}), "utf-8")
    cayw.remove_port_file(45123, path)
    assert path.exists()


def test_a_port_file_that_cannot_be_written_is_no_failure(tmp_path):
    (tmp_path / "refman").write_text("a file where the folder should be", "utf-8")
    assert not cayw.write_port_file(45123, tmp_path / "refman" / paths.PORT_FILE)


# --- asking refman: what the user is told -------------------------------------------------------


@pytest.fixture
def no_port_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def serve(handle) -> tuple[int, threading.Thread]:
    """A loopback listener whose each connection ``handle`` deals with, in a thread."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def run() -> None:
        with listener:
            connection, _ = listener.accept()
            with connection:
                handle(connection)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return port, thread


def test_refman_not_running_is_said_with_its_port(no_port_file, monkeypatch):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    monkeypatch.setenv("REFMAN_PORT", str(port))  # nothing listens there any more
    with pytest.raises(office.Problem, match=f"(?s)not answering on port {port}.*Start refman"):
        office._ask(office.CITE_PATH, {"citations": "[]"}, timeout=5)


def test_refmans_refusal_is_said_in_its_words(no_port_file, monkeypatch):
    def refuse(connection) -> None:
        connection.recv(65536)
        body = b"The library does not hold these items: citation 1: x"
        connection.sendall(b"HTTP/1.0 400 Bad Request\r\nContent-Length: %d\r\n\r\n%s"
                           % (len(body), body))

    port, thread = serve(refuse)
    monkeypatch.setenv("REFMAN_PORT", str(port))
    with pytest.raises(office.Problem, match="refman could not do that: The library does not"):
        office._ask(office.CITE_PATH, {"citations": "[]"}, timeout=5)
    thread.join(5)


def test_a_picker_left_open_gives_libreoffice_back_with_a_message(no_port_file, monkeypatch):
    done = threading.Event()

    def never_answer(connection) -> None:
        connection.recv(65536)
        done.wait(10)  # the user never picks

    port, thread = serve(never_answer)
    monkeypatch.setenv("REFMAN_PORT", str(port))
    try:
        with pytest.raises(office.Problem, match="picker was open for .* without an answer"):
            office._ask(office.PICK_PATH, {"format": "json"}, timeout=1)
    finally:
        done.set()
        thread.join(5)


def test_a_picks_locator_prefix_and_suffix_go_into_its_citation_item():
    pick = {"id": 7, "citekey": "knowles2023safety", "locator": "25", "label": "chapter",
            "prefix": "see", "suffix": "for a review", "suppressAuthor": True,
            "itemData": {"title": "Safety"}}
    item = office.picked_item(pick)
    assert item == {"id": 7, "itemData": {"title": "Safety", "citation-key": "knowles2023safety"},
                    "locator": "25", "label": "chapter", "prefix": "see",
                    "suffix": "for a review", "suppress-author": True}
    bare = office.picked_item({"id": 8, "citationKey": "zed2019mouse", "locator": "",
                               "label": "", "prefix": "", "suffix": "",
                               "suppressAuthor": False, "itemData": {}})
    assert bare == {"id": 8, "itemData": {"citation-key": "zed2019mouse"}}
    assert office.picked_item({"citekey": "k", "locator": "3"})["label"] == "page"


def fake_unopkg(folder, script: str):
    """An ``unopkg`` on PATH running ``script`` (sh), counting its runs in folder/runs."""
    program = folder / "unopkg"
    program.write_text(f"#!/bin/sh\necho run >> '{folder}/runs'\n{script}\n")
    program.chmod(0o755)
    return program


@pytest.mark.parametrize(
    ("script", "runs", "said"),
    [
        # unopkg.bin crashed under its shell script once: the second run installs.
        ('[ "$(wc -l < "$(dirname "$0")/runs")" -ge 2 ] || { echo "Segmentation fault" >&2; '
         "exit 139; }; echo installed", 2, None),
        # It failed while disposing, after its work, once (seen in a full test run).
        ('[ "$(wc -l < "$(dirname "$0")/runs")" -ge 2 ] || { echo "ERROR: Exception occurred: '
         'caught unexpected exception while disposing... at dp_component.cxx:410" >&2; '
         'echo "ERROR: unopkg failed." >&2; exit 1; }; echo installed', 2, None),
        # It crashes every time: said in plain words after the second try.
        ('echo "Segmentation fault" >&2; exit 139', 2, "Segmentation fault"),
        # A refusal is not a crash: said at once, not tried again.
        ('echo "ERROR: the extension is not valid" >&2; exit 1', 1, "not valid"),
    ],
)
def test_unopkg_is_run_again_once_when_it_crashes(tmp_path, monkeypatch, script, runs, said):
    from refman import libreoffice
    from refman.model import RefmanError

    fake_unopkg(tmp_path, script)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    oxt = libreoffice.build(tmp_path / "refman.oxt")
    if said is None:
        assert libreoffice.install(oxt, tmp_path / "profile").strip() == "installed"
    else:
        with pytest.raises(RefmanError, match=said):
            libreoffice.install(oxt, tmp_path / "profile")
    assert (tmp_path / "runs").read_text().count("run") == runs
