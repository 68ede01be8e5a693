"""refman.cli, in this process: the arguments that open the window, and the read-only notice.
The command line as a user runs it (the installed ``refman``, in processes of its own) is
tested in tests/system/test_cli.py and test_cli_refusals.py."""

from __future__ import annotations

import pytest

from refman import app
from refman.cli import parse


@pytest.mark.parametrize(
    ("argv", "command", "files"),
    [
        ([], "gui", []),
        (["--library", "x.sqlite"], "gui", []),
        (["a.nbib", "b.nbib"], "gui", ["a.nbib", "b.nbib"]),
        (["--library", "x.sqlite", "a.nbib"], "gui", ["a.nbib"]),
        (["--library=x.sqlite", "gui", "a.nbib"], "gui", ["a.nbib"]),
        (["--library", "list", "list"], "list", None),
    ],
)
def test_no_command_or_a_file_opens_the_window(argv, command, files):
    args = parse(argv)
    assert args.command == command
    if files is not None:
        assert args.files == files


def test_the_command_line_gives_the_read_only_notice(filled_library, read_only_medium, capsys):
    assert app.main(["--library", str(filled_library), "list"]) == 0
    assert "read-only" in capsys.readouterr().err
    assert app.main(["--library", str(filled_library), "tag", "add", "x", "--all"]) == 1
    assert "changes cannot be saved" in capsys.readouterr().err
