"""bench/__main__.py: the sizes asked for, and a working folder that keeps only what was
there. A whole run, and its table, are in tests/system/test_bench.py."""

import pytest

from bench.__main__ import QUICK_SIZES, Workdir, parse_args


def test_sizes_default_quick_and_bad():
    assert parse_args([]).sizes == [10_000, 100_000]
    assert parse_args(["--sizes", "300,2000"]).sizes == [300, 2000]
    assert parse_args(["--quick"]).sizes == QUICK_SIZES
    for bad in ("ten", "0", ""):
        with pytest.raises(SystemExit):
            parse_args(["--sizes", bad])


def test_a_chosen_workdir_keeps_only_what_was_there(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    work = Workdir(str(tmp_path), keep=False)
    work.file("library-1.sqlite").write_text("x")
    (tmp_path / "backups").mkdir()
    work.cleanup()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]
    kept = Workdir(str(tmp_path), keep=True)
    kept.file("library-1.sqlite").write_text("x")
    kept.cleanup()
    assert (tmp_path / "library-1.sqlite").exists()
