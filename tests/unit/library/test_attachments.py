"""library.attachments: files copied whole (or linked), listed, trashed, emptied, checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from refman.library.attachments import summary_files
from refman.model import MissingItemError, ViewQuery

DATA = Path(__file__).parents[2] / "data"
PDF = DATA / "pdf" / "rehabil-res-pract-2010-hindawi.pdf"
NOT_A_PDF = DATA / "pdf" / "neg-not-a-pdf.pdf"


@pytest.fixture
def item(library):
    return library.importing.files([DATA / "pubmed_result1.txt"]).added[0]


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_a_file_is_copied_whole_beside_the_library_under_its_own_name(library, item):
    report = library.attachments.attach(item, [PDF])
    assert report.failed == [] and report.remarks == [] and report.changes.changed == {item}
    (row,) = library.attachments.of([item])[item]
    copy = library.attachments.file(row)
    assert copy.parent.parent == library.path.parent / "files"
    assert copy.name == PDF.name and copy.read_bytes() == PDF.read_bytes()
    size = PDF.stat().st_size
    assert (row.content_type, row.size, row.linked) == ("application/pdf", size, False)
    assert PDF.exists()  # the source is never moved
    assert report.summary(item) == f"Attached 1 file to item {item}."


def test_odd_file_names_are_kept(library, item, tmp_path):
    names = ["résumé (v2) #1 ü.pdf", "a b\tc;d's.txt", "—.csv", ".hidden"]
    for name in names:
        (tmp_path / name).write_bytes(b"data " + name.encode())
    library.attachments.attach(item, [tmp_path / name for name in names])
    rows = library.attachments.of([item])[item]
    assert [row.name for row in rows] == names
    assert [library.attachments.file(row).read_bytes() for row in rows] == [
        b"data " + name.encode() for name in names
    ]


def test_a_linked_file_stays_where_it_is_relative_to_the_base_folder(library, item, tmp_path):
    base = tmp_path / "Papers"
    (base / "2023").mkdir(parents=True)
    paper = base / "2023" / "paper.pdf"
    paper.write_bytes(PDF.read_bytes())
    library.attachments.attach(item, [paper], link=True, base=base)
    (row,) = library.attachments.of([item])[item]
    assert (row.linked, row.path) == (True, os.path.join("2023", "paper.pdf"))
    assert library.attachments.file(row, base) == paper
    assert not (library.path.parent / "files").exists()  # nothing copied


def test_files_that_cannot_be_attached_are_told_and_the_others_attached(library, item, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    wal = Path(str(library.path) + "-wal")
    bad = [tmp_path / "gone.pdf", tmp_path, fifo, library.path, wal]
    report = library.attachments.attach(item, [*bad, NOT_A_PDF])
    reasons = [why for _path, why in report.failed]
    assert reasons == [
        f"{tmp_path / 'gone.pdf'} is not there (moved or deleted?).",
        f"{tmp_path} is a folder: attach the files in it.",
        f"{fifo} is not a regular file.",
        f"{library.path}: this is the library itself; it cannot be attached.",
        f"{wal}: this is part of the library itself (SQLite's -wal file); it cannot be attached.",
    ]
    assert report.remarks == [f"{NOT_A_PDF} is named .pdf but is not a PDF: kept as a plain file."]
    (row,) = library.attachments.of([item])[item]
    assert row.content_type == "application/octet-stream"
    assert report.summary(item) == f"Attached 1 file to item {item}. 5 not attached."


def test_an_unknown_item_is_refused_before_anything_is_copied(library):
    with pytest.raises(MissingItemError, match="There is no item with id 99"):
        library.attachments.attach(99, [PDF])
    assert not (library.path.parent / "files").exists()


def test_a_failed_commit_leaves_no_copy_behind(library, item, monkeypatch):
    from refman.store import attachments as stored

    def refuse(*_args):
        raise OSError("the disk went away")

    monkeypatch.setattr(stored, "insert", refuse)
    with pytest.raises(OSError):
        library.attachments.attach(item, [PDF])
    assert files_under(library.path.parent / "files") == []


def test_the_trash_keeps_files_until_it_is_emptied_and_linked_files_are_never_deleted(
    library, item, tmp_path
):
    mine = tmp_path / "mine.pdf"
    mine.write_bytes(b"%PDF-1.4 mine")
    library.attachments.attach(item, [PDF])
    library.attachments.attach(item, [mine], link=True)
    stored, linked = library.attachments.of([item])[item]
    copy = library.attachments.file(stored)

    library.attachments.trash([stored.id])
    assert library.attachments.get(stored.id).trashed and copy.exists()
    library.attachments.restore([stored.id])
    library.items.trash([item])
    library.items.restore([item])  # what undo of a delete does
    assert copy.read_bytes() == PDF.read_bytes()

    library.items.trash([item])
    changes = library.items.empty_trash()
    assert changes.removed == {item}
    assert not copy.exists() and not copy.parent.exists()
    assert mine.exists()  # the user's own file
    assert library.items.search(ViewQuery(trashed=True)) == []


def test_emptying_the_trash_removes_trashed_attachments_of_items_kept(library, item):
    library.attachments.attach(item, [PDF, NOT_A_PDF])
    kept, trashed = library.attachments.of([item])[item]
    library.attachments.trash([trashed.id])
    changes = library.items.empty_trash()
    assert changes.changed == {item} and changes.removed == frozenset()
    assert [row.id for row in library.attachments.of([item])[item]] == [kept.id]
    assert library.attachments.file(kept).exists()
    assert not library.attachments.file(trashed).exists()


def test_check_names_missing_files_and_orphaned_folders_with_what_to_do(library, item):
    library.attachments.attach(item, [PDF, NOT_A_PDF])
    first, second = library.attachments.of([item])[item]
    library.attachments.file(first).unlink()
    orphan = library.path.parent / "files" / "ORPHAN00"
    orphan.mkdir()
    (orphan / ".ORPHAN00.refman-part").write_bytes(b"half")
    assert library.attachments.check() == [
        f"item {item}: the file of attachment {first.id} ({first.name}) is missing: "
        f"{library.attachments.file(first)}. Attach the file again, or delete the attachment.",
        f"{orphan} belongs to no attachment (left by an interrupted attach, or by another "
        "library in this folder): move it away or delete it.",
    ]
    assert library.attachments.file(second).exists()


def test_the_text_of_pdfs_is_indexed_and_found_with_a_passage(library, item, tmp_path):
    scan = DATA / "pdf" / "neg-scanned-image-only.pdf"
    library.attachments.attach(item, [PDF, scan, NOT_A_PDF])
    text = library.attachments.read_text()
    assert (text.indexed, text.scans, text.failed) == ([PDF.name], [scan.name], [])
    assert text.summary() == (
        "Read the text of 1 PDF. 1 without a text layer (scanned): not searchable."
    )
    assert library.attachments.search_text("structured heart failure programm") == [item]
    passage = library.attachments.passage(item, "heart failure")
    assert "[heart] [failure]" in passage.lower() and len(passage) < 200
    assert library.attachments.passage(item, "zebrafish") == ""
    pdf_row, scan_row, plain = library.attachments.of([item])[item]
    assert (pdf_row.text_state, pdf_row.pages) == ("indexed", 6)
    assert (scan_row.text_state, plain.text_state) == ("no text", "")
    assert library.attachments.search_text("nowhere-to-be-found-word") == []
    assert library.attachments.read_text().indexed == []  # nothing read twice


def test_text_of_trashed_and_deleted_pdfs_is_not_found(library, item):
    library.attachments.attach(item, [PDF])
    library.attachments.read_text()
    (row,) = library.attachments.of([item])[item]
    library.attachments.trash([row.id])
    assert library.attachments.search_text("heart") == []
    library.attachments.restore([row.id])
    assert library.attachments.search_text("heart") == [item]
    library.items.trash([item])
    library.items.empty_trash()
    with library.connection.reading() as db:  # the trigger took the words with the row
        assert db.execute_sql("SELECT count(*) FROM attachment_fts").fetchone() == (0,)


def test_the_text_index_is_rebuilt_from_the_files(library, item):
    library.attachments.attach(item, [PDF])
    library.attachments.read_text()
    library.attachments.rebuild_text()
    assert library.attachments.search_text("heart") == []
    assert library.attachments.read_text().indexed == [PDF.name]
    assert library.attachments.search_text("heart") == [item]


def test_a_pdf_whose_file_went_away_is_told_not_retried(library, item):
    library.attachments.attach(item, [PDF])
    (row,) = library.attachments.of([item])[item]
    library.attachments.file(row).unlink()
    ((name, why),) = library.attachments.read_text().failed
    assert name == PDF.name and why.startswith("not read: the file is missing")


def test_backups_copy_attachment_files_once_and_a_restore_brings_them_back(
    library, item, library_path
):
    from refman.library import backups

    library.attachments.attach(item, [PDF])
    (row,) = library.attachments.of([item])[item]
    first = library.safety.backup()
    mirror = backups.files_mirror(library_path)
    kept = mirror / row.key / row.name
    assert kept.read_bytes() == PDF.read_bytes()
    before = kept.stat().st_mtime_ns
    assert backups.mirror_files(library_path) == 0  # incremental: nothing new to copy
    library.attachments.attach(item, [NOT_A_PDF])
    assert backups.mirror_files(library_path) == 1
    assert kept.stat().st_mtime_ns == before

    library.items.trash([item])
    library.items.empty_trash()  # the copies beside the library are gone
    assert not library.attachments.file(row).exists()
    library.close()
    backups.restore(library_path, first)
    from refman.library import Library

    with Library(library_path) as restored:
        assert restored.attachments.bring_back() == [PDF.name]
        (back,) = restored.attachments.of([item])[item]
        assert restored.attachments.file(back).read_bytes() == PDF.read_bytes()
        assert restored.attachments.bring_back() == []


def test_the_item_table_reads_a_summary_of_each_items_files_outside_the_trash(
    library, item, tmp_path
):
    data = tmp_path / "data.csv"
    data.write_text("x\n", encoding="utf-8")
    pdf, csv = library.attachments.attach(item, [PDF, data]).attached
    other, _ = library.items.add(library.items.get(item).with_changes(title="Other", pmid=""))
    rows = library.items.rows([item, other], ["title", "attachments"])
    assert summary_files(rows[item][1]) == [(True, PDF.name), (False, "data.csv")]
    assert summary_files(rows[other][1]) == []
    assert library.attachments.items_with_files() == {item}
    library.attachments.trash([pdf])
    rows = library.items.rows([item], ["attachments"])
    assert summary_files(rows[item][0]) == [(False, "data.csv")]
    library.attachments.trash([csv])
    assert library.items.rows([item], ["attachments"])[item] == (None,)
    assert library.attachments.items_with_files() == set()
