"""refman.query: PubMed's search syntax read into a tree, and what it says about text it cannot
read (where, and what was expected). What the trees find in a library is tested in
tests/unit/library/test_query_search.py."""

from __future__ import annotations

import pytest

from refman.query import (
    And,
    AuthorName,
    DateRange,
    Identifier,
    Not,
    Or,
    QueryError,
    Term,
    author_matches,
    author_name,
    initials,
    parse,
    plain_words,
)


def fields(node) -> list[tuple[str, str]]:
    """(field, text) of every term, left to right."""
    if isinstance(node, Term):
        return [(node.field, node.text)]
    if isinstance(node, And | Or):
        return [pair for part in node.parts for pair in fields(part)]
    if isinstance(node, Not):
        return (fields(node.keep) if node.keep else []) + fields(node.drop)
    return [(type(node).__name__, "")]


# --- what a query means -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [("stroke", ["stroke"]), ("balloon guide", ["balloon", "guide"]), ("bio*", ["bio*"]),
     ("?", ["?"]), ("covid-19 2020", ["covid-19", "2020"]), ('lang"uage', ['lang"uage']),
     ("a AND b", ["a", "b"]), ("(a b)", ["a", "b"])],
)  # fmt: skip
def test_plain_words_are_left_to_the_instant_search(text, words):
    """Words ANDed, however written, are the instant search's (each a prefix)."""
    assert plain_words(parse(text)) == words


@pytest.mark.parametrize(
    "text",
    ["stroke[ti]", '"heart attack"', "a OR b", "a NOT b", "(a OR b) c", "2019:2023[dp]",
     "12230038", "10.1161/STROKEAHA.118.021126", "PMC6216708"],
)  # fmt: skip
def test_anything_else_is_a_query(text):
    assert plain_words(parse(text)) is None


def test_a_query_copied_from_pubmed():
    tree = parse('("stroke"[MeSH Terms] OR thrombectomy[tiab]) AND 2019:2023[dp] NOT review[pt]')
    assert isinstance(tree, Not)
    assert fields(tree) == [
        ("mesh", "stroke"),
        ("tiab", "thrombectomy"),
        ("DateRange", ""),
        ("pubtype", "review"),
    ]
    assert tree.keep.parts[1] == DateRange("2019-00-00", "2023-99-99", 50)


@pytest.mark.parametrize(
    ("tag", "field"),
    [("ti", "title"), ("Title", "title"), ("tiab", "tiab"), ("Title/Abstract", "tiab"),
     ("ab", "abstract"), ("au", "author"), ("Author", "author"), ("1au", "first_author"),
     ("Author - First", "first_author"), ("lastau", "last_author"),
     ("Author - Last", "last_author"), ("ad", "affiliation"), ("Affiliation", "affiliation"),
     ("ta", "journal"), ("journal", "journal"), ("Journal", "journal"), ("mh", "mesh"),
     ("MeSH Terms", "mesh"), ("mh:noexp", "mesh"), ("majr", "major"),
     ("MeSH Major Topic", "major"), ("sh", "subheading"), ("MeSH Subheading", "subheading"),
     ("pt", "pubtype"), ("Publication Type", "pubtype"), ("la", "language"),
     ("Language", "language"), ("All Fields", "all"), ("tw", "all"), ("pmid", "pmid"),
     ("doi", "doi"), ("tag", "tag"), ("note", "note"), ("collection", "collection"),
     ("  MeSH   terms ", "mesh")],
)  # fmt: skip
def test_pubmed_tags_and_their_search_details_names(tag, field):
    assert parse(f'"x y"[{tag}]') == Term("x y", field, quoted=True, position=1, tag=tag)


def test_a_tag_takes_every_word_since_the_last_operator():
    assert parse("Knowles CH[au]") == Term("Knowles CH", "author", position=1, tag="au")
    tree = parse("stroke Knowles CH[au]")  # PubMed: one phrase, tagged
    assert fields(tree) == [("author", "stroke Knowles CH")]
    assert fields(parse("stroke AND Knowles CH[au]")) == [
        ("all", "stroke"),
        ("author", "Knowles CH"),
    ]


def test_operators_run_left_to_right_in_any_case():
    """PubMed gives AND no precedence over OR: a OR b AND c is (a OR b) AND c."""
    tree = parse("a OR b and c")
    assert isinstance(tree, And) and isinstance(tree.parts[0], Or)
    assert parse("a or b") == parse("a OR b")
    assert isinstance(parse("a not b"), Not)
    grouped = parse("a OR (b AND c)")
    assert isinstance(grouped, Or) and isinstance(grouped.parts[1], And)


def test_implicit_and_between_terms_and_groups():
    tree = parse("stroke[ti] (a OR b) 2019[dp]")
    assert isinstance(tree, And) and len(tree.parts) == 3


def test_not_at_the_start_and_after_and():
    assert parse("NOT review[pt]") == Not(None, Term("review", "pubtype", position=5, tag="pt"))
    tree = parse("stroke AND NOT review[pt]")
    assert isinstance(tree, Not)
    assert fields(tree) == fields(parse("stroke NOT review[pt]"))


def test_truncation_and_quoted_phrases():
    assert parse("catheter*[ti]") == Term("catheter", "title", truncated=True, position=1, tag="ti")
    assert parse('"heart att*"') == Term("heart att", "all", True, True, 1, "")


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("2019[dp]", "2019-00-00", "2019-99-99"), ("2019/03[dp]", "2019-03-00", "2019-03-99"),
     ("2019/03/15[dp]", "2019-03-15", "2019-03-15"), ("2019:2023[dp]", "2019-00-00", "2023-99-99"),
     ("2019/01/01:2019/06/30[dp]", "2019-00-00", "2019-06-30"),
     ('"2019/01/01"[Date - Publication] : "2019/06/30"[Date - Publication]', "2019-00-00",
      "2019-06-30"), ("2019-03[pdat]", "2019-03-00", "2019-03-99")],
)  # fmt: skip
def test_publication_dates_and_ranges(text, low, high):
    """Bounds in the store's date_sort form: an item dated 2019 alone is in 2019/01/01:..."""
    tree = parse(text)
    assert (tree.low, tree.high) == (low, high)


@pytest.mark.parametrize(
    ("text", "identifier"),
    [("10.1161/STROKEAHA.118.021126", Identifier("doi", "10.1161/STROKEAHA.118.021126")),
     ("doi:10.1136/x-1", Identifier("doi", "10.1136/x-1")),
     ("https://doi.org/10.1136/x-1", Identifier("doi", "10.1136/x-1")),
     (" PMC6216708 ", Identifier("pmcid", "PMC6216708")),
     ("pmc6216708", Identifier("pmcid", "PMC6216708"))],
)  # fmt: skip
def test_a_bare_identifier(text, identifier):
    assert parse(text) == identifier


def test_a_bare_number_is_a_pmid_or_a_word():
    """2019 is a year as often as a PMID: both are looked for."""
    assert parse("30776994") == Or((Term("30776994"), Identifier("pmid", "30776994")))


# --- authors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [("Charles H", "ch"), ("CH", "ch"), ("Ji-Hoon", "jh"), ("Fred R Jr", "fr"), ("", ""),
     ("Mary-Ann B.", "mab")],
)  # fmt: skip
def test_initials_as_pubmed_writes_them(given, expected):
    assert initials(given) == expected


@pytest.mark.parametrize(
    ("typed", "matches", "misses"),
    [("Knowles CH", ["Charles H", "C H", "Charles Henry Jr"], ["Charles", "Henry C"]),
     ("Knowles C", ["Charles H", "Charles", "CA"], ["Henry"]),
     ("Knowles", ["Charles H", "", "Zoe"], []),
     ('"Knowles C"', ["Charles", "C"], ["Charles H"]),
     ("Knowles, Charles", ["Charles H", "Charles"], ["Carl", "C H"])],
)  # fmt: skip
def test_author_forms_match_as_in_pubmed(typed, matches, misses):
    term = parse(f"{typed}[au]")
    name = author_name(term)
    for given in matches:
        assert author_matches(name, "Knowles", given, ""), given
        assert author_matches(name, "KNOWLES", given, ""), given
    for given in misses:
        assert not author_matches(name, "Knowles", given, ""), given
    assert not author_matches(name, "Knowlesby", "Charles H", "")


def test_accents_and_groups_in_author_names():
    assert author_name(parse("Alcazar P[au]")) == AuthorName("alcazar", "p")
    assert author_matches(author_name(parse("Alcazar P[au]")), "Alcázar", "Pedro", "")
    assert author_matches(author_name(parse("müller[au]")), "Muller", "Zoe", "")
    group = author_name(parse("STRATIS Investigators[au]"))
    assert author_matches(group, "", "", "STRATIS Investigators")
    assert author_matches(author_name(parse("knowl*[au]")), "Knowles", "C", "")


# --- what it says about text it cannot read ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position", "said"),
    [("(stroke", 1, 'the "(" at character 1 is never closed'),
     ("stroke)", 7, '")" at character 7 has no "(" before it'),
     ("AND stroke", 1, "AND at character 1 needs a search term before it"),
     ("stroke OR", 8, "OR at character 8 needs a search term after it"),
     ("a OR AND b", 6, "AND at character 6 follows OR"),
     ('stroke "heart', 8, "the quote at character 8 is never closed"),
     ("stroke[ti", 7, "the field tag at character 7 has no closing ]"),
     ("stroke]", 7, '"]" at character 7 closes no field tag'),
     ("stroke[xyz]", 7, "[xyz] at character 7 is not a field refman knows; use one of [ti]"),
     ("[ti]", 1, "the field tag [ti] at character 1 has no search term before it"),
     ("(a OR b)[ti]", 9, "the field tag [ti] at character 9 follows parentheses"),
     ("a AND ()", 7, "the parentheses at character 7 hold nothing"),
     ("20x9[dp]", 1, '"20x9" at character 1 is not a date'),
     ("2019/13[dp]", 1, "has no such month or day"),
     ("2023:2019[dp]", 1, "the dates at character 1 run backwards"),
     ('"2019"[dp] : stroke[ti]', 14, "the date at character 14 needs [dp] after it"),
     ("stroke : x", 8, '":" at character 8 must stand between two dates'),
     ("*[ti]", 1, '"*" before [ti] at character 1 has no word to search for')],
)  # fmt: skip
def test_bad_syntax_says_where_and_what_was_expected(text, position, said):
    with pytest.raises(QueryError) as raised:
        parse(text)
    assert raised.value.position == position
    assert said in raised.value.detail
    assert str(raised.value).startswith(f"the query '{text}' cannot be read: ")
    assert raised.value.shown.startswith("Search not understood: ")


def test_pdf_is_a_field_of_its_own():
    tree = parse("stroke AND thrombectomy[pdf]")
    assert tree.parts[1].field == "pdf" and tree.parts[1].text == "thrombectomy"


def test_blank_text_is_no_query():
    assert parse("") is None
    assert parse("  \t") is None
