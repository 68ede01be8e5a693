"""The small modal questions the window asks, in one place so that tests can answer them.

Every pane calls these through the module (``dialogs.ask_text(...)``), never Qt's static
dialogs directly: a test replaces them with ``monkeypatch.setattr(dialogs, "ask_text", ...)``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

TITLE = "refman"


def show_error(parent: QWidget | None, message: str) -> None:
    """An expected failure, told in plain words."""
    QMessageBox.warning(parent, TITLE, message)


def show_warning(parent: QWidget | None, message: str) -> None:
    """Something the user should know before going on (the library is in an unsafe folder)."""
    QMessageBox.warning(parent, TITLE, message)


def show_info(parent: QWidget | None, message: str) -> None:
    QMessageBox.information(parent, TITLE, message)


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """A line of text from the user (without the spaces around it), or None when they cancel.

    A blank answer comes back as "", for the library to refuse in plain words (a tag or a
    collection needs a name) rather than to be dropped without a word."""
    answer, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return answer.strip() if ok else None


def confirm(parent: QWidget | None, title: str, question: str, action: str) -> bool:
    """True when the user presses the button named ``action``."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=parent)
    yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is yes


def ask_color(parent: QWidget | None, current: str, tag: str = "") -> str | None:
    """A colour from the tag palette as ``#rrggbb``, or None when the user cancels."""
    from refman.gui.tag_colours import ask_palette_colour  # the palette imports the undo stack

    return ask_palette_colour(parent, current, tag)


def ask_choice(parent: QWidget | None, title: str, label: str, choices: list[str]) -> int | None:
    """The index of the choice the user picks (the first is proposed), or None on cancel."""
    answer, ok = QInputDialog.getItem(parent, title, label, choices, 0, False)
    return choices.index(answer) if ok and answer in choices else None
