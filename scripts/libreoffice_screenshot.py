"""Make docs/libreoffice.png: LibreOffice Writer with refman's extension, on a formatted manuscript.

    xvfb-run -a -s "-screen 0 1400x900x24" python scripts/libreoffice_screenshot.py \
        [OUTPUT.png] [--soffice PATH] [--size WxH] [--zoom PERCENT]

The manuscript of scripts/manuscript_screenshot.py is formatted by ``refman format-document``
over the sample library (in a temporary folder); refman's extension (``refman
libreoffice-extension``'s .oxt) is installed with LibreOffice's ``unopkg`` into a LibreOffice
profile of its own, in that folder too; then LibreOffice itself (not headless) opens the
formatted copy on the X display, and scripts/uno_writer_view.py (run by the system's Python,
which has LibreOffice's ``uno``) sizes its window, docks refman's toolbar and zooms in. The
screen is grabbed with Qt once LibreOffice has drawn it: the refman menu and toolbar, the
citations (live fields, shaded grey as LibreOffice shows fields) and the bibliography.

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
import time
from pathlib import Path

import citing_demo
import manuscript_screenshot
from tour import ROOT

from refman import libreoffice

OUTPUT = ROOT / "docs" / "libreoffice.png"
VIEW_SCRIPT = Path(__file__).with_name("uno_writer_view.py")
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, where python3-uno puts ``uno``
SIZE = (1100, 860)
ZOOM = 120
DRAWN_S = 4  # for LibreOffice to draw the document after it is laid out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_office(soffice: str, profile: Path, port: int) -> subprocess.Popen:
    """LibreOffice with its window, on this display, listening for UNO on ``port``."""
    return subprocess.Popen(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--norestore", "--nologo",
         "--nodefault", f"--accept=socket,host=127.0.0.1,port={port};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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


def show_document(port: int, document: Path, size: tuple[int, int], zoom: int) -> dict:
    """scripts/uno_writer_view.py on the running office: what it found (toolbars, menu)."""
    done = subprocess.run(
        [SYSTEM_PYTHON, str(VIEW_SCRIPT), str(port), str(document), str(size[0]),
         str(size[1]), str(zoom)],
        capture_output=True, text=True, timeout=citing_demo.LO_PROGRAM_WAIT_S + 60,
    )
    if done.returncode != 0:
        raise SystemExit(f"LibreOffice did not show {document.name}: {done.stderr.strip()}")
    found: dict = json.loads(done.stdout)
    if not any("refman" in url for url in found["toolbars"]):
        raise SystemExit(f"refman's toolbar is not in LibreOffice (found {found['toolbars']}): "
                         "the extension did not install")
    return found


def grab_screen(size: tuple[int, int]):
    """The screen's top left ``size`` pixels as Qt grabs them, a QImage."""
    from PySide6.QtGui import QGuiApplication

    screen = QGuiApplication.primaryScreen()
    return screen.grabWindow(0, 0, 0, *size).toImage()


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.partition("x")
    if not (width.isdigit() and height.isdigit()):
        raise argparse.ArgumentTypeError(f"'{text}' is no size: write it as WIDTHxHEIGHT")
    return int(width), int(height)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", nargs="?", type=Path, default=OUTPUT)
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
        from PySide6.QtGui import QGuiApplication

        app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (the screen)
        _library, _draft, formatted = manuscript_screenshot.make_documents(folder)
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
        args.output.parent.mkdir(parents=True, exist_ok=True)
        if not shot.save(str(args.output)):
            raise SystemExit(f"could not write {args.output}")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
