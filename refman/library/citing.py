"""Citing in documents: a document's citations of library items, rendered in a CSL style as
a whole (positions, numbers, disambiguation across the document) by the citation engine
(refman.formats.csl.document), with its bibliography.

Later parts build on this: ``refman format-document`` and the LibreOffice extension give it
the citations they found in a manuscript (item ids here) and write back the texts. The CSL
engine is imported when a document is first cited, so that the window starts without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from refman.library.use_case import UseCase
from refman.model import ItemId
from refman.store import items

if TYPE_CHECKING:
    from refman.formats.csl.document import Citation, CitedDocument
    from refman.formats.csl_json import Json


class Citing(UseCase):
    """Documents citing the items of one open library."""

    def cite_document(
        self, style: str, citations: Sequence[Citation], fmt: str = "text", locale: str = ""
    ) -> CitedDocument:
        """Each citation's final text (``fmt``: text, html or rtf) and the bibliography of a
        document whose ``citations`` cite library items: a cite's ``id`` is an item id (as a
        string). MissingItemError when an item is not (or no longer) in the library; a
        RefmanError in plain words for an unknown style or a cite that is not an item id.
        The result's ``items`` are the CSL-JSON records the engine was given, by cite id.
        ``locale`` (a language tag such as de-DE) is used when the style sets none."""
        from refman.formats.csl.document import cite_document

        ids = _item_ids(citations)
        return cite_document(self.csl_items(ids), citations, style, fmt, locale)

    def csl_items(self, ids: Sequence[ItemId]) -> list[Json]:
        """The CSL-JSON of items, each with its item id (as a string) for ``id``."""
        from refman.formats.csl_json import to_csl

        with self._connection.reading() as db:
            refs = items.load(db, ids, source_records=False, tag_details=False)
        return [to_csl(ref, str(item_id)) for item_id, ref in zip(ids, refs, strict=True)]


def _item_ids(citations: Sequence[Citation]) -> list[ItemId]:
    """The items cited, once each, in the order first cited."""
    from refman.model import RefmanError

    ids: dict[ItemId, None] = {}
    for number, citation in enumerate(citations, 1):
        for cite in citation.cites:
            if not cite.id.isdigit():
                raise RefmanError(f"Citation {number} cites '{cite.id}', which is not an item id")
            ids.setdefault(ItemId(int(cite.id)), None)
    return list(ids)
