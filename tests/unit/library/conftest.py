"""What the library's tests share: another program's commit, landing between two statements of
one read (the torture run in tests/system found such reads at random)."""

from __future__ import annotations

import pytest


@pytest.fixture
def commit_between(monkeypatch):
    """``commit_between(module, name, commit, after=None)`` makes ``module.name`` run
    ``commit()`` (once) before it reads; with ``after``, after it read, on the first call whose
    arguments ``after(*args)`` accepts."""

    def plant(module, name: str, commit, *, after=None) -> None:
        original = getattr(module, name)
        done = []

        def with_a_commit_elsewhere(*args, **kwargs):
            if not done and after is None:
                done.append(commit())
            result = original(*args, **kwargs)
            if not done and after is not None and after(*args):
                done.append(commit())
            return result

        monkeypatch.setattr(module, name, with_a_commit_elsewhere)

    return plant
