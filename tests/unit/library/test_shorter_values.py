"""Shorter stored values (issue 18, i18-file100k): sort keys with shorter numbers, ISSNs as
text, a DOI equal to its key left out, a keyword's link kind as "k". A library written before
is converted by its schema step and then searches, sorts, counts, reads and exports as a
library written now does; its imports can still be undone."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from refman.library import Library
from refman.model import TAG_KEYWORD, TAG_MESH, Issn, PartialDate, Reference, Tag, ViewQuery
from refman.store import duplicates, mapping, migrations, search
from tests.samples import SAMPLE_FILES

MOMENT = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
QUERIES = [
    "Knowles CH[au]",
    "Humans[mh]",
    "therapy[sh]",
    "stroke",
    "Fecal Incontinence[majr]",
    "0003-4932[ta]",
    "1528-1140[ta]",
    "Ann Surg[ta]",
    "37144409[pmid]",
    "10.1097/SLA.0000000000005894[doi]",
    "10.1097/sla.0000000000005894",
    "odd trial[ti]",
    "2019:2024[dp]",
]
ODD = Reference(
    title="Odd trial 0012 of 10000000000 arms versus 9 (phase ١٢)",
    doi="https://doi.org/10.1000/ABC.12",
    pmid="0099",
    volume="012",
    pages="S10-S9",
    issns=(Issn("1234-567X", "Print"), Issn("12345678"), Issn("2345-6789", "Other")),
    date=PartialDate(2020),
    tags=(Tag("own words", kind=TAG_KEYWORD), Tag("Trials", kind=TAG_MESH), Tag("mine")),
)
PLAIN = Reference(
    title="Plain 2 trial", doi="10.1000/plain", pmid="123", issns=(Issn("0003-4932", "Linking"),)
)


def _padded(text: str) -> str:
    return re.sub(r"\d+", lambda m: m.group().zfill(10), text.casefold().strip())


def write_as_before(patch: pytest.MonkeyPatch) -> None:
    """The store writes values as refman did before this change."""
    patch.setattr(mapping, "natural_key", _padded)
    patch.setattr(duplicates, "natural_key", _padded)
    patch.setattr(
        mapping, "issns_text", lambda issns: mapping.to_json([[i.value, i.kind] for i in issns])
    )
    patch.setattr(
        mapping, "stored_kind", lambda kind: mapping.STORED_MESH if kind == TAG_MESH else kind
    )
    patch.setattr(mapping, "stored_doi", lambda doi, key: doi)
    # Nor did its import fingerprints read the rows' keys back to padded numbers.
    patch.setattr(mapping, "padded_numbers", lambda key: key)


def fill(path: Path) -> int:
    with Library(path) as library:
        batch = library.importing.files(list(SAMPLE_FILES)).batch
        library.items.add(ODD)
        library.items.add(PLAIN)
    return batch


def seen(path: Path) -> dict[str, object]:
    """What a user sees of the library: items, searches, sorts, tag counts, exports."""
    with Library(path) as library:
        ids = sorted(library.items.all_ids())
        found: dict[str, object] = {"refs": library.items.get_many(ids)}
        for text in QUERIES:
            found[text] = library.items.search(ViewQuery(text=text))
        for sort in search.SORT_COLUMNS:
            for descending in (False, True):
                key = f"sort {sort} {descending}"
                found[key] = library.items.search(ViewQuery(), sort=sort, descending=descending)
        found["tags"] = library.tags.counts()
        for fmt in ("medline", "ris", "bibtex", "csl-json"):
            found[fmt] = library.exporting.export(ids, fmt)
        return found


def stored(path: Path) -> dict[str, list]:
    db = sqlite3.connect(path)
    try:
        return {
            "keys": db.execute(
                "SELECT title_sort, pmid_sort, volume_sort, pages_sort FROM item ORDER BY id"
            ).fetchall(),
            "issns": db.execute("SELECT issns FROM item ORDER BY id").fetchall(),
            "doi": db.execute("SELECT doi FROM item ORDER BY id").fetchall(),
            "kinds": db.execute("SELECT DISTINCT kind FROM item_tag ORDER BY 1").fetchall(),
            "indexes": db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
            ).fetchall(),
        }
    finally:
        db.close()


def test_a_library_from_before_gets_shorter_values_and_works_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(mapping, "now", lambda: MOMENT)
    new = tmp_path / "new.sqlite"
    fill(new)
    expected, expected_stored = seen(new), stored(new)
    assert all(expected[text] for text in QUERIES), [t for t in QUERIES if not expected[t]]
    assert ("k",) in expected_stored["kinds"] and ("keyword",) not in expected_stored["kinds"]
    assert ("",) in expected_stored["doi"] and ("https://doi.org/10.1000/ABC.12",) in (
        expected_stored["doi"]
    )

    path = tmp_path / "library.sqlite"
    with monkeypatch.context() as patch:
        write_as_before(patch)
        batch = fill(path)
    before = stored(path)
    assert ("keyword",) in before["kinds"] and ("k",) not in before["kinds"]
    assert all(key.startswith("0") for _, key, _, _ in before["keys"] if key)
    assert any(issns.startswith("[[") for (issns,) in before["issns"])
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {migrations.MIGRATIONS.index(migrations._shorter_values)}")
    db.commit()
    db.close()

    assert seen(path) == expected  # opening it runs the step
    assert stored(path) == expected_stored
    with Library(path) as library:
        # The import's fingerprints still hold: undone, it takes back every item it added.
        undone = library.imports.undo(batch)
        assert undone.kept == [] and library.items.count() == 2


def test_the_step_run_again_changes_nothing(tmp_path):
    path = tmp_path / "library.sqlite"
    fill(path)
    before, shown = stored(path), seen(path)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {migrations.MIGRATIONS.index(migrations._shorter_values)}")
    db.commit()
    db.close()
    assert seen(path) == shown
    assert stored(path) == before


def test_values_read_back_as_written(tmp_path):
    with Library(tmp_path / "library.sqlite") as library:
        odd, _ = library.items.add(ODD)
        plain, _ = library.items.add(PLAIN)
        got = library.items.get_many([odd, plain])
        assert [(r.doi, r.issns, r.tags, r.pmid) for r in got] == [
            (ODD.doi, ODD.issns, ODD.tags, ODD.pmid),
            (PLAIN.doi, PLAIN.issns, PLAIN.tags, PLAIN.pmid),
        ]
        assert library.items.search(ViewQuery(text="1234-567x[ta]")) == [odd]
        assert library.items.search(ViewQuery(text="0003-4932[ta]")) == [plain]
        assert library.items.search(ViewQuery(text="2345-6789[ta]")) == [odd]  # JSON: "Other"
        assert library.items.search(ViewQuery(text="10.1000/abc.12[doi]")) == [odd]
        assert library.items.search(ViewQuery(text="0099[pmid]")) == [odd]
        assert library.items.search(ViewQuery(text="99[pmid]")) == [odd]
    db = sqlite3.connect(tmp_path / "library.sqlite")
    rows = db.execute("SELECT doi, issns, pmid_sort FROM item ORDER BY id").fetchall()
    db.close()
    assert rows[1] == ("", "0003-4932l", "2123")
    assert rows[0][0] == ODD.doi and rows[0][1].startswith("[[")
