"""The readers' table of the benchmark: a line per reader, whatever happened to it."""

from bench import readers

MEDLINE = {"seconds": 1.0, "records": 1000, "problems": 0, "file_bytes": 3 * 2**20}


def test_a_format_without_a_synthetic_writer_is_listed_not_left_out():
    text = readers.table({"medline": MEDLINE, "ris": {"missing": True}}, 1000)
    assert "| RIS | no synthetic writer |" in text


def test_speeds_are_put_beside_the_medline_readers():
    slow = dict(MEDLINE, seconds=4.0)
    fast = dict(MEDLINE, seconds=0.5)
    text = readers.table({"medline": MEDLINE, "ris": slow, "csl-json": fast}, 1000)
    lines = text.splitlines()
    assert "| MEDLINE / PubMed | 3.0 MB | 1,000 | 1,000 /s | (the reference) |" in lines
    assert "| RIS | 3.0 MB | 1,000 | 250 /s | 4.0× slower |" in lines
    assert "| CSL-JSON | 3.0 MB | 1,000 | 2,000 /s | 2.0× faster |" in lines


def test_a_failed_reader_fails_its_line_only():
    text = readers.table({"medline": MEDLINE, "ris": {"error": "boom"}}, 1000)
    assert "| RIS | failed |" in text
    assert "(the reference)" in text


def test_a_writer_that_raises_is_a_failed_cell(tmp_path, monkeypatch):
    def broken(path, count, seed):
        raise OSError("disk full")

    monkeypatch.setattr(readers, "synthetic_writer", lambda key: broken)
    found = readers.bench_readers(10, 1, tmp_path.joinpath, lambda t, a: {}, lambda m: None)
    assert found and all(r == {"error": "disk full"} for r in found.values())
