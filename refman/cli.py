"""The command line: the same library as the window, for scripts and for tests.

    refman [--library PATH] import [--collection NAME] [--tag TAG]... [--duplicates POLICY] PATH...
    refman [--library PATH] import --dry-run [--json] PATH...
    refman [--library PATH] imports [--json]
    refman [--library PATH] add [--collection NAME] ID... | add -   (PMID, PMCID, DOI, ISBN,
                                                   arXiv; - reads stdin)
    refman [--library PATH] imports undo N
    refman [--library PATH] pubmed search QUERY [--max N] [--start N] [--json] [--import]
    refman [--library PATH] update [ITEM_ID...] [--query Q] [--dry-run] [--json] [--yes]
                                   [--overwrite-edits]      (refetch from PubMed, edits kept)
    refman [--library PATH] history ITEM_ID [--records]     (an item's earlier source records)
    refman [--library PATH] attach ITEM_ID FILE... [--link]  (files kept with the item)
    refman [--library PATH] attachments ITEM_ID [--json]
    refman [--library PATH] retrieve ITEM_ID...   (look up PDFs imported without a reference)
    refman [--library PATH] find-pdf [ITEM_ID...] [--query Q]  (open-access PDFs: PubMed
                                                   Central, then Unpaywall; attached)
    refman [--library PATH] files-base [FOLDER | --clear]  (this machine's base folder for
                                                   the library's linked files)
    refman [--library PATH] key ITEM_ID [NEW_KEY] | key --regenerate ITEM_ID...
    refman [--library PATH] key --pattern [PATTERN]        (citation keys and their pattern)
    refman [--library PATH] list [--query TEXT] [--search NAME]
                                 [--flagged [retracted|concern|erratum]] [--json]
    refman [--library PATH] export [--format FORMAT] [--style STYLE] [--query TEXT]
                                   [--collection NAME] [--search NAME] [--output FILE]
    refman [--library PATH] searches list [--json]       (saved searches, with their counts)
    refman [--library PATH] searches add NAME QUERY | edit NAME QUERY
    refman [--library PATH] searches rename OLD NEW | remove NAME
    refman [--library PATH] autoexport add FILE [--format FORMAT] [--style STYLE]
                                       [--collection NAME | --search NAME]  (kept up to date)
    refman [--library PATH] autoexport list [--json] | remove FILE|ID | run
    refman [--library PATH] tag add|remove TAG (--query TEXT | --all)
    refman [--library PATH] note add ITEM_ID TEXT
    refman [--library PATH] new TYPE [--title TEXT] [--field NAME=VALUE]...
    refman [--library PATH] duplicates [--json] | duplicates --not ID ID...
    refman [--library PATH] merge MASTER_ID OTHER_ID... [--field NAME=ITEM_ID]...
    refman [--library PATH] merge --all [--keep oldest|most-fields]
    refman [--library PATH] backup [--output FILE]
    refman [--library PATH] restore [BACKUP]
    refman [--library PATH] check
    refman [--library PATH] format-document IN OUT [--style STYLE] [--locale TAG]  (a .docx
                                   or .odt manuscript's citations as live fields, with a
                                   bibliography)
    refman styles [TEXT]
    refman libreoffice-extension [--install | --path]  (the Writer extension: cite as you
                                   write; written to the user data folder, installed with unopkg)
    refman [--library PATH] [gui] [FILE...]

Every command goes through ``refman.library``; nothing here knows SQL or Qt.

What reaches the terminal is made safe to show: a file name may hold bytes that are not UTF-8
(shown as ``\xff``), and an imported title may hold control characters (``list`` shows them
as ``\x1b``), which would otherwise drive the terminal. Text arguments (a tag, a note, a
query...) must be UTF-8: they are stored and searched as text. Every ``--query`` is the search
box's: plain words, a PMID, PMCID or DOI, or PubMed's syntax (refman.query).
"""

from __future__ import annotations

import argparse
import codecs
import html
import json
import os
import re
import shlex
import sys
from dataclasses import replace
from pathlib import Path

from refman import __version__, paths
from refman.formats import EXPORT_FORMATS
from refman.library import (
    DUPLICATE_POLICIES,
    ImportReview,
    Library,
    backups,
    file_settings,
    fulltext,
    live_exports,
    manuscripts,
    notices,
    review_paths,
)
from refman.library.duplicates import KEEP_OLDEST, KEEP_RULES
from refman.library.importing import NO_READABLE_FILES
from refman.library.pdfs import pdf_paths
from refman.model import (
    AUTHOR,
    EDITOR,
    Creator,
    DamageFoundError,
    ItemId,
    LibraryError,
    Reference,
    RefmanError,
    ViewQuery,
)
from refman.online import NetworkError

COMMANDS = (
    *("import", "imports", "add", "pubmed", "list", "export", "autoexport", "tag", "note"),
    *("update", "history", "attach", "attachments", "retrieve", "duplicates", "merge", "key"),
    "find-pdf",
    "files-base",
    "searches",
    "format-document",
    *("backup", "restore", "check"),
    *("styles", "gui", "new"),
    "libreoffice-extension",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="refman",
        description="A reference manager for PubMed literature. With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"refman {__version__}")
    parser.add_argument(
        "--library",
        metavar="PATH",
        help="library file (default: $REFMAN_LIBRARY, else the user data folder)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_import(commands)
    _add_imports(commands)
    _add_add(commands)
    _add_pubmed(commands)
    _add_update(commands)
    _add_attach(commands)
    _add_find_pdf(commands)
    _add_list(commands)
    _add_key(commands)
    _add_export(commands)
    _add_format_document(commands)
    _add_libreoffice_extension(commands)
    _add_autoexport(commands)
    _add_searches(commands)
    _add_tag(commands)
    _add_note(commands)
    _add_new(commands)
    _add_duplicates(commands)
    _add_safety(commands)
    styles = commands.add_parser("styles", help="list citation styles matching TEXT")
    styles.add_argument("text", nargs="?", default="", metavar="TEXT")
    gui = commands.add_parser("gui", help="open the window (the default); import FILEs given")
    gui.add_argument("files", nargs="*", metavar="FILE")
    return parser


def _add_import(commands) -> None:
    cmd = commands.add_parser(
        "import",
        help="import files and folders: MEDLINE, PubMed XML, RIS, BibTeX, CSL-JSON, EndNote XML",
    )
    cmd.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
    cmd.add_argument("--collection", metavar="NAME", help="file the items in this collection")
    cmd.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="TAG",
        help="add this tag to the imported items (repeatable)",
    )
    cmd.add_argument(
        "--duplicates",
        choices=DUPLICATE_POLICIES,
        default="skip",
        help="what to do with items already in the library (default: skip)",
    )
    cmd.add_argument(
        "--dry-run",
        action="store_true",
        help="only show what the import would do with each record; change nothing",
    )
    cmd.add_argument("--json", action="store_true", help="with --dry-run: the review as JSON")


def _add_add(commands) -> None:
    cmd = commands.add_parser(
        "add",
        help="add records by PMID, PMCID, DOI, ISBN or arXiv id (or their URLs), fetched online",
    )
    cmd.add_argument(
        "ids",
        nargs="+",
        metavar="ID",
        help="PMIDs, PMCIDs, DOIs, ISBNs, arXiv ids or their URLs; - reads standard input",
    )
    cmd.add_argument(
        "--collection", metavar="NAME", help="file the new items in this collection (made if new)"
    )


def _add_pubmed(commands) -> None:
    cmd = commands.add_parser("pubmed", help="search PubMed; import the hits")
    actions = cmd.add_subparsers(dest="action", metavar="ACTION", required=True)
    search = actions.add_parser(
        "search",
        help="a page of PubMed's hits for QUERY, those in the library marked",
        description="Search PubMed with QUERY, in PubMed's own syntax (fields such as [au] "
        "and [mh], AND/OR/NOT, quotes, date ranges), and list a page of the hits.",
    )
    search.add_argument("query", metavar="QUERY", help="the search, as typed on PubMed")
    search.add_argument(
        "--max", type=int, default=20, metavar="N", help="hits on the page (1-200, default: 20)"
    )
    search.add_argument(
        "--start", type=int, default=1, metavar="N", help="the first hit shown (default: 1)"
    )
    search.add_argument("--json", action="store_true", help="the page as one JSON object")
    search.add_argument(
        "--import",
        dest="import_hits",
        action="store_true",
        help="import the hits shown (those already in the library are skipped)",
    )


def _add_attach(commands) -> None:
    cmd = commands.add_parser(
        "attach", help="keep files with an item: copied into the library's files folder"
    )
    cmd.add_argument("item_id", type=int, metavar="ITEM_ID")
    cmd.add_argument("files", nargs="+", metavar="FILE", help="the files (PDFs or any other)")
    cmd.add_argument(
        "--link", action="store_true", help="link the files where they are instead of copying"
    )
    retrieve = commands.add_parser(
        "retrieve", help="look up again the references of PDFs tagged 'needs lookup'"
    )
    retrieve.add_argument("item_ids", type=int, nargs="+", metavar="ITEM_ID")
    listing = commands.add_parser("attachments", help="an item's attached files")
    listing.add_argument("item_id", type=int, metavar="ITEM_ID")
    listing.add_argument("--json", action="store_true", help="one JSON object per attachment")
    base = commands.add_parser(
        "files-base",
        help="show or set this machine's base folder for the library's linked files",
        description="Linked files under the base folder are kept relative to it, so that a "
        "library and its papers in one synced folder move between machines: each machine "
        "names its own base (the window's Edit > Preferences > Files sets the same one).",
    )
    base.add_argument("folder", nargs="?", metavar="FOLDER", help="the base folder to set")
    base.add_argument("--clear", action="store_true", help="forget the base folder")


def _add_find_pdf(commands) -> None:
    cmd = commands.add_parser(
        "find-pdf",
        help="find items' open-access PDFs (PubMed Central, then Unpaywall) and attach them",
    )
    cmd.add_argument("ids", nargs="*", type=int, metavar="ITEM_ID", help="items to look for")
    cmd.add_argument("--query", default="", metavar="Q", help="look for the items matching Q")


def _add_update(commands) -> None:
    cmd = commands.add_parser(
        "update",
        help="fetch items' records from PubMed again and apply what changed; your edits kept",
    )
    cmd.add_argument("ids", nargs="*", type=int, metavar="ITEM_ID", help="items to update")
    cmd.add_argument("--query", default="", metavar="Q", help="update the items matching Q")
    cmd.add_argument("--dry-run", action="store_true", help="only show the changes")
    cmd.add_argument("--json", action="store_true", help="the changes as JSON lines")
    cmd.add_argument("--yes", action="store_true", help="apply without asking on a terminal")
    cmd.add_argument(
        "--overwrite-edits",
        action="store_true",
        help="take PubMed's value also for fields you edited",
    )
    history = commands.add_parser("history", help="an item's earlier source records")
    history.add_argument("item_id", type=int, metavar="ITEM_ID")
    history.add_argument("--records", action="store_true", help="print each record in full")


def _add_imports(commands) -> None:
    cmd = commands.add_parser("imports", help="list the imports made; undo one whole")
    cmd.add_argument("--json", action="store_true", help="one JSON object per line")
    actions = cmd.add_subparsers(dest="action", metavar="ACTION")
    undo = actions.add_parser("undo", help="remove what import N added, take back its merges")
    undo.add_argument("number", type=int, metavar="N", help="the import's number, as listed")


def _add_list(commands) -> None:
    cmd = commands.add_parser("list", help="list items")
    cmd.add_argument(
        "--query",
        default="",
        metavar="TEXT",
        help="words, a PMID/DOI, or PubMed syntax: 'Knowles CH[au] AND 2019:2023[dp]'",
    )
    cmd.add_argument("--search", metavar="NAME", help="only items the saved search NAME finds")
    cmd.add_argument(
        "--flagged",
        nargs="?",
        const="any",
        choices=("any", *notices.FLAG_LABELS),
        metavar="FLAG",
        help="only items retracted, with an expression of concern or an erratum; "
        "FLAG (retracted, concern or erratum) keeps one kind",
    )
    cmd.add_argument("--json", action="store_true", help="one JSON object per line")


def _add_key(commands) -> None:
    cmd = commands.add_parser(
        "key",
        help="show or set an item's citation key; make keys again; the key pattern",
        description="Show an item's citation key (ITEM_ID), set it (ITEM_ID NEW_KEY), make "
        "the keys of items again from the pattern (--regenerate ITEM_ID...), or show or set "
        "the pattern new keys are made from (--pattern [PATTERN]).",
    )
    cmd.add_argument("words", nargs="*", metavar="ITEM_ID [NEW_KEY]")
    which = cmd.add_mutually_exclusive_group()
    which.add_argument(
        "--regenerate", action="store_true", help="make the keys of ITEM_ID... from the pattern"
    )
    which.add_argument(
        "--pattern",
        nargs="?",
        const="",
        default=None,
        metavar="PATTERN",
        help="show the key pattern, or set it: [auth:lower][year][veryshorttitle:lower]",
    )


def _add_export(commands) -> None:
    cmd = commands.add_parser("export", help="export items as citations or data")
    cmd.add_argument(
        "--format",
        default="csl-json",
        metavar="FORMAT",
        help=f"one of {', '.join(EXPORT_FORMATS)} (default: csl-json)",
    )
    cmd.add_argument(
        "--style", metavar="STYLE", help="CSL style id or title for text, html and rtf"
    )
    cmd.add_argument("--query", default="", metavar="TEXT", help="only items matching TEXT")
    cmd.add_argument("--collection", metavar="NAME", help="only items in this collection")
    cmd.add_argument("--search", metavar="NAME", help="only items the saved search NAME finds")
    cmd.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")


def _add_format_document(commands) -> None:
    cmd = commands.add_parser(
        "format-document",
        help="format a .docx or .odt manuscript's citations, with a bibliography",
        description="Read IN (.docx or .odt) holding citations typed as Pandoc keys "
        "([@key, p. 25; -@other]) or PMIDs ([PMID: 1, 2]), or fields written before by refman "
        "or Zotero, and write OUT with each citation a live Zotero-compatible field and a "
        "bibliography at a {Bibliography} paragraph or at the end.",
    )
    cmd.add_argument("source", metavar="IN")
    cmd.add_argument("out", metavar="OUT")
    cmd.add_argument(
        "--style", metavar="STYLE", help="CSL style id or title (default: the document's, "
        "else american-medical-association)"
    )
    cmd.add_argument(
        "--locale", metavar="TAG", help="language of the citations and bibliography, such as "
        "en-GB or de-DE, for styles that set none (default: the document's, else en-US)"
    )


def _add_libreoffice_extension(commands) -> None:
    cmd = commands.add_parser(
        "libreoffice-extension",
        help="write (and install) refman's LibreOffice Writer extension",
        description="Write refman.oxt, the LibreOffice Writer extension that cites from the "
        "running refman (Add/Edit Citation, Add/Edit Bibliography, Refresh, Document "
        "Preferences), to refman's user data folder, and print where.",
    )
    which = cmd.add_mutually_exclusive_group()
    which.add_argument("--install", action="store_true",
                       help="install it too, with LibreOffice's unopkg (close LibreOffice first)")
    which.add_argument("--path", action="store_true", help="print only the file's path")


def _add_autoexport(commands) -> None:
    cmd = commands.add_parser(
        "autoexport",
        help="files kept up to date with the library (live exports, for LaTeX, Pandoc...)",
        description="Live exports: files that refman rewrites whenever what they cover changes "
        "(after each command that changes the library, and in the window).",
    )
    actions = cmd.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="write FILE now and keep it up to date")
    add.add_argument("path", metavar="FILE")
    add.add_argument(
        "--format",
        metavar="FORMAT",
        help=f"one of {', '.join(EXPORT_FORMATS)} (default: by FILE's extension, .bib BibTeX)",
    )
    add.add_argument("--style", metavar="STYLE", help="CSL style id or title for text, html, rtf")
    add.add_argument("--collection", metavar="NAME", help="only the items of this collection")
    add.add_argument("--search", metavar="NAME", help="only the items the saved search NAME finds")
    listing = actions.add_parser("list", help="the live exports, when each was last written")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    remove = actions.add_parser("remove", help="stop keeping FILE up to date (FILE stays)")
    remove.add_argument("path", metavar="FILE|ID")
    actions.add_parser("run", help="rewrite every live export now")


def _add_searches(commands) -> None:
    cmd = commands.add_parser(
        "searches",
        help="saved searches: list them with their counts, add, edit, rename, remove",
        description="Saved searches (the window's smart collections): a name for a query, "
        "run again each time it is used.",
    )
    actions = cmd.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="name, query and item count of each")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    add = actions.add_parser("add", help="save QUERY as a search called NAME")
    add.add_argument("name", metavar="NAME")
    add.add_argument("query", metavar="QUERY")
    edit = actions.add_parser("edit", help="give the saved search NAME another QUERY")
    edit.add_argument("name", metavar="NAME")
    edit.add_argument("query", metavar="QUERY")
    rename = actions.add_parser("rename", help="rename the saved search OLD to NEW")
    rename.add_argument("name", metavar="OLD")
    rename.add_argument("new_name", metavar="NEW")
    remove = actions.add_parser("remove", help="delete the saved search NAME (not its items)")
    remove.add_argument("name", metavar="NAME")


def _add_tag(commands) -> None:
    cmd = commands.add_parser(
        "tag",
        help="add or remove a tag on the items a query finds, or on --all",
        description="Add or remove a tag on the items --query finds, or on every item with --all.",
    )
    cmd.add_argument("action", choices=("add", "remove"))
    cmd.add_argument("tag", metavar="TAG")
    which = cmd.add_mutually_exclusive_group()
    which.add_argument("--query", metavar="TEXT", help="the items matching TEXT")
    which.add_argument(
        "--all", action="store_true", help="every item in the library (the trash excepted)"
    )


def _add_note(commands) -> None:
    cmd = commands.add_parser("note", help="add a note to an item")
    cmd.add_argument("action", choices=("add",))
    cmd.add_argument("item_id", type=int, metavar="ITEM_ID")
    cmd.add_argument("text", metavar="TEXT")


def _add_new(commands) -> None:
    cmd = commands.add_parser("new", help="make an item by hand; prints its id")
    cmd.add_argument("type", metavar="TYPE", help="article-journal, book, chapter, report, ...")
    cmd.add_argument("--title", help="its title")
    cmd.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another field (repeatable): container_title=..., date=2023-05, author='Doe, Jane'",
    )


def _add_duplicates(commands) -> None:
    cmd = commands.add_parser(
        "duplicates", help="list the duplicate groups and why they matched; --not keeps items apart"
    )
    cmd.add_argument("--json", action="store_true", help="one JSON object per group")
    cmd.add_argument(
        "--not",
        dest="not_ids",
        nargs="+",
        type=int,
        metavar="ID",
        help="remember these items as not duplicates: never proposed again",
    )
    cmd = commands.add_parser(
        "merge",
        help="merge items into the first (MASTER_ID); the others go to the Trash",
        description="Merge OTHER_IDs into MASTER_ID: the master keeps its fields (or the item's "
        "named with --field), gains the fields it lacks, the tags, notes and collections of the "
        "others; the others go to the Trash. --all merges every duplicate group.",
    )
    cmd.add_argument("ids", nargs="*", type=int, metavar="ITEM_ID")
    cmd.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="NAME=ITEM_ID",
        help="keep this item's value of the field (repeatable): title=12",
    )
    cmd.add_argument("--all", action="store_true", help="merge every duplicate group")
    cmd.add_argument(
        "--keep",
        choices=KEEP_RULES,
        default=KEEP_OLDEST,
        help="with --all: the item each group is merged into (default: oldest)",
    )


def _add_safety(commands) -> None:
    cmd = commands.add_parser("backup", help="copy the library into its backups folder")
    cmd.add_argument("--output", metavar="FILE", help="write the copy to FILE instead")
    cmd = commands.add_parser(
        "restore", help="go back to a backup (the current library is saved first)"
    )
    cmd.add_argument(
        "backup", nargs="?", metavar="BACKUP", help="backup file (default: the latest good one)"
    )
    commands.add_parser("check", help="check the library for damage and repair what can be")


def _with_default_command(argv: list[str]) -> list[str]:
    """``argv`` with ``gui`` put before the first word when that word is not a command.

    ``refman FILE`` opens the window on FILE (as a file manager calls it); argparse alone would
    take FILE for an unknown command.
    """
    words = list(argv)
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--library":
            i += 2
            continue
        if word.startswith("-"):
            i += 1
            continue
        if word not in COMMANDS:
            words.insert(i, "gui")
        break
    return words


def parse(argv: list[str]) -> argparse.Namespace:
    """Parse ``argv``; no command, or a file where the command goes, opens the window."""
    args = build_parser().parse_args(_with_default_command(argv))
    if args.command is None:
        args.command, args.files = "gui", []
    return args


# --- text in and out --------------------------------------------------------------------------

# The arguments of each command that are text, not file names, as the user typed them.
TEXT_ARGUMENTS = {
    "import": {"collection": "--collection", "tag": "--tag"},
    "list": {"query": "--query"},
    "add": {"ids": "ID", "collection": "--collection"},
    "searches": {"name": "NAME", "query": "QUERY", "new_name": "NEW"},
    "pubmed": {"query": "QUERY"},
    "update": {"query": "--query"},
    "find-pdf": {"query": "--query"},
    "export": {
        "format": "--format",
        "style": "--style",
        "query": "--query",
        "collection": "--collection",
        "search": "--search",
    },
    "autoexport": {
        "format": "--format",
        "style": "--style",
        "collection": "--collection",
        "search": "--search",
    },
    "tag": {"tag": "TAG", "query": "--query"},
    "note": {"text": "TEXT"},
    "new": {"type": "TYPE", "title": "--title", "field": "--field"},
    "styles": {"text": "TEXT"},
}

_SURROGATE = re.compile("[\ud800-\udfff]")
# Control characters: C0, DEL and C1 (ESC, BEL, backspace, CSI...).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# Those that JSON leaves as they are (it escapes C0 only).
_CONTROL_JSON_KEEPS = re.compile("[\x7f-\x9f]")
OUTPUT_ERRORS = "refman.show-bytes"


def check_text_arguments(args: argparse.Namespace) -> None:
    """RefmanError naming the argument when a text argument holds bytes that are not UTF-8.

    Python hands such bytes over as lone surrogates, which SQLite cannot store ("surrogates
    not allowed"). File names are not checked: on Linux they may hold any bytes.
    """
    for dest, name in TEXT_ARGUMENTS.get(args.command, {}).items():
        value = getattr(args, dest, None)
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and _SURROGATE.search(text):
                raise RefmanError(
                    f"{name} '{shown_bytes(text)}' holds bytes that are not UTF-8 text: "
                    "give it in UTF-8."
                )


def shown_bytes(text: str) -> str:
    """An argument or file name with its bytes that are not UTF-8 shown as ``\\xff``."""
    return os.fsencode(text).decode("utf-8", errors="backslashreplace")


def visible(text: str) -> str:
    """``text`` with each control character shown as ``\\x1b``: safe to print to a terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _show_unencodable(exc: UnicodeError) -> tuple[str, int]:
    """An encoding error handler: a byte of a file name that is not UTF-8 (Python holds it as
    a surrogate) comes out as ``\\xff``, any other character that cannot be encoded as
    ``\\u2603``. Printing never fails on a name."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for char in exc.object[exc.start : exc.end]:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        else:
            out.append(char.encode("ascii", "backslashreplace").decode("ascii"))
    return "".join(out), exc.end


codecs.register_error(OUTPUT_ERRORS, _show_unencodable)


def show_any_bytes() -> None:
    """Make stdout and stderr print names with bytes that are not UTF-8 (see _show_unencodable)
    instead of failing with "surrogates not allowed"."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors=OUTPUT_ERRORS)


# --- commands ---------------------------------------------------------------------------------


def cmd_import(library: Library, args) -> int:
    """Reference files through the import; PDFs (named, or in folders named) to their
    references with the PDF attached. rc 1 when nothing could be read."""
    pdfs = pdf_paths(args.paths)
    others = [p for p in args.paths if Path(p).suffix.lower() != ".pdf"]
    read = 0
    if others:
        report = library.importing.files(
            others, duplicates=args.duplicates, collection=args.collection, tags=args.tag
        )
        report.problems[:] = [p for p in report.problems if not _folder_of_pdfs(p, pdfs)]
        if report.files_read or report.files_failed or not pdfs or report.problems:
            print(report.summary())
            for record in report.not_added:  # each duplicate: what it matched and why
                print(f"  {visible(str(record))}")  # titles from the files and the library
            for problem in report.problems:
                print(f"  {visible(str(problem))}")
        read += report.files_read
    if pdfs:
        found = library.pdfs.import_files(pdfs, collection=args.collection)
        print("\n".join(visible(line) for line in found.lines()))
        _read_pdf_text(library)
        read += len(found.item_ids)
    return 1 if read == 0 else 0


def _folder_of_pdfs(problem, pdfs: list[Path]) -> bool:
    """A folder with PDFs but no reference file is no problem when its PDFs are imported."""
    folder = Path(problem.path)
    return problem.message == NO_READABLE_FILES and any(folder in p.parents for p in pdfs)


def say_update(done: int, total: int) -> None:
    """On standard error: a library an older refman made is being updated (minutes at a
    million items), so that the wait before the command's own output is explained."""
    if done == 0:
        print(
            f"refman: updating the library for this version of refman ({total} "
            f"step{'s' * (total != 1)}; this happens once)...",
            file=sys.stderr,
            flush=True,
        )
    elif done == total:
        print("refman: the library is updated.", file=sys.stderr, flush=True)


def cmd_review(library_path: Path, args) -> int:
    """``import --dry-run``: the review of the files, against the library when there is one;
    nothing is written: no library is made, no backup, no item changed (an older library's
    schema is upgraded on opening, as by ``list``)."""
    if library_path.is_file():
        with Library(library_path, verify=False, on_update=say_update) as library:
            review = library.importing.review(args.paths)
    else:
        review = review_paths(args.paths, library_path)
    if args.json:
        print(json.dumps(_review_json(review), ensure_ascii=False, indent=1))
    else:
        print(review.summary())
        for row in review.rows:
            print(f"  {visible(shown_bytes(row.where))}  {row.status}: {visible(row.text)}")
        print("Nothing was imported (--dry-run).")
    readable = [f for f in review.files if f.failure is None]
    return 0 if readable else 1


def _review_json(review: ImportReview) -> dict[str, object]:
    files = [
        {"path": shown_bytes(f.path), "format": f.format_name, "records": len(f.records)}
        for f in review.files
    ]
    rows = []
    for row in review.rows:
        entry: dict[str, object] = {
            "path": shown_bytes(row.path),
            "line": row.line,
            "status": row.status,
        }
        if row.is_record:
            entry.update(pmid=row.pmid, doi=row.doi, title=row.title, year=row.year)
            if row.matched:
                entry.update(reason=row.reason, item=row.item_id, repeats_line=row.twin_line)
        else:
            entry["message"] = row.message
        rows.append(entry)
    return {"summary": review.summary(), "files": files, "records": rows}


def cmd_add(library: Library, args) -> int:
    """``add ID...``: fetch and import; rc 1 when an identifier brought no record (one already
    in the library counts as found). Identifiers whose source could not be reached are given
    again as a command to paste later."""
    text = sys.stdin.read() if args.ids == ["-"] else "\n".join(args.ids)
    if not text.strip():
        raise RefmanError(
            "No identifiers given: name PMIDs, PMCIDs, DOIs, ISBNs or arXiv ids,"
            " or pipe them to 'add -'."
        )
    report = library.adding.identifiers(text, collection=args.collection)
    print(report.summary())
    for entry in report.existing:  # not fetched: the library has them
        print(f"  {visible(entry.text)}: already in the library as item {entry.item_id}")
    for record in report.imported.not_added:  # already in the library: which item, and why
        print(f"  {visible(str(record))}")
    for problem in report.imported.problems:
        print(f"  {visible(str(problem))}")
    for failed in report.failed:
        print(f"  {visible(failed.text)}: {visible(failed.reason)}")
    if report.offline:
        print(f"To try again later: {visible(_add_again(args, report.offline))}")
    return 1 if report.failed else 0


def _add_again(args, offline) -> str:
    """The command that fetches the offline identifiers again, quoted for a POSIX shell."""
    words = ["refman"]
    if args.library:
        words += ["--library", args.library]
    words += ["add", *(failed.text for failed in offline)]
    return shlex.join(words)


def cmd_pubmed(library: Library, args) -> int:
    """``pubmed search QUERY``: the count, then a line per hit; rc 1 when nothing was found (or
    with --import, when a hit brought no record)."""
    page = library.pubmed.page(args.query, start=args.start - 1, size=args.max)
    report = library.pubmed.add([hit.pmid for hit in page.hits]) if args.import_hits else None
    if args.json:
        print(_pubmed_json(page, report))
    else:
        _print_pubmed(page, report)
    if report is not None and report.failed:
        return 1
    return 0 if page.count else 1


def _print_pubmed(page, report) -> None:
    print(f"{page.shown()}.")
    if page.search.translation:
        print(visible(f"PubMed read the query as: {page.search.translation}"))
    for remark in page.search.errors + page.search.warnings:
        print(visible(f"  {remark}"))
    for hit in page.hits:
        print(visible(_hit_line(hit)))
    if report is not None:
        print(report.summary())
        for record in report.imported.not_added:
            print(f"  {visible(str(record))}")
        for failed in report.failed:
            print(f"  {visible(failed.text)}: {visible(failed.reason)}")


def _hit_line(hit) -> str:
    """"12230038  2002  Mangalam H              The Bio* toolkits. (Brief Bioinform)"."""
    summary = hit.summary
    if summary is None:
        line = f"{hit.pmid:>8}  {'':4}  {'':24}  (PubMed gave no summary)"
    else:
        author = summary.first_author
        author = author if len(author) <= 24 else author[:23] + "…"
        journal = f" ({summary.journal})" if summary.journal else ""
        line = f"{hit.pmid:>8}  {summary.year:4}  {author:24}  {summary.title}{journal}"
    return line + (" [in library]" if hit.in_library else "")


def _pubmed_json(page, report) -> str:
    hits = []
    for hit in page.hits:
        summary = hit.summary
        entry: dict[str, object] = {"pmid": hit.pmid, "in_library": hit.in_library}
        entry["item"] = hit.item_id
        if summary is not None:
            entry.update(
                title=summary.title,
                authors=list(summary.authors),
                journal=summary.journal,
                year=summary.year,
                doi=summary.doi,
            )
        hits.append(entry)
    found: dict[str, object] = {
        "query": page.search.query,
        "count": page.count,
        "start": page.start + 1,
        "translation": page.search.translation,
        "errors": page.search.errors,
        "warnings": page.search.warnings,
        "hits": hits,
    }
    if report is not None:
        found["import"] = {
            "summary": report.summary(),
            "items": report.item_ids,
            "failed": [{"id": f.text, "reason": f.reason} for f in report.failed],
        }
    line = json.dumps(found, ensure_ascii=False)
    return _CONTROL_JSON_KEEPS.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


def cmd_update(library: Library, args) -> int:
    """``update``: refetch the items' PubMed records, show the changes, apply all but the
    fields the user edited (all with --overwrite-edits); nothing changes on a dry run, a
    "no" on the terminal, or a failed request."""
    if args.ids:
        ids = [ItemId(i) for i in args.ids]
        missing = set(ids) - set(library.items.all_ids())
        if missing:
            raise RefmanError(f"There is no item with id {min(missing)}.")
    else:
        ids = library.items.search(ViewQuery(text=args.query))
    try:
        check = library.updating.check(ids)
    except NetworkError as exc:
        raise RefmanError(f"{exc}. Nothing was changed.") from None
    for update in check.updates:
        if args.json:
            print(json.dumps(_update_json(update, args.overwrite_edits), ensure_ascii=False))
        else:
            print("\n".join(visible(line) for line in update.lines(args.overwrite_edits)))
    for item_id, pmid in check.not_in_pubmed:
        if not args.json:
            print(f"Item {item_id}: PubMed has no record with PMID {pmid} (deleted or merged?)")
    for problem in check.problems:
        print(f"refman: warning: {visible(str(problem))}", file=sys.stderr)
    updated = None
    if check.updates and not args.dry_run and _apply_wanted(args):
        result = library.updating.apply(check.updates, overwrite_edits=args.overwrite_edits)
        updated = len(result.items)
    elif not args.dry_run and not check.updates:
        updated = 0
    summary = check.summary(updated)
    if args.json:
        print(json.dumps({"summary": summary, "applied": updated is not None}))
    else:
        print(summary if updated is not None or args.dry_run else summary + " Nothing changed.")
    for update in check.retracted:
        print(
            f"refman: item {update.item_id} (PMID {update.pmid}) has been RETRACTED; "
            "check it before you cite it.",
            file=sys.stderr,
        )
    return 0


def _apply_wanted(args) -> bool:
    """Ask on a terminal unless --yes; scripts (no terminal) apply."""
    if args.yes or args.json or not sys.stdin.isatty():
        return True
    answer = input("Apply these changes? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _update_json(update, overwrite_edits: bool) -> dict[str, object]:
    return {
        "id": update.item_id,
        "pmid": update.pmid,
        "title": update.title,
        "changes": [
            {
                "field": c.name,
                "old": c.old_text,
                "new": c.new_text,
                "edited": c.edited,
                "applied": overwrite_edits or not c.edited,
            }
            for c in update.changes
        ],
        "new_notices": [n.describe() for n in update.new_notices],
        "retracted": any(n.kind == "retracted" for n in update.warnings),
    }


def cmd_attach(library: Library, args) -> int:
    """``attach ITEM_ID FILE...``: rc 1 when a file could not be attached (the others are)."""
    base = file_settings.base_folder(library.path)
    report = library.attachments.attach(ItemId(args.item_id), args.files, link=args.link, base=base)
    print(report.summary(ItemId(args.item_id)))
    for remark in report.remarks:
        print(f"  {visible(remark)}")
    for _path, why in report.failed:
        print(f"  {visible(why)}")
    _read_pdf_text(library)
    return 1 if report.failed else 0


def _read_pdf_text(library: Library) -> None:
    """Index the text of the PDFs just attached (any not read yet), and say how it went."""
    text = library.attachments.read_text(base=file_settings.base_folder(library.path))
    if text.indexed or text.scans or text.failed:
        print(text.summary())
        for name, why in text.failed:
            print(f"  {visible(name)}: {visible(why)}")


def cmd_retrieve(library: Library, args) -> int:
    """``retrieve ITEM_ID...``: Retrieve Metadata; rc 1 when one is still not found."""
    base = file_settings.base_folder(library.path)
    report = library.pdfs.retrieve([ItemId(i) for i in args.item_ids], base=base)
    print("\n".join(visible(line) for line in report.lines()))
    return 1 if report.needs_lookup or report.failed else 0


def cmd_find_pdf(library: Library, args) -> int:
    """``find-pdf``: each item's open-access PDF found and attached, each told; rc 1 when
    nothing was found for any of the items looked for."""
    if args.ids:
        ids = [ItemId(i) for i in args.ids]
        missing = set(ids) - set(library.items.all_ids())
        if missing:
            raise RefmanError(f"There is no item with id {min(missing)}.")
    elif args.query:
        ids = library.items.search(ViewQuery(text=args.query))
        if not ids:
            raise RefmanError(f"No item matches '{args.query}'.")
    else:
        raise RefmanError("Name the items to look for: ITEM_ID... or --query Q.")
    report = library.fulltext.find_available(ids)
    for line in report.lines()[:-1]:
        print(visible(line))
    if report.text is not None and (report.text.scans or report.text.failed):
        print(report.text.summary())
    print(report.summary())
    looked_for = [o for o in report.outcomes if o.kind != fulltext.SKIPPED]
    return 1 if looked_for and not report.attached else 0


def cmd_attachments(library: Library, args) -> int:
    """``attachments ITEM_ID``: each attachment with its file, and whether it is missing."""
    item_id = ItemId(args.item_id)
    library.items.get(item_id)  # MissingItemError for an unknown id, in plain words
    base = file_settings.base_folder(library.path)
    for row in library.attachments.of([item_id]).get(item_id, []):
        path = library.attachments.file(row, base)
        if args.json:
            entry = {
                "id": row.id, "name": row.name, "file": str(path), "linked": row.linked,
                "content_type": row.content_type, "size": row.size, "added": row.added,
                "trashed": row.trashed, "missing": not path.is_file(),
                "text": row.text_state, "pages": row.pages, "scanned": row.scanned,
            }
            print(json.dumps(entry, ensure_ascii=False))
            continue
        marks = " [linked]" * row.linked + " [in the Trash]" * row.trashed
        marks += " [missing]" * (not path.is_file())
        marks += " [scanned: no text layer]" * row.scanned
        print(visible(f"{row.id:>6}  {row.name}  ({_size(row.size)}){marks}  {path}"))
    return 0


def _size(size: int) -> str:
    """"493 bytes", "481.8 KB", "1.6 MB"."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def cmd_history(library: Library, args) -> int:
    """``history ITEM_ID``: the item's earlier source records, oldest first, with when and why
    each was replaced."""
    earlier = library.updating.history(ItemId(args.item_id))
    if not earlier:
        print(f"Item {args.item_id} has no earlier source records.")
    for entry in earlier:
        when = entry.replaced.strftime("%Y-%m-%d %H:%M UTC")
        status = dict(entry.record).get("STAT", "")
        what = f"{entry.source_format or 'record'}" + (f", status {status}" if status else "")
        print(visible(f"{when}  {entry.reason}  ({what}, {len(entry.record)} lines)"))
        if entry.damage:
            print(visible(f"  {entry.damage}"))
        if args.records:
            for tag, value in entry.record:
                print(visible(f"  {tag:<4}- {value}"))
    return 0


def cmd_imports(library: Library, args) -> int:
    if args.action == "undo":
        undone = library.imports.undo(args.number)
        print(undone.summary())
        for line in undone.lines():
            print(f"  {visible(line)}")
        return 0
    batches = library.imports.list()
    if args.json:
        for batch in batches:
            entry = {
                "import": batch.id,
                "started": batch.started,
                "files": [shown_bytes(name) for name in batch.files],
                "added": batch.added,
                "merged": batch.merged,
                "tagged": batch.tagged,
                "undone": batch.undone,
            }
            print(json.dumps(entry, ensure_ascii=False))
    elif not batches:
        print("No imports yet.")
    for batch in [] if args.json else batches:
        print(visible(shown_bytes(batch.describe())))
    return 0


def cmd_list(library: Library, args) -> int:
    # Read in one snapshot (Items.each): an item another program deletes while the list
    # prints cannot end it half-way.
    view = _view(library, args.query, None, args.search)
    wanted = None
    if args.flagged:  # reads the records not read for notices yet, once, and keeps that
        wanted = set(library.notices.flagged(None if args.flagged == "any" else args.flagged))
    # Retracted, erratum, ...: never a write (a list must not wait for an import), so the
    # records not read for notices yet are read in memory.
    found = library.items.found(view)  # which items the words were found in a PDF of
    flags = library.notices.flags(found.ids)
    for ref in library.items.each(view):
        if wanted is not None and ref.id not in wanted:
            continue
        item_flags = flags.get(ref.id, ()) if ref.id is not None else ()
        show = _list_json if args.json else _list_line
        print(show(ref, item_flags, ref.id in found.in_pdf))
    return 0


def _list_json(ref, flags: tuple[str, ...] = (), in_pdf: bool = False) -> str:
    """One JSON line; control characters escaped (JSON escapes C0, this DEL and C1 too)."""
    line = json.dumps(
        {
            "id": ref.id,
            "title": ref.title,
            "creators": [{"name": c.display_name, "role": c.role} for c in _in_order(ref)],
            "year": ref.date.year,
            "journal": ref.container_title,
            "pmid": ref.pmid,
            "doi": ref.doi,
            "tags": [t.name for t in ref.tags],
            "notices": list(flags),
            "key": ref.citation_key,
            "in_pdf": in_pdf,  # the search's words were found in one of its PDFs
        },
        ensure_ascii=False,
    )
    return _CONTROL_JSON_KEEPS.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


def _in_order(ref: Reference) -> list[Creator]:
    """Authors, then editors, then any other role, each in the item's order: a chapter's
    first creator is its first author, not the first editor of its book."""
    rank = {AUTHOR: 0, EDITOR: 1}
    return sorted(ref.creators, key=lambda c: rank.get(c.role, 2))  # stable: order kept


def _list_line(ref: Reference, flags: tuple[str, ...] = (), in_pdf: bool = False) -> str:
    first = next(iter(_in_order(ref)), None)
    name = (first.family or first.literal or first.given) if first else ""
    if first and first.role != AUTHOR:  # an item with no authors: "Boardman (ed.)"
        mark = f" ({'ed.' if first.role == EDITOR else first.role})"
        name = name[: 20 - len(mark)] + mark
    year = ref.date.year or ""
    # "[RETRACTED] [ERRATUM] Title": what a reader must know first, before the title.
    marks = "".join(f"[{flag.upper()}] " for flag in flags)
    found = "  [in PDF]" * in_pdf  # after the title: how it was found, not what it is
    return visible(f"{ref.id:>6}  {year!s:4}  {name[:20]:20}  {marks}{ref.title}{found}")


def _view(
    library: Library, query: str, collection: str | None, search: str | None = None
) -> ViewQuery:
    """The items a list or an export names: those matching the query, in the collection
    and found by the saved search if given."""
    cid = None
    if collection is not None:
        found = library.collections.find(collection)
        if found is None:
            raise RefmanError(f"There is no collection called '{collection}'.")
        cid = found.id
    saved = library.searches.named(search).query if search is not None else ""
    return ViewQuery(text=query, collection=cid, saved_query=saved)


def cmd_export(library: Library, args) -> int:
    view = _view(library, args.query, args.collection, args.search)
    count, text = library.exporting.export_view(view, args.format, style=args.style)
    # Retracted items cited in a manuscript: said on stderr, whatever the format (a BibTeX
    # or RIS file ends up in a manuscript too); the export goes on.
    warned = library.notices.cited_warnings(library.items.search(view))
    for line in notices.warning_lines(warned, "in the export"):
        print(visible(f"refman: warning: {line}"), file=sys.stderr)
    if args.output:
        library.exporting.write(args.output, text)  # whole, or the file as it was
        print(f"Exported {count} item{'s' * (count != 1)} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_autoexport(library: Library, args) -> int:
    """``autoexport add|list|remove|run``: the live exports stored in the library."""
    live = library.live_exports
    if args.action == "add":
        return _autoexport_add(library, args)
    if args.action == "remove":
        export = live.find(args.path)
        live.remove(export.id)
        print(f"{shown_bytes(str(export.path))} is no longer kept up to date (the file stays).")
        return 0
    if args.action == "run":
        outcomes = live.refresh(force=True)
        for outcome in outcomes:
            if outcome.status != live_exports.FAILED:
                print(f"Wrote {_count(outcome.count)} to {shown_bytes(str(outcome.export.path))}")
        return _tell_failures(outcomes)
    exports = live.all()
    if not exports and not args.json:
        print("No live exports: 'refman autoexport add FILE' makes one.")
    for export in exports:
        covers = live.describe(export.covers)
        shown = _autoexport_json(export, covers) if args.json else _autoexport_line(export, covers)
        print(shown)
    return 0


def _autoexport_add(library: Library, args) -> int:
    """Store the live export and write it now; when that first write fails, it is not kept."""
    live = library.live_exports
    covers = live_exports.Coverage()
    if args.collection is not None and args.search is not None:
        raise RefmanError("Give --collection or --search, not both: a live export covers one.")
    if args.collection is not None:
        cid = _view(library, "", args.collection).collection
        covers = live_exports.Coverage(live_exports.COLLECTION, cid)
    if args.search is not None:
        name = library.searches.named(args.search).name
        covers = live_exports.Coverage(live_exports.SEARCH, query=name)
    fmt = args.format or _format_by_extension(args.path)
    export = live.add(args.path, fmt, style=args.style, covers=covers)
    (outcome,) = live.refresh([export.id], force=True)
    if outcome.status == live_exports.FAILED:
        live.remove(export.id)
        raise RefmanError(f"{outcome.message} Nothing was kept up to date.")
    print(
        f"Wrote {_count(outcome.count)} to {shown_bytes(str(export.path))}; it is kept up to "
        f"date (live export {export.id}: {export.format_name}, {live.describe(covers)})."
    )
    return 0


def _format_by_extension(path: str) -> str:
    """The format a file's extension names (.bib: BibTeX, .json: CSL-JSON, .ris: RIS...)."""
    suffix = Path(path).suffix.lower()
    for fmt in EXPORT_FORMATS.values():
        if suffix and suffix == fmt.extension:
            return fmt.key
    raise RefmanError(
        f"Which format should {shown_bytes(path)} have? Give --format "
        f"(one of {', '.join(EXPORT_FORMATS)})."
    )


def _autoexport_line(export, covers: str) -> str:
    """"   1  /home/me/refs.bib  (BibTeX; My Library; written 2026-12-03 08:15:02 UTC)", and
    on a line of its own why the last attempt failed."""
    when = export.written.replace("T", " ").replace("+00:00", " UTC")
    when = f"written {when}" if when else "never written"
    path = shown_bytes(str(export.path))
    line = f"{export.id:>4}  {path}  ({export.format_name}; {covers}; {when})"
    lines = [line] + [f"      {export.problem}"] * bool(export.problem)
    return "\n".join(visible(text) for text in lines)


def _autoexport_json(export, covers: str) -> str:
    return json.dumps(
        {
            "id": export.id,
            "path": shown_bytes(str(export.path)),
            "format": export.format,
            "style": export.style,
            "covers": covers,
            "place": export.covers.place,
            "collection": export.covers.collection_id,
            "written": export.written,
            "problem": export.problem,
        },
        ensure_ascii=False,
    )


def refresh_live_exports(library: Library) -> int:
    """After a command that changed the library: rewrite the live exports whose text changed;
    a target that cannot be written is told on stderr (and the command's result stands)."""
    if library.read_only:
        return 0
    return _tell_failures(library.live_exports.refresh())


def _tell_failures(outcomes) -> int:
    failed = [o for o in outcomes if o.status == live_exports.FAILED]
    for outcome in failed:
        path = shown_bytes(str(outcome.export.path))
        print(visible(f"refman: live export {path}: {outcome.message}"), file=sys.stderr)
    return 1 if failed else 0


def _count(count: int) -> str:
    return f"{count} item{'s' * (count != 1)}"


def cmd_searches(library: Library, args) -> int:
    """``searches``: list (the default) with counts, or change one saved search by name."""
    searches = library.searches
    if args.action == "add":
        searches.add(args.name, args.query)
        done = f"Saved the search '{args.name.strip()}'."
    elif args.action == "edit":
        searches.edit(args.name, args.query)
        done = f"Changed the query of the saved search '{args.name.strip()}'."
    elif args.action == "rename":
        old = searches.named(args.name).name
        searches.rename(old, args.new_name)
        done = f"Renamed the saved search '{old}' to '{args.new_name.strip()}'."
    elif args.action == "remove":
        old = searches.named(args.name).name
        searches.delete(old)
        done = f"Removed the saved search '{old}'; its items stay in the library."
    else:
        return _list_searches(library, getattr(args, "json", False))
    print(visible(done))
    return 0


def _list_searches(library: Library, as_json: bool) -> int:
    listed = library.searches.with_counts()
    for saved, count in listed:
        if as_json:
            entry = {"name": saved.name, "query": saved.query, "count": count}
            print(json.dumps(entry, ensure_ascii=False))
        else:
            print(visible(f"{count:>6}  {saved.name}  {saved.query}"))
    if not listed and not as_json:
        print("No saved searches yet.")
    return 0


def cmd_tag(library: Library, args) -> int:
    """Tag the items a query finds, or every item with --all: never every item by default
    nor for a query with no words (``?``), where a slip would change the whole library."""
    if not args.all and not (args.query or "").strip():
        given = "is empty" if args.query is not None else "is missing"
        raise RefmanError(
            f"tag {args.action}: the query {given}. Say which items with --query TEXT, "
            "or give --all for every item in the library."
        )
    ids = library.items.search(ViewQuery(text="" if args.all else args.query))
    if args.action == "add":
        library.tags.add(ids, [args.tag])
        verb = "Tagged"
    else:
        library.tags.remove(ids, [args.tag])
        verb = "Untagged"
    print(f"{verb} {len(ids)} item{'s' * (len(ids) != 1)} '{args.tag}'.")
    return 0


def cmd_key(library: Library, args) -> int:
    """``key``: an item's citation key shown or set, keys made again, the pattern."""
    if args.pattern is not None:
        if args.words:
            raise RefmanError("key --pattern takes no item ids.")
        if args.pattern:
            print(f"Key pattern: {library.keys.set_pattern(args.pattern)}")
        else:
            print(library.keys.pattern())
        return 0
    ids = [_item_id(word) for word in (args.words if args.regenerate else args.words[:1])]
    if not ids:
        raise RefmanError("key needs an ITEM_ID (see refman key --help).")
    if args.regenerate:
        before = library.keys.of(ids)
        new, _ = library.keys.regenerate(ids)
        for item_id in ids:
            print(visible(f"{item_id}  {new[item_id]}  (was {before.get(item_id, 'none')})"))
        return 0
    if len(args.words) > 2:
        raise RefmanError("key takes one ITEM_ID and one NEW_KEY (a key has no spaces).")
    (item_id,) = ids
    library.items.get(item_id)  # MissingItemError, in plain words, for an id not there
    old = library.keys.of([item_id]).get(item_id, "")
    if len(args.words) == 2:
        library.keys.set(item_id, args.words[1])
        new_key = library.keys.of([item_id])[item_id]
        print(visible(f"Item {item_id}: {new_key}" + (f" (was {old})" if old != new_key else "")))
    else:
        print(visible(old))
    return 0


def _item_id(word: str) -> ItemId:
    if not word.isdigit():
        raise RefmanError(f"'{visible(word)}' is not an item id (a number, as refman list shows).")
    return ItemId(int(word))


def _key_changes(args) -> bool:
    """Whether a ``key`` command changes the library (sets a key or the pattern)."""
    return bool(args.regenerate or args.pattern or len(args.words) > 1)


def cmd_note(library: Library, args) -> int:
    item_id = ItemId(args.item_id)
    library.items.get(item_id)  # a plain error when there is no such item
    paragraphs = [p for p in args.text.split("\n\n") if p.strip()]
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs) or "<p></p>"
    note, _ = library.notes.add(item_id, body)
    print(f"Added note {note.id} to item {item_id}.")
    return 0


def cmd_new(library: Library, args) -> int:
    """``new TYPE``: make the item, print its id alone (for scripts)."""
    from refman.library.new_items import new_reference

    fields = [("title", args.title)] if args.title is not None else []
    for given in args.field:
        name, equals, value = given.partition("=")
        if not equals:
            raise RefmanError(f"--field '{given}': write it as NAME=VALUE (title=Some title).")
        fields.append((name, value))
    item_id, _ = library.items.add(new_reference(args.type, fields))
    print(item_id)
    return 0


def cmd_duplicates(library: Library, args) -> int:
    """``duplicates``: each group with why it matched, its items oldest first (the master
    ``merge --all --keep oldest`` keeps). ``--not ID ID...`` remembers items as different."""
    if args.not_ids:
        ids = [ItemId(i) for i in args.not_ids]
        pairs, _ = library.duplicates.not_duplicates(ids)
        listed = ", ".join(str(i) for i in dict.fromkeys(ids))
        print(f"not duplicates: items {listed} ({len(pairs)} new pair{'s' * (len(pairs) != 1)})")
        return 0
    groups = library.duplicates.groups()
    if not groups and not args.json:
        print("No duplicate items: no two items share a PMID, a DOI, or a title, year and first "
              "author.")
    for number, group in enumerate(groups, 1):
        refs = library.items.get_many(list(group.ids), source_records=False)
        if args.json:
            print(_group_json(group, refs))
            continue
        print(f"group {number}: {_items(len(refs))}, {'; '.join(group.reasons)}")
        for ref in refs:
            print(f"  {_list_line(ref)}")
    return 0


def _group_json(group, refs: list[Reference]) -> str:
    line = json.dumps(
        {
            "ids": list(group.ids),
            "reasons": list(group.reasons),
            "items": [
                {"id": r.id, "title": r.title, "year": r.date.year, "pmid": r.pmid, "doi": r.doi}
                for r in refs
            ],
        },
        ensure_ascii=False,
    )
    return _CONTROL_JSON_KEEPS.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


def cmd_merge(library: Library, args) -> int:
    """``merge MASTER_ID OTHER_ID...`` or ``merge --all``: prints what each merge did."""
    if args.all:
        if args.ids or args.field:
            raise RefmanError("merge --all merges every group: give no ITEM_ID or --field with it.")
        done = library.duplicates.merge_all(args.keep)
        for result in done.merges:
            print(visible(result.lines()[0]))
        print(done.summary())
        return 0
    if len(args.ids) < 2:
        raise RefmanError("Give the master's id and at least one other item's id (or --all).")
    fields = {}
    for given in args.field:
        name, equals, value = given.partition("=")
        if not equals or not value.strip().isdigit():
            raise RefmanError(f"--field '{given}': write it as NAME=ITEM_ID (title=12).")
        fields[name.strip()] = ItemId(int(value))
    master, *others = (ItemId(i) for i in args.ids)
    result = library.duplicates.merge(master, others, fields=fields)
    for line in result.lines():
        print(visible(line))
    return 0


def _items(n: int) -> str:
    return f"{n} item{'s' * (n != 1)}"


def cmd_styles(args) -> int:
    from refman.formats import csl

    for style in csl.search_styles(args.text):
        print(f"{style.id}\t{style.title}")
    return 0


def cmd_libreoffice_extension(args) -> int:
    from refman import libreoffice

    oxt = libreoffice.build()
    if args.path:
        print(oxt)
        return 0
    print(f"Wrote {oxt}")
    if args.install:
        libreoffice.install(oxt)
        print("Installed in LibreOffice: restart it, then use the refman menu or toolbar in "
              "Writer (refman must be running with its citation picker on).")
    else:
        print("Install it with Tools > Extension Manager > Add in LibreOffice, or run "
              "refman libreoffice-extension --install.")
    return 0


def cmd_backup(library: Library, args) -> int:
    path = library.safety.backup(args.output)
    print(f"Backed up {library.path} to {path}")
    return 0


class _WaitNotice:
    """Tells, on stderr, that a restore waits for another program's write to finish."""

    FIRST_S, EVERY_S = 1.0, 15.0

    def __init__(self, library_path: Path):
        self._library = library_path
        self._next = self.FIRST_S

    def __call__(self, waited: float) -> None:
        if waited < self._next:
            return
        if self._next == self.FIRST_S:
            print(
                f"refman: waiting for another program to finish writing to {self._library} "
                "(an import holds it one file at a time; Ctrl+C gives up)...",
                file=sys.stderr,
            )
        else:
            print(f"refman: still waiting ({waited:.0f} s)...", file=sys.stderr)
        self._next = waited + self.EVERY_S


def cmd_restore(library_path: Path, args) -> int:
    restored = backups.restore(
        library_path,
        Path(args.backup) if args.backup else None,
        waiting=_WaitNotice(library_path),
    )
    if restored.saved:
        print(f"Saved the library as it was to {restored.saved}")
    print(f"Restored {library_path} from {restored.backup}")
    with Library(library_path) as library:
        back = library.attachments.bring_back()
    if back:
        print(f"Brought back {len(back)} attachment file{'s' * (len(back) != 1)} from the backups.")
    return 0


def cmd_check(library_path: Path, args) -> int:
    """Exit 0 when the library is sound or was repaired, 1 when only a backup can help."""
    _must_exist(library_path)
    try:
        library = Library(library_path, verify=False)
    except LibraryError as exc:  # too damaged to open at all
        print(f"Cannot check {library_path}: {exc}")
        print(backups.restore_hint(library_path, backups.latest_good_backup(library_path)))
        return 1
    with library:
        report = library.safety.check()
        files = [] if report.damaged else library.attachments.check(_check_base(library_path))
    print("\n".join(report.lines()))
    if files:  # the library is sound; its attachments' files are another matter
        print(f"Attachments: {len(files)} problem{'s' * (len(files) != 1)} with their files:")
        print("\n".join(f"  {visible(problem)}" for problem in files))
    return 1 if report.damaged else 0


def _check_base(library_path: Path) -> Path | None:
    """The base folder of linked files for ``check``: a settings file that cannot be read is
    told, and the check goes on without it (linked files under a base then show as missing)."""
    try:
        return file_settings.base_folder(library_path)
    except RefmanError as exc:
        print(f"refman: warning: {exc}", file=sys.stderr)
        return None


def cmd_files_base(library_path: Path, args) -> int:
    """``files-base [FOLDER | --clear]``: this machine's base folder of the library's linked
    files, shown or set (library.file_settings)."""
    _must_exist(library_path)
    if args.clear and args.folder:
        raise RefmanError("Give a FOLDER or --clear, not both.")
    now = file_settings.load(library_path)
    if args.clear or args.folder:
        new = Path(args.folder) if args.folder else None
        now = file_settings.save(library_path, replace(now, base=new))
        if now.base is None:
            print("No base folder: linked files are kept by their absolute path.")
            return 0
    if now.base is None:
        print("No base folder: linked files are kept by their absolute path "
              "('refman files-base FOLDER' sets one).")
    else:
        print(visible(f"Base folder for linked files: {now.base}"))
    return 0


def _must_exist(library_path: Path) -> None:
    if not library_path.is_file():
        raise RefmanError(f"There is no library at {library_path}.")


def cmd_format_document(library: Library, args) -> int:
    """``format-document IN OUT``: see refman.library.manuscripts."""
    report = manuscripts.format_document(
        library, Path(args.source), Path(args.out), args.style, args.locale
    )
    for line in report.lines():
        print(visible(line))
    return 0


LIBRARY_COMMANDS = {
    "format-document": cmd_format_document,
    "import": cmd_import,
    "imports": cmd_imports,
    "add": cmd_add,
    "pubmed": cmd_pubmed,
    "update": cmd_update,
    "attach": cmd_attach,
    "attachments": cmd_attachments,
    "retrieve": cmd_retrieve,
    "find-pdf": cmd_find_pdf,
    "history": cmd_history,
    "key": cmd_key,
    "list": cmd_list,
    "export": cmd_export,
    "autoexport": cmd_autoexport,
    "searches": cmd_searches,
    "tag": cmd_tag,
    "note": cmd_note,
    "new": cmd_new,
    "duplicates": cmd_duplicates,
    "merge": cmd_merge,
    "backup": cmd_backup,
}
# Commands that work on the file rather than through an open library (it may be damaged).
FILE_COMMANDS = {"restore": cmd_restore, "check": cmd_check, "files-base": cmd_files_base}
# Commands that change the library: the daily backup is made before them, so that it holds
# the library as it was before a change the user may regret (about a second, once a day).
CHANGING_COMMANDS = {"import", "add", "new", "tag", "note", "update", "attach", "retrieve", "merge"}
CHANGING_COMMANDS.add("find-pdf")  # attaches the PDFs it finds


def _daily_backup(library: Library) -> None:
    """The daily check and backup; a damaged library stops the command, a backup that cannot
    be written (a full disk, a read-only folder) only warns."""
    try:
        library.safety.backup_if_due()
    except backups.DamagedLibraryError:
        raise
    except LibraryError as exc:
        print(f"refman: warning: the daily backup was not made: {exc}", file=sys.stderr)


def run_command(args, library_path: Path) -> int:
    """Run one command that needs the library, and close it whatever happens.

    A command that changes the library first has SQLite check the whole file (about 0.8 s for
    100,000 items); one that only reads does not, and damage met while reading stops it.
    """
    paths.check_library_path(library_path)
    if args.command in FILE_COMMANDS:
        return FILE_COMMANDS[args.command](library_path, args)
    if args.command == "import" and (args.dry_run or args.json):
        if not args.dry_run:
            raise RefmanError("--json goes with --dry-run: an import prints its report as text.")
        return cmd_review(library_path, args)
    if args.command == "imports":
        _must_exist(library_path)
    if args.command == "backup":
        _must_exist(library_path)
    changing = args.command in CHANGING_COMMANDS or getattr(args, "action", None) == "undo"
    changing = changing or getattr(args, "import_hits", False)  # pubmed search --import
    changing = changing or bool(getattr(args, "not_ids", None))  # duplicates --not
    changing = changing or (args.command == "key" and _key_changes(args))
    changing = changing or (args.command == "searches" and args.action not in (None, "list"))
    changing = changing and not getattr(args, "dry_run", False)  # update --dry-run reads
    verify = changing or args.command == "backup"
    library = Library(library_path, verify=verify, on_update=say_update)
    try:
        if library.notice:
            print(f"refman: {library.notice}", file=sys.stderr)
        if changing:
            if library.storage_warning:
                print(f"refman: warning: {library.storage_warning}", file=sys.stderr)
            _daily_backup(library)
        result = LIBRARY_COMMANDS[args.command](library, args)
        if changing:  # files kept up to date follow the change (see autoexport)
            refresh_live_exports(library)
        return result
    except DamageFoundError as exc:
        if isinstance(exc, backups.DamagedLibraryError):
            raise
        # Found while the command ran: say which backup to go back to.
        raise backups.damaged(library_path, str(exc.__cause__ or exc)) from None
    finally:
        library.close()
