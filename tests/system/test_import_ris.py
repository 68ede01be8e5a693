"""``refman import`` of RIS as a user runs it: a database's export saved as ``.txt`` is read
by its content, and an export to RIS gives each record back as it was imported."""

from __future__ import annotations

import shutil

from tests.safety_helpers import refman, snapshot
from tests.samples import DATA

ZOTERO_CASE_6 = DATA / "import" / "ris" / "zotero-ris-06.ris"  # T2, JF, JO, N1, M3, Y2 ...


def test_an_ris_file_named_txt_is_imported_and_exported_back_unchanged(library_path, tmp_path):
    source = shutil.copy(ZOTERO_CASE_6, tmp_path / "export from a database.txt")
    result = refman(library_path, "import", source)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 added" in result.stdout
    listed = refman(library_path, "list")
    assert "Potential Contributions of Eye Tracking Research Methods" in listed.stdout

    exported = refman(library_path, "export", "--format", "ris")
    assert exported.returncode == 0, exported.stderr
    # The record comes back line for line, its notes (N1), its own dates (Y1, Y2), its second
    # journal title (JF) and its M3 included.
    assert exported.stdout.replace("\r\n", "\n").rstrip() == ZOTERO_CASE_6.read_text().rstrip()


def test_a_broken_ris_file_imports_what_it_holds_and_names_the_lines(library_path, tmp_path):
    path = tmp_path / "cut.ris"
    path.write_bytes(
        b"TY  - JOUR\r\nTI  - First record\r\nER  - \r\n\r\n"
        b"TY  - JOUR\r\nTI  - Second record, its ER lost\r\n\r\n"
        b"TY  - BOOK\r\nTI  - Third record, cut sho"
    )
    result = refman(library_path, "import", path)
    assert result.returncode == 0, result.stderr
    assert "3 added" in result.stdout
    assert f"{path}:5: the record starting at line 5 has no ER line" in result.stdout
    assert f"{path}:8: the file ends inside the record starting at line 8" in result.stdout


def test_a_file_that_is_neither_ris_nor_medline_changes_nothing(filled_library, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Some notes about papers I should read.\n")
    before = snapshot(filled_library)
    result = refman(filled_library, "import", path)
    assert result.returncode == 1
    assert f"{path}: this is not a MEDLINE/PubMed file" in result.stdout + result.stderr
    assert snapshot(filled_library) == before
