"""Where a library lives: folders SQLite cannot be trusted in, and what to tell the user.

A library is one SQLite file in WAL mode. WAL needs the ``-shm`` file to be shared memory among
the programs on one computer, and every program's locks to be seen by the others; a network
file system (NFS, SMB/CIFS, sshfs, ...) gives neither reliably, and a folder that a sync client
uploads (Dropbox, OneDrive, iCloud, ...) copies the file, its ``-wal`` and ``-shm`` at different
moments and may put an older copy back over it while refman writes. Both are on SQLite's list
of ways to damage a database ("How To Corrupt An SQLite Database File", sections 2 and 1.2).
Zotero warns about its data folder in a cloud folder for the same reason; refman warns too,
and still opens the library: the user may know better (a sync client that is paused, say),
and the backups are there.

The checks only look at names: the mount table on Linux (``/proc/self/mountinfo``), the drive
type on Windows, and the names of the folders on the way (sync clients' folders have fixed
names). They never open the library file (see the rule in ``refman.store.database``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# File system types (as Linux's mount table names them) whose files are on another computer.
NETWORK_FILESYSTEMS = frozenset(
    {
        *("nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "9p", "afs", "ceph"),
        *("glusterfs", "lustre", "gpfs", "beegfs", "davfs", "sshfs", "fuse.sshfs"),
        *("fuse.rclone", "fuse.s3fs", "fuse.gcsfuse", "fuse.davfs2", "fuse.onedriver"),
        *("fuse.google-drive-ocamlfuse", "fuse.gvfsd-fuse", "vboxsf", "fuse.vmhgfs-fuse"),
        *("prl_fs", "fuse.smbnetfs", "fuse.curlftpfs", "fuse.cryfs"),
    }
)
# Names (lower case) of the folders sync clients keep; a name starting with one counts too
# ("OneDrive - Hospital", "Dropbox (Lab)").
CLOUD_FOLDERS = (
    *("dropbox", "onedrive", "google drive", "googledrive", "my drive", "icloud drive"),
    *("mobile documents", "cloudstorage", "box", "box sync", "pcloud drive", "nextcloud"),
    *("owncloud", "mega", "megasync", "seafile", "synologydrive", "tresorit", "yandex.disk"),
)
MOUNTINFO = Path("/proc/self/mountinfo")

NETWORK_WARNING = (
    "{path} is on a network drive ({kind}). SQLite, which keeps the library, cannot lock a "
    "file reliably over a network, so two programs using it at once can damage it. Keep "
    "the library on this computer's own disk (refman --library PATH chooses where)."
)
CLOUD_WARNING = (
    "{path} is in a folder that {kind} synchronises. A sync client copies the library while "
    "refman writes it and can put an older copy back, which loses changes or damages it. "
    "Keep the library outside synchronised folders (refman --library PATH chooses where); "
    "its backups can go into one (refman backup --output FILE)."
)


def storage_warning(library: Path, mountinfo: str | None = None) -> str | None:
    """A warning in plain words when ``library`` is in a folder SQLite cannot be trusted in.

    ``mountinfo`` stands in for Linux's mount table (tests).
    """
    folder = Path(os.path.realpath(library)).parent
    kind = network_filesystem(folder, mountinfo)
    if kind:
        return NETWORK_WARNING.format(path=library, kind=kind)
    cloud = cloud_folder(folder)
    if cloud:
        return CLOUD_WARNING.format(path=library, kind=cloud)
    return None


def cloud_folder(folder: Path) -> str | None:
    """The name of the sync client's folder that ``folder`` is in, or None."""
    for part in folder.parts:
        name = part.lower()
        if any(name == cloud or name.startswith(cloud + " ") for cloud in CLOUD_FOLDERS):
            return part
    return None


def network_filesystem(folder: Path, mountinfo: str | None = None) -> str | None:
    """The type of network file system ``folder`` is on, or None for a local disk."""
    if sys.platform == "win32" and mountinfo is None:
        return _windows_network_drive(folder)
    if mountinfo is None:
        try:
            mountinfo = MOUNTINFO.read_text(encoding="utf-8", errors="replace")
        except OSError:  # not Linux: nothing to look at
            return None
    kind = _mount_type(folder, mountinfo)
    return kind if kind in NETWORK_FILESYSTEMS else None


def _mount_type(folder: Path, mountinfo: str) -> str | None:
    """The file system type of the deepest mount point holding ``folder``."""
    best, best_type = "", None
    target = str(folder)
    for line in mountinfo.splitlines():
        fields = line.split()
        if " - " not in line or len(fields) < 5:
            continue
        point = _unescape(fields[4])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, best_type = point, line.split(" - ", 1)[1].split()[0]
    return best_type


def _unescape(text: str) -> str:
    """Mount points in mountinfo write space, tab, newline and backslash as octal escapes."""
    for escaped, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        text = text.replace(escaped, char)
    return text


def _windows_network_drive(folder: Path) -> str | None:
    if str(folder).startswith("\\\\"):
        return "a network share"
    import ctypes  # Windows only

    drive_remote = 4
    root = os.path.splitdrive(str(folder))[0] + "\\"
    # windll exists on Windows only, where mypy does not run.
    if ctypes.windll.kernel32.GetDriveTypeW(root) == drive_remote:  # type: ignore[attr-defined]
        return "a network drive"
    return None
