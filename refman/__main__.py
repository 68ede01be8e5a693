"""``python -m refman``: the same as the ``refman`` command."""

import sys

from refman.app import main

sys.exit(main())
