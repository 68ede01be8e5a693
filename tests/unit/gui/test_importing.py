"""The window's import machinery: imports run off the GUI thread, show progress, cancel, report."""

import logging
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton, QWidget

from refman.gui.importing import ALREADY_RUNNING, ImportController, problem_lines
from refman.gui.tasks import TaskRunner
from refman.library import Library
from refman.library.importing import Importing
from refman.model import Problem, ViewQuery
from tests.samples import AHEAD_OF_PRINT, BALLOON, EDITORIALS, FINAL, REPEATED, RESULT1, RESULT2

IMPORT_TIMEOUT_MS = 60_000
PROGRESS_LABEL = re.compile(r"Importing… [\d,]+ KB of [\d,]+ KB")


@pytest.fixture
def parent_widget(qtbot):
    """The widget the import controller's dialogs belong to, as the main window would be."""
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def controller(parent_widget, library_path):
    return ImportController(TaskRunner(library_path, parent_widget), parent_widget)


def item_count(library_path: Path) -> int:
    with Library(library_path) as library:
        return library.items.count()


def import_paths(qtbot, controller, paths, **kwargs):
    with qtbot.waitSignal(controller.finished, timeout=IMPORT_TIMEOUT_MS) as blocker:
        controller.import_paths([str(p) for p in paths], **kwargs)
    return blocker.args[0]


def summary_text(controller) -> str:
    box = controller.summary_box
    return f"{box.windowTitle()}\n{box.text()}\n{box.informativeText()}"


def big_medline_file(path: Path, records: int) -> Path:
    """``records`` copies of a sample record, each with its own PMID, DOI and title."""
    record = RESULT1.read_text(encoding="utf-8").strip()
    with path.open("w", encoding="utf-8") as out:
        for n in range(records):
            copy = record.replace("PMID- 12230038", f"PMID- {90_000_000 + n}")
            copy = copy.replace("a brief overview.", f"a brief overview, part {n}.")
            out.write(copy + f"\nLID - 10.9999/refman.{n} [doi]\n\n")
    return path


# --- importing -----------------------------------------------------------------------------------


def test_import_adds_the_items_to_the_library_file(qtbot, controller, library_path):
    report = import_paths(qtbot, controller, [RESULT2, BALLOON])

    assert (len(report.added), report.duplicates, report.files_read) == (79, [], 2)
    assert item_count(library_path) == 79
    assert len(report.item_ids) == 79
    text = summary_text(controller)
    assert "79 added" in text
    assert "2 files" in text
    assert not controller.is_running()


def test_importing_again_reports_duplicates(qtbot, controller, library_path):
    import_paths(qtbot, controller, [RESULT2])
    report = import_paths(qtbot, controller, [RESULT2])

    assert (report.added, len(report.duplicates)) == ([], 4)
    assert sorted(report.item_ids) == sorted(report.duplicates)
    assert "4 duplicates skipped" in summary_text(controller)
    assert item_count(library_path) == 4


def test_the_summary_names_each_record_not_added(qtbot, controller, library_path):
    first = import_paths(qtbot, controller, [AHEAD_OF_PRINT])
    report = import_paths(qtbot, controller, [FINAL, REPEATED, EDITORIALS])

    assert (len(report.added), len(report.not_added)) == (6, 4)
    box = controller.summary_box
    assert box.text() == "Imported: 6 added, 4 duplicates skipped from 3 files."
    assert box.icon() == QMessageBox.Icon.Information
    title = '"Long-term outcomes of sacral neuromodulation for fecal in..."'
    hip = "Hip fracture surgery within 24 hours and mortality"
    assert box.informativeText().splitlines() == [
        f"final.nbib, line 2: skipped PMID 99400001 {title}: same PMID as item"
        f" {first.added[0]} {title}",
        'repeated-records.nbib, line 47: skipped PMID 99600001 "Vitamin D supplementation and'
        ' fracture risk in community-...": same PMID as the record at line 2 of the same file',
        f'repeated-records.nbib, line 62: skipped "{hip}: a reg...": same DOI as the record at'
        " line 17 of the same file",
        f'repeated-records.nbib, line 70: skipped "{hip} - a re...": same title, year and first'
        " author as the record at line 17 of the same file",
    ]
    assert item_count(library_path) == 7


def test_the_summary_lists_records_not_added_then_problems(qtbot, controller, tmp_path):
    many = big_medline_file(tmp_path / "many.nbib", 25)
    import_paths(qtbot, controller, [many])
    import_paths(qtbot, controller, [many, tmp_path / "gone.nbib"])

    box = controller.summary_box
    assert box.text() == "Imported: 0 added, 25 duplicates skipped, 1 problem from 1 file."
    assert box.icon() == QMessageBox.Icon.Warning
    records, problems = box.informativeText().split("\n\n")
    lines = records.splitlines()
    assert len(lines) == 21 and lines[-1] == "… and 5 more."
    assert all(": same PMID as item " in line for line in lines[:-1])
    assert problems == "gone.nbib: no such file or folder"


def test_import_into_a_collection(qtbot, controller, library_path):
    with Library(library_path) as library:
        collection, _ = library.collections.create("Reading list")

    report = import_paths(qtbot, controller, [RESULT2], collection_id=collection.id)

    with Library(library_path) as library:
        assert sorted(library.items.search(ViewQuery(collection=collection.id))) == sorted(
            report.added
        )


def test_import_text(qtbot, controller, library_path):
    with qtbot.waitSignal(controller.finished, timeout=IMPORT_TIMEOUT_MS) as blocker:
        controller.import_text(RESULT1.read_text(encoding="utf-8"))

    report = blocker.args[0]
    assert len(report.added) == 1
    with Library(library_path) as library:
        assert library.items.get(report.added[0]).title.startswith("The Bio* toolkits")
    assert "1 added" in summary_text(controller)


def test_import_text_that_is_not_medline_warns(qtbot, controller, library_path):
    with qtbot.waitSignal(controller.finished, timeout=IMPORT_TIMEOUT_MS) as blocker:
        controller.import_text("Dear colleague, here is the paper I mentioned.")

    assert blocker.args[0].nothing_read
    assert controller.summary_box.windowTitle() == "Nothing imported"
    assert controller.summary_box.icon() == QMessageBox.Icon.Warning
    assert item_count(library_path) == 0


# --- progress and cancel ------------------------------------------------------------------------


def test_slow_import_shows_progress_and_cancel_keeps_the_library(
    qtbot, controller, library_path, tmp_path
):
    import_paths(qtbot, controller, [RESULT2])
    big = big_medline_file(tmp_path / "big.nbib", 20_000)
    ticks = []
    timer = QTimer(interval=20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()

    with qtbot.waitSignal(controller.finished, timeout=IMPORT_TIMEOUT_MS) as blocker:
        controller.import_paths([str(big)])
        qtbot.waitUntil(lambda: _visible_progress(controller), timeout=IMPORT_TIMEOUT_MS)
        dialog = controller.progress_dialog
        qtbot.waitUntil(lambda: bool(PROGRESS_LABEL.fullmatch(dialog.labelText())))
        qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)
    timer.stop()

    report = blocker.args[0]
    assert report.cancelled
    assert report.added == []
    assert item_count(library_path) == 4  # as before the cancelled file
    assert "Import cancelled" in summary_text(controller)
    # The event loop kept running during the import: an import on the GUI thread would let the
    # timer fire at most once (coalesced). Not a count per 20 ms: the worker holds the GIL
    # much of the time, and how often the GUI thread gets it varies with the machine's load.
    assert len(ticks) >= 3
    assert controller.progress_dialog is None


def _visible_progress(controller) -> bool:
    return controller.progress_dialog is not None and controller.progress_dialog.isVisible()


def test_quick_import_shows_no_progress_dialog(qtbot, controller, parent_widget):
    dialogs = []
    controller.finished.connect(
        lambda _: dialogs.extend(parent_widget.findChildren(QProgressDialog))
    )

    import_paths(qtbot, controller, [RESULT1])

    assert dialogs == []


def test_a_second_import_is_refused_while_one_runs(qtbot, controller, library_path, tmp_path):
    big = big_medline_file(tmp_path / "big.nbib", 20_000)

    with qtbot.waitSignal(controller.finished, timeout=IMPORT_TIMEOUT_MS) as blocker:
        controller.import_paths([str(big)])
        controller.import_paths([str(RESULT2)])
        assert controller.summary_box.text() == ALREADY_RUNNING
        assert controller.is_running()
        controller.cancel_and_wait()

    assert blocker.args[0].cancelled
    assert item_count(library_path) == 0
    assert not controller.is_running()


# --- bad files and errors -----------------------------------------------------------------------

BAD_FILES = {
    "empty.nbib": b"",
    "binary.nbib": bytes(range(256)) * 8,
    "references.nbib": b"Dear colleague,\nthe references you asked for follow.\n",  # no format
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_file_is_named_in_plain_words(qtbot, controller, library_path, tmp_path, name):
    import_paths(qtbot, controller, [RESULT2])
    bad = tmp_path / name
    bad.write_bytes(BAD_FILES[name])

    report = import_paths(qtbot, controller, [bad])

    assert report.nothing_read
    assert report.added == []
    text = summary_text(controller)
    assert controller.summary_box.windowTitle() == "Nothing imported"
    assert name in text
    assert "Traceback" not in text
    assert item_count(library_path) == 4


def test_a_good_and_a_bad_file_import_the_good_one(qtbot, controller, library_path, tmp_path):
    bad = tmp_path / "notes.nbib"
    bad.write_text("Notes on the books to read.\n", encoding="utf-8")  # no format refman reads

    report = import_paths(qtbot, controller, [RESULT2, bad])

    assert (len(report.added), report.files_read, report.files_failed) == (4, 1, 1)
    text = summary_text(controller)
    assert "4 added" in text
    assert "notes.nbib" in text
    assert item_count(library_path) == 4


def test_a_missing_file_is_named(qtbot, controller, tmp_path):
    import_paths(qtbot, controller, [tmp_path / "gone.nbib"])

    assert "gone.nbib: no such file or folder" in summary_text(controller)


def test_a_library_that_cannot_be_opened_is_said_plainly(qtbot, parent_widget, tmp_path):
    blocker_file = tmp_path / "a file"
    blocker_file.write_text("not a folder", encoding="utf-8")
    controller = ImportController(
        TaskRunner(blocker_file / "library.sqlite", parent_widget), parent_widget
    )

    report = import_paths(qtbot, controller, [RESULT1])

    assert report.problems and report.added == []
    text = summary_text(controller)
    assert f"{blocker_file} is a file, not a folder" in text
    assert "Traceback" not in text


def test_an_unexpected_error_is_logged_and_shown(qtbot, controller, monkeypatch, caplog):
    def broken(self, *args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Importing, "files", broken)
    with caplog.at_level(logging.ERROR, logger="refman.gui.tasks"):
        import_paths(qtbot, controller, [RESULT1])

    assert controller.summary_box.text() == "Import failed: disk on fire"
    assert "Traceback" not in summary_text(controller)
    assert any(r.exc_info and "disk on fire" in str(r.exc_info[1]) for r in caplog.records)


def test_problem_lines_show_twenty_and_count_the_rest():
    problems = [Problem("/data/a.nbib", n, "a broken line") for n in range(1, 26)]

    lines = problem_lines(problems).splitlines()

    assert len(lines) == 21
    assert lines[0] == "a.nbib, line 1: a broken line"
    assert lines[-1] == "… and 5 more."
