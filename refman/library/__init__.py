"""The one API the window and the command line use: a library opened, and its use cases.

    Library(path)                 core.py: open, close; the use cases below as attributes
      .items        items.py         find a view's items, read, add, edit, trash
      .tags         tags.py          tag and untag, the tag list with counts, rename, colour
      .collections  collections.py   the tree of collections and their items
      .notes        notes.py         an item's notes
      .importing    importing.py     files, folders and text, duplicates reported; review.py:
                                     an import reviewed before it is made, then committed
      .imports      batches.py       every import remembered as a batch; undo one whole
      .exporting    exporting.py     bibliographies and data formats, to text or a file
      .safety       safety.py        refman check, backups, damage found while open
      .adding       adding.py        add by identifier: PMID, PMCID, DOI, ISBN, arXiv, as an import
      .notices      notices.py       retractions, errata, concerns named by records; flagged items
      .pubmed       pubmed.py        search PubMed: a page of hits, those held marked; import chosen
      .updating     updating.py      update from PubMed: changes field by field, edits kept
      .live_exports live_exports.py  files kept up to date with the library ("Keep updated")
      .attachments  attachments.py   files kept with items: copied whole or linked; check
      .pdfs         pdfs.py          a PDF to its reference (DOI/PMID looked up), PDF attached
      .fulltext     fulltext.py      Find Available PDF: open-access PDFs (PMC, Unpaywall) attached
    file_settings.py                 this machine's base folder of linked files, per library
                                     (a JSON file the window and the command line share)
      .duplicates   duplicates.py    duplicate groups and why, "Not Duplicates", merge (undone)
      .keys         keys.py          citation keys: read, edit, make again; their pattern
      .searches     searches.py      saved searches: live queries by name, with counts
      .citing       citing.py        a document's citations of items in a CSL style, as a whole
    manuscripts.py                   format-document: a .docx/.odt's citations as Zotero fields
    backups.py                       where backups live, when they are made, restoring one
    cayw.py                          an editor's citation picker request answered (gui/cayw.py)
    changes.py                       Changes: what a change touched, returned after commit
    update_steps_pending(path)       core.py: the schema steps an older library runs on opening

Transactions and SQLite's errors in plain words live in one place, the store's
``Connection``, which the Library holds; the use cases call the store's query modules inside
its ``writing()`` or ``reading()``. Nothing of Qt here, and no peewee.
"""

from refman.library.backups import DamagedLibraryError
from refman.library.batches import ImportBatch, UndoneImport
from refman.library.changes import Changes
from refman.library.core import Library, update_steps_pending
from refman.library.importing import DUPLICATE_POLICIES, ImportReport, NotAdded, review_paths
from refman.library.review import ImportReview, ReviewedRecord
from refman.library.safety import CheckReport

__all__ = [
    "DUPLICATE_POLICIES",
    "Changes",
    "CheckReport",
    "DamagedLibraryError",
    "ImportBatch",
    "ImportReport",
    "ImportReview",
    "Library",
    "NotAdded",
    "ReviewedRecord",
    "UndoneImport",
    "review_paths",
    "update_steps_pending",
]
