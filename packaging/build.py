"""Build the one-folder application with PyInstaller: dist/refman/ (and refman.app on macOS).

    python packaging/build.py [--dist DIR] [--work DIR]

Run it with the Python environment refman is installed in (``pip install . pyinstaller``). On
Linux the desktop files (resources/) and install-desktop.sh are copied next to the program, so
the folder can be unpacked anywhere and added to the desktop menu from there. Prints where the
application is, its size and the build time.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = HERE / "refman.spec"
DESKTOP_FILES = ROOT / "resources"
INSTALL_SCRIPT = HERE / "install-desktop.sh"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", default=str(ROOT / "dist"), help="output folder (./dist)")
    parser.add_argument("--work", default=str(ROOT / "build"), help="PyInstaller's work folder")
    return parser.parse_args(argv)


def run_pyinstaller(dist: Path, work: Path) -> None:
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level=WARN"]
    command += ["--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    subprocess.run(command, check=True, cwd=ROOT)


def add_desktop_files(app: Path) -> None:
    """resources/ as app/desktop/, and the script that installs it for the current user."""
    shutil.copytree(DESKTOP_FILES, app / "desktop", dirs_exist_ok=True)
    shutil.copy2(INSTALL_SCRIPT, app / INSTALL_SCRIPT.name)


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    dist, work = Path(args.dist).resolve(), Path(args.work).resolve()
    start = time.perf_counter()
    run_pyinstaller(dist, work)
    app = dist / "refman"
    if sys.platform.startswith("linux"):
        add_desktop_files(app)
    seconds = time.perf_counter() - start
    print(f"built {app} ({folder_size(app) / 2**20:.0f} MB) in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
