"""File > Format Document…: the dialog formats a manuscript from the library on the task
runner and shows the report, or why nothing was written."""

from __future__ import annotations

from refman.gui.format_document import formatted_name
from tests.manuscript_helpers import make_docx, parts, w_para
from tests.unit.gui.helpers import menu_action


def test_format_document_writes_the_copy_and_shows_the_report(window, qtbot, tmp_path):
    item = window.library.items.all_ids()[0]
    key = window.library.keys.of([item])[item]
    source = make_docx(tmp_path / "draft.docx", [w_para(f"As shown [@{key}].")])
    menu_action(window, "File", "Format Document…").trigger()
    dialog = window._format_dialog
    assert dialog.isVisible() and dialog.windowTitle() == "Format Document"
    dialog.set_source(source)
    assert dialog.out.text() == str(formatted_name(source))
    dialog.picker.set_style("apa")
    with qtbot.waitSignal(dialog.formatted, timeout=60_000):
        dialog.run()
    assert "1 citation of 1 item in apa" in dialog.report.toPlainText()
    document = parts(tmp_path / "draft-formatted.docx")["word/document.xml"]
    assert b"ADDIN ZOTERO_ITEM CSL_CITATION" in document and b"ZOTERO_BIBL" in document


def test_unknown_keys_show_with_their_places_and_nothing_is_written(window, qtbot, tmp_path):
    source = make_docx(tmp_path / "draft.docx", [w_para("See [@nobody1999].")])
    dialog = window.format_document()
    dialog.set_source(source)
    with qtbot.waitSignal(dialog.refused, timeout=60_000):
        dialog.run()
    shown = dialog.report.toPlainText()
    assert "@nobody1999" in shown and "paragraph 5" in shown and "nothing was written" in shown
    assert not formatted_name(source).exists()
