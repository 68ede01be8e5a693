"""Colours that follow the system's light or dark scheme.

Qt 6.5 and later give the application the system's palette, and a new one when the user
switches between light and dark; everything drawn from the palette follows by itself. The few
colours refman sets itself (the warning banners, an error's text) are chosen here from the
palette in use, so that they read on a dark window as on a light one; a widget that uses them
sets them again when the application's palette changes (``palette_changed``, in ``event``:
a widget with a style sheet is not sent PaletteChange, only ApplicationPaletteChange).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class WarningColours:
    """A warning banner's colours, as CSS colour names."""

    background: str
    text: str
    border: str


LIGHT_WARNING = WarningColours("#fde2e1", "#7a0a0a", "#c0392b")
DARK_WARNING = WarningColours("#4a1c1a", "#ffd0cc", "#d9534f")
LIGHT_ERROR_TEXT, DARK_ERROR_TEXT = "#b00020", "#ff8a80"


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether the palette (the application's by default) is a dark one: light text on a
    darker window."""
    palette = palette if palette is not None else QGuiApplication.palette()
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return window.lightnessF() < text.lightnessF()


def warning_colours(palette: QPalette | None = None) -> WarningColours:
    return DARK_WARNING if is_dark(palette) else LIGHT_WARNING


def error_text_colour(palette: QPalette | None = None) -> str:
    """The colour of a line that says something is wrong (a damaged record)."""
    return DARK_ERROR_TEXT if is_dark(palette) else LIGHT_ERROR_TEXT


def palette_changed(event: QEvent) -> bool:
    """Whether ``event`` says the colours changed: the widget's palette, or the application's
    (the system switched between light and dark)."""
    return event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)


def set_style(widget: QWidget, sheet: str) -> None:
    """Give ``widget`` this style sheet unless it has it: a style sheet set again re-polishes
    the widget, which sends another palette change."""
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)
