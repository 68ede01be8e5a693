"""refman.store.search: search text, view filters (collection, unfiled, tags, trash), every
sort order, and the sorted views kept between searches."""

import dataclasses
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refman.model import EDITOR, Creator, NoWordsError, PartialDate, Reference, Tag, ViewQuery
from refman.query import QueryError
from refman.store import collection_tree, items, notes, querying, search


def found(db, text="", *, sort="title", descending=False, orders=None, **place) -> list[int]:
    """The ids ``search_ids`` finds for the view of this text and place (ViewQuery's fields)."""
    view = ViewQuery(text, **place)
    return search.search_ids(db, view, sort=sort, descending=descending, orders=orders)


@pytest.fixture(params=["few", "kept", "kept unplaced", "many", "mixed", "placed"])
def both_plans(request, monkeypatch):
    """Run a test with every way of sorting text matches.

    few: looked up by id and sorted in SQL. kept: sorted by the view's order kept from a search
    without text. kept unplaced: the same, in a view too large to keep its ids' places
    (search.PLACES_UP_TO): sorted in SQL. many: the view's sorted ids filtered by masks of the
    matches. mixed: the same, with words matching one item kept as sets and the others as
    masks. placed: a set of matches, their places in the view's sorted ids sorted.
    """
    if request.param == "placed":
        monkeypatch.setattr(search, "FEW_MATCHES", 0)
        monkeypatch.setattr(search, "SORT_UP_TO_SHARE", 1)
    if request.param == "kept unplaced":
        monkeypatch.setattr(search, "PLACES_UP_TO", 0)
    if request.param.startswith("kept"):
        search_ids = search.search_ids

        def view_first(db, view, *, orders=None, **kwargs):
            orders = search.ViewOrders() if orders is None else orders
            search_ids(db, dataclasses.replace(view, text=""), orders=orders, **kwargs)  # kept
            return search_ids(db, view, orders=orders, **kwargs)

        monkeypatch.setattr(search, "search_ids", view_first)
    if request.param in ("many", "mixed"):
        monkeypatch.setattr(search, "FEW_MATCHES", 0)
        monkeypatch.setattr(querying, "MASK_FROM", 0 if request.param == "many" else 1)
    return request.param


def add(db, **fields) -> int:
    return items.insert(db, [Reference(**fields)])[0]


# --- text -------------------------------------------------------------------------------------


def test_words_match_as_prefixes_and_all_must_match(db, both_plans):
    brain = add(db, title="Brain enzymology in mice", date=PartialDate(2021))
    liver = add(db, title="Liver enzymes in mice", date=PartialDate(2023))
    assert found(db, "enzym") == [brain, liver]
    assert found(db, "enzym mic") == [brain, liver]
    assert found(db, "enzym brain") == [brain]
    assert found(db, "ENZYM 2023") == [liver]
    assert found(db, "enzymx") == []


def test_text_searches_every_indexed_field(db, both_plans):
    item_id = add(
        db,
        title="Title words",
        abstract="Abstract mentions zebrafish",
        container_title="Annals of Surgery",
        container_title_short="Ann Surg",
        date=PartialDate(1987),
        creators=(Creator("Knowles", "Charles"), Creator(literal="FIT Study Group")),
        tags=(Tag("Fecal Incontinence", "mesh"), Tag("to read")),
    )
    add(db, title="Unrelated")
    for text in ["zebrafish", "annals", "ann surg", "1987", "knowles", "charles", "study group"]:
        assert found(db, text) == [item_id], text
    for text in ["incontinence", "to read"]:
        assert found(db, text) == [item_id], text
    notes.add(db, item_id, "<p>Ask <b>Dr&nbsp;Raval</b> about &quot;organoids&quot;</p>")
    assert found(db, "organoid raval") == [item_id]
    assert found(db, "nbsp") == []  # markup and entities are not words


def test_accents_are_ignored_both_ways(db, both_plans):
    muller = add(db, title="Illusions", creators=(Creator("Müller", "Zoë"),))
    muller_plain = add(db, title="Illusions again", creators=(Creator("Muller", "Zoe"),))
    assert set(found(db, "muller")) == {muller, muller_plain}
    assert set(found(db, "Müller zoë")) == {muller, muller_plain}
    assert set(found(db, "MÜLL")) == {muller, muller_plain}


@pytest.mark.parametrize(
    ("text", "matches"),
    [('"brain', None), ("brain*", True), ("-brain", True), ("(brain", None), ("brain)", None),
     ("brain:", True), ("^brain", True), ("{brain}", True), ("NEAR(brain)", True),
     ("title:brain", False), ("AND", None), ("OR brain", None), ("NOT", None),
     ("brain AND", None), ("brain -mice", False), ("? brain *", True), ("brain[", None),
     ("brain]", None), ("brain[ti", None), ("brain[xx]", None)],
)  # fmt: skip
def test_characters_special_to_fts5_never_raise(db, text, matches):
    """Punctuation is plain text; marks beside a word are left out with the word kept. What the
    query language reads as syntax (quotes, parentheses, operators, field tags) is either right
    or a QueryError that says where: never FTS5's own error."""
    item_id = add(db, title="Brain (and) NOT OR AND near")
    if matches is None:
        with pytest.raises(QueryError, match="at character [0-9]+") as raised:
            found(db, text)
        assert raised.value.position is not None
    else:
        assert found(db, text) == ([item_id] if matches else [])


@pytest.mark.parametrize(
    "text",
    ["*", "-", "'", "+", "\\", "%", "_", "?", "^", "\U0001f600", "\x00", "? *", " ? "],
)  # fmt: skip
def test_text_with_no_words_finds_nothing_and_says_so(db, text):
    """No letter or digit: never every item (``tag remove keep --query '?'`` untagged all)."""
    add(db, title="Brain (and) NOT OR AND near")
    with pytest.raises(NoWordsError, match="has no words to search for") as raised:
        found(db, text)
    assert raised.value.text == text


@pytest.mark.parametrize("text", ['"', "(", ")", "? * (", "[", '""', "()"])
def test_syntax_with_no_words_says_what_is_wrong(db, text):
    """Quotes, parentheses and tags with nothing in them: a QueryError, never every item."""
    add(db, title="Brain (and) NOT OR AND near")
    with pytest.raises(QueryError):
        found(db, text)


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_blank_text_narrows_nothing(db, text):
    item_id = add(db, title="Brain")
    assert found(db, text) == [item_id]


def test_a_stray_index_row_for_a_missing_item_finds_nothing(db, both_plans):
    item_id = add(db, title="Real paper")
    db.execute_sql("INSERT INTO item_fts (rowid, title) VALUES (999, 'ghost paper')")
    assert found(db, "paper") == [item_id]
    assert found(db, "ghost") == []
    assert found(db, "ghost paper") == []


def test_quotes_and_stars_inside_words_are_plain_text(db):
    item_id = add(db, title='The "C++" language and the *star* notation')
    assert found(db, '"c++"') == [item_id]
    assert found(db, "*star*") == [item_id]
    assert found(db, 'lang"uage') == []


def test_any_text_is_a_valid_search(db):
    item_id = add(db, title="Anything (at) all: ÄÖÜ ß 東京")

    @settings(max_examples=200, deadline=None)
    @given(text=st.text(st.characters(exclude_categories=()), max_size=30))
    def search_does_not_raise(text):
        """Any text finds this item or nothing, or is refused with a message: text with no
        letter or digit (and not blank), as the search has no word to look for, and text the
        query language cannot read (an unclosed quote, a stray parenthesis) with where."""
        try:
            result = found(db, text)
        except QueryError as exc:
            assert "at character" in str(exc) or "nothing to search" in str(exc)
            return
        except NoWordsError:
            assert text.strip() and not any(char.isalnum() for char in text)
            return
        assert text.strip() == "" or any(char.isalnum() for char in text)
        assert result in ([], [item_id])

    search_does_not_raise()


# --- filters ----------------------------------------------------------------------------------


def test_collection_lists_direct_members_only(db, both_plans):
    top = collection_tree.create(db, "Top", None)
    sub = collection_tree.create(db, "Sub", top.id)
    in_top, in_sub, loose = (add(db, title=f"Paper {n}") for n in "abc")
    collection_tree.add_items(db, [in_top], top.id)
    collection_tree.add_items(db, [in_sub], sub.id)
    assert found(db, collection=top.id) == [in_top]
    assert found(db, collection=sub.id) == [in_sub]
    assert found(db, unfiled=True) == [loose]
    assert found(db, "paper", collection=top.id) == [in_top]
    assert found(db, "paper", unfiled=True) == [loose]


def test_tags_filter_needs_every_tag(db, both_plans):
    both = add(db, title="Paper both", tags=(Tag("a"), Tag("Brain", "mesh")))
    only_a = add(db, title="Paper only a", tags=(Tag("a"),))
    add(db, title="Paper none")
    assert found(db, tags=["a"]) == [both, only_a]
    assert found(db, tags=["a", "Brain"]) == [both]
    assert found(db, "paper", tags=["Brain"]) == [both]
    assert found(db, tags=["brain"]) == []  # tag names are exact
    assert found(db, tags=["no such tag"]) == []


def test_trash_is_its_own_view(db, both_plans):
    kept, trashed = add(db, title="Paper kept"), add(db, title="Paper trashed")
    items.set_trashed(db, [trashed], True)
    assert found(db) == [kept]
    assert found(db, "paper") == [kept]
    assert found(db, trashed=True) == [trashed]
    assert found(db, "paper", trashed=True) == [trashed]


# --- sorting ----------------------------------------------------------------------------------


@pytest.fixture
def sortable(db):
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
    return items.insert(db, refs)


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
def test_every_sort_key_orders_both_ways(db, sortable, key, order):
    names = dict(zip("zbm", sortable, strict=True))  # zebrafish, ägypten (b), mice
    expected = [names[letter] for letter in order]
    assert found(db, sort=key) == expected
    assert found(db, sort=key, descending=True) == expected[::-1]


def test_ties_keep_the_order_items_were_added(db, both_plans):
    ids = [add(db, title="Same title") for _ in range(4)]
    assert found(db, sort="title") == ids
    assert found(db, "same", sort="title") == ids
    assert found(db, "same", sort="title", descending=True) == ids[::-1]


def test_sorted_search_with_text(db, sortable, both_plans):
    zebrafish, agypten, mice = sortable
    assert found(db, "2021", sort="pmid") == [zebrafish, agypten]
    assert found(db, "a", sort="pmid") == [mice, zebrafish, agypten]
    assert found(db, "a", sort="title", descending=True) == [zebrafish, mice, agypten]


def test_every_plan_gives_the_same_order(db, monkeypatch):
    words = ["alpha", "beta", "gamma", "delta"]
    for n in range(40):
        title = " ".join(w for k, w in enumerate(words) if n % (k + 2) == 0) + f" item {n % 7}"
        add(db, title=title, date=PartialDate(2000 + n % 5))
    queries = ["alpha", "beta gamma", "item 3", "20", "a", "delta alpha beta", "zeta"]
    expected = {(q, d): found(db, q, sort="year", descending=d) for q in queries
                for d in (False, True)}  # fmt: skip
    orders = search.ViewOrders()
    found(db, sort="year", orders=orders)
    found(db, sort="year", descending=True, orders=orders)  # both kept: few matches use them
    kept = {
        key: found(db, key[0], sort="year", descending=key[1], orders=orders) for key in expected
    }
    assert kept == expected
    for mask_from in (0, 1, 3):
        monkeypatch.setattr(search, "FEW_MATCHES", 0)
        monkeypatch.setattr(querying, "MASK_FROM", mask_from)
        masked = {
            key: found(db, key[0], sort="year", descending=key[1], orders=orders)
            for key in expected
        }
        assert masked == expected, mask_from


def test_unknown_sort_key_is_refused(db):
    with pytest.raises(ValueError, match="sort"):
        found(db, sort="colour")


# --- kept view orders ------------------------------------------------------------------------


@pytest.fixture
def many_plan(monkeypatch):
    """Text matches filter the view's kept order, however few they are."""
    monkeypatch.setattr(search, "FEW_MATCHES", 0)


def searched(connection, text="") -> list[int]:
    """A view searched as the window searches it: in one snapshot, with the sorted views the
    connection keeps while the library stays as it was."""
    with connection.reading() as db:
        return found(db, text, orders=connection.view_orders())


def test_searches_follow_edits_made_after_the_view_was_kept(connection, many_plan):
    with connection.writing() as db:
        b, c = add(db, title="Paper b"), add(db, title="Paper c")
    assert searched(connection, "paper") == [b, c]
    with connection.writing() as db:
        items.update(db, b, {"title": "Paper d"})
    assert searched(connection, "paper") == [c, b]
    with connection.writing() as db:
        a = add(db, title="Paper a")
    assert searched(connection, "paper") == [a, c, b]
    assert searched(connection) == [a, c, b]
    with connection.writing() as db:
        items.set_trashed(db, [c], True)
    assert searched(connection, "paper") == [a, b]
    with connection.writing() as db:
        items.delete(db, [a])
    assert searched(connection) == [b]


def test_searches_follow_changes_made_by_another_program(connection, other, many_plan):
    with connection.writing() as db:
        b = add(db, title="Paper b")
    assert searched(connection, "paper") == [b]
    with other.writing() as db:
        a = add(db, title="Paper a")
    assert searched(connection, "paper") == [a, b]
    with other.writing() as db:
        items.update(db, a, {"title": "Paper c"})
    assert searched(connection, "paper") == [b, a]
    with other.writing() as db:
        items.set_trashed(db, [b], True)
    assert searched(connection) == [a]


def test_a_search_inside_a_transaction_that_is_rolled_back_is_not_kept(connection, many_plan):
    with connection.writing() as db:
        kept = add(db, title="Paper kept")
    assert searched(connection, "paper") == [kept]
    with pytest.raises(RuntimeError), connection.writing() as db:
        gone = add(db, title="Paper gone")
        assert searched(connection, "paper") == [gone, kept]
        raise RuntimeError("cancelled")
    assert searched(connection, "paper") == [kept]
