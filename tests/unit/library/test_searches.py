"""library.searches: saved searches stored by name, run live as the quick search runs their
text, and refused in plain words when the name or the query will not do."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from refman.library import Library
from refman.model import RefmanError, ViewQuery
from refman.store import migrations
from tests.samples import PAPERS

BALLOON, GUT = PAPERS[1].title, PAPERS[2].title


@pytest.fixture
def papers(library: Library) -> Library:
    for ref in PAPERS:
        library.items.add(ref)
    return library


def titles(library: Library, ids) -> set[str]:
    return {library.items.get(item_id).title for item_id in ids}


def test_a_saved_search_finds_what_the_search_box_finds(papers):
    saved, changes = papers.searches.add("Sinus work", "balloon sinus")
    assert changes.searches
    assert (saved.name, saved.query) == ("Sinus work", "balloon sinus")
    assert papers.searches.ids("Sinus work") == papers.items.search(ViewQuery(text="balloon sinus"))
    assert titles(papers, papers.searches.ids("sinus WORK")) == {BALLOON}  # any case


def test_a_saved_search_is_live_counts_follow_the_library(papers):
    papers.searches.add("Reviews", "review")
    assert [(s.name, n) for s, n in papers.searches.with_counts()] == [("Reviews", 1)]
    balloon = papers.items.search(ViewQuery(text="balloon"))
    papers.tags.add(balloon, ["review"])
    assert [n for _, n in papers.searches.with_counts()] == [2]
    papers.items.trash(balloon)  # the Trash is not searched
    assert [n for _, n in papers.searches.with_counts()] == [1]


def test_searches_are_listed_by_name_ignoring_case(papers):
    for name in ("beta", "Alpha", "gamma"):
        papers.searches.add(name, "obesity")
    assert [s.name for s in papers.searches.all()] == ["Alpha", "beta", "gamma"]


def test_rename_edit_and_delete(papers):
    papers.searches.add("Gut", "microbiota")
    papers.searches.rename("gut", "Microbiome")
    assert papers.searches.find("Gut") is None
    papers.searches.edit("microbiome", "balloon")
    assert titles(papers, papers.searches.ids("Microbiome")) == {BALLOON}
    assert papers.searches.named("Microbiome").query == "balloon"
    papers.searches.delete("MICROBIOME")
    assert papers.searches.all() == []
    assert len(papers.items.search()) == len(PAPERS)  # its items stay


def test_renaming_to_another_case_of_its_own_name_is_allowed(papers):
    papers.searches.add("gut", "microbiota")
    papers.searches.rename("gut", "Gut")
    assert [s.name for s in papers.searches.all()] == ["Gut"]


@pytest.mark.parametrize("taken", ["Sinus", "SINUS", " sinus "])
def test_a_name_taken_ignoring_case_is_refused(papers, taken):
    papers.searches.add("Sinus", "sinus")
    with pytest.raises(RefmanError, match="already a saved search called 'Sinus'"):
        papers.searches.add(taken, "balloon")
    papers.searches.add("Other", "balloon")
    with pytest.raises(RefmanError, match="already a saved search called 'Sinus'"):
        papers.searches.rename("Other", taken)
    assert [(s.name, s.query) for s in papers.searches.all()] == [
        ("Other", "balloon"),
        ("Sinus", "sinus"),
    ]


def test_a_name_equal_after_casefolding_is_taken(papers):
    papers.searches.add("Straße", "sinus")
    with pytest.raises(RefmanError, match="already a saved search"):
        papers.searches.add("STRASSE", "sinus")


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_name_is_refused(papers, blank):
    with pytest.raises(RefmanError, match="needs a name"):
        papers.searches.add(blank, "sinus")
    papers.searches.add("Sinus", "sinus")
    with pytest.raises(RefmanError, match="needs a name"):
        papers.searches.rename("Sinus", blank)
    assert [s.name for s in papers.searches.all()] == ["Sinus"]


@pytest.mark.parametrize("query", ["", "  "])
def test_an_empty_query_is_refused(papers, query):
    with pytest.raises(RefmanError, match="the query is empty"):
        papers.searches.add("Everything", query)
    assert papers.searches.all() == []


def test_a_query_the_search_refuses_is_refused_with_its_message(papers):
    with pytest.raises(RefmanError) as refused:
        papers.items.search(ViewQuery(text="?"))
    with pytest.raises(RefmanError) as saved:
        papers.searches.add("Odd", "?")
    assert str(refused.value) in str(saved.value)
    assert "Odd" in str(saved.value)
    papers.searches.add("Fine", "sinus")
    with pytest.raises(RefmanError, match="no words"):
        papers.searches.edit("Fine", "?")
    assert papers.searches.named("Fine").query == "sinus"
    assert papers.searches.all()[0].name == "Fine" and len(papers.searches.all()) == 1


def test_unknown_names_are_named_in_the_message(papers):
    for act in (
        lambda: papers.searches.ids("Nope"),
        lambda: papers.searches.rename("Nope", "Other"),
        lambda: papers.searches.edit("Nope", "sinus"),
        lambda: papers.searches.delete("Nope"),
        lambda: papers.searches.named("Nope"),
    ):
        with pytest.raises(RefmanError, match="no saved search called 'Nope'"):
            act()


def test_a_view_narrowed_by_a_saved_search_and_search_text(papers):
    papers.searches.add("Humans", "humans")  # the MeSH tag of two papers
    view = ViewQuery(saved_query="humans")
    assert titles(papers, papers.items.search(view)) == {PAPERS[0].title, BALLOON}
    narrowed = ViewQuery(saved_query="humans", text="sinus")
    assert titles(papers, papers.items.search(narrowed)) == {BALLOON}
    outside = ViewQuery(saved_query="humans", text="obesity")  # found, but not by the search
    assert papers.items.search(outside) == []
    ordered = papers.items.search(view, sort="year", descending=True)
    assert [papers.items.get(i).date.year for i in ordered] == [2023, 2019]


def test_an_export_of_a_saved_search_view_holds_its_items(papers):
    count, text = papers.exporting.export_view(ViewQuery(saved_query="obesity"), "csl-json")
    assert count == 1 and GUT in text and BALLOON not in text


def test_saved_searches_stay_after_reopening(library_path):
    with Library(library_path) as library:
        library.searches.add("Sinus", "sinus")
    with Library(library_path) as library:
        assert [(s.name, s.query) for s in library.searches.all()] == [("Sinus", "sinus")]


def test_a_library_from_before_saved_searches_gains_the_table(library_path):
    with Library(library_path):
        pass
    with closing(sqlite3.connect(library_path)) as db:  # as the version before this step left it
        db.execute("DROP TABLE saved_search")
        before = migrations.MIGRATIONS.index(migrations._add_saved_searches)
        db.execute(f"PRAGMA user_version = {before}")
        db.commit()
    with Library(library_path) as library:
        library.searches.add("Sinus", "sinus")
        assert [s.name for s in library.searches.all()] == ["Sinus"]
