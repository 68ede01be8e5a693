"""Views of flagged items (ViewQuery.flags) with search text and tags, the count the sidebar
shows, and the warnings a citation or an export of retracted items gives."""

from refman.library.notices import FlaggedItem, warning_lines
from refman.model import ViewQuery
from tests.samples import DATA, DUPLICATES, RESULT2

RETRACTED = DATA / "notices" / "retracted-9500320.nbib"
CORRECTIONS = DATA / "import" / "pubmedxml" / "corrections.nbib"
ERRATA = DUPLICATES / "errata.nbib"
CONCERN = """PMID- 41000001
TI  - A paper with an expression of concern.
PT  - Journal Article
ECI - BMJ. 2023;380:p1. PMID: 41000091
"""
EVERY_FLAG = ("retracted", "concern", "erratum")


def ids_by_pmid(library) -> dict[str, int]:
    return {library.items.get(i).pmid: i for i in library.items.all_ids()}


def imported(library) -> dict[str, int]:
    library.importing.files([RETRACTED, RESULT2, CORRECTIONS, ERRATA])
    library.importing.text(CONCERN)
    library.notices.read_unread()
    return ids_by_pmid(library)


def test_a_flagged_view_narrows_by_flag_text_tags_and_trash(library):
    ids = imported(library)
    retracted = sorted([ids["9500320"], ids["39000001"]])
    assert sorted(library.items.search(ViewQuery(flags=("retracted",)))) == retracted
    assert library.items.search(ViewQuery(flags=("concern",))) == [ids["41000001"]]
    every = set(library.items.search(ViewQuery(flags=EVERY_FLAG)))
    assert every == set(library.notices.flagged())
    assert len(every) == 6 < len(library.items.search())  # pubmed_result2.txt's are not
    text = ViewQuery(text="colitis", flags=EVERY_FLAG)
    assert library.items.search(text) == [ids["9500320"]]
    library.tags.add([ids["39000001"], ids["99200001"]], ["check"])
    tagged = ViewQuery(tags=("check",), flags=("retracted",))
    assert library.items.search(tagged) == [ids["39000001"]]
    counts = {t.name: t.count for t in library.tags.counts(ViewQuery(flags=("retracted",)))}
    assert counts["check"] == 1  # the erratum's tag counts outside this view
    library.items.trash([ids["9500320"]])
    assert library.items.search(ViewQuery(flags=("retracted",))) == [ids["39000001"]]
    assert library.items.search(ViewQuery(trashed=True, flags=EVERY_FLAG)) == [ids["9500320"]]


def test_the_flagged_count_reads_nothing_and_counts_what_is_kept(library):
    library.importing.files([RETRACTED, CORRECTIONS, ERRATA])
    assert library.notices.flagged_count() == 0  # not read yet: read in the background
    assert library.notices.read_unread() == 7
    assert library.notices.flagged_count() == 5  # two retracted, three with an erratum
    library.items.trash([ids_by_pmid(library)["9500320"]])
    assert library.notices.flagged_count() == 4


def test_reading_stops_once_cancelled(library, monkeypatch):
    from refman.library import notices

    monkeypatch.setattr(notices, "READ_CHUNK", 2)
    library.importing.files([RETRACTED, CORRECTIONS, ERRATA])
    calls = []
    assert library.notices.read_unread(lambda: calls.append(1) or len(calls) > 1) == 2
    assert library.notices.read_unread() == 5  # the rest, another time


def test_cited_warnings_name_retracted_items_and_concerns_not_errata(library):
    ids = imported(library)
    order = [ids["99200001"], ids["41000001"], ids["39000001"], ids["9500320"]]
    found = library.notices.cited_warnings(order)
    assert [item.item_id for item in found] == order[1:]  # in the order given
    assert found[0].flags == ("concern",) and found[0].gravest == "concern"
    assert found[1].flags == ("retracted", "erratum") and found[1].gravest == "retracted"
    assert found[2].label == (
        "PMID 9500320 Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and "
        "pervasive developmental disorder in children"
    )
    assert library.notices.cited_warnings([ids["99200001"]]) == []


def test_cited_warnings_read_records_not_read_yet_without_writing(library):
    library.importing.files([RETRACTED])
    (item_id,) = library.items.all_ids()
    assert [i.item_id for i in library.notices.cited_warnings([item_id])] == [item_id]
    assert library.notices.flagged_count() == 0  # nothing was kept


def test_warning_lines_count_name_and_cut_the_list():
    items = [FlaggedItem(n, ("retracted",), f"Paper {n}", str(100 + n)) for n in range(1, 5)]
    items.append(FlaggedItem(9, ("concern",), "Doubtful", ""))
    assert warning_lines(items, "in the export", limit=2) == [
        "4 retracted items in the export: PMID 101 Paper 1; PMID 102 Paper 2; and 2 more",
        "1 item with an expression of concern in the export: item 9 Doubtful",
    ]
    assert warning_lines(items[:1], "here") == ["1 retracted item here: PMID 101 Paper 1"]
    assert warning_lines([], "here") == []
    assert warning_lines(items[:1], "here", title_width=4) == [
        "1 retracted item here: PMID 101 Pap…"
    ]
