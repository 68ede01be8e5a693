"""Writing an export whole or not at all (refman.files): the file as it was after any failure,
no temporary file left, and a message that names the file."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from refman import files
from refman.model import RefmanError


def names_in(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_new_file_gets_the_text_and_the_usual_permissions(tmp_path):
    target = tmp_path / "refs.ris"
    files.write_text_atomically(target, "TY  - JOUR\r\nER  - \r\n")
    assert target.read_bytes() == b"TY  - JOUR\r\nER  - \r\n"  # line ends as they are
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert names_in(tmp_path) == ["refs.ris"]


def test_a_file_is_replaced_whole_and_keeps_its_permissions(tmp_path):
    target = tmp_path / "refs.bib"
    target.write_text("x" * 100_000, encoding="utf-8")
    target.chmod(0o604)
    files.write_text_atomically(target, "@article{a,}\n")
    assert target.read_text(encoding="utf-8") == "@article{a,}\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o604
    assert names_in(tmp_path) == ["refs.bib"]


def test_a_symbolic_link_stays_and_its_file_gets_the_text(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    files.write_text_atomically(link, "new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"


def test_a_device_is_written_to_not_replaced(tmp_path):
    files.write_text_atomically("/dev/null", "into the void")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    with pytest.raises(RefmanError, match=r"^Cannot write /dev/full: the disk is full\."):
        files.write_text_atomically("/dev/full", "no room")  # a device that is always full


def test_a_folder_is_not_a_file_to_write(tmp_path):
    with pytest.raises(RefmanError, match=f"^Cannot write {tmp_path}: it is a folder.$"):
        files.write_text_atomically(tmp_path, "text")


def test_a_missing_folder_is_said_plainly(tmp_path):
    target = tmp_path / "no such folder" / "out.txt"
    with pytest.raises(RefmanError) as raised:
        files.write_text_atomically(target, "text")
    assert str(raised.value) == f"Cannot write {target}: No such file or directory."


@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_a_failure_at_any_step_leaves_the_old_file_and_no_temporary_one(
    tmp_path, monkeypatch, step
):
    target = tmp_path / "refs.txt"
    target.write_text("the export of last week", encoding="utf-8")
    real = getattr(os, step)

    def fail_for_the_temporary_file(*args):
        if step == "write":  # half of it written, then the disk is full
            real(args[0], bytes(args[1][: len(args[1]) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, step, fail_for_the_temporary_file)
    with pytest.raises(RefmanError) as raised:
        files.write_text_atomically(target, "a new export " * 1000)
    assert str(raised.value) == f"Cannot write {target}: the disk is full. Nothing was written."
    monkeypatch.setattr(files.os, step, real)
    assert target.read_text(encoding="utf-8") == "the export of last week"
    assert names_in(tmp_path) == ["refs.txt"]


def test_another_failure_names_the_file_and_the_reason(tmp_path, monkeypatch):
    def fail(*args):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(files.os, "fsync", fail)
    with pytest.raises(RefmanError) as raised:
        files.write_text_atomically(tmp_path / "out.txt", "text")
    assert str(raised.value) == f"Cannot write {tmp_path / 'out.txt'}: Input/output error."
    monkeypatch.undo()
    assert names_in(tmp_path) == []


def test_a_long_name_leaves_room_for_the_temporary_one(tmp_path):
    target = tmp_path / ("r" * 250 + ".txt")  # 254 bytes: the limit is 255
    files.write_text_atomically(target, "text")
    assert target.read_text(encoding="utf-8") == "text"
    assert names_in(tmp_path) == [target.name]
