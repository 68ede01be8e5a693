"""Persistence: the library file (SQLite through peewee), its schema, search and migrations.

Only this package imports peewee. ``Store`` is its whole public face.
"""

from refman.store.database import add_damage_listener
from refman.store.database import file_key as store_file_key
from refman.store.duplicates import REASONS, DuplicateKeys, Match, best_match
from refman.store.mapping import title_key
from refman.store.store import Store

__all__ = [
    "REASONS",
    "DuplicateKeys",
    "Match",
    "Store",
    "add_damage_listener",
    "best_match",
    "store_file_key",
    "title_key",
]
