"""Tests of refman.store: a module each for the store's modules, one shared set-up."""
