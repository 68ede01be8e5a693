"""Saved searches in the window: Save Search from the search box and the File menu, the smart
collections in the sidebar with counts that follow the library, their items in the table, and
Edit Search…, Rename… and Delete from their context menu (undoable)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu

from refman.gui import dialogs, sidebar
from refman.gui.sidebar import Source
from refman.gui.sidebar_searches import SEARCH, search_indexes
from tests.samples import RESULT2
from tests.unit.gui.helpers import id_of, import_and_wait, menu_action, shown_titles
from tests.unit.gui.test_sidebar import click_source

BALLOON = "Balloon dilation of the frontal sinus"
RESULT2_PYTHON = 4  # the records of RESULT2 that say "python"


class Answers:
    """The answers ask_text gives, in order (None: Cancel), and the questions it was asked."""

    def __init__(self) -> None:
        self.given: list[str | None] = []
        self.asked: list[str] = []

    def give(self, *values: str | None) -> None:
        self.given.extend(values)

    def ask_text(self, parent, title, label, text=""):
        self.asked.append(f"{title} {label} {text}")
        return self.given.pop(0)


@pytest.fixture
def answers(monkeypatch) -> Answers:
    given = Answers()
    monkeypatch.setattr(dialogs, "ask_text", given.ask_text)
    return given


def rows(window) -> list[str]:
    """The saved searches' rows as shown in the sidebar."""
    return [index.data() for index in search_indexes(window.sidebar.model)]


def source_of(window, name: str) -> Source:
    return Source(SEARCH, search=window.library.searches.named(name))


def type_search(qtbot, window, text: str) -> None:
    box = window.search_box
    box.clear()
    qtbot.keyClicks(box, text)
    with qtbot.waitSignal(box.search_changed, timeout=2000):
        pass


def context_action(window, monkeypatch, name: str, text: str):
    """The action ``text`` of the context menu of the saved search ``name``, as the user
    gets it by right-clicking its row."""
    shown: list[QMenu] = []

    class Menu(QMenu):  # the menu the sidebar makes, kept rather than shown
        def exec(self, *args):
            shown.append(self)

    monkeypatch.setattr(sidebar, "QMenu", Menu)
    tree = window.sidebar.tree
    index = window.sidebar.model.index_of(source_of(window, name))
    tree.scrollTo(index)
    point: QPoint = tree.visualRect(index).center()
    tree.customContextMenuRequested.emit(point)
    assert shown, "no context menu"
    entries = {a.text(): a for a in shown[0].actions()}
    assert text in entries, f"{text} not in {list(entries)}"
    return entries[text]


def wait_for_rows(qtbot, window, expected: list[str]) -> None:
    qtbot.waitUntil(lambda: rows(window) == expected, timeout=5000)


def test_save_search_from_the_search_box(window, qtbot, answers):
    button = window.save_search_button
    assert not button.isVisible()
    type_search(qtbot, window, "balloon")
    assert button.isVisible()  # there while the box holds text
    answers.give("Balloons")
    button.trigger()
    assert answers.asked == ["Save Search Name: balloon"]  # the query offered as the name
    saved = window.library.searches.named("Balloons")
    assert saved.query == "balloon"
    assert window.sidebar.source == Source(SEARCH, search=saved)  # shown at once
    assert window.search_box.text() == ""
    assert shown_titles(window) == [BALLOON]
    wait_for_rows(qtbot, window, ["Balloons (1)"])
    assert window.count_label.text() == "1 item"


def test_save_search_from_the_file_menu_asks_for_the_query_when_the_box_is_empty(
    window, qtbot, answers
):
    answers.give("obesity", "Obesity papers")
    menu_action(window, "File", "Save Search").trigger()
    assert window.library.searches.named("Obesity papers").query == "obesity"
    assert shown_titles(window) == ["Gut microbiota and obesity"]
    wait_for_rows(qtbot, window, ["Obesity papers (1)"])


def test_cancelling_saves_nothing(window, answers):
    answers.give(None)
    menu_action(window, "File", "Save Search").trigger()
    answers.give("sinus", None)
    menu_action(window, "File", "Save Search").trigger()
    assert window.library.searches.all() == []
    assert rows(window) == []


def test_selecting_a_saved_search_shows_its_items_and_the_box_narrows_them(window, qtbot):
    window.library.searches.add("Humans", "humans")  # saved by another program, say
    window.sidebar.reload_collections()
    click_source(window, source_of(window, "Humans"))
    assert sorted(shown_titles(window)) == sorted(
        [BALLOON, "Safety and efficacy of iltamiocel cellular therapy for fecal incontinence"]
    )
    type_search(qtbot, window, "sinus")
    assert shown_titles(window) == [BALLOON]
    type_search(qtbot, window, "obesity")  # in the library, not in the saved search
    assert shown_titles(window) == []
    click_source(window, Source())
    assert shown_titles(window) == ["Gut microbiota and obesity"]


def test_counts_follow_an_import_and_a_tag_change(window, qtbot):
    window.library.searches.add("Python", "python")
    window.library.searches.add("Reviews", "review")
    window.sidebar.reload_collections()
    wait_for_rows(qtbot, window, ["Python (0)", "Reviews (1)"])
    import_and_wait(qtbot, window, lambda: window.import_paths([str(RESULT2)]))
    wait_for_rows(qtbot, window, [f"Python ({RESULT2_PYTHON})", "Reviews (1)"])
    window.editor.add_tags([id_of(window.library, "Balloon")], ["review"])
    wait_for_rows(qtbot, window, [f"Python ({RESULT2_PYTHON})", "Reviews (2)"])
    window.editor.undo_stack.undo()
    wait_for_rows(qtbot, window, [f"Python ({RESULT2_PYTHON})", "Reviews (1)"])


def test_the_table_of_a_saved_search_follows_changes(window, qtbot):
    window.library.searches.add("Reviews", "review")
    window.sidebar.reload_collections()
    click_source(window, source_of(window, "Reviews"))
    assert shown_titles(window) == ["Gut microbiota and obesity"]
    window.editor.add_tags([id_of(window.library, "Balloon")], ["review"])
    assert sorted(shown_titles(window)) == [BALLOON, "Gut microbiota and obesity"]


def test_counts_are_taken_only_for_rows_on_screen(window, qtbot):
    counts = window.sidebar.search_counts
    window.library.searches.add("Reviews", "review")
    window.sidebar.reload_collections()
    wait_for_rows(qtbot, window, ["Reviews (1)"])
    my_library = window.sidebar.model.index(0, 0)
    window.sidebar.tree.collapse(my_library)
    before = counts.counted
    window.editor.add_tags([id_of(window.library, "Balloon")], ["review"])
    counts.count_visible()  # what the timer does after a change
    assert counts.counted == before  # hidden under My Library: not run
    window.sidebar.tree.expand(my_library)
    wait_for_rows(qtbot, window, ["Reviews (2)"])
    assert counts.counted == before + 1


def test_edit_search_changes_what_it_shows(window, qtbot, monkeypatch, answers):
    window.library.searches.add("Topic", "obesity")
    window.sidebar.reload_collections()
    click_source(window, source_of(window, "Topic"))
    answers.give("sinus")
    context_action(window, monkeypatch, "Topic", "Edit Search…").trigger()
    assert answers.asked == ["Edit Search Search for: obesity"]
    assert window.library.searches.named("Topic").query == "sinus"
    assert shown_titles(window) == [BALLOON]
    wait_for_rows(qtbot, window, ["Topic (1)"])
    window.editor.undo_stack.undo()
    assert window.library.searches.named("Topic").query == "obesity"
    assert shown_titles(window) == ["Gut microbiota and obesity"]


def test_rename_from_the_context_menu_keeps_it_selected_and_undoes(
    window, qtbot, monkeypatch, answers
):
    window.library.searches.add("Topic", "obesity")
    window.sidebar.reload_collections()
    click_source(window, source_of(window, "Topic"))
    answers.give("Gut")
    context_action(window, monkeypatch, "Topic", "Rename Saved Search…").trigger()
    assert [s.name for s in window.library.searches.all()] == ["Gut"]
    wait_for_rows(qtbot, window, ["Gut (1)"])
    assert window.sidebar.source.kind == SEARCH
    assert shown_titles(window) == ["Gut microbiota and obesity"]
    window.editor.undo_stack.undo()
    wait_for_rows(qtbot, window, ["Topic (1)"])


def test_delete_from_the_context_menu_and_undo(window, qtbot, monkeypatch):
    window.library.searches.add("Topic", "obesity")
    window.sidebar.reload_collections()
    click_source(window, source_of(window, "Topic"))
    context_action(window, monkeypatch, "Topic", "Delete Saved Search").trigger()
    assert window.library.searches.all() == []
    assert rows(window) == []
    assert window.sidebar.source == Source()  # back to My Library
    assert len(shown_titles(window)) == 4  # the items stay
    window.editor.undo_stack.undo()
    assert window.library.searches.named("Topic").query == "obesity"
    wait_for_rows(qtbot, window, ["Topic (1)"])


def test_a_taken_name_a_blank_name_and_a_bad_query_are_refused_plainly(
    window, qtbot, answers, shown_errors
):
    window.library.searches.add("Topic", "obesity")
    window.sidebar.reload_collections()
    type_search(qtbot, window, "sinus")
    answers.give("TOPIC")
    window.save_search_button.trigger()
    answers.give("")
    window.save_search_button.trigger()
    type_search(qtbot, window, "?")
    answers.give("Odd")
    window.save_search_button.trigger()
    assert shown_errors == [
        "There is already a saved search called 'Topic'.",
        "A saved search needs a name: it cannot be blank.",
        "Cannot save 'Odd': the query '?' has no words to search for",
    ]
    assert [(s.name, s.query) for s in window.library.searches.all()] == [("Topic", "obesity")]
    assert window.editor.undo_stack.count() == 0  # nothing refused is kept for undo
    assert window.search_box.text() == "?"  # the box keeps what was typed


def test_a_saved_search_row_cannot_take_drops(window):
    window.library.searches.add("Topic", "obesity")
    window.sidebar.reload_collections()
    index = window.sidebar.model.index_of(source_of(window, "Topic"))
    assert not index.flags() & Qt.ItemFlag.ItemIsDropEnabled


def test_counts_follow_a_note_once_typing_pauses(window, qtbot):
    window.library.searches.add("Zebrafish", "zebrafish")
    window.sidebar.reload_collections()
    wait_for_rows(qtbot, window, ["Zebrafish (0)"])
    item_id = id_of(window.library, "Gut")
    window.editor.run(lambda: window.library.notes.add(item_id, "<p>zebrafish model</p>")[1])
    wait_for_rows(qtbot, window, ["Zebrafish (1)"])
