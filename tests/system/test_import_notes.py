"""``refman import`` of a file with notes, as a user runs it: the notes (RIS ``N1``) become
notes on the item, which a search finds; the window shows them (``library.notes``); undoing
the import takes the item and its notes away."""

from __future__ import annotations

from refman.library import Library
from tests.safety_helpers import refman

NOTED = (
    "TY  - JOUR\r\n"
    "TI  - Heart regrowth in fish\r\n"
    "PY  - 2021\r\n"
    "N1  - Compare with <Poss 2002> & the\r\n"
    "  mouse data\r\n"
    "N1  - Zebrafish chapter\r\n"
    "ER  - \r\n"
)


def test_the_notes_of_an_imported_ris_file_are_the_items_notes(library_path, tmp_path):
    path = tmp_path / "noted.ris"
    path.write_bytes(NOTED.encode())
    result = refman(library_path, "import", path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 added" in result.stdout

    found = refman(library_path, "list", "--query", "zebrafish")  # the words of a note
    assert found.returncode == 0, found.stderr
    assert "Heart regrowth in fish" in found.stdout

    with Library(library_path) as library:
        (item_id,) = library.items.all_ids()
        first, second = library.notes.of_item(item_id)
    assert first.html == "<p>Compare with &lt;Poss 2002&gt; &amp; the<br>mouse data</p>"
    assert second.html == "<p>Zebrafish chapter</p>"

    undone = refman(library_path, "imports", "undo", "1")
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert "removed 1 item" in undone.stdout
    left = refman(library_path, "list", "--query", "zebrafish")
    assert "Heart regrowth" not in left.stdout
    with Library(library_path) as library:
        assert library.items.count() == 0
        assert library.notes.of_item(item_id) == []
