"""How long refman takes from launch to its window on screen, over a 10,000-item library.

    python packaging/measure_startup.py [--program dist/refman/refman] [--items 10000] [--runs 5]

Without ``--program`` it times ``python -m refman`` (the source install). It writes a synthetic
MEDLINE file (``bench.synthetic``), imports it into a new library with the program under
test, then starts the window that many times with ``REFMAN_QUIT_AFTER_SHOWN=1``: the window
quits after its first paint and reports the seconds since its process was launched. Qt runs
offscreen and the window's settings go to the work folder. Prints the median and every run,
and the processor time of each start (user + system, up to its exit), which a busy machine
changes less than the clock.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The synthetic generator is the benchmark's (bench/ in the repository, beside packaging/); it is
# not part of the installed package, so the repository's root goes on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import synthetic  # noqa: E402

TARGET_S = 1.5


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--program", help="the refman executable (default: python -m refman)")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", help="keep the library here (default: a temporary folder)")
    return parser.parse_args(argv)


def environment(workdir: Path) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", REFMAN_QUIT_AFTER_SHOWN="1")
    env["XDG_CONFIG_HOME"] = str(workdir / "config")  # not the user's own window settings
    # An installed package has its modules compiled (pip does it); a source tree gets there on
    # the first start, unless this is set, and then every start pays for compiling.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def make_library(command: list[str], workdir: Path, items: int) -> Path:
    """A library of ``items`` synthetic records, imported by the program under test."""
    library = workdir / f"library-{items}.sqlite"
    if not library.exists():
        medline = workdir / f"synthetic-{items}.nbib"
        synthetic.write_medline(medline, items)
        run = [*command, "--library", str(library), "import", str(medline)]
        subprocess.run(run, check=True, env=environment(workdir), stdout=subprocess.DEVNULL)
    return library


def children_cpu_s() -> float:
    """Processor seconds used by this process's finished children (0 where unknown)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_start(command: list[str], library: Path, workdir: Path) -> dict:
    """Start the window once; its report, with the launcher's clock and the CPU time beside it."""
    cpu_before, launched = children_cpu_s(), time.time()
    done = subprocess.run(
        [*command, "--library", str(library)],
        capture_output=True,
        text=True,
        env=environment(workdir),
        timeout=120,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        sys.exit(f"the window did not report (exit {done.returncode}):\n{done.stderr[-2000:]}")
    report = json.loads(lines[-1])
    report["launcher_s"] = report["painted_epoch"] - launched
    report["cpu_s"] = children_cpu_s() - cpu_before
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = [args.program] if args.program else [sys.executable, "-m", "refman"]
    with tempfile.TemporaryDirectory(prefix="refman-startup-") as temporary:
        workdir = Path(args.workdir or temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        library = make_library(command, workdir, args.items)
        one_start(command, library, workdir)  # warm the disk cache, as a second start would be
        reports = [one_start(command, library, workdir) for _ in range(args.runs)]
    # The kernel's launch time where there is one (Linux), else the launcher's clock.
    times = [r["shown_after_launch_s"] or r["launcher_s"] for r in reports]
    median = statistics.median(times)
    verdict = f"{'✓' if median < TARGET_S else '✗'} (< {TARGET_S} s)"
    print(f"{' '.join(command)}: {reports[0]['rows']:,} rows on screen")
    print(f"launch to first paint, median of {len(times)}: {median:.2f} s {verdict}")
    print("runs: " + ", ".join(f"{t:.2f} s" for t in times))
    cpu = [r["cpu_s"] for r in reports]
    print(f"processor time per start, median: {statistics.median(cpu):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
