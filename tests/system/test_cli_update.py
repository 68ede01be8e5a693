"""``refman update`` and ``refman history``: the installed command against a local server that
replays PubMed's MEDLINE answers (REFMAN_EUTILS_URL); the library holds older states of the
same records (tests/data/network/README.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from refman.library import Library
from refman.model import Reference
from tests.safety_helpers import refman

NETWORK_DATA = Path(__file__).parents[1] / "data" / "network"
EFETCH = "/eutils/efetch.fcgi"


def data(name: str) -> bytes:
    return (NETWORK_DATA / name).read_bytes()


@pytest.fixture
def server_env(httpserver):
    env = dict(os.environ)
    env["REFMAN_EUTILS_URL"] = httpserver.url_for("/eutils")
    return env


@pytest.fixture
def items(library_path) -> dict[str, int]:
    """Four items: an ahead-of-print article whose pages the user edited, one PubMed has
    retracted since, one whose PMID PubMed no longer has, one without a PMID."""
    with Library(library_path) as library:
        library.importing.files(
            [
                NETWORK_DATA / "update-29238099-ahead-of-print.txt",
                NETWORK_DATA / "update-39000001-before-retraction.txt",
            ]
        )
        found = {ref.pmid: ref.id for ref in library.items.each()}
        library.items.update(found["29238099"], pages="e435")
        found["gone"], _ = library.items.add(Reference(title="Merged away", pmid="99999999"))
        found["none"], _ = library.items.add(Reference(title="A book chapter by hand"))
    return found


def serve_current_records(httpserver) -> None:
    answer = data("update-29238099-now.txt") + b"\n" + data("update-39000001-retracted.txt")
    httpserver.expect_request(EFETCH).respond_with_data(answer)


def get(library_path, item_id) -> Reference:
    with Library(library_path) as library:
        return library.items.get(item_id)


def test_update_applies_changes_keeps_edits_and_calls_out_a_retraction(
    library_path, items, httpserver, server_env
):
    serve_current_records(httpserver)
    result = refman(library_path, "update", "--yes", env=server_env)
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    assert f"Item {items['29238099']} (PMID 29238099): 8-F balloon guide catheter" in out[0]
    assert "  Volume: (none) -> 79" in out
    assert "  Pages: e435 -> 435-441  [edited by you, kept]" in out
    assert "  PubMed status: Publisher -> MEDLINE" in out
    assert any(line.startswith("  RETRACTED: this article has been retracted") for line in out)
    assert f"Item {items['gone']}: PubMed has no record with PMID 99999999" in result.stdout
    assert out[-1] == (
        "3 items checked, 2 updated, 0 unchanged, 1 not in PubMed; 1 without a PMID skipped."
    )
    assert f"item {items['39000001']} (PMID 39000001) has been RETRACTED" in result.stderr
    ahead = get(library_path, items["29238099"])
    assert (ahead.volume, ahead.issue, ahead.pages) == ("79", "4", "e435")
    listed = refman(library_path, "list", "--json", env=server_env).stdout.splitlines()
    notices = {json.loads(line)["id"]: json.loads(line)["notices"] for line in listed}
    assert "retracted" in notices[items["39000001"]]
    history = refman(library_path, "history", items["29238099"], "--records", env=server_env)
    assert "Updated from PubMed: Volume, Issue" in history.stdout
    assert "status Publisher" in history.stdout and "  STAT- Publisher" in history.stdout
    # Run again: PubMed's records are the items' own now.
    again = refman(library_path, "update", "--yes", env=server_env)
    assert again.stdout.splitlines()[-1].startswith("3 items checked, 0 updated, 2 unchanged")


def test_overwrite_edits_and_chosen_items(library_path, items, httpserver, server_env):
    serve_current_records(httpserver)
    item_id = items["29238099"]
    result = refman(library_path, "update", item_id, "--yes", "--overwrite-edits", env=server_env)
    assert result.returncode == 0, result.stderr
    assert "  Pages: e435 -> 435-441  [edited by you, replaced]" in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "1 item checked, 1 updated, 0 unchanged, 0 not in PubMed."
    )
    assert get(library_path, item_id).pages == "435-441"
    assert get(library_path, items["39000001"]).publication_types == ("Journal Article",)


def test_dry_run_as_json_changes_nothing(library_path, items, httpserver, server_env):
    serve_current_records(httpserver)
    result = refman(
        library_path, "update", "--query", "balloon", "--dry-run", "--json", env=server_env
    )
    assert result.returncode == 0, result.stderr
    first, summary = (json.loads(line) for line in result.stdout.splitlines())
    pages = next(c for c in first["changes"] if c["field"] == "pages")
    assert pages == {
        "field": "pages",
        "old": "e435",
        "new": "435-441",
        "edited": True,
        "applied": False,
    }
    assert summary == {
        "summary": "1 item checked, 1 to update, 0 unchanged, 0 not in PubMed.",
        "applied": False,
    }
    assert get(library_path, items["29238099"]).volume == ""


def test_offline_and_bad_answers_are_plain_and_change_nothing(
    library_path, items, httpserver, server_env
):
    offline = dict(server_env, REFMAN_EUTILS_URL="http://127.0.0.1:9/eutils")
    result = refman(library_path, "update", "--yes", env=offline)
    assert result.returncode == 1
    assert result.stderr.startswith("refman: cannot reach 127.0.0.1") and "offline" in result.stderr
    assert result.stderr.rstrip().endswith("Nothing was changed.")
    httpserver.expect_request(EFETCH).respond_with_data(
        b"<!DOCTYPE html><html><body>Bad gateway</body></html>", content_type="text/html"
    )
    result = refman(library_path, "update", "--yes", env=server_env)
    assert result.returncode == 1
    assert "PubMed's answer is not MEDLINE text (an HTML page)" in result.stderr
    assert get(library_path, items["29238099"]).volume == ""


def test_an_unknown_item_and_one_without_history(library_path, items, server_env):
    result = refman(library_path, "update", "9999", env=server_env)
    assert result.returncode == 1 and "There is no item with id 9999" in result.stderr
    result = refman(library_path, "history", items["none"], env=server_env)
    assert result.stdout == f"Item {items['none']} has no earlier source records.\n"
