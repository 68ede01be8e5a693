"""``refman import`` of RIS as a user runs it: a database's export saved as ``.txt`` is read
by its content, and an export to RIS gives each record back as it was imported."""

from __future__ import annotations

import re
import shutil

from tests.safety_helpers import refman, snapshot
from tests.samples import DATA
from tests.system.test_bad_input import MAX_RSS_MB, import_measured

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
    assert f"{path}: refman cannot read it" in result.stdout + result.stderr
    assert snapshot(filled_library) == before


def test_a_100_mb_ris_file_imports_in_bounded_memory(filled_library, tmp_path):
    """A record whose abstract runs on over 100 MB of continuation lines, between two
    ordinary records: the abstract keeps its first million characters, said on its line."""
    path = tmp_path / "huge.ris"
    line = "word " * 15 + "\n"
    with open(path, "w", encoding="utf-8") as out:
        out.write("TY  - JOUR\nTI  - Before the huge record\nER  - \n")
        out.write("TY  - JOUR\nTI  - A huge record\nAB  - start\n")
        for _ in range(100 * 2**20 // len(line) // 1000):
            out.write(line * 1000)
        out.write("ER  - \nTY  - JOUR\nTI  - After the huge record\nER  - \n")
    assert path.stat().st_size > 100 * 10**6
    before, said = import_measured(filled_library, path, 0, MAX_RSS_MB)
    assert "3 added" in said
    cut = re.search(rf"{re.escape(str(path))}:(\d+): a value longer than 1,000,000 chara", said)
    assert cut and int(cut[1]) > 6  # the continuation line where the million is reached
    assert snapshot(filled_library)[0][: len(before[0])] == before[0]
