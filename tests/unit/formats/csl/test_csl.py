"""Formatted bibliographies and citations: the output must read as citeproc-js writes it."""

import copy
import re

import pytest

from refman.formats import csl, medline
from refman.model import RefmanError
from tests.samples import CSL_DATA, REFERENCE_STYLES, SEED_FILE

FORMAT_FILES = {"text": "txt", "html": "html"}


def expected(style: str, fmt: str) -> str:
    return (CSL_DATA / f"{style}.{FORMAT_FILES[fmt]}").read_text(encoding="utf-8").rstrip("\n")


def article(seed: dict, **changes) -> dict:
    item = copy.deepcopy(seed)
    item.update(changes)
    return item


def people(*names: str) -> list[dict]:
    """CSL names from "Family, Given" strings."""
    out = []
    for name in names:
        family, given = name.split(", ")
        out.append({"family": family, "given": given})
    return out


@pytest.mark.parametrize("fmt", FORMAT_FILES)
@pytest.mark.parametrize("style", REFERENCE_STYLES)
def test_seed_entry_matches_citeproc_js(seed, style, fmt):
    assert csl.bibliography_entries([seed], style, fmt) == [expected(style, fmt)]


@pytest.mark.parametrize("style", REFERENCE_STYLES)
def test_seed_imported_from_medline_formats_as_citeproc_js(style):
    refs = list(medline.read(SEED_FILE))
    assert csl.format_references(refs, style) == expected(style, "text")
    html = csl.format_references(refs, style, "html")
    assert html == f'<div class="csl-bib-body">\n  {expected(style, "html")}\n</div>'


def test_text_bibliography_has_one_line_per_entry_in_order(seed):
    second = article(seed, id="two", title="A second study")
    text = csl.bibliography([seed, second], "american-medical-association")
    lines = text.split("\n")
    assert [line[:12] for line in lines] == ["1. Knowles C", "2. Knowles C"]
    assert "A second study" in lines[1]


def test_html_bibliography_escapes_markup_characters(seed):
    item = article(seed, title="Fish & chips <or> crisps")
    html = csl.bibliography([item], "american-medical-association", "html")
    assert "Fish &#38; chips &#60;or&#62; crisps" in html


def test_dependent_style_uses_parent_layout(seed):
    info = csl.find_style("academic-medicine")
    assert info.dependent and info.title == "Academic Medicine"
    assert csl.bibliography([seed], "Academic Medicine") == expected(
        "american-medical-association", "text"
    )


def test_dependent_style_uses_its_own_locale(seed):
    # British Journal of Psychology is APA with en-GB: single quotes, period outside them.
    item = article(seed, title='Is it "safe"')
    parent = csl.bibliography([item], "apa")
    dependent = csl.bibliography([item], "british-journal-of-psychology")
    assert "Is it “safe.” Annals" in parent
    assert "Is it ‘safe’. Annals" in dependent


def test_unknown_output_format_is_refused(seed):
    with pytest.raises(RefmanError, match="Unknown output format"):
        csl.bibliography([seed], fmt="docx")


CHAPTER = {
    "id": "chapter",
    "type": "chapter",
    "title": "Anorectal physiology",
    "container-title": "Textbook of colorectal surgery",
    "author": [{"family": "Smith", "given": "Anna B"}],
    "editor": [{"family": "Jones", "given": "Peter"}, {"family": "Brown", "given": "Mary K"}],
    "publisher": "Springer",
    "publisher-place": "Cham",
    "page": "101-118",
    "edition": "2",
    "issued": {"date-parts": [[2020]]},
}


@pytest.mark.parametrize(
    ("style", "text"),
    [
        (
            "american-medical-association",
            "1. Smith AB. Anorectal physiology. In: Jones P, Brown MK, eds. "
            "Textbook of Colorectal Surgery. 2nd ed. Springer; 2020:101-118.",
        ),
        (
            "apa",
            "Smith, A. B. (2020). Anorectal physiology. In P. Jones & M. K. Brown (Eds.), "
            "Textbook of colorectal surgery (2nd ed., pp. 101–118). Springer.",
        ),
    ],
)
def test_chapter_renders_as_a_chapter_with_editors_and_book(style, text):
    assert csl.bibliography([CHAPTER], style) == text


def test_chapter_book_title_is_italic_in_html():
    html = csl.bibliography([CHAPTER], "apa", "html")
    assert "<i>Textbook of colorectal surgery</i>" in html


def test_ama_lists_six_authors_and_cuts_seven_to_three_et_al(seed):
    six = article(seed, author=people(*(f"Author{i}, Jan" for i in range(1, 7))))
    seven = article(seed, author=people(*(f"Author{i}, Jan" for i in range(1, 8))))
    six_text = csl.bibliography([six], "american-medical-association")
    seven_text = csl.bibliography([seven], "american-medical-association")
    assert "Author5 J, Author6 J. Safety" in six_text
    assert "1. Author1 J, Author2 J, Author3 J, et al. Safety" in seven_text


def test_et_al_is_italic_where_the_style_says(seed):
    html = csl.bibliography([seed], "bmj", "html")
    assert "Jankowski RJ, <i>et al.</i> Safety" in html


PARTICLES = people("de Brouwer, Jan B", "van Raaij, Joost")


@pytest.mark.parametrize(
    ("style", "authors"),
    [
        ("american-medical-association", "1. de Brouwer JB, van Raaij J. Safety"),
        ("apa", "de Brouwer, J. B., & van Raaij, J. (2023)."),
        # Chicago demotes the particle of an inverted name (display-and-sort).
        ("chicago-author-date", "Brouwer, Jan B. de, and Joost van Raaij. 2023."),
        ("ieee", "[1] J. B. de Brouwer and J. van Raaij, “Safety"),
    ],
)
def test_names_with_particles(seed, style, authors):
    item = article(seed, author=PARTICLES)
    assert csl.bibliography([item], style).startswith(authors)


def test_particle_decides_sort_order_as_the_style_says(seed):
    brouwer = article(seed, id="b", author=people("de Brouwer, Jan"))
    cardello = article(seed, id="c", author=people("Cardello, Kelly"))
    # APA never demotes: "de Brouwer" files under D, after Cardello.
    apa = csl.bibliography([brouwer, cardello], "apa").split("\n")
    assert [line[:6] for line in apa] == ["Cardel", "de Bro"]
    # Chicago demotes for sorting: "Brouwer" files under B, before Cardello.
    chicago = csl.bibliography([cardello, brouwer], "chicago-author-date").split("\n")
    assert [line[:6] for line in chicago] == ["Brouwe", "Cardel"]


@pytest.mark.parametrize("given", ["Charles H", "CH", "C. H.", "C H"])
def test_pubmed_initials_give_two_initials(seed, given):
    item = article(seed, author=[{"family": "Knowles", "given": given}])
    assert csl.bibliography([item], "american-medical-association").startswith(
        "1. Knowles CH. Safety"
    )
    assert csl.bibliography([item], "apa").startswith("Knowles, C. H. (2023).")


def test_full_given_names_stay_full_where_the_style_says(seed):
    item = article(seed, author=people("Knowles, Charles H"))
    assert csl.bibliography([item], "chicago-author-date").startswith("Knowles, Charles H. 2023.")


def test_literal_name_prints_as_given(seed):
    item = article(seed, author=[{"literal": "WHO Study Group"}])
    assert csl.bibliography([item], "american-medical-association").startswith(
        "1. WHO Study Group. Safety"
    )


def test_page_ranges_follow_page_range_format(seed):
    item = article(seed, page="1496-1504")
    # minimal (Vancouver) drops repeated digits; chicago-16 keeps two.
    assert "2023;278:1496–504." in csl.bibliography([item], "elsevier-vancouver")
    assert "278 (6): 1496–504." in csl.bibliography([item], "chicago-author-date")


def test_question_mark_absorbs_the_following_period(seed):
    item = article(seed, title="Is it safe?")
    ama = csl.bibliography([item], "american-medical-association")
    chicago = csl.bibliography([item], "chicago-author-date")
    assert "Raval MJ. Is it safe? Ann Surg." in ama
    assert "“Is It Safe?” Annals of Surgery" in chicago


def test_rich_text_in_titles(seed):
    item = article(
        seed, title='Gene therapy <i>in vivo</i>: a <span class="nocase">pH</span> study'
    )
    html = csl.bibliography([item], "american-medical-association", "html")
    text = csl.bibliography([item], "chicago-author-date")
    assert "Gene therapy <i>in vivo</i>: a pH study." in html
    assert "“Gene Therapy in Vivo: A pH Study.”" in text


def test_year_suffixes_for_same_authors_and_year(seed):
    first = article(seed, id="a", title="Alpha")
    second = article(seed, id="b", title="Beta")
    text = csl.bibliography([second, first], "apa")
    assert [re.search(r"\((\d{4}\w?)\)", line).group(1) for line in text.split("\n")] == [
        "2023a",
        "2023b",
    ]
    assert csl.citation([first, second], "apa") == "(Knowles et al., 2023a, 2023b)"


@pytest.mark.parametrize(
    ("issued", "nlm"),
    [
        ({"date-parts": [[2023, 5]]}, "Ann Surg. 2023 May;278"),
        ({"date-parts": [[2023]], "season": 4}, "Ann Surg. 2023 Winter;278"),
        ({"date-parts": [[2023, 5, 3], [2023, 5, 5]]}, "Ann Surg. 2023 May 3–5;278"),
        ({"date-parts": [[2023, 5], [2023, 6]]}, "Ann Surg. 2023 May–Jun;278"),
        ({"date-parts": [[2022], [2023]]}, "Ann Surg. 2022–2023;278"),
    ],
)
def test_dates_print_the_parts_they_have(seed, issued, nlm):
    item = article(seed, issued=issued)
    assert nlm in csl.bibliography([item], "nlm-citation-sequence")


def test_date_range_inside_a_year_only_style_prints_the_year_once(seed):
    item = article(seed, issued={"date-parts": [[2023, 5, 3], [2023, 5, 5]]})
    assert "Raval, M. J. (2023). Safety" in csl.bibliography([item], "apa")


def test_missing_date_prints_the_no_date_term(seed):
    item = article(seed, author=people("Doe, Jane"))
    del item["issued"]
    assert csl.bibliography([item], "apa").startswith("Doe, J. (n.d.). Safety")
    assert csl.citation([item], "apa") == "(Doe, n.d.)"


def test_repeated_authors_are_replaced_where_the_style_says(seed):
    first = article(seed, id="a", title="Alpha")
    second = article(seed, id="b", title="Beta", issued={"date-parts": [[2020]]})
    lines = csl.bibliography([first, second], "modern-language-association").split("\n")
    assert lines[0].startswith("Knowles, Charles H., et al. “Alpha.”")
    assert lines[1].startswith("———. “Beta.”")


@pytest.mark.parametrize(
    ("style", "fmt", "cite"),
    [
        ("american-medical-association", "text", "1"),
        ("american-medical-association", "html", "<sup>1</sup>"),
        ("apa", "text", "(Knowles et al., 2023)"),
        ("chicago-author-date", "text", "(Knowles et al. 2023)"),
        ("ieee", "text", "[1]"),
        ("elsevier-vancouver", "text", "[1]"),
    ],
)
def test_citation_of_one_item(seed, style, fmt, cite):
    assert csl.citation([seed], style, fmt) == cite


def test_numeric_citation_collapses_ranges(seed):
    items = [article(seed, id=str(i)) for i in range(4)]
    assert csl.citation(items, "american-medical-association") == "1–4"
    assert csl.citation(items[:2], "american-medical-association") == "1,2"


def test_author_date_citation_sorted_as_the_style_says(seed):
    later = article(seed, id="s", author=people("Smith, Anna"), issued={"date-parts": [[2020]]})
    assert csl.citation([seed, later], "apa") == "(Knowles et al., 2023; Smith, 2020)"
    assert csl.citation([later, seed], "apa") == "(Knowles et al., 2023; Smith, 2020)"


def test_cite_references_from_medline():
    refs = list(medline.read(SEED_FILE))
    assert csl.cite_references(refs, "apa") == "(Knowles et al., 2023)"


def test_empty_citation_is_empty():
    assert csl.citation([], "apa") == ""


def test_rtf_document(seed):
    rtf = csl.bibliography([seed, article(seed, id="x")], "apa", "rtf")
    assert rtf.startswith("{\\rtf1\\ansi") and rtf.endswith("}")
    assert rtf.count("{") == rtf.count("}")
    assert "{\\i{}Annals of Surgery}" in rtf
    assert "937\\u8211?944" in rtf  # the en dash, escaped
    assert rtf.count("\\par}") == 2


def test_rtf_escapes_braces_and_backslashes(seed):
    item = article(seed, title="Set {a} \\ b")
    rtf = csl.bibliography([item], "american-medical-association", "rtf")
    assert "Set \\{a\\} \\\\ b" in rtf


def test_rtf_numbered_entry_uses_a_tab(seed):
    rtf = csl.bibliography([seed], "american-medical-association", "rtf")
    assert "{\\pard 1.\\tab Knowles CH" in rtf


def test_thousand_items_give_a_thousand_numbered_entries(seed):
    items = []
    for i in range(1000):
        family = f"Author{(i * 7919) % 997}"
        items.append(article(seed, id=f"i{i}", author=people(f"{family}, Anna B")))
    lines = csl.bibliography(items, "american-medical-association").split("\n")
    assert len(lines) == 1000
    assert [line.split(".")[0] for line in lines] == [str(n) for n in range(1, 1001)]
