"""refman's LibreOffice Writer extension (refman/resources/libreoffice/) packed as an .oxt, and
installed with LibreOffice's ``unopkg``: ``refman libreoffice-extension [--install | --path]``.

The extension runs in LibreOffice's own Python and imports nothing of refman: it talks to the
running window over loopback (the citation picker's port, refman.cayw) and writes the same
Zotero-compatible fields as ``refman format-document``. No Qt and no library here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import platformdirs

from refman.model import RefmanError

SOURCE = Path(__file__).parent / "resources" / "libreoffice"
FILE_NAME = "refman.oxt"
UNOPKG_PLACES = ("/usr/lib/libreoffice/program/unopkg", "/opt/libreoffice/program/unopkg",
                 "/Applications/LibreOffice.app/Contents/MacOS/unopkg",
                 r"C:\Program Files\LibreOffice\program\unopkg.com")


def default_path() -> Path:
    """Where the extension is written: refman's user data folder."""
    return platformdirs.user_data_path("refman", appauthor=False) / FILE_NAME


def build(out: Path | None = None) -> Path:
    """The .oxt (a zip of the extension's folder), written whole to ``out`` (through a
    temporary file beside it); RefmanError when it cannot be written."""
    out = out or default_path()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".refman-", suffix=".oxt", dir=out.parent)
    except OSError as exc:
        raise RefmanError(f"Cannot write {out}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as oxt:
            for path in sorted(SOURCE.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    oxt.write(path, path.relative_to(SOURCE).as_posix())
        os.replace(temp, out)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise RefmanError(f"Cannot write {out}: {exc.strerror or exc}") from None
    return out


def find_unopkg() -> str | None:
    return shutil.which("unopkg") or next(
        (place for place in UNOPKG_PLACES if Path(place).is_file()), None)


def install(oxt: Path, profile: Path | None = None) -> str:
    """``unopkg add --force`` the extension (into ``profile``, a LibreOffice user profile
    folder, when given: the tests' own); its output. RefmanError in plain words when
    LibreOffice is not found or refuses it (it must be closed while unopkg runs)."""
    unopkg = find_unopkg()
    if unopkg is None:
        raise RefmanError("LibreOffice's unopkg was not found: install LibreOffice, or add "
                          f"{oxt} in LibreOffice with Tools > Extension Manager > Add.")
    command = [unopkg, "add", "--force", "--suppress-license", str(oxt)]
    if profile is not None:
        command.append(f"-env:UserInstallation={profile.as_uri()}")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("unshare"):
        # unopkg refuses root ("without --shared"): run as a user of a user namespace, the
        # profile's files still root's (a shared install would change LibreOffice itself).
        command = ["unshare", "--user", "--map-user=1000", "--map-group=1000", *command]
    done = _run_unopkg(command)
    if _crashed(done):  # unopkg crashes now and then: once more
        done = _run_unopkg(command)
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip()
        raise RefmanError(f"LibreOffice did not install the extension (close LibreOffice and "
                          f"try again): {said}")
    return done.stdout


# What LibreOffice 7.4's unopkg prints when it fails while shutting down, after its work:
# seen in a full test run on a loaded machine (dp_component.cxx); the same command run again
# installs.
DISPOSING_FAILURE = "caught unexpected exception while disposing"


def _crashed(done: subprocess.CompletedProcess[str]) -> bool:
    """Whether unopkg crashed rather than refused: a signal ended it (a negative return
    code, or 128 + the signal from the shell script that runs unopkg.bin, which prints
    "Segmentation fault"), or it failed while disposing. LibreOffice 7.4's unopkg has been
    seen to end so once in a while; the same command run again installs."""
    failed_disposing = done.returncode != 0 and DISPOSING_FAILURE in done.stderr + done.stdout
    return done.returncode < 0 or done.returncode > 128 or failed_disposing


def _run_unopkg(command: list[str]) -> subprocess.CompletedProcess[str]:
    """One run of unopkg (RefmanError when it cannot be run at all)."""
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RefmanError(f"unopkg could not run: {exc}") from None
