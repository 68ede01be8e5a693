"""Build the documents of tests/data/csl/documents/ from the balloon-guide MEDLINE set.

Run from the repository root: .venv/bin/python scripts/make_csl_documents.py; then run
scripts/citeproc_js_documents.js on each document (tests/data/csl/documents/README.md).
Items are numbered as in the MEDLINE file (0 = its first record).
"""

import json
import random
from pathlib import Path

from refman.formats import medline
from refman.formats.csl_json import to_csl

refs = list(medline.read("tests/data/nbib-pubmed-balloongui-set.nbib"))
items = []
for r in refs:
    it = to_csl(r, "x")
    it["id"] = str(it.get("PMID"))
    items.append(it)
P = {i: items[i]["id"] for i in range(len(items))}


def cite(i, **kw):
    c = {"id": P[i]}
    for k, v in kw.items():
        c[k.replace("_", "-")] = v
    return c


def doc(name, citations, note_numbers=None):
    used = []
    for c in citations:
        for x in c["cites"]:
            if x["id"] not in used:
                used.append(x["id"])
    its = [it for it in items if it["id"] in used]
    Path(f"tests/data/csl/documents/{name}.document.json").write_text(
        json.dumps({"items": its, "citations": citations}, indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )


def C(note, *cites):
    return {"note": note, "cites": list(cites)}


# A review article's introduction: groups, repeats, numbers out of order, locators, affixes.
doc(
    "review",
    [
        C(1, cite(2)),
        C(2, cite(0), cite(1)),
        C(3, cite(24, locator="1042", label="page")),
        C(4, cite(3), cite(4), cite(24), cite(5)),
        C(5, cite(2, locator="e12-e15", label="page")),
        C(6, cite(6), cite(1), cite(0)),
        C(7, cite(0, prefix="see", suffix="for a meta-analysis")),
        C(8, cite(7), cite(8), cite(9), cite(13), cite(3)),
        C(9, cite(8, locator="2", label="figure")),
        C(10, cite(8, locator="2", label="figure")),
        C(11, cite(8)),
        C(12, cite(5, suppress_author=True)),
        C(13, cite(13, locator="3", label="table"), cite(2, prefix="compare")),
    ],
)

# Same first author and year across the document: disambiguation seen only as a whole.
doc(
    "same-author-year",
    [
        C(1, cite(24)),
        C(2, cite(3)),
        C(3, cite(10)),
        C(4, cite(12, locator="22", label="page")),
        C(5, cite(29)),
        C(6, cite(35), cite(10)),
        C(7, cite(21), cite(12)),
        C(8, cite(24), cite(29), cite(4)),
        C(9, cite(51)),
        C(10, cite(73, suppress_author=True)),
        C(11, cite(51), cite(73)),
        C(12, cite(24, locator="2", label="section")),
    ],
)

# A text with footnotes: first and later notes, ibid, ibid with locator, near and far notes,
# two citations in one note and notes without citations between.
doc(
    "notes",
    [
        C(1, cite(1, locator="25", label="page")),
        C(2, cite(1, locator="25", label="page")),
        C(3, cite(1, locator="27-29", label="page")),
        C(4, cite(1)),
        C(5, cite(2), cite(26)),
        C(6, cite(26)),
        C(6, cite(26, locator="4", label="chapter")),
        C(8, cite(1, prefix="see also", locator="3", label="figure")),
        C(9, cite(38)),
        C(15, cite(2, locator="2", label="table")),
        C(16, cite(38, locator="12", label="paragraph")),
        C(17, cite(38, locator="12", label="paragraph", suffix="(emphasis added)")),
        C(18, cite(59, locator="1", label="section"), cite(1)),
        C(19, cite(59, locator="1", label="section")),
    ],
)

# The same two authors three times in 2022 (the repository's year-suffix set): year suffixes
# follow the bibliography, a later citation changes an earlier one, years collapse.
year_items = json.loads(
    Path("tests/data/csl/disambiguation/year-suffix.csl.json").read_text(encoding="utf-8")
)
Path("tests/data/csl/documents/year-suffix.document.json").write_text(
    json.dumps(
        {
            "items": year_items,
            "citations": [
                {"note": 1, "cites": [{"id": "ys-b"}]},
                {"note": 2, "cites": [{"id": "ys-c", "locator": "4", "label": "page"}]},
                {"note": 3, "cites": [{"id": "ys-d"}, {"id": "ys-a"}, {"id": "ys-c"}]},
                {"note": 4, "cites": [{"id": "ys-e"}, {"id": "ys-b", "suppress-author": True}]},
                {"note": 5, "cites": [{"id": "ys-a", "locator": "12-14", "label": "page"}]},
                {"note": 5, "cites": [{"id": "ys-a", "locator": "15", "label": "page"}]},
                {"note": 6, "cites": [{"id": "ys-b", "prefix": "e.g.,"}, {"id": "ys-d"}]},
            ],
        },
        indent=1,
        ensure_ascii=False,
    )
    + "\n",
    encoding="utf-8",
)

# Author-only citations ("Raval and Cardello (2022b) showed ..."), then the same items cited.
Path("tests/data/csl/documents/author-only.document.json").write_text(
    json.dumps(
        {
            "items": year_items,
            "citations": [
                {"note": 1, "cites": [{"id": "ys-b", "author-only": True}]},
                {"note": 2, "cites": [{"id": "ys-b"}]},
                {"note": 3, "cites": [{"id": "ys-e", "author-only": True}]},
                {"note": 4, "cites": [{"id": "ys-a", "author-only": True}, {"id": "ys-d"}]},
                {"note": 5, "cites": [{"id": "ys-a"}, {"id": "ys-e"}]},
            ],
        },
        indent=1,
        ensure_ascii=False,
    )
    + "\n",
    encoding="utf-8",
)

# A note style's citations in the body text (note 0) among footnotes: citeproc-js counts the
# positions of each apart; and a note right after a far one is ibid again.
a, b = P[1], P[2]
Path("tests/data/csl/documents/body-and-notes.document.json").write_text(
    json.dumps(
        {
            "items": [it for it in items if it["id"] in (a, b)],
            "citations": [
                {"note": 1, "cites": [{"id": a}]},
                {"note": 0, "cites": [{"id": a}]},
                {"note": 2, "cites": [{"id": a}]},
                {"note": 0, "cites": [{"id": b}]},
                {"note": 0, "cites": [{"id": b, "locator": "3", "label": "page"}]},
                {"note": 3, "cites": [{"id": b}]},
                {"note": 10, "cites": [{"id": a}]},
                {"note": 11, "cites": [{"id": a}]},
            ],
        },
        indent=1,
        ensure_ascii=False,
    )
    + "\n",
    encoding="utf-8",
)

# Prefixes and suffixes: rich text, punctuation, parentheses; "ibid." after another cite or a
# prefix, "Ibid." after a prefix that ends a sentence; "(2021, 2022a)" after suppress-author;
# a suffix after a quoted title keeps its comma outside ("“Beta Study”, n. 3"); a
# suppress-author cite in the middle of a citation.
Path("tests/data/csl/documents/affixes.document.json").write_text(
    json.dumps(
        {
            "items": year_items,
            "citations": [
                {
                    "note": 1,
                    "cites": [{"id": "ys-a", "locator": "5"}, {"id": "ys-a", "locator": "6"}],
                },
                {
                    "note": 2,
                    "cites": [{"id": "ys-b", "prefix": "<i>see</i>", "suffix": "& <b>more</b>"}],
                },
                {
                    "note": 3,
                    "cites": [{"id": "ys-c", "prefix": "see, e.g.,", "suffix": ", table 2"}],
                },
                {"note": 4, "cites": [{"id": "ys-d", "prefix": "(", "suffix": ")"}]},
                {"note": 5, "cites": [{"id": "ys-d", "prefix": "see", "locator": "17"}]},
                {
                    "note": 6,
                    "cites": [{"id": "ys-d", "prefix": "As shown above.", "locator": "17"}],
                },
                {
                    "note": 7,
                    "cites": [
                        {"id": "ys-e", "suffix": "(a review)"},
                        {"id": "ys-c", "prefix": "but"},
                    ],
                },
                {"note": 8, "cites": [{"id": "ys-c", "suppress-author": True}, {"id": "ys-a"}]},
                {"note": 9, "cites": [{"id": "ys-e"}, {"id": "ys-b", "suffix": ", n. 3"}]},
                {
                    "note": 10,
                    "cites": [
                        {"id": "ys-d"},
                        {"id": "ys-a", "suppress-author": True, "locator": "4", "label": "volume"},
                        {"id": "ys-c"},
                    ],
                },
            ],
        },
        indent=1,
        ensure_ascii=False,
    )
    + "\n",
    encoding="utf-8",
)

# Fifty citations drawn at random (a fixed seed) from the review's items: groups of one to four
# cites, locators of every kind, affixes, suppress-author, footnotes near and far, body text.
rng = random.Random(3)
review = json.loads(
    Path("tests/data/csl/documents/review.document.json").read_text(encoding="utf-8")
)["items"]
review_ids = [item["id"] for item in review]
labels = ["page", "figure", "chapter", "section", "table", "paragraph", "volume", "line"]
random_citations = []
note = 0
for _ in range(50):
    note += rng.choice([0, 1, 1, 1, 2, 7])
    cites = []
    for _ in range(rng.choice([1, 1, 1, 2, 3, 4])):
        cite = {"id": rng.choice(review_ids)}
        draw = rng.random()
        if draw < 0.3:
            cite["locator"] = str(rng.randint(1, 40))
            cite["label"] = rng.choice(labels)
        elif draw < 0.4:
            cite["locator"] = f"{rng.randint(100, 109)}-{rng.randint(110, 119)}"
            cite["label"] = "page"
        elif draw < 0.45:
            cite["locator"] = f"{rng.randint(1, 9)}, {rng.randint(10, 19)}"
        if rng.random() < 0.1:
            cite["prefix"] = rng.choice(["see", "cf.", "e.g.,", "<i>contra</i>"])
        if rng.random() < 0.1:
            cite["suffix"] = rng.choice(["and passim", ", n. 3", "(fig. 2)"])
        if rng.random() < 0.07:
            cite["suppress-author"] = True
        cites.append(cite)
    in_body = rng.random() < 0.1
    random_citations.append({"note": 0 if in_body else max(note, 1), "cites": cites})
Path("tests/data/csl/documents/random.document.json").write_text(
    json.dumps({"items": review, "citations": random_citations}, indent=1, ensure_ascii=False)
    + "\n",
    encoding="utf-8",
)
