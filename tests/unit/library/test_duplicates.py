"""library.duplicates: the duplicate groups of a library (real-world pairs that are and are not
one paper), "Not Duplicates" remembered, merging and its undo, merging every group, bad input."""

from __future__ import annotations

import pytest

from refman.library import Library
from refman.library.duplicates import MERGE_FIELDS
from refman.model import ItemId, MissingItemError, RefmanError, ViewQuery
from refman.store.duplicates import SAME_DOI, SAME_PMID, SAME_TITLE
from tests.samples import AHEAD_OF_PRINT, DUPLICATES, EDITORIALS, FINAL

SCOP_PUBMED = DUPLICATES / "scop-pubmed.nbib"  # PubMed's record of PMID 16403221
SCOP_OTHERS = DUPLICATES / "scop-others.ris"  # the same paper and its look-alikes, as RIS
LOOK_ALIKES = [
    EDITORIALS,
    DUPLICATES / "replies.nbib",
    DUPLICATES / "errata.nbib",
    DUPLICATES / "erratum-titled-as-its-article.nbib",
    DUPLICATES / "joint-guideline-without-pmids.nbib",
    DUPLICATES / "book-and-chapters.nbib",
]


def _kept(library: Library, *paths) -> None:
    """Import every record of the files, duplicates kept as items of their own."""
    report = library.importing.files(list(paths), duplicates="keep")
    assert not report.problems


def _by(library: Library, **wanted) -> ItemId:
    """The one item whose fields have these values."""
    found = [
        ref.id
        for ref in library.items.each(ViewQuery())
        if all(getattr(ref, name) == value for name, value in wanted.items())
    ]
    assert len(found) == 1, wanted
    return ItemId(found[0])


def _scop(library: Library) -> dict[str, ItemId]:
    _kept(library, SCOP_PUBMED, SCOP_OTHERS)
    by_year = {ref.date.year: ref.id for ref in library.items.each() if ref.pages == "112"}
    return {
        "pubmed": _by(library, pmid="16403221"),
        "crossref": _by(library, doi="10.1186/1471-2105-7-10", pmid=""),
        "no identifier": _by(library, container_title="BMC Bioinform."),
        "next year": ItemId(by_year[2007]),
        "preprint": _by(library, doi="10.1101/2005.11.28.000001"),
        "comment": _by(library, doi="10.5555/scop-comment.2006"),
    }


# --- finding ----------------------------------------------------------------------------------


def test_one_article_from_pubmed_crossref_and_a_bare_ris_record_is_one_group(library):
    scop = _scop(library)
    (group,) = library.duplicates.groups()
    assert set(group.ids) == {scop["pubmed"], scop["crossref"], scop["no identifier"]}
    assert group.reasons == (SAME_DOI, SAME_TITLE)
    assert group.ids[0] == scop["pubmed"]  # oldest first: the proposed master


def test_a_preprint_with_another_doi_a_later_year_and_a_comment_are_never_proposed(library):
    scop = _scop(library)
    grouped = {i for group in library.duplicates.groups() for i in group.ids}
    assert not grouped & {scop["preprint"], scop["next year"], scop["comment"]}


def test_an_article_found_again_in_its_final_form_is_a_duplicate_by_pmid(library):
    _kept(library, AHEAD_OF_PRINT, FINAL)
    (group,) = library.duplicates.groups()
    assert group.reasons == (SAME_PMID,)
    assert len(group.ids) == 2


def test_errata_replies_editorials_and_a_guideline_in_two_journals_are_not_duplicates(library):
    _kept(library, *LOOK_ALIKES)
    assert library.items.count() > 15
    assert library.duplicates.groups() == []
    assert library.duplicates.count() == 0


def test_items_in_the_trash_are_not_proposed(library):
    _kept(library, AHEAD_OF_PRINT, FINAL)
    (group,) = library.duplicates.groups()
    library.items.trash([group.ids[1]])
    assert library.duplicates.groups() == []


# --- "Not Duplicates" -------------------------------------------------------------------------


def test_not_duplicates_is_remembered_across_reopening_and_can_be_forgotten(library_path):
    with Library(library_path) as library:
        _kept(library, AHEAD_OF_PRINT, FINAL)
        (group,) = library.duplicates.groups()
        pairs, _ = library.duplicates.not_duplicates(group.ids)
        assert library.duplicates.groups() == []
    with Library(library_path) as library:
        assert library.duplicates.groups() == []
        library.duplicates.forget(pairs)
        assert library.duplicates.groups() == [group]


def test_a_pair_kept_apart_splits_the_group_and_is_not_joined_through_a_third(library):
    scop = _scop(library)
    library.duplicates.not_duplicates([scop["pubmed"], scop["no identifier"]])
    groups = {frozenset(group.ids) for group in library.duplicates.groups()}
    # The bare record still matches the preprint by title (no identifier contradicts), but
    # it never joins the article through the Crossref record.
    assert groups == {
        frozenset({scop["pubmed"], scop["crossref"]}),
        frozenset({scop["no identifier"], scop["preprint"]}),
    }


def test_not_duplicates_needs_two_items_that_exist(library):
    _kept(library, AHEAD_OF_PRINT, FINAL)
    first = library.duplicates.groups()[0].ids[0]
    with pytest.raises(RefmanError, match="two different items"):
        library.duplicates.not_duplicates([first, first])
    with pytest.raises(MissingItemError, match="999"):
        library.duplicates.not_duplicates([first, ItemId(999)])
    assert len(library.duplicates.groups()) == 1


# --- merging ----------------------------------------------------------------------------------


def _everything(library: Library, item_id: ItemId):
    """What a user sees of an item: fields, tags, notes, collections, in the Trash or not."""
    ref = library.items.get(item_id)
    notes = [note.html for note in library.notes.of_item(item_id)]
    return ref.with_changes(date_modified=None), notes, library.collections.of_item(item_id)


def test_a_merge_keeps_chosen_fields_moves_tags_notes_collections_and_trashes_the_others(library):
    scop = _scop(library)
    master, crossref, bare = scop["pubmed"], scop["crossref"], scop["no identifier"]
    reading, _ = library.collections.create("Reading", None)
    library.collections.add_items([crossref], reading.id)
    library.tags.add([bare], ["to cite"])
    crossref_notes = library.notes.of_item(crossref)
    assert crossref_notes  # the RIS record's N1
    before = {i: _everything(library, i) for i in (master, crossref, bare)}

    result = library.duplicates.merge(master, [crossref, bare], fields={"title": crossref})

    merged = library.items.get(master)
    assert merged.title == "A high level interface to SCOP and ASTRAL implemented in Python"
    assert merged.pmid == "16403221" and merged.abstract  # the master's own values stay
    tags = {tag.name for tag in merged.tags}
    assert {"to cite", "python", "structural classification"} <= tags
    assert {tag.name for tag in before[master][0].tags} <= tags  # MeSH headings kept
    kinds = {tag.name: tag.kind for tag in merged.tags}
    assert all(kinds[tag.name] == tag.kind for tag in before[crossref][0].tags)  # keywords stay
    assert [n.id for n in crossref_notes] == [
        n.id for n in library.notes.of_item(master) if n.id in {c.id for c in crossref_notes}
    ]
    assert reading.id in library.collections.of_item(master)
    assert library.items.get(crossref).trashed and library.items.get(bare).trashed
    assert library.duplicates.groups() == []
    # The title as chosen; the publisher and URL PubMed's record lacks, from Crossref's.
    assert result.taken == {"title": crossref, "publisher": crossref, "url": crossref}
    assert any("Title: from item" in line for line in result.lines())

    library.duplicates.unmerge(result)
    assert {i: _everything(library, i) for i in before} == before
    assert len(library.duplicates.groups()) == 1


def test_a_master_without_identifiers_keeps_those_of_the_others(library):
    scop = _scop(library)
    library.duplicates.merge(scop["no identifier"], [scop["pubmed"], scop["crossref"]])
    merged = library.items.get(scop["no identifier"])
    assert merged.pmid == "16403221"
    assert merged.doi == "10.1186/1471-2105-7-10"
    assert merged.title == "A high-level interface to SCOP and ASTRAL implemented in Python."
    assert merged.container_title == "BMC Bioinform."  # its own value where it has one


def test_merge_all_keeps_the_oldest_or_the_one_with_most_fields_and_can_be_undone(library):
    _kept(library, SCOP_PUBMED, SCOP_OTHERS, AHEAD_OF_PRINT, FINAL)
    groups = library.duplicates.groups()
    ahead = _by(library, pmid="99400001", volume="")  # AHEAD_OF_PRINT's record
    before = library.items.count()

    done = library.duplicates.merge_all("most-fields")
    assert done.summary() == (
        "Merged 2 groups of duplicates, keeping the one with most fields of each: "
        "3 items moved to the Trash."
    )
    assert library.items.count() == before - 3
    assert library.items.get(_by(library, pmid="16403221")).abstract
    assert library.items.get(ahead).trashed  # the final form has more fields filled
    library.duplicates.unmerge_all(done)
    assert library.items.count() == before
    assert library.duplicates.groups() == groups

    oldest = library.duplicates.merge_all("oldest")
    assert {m.master for m in oldest.merges} == {g.ids[0] for g in groups}
    assert library.duplicates.merge_all("oldest").summary() == "No duplicates to merge."


@pytest.mark.parametrize(
    ("master", "others", "fields", "message"),
    [
        ("pubmed", ["pubmed", "crossref"], {}, "cannot be merged with itself"),
        ("pubmed", [], {}, "at least one other item"),
        ("pubmed", ["crossref"], {"colour": "crossref"}, "no field 'colour'"),
        ("pubmed", ["crossref"], {"title": "preprint"}, "not one of the items merged"),
    ],
)
def test_a_merge_that_cannot_be_made_says_why_and_changes_nothing(
    library, master, others, fields, message
):
    scop = _scop(library)
    before = [_everything(library, i) for i in scop.values()]
    with pytest.raises(RefmanError, match=message):
        library.duplicates.merge(
            scop[master],
            [scop[o] for o in others],
            fields={name: scop[source] for name, source in fields.items()},
        )
    assert [_everything(library, i) for i in scop.values()] == before


def test_merging_an_item_in_the_trash_or_an_unknown_one_changes_nothing(library):
    scop = _scop(library)
    library.items.trash([scop["crossref"]])
    before = [_everything(library, i) for i in scop.values()]
    with pytest.raises(RefmanError, match=f"Item {scop['crossref']} is in the Trash"):
        library.duplicates.merge(scop["pubmed"], [scop["no identifier"], scop["crossref"]])
    with pytest.raises(MissingItemError, match="999"):
        library.duplicates.merge(scop["pubmed"], [scop["no identifier"], ItemId(999)])
    assert [_everything(library, i) for i in scop.values()] == before


def test_an_unknown_rule_for_merge_all_is_refused(library):
    with pytest.raises(RefmanError, match="oldest or most-fields"):
        library.duplicates.merge_all("newest")


def test_undoing_a_merge_whose_items_were_deleted_meanwhile_says_so(library):
    _kept(library, AHEAD_OF_PRINT, FINAL)
    (group,) = library.duplicates.groups()
    result = library.duplicates.merge(group.ids[0], group.ids[1:])
    library.items.empty_trash()
    with pytest.raises(MissingItemError):
        library.duplicates.unmerge(result)
    assert library.items.count() == 1


def test_every_field_the_merge_pane_offers_can_be_chosen(library):
    scop = _scop(library)
    choices = {name: scop["crossref"] for name in MERGE_FIELDS}
    library.duplicates.merge(scop["pubmed"], [scop["crossref"]], fields=choices)
    merged, crossref = library.items.get_many([scop["pubmed"], scop["crossref"]])
    assert merged.pmid == ""  # chosen from the Crossref record, which has none
    for name in MERGE_FIELDS:
        assert getattr(merged, name) == getattr(crossref, name), name


def test_a_merge_moves_the_others_attachments_to_the_master_and_undo_gives_them_back(
    library, tmp_path
):
    scop = _scop(library)
    master, crossref = scop["pubmed"], scop["crossref"]
    paper = tmp_path / "scop.pdf"
    paper.write_bytes(b"%PDF-1.4 the paper")
    library.attachments.attach(crossref, [paper])
    (row,) = library.attachments.of([crossref])[crossref]

    result = library.duplicates.merge(master, [crossref])
    assert [r.id for r in library.attachments.of([master])[master]] == [row.id]
    assert library.attachments.file(row).read_bytes() == b"%PDF-1.4 the paper"  # not copied
    assert f"  moved to {master}: 2 tags, 1 note, 1 attachment" in result.lines()

    library.duplicates.unmerge(result)
    assert library.attachments.of([master]) == {}
    assert [r.id for r in library.attachments.of([crossref])[crossref]] == [row.id]
