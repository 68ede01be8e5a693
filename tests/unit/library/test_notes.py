"""refman.library.notes: notes are kept and found by the search."""

from refman.model import ViewQuery
from tests.samples import SEED_FILE


def test_notes_are_searchable_and_kept(library):
    item_id = library.importing.files([SEED_FILE]).added[0]
    note, changes = library.notes.add(item_id, "<p>Ask Dr Raval about zebrafish</p>")
    assert changes.notes == {item_id}
    assert library.items.search(ViewQuery(text="zebrafish")) == [item_id]
    assert [n.html for n in library.notes.of_item(item_id)] == [note.html]
