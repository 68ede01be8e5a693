"""Fixtures the MEDLINE tests share."""

import pytest

from refman.formats import medline
from refman.model import Reference
from tests.samples import SEED_FILE


@pytest.fixture(scope="session")
def seed() -> Reference:
    """The seed's MEDLINE record (its line breaks lost), read without a problem; a Reference is
    immutable, so one serves the whole run."""
    problems: list = []
    (ref,) = medline.read(SEED_FILE, on_problem=problems.append)
    assert problems == []
    return ref
