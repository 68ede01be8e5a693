"""CSL-JSON: standard variables for other tools, and a lossless round trip for refman."""

import io
import json

import pytest

from refman.formats import csl_json
from refman.model import (
    Creator,
    Issn,
    MeshQualifier,
    PartialDate,
    Reference,
    RefmanError,
    Tag,
)
from tests.unit.formats.samples import CSL_DATA

CHAPTER = Reference(
    item_type="chapter",
    title="Anal sphincter repair",
    container_title="Colorectal surgery",
    collection_title="Surgical techniques",
    pages="101-120",
    date=PartialDate(2013, None, None, "2013 Winter", "Winter"),
    isbn="978-0-12-345678-9",
    publisher="Springer",
    place="London",
    issns=(Issn("1234-5678", "Print"), Issn("8765-4321", "Electronic")),
    creators=(
        Creator("de Brouwer", "Anna", affiliations=("Leiden", "Delft"), ids=("0000-0002 [ORCID]",)),
        Creator(literal="PROSPECT Study Group"),
        Creator("van Raaij", "Jan", role="editor"),
    ),
    tags=(
        Tag("Fecal Incontinence", "mesh", True, (MeshQualifier("surgery", True),)),
        Tag("sphincter", "keyword"),
        Tag("to read"),
    ),
    publication_types=("Book Chapter",),
)


def test_to_csl_uses_the_standard_variables():
    item = csl_json.to_csl(CHAPTER, "x")
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
    assert item["ISSN"] == "1234-5678"
    assert item["keyword"] == "Fecal Incontinence, sphincter, to read"
    assert "pmid" not in item and "PMID" not in item  # empty fields are left out


def test_the_seed_matches_the_reference_csl_json():
    seed_item = json.loads((CSL_DATA / "seed.csl.json").read_text(encoding="utf-8"))[0]
    ref = csl_json.from_csl(seed_item)
    item = csl_json.to_csl(ref, "seed")
    assert item == seed_item


def test_round_trip_keeps_everything():
    out = io.StringIO()
    csl_json.write([CHAPTER], out)
    (back,) = csl_json.read_text(out.getvalue())
    assert back == CHAPTER


def test_broken_json_is_a_plain_error():
    with pytest.raises(RefmanError, match="not valid CSL-JSON"):
        csl_json.read_text("[{]")
