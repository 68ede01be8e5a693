"""refman.gui.single_instance: every spelling of a library's path names the same window's
server. A second start handing its files to a window, in a process of its own, is tested in
tests/system/test_single_instance.py."""

from refman.gui.single_instance import server_name


def test_each_spelling_of_a_library_path_is_the_same_library(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "sub")
    same = [tmp_path / "sub" / "lib.sqlite", tmp_path / "link" / "lib.sqlite"]
    same.append(tmp_path / "sub" / ".." / "sub" / "lib.sqlite")
    assert len({server_name(path) for path in same}) == 1
    assert server_name(tmp_path / "other.sqlite") != server_name(same[0])
