"""``refman list --query`` finds items by the words of their PDFs and marks them "[in PDF]"
(``"in_pdf": true`` in --json); ``refman attachments`` says which PDFs are scans."""

from __future__ import annotations

import json
from pathlib import Path

from refman.library import Library
from refman.model import Reference
from tests.safety_helpers import refman

PDFS = Path(__file__).parents[1] / "data" / "pdf"
DEMENTIA = PDFS / "int-psychogeriatr-2014-cambridge.pdf"
SCAN = PDFS / "neg-scanned-image-only.pdf"


def two_items(path: Path) -> tuple[int, int]:
    with Library(path) as library:
        paper = library.items.add(Reference(title="A paper from the folder"))[0]
        other = library.items.add(Reference(title="Dementia care at home"))[0]
    return paper, other


def test_list_finds_items_by_their_pdfs_words_and_marks_them(library_path):
    paper, other = two_items(library_path)
    attached = refman(library_path, "attach", str(paper), str(DEMENTIA), str(SCAN))
    assert attached.returncode == 0, attached.stderr
    assert "1 without a text layer (scanned): not searchable." in attached.stdout

    listed = refman(library_path, "list", "--query", "dementia")
    assert listed.returncode == 0, listed.stderr
    lines = dict(line.split(maxsplit=1) for line in listed.stdout.splitlines())
    assert lines[str(paper)].endswith("A paper from the folder  [in PDF]")
    assert lines[str(other)].endswith("Dementia care at home")  # its title: no mark

    as_json = refman(library_path, "list", "--query", "dementia", "--json")
    found = {entry["id"]: entry["in_pdf"] for entry in map(json.loads, as_json.stdout.splitlines())}
    assert found == {paper: True, other: False}
    # A word of the PDF and one of the title: each found in one of them, as the window finds.
    both = refman(library_path, "list", "--query", "folder alzheimer", "--json").stdout
    assert [json.loads(line)["id"] for line in both.splitlines()] == [paper]
    nothing = refman(library_path, "list", "--query", "home alzheimer")
    assert (nothing.returncode, nothing.stdout) == (0, "")


def test_attachments_says_which_pdfs_are_scans(library_path):
    paper, _other = two_items(library_path)
    refman(library_path, "attach", str(paper), str(DEMENTIA), str(SCAN))
    plain = refman(library_path, "attachments", str(paper)).stdout.splitlines()
    assert "[scanned: no text layer]" not in plain[0]
    assert SCAN.name in plain[1] and "[scanned: no text layer]" in plain[1]
    entries = [
        json.loads(line)
        for line in refman(library_path, "attachments", str(paper), "--json").stdout.splitlines()
    ]
    assert [(e["name"], e["text"], e["scanned"]) for e in entries] == [
        (DEMENTIA.name, "indexed", False),
        (SCAN.name, "no text", True),
    ]
