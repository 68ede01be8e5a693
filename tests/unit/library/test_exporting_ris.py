"""RIS through the library: an RIS file imported and exported gives its records back, an
export imported into an empty library and exported again gives the same text and the same
items, and an edit changes only the lines behind the edited field."""

from __future__ import annotations

import pytest

from refman.library import Library
from tests.samples import EXPORT
from tests.unit.formats.ris.zotero import CASES
from tests.unit.library.test_exporting import content

RIS_FILES = [*CASES, *sorted(EXPORT.glob("*.ris"))]


@pytest.mark.parametrize("path", RIS_FILES, ids=lambda p: p.name)
def test_ris_export_imports_back_as_the_same_items_and_the_same_text(tmp_path, path):
    exported = tmp_path / "export.ris"
    with Library(tmp_path / "first.sqlite") as first:
        report = first.importing.files([path])
        assert report.added and report.problems == []
        originals = [content(ref) for ref in first.items.get_many(report.added)]
        text = first.exporting.export(report.added, "ris")
        exported.write_text(text, encoding="utf-8", newline="")
    with Library(tmp_path / "second.sqlite") as second:
        report = second.importing.files([exported])
        assert report.problems == []
        assert [content(ref) for ref in second.items.get_many(report.added)] == originals
        assert second.exporting.export(report.added, "ris") == text


def test_an_edited_item_is_exported_with_only_that_field_changed(tmp_path):
    with Library(tmp_path / "library.sqlite") as library:
        (item,) = library.importing.files([CASES[5]]).added  # case 6: JOUR with N1, M3, Y2
        before = library.exporting.export([item], "ris").split("\r\n")
        library.items.update(item, volume="31")
        after = library.exporting.export([item], "ris").split("\r\n")
    assert [line for line in before if line not in after] == ["VL  - 30"]
    assert [line for line in after if line not in before] == ["VL  - 31"]
    assert after.index("VL  - 31") == before.index("VL  - 30")
