"""The store's tests share one set-up: a library file, an open Connection to it, and its
database inside one write transaction.

The store's query modules are plain functions of a peewee database: a test opens the
``connection`` and calls them inside ``connection.writing()`` or ``reading()`` as the library
does, or takes ``db`` when the whole test can be one transaction. Tests of what is kept
between transactions (sort orders, tag listings) and of other programs' commits use
``connection`` (and ``other``), since nothing is kept inside a write transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest

from refman.store.connection import Connection


@pytest.fixture
def path(tmp_path) -> Path:
    """Where the library file is (made when a connection first opens it)."""
    return tmp_path / "library.sqlite"


@pytest.fixture
def connection(path) -> Iterator[Connection]:
    """A new library, open for writing."""
    opened = Connection(path)
    yield opened
    opened.close()


@pytest.fixture
def other(connection) -> Iterator[Connection]:
    """A second connection to the same library, as another program would hold it."""
    opened = Connection(connection.path)
    yield opened
    opened.close()


@pytest.fixture
def db(connection) -> Iterator[peewee.Database]:
    """The new library's database, inside one write transaction for the whole test."""
    with connection.writing() as database:
        yield database
