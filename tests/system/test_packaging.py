"""The packaged application: PyInstaller builds it, and it runs as the source install does.

The bundle is built once for this module (about a minute) with ``packaging/build.py``, into a
temporary folder. Then the program in it is run as a user runs it: ``--version``, an import,
exports in several formats and citation styles (compared with the source install's output, so
that a style, a locale or a module left out of the bundle shows), and the window, offscreen and
on an X server (Xvfb), quitting after its first paint (``REFMAN_QUIT_AFTER_SHOWN``).
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.safety_helpers import program_env
from tests.samples import BALLOON

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_RECORDS = 75
BUILD_TIMEOUT_S = 1200
RUN_TIMEOUT_S = 120
# Exports compared with the source install: CSL-JSON, the default citation style, a German style
# (its locale file) and a French dependent style (a journal that borrows another's layout).
EXPORTS = (
    ("--format", "csl-json"),
    ("--format", "text"),
    ("--format", "text", "--style", "din-1505-2"),
    ("--format", "html", "--style", "bourgogne-franche-comte-nature"),
    ("--format", "bibtex"),
    ("--format", "ris"),
    ("--format", "medline"),
)


def tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """The folder PyInstaller made, with the ``refman`` program in it."""
    out = tmp_path_factory.mktemp("bundle")
    command = [sys.executable, str(ROOT / "packaging" / "build.py")]
    command += ["--dist", str(out / "dist"), "--work", str(out / "build")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    assert done.returncode == 0, f"the build failed:\n{tail(done.stdout + done.stderr)}"
    folder = out / "dist" / "refman"
    assert (folder / "refman").is_file(), f"no program in {folder}"
    return folder


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    """The user's environment with settings, data and logs kept in tmp_path; Qt offscreen."""
    env = program_env(tmp_path)
    for name in ("REFMAN_QUIT_AFTER_SHOWN", "PYTHONPATH", "PYTHONHOME"):
        env.pop(name, None)
    return env


def run(program: list[str], *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [*program, *args], capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT_S
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def bundled(folder: Path) -> list[str]:
    return [str(folder / "refman")]


SOURCE = [sys.executable, "-m", "refman"]


def test_version_is_the_package_version(bundle, env):
    done = run(bundled(bundle), "--version", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"refman {importlib.metadata.version('refman')}"


def test_import_then_exports_match_the_source_install(bundle, env, tmp_path):
    library = str(tmp_path / "library.sqlite")
    done = run(bundled(bundle), "--library", library, "import", str(BALLOON), env=env)
    assert done.returncode == 0, done.stderr
    assert f"{SAMPLE_RECORDS} added" in done.stdout
    items = json.loads(run(bundled(bundle), "--library", library, "export", env=env).stdout)
    assert len(items) == SAMPLE_RECORDS
    for export in EXPORTS:
        packaged = run(bundled(bundle), "--library", library, "export", *export, env=env)
        source = run(SOURCE, "--library", library, "export", *export, env=env)
        assert packaged.returncode == 0, f"{export}: {packaged.stderr}"
        assert packaged.stdout.strip(), f"{export}: nothing exported"
        assert packaged.stdout == source.stdout, f"{export}: differs from the source install"


def test_styles_are_listed(bundle, env):
    done = run(bundled(bundle), "styles", "vancouver", env=env)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) > 10  # the journals that cite in Vancouver style


def show_window(program: list[str], library: str, env: dict[str, str]) -> dict:
    """Start the window, let it quit after its first paint; what it reports."""
    env = dict(env, REFMAN_QUIT_AFTER_SHOWN="1")
    done = run(program, "--library", library, env=env)
    assert done.returncode == 0, f"exit {done.returncode}:\n{tail(done.stderr)}"
    reports = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert reports, f"the window never reported its first paint:\n{tail(done.stderr)}"
    assert "Cannot open" not in done.stderr and "qt.svg" not in done.stderr, done.stderr
    return json.loads(reports[-1])


def test_the_window_opens_on_the_library(bundle, env, tmp_path):
    library = str(tmp_path / "library.sqlite")
    run(bundled(bundle), "--library", library, "import", str(BALLOON), env=env)
    report = show_window(bundled(bundle), library, env)
    assert report["rows"] == SAMPLE_RECORDS


def test_the_window_opens_on_an_x_server(bundle, env, library_path, x_display):
    """The xcb platform plugin and every library it loads are in the bundle or the system."""
    env = dict(env, QT_QPA_PLATFORM="xcb", DISPLAY=x_display)
    report = show_window(bundled(bundle), str(library_path), env)
    assert report["rows"] == 0  # a new, empty library


def test_the_desktop_files_come_with_the_bundle(bundle, tmp_path):
    """Unpacked anywhere, the folder adds itself to the desktop menu."""
    share = tmp_path / "share"
    subprocess.run(
        ["sh", str(bundle / "install-desktop.sh"), "--prefix", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    entry = (share / "applications" / "io.github.refman.Refman.desktop").read_text()
    assert f'Exec="{bundle / "refman"}" %F' in entry
    assert (share / "mime" / "packages" / "refman-medline.xml").exists()
    assert (
        share / "icons" / "hicolor" / "256x256" / "apps" / "io.github.refman.Refman.png"
    ).exists()
