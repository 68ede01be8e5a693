"""Update from PubMed (library.updating): a local server replays PubMed's MEDLINE answers; the
library's items were imported from an older state of the same records (tests/data/network)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from refman.library import Library
from refman.library.updating import STATUS, TAGS
from refman.model import PartialDate, Tag
from refman.online import BadResponseError, OfflineError, Settings
from refman.online.http import Http
from refman.store import migrations
from tests.unit.online.conftest import NETWORK_DATA, network_data

EFETCH = "/eutils/efetch.fcgi"
AHEAD = NETWORK_DATA / "update-29238099-ahead-of-print.txt"
NOW = "update-29238099-now.txt"
BEFORE_RETRACTION = NETWORK_DATA / "update-39000001-before-retraction.txt"
RETRACTED = "update-39000001-retracted.txt"


def only_item(library) -> int:
    (item_id,) = library.items.all_ids()
    return item_id


@pytest.fixture
def ahead(library):
    """A library holding the ahead-of-print state of PMID 29238099."""
    library.importing.files([AHEAD])
    return library


def test_an_ahead_of_print_article_gets_its_issue_pages_mesh_and_status(ahead, http, httpserver):
    httpserver.expect_request(EFETCH).respond_with_data(network_data(NOW))
    item_id = only_item(ahead)
    check = ahead.updating.check([item_id], http=http)
    assert check.checked == 1 and check.unchanged == [] and check.not_in_pubmed == []
    (update,) = check.updates
    by_name = {c.name: c for c in update.changes}
    assert (by_name["volume"].old, by_name["volume"].new) == ("", "79")
    assert (by_name["issue"].new, by_name["pages"].new) == ("4", "435-441")
    assert (by_name[STATUS].old_text, by_name[STATUS].new_text) == ("Publisher", "MEDLINE")
    assert "Aneurysm, Ruptured/*therapy" in by_name[TAGS].new_text
    assert "pmcid" in by_name and update.conflicts == ()
    assert ahead.items.get(item_id).volume == ""  # a check writes nothing

    result = ahead.updating.apply(check.updates)
    ref = ahead.items.get(item_id)
    assert (ref.volume, ref.issue, ref.pages, ref.pmcid) == ("79", "4", "435-441", "PMC5719202")
    assert Tag("Humans", "mesh") in ref.tags
    assert dict(ref.source_record)["STAT"] == "MEDLINE"
    assert result.changes().changed == {item_id}
    (earlier,) = ahead.updating.history(item_id)
    assert dict(earlier.record)["STAT"] == "Publisher"
    assert earlier.reason.startswith("Updated from PubMed: Volume, Issue, Pages")
    # Checked again, PubMed's record is the item's: nothing to do.
    again = ahead.updating.check([item_id], http=http)
    assert again.updates == [] and again.unchanged == [item_id]


def test_a_field_you_edited_is_kept_unless_chosen(ahead, http, httpserver):
    httpserver.expect_request(EFETCH).respond_with_data(network_data(NOW))
    item_id = only_item(ahead)
    ahead.items.update(item_id, pages="e435", volume="79")  # the user's own (same volume)
    (update,) = ahead.updating.check([item_id], http=http).updates
    pages = next(c for c in update.changes if c.name == "pages")
    assert pages.edited and (pages.old, pages.new) == ("e435", "435-441")
    assert "volume" not in {c.name for c in update.changes}  # already PubMed's value
    (applied,) = ahead.updating.apply([update]).items
    assert applied.kept == ("pages",)
    ref = ahead.items.get(item_id)
    assert (ref.pages, ref.issue) == ("e435", "4")
    # PubMed's record is now the stored one: the user's pages stay, not asked about again.
    assert ahead.updating.check([item_id], http=http).unchanged == [item_id]


def test_overwrite_edits_takes_pubmeds_value_and_revert_takes_it_all_back(ahead, http, httpserver):
    httpserver.expect_request(EFETCH).respond_with_data(network_data(NOW))
    item_id = only_item(ahead)
    ahead.items.update(item_id, pages="e435")
    before = ahead.items.get(item_id)
    check = ahead.updating.check([item_id], http=http)
    result = ahead.updating.apply(check.updates, overwrite_edits=True)
    assert ahead.items.get(item_id).pages == "435-441"
    ahead.updating.revert(result)
    after = ahead.items.get(item_id)
    assert (after.pages, after.volume, after.tags) == (before.pages, before.volume, before.tags)
    assert after.source_record == before.source_record
    assert ahead.updating.history(item_id) == []


def test_a_field_changed_after_the_check_is_left_alone(ahead, http, httpserver):
    httpserver.expect_request(EFETCH).respond_with_data(network_data(NOW))
    item_id = only_item(ahead)
    check = ahead.updating.check([item_id], http=http)
    ahead.items.update(item_id, issue="Suppl 1")
    (applied,) = ahead.updating.apply(check.updates).items
    assert "issue" in applied.changed_since
    assert ahead.items.get(item_id).issue == "Suppl 1"


def test_a_new_retraction_is_called_out_and_flagged(library, http, httpserver):
    library.importing.files([BEFORE_RETRACTION])
    item_id = only_item(library)
    assert library.notices.flagged() == [item_id]  # an erratum and a comment, no retraction
    httpserver.expect_request(EFETCH).respond_with_data(network_data(RETRACTED))
    (update,) = library.updating.check([item_id], http=http).updates
    assert [n.describe() for n in update.warnings] == [
        "Retracted: J Example Stud. 2021;14(2):50 (PMID 39000004)"
    ]
    assert [c.name for c in update.changes] == ["publication_types"]
    library.updating.apply([update])
    assert library.notices.flagged("retracted") == [item_id]
    assert "Retracted Publication" in library.items.get(item_id).publication_types


def test_pmids_pubmed_no_longer_has_and_items_without_one_are_counted(ahead, http, httpserver):
    httpserver.expect_request(EFETCH).respond_with_data("\n")
    item_id = only_item(ahead)
    plain, _ = ahead.items.add(ahead.items.get(item_id).with_changes(pmid="", source_record=()))
    check = ahead.updating.check([item_id, plain], http=http)
    assert check.not_in_pubmed == [(item_id, "29238099")]
    assert check.without_pmid == [plain] and check.checked == 1 and check.updates == []


def test_offline_says_so_and_changes_nothing(ahead):
    item_id = only_item(ahead)
    dead = Settings(eutils_url="http://127.0.0.1:9/eutils", timeout=0.5, attempts=1)
    with Http(dead) as http, pytest.raises(OfflineError, match="are you offline"):
        ahead.updating.check([item_id], http=http)
    assert ahead.items.get(item_id).volume == ""


def test_html_where_medline_was_expected_is_a_bad_answer(ahead, http, httpserver):
    page = b"<!DOCTYPE html><html><body>Service unavailable</body></html>"
    httpserver.expect_request(EFETCH).respond_with_data(page, content_type="text/html")
    with pytest.raises(BadResponseError, match="not MEDLINE text .an HTML page."):
        ahead.updating.check([only_item(ahead)], http=http)


def test_a_429_is_waited_out(ahead, http, httpserver):
    httpserver.expect_ordered_request(EFETCH).respond_with_data("slow down", status=429)
    httpserver.expect_ordered_request(EFETCH).respond_with_data(network_data(NOW))
    (update,) = ahead.updating.check([only_item(ahead)], http=http).updates
    assert any(c.name == "pages" for c in update.changes)


def test_cancelled_between_requests_changes_nothing(ahead, http):
    from refman.library.updating import UpdateCancelled

    with pytest.raises(UpdateCancelled):
        ahead.updating.check([only_item(ahead)], http=http, cancelled=lambda: True)


def test_a_version_7_library_gets_the_history_table(library_path, monkeypatch, http, httpserver):
    with monkeypatch.context() as patch:  # refman as it was: schema 7, no source_history
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:7])
        with Library(library_path) as old:
            old.importing.files([AHEAD])
    with closing(sqlite3.connect(library_path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 7
    httpserver.expect_request(EFETCH).respond_with_data(network_data(NOW))
    with Library(library_path) as upgraded:
        item_id = only_item(upgraded)
        assert upgraded.updating.history(item_id) == []
        upgraded.updating.apply(upgraded.updating.check([item_id], http=http).updates)
        assert len(upgraded.updating.history(item_id)) == 1
        assert upgraded.items.get(item_id).date == PartialDate(2017, 11, None, "2017 Nov")
    with closing(sqlite3.connect(library_path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == migrations.latest_version()


def test_an_item_gone_since_it_was_chosen_is_left_out(ahead, http, httpserver):
    httpserver.expect_request(EFETCH).respond_with_data(network_data(NOW))
    item_id = only_item(ahead)
    check = ahead.updating.check([item_id, item_id + 1], http=http)
    assert [u.item_id for u in check.updates] == [item_id] and check.checked == 1


def test_records_pubmed_has_not_changed_bring_no_change(library, http, httpserver):
    library.importing.files([NETWORK_DATA / "efetch-75.txt"])
    httpserver.expect_request(EFETCH).respond_with_data(network_data("efetch-75.txt"))
    ids = library.items.all_ids()
    check = library.updating.check(ids, http=http)
    assert check.updates == [] and sorted(check.unchanged) == sorted(ids) and len(ids) == 75
    assert check.summary() == "75 items checked, 0 to update, 75 unchanged, 0 not in PubMed."
