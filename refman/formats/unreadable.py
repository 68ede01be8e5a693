"""What a file that no reader recognises looks like, in plain words.

The library imports a file with the reader whose sniffer recognises it (registry.sniff); a file
that none recognises gets one message that says what it seems to be (empty, a PDF, a binary
file, JSON or XML of another kind, text in no known format) and, from the registry, which
formats refman reads. The clues are MEDLINE's sniffer's (refman.formats.medline.sniff), which
already tells apart what users drop by mistake; its last resort ("no MEDLINE tags") is said
here without naming MEDLINE, since every other reader refused the file too.
"""

from __future__ import annotations

from refman.formats.medline.sniff import head_text, not_medline_reason

# MEDLINE's reason when none of its own clues fits: the file is text in no format refman reads.
_NO_MEDLINE_TAGS = "no MEDLINE tags"
IN_NO_FORMAT = "it is text in no format that refman recognises"


def what_it_looks_like(head: bytes | str) -> str:
    """What a file that starts with ``head`` and that no reader recognised looks like."""
    reason = not_medline_reason(head_text(head))
    if reason is None or reason.startswith(_NO_MEDLINE_TAGS):
        # None: MEDLINE-like tags, yet the MEDLINE sniffer's caller refused it (a cut head).
        return IN_NO_FORMAT
    return reason
