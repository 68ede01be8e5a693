"""library.pubmed: a page of PubMed's hits with those already in the library marked, and the
chosen hits imported as one import that Undo Import takes back whole."""

from refman.library.pubmed import Hit, ResultsPage
from refman.model import Reference
from refman.online.pubmed_search import SearchPage
from tests.pubmed_replay import EFETCH, PubMedReplay


def test_a_page_marks_the_hits_the_library_holds(library, http, httpserver):
    pubmed = PubMedReplay(httpserver, [])
    pubmed.hits = list(pubmed.records)[:5]
    held, _ = library.items.add(Reference(title="Typed in", pmid=pubmed.hits[1]))
    page = library.pubmed.page("balloon guide catheter", size=3, http=http)
    assert pubmed.queries == ["balloon guide catheter"]
    assert [hit.pmid for hit in page.hits] == pubmed.hits[:3]
    assert [hit.item_id for hit in page.hits] == [None, held, None]
    assert page.hits[0].summary.title == pubmed.title(pubmed.hits[0])
    assert (page.count, page.has_previous, page.has_next) == (5, False, True)
    assert page.shown() == "5 hits, 1-3 shown"
    second = library.pubmed.page("balloon guide catheter", start=3, size=3, http=http)
    assert [hit.pmid for hit in second.hits] == pubmed.hits[3:]
    assert (second.has_previous, second.has_next) == (True, False)
    assert second.shown() == "5 hits, 4-5 shown"


def test_a_trashed_item_does_not_count_as_held(library, http, httpserver):
    pubmed = PubMedReplay(httpserver, [])
    pubmed.hits = list(pubmed.records)[:1]
    item, _ = library.items.add(Reference(title="Gone", pmid=pubmed.hits[0]))
    library.items.trash([item])
    assert not library.pubmed.page("x", http=http).hits[0].in_library


def test_chosen_hits_are_imported_in_one_batch_and_undone_whole(library, http, httpserver):
    pubmed = PubMedReplay(httpserver, [])
    chosen = list(pubmed.records)[10:13]
    report = library.pubmed.add(chosen, http=http)
    assert report.failed == []
    assert sorted(library.items.get(i).pmid for i in report.item_ids) == sorted(chosen)
    assert library.items.count() == 3
    efetches = [req.args["id"] for req, _ in httpserver.log if req.path == EFETCH]
    assert efetches == [",".join(chosen)]  # one request for the three
    batches = library.imports.list()
    assert len(batches) == 1 and batches[0].added == 3
    library.imports.undo(batches[0].id)
    assert library.items.count() == 0


def test_a_page_with_no_hits_asks_for_no_summaries(library, http, httpserver):
    PubMedReplay(httpserver, [])
    page = library.pubmed.page("nothing at all", http=http)
    assert (page.count, page.hits, page.shown()) == (0, [], "No hits")
    assert [req.path for req, _ in httpserver.log] == ["/eutils/esearch.fcgi"]


def test_no_next_page_past_the_10000_hits_pubmed_gives():
    last = SearchPage("cancer", 4_000_000, 9_980, [str(n) for n in range(20)])
    page = ResultsPage(last, 20, [Hit(pmid, None) for pmid in last.pmids])
    assert page.shown() == "4,000,000 hits, 9,981-10,000 shown"
    assert page.has_previous and not page.has_next
