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
    """Write ``refs`` as one CSL-JSON array. Each item's ``id`` is from ``ids`` when given
    (an item imported from CSL-JSON then keeps its own), else the reference's stored
    citation key (Pandoc's key, the same as BibTeX's), else, for a reference not from a
    library, its own id as read or its position."""
    items = []
    for n, ref in enumerate(refs):
        if ids:
            item = export_item(ref, ids[n])
        elif ref.id is not None and ref.citation_key:  # the library's key
            item = export_item(ref, ref.citation_key, keep_own_id=False)
        else:
            item = export_item(ref, str(ref.id if ref.id is not None else n + 1))
        items.append(item)
    json.dump(items, out, ensure_ascii=False, indent=1)
    out.write("\n")
