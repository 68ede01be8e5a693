"""A tour of the window as a new user takes it, with a screenshot at each step.

    xvfb-run -a -s "-screen 0 1600x1000x24" python scripts/tour.py OUTDIR [--size WxH]

It drives the real main window (refman.gui) through a first start on an empty library, the
import of the sample files in tests/data (the review, then the summary), selecting an item,
tagging it, writing a note, a search, and the export dialog with a style looked up, and saves
``OUTDIR/NN-step.png`` after each step: anyone can look at the whole experience after a change.
The library and every setting live in a temporary folder, never the user's own. The widgets
are driven as a user would (clicks and keys through QTest, the menus' actions), and each step
waits, with a deadline, for what the user would wait for (the task runner's import, the item
in the detail pane, the saved note). A step that fails says which and why, leaves its screenshot
as ``NN-step-FAILED.png``, and the tour exits 1; a tour that hangs is ended after a minute.
Under Xvfb (or any X server) the window is drawn as on a desktop; without a display Qt draws
offscreen. ``--size`` sets the window's size (by default it opens as refman opens it);
scripts/screenshot.py takes the README's screenshot from the step ``README_STEP``.
"""

from __future__ import annotations

import argparse
import faulthandler
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from refman.gui.app import application
from refman.gui.export_dialog import ExportDialog
from refman.gui.main_window import NOTICES_DELAY_MS, STYLE_WARM_UP_DELAY_MS, MainWindow
from refman.library import Library

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "data"
SELECTED_PMID = "37144409"  # the seed record: authors, MeSH tags and an abstract fill the pane
TAG = "to read"
NOTE = "Read for the review: the safety data in table 2 settle the question."
SEARCH = "balloon"
STYLE_WORDS = "vancouver"
STEP_TIMEOUT_S = 20  # what a step waits for at most (an import of the samples takes seconds)
TOUR_TIMEOUT_S = 60  # the whole tour; after it, the process ends whatever it is doing
SETTLE_MS = 300  # after a step, for the last repaints before the screenshot
README_STEP = "item-selected"


class StepFailed(Exception):
    """A step did not reach what it waits for: the message says what, in plain words."""


def sample_files(folder: Path = SAMPLES) -> list[Path]:
    """The MEDLINE sample files at the top of ``folder`` (in tests/data, the golden fixtures
    in its subfolders stay out)."""
    return sorted(p for p in folder.iterdir() if p.suffix in (".nbib", ".txt"))


def _private_environment(folder: Path) -> None:
    """Settings, logs and caches in ``folder``: a tour never reads or writes the user's."""
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ[name] = str(folder / name.lower())
    os.environ.pop("REFMAN_LIBRARY", None)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class Tour:
    """The window on a new library in ``folder``, and the steps a user takes in it."""

    def __init__(self, folder: Path, output: Path, size: tuple[int, int] | None, samples: Path):
        self.app = application()
        self.output = output
        self.samples = samples
        self.library = Library(folder / "library.sqlite")
        self.settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow(self.library, self.settings)
        if size is not None:
            self.window.resize(*size)
        self.item_id = None
        self.shots: list[Path] = []

    # --- waiting and looking --------------------------------------------------------------

    def wait_until(self, ready: Callable[[], object], what: str) -> None:
        """Run the event loop until ``ready()`` is true; StepFailed naming ``what`` after
        STEP_TIMEOUT_S."""
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while not ready():
            if time.monotonic() > deadline:
                raise StepFailed(f"waited {STEP_TIMEOUT_S} s for {what}, in vain")
            spin(50)

    def wait_for_tasks(self) -> None:
        tasks = self.window.tasks
        self.wait_until(lambda: not tasks.busy(), "the background tasks to end")

    def shoot(self, name: str) -> Path:
        """Save what the screen shows of the window and the dialogs over it."""
        spin(SETTLE_MS)
        path = self.output / f"{len(self.shots) + 1:02d}-{name}.png"
        image = screenshot(self.window)
        if not image.save(str(path)):
            raise StepFailed(f"could not write {path}")
        self.shots.append(path)
        return path

    # --- the steps --------------------------------------------------------------------------

    def first_start(self) -> None:
        self.window.show()
        self.window.activateWindow()  # as the desktop does with a new window
        handle = self.window.windowHandle()
        self.wait_until(lambda: handle.isExposed(), "the window to show")
        # The style's warm-up and the notices' reading begin a moment after start: let them.
        spin(max(STYLE_WARM_UP_DELAY_MS, NOTICES_DELAY_MS) + SETTLE_MS)
        self.wait_for_tasks()
        if self.window.table_model.rowCount():
            raise StepFailed("a new library shows items")

    def import_review(self) -> None:
        files = [str(p) for p in sample_files(self.samples)]
        self.window.import_chosen_paths(files)  # what File > Import does with the files chosen
        importer = self.window.importer()

        def reviewed() -> bool:
            return importer.review_dialog is not None and importer.review_dialog.isVisible()

        def told() -> bool:  # no review: the files held too little, or nothing readable
            return importer.summary_box is not None and importer.summary_box.isVisible()

        self.wait_until(lambda: reviewed() or told(), "the import's review")
        if not reviewed():
            box = importer.summary_box
            raise StepFailed(f"no review, but: {box.text()} {box.informativeText()}".strip())

    def imported(self) -> None:
        importer = self.window.importer()
        reports = []
        importer.finished.connect(reports.append)
        button = importer.review_dialog.import_button
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        self.wait_until(lambda: reports, "the import to finish")
        self.wait_for_tasks()
        if not reports[0].added:
            raise StepFailed(f"the import added nothing: {importer.summary_box.text()}")
        self.wait_until(lambda: importer.summary_box.isVisible(), "the import's summary")

    def item_selected(self) -> None:
        importer = self.window.importer()
        QTest.mouseClick(_button(importer.summary_box, "OK"), Qt.MouseButton.LeftButton)
        self.item_id = self._seed_id()
        click_row(self.window.table, self.window.table_model.row_of(self.item_id))
        detail = self.window.detail
        self.wait_until(
            lambda: detail.ref is not None and detail.ref.id == self.item_id,
            "the item in the detail pane",
        )
        self.wait_until(lambda: detail.citation.label.text(), "the item's citation")

    def tagged(self) -> None:
        detail = self.window.detail
        click_tab(detail.tabs, "Tags")
        QTest.mouseClick(detail.tags.input, Qt.MouseButton.LeftButton)
        QTest.keyClicks(detail.tags.input, TAG)
        QTest.keyClick(detail.tags.input, Qt.Key.Key_Return)
        self.wait_until(
            lambda: TAG in [t.name for t in self.library.items.get(self.item_id).tags],
            f"the tag '{TAG}' on the item",
        )
        self.wait_until(lambda: TAG in detail.tags.names(), f"the tag '{TAG}' in the list")

    def note(self) -> None:
        notes = self.window.detail.notes
        click_tab(self.window.detail.tabs, "Notes")
        QTest.mouseClick(notes.new_button, Qt.MouseButton.LeftButton)
        self.wait_until(lambda: notes.note_id is not None, "the new note")
        QTest.keyClicks(notes.text, NOTE)
        self.wait_until(
            lambda: any(NOTE in n.title for n in self.library.notes.of_item(self.item_id)),
            "the note to be saved",
        )

    def search(self) -> None:
        box = self.window.search_box
        every = self.window.table_model.rowCount()
        QTest.mouseClick(box, Qt.MouseButton.LeftButton)
        QTest.keyClicks(box, SEARCH)
        model = self.window.table_model
        self.wait_until(lambda: 0 < model.rowCount() < every, f"the items matching '{SEARCH}'")

    def export(self) -> None:
        click_row(self.window.table, 0)
        self.window.export()  # File > Export…
        self.wait_until(lambda: self._dialog(ExportDialog), "the export dialog")
        dialog = self._dialog(ExportDialog)
        picker = dialog.style_picker
        type_into(picker.filter, STYLE_WORDS)
        self.wait_until(lambda: STYLE_WORDS in picker.style_title().casefold(), "a style")
        self.wait_until(lambda: dialog.preview.toPlainText().strip(), "the export's preview")

    def _dialog(self, kind):
        found = [d for d in self.window.findChildren(kind) if d.isVisible()]
        return found[0] if found else None

    def _seed_id(self):
        for item_id in self.library.items.search():
            if self.library.items.get(item_id).pmid == SELECTED_PMID:
                return item_id
        raise StepFailed(f"no item with PMID {SELECTED_PMID} after the import")

    def close(self) -> None:
        for widget in self.app.topLevelWidgets():
            if widget is not self.window and widget.isVisible():
                widget.close()
        self.window.close()
        self.wait_for_tasks()
        self.library.close()


# (name, step): each step drives the window, then its screenshot is taken.
STEPS: list[tuple[str, Callable[[Tour], None]]] = [
    ("first-start", Tour.first_start),
    ("import-review", Tour.import_review),
    ("imported", Tour.imported),
    (README_STEP, Tour.item_selected),
    ("tagged", Tour.tagged),
    ("note", Tour.note),
    ("search", Tour.search),
    ("export", Tour.export),
]


def spin(ms: int) -> None:
    """Run the event loop for ``ms``. Not QTest.qWait, which keeps Python's lock while it
    sleeps: the task runner's threads (the import, the style's warm-up) would stand still."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def click_row(table, row: int | None) -> None:
    if row is None:
        raise StepFailed("the item is not in the table")
    index = table.model().index(row, 0)
    table.scrollTo(index)
    QTest.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center()
    )


def click_tab(tabs, title: str) -> None:
    bar = tabs.tabBar()
    number = next((n for n in range(bar.count()) if bar.tabText(n).replace("&", "") == title), None)
    if number is None:
        raise StepFailed(f"the detail pane has no {title} tab")
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(number).center())


def type_into(field, text: str) -> None:
    QTest.mouseClick(field, Qt.MouseButton.LeftButton)
    QTest.keyClicks(field, text)


def _button(box, text: str):
    for button in box.buttons():
        if button.text().replace("&", "") == text:
            return button
    raise StepFailed(f"no {text} button in '{box.text()}'")


def screenshot(window):
    """The main window with the dialogs and messages shown over it, each drawn where it is."""

    shown = [window] + [
        w
        for w in QApplication.topLevelWidgets()
        if w is not window and w.isVisible() and w.isWindow() and w.width() > 1
    ]
    area = QRect()
    for widget in shown:
        area = area.united(widget.frameGeometry())
    image = QImage(area.size(), QImage.Format.Format_RGB32)
    image.fill(window.palette().window().color().darker(160))
    painter = QPainter(image)
    for widget in shown:  # the window first, what is over it after
        painter.drawPixmap(widget.geometry().topLeft() - area.topLeft(), widget.grab())
    painter.end()
    return image


def run(
    output: Path,
    size: tuple[int, int] | None = None,
    samples: Path = SAMPLES,
    last_step: str | None = None,
) -> int:
    """The tour (up to ``last_step``, by default to its end), its screenshots in ``output``;
    0 when every step passed, else 1."""
    output.mkdir(parents=True, exist_ok=True)
    faulthandler.dump_traceback_later(TOUR_TIMEOUT_S, exit=True)  # a hang ends the process
    with tempfile.TemporaryDirectory(prefix="refman-tour-") as temporary:
        folder = Path(temporary)
        _private_environment(folder)
        tour = Tour(folder, output, size, samples)
        try:
            return _steps(tour, last_step)
        finally:
            tour.close()
            faulthandler.cancel_dump_traceback_later()


def _steps(tour: Tour, last_step: str | None) -> int:
    for number, (name, step) in enumerate(STEPS, 1):
        try:
            step(tour)
        except StepFailed as failure:
            tour.shoot(f"{name}-FAILED")
            print(f"tour: step {number} ({name}) failed: {failure}", file=sys.stderr)
            return 1
        print(f"wrote {tour.shoot(name)}")
        if name == last_step:
            break
    return 0


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.partition("x")
    if not (width.isdigit() and height.isdigit()):
        raise argparse.ArgumentTypeError(f"'{text}' is no size: write it as WIDTHxHEIGHT")
    return int(width), int(height)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="the folder for the screenshots")
    parser.add_argument("--size", type=_size, help="the window's size, WIDTHxHEIGHT")
    parser.add_argument(
        "--samples", type=Path, default=SAMPLES, help="the folder of files to import"
    )
    args = parser.parse_args(argv)
    return run(args.output, args.size, args.samples)


if __name__ == "__main__":
    sys.exit(main())
