"""The child process that reads a PDF with PDFium (pypdfium2): ``read(conn, path, ...)``.

Runs in a process of its own (``extract.read_pdf`` starts it) so that a PDF that makes the PDF
library crash, hang or eat memory only ends this process. It sends back one dict through the
pipe: ``{"pages": [...], "page_count": n, "metadata": {...}, "truncated": bool}`` or
``{"error": kind, "detail": text}`` with kind "password", "damaged" or "failed" (PDFium or
Python gave up part-way, out of memory for one). Imports nothing of
refman, so that the child starts quickly.
"""

from __future__ import annotations

from typing import Any


def read(conn: Any, path: str, max_pages: int, max_chars: int, memory_bytes: int) -> None:
    """Read ``path`` and send the result through ``conn``; see the module's docstring."""
    _limit_memory(memory_bytes)
    try:
        answer = _read(path, max_pages, max_chars)
    except Exception as exc:  # MemoryError, PDFium's own errors mid-page: say, never print
        answer = {"error": "failed", "detail": f"{type(exc).__name__}: {exc}"}
    try:
        conn.send(answer)
    except Exception:  # no memory left even to answer: the parent sees the pipe close
        pass
    finally:
        conn.close()


def read_many(conn: Any, paths: list[str], max_pages: int, max_chars: int, memory: int) -> None:
    """Read each of ``paths`` in turn, sending one answer a PDF (as ``read`` does), so that a
    batch of PDFs pays for one process start; the parent kills this process when one PDF takes
    too long, and starts another for the PDFs after it."""
    _limit_memory(memory)
    try:
        for path in paths:
            try:
                answer = _read(path, max_pages, max_chars)
            except Exception as exc:
                answer = {"error": "failed", "detail": f"{type(exc).__name__}: {exc}"}
            conn.send(answer)
    except Exception:  # the parent went away, or no memory left to answer: nothing to tell
        pass
    finally:
        conn.close()


def _read(path: str, max_pages: int, max_chars: int) -> dict[str, Any]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        kind = "password" if "password" in str(exc).lower() else "damaged"
        return {"error": kind, "detail": str(exc)}
    try:
        metadata = {key: str(value) for key, value in pdf.get_metadata_dict().items() if value}
        pages, truncated = _page_texts(pdf, max_pages, max_chars)
        return {
            "pages": pages,
            "page_count": len(pdf),
            "metadata": metadata,
            "truncated": truncated,
        }
    finally:
        pdf.close()


def _page_texts(pdf: Any, max_pages: int, max_chars: int) -> tuple[list[str], bool]:
    """The text of each page (the first ``max_pages`` when not 0), up to ``max_chars`` in all;
    True when something was left out."""
    count = len(pdf) if not max_pages else min(max_pages, len(pdf))
    pages: list[str] = []
    total = 0
    for index in range(count):
        page = pdf[index]
        try:
            textpage = page.get_textpage()
            text = textpage.get_text_range().replace("\r\n", "\n")
            textpage.close()
        finally:
            page.close()
        if total + len(text) > max_chars:
            pages.append(text[: max_chars - total])
            return pages, True
        pages.append(text)
        total += len(text)
    return pages, count < len(pdf)


def _limit_memory(memory_bytes: int) -> None:
    """Cap the process's address space where the system allows it (not on Windows)."""
    try:
        import resource
    except ImportError:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
