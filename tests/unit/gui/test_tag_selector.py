"""The tag selector: counts, narrowing, automatic tags, colours, rename/merge/delete, drops."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog

from refman.gui import dialogs, mime
from refman.gui.main_window import MainWindow
from refman.gui.sidebar import COLLECTION, Source
from refman.gui.tag_selector import NAME_ROLE, TagFilterProxy, TagListModel, muted_text_brush
from refman.model import TagCount, TagCounts, ViewQuery
from tests.unit.gui.helpers import drop_on_index, id_of, make_window, shown_titles

COPY = Qt.DropAction.CopyAction


def filled_window(qtbot, library, settings):
    """A window whose tag list has filled (it does so just after the window's first paint)."""
    window = make_window(qtbot, library, settings)
    qtbot.waitUntil(lambda: window.sidebar.tags.filled)
    return window


@pytest.fixture
def tag_window(qtbot, window):
    """The main window once its tag list has filled."""
    qtbot.waitUntil(lambda: window.sidebar.tags.filled)
    return window


def tag_index(window, name):
    proxy = window.sidebar.tags.proxy
    for row in range(proxy.rowCount()):
        index = proxy.index(row, 0)
        if index.data(NAME_ROLE) == name:
            return index
    return None


def shown_tags(window) -> list[str]:
    proxy = window.sidebar.tags.proxy
    return [proxy.index(row, 0).data(NAME_ROLE) for row in range(proxy.rowCount())]


def click_tag(window, name) -> None:
    view = window.sidebar.tags.view
    index = tag_index(window, name)
    view.scrollTo(index)
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )


def ids_data(ids) -> QMimeData:
    data = QMimeData()
    data.setData(mime.ITEM_IDS_MIME, mime.encode_ids(ids))
    return data


def test_the_tag_models_pass_the_model_tester(qtmodeltester, tag_window):
    qtmodeltester.check(tag_window.sidebar.tags.model)
    qtmodeltester.check(tag_window.sidebar.tags.proxy)
    model = TagListModel()
    model.set_tags([TagCount("b", False, 2), TagCount("a", True, 1, "#ff0000")])
    qtmodeltester.check(model)


MANY = [
    TagCount("Alpha", True, 3),
    TagCount("alpha", False, 1),
    TagCount("Beta", True, 2, "#00ff00"),
    TagCount("beta blockers", False, 4, "#0000ff"),
    TagCount("Ölpreis", True, 1),
    TagCount("alpine", True, 5),
    TagCount("zebrafish", False, 2),
    TagCount("Zeta", True, 1),
    TagCount("unused but coloured", False, 0, "#ff0000"),
]


def listed(proxy) -> list[str]:
    return [proxy.index(row, 0).data(NAME_ROLE) for row in range(proxy.rowCount())]


def test_the_list_orders_filters_and_finds_tags_as_the_user_sees_them(qtmodeltester):
    model, proxy = TagListModel(), TagFilterProxy()
    proxy.setSourceModel(model)
    model.set_tags(TagCounts.of(MANY))
    coloured = ["beta blockers", "unused but coloured", "Beta"]  # manual ones first
    manual = ["alpha", "zebrafish"]
    automatic = ["Alpha", "alpine", "Zeta", "Ölpreis"]  # by casefold: "ö" after "z"
    assert listed(proxy) == coloured + manual + automatic
    assert proxy.index(0, 0).data(Qt.ItemDataRole.ForegroundRole).color() == QColor("#0000ff")
    proxy.set_filter_text("AL")
    assert listed(proxy) == ["alpha", "Alpha", "alpine"]
    qtmodeltester.check(proxy)
    proxy.set_show_automatic(False)
    assert listed(proxy) == ["alpha"]
    proxy.set_filter_text("")
    assert listed(proxy) == ["beta blockers", "unused but coloured", *manual]
    proxy.set_filter_text("ölp")
    assert listed(proxy) == []
    proxy.set_show_automatic(True)
    assert listed(proxy) == ["Ölpreis"]
    for name in coloured + manual + automatic:
        assert model.find(name).name == name
        assert model.index_of(name).data(NAME_ROLE) == name
    assert model.find("ALPHA") is None and not model.index_of("gamma").isValid()
    assert not proxy.mapFromSource(model.index_of("Zeta")).isValid()  # filtered out
    assert proxy.mapFromSource(model.index_of("Ölpreis")).data(NAME_ROLE) == "Ölpreis"
    model.set_tags(MANY[:2])  # a new list keeps the filter
    assert listed(proxy) == []
    proxy.set_filter_text("alp")
    assert listed(proxy) == ["alpha", "Alpha"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from(["", "", "", "#ff0000"])), max_size=40))
def test_every_mix_of_kinds_and_colours_is_listed_in_its_groups(kinds):
    """Coloured manual, coloured automatic, manual, then automatic tags, each group by name;
    each tag found at its row (the automatic rows are worked out, not listed)."""
    tags = TagCounts.of(
        TagCount(f"tag {n:02}", automatic, n + 1, color)
        for n, (automatic, color) in enumerate(kinds)
    )
    model, proxy = TagListModel(), TagFilterProxy()
    proxy.setSourceModel(model)
    model.set_tags(tags)
    groups = [(True, False), (True, True), (False, False), (False, True)]  # (coloured, automatic)
    expected = [t.name for group in groups for t in tags if (bool(t.color), t.automatic) == group]
    assert listed(proxy) == expected
    assert [model.index_of(name).row() for name in expected] == list(range(len(expected)))
    assert [t.name for t in model.tags()] == expected


def test_tags_show_their_counts_manual_before_automatic(tag_window):
    assert shown_tags(tag_window) == ["review", "sinus", "balloon", "Fecal Incontinence", "Humans"]
    assert tag_index(tag_window, "Humans").data() == "Humans  (2)"


def test_automatic_tags_look_different_and_can_be_hidden(tag_window):
    humans, review = tag_index(tag_window, "Humans"), tag_index(tag_window, "review")
    assert humans.data(Qt.ItemDataRole.FontRole).italic()
    assert humans.data(Qt.ItemDataRole.ForegroundRole) == muted_text_brush()
    assert review.data(Qt.ItemDataRole.FontRole) is None
    tag_window.sidebar.tags.show_automatic_action.trigger()
    assert shown_tags(tag_window) == ["review", "sinus"]


def test_hiding_automatic_tags_is_remembered(qtbot, papers_library, settings):
    first = make_window(qtbot, papers_library, settings)
    first.sidebar.tags.show_automatic_action.setChecked(False)
    first.close()
    second = filled_window(qtbot, papers_library, settings)
    assert shown_tags(second) == ["review", "sinus"]


def test_the_tag_list_fills_after_the_window_appears_and_still_narrows(
    qtbot, papers_library, settings
):
    window = MainWindow(papers_library, settings)
    qtbot.addWidget(window)
    assert shown_tags(window) == []  # nothing counted before the window is on screen
    window.resize(1300, 800)
    window.show()
    qtbot.waitUntil(lambda: "Humans" in shown_tags(window))
    assert shown_tags(window) == ["review", "sinus", "balloon", "Fecal Incontinence", "Humans"]
    click_tag(window, "Humans")
    assert len(shown_titles(window)) == 2
    window.close()


def test_selecting_tags_narrows_the_table(tag_window):
    click_tag(tag_window, "Humans")
    assert len(shown_titles(tag_window)) == 2
    click_tag(tag_window, "sinus")  # a second tag: items with both
    assert shown_titles(tag_window) == ["Balloon dilation of the frontal sinus"]
    click_tag(tag_window, "sinus")
    click_tag(tag_window, "Humans")
    assert len(shown_titles(tag_window)) == 4


def test_tags_and_search_narrow_together(tag_window, qtbot):
    click_tag(tag_window, "Humans")
    tag_window.search_box.setText("balloon")
    qtbot.waitUntil(lambda: shown_titles(tag_window) == ["Balloon dilation of the frontal sinus"])


def test_tag_counts_follow_the_selected_collection(tag_window):
    collection, changes = tag_window.library.collections.create("Surgery")
    tag_window.editor.notify(changes)
    tag_window.editor.add_to_collection([id_of(tag_window.library, "Safety")], collection.id)
    tag_window.sidebar.select(Source(COLLECTION, collection.id))
    assert shown_tags(tag_window) == ["Fecal Incontinence", "Humans"]
    assert tag_index(tag_window, "Humans").data() == "Humans  (1)"


def test_a_coloured_tag_comes_first_in_its_colour_and_undo_removes_it(tag_window, monkeypatch):
    monkeypatch.setattr(dialogs, "ask_color", lambda *args: "#cc3300")
    tags = tag_window.sidebar.tags
    tags.choose_color(tags.model.tag(tag_index(tag_window, "sinus").row()))
    assert shown_tags(tag_window)[0] == "sinus"
    brush = tag_index(tag_window, "sinus").data(Qt.ItemDataRole.ForegroundRole)
    assert brush.color() == QColor("#cc3300")
    tag_window.editor.undo_stack.undo()
    assert shown_tags(tag_window)[0] == "review"


def test_renaming_a_tag_renames_it_everywhere(tag_window, monkeypatch):
    monkeypatch.setattr(dialogs, "ask_text", lambda *args: "sinuses")
    tag_window.sidebar.tags.rename("sinus")
    assert "sinuses" in shown_tags(tag_window) and "sinus" not in shown_tags(tag_window)
    ref = tag_window.library.items.get(id_of(tag_window.library, "Balloon"))
    assert "sinuses" in [t.name for t in ref.tags]


def test_renaming_onto_an_existing_tag_merges_them(tag_window, monkeypatch):
    monkeypatch.setattr(dialogs, "ask_text", lambda *args: "review")
    tag_window.sidebar.tags.rename("sinus")
    assert "sinus" not in shown_tags(tag_window)
    assert tag_index(tag_window, "review").data() == "review  (2)"


def test_deleting_a_tag_removes_it_from_every_item(tag_window, monkeypatch):
    monkeypatch.setattr(dialogs, "confirm", lambda *args: True)
    tag_window.sidebar.tags.delete("Humans")
    assert "Humans" not in shown_tags(tag_window)
    assert tag_window.library.items.search(ViewQuery(tags=["Humans"])) == []


def test_a_deleted_tag_leaves_the_selection(tag_window, monkeypatch):
    click_tag(tag_window, "sinus")
    assert len(shown_titles(tag_window)) == 1
    monkeypatch.setattr(dialogs, "confirm", lambda *args: True)
    tag_window.sidebar.tags.delete("sinus")
    assert tag_window.sidebar.tags.selected == ()
    assert len(shown_titles(tag_window)) == 4


@pytest.mark.parametrize("by_events", [True, False], ids=["view events", "dropMimeData"])
def test_dropping_items_on_a_tag_tags_them(tag_window, qtbot, by_events):
    ids = [id_of(tag_window.library, "Gut"), id_of(tag_window.library, "Deep")]
    index = tag_index(tag_window, "sinus")
    if by_events:
        assert drop_on_index(tag_window.sidebar.tags.view, index, ids_data(ids))
    else:
        assert tag_window.sidebar.tags.proxy.dropMimeData(ids_data(ids), COPY, -1, -1, index)
    qtbot.waitUntil(
        lambda: (
            sorted(tag_window.library.items.search(ViewQuery(tags=["sinus"])))
            == sorted(ids + [id_of(tag_window.library, "Balloon")])
        )
    )
    assert tag_index(tag_window, "sinus").data() == "sinus  (3)"
    tag_window.editor.undo_stack.undo()  # removes it only from the items that lacked it
    assert tag_window.library.items.search(ViewQuery(tags=["sinus"])) == [
        id_of(tag_window.library, "Balloon")
    ]


def test_only_items_drop_on_tags(tag_window):
    data = QMimeData()
    data.setText("not items")
    index = tag_index(tag_window, "sinus")
    assert not tag_window.sidebar.tags.proxy.canDropMimeData(data, COPY, -1, -1, index)


def test_filtering_the_tag_list_keeps_the_selected_tags(tag_window):
    tags = tag_window.sidebar.tags
    click_tag(tag_window, "sinus")
    QTest.keyClicks(tags.filter, "rev")
    assert shown_tags(tag_window) == ["review"]
    assert len(shown_titles(tag_window)) == 1  # still narrowed by the hidden "sinus"
    tags.filter.clear()
    assert tags.view.selectionModel().isSelected(tag_index(tag_window, "sinus"))
    assert tags.selected == ("sinus",)


def test_hiding_automatic_tags_stops_them_narrowing(tag_window):
    click_tag(tag_window, "Humans")
    assert len(shown_titles(tag_window)) == 2
    tag_window.sidebar.tags.show_automatic_action.trigger()
    assert tag_window.sidebar.tags.selected == ()
    assert len(shown_titles(tag_window)) == 4


def test_renaming_a_tag_to_blank_is_refused_plainly(tag_window, monkeypatch):
    shown = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, message: shown.append(message))
    monkeypatch.setattr(dialogs, "ask_text", lambda *args: "")  # its answer for blank text
    tag_window.sidebar.tags.rename("sinus")
    assert shown == ["A tag needs a name: it cannot be blank."]
    assert "sinus" in shown_tags(tag_window) and "" not in tag_window.library.tags.names()
    assert tag_window.editor.undo_stack.count() == 0


@pytest.mark.parametrize(
    ("typed", "pressed_ok", "answer"), [("  ", True, ""), (" x ", True, "x"), ("x", False, None)]
)
def test_the_text_question_tells_a_blank_answer_from_a_cancel(
    qapp, monkeypatch, typed, pressed_ok, answer
):
    monkeypatch.setattr(QInputDialog, "getText", lambda *args: (typed, pressed_ok))
    assert dialogs.ask_text(None, "Rename Tag", "New name:") == answer


def test_a_slice_of_the_selector_s_rows_is_those_rows_alone():
    from refman.gui.tag_selector import _Rows

    rows = _Rows([4, 1], 6)  # positions 4 and 1 listed first, then the rest in order
    assert list(rows) == [4, 1, 0, 2, 3, 5]
    assert rows[1:4] == [1, 0, 2] and rows[::-3] == [5, 0] and rows[-2] == 3
