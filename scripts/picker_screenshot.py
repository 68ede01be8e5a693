"""Make docs/picker.png: an editor's request opens refman's citation picker over the window.

    xvfb-run -a -s "-screen 0 1600x1000x24" python scripts/picker_screenshot.py [OUTPUT.png]

The tour (scripts/tour.py) builds the sample library in a temporary folder (the user's own
library and settings are never touched) up to its item-selected step; then the citation picker
for editors is turned on (on a free loopback port) and asked, over HTTP as an editor plugin
asks, for ``/better-bibtex/cayw?format=pandoc&brackets=1``. In the picker that opens, two
searches are typed and their first result picked with Enter, and a third search is typed: the
window and the picker are grabbed then. The picker is then answered (Enter on the empty box)
and the editor's request and refman's answer are drawn below the grab, as a terminal shows
them. Run it under Xvfb with fonts-dejavu installed for the fonts a user sees; without a
display, Qt renders offscreen.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

import tour
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtTest import QTest

from refman import cayw as endpoint
from refman.gui import cayw

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "picker.png"
SIZE = (1100, 680)
QUERY = "format=pandoc&brackets=1"
# Each search's first result is picked, the second with the page typed after the words.
PICKS = ("balloon guide meta", "goldhoorn p. 1761")
TYPING = "trevo"  # typed last, its results shown
TERMINAL_LINE = 22  # pixels a line of the terminal strip takes
SHADOW = 10  # pixels of the picker's shadow


class Editor:
    """An editor plugin's request, made in a thread of its own: it waits for the pick."""

    def __init__(self, port: int):
        self.url = f"http://127.0.0.1:{port}/better-bibtex/cayw?{QUERY}"
        self.answer: str | None = None
        self.thread = threading.Thread(target=self._ask, daemon=True)
        self.thread.start()

    def _ask(self) -> None:
        with urllib.request.urlopen(self.url, timeout=tour.TOUR_TIMEOUT_S) as response:
            self.answer = response.read().decode("utf-8")


def port_to_use() -> int:
    """The picker's default port (Zotero's, that plugins call) when it is free, else another."""
    for wanted in (endpoint.DEFAULT_PORT, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", wanted))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise tour.StepFailed("no free loopback port")


def pick_citations(steps: tour.Tour) -> None:
    """Turn the picker on, ask it as an editor does, and pick in it as a user does."""
    steps.settings.setValue(cayw.ENABLED_KEY, True)
    steps.settings.setValue(cayw.PORT_KEY, port_to_use())
    server = cayw.serve(steps.window, steps.settings)
    if not server.port:
        raise tour.StepFailed(f"the citation picker did not start: {server.status()}")
    steps.editor = Editor(server.port)  # type: ignore[attr-defined]
    steps.wait_until(lambda: server.picker is not None and server.picker.isVisible(),
                     "the picker to open")
    picker = server.picker
    assert picker is not None
    for words in PICKS:
        QTest.keyClicks(picker.search, words)
        steps.wait_until(lambda: picker.shown_keys(), f"the items matching '{words}'")
        QTest.keyClick(picker.search, Qt.Key.Key_Return)
    QTest.keyClicks(picker.search, TYPING)
    steps.wait_until(lambda: picker.shown_keys(), f"the items matching '{TYPING}'")
    if len(picker.picked_keys()) != len(PICKS):
        raise tour.StepFailed(f"picked {picker.picked_keys()}, not {len(PICKS)} items")


def answer(steps: tour.Tour) -> str:
    """Enter on the emptied box: the picker answers the editor; its answer."""
    picker = steps.window.cayw.picker
    picker.search.clear()
    QTest.keyClick(picker.search, Qt.Key.Key_Return)
    editor = steps.editor  # type: ignore[attr-defined]
    steps.wait_until(lambda: editor.answer is not None, "the editor's answer")
    return editor.answer


def grab(steps: tour.Tour) -> QImage:
    """The window with the picker in front of it, framed and shadowed as a desktop shows a
    dialog (without a window manager, Xvfb draws no frames)."""
    tour.spin(tour.SETTLE_MS)
    window, picker = steps.window, steps.window.cayw.picker
    image = window.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    place = picker.geometry().translated(-window.geometry().topLeft())
    painter = QPainter(image)
    for spread in range(SHADOW, 0, -1):
        painter.fillRect(place.adjusted(-spread, -spread + 2, spread, spread + 2),
                         QColor(0, 0, 0, 14))
    painter.fillRect(place.adjusted(-1, -1, 1, 1), QColor("#5f6368"))
    painter.drawPixmap(place.topLeft(), picker.grab())
    painter.end()
    return image


def with_terminal(shot: QImage, lines: list[str]) -> QImage:
    """``shot`` with a terminal's strip below it showing ``lines``."""
    height = TERMINAL_LINE * len(lines) + 16
    image = QImage(shot.width(), shot.height() + height, QImage.Format.Format_RGB32)
    image.fill(QColor("#1e1e1e"))
    painter = QPainter(image)
    painter.drawImage(0, 0, shot)
    font = QFont("DejaVu Sans Mono")
    font.setPixelSize(15)
    painter.setFont(font)
    painter.setPen(QColor("#e8e8e8"))
    for number, line in enumerate(lines):
        top = shot.height() + 8 + number * TERMINAL_LINE
        painter.drawText(QRect(12, top, shot.width() - 24, TERMINAL_LINE),
                         Qt.AlignmentFlag.AlignVCenter, line)
    painter.end()
    return image


def main(output: Path = OUTPUT) -> int:
    """The tour up to its item-selected step, then the picker's, shot to ``output``."""
    shots: list[QImage] = []
    answered: list[str] = []

    def picker_step(steps: tour.Tour) -> None:
        pick_citations(steps)
        shots.append(grab(steps))
        answered.extend((steps.editor.url, answer(steps)))  # type: ignore[attr-defined]

    tour.STEPS.insert([name for name, _ in tour.STEPS].index(tour.README_STEP) + 1,
                      ("picker", picker_step))
    with tempfile.TemporaryDirectory(prefix="refman-picker-shot-") as folder:
        status = tour.run(Path(folder), SIZE, last_step="picker")
        if status:
            return status
        lines = [f"$ curl -s '{answered[0]}'", answered[1]]
        output.parent.mkdir(parents=True, exist_ok=True)
        if not with_terminal(shots[0], lines).save(str(output)):
            raise SystemExit(f"could not write {output}")
    print(f"answered: {answered[1]}")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT))
