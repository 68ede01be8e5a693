"""Live exports in the window: "Keep updated" in File > Export…, the file rewritten after the
window's changes and at its start (on the task runner), a failing target in the status line,
and the list in Preferences with Remove."""

from __future__ import annotations

import errno
import json
import os

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from refman import files
from refman.gui.export_dialog import ExportDialog
from refman.gui.live_exports import LiveExportList
from refman.gui.preferences import PreferencesDialog
from refman.gui.sidebar import COLLECTION, Source
from refman.library.live_exports import COLLECTION as COVERS_COLLECTION
from refman.library.live_exports import Coverage
from tests.unit.gui.helpers import close_window, make_window, open_dialog
from tests.unit.gui.test_export_dialog import choose_format, choose_scope, save_to

WAIT_MS = 20_000


def titles(path) -> set[str]:
    return {entry["title"] for entry in json.loads(path.read_text(encoding="utf-8"))}


def open_export(window, qtbot) -> ExportDialog:
    return open_dialog(window, qtbot, "File", "Export…", ExportDialog)


def test_keep_updated_is_offered_for_the_library_and_a_collection_only(window, qtbot):
    library = window.library
    ids = library.items.search()
    collection, changes = library.collections.create("Surgery")
    window.editor.notify(changes)
    window.editor.add_to_collection(ids[:2], collection.id)
    window.sidebar.select(Source(COLLECTION, collection.id))
    window.table.select_ids(ids[:1])
    dialog = open_export(window, qtbot)
    offered = {}
    for button in dialog.scope_buttons:
        choose_scope(dialog, button.text())
        offered[button.text()] = dialog.keep_updated.isEnabled()
    assert offered == {
        "Selected items (1)": False,
        "Collection “Surgery” (2)": True,
        "Whole library (4)": True,
    }
    dialog.close()


def test_keep_updated_writes_the_file_and_the_windows_changes_rewrite_it(
    window, qtbot, monkeypatch, tmp_path
):
    dialog = open_export(window, qtbot)
    choose_format(dialog, "CSL-JSON")
    choose_scope(dialog, "Whole library")
    box = dialog.keep_updated
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))
    assert dialog.keep_updated.isChecked()
    target = tmp_path / "refs.json"
    save_to(dialog, monkeypatch, target)
    qtbot.waitUntil(lambda: "kept up to date" in dialog.status.text(), timeout=WAIT_MS)
    assert dialog.status.text() == (
        f"Saved 4 items to {target}; it is kept up to date (Preferences lists it)."
    )
    (export,) = window.library.live_exports.all()
    assert (export.path, export.format, export.covers) == (target, "csl-json", Coverage())
    item = window.library.items.search()[0]
    old = window.library.items.get(item).title
    assert old in titles(target)
    dialog.close()

    window.editor.set_field(item, "title", old, "Retitled in the window")
    qtbot.waitUntil(lambda: "Retitled in the window" in titles(target), timeout=WAIT_MS)
    assert old not in titles(target)
    window.editor.undo_stack.undo()
    qtbot.waitUntil(lambda: old in titles(target), timeout=WAIT_MS)


def test_a_collections_live_export_follows_items_filed_in_it(window, qtbot, monkeypatch, tmp_path):
    library = window.library
    ids = library.items.search()
    collection, changes = library.collections.create("Surgery")
    window.editor.notify(changes)
    window.editor.add_to_collection(ids[:1], collection.id)
    window.sidebar.select(Source(COLLECTION, collection.id))
    window.table.clearSelection()
    dialog = open_export(window, qtbot)
    choose_format(dialog, "CSL-JSON")
    choose_scope(dialog, "Collection")
    dialog.keep_updated.setChecked(True)
    target = tmp_path / "surgery.json"
    save_to(dialog, monkeypatch, target)
    qtbot.waitUntil(lambda: target.is_file(), timeout=WAIT_MS)
    (export,) = library.live_exports.all()
    assert export.covers == Coverage(COVERS_COLLECTION, collection.id)
    assert len(titles(target)) == 1
    dialog.close()
    window.editor.add_to_collection(ids[1:3], collection.id)
    qtbot.waitUntil(lambda: len(titles(target)) == 3, timeout=WAIT_MS)


def test_the_window_catches_up_at_its_start(qtbot, papers_library, settings, tmp_path):
    target = tmp_path / "refs.json"
    papers_library.live_exports.add(target, "csl-json")
    papers_library.live_exports.refresh()
    item = papers_library.items.search()[0]
    papers_library.items.update(item, title="Changed while the window was closed")
    window = make_window(qtbot, papers_library, settings)
    try:
        qtbot.waitUntil(
            lambda: "Changed while the window was closed" in titles(target), timeout=WAIT_MS
        )
    finally:
        close_window(qtbot, window)


def test_a_target_that_cannot_be_written_is_told_in_the_status_line(window, qtbot, tmp_path):
    folder = tmp_path / "gone"
    folder.mkdir()
    target = folder / "refs.json"
    window.library.live_exports.add(target, "csl-json")
    window.library.live_exports.refresh()
    text = target.read_text(encoding="utf-8")
    target.unlink()
    folder.rmdir()
    item = window.library.items.search()[0]
    window.editor.set_field(item, "title", window.library.items.get(item).title, "Anew")
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() != "", timeout=WAIT_MS)
    assert window.statusBar().currentMessage() == (
        f"Live export refs.json not written: Cannot write {target}: No such file or directory."
    )
    assert text  # written once; the window itself goes on
    assert window.library.items.get(item).title == "Anew"


def test_preferences_list_the_live_exports_and_remove_them(window, qtbot, tmp_path):
    library = window.library
    bib, txt = tmp_path / "refs.bib", tmp_path / "refs.txt"
    library.live_exports.add(bib, "bibtex")
    library.live_exports.add(txt, "text", style="apa")
    library.live_exports.refresh([library.live_exports.all()[0].id])
    dialog = open_dialog(window, qtbot, "Edit", "Preferences…", PreferencesDialog)
    listing = dialog.findChild(LiveExportList)
    table = listing.table

    def rows():
        return [
            [table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())
        ]

    first, second = rows()
    assert first[:3] == [str(bib), "BibTeX", "My Library"]
    assert first[3].endswith(" UTC") and first[3][:4].isdigit()
    assert second == [str(txt), "Bibliography (plain text), apa", "My Library", "Never"]
    assert not listing.remove_button.isEnabled()
    table.selectRow(0)
    QTest.mouseClick(listing.remove_button, Qt.MouseButton.LeftButton)
    assert [row[0] for row in rows()] == [str(txt)]
    assert [e.path for e in library.live_exports.all()] == [txt]
    assert bib.is_file()  # the file stays
    table.selectRow(0)
    QTest.mouseClick(listing.remove_button, Qt.MouseButton.LeftButton)
    assert library.live_exports.all() == []
    assert listing.empty.isVisibleTo(dialog) and not table.isVisibleTo(dialog)
    dialog.reject()


def test_a_first_write_that_fails_keeps_nothing_and_says_why(
    window, qtbot, monkeypatch, tmp_path, shown_errors
):
    def disk_full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    dialog = open_export(window, qtbot)
    choose_scope(dialog, "Whole library")
    dialog.keep_updated.setChecked(True)
    target = tmp_path / "refs.bib"
    monkeypatch.setattr(files.os, "write", disk_full)  # in the task's thread too
    save_to(dialog, monkeypatch, target)
    qtbot.waitUntil(lambda: bool(shown_errors), timeout=WAIT_MS)
    assert shown_errors == [
        f"Cannot write {target}: the disk is full. Nothing was written. "
        "It is not kept up to date."
    ]
    assert window.library.live_exports.all() == [] and not target.exists()
    assert dialog.save_button.isEnabled()
    dialog.close()
