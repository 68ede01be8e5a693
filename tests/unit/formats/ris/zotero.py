"""Zotero's expected items (tests/data/import/ris/*.expected.json) as refman fields: the small
mapping from Zotero item JSON to Reference fields that the oracle tests compare through."""

import json
import re

from refman.formats import ris
from refman.model import Reference
from tests.samples import DATA
from tests.zotero import ZOTERO_FIELDS

RIS_DATA = DATA / "import" / "ris"
CASES = sorted(RIS_DATA.glob("zotero-ris-*.ris"))

# Zotero's item types → refman's (refman has fewer: the nearest one).
TYPES = {
    "journalArticle": "article-journal",
    "magazineArticle": "article-journal",
    "newspaperArticle": "article-journal",
    "book": "book",
    "bookSection": "chapter",
    "encyclopediaArticle": "chapter",
    "dictionaryEntry": "chapter",
    "conferencePaper": "paper-conference",
    "report": "report",
    "thesis": "thesis",
    "dataset": "dataset",
    "webpage": "webpage",
    "blogPost": "webpage",
    "manuscript": "article",
    "preprint": "article",
}
CONTAINERS = (
    "publicationTitle",
    "bookTitle",
    "proceedingsTitle",
    "websiteTitle",
    "blogTitle",
    "encyclopediaTitle",
    "dictionaryTitle",
)
# The containers are compared on their own (CONTAINERS): each type names its own.
PLAIN = {k: v for k, v in ZOTERO_FIELDS.items() if k != "publicationTitle"}
# Zotero's creator types → refman's roles: each type's first creator is its author.
ROLES = {
    "author": "author",
    "inventor": "author",
    "artist": "author",
    "director": "author",
    "programmer": "author",
    "cartographer": "author",
    "composer": "author",
    "sponsor": "author",
    "presenter": "author",
    "interviewee": "author",
    "editor": "editor",
}
TITLES = ("title", "caseName", "nameOfAct", "subject")  # a case's, a statute's, a letter's
PUBLISHERS = (
    "publisher",
    "repository",
    "institution",
    "university",
    "label",
    "studio",
    "distributor",
    "company",
    "network",
)
COMPARED = (
    "item_type",
    "title",
    "abstract",
    "container_title",
    "container_title_short",
    "collection_title",
    "volume",
    "issue",
    "pages",
    "date",
    "doi",
    "isbn",
    "issns",
    "language",
    "publisher",
    "place",
    "url",
    "creators",
    "tags",
)


def zotero_fields(item: dict) -> dict:
    """What refman should hold for a Zotero item, field by field (COMPARED)."""
    fields = {name: "" for name in COMPARED}
    fields["item_type"] = TYPES.get(item["itemType"], "document")
    for key, name in PLAIN.items():
        fields[name] = " ".join(str(item.get(key, "")).split())
    fields["title"] = next((" ".join(item[k].split()) for k in TITLES if item.get(k)), "")
    fields["publisher"] = next((item[k] for k in PUBLISHERS if item.get(k)), "")
    fields["container_title"] = next((item[k] for k in CONTAINERS if item.get(k)), "")
    fields["issns"] = tuple(re.findall(r"\d{4}-?\d{3}[\dX]", item.get("ISSN", "")))
    fields["date"] = _date(item.get("date", "") or item.get("issueDate", ""))
    fields["creators"] = tuple(
        (c.get("lastName", ""), c.get("firstName", ""), ROLES[c["creatorType"]])
        for c in item["creators"]
        if c["creatorType"] in ROLES
    )
    fields["tags"] = tuple(sorted(t["tag"] for t in item.get("tags", [])))
    return fields


def _date(text: str) -> tuple:
    found = re.match(r"(\d{4})(?:-(\d\d))?(?:-(\d\d))?", text)
    if not found:
        return (None, None, None)
    return tuple(int(part) if part and int(part) else None for part in found.groups())


def refman_fields(ref: Reference) -> dict:
    """The same fields of a reference refman read."""
    fields = {name: getattr(ref, name) for name in COMPARED}
    fields["issns"] = tuple(i.value for i in ref.issns)
    fields["date"] = (ref.date.year, ref.date.month, ref.date.day)
    fields["creators"] = tuple((c.family or c.literal, c.given, c.role) for c in ref.creators)
    fields["tags"] = tuple(sorted(t.name for t in ref.tags))
    return fields


def cases() -> list[tuple[str, int, dict, dict]]:
    """(case, index, Zotero's fields, refman's fields) for every item of every case."""
    out = []
    for path in CASES:
        expected = json.loads(path.with_suffix("").with_suffix(".expected.json").read_text())
        refs = list(ris.read(path))
        assert len(refs) == len(expected), path.name
        for index, (item, ref) in enumerate(zip(expected, refs, strict=True)):
            out.append((path.stem, index, zotero_fields(item), refman_fields(ref)))
    return out


def differences() -> dict[tuple[str, int, str], tuple]:
    """{(case, index, field): (Zotero's value, refman's)} where they differ."""
    return {
        (case, index, name): (mine_z[name], mine_r[name])
        for case, index, mine_z, mine_r in cases()
        for name in COMPARED
        if mine_z[name] != mine_r[name]
    }


if __name__ == "__main__":
    for key, (z, r) in differences().items():
        print(key, "\n   Z:", repr(z)[:150], "\n   R:", repr(r)[:150])
