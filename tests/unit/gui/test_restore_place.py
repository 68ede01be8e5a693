"""Where the user was is where the next start opens: the expanded collections, the collection
or view selected in the sidebar and the selected items, per library (gui/place.py). Each test
runs two windows in sequence on the same settings, as two runs of refman; what is gone since
is simply not selected."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from refman.gui.sidebar import COLLECTION, LIBRARY, TRASH, Source
from refman.library import Library
from tests.samples import PAPERS
from tests.unit.gui.helpers import id_of, make_window

RESTORE_TIMEOUT_MS = 30_000  # the window's style warm-up, which the selection waits for


def click_place(window, source: Source) -> None:
    tree = window.sidebar.tree
    index = tree.model().index_of(source)
    tree.scrollTo(index)
    QTest.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(index).center()
    )
    assert window.sidebar.source == source


def click_item(window, item_id) -> None:
    table = window.table
    index = window.table_model.index(window.table_model.row_of(item_id), 0)
    QTest.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center()
    )
    assert table.selected_ids() == [item_id]


def nested_collections(library: Library):
    """Reviews > Surgery, and Methods; the first paper filed in Surgery, the second in Reviews."""
    reviews, _ = library.collections.create("Reviews")
    surgery, _ = library.collections.create("Surgery", reviews.id)
    methods, _ = library.collections.create("Methods")
    library.collections.add_items([id_of(library, "Safety")], surgery.id)
    library.collections.add_items([id_of(library, PAPERS[1].title[:20])], reviews.id)
    return reviews, surgery, methods


def is_expanded(window, cid) -> bool:
    tree = window.sidebar.tree
    return tree.isExpanded(tree.model().index_of(Source(COLLECTION, cid)))


def selected_after_start(qtbot, window) -> list:
    """The items selected once the window has restored the last session's selection (after
    its style's warm-up)."""
    qtbot.waitUntil(lambda: not window.restoring_selection(), timeout=RESTORE_TIMEOUT_MS)
    return window.table.selected_ids()


def test_the_expanded_collections_the_collection_and_the_item_come_back(
    qtbot, papers_library, settings
):
    reviews, surgery, methods = nested_collections(papers_library)
    seed = id_of(papers_library, "Safety")
    first = make_window(qtbot, papers_library, settings)
    first.sidebar.tree.expand(first.sidebar.model.index_of(Source(COLLECTION, reviews.id)))
    click_place(first, Source(COLLECTION, surgery.id))
    click_item(first, seed)
    first.close()

    second = make_window(qtbot, papers_library, settings)
    assert is_expanded(second, reviews.id) and not is_expanded(second, methods.id)
    assert second.sidebar.source == Source(COLLECTION, surgery.id)
    assert second.sidebar.tree.currentIndex().data() == "Surgery"
    assert second.table_model.ids == [seed]  # the table shows the collection, not everything
    assert selected_after_start(qtbot, second) == [seed]
    assert second.detail.ref.title == papers_library.items.get(seed).title
    second.close()


def test_a_view_comes_back_and_an_item_gone_since_is_not_selected(qtbot, papers_library, settings):
    seed, other = id_of(papers_library, "Safety"), id_of(papers_library, PAPERS[1].title[:20])
    papers_library.items.trash([seed, other])
    first = make_window(qtbot, papers_library, settings)
    click_place(first, Source(TRASH))
    first.table.select_ids([seed, other])  # as a click and a Shift+click
    first.close()
    papers_library.items.delete([seed])  # deleted for good by another refman

    second = make_window(qtbot, papers_library, settings)
    assert second.sidebar.source == Source(TRASH)
    assert selected_after_start(qtbot, second) == [other]
    second.close()


def test_what_the_user_selects_at_start_is_not_taken_over(qtbot, papers_library, settings):
    seed, other = id_of(papers_library, "Safety"), id_of(papers_library, PAPERS[1].title[:20])
    first = make_window(qtbot, papers_library, settings)
    click_item(first, seed)
    first.close()
    second = make_window(qtbot, papers_library, settings)
    click_item(second, other)  # before the restored selection comes
    assert selected_after_start(qtbot, second) == [other]
    second.close()


def test_a_window_closed_at_once_keeps_the_selection_for_the_next(qtbot, papers_library, settings):
    seed = id_of(papers_library, "Safety")
    first = make_window(qtbot, papers_library, settings)
    click_item(first, seed)
    first.close()
    make_window(qtbot, papers_library, settings).close()  # before its selection came back
    third = make_window(qtbot, papers_library, settings)
    assert selected_after_start(qtbot, third) == [seed]
    third.close()


def test_a_collection_deleted_since_opens_my_library(qtbot, papers_library, settings):
    reviews, _surgery, _methods = nested_collections(papers_library)
    first = make_window(qtbot, papers_library, settings)
    click_place(first, Source(COLLECTION, reviews.id))
    first.close()
    papers_library.collections.delete(reviews.id)

    second = make_window(qtbot, papers_library, settings)
    assert second.sidebar.source == Source(LIBRARY)
    assert second.table_model.ids == papers_library.items.search()
    second.close()


def test_each_library_opens_where_it_was_left(qtbot, papers_library, settings, tmp_path: Path):
    reviews, _surgery, _methods = nested_collections(papers_library)
    in_reviews = id_of(papers_library, PAPERS[1].title[:20])
    first = make_window(qtbot, papers_library, settings)
    click_place(first, Source(COLLECTION, reviews.id))
    click_item(first, in_reviews)
    first.close()
    with Library(tmp_path / "other.sqlite") as other:
        for ref in PAPERS:
            other.items.add(ref)
        elsewhere = make_window(qtbot, other, settings)
        assert elsewhere.sidebar.source == Source(LIBRARY)
        assert selected_after_start(qtbot, elsewhere) == []
        click_item(elsewhere, id_of(other, "Safety"))
        elsewhere.close()

    again = make_window(qtbot, papers_library, settings)
    assert again.sidebar.source == Source(COLLECTION, reviews.id)
    assert selected_after_start(qtbot, again) == [in_reviews]
    again.close()
