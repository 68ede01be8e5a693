"""The benchmark's synthetic CSL-JSON files: as many items as asked, all readable, one seed one
file."""

from bench.synthetic_csl_json import write_synthetic
from refman import formats
from refman.formats import csl_json


def test_the_items_asked_for_are_written_and_read_back_without_problems(tmp_path):
    path = tmp_path / "synthetic.json"
    write_synthetic(path, 1200, seed=3)  # more than one batch
    problems = []
    refs = list(csl_json.read(path, on_problem=problems.append))
    assert problems == []
    assert len(refs) == 1200
    assert all(ref.title and ref.creators for ref in refs)
    assert formats.sniff(path.read_bytes()[: formats.SNIFF_BYTES], path.name).key == "csl-json"


def test_one_seed_writes_the_same_file(tmp_path):
    paths = [tmp_path / f"{name}.json" for name in ("a", "b", "c")]
    for path, seed in zip(paths, (1, 1, 2), strict=True):
        write_synthetic(path, 20, seed)
    assert paths[0].read_bytes() == paths[1].read_bytes() != paths[2].read_bytes()
