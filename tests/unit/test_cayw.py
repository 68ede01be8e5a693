"""Cite as you write without the window: the request's parameters and the key formats
(refman.cayw), and the answers written from a library's items (library/cayw.py)."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest

from refman.cayw import CaywError, CaywRequest, Cited, Pick, format_keys, picks_json, split_locator
from refman.library import Library
from refman.library.cayw import answer, cite
from tests.samples import PAPERS

KEYS = ["knowles2023safety", "smith2019balloon"]


def keys_as(query: str, keys=KEYS) -> str:
    return format_keys(CaywRequest.parse(query), keys)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "\\cite{knowles2023safety,smith2019balloon}"),
        ("format=latex", "\\cite{knowles2023safety,smith2019balloon}"),
        ("format=latex&command=citealp", "\\citealp{knowles2023safety,smith2019balloon}"),
        ("format=latex&command=%5Ctextcite", "\\textcite{knowles2023safety,smith2019balloon}"),
        ("format=cite", "\\cite{knowles2023safety,smith2019balloon}"),
        ("format=citep", "\\citep{knowles2023safety,smith2019balloon}"),
        ("format=citet", "\\citet{knowles2023safety,smith2019balloon}"),
        ("format=natbib&command=citeyearpar", "\\citeyearpar{knowles2023safety,smith2019balloon}"),
        ("format=biblatex", "\\autocite{knowles2023safety,smith2019balloon}"),
        ("format=biblatex&command=textcite*", "\\textcite*{knowles2023safety,smith2019balloon}"),
        ("format=pandoc", "@knowles2023safety; @smith2019balloon"),
        ("format=pandoc&brackets=1", "[@knowles2023safety; @smith2019balloon]"),
        ("format=pandoc&brackets=yes", "[@knowles2023safety; @smith2019balloon]"),
        ("format=pandoc&brackets=false", "@knowles2023safety; @smith2019balloon"),
        ("format=pandoc&brackets=0", "@knowles2023safety; @smith2019balloon"),
        ("format=mmd", "[#knowles2023safety][][#smith2019balloon][]"),
        ("format=asciidoctor-bibtex", "cite:[knowles2023safety, smith2019balloon]"),
        ("format=asciidoctor-bibtex&cite=citenp", "citenp:[knowles2023safety, smith2019balloon]"),
        ("format=playground", "knowles2023safety,smith2019balloon"),
        (
            "format=playground&citeprefix=%7B&citepostfix=%7D&keyprefix=%23&separator=%7C",
            "{#knowles2023safety|#smith2019balloon}",
        ),
        ("format=citationLinks", "cites: knowles2023safety\ncites: smith2019balloon"),
    ],
)
def test_key_formats(query, expected):
    assert keys_as(query) == expected


@pytest.mark.parametrize(
    "query", ["format=pandoc&brackets=1", "format=latex", "format=biblatex", "format=mmd", ""]
)
def test_nothing_picked_is_an_empty_answer(query):
    assert keys_as(query, []) == ""


def test_flags_take_any_value_but_the_words_for_no():
    request = CaywRequest.parse("probe=probe&selected=true&clipboard=yes&minimize=0")
    assert request.probe and request.selected and request.clipboard
    assert not request.minimize
    assert not CaywRequest.parse("").probe
    assert not CaywRequest.parse("probe=").probe  # given without a value
    assert CaywRequest.parse("format=pandoc").format == "pandoc"
    assert CaywRequest.parse("format=").format == "latex"  # Better BibTeX's default


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("format=troff", "Unknown format 'troff'. Known formats: latex, cite"),
        ("format=latex&command=cite%7Bx%7D%5Cinput", "not a LaTeX citation command"),
        ("format=biblatex&command=auto%20cite", "not a LaTeX citation command"),
    ],
)
def test_bad_requests_are_said_plainly(query, said):
    with pytest.raises(CaywError, match=re.escape(said)):
        CaywRequest.parse(query).check()


def test_a_data_format_needs_the_items():
    with pytest.raises(CaywError, match="needs the items"):
        keys_as("format=json")


def test_picks_json_is_better_bibtex_list_with_csl_items():
    picks = [
        Pick("knowles2023safety", 7, "Safety", "article-journal", {"id": "knowles2023safety"}),
        Pick("smith2019balloon", 3, "Balloon", "article-journal", {}),
    ]
    listed = json.loads(picks_json(picks))
    assert [p["citekey"] for p in listed] == KEYS
    assert [p["citationKey"] for p in listed] == KEYS
    assert listed[0]["id"] == 7 and listed[0]["title"] == "Safety"
    assert listed[0]["itemData"] == {"id": "knowles2023safety"}
    assert listed[1]["locator"] == listed[1]["prefix"] == "" and not listed[1]["suppressAuthor"]
    assert picks_json([]) == ""


# --- answers from a library -----------------------------------------------------------------


@pytest.fixture
def papers(library_path):
    with Library(library_path) as lib:
        ids = [lib.items.add(ref)[0] for ref in PAPERS]
        yield lib, ids


def test_answer_in_the_order_picked_each_once(papers):
    lib, ids = papers
    picked = [ids[2], ids[0], ids[2]]
    text = answer(lib, picked, CaywRequest.parse("format=pandoc&brackets=1"), "apa").text
    assert text == "[@zhang2021gut; @knowles2023safety]"


def test_answer_json_carries_each_items_csl_json(papers):
    lib, ids = papers
    listed = json.loads(answer(lib, [ids[0]], CaywRequest.parse("format=json"), "apa").text)
    exported = json.loads(lib.exporting.export([ids[0]], "csl-json"))
    assert listed[0]["itemData"] == exported[0]
    assert listed[0]["id"] == ids[0] and listed[0]["citekey"] == "knowles2023safety"


def test_answer_formatted_in_the_default_or_asked_style(papers):
    lib, ids = papers
    cite = CaywRequest.parse("format=formatted-citation")
    assert answer(lib, ids[:2], cite, "apa").text == lib.exporting.cite(ids[:2], "apa")
    asked = CaywRequest.parse("format=formatted-citation&style=http://www.zotero.org/styles/ieee")
    assert answer(lib, ids[:2], asked, "apa").text == lib.exporting.cite(ids[:2], "ieee")
    html = CaywRequest.parse("format=formatted-bibliography&style=apa&contentType=html")
    expected = lib.exporting.export(ids[:2], "html", style="apa").rstrip("\n")
    assert answer(lib, ids[:2], html, "ieee").text == expected


@pytest.mark.parametrize(
    ("translator", "fmt"),
    [("csljson", "csl-json"), ("Better BibLaTeX", "biblatex"), ("bibtex", "bibtex"), ("", "")],
)
def test_answer_translate_exports_the_items(papers, translator, fmt):
    lib, ids = papers
    query = "format=translate" + (f"&translator={translator}" if translator else "")
    expected = lib.exporting.export(ids[:2], fmt or "biblatex")  # Better BibTeX's default
    assert answer(lib, ids[:2], CaywRequest.parse(query), "apa").text == expected


def test_unknown_style_and_translator_are_said(papers):
    lib, ids = papers
    with pytest.raises(CaywError, match="Unknown style 'nope'"):
        answer(lib, ids, CaywRequest.parse("format=formatted-citation&style=nope"), "apa")
    with pytest.raises(CaywError, match="Unknown translator 'cslyaml'. refman writes: csljson"):
        answer(lib, ids, CaywRequest.parse("format=translate&translator=cslyaml"), "apa")


def test_items_gone_since_the_pick_are_left_out(papers):
    lib, ids = papers
    lib.items.delete([ids[1]])
    found = answer(lib, [ids[1], ids[0]], CaywRequest.parse("format=cite"), "apa")
    assert found.text == "\\cite{knowles2023safety}"
    assert answer(lib, [ids[1]], CaywRequest.parse("format=json"), "apa").text == ""


def test_an_item_without_a_key_is_given_one_from_the_pattern(papers):
    lib, ids = papers
    with lib.connection.writing() as db:  # as in a library from before keys
        db.execute_sql("DELETE FROM citation_key WHERE item_id = ?", (ids[3],))
    found = answer(lib, [ids[3]], CaywRequest.parse("format=pandoc"), "apa")
    assert found.text == "@brown2018deep"
    assert found.changes.changed == frozenset({ids[3]})
    assert lib.keys.of([ids[3]]) == {ids[3]: "brown2018deep"}


# --- /refman/cite, the LibreOffice extension's ---------------------------------------------


def cite_query(citations, **more) -> CaywRequest:
    return CaywRequest.parse(urlencode({"citations": json.dumps(citations), **more}))


def test_refman_cite_counts_notes_and_positions_across_them(papers):
    lib, _ = papers
    knowles = {"key": "knowles2023safety"}
    citations = [{"citationID": "a", "note": 1, "items": [knowles]},
                 {"citationID": "b", "note": 2, "items": [knowles]},
                 {"citationID": "c", "note": 0, "items": [knowles]}]  # body text: its own count
    style = "chicago-notes-bibliography-subsequent-ibid"
    answered = json.loads(cite(lib, cite_query(citations, style=style), "apa"))
    assert answered["style"] == style and answered["note"] is True
    texts = [c["text"] for c in answered["citations"]]
    assert texts[0].startswith("Charles H. Knowles et al., “Safety") and texts[1] == "Ibid."
    assert texts[2] == texts[0]  # the first in the body text
    assert [c["field"]["properties"]["noteIndex"] for c in answered["citations"]] == [1, 2, 0]
    runs = answered["citations"][0]["runs"]
    assert "".join(text for text, _ in runs) == texts[0]
    assert [text for text, marks in runs if marks == ["i"]] == ["Annals of Surgery"]
    apa = json.loads(cite(lib, cite_query(citations[:1]), "apa"))
    assert apa["note"] is False and apa["citations"][0]["runs"] == [
        [apa["citations"][0]["text"], []]]
    entry = apa["bibliography_runs"][0]
    assert "".join(text for text, _ in entry) == apa["bibliography"][0]


def test_refman_cite_renders_in_the_documents_locale(papers):
    lib, _ = papers
    cited = [{"items": [{"key": "knowles2023safety", "locator": "3"}]}]
    german = json.loads(cite(lib, cite_query(cited, style="apa", locale="de-DE"), "apa"))
    english = json.loads(cite(lib, cite_query(cited, style="apa"), "apa"))
    assert german["citations"][0]["text"].endswith(", S. 3)")
    assert english["citations"][0]["text"].endswith(", p. 3)")
    assert german["locale"] == "de-DE"
    # A style that fixes its own language keeps it (AMA is en-US), as in citeproc-js.
    ama = json.loads(cite(lib, cite_query(cited, style="american-medical-association",
                                          locale="de-DE"), "apa"))
    assert ama["citations"][0]["text"] == "1(p3)"
    with pytest.raises(CaywError, match="'German' is not a language tag"):
        cite(lib, cite_query(cited, locale="German"), "apa")


# --- locators, prefixes and suffixes picked with the items --------------------------------

SEE_P25 = Cited("knowles2023safety", locator="25", label="page", prefix="see")
CHAP3 = Cited("smith2019balloon", locator="3", label="chapter", suffix="for a review")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("knowles 2023 p. 25", ("knowles 2023", "page", "25")),
        ("knowles pp 3 – 5", ("knowles", "page", "3-5")),
        ("knowles, chap. 2", ("knowles", "chapter", "2")),
        ("zhang fig. 1b", ("zhang", "figure", "1b")),
        ("knowles: 25", ("knowles", "page", "25")),
        ("gut vol 3", ("gut", "volume", "3")),
        # No locator: a year, a number, an unknown word or nothing but the locator.
        ("smith 2019", ("smith 2019", "", "")),
        ("knowles smith 12", ("knowles smith 12", "", "")),
        ("p. 25", ("p. 25", "", "")),
        ("  ", ("", "", "")),
    ],
)
def test_a_locator_typed_after_the_search_is_taken_off_it(typed, expected):
    assert split_locator(typed) == expected


@pytest.mark.parametrize(
    ("query", "cites", "expected"),
    [
        ("format=pandoc&brackets=1", [SEE_P25], "[see @knowles2023safety, p. 25]"),
        (
            "format=pandoc&brackets=1",
            [SEE_P25, CHAP3],
            "[see @knowles2023safety, p. 25; @smith2019balloon, chap. 3, for a review]",
        ),
        (
            "format=pandoc",
            [Cited("knowles2023safety", suppress_author=True, suffix="and elsewhere")],
            "-@knowles2023safety, and elsewhere",
        ),
        ("format=latex", [SEE_P25], "\\cite[see][p.~25]{knowles2023safety}"),
        ("format=citep", [Cited("a", locator="7")], "\\citep[p.~7]{a}"),
        (
            "format=citep",
            [SEE_P25, "b"],  # each item with notes gets its own command
            "\\citep[see][p.~25]{knowles2023safety}\\citep{b}",
        ),
        ("format=citep", [Cited("a", prefix="see")], "\\citep[see][]{a}"),
        ("format=biblatex", [SEE_P25], "\\autocite[see][25]{knowles2023safety}"),
        (
            "format=biblatex",
            [SEE_P25, CHAP3],
            "\\autocites[see][25]{knowles2023safety}[chap.~3, for a review]{smith2019balloon}",
        ),
        (
            "format=biblatex&command=textcite*",
            [SEE_P25, "b"],
            "\\textcites[see][25]{knowles2023safety}{b}",
        ),
        ("format=mmd", [SEE_P25, "b"], "[p. 25][#knowles2023safety][#b][]"),
        ("format=asciidoctor-bibtex", [SEE_P25, "b"], "cite:[knowles2023safety(25), b]"),
        # Formats without a place for them leave them out.
        ("format=citationLinks", [SEE_P25], "cites: knowles2023safety"),
    ],
)
def test_the_key_formats_write_the_locators_prefixes_and_suffixes(query, cites, expected):
    assert format_keys(CaywRequest.parse(query), cites) == expected


def test_json_lists_each_picks_locator_label_prefix_and_suffix():
    listed = json.loads(
        picks_json([Pick("knowles2023safety", 7, "Safety", "article-journal", {}, SEE_P25)])
    )
    assert {k: listed[0][k] for k in ("locator", "label", "prefix", "suffix")} == {
        "locator": "25",
        "label": "page",
        "prefix": "see",
        "suffix": "",
    }


def test_answer_with_notes_writes_them_in_the_keys_and_the_formatted_citation(papers):
    lib, ids = papers
    picks = [Cited(item_id=ids[0], locator="25", label="page", prefix="see"), ids[2]]
    pandoc = CaywRequest.parse("format=pandoc&brackets=1")
    assert answer(lib, picks, pandoc, "apa").text == (
        "[see @knowles2023safety, p. 25; @zhang2021gut]"
    )
    formatted = answer(lib, picks, CaywRequest.parse("format=formatted-citation"), "apa").text
    plain = answer(lib, ids[:1], CaywRequest.parse("format=formatted-citation"), "apa").text
    assert "see Knowles" in formatted and "p. 25" in formatted
    assert "p. 25" not in plain
    listed = json.loads(answer(lib, picks, CaywRequest.parse("format=json"), "apa").text)
    assert [(p["citekey"], p["locator"], p["prefix"]) for p in listed] == [
        ("knowles2023safety", "25", "see"),
        ("zhang2021gut", "", ""),
    ]
