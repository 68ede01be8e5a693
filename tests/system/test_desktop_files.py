"""The Linux desktop files: they validate, agree with each other, and do what a user expects.

The validators are Debian's desktop-file-validate (desktop-file-utils) and appstreamcli
(appstream); update-mime-database (shared-mime-info) and gio (libglib2.0-bin) stand in for a
desktop. .ci/run installs them all.
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
APP_ID = "io.github.refman.Refman"
DESKTOP = RESOURCES / f"{APP_ID}.desktop"
METAINFO = RESOURCES / f"{APP_ID}.metainfo.xml"
MIME_XML = RESOURCES / "refman-medline.xml"
INSTALL = ROOT / "packaging" / "install-desktop.sh"
DATA = ROOT / "tests" / "data"
MEDLINE = "application/x-medline"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
MIME_NS = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
NEEDED = "desktop-file-utils, appstream, shared-mime-info and libglib2.0-bin (see .ci/run)"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: install {NEEDED}")
    return found


def desktop_entry(path: Path = DESKTOP) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


# --- validation -------------------------------------------------------------------------------


def test_the_desktop_entry_validates():
    done = subprocess.run([tool("desktop-file-validate"), str(DESKTOP)], capture_output=True)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


def test_the_appstream_metainfo_validates():
    command = [tool("appstreamcli"), "validate", "--no-net", str(METAINFO)]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_mime_type_installs_without_complaint(tmp_path):
    packages = tmp_path / "mime" / "packages"
    packages.mkdir(parents=True)
    shutil.copy(MIME_XML, packages)
    done = subprocess.run(
        [tool("update-mime-database"), "-V", str(tmp_path / "mime")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    for complaint in ("Failed", "rror"):  # it reports bad XML and carries on, exit 0
        assert complaint not in done.stderr, done.stderr
    assert (tmp_path / "mime" / "application" / "x-medline.xml").exists()


# --- the files agree --------------------------------------------------------------------------


def test_the_entry_opens_medline_bibtex_and_ris_files_in_refman():
    entry = desktop_entry()
    assert entry["Exec"].split()[0] == "refman"
    assert entry["Exec"].endswith("%F")  # every file the file manager hands over
    assert entry["Icon"] == APP_ID
    # refman's own MEDLINE type first; BibTeX and RIS by the names shared-mime-info gives them
    assert entry["MimeType"].split(";")[:-1] == [
        MEDLINE,
        "text/x-bibtex",
        "application/x-research-info-systems",
    ]


def test_the_metainfo_names_the_entry_the_type_and_a_screenshot_of_this_repository():
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert [m.text for m in root.iter("mediatype")] == [MEDLINE]
    image = root.find("screenshots/screenshot/image").text
    assert image.startswith("https://") and image.endswith("/docs/screenshot.png")
    assert (ROOT / "docs" / "screenshot.png").exists()


def test_the_mime_type_covers_nbib_and_pubmed_text_exports():
    mime = ET.parse(MIME_XML).getroot().find("m:mime-type", MIME_NS)
    assert mime.get("type") == MEDLINE
    globs = {g.get("pattern") for g in mime.findall("m:glob", MIME_NS)}
    assert {"*.nbib", "pubmed-*.txt"} <= globs
    match = mime.find("m:magic/m:match", MIME_NS)
    assert match.get("value") == "PMID- "
    assert match.get("offset").split(":")[0] == "0"


# --- the desktop sees MEDLINE files -------------------------------------------------------------

MIME_OF_FILES = """
import sys
from PySide6.QtCore import QMimeDatabase
database = QMimeDatabase()
for name in sys.argv[1:]:
    print(database.mimeTypeForFile(name).name())
"""


def installed_mime(tmp_path: Path) -> Path:
    """A data folder with only the MEDLINE type added, as the install script leaves it."""
    share = tmp_path / "share"
    (share / "mime" / "packages").mkdir(parents=True)
    shutil.copy(MIME_XML, share / "mime" / "packages")
    subprocess.run([tool("update-mime-database"), str(share / "mime")], check=True)
    return share


def test_qt_file_managers_see_pubmed_files_as_medline(tmp_path):
    share = installed_mime(tmp_path)
    files = tmp_path / "files"
    files.mkdir()
    pubmed_txt = (DATA / "pubmed_result1.txt").read_bytes()  # starts with a blank line
    expected = {
        "citations.nbib": ((DATA / "zotero-case-01.nbib").read_bytes(), MEDLINE),
        "pubmed-asthma-set.txt": (pubmed_txt, MEDLINE),
        "pubmed_result.txt": (pubmed_txt, MEDLINE),
        "download": (pubmed_txt, MEDLINE),  # no name to go by: the content decides
        "notes.txt": (b"Shopping list\n", "text/plain"),
        "readme.md": ((DATA / "README.md").read_bytes(), "text/markdown"),
    }
    for name, (content, _) in expected.items():
        (files / name).write_bytes(content)
    env = dict(os.environ, XDG_DATA_HOME=str(share), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", MIME_OF_FILES, *expected],
        cwd=files,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert dict(zip(expected, done.stdout.split(), strict=True)) == {
        name: mime for name, (_, mime) in expected.items()
    }


# --- icons ------------------------------------------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_there_is_an_icon_at_every_usual_size():
    theme = RESOURCES / "icons" / "hicolor"
    for size in SIZES:
        assert png_size(theme / f"{size}x{size}" / "apps" / f"{APP_ID}.png") == (size, size)
    scalable = theme / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == (ROOT / "refman/resources/icons/refman.svg").read_bytes()


def test_the_icons_are_rendered_from_the_current_svg(qapp):
    spec = importlib.util.spec_from_file_location(
        "render_icons", ROOT / "packaging/render_icons.py"
    )
    render_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(render_icons)
    from PySide6.QtGui import QImage
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(render_icons.SOURCE))
    for size in SIZES:
        fresh = render_icons.render(renderer, size)
        committed = QImage(str(render_icons.png_path(size))).convertToFormat(fresh.format())
        assert committed == fresh, f"{size}px: run python packaging/render_icons.py"


# --- installing for a user --------------------------------------------------------------------


def test_opening_a_medline_file_on_the_desktop_runs_refman_with_it(tmp_path):
    received = tmp_path / "received.txt"
    program = tmp_path / "bin dir" / "refman"  # a folder with a space, as users have
    program.parent.mkdir()
    program.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{received}"\n')
    program.chmod(0o755)
    prefix = tmp_path / "home"
    subprocess.run(
        ["sh", str(INSTALL), "--prefix", str(prefix), "--exec", str(program)],
        check=True,
        capture_output=True,
    )
    installed = prefix / "share" / "applications" / DESKTOP.name
    done = subprocess.run([tool("desktop-file-validate"), str(installed)], capture_output=True)
    assert done.returncode == 0, done.stdout.decode()
    paper = tmp_path / "my papers" / "citations.nbib"
    paper.parent.mkdir()
    shutil.copy(DATA / "zotero-case-01.nbib", paper)
    env = dict(os.environ, XDG_DATA_HOME=str(prefix / "share"), XDG_DATA_DIRS="/usr/share")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # no mimeapps.list of the user's own
    subprocess.run([tool("gio"), "open", str(paper)], env=env, check=True, timeout=30)
    deadline = time.monotonic() + 30
    while not (received.exists() and received.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)  # gio starts the program and returns: nothing to wait on but time
    assert received.read_text().splitlines() == [str(paper)]
