"""The command line and retractions: ``list --flagged`` lists the retracted items (and those
with an expression of concern or an erratum), ``export`` warns on stderr of the retracted items
it writes and still writes them."""

import json

from tests.samples import DATA, RESULT2
from tests.system.test_cli import refman

RETRACTED = DATA / "notices" / "retracted-9500320.nbib"  # PubMed's record of a retracted paper
CORRECTIONS = DATA / "import" / "pubmedxml" / "corrections.nbib"  # retracted, with an erratum
ERRATA = DATA / "duplicates" / "errata.nbib"  # five errata, two of them naming errata in turn
CONCERN = """PMID- 41000001
TI  - A paper with an expression of concern.
PT  - Journal Article
ECI - BMJ. 2023;380:p1. PMID: 41000091
"""
WAKEFIELD = "Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive"


def listed(library_path, *args) -> dict[str, dict]:
    out = refman("list", "--json", *args, library=library_path).stdout
    return {row["pmid"]: row for row in map(json.loads, out.splitlines())}


def test_list_flagged_lists_only_flagged_items_and_one_kind_when_named(library_path, tmp_path):
    concern = tmp_path / "concern.nbib"
    concern.write_text(CONCERN, encoding="utf-8")
    refman("import", RETRACTED, RESULT2, CORRECTIONS, ERRATA, concern, library=library_path)
    everything = listed(library_path)
    assert len(everything) == 12
    flagged = listed(library_path, "--flagged")
    assert set(flagged) == {"9500320", "39000001", "41000001", "99200001", "99200002", "99200003"}
    assert flagged["9500320"]["notices"] == ["retracted"]
    assert set(listed(library_path, "--flagged", "retracted")) == {"9500320", "39000001"}
    assert set(listed(library_path, "--flagged", "concern")) == {"41000001"}
    assert "9500320" not in listed(library_path, "--flagged", "erratum")
    # With a search: the flagged items that match it.
    assert set(listed(library_path, "--flagged", "--query", "colitis")) == {"9500320"}
    lines = refman("list", "--flagged", "retracted", library=library_path).stdout.splitlines()
    assert len(lines) == 2 and all("[RETRACTED]" in line for line in lines)


def test_list_flagged_refuses_an_unknown_kind_plainly(library_path):
    refman("import", RETRACTED, library=library_path)
    result = refman("list", "--flagged", "withdrawn", library=library_path, check=False)
    assert result.returncode == 2
    assert "invalid choice: 'withdrawn'" in result.stderr
    assert "Traceback" not in result.stderr


def test_list_flagged_of_a_library_without_notices_lists_nothing(library_path):
    refman("import", RESULT2, library=library_path)
    assert refman("list", "--flagged", library=library_path).stdout == ""


def test_export_warns_of_retracted_items_on_stderr_and_still_exports(library_path, tmp_path):
    refman("import", RETRACTED, RESULT2, library=library_path)
    for fmt in ("text", "bibtex", "ris", "csl-json"):
        out = tmp_path / f"out.{fmt}"
        result = refman("export", "--format", fmt, "--output", out, library=library_path)
        assert result.returncode == 0
        assert f"refman: warning: 1 retracted item in the export: PMID 9500320 {WAKEFIELD}" in (
            result.stderr
        )
        assert "Wakefield" in out.read_text(encoding="utf-8")  # written all the same
    to_stdout = refman("export", "--format", "ris", library=library_path)
    assert "PMID 9500320" in to_stdout.stderr and "PMID 9500320" not in to_stdout.stdout
    assert "Wakefield" in to_stdout.stdout


def test_export_names_each_kind_and_warns_only_of_what_it_exports(library_path, tmp_path):
    concern = tmp_path / "concern.nbib"
    concern.write_text(CONCERN, encoding="utf-8")
    refman("import", RETRACTED, CORRECTIONS, ERRATA, concern, RESULT2, library=library_path)
    every = refman("export", "--format", "bibtex", library=library_path).stderr.splitlines()
    warnings = [line for line in every if line.startswith("refman: warning:")]
    assert len(warnings) == 2
    assert warnings[0].startswith("refman: warning: 2 retracted items in the export: PMID ")
    assert "PMID 9500320" in warnings[0] and "PMID 39000001" in warnings[0]
    assert warnings[1] == (
        "refman: warning: 1 item with an expression of concern in the export: "
        "PMID 41000001 A paper with an expression of concern"
    )
    # Errata alone do not warn: the item stands, corrected.
    errata_only = refman("export", "--query", "Correction", library=library_path)
    assert "warning" not in errata_only.stderr
    clean = refman("export", "--query", "colitis", library=library_path).stderr
    assert clean.count("refman: warning:") == 1 and "1 retracted item" in clean
