"""The tour of the window (scripts/tour.py) under a real X server, as the README runs it: every
step passes, the tour ends by itself, and each step leaves a screenshot that shows something;
a step that fails says which, leaves its screenshot and makes the tour exit 1. The README's
pictures made by the scripts beside it (the viewer, the citation picker, a formatted manuscript)
are made too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from tests.safety_helpers import program_env

ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "scripts" / "tour.py"
VIEWER_SHOT = ROOT / "scripts" / "viewer_screenshot.py"  # the README's picture of the viewer
PICKER_SHOT = ROOT / "scripts" / "picker_screenshot.py"  # the citation picker's
MANUSCRIPT_SHOT = ROOT / "scripts" / "manuscript_screenshot.py"  # a formatted manuscript's
STEPS = (
    "first-start",
    "import-review",
    "imported",
    "item-selected",
    "tagged",
    "note",
    "search",
    "export",
)
# Beyond the tour's own limit (60 s, after which it ends itself): only a tour that does not end
# at all runs into this.
HANG_S = 180
GRID = 40  # points sampled across each screenshot, each way
MOST_OF_ONE_COLOUR = 0.9  # a screenshot more of one colour than this is blank


def run_tour(
    tmp_path: Path, display: str, *args: str, script: Path = TOUR
) -> subprocess.CompletedProcess:
    env = dict(program_env(tmp_path), DISPLAY=display, QT_QPA_PLATFORM="xcb")
    return subprocess.run(
        [sys.executable, str(script), *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=HANG_S,
    )


def colours(path: Path) -> list[int]:
    """The colours of a grid of points across the image."""
    image = QImage(str(path))
    assert not image.isNull(), f"{path.name} is no image"
    assert image.width() >= 400 and image.height() >= 300, f"{path.name} is too small"
    return [
        image.pixel(x * (image.width() - 1) // (GRID - 1), y * (image.height() - 1) // (GRID - 1))
        for x in range(GRID)
        for y in range(GRID)
    ]


def assert_shows_something(path: Path) -> None:
    sampled = colours(path)
    commonest = max(sampled.count(c) for c in set(sampled))
    assert commonest < MOST_OF_ONE_COLOUR * len(sampled), f"{path.name} is blank"
    assert len(set(sampled)) > 5, f"{path.name} shows next to nothing"


def test_the_tour_takes_every_step_and_shows_each(tmp_path, large_x_display):
    shots = tmp_path / "shots"
    done = run_tour(tmp_path, large_x_display, str(shots))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    expected = [f"{n:02d}-{step}.png" for n, step in enumerate(STEPS, 1)]
    assert sorted(p.name for p in shots.iterdir()) == expected
    for name in expected:
        assert_shows_something(shots / name)
    assert len({(shots / name).read_bytes() for name in expected}) == len(expected)  # all differ
    assert "Traceback" not in done.stdout


def test_a_step_that_fails_says_which_and_the_tour_exits_1(tmp_path, large_x_display):
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "notes.nbib").write_text("Not a reference at all.\n", encoding="utf-8")
    shots = tmp_path / "shots"
    done = run_tour(tmp_path, large_x_display, str(shots), "--samples", str(samples))
    assert done.returncode == 1
    assert "tour: step 2 (import-review) failed: no review, but: No references could be read." in (
        done.stderr
    )
    assert "notes.nbib" in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in shots.iterdir()) == [
        "01-first-start.png",
        "02-import-review-FAILED.png",
    ]


def test_the_viewers_screenshot_is_made_from_a_real_pdf(tmp_path, large_x_display):
    picture = tmp_path / "viewer.png"
    done = run_tour(tmp_path, large_x_display, str(picture), script=VIEWER_SHOT)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert f"wrote {picture}" in done.stdout
    assert_shows_something(picture)


def test_the_pickers_screenshot_is_made_by_a_real_request(tmp_path, large_x_display):
    picture = tmp_path / "picker.png"
    done = run_tour(tmp_path, large_x_display, str(picture), script=PICKER_SHOT)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    # The editor's request was answered with the two items picked, in the order picked, the
    # second with the page typed after its search.
    assert "answered: [@brinjikji2018impact; @goldhoorn2019balloon, p. 1761]" in done.stdout
    assert_shows_something(picture)


def test_the_manuscripts_screenshot_formats_every_citation(tmp_path, large_x_display):
    picture = tmp_path / "manuscript.png"
    done = run_tour(tmp_path, large_x_display, str(picture), script=MANUSCRIPT_SHOT)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    # Every key and PMID the draft types is in the sample library: none is left unformatted.
    assert "6 citations of 6 items in american-medical-association, a bibliography of 6 " \
        "entries." in done.stdout
    assert_shows_something(picture)
    image = QImage(str(picture))
    assert image.width() > image.height()  # the draft and its formatted copy side by side
