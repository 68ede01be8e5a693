"""Helpers for window tests: opening a window and its dialogs, finding items and actions, drag and
drop by events."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from refman.gui.main_window import MainWindow
from refman.gui.tasks import wait_for_running_tasks
from refman.library import Library
from refman.model import ViewQuery
from tests.samples import DATA

IMPORT_TIMEOUT_MS = 60_000


def make_window(qtbot, library: Library, settings: QSettings) -> MainWindow:
    window = MainWindow(library, settings)
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def close_window(qtbot, window: MainWindow) -> None:
    """Close the window once its import (if any) is over: its thread holds the library. Then
    wait for the threads of its other tasks (checks, backups, look-ups), as the application
    does when it quits: one left running would open its library during the next test (a
    safety check of an earlier test's library was seen in test_backups' count of checks)."""
    importer = window._importer
    if importer is not None and importer.is_running():
        with qtbot.waitSignal(importer.finished, timeout=IMPORT_TIMEOUT_MS):
            pass
    window.close()
    wait_for_running_tasks(cancel=True)


def import_and_wait(qtbot, window: MainWindow, start) -> object:
    """Run ``start()`` (which begins an import) and wait for the ImportReport."""
    with qtbot.waitSignal(window.importer().finished, timeout=IMPORT_TIMEOUT_MS) as done:
        start()
    return done.args[0]


def expected_citation(style: str, suffix: str = "txt") -> str:
    """The seed's bibliography entry in ``style`` as citeproc-js writes it."""
    return (DATA / "csl" / f"{style}.{suffix}").read_text(encoding="utf-8")


def id_of(library: Library, title_start: str) -> int:
    """The id of the item whose title starts with ``title_start``."""
    for item_id in library.items.search() + library.items.search(ViewQuery(trashed=True)):
        if library.items.get(item_id).title.startswith(title_start):
            return item_id
    raise AssertionError(f"no item titled {title_start}…")


def menu_action(window: MainWindow, menu_title: str, text: str):
    """The action of the menu ``menu_title`` whose text is ``text``, else the first whose text
    starts with it ("Find" is Find, not Find Available PDF above it)."""
    for menu_action_ in window.menuBar().actions():
        if menu_action_.text().replace("&", "") == menu_title:
            actions = menu_action_.menu().actions()
            for action in sorted(actions, key=lambda a: a.text().replace("&", "") != text):
                if action.text().replace("&", "").startswith(text):
                    return action
    raise AssertionError(f"no {menu_title} > {text}")


def open_dialog(window: MainWindow, qtbot, menu_title: str, text: str, kind):
    """Choose ``menu_title`` > ``text``; the dialog of class ``kind`` it opens, once shown."""
    menu_action(window, menu_title, text).trigger()
    dialog = window.findChild(kind)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def pick_style(picker, words: str, title_start: str) -> None:
    """Type ``words`` in a StylePicker's filter, click the first title starting ``title_start``."""
    picker.filter.setFocus()
    QTest.keyClicks(picker.filter, words)
    row = next(n for n, t in enumerate(picker.shown_titles()) if t.startswith(title_start))
    index = picker.model.index(row, 0)
    picker.list.scrollTo(index)
    rect = picker.list.visualRect(index)
    QTest.mouseClick(picker.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def shown_titles(window: MainWindow) -> list[str]:
    model = window.table_model
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def drag_and_drop(view, pos: QPoint, data: QMimeData) -> bool:
    """DragEnter, DragMove and Drop on ``view``'s viewport at ``pos``; True if accepted."""
    viewport = view.viewport()
    enter = _drag_event(QDragEnterEvent, pos, data)
    QApplication.sendEvent(viewport, enter)
    move = _drag_event(QDragMoveEvent, pos, data)
    QApplication.sendEvent(viewport, move)
    if not move.isAccepted():
        return False
    drop = QDropEvent(QPointF(pos), *_drag_args(data))
    QApplication.sendEvent(viewport, drop)
    return drop.isAccepted()


def _drag_args(data: QMimeData) -> tuple:
    return (
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )


def _drag_event(kind, pos: QPoint, data: QMimeData):
    # PySide 6.12 takes a QPointF (the QPoint form is deprecated); earlier ones only a QPoint.
    try:
        return kind(QPointF(pos), *_drag_args(data))
    except TypeError:
        return kind(pos, *_drag_args(data))


def drop_on_index(view, index, data: QMimeData) -> bool:
    view.scrollTo(index)
    return drag_and_drop(view, view.visualRect(index).center(), data)
