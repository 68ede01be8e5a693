"""How fields are shown and read back: dates as typed, stored moments as local time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from refman.gui.fields import date_to_text, display_time, item_type_label, text_to_date
from refman.model import PartialDate, RefmanError


@pytest.mark.parametrize(
    ("text", "year", "month", "day"),
    [
        ("2023", 2023, None, None),
        ("2023 Dec", 2023, 12, None),
        ("2023 Dec 1", 2023, 12, 1),
        ("2023-12-01", 2023, 12, 1),
        ("2023/7", 2023, 7, None),
        ("Winter 2023", 2023, None, None),
        ("2023 Sep-Oct", 2023, 9, None),
        ("  2023   december  5 ", 2023, 12, 5),
    ],
)
def test_dates_are_read_as_typed(text, year, month, day):
    date = text_to_date(text)
    assert (date.year, date.month, date.day) == (year, month, day)
    assert date.text == " ".join(text.split())


def test_an_empty_date_clears_it():
    assert text_to_date("  ") == PartialDate()


@pytest.mark.parametrize("text", ["soon", "Dec 1", "2023-13-01", "2023-12-40"])
def test_impossible_dates_are_refused(text):
    with pytest.raises(RefmanError):
        text_to_date(text)


def test_a_date_without_printed_text_is_built_from_its_parts():
    assert date_to_text(PartialDate(2023, 12, 1)) == "2023 Dec 1"
    assert date_to_text(PartialDate(2023)) == "2023"
    assert date_to_text(PartialDate(2023, 5, 1, "2023 May 1 (online)")) == "2023 May 1 (online)"


def test_stored_moments_are_shown_in_local_time():
    moment = datetime(2024, 3, 1, 12, 30, tzinfo=UTC)
    assert display_time("2024-03-01T12:30:00Z") == moment.astimezone().strftime("%Y-%m-%d %H:%M")
    assert display_time("") == ""


def test_item_types_have_names():
    assert item_type_label("article-journal") == "Journal Article"
    assert item_type_label("chapter") == "Book Section"
