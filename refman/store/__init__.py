"""Persistence: the library file (SQLite through peewee), its schema, search and migrations.

Only this package imports peewee. ``Store`` is its whole public face.
"""

from refman.store.duplicates import REASONS, DuplicateKeys, Match, best_match
from refman.store.mapping import title_key
from refman.store.store import Store

__all__ = ["REASONS", "DuplicateKeys", "Match", "Store", "best_match", "title_key"]
