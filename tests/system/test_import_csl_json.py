"""``refman import`` of CSL-JSON as a user runs it: a library's CSL-JSON export imported into an
empty library exports again byte for byte; bad CSL-JSON files each named with the item and the
line, the rest read, the library otherwise unchanged; a 100 MB file read in bounded memory.
The reader itself is tested in tests/unit/formats/csl_json/."""

from __future__ import annotations

import json

from tests.safety_helpers import assert_kept, refman, snapshot
from tests.samples import DATA
from tests.system.test_bad_input import MAX_RSS_MB, MB, import_measured

ZOTERO = DATA / "import" / "csljson" / "zotero-csljson-01.json"


def test_an_export_imported_into_an_empty_library_exports_identically(filled_library, tmp_path):
    first = tmp_path / "first.json"
    assert (
        refman(filled_library, "export", "--format", "csl-json", "--output", first).returncode == 0
    )
    count = len(json.loads(first.read_text(encoding="utf-8")))
    second_library = tmp_path / "second.sqlite"
    result = refman(second_library, "import", first)
    assert result.returncode == 0, result.stderr
    assert f"{count} added" in result.stdout
    again = refman(second_library, "export", "--format", "csl-json")
    assert again.stdout == first.read_text(encoding="utf-8")


def test_bad_csl_json_files_are_named_and_the_rest_read(filled_library, tmp_path):
    cut = tmp_path / "cut.json"
    cut.write_text('[\n{"title": "Kept", "type": "book"},\n{"title": "Lost", "type":', "utf-8")
    not_csl = tmp_path / "package.json"
    not_csl.write_text('{"name": "x", "version": "1"}', encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text(
        '[{"title": "One", "type": "book"},\n{"title": "Two" "type": "book"},\n'
        '{"title": "Three", "type": "book"}]',
        encoding="utf-8",
    )
    before = snapshot(filled_library)
    result = refman(filled_library, "import", cut, not_csl, broken, ZOTERO)
    assert result.returncode == 0, result.stderr
    assert f"{cut}:3: the file ends inside item 2: it was cut short" in result.stdout
    assert f"{broken}:2: item 2 is not valid JSON (Expecting ',' delimiter" in result.stdout
    assert f"{not_csl}: refman cannot read it: it looks like JSON, but not" in result.stdout
    assert "4 added" in result.stdout  # Kept, One, Three and Zotero's book
    assert_kept(before, filled_library)


def test_a_100_mb_file_is_read_in_bounded_memory(filled_library, tmp_path):
    """One item of 100 MB (a pasted-in data dump) between two good ones: skipped unheld."""
    path = tmp_path / "huge.json"
    with path.open("w", encoding="utf-8") as out:
        out.write('[{"title": "Before", "type": "book"},\n{"title": "Huge", "abstract": "')
        words = "lorem ipsum dolor sit amet " * (MB // 27)
        for _ in range(100):
            out.write(words)
        out.write('"},\n{"title": "After", "type": "book"}]\n')
    assert path.stat().st_size > 100 * MB - MB
    before, said = import_measured(filled_library, path, 0, MAX_RSS_MB)
    assert "2 added" in said
    assert f"{path}:2: item 2 is too large" in said
    assert_kept(before, filled_library)
