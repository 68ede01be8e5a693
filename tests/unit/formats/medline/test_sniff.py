"""Is it MEDLINE? The first bytes of a file, looked at before it is read."""

import refman.formats.medline as medline
from tests.unit.formats.medline.helpers import (
    PLAIN,
)
from tests.unit.formats.samples import SEED_FILE


def test_sniff_accepts_medline_heads():
    assert medline.sniff(PLAIN)
    assert medline.sniff(SEED_FILE.read_text()[:4096])
    assert medline.sniff("\ufeffPMID- 1\n")
    assert medline.sniff("Search results\n\nOWN - ERIC\nTI  - A title\n")
