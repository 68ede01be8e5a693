"""The composition root: read the arguments, then run a command or open the window.

Errors the user can act on (``RefmanError``) are printed in plain words; anything else is a
bug: its traceback goes to the log file (``refman.logs``), and the user gets one line that says
where it is.
"""

from __future__ import annotations

import logging
import multiprocessing
import sys

from refman import cli
from refman.logs import log_unexpected
from refman.model import RefmanError
from refman.paths import resolve_library_path

log = logging.getLogger("refman")


def main(argv: list[str] | None = None) -> int:
    # In the packaged app, a child process started with "spawn" (refman.pdf reads PDFs in
    # one) runs this same executable: freeze_support() makes it the child and never returns.
    multiprocessing.freeze_support()
    cli.show_any_bytes()  # before argparse, which may print a name back
    args = cli.parse(sys.argv[1:] if argv is None else argv)
    try:
        cli.check_text_arguments(args)
        if args.command == "styles":
            return cli.cmd_styles(args)
        if args.command == "libreoffice-extension":
            return cli.cmd_libreoffice_extension(args)
        library_path = resolve_library_path(args.library)
        if args.command == "gui":
            from refman.gui.app import run

            return run(library_path, args.files)
        return cli.run_command(args, library_path)
    except RefmanError as exc:
        print(f"refman: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `refman list | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: keep the traceback for the report, not for the user
        where = log_unexpected(exc)
        detail = f" (details in {where})" if where else ""
        print(f"refman: unexpected error: {exc}{detail}", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
