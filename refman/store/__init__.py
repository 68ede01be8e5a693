"""Persistence: the library file (SQLite through peewee), its schema, search and migrations.

Only this package imports peewee. ``Store`` is its whole public face.
"""

from refman.store.mapping import duplicate_keys, title_key
from refman.store.store import Store

__all__ = ["Store", "duplicate_keys", "title_key"]
