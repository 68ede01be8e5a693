"""Is it CSL-JSON? The sniffer takes CSL-JSON in every shape and refuses the other formats."""

import codecs
import io
import json

import pytest

from refman import formats
from refman.formats import csl_json
from tests.samples import ALL, BAD, CSL_DATA, EXPORT, REAL_FILES

CASES = sorted((CSL_DATA.parent / "import" / "csljson").glob("*.json"))
CSL_FILES = [p for p in CASES if not p.name.endswith(".expected.json")] + [
    CSL_DATA / "seed.csl.json"
]


def head(data: bytes) -> bytes:
    return data[: formats.SNIFF_BYTES]


def own_export() -> bytes:
    out = io.StringIO()
    csl_json.write(ALL, out)
    return out.getvalue().encode()


@pytest.mark.parametrize("path", CSL_FILES, ids=lambda p: p.name)
def test_csl_json_files_are_recognised_whatever_their_name(path):
    assert formats.sniff(head(path.read_bytes()), "references.nbib") is formats.FORMATS["csl-json"]


def test_refmans_own_export_in_every_encoding():
    data = own_export()
    for encoded in (data, codecs.BOM_UTF8 + data, data.decode().encode("utf-16")):
        assert csl_json.sniff(head(encoded))


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        " [ ]\n",
        '{"title": "A"}',
        '[{"id": "x", "type": "book", "title": "A"}]',
        # Pandoc writes members in alphabetical order: a long abstract may fill the head.
        json.dumps([{"abstract": "word " * 2000, "author": [{"family": "A"}], "title": "T"}]),
    ],
)
def test_small_items_and_long_abstracts_are_csl_json(text):
    assert csl_json.sniff(head(text.encode()))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "PMID- 1\nTI  - A title.\n",
        "TY  - JOUR\nTI  - A title\nER  - \n",
        "@article{key, title={A}}",
        "<?xml version='1.0'?><PubmedArticleSet/>",
        "[1, 2, 3]",
        '{"name": "refman", "version": "1.0", "type": "module", "author": "me"}',
        '{"title": "Settings", "width": 3}',  # one CSL word among others' keys
        "{not json at all",
    ],
)
def test_other_formats_and_other_json_are_refused(text):
    assert not csl_json.sniff(head(text.encode()))


OTHER_FILES = [
    *REAL_FILES,
    *sorted(EXPORT.iterdir()),
    *sorted(p for p in BAD.iterdir() if p.suffix != ".md"),
]


@pytest.mark.parametrize("path", OTHER_FILES, ids=lambda p: p.name)
def test_the_other_formats_sample_files_are_refused(path):
    assert not csl_json.sniff(head(path.read_bytes()))


def test_zoteros_own_item_json_is_not_taken_for_csl_json():
    zotero_items = (
        CSL_DATA.parent / "import" / "csljson" / "zotero-csljson-01.expected.json"
    ).read_bytes()
    assert b'"itemType"' in zotero_items
    assert not csl_json.sniff(zotero_items[:4096])
