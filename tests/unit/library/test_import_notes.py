"""Notes in imported files become notes on the items (as Zotero makes child notes): stored
as the library's notes are (HTML, the text escaped), in the import's transaction; a record
merged into an item adds only the notes it has not got; undoing the import takes them back."""

from __future__ import annotations

import pytest

from refman.library import Library
from refman.library.notes import html_of_text, same_text
from refman.model import ViewQuery


def ris(title: str, *notes: str, doi: str = "") -> str:
    lines = ["TY  - JOUR", f"TI  - {title}", "PY  - 2020"]
    lines += [f"DO  - {doi}"] if doi else []
    lines += [f"N1  - {note}" for note in notes]
    return "\n".join([*lines, "ER  - ", ""])


def note_texts(library: Library, item_id) -> list[str]:
    return [same_text(note.html) for note in library.notes.of_item(item_id)]


def test_the_notes_of_a_new_item_are_its_notes_as_html(library):
    text = ris("Noted", "Read it <twice> & cite", "Second\n  line two") + ris("No notes")
    noted, plain = library.importing.text(text, name="notes.ris").added
    first, second = library.notes.of_item(noted)
    assert first.html == "<p>Read it &lt;twice&gt; &amp; cite</p>"
    assert second.html == "<p>Second<br>line two</p>"
    assert first.title == "Read it &lt;twice&gt; &amp; cite"  # as a note the user typed shows
    assert library.notes.of_item(plain) == []


def test_bibtex_annote_and_endnote_notes_are_imported_as_notes(library):
    (from_bibtex,) = library.importing.text(
        "@article{k, title = {T}, note = {In press}, annote = {Good \\& short}}", name="in.bib"
    ).added
    assert note_texts(library, from_bibtex) == ["Good & short"]
    endnote = (
        '<?xml version="1.0" encoding="UTF-8"?><xml><records><record>'
        '<ref-type name="Journal Article">17</ref-type><titles><title>E</title></titles>'
        "<notes>Line one&#xD;line two</notes><research-notes>Method</research-notes>"
        "</record></records></xml>"
    )
    (from_endnote,) = library.importing.text(endnote, name="in.xml").added
    (first, second) = library.notes.of_item(from_endnote)
    assert (first.html, second.html) == ("<p>Line one<br>line two</p>", "<p>Method</p>")


def test_html_of_text_makes_paragraphs_and_line_breaks():
    assert html_of_text("a & b\nc\n\n\nd") == "<p>a &amp; b<br>c</p><p>d</p>"
    assert same_text(html_of_text("a & b\nc\n\nd")) == "a & b c d"


def test_imported_notes_are_found_by_a_search(library):
    (item_id,) = library.importing.text(ris("Some title", "Zebrafish heart regrowth")).added
    assert library.items.search(ViewQuery(text="zebrafish")) == [item_id]


def test_a_merge_adds_only_the_notes_the_item_has_not_got(library):
    (item_id,) = library.importing.text(ris("Paper", "Old note", doi="10.1000/x")).added
    library.notes.add(item_id, "<p><b>Mine</b>, typed</p>")
    again = ris("Paper", "Old note", "Mine, typed", "New note", "New note", doi="10.1000/x")
    report = library.importing.text(again, duplicates="merge")
    assert report.merged == [item_id] and report.added == []
    assert note_texts(library, item_id) == ["Old note", "Mine, typed", "New note"]
    assert library.imports.get(report.batch).merged == 1


def test_a_record_repeated_in_one_file_merges_its_notes_once(library):
    text = ris("Twice", "Shared", "First only", doi="10.1000/y") + ris(
        "Twice", "Shared", "Second only", doi="10.1000/y"
    )
    (item_id,) = library.importing.text(text, duplicates="merge").added
    assert note_texts(library, item_id) == ["Shared", "First only", "Second only"]


def test_skipping_a_duplicate_adds_none_of_its_notes(library):
    (item_id,) = library.importing.text(ris("Paper", doi="10.1000/z")).added
    library.importing.text(ris("Paper", "Not wanted", doi="10.1000/z"), duplicates="skip")
    assert library.notes.of_item(item_id) == []


def test_undo_removes_the_items_with_their_imported_notes(library):
    report = library.importing.text(ris("One", "A note") + ris("Two", "B note", "C note"))
    assert len(library.notes.of_item(report.added[1])) == 2
    undone = library.imports.undo(report.batch)
    assert sorted(undone.removed) == sorted(report.added)
    assert undone.kept == []
    assert library.items.count() == 0
    assert all(library.notes.of_item(item_id) == [] for item_id in report.added)
    assert library.items.search(ViewQuery(text="note")) == []


def test_undo_of_a_merge_takes_back_the_notes_it_added(library):
    (item_id,) = library.importing.text(ris("Paper", "Old note", doi="10.1000/m")).added
    merged = library.importing.text(
        ris("Paper", "Old note", "Merged note", doi="10.1000/m"), duplicates="merge"
    )
    assert note_texts(library, item_id) == ["Old note", "Merged note"]
    undone = library.imports.undo(merged.batch)
    assert undone.restored == [item_id]
    assert note_texts(library, item_id) == ["Old note"]
    # The first import is as it left its item again: it can be undone too.
    first = library.imports.list()[-1]
    assert library.imports.undo(first.id).removed == [item_id]


def test_a_merge_that_only_added_notes_is_named_when_it_cannot_be_taken_back(library):
    (item_id,) = library.importing.text(ris("Paper", doi="10.1000/n")).added
    merged = library.importing.text(
        ris("Paper", "From the file", doi="10.1000/n"), duplicates="merge"
    )
    (note,) = library.notes.of_item(item_id)
    library.notes.update(note.id, "<p>From the file, edited</p>")
    undone = library.imports.undo(merged.batch)
    (leftover,) = undone.not_restored
    assert "added 1 note to it" in str(leftover)
    assert note_texts(library, item_id) == ["From the file, edited"]


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_an_added_item_whose_imported_note_changed_since_is_kept(library, change):
    (item_id,) = library.importing.text(ris("Kept", "A note")).added
    (note,) = library.notes.of_item(item_id)
    if change == "edit":
        library.notes.update(note.id, "<p>A note, edited</p>")
    else:
        library.notes.delete(note.id)
    undone = library.imports.undo(library.imports.list()[0].id)
    assert [leftover.item_id for leftover in undone.kept] == [item_id]
    assert library.items.all_ids() == [item_id]


def test_the_window_is_told_which_items_notes_an_import_or_its_undo_changed(library):
    (item_id,) = library.importing.text(ris("Paper", doi="10.1000/w")).added
    merged = library.importing.text(ris("Paper", "Merged", doi="10.1000/w"), duplicates="merge")
    assert merged.changes().notes == frozenset({item_id})
    assert library.imports.undo(merged.batch).changes().notes == frozenset({item_id})
