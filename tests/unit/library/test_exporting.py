"""refman.library.exporting: every sample through the library and out again, and the seed's
citations.

MEDLINE goes out and comes back in through ``library.importing.files`` into a fresh library, as a
user moving a library would do it; CSL-JSON comes back through ``csl_json.read_text``, and an
item imported from CSL-JSON goes out as it came, but for the fields edited in the library. The
formatted bibliographies of the seed record must read as citeproc-js writes them
(tests/data/csl), as ``refman export --format text --style X`` does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refman import formats
from refman.formats import csl_json
from refman.library import Library
from refman.model import Reference
from tests.samples import BALLOON, CSL_DATA, DATA, REFERENCE_STYLES, SEED_FILE

REAL_SAMPLES = sorted(DATA.glob("*.txt")) + sorted(DATA.glob("*.nbib"))
# Fixtures that are not MEDLINE at all: nothing to export.
NOT_MEDLINE = {"empty.nbib", "not_medline.nbib", "pdf_like.nbib"}
FIXTURES = [p for p in sorted((DATA / "medline").glob("*.nbib")) if p.name not in NOT_MEDLINE]
SAMPLES = REAL_SAMPLES + FIXTURES


def sample_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


# Known losses, each failing its round trip until fixed (strict: a fix makes the mark fail).
KNOWN_LOSSES: dict[str, dict[str, str]] = {"medline": {}, "csl-json": {}}


def samples(fmt: str) -> list:
    losses = KNOWN_LOSSES[fmt]
    return [
        pytest.param(
            path,
            id=sample_id(path),
            marks=[pytest.mark.xfail(strict=True, reason=losses[path.name])]
            if path.name in losses
            else [],
        )
        for path in SAMPLES
    ]


def content(ref: Reference) -> Reference:
    """What a library item holds, without what the library itself sets."""
    return ref.with_changes(id=None, date_added=None, date_modified=None)


def test_the_samples_are_all_there():
    assert len(REAL_SAMPLES) == 13  # the seed, 2 PubMed results, the 75-record set, 9 Zotero cases
    assert len(FIXTURES) == 16


@pytest.mark.parametrize("path", samples("medline"))
def test_medline_export_imports_back_as_the_same_items(tmp_path, path):
    exported = tmp_path / "export.nbib"
    with Library(tmp_path / "first.sqlite") as first:
        ids = first.importing.files([path]).added
        assert ids
        originals = [content(ref) for ref in first.items.get_many(ids)]
        exported.write_text(first.exporting.export(ids, "medline"), encoding="utf-8", newline="")
    with Library(tmp_path / "second.sqlite") as second:
        report = second.importing.files([exported])
        assert report.problems == []
        assert [content(ref) for ref in second.items.get_many(report.added)] == originals


@pytest.mark.parametrize("path", samples("csl-json"))
def test_csl_json_export_reads_back_as_the_same_references(tmp_path, path):
    with Library(tmp_path / "library.sqlite") as library:
        ids = library.importing.files([path]).added
        assert ids
        expected = [
            content(ref).with_changes(source_format="", source_record=())
            for ref in library.items.get_many(ids)
        ]
        back = csl_json.read_text(library.exporting.export(ids, "csl-json"))
        assert [ref.with_changes(source_format="", source_record=()) for ref in back] == expected


@pytest.mark.parametrize("key", ["bibtex", "biblatex", "ris"])
def test_exports_from_tag_names_only_are_those_of_the_whole_items(tmp_path, key):
    """The library gives these writers tags without MeSH details: nothing written may change."""
    with Library(tmp_path / "library.sqlite") as library:
        ids = library.importing.files(REAL_SAMPLES).added
        items = library.items.get_many(ids)
        assert any(tag.qualifiers for ref in items for tag in ref.tags)
        assert library.exporting.export(ids, key) == formats.export(items, key)


@pytest.fixture(scope="module")
def seed_imported(tmp_path_factory):
    """A library holding the seed alone, read from its MEDLINE file, and the seed's id."""
    with Library(tmp_path_factory.mktemp("seed") / "library.sqlite") as library:
        ids = library.importing.files([SEED_FILE]).added
        assert len(ids) == 1
        yield library, ids


@pytest.mark.parametrize("style", REFERENCE_STYLES)
def test_the_seed_exported_as_text_reads_as_citeproc_js_writes_it(seed_imported, style):
    library, ids = seed_imported
    expected = (CSL_DATA / f"{style}.txt").read_text(encoding="utf-8")
    assert library.exporting.export(ids, "text", style=style) == expected


@pytest.mark.parametrize("style", REFERENCE_STYLES)
def test_the_seed_exported_as_html_reads_as_citeproc_js_writes_it(seed_imported, style):
    library, ids = seed_imported
    entry = (CSL_DATA / f"{style}.html").read_text(encoding="utf-8").rstrip("\n")
    expected = f'<div class="csl-bib-body">\n  {entry}\n</div>\n'
    assert library.exporting.export(ids, "html", style=style) == expected


def test_an_imported_csl_json_item_exports_as_it_came_but_for_the_edited_fields(tmp_path):
    path = DATA / "import" / "csljson" / "pandoc.json"
    original = json.loads(path.read_text(encoding="utf-8"))
    with Library(tmp_path / "library.sqlite") as library:
        ids = library.importing.files([path]).added
        assert library.exporting.export(ids, "csl-json") == csl_json_text(original)
        library.items.update(ids[0], title="Edited in refman")
        edited = json.loads(library.exporting.export(ids, "csl-json"))
    assert edited == [original[0] | {"title": "Edited in refman"}, original[1]]


def csl_json_text(items: list) -> str:
    """Items as refman's CSL-JSON writer lays them out."""
    return json.dumps(items, ensure_ascii=False, indent=1) + "\n"


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_a_bibtex_export_reads_only_the_records_it_gives_back(library, fmt):
    """A BibTeX (BibLaTeX) export reads the stored source records of the items imported from
    .bib files, which it gives back, and not the MEDLINE ones, which it writes from the
    item's fields: the text is the same as with every record read."""
    from refman.store import items as stored_items

    bib = sorted((DATA / "import" / "bibtex").glob("*.bib"))[0]
    ids = library.importing.files([SEED_FILE, BALLOON, bib]).item_ids
    assert len(ids) > 76
    with library.connection.reading() as db:
        every = stored_items.load(db, ids, source_records=True, tag_details=False)
        only_bib = stored_items.load(db, ids, source_records={"bibtex", "biblatex"})
    assert [ref.source_record for ref in only_bib] == [
        ref.source_record if ref.source_format in ("bibtex", "biblatex") else ()
        for ref in every
    ]
    assert any(ref.source_format == "bibtex" and ref.source_record for ref in only_bib)
    assert library.exporting.export(ids, fmt) == formats.export(every, fmt)
