"""refman.citekeys: the key pattern language, what a key may hold, and citing by key."""

from __future__ import annotations

import pytest

from refman import citekeys
from refman.citekeys import CitationKeyError, KeyPattern
from refman.model import Creator, PartialDate, Reference

KNOWLES = Reference(
    title="Safety and Efficacy of Iltamiocel Cellular Therapy for Fecal Incontinence",
    creators=(
        Creator("Knowles", "Charles H"),
        Creator("Canestrari", "Emanuele"),
        Creator("Raval", "Manoj J"),
    ),
    container_title="Annals of surgery",
    container_title_short="Ann Surg",
    date=PartialDate(2023, 12, 1),
    pages="1121-1128",
    pmid="37144409",
)


def key(pattern: str, ref: Reference = KNOWLES) -> str:
    return KeyPattern(pattern).make(ref).plain


def test_the_default_pattern_gives_better_bibtex_keys():
    assert key(citekeys.DEFAULT_PATTERN) == "knowles2023safety"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("[auth]", "Knowles"),
        ("[auth:upper]", "KNOWLES"),
        ("[authors2]", "KnowlesCanestrariEtAl"),
        ("[authors3]", "KnowlesCanestrariRaval"),
        ("[year]", "2023"),
        ("[veryshorttitle]", "Safety"),
        ("[shorttitle]", "SafetyEfficacyIltamiocel"),
        ("[firstpage]", "1121"),
        ("[pmid]", "37144409"),
        ("[journal]", "AnnSurg"),
        ("pmid[pmid]", "pmid37144409"),
        ("[auth:lower]_[year]:[veryshorttitle:lower]", "knowles_2023:safety"),
    ],
)
def test_each_part_of_the_pattern(pattern, expected):
    assert key(pattern) == expected


def test_names_and_title_words_are_folded_to_ascii_and_stop_words_skipped():
    ref = Reference(
        title="The 2 øresund crossings: a study",
        creators=(Creator("Ødegaard-Müller", "Å"),),
        date=PartialDate(1999),
    )
    assert key(citekeys.DEFAULT_PATTERN, ref) == "odegaardmuller1999oresund"


def test_an_item_without_authors_takes_its_first_editor_and_one_without_anything_a_stand_in():
    book = Reference(title="GeneReviews", creators=(Creator("Adam", role="editor"),))
    assert key("[auth:lower][veryshorttitle:lower]", book) == "adamgenereviews"
    assert key(citekeys.DEFAULT_PATTERN, Reference()) == citekeys.EMPTY_KEY


def test_the_first_alternative_whose_parts_all_give_something_is_used():
    no_pmid = KNOWLES.with_changes(pmid="")
    assert key(citekeys.PMID_PATTERN) == "pmid37144409"
    assert key(citekeys.PMID_PATTERN, no_pmid) == "knowles2023safety"
    assert key("[pmid]|[firstpage]", no_pmid.with_changes(pages="")) == citekeys.EMPTY_KEY


def test_a_clash_is_told_apart_right_after_the_year_or_at_the_end_without_one():
    made = KeyPattern(citekeys.DEFAULT_PATTERN).make(KNOWLES)
    candidates = made.candidates()
    assert [next(candidates) for _ in range(3)] == [
        "knowles2023safety",
        "knowles2023asafety",
        "knowles2023bsafety",
    ]
    no_year = KeyPattern("[auth:lower][veryshorttitle:lower]").make(KNOWLES).candidates()
    assert [next(no_year) for _ in range(2)] == ["knowlessafety", "knowlessafetya"]
    many = KeyPattern("[auth]").make(KNOWLES).candidates()
    assert [next(many) for _ in range(28)][-2:] == ["Knowlesz", "Knowlesaa"]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "The key pattern is empty"),
        ("   ", "The key pattern is empty"),
        ("[author]", "unknown part [author]"),
        ("[auth:title]", "unknown modifier :title in [auth:title]"),
        ("[auth", "'[' that is not closed"),
        ("auth]", "']' without its '['"),
        ("[auth] [year]", "cannot hold a space"),
        ("[auth],[year]", "cannot hold ','"),
        ("smith", "needs a part in brackets"),
        ("[auth]||[year]", "empty alternative (alternative 2)"),
        ("[pmid]|[bogus]", "unknown part [bogus] (alternative 2)"),
    ],
)
def test_a_bad_pattern_is_refused_in_plain_words(pattern, message):
    with pytest.raises(CitationKeyError) as refused:
        KeyPattern(pattern)
    assert message in str(refused.value)
    assert citekeys.check_pattern(pattern) == str(refused.value)


def test_an_unknown_part_names_the_parts_there_are():
    problem = citekeys.check_pattern("[title]")
    assert problem is not None
    assert all(f"[{part}]" in problem for part in citekeys.PARTS)
    assert citekeys.check_pattern(citekeys.DEFAULT_PATTERN) is None


@pytest.mark.parametrize(
    "bad", ["", "two words", "a,b", "a{b", "a}b", "50%", "a#b", "x@y", "a;b", "[a]", "a\\b", "é\n"]
)
def test_keys_that_break_bibtex_latex_or_pandoc_are_refused(bad):
    assert citekeys.key_problem(bad) is not None


@pytest.mark.parametrize(
    "good", ["knowles2023safety", "Smith:2020.a", "pmid-1_2/3+4", "Ødegaard99"]
)
def test_keys_that_tools_read_are_taken(good):
    assert citekeys.key_problem(good) is None


def test_a_key_is_at_most_100_characters_and_a_made_one_stays_under():
    assert citekeys.key_problem("k" * 101) is not None
    long_title = Reference(title="Pneumonoultramicroscopicsilicovolcanoconiosis " * 5)
    made = KeyPattern("[shorttitle][shorttitle][shorttitle]").make(long_title)
    assert len(made.plain) + 4 <= citekeys.MAX_KEY_LENGTH


def test_keys_are_compared_ignoring_case():
    assert citekeys.folded("Knowles2023Safety") == citekeys.folded("knowles2023safety")


def test_pandoc_and_latex_citations_of_several_keys():
    keys = ["knowles2023safety", "smith2019balloon"]
    assert citekeys.pandoc_citation(keys) == "[@knowles2023safety; @smith2019balloon]"
    assert citekeys.latex_citation(keys) == "\\cite{knowles2023safety,smith2019balloon}"
    assert citekeys.pandoc_citation([]) == citekeys.latex_citation([]) == ""


def test_a_stand_in_key_is_told_from_a_key_made_of_fields():
    pattern = KeyPattern(citekeys.DEFAULT_PATTERN)
    assert citekeys.is_placeholder("refa", Reference(), pattern)
    assert not citekeys.is_placeholder("refa", KNOWLES, pattern)
    assert not citekeys.is_placeholder("reform2020", Reference(), pattern)
