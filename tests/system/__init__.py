"""Process-level tests: the window and several command-line processes on one library."""
