"""The built-in PDF viewer: a PDF attached to an item opens in a tab of the window, shows its
pages, pages on and zooms, finds words and counts them, copies text, and has the item's
details beside it; a file that cannot be shown is told in plain words, and no tab opens."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtTest import QTest

from refman.gui import viewer_tabs
from refman.gui.pdf_viewer import PdfTab
from tests.pdf_maker import make_pdf
from tests.samples import PAPERS
from tests.unit.gui.helpers import id_of, menu_action

PDFS = Path(__file__).resolve().parents[2] / "data" / "pdf"
ARTICLE = PDFS / "rehabil-res-pract-2010-hindawi.pdf"
ARTICLE_WORD = "rehabilitation"  # in its journal's name, on page 1 and in the text after
WAIT_MS = 10_000
DARK_PIXELS = 50  # a page with a line of text on it has more than this many dark pixels
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def attach(window, path: Path, title_start: str = "Safety") -> int:
    """Attach the file at ``path`` to the paper whose title starts so; the attachment's id."""
    item_id = id_of(window.library, title_start)
    report = window.library.attachments.attach(item_id, [path])
    assert report.attached, report.failed
    return report.attached[0]


def open_tab(window, qtbot, path: Path = ARTICLE) -> PdfTab:
    window.view_attachment(attach(window, path))
    tab = window.viewer_tabs.current_pdf()
    assert tab is not None
    qtbot.waitUntil(lambda: ink(tab) > DARK_PIXELS, timeout=WAIT_MS)  # rendered in the background
    return tab


def picture(tab: PdfTab) -> QImage:
    return tab.view.viewport().grab().toImage()


def ink(tab: PdfTab) -> int:
    """How many of the page area's pixels are dark (text, lines, figures)."""
    image = picture(tab).convertToFormat(QImage.Format.Format_Grayscale8)
    data = bytes(image.constBits())
    step, width = image.bytesPerLine(), image.width()
    rows = b"".join(data[y * step : y * step + width] for y in range(image.height()))
    return len(rows) - len(rows.translate(None, bytes(range(128))))


def made_pdf(tmp_path, lines: list[str], name: str = "made.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(make_pdf(lines))
    return path


def settle_count(qtbot, tab: PdfTab) -> int:
    """The number of matches once the model has read every page."""
    last = [-1]

    def stable() -> bool:
        now = tab.match_count()
        same = now == last[0]
        last[0] = now
        return same and now > 0

    qtbot.waitUntil(stable, timeout=WAIT_MS)
    return tab.match_count()


# --- showing ------------------------------------------------------------------------------


def test_a_pdf_opens_in_a_tab_of_its_own_on_its_first_page(window, qtbot):
    assert window.viewer_tabs.tabBar().isHidden()  # the library alone: no tab bar
    tab = open_tab(window, qtbot)
    tabs = window.viewer_tabs
    assert tabs.count() == 2 and tabs.currentWidget() is tab
    assert tabs.tabBar().isVisible()
    assert tabs.tabText(tabs.indexOf(tab)) == ARTICLE.name
    assert tabs.tabToolTip(tabs.indexOf(tab)) == str(tab.path)
    assert tab.path.read_bytes() == ARTICLE.read_bytes()  # the attachment's stored copy
    pages = len(pypdfium2.PdfDocument(str(ARTICLE)))
    assert tab.document.pageCount() == pages
    assert tab.page() == 0
    assert tab.page_box.text() == f"1 / {pages}"
    assert ink(tab) > 100 * DARK_PIXELS  # a page of text, not a blank page


def test_the_library_tab_stays_as_it_was(window, qtbot):
    tab = open_tab(window, qtbot)
    tabs = window.viewer_tabs
    assert tabs.widget(0) is window.splitter
    close_buttons = [tabs.tabBar().tabButton(0, side) for side in tabs.tabBar().ButtonPosition]
    assert not any(b is not None and b.isVisible() for b in close_buttons)
    tabs.setCurrentIndex(0)
    assert window.table.isVisible() and not tab.isVisible()


def test_next_page_and_the_page_box_move_through_the_pdf(window, qtbot):
    tab = open_tab(window, qtbot)
    first = picture(tab)
    tab.next_page.trigger()
    qtbot.waitUntil(lambda: tab.page() == 1, timeout=WAIT_MS)
    assert tab.page_box.text() == f"2 / {tab.document.pageCount()}"
    qtbot.waitUntil(lambda: picture(tab) != first, timeout=WAIT_MS)
    tab.page_box.setValue(tab.document.pageCount())
    qtbot.waitUntil(lambda: tab.page() == tab.document.pageCount() - 1, timeout=WAIT_MS)
    assert not tab.next_page.isEnabled()
    tab.previous_page.trigger()
    qtbot.waitUntil(lambda: tab.page() == tab.document.pageCount() - 2, timeout=WAIT_MS)


def test_zoom_in_out_and_fit_change_the_size_shown(window, qtbot):
    tab = open_tab(window, qtbot)
    fitted = tab.zoom()
    before = picture(tab)
    tab.view.setFocus()
    QTest.keyClick(tab.view, Qt.Key.Key_Plus, CTRL)
    assert tab.zoom() == pytest.approx(fitted * 1.25)
    assert tab.zoom_label.text() == f"{round(fitted * 125)}%"
    qtbot.waitUntil(lambda: picture(tab) != before, timeout=WAIT_MS)
    QTest.keyClick(tab.view, Qt.Key.Key_Minus, CTRL)
    QTest.keyClick(tab.view, Qt.Key.Key_Minus, CTRL)
    assert tab.zoom() == pytest.approx(fitted / 1.25)
    tab.fit_page.trigger()
    page = tab.document.pagePointSize(0)
    shown = page * tab.zoom() * tab.view.logicalDpiX() / 72
    assert shown.height() <= tab.view.viewport().height()  # the whole page in view
    QTest.keyClick(tab.view, Qt.Key.Key_0, CTRL)
    assert tab.zoom() == pytest.approx(fitted)


# --- find and copy -----------------------------------------------------------------------


def test_find_counts_the_matches_and_shows_each_in_turn(window, qtbot, tmp_path):
    lines = ["A balloon here.", "No match on this line.", "Balloon again,", "and a balloon."]
    tab = open_tab(window, qtbot, made_pdf(tmp_path, lines))
    QTest.keyClick(window, Qt.Key.Key_F, CTRL)  # Find, in a PDF's tab: its find bar
    assert tab.find_bar.isVisible() and tab.find_bar.box.hasFocus()
    assert not window.search_box.hasFocus()
    QTest.keyClicks(tab.find_bar.box, "balloon")
    expected = sum(line.lower().count("balloon") for line in lines)
    assert settle_count(qtbot, tab) == expected
    assert tab.find_bar.count.text() == f"1 of {expected} matches"
    assert tab.view.currentSearchResultIndex() == 0
    QTest.keyClick(tab.find_bar.box, Qt.Key.Key_Return)
    assert tab.find_bar.count.text() == f"2 of {expected} matches"
    QTest.keyClick(tab.view, Qt.Key.Key_F3)
    assert tab.find_bar.count.text() == f"3 of {expected} matches"
    QTest.keyClick(tab.view, Qt.Key.Key_F3)  # round to the first
    assert tab.find_bar.count.text() == f"1 of {expected} matches"
    QTest.keyClick(tab.view, Qt.Key.Key_F3, SHIFT)
    assert tab.find_bar.count.text() == f"{expected} of {expected} matches"
    assert tab.view.currentSearchResultIndex() == expected - 1
    tab.find_bar.box.setText("zeppelin")
    assert tab.find_bar.count.text() == "No matches"
    tab.find_bar.box.setText("balloon")
    settle_count(qtbot, tab)
    QTest.keyClick(tab.find_bar.box, Qt.Key.Key_Escape)  # closed: nothing highlighted
    assert not tab.find_bar.isVisible() and tab.search.searchString() == ""
    assert tab.match_count() == 0 and tab.view.hasFocus()
    QTest.keyClick(window, Qt.Key.Key_F, CTRL)  # open again: the words looked for again
    assert tab.find_bar.box.hasFocus() and tab.find_bar.box.selectedText() == "balloon"
    assert settle_count(qtbot, tab) == expected


def test_find_in_a_real_article_scrolls_to_the_match(window, qtbot):
    tab = open_tab(window, qtbot)
    page_text = tab.page_text(tab.document.pageCount() - 1).casefold()
    word = next(w for w in page_text.split() if w.isalpha() and len(w) > 9)  # on the last page
    tab.open_find()
    tab.find_bar.box.setText(word)
    count = settle_count(qtbot, tab)
    assert tab.find_bar.count.text().endswith(f"of {count} match{'es' * (count != 1)}")
    tab.show_match(count - 1)
    last = tab.search.resultAtIndex(count - 1).page()
    qtbot.waitUntil(lambda: tab.page() == last, timeout=WAIT_MS)


def test_copy_puts_the_match_and_its_words_around_on_the_clipboard(window, qtbot, tmp_path):
    lines = ["The balloon dilation was safe in every patient."]
    tab = open_tab(window, qtbot, made_pdf(tmp_path, lines))
    tab.open_find()
    tab.find_bar.box.setText("BALLOON")
    settle_count(qtbot, tab)
    tab.view.setFocus()
    QTest.keyClick(tab.view, Qt.Key.Key_C, CTRL)
    copied = QGuiApplication.clipboard().text()
    assert "balloon" in copied  # as the PDF has it, not as typed
    assert "dilation" in copied and "The" in copied


def test_copy_page_text_copies_the_page_shown(window, qtbot):
    tab = open_tab(window, qtbot)
    tab.copy_page.trigger()
    copied = QGuiApplication.clipboard().text()
    assert ARTICLE_WORD in copied.casefold()
    assert copied == tab.document.getAllText(0).text().replace("\r\n", "\n")
    QTest.keyClick(tab.view, Qt.Key.Key_C, CTRL)  # no match: Ctrl+C copies the page too
    assert QGuiApplication.clipboard().text() == copied


def text_lines(tab: PdfTab) -> list[tuple[int, int, int]]:
    """The lines of text QPdfView drew, from its pixels: each line's middle row (in the
    viewport), and its dark pixels' left and right ends."""
    image = picture(tab).convertToFormat(QImage.Format.Format_Grayscale8)
    step, data = image.bytesPerLine(), bytes(image.constBits())
    inked = []
    for y in range(image.height()):
        row = data[y * step : y * step + image.width()]
        dark = [x for x, value in enumerate(row) if value < 128]
        inked.append((dark[0], dark[-1]) if dark else None)
    lines, start = [], None
    for y, ends in enumerate([*inked, None]):
        if ends and start is None:
            start = y
        elif not ends and start is not None:
            band = [e for e in inked[start:y] if e]
            lines.append(((start + y) // 2, min(e[0] for e in band), max(e[1] for e in band)))
            start = None
    return lines


def test_text_dragged_over_with_the_mouse_is_selected_and_copied(window, qtbot, tmp_path):
    lines = ["First line of the page.", "The balloon dilation was safe.", "Last line here."]
    tab = open_tab(window, qtbot, made_pdf(tmp_path, lines))
    drawn = text_lines(tab)
    assert len(drawn) == len(lines)
    middle, left, right = drawn[1]
    viewport = tab.view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=QPoint(left - 2, middle))
    QTest.mouseMove(viewport, QPoint((left + right) // 2, middle))
    QTest.mouseMove(viewport, QPoint(right + 2, middle))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(right + 2, middle))
    assert tab.view.selected_text().strip() == lines[1]
    QTest.keyClick(tab.view, Qt.Key.Key_C, CTRL)
    assert QGuiApplication.clipboard().text().strip() == lines[1]
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=QPoint(left, middle))
    assert tab.view.selected_text() == ""  # a click clears it


def test_a_selection_after_zooming_in_still_takes_the_words_under_the_mouse(
    window, qtbot, tmp_path
):
    lines = ["Alpha beta gamma.", "Delta epsilon zeta."]
    tab = open_tab(window, qtbot, made_pdf(tmp_path, lines))
    tab.zoom_by(1.5)
    tab.view.horizontalScrollBar().setValue(tab.view.horizontalScrollBar().maximum() // 3)
    qtbot.waitUntil(lambda: len(text_lines(tab)) == len(lines), timeout=WAIT_MS)
    middle, left, right = text_lines(tab)[0]
    viewport = tab.view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=QPoint(left - 2, middle))
    QTest.mouseMove(viewport, QPoint(right + 2, middle))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(right + 2, middle))
    assert tab.view.selected_text().strip() == lines[0]


# --- tabs ---------------------------------------------------------------------------------


def test_viewing_an_open_pdf_again_raises_its_tab(window, qtbot):
    tab = open_tab(window, qtbot)
    window.viewer_tabs.setCurrentIndex(0)
    window.view_attachment(tab.attachment_id)
    assert window.viewer_tabs.currentWidget() is tab
    assert window.viewer_tabs.count() == 2


def test_ctrl_w_closes_the_pdf_tab_and_not_the_library(window, qtbot):
    tab = open_tab(window, qtbot)
    QTest.keyClick(tab.view, Qt.Key.Key_W, CTRL)
    assert window.viewer_tabs.count() == 1
    assert window.viewer_tabs.currentWidget() is window.splitter
    assert not menu_action(window, "File", "Close Tab").isEnabled()
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_W, CTRL)
    assert window.viewer_tabs.count() == 1 and window.isVisible()


# --- the item beside ----------------------------------------------------------------------


def test_the_items_details_are_beside_the_pdf_and_editable(window, qtbot):
    tab = open_tab(window, qtbot)
    item_id = id_of(window.library, "Safety")
    title = tab.detail.fields.fields["title"]
    assert tab.detail.isVisible()
    assert title.value() == PAPERS[0].title
    title.setFocus()
    title.selectAll()
    QTest.keyClick(title, Qt.Key.Key_Delete)
    QTest.keyClicks(title, "Safety first")
    QTest.keyClick(title, Qt.Key.Key_Return)
    assert window.library.items.get(item_id).title == "Safety first"
    window.table.select_ids([item_id])  # the library tab's pane shows the same edit
    assert window.detail.fields.fields["title"].value() == "Safety first"
    window.editor.undo_stack.undo()
    assert title.value() == PAPERS[0].title


# --- View PDF -----------------------------------------------------------------------------


def test_view_pdf_opens_the_selected_items_pdf(window, qtbot, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a PDF")
    attach(window, notes)  # a plain file first: View PDF passes over it
    attachment_id = attach(window, ARTICLE)
    actions = window.item_actions
    window.table.select_ids([id_of(window.library, "Safety")])
    assert actions.view_pdf.isEnabled()
    assert actions.view_pdf in actions.context_menu().actions()
    QTest.keyClick(window.table, Qt.Key.Key_V, CTRL | SHIFT)
    tab = window.viewer_tabs.current_pdf()
    assert tab is not None and tab.attachment_id == attachment_id


def test_view_pdf_is_off_for_an_item_without_a_pdf(window):
    window.table.select_ids([id_of(window.library, PAPERS[1].title[:12])])
    actions = window.item_actions
    assert not actions.view_pdf.isEnabled()
    assert actions.view_pdf not in actions.context_menu().actions()
    assert menu_action(window, "Edit", "View PDF") is actions.view_pdf


# --- what cannot be shown ----------------------------------------------------------------


def test_a_missing_file_is_told_and_no_tab_opens(window, shown_errors):
    attachment_id = attach(window, ARTICLE)
    row = window.library.attachments.get(attachment_id)
    stored = window.library.attachments.file(row)
    stored.unlink()
    window.view_attachment(attachment_id)
    assert len(shown_errors) == 1
    assert "missing" in shown_errors[0] and str(stored) in shown_errors[0]
    assert window.viewer_tabs.count() == 1


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("neg-not-a-pdf.pdf", "is named .pdf but is not a PDF"),
        ("neg-broken-damaged-xref.pdf", "damaged"),
        ("neg-encrypted-user-password.pdf", "locked with a password"),
    ],
)
def test_a_pdf_that_cannot_be_shown_is_told_plainly(window, shown_errors, name, words):
    window.view_attachment(attach(window, PDFS / name))
    assert len(shown_errors) == 1
    assert words in shown_errors[0] and name in shown_errors[0]
    assert window.viewer_tabs.count() == 1


def test_a_pdf_locked_only_against_changes_opens(window, qtbot):
    tab = open_tab(window, qtbot, PDFS / "neg-encrypted-owner-password-only.pdf")
    assert tab.document.pageCount() == len(
        pypdfium2.PdfDocument(str(PDFS / "neg-encrypted-owner-password-only.pdf"))
    )


def test_another_kind_of_file_opens_in_the_systems_viewer(window, monkeypatch, tmp_path):
    opened: list[Path] = []
    monkeypatch.setattr(viewer_tabs, "open_in_system_viewer", lambda p: opened.append(p) or True)
    slides = tmp_path / "slides.odp"
    shutil.copyfile(PDFS / "neg-not-a-pdf.pdf", slides)
    window.view_attachment(attach(window, slides))
    assert [p.name for p in opened] == ["slides.odp"]
    assert "slides.odp is not a PDF" in window.statusBar().currentMessage()
    assert window.viewer_tabs.count() == 1


def test_an_attachment_gone_from_the_library_is_told(window, shown_errors):
    window.view_attachment(987654)
    assert shown_errors == ["There is no attachment with id 987654."]


def test_an_attachment_moved_to_the_trash_closes_its_tab(window, qtbot):
    tab = open_tab(window, qtbot)
    window.apply(window.library.attachments.trash([tab.attachment_id]))
    assert window.viewer_tabs.count() == 1
    assert f"{ARTICLE.name} was closed" in window.statusBar().currentMessage()


def test_an_attachment_given_to_another_item_shows_that_item_beside(window, qtbot):
    tab = open_tab(window, qtbot)
    other = id_of(window.library, PAPERS[1].title[:12])
    window.apply(window.library.attachments.move([tab.attachment_id], other))
    assert window.viewer_tabs.currentWidget() is tab
    assert tab.item_id == other
    assert tab.detail.fields.fields["title"].value() == PAPERS[1].title


def test_tab_still_goes_round_the_library_after_a_pdf_was_read(window, qtbot):
    tab = open_tab(window, qtbot)
    QTest.keyClick(tab.view, Qt.Key.Key_Tab)  # in the PDF's tab: Qt's own order, no error
    window.viewer_tabs.setCurrentIndex(0)
    window.search_box.setFocus()
    QTest.keyClick(window.search_box, Qt.Key.Key_Tab)
    assert window.table.hasFocus()
    QTest.keyClick(window.table, Qt.Key.Key_Tab, SHIFT)
    assert window.search_box.hasFocus()
