"""``refman key``: an item's citation key shown, set (another item's refused), made again from
the pattern, the pattern shown and set; ``list --json`` gives each key and ``export`` uses them."""

from __future__ import annotations

import json
import re

import pytest

from refman.citekeys import DEFAULT_PATTERN
from tests.safety_helpers import refman
from tests.samples import SEED_FILE

pytestmark = pytest.mark.system


def keys_listed(library_path) -> dict[int, str]:
    result = refman(library_path, "list", "--json")
    assert result.returncode == 0, result.stderr
    return {item["id"]: item["key"] for item in map(json.loads, result.stdout.splitlines())}


def test_keys_are_listed_shown_set_and_exported(library_path):
    assert refman(library_path, "import", SEED_FILE).returncode == 0
    made = refman(library_path, "new", "article-journal", "--title", "Safety again",
                  "--field", "author=Knowles, Charles", "--field", "date=2023")  # fmt: skip
    second = int(made.stdout)
    assert keys_listed(library_path) == {1: "knowles2023safety", second: "knowles2023asafety"}
    shown = refman(library_path, "key", "1")
    assert (shown.returncode, shown.stdout) == (0, "knowles2023safety\n")
    changed = refman(library_path, "key", "1", "Knowles:Iltamiocel")
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout == "Item 1: Knowles:Iltamiocel (was knowles2023safety)\n"
    bibtex = refman(library_path, "export", "--format", "bibtex").stdout
    # The export is sorted by creators: the second item ("Knowles, Charles") comes first.
    assert re.findall(r"^@\w+\{([^,]+),", bibtex, re.M) == [
        "knowles2023asafety",
        "Knowles:Iltamiocel",
    ]
    csl = json.loads(refman(library_path, "export", "--format", "csl-json").stdout)
    assert [item["id"] for item in csl] == ["knowles2023asafety", "Knowles:Iltamiocel"]


def test_another_items_key_a_bad_key_and_a_missing_item_are_refused(library_path):
    assert refman(library_path, "import", SEED_FILE).returncode == 0
    refman(library_path, "new", "book", "--title", "Other", "--field", "author=Smith, J")
    taken = refman(library_path, "key", "2", "KNOWLES2023SAFETY")
    assert taken.returncode == 1
    assert taken.stderr.startswith("refman: The key 'KNOWLES2023SAFETY' is already item 1's")
    spaced = refman(library_path, "key", "2", "two words")
    assert spaced.returncode == 1 and "cannot hold a space" in spaced.stderr
    missing = refman(library_path, "key", "99")
    assert (missing.returncode, missing.stderr) == (1, "refman: There is no item with id 99.\n")
    not_a_number = refman(library_path, "key", "abc")
    assert not_a_number.returncode == 1 and "is not an item id" in not_a_number.stderr
    assert keys_listed(library_path) == {1: "knowles2023safety", 2: "smithother"}


def test_the_pattern_is_shown_set_refused_when_bad_and_regenerate_uses_it(library_path):
    assert refman(library_path, "import", SEED_FILE).returncode == 0
    assert refman(library_path, "key", "--pattern").stdout == DEFAULT_PATTERN + "\n"
    bad = refman(library_path, "key", "--pattern", "[auth][nope]")
    assert bad.returncode == 1
    assert bad.stderr.startswith("refman: The key pattern has an unknown part [nope]. The parts")
    good = refman(library_path, "key", "--pattern", "pmid[pmid]|[auth:lower][year]")
    assert good.stdout == "Key pattern: pmid[pmid]|[auth:lower][year]\n"
    assert keys_listed(library_path) == {1: "knowles2023safety"}  # made keys stay
    regenerated = refman(library_path, "key", "--regenerate", "1")
    assert regenerated.stdout == "1  pmid37144409  (was knowles2023safety)\n"
    assert keys_listed(library_path) == {1: "pmid37144409"}
    assert refman(library_path, "key", "--regenerate").returncode == 1
