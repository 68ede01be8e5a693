"""refman.store.duplicates: the duplicate rule, alone and through the items' look-up
(``items.find_matches``)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refman.model import Creator, PartialDate, Reference
from refman.store import items
from refman.store.duplicates import (
    REASONS,
    SAME_DOI,
    SAME_PMID,
    SAME_TITLE,
    DuplicateKeys,
    best_match,
    match_reason,
)

TITLE = "Vitamin D supplementation and fracture risk"


def paper(title=TITLE, *, pmid="", doi="", year=2020, author="Ferreira") -> Reference:
    creators = (Creator(author, "L"),) if author else ()
    return Reference(title=title, pmid=pmid, doi=doi, date=PartialDate(year), creators=creators)


def reason(a: Reference, b: Reference) -> str | None:
    return match_reason(DuplicateKeys.of(a), DuplicateKeys.of(b))


# --- the rule ---------------------------------------------------------------------------------


def test_same_pmid_then_same_doi_then_same_title_year_and_first_author():
    assert reason(paper(pmid="1"), paper("Another title entirely", pmid="1")) == SAME_PMID
    assert reason(paper(doi="10.1/A"), paper("Another title", doi="https://doi.org/10.1/a")) == (
        SAME_DOI
    )
    assert reason(paper(pmid="1"), paper(TITLE.upper() + ".")) == SAME_TITLE
    assert reason(paper(pmid="1", doi="10.1/a"), paper(pmid="1", doi="10.1/a")) == SAME_PMID


def test_title_matches_need_the_same_year_and_first_author():
    assert reason(paper(), paper(year=2021)) is None
    assert reason(paper(), paper(author="Brandt")) is None
    assert reason(paper(), paper("Vitamin D supplementation and hip fracture risk")) is None


def test_different_pmids_are_different_papers_whatever_else_they_share():
    # An erratum that repeats its article's title, authors and year, or two "Editorial."s.
    assert reason(paper(pmid="1", doi="10.1/a"), paper(pmid="2", doi="10.1/a")) is None
    assert reason(paper(pmid="1"), paper(pmid="2")) is None


def test_different_dois_are_different_papers_whatever_else_they_share():
    # One guideline published in two journals, or an article and its erratum.
    assert reason(paper(doi="10.1/a"), paper(doi="10.1/b")) is None
    assert reason(paper(pmid="1", doi="10.1/a"), paper(pmid="1", doi="10.1/b")) is None


def test_a_missing_identifier_does_not_conflict():
    assert reason(paper(pmid="1"), paper(doi="10.1/a")) == SAME_TITLE
    assert reason(paper(pmid="1"), paper(pmid="1", doi="10.1/a")) == SAME_PMID
    assert reason(paper(doi="10.1/a"), paper(pmid="7", doi="10.1/a")) == SAME_DOI


@pytest.mark.parametrize(
    "title",
    [
        "Editorial.",
        "[Editorial]",
        "Correction.",
        "Erratum",
        "Corrigendum.",
        "Reply.",
        "Author reply",
        "Authors' reply.",
        "Response",
        "Letter",
        "Letter to the editor.",
        "LETTER TO THE EDITOR!",
        "Comment",
        "Commentary.",
        "Retraction",
        "Retraction notice.",
        "Notice of retraction",
        "Expression of concern.",
        "Introduction.",
        "Preface",
        "Foreword.",
        "Obituary",
        "In this issue",
        "Editor's note.",
        "[Not Available].",
        "Hypertension.",  # one word
        "Breast cancer",  # two words
        "Ça  va?!",  # two words once folded
    ],
)
def test_short_and_generic_titles_never_match_by_title_alone(title):
    assert reason(paper(title), paper(title)) is None
    assert reason(paper(title, author=""), paper(title, author="")) is None
    # An identifier still matches them.
    assert reason(paper(title, pmid="5"), paper(title, pmid="5")) == SAME_PMID
    assert reason(paper(title, doi="10.1/x"), paper(title, doi="10.1/x")) == SAME_DOI


def test_a_generic_title_inside_a_longer_one_matches():
    title = "Correction to: Vitamin D and fracture risk"
    assert reason(paper(title), paper(title)) == SAME_TITLE
    assert reason(paper("Three words title"), paper("three words title.")) == SAME_TITLE


def test_untitled_records_without_identifiers_never_match():
    assert reason(Reference(), Reference()) is None


def test_best_match_takes_the_strongest_reason_then_the_lowest_rank():
    keys = DuplicateKeys.of(paper(pmid="1", doi="10.1/a"))
    by_title = (DuplicateKeys.of(paper()), (False, 1), "by title")
    by_doi = (DuplicateKeys.of(paper("Other paper entirely", doi="10.1/a")), (False, 2), "doi")
    by_pmid_trashed = (DuplicateKeys.of(paper(pmid="1")), (True, 3), "pmid, trashed")
    by_pmid_live = (DuplicateKeys.of(paper(pmid="1")), (False, 4), "pmid, live")
    vetoed = (DuplicateKeys.of(paper(pmid="2")), (False, 0), "vetoed")
    assert best_match(keys, [vetoed, by_title]) == (SAME_TITLE, "by title")
    assert best_match(keys, [by_title, by_doi, vetoed]) == (SAME_DOI, "doi")
    candidates = [by_title, by_pmid_trashed, by_doi, by_pmid_live]
    assert best_match(keys, candidates) == (SAME_PMID, "pmid, live")
    assert best_match(keys, [vetoed]) is None


# --- properties -------------------------------------------------------------------------------

# Few values, so that examples share keys often; with the variants the rule must see through.
PMIDS = st.sampled_from(["", "1", "2", " 1 "])
DOIS = st.sampled_from(["", "10.1/a", "10.1/A", "https://doi.org/10.1/a", "10.1/b"])
TITLES = st.sampled_from(
    [
        "",
        "Editorial.",
        "Reply",
        "Letter to the editor",
        "Breast cancer",
        TITLE,
        TITLE.lower() + ".",
        "Another paper with a title",
    ]
)
RECORDS = st.builds(
    paper,
    TITLES,
    pmid=PMIDS,
    doi=DOIS,
    year=st.sampled_from([2020, 2021]),
    author=st.sampled_from(["", "Ferreira", "Brandt"]),
)


@settings(max_examples=500)
@given(a=RECORDS, b=RECORDS)
def test_the_rule_is_symmetric_and_a_conflicting_identifier_always_vetoes(a, b):
    keys_a, keys_b = DuplicateKeys.of(a), DuplicateKeys.of(b)
    found = match_reason(keys_a, keys_b)
    assert found == match_reason(keys_b, keys_a)
    if a.pmid.strip() and b.pmid.strip() and a.pmid.strip() != b.pmid.strip():
        assert found is None
    if keys_a.doi and keys_b.doi and keys_a.doi != keys_b.doi:
        assert found is None
    if found == SAME_TITLE:
        assert len(keys_a.title.partition("|")[0].split()) >= 3


def test_the_stores_look_up_agrees_with_the_rule(db):
    @settings(max_examples=150, deadline=None)
    @given(library=st.lists(RECORDS, max_size=6), records=st.lists(RECORDS, max_size=6))
    def agrees(library, records):
        ids = items.insert(db, library)
        try:
            keys = [DuplicateKeys.of(ref) for ref in records]
            for ref_keys, match in zip(keys, items.find_matches(db, keys), strict=True):
                reasons = [match_reason(ref_keys, DuplicateKeys.of(item)) for item in library]
                matching = [r for r in reasons if r is not None]
                if match is None:
                    assert matching == []
                    continue
                item = library[ids.index(match.item_id)]
                assert match.reason == match_reason(ref_keys, DuplicateKeys.of(item))
                assert (match.title, match.reason) == (item.title, min(matching, key=REASONS.index))
        finally:
            items.delete(db, ids)

    agrees()


def test_a_vetoed_candidate_is_passed_over_for_one_that_matches(db):
    erratum, typed_by_hand = items.insert(db, [paper(pmid="1"), paper()])
    assert items.find_duplicates(db, [paper(pmid="2")]) == [typed_by_hand]
    items.delete(db, [typed_by_hand])
    assert items.find_duplicates(db, [paper(pmid="2"), paper(pmid="1")]) == [None, erratum]
