"""This machine's file settings of a library (library.file_settings): the base folder of linked
files and "link instead of copy", kept per library in a JSON file in the config folder."""

from __future__ import annotations

import json

import pytest

from refman.library import file_settings
from refman.library.file_settings import FileSettings
from refman.model import RefmanError


@pytest.fixture(autouse=True)
def _config_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_nothing_set_gives_the_defaults_and_writes_nothing(tmp_path):
    assert file_settings.load(tmp_path / "library.sqlite") == FileSettings(None, False)
    assert not file_settings.settings_path().exists()


def test_each_library_keeps_its_own_base_folder_by_its_absolute_path(tmp_path, monkeypatch):
    papers = tmp_path / "papers"
    papers.mkdir()
    one, other = tmp_path / "one.sqlite", tmp_path / "other.sqlite"
    kept = file_settings.save(one, FileSettings(papers, True))
    assert kept == FileSettings(papers.resolve(), True)
    assert file_settings.load(one) == kept
    assert file_settings.load(other) == FileSettings()
    monkeypatch.chdir(tmp_path)  # the same library named by a relative path
    assert file_settings.base_folder(one.relative_to(tmp_path)) == papers.resolve()
    stored = json.loads(file_settings.settings_path().read_text(encoding="utf-8"))
    entry = {"base": str(papers.resolve()), "link": True}
    assert stored == {"libraries": {str(one.resolve()): entry}}


def test_settings_set_back_to_the_defaults_leave_no_entry(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    library = tmp_path / "library.sqlite"
    file_settings.save(library, FileSettings(papers, False))
    file_settings.save(library, FileSettings())
    stored = json.loads(file_settings.settings_path().read_text(encoding="utf-8"))
    assert stored == {"libraries": {}}


@pytest.mark.parametrize(("make", "says"), [(False, "does not exist"), (True, "is not a folder")])
def test_a_base_that_is_no_folder_is_refused_and_nothing_written(tmp_path, make, says):
    base = tmp_path / "base"
    if make:
        base.write_text("a file")
    with pytest.raises(RefmanError) as refused:
        file_settings.save(tmp_path / "library.sqlite", FileSettings(base))
    assert str(refused.value) == (
        f"{base} {says}: the base folder for linked files must be a folder."
    )
    assert not file_settings.settings_path().exists()


@pytest.mark.parametrize(
    ("text", "says"),
    [("{not json", "(line 1) is not valid JSON"), ('["a list"]', "does not hold refman's")],
)
def test_a_file_that_is_not_the_settings_is_told_by_name(tmp_path, text, says):
    path = file_settings.settings_path()
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RefmanError) as refused:
        file_settings.load(tmp_path / "library.sqlite")
    assert str(refused.value).startswith(f"{path} {says}")
    assert "correct it or delete it" in str(refused.value)
    file_settings.save(tmp_path / "library.sqlite", FileSettings(link=True))  # a new file
    assert file_settings.load(tmp_path / "library.sqlite").link
    assert path.with_name("files.json.broken").read_text(encoding="utf-8") == text
