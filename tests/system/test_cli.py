"""The command line, run through its installed console entry point as a user would."""

import json
import os
from pathlib import Path

from tests.safety_helpers import refman as run_refman
from tests.samples import (
    AHEAD_OF_PRINT,
    DATA,
    EDITORIALS,
    FINAL,
    REPEATED,
    RESULT2,
    SEED_FILE,
)

BOOK = DATA / "medline" / "book.nbib"  # a PubMed Book record with two editors and no author


def refman(*args, library: Path, check: bool = True, env_library: bool = False):
    """``refman ARGS`` on ``library``, named by --library (by REFMAN_LIBRARY with
    ``env_library``); with ``check``, it must succeed."""
    if env_library:
        result = run_refman(None, *args, env=dict(os.environ, REFMAN_LIBRARY=str(library)))
    else:
        result = run_refman(library, *args)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_version_comes_from_the_package_metadata(library_path):
    from importlib.metadata import version

    assert refman("--version", library=library_path).stdout.strip() == f"refman {version('refman')}"


def test_import_prints_a_summary_and_list_shows_the_items(library_path):
    out = refman("import", SEED_FILE, RESULT2, library=library_path).stdout
    first_line = out.splitlines()[0]
    assert first_line.startswith("Imported: ") and "added" in first_line
    rows = [
        json.loads(line)
        for line in refman("list", "--json", library=library_path).stdout.splitlines()
    ]
    assert {"id", "title", "pmid"} <= rows[0].keys()
    assert "37144409" in {r["pmid"] for r in rows}
    again = refman("import", SEED_FILE, library=library_path).stdout
    assert again.startswith("Imported: 0 added, 1 duplicate skipped")


def test_import_of_nothing_readable_fails_with_the_reason(library_path, tmp_path):
    bad = tmp_path / "paper.nbib"
    bad.write_bytes(b"%PDF-1.7\n\x00\x01\x02binary")
    result = refman("import", bad, library=library_path, check=False)
    assert result.returncode == 1
    assert str(bad) in result.stdout


def test_export_csl_json_to_stdout_and_file(library_path, tmp_path):
    refman("import", SEED_FILE, library=library_path)
    items = json.loads(refman("export", library=library_path).stdout)
    seed = items[0]
    assert seed["type"] == "article-journal"
    assert seed["author"][0] == {"family": "Knowles", "given": "Charles H"}
    assert seed["issued"] == {"date-parts": [[2023, 12, 1]]}
    assert (seed["PMID"], seed["container-title-short"], seed["page"]) == (
        "37144409",
        "Ann Surg",
        "937-944",
    )
    out = tmp_path / "out.json"
    refman("export", "--format", "csl-json", "--output", out, library=library_path)
    assert json.loads(out.read_text(encoding="utf-8")) == items


def test_export_scope_by_query_and_collection(library_path):
    refman("import", "--collection", "Surgery", SEED_FILE, library=library_path)
    refman("import", RESULT2, library=library_path)
    in_surgery = json.loads(
        refman("export", "--collection", "Surgery", library=library_path).stdout
    )
    assert [i["PMID"] for i in in_surgery] == ["37144409"]
    by_query = json.loads(refman("export", "--query", "iltamiocel", library=library_path).stdout)
    assert [i["PMID"] for i in by_query] == ["37144409"]
    missing = refman("export", "--collection", "Nope", library=library_path, check=False)
    assert missing.returncode == 1 and "no collection called 'Nope'" in missing.stderr


def test_unknown_export_format_lists_close_matches(library_path):
    result = refman("export", "--format", "bibtx", library=library_path, check=False)
    assert result.returncode == 1
    assert "Unknown export format 'bibtx'" in result.stderr and "bibtex" in result.stderr


def test_tag_add_and_remove_by_query(library_path):
    refman("import", SEED_FILE, RESULT2, library=library_path)
    assert refman(
        "tag", "add", "to read", "--query", "iltamiocel", library=library_path
    ).stdout.startswith("Tagged 1 item")
    tagged = json.loads(refman("export", "--query", "to read", library=library_path).stdout)
    assert [i["PMID"] for i in tagged] == ["37144409"]
    refman("tag", "remove", "to read", "--query", "iltamiocel", library=library_path)
    rows = [
        json.loads(x) for x in refman("list", "--json", library=library_path).stdout.splitlines()
    ]
    assert all("to read" not in r["tags"] for r in rows)


def test_note_add_is_searchable(library_path):
    refman("import", SEED_FILE, library=library_path)
    item_id = json.loads(refman("list", "--json", library=library_path).stdout.splitlines()[0])[
        "id"
    ]
    refman("note", "add", item_id, "Check the 12-month follow-up", library=library_path)
    found = refman(
        "list", "--json", "--query", "follow-up", library=library_path
    ).stdout.splitlines()
    assert [json.loads(x)["id"] for x in found] == [item_id]
    missing = refman("note", "add", 99999, "x", library=library_path, check=False)
    assert missing.returncode == 1 and "no item with id 99999" in missing.stderr


def test_library_from_the_environment(library_path):
    refman("import", SEED_FILE, library=library_path, env_library=True)
    assert library_path.exists()
    assert "Safety and Efficacy" in refman("list", library=library_path).stdout


def test_import_names_each_record_it_did_not_add(library_path):
    refman("import", AHEAD_OF_PRINT, library=library_path)
    (item,) = [
        json.loads(line)
        for line in refman("list", "--json", library=library_path).stdout.splitlines()
    ]
    out = refman("import", FINAL, REPEATED, EDITORIALS, library=library_path).stdout
    title = '"Long-term outcomes of sacral neuromodulation for fecal in..."'  # cut at 60
    hip = "Hip fracture surgery within 24 hours and mortality"
    assert out.splitlines() == [
        "Imported: 6 added, 4 duplicates skipped from 3 files.",
        f"  {FINAL}:2: skipped PMID 99400001 {title}: same PMID as item {item['id']} {title}",
        f'  {REPEATED}:47: skipped PMID 99600001 "Vitamin D supplementation and fracture risk'
        ' in community-...": same PMID as the record at line 2 of the same file',
        f'  {REPEATED}:62: skipped "{hip}: a reg...": same DOI as the record at line 17 of the'
        " same file",
        f'  {REPEATED}:70: skipped "{hip} - a re...": same title, year and first author as the'
        " record at line 17 of the same file",
    ]


def test_import_merge_names_each_record_merged(library_path):
    refman("import", AHEAD_OF_PRINT, library=library_path)
    out = refman("import", "--duplicates", "merge", FINAL, library=library_path).stdout.splitlines()
    assert out[0] == "Imported: 0 added, 1 merged, 0 duplicates skipped from 1 file."
    assert out[1].startswith(f"  {FINAL}:2: merged PMID 99400001 ")
    assert out[1].endswith(": same PMID") and len(out) == 2
    (item,) = [
        json.loads(line)
        for line in refman("list", "--json", library=library_path).stdout.splitlines()
    ]
    assert "Fecal Incontinence" in item["tags"]


def test_duplicates_policy_is_checked(library_path):
    result = refman("import", "--duplicates", "maybe", SEED_FILE, library=library_path, check=False)
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_export_formatted_bibliography_in_a_style(library_path):
    refman("import", SEED_FILE, library=library_path)
    ama = refman("export", "--format", "text", library=library_path).stdout
    assert ama.startswith("1. Knowles CH, Canestrari E, Jankowski RJ, Cardello K, Raval MJ.")
    assert ama.endswith("doi:10.1097/SLA.0000000000005894\n")
    ieee = refman("export", "--format", "text", "--style", "IEEE", library=library_path).stdout
    assert ieee.startswith("[1] C. H. Knowles, E. Canestrari")
    bad = refman(
        "export", "--format", "text", "--style", "vancuver", library=library_path, check=False
    )
    assert bad.returncode == 1 and "Unknown style 'vancuver'. Close matches:" in bad.stderr


def test_styles_lists_matching_ids_and_titles(library_path):
    lines = refman("styles", "american medical", library=library_path).stdout.splitlines()
    assert "american-medical-association\tAMA Manual of Style 11th edition" in lines


def test_a_changing_command_warns_about_a_synced_folder(tmp_path):
    library = tmp_path / "Dropbox" / "library.sqlite"
    library.parent.mkdir()
    result = refman("import", SEED_FILE, library=library, check=False)
    assert result.returncode == 0
    assert "refman: warning:" in result.stderr and "Dropbox synchronises" in result.stderr
    assert "warning" not in refman("list", library=library).stderr  # reading is not nagged about


def test_list_shows_authors_before_editors_and_says_which_is_which(library_path):
    # zotero-case-02: an article, and a book chapter whose record names the book's four
    # editors (FED) before the chapter's seven authors (FAU); book.nbib: editors only.
    refman("import", DATA / "zotero-case-02.nbib", BOOK, library=library_path)
    rows = {
        row["title"]: row
        for row in map(
            json.loads, refman("list", "--json", library=library_path).stdout.split("\n")[:-1]
        )
    }
    chapter = rows["Peutz-Jeghers Syndrome"]["creators"]
    assert [c["role"] for c in chapter] == ["author"] * 7 + ["editor"] * 4
    assert chapter[0] == {"name": "Riegert-Johnson, Douglas", "role": "author"}
    assert chapter[7] == {"name": "Riegert-Johnson, Douglas L", "role": "editor"}
    assert rows["GeneReviews(R)"]["creators"] == [
        {"name": "Adam, Margaret P", "role": "editor"},
        {"name": "Feldman, Jerry", "role": "editor"},
    ]
    lines = refman("list", library=library_path).stdout.splitlines()
    (chapter_line,) = [line for line in lines if line.endswith("Peutz-Jeghers Syndrome")]
    (book_line,) = [line for line in lines if line.endswith("GeneReviews(R)")]
    assert "Riegert-Johnson " in chapter_line and "(ed.)" not in chapter_line
    assert "Adam (ed.)" in book_line


def test_list_marks_retracted_items_and_items_with_errata(library_path):
    retracted_file = DATA / "import" / "pubmedxml" / "corrections.nbib"
    errata_file = DATA / "duplicates" / "errata.nbib"
    refman("import", retracted_file, errata_file, library=library_path)
    rows = {
        row["pmid"]: row
        for row in map(
            json.loads, refman("list", "--json", library=library_path).stdout.split("\n")[:-1]
        )
    }
    assert rows["39000001"]["notices"] == ["retracted", "erratum"]
    assert rows["99200001"]["notices"] == ["erratum"]
    assert rows["99200004"]["notices"] == []
    lines = refman("list", library=library_path).stdout.splitlines()
    (retracted,) = [line for line in lines if "[RETRACTED]" in line]
    assert retracted.startswith(f"{rows['39000001']['id']:>6}")
    assert f"[RETRACTED] [ERRATUM] {rows['39000001']['title']}" in retracted
    assert sum("[ERRATUM]" in line for line in lines) == 4


def test_list_and_tag_take_pubmed_syntax(library_path):
    refman("import", SEED_FILE, RESULT2, library=library_path)

    def listed(query: str) -> set[str]:
        out = refman("list", "--json", "--query", query, library=library_path).stdout
        return {json.loads(line)["pmid"] for line in out.splitlines()}

    assert listed("Knowles CH[1au] AND 2023[dp] NOT review[pt]") == {"37144409"}
    assert listed('"Fecal Incontinence"[MeSH Terms] OR Ann Surg[ta]') == {"37144409"}
    assert listed("37144409") == {"37144409"}  # a PMID alone
    assert listed("10.1097/SLA.0000000000005894") == {"37144409"}  # a DOI alone
    everything = listed("")
    assert listed("NOT Knowles[au]") == everything - {"37144409"}
    out = refman("tag", "add", "first", "--query", "Knowles C[au]", library=library_path).stdout
    assert out == "Tagged 1 item 'first'.\n"
    assert listed("first[tag]") == {"37144409"}
