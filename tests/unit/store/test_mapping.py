"""refman.store.mapping: the keys derived from a reference (duplicates, sorting), times as
stored, and source records packed into one blob and read back."""

import json
import zlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refman.model import Creator, PartialDate, Reference
from refman.store import mapping


def test_title_key_normalises_case_accents_punctuation_and_spaces():
    ref = Reference(
        title="  Ça  marche!  (Vraiment?) ", date=PartialDate(1999), creators=(Creator("Ñúñez"),)
    )
    assert mapping.title_key(ref) == "ca marche vraiment|1999|nunez"
    collective = Reference(title="X", creators=(Creator(literal="The WHO Group"),))
    assert mapping.title_key(collective) == "x||the who group"


def test_a_title_without_words_has_no_title_key():
    assert mapping.title_key(Reference(title=" ?! ", date=PartialDate(2020))) == ""
    assert mapping.title_key(Reference()) == ""


def test_keys_compare_dois_and_sort_numbers_by_value():
    assert mapping.doi_key(" https://doi.org/10.1/AbC ") == "10.1/abc"
    assert mapping.doi_key("http://dx.doi.org/10.1/X") == "10.1/x"
    assert mapping.doi_key("doi: 10.1/X") == "10.1/x"
    pages = ["S10-S12", "S9", "1-5", "100", "9"]
    assert sorted(pages, key=mapping.natural_key) == ["1-5", "9", "100", "S9", "S10-S12"]
    assert mapping.fold("Müller-Lyon.") == "muller lyon"


def test_times_are_stored_in_utc_to_the_second_and_read_back():
    paris = timezone(timedelta(hours=1))
    moment = datetime(2024, 3, 5, 13, 4, 5, tzinfo=paris)
    assert mapping.format_time(moment) == "2024-03-05T12:04:05Z"
    assert mapping.parse_time(mapping.format_time(moment)) == moment
    assert (
        mapping.format_time(datetime(2024, 3, 5, 12, 4, 5)) == "2024-03-05T12:04:05Z"
    )  # naive: UTC
    assert mapping.now().microsecond == 0 and mapping.now().tzinfo == UTC


# Any text but lone surrogates, with the separators of the compact layout now and then.
TEXT = st.text(st.sampled_from("ab\x1f\x1e é\n") | st.characters(exclude_categories=("Cs",)))


@given(record=st.lists(st.tuples(TEXT, TEXT), max_size=6).map(tuple))
def test_any_source_record_comes_back_from_its_blob(record):
    blob = mapping.encode_source_record(record)
    assert mapping.decode_source_record(blob) == record
    assert mapping.read_source_record(blob) == (record, "")


@given(
    record=st.lists(st.tuples(TEXT, TEXT), max_size=6).map(tuple),
    abstract=TEXT,
    at=st.integers(0, 6),
)
def test_a_record_that_holds_the_abstract_comes_back_with_it(record, abstract, at):
    record = (*record[:at], ("AB", abstract), *record[at:])
    blob = mapping.encode_source_record(record, abstract)
    assert mapping.read_source_record(blob, abstract) == (record, "")


def test_the_abstract_is_left_out_of_the_blob_and_put_back_on_reading():
    abstract = "Cardiomyocytes proliferate after injury in adult zebrafish. " * 20
    record = (("PMID", "1"), ("TI", "Hearts"), ("AB", abstract), ("FAU", "Knowles, Carla"))
    shared = mapping.encode_source_record(record, abstract)
    assert len(shared) < len(mapping.encode_source_record(record)) * 0.5
    assert mapping.decode_source_record(shared, abstract) == record
    without = mapping.decode_source_record(shared)  # a caller that has no abstract at hand
    assert without == (("PMID", "1"), ("TI", "Hearts"), ("AB", ""), ("FAU", "Knowles, Carla"))
    assert mapping.encode_source_record(record, "not in it")[:1] == b"\x03"


@given(
    record=st.lists(st.tuples(TEXT, TEXT), max_size=6).map(tuple),
    abstract=TEXT,
    affiliations=st.lists(TEXT, max_size=3),
    places=st.lists(st.tuples(st.integers(0, 8), st.integers(0, 2)), max_size=4),
)
def test_a_record_that_holds_affiliations_comes_back_with_them(
    record, abstract, affiliations, places
):
    record = (*record, ("AB", abstract))
    for at, which in places:  # affiliation values here and there, some more than once
        if which < len(affiliations):
            record = (*record[:at], ("AD", affiliations[which]), *record[at:])
    blob = mapping.encode_source_record(record, abstract, affiliations)
    assert mapping.read_source_record(blob, abstract, affiliations) == (record, "")


def test_affiliations_are_left_out_of_the_blob_and_put_back_on_reading():
    heart = "Heart Centre, University Hospital Schleswig-Holstein, Kiel, Germany."
    lund = "Department of Zoology, Lund University, Lund, Sweden."
    record = (
        ("PMID", "1"),
        ("FAU", "Knowles, Carla"),
        ("AD", heart),
        ("AD", lund),
        ("FAU", "Raval, M"),
        ("AD", heart),
        ("AD", "Kiel"),  # too short to be worth a place
    )
    creators = (
        Creator("Knowles", "Carla", affiliations=(heart, lund)),
        Creator("Raval", "M", affiliations=(heart, "Kiel")),
    )
    affiliations = mapping.record_affiliations(creators)
    assert affiliations == (heart, lund, "Kiel")
    shared = mapping.encode_source_record(record, "", affiliations)
    assert len(shared) < len(mapping.encode_source_record(record)) - 40
    assert shared.startswith(b"\x052=0,3=1,5=0:")
    assert mapping.decode_source_record(shared, "", affiliations) == record
    without = mapping.decode_source_record(shared)  # a caller that needs no affiliations
    assert [value for tag, value in without if tag == "AD"] == ["", "", "", "Kiel"]
    with pytest.raises(IndexError):  # the item names fewer affiliations than the record
        mapping.decode_source_record(shared, "", (heart,))
    assert mapping.encode_source_record(record, "", ("Not in it at all, anywhere",))[:1] == b"\x03"


def test_plain_records_are_packed_compactly_and_others_as_json():
    plain = (("PMID", "1"), ("TI", "A title"))
    assert mapping.encode_source_record(plain)[:1] == b"\x03"  # with the preset dictionary
    with_separator = (("TI", "a\x1fb"),)
    as_json = mapping.encode_source_record(with_separator)
    assert json.loads(zlib.decompress(as_json)) == [["TI", "a\x1fb"]]


MEDLINE_RECORD = (
    ("PMID", "30000005"),
    ("OWN", "NLM"),
    ("STAT", "MEDLINE"),
    ("IS", "0164-1476 (Electronic)"),
    ("TI", "Melanoma in the plasmoid."),
    ("AB", "An abstract."),
    ("FAU", "van Dijk, Mikael B"),
    ("AU", "van Dijk MB"),
    ("AD", "Department of Surgery, University Hospital, Auckland, New Zealand."),
    ("LA", "eng"),
    ("PT", "Journal Article"),
    ("PT", "Research Support, Non-U.S. Gov't"),
    ("MH", "Humans"),
    ("MH", "Dialysis/*metabolism/enzymology"),
    ("PHST", "2010/04/12 06:00 [pubmed]"),
    ("PST", "ppublish"),
)


def test_the_preset_dictionary_makes_a_medline_record_smaller_and_reads_back():
    joined = "\x1e".join(map("\x1f".join, MEDLINE_RECORD)).encode()
    blob = mapping.encode_source_record(MEDLINE_RECORD)
    assert len(blob) < len(zlib.compress(joined, 1)) * 0.85
    assert mapping.decode_source_record(blob) == MEDLINE_RECORD
    shared = mapping.encode_source_record(MEDLINE_RECORD, "An abstract.")
    assert shared[:1] == b"\x04"
    assert mapping.decode_source_record(shared, "An abstract.") == MEDLINE_RECORD


def test_records_in_the_layouts_written_before_the_dictionary_are_read():
    joined = "\x1e".join(map("\x1f".join, MEDLINE_RECORD)).encode()
    assert mapping.decode_source_record(b"\x01" + zlib.compress(joined, 1)) == MEDLINE_RECORD
    left_out = joined.replace(b"An abstract.", b"")
    shared = b"\x025:" + zlib.compress(left_out, 1)
    assert mapping.decode_source_record(shared, "An abstract.") == MEDLINE_RECORD


def test_a_damaged_blob_spoils_only_its_record_and_says_what_is_wrong():
    assert mapping.read_source_record(None) == ((), "")
    for blob in (
        b"\x01not zlib",
        b"garbage",
        zlib.compress(b"[1, 2, 3]"),  # JSON, but not pairs
        b"\x01" + zlib.compress(b"\xff\xfe"),  # not UTF-8
        b"\x02x:" + zlib.compress(b"AB\x1f"),  # the abstract's place is no number
        b"\x029:" + zlib.compress(b"AB\x1f"),  # nor a pair's
        b"\x03not zlib",  # with the dictionary
        mapping.encode_source_record(MEDLINE_RECORD)[:-9],  # cut short
    ):
        record, damage = mapping.read_source_record(blob)
        assert record == ()
        assert damage.startswith("its stored source record cannot be read ("), blob


def test_small_json_columns_are_empty_text_when_empty_and_read_in_one_call():
    assert mapping.to_json([]) == ""
    assert mapping.from_json("") == ()
    texts = [mapping.to_json(["Ü", "b"]), "", mapping.to_json([["x", True]])]
    assert mapping.from_json_many(texts) == [mapping.from_json(text) for text in texts]
    assert mapping.from_json_many(texts) == [("Ü", "b"), (), (["x", True],)]


def test_the_creator_summary_says_when_it_names_editors():
    def summary(*creators: Creator) -> str:
        return mapping.creator_summary(Reference(creators=creators))

    adam, feldman, mirzaa = (Creator(n, role="editor") for n in ("Adam", "Feldman", "Mirzaa"))
    assert summary(adam) == "Adam (ed.)"
    assert summary(adam, feldman) == "Adam and Feldman (eds.)"
    assert summary(adam, feldman, mirzaa) == "Adam et al. (eds.)"
    # A chapter is known by its authors, whoever comes first in the list.
    assert summary(adam, Creator("Ishikawa"), feldman) == "Ishikawa"
    assert summary() == ""
