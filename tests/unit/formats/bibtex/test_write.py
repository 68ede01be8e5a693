"""BibTeX and BibLaTeX export: golden files, a read-back by bibtexparser, keys and escaping."""

import io

import bibtexparser
import pytest
from bibtexparser import middlewares
from hypothesis import given, settings
from hypothesis import strategies as st
from pylatexenc.latex2text import LatexNodes2Text

from refman.formats.bibtex import citation_keys, write_biblatex, write_bibtex
from refman.model import Creator, PartialDate, Reference, Tag
from tests.samples import ALL, CHAPTER, EXPORT, NON_ASCII, SAMPLES, SEED, SPECIAL_CHARS


def bibtex(refs) -> str:
    out = io.StringIO()
    write_bibtex(refs, out)
    return out.getvalue()


def biblatex(refs) -> str:
    out = io.StringIO()
    write_biblatex(refs, out)
    return out.getvalue()


def parse(text: str):
    """Read .bib text the way other tools do, with names split into their parts."""
    library = bibtexparser.parse_string(
        text, append_middleware=[middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()]
    )
    assert not library.failed_blocks
    return library.entries


def decode(latex: str) -> str:
    text = LatexNodes2Text(math_mode="text").latex_to_text(latex)
    return text.replace("\u02c6", "^")  # pylatexenc reads \textasciicircum as the modifier letter


def fields(entry) -> dict[str, str]:
    return {field.key: field.value for field in entry.fields}


# --- golden files -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_bibtex_matches_golden_file(name):
    expected = (EXPORT / f"{name}.bib").read_text(encoding="utf-8")
    assert bibtex(SAMPLES[name]) == expected


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_biblatex_matches_golden_file(name):
    expected = (EXPORT / f"{name}.biblatex.bib").read_text(encoding="utf-8")
    assert biblatex(SAMPLES[name]) == expected


# --- read back by a BibTeX parser -------------------------------------------------------------

BIBTEX_TYPES = [
    "article",
    "book",
    "incollection",
    "techreport",
    "article",
    "article",
    "article",
    "inproceedings",
    "phdthesis",
    "misc",
    "misc",
    "misc",
    "misc",
]


def test_bibtexparser_reads_every_entry_with_its_type_and_key():
    entries = parse(bibtex(ALL))
    assert [e.entry_type for e in entries] == BIBTEX_TYPES
    assert [e.key for e in entries] == citation_keys(ALL)


def test_biblatex_entry_types_follow_biblatex():
    entries = parse(biblatex(ALL))
    assert [e.entry_type for e in entries] == [
        "article",
        "book",
        "incollection",
        "report",
        "article",
        "article",
        "article",
        "inproceedings",
        "thesis",
        "dataset",
        "online",
        "online",
        "misc",
    ]


def expected_name(creator: Creator) -> tuple[str, str]:
    return (creator.literal or creator.family, creator.given)


def parsed_name(parts) -> tuple[str, str]:
    family = " ".join(parts.von + parts.last)
    return (decode(family).strip("{}"), decode(" ".join(parts.first)))


@pytest.mark.parametrize("writer", [bibtex, biblatex])
def test_authors_and_editors_decode_to_the_original_names(writer):
    for ref, entry in zip(ALL, parse(writer(ALL)), strict=True):
        values = fields(entry)
        for role, creators in (("author", ref.authors()), ("editor", ref.editors())):
            parsed = [parsed_name(p) for p in values.get(role, [])]
            assert parsed == [expected_name(c) for c in creators], (entry.key, role)


def test_collective_author_stays_one_name_even_with_and_inside():
    entry = parse(bibtex(SAMPLES["collective"]))[1]
    authors = fields(entry)["author"]
    assert len(authors) == 2
    assert authors[0].last == ["{GBD 2019 Diseases and Injuries Collaborators}"]


def test_seed_fields_read_back():
    values = fields(parse(bibtex([SEED]))[0])
    assert decode(values["title"]) == SEED.title
    assert values["journal"] == "Annals of surgery"
    assert (values["year"], values["month"]) == ("2023", "dec")
    assert (values["volume"], values["number"], values["pages"]) == ("278", "6", "937--944")
    assert values["doi"] == "10.1097/SLA.0000000000005894"
    assert values["pmid"] == "37144409"
    assert values["issn"] == "1528-1140, 0003-4932"
    assert (
        values["keywords"]
        == "Adult, Humans, Fecal Incontinence, Quality of Life, Anal Canal, to read"
    )
    assert decode(values["abstract"]) == " ".join(SEED.abstract.split())


@pytest.mark.parametrize("writer", [bibtex, biblatex])
def test_special_characters_decode_to_the_original_title(writer):
    values = fields(parse(writer([SPECIAL_CHARS]))[0])
    assert decode(values["title"]) == SPECIAL_CHARS.title
    assert decode(values["keywords"]) == "R&D, cost_model"
    assert values["url"] == SPECIAL_CHARS.url  # verbatim: no escapes
    assert values["doi"] == SPECIAL_CHARS.doi


@pytest.mark.parametrize("writer", [bibtex, biblatex])
def test_non_ascii_title_decodes_to_the_original(writer):
    values = fields(parse(writer([NON_ASCII]))[0])
    assert decode(values["title"]) == NON_ASCII.title


# --- citation keys ----------------------------------------------------------------------------


def test_key_is_family_year_and_first_significant_title_word():
    assert citation_keys([SEED]) == ["knowles2023safety"]


def article(family: str, year: int | None, title: str, **changes) -> Reference:
    creators = (Creator(family, "A"),) if family else ()
    return Reference(title=title, date=PartialDate(year), creators=creators, **changes)


@pytest.mark.parametrize(
    ("ref", "key"),
    [
        (article("Müller", 2021, "The Role of Tau"), "muller2021role"),
        (article("Ødegaard", 2020, "A new hope"), "odegaard2020new"),
        (article("García Márquez", 2019, "Über die Wirkung"), "garciamarquez2019wirkung"),
        (article("Straße", 2018, "50% & more_{x}"), "strasse2018more"),
        (article("van der Berg", None, "On trials"), "vanderbergtrials"),
        (article("", 2001, "Anonymous report"), "anon2001anonymous"),
        (article("王", 2022, "研究"), "anon2022"),
        (Reference(title="COVID-19 vaccines", creators=(Creator(literal="WHO"),)), "whocovid"),
        (Reference(title="Edited", creators=(Creator("Park", "S", role="editor"),)), "parkedited"),
    ],
)
def test_key_folds_to_ascii_and_skips_stop_words(ref, key):
    assert citation_keys([ref]) == [key]


def test_colliding_keys_get_letters_in_input_order():
    refs = [article("Smith", 2020, f"Safety of drug {n}") for n in "XYZ"]
    assert citation_keys(refs) == ["smith2020safety", "smith2020safetya", "smith2020safetyb"]


def test_an_earlier_key_does_not_change_when_items_are_added_after_it():
    first = article("Smith", 2020, "Safety")
    assert citation_keys([first])[0] == citation_keys([first, first, first])[0]


def test_a_suffixed_key_never_takes_another_items_plain_key():
    refs = [
        article("Smith", 2020, "Cells"),
        article("Smith", 2020, "Cells again"),
        article("Smith", 2020, "Cellsa"),  # its own plain key is smith2020cellsa
    ]
    assert citation_keys(refs) == ["smith2020cells", "smith2020cellsb", "smith2020cellsa"]


def test_keys_are_unique_and_the_same_on_every_run():
    refs = [article("Lee", 2020, "Trial")] * 30
    keys = citation_keys(refs)
    assert len(set(keys)) == 30
    assert keys[26:] == ["lee2020trialz", "lee2020trialaa", "lee2020trialab", "lee2020trialac"]
    assert citation_keys(refs) == keys


def test_the_writers_use_the_keys():
    refs = [SEED, SEED]
    assert "@article{knowles2023safetya," in bibtex(refs)
    assert "@article{knowles2023safetya," in biblatex(refs)


# --- escaping, titles, fields -----------------------------------------------------------------


def test_bibtex_escapes_non_ascii_and_keeps_what_latex_cannot_write():
    text = bibtex([NON_ASCII])
    assert r"M{\"u}ller, J{\"o}rg" in text
    assert r"{\O}degaard" in text
    assert r"Garc{\'i}a-L{\'o}pez" in text
    assert r"Stra{\ss}e" in text
    assert r"Nguy{\~{\^e}}n" in text
    assert "王, 小明" in text  # no LaTeX form: kept, not dropped
    assert text.replace("王", "").replace("小明", "").isascii()


def test_biblatex_keeps_utf8():
    text = biblatex([NON_ASCII])
    assert "Müller, Jörg and Ødegaard, Nils and García-López, María José" in text
    assert "Straße" in text and "β-Blocker" in text


@pytest.mark.parametrize("writer", [bibtex, biblatex])
def test_latex_special_characters_are_escaped(writer):
    assert r"50\% \& more\_\{x\}: the \#1 cost of \$10" in writer([SPECIAL_CHARS])
    assert r"{\textasciitilde} 2{\textasciicircum}10 {\textbackslash} bits" in writer(
        [SPECIAL_CHARS]
    )


@pytest.mark.parametrize("writer", [bibtex, biblatex])
def test_unbalanced_braces_do_not_break_the_file(writer):
    refs = [article("Ray", 2020, "Sets }{ and {open"), article("Ray", 2021, "Next")]
    entries = parse(writer(refs))
    assert [e.key for e in entries] == ["ray2020sets", "ray2021next"]
    assert (
        fields(entries[0])["title"]
        == r"Sets {\textbraceright}{\textbraceleft} and {\textbraceleft}open"
    )


def test_only_words_with_inner_capitals_and_lone_capitals_are_protected():
    ref = article(
        "Li",
        2020,
        "A Study of iPS Cells, COVID-19, mRNA and Vitamin D in T-cell and Muscle-Derived Grafts",
    )
    title = fields(parse(bibtex([ref]))[0])["title"]
    assert title == (
        "A Study of {iPS} Cells, {COVID-19}, {mRNA} and Vitamin {D} in {T-cell} and "
        "Muscle-Derived Grafts"
    )
    assert "{{" not in bibtex([SEED])


def test_pages_take_an_en_dash():
    assert "pages = {937--944}" in bibtex([SEED])
    assert "pages = {e12--e19}" in biblatex([NON_ASCII])


def test_pmid_is_a_field_in_bibtex_and_a_pubmed_eprint_in_biblatex():
    assert "pmid = {37144409}" in bibtex([SEED])
    text = biblatex([SEED])
    assert "eprint = {37144409},\n  eprinttype = {pubmed}" in text
    assert "pmid" not in text


def test_months_are_macros_in_bibtex_and_iso_dates_in_biblatex():
    assert "month = dec," in bibtex([SEED])
    assert "date = {2023-12-01}" in biblatex([SEED])


def test_chapter_without_editors_is_inbook_in_biblatex():
    alone = CHAPTER.with_changes(creators=CHAPTER.authors())
    assert biblatex([alone]).startswith("@inbook{ishikawa2019isolation,")
    assert bibtex([alone]).startswith("@incollection{ishikawa2019isolation,")


def test_country_of_a_journal_is_not_written_as_its_address():
    assert "United States" not in bibtex([SEED]) + biblatex([SEED])


def test_nothing_to_write_writes_nothing():
    assert bibtex([]) == biblatex([]) == ""


# --- any text -------------------------------------------------------------------------------

# Any character, with the ones that mean something to BibTeX or LaTeX drawn more often.
any_text = st.text(
    st.sampled_from(list('{}\\@%&$#_~^,="() \n')) | st.characters(exclude_categories=("Cs",)),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(title=any_text, family=any_text, given_name=any_text, group=any_text, tag=any_text)
def test_any_text_gives_a_file_that_parses_entry_by_entry(title, family, given_name, group, tag):
    ref = Reference(
        title=title,
        creators=(Creator(family, given_name), Creator(literal=group)),
        tags=(Tag(tag),),
    )
    refs = [ref, ref, SEED]
    for writer in (bibtex, biblatex):
        entries = parse(writer(refs))
        assert [e.key for e in entries] == citation_keys(refs)
        named = [c for c in ref.creators if " ".join((c.literal + c.family + c.given).split())]
        assert len(fields(entries[0]).get("author", [])) == len(named)
        assert fields(entries[2])["pmid" if writer is bibtex else "eprint"] == "37144409"


def test_an_item_with_nothing_filled_in_is_still_an_entry():
    entries = parse(bibtex([Reference(item_type="document")]))
    assert [(e.entry_type, e.key, e.fields) for e in entries] == [("misc", "anon", [])]
