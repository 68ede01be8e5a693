"""Make docs/libreoffice.png and docs/libreoffice-cite.png: LibreOffice Writer with refman's
extension, on a formatted manuscript, and citing as one writes.

    xvfb-run -a -s "-screen 0 1400x900x24" python scripts/libreoffice_screenshot.py \
        [OUTPUT.png] [--cite-output CITE.png] [--soffice PATH] [--size WxH] [--zoom PERCENT]

The manuscript of scripts/manuscript_screenshot.py is formatted by ``refman format-document``
over the sample library (in a temporary folder); refman's extension (``refman
libreoffice-extension``'s .oxt) is installed with LibreOffice's ``unopkg`` into a LibreOffice
profile of its own, in that folder too; then LibreOffice itself (not headless) opens the
formatted copy on the X display, and scripts/uno_writer_view.py (run by the system's Python,
which has LibreOffice's ``uno``) sizes its window, docks refman's toolbar and zooms in. The
screen is grabbed with Qt once LibreOffice has drawn it: the refman menu and toolbar, the
citations (live fields, shaded grey as LibreOffice shows fields) and the bibliography.

For the second picture, refman's window runs in this process over the same library with its
citation picker on (a free loopback port, given to LibreOffice as REFMAN_PORT), LibreOffice
opens the manuscript again and refman > Add/Edit Citation is chosen after "first pass effect";
the picker comes forward over LibreOffice, an item is picked and another search typed, and the
screen is grabbed (refman's window and the picker given the frame and shadow a window manager
would draw). The pick is then inserted, and the script checks that LibreOffice has it.

It needs an X server (Xvfb) and a LibreOffice with its user interface: Debian's
``libreoffice-writer`` (``libreoffice-writer-nogui``, which the tests use, cannot show a
window); ``--soffice`` names another installation's soffice.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import citing_demo
import manuscript_screenshot
import tour
from tour import ROOT

from refman import libreoffice

OUTPUT = ROOT / "docs" / "libreoffice.png"
CITE_OUTPUT = ROOT / "docs" / "libreoffice-cite.png"
CITE_AFTER = "measured the first pass effect"  # where the new citation goes
PICKS = ("ospel optimizing",)  # each search's first result is picked
TYPING = "kang"  # typed last, its results shown
REFMAN_WINDOW = (560, 110, 820, 680)  # x, y, width, height: to the right, over LibreOffice
SHADOW = 10
WAIT_S = 60
VIEW_SCRIPT = Path(__file__).with_name("uno_writer_view.py")
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, where python3-uno puts ``uno``
SIZE = (1100, 860)
ZOOM = 120
DRAWN_S = 4  # for LibreOffice to draw the document after it is laid out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_office(soffice: str, profile: Path, port: int,
                 refman_port: int | None = None) -> subprocess.Popen:
    """LibreOffice with its window, on this display, listening for UNO on ``port`` (its
    extension asking refman on ``refman_port``)."""
    env = {**os.environ, "REFMAN_PORT": str(refman_port)} if refman_port else None
    return subprocess.Popen(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--norestore", "--nologo",
         "--nodefault", f"--accept=socket,host=127.0.0.1,port={port};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        start_new_session=True,  # its own group: soffice starts soffice.bin, both stopped
    )


def stop_office(process: subprocess.Popen) -> None:
    """End LibreOffice's process group (its documents were never changed)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass


def view_command(port: int, document: Path, size: tuple[int, int], zoom: int) -> list[str]:
    return [SYSTEM_PYTHON, str(VIEW_SCRIPT), str(port), str(document), str(size[0]),
            str(size[1]), str(zoom)]


def show_document(port: int, document: Path, size: tuple[int, int], zoom: int) -> dict:
    """scripts/uno_writer_view.py on the running office: what it found (toolbars, menu)."""
    done = subprocess.run(
        view_command(port, document, size, zoom),
        capture_output=True, text=True, timeout=citing_demo.LO_PROGRAM_WAIT_S + 60,
    )
    if done.returncode != 0:
        raise SystemExit(f"LibreOffice did not show {document.name}: {done.stderr.strip()}")
    return check_toolbar(json.loads(done.stdout))


def check_toolbar(found: dict) -> dict:
    if not any("refman" in url for url in found["toolbars"]):
        raise SystemExit(f"refman's toolbar is not in LibreOffice (found {found['toolbars']}): "
                         "the extension did not install")
    return found


def grab_screen(size: tuple[int, int]):
    """The screen's top left ``size`` pixels as Qt grabs them, a QImage."""
    from PySide6.QtGui import QGuiApplication

    screen = QGuiApplication.primaryScreen()
    return screen.grabWindow(0, 0, 0, *size).toImage()


def framed(image, windows: list) -> None:
    """Give each window's rectangle (QRect, bottom first) on ``image`` the frame and shadow a
    window manager would draw (Xvfb alone draws none)."""
    from PySide6.QtGui import QColor, QPainter, QRegion

    painter = QPainter(image)
    for place in windows:
        painter.save()
        painter.setClipRegion(QRegion(image.rect()).subtracted(QRegion(place)))
        for spread in range(SHADOW, 0, -1):
            painter.fillRect(place.adjusted(-spread, -spread + 2, spread, spread + 2),
                             QColor(0, 0, 0, 14))
        painter.fillRect(place.adjusted(-1, -1, 1, 1), QColor("#5f6368"))
        painter.restore()
    painter.end()


class Lines:
    """What a process prints, a line at a time, read in a thread (the event loop goes on)."""

    def __init__(self, process: subprocess.Popen):
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.thread.start()

    def _read(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line)


def wait_until(ready, what: str) -> None:
    """Run Qt's event loop until ``ready()``; SystemExit naming ``what`` after WAIT_S."""
    deadline = time.monotonic() + WAIT_S
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit(f"waited {WAIT_S} s for {what}, in vain")
        tour.spin(50)


def refman_window(library_path: Path, folder: Path):
    """refman's window over the library, its citation picker on at a free port."""
    from PySide6.QtCore import QSettings

    from refman.gui import cayw
    from refman.gui.main_window import MainWindow
    from refman.library import Library

    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue(cayw.ENABLED_KEY, True)
    settings.setValue(cayw.PORT_KEY, free_port())
    window = MainWindow(Library(library_path), settings)
    window.setGeometry(*REFMAN_WINDOW)
    server = cayw.serve(window, settings)
    if not server.port:
        raise SystemExit(f"the citation picker did not start: {server.status()}")
    return window


def pick(picker) -> None:
    """PICKS picked in the picker, then TYPING typed and its results shown."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    for words in PICKS:
        QTest.keyClicks(picker.search, words)
        wait_until(lambda: picker.shown_keys(), f"the items matching '{words}'")
        QTest.keyClick(picker.search, Qt.Key.Key_Return)
    QTest.keyClicks(picker.search, TYPING)
    wait_until(lambda: picker.shown_keys(), f"the items matching '{TYPING}'")
    tour.spin(tour.SETTLE_MS)


def cite_as_you_write(soffice: str, profile: Path, folder: Path, documents: tuple[Path, Path],
                      size: tuple[int, int], zoom: int):
    """Add/Edit Citation in LibreOffice, the picker in front: the screen grabbed, a QImage."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    library_path, formatted = documents
    window = refman_window(library_path, folder)
    port = free_port()
    office = start_office(soffice, profile, port, window.cayw.port)
    viewer = subprocess.Popen(
        [*view_command(port, formatted, size, zoom), CITE_AFTER],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    said = Lines(viewer)
    try:
        wait_until(lambda: said.lines or viewer.poll() is not None, "LibreOffice's window")
        if not said.lines:
            raise SystemExit(f"LibreOffice did not show the manuscript: {viewer.stderr.read()}")
        check_toolbar(json.loads(said.lines[0]))
        window.show()  # after LibreOffice's: in front of it
        server = window.cayw
        wait_until(lambda: server.picker is not None and server.picker.isVisible(),
                   "refman's picker, asked by Add/Edit Citation")
        picker = server.picker
        pick(picker)
        shot = grab_screen((window.geometry().right() + SHADOW, size[1]))
        framed(shot, [window.geometry(), picker.geometry()])
        picker.search.clear()
        QTest.keyClick(picker.search, Qt.Key.Key_Return)  # Enter on the empty box: insert
        wait_until(lambda: len(said.lines) > 1 or viewer.poll() is not None,
                   "the citation in LibreOffice")
        line = json.loads(said.lines[1]) if len(said.lines) > 1 else {}
        if not line or line["line"] == line["before"]:
            raise SystemExit(f"LibreOffice inserted no citation: {viewer.stderr.read()}")
        print(f"LibreOffice's line: {line['before']!r}, now {line['line']!r}")
    finally:
        if viewer.poll() is None:
            viewer.kill()
        stop_office(office)
        window.close()
        window.library.close()
    return shot


def save(image, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(output)):
        raise SystemExit(f"could not write {output}")
    print(f"wrote {output}")


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.partition("x")
    if not (width.isdigit() and height.isdigit()):
        raise argparse.ArgumentTypeError(f"'{text}' is no size: write it as WIDTHxHEIGHT")
    return int(width), int(height)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", nargs="?", type=Path, default=OUTPUT)
    parser.add_argument("--cite-output", type=Path, default=CITE_OUTPUT,
                        help="the second picture's file")
    parser.add_argument("--soffice", help="LibreOffice's soffice, with its user interface "
                        "(default: the one on PATH)")
    parser.add_argument("--size", type=_size, default=SIZE, help="the window's, WIDTHxHEIGHT")
    parser.add_argument("--zoom", type=int, default=ZOOM, help="the document's, in percent")
    args = parser.parse_args(argv)
    if not os.environ.get("DISPLAY"):
        raise SystemExit("LibreOffice needs an X display: run this under Xvfb, as "
                         "xvfb-run -a -s '-screen 0 1400x900x24' python " + sys.argv[0])
    soffice = citing_demo.soffice_program(args.soffice)
    with tempfile.TemporaryDirectory(prefix="refman-libreoffice-shot-") as temporary:
        folder = Path(temporary)
        citing_demo.private_environment(folder)
        from refman.gui.app import application

        app = application()  # noqa: F841 (the screen, and refman's window)
        library, _draft, formatted = manuscript_screenshot.make_documents(folder)
        profile = citing_demo.office_profile(folder / "office", soffice)
        print(libreoffice.install(libreoffice.build(folder / "refman.oxt"), profile).strip())
        port = free_port()
        office = start_office(soffice, profile, port)
        try:
            print(show_document(port, formatted, args.size, args.zoom))
            time.sleep(DRAWN_S)
            shot = grab_screen(args.size)
        finally:
            stop_office(office)
        save(shot, args.output)
        save(cite_as_you_write(soffice, profile, folder, (library, formatted), args.size,
                               args.zoom), args.cite_output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
