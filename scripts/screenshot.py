"""Make docs/screenshot.png: the tour's item-selected step (scripts/tour.py) at the README's size.

    xvfb-run -a -s "-screen 0 1600x1000x24" python scripts/screenshot.py [OUTPUT.png]

The tour imports the sample files in tests/data into a new library in a temporary folder (the
user's own library and settings are never touched), selects the seed record and stops there;
its screenshot of that step is copied to OUTPUT. Run it under Xvfb with fonts-dejavu installed
for the fonts a user sees; without a display, Qt renders offscreen.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import tour

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "screenshot.png"
SIZE = (1280, 800)


def main(output: Path = OUTPUT) -> int:
    with tempfile.TemporaryDirectory(prefix="refman-screenshot-") as folder:
        shots = Path(folder)
        status = tour.run(shots, SIZE, last_step=tour.README_STEP)
        if status:
            return status
        (shot,) = shots.glob(f"*-{tour.README_STEP}.png")
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, output)
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT))
