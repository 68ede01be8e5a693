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
from collections.abc import Generator, Iterator, Sequence
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
    """A PDF could not be read; the message says why in plain words. ``stopped``: the child
    process reading it was given up (too slow, or ended), not merely told no."""

    def __init__(self, message: str, *, stopped: bool = False):
        super().__init__(message)
        self.stopped = stopped


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
    ((_, found),) = read_pdfs(
        [path], max_pages=max_pages, timeout=timeout, memory=memory, max_chars=max_chars
    )
    if isinstance(found, PdfError):
        raise found
    return found


def read_pdfs(
    paths: Sequence[str | Path],
    *,
    max_pages: int = 0,
    timeout: float = TIMEOUT,
    memory: int = MEMORY,
    max_chars: int = MAX_CHARS,
) -> Generator[tuple[Path, PdfText | PdfError], None, None]:
    """Each PDF of ``paths`` with its text, or the PdfError that says why not, in order.

    One child process reads them one after the other (a process start costs more than reading
    a short article); when a PDF takes longer than ``timeout`` or ends the child, that PDF gets
    its error and a new child goes on with the PDFs after it."""
    pending: list[Path] = []
    for path in map(Path, paths):
        try:
            _check_header(path)
        except PdfError as exc:
            yield from _read_batch(pending, max_pages, max_chars, memory, timeout)
            pending = []
            yield path, exc
            continue
        pending.append(path)
    yield from _read_batch(pending, max_pages, max_chars, memory, timeout)


def _read_batch(
    paths: list[Path], max_pages: int, max_chars: int, memory: int, timeout: float
) -> Iterator[tuple[Path, PdfText | PdfError]]:
    while paths:
        context = multiprocessing.get_context("spawn")
        receiver, sender = context.Pipe(duplex=False)
        args = (sender, [str(p) for p in paths], max_pages, max_chars, memory)
        child = context.Process(target=worker.read_many, args=args, daemon=True)
        child.start()
        sender.close()
        try:
            done = 0
            for path in paths:
                answer = _answer(receiver, child, path, timeout)
                done += 1
                yield path, answer
                if isinstance(answer, PdfError) and answer.stopped:
                    break  # a new child for the PDFs after this one
        finally:
            receiver.close()
            _end(child)
        paths = paths[done:]


def _answer(receiver, child, path: Path, timeout: float) -> PdfText | PdfError:
    """The child's answer for ``path``: its text, or the error; a PdfError marked ``stopped``
    when the child had to be given up (too slow, or gone)."""
    if not receiver.poll(timeout):
        return PdfError(_too_slow(path, timeout), stopped=True)
    try:
        answer = receiver.recv()
    except (EOFError, OSError):
        child.join(5.0)
        return PdfError(_crash_message(path, f"exit {child.exitcode}"), stopped=True)
    try:
        return _text(path, answer)
    except PdfError as exc:
        return exc


def _text(path: Path, answer: dict) -> PdfText:
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


def _too_slow(path: Path, timeout: float) -> str:
    return (
        f"Reading {path} took longer than {timeout:.0f} seconds; it was stopped. "
        "The PDF may be damaged or very large."
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
