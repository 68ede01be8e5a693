"""``read_pdf(path)``: a PDF's text and metadata, read in a child process with bounds.

PDFium is C++ code reading files from anywhere; a damaged or hostile PDF can make it crash,
loop or allocate without end. So the reading happens in a child process (multiprocessing's
"spawn", which also works in the packaged app), with an address-space cap and a time limit;
refman waits for its answer and turns every way it can fail into a ``PdfError`` in plain words.
The file's first bytes are checked here first, so that a file named .pdf that is not one is
told as such without starting a process.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, field
from pathlib import Path

from refman.model import RefmanError
from refman.pdf import worker

TIMEOUT = 60.0  # seconds for one PDF; a 1,000-page book takes a few on this machine
MEMORY = 1536 * 1024 * 1024  # the child's address space: PDFium's work on one page fits well
MAX_CHARS = 5_000_000  # text kept per PDF, for the index: several books' worth
HEADER_WINDOW = 1024  # the "%PDF-" header may come after junk, within the first 1 KiB
MIN_CHARS_PER_PAGE = 20  # fewer on average: no text layer (a scan), not an article


class PdfError(RefmanError):
    """A PDF could not be read; the message says why in plain words."""


@dataclass(frozen=True)
class PdfText:
    """What a PDF holds as text: each page read (in order), the page count, the document's
    metadata (Title, Author, Subject, Keywords, ... as PDFium gives them), and whether text
    was left out (``max_pages`` or the size bound)."""

    pages: tuple[str, ...]
    page_count: int
    metadata: dict[str, str] = field(default_factory=dict)
    truncated: bool = False

    @property
    def text(self) -> str:
        return "\n\n".join(self.pages)

    @property
    def has_text_layer(self) -> bool:
        """False for a scanned PDF: its pages are pictures, there is no text to search."""
        read = len(self.pages)
        return read > 0 and sum(len(p.strip()) for p in self.pages) >= MIN_CHARS_PER_PAGE * read


def read_pdf(
    path: str | Path,
    *,
    max_pages: int = 0,
    timeout: float = TIMEOUT,
    memory: int = MEMORY,
    max_chars: int = MAX_CHARS,
) -> PdfText:
    """The text of the PDF at ``path`` (its first ``max_pages`` pages when not 0)."""
    path = Path(path)
    _check_header(path)
    answer = _run_worker(path, max_pages, max_chars, memory, timeout)
    if answer.get("error") == "failed":
        raise PdfError(_crash_message(path, answer["detail"]))
    if "error" in answer:
        raise PdfError(_error_message(path, answer["error"]))
    return PdfText(
        pages=tuple(answer["pages"]),
        page_count=answer["page_count"],
        metadata=answer["metadata"],
        truncated=answer["truncated"],
    )


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as file:
            head = file.read(HEADER_WINDOW)
    except FileNotFoundError:
        raise PdfError(f"{path} is not there any more.") from None
    except IsADirectoryError:
        raise PdfError(f"{path} is a folder, not a PDF.") from None
    except OSError as exc:
        raise PdfError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    if b"%PDF-" not in head:
        raise PdfError(f"{path} is not a PDF: it does not begin as a PDF file does.")


def _run_worker(path: Path, max_pages: int, max_chars: int, memory: int, timeout: float) -> dict:
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=worker.read,
        args=(sender, str(path), max_pages, max_chars, memory),
        daemon=True,
    )
    child.start()
    sender.close()  # the child holds its end; EOF here once it is gone
    try:
        if not receiver.poll(timeout):
            raise PdfError(
                f"Reading {path} took longer than {timeout:.0f} seconds; it was stopped. "
                "The PDF may be damaged or very large."
            )
        try:
            return receiver.recv()
        except (EOFError, OSError):
            child.join(5.0)
            raise PdfError(_crash_message(path, f"exit {child.exitcode}")) from None
    finally:
        receiver.close()
        _end(child)


def _end(child) -> None:
    child.join(1.0)
    if child.is_alive():
        child.kill()
        child.join()


def _crash_message(path: Path, detail: str) -> str:
    return (
        f"The PDF library stopped while reading {path} ({detail}): the file may be damaged, "
        "or need more memory than refman allows one PDF."
    )


def _error_message(path: Path, kind: str) -> str:
    if kind == "password":
        return f"{path} is locked with a password; refman cannot read its text."
    return f"{path} is damaged: the PDF library cannot open it."
