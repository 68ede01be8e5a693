"""What the command line refuses, and how it says so: queries with no words, arguments that are
not UTF-8, paths that cannot be a library, blank tags, control characters on the terminal, and
an export to a full disk. Each runs the installed ``refman`` as a user would and checks what
the user sees: the message, the exit code, and the files left on disk."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from refman.library import Library
from refman.model import Creator, PartialDate, Reference, ViewQuery
from tests.safety_helpers import BAD_LIBRARIES, REFMAN, expected_message, refman, snapshot
from tests.samples import SEED_FILE

NO_WORDS = ["?", "*", "^", "\U0001f600", "? *"]
# Queries the search syntax cannot read, and where it says the trouble is.
BAD_SYNTAX = [
    ('"', "the quote at character 1 is never closed"),
    ("(", 'the "(" at character 1 is never closed'),
    ("? * (", 'the "(" at character 5 is never closed'),
    ("stroke[xyz]", "[xyz] at character 7 is not a field refman knows"),
    ("stroke OR", "OR at character 8 needs a search term after it"),
]


def stderr_is(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"refman: {message}\n"


# --- 1. a query with no words ----------------------------------------------------------------


@pytest.mark.parametrize("query", NO_WORDS)
def test_a_query_with_no_words_tags_and_untags_nothing(filled_library, query):
    assert refman(filled_library, "tag", "add", "keep", "--all").returncode == 0
    before = snapshot(filled_library)
    for action in ("remove", "add"):
        result = refman(filled_library, "tag", action, "keep", "--query", query)
        stderr_is(result, f"the query '{query}' has no words to search for")
        assert result.stdout == ""
    assert snapshot(filled_library) == before


@pytest.mark.parametrize(("query", "said"), BAD_SYNTAX)
def test_a_query_that_cannot_be_read_changes_nothing_and_says_where(filled_library, query, said):
    before = snapshot(filled_library)
    for command in (["tag", "remove", "keep", "--query", query], ["list", "--query", query]):
        result = refman(filled_library, *command)
        assert result.returncode == 1, result.stderr
        assert result.stderr.startswith(f"refman: the query '{query}' cannot be read: {said}")
        assert result.stdout == ""
    assert snapshot(filled_library) == before


def test_a_pdf_search_finds_items_by_the_words_of_their_pdfs(filled_library):
    pdf = Path(__file__).parents[1] / "data" / "pdf" / "rehabil-res-pract-2010-hindawi.pdf"
    assert refman(filled_library, "list", "--query", "heart failure[pdf]").stdout == ""
    with Library(filled_library) as library:
        item = library.items.search()[0]
    attached = refman(filled_library, "attach", str(item), str(pdf))
    assert attached.returncode == 0, attached.stderr
    result = refman(filled_library, "list", "--query", "heart failure[pdf]", "--json")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [item]


@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["export"]])
def test_list_and_export_say_the_query_has_no_words(filled_library, command):
    result = refman(filled_library, *command, "--query", "?")
    stderr_is(result, "the query '?' has no words to search for")
    assert result.stdout == ""


def test_a_word_beside_marks_is_still_searched(filled_library):
    listed = refman(filled_library, "list", "--query", "? iltamiocel *").stdout.splitlines()
    assert len(listed) == 1 and "iltamiocel" in listed[0].lower()


@pytest.mark.parametrize(
    ("query", "said"), [(None, "the query is missing"), ("", "the query is empty"), ("  ", "empty")]
)
def test_tag_without_a_query_needs_all(filled_library, query, said):
    before = snapshot(filled_library)
    given = [] if query is None else ["--query", query]
    result = refman(filled_library, "tag", "remove", "to read", *given)
    assert result.returncode == 1
    assert said in result.stderr and "--all for every item" in result.stderr
    assert snapshot(filled_library) == before


def test_tag_all_tags_every_item_outside_the_trash(filled_library):
    result = refman(filled_library, "tag", "add", "everything", "--all")
    with Library(filled_library, read_only=True) as library:
        in_library, in_trash = library.items.search(), library.items.search(ViewQuery(trashed=True))
        assert result.stdout == f"Tagged {len(in_library)} items 'everything'.\n"
        assert library.items.search(ViewQuery(tags=["everything"])) == in_library
        assert library.items.search(ViewQuery(tags=["everything"], trashed=True)) == []
        assert in_trash  # the trash holds an item, which --all left alone


def test_tag_with_both_a_query_and_all_is_refused(filled_library):
    before = snapshot(filled_library)
    result = refman(filled_library, "tag", "add", "x", "--all", "--query", "brain")
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr
    assert snapshot(filled_library) == before


def test_tag_help_names_query_and_all(filled_library):
    shown = refman(filled_library, "tag", "--help").stdout
    assert "--query TEXT" in shown and "--all" in shown and "every item" in shown


# --- 2. arguments that are not UTF-8 ----------------------------------------------------------

# Python gives a byte that is not UTF-8 in an argument as a lone surrogate (surrogateescape);
# handed to subprocess, it goes back to the program as the raw byte 0xff.
BAD = "\udcff"


@pytest.mark.parametrize(
    ("args", "name", "shown"),
    [
        (["tag", "add", f"{BAD}tag", "--all"], "TAG", "\\xfftag"),
        (["tag", "add", "ok", "--query", f"brain{BAD}"], "--query", "brain\\xff"),
        (["note", "add", "1", BAD], "TEXT", "\\xff"),
        (["import", "--tag", f"t{BAD}", SEED_FILE], "--tag", "t\\xff"),
        (["import", "--collection", f"{BAD}c", SEED_FILE], "--collection", "\\xffc"),
        (["list", "--query", BAD], "--query", "\\xff"),
        (["export", "--style", f"ama{BAD}"], "--style", "ama\\xff"),
        (["export", "--collection", BAD], "--collection", "\\xff"),
        (["styles", BAD], "TEXT", "\\xff"),
    ],
)
def test_a_text_argument_that_is_not_utf8_is_named_plainly(filled_library, args, name, shown):
    before = snapshot(filled_library)
    result = refman(filled_library, *args)
    stderr_is(result, f"{name} '{shown}' holds bytes that are not UTF-8 text: give it in UTF-8.")
    assert snapshot(filled_library) == before


def test_file_names_that_are_not_utf8_still_work(tmp_path):
    folder = tmp_path / f"papers{BAD}"
    folder.mkdir()
    paper = folder / f"seed{BAD}.nbib"
    shutil.copy(SEED_FILE, paper)
    library = folder / f"library{BAD}.sqlite"
    imported = refman(library, "import", paper)
    assert imported.stdout == "Imported: 1 added, 0 duplicates skipped from 1 file.\n"
    output = folder / f"out{BAD}.json"
    exported = refman(library, "export", "--output", output)
    assert exported.returncode == 0
    assert exported.stderr == f"Exported 1 item to {tmp_path}/papers\\xff/out\\xff.json\n"
    assert json.loads(output.read_bytes())[0]["PMID"] == "37144409"
    backed_up = refman(library, "backup")
    assert backed_up.returncode == 0 and "library\\xff.sqlite to " in backed_up.stdout


def test_a_missing_file_whose_name_is_not_utf8_is_reported(tmp_path):
    result = refman(tmp_path / "library.sqlite", "import", tmp_path / f"gone{BAD}.nbib")
    assert result.returncode == 1
    assert f"{tmp_path}/gone\\xff.nbib: no such file or folder" in result.stdout


# --- 3 and 4. paths that cannot be a library --------------------------------------------------


COMMANDS = [["list"], ["import", SEED_FILE], ["tag", "add", "x", "--all"], ["export"], ["check"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("kind", list(BAD_LIBRARIES))
def test_a_path_that_cannot_be_a_library_is_said_plainly(tmp_path, kind, command):
    path = BAD_LIBRARIES[kind][0](tmp_path)
    before = sorted(tmp_path.rglob("*"))
    result = refman(path, *command)
    assert result.returncode == 1
    assert result.stderr.startswith("refman: " + expected_message(kind, tmp_path, path))
    assert sorted(tmp_path.rglob("*")) == before  # no folder made, no file beside it


def _beside_dev_null() -> dict[str, tuple | None]:
    """What lies beside /dev/null where SQLite and refman would put their files."""
    found = {}
    for name in ("null-journal", "null-wal", "null-shm", "backups"):
        try:
            info = os.stat(Path("/dev") / name)
        except FileNotFoundError:
            found[name] = None
        else:
            found[name] = (info.st_ino, info.st_mtime_ns)
    return found


def test_nothing_is_made_beside_a_device():
    before = _beside_dev_null()
    for command in COMMANDS:
        assert refman(Path("/dev/null"), *command).returncode == 1
    assert _beside_dev_null() == before  # nothing made, nothing touched


def test_the_environment_variable_is_checked_as_the_option_is(tmp_path):
    path = tmp_path / "missing" / "lib.sqlite"
    result = refman(None, "import", SEED_FILE, env=dict(os.environ, REFMAN_LIBRARY=str(path)))
    assert result.returncode == 1
    assert result.stderr.startswith(f"refman: There is no folder {tmp_path}/missing for the")
    assert not (tmp_path / "missing").exists()


def test_the_default_library_is_made_with_its_folders(tmp_path):
    """The quick start: no --library, nothing made yet; the user data folder is made."""
    env = {k: v for k, v in os.environ.items() if k not in ("REFMAN_LIBRARY", "XDG_DATA_HOME")}
    env["HOME"] = str(tmp_path / "home")
    result = refman(None, "import", SEED_FILE, env=env)
    assert result.returncode == 0, result.stderr
    default = tmp_path / "home" / ".local" / "share" / "refman" / "library.sqlite"
    with Library(default, read_only=True) as library:
        assert library.items.count() == 1


def test_a_library_in_a_folder_without_permission_is_said_plainly(tmp_path):
    """Run without privileges (a user namespace with no mapping: root's permission bits bind)."""
    locked = tmp_path / "locked"
    locked.mkdir(mode=0)
    path = locked / "lib.sqlite"
    argv = ["unshare", "--user", REFMAN, "--library", path, "list"]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == (
        f"refman: {path} cannot be opened: you have no permission to open its folder.\n"
    )


# --- 5. an export on a full disk --------------------------------------------------------------

FULL_DISK = """
mount -t tmpfs -o size=256k none "$FULL" || exit 99
if [ -n "$OLD" ]; then printf '%s' "$OLD" > "$FULL/refs.txt"; fi
"$REFMAN" --library "$LIBRARY" export --format medline --output "$FULL/refs.txt"
status=$?
echo "left: $(ls -A "$FULL")"
if [ -e "$FULL/refs.txt" ]; then cat "$FULL/refs.txt"; fi
exit $status
"""


def export_to_a_full_disk(library: Path, folder: Path, old: str) -> subprocess.CompletedProcess:
    """``refman export`` to a 256 KiB disk of its own (a tmpfs in a user namespace, no
    privileges needed); the disk exists only while the shell runs, so it reports what is left."""
    folder.mkdir()
    env = dict(os.environ, FULL=str(folder), LIBRARY=str(library), REFMAN=str(REFMAN), OLD=old)
    env.pop("REFMAN_LIBRARY", None)
    argv = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", FULL_DISK]
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode != 99, result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.mark.parametrize("old", ["the export of last week\n", ""], ids=["over a file", "new"])
def test_an_export_to_a_full_disk_leaves_the_old_file_whole(tmp_path, filled_library, old):
    with Library(filled_library, read_only=True) as opened:
        assert (
            len(opened.exporting.export(opened.items.search(), "medline")) > 256 * 1024
        )  # it cannot fit
    full = tmp_path / "full"
    result = export_to_a_full_disk(filled_library, full, old)
    assert result.returncode == 1
    said = f"Cannot write {full}/refs.txt: the disk is full. Nothing was written."
    assert result.stderr == f"refman: {said}\n"
    left = "refs.txt" if old else ""
    assert result.stdout == f"left: {left}\n{old}"  # no temporary file, the old one as it was


def test_an_export_replaces_a_file_whole(tmp_path, filled_library):
    out = tmp_path / "refs.ris"
    out.write_text("an older export, longer than the new one " * 10_000, encoding="utf-8")
    out.chmod(0o640)
    result = refman(
        filled_library, "export", "--format", "ris", "--query", "iltamiocel", "--output", out
    )
    assert result.returncode == 0, result.stderr
    with Library(filled_library, read_only=True) as library:
        assert (
            out.read_bytes()
            == library.exporting.export(
                library.items.search(ViewQuery(text="iltamiocel")), "ris"
            ).encode()
        )
    assert (out.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# --- 6. blank tags and collections ------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tag", "add", "", "--all"], "A tag needs a name: it cannot be blank."),
        (["tag", "add", "   ", "--all"], "A tag needs a name: it cannot be blank."),
        (["tag", "remove", " ", "--all"], "A tag needs a name: it cannot be blank."),
        (["import", "--tag", "  ", SEED_FILE], "A tag needs a name: it cannot be blank."),
        (["import", "--collection", "  ", SEED_FILE], "A collection needs a name."),
        (["export", "--collection", ""], "There is no collection called ''."),
    ],
)
def test_blank_tags_and_collections_are_refused(filled_library, args, message):
    before = snapshot(filled_library)
    result = refman(filled_library, *args)
    stderr_is(result, message)
    assert snapshot(filled_library) == before


# --- 7. control characters on the terminal ----------------------------------------------------

HOSTILE_TITLE = "Bell\x07 and \x1b[2J clear\x08 screen\x9b31m red\x7f\nsecond line"
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # all but the newline between rows


@pytest.fixture
def hostile_library(library_path) -> Path:
    """A library holding one item whose title and creator hold control characters."""
    with Library(library_path) as library:
        library.items.add(
            Reference(
                title=HOSTILE_TITLE,
                creators=(Creator("Esc\x1bape", "A"),),
                date=PartialDate(2020),
            )
        )
    return library_path


def test_list_shows_control_characters_escaped(hostile_library):
    out = refman(hostile_library, "list").stdout
    assert not CONTROL.search(out)
    assert out.count("\n") == 1  # one item, one line: the title's newline is shown as \x0a
    assert "Esc\\x1bape" in out
    assert out.rstrip("\n").endswith(
        "Bell\\x07 and \\x1b[2J clear\\x08 screen\\x9b31m red\\x7f\\x0asecond line"
    )


def test_list_json_escapes_every_control_character(hostile_library):
    out = refman(hostile_library, "list", "--json").stdout
    assert not CONTROL.search(out)
    row = json.loads(out)
    assert row["title"] == HOSTILE_TITLE
    assert row["creators"] == [{"name": "Esc\x1bape, A", "role": "author"}]
