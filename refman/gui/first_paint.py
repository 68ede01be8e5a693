"""Start-up measurement: with ``REFMAN_QUIT_AFTER_SHOWN=1`` the window reports its first paint.

packaging/measure_startup.py and the packaging tests start the program this way. When the main
window has painted once, one JSON line goes to stdout and the application quits:
``{"rows": 10000, "painted_epoch": 1767225600.5, "shown_after_launch_s": 0.84}``.
``shown_after_launch_s`` counts from the kernel's record of the process start (Linux), so it
includes the interpreter and the imports; elsewhere it is null and the caller uses its own clock.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

ENV = "REFMAN_QUIT_AFTER_SHOWN"


def requested() -> bool:
    return os.environ.get(ENV, "") not in ("", "0")


def process_age_s() -> float | None:
    """Seconds since this process started, from /proc; None where there is no /proc."""
    try:
        stat = Path("/proc/self/stat").read_text()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError):
        return None
    # Field 22 (starttime, in clock ticks since boot) counts from after the ")" of the name.
    start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
    return round(uptime - start_ticks / os.sysconf("SC_CLK_TCK"), 3)


class FirstPaintReporter(QObject):
    """Watches the window; after its first paint, prints the report and quits."""

    def __init__(self, window, rows):
        super().__init__(window)
        self._rows = rows  # a callable: the rows the table shows
        self._done = False
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._done:
            self._done = True
            QTimer.singleShot(0, self._report)  # after this paint has been drawn
        return False

    def _report(self) -> None:
        report = {
            "rows": self._rows(),
            "painted_epoch": time.time(),
            "shown_after_launch_s": process_age_s(),
        }
        print(json.dumps(report), flush=True)
        sys.stdout.flush()
        QApplication.quit()
