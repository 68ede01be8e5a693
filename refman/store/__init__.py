"""Persistence: the library file (SQLite through peewee), its schema, queries and migrations.

Only this package imports peewee. ``connection.Connection`` is an open library file (its
transactions, snapshots and caches); the other modules are queries by what they handle
(``items``, ``tags``, ``notes``, ``collection_tree``, ``search``, ``fts``, ``duplicates``,
``maintenance``), plain functions of the database the connection holds. Nothing is
re-exported here: callers import the module they use, and the package imports none of its
modules, so that no import goes round in a circle through it.
"""
