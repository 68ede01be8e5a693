"""The main window as a whole: menus, imports by every door, copying, settings, first run."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

import refman
from refman.formats import READ_FORMATS
from refman.gui import dialogs, export_dialog
from refman.gui.sidebar import COLLECTION, Source
from refman.model import ViewQuery
from tests.unit.gui.helpers import (
    DATA,
    drag_and_drop,
    expected_citation,
    id_of,
    import_and_wait,
    make_window,
    menu_action,
    shown_titles,
)

RESULT2_TITLES = 4  # records in pubmed_result2.txt


def test_the_menus_and_their_shortcuts(window):
    expected = {
        ("File", "Import…"): "Ctrl+Shift+I",
        ("Edit", "Undo"): "Ctrl+Z",
        ("Edit", "Redo"): "Ctrl+Shift+Z",
        ("Edit", "Copy Bibliography"): "Ctrl+Shift+C",
        ("Edit", "Find"): "Ctrl+F",
    }
    for (menu, text), keys in expected.items():
        shortcut = menu_action(window, menu, text).shortcut()
        assert shortcut == QKeySequence(keys), (menu, text)
    for menu, text in (
        ("File", "Import from Clipboard"),
        ("File", "Export…"),
        ("File", "New Collection…"),
        ("File", "Quit"),
        ("Edit", "Copy Citation"),
        ("Edit", "Select All"),
        ("Edit", "Move to Trash"),
        ("View", "Show Automatic Tags"),
        ("Help", "About"),
    ):
        menu_action(window, menu, text)


def test_file_import_adds_the_files_and_selects_the_new_items(window, qtbot, monkeypatch):
    chosen = ([str(DATA / "pubmed_result2.txt")], "")
    offered = []

    def choose(parent, title, folder, filters):
        offered.extend(filters.split(";;"))
        return chosen

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", choose)
    report = import_and_wait(qtbot, window, menu_action(window, "File", "Import…").trigger)
    assert len(report.added) == RESULT2_TITLES
    assert len(shown_titles(window)) == 4 + RESULT2_TITLES
    assert sorted(window.table.selected_ids()) == sorted(report.added)
    assert window.detail.multi.count_label.text() == "4 items selected"
    assert window.count_label.text() == "8 items"
    # Every format refman reads is offered, and any file: the content decides the format.
    assert offered[-1] == "All files (*)"
    names = [f.name for f in READ_FORMATS.values()]
    assert [f.split(" (")[0] for f in offered[1:-1]] == [*names, "PDFs"]
    assert all(f"*{ext}" in offered[0] for f in READ_FORMATS.values() for ext in f.extensions)
    assert "*.pdf" in offered[0]  # PDFs go to their references (the PDF import)


def test_a_file_dropped_on_the_table_is_imported(window, qtbot):
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(DATA / "pubmed_result1.txt"))])
    report = import_and_wait(
        qtbot, window, lambda: drag_and_drop(window.table, QPoint(40, 150), data)
    )
    assert len(report.added) == 1
    assert window.table.selected_ids() == report.added
    assert window.detail.ref.title.startswith("The Bio* toolkits")


def test_a_file_dropped_while_a_collection_is_shown_goes_into_it(window, qtbot):
    collection, changes = window.library.collections.create("Tools")
    window.editor.notify(changes)
    window.sidebar.select(Source(COLLECTION, collection.id))
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(DATA / "pubmed_result1.txt"))])
    report = import_and_wait(
        qtbot, window, lambda: drag_and_drop(window.table, QPoint(40, 150), data)
    )
    assert window.library.items.search(ViewQuery(collection=collection.id)) == report.added
    assert window.table_model.ids == report.added


def test_medline_text_pasted_into_the_table_is_imported(window, qtbot):
    QGuiApplication.clipboard().setText((DATA / "pubmed_result1.txt").read_text("utf-8"))
    window.table.setFocus()
    report = import_and_wait(
        qtbot, window, lambda: QTest.keySequence(window.table, QKeySequence.StandardKey.Paste)
    )
    assert len(report.added) == 1
    assert window.detail.ref.pmid == "12230038"


def test_the_summary_of_a_paste_names_the_pasted_text_and_a_file_import_its_files(
    window, qtbot
):
    QGuiApplication.clipboard().setText((DATA / "pubmed_result1.txt").read_text("utf-8"))
    window.table.setFocus()
    import_and_wait(
        qtbot, window, lambda: QTest.keySequence(window.table, QKeySequence.StandardKey.Paste)
    )
    summary = window.importer().summary_box.text()
    assert summary == "Imported: 1 added, 0 duplicates skipped from the pasted text."
    import_and_wait(qtbot, window, lambda: window.import_paths([str(DATA / "pubmed_result2.txt")]))
    summary = window.importer().summary_box.text()
    assert summary == f"Imported: {RESULT2_TITLES} added, 0 duplicates skipped from 1 file."


def test_import_from_clipboard_with_nothing_there_says_so(window, monkeypatch):
    told = []
    monkeypatch.setattr(dialogs, "show_info", lambda parent, message: told.append(message))
    QGuiApplication.clipboard().setText("")
    menu_action(window, "File", "Import from Clipboard").trigger()
    assert told == ["The clipboard holds no text to import."]


def test_first_run_offers_a_sample_record(qtbot, library, settings):
    window = make_window(qtbot, library, settings)
    placeholder = window.table.placeholder
    assert placeholder.isVisible()
    report = import_and_wait(
        qtbot, window, lambda: QTest.mouseClick(placeholder.add_sample, Qt.MouseButton.LeftButton)
    )
    assert len(report.added) == 1
    assert not placeholder.isVisible()
    assert window.detail.ref.pmid == "37144409"
    assert window.detail.ref.title.startswith("Safety and Efficacy of Iltamiocel")
    window.close()


def test_copy_bibliography_puts_text_and_html_on_the_clipboard(window):
    window.table.select_ids([id_of(window.library, "Gut")])
    menu_action(window, "Edit", "Copy Bibliography").trigger()
    copied = QGuiApplication.clipboard().mimeData()
    assert "Gut microbiota and obesity" in copied.text()
    assert "Gut microbiota and obesity" in copied.html()


def test_copy_bibliography_of_the_seed_is_its_ama_reference(seed_window):
    seed = id_of(seed_window.library, "Safety")
    seed_window.table.select_ids([seed])
    menu_action(seed_window, "Edit", "Copy Bibliography").trigger()
    copied = QGuiApplication.clipboard().mimeData()
    assert copied.text() == expected_citation("american-medical-association")
    entry = expected_citation("american-medical-association", "html").rstrip("\n")
    assert copied.html() == f'<div class="csl-bib-body">\n  {entry}\n</div>\n'


def test_copy_citation_in_the_default_style(window):
    window.table.select_ids([id_of(window.library, "Safety")])
    menu_action(window, "Edit", "Copy Citation").trigger()
    copied = QGuiApplication.clipboard().mimeData()
    assert (copied.text(), copied.html()) == ("1", "<sup>1</sup>")  # AMA


def test_export_hands_the_selection_to_the_export_dialog(window, monkeypatch):
    shown = []
    monkeypatch.setattr(
        export_dialog, "show_export_dialog", lambda parent, lib, view, ids, *_: shown.append(ids)
    )
    gut = id_of(window.library, "Gut")
    window.table.select_ids([gut])
    menu_action(window, "File", "Export…").trigger()
    assert shown == [[gut]]
    window.table.clearSelection()
    menu_action(window, "File", "Export…").trigger()  # nothing selected: the whole view
    assert sorted(shown[1]) == sorted(window.library.items.search())


def test_about_names_the_version(window, monkeypatch):
    told = []
    monkeypatch.setattr(dialogs, "show_info", lambda parent, message: told.append(message))
    menu_action(window, "Help", "About").trigger()
    assert told[0].startswith(f"refman {refman.__version__}")


def test_pane_sizes_are_remembered(qtbot, papers_library, settings):
    first = make_window(qtbot, papers_library, settings)
    first.splitter.setSizes([300, 500, 500])
    sizes = first.splitter.sizes()
    first.close()
    second = make_window(qtbot, papers_library, settings)
    assert second.splitter.sizes() == sizes
    second.close()


def test_delete_in_the_tag_list_removes_a_tag_not_the_item(window):
    knowles = id_of(window.library, "Safety")
    window.table.select_ids([knowles])
    tags = window.detail.tags
    window.detail.tabs.setCurrentWidget(tags)
    tags.list.setFocus()
    tags.list.setCurrentRow(tags.names().index("Humans"))
    QTest.keyClick(tags.list, Qt.Key.Key_Delete)
    assert knowles in window.library.items.search()  # not trashed
    assert "Humans" not in [t.name for t in window.library.items.get(knowles).tags]


def test_library_errors_are_shown_in_plain_words(window, monkeypatch):
    shown = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, message: shown.append(message))
    window.editor.failed.emit("The library is read-only.")
    assert shown == ["The library is read-only."]
