"""The refman window as the torture test runs it: the real program, and a user at it.

    python -m tests.system.window_driver LEDGER SEED ANCHORS -- --library PATH

runs ``refman.app.main`` (what the ``refman`` command runs) on the arguments after ``--``, and,
from a timer in the window's own event loop, edits the library the way a user does, through
the window's widgets and actions: File > New Collection, the tag box and Remove button of the
detail pane, the New Note button and the note editor. The window has no remote control, and
driving it from inside is the only way to make it write through its own long-lived connection,
where a lost lock hurts (issue 11). Files handed to the window (``refman --library PATH FILE``
from another process) are imported by the window itself.

Every change is written to LEDGER (JSON lines, flushed) twice: ``begin`` before it is tried, and
``done`` once the window has committed it, or ``failed`` with the message the user saw. A kill
can come between the two; the test then accepts the change whole or not at all. ``ANCHORS`` is
a JSON object of item id -> the title word that finds only that item. Creating the file named
``LEDGER.stop`` stops the edits; ``idle`` in the ledger then says no import is running.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication

from refman import app as refman_app
from refman.gui import app as gui_app
from refman.gui import dialogs, importing
from refman.gui.item_tags import TAG_NAME_ROLE
from refman.gui.main_window import MainWindow
from refman.gui.sidebar import Source

EDIT_EVERY_MS = (300, 1200)  # a pause drawn between two edits
EDIT_WEIGHTS = (2, 5, 3)  # new collection, tag, note
NEW_COLLECTION = "&New Collection…"
WINDOW_TAGS = ("window-green", "window-grey")


class Ledger:
    """JSON lines appended and flushed one by one: what a kill leaves is what was written."""

    def __init__(self, path: Path):
        self._file = path.open("a", encoding="utf-8")

    def write(self, **entry) -> None:
        entry = {"t": time.time(), "pid": os.getpid(), **entry}
        self._file.write(json.dumps(entry) + "\n")
        self._file.flush()


class Driver:
    """Edits the library through the window's widgets, one edit at a time, on a timer."""

    def __init__(self, ledger: Ledger, rng: random.Random, anchors: dict[int, str], stop: Path):
        self.ledger = ledger
        self.rng = rng
        self.anchors = anchors
        self.stop_file = stop
        self.window: MainWindow | None = None
        self.messages: list[str] = []  # what the window told the user during the current edit
        self.answers: list[str] = []  # what the next question (a collection's name) is answered
        self.count = 0
        self.import_open = False

    # --- the user's side of the dialogs -------------------------------------------------------

    def install_dialogs(self) -> None:
        """Dialogs answer from here, and messages are recorded: a modal box would stop the
        window's event loop (and this driver) until someone clicks."""

        def told(_parent, message: str) -> None:
            self.messages.append(message)
            self.ledger.write(event="message", text=message)

        dialogs.show_error = told
        dialogs.show_warning = told
        dialogs.show_info = told
        dialogs.ask_text = lambda *_args, **_kw: self.answers.pop(0) if self.answers else None
        dialogs.confirm = lambda *_args, **_kw: True

        def damage_found(damage) -> str:  # the test fails on the message; the window goes on
            told(None, gui_app.damage_text(damage))
            return gui_app.READ_ONLY

        gui_app.ask_about_damage = damage_found

    def install_import_hooks(self) -> None:
        """Each file list handed to the window is recorded as it arrives, before the import."""
        driver = self
        original = importing.ImportController.import_paths

        def import_paths(self, paths, collection_id=None, **options):
            refused = self.is_running()  # the window refuses a second import while one runs
            driver.ledger.write(op="import", state="begin", files=list(paths), refused=refused)
            driver.import_open = driver.import_open or not refused
            original(self, paths, collection_id, **options)

        importing.ImportController.import_paths = import_paths

    def _import_finished(self, report) -> None:
        self.import_open = False
        problems = [p.message for p in report.problems]
        state = "done" if report.files_read and not report.cancelled else "failed"
        self.ledger.write(
            op="import",
            state=state,
            files_read=report.files_read,
            added=len(report.added),
            problems=problems,
        )

    # --- the window ---------------------------------------------------------------------------

    def attach(self) -> None:
        """Find the main window once it is up, then start editing."""
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        if not windows:
            QTimer.singleShot(50, self.attach)
            return
        self.window = windows[0]
        self.window.importer().finished.connect(self._import_finished)
        self.ledger.write(event="ready")
        self._schedule()

    def _schedule(self) -> None:
        QTimer.singleShot(self.rng.randint(*EDIT_EVERY_MS), self.window, self._tick)

    def _tick(self) -> None:
        if self.stop_file.exists():
            if not self.import_open:
                self.ledger.write(event="idle")
                return
        else:
            self.count += 1
            edits = (self.new_collection, self.toggle_tag, self.add_note)
            self.rng.choices(edits, weights=EDIT_WEIGHTS)[0]()
        self._schedule()

    def _record(self, op: str, confirmed: bool, **what) -> None:
        if confirmed and not self.messages:
            self.ledger.write(op=op, state="done", **what)
        else:
            self.ledger.write(op=op, state="failed", messages=self.messages, **what)

    def _begin(self, op: str, **what) -> None:
        self.messages = []
        self.ledger.write(op=op, state="begin", **what)

    def _select(self, item_id: int) -> bool:
        """My Library in the sidebar (a new collection is shown empty), then the item."""
        self.window.sidebar.select(Source())
        self.window.table.select_ids([item_id])
        return self.window.table.selected_ids() == [item_id]

    # --- the edits ----------------------------------------------------------------------------

    def new_collection(self) -> None:
        """File > New Collection, answering the name asked for."""
        name = f"window collection {os.getpid()}-{self.count}"
        self._begin("collection", name=name)
        self.answers = [name]
        action = next(a for a in self.window.findChildren(QAction) if a.text() == NEW_COLLECTION)
        action.trigger()
        self._record(
            "collection", self.window.library.collections.find(name) is not None, name=name
        )

    def toggle_tag(self) -> None:
        """Select an anchor item; add a tag in the Tags tab, or select it there and Remove."""
        item_id = self.rng.choice(list(self.anchors))
        tag = self.rng.choice(WINDOW_TAGS)
        if not self._select(item_id):
            self.ledger.write(event="message", text=f"item {item_id} could not be selected")
            return
        pane = self.window.detail.tags
        adding = tag not in pane.names()
        self._begin("tag", tag=tag, item=item_id, adding=adding)
        if adding:
            pane.input.setText(tag)
            pane.input.returnPressed.emit()
        else:
            pane.list.clearSelection()
            for row in range(pane.list.count()):
                entry = pane.list.item(row)
                entry.setSelected(entry.data(TAG_NAME_ROLE) == tag)
            pane.remove_button.click()
        names = [t.name for t in self.window.library.items.get(item_id).tags]
        self._record("tag", (tag in names) == adding, tag=tag, item=item_id, adding=adding)

    def add_note(self) -> None:
        """Select an anchor item, press New Note in the Notes tab, type, and let it save."""
        item_id = self.rng.choice(list(self.anchors))
        text = f"window note {os.getpid()}-{self.count}"
        if not self._select(item_id):
            self.ledger.write(event="message", text=f"item {item_id} could not be selected")
            return
        notes = self.window.detail.notes
        self._begin("note", item=item_id, text=text)
        notes.new_button.click()
        if notes.note_id is not None:
            notes.text.insertPlainText(text)  # as typed: the document is now modified
            notes.flush()  # what the editor's timer does a second after the typing stops
        saved = any(text in note.html for note in self.window.library.notes.of_item(item_id))
        self._record("note", saved, item=item_id, text=text)


def main(argv: list[str]) -> int:
    split = argv.index("--")
    ledger_path, seed, anchors = argv[:split]
    ledger = Ledger(Path(ledger_path))
    anchor_words = {int(k): v for k, v in json.loads(anchors).items()}
    driver = Driver(ledger, random.Random(int(seed)), anchor_words, Path(ledger_path + ".stop"))
    gui_app.application()  # refman's run() takes this one over
    driver.install_dialogs()
    driver.install_import_hooks()
    QTimer.singleShot(0, driver.attach)
    status = refman_app.main(argv[split + 1 :])
    ledger.write(event="exit", status=status)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
