"""Personal names as citeproc-js reads them: particles, suffixes, initials."""

import pytest

from refman.formats.csl.names import (
    PersonName,
    initialize,
    is_romanesque,
    looks_like_initials,
    name_from_csl,
    uninitialize,
)


@pytest.mark.parametrize(
    ("data", "parts"),
    [
        ({"family": "van Raaij", "given": "Joost"}, ("Raaij", "Joost", "van", "", "")),
        ({"family": "de la Fontaine", "given": "Jean"}, ("Fontaine", "Jean", "de la", "", "")),
        (
            {"family": "Humboldt", "given": "Alexander von"},
            ("Humboldt", "Alexander", "", "von", ""),
        ),
        (
            {"family": "King", "given": "Martin Luther, Jr."},
            ("King", "Martin Luther", "", "", "Jr."),
        ),
        ({"family": "D'Alembert", "given": "Jean"}, ("D'Alembert", "Jean", "", "", "")),
        ({"family": '"van Gogh"', "given": "Vincent"}, ("van Gogh", "Vincent", "", "", "")),
    ],
    ids=["particle", "two particles", "dropping", "suffix", "apostrophe", "quoted"],
)
def test_particles_and_suffixes_are_parsed_out_of_the_name(data, parts):
    name = name_from_csl(data)
    assert (
        name.family,
        name.given,
        name.non_dropping_particle,
        name.dropping_particle,
        name.suffix,
    ) == parts


def test_a_literal_name_or_a_name_with_static_particles_is_kept_whole():
    assert name_from_csl({"literal": "World Health Organization"}).is_literal
    kept = name_from_csl({"family": "van Raaij", "given": "J", "static-particles": True})
    assert (kept.family, kept.non_dropping_particle) == ("van Raaij", "")
    assert PersonName().is_literal  # no family and no given name: printed as given


@pytest.mark.parametrize(
    ("given", "terminator", "options", "initials"),
    [
        ("Charles Howard", ".", {}, "C.H."),
        ("Charles Howard", ". ", {}, "C. H."),
        ("CH", ". ", {"family": "Knowles"}, "C. H."),  # MEDLINE's initials
        ("Jean-Paul", ".", {}, "J.-P."),
        ("Jean-Paul", ".", {"hyphen": False}, "J.P."),
        ("THomas", "", {}, "Th"),
        ("C. H.", ".", {"normalize_only": True}, "C.H."),
        ("Ferga C.", ". ", {"normalize_only": True}, "Ferga C."),
    ],
)
def test_initials(given, terminator, options, initials):
    assert initialize(given, terminator, **options) == initials


def test_capitals_are_initials_only_beside_a_family_name_that_is_not_in_capitals():
    assert looks_like_initials("CH", "Knowles")
    assert not looks_like_initials("CH", "KNOWLES")
    assert not looks_like_initials("Charles", "Knowles")


def test_a_full_name_written_in_capitals_is_lowered_after_its_first_letters():
    assert uninitialize("MArk JOhn") == "Mark John"
    assert uninitialize("Mark") == "Mark"


def test_names_in_latin_script_are_romanesque():
    assert is_romanesque(PersonName(family="Müller"))
    assert not is_romanesque(PersonName(family="王"))


def test_an_initial_run_into_a_given_name_gets_its_space():
    # citeproc-js prints PMID 28754806's "M.Hassan" as "M. Hassan" (and initials as before).
    assert initialize("M.Hassan", ". ", normalize_only=True) == "M. Hassan"
    assert initialize("T.S.", ". ", normalize_only=True) == "T. S."
    assert initialize("J. M.", ".", normalize_only=True) == "J.M."
