"""The benchmark: ``python -m refman.bench`` (see ``__main__``).

``synthetic`` writes realistic MEDLINE files from a seed; ``measure`` runs each measurement in a
child process of its own. Nothing here is imported by the application.
"""
