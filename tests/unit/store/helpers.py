"""What several of the store's tests check: the full-text index against the tables."""

from __future__ import annotations

import peewee

from refman.store import fts


def index_problems(db: peewee.Database) -> list[str]:
    """Where the full-text index and the tables disagree, then FTS5's own check of each index
    (which needs the write lock: ``db`` is inside a write transaction). Empty when in step."""
    return fts.differences(db) + fts.self_check(db)
