"""The detail pane: fields edited in place with undo, the citation, creators, tags, bulk tags."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMessageBox

from refman.gui import dialogs
from refman.gui.creators_editor import NAME_COLUMN, ROLE_COLUMN
from refman.gui.links import UNOPENED_BOX
from refman.model import EDITOR, Creator, PartialDate, ViewQuery
from tests.samples import DATA
from tests.unit.gui.helpers import (
    close_window,
    expected_citation,
    id_of,
    make_window,
    shown_titles,
)


@pytest.fixture
def knowles(window):
    item_id = id_of(window.library, "Safety")
    window.table.select_ids([item_id])
    return item_id


def type_into(widget, text: str, *, clear: bool = True) -> None:
    widget.setFocus()
    if clear:
        widget.selectAll()
        QTest.keyClick(widget, Qt.Key.Key_Delete)
    QTest.keyClicks(widget, text)


def test_the_selected_item_is_shown_in_the_info_tab(window, knowles):
    detail = window.detail
    assert detail.currentWidget() is detail.tabs
    fields = detail.fields.fields
    assert fields["title"].toPlainText().startswith("Safety and efficacy")
    assert fields["container_title"].text() == "Annals of surgery"
    assert fields["date"].text() == "2023 Dec 1"
    assert (
        'href="https://doi.org/10.1097/SLA.0000000000005894"' in detail.fields.links["doi"].text()
    )
    assert "https://pubmed.ncbi.nlm.nih.gov/37144409/" in detail.fields.links["pmid"].text()
    assert detail.fields.collections.text() == "None"


def test_editing_the_title_in_place_then_undo_and_redo(window, knowles, qtbot):
    title = window.detail.fields.fields["title"]
    type_into(title, "A better title")
    QTest.keyClick(title, Qt.Key.Key_Return)
    assert window.library.items.get(knowles).title == "A better title"
    assert "A better title" in shown_titles(window)
    window.table.setFocus()
    QTest.keySequence(window, "Ctrl+Z")
    assert window.library.items.get(knowles).title.startswith("Safety and efficacy")
    assert title.toPlainText().startswith("Safety and efficacy")
    QTest.keySequence(window, "Ctrl+Shift+Z")
    assert window.library.items.get(knowles).title == "A better title"
    assert title.toPlainText() == "A better title"


def test_a_field_is_saved_when_it_loses_focus(window, knowles):
    journal = window.detail.fields.fields["container_title"]
    type_into(journal, "Ann Surg")
    window.table.setFocus()
    assert window.library.items.get(knowles).container_title == "Ann Surg"


def test_typing_is_saved_to_its_item_when_the_selection_moves(window, knowles):
    volume = window.detail.fields.fields["volume"]
    type_into(volume, "999")
    other = id_of(window.library, "Gut")
    window.table.select_ids([other])  # focus never left the field
    assert window.library.items.get(knowles).volume == "999"
    assert window.library.items.get(other).volume == ""
    assert volume.text() == ""


def test_a_date_is_read_from_what_the_user_types(window, knowles):
    date = window.detail.fields.fields["date"]
    type_into(date, "2020 Mar 5")
    QTest.keyClick(date, Qt.Key.Key_Return)
    assert window.library.items.get(knowles).date == PartialDate(2020, 3, 5, "2020 Mar 5")
    row = window.table_model.row_of(knowles)
    assert window.table_model.index(row, 2).data() == "2020"


def test_a_date_without_a_year_is_refused_in_plain_words(window, knowles, monkeypatch):
    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, message: errors.append(message))
    date = window.detail.fields.fields["date"]
    type_into(date, "sometime")
    QTest.keyClick(date, Qt.Key.Key_Return)
    assert errors and "has no year" in errors[0]
    assert window.library.items.get(knowles).date.year == 2023
    assert date.text() == "2023 Dec 1"


def test_the_item_type_is_chosen_from_a_list(window, knowles):
    combo = window.detail.fields.item_type
    combo.setCurrentIndex(combo.findData("book"))
    combo.activated.emit(combo.currentIndex())
    assert window.library.items.get(knowles).item_type == "book"


def test_the_doi_link_follows_an_edit(window, knowles):
    doi = window.detail.fields.fields["doi"]
    type_into(doi, "10.1000/xyz")
    QTest.keyClick(doi, Qt.Key.Key_Return)
    assert 'href="https://doi.org/10.1000/xyz"' in window.detail.fields.links["doi"].text()


# --- the citation box -------------------------------------------------------------------------


def citation_text(window) -> str:
    """The Citation box as the user reads it."""
    document = QTextDocument()
    document.setHtml(window.detail.citation.label.text())
    return document.toPlainText().strip()


def test_the_citation_box_shows_the_item_in_the_default_style(seed_window, qtbot):
    seed_window.table.select_ids([id_of(seed_window.library, "Safety")])
    qtbot.waitUntil(lambda: "Knowles CH" in citation_text(seed_window))
    assert citation_text(seed_window) == expected_citation("american-medical-association").strip()
    assert "<i>Ann Surg</i>" in seed_window.detail.citation.label.text()


def test_the_citation_box_follows_edits_and_the_selection(window, knowles, qtbot):
    qtbot.waitUntil(lambda: "Knowles CH" in citation_text(window))
    title = window.detail.fields.fields["title"]
    type_into(title, "A better title")
    QTest.keyClick(title, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "A better title" in citation_text(window))
    window.table.select_ids([id_of(window.library, "Gut")])
    qtbot.waitUntil(lambda: citation_text(window).startswith("1. Zhang L. Gut microbiota"))


# --- creators ---------------------------------------------------------------------------------


def creator_names(library, item_id) -> list[str]:
    return [c.display_name for c in library.items.get(item_id).creators]


def test_add_a_creator(window, knowles, qtbot):
    creators = window.detail.fields.creators
    QTest.mouseClick(creators.buttons["+"], Qt.MouseButton.LeftButton)
    assert creators.table.state() == QAbstractItemView.State.EditingState
    name_editor = QApplication.focusWidget()
    QTest.keyClicks(name_editor, "Jankowski, Ron J")
    QTest.keyClick(name_editor, Qt.Key.Key_Return)  # the view commits on its next turn
    qtbot.waitUntil(lambda: len(creator_names(window.library, knowles)) == 4)
    names = creator_names(window.library, knowles)
    assert names == [
        "Knowles, Charles H",
        "Canestrari, Emanuele",
        "Raval, Manoj J",
        "Jankowski, Ron J",
    ]


def test_remove_and_reorder_creators_then_undo(window, knowles):
    creators = window.detail.fields.creators
    creators.table.selectRow(1)
    QTest.mouseClick(creators.buttons["−"], Qt.MouseButton.LeftButton)
    assert creator_names(window.library, knowles) == ["Knowles, Charles H", "Raval, Manoj J"]
    creators.table.selectRow(1)
    QTest.mouseClick(creators.buttons["↑"], Qt.MouseButton.LeftButton)
    assert creator_names(window.library, knowles) == ["Raval, Manoj J", "Knowles, Charles H"]
    assert creators.table.currentRow() == 0  # the moved creator stays selected
    QTest.mouseClick(creators.buttons["↓"], Qt.MouseButton.LeftButton)
    assert creator_names(window.library, knowles) == ["Knowles, Charles H", "Raval, Manoj J"]
    window.editor.undo_stack.undo()
    window.editor.undo_stack.undo()
    window.editor.undo_stack.undo()
    assert len(creator_names(window.library, knowles)) == 3


def test_renaming_a_creator_keeps_what_is_not_shown(window, papers_library):
    ref_id, _ = papers_library.items.add(
        papers_library.items.get(id_of(papers_library, "Gut")).with_changes(
            id=None,
            title="With affiliations",
            creators=(Creator("Zhang", "L", affiliations=("Peking University",)),),
        )
    )
    window.editor.notify(_)
    window.table.select_ids([ref_id])
    window.detail.fields.creators.table.item(0, NAME_COLUMN).setText("Zhang, Li")
    creator = papers_library.items.get(ref_id).creators[0]
    assert (creator.family, creator.given, creator.affiliations) == (
        "Zhang",
        "Li",
        ("Peking University",),
    )


def test_a_name_without_a_comma_is_a_group(window, knowles):
    window.detail.fields.creators.table.item(0, NAME_COLUMN).setText("WHO Study Group")
    assert window.library.items.get(knowles).creators[0].literal == "WHO Study Group"


def test_a_creator_can_be_an_editor(window, knowles):
    window.detail.fields.creators.table.item(2, ROLE_COLUMN).setText("Editor")
    assert window.library.items.get(knowles).creators[2].role == EDITOR


# --- tags -------------------------------------------------------------------------------------


def test_tagging_from_the_detail_pane_with_completion_then_undo(window, knowles):
    tags = window.detail.tags
    assert "review" in tags.input.names.stringList()  # the completer knows the library's tags
    type_into(tags.input, "to read")
    QTest.keyClick(tags.input, Qt.Key.Key_Return)
    assert "to read" in [t.name for t in window.library.items.get(knowles).tags]
    assert "to read" in tags.names()
    window.editor.undo_stack.undo()
    assert "to read" not in [t.name for t in window.library.items.get(knowles).tags]


def test_removing_a_tag_from_the_detail_pane(window, knowles):
    tags = window.detail.tags
    row = tags.names().index("Humans")
    tags.list.item(row).setSelected(True)
    QTest.mouseClick(tags.remove_button, Qt.MouseButton.LeftButton)
    assert "Humans" not in [t.name for t in window.library.items.get(knowles).tags]


def test_automatic_tags_are_muted_in_the_detail_pane(window, knowles):
    tags = window.detail.tags
    item = tags.list.item(tags.names().index("Fecal Incontinence"))
    assert item.font().italic()
    assert item.text() == "*Fecal Incontinence"  # the MeSH heading as MEDLINE prints it


def test_the_collections_of_the_item_are_listed(window, knowles):
    for name in ("Surgery", "Trials"):
        collection, changes = window.library.collections.create(name)
        window.editor.add_to_collection([knowles], collection.id)
    assert window.detail.fields.collections.text() == "Surgery, Trials"


# --- several items ----------------------------------------------------------------------------


def test_several_items_selected_are_tagged_at_once(window):
    window.table.selectAll()
    detail = window.detail
    assert detail.currentWidget() is detail.multi
    assert detail.multi.count_label.text() == "4 items selected"
    tagger = detail.multi.tagger
    type_into(tagger.input, "batch")
    QTest.mouseClick(tagger.add_button, Qt.MouseButton.LeftButton)
    assert len(window.library.items.search(ViewQuery(tags=["batch"]))) == 4
    type_into(tagger.input, "batch")
    QTest.mouseClick(tagger.remove_button, Qt.MouseButton.LeftButton)
    assert window.library.items.search(ViewQuery(tags=["batch"])) == []


def test_nothing_selected_says_so(window):
    window.table.clearSelection()
    assert window.detail.currentWidget() is window.detail.empty


def test_a_blank_tag_in_the_tag_field_is_refused_plainly(window, knowles, shown_errors):
    tags = window.detail.tags
    before = window.library.items.get(knowles).tags
    QTest.keyClick(tags.input, Qt.Key.Key_Return)  # nothing typed: nothing to say
    assert shown_errors == []
    type_into(tags.input, "   ")
    QTest.keyClick(tags.input, Qt.Key.Key_Return)
    assert shown_errors == ["A tag needs a name: it cannot be blank."]
    assert window.library.items.get(knowles).tags == before
    assert window.editor.undo_stack.count() == 0


def test_a_blank_tag_for_several_items_is_refused_plainly(window, shown_errors):
    window.table.selectAll()
    tagger = window.detail.multi.tagger
    type_into(tagger.input, "  ")
    QTest.mouseClick(tagger.add_button, Qt.MouseButton.LeftButton)
    assert shown_errors == ["A tag needs a name: it cannot be blank."]
    assert window.editor.undo_stack.count() == 0


@pytest.fixture
def notices_window(qtbot, library, settings):
    library.importing.files(
        [DATA / "import" / "pubmedxml" / "corrections.nbib", DATA / "duplicates" / "errata.nbib"]
    )
    library.importing.text("PMID- 41000009\nTI  - A commented paper.\nCIN - Lancet. 2020;1:1.\n")
    window = make_window(qtbot, library, settings)
    yield window
    close_window(qtbot, window)


def select_pmid(window, pmid: str) -> None:
    (item_id,) = [
        i for i in window.library.items.all_ids() if window.library.items.get(i).pmid == pmid
    ]
    window.table.select_ids([item_id])


def test_a_retracted_item_shows_a_banner_with_its_notices_linked_to_pubmed(notices_window):
    select_pmid(notices_window, "39000001")
    banner = notices_window.detail.notice_banner
    assert banner.isVisible() and banner.warning
    text = banner.text()
    assert (
        '<b><a href="https://pubmed.ncbi.nlm.nih.gov/39000004/">'
        "Retracted: J Example Stud. 2021;14(2):50 (PMID 39000004)</a></b>" in text
    )
    assert "https://pubmed.ncbi.nlm.nih.gov/39000002/" in text  # the erratum
    assert "Comment in: J Example Stud. 2020;13(1):1-2" in text
    # A click on a notice (Qt's linkActivated) opens it, or says no browser could be started.
    banner.linkActivated.emit("https://pubmed.ncbi.nlm.nih.gov/39000004/")
    shown = notices_window.findChild(QMessageBox, UNOPENED_BOX)
    assert shown is not None and "https://pubmed.ncbi.nlm.nih.gov/39000004/" in shown.text()


def test_the_banner_goes_for_an_item_without_notices_and_is_plain_for_comments(notices_window):
    select_pmid(notices_window, "39000001")
    select_pmid(notices_window, "99200004")
    assert not notices_window.detail.notice_banner.isVisible()
    select_pmid(notices_window, "41000009")
    banner = notices_window.detail.notice_banner
    assert banner.isVisible() and not banner.warning
    assert banner.text() == "Comment in: Lancet. 2020;1:1."  # no PMID: no link
