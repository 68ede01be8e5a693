"""refman.library.collections: a collection needs a name."""

import pytest

from refman.model import RefmanError
from tests.samples import SEED_FILE


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_collection_name_is_refused(library, blank):
    made, _ = library.collections.create("Reading")
    for refused in (
        lambda: library.collections.create(blank),
        lambda: library.collections.rename(made.id, blank),
        lambda: library.importing.files([SEED_FILE], collection=blank),
    ):
        with pytest.raises(RefmanError, match="^A collection needs a name.$"):
            refused()
    assert library.collections.all() == [made] and library.items.count() == 0
