"""File > Export…: format, style by title, scope, preview; Save… and Copy give what export gives."""

from __future__ import annotations

import errno
import os

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from refman import files
from refman.formats import EXPORT_FORMATS
from refman.gui import dialogs, export_dialog
from refman.gui.export_dialog import ExportDialog
from refman.gui.sidebar import COLLECTION, Source
from refman.library.exporting import Exporting
from refman.model import RefmanError
from tests.unit.gui.helpers import expected_citation, id_of, open_dialog, pick_style

AMA = "american-medical-association"


def open_export(window, qtbot) -> ExportDialog:
    return open_dialog(window, qtbot, "File", "Export…", ExportDialog)


def choose_format(dialog: ExportDialog, name: str) -> None:
    dialog.format_box.setCurrentIndex(dialog.format_box.findText(name))


def choose_scope(dialog: ExportDialog, name_start: str) -> None:
    button = next(b for b in dialog.scope_buttons if b.text().startswith(name_start))
    # On the round indicator: a radio button takes clicks on its indicator and its text only.
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(6, button.height() // 2))
    assert button.isChecked()


def save_to(dialog: ExportDialog, monkeypatch, path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), ""))
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def test_every_format_is_offered_and_a_style_only_for_bibliographies(
    seed_window, qtbot, selected_seed
):
    dialog = open_export(seed_window, qtbot)
    box = dialog.format_box
    assert [box.itemText(n) for n in range(box.count())] == [
        f.name for f in EXPORT_FORMATS.values()
    ]
    assert dialog.style_box.isVisible()
    choose_format(dialog, "RIS")
    assert not dialog.style_box.isVisible()
    choose_format(dialog, "Bibliography (RTF)")
    assert dialog.style_box.isVisible()


def test_the_preview_is_the_selection_in_the_default_style_then_in_the_style_picked(
    seed_window, qtbot, selected_seed
):
    dialog = open_export(seed_window, qtbot)
    assert dialog.style_picker.style() == AMA
    assert dialog.preview_label.text() == "1 item:"
    assert dialog.preview.toPlainText() == expected_citation(AMA)
    pick_style(dialog.style_picker, "ieee reference", "IEEE")
    assert dialog.style_picker.style() == "ieee"
    assert dialog.preview.toPlainText() == expected_citation("ieee")


def test_typing_in_the_style_filter_previews_the_best_match(seed_window, qtbot, selected_seed):
    dialog = open_export(seed_window, qtbot)
    picker = dialog.style_picker
    with qtbot.waitSignal(picker.style_changed):
        QTest.keyClicks(picker.filter, "lancet")
    assert picker.shown_titles()[0] == "The Lancet"
    assert picker.style() == "the-lancet"
    assert dialog.preview.toPlainText() == expected_citation("the-lancet")


def test_html_and_rtf_are_previewed_formatted(seed_window, qtbot, selected_seed):
    dialog = open_export(seed_window, qtbot)
    for name in ("Bibliography (HTML)", "Bibliography (RTF)"):
        choose_format(dialog, name)
        assert "Knowles CH" in dialog.preview.toPlainText()
        assert "<div" not in dialog.preview.toPlainText()  # markup rendered, not shown
        assert "font-style:italic" in dialog.preview.toHtml()  # the journal, Ann Surg


def test_data_formats_are_previewed_as_their_text(seed_window, qtbot, selected_seed):
    dialog = open_export(seed_window, qtbot)
    choose_format(dialog, "MEDLINE / PubMed")
    assert dialog.preview.toPlainText().startswith("PMID- 37144409")
    choose_format(dialog, "BibTeX")
    assert dialog.preview.toPlainText().startswith("@article{")


def test_scopes_are_the_selection_the_collection_shown_and_the_library(
    seed_window, qtbot, selected_seed
):
    library = seed_window.library
    gut = id_of(library, "Gut")
    collection, changes = library.collections.create("Surgery")
    seed_window.editor.notify(changes)
    seed_window.editor.add_to_collection([selected_seed, gut], collection.id)
    seed_window.sidebar.select(Source(COLLECTION, collection.id))
    seed_window.table.select_ids([selected_seed])
    dialog = open_export(seed_window, qtbot)
    assert [b.text() for b in dialog.scope_buttons] == [
        "Selected items (1)",
        "Collection “Surgery” (2)",
        "Whole library (4)",
    ]
    assert dialog.scope_buttons[0].isChecked()
    choose_scope(dialog, "Collection")
    assert dialog.preview_label.text() == "2 items:"
    assert "Gut microbiota and obesity" in dialog.preview.toPlainText()
    choose_scope(dialog, "Whole library")
    assert dialog.preview_label.text() == "4 items:"


def test_with_nothing_selected_the_search_result_is_the_first_scope(
    seed_window, qtbot, selected_seed
):
    seed_window.table.clearSelection()
    seed_window.search_box.setText("gut")
    QTest.keyClick(seed_window.search_box, Qt.Key.Key_Return)
    assert len(seed_window.table_model.ids) == 1
    dialog = open_export(seed_window, qtbot)
    assert [b.text() for b in dialog.scope_buttons] == [
        "My Library, matching “gut” (1)",
        "Whole library (4)",
    ]
    assert dialog.scope().ids == (id_of(seed_window.library, "Gut"),)


def test_the_preview_shows_only_the_first_items_of_a_large_scope(
    seed_window, qtbot, selected_seed, monkeypatch
):
    monkeypatch.setattr(export_dialog, "PREVIEW_ITEMS", 2)
    dialog = open_export(seed_window, qtbot)
    choose_scope(dialog, "Whole library")
    assert dialog.preview_label.text() == "The first 2 of 4 items:"
    first_two = seed_window.library.items.search()[:2]
    assert dialog.preview.toPlainText() == seed_window.library.exporting.export(
        first_two, "text", style=AMA
    )
    assert len(dialog.preview.toPlainText().splitlines()) == 2


@pytest.mark.parametrize(
    ("name", "key", "style"),
    [
        ("Bibliography (plain text)", "text", "ieee"),
        ("Bibliography (RTF)", "rtf", "ieee"),
        ("RIS", "ris", None),
        ("BibTeX", "bibtex", None),
        ("CSL-JSON", "csl-json", None),
        ("MEDLINE / PubMed", "medline", None),
    ],
)
def test_save_writes_what_library_export_gives(
    seed_window, qtbot, selected_seed, monkeypatch, tmp_path, name, key, style
):
    dialog = open_export(seed_window, qtbot)
    choose_format(dialog, name)
    if style:
        pick_style(dialog.style_picker, "ieee reference", "IEEE")
    choose_scope(dialog, "Whole library")
    save_to(dialog, monkeypatch, tmp_path / "out")  # no extension typed: the format's is added
    written = (tmp_path / f"out{EXPORT_FORMATS[key].extension}").read_bytes()
    expected = seed_window.library.exporting.export(
        seed_window.library.items.search(), key, style=style
    )
    assert written == expected.encode("utf-8")
    assert dialog.status.text().startswith("Saved 4 items to ")


def test_ris_is_saved_with_its_crlf_line_ends(
    seed_window, qtbot, selected_seed, monkeypatch, tmp_path
):
    dialog = open_export(seed_window, qtbot)
    choose_format(dialog, "RIS")
    save_to(dialog, monkeypatch, tmp_path / "seed.ris")
    written = (tmp_path / "seed.ris").read_bytes()
    assert written.startswith(b"TY  - JOUR\r\n")
    assert b"\n" not in written.replace(b"\r\n", b"")


def test_cancelling_the_file_dialog_writes_nothing(
    seed_window, qtbot, selected_seed, monkeypatch, tmp_path
):
    dialog = open_export(seed_window, qtbot)
    save_to(dialog, monkeypatch, "")
    assert dialog.status.text() == ""
    assert list(tmp_path.glob("out*")) == []


def test_copy_puts_a_bibliography_on_the_clipboard_as_text_and_html(
    seed_window, qtbot, selected_seed
):
    dialog = open_export(seed_window, qtbot)
    pick_style(dialog.style_picker, "ieee reference", "IEEE")
    QTest.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().mimeData()
    assert copied.text() == expected_citation("ieee")
    assert copied.html() == seed_window.library.exporting.export(
        [selected_seed], "html", style="ieee"
    )
    assert dialog.status.text() == "Copied 1 item to the clipboard."


def test_copy_puts_a_data_format_on_the_clipboard_as_its_text(seed_window, qtbot, selected_seed):
    dialog = open_export(seed_window, qtbot)
    choose_format(dialog, "BibTeX")
    QTest.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().mimeData()
    assert copied.text() == seed_window.library.exporting.export([selected_seed], "bibtex")
    assert not copied.hasHtml()


def test_a_large_export_runs_in_a_worker_and_the_dialog_waits_for_it(
    seed_window, selected_seed, monkeypatch, tmp_path, qtbot
):
    monkeypatch.setattr(export_dialog, "BACKGROUND_LIMIT", 2)
    dialog = open_export(seed_window, qtbot)
    choose_scope(dialog, "Whole library")
    with qtbot.waitSignal(dialog.exported, timeout=60_000):
        save_to(dialog, monkeypatch, tmp_path / "all.txt")
        assert dialog.is_exporting()
        assert not dialog.save_button.isEnabled()
        assert dialog.status.text() == "Exporting 4 items…"
        dialog.reject()  # closing now would lose the result: refused
        assert dialog.isVisible()
    assert not dialog.is_exporting() and dialog.save_button.isEnabled()
    expected = seed_window.library.exporting.export(
        seed_window.library.items.search(), "text", style=AMA
    )
    assert (tmp_path / "all.txt").read_text(encoding="utf-8") == expected


def test_a_failed_worker_export_is_told_in_plain_words(
    seed_window, selected_seed, monkeypatch, qtbot
):
    def fail(self, ids, fmt, *, style=None):
        raise RefmanError("The library file is damaged.")

    shown = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, message: shown.append(message))
    monkeypatch.setattr(export_dialog, "BACKGROUND_LIMIT", 2)
    dialog = open_export(seed_window, qtbot)
    choose_scope(dialog, "Whole library")
    monkeypatch.setattr(Exporting, "export", fail)
    QTest.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=60_000)
    assert shown == ["The library file is damaged."]
    assert not dialog.is_exporting() and dialog.copy_button.isEnabled()


def test_a_file_that_cannot_be_written_is_a_plain_error(
    seed_window, qtbot, selected_seed, monkeypatch, tmp_path
):
    shown = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, message: shown.append(message))
    dialog = open_export(seed_window, qtbot)
    target = tmp_path / "no such folder" / "out.txt"
    save_to(dialog, monkeypatch, target)
    assert shown == [f"Cannot write {target}: No such file or directory."]


def test_a_full_disk_leaves_the_old_file_whole(
    seed_window, qtbot, selected_seed, monkeypatch, tmp_path
):
    """The dialog writes as the command line does (refman.files); a real full disk is tested
    through the command line (tests/system/test_cli_refusals.py), here the system call fails."""
    shown = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, message: shown.append(message))

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "fsync", disk_full)
    target = tmp_path / "refs.txt"
    target.write_text("the export of last week", encoding="utf-8")
    dialog = open_export(seed_window, qtbot)
    save_to(dialog, monkeypatch, target)
    assert shown == [f"Cannot write {target}: the disk is full. Nothing was written."]
    assert target.read_text(encoding="utf-8") == "the export of last week"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert dialog.status.text() == ""
