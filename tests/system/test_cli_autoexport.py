"""Live exports in real processes: ``refman autoexport`` keeps a file, the other commands (and
the window, in a process of its own) change the library, and the file follows; a target on a
full or read-only disk is told on stderr and keeps its previous file."""

from __future__ import annotations

import json
import os
from pathlib import Path

from refman.library import Library
from tests.safety_helpers import (
    hand_off,
    on_a_small_disk,
    program_env,
    start_window,
    wait_until,
)
from tests.safety_helpers import refman as run_refman
from tests.samples import RESULT1, RESULT2, SEED_FILE, ZOTERO_CASES

WINDOW_WAIT_S = 60


def refman(library: Path, *args, ok: bool = True):
    result = run_refman(library, *args)
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def pmids(path: Path) -> set[str]:
    return {entry.get("PMID") for entry in json.loads(path.read_text(encoding="utf-8"))}


def stamp(path: Path) -> tuple[int, int]:
    """A rewrite renames a new file over the old one: another inode, another time."""
    info = os.stat(path)
    return info.st_ino, info.st_mtime_ns


def test_the_file_follows_imports_tags_and_new_items_from_other_processes(
    library_path, tmp_path
):
    target = tmp_path / "refs.json"
    refman(library_path, "import", SEED_FILE)
    added = refman(library_path, "autoexport", "add", target).stdout
    assert f"Wrote 1 item to {target}; it is kept up to date" in added
    assert "CSL-JSON, My Library" in added  # the format from the extension
    assert pmids(target) == {"37144409"}

    refman(library_path, "import", RESULT2)
    with Library(library_path) as library:
        in_library = {ref.pmid for ref in library.items.each()}
    assert pmids(target) == in_library and len(in_library) > 1

    refman(library_path, "tag", "add", "cited", "--query", "Knowles")
    seed = next(e for e in json.loads(target.read_text()) if e.get("PMID") == "37144409")
    assert "cited" in seed["keyword"]

    made = refman(library_path, "new", "book", "--title", "A book typed in").stdout.strip()
    titles = {e["title"] for e in json.loads(target.read_text(encoding="utf-8"))}
    assert "A book typed in" in titles and made.isdigit()


def test_the_file_is_not_rewritten_when_nothing_it_covers_changed(library_path, tmp_path):
    target = tmp_path / "surgery.bib"
    refman(library_path, "import", "--collection", "Surgery", SEED_FILE)
    refman(library_path, "autoexport", "add", target, "--collection", "Surgery")
    before = stamp(target)
    refman(library_path, "import", RESULT1)  # not filed in Surgery
    refman(library_path, "list")
    refman(library_path, "export", "--format", "bibtex")
    refman(library_path, "import", SEED_FILE)  # a duplicate, skipped: nothing changes
    assert stamp(target) == before
    refman(library_path, "import", "--collection", "Surgery", ZOTERO_CASES[0])
    assert stamp(target) != before
    assert target.read_text(encoding="utf-8").count("@article") == 2


def test_list_remove_and_run(library_path, tmp_path):
    refman(library_path, "import", SEED_FILE)
    assert "No live exports" in refman(library_path, "autoexport", "list").stdout
    bib, ris = tmp_path / "refs.bib", tmp_path / "refs.ris"
    refman(library_path, "autoexport", "add", bib, "--format", "biblatex")
    refman(library_path, "autoexport", "add", ris)
    text = tmp_path / "refs.txt"
    refman(library_path, "autoexport", "add", text, "--style", "apa")
    lines = refman(library_path, "autoexport", "list").stdout.splitlines()
    assert len(lines) == 3 and f"{bib}  (BibLaTeX; My Library; written " in lines[0]
    assert "(Bibliography (plain text), apa; My Library;" in lines[2]
    listed = refman(library_path, "autoexport", "list", "--json").stdout
    rows = [json.loads(line) for line in listed.splitlines()]
    assert [(r["path"], r["format"], r["covers"]) for r in rows] == [
        (str(bib), "biblatex", "My Library"),
        (str(ris), "ris", "My Library"),
        (str(text), "text", "My Library"),
    ]
    text.unlink()
    ran = refman(library_path, "autoexport", "run").stdout
    assert ran.count("Wrote 1 item to") == 3 and text.is_file()
    removed = refman(library_path, "autoexport", "remove", str(rows[0]["id"])).stdout
    assert f"{bib} is no longer kept up to date" in removed
    refman(library_path, "autoexport", "remove", ris)
    assert len(refman(library_path, "autoexport", "list").stdout.splitlines()) == 1
    before = bib.read_text(encoding="utf-8")
    refman(library_path, "import", RESULT1)
    assert bib.read_text(encoding="utf-8") == before and bib.is_file()  # removed: left alone


def test_bad_autoexport_commands_say_why_and_keep_nothing(library_path, tmp_path):
    refman(library_path, "import", SEED_FILE)
    cases = [
        (["add", tmp_path / "refs.docx"], "Which format should"),
        (["add", tmp_path / "refs.bib", "--format", "docx"], "docx"),
        (["add", tmp_path / "refs.bib", "--collection", "Nope"], "no collection called 'Nope'"),
        (["add", tmp_path / "no" / "refs.bib"], "its folder does not exist"),
        (["add", library_path, "--format", "bibtex"], "the library itself"),
        (["add", f"{library_path}-wal", "--format", "ris"], "the library itself"),
        (["add", tmp_path / "refs.txt", "--style", "no-such-style-at-all"], "no-such-style"),
        (["remove", "42"], "There is no live export 42"),
    ]
    for args, message in cases:
        result = refman(library_path, "autoexport", *args, ok=False)
        assert result.returncode == 1, args
        assert result.stderr.startswith("refman: ") and message in result.stderr, result.stderr
    assert "No live exports" in refman(library_path, "autoexport", "list").stdout


def test_a_full_or_read_only_disk_is_told_and_keeps_the_previous_file(library_path, tmp_path):
    """The target on a small disk of its own; the library beside it is unharmed."""
    refman(library_path, "import", SEED_FILE)
    copies = tmp_path / "copies"
    copies.mkdir()
    script = (
        f'$REFMAN --library "{library_path}" autoexport add "$DISK/refs.json" >/dev/null && '
        f'cp "$DISK/refs.json" "{copies}/first.json" && '
        'head -c 1048576 /dev/zero > "$DISK/filler" 2>/dev/null; '
        f'$REFMAN --library "{library_path}" import "{RESULT2}"; echo "rc=$?"; '
        f'cp "$DISK/refs.json" "{copies}/after-full.json" && rm "$DISK/filler" && '
        'mount -o remount,ro "$DISK" && '
        f'$REFMAN --library "{library_path}" import "{RESULT1}"; echo "rc=$?"; '
        f'cp "$DISK/refs.json" "{copies}/after-read-only.json"'
    )
    out = on_a_small_disk(tmp_path / "disk", 256, script)
    assert out.count("rc=0") == 2, out  # the imports stand
    full = "live export " + str(tmp_path / "disk" / "refs.json")
    assert f"refman: {full}: Cannot write " in out
    assert "the disk is full. Nothing was written. The previous file is kept." in out
    assert "refs.json: it is on a read-only disk. The previous file is kept." in out
    first = (copies / "first.json").read_text(encoding="utf-8")
    assert pmids(copies / "first.json") == {"37144409"}
    for later in ("after-full.json", "after-read-only.json"):
        assert (copies / later).read_text(encoding="utf-8") == first
    with Library(library_path) as library:
        assert library.items.count() > 1  # both imports are in the library
        (export,) = library.live_exports.all()
        assert "read-only disk" in export.problem
    listed = refman(library_path, "autoexport", "list").stdout
    assert "it is on a read-only disk" in listed


def test_the_window_rewrites_the_file_after_its_changes_and_at_its_start(library_path, tmp_path):
    """Changes made while the window is closed are written when it starts; files handed to the
    open window (another process) are imported there, and the file follows."""
    target = tmp_path / "refs.json"
    refman(library_path, "import", SEED_FILE)
    refman(library_path, "autoexport", "add", target)
    with Library(library_path) as library:  # a change by a program that keeps no exports
        library.importing.files([RESULT1])
        expected = {ref.pmid for ref in library.items.each()}
    assert pmids(target) == {"37144409"}
    env = program_env(tmp_path / "home")
    window = start_window(library_path, env, tmp_path / "window")
    try:
        wait_until(lambda: pmids(target) == expected, WINDOW_WAIT_S, "the file at the start")
        hand_off(library_path, [RESULT2], env, timeout=WINDOW_WAIT_S)
        with Library(library_path, read_only=True) as library:
            wait_until(
                lambda: library.items.count() > len(expected), WINDOW_WAIT_S, "the import"
            )
            wait_until(
                lambda: pmids(target) == {ref.pmid for ref in library.items.each()},
                WINDOW_WAIT_S,
                "the file after the window's import",
            )
        assert window.alive()
    finally:
        assert window.terminate() == 0
    assert window.unexpected_output() == []


def test_a_saved_search_is_kept_up_to_date_from_the_command_line(library_path, tmp_path):
    refman(library_path, "import", RESULT1, RESULT2)
    refman(library_path, "searches", "add", "Bio", "bio*[ti]")
    target = tmp_path / "bio.json"
    added = refman(library_path, "autoexport", "add", target, "--search", "bio")
    assert "Saved search “Bio”" in added.stdout
    first = pmids(target)
    assert first and first < pmids_of_all(library_path)
    refman(library_path, "searches", "edit", "Bio", "structure*[ti]")  # a changing command
    assert pmids(target) != first
    both = refman(library_path, "autoexport", "add", tmp_path / "x.json", "--search", "Bio",
                  "--collection", "Any", ok=False)
    assert both.returncode == 1 and "not both" in both.stderr
    unknown = refman(library_path, "autoexport", "add", tmp_path / "y.json", "--search", "Nope",
                     ok=False)
    assert unknown.stderr == "refman: There is no saved search called 'Nope'.\n"


def pmids_of_all(path: Path) -> set[str]:
    with Library(path) as library:
        return {ref.pmid for ref in library.items.each()}
