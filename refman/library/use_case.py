"""What every use case shares: the open library's connection, reads in one snapshot, and
changes in one transaction that return ``Changes`` after the commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from refman.library.changes import Changes
from refman.store.connection import Connection

T = TypeVar("T")


class UseCase:
    """A job of the library (items, tags, collections, ...) on one open connection."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def _read(self, query: Callable[..., T], *args: Any) -> T:
        """``query(db, *args)`` in one snapshot of the library."""
        with self._connection.reading() as db:
            return query(db, *args)

    def _change(self, changes: Changes, change: Callable[..., object], *args: Any) -> Changes:
        """``change(db, *args)`` in one transaction; ``changes`` once it is committed."""
        with self._connection.writing() as db:
            change(db, *args)
        return changes
