"""The window's Tab order: helpers that chain widgets for Tab and Shift+Tab.

Qt's focus chain follows the order widgets were made in, which puts the detail pane's tab bar
after its fields and lets item views keep Tab for moving between cells. The window chains its
panes explicitly instead (main_window._build_focus_chain); these helpers do the linking.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget


def tab_stops(container: QWidget) -> list[QWidget]:
    """The widgets inside ``container`` that Tab stops at, in the order the focus chain
    holds them now (hidden ones too: Tab skips them while they are hidden)."""
    stops: list[QWidget] = []
    widget = container.nextInFocusChain()
    while widget is not None and widget is not container and widget not in stops:
        if container.isAncestorOf(widget) and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            stops.append(widget)
        widget = widget.nextInFocusChain()
    return stops


def takes_tab(widget: QWidget) -> bool:
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)


def chain(widgets: Sequence[QWidget]) -> None:
    """Tab goes from each widget to the next, and from the last back to the first."""
    for before, after in itertools.pairwise(widgets):
        QWidget.setTabOrder(before, after)
    if len(widgets) > 1:
        QWidget.setTabOrder(widgets[-1], widgets[0])
