"""The detail pane's Attachments section, Preferences > Files and Retrieve Metadata, through
the window's widgets: real PDFs (tests/data/pdf), files opened through a replaced
QDesktopServices, files chosen through a replaced file dialog, and the command line run as a
program to see the same base folder the window set."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from refman.gui import attachments_section, dialogs, preferences
from refman.gui.attachments_section import NOT_A_PDF, SCANNED
from refman.gui.preferences import PreferencesDialog
from refman.gui.retrieving import OFFLINE
from refman.library import file_settings
from refman.library.pdfs import NEEDS_LOOKUP
from refman.model import Reference, Tag
from tests.pdf_maker import make_pdf
from tests.samples import DATA
from tests.unit.gui.helpers import IMPORT_TIMEOUT_MS, id_of, menu_action
from tests.unit.online.conftest import network_data

PDFS = DATA / "pdf"
ARTICLE = PDFS / "postgrad-med-j-2010-bmj.pdf"
SCAN = PDFS / "neg-scanned-image-only.pdf"
NOT_PDF = PDFS / "neg-not-a-pdf.pdf"
REPO = Path(__file__).resolve().parents[3]
SCIENCE_DOI = "10.1126/science.169.3946.635"  # the recorded doi.org answer in tests/data/network


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """The local paths the window asked the desktop to open, instead of opening them."""
    urls: list[str] = []

    def open_url(url: QUrl) -> bool:
        urls.append(url.toLocalFile())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    return urls


def show_item(window, title_start: str) -> int:
    item_id = id_of(window.library, title_start)
    window.table.select_ids([item_id])
    return item_id


def section(window):
    return window.detail.attachments


def rows(window) -> list[tuple[str, str, str]]:
    """Each attachment row as shown: name, size and marks, warnings ("" when hidden)."""
    shown = section(window)
    found = []
    for n in range(shown.list.count()):
        row = shown.row_widget(n)
        warning = row.warning.text() if not row.warning.isHidden() else ""
        found.append((row.name.text(), row.details.text(), warning))
    return found


def attach_read(window, item_id: int, paths, **kwargs) -> None:
    """Attach through the library (as the command line does) and read the PDFs' text."""
    window.library.attachments.attach(item_id, list(paths), **kwargs)
    window.library.attachments.read_text(base=file_settings.base_folder(window.library.path))


def wait_for_attach(qtbot, window, start) -> None:
    """Do ``start()`` (which attaches through the window) and wait until the PDFs are read."""
    with qtbot.waitSignal(window.attachment_actions.text_read, timeout=IMPORT_TIMEOUT_MS):
        start()


def test_a_real_pdf_is_listed_with_its_size_and_no_warning(window, qtbot):
    item_id = show_item(window, "Safety")
    attach_read(window, item_id, [ARTICLE])
    window.detail.show_items([item_id])  # shown again, as after a change
    assert section(window).isVisible()
    assert rows(window) == [(ARTICLE.name, "415.3 KB", "")]
    assert not section(window).empty.isVisible()
    assert section(window).open_button.isEnabled() and section(window).trash_button.isEnabled()


def test_an_item_without_files_says_so_and_offers_attach(window):
    show_item(window, "Safety")
    assert rows(window) == []
    assert section(window).empty.isVisible()
    assert section(window).attach_button.isEnabled()
    assert not section(window).open_button.isEnabled()
    assert not section(window).open_button.isVisibleTo(window)  # only Attach File… offered


def test_scans_and_files_named_pdf_that_are_none_are_flagged(window):
    item_id = show_item(window, "Safety")
    attach_read(window, item_id, [SCAN, NOT_PDF])
    window.detail.show_items([item_id])
    assert rows(window) == [
        (SCAN.name, "5.8 KB", SCANNED),
        (NOT_PDF.name, "5 bytes", NOT_A_PDF),
    ]
    colour = section(window).row_widget(0).warning.styleSheet()
    assert "color" in colour  # the theme's warning colour


def test_a_linked_file_gone_is_shown_missing_with_its_path_and_cannot_be_opened(
    window, tmp_path, opened, shown_errors
):
    paper = tmp_path / "elsewhere" / "paper.pdf"
    paper.parent.mkdir()
    shutil.copy(ARTICLE, paper)
    item_id = show_item(window, "Safety")
    attach_read(window, item_id, [paper], link=True)
    window.detail.show_items([item_id])
    assert rows(window) == [("paper.pdf", "415.3 KB · linked", "")]

    paper.unlink()
    window.detail.show_items([item_id])
    assert rows(window) == [("paper.pdf", "415.3 KB · linked", f"missing: {paper}")]
    QTest.mouseClick(section(window).open_button, Qt.MouseButton.LeftButton)
    assert opened == []
    assert len(shown_errors) == 1 and str(paper) in shown_errors[0]
    assert "missing" in shown_errors[0]


def test_open_show_file_and_double_click_ask_the_desktop(window, qtbot, opened, shown_errors):
    item_id = show_item(window, "Safety")
    attach_read(window, item_id, [ARTICLE])
    window.detail.show_items([item_id])
    stored = window.library.path.parent / "files"
    (copy,) = stored.glob(f"*/{ARTICLE.name}")

    QTest.mouseClick(section(window).open_button, Qt.MouseButton.LeftButton)
    QTest.mouseClick(section(window).show_button, Qt.MouseButton.LeftButton)
    listed = section(window).list
    rect = listed.visualItemRect(listed.item(0))
    QTest.mouseClick(listed.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.mouseDClick(listed.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [str(copy), str(copy.parent), str(copy)]  # Open, Show File, double-click
    assert shown_errors == []


def test_the_context_menu_offers_what_the_buttons_do(window, opened):
    item_id = show_item(window, "Safety")
    attach_read(window, item_id, [ARTICLE])
    window.detail.show_items([item_id])
    menu = section(window).context_menu()
    texts = [action.text() for action in menu.actions()]
    assert texts[:2] == ["Open", "Show File"] and "Move to Trash" in texts
    assert texts[2] == "View"  # the window's built-in viewer
    menu.actions()[0].trigger()
    assert len(opened) == 1 and opened[0].endswith(ARTICLE.name)


def test_view_opens_the_pdf_in_the_window_s_viewer(window, monkeypatch):
    viewed: list[int] = []
    monkeypatch.setattr(type(window), "view_attachment", lambda self, i: viewed.append(i), False)
    item_id = show_item(window, "Safety")
    attach_read(window, item_id, [ARTICLE])
    window.detail.show_items([item_id])
    assert section(window).view_button.isVisibleTo(window)
    QTest.mouseClick(section(window).view_button, Qt.MouseButton.LeftButton)
    (row,) = window.library.attachments.of([item_id])[item_id]
    assert viewed == [row.id]


def test_move_to_trash_keeps_the_file_and_undo_brings_the_attachment_back(window):
    item_id = show_item(window, "Safety")
    attach_read(window, item_id, [ARTICLE, SCAN])
    window.detail.show_items([item_id])
    section(window).list.setCurrentRow(0)
    QTest.mouseClick(section(window).trash_button, Qt.MouseButton.LeftButton)
    assert [name for name, _, _ in rows(window)] == [SCAN.name]
    first = window.library.attachments.of([item_id])[item_id][0]
    assert first.trashed
    assert window.library.attachments.file(first).is_file()  # kept until Empty Trash

    QTest.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [name for name, _, _ in rows(window)] == [ARTICLE.name, SCAN.name]
    assert not window.library.attachments.get(first.id).trashed


def test_delete_in_the_list_trashes_the_attachment_not_the_item(window, qtbot):
    item_id = show_item(window, "Safety")
    attach_read(window, item_id, [ARTICLE])
    window.detail.show_items([item_id])
    listed = section(window).list
    listed.setFocus()
    qtbot.waitUntil(listed.hasFocus)
    QTest.keyClick(listed, Qt.Key.Key_Delete)
    assert rows(window) == []
    assert window.library.attachments.of([item_id])[item_id][0].trashed
    assert not window.library.items.get(item_id).trashed


def test_attach_file_copies_the_chosen_file_and_reads_its_text(
    window, qtbot, monkeypatch, shown_errors
):
    item_id = show_item(window, "Safety")
    monkeypatch.setattr(attachments_section, "choose_files", lambda parent: [str(ARTICLE)])
    wait_for_attach(
        qtbot,
        window,
        lambda: QTest.mouseClick(section(window).attach_button, Qt.MouseButton.LeftButton),
    )
    assert rows(window) == [(ARTICLE.name, "415.3 KB", "")]
    (row,) = window.library.attachments.of([item_id])[item_id]
    assert not row.linked and row.text_state == "indexed"
    assert window.library.attachments.file(row).read_bytes() == ARTICLE.read_bytes()
    assert window.library.attachments.search_text("Postgrad") == [item_id]
    assert shown_errors == []


def test_attach_file_cancelled_attaches_nothing(window, monkeypatch):
    item_id = show_item(window, "Safety")
    monkeypatch.setattr(attachments_section, "choose_files", lambda parent: [])
    QTest.mouseClick(section(window).attach_button, Qt.MouseButton.LeftButton)
    assert window.library.attachments.of([item_id]) == {}
    assert not window.tasks.busy()


def drop_files(widget, paths: list[Path]) -> bool:
    """Drag files over ``widget`` and drop them, as a file manager does; True if taken."""
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    args = (Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton)
    plain = Qt.KeyboardModifier.NoModifier
    for kind in (QDragEnterEvent, QDragMoveEvent):
        QApplication.sendEvent(widget, kind(QPoint(20, 20), *args, plain))
    drop = QDropEvent(QPointF(QPoint(20, 20)), *args, plain)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


def test_files_dropped_on_the_pane_are_attached_to_its_item(window, qtbot, shown_errors):
    item_id = show_item(window, "Safety")
    wait_for_attach(qtbot, window, lambda: drop_files(window.detail, [ARTICLE, SCAN]))
    assert [(name, warning) for name, _, warning in rows(window)] == [
        (ARTICLE.name, ""),
        (SCAN.name, SCANNED),
    ]
    assert len(window.library.attachments.of([item_id])[item_id]) == 2
    assert shown_errors == []


def test_a_dropped_file_that_cannot_be_attached_is_told_and_the_others_kept(
    window, qtbot, tmp_path, shown_errors
):
    item_id = show_item(window, "Safety")
    gone = tmp_path / "gone.pdf"
    wait_for_attach(qtbot, window, lambda: drop_files(window.detail, [gone, ARTICLE]))
    assert [name for name, _, _ in rows(window)] == [ARTICLE.name]
    assert len(shown_errors) == 1 and f"{gone} is not there" in shown_errors[0]
    assert len(window.library.attachments.of([item_id])[item_id]) == 1


def test_nothing_is_attached_by_a_drop_with_several_items_selected(window):
    ids = window.table_model.ids[:2]
    window.table.select_ids(ids)
    assert not drop_files(window.detail, [ARTICLE])
    assert window.library.attachments.of(ids) == {}
    assert not window.tasks.busy()


# --- Preferences > Files --------------------------------------------------------------------


def open_preferences(window, qtbot) -> PreferencesDialog:
    menu_action(window, "Edit", "Preferences").trigger()
    dialog = window.findChild(PreferencesDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def run_cli(library_path: Path, *words: str) -> subprocess.CompletedProcess:
    """The command line as a program, with the test's config folder (XDG_CONFIG_HOME)."""
    return subprocess.run(
        [sys.executable, "-m", "refman", "--library", str(library_path), *words],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        cwd=REPO,
        timeout=120,
    )


def test_the_base_folder_set_in_preferences_links_files_relative_to_it_for_the_cli_too(
    window, qtbot, monkeypatch, tmp_path, shown_errors
):
    synced = tmp_path / "Sync" / "papers"
    synced.mkdir(parents=True)
    paper = synced / "paper.pdf"
    shutil.copy(ARTICLE, paper)
    dialog = open_preferences(window, qtbot)
    assert not dialog.link_files.isChecked() and dialog.base_folder.text() == ""
    monkeypatch.setattr(preferences, "choose_folder", lambda parent, start: str(synced))
    dialog._choose_base()
    dialog.link_files.setChecked(True)
    dialog.buttons.accepted.emit()
    assert not dialog.isVisible()
    kept = file_settings.load(window.library.path)
    assert kept == file_settings.FileSettings(synced.resolve(), True)

    item_id = show_item(window, "Safety")
    monkeypatch.setattr(attachments_section, "choose_files", lambda parent: [str(paper)])
    wait_for_attach(qtbot, window, section(window).attach_button.click)
    (row,) = window.library.attachments.of([item_id])[item_id]
    assert row.linked and row.path == "paper.pdf"  # relative to the base folder
    assert rows(window) == [("paper.pdf", "415.3 KB · linked", "")]
    assert shown_errors == []

    listed = run_cli(window.library.path, "attachments", str(item_id), "--json")
    assert listed.returncode == 0, listed.stderr
    entry = json.loads(listed.stdout)
    assert entry["file"] == str(synced.resolve() / "paper.pdf") and not entry["missing"]
    shown = run_cli(window.library.path, "files-base")
    assert shown.stdout.strip() == f"Base folder for linked files: {synced.resolve()}"
    checked = run_cli(window.library.path, "check")
    assert checked.returncode == 0 and "missing" not in checked.stdout


def test_a_base_folder_set_on_the_command_line_shows_in_preferences(window, qtbot, tmp_path):
    base = tmp_path / "papers"
    base.mkdir()
    done = run_cli(window.library.path, "files-base", str(base))
    assert done.returncode == 0, done.stderr
    dialog = open_preferences(window, qtbot)
    assert dialog.base_folder.text() == str(base.resolve())
    dialog.reject()


def test_a_base_folder_that_is_no_folder_keeps_preferences_open_saying_why(
    window, qtbot, tmp_path
):
    dialog = open_preferences(window, qtbot)
    dialog.base_folder.setText(str(tmp_path / "nowhere"))
    dialog.buttons.accepted.emit()
    assert dialog.isVisible()
    assert dialog.files_problem.text() == (
        f"{tmp_path / 'nowhere'} does not exist: the base folder for linked files must be a "
        "folder."
    )
    assert file_settings.load(window.library.path) == file_settings.FileSettings()
    dialog.reject()


def test_a_broken_settings_file_is_told_in_preferences_and_replaced_on_save(
    window, qtbot, tmp_path
):
    path = file_settings.settings_path()
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    dialog = open_preferences(window, qtbot)
    assert f"{path} (line 1) is not valid JSON" in dialog.files_problem.text()
    dialog.link_files.setChecked(True)
    dialog.buttons.accepted.emit()
    assert not dialog.isVisible()
    assert file_settings.load(window.library.path).link
    assert path.with_name("files.json.broken").read_text(encoding="utf-8") == "{not json"


# --- Retrieve Metadata ----------------------------------------------------------------------


def closed_port() -> int:
    """A local port nothing listens on: a connection to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def stand_in(window) -> int:
    """An item made from a PDF whose reference was not found: tagged, with its PDF."""
    ref = Reference(
        item_type="document", title="A paper", pmid="20015000", tags=(Tag(NEEDS_LOOKUP),)
    )
    item_id, changes = window.library.items.add(ref)
    window.library.attachments.attach(item_id, [ARTICLE])
    window.apply(changes)
    return item_id


def test_retrieve_metadata_is_offered_only_for_items_that_need_a_lookup(window, stand_in):
    actions = window.item_actions
    show_item(window, "Safety")
    assert not actions.retrieve_metadata.isVisible()
    assert not section(window).lookup_note.isVisible()
    window.table.select_ids([stand_in])
    assert actions.retrieve_metadata.isVisible() and actions.retrieve_metadata.isEnabled()
    assert actions.retrieve_metadata in actions.context_menu().actions()
    assert menu_action(window, "Edit", "Retrieve Metadata") is actions.retrieve_metadata
    assert section(window).lookup_note.isVisible()


def test_retrieve_metadata_offline_says_so_and_keeps_the_item(
    window, qtbot, monkeypatch, stand_in, shown_errors
):
    port = closed_port()
    monkeypatch.setenv("REFMAN_EUTILS_URL", f"http://127.0.0.1:{port}/eutils")
    monkeypatch.setenv("REFMAN_DOI_URL", f"http://127.0.0.1:{port}/doi")
    monkeypatch.setenv("REFMAN_IDCONV_URL", f"http://127.0.0.1:{port}/idconv")
    monkeypatch.setattr(dialogs, "show_info", lambda parent, message: None)
    window.table.select_ids([stand_in])
    with qtbot.waitSignal(window.retriever.retrieved, timeout=IMPORT_TIMEOUT_MS) as done:
        QTest.mouseClick(section(window).retrieve_button, Qt.MouseButton.LeftButton)
    assert done.args[0].offline
    assert shown_errors == [OFFLINE]
    kept = window.library.items.get(stand_in)
    assert not kept.trashed and NEEDS_LOOKUP in [tag.name for tag in kept.tags]
    assert kept.pmid == "20015000"
    assert "still needs a lookup" in window.statusBar().currentMessage()


def test_retrieve_metadata_on_items_that_need_none_says_so(window, monkeypatch):
    told: list[str] = []
    monkeypatch.setattr(dialogs, "show_info", lambda parent, message: told.append(message))
    item_id = show_item(window, "Safety")
    assert window.retriever.retrieve([item_id]) is None
    assert len(told) == 1 and "None of the selected items needs a lookup" in told[0]


def test_retrieve_metadata_finds_the_doi_in_a_linked_pdf_under_the_base_folder(
    window, qtbot, monkeypatch, tmp_path, httpserver
):
    """The stand-in has no identifier: its PDF, linked relative to the base folder, is read
    again, and the reference found gets it; the stand-in goes to the Trash."""
    base = tmp_path / "base"
    base.mkdir()
    (base / "water.pdf").write_bytes(
        make_pdf(["The Structure of Ordinary Water", f"doi:{SCIENCE_DOI}"])
    )
    file_settings.save(window.library.path, file_settings.FileSettings(base))
    ref = Reference(item_type="document", title="water", tags=(Tag(NEEDS_LOOKUP),))
    stand_in, changes = window.library.items.add(ref)
    window.library.attachments.attach(stand_in, [base / "water.pdf"], link=True, base=base)
    window.apply(changes)
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_data(
        network_data("esearch-zero-hits.xml")
    )
    httpserver.expect_request(f"/doi/{SCIENCE_DOI}").respond_with_data(
        network_data("doi-science.169.3946.635.csl.json"),
        content_type="application/vnd.citationstyles.csl+json",
    )
    monkeypatch.setenv("REFMAN_EUTILS_URL", httpserver.url_for("/eutils"))
    monkeypatch.setenv("REFMAN_DOI_URL", httpserver.url_for("/doi"))
    told: list[str] = []
    monkeypatch.setattr(dialogs, "show_info", lambda parent, message: told.append(message))
    window.table.select_ids([stand_in])
    with qtbot.waitSignal(window.retriever.retrieved, timeout=IMPORT_TIMEOUT_MS) as done:
        window.item_actions.retrieve_metadata.trigger()
    ((_, found),) = done.args[0].added
    assert window.library.items.get(found).title == "The Structure of Ordinary Water"
    assert [row.name for row in window.library.attachments.of([found])[found]] == ["water.pdf"]
    assert window.library.items.get(stand_in).trashed
    assert window.table.selected_ids() == [found]
    assert [(name, warning) for name, _, warning in rows(window)] == [("water.pdf", "")]
    assert told == [
        "Retrieve Metadata: 1 reference found (the PDF moved to it; the item that stood in "
        "for it is in the Trash)."
    ]
