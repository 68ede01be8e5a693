"""The benchmark: ``python -m bench`` from the repository's root (see ``__main__``).

``synthetic`` writes realistic MEDLINE files from a seed; ``measure`` runs each measurement in a
child process of its own. Nothing here is imported by the application, and none of it is in the
wheel: it lives beside ``refman/`` in the repository, where the tests import it too
(``synthetic`` makes their large files).
"""
