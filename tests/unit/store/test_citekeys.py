"""refman.store.citekeys: keys made once as items are inserted, unique ignoring case, pinned;
set, swapped and made again only when asked; and the schema step that keys an older library."""

from __future__ import annotations

from contextlib import closing

import pytest

from refman import citekeys as patterns
from refman.citekeys import CitationKeyError
from refman.model import Creator, ItemId, MissingItemError, PartialDate, Reference
from refman.store import citekeys, items, mapping, migrations
from refman.store.connection import Connection


def paper(title: str = "Safety of a cell therapy", family: str = "Knowles", **more) -> Reference:
    return Reference(title=title, creators=(Creator(family, "C"),), date=PartialDate(2023), **more)


def keys(db, ids) -> list[str]:
    found = citekeys.keys_of(db, ids)
    return [found[i] for i in ids]


def test_every_inserted_item_gets_a_key_unique_in_the_library(db):
    ids = items.insert(db, [paper(), paper("Safety again"), paper("Other"), Reference()])
    assert keys(db, ids) == [
        "knowles2023safety",
        "knowles2023asafety",
        "knowles2023other",
        patterns.EMPTY_KEY,
    ]


def test_an_item_keeps_its_key_when_a_twin_arrives_later(db):
    (first,) = items.insert(db, [paper()])
    (second,) = items.insert(db, [paper()])
    (third,) = items.insert(db, [paper()])
    assert keys(db, [first, second, third]) == [
        "knowles2023safety",
        "knowles2023asafety",
        "knowles2023bsafety",
    ]


def test_keys_are_unique_ignoring_case(db):
    (first,) = items.insert(db, [paper(citation_key="Knowles2023Safety")])
    (second,) = items.insert(db, [paper(citation_key="KNOWLES2023SAFETY")])
    # The second brought a key the first has in other case: it gets a made one.
    assert keys(db, [first, second]) == ["Knowles2023Safety", "knowles2023asafety"]
    with pytest.raises(CitationKeyError, match="already item 1's"):
        citekeys.set_key(db, second, "knowles2023SAFETY")


def test_the_key_a_record_brought_is_kept_when_free_and_usable(db):
    own = items.insert(db, [paper(citation_key="Knowles:2023")])
    taken = items.insert(db, [paper(citation_key="knowles:2023")])
    unusable = items.insert(db, [paper("Other", citation_key="has space")])
    assert keys(db, own + taken + unusable) == [
        "Knowles:2023",
        "knowles2023safety",
        "knowles2023other",
    ]


def test_a_made_key_never_takes_a_key_an_earlier_record_brought(db):
    ids = items.insert(db, [paper(citation_key="knowles2023safety"), paper()])
    assert keys(db, ids) == ["knowles2023safety", "knowles2023asafety"]


def test_editing_an_item_leaves_its_key(db):
    (item_id,) = items.insert(db, [paper()])
    items.update(db, item_id, {"title": "Efficacy", "creators": (Creator("Raval"),)})
    assert keys(db, [item_id]) == ["knowles2023safety"]


def test_set_key_refuses_a_bad_key_another_items_key_and_a_missing_item(db):
    first, second = items.insert(db, [paper(), paper("Efficacy")])
    with pytest.raises(CitationKeyError, match="cannot hold a space"):
        citekeys.set_key(db, first, "two words")
    with pytest.raises(CitationKeyError) as refused:
        citekeys.set_key(db, second, "knowles2023safety")
    assert str(refused.value) == (
        "The key 'knowles2023safety' is already item 1's \"Safety of a cell therapy\": keys "
        "are unique in the library (ignoring case, as BibTeX compares them)."
    )
    with pytest.raises(MissingItemError):
        citekeys.set_key(db, ItemId(99), "free")
    assert citekeys.set_key(db, first, "mine") is True
    assert citekeys.set_key(db, first, "mine") is False
    assert keys(db, [first, second]) == ["mine", "knowles2023efficacy"]
    assert citekeys.item_with_key(db, "MINE") == first


def test_two_items_can_swap_keys_at_once(db):
    first, second = items.insert(db, [paper(), paper("Efficacy")])
    citekeys.set_keys(db, {first: "knowles2023efficacy", second: "knowles2023safety"})
    assert keys(db, [first, second]) == ["knowles2023efficacy", "knowles2023safety"]


def test_a_key_goes_with_its_item(db):
    (first,) = items.insert(db, [paper()])
    items.delete(db, [first])
    (second,) = items.insert(db, [paper()])
    assert keys(db, [second]) == ["knowles2023safety"]


def test_the_pattern_is_the_librarys_and_applies_to_keys_made_from_then_on(db):
    (before,) = items.insert(db, [paper(pmid="37144409")])
    assert citekeys.pattern(db) == patterns.DEFAULT_PATTERN
    assert citekeys.set_pattern(db, " " + patterns.PMID_PATTERN) == patterns.PMID_PATTERN
    after = items.insert(db, [paper(pmid="37144410"), paper("No PMID")])
    assert keys(db, [before, *after]) == ["knowles2023safety", "pmid37144410", "knowles2023no"]
    with pytest.raises(CitationKeyError):
        citekeys.set_pattern(db, "[nope]")
    assert citekeys.pattern(db) == patterns.PMID_PATTERN
    assert citekeys.regenerate(db, [(before, paper(pmid="37144409"))]) == {before: "pmid37144409"}


def test_regenerating_a_key_can_give_the_same_key_back(db):
    (item_id,) = items.insert(db, [paper()])
    assert citekeys.regenerate(db, [(item_id, paper())]) == {item_id: "knowles2023safety"}


def test_many_twins_in_one_insert_are_numbered_in_order(db):
    ids = items.insert(db, [paper() for _ in range(30)])
    made = keys(db, ids)
    assert made[:3] == ["knowles2023safety", "knowles2023asafety", "knowles2023bsafety"]
    assert made[26:29] == ["knowles2023zsafety", "knowles2023aasafety", "knowles2023absafety"]
    assert len({k.casefold() for k in made}) == 30


# --- the schema step ----------------------------------------------------------------------------

BIBTEX_RECORD = (("TYPE", "article"), ("ID", "Knowles:Safety:2023"), ("title", "Safety"))
CSL_RECORD = (("item", '{"id": "smith-balloon", "type": "article-journal"}'),)


def test_the_schema_step_gives_an_older_librarys_items_their_keys(path, monkeypatch):
    step = migrations.MIGRATIONS.index(migrations._add_citation_keys)
    with monkeypatch.context() as patch:  # refman as it was: no keys, authors' roles written
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:step])
        patch.setattr(mapping, "stored_role", lambda role: role)
        with closing(Connection(path)) as old, old.writing() as db:
            assert not citekeys._has_keys(db)
            ids = items.insert(
                db,
                [
                    paper(),
                    paper(),
                    paper(source_format="bibtex", source_record=BIBTEX_RECORD),
                    Reference(
                        title="Balloon dilation",
                        creators=(Creator("Smith", role="editor"),),
                        source_format="csl-json",
                        source_record=CSL_RECORD,
                    ),
                    Reference(title="Guidelines", creators=(Creator(literal="WHO"),)),
                ],
            )
    with closing(Connection(path)) as upgraded, upgraded.writing() as db:
        assert migrations.schema_version(db) == migrations.latest_version()
        assert keys(db, ids) == [
            "knowles2023safety",
            "knowles2023asafety",
            "Knowles:Safety:2023",
            "smith-balloon",
            "whoguidelines",
        ]
        # The step made what the store makes for the same items today.
        (new,) = items.insert(db, [paper()])
        assert keys(db, [new]) == ["knowles2023bsafety"]
        assert [r.citation_key for r in items.load(db, ids[:1])] == ["knowles2023safety"]
