"""Notes: written in the detail pane, saved by themselves, never lost on a switch or a restart."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from refman.gui import dialogs
from refman.gui.notes import SAVE_DELAY_MS, body_html
from refman.library import Library
from tests.unit.gui.helpers import id_of, make_window, shown_titles


def write_note(window, item_id, text: str) -> None:
    window.table.select_ids([item_id])
    notes = window.detail.notes
    window.detail.tabs.setCurrentWidget(notes)
    QTest.mouseClick(notes.new_button, Qt.MouseButton.LeftButton)
    QTest.keyClicks(notes.text, text)


def note_texts(library, item_id) -> list[str]:
    return [note.title for note in library.notes.of_item(item_id)]


def test_a_new_note_is_saved_when_another_item_is_shown(window):
    knowles = id_of(window.library, "Safety")
    write_note(window, knowles, "Check the 12-month data")
    window.table.select_ids([id_of(window.library, "Gut")])  # before the save delay is over
    assert note_texts(window.library, knowles) == ["Check the 12-month data"]
    assert window.detail.notes.list.count() == 0
    window.table.select_ids([knowles])
    assert window.detail.notes.text.toPlainText() == "Check the 12-month data"
    assert window.detail.notes.list.item(0).text() == "Check the 12-month data"


def test_a_note_saves_itself_after_a_pause(window, qtbot):
    knowles = id_of(window.library, "Safety")
    write_note(window, knowles, "saved without leaving")
    qtbot.waitUntil(
        lambda: note_texts(window.library, knowles) == ["saved without leaving"],
        timeout=SAVE_DELAY_MS * 5,
    )


def test_a_note_survives_closing_the_window(qtbot, papers_library, library_path, settings):
    first = make_window(qtbot, papers_library, settings)
    knowles = id_of(papers_library, "Safety")
    write_note(first, knowles, "Typed just before closing")
    first.close()
    papers_library.close()
    with Library(library_path) as reopened:
        second = make_window(qtbot, reopened, settings)
        second.table.select_ids([knowles])
        assert second.detail.notes.text.toPlainText() == "Typed just before closing"
        second.close()


def test_notes_are_found_by_the_quick_search(window, qtbot):
    knowles = id_of(window.library, "Safety")
    write_note(window, knowles, "zebrafish model")
    window.detail.flush()
    window.search_box.setText("zebraf")
    qtbot.waitUntil(lambda: len(shown_titles(window)) == 1)
    assert window.table_model.ids == [knowles]


def test_rich_text_is_kept(window):
    knowles = id_of(window.library, "Safety")
    write_note(window, knowles, "plain ")
    notes = window.detail.notes
    notes._format_actions["Bold"].trigger()
    QTest.keyClicks(notes.text, "bold")
    window.detail.flush()
    html = window.library.notes.of_item(knowles)[0].html
    assert "font-weight" in html and "bold" in html
    assert "<style" not in html  # only the body is kept


def test_several_notes_and_deleting_one(window, monkeypatch):
    knowles = id_of(window.library, "Safety")
    write_note(window, knowles, "first")
    notes = window.detail.notes
    QTest.mouseClick(notes.new_button, Qt.MouseButton.LeftButton)
    QTest.keyClicks(notes.text, "second")
    notes.list.setCurrentRow(0)  # choosing another note saves this one
    assert sorted(note_texts(window.library, knowles)) == ["first", "second"]
    assert notes.text.toPlainText() == "first"
    monkeypatch.setattr(dialogs, "confirm", lambda *args: True)
    QTest.mouseClick(notes.delete_button, Qt.MouseButton.LeftButton)
    assert note_texts(window.library, knowles) == ["second"]
    assert notes.text.toPlainText() == "second"


def test_no_note_editing_without_one_item(window):
    window.table.selectAll()
    notes = window.detail.notes
    assert not notes.new_button.isEnabled()
    assert not notes.text.isEnabled()


def test_only_the_body_of_qt_html_is_stored():
    html = (
        '<!DOCTYPE HTML><html><head><style type="text/css">p { white-space: pre-wrap; }'
        '</style></head><body style=" font-size:9pt;">\n<p>Hello</p></body></html>'
    )
    assert body_html(html) == "<p>Hello</p>"
