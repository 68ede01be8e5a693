"""Tag colours: the small palette of named colours a tag is given (as Zotero's), and keys 1-9
that toggle the first nine coloured tags on the selected items.

The palette replaces the generic colour dialog: nine colours that are told apart at a glance
in the tag list and as the dots on the item table's rows. Which tag a key toggles follows the
coloured tags' order by name (``Tags.coloured``), the order of the tag list's coloured group.
Toggling goes through the undo stack like any other tagging: an item set that all carry the
tag loses it, otherwise every item gets it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from refman.gui.undo import LibraryEditor
from refman.model import ItemId

# Zotero's tag colours, by name, in its order.
PALETTE: tuple[tuple[str, str], ...] = (
    ("Red", "#ff6666"),
    ("Orange", "#ff8c19"),
    ("Gray", "#999999"),
    ("Green", "#5fb236"),
    ("Teal", "#009980"),
    ("Blue", "#2ea8e5"),
    ("Navy", "#576dd9"),
    ("Purple", "#a28ae5"),
    ("Plum", "#a6507b"),
)
KEYED_TAGS = 9  # keys 1-9


def colour_name(colour: str) -> str:
    """The palette's name of ``colour`` ("#rrggbb", any case), or the colour itself."""
    for name, value in PALETTE:
        if value == colour.lower():
            return name
    return colour


class Swatch(QAbstractButton):
    """A round patch of one colour, ringed when it is the tag's colour now; drawn, not a
    bitmap, so it stays sharp at any scale."""

    def __init__(self, name: str, colour: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.name, self.colour = name, colour
        self.setCheckable(True)
        self.setToolTip(name)
        self.setAccessibleName(name)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def sizeHint(self) -> QSize:
        side = self.fontMetrics().height() * 2 + 4
        return QSize(side, side)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        outer = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        if self.isChecked() or self.hasFocus():
            painter.setPen(QPen(self.palette().highlight().color(), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(outer)
        colour = QColor(self.colour)
        painter.setPen(QPen(colour.darker(130), 1))
        painter.setBrush(colour)
        painter.drawEllipse(outer.adjusted(4, 4, -4, -4))


class TagPaletteDialog(QDialog):
    """Pick one of the palette's colours for a tag; ``chosen`` is it once accepted."""

    def __init__(self, parent: QWidget | None, current: str, tag: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Tag Colour")
        self.chosen: str | None = None
        self.swatches: list[Swatch] = []
        grid = QGridLayout()
        for column, (name, colour) in enumerate(PALETTE):
            swatch = Swatch(name, colour)
            swatch.setChecked(colour == current.lower())
            swatch.clicked.connect(lambda _on=False, c=colour: self.choose(c))
            self.swatches.append(swatch)
            grid.addWidget(swatch, 0, column, Qt.AlignmentFlag.AlignHCenter)
            grid.addWidget(QLabel(name), 1, column, Qt.AlignmentFlag.AlignHCenter)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        heading = f"A colour for “{tag}”" if tag else "A colour for the tag"
        layout.addWidget(QLabel(f"{heading} (keys 1-9 toggle coloured tags on items):"))
        layout.addLayout(grid)
        layout.addWidget(buttons)

    def choose(self, colour: str) -> None:
        self.chosen = colour
        self.accept()


def ask_palette_colour(parent: QWidget | None, current: str, tag: str = "") -> str | None:
    """A palette colour as ``#rrggbb``, or None when the user cancels."""
    dialog = TagPaletteDialog(parent, current, tag)
    return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None


def toggle_coloured_tag(editor: LibraryEditor, ids: Sequence[ItemId], number: int) -> str:
    """Key ``number`` (1-9): the Nth coloured tag off the items if all carry it, else onto
    all of them (one undo step). What was done, in words, for the status bar."""
    if not ids:
        return ""
    coloured = editor.library.tags.coloured()[:KEYED_TAGS]
    if number > len(coloured):
        return f"No coloured tag for key {number}: give a tag a colour in the tag list first."
    name = coloured[number - 1][0]
    markers = editor.library.items.markers(ids)
    carried = all(name in dict(markers.get(i, (0, ()))[1]) for i in ids)
    count = f"{len(ids)} item{'s' * (len(ids) != 1)}"
    if carried:
        editor.remove_tags(ids, [name])
        return f"Removed the tag “{name}” from {count}"
    editor.add_tags(ids, [name])
    return f"Tagged {count} “{name}”"
