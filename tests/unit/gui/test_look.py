"""The window's first impression: its size on first start, the toolbar, the table's icons,
markers and tag colour dots, keys 1-9, the colour palette, empty views, the detail pane's
growing fields, dark palettes and sharp icons at 200%."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPalette, QStandardItemModel
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTableView

from refman.gui import dialogs, theme
from refman.gui.detail_pane import NoticeBanner
from refman.gui.item_table import COLUMNS, TAG_COLOURS_ROLE
from refman.gui.main_window import FIRST_SHARE, MainWindow
from refman.gui.resources import ICONS, item_type_icon, themed_icon
from refman.gui.sidebar import COLLECTION, TRASH, Source
from refman.gui.tag_colours import PALETTE, TagPaletteDialog
from refman.model import Reference
from tests.samples import BOOK, DATA
from tests.unit.gui.helpers import close_window, id_of, make_window

RED, BLUE = "#ff6666", "#2ea8e5"


def column_of(key: str) -> int:
    return next(i for i, c in enumerate(COLUMNS) if c.key == key)


def cell(window, item_id, key: str):
    return window.table_model.index(window.table_model.row_of(item_id), column_of(key))


@pytest.fixture
def first_window(qtbot, papers_library, settings):
    """The window as on a first start: no geometry, no splitter, no columns remembered."""
    window = MainWindow(papers_library, settings)
    qtbot.addWidget(window)
    yield window
    close_window(qtbot, window)


# --- first start and after --------------------------------------------------------------------


def test_the_first_window_takes_most_of_the_screen_centred_with_the_table_widest(
    first_window, qtbot
):
    area = first_window.screen().availableGeometry()
    frame = first_window.geometry()
    assert abs(frame.width() - area.width() * FIRST_SHARE) <= 2
    assert abs(frame.height() - area.height() * FIRST_SHARE) <= 2
    assert abs(frame.center().x() - area.center().x()) <= 2
    assert abs(frame.center().y() - area.center().y()) <= 2
    first_window.show()
    qtbot.waitExposed(first_window)
    sidebar, centre, detail = first_window.splitter.sizes()
    assert centre > detail > 0 and centre > sidebar > 0


def test_on_a_1600_by_1000_screen_title_creators_year_journal_show_without_scrolling(
    first_window, qtbot
):
    first_window.place_first(area=QRect(0, 0, 1600, 1000))
    assert first_window.geometry() == QRect(120, 75, 1360, 850)
    first_window.show()
    qtbot.waitExposed(first_window)
    table = first_window.table
    header = table.horizontalHeader()
    qtbot.waitUntil(lambda: table.viewport().width() > 600)
    for key in ("title", "creators", "year", "journal"):
        section = column_of(key)
        assert not table.isColumnHidden(section)
        right = header.sectionViewportPosition(section) + header.sectionSize(section)
        assert header.sectionViewportPosition(section) >= 0
        assert right <= table.viewport().width()
    assert header.sectionSize(column_of("title")) >= 250  # the widest column
    assert table.horizontalScrollBar().maximum() == 0


def test_the_next_start_restores_the_geometry_and_the_panes(qtbot, papers_library, settings):
    first = MainWindow(papers_library, settings)
    qtbot.addWidget(first)
    first.setGeometry(QRect(40, 50, 700, 500))
    first.show()
    qtbot.waitExposed(first)
    first.splitter.setSizes([150, 300, 250])
    sizes = first.splitter.sizes()
    first.close()
    second = MainWindow(papers_library, settings)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    try:
        assert second.geometry().size() == QSize(700, 500)
        assert second.splitter.sizes() == sizes
    finally:
        close_window(qtbot, second)


# --- the toolbar ----------------------------------------------------------------------------------


def test_toolbar_actions_have_icons_and_tooltips_naming_their_shortcuts(window):
    buttons = [a for a in window.toolbar.actions() if not a.isSeparator() and a.text()]
    names = [a.text().replace("&", "").rstrip("…") for a in buttons]
    assert names == [
        "New Collection",
        "New Item",
        "Add by Identifier",
        "New Note",
        "Attach File",
        "Import",
        "Search PubMed",
    ]
    for action in buttons:
        assert not action.icon().isNull()
        assert action.toolTip().startswith(action.text().replace("&", "").rstrip("…"))
    new_item = window.new_item_action
    shortcut = QKeySequence(QKeySequence.StandardKey.New).toString(
        QKeySequence.SequenceFormat.NativeText
    )
    assert new_item.toolTip() == f"New Item ({shortcut})"
    assert window.import_action.toolTip() == "Import (Ctrl+Shift+I)"


def test_the_search_box_sits_at_the_toolbar_s_right_and_still_searches(window, qtbot):
    box = window.search_box
    assert window.toolbar.isAncestorOf(box)
    pubmed = window.toolbar.widgetForAction(window.search_pubmed_action)
    assert box.geometry().left() > pubmed.geometry().right()
    assert box.geometry().right() > window.toolbar.width() - 40
    with qtbot.waitSignal(box.search_changed, timeout=2000):
        QTest.keyClicks(box, "knowl")
    assert window.table_model.rowCount() == 1


def test_toolbar_icons_follow_the_desktop_icon_theme(window, tmp_path):
    theme_dir = tmp_path / "icons" / "look-test"
    (theme_dir / "scalable" / "actions").mkdir(parents=True)
    (theme_dir / "index.theme").write_text(
        "[Icon Theme]\nName=look-test\nDirectories=scalable/actions\n\n"
        "[scalable/actions]\nSize=16\nType=Scalable\nMinSize=8\nMaxSize=512\n"
    )
    (theme_dir / "scalable" / "actions" / "document-new.svg").write_text(
        (ICONS / "new-item.svg").read_text()
    )
    paths, name = QIcon.themeSearchPaths(), QIcon.themeName()
    themed_icon.cache_clear()
    try:
        QIcon.setThemeSearchPaths([str(tmp_path / "icons")])
        QIcon.setThemeName("look-test")
        assert themed_icon("new-item").name() == "document-new"  # the theme's
        assert themed_icon("new-note").name() == ""  # none in the theme: refman's own
        assert not themed_icon("new-note").isNull()
    finally:
        QIcon.setThemeSearchPaths(paths)
        QIcon.setThemeName(name)
        themed_icon.cache_clear()


def test_new_note_adds_a_note_to_the_one_selected_item(window, qtbot):
    window.new_note_action.trigger()  # nothing selected: says what to do
    assert "Select one item" in window.statusBar().currentMessage()
    item_id = id_of(window.library, "Safety")
    window.table.select_ids([item_id])
    window.new_note_action.trigger()
    assert len(window.library.notes.of_item(item_id)) == 1
    assert window.detail.tabs.currentWidget() is window.detail.notes
    qtbot.waitUntil(lambda: cell(window, item_id, "notes").data() == "1")


# --- icons, markers and colours in the table --------------------------------------------------


def test_each_item_type_has_its_own_icon_in_the_title_cell(window):
    library = window.library
    book, changes = library.items.add(BOOK)
    window.editor.notify(changes)
    article = id_of(library, "Safety")
    book_icon = cell(window, book, "title").data(Qt.ItemDataRole.DecorationRole)
    article_icon = cell(window, article, "title").data(Qt.ItemDataRole.DecorationRole)
    assert library.items.get(book).item_type == "book"
    assert book_icon.cacheKey() == item_type_icon("book").cacheKey()
    assert article_icon.cacheKey() == item_type_icon("article-journal").cacheKey()
    assert book_icon.cacheKey() != article_icon.cacheKey()
    assert item_type_icon("no-such-type").cacheKey() == item_type_icon("document").cacheKey()


def test_the_notes_column_counts_notes_as_they_come_and_go(window, qtbot):
    library = window.library
    item_id = id_of(library, "Safety")
    assert cell(window, item_id, "notes").data() == ""
    notes = [
        window.editor.run_returning(lambda text=text: library.notes.add(item_id, text))
        for text in ("<p>one</p>", "<p>two</p>")
    ]
    assert cell(window, item_id, "notes").data() == "2"
    assert cell(window, item_id, "notes").data(Qt.ItemDataRole.ToolTipRole) == "2 notes"
    window.editor.notify(library.notes.delete(notes[0].id))
    assert cell(window, item_id, "notes").data() == "1"


def test_a_click_on_a_marker_column_leaves_the_order_as_it_was(window, qtbot):
    table = window.table
    header = table.horizontalHeader()
    before = list(window.table_model.ids)
    notes = column_of("notes")
    QTest.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(notes) + 5, header.height() // 2),
    )
    assert window.table_model.ids == before
    assert header.sortIndicatorSection() == column_of("title")


def colour_tags(window, colours: dict[str, str]) -> None:
    """Give the tags their colours through the tag list (undoable, as the user does)."""
    tags = window.sidebar.tags
    tags.refresh()
    for name, colour in colours.items():
        tags.set_color(tags.model.find(name), colour)


def test_coloured_tags_show_as_dots_on_their_items_rows(window, qtbot):
    library = window.library
    tagged, plain = id_of(library, "Safety"), id_of(library, "Gut microbiota")
    window.editor.add_tags([tagged], ["Read", "Urgent", "uncoloured"])
    colour_tags(window, {"Read": RED, "Urgent": BLUE})
    title = cell(window, tagged, "title")
    assert title.data(TAG_COLOURS_ROLE) == (("Read", RED), ("Urgent", BLUE))
    assert cell(window, plain, "title").data(TAG_COLOURS_ROLE) == ()
    image = window.table.viewport().grab().toImage()
    rect = window.table.visualRect(title)
    ratio = image.devicePixelRatio()

    def has(colour: str, area: QRect) -> bool:
        want = QColor(colour)
        for x in range(area.left(), area.right()):
            for y in range(area.top(), area.bottom()):
                got = image.pixelColor(round(x * ratio), round(y * ratio))
                channels = zip(got.getRgb()[:3], want.getRgb()[:3], strict=True)
                if all(abs(a - b) < 12 for a, b in channels):
                    return True
        return False

    right_end = QRect(rect.right() - 40, rect.top(), 40, rect.height())
    assert has(RED, right_end) and has(BLUE, right_end)
    other = window.table.visualRect(cell(window, plain, "title"))
    assert not has(RED, QRect(other.right() - 40, other.top(), 40, other.height()))
    window.editor.undo_stack.undo()  # Urgent's colour goes: its dot goes
    assert cell(window, tagged, "title").data(TAG_COLOURS_ROLE) == (("Read", RED),)


def press(window, key: Qt.Key) -> None:
    window.table.setFocus()
    QTest.keyClick(window.table, key)


def test_keys_1_to_9_toggle_the_coloured_tags_on_the_selection_and_undo(window, qtbot):
    library = window.library
    first, second = id_of(library, "Safety"), id_of(library, "Gut microbiota")
    window.editor.add_tags([first], ["Alpha", "Beta"])
    colour_tags(window, {"Beta": BLUE, "Alpha": RED})  # keys follow the names: Alpha is 1

    def tags_of(item_id) -> set[str]:
        return {tag.name for tag in library.items.get(item_id).tags}

    window.table.select_ids([first, second])
    press(window, Qt.Key.Key_2)  # Beta: the first item has it, the second not: both get it
    assert "Beta" in tags_of(first) and "Beta" in tags_of(second)
    assert "Beta" in window.statusBar().currentMessage()
    press(window, Qt.Key.Key_2)  # now both carry it: it comes off both
    assert "Beta" not in tags_of(first) | tags_of(second)
    window.editor.undo_stack.undo()
    assert "Beta" in tags_of(first) and "Beta" in tags_of(second)
    press(window, Qt.Key.Key_1)
    assert "Alpha" in tags_of(second)
    press(window, Qt.Key.Key_5)  # no fifth coloured tag: nothing changes, and it says so
    assert "No coloured tag for key 5" in window.statusBar().currentMessage()
    assert {"Alpha", "Beta"} <= tags_of(second)
    assert len(library.tags.coloured()) == 2


def test_digits_typed_elsewhere_stay_text(window, qtbot):
    library = window.library
    item_id = id_of(library, "Safety")
    window.editor.add_tags([item_id], ["Alpha"])
    colour_tags(window, {"Alpha": RED})
    window.table.select_ids([item_id])
    window.search_box.setFocus()
    QTest.keyClick(window.search_box, Qt.Key.Key_1)
    assert window.search_box.text() == "1"
    assert "Alpha" in {t.name for t in library.items.get(item_id).tags}  # not toggled off


def test_the_palette_offers_named_colours_and_marks_the_current_one(qtbot):
    dialog = TagPaletteDialog(None, BLUE.upper(), "Read")
    qtbot.addWidget(dialog)
    assert [s.name for s in dialog.swatches] == [name for name, _ in PALETTE]
    assert [s.name for s in dialog.swatches if s.isChecked()] == ["Blue"]
    green = next(s for s in dialog.swatches if s.name == "Green")
    QTest.mouseClick(green, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.chosen == "#5fb236"


def test_assign_colour_asks_with_the_palette(window, qtbot):
    def click_purple() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, TagPaletteDialog)
        purple = next(s for s in dialog.swatches if s.name == "Purple")
        QTest.mouseClick(purple, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, click_purple)
    assert dialogs.ask_color(window, "", "Read") == "#a28ae5"
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())
    assert dialogs.ask_color(window, "", "Read") is None


# --- empty views, the multi-selection pane, the detail pane --------------------------------


def test_an_empty_collection_and_an_empty_trash_say_so(window, qtbot):
    message = window.table.empty_message
    assert not message.isVisible()  # My Library holds items
    collection = window.editor.create_collection("Reading list", None)
    window.sidebar.select(Source(COLLECTION, collection.id))
    qtbot.waitUntil(message.isVisible)
    assert message.heading.text() == "This collection is empty"
    assert not window.table.placeholder.isVisible()
    window.sidebar.select(Source(TRASH))
    qtbot.waitUntil(lambda: message.heading.text() == "The Trash is empty")
    window.editor.trash([id_of(window.library, "Safety")])
    assert not message.isVisible()  # the Trash holds an item now
    window.sidebar.select(Source())
    window.search_box.setText("nothing-matches-this")
    QTest.keyClick(window.search_box, Qt.Key.Key_Return)
    assert window.table_model.rowCount() == 0
    assert not message.isVisible()  # the search's own message says it, above the table


def test_an_empty_library_invites_an_import_not_an_empty_message(qtbot, library, settings):
    window = make_window(qtbot, library, settings)
    try:
        assert window.table.placeholder.isVisible()
        assert not window.table.empty_message.isVisible()
    finally:
        close_window(qtbot, window)


def test_the_multi_selection_pane_is_laid_out_from_the_top(window, qtbot):
    window.table.select_ids(window.table_model.ids[:3])
    page = window.detail.multi
    assert window.detail.currentWidget() is page
    qtbot.waitUntil(page.isVisible)
    heading = page.count_label
    assert heading.text() == "3 items selected"
    assert heading.geometry().top() < 30
    tagger_top = page.tagger.mapTo(page, page.tagger.rect().topLeft()).y()
    assert heading.geometry().bottom() < tagger_top < page.height() / 3


def test_title_and_abstract_grow_with_their_text(window, qtbot):
    library = window.library
    long_text = " ".join(["A sentence about fibroblasts and their reprogramming."] * 30)
    item_id, _ = library.items.add(Reference(title="Short", abstract=long_text))
    window.table_model.reload()
    window.table.select_ids([item_id])
    fields = window.detail.fields.fields
    title, abstract = fields["title"], fields["abstract"]
    qtbot.waitUntil(abstract.isVisible)
    qtbot.waitUntil(lambda: abstract.verticalScrollBar().maximum() == 0)  # laid out
    line = title.fontMetrics().lineSpacing()
    assert title.height() < 2 * line + 16  # one line
    assert abstract.height() > 8 * line  # the whole abstract, no box of ten lines
    assert abstract.verticalScrollBar().maximum() == 0  # nothing hidden behind a scroll bar
    title.setFocus()
    QTest.keyClicks(title, " and a title long enough to wrap over several lines of the pane")
    assert title.height() > 2 * line
    assert title.verticalScrollBar().maximum() == 0
    window.splitter.setSizes([200, 400, 600])  # a wider pane: fewer lines
    wide = abstract.height()
    window.splitter.setSizes([200, 700, 300])
    qtbot.waitUntil(lambda: abstract.height() > wide)
    qtbot.waitUntil(lambda: abstract.verticalScrollBar().maximum() == 0)


# --- dark palettes and high density screens -------------------------------------------------


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
    ):
        palette.setColor(role, QColor(colour))
    return palette


def test_warning_colours_follow_a_dark_palette(qtbot, library):
    library.importing.files([DATA / "import" / "pubmedxml" / "corrections.nbib"])
    retracted = next(
        ref for ref in library.items.get_many(library.items.search()) if ref.pmid == "39000001"
    )
    banner = NoticeBanner()
    qtbot.addWidget(banner)
    light = QApplication.palette()
    banner.show_notices(retracted)
    qtbot.waitExposed(banner)
    assert banner.warning and not theme.is_dark()
    assert theme.LIGHT_WARNING.background in banner.styleSheet()
    try:
        QApplication.setPalette(dark_palette())  # the system switched to dark
        assert theme.is_dark()
        qtbot.waitUntil(lambda: theme.DARK_WARNING.background in banner.styleSheet())
    finally:
        QApplication.setPalette(light)
    qtbot.waitUntil(lambda: theme.LIGHT_WARNING.background in banner.styleSheet())


def test_icons_are_drawn_sharp_at_twice_the_scale(window):
    """No icon is a small bitmap scaled up at 200%: each draws at 2x its size."""
    icons = [a.icon() for a in window.toolbar.actions() if not a.isSeparator() and a.text()]
    icons += [item_type_icon(t) for t in ("article-journal", "book", "chapter", "article")]
    icons += [
        window.table_model.headerData(column_of(k), Qt.Orientation.Horizontal, 1)
        for k in ("notes", "notices")
    ]
    for icon in icons:
        pixmap = icon.pixmap(QSize(32, 32), 2.0)
        assert pixmap.size() == QSize(64, 64)
        assert pixmap.devicePixelRatio() == 2.0


def test_columns_saved_before_the_markers_existed_get_them_after_the_title(window, qtbot):
    older = QTableView()  # the table as it was: the columns before the two markers
    qtbot.addWidget(older)
    older.setModel(QStandardItemModel(1, len([c for c in COLUMNS if not c.marker])))
    older.setColumnWidth(column_of("title"), 333)
    older.setColumnHidden(column_of("date_added"), True)
    window.table.restore_header(older.horizontalHeader().saveState())
    table, header = window.table, window.table.horizontalHeader()
    assert table.columnWidth(column_of("title")) == 333  # the user's widths stay
    assert table.isColumnHidden(column_of("date_added"))
    title = header.visualIndex(column_of("title"))
    for offset, key in enumerate(("notes", "notices"), start=1):
        assert header.visualIndex(column_of(key)) == title + offset
        assert table.columnWidth(column_of(key)) == COLUMNS[column_of(key)].width
