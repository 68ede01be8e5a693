"""Keyboard shortcuts: the platform's own keys for an action, without repeats.

``QAction.setShortcut(StandardKey)`` keeps only the platform's first key for it, and adding a
key the platform already binds (Ctrl+Shift+Z for Redo on GNOME) registers it twice, which Qt
reports as "Ambiguous shortcut overload" and then ignores. ``key_list`` gives every key once.

``ContextMenuKeys`` makes Shift+F10 and the Menu key open the focused pane's context menu.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRectF, Qt
from PySide6.QtGui import QContextMenuEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

StandardKey = QKeySequence.StandardKey


def key_list(*keys: StandardKey | QKeySequence | str) -> list[QKeySequence]:
    """The keys in order, a standard key standing for all the platform binds to it; each key
    once, none empty."""
    found: list[QKeySequence] = []
    for key in keys:
        if isinstance(key, StandardKey):
            expanded = QKeySequence.keyBindings(key)
        else:
            expanded = [QKeySequence(key)]
        found += [k for k in expanded if not k.isEmpty() and k not in found]
    return found


def set_keys(action, *keys: StandardKey | QKeySequence | str) -> None:
    """Give ``action`` the keys (see key_list)."""
    action.setShortcuts(key_list(*keys))


# Keys that open the context menu of the widget with the keyboard.
CONTEXT_MENU_KEYS = ("Shift+F10", "Menu")


class ContextMenuKeys(QObject):
    """Shift+F10 and the Menu key open the context menu of the focused pane: an item view's
    menu at its current row (as a right click there would), any other widget's own menu."""

    def __init__(self, window: QWidget, views: list[QAbstractItemView]):
        super().__init__(window)
        self.views = views
        for key in CONTEXT_MENU_KEYS:
            shortcut = QShortcut(QKeySequence(key), window)
            shortcut.activated.connect(self.open_menu)
        for view in views:
            view.installEventFilter(self)

    def open_menu(self) -> None:
        widget = QApplication.focusWidget()
        if widget is None:
            return
        pos = widget.inputMethodQuery(Qt.InputMethodQuery.ImCursorRectangle)
        at = pos.toRect().center() if isinstance(pos, QRectF) else widget.rect().center()
        event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, at, widget.mapToGlobal(at))
        QApplication.sendEvent(widget, event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ContextMenu
            and watched in self.views
            and isinstance(event, QContextMenuEvent)
            and event.reason() == QContextMenuEvent.Reason.Keyboard
        ):
            view = self.views[self.views.index(watched)]  # the view itself, typed
            view.customContextMenuRequested.emit(_current_row_point(view))
            return True
        return False


def _current_row_point(view: QAbstractItemView) -> QPoint:
    """Where a right click on the view's current row would be, in its viewport."""
    index = view.currentIndex()
    if not index.isValid():
        return QPoint(0, 0)
    view.scrollTo(index)
    rect = view.visualRect(index)
    return QPoint(rect.left() + min(rect.width() // 2, 40), rect.center().y())
