"""The command line's saved searches: ``refman searches add|list|edit|rename|remove``, and
``list --search NAME`` / ``export --search NAME`` to use one. Each runs in a process of its own;
bad input gets one plain line and exit 1."""

from __future__ import annotations

import json

import pytest

from tests.samples import RESULT2, SEED_FILE
from tests.system.test_cli import refman

PYTHON_PAPERS = 4  # RESULT2's records all say "python"; the seed does not


@pytest.fixture
def papers(library_path):
    refman("import", SEED_FILE, RESULT2, library=library_path)
    return library_path


def searches(library_path) -> list[dict]:
    out = refman("searches", "list", "--json", library=library_path).stdout
    return [json.loads(line) for line in out.splitlines()]


def listed_titles(library_path, *args) -> list[str]:
    out = refman("list", "--json", *args, library=library_path).stdout
    return [json.loads(line)["title"] for line in out.splitlines()]


def refused(library_path, *args) -> str:
    """The message of a command that must fail plainly: exit 1, one "refman: ..." line."""
    result = refman(*args, library=library_path, check=False)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("refman: "), result.stderr
    return lines[0]


def test_add_list_and_use_a_saved_search(papers):
    out = refman("searches", "add", "Python tools", "python", library=papers).stdout
    assert out.strip() == "Saved the search 'Python tools'."
    refman("searches", "add", "Clustering", "clustering", library=papers)
    assert searches(papers) == [
        {"name": "Clustering", "query": "clustering", "count": 1},
        {"name": "Python tools", "query": "python", "count": PYTHON_PAPERS},
    ]
    text = refman("searches", library=papers).stdout.splitlines()  # list is the default
    assert [line.split() for line in text] == [
        ["1", "Clustering", "clustering"],
        [str(PYTHON_PAPERS), "Python", "tools", "python"],
    ]
    assert listed_titles(papers, "--search", "python TOOLS") == listed_titles(
        papers, "--query", "python"
    )
    assert listed_titles(papers, "--search", "Python tools", "--query", "clustering") == [
        "Open source clustering software"
    ]


def test_a_saved_search_is_live(papers, tmp_path):
    refman("searches", "add", "Mine", "mine", library=papers)
    assert searches(papers)[0]["count"] == 0
    refman("tag", "add", "mine", "--query", "clustering", library=papers)
    assert searches(papers)[0]["count"] == 1
    assert listed_titles(papers, "--search", "Mine") == ["Open source clustering software"]


def test_export_search_writes_its_items(papers, tmp_path):
    refman("searches", "add", "Clustering", "clustering", library=papers)
    out = tmp_path / "clustering.json"
    done = refman(
        "export", "--search", "Clustering", "--format", "csl-json", "--output", out, library=papers
    )
    assert "Exported 1 item to" in done.stderr
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert [item["title"] for item in exported] == ["Open source clustering software"]


def test_edit_rename_and_remove(papers):
    refman("searches", "add", "Topic", "clustering", library=papers)
    refman("searches", "edit", "topic", "incontinence", library=papers)
    assert searches(papers) == [{"name": "Topic", "query": "incontinence", "count": 1}]
    out = refman("searches", "rename", "TOPIC", "Seed", library=papers).stdout
    assert out.strip() == "Renamed the saved search 'Topic' to 'Seed'."
    assert [s["name"] for s in searches(papers)] == ["Seed"]
    out = refman("searches", "remove", "seed", library=papers).stdout
    assert out.strip() == "Removed the saved search 'Seed'; its items stay in the library."
    assert searches(papers) == []
    assert refman("searches", library=papers).stdout.strip() == "No saved searches yet."
    assert len(listed_titles(papers)) == 1 + PYTHON_PAPERS


def test_bad_input_is_refused_plainly_and_changes_nothing(papers):
    refman("searches", "add", "Topic", "clustering", library=papers)
    expected = {
        ("searches", "add", "TOPIC", "python"): "already a saved search called 'Topic'",
        ("searches", "add", "", "python"): "needs a name",
        ("searches", "add", "  ", "python"): "needs a name",
        ("searches", "add", "Empty", ""): "the query is empty",
        ("searches", "add", "Odd", "?"): "Cannot save 'Odd': the query '?' has no words",
        ("searches", "edit", "Topic", "?"): "the query '?' has no words",
        ("searches", "rename", "Nope", "Other"): "no saved search called 'Nope'",
        ("searches", "edit", "Nope", "python"): "no saved search called 'Nope'",
        ("searches", "remove", "Nope"): "no saved search called 'Nope'",
        ("list", "--search", "Nope"): "There is no saved search called 'Nope'.",
        ("export", "--search", "Nope"): "There is no saved search called 'Nope'.",
    }
    for args, message in expected.items():
        assert message in refused(papers, *args), args
    refman("searches", "add", "Other", "python", library=papers)
    assert "already a saved search called 'Topic'" in refused(
        papers, "searches", "rename", "Other", "topic"
    )
    assert searches(papers) == [
        {"name": "Other", "query": "python", "count": PYTHON_PAPERS},
        {"name": "Topic", "query": "clustering", "count": 1},
    ]


def test_searches_list_on_a_new_library_says_there_are_none(library_path):
    assert refman("searches", "list", library=library_path).stdout.strip() == (
        "No saved searches yet."
    )
    assert refman("searches", "list", "--json", library=library_path).stdout == ""
