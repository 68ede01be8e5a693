"""The sidebar: places, collections (create, rename, nest, delete, drops) and the trash."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtTest import QTest

from refman.gui import dialogs, mime
from refman.gui.sidebar import COLLECTION, TRASH, UNFILED, CollectionTreeModel, Source
from refman.model import ViewQuery
from tests.unit.gui.helpers import DATA, drop_on_index, id_of, import_and_wait, shown_titles

COPY = Qt.DropAction.CopyAction


def ids_data(ids) -> QMimeData:
    data = QMimeData()
    data.setData(mime.ITEM_IDS_MIME, mime.encode_ids(ids))
    return data


def collection_data(cid) -> QMimeData:
    data = QMimeData()
    data.setData(mime.COLLECTION_ID_MIME, mime.encode_ids([cid]))
    return data


def make_collection(window, name, parent=None) -> int:
    collection, changes = window.library.collections.create(name, parent)
    window.editor.notify(changes)
    return collection.id


def click_source(window, source: Source) -> None:
    tree = window.sidebar.tree
    index = window.sidebar.model.index_of(source)
    tree.scrollTo(index)
    QTest.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(index).center()
    )


def answer(monkeypatch, name, value):
    monkeypatch.setattr(dialogs, name, lambda *args, **kwargs: value)


def test_the_collection_tree_passes_the_model_tester(qtmodeltester, papers_library):
    parent, _ = papers_library.collections.create("Surgery")
    papers_library.collections.create("Colorectal", parent.id)
    model = CollectionTreeModel()
    model.rebuild(papers_library.collections.all())
    qtmodeltester.check(model)


def test_places_come_first_and_collections_nest_under_my_library(window):
    surgery = make_collection(window, "Surgery")
    make_collection(window, "Colorectal", surgery)
    model = window.sidebar.model
    places = [model.index(r, 0).data() for r in range(4)]
    assert places == ["My Library", "Duplicate Items", "Unfiled Items", "Trash"]
    surgery_index = model.index_of(Source(COLLECTION, surgery))
    assert surgery_index.parent() == model.index(0, 0)
    assert model.index(0, 0, surgery_index).data() == "Colorectal"


def test_selecting_a_collection_shows_its_items(window, qtbot):
    cid = make_collection(window, "Surgery")
    window.library.collections.add_items([id_of(window.library, "Safety")], cid)
    click_source(window, Source(COLLECTION, cid))
    assert shown_titles(window) == [window.library.items.get(id_of(window.library, "Safety")).title]
    click_source(window, Source())
    assert len(shown_titles(window)) == 4


def test_unfiled_shows_items_in_no_collection(window):
    cid = make_collection(window, "Surgery")
    window.library.collections.add_items([id_of(window.library, "Safety")], cid)
    click_source(window, Source(UNFILED))
    assert len(shown_titles(window)) == 3
    assert not any(t.startswith("Safety") for t in shown_titles(window))


def test_new_collection_from_the_file_menu(window, monkeypatch):
    answer(monkeypatch, "ask_text", "Reading list")
    action = next(
        a for a in window.menuBar().actions()[0].menu().actions() if a.text() == "&New Collection…"
    )
    action.trigger()
    made = window.library.collections.find("Reading list")
    assert made is not None
    assert window.sidebar.source == Source(COLLECTION, made.id)
    assert window.sidebar.tree.currentIndex().data() == "Reading list"


def test_new_subcollection_rename_and_delete(window, monkeypatch):
    parent = make_collection(window, "Surgery")
    answer(monkeypatch, "ask_text", "Colorectal")
    window.sidebar.new_collection(parent)
    child = window.library.collections.find("Colorectal")
    assert child.parent_id == parent
    answer(monkeypatch, "ask_text", "Colorectal surgery")
    window.sidebar.rename_collection(child.id)
    assert window.sidebar.model.index_of(Source(COLLECTION, child.id)).data() == (
        "Colorectal surgery"
    )
    window.library.collections.add_items([id_of(window.library, "Safety")], child.id)
    answer(monkeypatch, "confirm", True)
    window.sidebar.delete_collection(parent)
    assert window.library.collections.all() == []
    assert window.sidebar.source == Source()
    assert len(shown_titles(window)) == 4  # the items stay in the library


def test_renaming_a_collection_can_be_undone(window, monkeypatch):
    cid = make_collection(window, "Surgery")
    answer(monkeypatch, "ask_text", "Surgical")
    window.sidebar.rename_collection(cid)
    window.editor.undo_stack.undo()
    assert window.sidebar.model.index_of(Source(COLLECTION, cid)).data() == "Surgery"


def test_dropping_a_collection_on_another_nests_it(window, qtbot):
    outer = make_collection(window, "Surgery")
    inner = make_collection(window, "Colorectal")
    model = window.sidebar.model
    target = model.index_of(Source(COLLECTION, outer))
    assert drop_on_index(window.sidebar.tree, target, collection_data(inner))
    qtbot.waitUntil(lambda: window.library.collections.all()[0].parent_id == outer)
    assert model.index_of(Source(COLLECTION, inner)).parent().data() == "Surgery"
    # ... and on My Library it goes back to the top, through the model this time.
    assert model.dropMimeData(collection_data(inner), COPY, -1, -1, model.index(0, 0))
    qtbot.waitUntil(lambda: all(c.parent_id is None for c in window.library.collections.all()))


def test_a_collection_cannot_be_dropped_into_its_own_subcollection(window):
    outer = make_collection(window, "Surgery")
    inner = make_collection(window, "Colorectal", outer)
    model = window.sidebar.model
    target = model.index_of(Source(COLLECTION, inner))
    assert not model.canDropMimeData(collection_data(outer), COPY, -1, -1, target)
    assert not drop_on_index(window.sidebar.tree, target, collection_data(outer))


@pytest.mark.parametrize("by_events", [True, False], ids=["view events", "dropMimeData"])
def test_dropping_items_on_a_collection_adds_them(window, qtbot, by_events):
    cid = make_collection(window, "Surgery")
    ids = window.library.items.search()[:2]
    model = window.sidebar.model
    target = model.index_of(Source(COLLECTION, cid))
    if by_events:
        assert drop_on_index(window.sidebar.tree, target, ids_data(ids))
    else:
        assert model.dropMimeData(ids_data(ids), COPY, -1, -1, target)
    qtbot.waitUntil(
        lambda: sorted(window.library.items.search(ViewQuery(collection=cid))) == sorted(ids)
    )
    window.editor.undo_stack.undo()
    assert window.library.items.search(ViewQuery(collection=cid)) == []


def test_items_dragged_from_the_table_drop_on_a_collection(window, qtbot):
    cid = make_collection(window, "Surgery")
    model = window.table_model
    data = model.mimeData([model.index(0, 0)])
    target = window.sidebar.model.index_of(Source(COLLECTION, cid))
    assert drop_on_index(window.sidebar.tree, target, data)
    qtbot.waitUntil(
        lambda: window.library.items.search(ViewQuery(collection=cid)) == [model.ids[0]]
    )


def test_items_cannot_be_dropped_on_my_library_or_unfiled(window):
    model = window.sidebar.model
    for kind in ("library", UNFILED):
        target = model.index_of(Source(kind))
        assert not model.canDropMimeData(ids_data([1]), COPY, -1, -1, target)


def test_files_dropped_on_a_collection_are_imported_into_it(window, qtbot):
    cid = make_collection(window, "Python")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(DATA / "pubmed_result2.txt"))])
    target = window.sidebar.model.index_of(Source(COLLECTION, cid))
    report = import_and_wait(
        qtbot, window, lambda: drop_on_index(window.sidebar.tree, target, data)
    )
    assert len(report.added) == 4
    assert sorted(window.library.items.search(ViewQuery(collection=cid))) == sorted(report.added)


def test_remove_from_collection_is_not_move_to_trash(window, qtbot):
    cid = make_collection(window, "Surgery")
    knowles = id_of(window.library, "Safety")
    window.library.collections.add_items([knowles], cid)
    click_source(window, Source(COLLECTION, cid))
    window.table.select_ids([knowles])
    actions = window.item_actions
    assert actions.remove_from_collection.isEnabled()
    actions.remove_from_collection.trigger()
    assert window.library.items.search(ViewQuery(collection=cid)) == []
    assert knowles in window.library.items.search()  # still in the library, not trashed
    assert shown_titles(window) == []


def test_delete_moves_to_trash_and_restore_brings_back(window, qtbot):
    knowles = id_of(window.library, "Safety")
    window.table.select_ids([knowles])
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_Delete)
    assert knowles not in window.table_model.ids
    assert window.library.items.search(ViewQuery(trashed=True)) == [knowles]
    click_source(window, Source(TRASH))
    assert window.table_model.ids == [knowles]
    assert window.count_label.text() == "1 item in the Trash"
    window.table.select_ids([knowles])
    assert window.item_actions.restore.isEnabled()
    assert not window.item_actions.trash.isEnabled()
    window.item_actions.restore.trigger()
    assert window.table_model.ids == []
    assert knowles in window.library.items.search()


def test_trashing_can_be_undone_and_redone(window):
    knowles = id_of(window.library, "Safety")
    window.table.select_ids([knowles])
    window.item_actions.trash.trigger()
    window.editor.undo_stack.undo()
    assert knowles in window.table_model.ids
    window.editor.undo_stack.redo()
    assert knowles not in window.table_model.ids


def test_dropping_items_on_the_trash_trashes_them(window, qtbot):
    ids = window.library.items.search()[:2]
    target = window.sidebar.model.index_of(Source(TRASH))
    assert drop_on_index(window.sidebar.tree, target, ids_data(ids))
    qtbot.waitUntil(
        lambda: sorted(window.library.items.search(ViewQuery(trashed=True))) == sorted(ids)
    )


def test_empty_trash_asks_then_deletes_for_good(window, monkeypatch):
    knowles = id_of(window.library, "Safety")
    window.editor.trash([knowles])
    answer(monkeypatch, "confirm", False)
    window.sidebar.empty_trash()
    assert window.library.items.search(ViewQuery(trashed=True)) == [knowles]
    answer(monkeypatch, "confirm", True)
    window.sidebar.empty_trash()
    assert window.library.items.search(ViewQuery(trashed=True)) == []
    assert window.library.items.count() == 3
    assert not window.editor.undo_stack.canUndo()  # nothing left to bring back


def test_a_new_collection_elsewhere_keeps_the_place_on_show(window):
    knowles = id_of(window.library, "Safety")
    window.editor.trash([knowles])
    click_source(window, Source(TRASH))
    make_collection(window, "Surgery")
    assert window.sidebar.source == Source(TRASH)
    assert window.sidebar.tree.currentIndex().data() == "Trash"
    assert window.table_model.ids == [knowles]


def test_a_blank_collection_name_is_refused_plainly(window, monkeypatch):
    shown = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, message: shown.append(message))
    cid = make_collection(window, "Surgery")
    answer(monkeypatch, "ask_text", "")  # what the question gives for blank text
    window.sidebar.new_collection()
    window.sidebar.rename_collection(cid)
    assert shown == ["A collection needs a name."] * 2
    assert [c.name for c in window.library.collections.all()] == ["Surgery"]
    assert window.sidebar.model.index_of(Source(COLLECTION, cid)).data() == "Surgery"
