"""Sort keys with shorter numbers (issue 18, i18-file100k): ``mapping.natural_key`` writes each
number in fewer characters than the ten-digit padding it used before, and every two keys must
compare exactly as their padded keys did (equal, before or after), in Python and in SQLite."""

import re
import sqlite3
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from refman.store import mapping

_NUMBER = re.compile(r"\d+")


def padded_key(text: str) -> str:
    """``natural_key`` as it was before issue 18 (i18-file100k)."""
    return _NUMBER.sub(lambda m: m.group().zfill(10), text.casefold().strip())


def _sign(a: str, b: str) -> int:
    return (a > b) - (a < b)


def assert_same_order(texts: list[str]) -> None:
    old = {text: padded_key(text) for text in texts}
    new = {text: mapping.natural_key(text) for text in texts}
    for a, b in combinations(texts, 2):
        assert _sign(new[a], new[b]) == _sign(old[a], old[b]), (a, b, new[a], new[b])
    for text in texts:  # one way and back: what the schema step and fingerprints do
        assert mapping.shorter_numbers(old[text]) == new[text], text
        assert mapping.padded_numbers(new[text]) == old[text], text


# Numbers of every length around ten digits, with and without leading zeros, beside text that
# sorts before digits (space, "-", ".") and after them (letters, "~", accented letters).
EDGES = [
    "", "0", "00", "0000000000", "00000000000", "000000000000", "7", "07", "0007", "9", "10",
    "099", "99", "100", "123456789", "0123456789", "1234567890", "01234567890", "9999999999",
    "99999999999", "10000000000", "0000000001", "00000000001", "000000000012", "0000000000123",
    "12345678901234567890", "1-5", "1 5", "1.5", "1a", "1~", "a1", "a01", "a10", "a9", "a9b",
    "a09b", "s10-s12", "s9", "e1002345", "e100234", "2753-2764", "27530-2764", "1234567890x",
    "1234567890-1", "12345678901", "0123456789a", "01234567891a", "012345678901-", "x 00000000",
    "x 000000000 y", "x 0000000000 y", "x 00000000000 y", "ü1", "1ü", "١٢٣", "a١٢", "٠٠٠٠٠٠٠٠٠٠١",
    "١٢٣٤٥٦٧٨٩٠١", "1١", "١1", "0١", "9 a", "9a", "9~", "8 9", "89", "123456789 x",
    "1234567891 x", "0000000008123", "8123456789", "08123456789",
]  # fmt: skip


def test_numbers_of_every_length_sort_as_padded_ones_did():
    assert_same_order(EDGES)


def test_numbers_are_written_shorter():
    assert mapping.natural_key("7") == "07"
    assert mapping.natural_key("0123") == "2123"
    assert mapping.natural_key("0") == "00"
    assert mapping.natural_key("30000005") == "730000005"
    assert mapping.natural_key("2753-2764") == "32753-32764"
    assert mapping.natural_key("1234567890") == "91234567890"
    assert mapping.natural_key("S10-S12") == "s110-s112"


_DIGITS = st.sampled_from("0123456789")
_PIECES = st.one_of(
    st.text(_DIGITS, min_size=1, max_size=14),
    st.text(st.sampled_from("0000000000012"), min_size=1, max_size=25),
    st.text(st.sampled_from(" -.az~/Zé٣"), min_size=1, max_size=3),
    st.text(max_size=3),
)
_TEXTS = st.lists(_PIECES, max_size=5).map("".join)


@settings(max_examples=300)
@given(st.lists(_TEXTS, min_size=2, max_size=12))
def test_any_texts_sort_as_their_padded_keys_did(texts):
    assert_same_order(texts)


@settings(max_examples=300)
@given(_TEXTS)
def test_a_key_written_short_already_is_kept_by_the_schema_step(text):
    key = mapping.natural_key(text)
    runs = _NUMBER.findall(key)
    if any(len(run) < 10 for run in runs):
        assert mapping.shorter_numbers(key) == key


def test_sqlite_sorts_the_keys_as_python_does():
    texts = EDGES + [f"vol {n}" for n in (1, 2, 10, 11, 100, 1000000000, 99999999)]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (text TEXT, old TEXT, new TEXT)")
    db.executemany(
        "INSERT INTO t VALUES (?, ?, ?)",
        [(t, padded_key(t), mapping.natural_key(t)) for t in texts],
    )
    by_old = [row[0] for row in db.execute("SELECT text FROM t ORDER BY old, text")]
    by_new = [row[0] for row in db.execute("SELECT text FROM t ORDER BY new, text")]
    db.close()
    assert by_new == by_old
