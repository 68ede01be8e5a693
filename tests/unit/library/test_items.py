"""refman.library.items: search by prefix across fields, queries with no words, the trash, and
a listing read in one snapshot while another program deletes."""

import pytest

from refman.library import Library
from refman.model import NoWordsError, Reference, ViewQuery
from tests.samples import REAL_FILES, RESULT2


def test_search_finds_by_prefix_across_fields(library):
    library.importing.files(REAL_FILES)
    assert library.items.search(ViewQuery(text="iltamio"))
    assert library.items.search(ViewQuery(text="knowles 2023")) == library.items.search(
        ViewQuery(text="iltamiocel")
    )
    assert library.items.search(ViewQuery(text="no-such-word-anywhere")) == []


def test_search_text_with_no_words_is_refused_whatever_the_view(library):
    library.importing.files([RESULT2])
    collection, _ = library.collections.create("Reading")
    for view in ({}, {"trashed": True}, {"collection": collection.id}, {"tags": ["x"]}):
        with pytest.raises(NoWordsError, match="^the query '\\?' has no words to search for$"):
            library.items.search(ViewQuery(text="?", **view))
    assert library.items.search(ViewQuery(text="  ")) == library.items.search()


def test_trash_and_restore(library):
    ids = library.importing.files([RESULT2]).added
    library.items.trash(ids[:1])
    assert ids[0] not in library.items.search()
    assert library.items.search(ViewQuery(trashed=True)) == ids[:1]
    library.items.restore(ids[:1])
    assert ids[0] in library.items.search()
    library.items.trash(ids[:1])
    library.items.empty_trash()
    assert library.items.count() == len(ids) - 1


def test_a_listing_finds_every_item_it_searched_while_another_program_deletes(seed_only_library):
    with Library(seed_only_library) as library, Library(seed_only_library) as elsewhere:
        ids = library.items.search()
        listed = library.items.each()
        first = next(listed)  # the listing has begun: its snapshot is taken
        elsewhere.items.trash(ids)
        elsewhere.items.empty_trash()
        assert [first.id] + [ref.id for ref in listed] == ids
        assert library.items.search() == []


def test_items_are_found_by_their_identifiers_as_users_write_them(library):
    (first,) = library.importing.files([RESULT2]).added[:1]
    ref = library.items.get(first)
    book, _ = library.items.add(
        Reference(item_type="book", title="A book", isbn="978-0-19-852663-6")
    )
    found = library.items.with_identifiers("pmid", [ref.pmid, "99999999"])
    assert found == {ref.pmid: first}
    assert library.items.with_identifiers("doi", [f"https://doi.org/{ref.doi.upper()}"]) == {
        f"https://doi.org/{ref.doi.upper()}": first
    }
    assert library.items.with_identifiers("isbn", ["9780198526636"]) == {"9780198526636": book}
    library.items.trash([first])
    assert library.items.with_identifiers("pmid", [ref.pmid]) == {}
