"""CSL-JSON: standard variables for other tools, and a lossless round trip for refman."""

import io
import json

import pytest

from refman.formats import csl_json
from refman.model import (
    RefmanError,
)
from tests.samples import CSL_CHAPTER, CSL_DATA


def test_to_csl_uses_the_standard_variables():
    item = csl_json.to_csl(CSL_CHAPTER, "x")
    assert item["type"] == "chapter"
    assert item["author"] == [
        {"family": "de Brouwer", "given": "Anna"},
        {"literal": "PROSPECT Study Group"},
    ]
    assert item["editor"] == [{"family": "van Raaij", "given": "Jan"}]
    assert item["container-title"] == "Colorectal surgery"
    assert item["collection-title"] == "Surgical techniques"
    assert item["issued"] == {"date-parts": [[2013]], "season": 4}
    assert item["publisher-place"] == "London"
    assert item["ISSN"] == "1234-5678, 8765-4321"  # every ISSN, not only the first
    assert item["keyword"] == "Fecal Incontinence, sphincter, to read"
    assert "pmid" not in item and "PMID" not in item  # empty fields are left out


def test_the_seed_matches_the_reference_csl_json():
    seed_item = json.loads((CSL_DATA / "seed.csl.json").read_text(encoding="utf-8"))[0]
    ref = csl_json.from_csl(seed_item)
    item = csl_json.to_csl(ref, "seed")
    assert item == seed_item


def test_round_trip_keeps_everything():
    out = io.StringIO()
    csl_json.write([CSL_CHAPTER], out)
    (back,) = csl_json.read_text(out.getvalue())
    assert back == CSL_CHAPTER


def test_broken_json_is_a_plain_error():
    with pytest.raises(RefmanError, match="not valid CSL-JSON"):
        csl_json.read_text("[{]")
