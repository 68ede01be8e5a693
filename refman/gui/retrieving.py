"""The window's Retrieve Metadata, on its task runner (issue 15). (Attaching files, from the
table, the menus and the detail pane alike, is gui/attachment_actions.py's.)

``MetadataRetriever.retrieve(ids)`` is Retrieve Metadata: library.pdfs.retrieve on the items tagged
"needs lookup", in a writing task with the Preferences' online settings; a plain summary
follows, and offline is said as such. A reference found gets the PDF, and the item that stood
in for it goes to the Trash (restorable).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QWidget

from refman.gui import dialogs, preferences
from refman.gui.tasks import WRITE, Task, TaskRunner
from refman.gui.undo import LibraryEditor
from refman.library import Changes, Library, file_settings
from refman.library.pdfs import NEEDS_LOOKUP, PdfImportReport
from refman.model import ItemId, RefmanError
from refman.online import Http

RETRIEVE = "Retrieve Metadata"
NOTHING_TO_RETRIEVE = (
    f"None of the selected items needs a lookup: Retrieve Metadata is for items made from a "
    f"PDF whose reference was not found (tagged '{NEEDS_LOOKUP}')."
)
OFFLINE = (
    "You seem to be offline: the reference sources could not be reached. Nothing was changed; "
    "try Retrieve Metadata again when you are online."
)


def needs_lookup(library: Library, ids: Sequence[ItemId]) -> list[ItemId]:
    """The items of ``ids`` tagged "needs lookup" (made from a PDF without a reference)."""
    try:
        refs = library.items.get_many(list(ids), source_records=False, tag_details=False)
    except (RefmanError, KeyError):  # gone meanwhile: look at each one left
        refs = [ref for i in ids for ref in library.items.get_many([i]) if _held(library, i)]
    return [ref.id for ref in refs if ref.id is not None and _tagged(ref.tags)]


def _held(library: Library, item_id: ItemId) -> bool:
    return bool(library.items.rows([item_id], ["title"]))


def _tagged(tags) -> bool:
    return any(tag.name == NEEDS_LOOKUP for tag in tags)


class MetadataRetriever(QObject):
    """Retrieve Metadata for the window, off its thread."""

    retrieved = Signal(object)  # PdfImportReport of Retrieve Metadata

    def __init__(
        self,
        editor: LibraryEditor,
        tasks: TaskRunner,
        settings: QSettings,
        parent: QWidget,
        status: Callable[[str], None] = lambda _message: None,
    ):
        super().__init__(parent)
        self.editor = editor
        self.library = editor.library
        self.tasks = tasks
        self.settings = settings
        self.parent_widget = parent
        self.status = status  # a line in the window's status bar

    def _base(self) -> Path | None:
        try:
            return file_settings.base_folder(self.library.path)
        except RefmanError:  # a settings file that cannot be read: absolute paths only
            return None

    def _on_failed(self, message: str) -> None:
        self.status("")
        dialogs.show_error(self.parent_widget, message)

    # --- Retrieve Metadata --------------------------------------------------------------------

    def retrieve(self, ids: Sequence[ItemId]) -> Task | None:
        """Look up again the references of the items (those tagged "needs lookup")."""
        wanted = needs_lookup(self.library, ids)
        if not wanted:
            dialogs.show_info(self.parent_widget, NOTHING_TO_RETRIEVE)
            return None
        online = preferences.online_settings(self.settings)
        base = self._base()

        def job(library: Library, _progress, _cancelled) -> PdfImportReport:
            with Http(online) as http:
                return library.pdfs.retrieve(wanted, http=http, base=base)

        self.status(f"{RETRIEVE}: looking up {len(wanted)} item{'s' * (len(wanted) != 1)}…")
        task = self.tasks.run(RETRIEVE, job, mode=WRITE)
        task.succeeded.connect(lambda report: self._on_retrieved(wanted, report))
        task.failed.connect(self._on_failed)
        return task

    def _on_retrieved(self, wanted: list[ItemId], report: PdfImportReport) -> None:
        found = [item for _name, item in report.added + report.attached]
        still = {item for _name, item, _why in report.needs_lookup}
        replaced = [item for item in wanted if item not in still] if found else []
        self.editor.notify(
            Changes(
                added=frozenset(item for _name, item in report.added),
                changed=frozenset([*found, *still]),
                removed=frozenset(replaced),  # the stand-ins, now in the Trash
                tags=True,
            )
        )
        self.status(retrieve_summary(report))
        self.retrieved.emit(report)
        if report.offline and not found:
            dialogs.show_error(self.parent_widget, OFFLINE)
        elif report.needs_lookup or report.failed:
            dialogs.show_info(self.parent_widget, "\n".join(retrieve_lines(report)))
        else:
            dialogs.show_info(self.parent_widget, retrieve_summary(report))


def retrieve_summary(report: PdfImportReport) -> str:
    """Retrieve Metadata's outcome in a line: references found, items still to look up."""
    found = len(report.added) + len(report.attached)
    parts = [f"{found} reference{'s' * (found != 1)} found"]
    if found:
        parts[0] += " (the PDF moved to it; the item that stood in for it is in the Trash)"
    if report.needs_lookup:
        still = len(report.needs_lookup)
        parts.append(f"{still} still need{'s' * (still == 1)} a lookup")
    if report.failed:
        parts.append(f"{len(report.failed)} not looked up")
    return f"{RETRIEVE}: {', '.join(parts)}."


def retrieve_lines(report: PdfImportReport) -> list[str]:
    """The summary, then why each item still needs a lookup."""
    lines = [retrieve_summary(report)]
    if report.offline:
        lines.append("You seem to be offline: try again when you are online.")
    lines += [f"  {name} (item {item}): {why}" for name, item, why in report.needs_lookup]
    lines += [f"  {name}: {why}" for name, why in report.failed]
    return lines
