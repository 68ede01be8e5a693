"""refman.storage: libraries in folders SQLite cannot be trusted in, network drives and synced
folders, named with what they are."""

from __future__ import annotations

from pathlib import Path

from refman import storage

# Lines of a real /proc/self/mountinfo: the root file system, an NFS share, an sshfs mount,
# and a mount point with a space in its name.
MOUNTINFO = """\
22 1 253:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
40 22 0:45 / /home/lab rw,relatime shared:2 - nfs4 server:/export/home rw,vers=4.2
41 22 0:46 / /mnt/remote rw,nosuid shared:3 - fuse.sshfs me@host:/data rw
42 22 0:47 / /media/My\\040Disk rw,relatime shared:4 - vfat /dev/sdb1 rw
"""


def test_a_library_on_a_network_file_system_is_named_as_such():
    for path, kind in [
        ("/home/lab/refman/library.sqlite", "nfs4"),
        ("/mnt/remote/library.sqlite", "fuse.sshfs"),
    ]:
        warning = storage.storage_warning(Path(path), MOUNTINFO)
        assert warning and f"network drive ({kind})" in warning and path in warning


def test_a_library_on_a_local_disk_gets_no_warning():
    for path in ("/home/me/library.sqlite", "/media/My Disk/library.sqlite", "/home/labx/l.sqlite"):
        assert storage.storage_warning(Path(path), MOUNTINFO) is None


def test_a_library_in_a_synced_folder_is_named_with_its_client():
    for folder, client in [
        ("/home/me/Dropbox/papers", "Dropbox"),
        ("/home/me/OneDrive - Hospital/refman", "OneDrive - Hospital"),
        ("/Users/me/Library/Mobile Documents/com~apple~CloudDocs", "Mobile Documents"),
    ]:
        warning = storage.storage_warning(Path(folder) / "library.sqlite", MOUNTINFO)
        assert warning and f"a folder that {client} synchronises" in warning
    assert storage.storage_warning(Path("/home/me/Dropboxes/library.sqlite"), MOUNTINFO) is None
