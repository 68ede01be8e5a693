"""What unit tests in several folders share: a disk that says no to writing."""

from __future__ import annotations

import os

import pytest

from refman.library import backups


@pytest.fixture
def read_only_medium(monkeypatch):
    """The system says no to writing, as it does for any user on a read-only disk.

    (Root may write through any permission, so the tests, which run as root in CI, cannot
    make a read-only folder with chmod; mounting a read-only disk needs privileges.)
    """
    monkeypatch.setattr(backups.os, "access", lambda path, mode: mode != os.W_OK)
