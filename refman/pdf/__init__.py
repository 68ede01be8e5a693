"""PDFs: their text and metadata, read in a child process, and the identifiers they print.

- extract: ``read_pdf(path)`` runs PDFium (pypdfium2) in a child process (``worker``) bounded
  in time and memory, so that a PDF that hangs or crashes the PDF library cannot take refman
  down; it returns ``PdfText`` (each page's text, the page count, the document's metadata) or
  raises ``PdfError`` in plain words (not a PDF, damaged, locked with a password, too slow);
- recognise: ``identifiers_in(pdf)``, the DOI, PMID, PMCID and arXiv id a PDF prints on its
  first pages or names in its metadata, and a title to fall back on.

No Qt and no peewee here: attachments (issue 15) call these from the library's use cases, and
the window runs them on its task runner.
"""

from refman.pdf.extract import PdfError, PdfText, read_pdf
from refman.pdf.recognise import Recognised, identifiers_in

__all__ = ["PdfError", "PdfText", "Recognised", "identifiers_in", "read_pdf"]
