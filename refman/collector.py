"""Python's cyclic garbage collector, paused around work that builds many acyclic objects.

Loading and exporting thousands of items build hundreds of thousands of small objects
(references, creators, tags, field texts), none of them in a reference cycle. The collector
cannot free any of them, yet it walks them again and again as they pile up: about half the
time of loading 10,000 items. Reference counting frees memory as usual while it is paused.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block; nested or concurrent pauses leave it to the
    outermost one (whichever found the collector running) to resume it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
