"""Ask the office to quit: ``quit.py PORT``."""

import sys

from unoconnect import answer, connect, desktop

try:
    desktop(connect(int(sys.argv[1]), 5)).terminate()
except Exception as exc:  # the bridge closes as the office goes: that is the answer
    answer({"closed": type(exc).__name__})
else:
    answer({"closed": True})
