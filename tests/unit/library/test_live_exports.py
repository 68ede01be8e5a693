"""Live exports (library/live_exports.py): stored in the library, written through the export
path, rewritten only when their text changes, atomically, and a failing target told in words
with its previous file kept."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from refman import files
from refman.library import Library
from refman.library.live_exports import (
    COLLECTION,
    FAILED,
    SEARCH,
    UNCHANGED,
    WRITTEN,
    Coverage,
    LiveExports,
)
from refman.model import RefmanError, ViewQuery
from tests.safety_helpers import integrity_problems
from tests.samples import PAPERS

BIB = "bibtex"


@pytest.fixture
def papers(library):
    """The open library with the four papers; their ids."""
    return [library.items.add(ref)[0] for ref in PAPERS]


def stamp(path) -> tuple[int, int]:
    """What tells a rewritten file from one left alone: its inode (a rename brings a new one)
    and its modification time."""
    info = os.stat(path)
    return info.st_ino, info.st_mtime_ns


def test_a_live_export_is_written_with_the_export_paths_text(library, papers, tmp_path):
    target = tmp_path / "refs.bib"
    export = library.live_exports.add(target, BIB)
    assert not target.exists()  # stored only: refresh writes it
    (outcome,) = library.live_exports.refresh()
    assert (outcome.status, outcome.count) == (WRITTEN, len(PAPERS))
    assert target.read_text(encoding="utf-8") == library.exporting.export_view(fmt=BIB)[1]
    (listed,) = library.live_exports.all()
    assert listed.id == export.id and listed.path == target and listed.written
    assert listed.problem == ""


def test_it_is_not_rewritten_when_nothing_it_covers_changed(library, papers, tmp_path):
    target = tmp_path / "refs.json"
    library.live_exports.add(target, "csl-json")
    library.live_exports.refresh()
    before = stamp(target)
    (outcome,) = library.live_exports.refresh()
    assert outcome.status == UNCHANGED
    library.notes.add(papers[0], "<p>Notes are not in CSL-JSON.</p>")
    library.tags.set_color("nothing", "#ff0000")
    assert [o.status for o in library.live_exports.refresh()] == [UNCHANGED]
    assert stamp(target) == before


def test_a_tag_an_edit_and_a_trashed_item_rewrite_it(library, papers, tmp_path):
    target = tmp_path / "refs.json"
    library.live_exports.add(target, "csl-json")
    library.live_exports.refresh()

    def titles():
        return sorted(entry["title"] for entry in json.loads(target.read_text(encoding="utf-8")))

    library.items.update(papers[0], title="A title edited")
    assert [o.status for o in library.live_exports.refresh()] == [WRITTEN]
    assert "A title edited" in titles()
    library.tags.add([papers[1]], ["cited"])
    library.live_exports.refresh()
    tagged = next(e for e in json.loads(target.read_text()) if e["title"] == PAPERS[1].title)
    assert "cited" in tagged.get("keyword", "")
    library.items.trash([papers[2]])
    library.live_exports.refresh()
    assert PAPERS[2].title not in titles() and len(titles()) == len(PAPERS) - 1


def test_a_collection_export_holds_its_items_and_ignores_the_others(library, papers, tmp_path):
    surgery, _ = library.collections.create("Surgery")
    library.collections.add_items(papers[:2], surgery.id)
    target = tmp_path / "surgery.bib"
    library.live_exports.add(target, BIB, covers=Coverage(COLLECTION, surgery.id))
    (outcome,) = library.live_exports.refresh()
    assert outcome.count == 2
    expected = library.exporting.export_view(ViewQuery(collection=surgery.id), BIB)[1]
    assert target.read_text(encoding="utf-8") == expected
    before = stamp(target)
    library.items.update(papers[3], title="Outside the collection")
    assert [o.status for o in library.live_exports.refresh()] == [UNCHANGED]
    assert stamp(target) == before
    library.collections.add_items(papers[2:3], surgery.id)
    assert [o.count for o in library.live_exports.refresh()] == [3]
    assert PAPERS[2].title.split()[0] in target.read_text(encoding="utf-8")


def test_a_deleted_collection_keeps_the_file_and_says_why(library, papers, tmp_path):
    surgery, _ = library.collections.create("Surgery")
    library.collections.add_items(papers, surgery.id)
    target = tmp_path / "surgery.bib"
    library.live_exports.add(target, BIB, covers=Coverage(COLLECTION, surgery.id))
    library.live_exports.refresh()
    text = target.read_text(encoding="utf-8")
    library.collections.delete(surgery.id)
    (outcome,) = library.live_exports.refresh()
    assert outcome.status == FAILED and "collection it exported has been deleted" in outcome.message
    assert target.read_text(encoding="utf-8") == text
    (listed,) = library.live_exports.all()
    assert "deleted" in listed.problem
    assert library.live_exports.describe(listed.covers) == "A deleted collection"


def test_a_saved_search_export_follows_what_the_search_finds(library, papers, tmp_path):
    word = PAPERS[0].title.split()[0]
    library.searches.add("Mine", word)
    target = tmp_path / "mine.bib"
    library.live_exports.add(target, BIB, covers=Coverage(SEARCH, query="Mine"))
    (outcome,) = library.live_exports.refresh()
    expected = library.exporting.export_view(ViewQuery(text=word), BIB)
    assert (outcome.count, target.read_text(encoding="utf-8")) == expected
    library.searches.edit("Mine", PAPERS[1].title.split()[0])  # the search finds others now
    (outcome,) = library.live_exports.refresh()
    assert outcome.status == WRITTEN and PAPERS[1].title.split()[0] in target.read_text("utf-8")
    library.searches.delete("Mine")
    (outcome,) = library.live_exports.refresh()
    assert outcome.status == FAILED and "saved search 'Mine' has been deleted" in outcome.message


def test_a_bibliography_is_written_in_its_style(library, papers, tmp_path):
    target = tmp_path / "refs.txt"
    library.live_exports.add(target, "text", style="apa")
    library.live_exports.refresh()
    expected = library.exporting.export_view(fmt="text", style="apa")[1]
    assert target.read_text(encoding="utf-8") == expected
    assert library.live_exports.all()[0].style == "apa"


def test_they_last_across_restarts_and_follow_changes_made_meanwhile(library_path, tmp_path):
    target = tmp_path / "refs.bib"
    with Library(library_path) as library:
        first = library.items.add(PAPERS[0])[0]
        library.live_exports.add(target, BIB)
        library.live_exports.refresh()
    before = stamp(target)
    with Library(library_path) as library:  # nothing changed while it was closed
        assert [o.status for o in library.live_exports.refresh()] == [UNCHANGED]
        library.items.update(first, title="Changed while no export ran")
    assert stamp(target) == before
    with Library(library_path) as library:
        assert [o.status for o in library.live_exports.refresh()] == [WRITTEN]
    assert "Changed while no export ran" in target.read_text(encoding="utf-8")


def test_a_file_deleted_by_hand_is_written_again(library, papers, tmp_path):
    target = tmp_path / "refs.bib"
    library.live_exports.add(target, BIB)
    library.live_exports.refresh()
    target.unlink()
    assert [o.status for o in library.live_exports.refresh()] == [WRITTEN]
    assert target.is_file()


def test_the_old_file_is_whole_until_the_new_one_is_renamed_over_it(
    library, papers, tmp_path, monkeypatch
):
    target = tmp_path / "refs.bib"
    library.live_exports.add(target, BIB)
    library.live_exports.refresh()
    old = target.read_text(encoding="utf-8")
    library.items.update(papers[0], title="The new title")
    new = library.exporting.export_view(fmt=BIB)[1]
    seen = []
    rename = os.replace

    def watched_replace(source, destination):
        # At the rename: the target is still the old file, whole; the new text is complete.
        seen.append((target.read_text(encoding="utf-8"), Path(source).read_text("utf-8")))
        rename(source, destination)

    monkeypatch.setattr(files.os, "replace", watched_replace)
    library.live_exports.refresh()
    assert seen == [(old, new)]
    assert target.read_text(encoding="utf-8") == new
    assert [p.name for p in tmp_path.iterdir() if "refman-tmp" in p.name] == []


def test_a_target_that_cannot_be_written_keeps_its_file_and_the_library(
    library, papers, tmp_path, monkeypatch
):
    """The disk fills up half-way through the new text (a real full disk is in the system
    tests): the old file stays whole, and the next refresh catches up."""
    target = tmp_path / "refs.bib"
    library.live_exports.add(target, BIB)
    library.live_exports.refresh()
    old = target.read_text(encoding="utf-8")
    library.items.update(papers[0], title="Not to be written")
    write = os.write

    def disk_full_after_a_little(fd, data):
        if len(data) > 100:
            write(fd, bytes(data[:100]))
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return write(fd, data)

    monkeypatch.setattr(files.os, "write", disk_full_after_a_little)
    (outcome,) = library.live_exports.refresh()
    monkeypatch.undo()
    assert outcome.status == FAILED
    assert outcome.message == (
        f"Cannot write {target}: the disk is full. Nothing was written. The previous file is kept."
    )
    assert target.read_text(encoding="utf-8") == old
    assert [p.name for p in tmp_path.iterdir() if "refman-tmp" in p.name] == []
    assert library.live_exports.all()[0].problem == outcome.message
    assert library.items.get(papers[0]).title == "Not to be written"
    assert integrity_problems(library.path) == []
    assert [o.status for o in library.live_exports.refresh()] == [WRITTEN]
    assert "Not to be written" in target.read_text(encoding="utf-8")
    assert library.live_exports.all()[0].problem == ""


def test_a_folder_that_is_gone_is_told_and_the_other_exports_still_written(
    library, papers, tmp_path
):
    gone = tmp_path / "gone"
    gone.mkdir()
    library.live_exports.add(gone / "refs.bib", BIB)
    kept = tmp_path / "refs.ris"
    library.live_exports.add(kept, "ris")
    gone.rmdir()
    first, second = library.live_exports.refresh()
    assert first.status == FAILED and str(gone / "refs.bib") in first.message
    assert "No such file or directory" in first.message
    assert second.status == WRITTEN and kept.is_file()


def test_an_export_rendered_while_another_program_committed_is_rendered_again(
    library, papers, tmp_path, monkeypatch
):
    """Between the render and the write, another program's commit would make the file older
    than the library: the text is rendered again from the newer state."""
    target = tmp_path / "refs.json"
    library.live_exports.add(target, "csl-json")
    render = LiveExports._render
    calls = []

    def render_then_other_program_commits(self, export):
        result = render(self, export)
        calls.append(result[1])
        if len(calls) == 1:
            with Library(library.path) as other:
                other.items.update(papers[0], title="Committed meanwhile")
        return result

    monkeypatch.setattr(LiveExports, "_render", render_then_other_program_commits)
    library.live_exports.refresh()
    assert len(calls) == 2
    assert "Committed meanwhile" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("target", "fmt", "kwargs", "message"),
    [
        ("refs.bib", "docx", {}, "docx"),
        ("refs.txt", "text", {"style": "no-such-style-anywhere"}, "no-such-style-anywhere"),
        ("missing/refs.bib", BIB, {}, "its folder does not exist"),
        (".", BIB, {}, "is a folder"),
        ("refs.bib", BIB, {"covers": Coverage(COLLECTION, 999)}, "deleted"),
        ("refs.bib", BIB, {"covers": Coverage(SEARCH, query="Stroke")}, "saved search .Stroke."),
    ],
)
def test_bad_live_exports_are_refused_in_words_and_nothing_is_stored(
    library, tmp_path, target, fmt, kwargs, message
):
    with pytest.raises(RefmanError, match=message):
        library.live_exports.add(tmp_path / target, fmt, **kwargs)
    assert library.live_exports.all() == []


def test_the_library_and_its_files_are_never_a_target(library, tmp_path):
    for path in (library.path, f"{library.path}-wal", f"{library.path}-shm"):
        with pytest.raises(RefmanError, match="the library itself"):
            library.live_exports.add(path, BIB)
    assert library.live_exports.all() == []


def test_one_file_is_kept_up_to_date_once_and_removing_keeps_the_file(library, papers, tmp_path):
    target = tmp_path / "refs.bib"
    export = library.live_exports.add(target, BIB)
    with pytest.raises(RefmanError, match="kept up to date already"):
        library.live_exports.add(target, "biblatex")
    library.live_exports.refresh()
    assert library.live_exports.find(str(export.id)) == library.live_exports.find(str(target))
    library.live_exports.remove(export.id)
    assert library.live_exports.all() == [] and target.is_file()
    with pytest.raises(RefmanError, match="no live export"):
        library.live_exports.find(str(target))
    with pytest.raises(RefmanError, match="no live export"):
        library.live_exports.remove(export.id)
