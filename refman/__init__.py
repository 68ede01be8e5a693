"""refman: a desktop reference manager for researchers who collect literature from PubMed."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("refman")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
