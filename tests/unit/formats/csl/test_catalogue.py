"""The installed styles: listed, found by id or title, searched."""

import pytest

from refman.formats import csl
from refman.formats.csl.catalogue import style_source
from refman.model import RefmanError


def test_styles_lists_the_whole_collection_sorted_by_title():
    listed = csl.styles()
    assert len(listed) > 10000
    titles = [s.title.casefold() for s in listed]
    assert titles == sorted(titles)
    assert any(s.dependent for s in listed) and any(not s.dependent for s in listed)


def test_find_style_by_id_or_title_ignoring_case():
    by_id = csl.find_style("APA")
    by_title = csl.find_style("apa style 7th edition")
    assert by_id.id == by_title.id == "apa"
    assert by_id.title == "APA Style 7th edition"
    assert not by_id.dependent


def test_unknown_style_names_close_matches():
    with pytest.raises(RefmanError) as error:
        csl.find_style("american-medical-assocation")
    message = str(error.value)
    assert message.startswith("Unknown style 'american-medical-assocation'. Close matches: ")
    assert "american-medical-association" in message


def test_search_styles_matches_ids_and_titles():
    found = csl.search_styles("vancouver")
    ids = {s.id for s in found}
    assert {"elsevier-vancouver", "vancouver"} & ids
    assert all("vancouver" in (s.id + s.title).casefold() for s in found)


def test_a_dependent_style_takes_its_parents_layout_and_keeps_its_own_locale():
    source = style_source("British Journal of Psychology")
    assert source.info.id == "british-journal-of-psychology" and source.info.dependent
    assert source.layout_path.name == "apa.csl"
    assert source.default_locale == "en-GB"
    independent = style_source("apa")
    assert (independent.layout_path.name, independent.default_locale) == ("apa.csl", "")


def test_ranked_search_finds_what_the_title_search_finds_and_more_best_first():
    by_title = {s.id for s in csl.search_styles("vancouver")}
    ranked = csl.rank_styles("vancouver")
    assert by_title < {s.id for s in ranked}  # more: found by summary or short title too
    first = [s.id for s in ranked[: len(by_title)]]
    assert set(first) == by_title  # the title (and id) matches before the others
    assert csl.rank_styles("") == csl.styles()
    assert csl.rank_styles("  ") == csl.styles()


def test_a_description_says_format_fields_and_summary_or_parent():
    nlm = csl.find_style("nlm-citation-sequence")
    assert nlm.citation_format == "numeric" and "medicine" in nlm.fields and nlm.summary
    described = csl.describe(nlm)
    assert described.startswith("Numeric · ") and described.endswith(nlm.summary)
    oncology = csl.find_style("the-lancet-oncology")
    assert oncology.dependent and oncology.parent == "the-lancet"
    assert csl.describe(oncology).endswith("the layout of The Lancet")
