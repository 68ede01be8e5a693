"""The style picker of File > Export and Preferences: matches ranked as a person typing a title
expects, the best one chosen and scrolled to, two lines a row (the title, whole or shortened in
its middle, and the style's description), the whole title in the tooltip and under the list."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from refman.formats.csl.catalogue import _catalogue
from refman.gui.preferences import STYLE_KEY, PreferencesDialog
from refman.gui.style_picker import DESCRIPTION_ROLE, StylePicker
from tests.unit.gui.helpers import menu_action

CSL = "{http://purl.org/net/xbiblio/csl}"
NLM_VARIANT = re.compile(r"^NLM/Vancouver: Citing Medicine 2nd edition \(")


@pytest.fixture
def picker(qtbot) -> StylePicker:
    """A picker on AMA, as wide as the export dialog gives it."""
    picker = StylePicker("american-medical-association")
    qtbot.addWidget(picker)
    picker.resize(380, 420)
    picker.show()
    qtbot.waitExposed(picker)
    return picker


def type_filter(picker: StylePicker, text: str) -> None:
    picker.filter.setFocus()
    picker.filter.selectAll()
    QTest.keyClicks(picker.filter, text)


def info(style_id: str) -> ET.Element:
    """The ``<info>`` of an installed style, read with an XML parser."""
    path = _catalogue()[style_id].path
    found = ET.parse(path).getroot().find(f"{CSL}info")
    assert found is not None
    return found


def visible(picker: StylePicker, row: int) -> bool:
    rect = picker.list.visualRect(picker.model.index(row, 0))
    return picker.list.viewport().rect().contains(rect)


def test_titles_that_start_with_the_word_come_first_then_titles_that_hold_it(picker):
    type_filter(picker, "vancouver")
    titles = [t.casefold() for t in picker.shown_titles()]
    starts = [t.startswith("vancouver") for t in titles]
    holds = ["vancouver" in t for t in titles]
    assert starts[0] and starts == sorted(starts, reverse=True)  # the title starts, first
    assert holds == sorted(holds, reverse=True)  # then titles holding it, then the rest
    assert any(holds) and not all(holds)  # the rest: found by summary, short title or id
    for title in titles[holds.index(False) :]:  # and each of those is a match
        style = picker.model.style_at(titles.index(title))
        assert "vancouver" in f"{style.id} {style.short_title} {style.summary}".casefold()


def test_a_word_start_in_the_title_beats_a_match_inside_a_word(picker):
    type_filter(picker, "cell")
    titles = [t.casefold() for t in picker.shown_titles()]
    at_word = [bool(re.search(r"(^|\W)cell", t)) for t in titles]
    assert at_word[0] and False in at_word  # "Cell" itself; "...Intracellular..." later
    assert at_word == sorted(at_word, reverse=True)
    assert titles[0] == "cell"


def test_accents_and_punctuation_are_set_aside(picker):
    type_filter(picker, "medecine")
    assert picker.shown_titles()[0].startswith("Médecine")
    type_filter(picker, "nlm vancouver citing")
    assert all(NLM_VARIANT.match(t) for t in picker.shown_titles()[:9])


def test_the_best_match_is_chosen_as_one_types_and_a_click_chooses_another(picker, qtbot):
    chosen = []
    picker.style_changed.connect(chosen.append)
    type_filter(picker, "lancet")
    assert chosen[-1] == picker.style() == "the-lancet"
    assert picker.list.currentIndex().row() == 0 and visible(picker, 0)
    assert picker.current_label.text() == "Style: The Lancet"
    index = picker.model.index(2, 0)
    rect = picker.list.visualRect(index)
    QTest.mouseClick(picker.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert chosen[-1] == picker.model.style_at(2).id == picker.style()


def test_clearing_the_filter_scrolls_the_whole_list_to_the_chosen_style(picker, qtbot):
    type_filter(picker, "zoological journal of the linnean")
    chosen = picker.style()
    QTest.keyClick(picker.filter, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(picker.filter, Qt.Key.Key_Delete)
    assert picker.model.rowCount() > 10_000
    row = picker.model.row_of(chosen)
    assert row is not None and row > 10_000  # near the end of the list
    assert picker.list.currentIndex().row() == row and visible(picker, row)
    assert picker.style() == chosen


def test_up_and_down_in_the_filter_move_through_the_matches(picker, qtbot):
    type_filter(picker, "nature")
    second = picker.model.style_at(1).id
    QTest.keyClick(picker.filter, Qt.Key.Key_Down)
    assert picker.style() == second
    QTest.keyClick(picker.filter, Qt.Key.Key_Up)
    QTest.keyClick(picker.filter, Qt.Key.Key_Up)  # stays on the first
    assert picker.style() == picker.model.style_at(0).id
    assert picker.filter.hasFocus()


def test_words_that_match_nothing_go_back_to_the_style_chosen_before(picker):
    type_filter(picker, "lancet")
    type_filter(picker, "no style is called this")
    assert picker.shown_titles() == []
    assert picker.style() == "american-medical-association"  # as before the search
    type_filter(picker, "lancet")
    second = picker.model.style_at(1).id
    QTest.keyClick(picker.filter, Qt.Key.Key_Down)  # the keyboard chooses too
    type_filter(picker, "no style is called this")
    assert picker.style() == second


def test_the_nine_nlm_vancouver_variants_are_told_apart(picker):
    type_filter(picker, "nlm vancouver citing medicine")
    rows = [r for r, t in enumerate(picker.shown_titles()) if NLM_VARIANT.match(t)]
    assert len(rows) >= 9  # nine in the styles package of this writing
    delegate = picker.list.itemDelegate()
    font = picker.list.font()
    shown = [
        delegate.shown_texts(picker.model.index(r, 0), delegate.text_width(), font)[0] for r in rows
    ]
    assert len({" ".join(lines) for lines in shown}) == len(rows)  # each reads differently
    wrapped = [r for r, lines in zip(rows, shown, strict=True) if len(lines) == 2]
    assert wrapped and len(wrapped) < len(rows)  # the long ones wrap, at this width
    for row in rows:  # the tooltip gives each whole
        tip = picker.model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
        assert tip.splitlines()[0] == picker.model.style_at(row).title


def test_each_style_is_described_by_its_format_fields_and_summary(picker):
    type_filter(picker, "apa style 7th edition")
    assert picker.style() == "apa"
    apa = info("apa")
    summary = " ".join(apa.findtext(f"{CSL}summary", "").split())
    fmt = apa.find(f"{CSL}category[@citation-format]").get("citation-format")
    description = picker.model.index(0, 0).data(DESCRIPTION_ROLE)
    assert description.startswith(fmt.capitalize())  # Author-date
    assert summary and summary in description
    assert "psychology" in description
    assert summary in picker.description_label.text()
    assert "Id: apa" in picker.description_label.text()


def test_a_journal_style_is_described_by_the_layout_it_takes(picker):
    type_filter(picker, "the lancet oncology")
    assert picker.style() == "the-lancet-oncology"
    oncology = info("the-lancet-oncology")
    parent = next(
        link.get("href")
        for link in oncology.iter(f"{CSL}link")
        if link.get("rel") == "independent-parent"
    )
    parent_title = info(Path(parent).name).findtext(f"{CSL}title")
    description = picker.model.index(0, 0).data(DESCRIPTION_ROLE)
    assert description.endswith(f"the layout of {parent_title}")
    assert "medicine" in description


def test_return_in_preferences_keeps_the_best_match_typed(window, qtbot, settings):
    menu_action(window, "Edit", "Preferences").trigger()
    dialog = window.findChild(PreferencesDialog)
    qtbot.waitExposed(dialog)
    type_filter(dialog.picker, "nature")
    assert dialog.picker.current_label.text() == "Style: Nature"
    QTest.keyClick(dialog.picker.filter, Qt.Key.Key_Return)  # the dialog's OK, too
    assert not dialog.isVisible()
    assert settings.value(STYLE_KEY) == "nature"
