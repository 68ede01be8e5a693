"""The window and four command-line users on one library, at random, and the library after.

See tests/system/torture.py for what runs and tests/system/ledger_checks.py for what must hold.
A failure prints the seed; ``REFMAN_TORTURE_SEED=<seed>`` replays the same choices (the
timing, and so the interleaving, differs from run to run).
"""

from __future__ import annotations

from tests.system.ledger_checks import verify
from tests.system.torture import TortureRun, seed_for_run

RUN_SECONDS = 35


def torture(folder, *, kills: bool) -> None:
    seed = seed_for_run()
    print(f"torture seed: {seed}")
    run = TortureRun(folder, seed, kills=kills)
    run.prepare()
    run.run(RUN_SECONDS)
    verify(run)
    report = run.report()
    print(report)
    assert not run.problems, report


def test_window_and_command_line_together_lose_nothing(tmp_path):
    torture(tmp_path, kills=False)


def test_killed_processes_leave_their_last_change_whole_or_absent(tmp_path):
    torture(tmp_path, kills=True)
