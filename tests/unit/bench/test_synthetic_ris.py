"""Synthetic RIS files: as many records as asked, each read back whole, the same bytes for the
same seed."""

from bench.synthetic_ris import write_synthetic
from refman.formats import ris


def test_synthetic_ris_reads_back_as_many_records_without_problems(tmp_path):
    path = tmp_path / "synthetic.ris"
    write_synthetic(path, 1001, 7)  # more than a batch of the writer
    problems = []
    refs = list(ris.read(path, on_problem=problems.append))
    assert problems == []
    assert len(refs) == 1001 and len({ref.pmid for ref in refs}) == 1001
    assert all(ref.title and ref.creators and ref.date.year for ref in refs)


def test_the_same_seed_writes_the_same_bytes_and_another_seed_others(tmp_path):
    paths = [tmp_path / f"{n}.ris" for n in range(3)]
    for path, seed in zip(paths, (7, 7, 8), strict=True):
        write_synthetic(path, 30, seed)
    first, again, other = (path.read_bytes() for path in paths)
    assert first == again != other
