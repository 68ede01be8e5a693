"""A query part's items held as a set of ids or as a mask (a byte per item id): AND, OR and
NOT give the same items either way (store/querying.py)."""

from __future__ import annotations

import itertools
import random

import pytest

from refman.store import querying
from refman.store.querying import Ids, as_set, both, either, other_than

EVERY = set(range(1, 40))  # the ids of a small library's items (0 is never an item's)


def as_mask(ids: set[int], length: int) -> bytearray:
    """The ids as a mask of ``length`` bytes, longer if an id is past it."""
    return querying.mask_of(sorted(ids), length)


def held(found: Ids) -> set[int]:
    """The library's items that ``found`` stands for."""
    ids = as_set(found.ids)
    return EVERY - ids if found.excluded else ids & EVERY


SAMPLES = [set(), {1}, {39}, set(range(1, 40)), {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37}]
SAMPLES += [set(random.Random(seed).sample(sorted(EVERY), 20)) for seed in range(3)]


def forms(ids: set[int]) -> list[set[int] | bytearray]:
    """The ids as a set and as masks shorter than the library (a part found before the last
    items were added), as long and longer."""
    return [set(ids), as_mask(ids, 1), as_mask(ids, 40), as_mask(ids, 64)]


@pytest.mark.parametrize(("first", "second"), list(itertools.product(SAMPLES[:5], SAMPLES)))
def test_and_or_not_find_the_same_items_with_sets_and_masks(first, second):
    for excluded_first, excluded_second in itertools.product((False, True), repeat=2):
        a_items = EVERY - first if excluded_first else first
        b_items = EVERY - second if excluded_second else second
        for a, b in itertools.product(forms(first), forms(second)):
            left, right = Ids(a, excluded_first), Ids(b, excluded_second)
            assert held(both(left, right)) == a_items & b_items
            assert held(either(left, right)) == a_items | b_items
            assert held(other_than(left)) == EVERY - a_items
            assert bool(left) == (excluded_first or bool(first))


def test_a_mask_is_counted_listed_and_turned_around():
    ids = {1, 5, 39}
    mask = as_mask(ids, 40)
    assert querying.size(mask) == 3
    assert querying.as_set(mask) == ids
    assert querying.any_in(mask) and not querying.any_in(bytearray(40))
    others = querying.inverted(mask, 64)
    assert len(others) == 64 and querying.as_set(others) == set(range(64)) - ids
    assert querying.as_set(querying.inverted(bytearray(), 3)) == {0, 1, 2}


def test_a_mask_grows_for_an_id_past_its_length():
    assert querying.as_set(querying.mask_of([3, 70], 10)) == {3, 70}


def test_ids_past_the_mask_length_become_a_mask(monkeypatch):
    monkeypatch.setattr(querying, "MASK_FROM", 2)

    class Db:
        def execute_sql(self, sql, params=()):
            class Row:
                def fetchone(self):
                    return (9,)

            return Row()

    assert querying._grouped(Db(), [1, 2]) == {1, 2}
    mask = querying._grouped(Db(), [1, 2, 12])
    assert isinstance(mask, bytearray) and querying.as_set(mask) == {1, 2, 12}
