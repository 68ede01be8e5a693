"""Search text, view filters (collection, unfiled, tags, trash) and every sort order."""

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refman.model import EDITOR, Creator, NoWordsError, PartialDate, Reference, Tag
from refman.store import Store, search


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "library.sqlite")
    yield store
    store.close()


@pytest.fixture(params=["few", "kept", "many", "mixed"])
def both_plans(request, monkeypatch):
    """Run a test with every way of sorting text matches.

    few: looked up by id and sorted in SQL. kept: sorted by the view's order kept from a search
    without text. many: the view's sorted ids filtered by masks of the matches. mixed: the same,
    with words matching one item kept as sets and the others as masks.
    """
    if request.param == "kept":
        search_ids = search.search_ids

        def view_first(db, text, **kwargs):
            search_ids(db, "", **kwargs)  # keeps the view's order
            return search_ids(db, text, **kwargs)

        monkeypatch.setattr(search, "search_ids", view_first)
    if request.param in ("many", "mixed"):
        monkeypatch.setattr(search, "FEW_MATCHES", 0)
        monkeypatch.setattr(search, "MASK_FROM", 0 if request.param == "many" else 1)
    return request.param


def add(store, **fields) -> int:
    return store.add_reference(Reference(**fields))


# --- text -------------------------------------------------------------------------------------


def test_words_match_as_prefixes_and_all_must_match(store, both_plans):
    brain = add(store, title="Brain enzymology in mice", date=PartialDate(2021))
    liver = add(store, title="Liver enzymes in mice", date=PartialDate(2023))
    assert store.search_ids("enzym") == [brain, liver]
    assert store.search_ids("enzym mic") == [brain, liver]
    assert store.search_ids("enzym brain") == [brain]
    assert store.search_ids("ENZYM 2023") == [liver]
    assert store.search_ids("enzymx") == []


def test_text_searches_every_indexed_field(store, both_plans):
    item_id = add(
        store,
        title="Title words",
        abstract="Abstract mentions zebrafish",
        container_title="Annals of Surgery",
        container_title_short="Ann Surg",
        date=PartialDate(1987),
        creators=(Creator("Knowles", "Charles"), Creator(literal="FIT Study Group")),
        tags=(Tag("Fecal Incontinence", "mesh"), Tag("to read")),
    )
    add(store, title="Unrelated")
    for text in ["zebrafish", "annals", "ann surg", "1987", "knowles", "charles", "study group"]:
        assert store.search_ids(text) == [item_id], text
    for text in ["incontinence", "to read"]:
        assert store.search_ids(text) == [item_id], text
    store.add_note(item_id, "<p>Ask <b>Dr&nbsp;Raval</b> about &quot;organoids&quot;</p>")
    assert store.search_ids("organoid raval") == [item_id]
    assert store.search_ids("nbsp") == []  # markup and entities are not words


def test_accents_are_ignored_both_ways(store, both_plans):
    muller = add(store, title="Illusions", creators=(Creator("Müller", "Zoë"),))
    muller_plain = add(store, title="Illusions again", creators=(Creator("Muller", "Zoe"),))
    assert set(store.search_ids("muller")) == {muller, muller_plain}
    assert set(store.search_ids("Müller zoë")) == {muller, muller_plain}
    assert set(store.search_ids("MÜLL")) == {muller, muller_plain}


@pytest.mark.parametrize(
    ("text", "matches"),
    [('"brain', True), ("brain*", True), ("-brain", True), ("(brain", True), ("brain)", True),
     ("brain:", True), ("^brain", True), ("{brain}", True), ("NEAR(brain)", False),
     ("title:brain", False), ("AND", True), ("OR brain", True), ("NOT", True),
     ("brain AND", True), ("brain -mice", False), ("? brain *", True)],
)  # fmt: skip
def test_characters_special_to_fts5_never_raise(store, text, matches):
    """Punctuation is plain text; marks beside a word are left out with the word kept."""
    item_id = add(store, title="Brain (and) NOT OR AND near")
    assert store.search_ids(text) == ([item_id] if matches else [])


@pytest.mark.parametrize(
    "text",
    ['"', "*", "-", "(", ")", "'", "+", "\\", "%", "_", "?", "^", "\U0001f600", "\x00",
     "? * (", " ? "],
)  # fmt: skip
def test_text_with_no_words_finds_nothing_and_says_so(store, text):
    """No letter or digit: never every item (``tag remove keep --query '?'`` untagged all)."""
    add(store, title="Brain (and) NOT OR AND near")
    with pytest.raises(NoWordsError, match="has no words to search for") as raised:
        store.search_ids(text)
    assert raised.value.text == text


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_blank_text_narrows_nothing(store, text):
    item_id = add(store, title="Brain")
    assert store.search_ids(text) == [item_id]


def test_a_stray_index_row_for_a_missing_item_finds_nothing(store, both_plans):
    item_id = add(store, title="Real paper")
    store._db.execute_sql("INSERT INTO item_fts (rowid, title) VALUES (999, 'ghost paper')")
    assert store.search_ids("paper") == [item_id]
    assert store.search_ids("ghost") == []
    assert store.search_ids("ghost paper") == []


def test_quotes_and_stars_inside_words_are_plain_text(store):
    item_id = add(store, title='The "C++" language and the *star* notation')
    assert store.search_ids('"c++"') == [item_id]
    assert store.search_ids("*star*") == [item_id]
    assert store.search_ids('lang"uage') == []


def test_any_text_is_a_valid_search(store):
    item_id = add(store, title="Anything (at) all: ÄÖÜ ß 東京")

    @settings(max_examples=200, deadline=None)
    @given(text=st.text(st.characters(exclude_categories=()), max_size=30))
    def search_does_not_raise(text):
        """Any text finds this item or nothing; text with no letter or digit (and not blank)
        is refused, as the search has no word to look for."""
        if text.strip() and not any(char.isalnum() for char in text):
            with pytest.raises(NoWordsError):
                store.search_ids(text)
        else:
            assert store.search_ids(text) in ([], [item_id])

    search_does_not_raise()


# --- filters ----------------------------------------------------------------------------------


def test_collection_lists_direct_members_only(store, both_plans):
    top = store.create_collection("Top")
    sub = store.create_collection("Sub", top.id)
    in_top, in_sub, loose = (add(store, title=f"Paper {n}") for n in "abc")
    store.add_to_collection([in_top], top.id)
    store.add_to_collection([in_sub], sub.id)
    assert store.search_ids(collection=top.id) == [in_top]
    assert store.search_ids(collection=sub.id) == [in_sub]
    assert store.search_ids(unfiled=True) == [loose]
    assert store.search_ids("paper", collection=top.id) == [in_top]
    assert store.search_ids("paper", unfiled=True) == [loose]


def test_tags_filter_needs_every_tag(store, both_plans):
    both = add(store, title="Paper both", tags=(Tag("a"), Tag("Brain", "mesh")))
    only_a = add(store, title="Paper only a", tags=(Tag("a"),))
    add(store, title="Paper none")
    assert store.search_ids(tags=["a"]) == [both, only_a]
    assert store.search_ids(tags=["a", "Brain"]) == [both]
    assert store.search_ids("paper", tags=["Brain"]) == [both]
    assert store.search_ids(tags=["brain"]) == []  # tag names are exact
    assert store.search_ids(tags=["no such tag"]) == []


def test_trash_is_its_own_view(store, both_plans):
    kept, trashed = add(store, title="Paper kept"), add(store, title="Paper trashed")
    store.set_trashed([trashed], True)
    assert store.search_ids() == [kept]
    assert store.search_ids("paper") == [kept]
    assert store.search_ids(trashed=True) == [trashed]
    assert store.search_ids("paper", trashed=True) == [trashed]


# --- sorting ----------------------------------------------------------------------------------


@pytest.fixture
def sortable(store):
    """Three items whose order differs for every sort key."""
    times = [datetime(2024, 1, day, tzinfo=UTC) for day in (3, 1, 2)]
    refs = [
        Reference(
            item_type="book",
            title="[Zebrafish models].",
            container_title="Annals",
            date=PartialDate(2021, 5),
            doi="10.1/B",
            pmid="900",
            volume="10",
            pages="S10-S12",
            creators=(Creator("Zeller", "A"),),
            date_added=times[0],
            date_modified=times[1],
        ),
        Reference(
            item_type="article-journal",
            title="Ägypten studies",
            container_title="Zoology",
            date=PartialDate(2021, 12),
            doi="10.1/c",
            pmid="1000",
            volume="9",
            pages="S9",
            creators=(Creator("Editor", role=EDITOR),),
            date_added=times[1],
            date_modified=times[2],
        ),
        Reference(
            item_type="chapter",
            title="mice and men",
            container_title="",
            container_title_short="Biol J",
            date=PartialDate(1999),
            doi="10.1/a",
            pmid="99",
            volume="100",
            pages="1-5",
            creators=(Creator(literal="Alpha Group"), Creator("Zorro")),
            date_added=times[2],
            date_modified=times[0],
        ),
    ]
    return store.add_references(refs)


@pytest.mark.parametrize(
    ("key", "order"),
    [
        ("title", "bmz"),  # brackets and accents ignored: "agypten" < "mice" < "zebrafish"
        ("creators", "mbz"),  # "alpha group" < "editor" < "zeller"
        ("year", "mzb"),  # 1999 < 2021-05 < 2021-12
        ("journal", "zmb"),  # "annals" < "biol j" < "zoology"
        ("date_added", "bmz"),
        ("date_modified", "zbm"),
        ("item_type", "bzm"),  # article-journal < book < chapter
        ("doi", "mzb"),  # case-insensitive
        ("pmid", "mzb"),  # 99 < 900 < 1000: numbers by value
        ("volume", "bzm"),  # 9 < 10 < 100
        ("pages", "mbz"),  # "1-5" < "S9" < "S10-S12"
    ],
)
def test_every_sort_key_orders_both_ways(store, sortable, key, order):
    names = dict(zip("zbm", sortable, strict=True))  # zebrafish, ägypten (b), mice
    expected = [names[letter] for letter in order]
    assert store.search_ids(sort=key) == expected
    assert store.search_ids(sort=key, descending=True) == expected[::-1]


def test_ties_keep_the_order_items_were_added(store, both_plans):
    ids = [add(store, title="Same title") for _ in range(4)]
    assert store.search_ids(sort="title") == ids
    assert store.search_ids("same", sort="title") == ids
    assert store.search_ids("same", sort="title", descending=True) == ids[::-1]


def test_sorted_search_with_text(store, sortable, both_plans):
    zebrafish, agypten, mice = sortable
    assert store.search_ids("2021", sort="pmid") == [zebrafish, agypten]
    assert store.search_ids("a", sort="pmid") == [mice, zebrafish, agypten]
    assert store.search_ids("a", sort="title", descending=True) == [zebrafish, mice, agypten]


# --- kept view orders ------------------------------------------------------------------------


@pytest.fixture
def many_plan(monkeypatch):
    """Text matches filter the view's kept order, however few they are."""
    monkeypatch.setattr(search, "FEW_MATCHES", 0)


def test_searches_follow_edits_made_after_the_view_was_kept(store, many_plan):
    b, c = add(store, title="Paper b"), add(store, title="Paper c")
    assert store.search_ids("paper") == [b, c]
    store.update_fields(b, {"title": "Paper d"})
    assert store.search_ids("paper") == [c, b]
    a = add(store, title="Paper a")
    assert store.search_ids("paper") == [a, c, b]
    assert store.search_ids() == [a, c, b]
    store.set_trashed([c], True)
    assert store.search_ids("paper") == [a, b]
    store.delete_items([a])
    assert store.search_ids() == [b]


def test_searches_follow_changes_made_by_another_program(tmp_path, many_plan):
    path = tmp_path / "library.sqlite"
    window, other = Store(path), Store(path)
    b = window.add_reference(Reference(title="Paper b"))
    assert window.search_ids("paper") == [b]
    a = other.add_reference(Reference(title="Paper a"))
    assert window.search_ids("paper") == [a, b]
    other.update_fields(a, {"title": "Paper c"})
    assert window.search_ids("paper") == [b, a]
    other.set_trashed([b], True)
    assert window.search_ids() == [a]
    window.close()
    other.close()


def test_a_search_inside_a_transaction_that_is_rolled_back_is_not_kept(store, many_plan):
    kept = add(store, title="Paper kept")
    assert store.search_ids("paper") == [kept]
    with pytest.raises(RuntimeError), store.transaction():
        gone = add(store, title="Paper gone")
        assert store.search_ids("paper") == [gone, kept]
        raise RuntimeError("cancelled")
    assert store.search_ids("paper") == [kept]


def test_every_plan_gives_the_same_order(store, monkeypatch):
    words = ["alpha", "beta", "gamma", "delta"]
    for n in range(40):
        title = " ".join(w for k, w in enumerate(words) if n % (k + 2) == 0) + f" item {n % 7}"
        add(store, title=title, date=PartialDate(2000 + n % 5))
    queries = ["alpha", "beta gamma", "item 3", "20", "a", "delta alpha beta", "zeta"]
    expected = {(q, d): store.search_ids(q, sort="year", descending=d) for q in queries
                for d in (False, True)}  # fmt: skip
    store.search_ids(sort="year")
    store.search_ids(sort="year", descending=True)  # both orders kept: few matches use them
    assert {key: store.search_ids(key[0], sort="year", descending=key[1]) for key in expected} == (
        expected
    )
    for mask_from in (0, 1, 3):
        monkeypatch.setattr(search, "FEW_MATCHES", 0)
        monkeypatch.setattr(search, "MASK_FROM", mask_from)
        found = {key: store.search_ids(key[0], sort="year", descending=key[1]) for key in expected}
        assert found == expected, mask_from


def test_unknown_sort_key_is_refused(store):
    with pytest.raises(ValueError, match="sort"):
        store.search_ids(sort="colour")
