"""library.keys and the exports: every item's stored key is the same in BibTeX, BibLaTeX and
CSL-JSON, across restarts and later imports; a file's own key is kept when it is free."""

from __future__ import annotations

import json
import re

import pytest

from refman.citekeys import CitationKeyError
from refman.library import Library
from refman.model import Creator, PartialDate, Reference
from tests.samples import PAPERS, SEED_FILE


def bibtex_keys(text: str) -> list[str]:
    return re.findall(r"^@\w+\{([^,]+),", text, re.M)


def export_keys(library: Library, ids) -> dict[str, list[str]]:
    """The keys each keyed format gives the items, in their order."""
    return {
        "bibtex": bibtex_keys(library.exporting.export(ids, "bibtex")),
        "biblatex": bibtex_keys(library.exporting.export(ids, "biblatex")),
        "csl-json": [item["id"] for item in json.loads(library.exporting.export(ids, "csl-json"))],
    }


def twin(title: str = "Safety of iltamiocel") -> Reference:
    return Reference(title=title, creators=(Creator("Knowles", "C"),), date=PartialDate(2023))


def test_every_export_gives_an_item_the_same_key_across_restarts_and_later_imports(
    library_path, tmp_path
):
    with Library(library_path) as library:
        ids = library.importing.files([SEED_FILE]).added + [
            library.items.add(ref)[0] for ref in PAPERS[1:]
        ]
        first = export_keys(library, ids)
        stored = [library.keys.of(ids)[i] for i in ids]
    assert first == {"bibtex": stored, "biblatex": stored, "csl-json": stored}
    assert stored[0] == "knowles2023safety"
    # An export of one item, or of the items in another order, gives the same keys.
    with Library(library_path) as library:
        assert export_keys(library, ids[::-1])["bibtex"] == stored[::-1]
        assert export_keys(library, ids[1:2])["csl-json"] == stored[1:2]
        # Items with the same first author, year and title word arrive: the old keys stay.
        later = [library.items.add(twin())[0], library.items.add(twin("Safety, later"))[0]]
        assert export_keys(library, ids) == first
        assert [library.keys.of(later)[i] for i in later] == [
            "knowles2023asafety",
            "knowles2023bsafety",
        ]
        assert export_keys(library, [later[1], *ids])["biblatex"] == ["knowles2023bsafety", *stored]


def test_a_bibtex_files_keys_are_kept_when_free(library, tmp_path):
    library.items.add(twin())  # takes knowles2023safety before the file comes
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{Knowles:2023,\n  title = {Safety of iltamiocel},\n  author = {Knowles, C},\n"
        "  year = {2023}, journal = {Ann Surg}\n}\n"
        "@article{knowles2023safety,\n  title = {Another safety study},\n"
        "  author = {Knowles, C}, year = {2023}, journal = {Gut}\n}\n",
        encoding="utf-8",
    )
    added = library.importing.files([bib], duplicates="keep").added
    keys = library.keys.of(added)
    assert [keys[i] for i in added] == ["Knowles:2023", "knowles2023another"]
    assert bibtex_keys(library.exporting.export(added, "bibtex")) == [
        "Knowles:2023",
        "knowles2023another",
    ]


def test_a_csl_json_items_id_is_kept_as_its_key_and_written_back(library, tmp_path):
    source = tmp_path / "refs.json"
    author = [{"family": "Zhang", "given": "Li"}]
    issued = {"date-parts": [[2021]]}
    items = [
        {"id": "zhang-gut", "title": "Gut microbiota", "author": author, "issued": issued},
        {"id": "ZHANG-GUT", "title": "Obesity", "author": author, "issued": issued},
    ]
    source.write_text(
        json.dumps([{"type": "article-journal", **item} for item in items]), encoding="utf-8"
    )
    added = library.importing.files([source]).added
    assert export_keys(library, added) == {
        "bibtex": ["zhang-gut", "zhang2021obesity"],
        "biblatex": ["zhang-gut", "zhang2021obesity"],
        "csl-json": ["zhang-gut", "zhang2021obesity"],
    }


def test_a_key_set_by_hand_is_in_every_export_and_another_items_key_is_refused(library):
    first, _ = library.items.add(twin())
    second, _ = library.items.add(PAPERS[1])
    changes = library.keys.set(first, "mine")
    assert changes.changed == {first}
    assert not library.keys.set(first, "mine")  # nothing changed: nothing to refresh
    assert export_keys(library, [first])["biblatex"] == ["mine"]
    with pytest.raises(CitationKeyError, match="already item"):
        library.keys.set(second, "MINE")
    assert library.keys.item_with("Mine") == first
    assert library.keys.in_order([second, first, second]) == ["smith2019balloon", "mine"]


def test_regenerating_uses_the_pattern_of_now_and_set_many_undoes_it(library):
    ids = [library.items.add(ref)[0] for ref in PAPERS]
    before = library.keys.of(ids)
    library.keys.set_pattern("pmid[pmid]|[auth:lower][year]")
    new, changes = library.keys.regenerate(ids[:2])
    assert new == {ids[0]: "pmid37144409", ids[1]: "smith2019"}
    assert changes.changed == set(ids[:2])
    assert library.keys.of(ids[2:]) == {i: before[i] for i in ids[2:]}  # the others stay
    library.keys.set_many({i: before[i] for i in ids[:2]})
    assert library.keys.of(ids) == before


def test_an_item_made_empty_gets_its_key_from_its_first_fields(library):
    item_id, _ = library.items.add(Reference())
    other, _ = library.items.add(Reference())
    assert library.keys.of([item_id, other]) == {item_id: "ref", other: "refa"}
    library.items.update(item_id, creators=(Creator("Zhang", "Li"),))
    assert library.keys.of([item_id]) == {item_id: "zhang"}
    library.items.update(item_id, title="Gut microbiota")  # a real key now: it stays
    assert library.keys.of([item_id]) == {item_id: "zhang"}


def test_references_not_from_the_library_still_get_unique_keys_and_never_a_stored_one():
    from refman.formats.bibtex import citation_keys

    read = Reference(title="Safety", creators=(Creator("Smith"),), date=PartialDate(2020))
    twice = read.with_changes(citation_key="dup")  # a file that gave two entries one key
    stored = read.with_changes(id=1, citation_key="smith2020safety")
    assert citation_keys([twice, twice]) == ["dup", "dupa"]
    assert citation_keys([stored, read]) == ["smith2020safety", "smith2020safetya"]
