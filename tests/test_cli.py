"""The command line, run through its installed console entry point as a user would."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SEED = DATA / "000_dccecbf8d310899f.txt"
REFMAN = Path(sys.executable).parent / "refman"


def refman(*args, library: Path, check: bool = True, env_library: bool = False):
    env = dict(os.environ)
    if env_library:
        env["REFMAN_LIBRARY"] = str(library)
        argv = [str(REFMAN), *map(str, args)]
    else:
        env.pop("REFMAN_LIBRARY", None)
        argv = [str(REFMAN), "--library", str(library), *map(str, args)]
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture
def lib(tmp_path):
    return tmp_path / "lib.sqlite"


def test_version_comes_from_the_package_metadata(lib):
    from importlib.metadata import version

    assert refman("--version", library=lib).stdout.strip() == f"refman {version('refman')}"


def test_import_prints_a_summary_and_list_shows_the_items(lib):
    out = refman("import", SEED, DATA / "pubmed_result2.txt", library=lib).stdout
    first_line = out.splitlines()[0]
    assert first_line.startswith("Imported: ") and "added" in first_line
    rows = [json.loads(line) for line in refman("list", "--json", library=lib).stdout.splitlines()]
    assert {"id", "title", "pmid"} <= rows[0].keys()
    assert "37144409" in {r["pmid"] for r in rows}
    again = refman("import", SEED, library=lib).stdout
    assert again.startswith("Imported: 0 added, 1 duplicate skipped")


def test_import_of_nothing_readable_fails_with_the_reason(lib, tmp_path):
    bad = tmp_path / "paper.nbib"
    bad.write_bytes(b"%PDF-1.7\n\x00\x01\x02binary")
    result = refman("import", bad, library=lib, check=False)
    assert result.returncode == 1
    assert str(bad) in result.stdout


def test_export_csl_json_to_stdout_and_file(lib, tmp_path):
    refman("import", SEED, library=lib)
    items = json.loads(refman("export", library=lib).stdout)
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
    refman("export", "--format", "csl-json", "--output", out, library=lib)
    assert json.loads(out.read_text(encoding="utf-8")) == items


def test_export_scope_by_query_and_collection(lib):
    refman("import", "--collection", "Surgery", SEED, library=lib)
    refman("import", DATA / "pubmed_result2.txt", library=lib)
    in_surgery = json.loads(refman("export", "--collection", "Surgery", library=lib).stdout)
    assert [i["PMID"] for i in in_surgery] == ["37144409"]
    by_query = json.loads(refman("export", "--query", "iltamiocel", library=lib).stdout)
    assert [i["PMID"] for i in by_query] == ["37144409"]
    missing = refman("export", "--collection", "Nope", library=lib, check=False)
    assert missing.returncode == 1 and "no collection called 'Nope'" in missing.stderr


def test_unknown_export_format_lists_close_matches(lib):
    result = refman("export", "--format", "bibtx", library=lib, check=False)
    assert result.returncode == 1
    assert "Unknown export format 'bibtx'" in result.stderr and "bibtex" in result.stderr


def test_tag_add_and_remove_by_query(lib):
    refman("import", SEED, DATA / "pubmed_result2.txt", library=lib)
    assert refman("tag", "add", "to read", "--query", "iltamiocel", library=lib).stdout.startswith(
        "Tagged 1 item"
    )
    tagged = json.loads(refman("export", "--query", "to read", library=lib).stdout)
    assert [i["PMID"] for i in tagged] == ["37144409"]
    refman("tag", "remove", "to read", "--query", "iltamiocel", library=lib)
    rows = [json.loads(x) for x in refman("list", "--json", library=lib).stdout.splitlines()]
    assert all("to read" not in r["tags"] for r in rows)


def test_note_add_is_searchable(lib):
    refman("import", SEED, library=lib)
    item_id = json.loads(refman("list", "--json", library=lib).stdout.splitlines()[0])["id"]
    refman("note", "add", item_id, "Check the 12-month follow-up", library=lib)
    found = refman("list", "--json", "--query", "follow-up", library=lib).stdout.splitlines()
    assert [json.loads(x)["id"] for x in found] == [item_id]
    missing = refman("note", "add", 99999, "x", library=lib, check=False)
    assert missing.returncode == 1 and "no item with id 99999" in missing.stderr


def test_library_from_the_environment(lib):
    refman("import", SEED, library=lib, env_library=True)
    assert lib.exists()
    assert "Safety and Efficacy" in refman("list", library=lib).stdout


def test_import_names_each_record_it_did_not_add(lib):
    duplicates = DATA / "duplicates"
    refman("import", duplicates / "ahead-of-print.nbib", library=lib)
    (item,) = [
        json.loads(line) for line in refman("list", "--json", library=lib).stdout.splitlines()
    ]
    final = duplicates / "final.nbib"
    repeated = duplicates / "repeated-records.nbib"
    out = refman("import", final, repeated, duplicates / "editorials.nbib", library=lib).stdout
    title = '"Long-term outcomes of sacral neuromodulation for fecal in..."'  # cut at 60
    hip = "Hip fracture surgery within 24 hours and mortality"
    assert out.splitlines() == [
        "Imported: 6 added, 4 duplicates skipped from 3 files.",
        f"  {final}:2: skipped PMID 99400001 {title}: same PMID as item {item['id']} {title}",
        f'  {repeated}:47: skipped PMID 99600001 "Vitamin D supplementation and fracture risk'
        ' in community-...": same PMID as the record at line 2 of the same file',
        f'  {repeated}:62: skipped "{hip}: a reg...": same DOI as the record at line 17 of the'
        " same file",
        f'  {repeated}:70: skipped "{hip} - a re...": same title, year and first author as the'
        " record at line 17 of the same file",
    ]


def test_import_merge_names_each_record_merged(lib):
    duplicates = DATA / "duplicates"
    refman("import", duplicates / "ahead-of-print.nbib", library=lib)
    final = duplicates / "final.nbib"
    out = refman("import", "--duplicates", "merge", final, library=lib).stdout.splitlines()
    assert out[0] == "Imported: 0 added, 1 merged, 0 duplicates skipped from 1 file."
    assert out[1].startswith(f"  {final}:2: merged PMID 99400001 ")
    assert out[1].endswith(": same PMID") and len(out) == 2
    (item,) = [
        json.loads(line) for line in refman("list", "--json", library=lib).stdout.splitlines()
    ]
    assert "Fecal Incontinence" in item["tags"]


def test_duplicates_policy_is_checked(lib):
    result = refman("import", "--duplicates", "maybe", SEED, library=lib, check=False)
    assert result.returncode == 2 and "invalid choice" in result.stderr


@pytest.mark.parametrize(
    ("argv", "command", "files"),
    [
        ([], "gui", []),
        (["--library", "x.sqlite"], "gui", []),
        (["a.nbib", "b.nbib"], "gui", ["a.nbib", "b.nbib"]),
        (["--library", "x.sqlite", "a.nbib"], "gui", ["a.nbib"]),
        (["--library=x.sqlite", "gui", "a.nbib"], "gui", ["a.nbib"]),
        (["--library", "list", "list"], "list", None),
    ],
)
def test_no_command_or_a_file_opens_the_window(argv, command, files):
    from refman.cli import parse

    args = parse(argv)
    assert args.command == command
    if files is not None:
        assert args.files == files


def test_export_formatted_bibliography_in_a_style(lib):
    refman("import", SEED, library=lib)
    ama = refman("export", "--format", "text", library=lib).stdout
    assert ama.startswith("1. Knowles CH, Canestrari E, Jankowski RJ, Cardello K, Raval MJ.")
    assert ama.endswith("doi:10.1097/SLA.0000000000005894\n")
    ieee = refman("export", "--format", "text", "--style", "IEEE", library=lib).stdout
    assert ieee.startswith("[1] C. H. Knowles, E. Canestrari")
    bad = refman("export", "--format", "text", "--style", "vancuver", library=lib, check=False)
    assert bad.returncode == 1 and "Unknown style 'vancuver'. Close matches:" in bad.stderr


def test_styles_lists_matching_ids_and_titles(lib):
    lines = refman("styles", "american medical", library=lib).stdout.splitlines()
    assert "american-medical-association\tAMA Manual of Style 11th edition" in lines
