"""``refman files-base``: this machine's base folder of a library's linked files, and the
commands that find linked files through it (attach --link, attachments, check)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from refman.library import Library
from refman.model import Reference
from tests.safety_helpers import refman

PDF = Path(__file__).parents[1] / "data" / "pdf" / "rehabil-res-pract-2010-hindawi.pdf"


@pytest.fixture(autouse=True)
def _config_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def one_item(path: Path) -> int:
    with Library(path) as library:
        return library.items.add(Reference(item_type="article-journal", title="A paper"))[0]


def listed(library_path: Path, item: int) -> dict:
    result = refman(library_path, "attachments", str(item), "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_files_under_the_base_are_linked_relative_to_it_and_follow_it_to_another_place(
    library_path, tmp_path
):
    item = one_item(library_path)
    synced = tmp_path / "Sync"
    (synced / "papers").mkdir(parents=True)
    shutil.copy(PDF, synced / "papers" / PDF.name)
    none = refman(library_path, "files-base")
    assert none.stdout.startswith("No base folder: linked files are kept by their absolute path")
    set_ = refman(library_path, "files-base", str(synced))
    assert set_.stdout == f"Base folder for linked files: {synced}\n"

    paper = synced / "papers" / PDF.name
    attached = refman(library_path, "attach", "--link", str(item), str(paper))
    assert attached.returncode == 0, attached.stderr
    with Library(library_path) as library:
        (row,) = library.attachments.of([item])[item]
    assert (row.linked, row.path) == (True, f"papers/{PDF.name}")  # relative to the base
    assert listed(library_path, item)["file"] == str(synced / "papers" / PDF.name)

    moved = tmp_path / "elsewhere" / "Sync"  # the synced folder on another machine
    moved.parent.mkdir()
    synced.rename(moved)
    assert listed(library_path, item)["missing"]
    assert f"is missing: {synced / 'papers' / PDF.name}" in refman(library_path, "check").stdout
    refman(library_path, "files-base", str(moved))
    entry = listed(library_path, item)
    assert (entry["file"], entry["missing"]) == (str(moved / "papers" / PDF.name), False)
    checked = refman(library_path, "check")
    assert checked.returncode == 0 and "Attachments:" not in checked.stdout

    cleared = refman(library_path, "files-base", "--clear")
    assert cleared.stdout == "No base folder: linked files are kept by their absolute path.\n"
    assert refman(library_path, "files-base").stdout.startswith("No base folder")


def test_files_base_refuses_what_is_no_folder_in_plain_words(library_path, tmp_path):
    one_item(library_path)
    gone = refman(library_path, "files-base", str(tmp_path / "nowhere"))
    assert (gone.returncode, gone.stderr) == (
        1,
        f"refman: {tmp_path / 'nowhere'} does not exist: the base folder for linked files "
        "must be a folder.\n",
    )
    both = refman(library_path, "files-base", str(tmp_path), "--clear")
    assert (both.returncode, both.stderr) == (1, "refman: Give a FOLDER or --clear, not both.\n")
    no_library = refman(tmp_path / "none.sqlite", "files-base", str(tmp_path))
    assert no_library.returncode == 1
    assert no_library.stderr == f"refman: There is no library at {tmp_path / 'none.sqlite'}.\n"


def test_an_unreadable_settings_file_is_named_and_check_goes_on_without_it(
    library_path, tmp_path
):
    item = one_item(library_path)
    settings = tmp_path / "config" / "refman" / "files.json"
    settings.parent.mkdir(parents=True)
    settings.write_text("{oops", encoding="utf-8")
    attach = refman(library_path, "attach", "--link", str(item), str(PDF))
    assert attach.returncode == 1
    assert attach.stderr.startswith(f"refman: {settings} (line 1) is not valid JSON")
    checked = refman(library_path, "check")
    assert checked.returncode == 0
    assert checked.stderr.startswith(f"refman: warning: {settings} (line 1) is not valid JSON")
