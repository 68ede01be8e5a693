"""refman.library.tags: names refused when blank and trimmed of spaces, and the tag list read
whole while another program adds tags."""

import pytest

from refman.library import Library
from refman.model import RefmanError, ViewQuery
from tests.safety_helpers import snapshot
from tests.samples import RESULT2, SEED_FILE


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_a_blank_tag_name_is_refused_and_nothing_changes(library, blank):
    ids = library.importing.files([RESULT2]).added
    library.tags.add(ids, ["to read"])
    before = (snapshot(library.path), library.tags.names())
    refusals = [
        lambda: library.tags.add(ids, ["fine", blank]),
        lambda: library.tags.remove(ids, [blank]),
        lambda: library.tags.rename("to read", blank),
        lambda: library.importing.files([SEED_FILE], tags=["fine", blank]),
        lambda: library.importing.text(SEED_FILE.read_text(encoding="utf-8"), tags=[blank]),
    ]
    for refused in refusals:
        with pytest.raises(RefmanError, match="^A tag needs a name: it cannot be blank.$"):
            refused()
    assert (snapshot(library.path), library.tags.names()) == before


def test_tag_and_collection_names_lose_the_spaces_around_them(library):
    ids = library.importing.files([SEED_FILE], collection="  Reading  ", tags=[" to read "]).added
    assert [c.name for c in library.collections.all()] == ["Reading"]
    library.importing.files([SEED_FILE], collection="Reading")
    assert len(library.collections.all()) == 1
    library.tags.rename("to read", "  later ")
    assert [t.name for t in library.items.get(ids[0]).tags if not t.automatic] == ["later"]


def test_the_tag_list_is_read_whole_while_another_program_adds_tags(
    seed_only_library, commit_between
):
    from refman.store import tags

    with Library(seed_only_library) as library, Library(seed_only_library) as elsewhere:
        ids = library.items.search()
        library.tags.add(ids, ["a", "b", "c"])
        library.tags.remove(ids, ["b"])  # a gap in the tag ids
        library.tags.add(ids, ["d"])  # a new tag: the kept listing is read again
        with Library(seed_only_library, read_only=True) as reader:
            before = reader.tags.names()
        commit_between(tags, "_ranks", lambda: elsewhere.tags.add(ids, ["new"]))
        assert library.tags.names() == before
        assert "new" in library.tags.names()  # the next read sees the commit



def test_the_next_session_lists_the_tags_the_last_one_sorted(library_path, monkeypatch):
    """The tag list's order is kept in the library, not sorted again by each session; a
    library another session changed meanwhile is listed as it is."""
    from refman.model import Reference
    from refman.store import tags

    with Library(library_path) as library:
        item_id, _ = library.items.add(Reference(title="Paper"))
        library.tags.add([item_id], ["beta", "Alpha", "alpha"])
        assert [t.name for t in library.tags.counts()] == ["Alpha", "alpha", "beta"]
    sorted_anew: list[int] = []
    listing = tags._listing
    monkeypatch.setattr(tags, "_listing", lambda *args: sorted_anew.append(1) or listing(*args))
    with Library(library_path) as library:
        assert [t.name for t in library.tags.counts()] == ["Alpha", "alpha", "beta"]
        assert sorted_anew == []
        library.tags.rename("beta", "Aardvark")
    with Library(library_path, read_only=True) as library:
        assert library.tags.names() == ["Aardvark", "Alpha", "alpha"]


def test_a_new_session_lists_the_stored_tags_with_their_counts_kinds_and_colours(
    library_path, monkeypatch
):
    """The listing read from the file (names decoded when shown, tags found by their ids)
    gives the same rows as a sort: manual, coloured, accented tags, a deleted tag's gap in the
    ids, tags only on trashed items hidden; names that hold another are told apart."""
    from refman.model import Reference, Tag
    from refman.store import tags

    automatic = ("Ärzte", "brain", "Brain stem", "stem", "zebrafish", "gone")
    with Library(library_path) as library:
        one, _ = library.items.add(
            Reference(title="One", tags=tuple(Tag(name, "mesh") for name in automatic))
        )
        two, _ = library.items.add(
            Reference(title="Two", tags=(Tag("Brain", "mesh"), Tag("éclair", "keyword")))
        )
        library.tags.add([one], ["to read"])
        library.tags.set_color("zebrafish", "#ff0000")
        library.tags.delete("gone")
        library.items.trash([two])
        expected = {t.name: (t.count, t.automatic, t.color) for t in library.tags.counts()}
    assert expected == {
        "brain": (1, True, ""),
        "Brain stem": (1, True, ""),
        "stem": (1, True, ""),
        "to read": (1, False, ""),
        "zebrafish": (1, True, "#ff0000"),
        "Ärzte": (1, True, ""),
    }
    sorted_anew: list[int] = []
    listing = tags._listing
    monkeypatch.setattr(tags, "_listing", lambda *args: sorted_anew.append(1) or listing(*args))
    with Library(library_path) as library:
        found = library.tags.counts()
        assert sorted_anew == []
        assert [t.name for t in found] == list(expected)
        assert {t.name: (t.count, t.automatic, t.color) for t in found} == expected
        assert [found.find(name) for name in ("stem", "Ärzte", "Brain", "gone", "brain st")] == [
            found[2],
            found[5],
            None,
            None,
            None,
        ]
        assert library.tags.counts(ViewQuery(trashed=True)).find("éclair").count == 1
        library.tags.rename("stem", "Stems")
        assert [t.name for t in library.tags.counts()][2] == "Stems"
