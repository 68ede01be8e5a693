"""Links to DOI and PubMed pages when no browser can be started: the address is shown in a
message, with a button that copies it, instead of a warning on stderr nobody reads.

The offscreen platform these tests run on starts no browser (QDesktopServices.openUrl returns
False there), as a desktop without xdg-open or a browser does.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from refman.gui.links import COPY_ADDRESS, UNOPENED_BOX

SEED_DOI_URL = "https://doi.org/10.1097/SLA.0000000000005894"
SEED_PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/37144409/"


def unopened_message(window) -> QMessageBox:
    boxes = [b for b in window.findChildren(QMessageBox, UNOPENED_BOX) if b.isVisible()]
    assert len(boxes) == 1
    return boxes[0]


def click_link(label) -> None:
    """Click the middle of a label that shows one short link ("Open")."""
    QTest.mouseClick(label, Qt.MouseButton.LeftButton, pos=label.rect().center())


def test_this_platform_starts_no_browser(qapp):
    # What the tests below rely on: if this fails, they would open a real browser.
    assert not QDesktopServices.openUrl(QUrl(SEED_DOI_URL))


def test_a_doi_link_without_a_browser_shows_the_address_to_copy(seed_window, selected_seed, qtbot):
    QGuiApplication.clipboard().setText("")
    click_link(seed_window.detail.fields.links["doi"])
    box = unopened_message(seed_window)
    assert SEED_DOI_URL in box.text()
    assert "No web browser could be started" in box.text()
    copy = next(b for b in box.buttons() if b.text() == COPY_ADDRESS)
    QTest.mouseClick(copy, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == SEED_DOI_URL
    qtbot.waitUntil(lambda: not box.isVisible())


def test_a_second_link_replaces_the_first_message(seed_window, selected_seed, qtbot):
    click_link(seed_window.detail.fields.links["doi"])
    click_link(seed_window.detail.fields.links["pmid"])
    qtbot.waitUntil(lambda: len(seed_window.findChildren(QMessageBox, UNOPENED_BOX)) == 1)
    assert SEED_PUBMED_URL in unopened_message(seed_window).text()
