"""``refman duplicates [--json]``, ``duplicates --not ID ID...``, ``refman merge MASTER OTHER...
[--field NAME=ITEM_ID]...`` and ``merge --all --keep RULE``, run as a user runs them: the
groups and why they matched, merges that say what they did, bad input refused in plain words
with nothing changed."""

from __future__ import annotations

import json

import pytest

from refman.library import Library
from tests.safety_helpers import refman
from tests.samples import AHEAD_OF_PRINT, DUPLICATES, FINAL

SCOP = [DUPLICATES / "scop-pubmed.nbib", DUPLICATES / "scop-others.ris"]


@pytest.fixture
def dup_path(library_path):
    """A library with two duplicate groups: the SCOP paper from PubMed, Crossref and a bare RIS
    record (items 1-3) beside its look-alikes (4-6), and an article ahead of print and final
    (7, 8)."""
    result = refman(library_path, "import", "--duplicates", "keep", *SCOP, AHEAD_OF_PRINT, FINAL)
    assert result.returncode == 0, result.stderr
    return library_path


def groups(path) -> list[dict]:
    result = refman(path, "duplicates", "--json")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def snapshot(path):
    """Every item as the library holds it, the Trash included."""
    with Library(path) as library:
        ids = library.items.all_ids()
        return [ref.with_changes(date_modified=None) for ref in library.items.get_many(ids)]


def test_duplicates_lists_each_group_with_why_and_its_items(dup_path):
    result = refman(dup_path, "duplicates")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "group 1: 3 items, same DOI; same title, year and first author"
    assert [line.split()[0] for line in lines[1:4]] == ["1", "2", "3"]
    assert "A high level interface to SCOP and ASTRAL" in lines[1]
    assert lines[4] == "group 2: 2 items, same PMID"
    assert len(lines) == 7
    found = groups(dup_path)
    assert [(g["ids"], g["reasons"]) for g in found] == [
        ([1, 2, 3], ["same DOI", "same title, year and first author"]),
        ([7, 8], ["same PMID"]),
    ]
    assert found[0]["items"][0]["pmid"] == "16403221"


def test_merge_says_what_it_did_and_the_others_go_to_the_trash(dup_path):
    result = refman(dup_path, "merge", "3", "1", "2", "--field", "title=1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "merged 2 items (1, 2) into 3: "
        "A high level interface to SCOP and ASTRAL implemented in python"
    )
    assert "  Title: from item 1" in lines
    assert "  PMID: from item 1" in lines
    assert "  DOI: from item 1" in lines  # the master had none: kept from the others
    assert lines[-1] == "  moved to the Trash: 1, 2"
    with Library(dup_path) as library:
        merged, first, second = library.items.get_many([3, 1, 2])
        assert (merged.pmid, merged.doi) == ("16403221", "10.1186/1471-2105-7-10")
        assert first.trashed and second.trashed and not merged.trashed
        assert library.notes.of_item(3)  # the Crossref record's note came along
    assert [g["ids"] for g in groups(dup_path)] == [[7, 8]]


def test_not_duplicates_is_remembered_and_never_listed_again(dup_path):
    result = refman(dup_path, "duplicates", "--not", "7", "8")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "not duplicates: items 7, 8 (1 new pair)\n"
    assert [g["ids"] for g in groups(dup_path)] == [[1, 2, 3]]
    again = refman(dup_path, "merge", "--all")
    assert again.stdout.splitlines()[-1] == (
        "Merged 1 group of duplicates, keeping the oldest of each: 2 items moved to the Trash."
    )
    none = refman(dup_path, "duplicates")
    assert (none.returncode, none.stdout) == (0, (
        "No duplicate items: no two items share a PMID, a DOI, or a title, year and first "
        "author.\n"
    ))
    assert refman(dup_path, "duplicates", "--json").stdout == ""  # a script reads no lines


def test_merge_all_with_most_fields_keeps_the_fullest_item_of_each_group(dup_path):
    result = refman(dup_path, "merge", "--all", "--keep", "most-fields")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("merged 2 items (2, 3) into 1: ")
    assert lines[1].startswith("merged 1 item (7) into 8: ")  # the final form, with its issue
    assert lines[2] == (
        "Merged 2 groups of duplicates, keeping the one with most fields of each: "
        "3 items moved to the Trash."
    )
    assert groups(dup_path) == []
    assert refman(dup_path, "merge", "--all").stdout == "No duplicates to merge.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["merge", "3", "3"], "refman: Item 3 cannot be merged with itself."),
        (["merge", "3", "99"], "refman: There is no item with id 99."),
        (["merge", "3"], "refman: Give the master's id and at least one other item's id"),
        (["merge", "3", "1", "--field", "title"], "refman: --field 'title': write it as"),
        (["merge", "3", "1", "--field", "colour=1"], "refman: There is no field 'colour'"),
        (["merge", "3", "1", "--field", "title=5"], "is not one of the items merged"),
        (["merge", "--all", "3"], "refman: merge --all merges every group"),
        (["duplicates", "--not", "7"], "refman: Name at least two different items"),
        (["duplicates", "--not", "7", "99"], "refman: There is no item with id 99."),
    ],
)
def test_bad_input_is_refused_in_plain_words_and_changes_nothing(dup_path, args, message):
    before = snapshot(dup_path)
    result = refman(dup_path, *args)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(dup_path) == before
    assert len(groups(dup_path)) == 2


def test_an_item_in_the_trash_is_not_merged(dup_path):
    with Library(dup_path) as library:
        library.items.trash([2])
    before = snapshot(dup_path)
    result = refman(dup_path, "merge", "1", "2")
    assert result.returncode == 1
    assert result.stderr == "refman: Item 2 is in the Trash: restore it before merging it.\n"
    assert snapshot(dup_path) == before
