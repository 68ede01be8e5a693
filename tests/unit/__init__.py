"""Unit tests, laid out as the package they test: tests/unit/<package>/test_<module>.py."""
