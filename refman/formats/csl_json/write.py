"""Writing CSL-JSON: one JSON array of items.

A reference imported from CSL-JSON is written as the item it was imported from, with only the
members of the fields edited since replaced (mapping.export_item); any other reference is
mapped afresh, with refman's own ``_refman`` member for what CSL has no variable for.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from refman.formats.csl_json.mapping import export_item
from refman.model import Reference


def write(refs: Sequence[Reference], out: TextIO, ids: Sequence[str] | None = None) -> None:
    """Write ``refs`` as one CSL-JSON array; ``ids`` default to the library ids or positions
    (an imported item keeps its own id: a Pandoc citation key, Zotero's item URI)."""
    items = []
    for n, ref in enumerate(refs):
        item_id = ids[n] if ids else str(ref.id if ref.id is not None else n + 1)
        items.append(export_item(ref, item_id))
    json.dump(items, out, ensure_ascii=False, indent=1)
    out.write("\n")
