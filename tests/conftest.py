"""Shared test set-up. Qt runs offscreen so that GUI tests need no display."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
