"""Ask the office to quit: ``quit.py PORT``."""

import json
import sys

from unoconnect import connect, desktop

try:
    desktop(connect(int(sys.argv[1]), 5)).terminate()
except Exception as exc:  # the bridge closes as the office goes: that is the answer
    print(json.dumps({"closed": type(exc).__name__}))
else:
    print(json.dumps({"closed": True}))
