"""The right pane: the selected item's fields, creators, tags and notes, all editable in place.

Each field is saved when the user presses Return or leaves it, and when another item is
shown; the edit goes through the undo stack (``LibraryEditor.set_field``) with its old and
new value. With several items selected the pane says how many and offers bulk tagging.
Above the fields, a Citation box shows the item's bibliography entry in the default style, and
above it a banner names the notices the item's PubMed record links (retracted, an erratum, an
expression of concern, comments, updates), each linked to PubMed. When the search found the
item through the words of one of its PDFs, a line says where ("Found in paper.pdf: ...").
Below the Citation box, the Attachments section (attachments_section.py) lists the item's
files; files dropped anywhere on the pane are attached to the item on show.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeyEvent, QTextLayout, QTextOption
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from refman.gui import focus, theme
from refman.gui.attachments_section import AttachmentsSection
from refman.gui.creators_editor import CreatorsEditor
from refman.gui.fields import (
    HIDDEN_WHEN_EMPTY,
    ITEM_TYPE_LABELS,
    date_to_text,
    field_label,
    text_to_date,
)
from refman.gui.item_table import passage_html  # the table's tooltip says the same
from refman.gui.item_tags import BulkTagger, ItemTagsEditor
from refman.gui.links import open_link
from refman.gui.notes import NotesEditor
from refman.gui.undo import LibraryEditor
from refman.library import Changes
from refman.library.attachments import Passage
from refman.library.notices import notices_of
from refman.library.updating import EarlierRecord
from refman.model import ItemId, Reference, RefmanError


@dataclass(frozen=True)
class FieldSpec:
    """A text field of the form: ``kind`` is line, title (wraps, Return saves) or text."""

    name: str
    label: str
    kind: str = "line"
    link: str = ""  # URL template for a link beside the field


FIELD_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec("title", "Title", "title"),
    FieldSpec("container_title", "Journal"),
    FieldSpec("container_title_short", "Journal Abbr"),
    FieldSpec("volume", "Volume"),
    FieldSpec("issue", "Issue"),
    FieldSpec("pages", "Pages"),
    FieldSpec("date", "Date"),
    FieldSpec("doi", "DOI", link="https://doi.org/{}"),
    FieldSpec("pmid", "PMID", link="https://pubmed.ncbi.nlm.nih.gov/{}/"),
    FieldSpec("pmcid", "PMCID", link="https://www.ncbi.nlm.nih.gov/pmc/articles/{}/"),
    FieldSpec("url", "URL", link="{}"),
    FieldSpec("publisher", "Publisher"),
    FieldSpec("place", "Place"),
    FieldSpec("language", "Language"),
    FieldSpec("abstract", "Abstract", "text"),
)
LINKS = {spec.name: spec.link for spec in FIELD_SPECS if spec.link}
# Fields that are not plain text in a Reference: (to text, from text).
CONVERSIONS = {"date": (date_to_text, text_to_date)}
CREATORS_AFTER = "title"  # the creators list sits below this field


class LineField(QLineEdit):
    """A one-line field that says ``committed`` when edited and left (or Return pressed)."""

    committed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.editingFinished.connect(self.commit)

    def value(self) -> str:
        return self.text().strip()

    def set_value(self, text: str) -> None:
        self.setText(text)  # also clears isModified
        self.setCursorPosition(0)

    def is_pending(self) -> bool:
        return self.isModified()

    def commit(self) -> None:
        if self.isModified():
            self.setModified(False)
            self.committed.emit()


class TextField(QPlainTextEdit):
    """A wrapping field saved when left; a title field also saves on Return.

    It grows with its text (never fewer than ``lines`` lines), so that a long title or
    abstract reads in full in the pane's one scroll area, with no scroll bar of its own.
    """

    committed = Signal()

    def __init__(self, single_paragraph: bool, lines: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.single_paragraph = single_paragraph
        self.min_lines = lines
        self.setTabChangesFocus(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.textChanged.connect(self.fit_height)
        self.fit_height()

    def fit_height(self) -> None:
        """As tall as its text wrapped at the field's width, in whole lines."""
        lines = max(self.wrapped_lines(), self.min_lines)
        margins = self.contentsMargins()
        frame = margins.top() + margins.bottom() + 2 * round(self.document().documentMargin())
        self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + frame + 2)

    def wrapped_lines(self) -> int:
        """The lines the text takes at the viewport's width, laid out as the field lays it
        out (its own layout only knows the lines of the paragraphs on screen)."""
        width = self.viewport().width() - 2 * self.document().documentMargin()
        option = QTextOption()
        option.setWrapMode(self.wordWrapMode())
        total = 0
        block = self.document().begin()
        while block.isValid():
            layout = QTextLayout(block.text(), self.font())
            layout.setTextOption(option)
            layout.beginLayout()
            while (line := layout.createLine()).isValid():
                line.setLineWidth(max(width, 1))
            layout.endLayout()
            total += max(layout.lineCount(), 1)
            block = block.next()
        return total

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():  # rewrapped: fit again
            self.fit_height()

    def value(self) -> str:
        text = self.toPlainText().strip()
        return " ".join(text.split()) if self.single_paragraph else text

    def set_value(self, text: str) -> None:
        self.setPlainText(text)
        self.document().setModified(False)

    def is_pending(self) -> bool:
        return self.document().isModified()

    def commit(self) -> None:
        if self.is_pending():
            self.document().setModified(False)
            self.committed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and self.single_paragraph:
            self.commit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        self.commit()
        super().focusOutEvent(event)


class ItemFields(QWidget):
    """The form: item type, title, creators, the other fields, and the item's collections."""

    edited = Signal(str, object)  # field name, new value
    invalid = Signal(str)  # a value that cannot be saved, in plain words
    key_edited = Signal(str)  # the citation key typed (library.keys checks it)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.fields: dict[str, LineField | TextField] = {}
        self._rows: dict[str, QWidget] = {}  # each field's widget in the form (with its link)
        self.links: dict[str, QLabel] = {}
        self.item_type = QComboBox()
        for item_type, label in ITEM_TYPE_LABELS.items():
            self.item_type.addItem(label, item_type)
        self.item_type.activated.connect(
            lambda: self.edited.emit("item_type", self.item_type.currentData())
        )
        # The citation key: the library's, pinned (refman.citekeys); saved as the fields are.
        self.citation_key = LineField()
        self.citation_key.setObjectName("citation_key")
        self.citation_key.setToolTip(
            "The key LaTeX, Pandoc and the exports cite this item by. It never changes by "
            "itself; Edit > Regenerate Citation Key makes it again from the key pattern."
        )
        self.citation_key.committed.connect(
            lambda: self.key_edited.emit(self.citation_key.value())
        )
        self.creators = CreatorsEditor()
        self.creators.creators_edited.connect(lambda new: self.edited.emit("creators", new))
        self.collections = QLabel(wordWrap=True)
        # What of the stored item could not be read (a damaged source record): the fields
        # below are still the item's own and editable.
        self.damage = QLabel(wordWrap=True)
        self.damage.setObjectName("damage")
        self._style_damage()
        self.damage.hide()
        self._build()

    def _style_damage(self) -> None:
        theme.set_style(self.damage, f"color: {theme.error_text_colour()}")

    def event(self, event) -> bool:
        if theme.palette_changed(event):  # light and dark follow the system
            self._style_damage()
        return super().event(event)

    def _build(self) -> None:
        self.form = form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.damage)
        form.addRow("Item Type", self.item_type)
        form.addRow("Citation Key", self.citation_key)
        for spec in FIELD_SPECS:
            form.addRow(spec.label, self._field(spec))
            if spec.name == CREATORS_AFTER:
                form.addRow("Creators", self.creators)
        form.addRow("Collections", self.collections)

    def _field(self, spec: FieldSpec) -> QWidget:
        lines = {"title": 1, "text": 3}  # the fewest: a field grows with its text
        widget = (
            LineField()
            if spec.kind == "line"
            else TextField(spec.kind == "title", lines[spec.kind])
        )
        widget.setObjectName(spec.name)
        widget.committed.connect(lambda name=spec.name: self.commit(name))
        self.fields[spec.name] = widget
        if not spec.link:
            self._rows[spec.name] = widget
            return widget
        link = QLabel(textInteractionFlags=(Qt.TextInteractionFlag.TextBrowserInteraction))
        link.linkActivated.connect(partial(open_link, link))  # says so when no browser starts
        self.links[spec.name] = link
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(widget)
        layout.addWidget(link)
        self._rows[spec.name] = row
        return row

    def focus_chain(self) -> list[QWidget]:
        """The form's editors top to bottom, for Tab."""
        chain: list[QWidget] = [self.item_type]
        for spec in FIELD_SPECS:
            chain.append(self.fields[spec.name])
            if spec.name in self.links:  # "Open" beside DOI, PMID...
                chain.append(self.links[spec.name])
            if spec.name == CREATORS_AFTER:  # the creators' table, then its buttons
                chain += [self.creators.table, *self.creators.buttons.values()]
        return chain

    def load(self, ref: Reference, collection_names: Sequence[str]) -> None:
        """Show ``ref``; a field with unsaved typing keeps it."""
        self.item_type.setCurrentIndex(max(self.item_type.findData(ref.item_type), 0))
        if not self.citation_key.is_pending():
            self.citation_key.set_value(ref.citation_key)
        for name, widget in self.fields.items():
            if not widget.is_pending():
                widget.set_value(self._text_of(ref, name))
            self._update_link(name)
        self._fit_to_type(ref)
        self.creators.set_creators(ref.creators)
        self.collections.setText(", ".join(collection_names) or "None")
        self.damage.setText(
            f"Damaged: {ref.damage}. Its other fields are intact; `refman check` repairs it."
            if ref.damage
            else ""
        )
        self.damage.setVisible(bool(ref.damage))

    def _fit_to_type(self, ref: Reference) -> None:
        """The labels the item's type uses; the fields it has no use for, while empty, hidden."""
        hidden = HIDDEN_WHEN_EMPTY.get(ref.item_type, set())
        for spec in FIELD_SPECS:
            widget = self.fields[spec.name]
            label = self.form.labelForField(self._rows[spec.name])
            if isinstance(label, QLabel):
                label.setText(field_label(ref.item_type, spec.name, spec.label))
            empty = not widget.value().strip()
            self.form.setRowVisible(self._rows[spec.name], not (empty and spec.name in hidden))

    def _text_of(self, ref: Reference, name: str) -> str:
        to_text = CONVERSIONS.get(name, (str, None))[0]
        return to_text(getattr(ref, name))

    def _update_link(self, name: str) -> None:
        if name not in LINKS:
            return
        value = self.fields[name].value()
        url = LINKS[name].format(value) if value else ""
        self.links[name].setText(f'<a href="{html.escape(url)}">Open</a>' if url else "")
        self.links[name].setToolTip(url)
        self.links[name].setVisible(bool(url))

    def commit(self, name: str) -> None:
        from_text = CONVERSIONS.get(name, (None, str))[1]
        try:
            value = from_text(self.fields[name].value())
        except RefmanError as exc:
            self.invalid.emit(str(exc))
            return
        self._update_link(name)
        self.edited.emit(name, value)

    def flush(self) -> None:
        """Save every field with unsaved typing (the item is about to change)."""
        for widget in self.fields.values():
            widget.commit()
        self.citation_key.commit()


# Qt's rich text has no inline blocks: a numbered entry's number would sit on a line of its own.
_MARGIN_BLOCK = re.compile(r'<div class="csl-(?:left-margin|right-inline)">(.*?)</div>', re.S)


def inline_entry(entry_html: str) -> str:
    """A CSL HTML entry with its number and its text on one line, for a label."""
    return _MARGIN_BLOCK.sub(r"\1 ", entry_html)


class CitationBox(QGroupBox):
    """The item's bibliography entry, read-only and selectable.

    Rendered after the event that asked for it (a selection, an edit), so that the rest of the
    pane paints first; the first entry in a session waits for the style to be compiled.
    """

    def __init__(self, render: Callable[[], str], parent: QWidget | None = None):
        super().__init__("Citation", parent)
        self._render = render
        self.label = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.label.linkActivated.connect(partial(open_link, self.label))
        QVBoxLayout(self).addWidget(self.label)
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.render_now)

    def schedule(self) -> None:
        self._timer.start()

    def render_now(self) -> None:
        if self.isVisible():  # a hidden box (another tab, a closed window) renders when shown
            self.label.setText(inline_entry(self._render()))

    def showEvent(self, event) -> None:
        self.schedule()
        super().showEvent(event)

    def hideEvent(self, event) -> None:
        self._timer.stop()
        super().hideEvent(event)


class NoticeBanner(QLabel):
    """The notices of the item on show, one a line, each linked to its PubMed page; hidden
    when there are none. Retractions, expressions of concern and errata about the item are
    a warning (in bold, on a warning colour); the rest (comments, updates) plain."""

    PLAIN_STYLE = "border: 1px solid palette(mid);"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("notice_banner")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.linkActivated.connect(partial(open_link, self))
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.setMargin(6)
        self.warning = False
        self.hide()

    def show_notices(self, ref: Reference) -> None:
        found = notices_of(ref)
        if not found:
            self.clear()
            self.warning = False
            self.hide()
            return
        self.warning = any(n.about_this and n.kind in _WARNING_KINDS for n in found)
        lines = []
        for notice in found:
            text = html.escape(notice.describe())
            if notice.pubmed_url:
                text = f'<a href="{html.escape(notice.pubmed_url)}">{text}</a>'
            if notice.about_this and notice.kind in _WARNING_KINDS:
                text = f"<b>{text}</b>"
            lines.append(text)
        self.setText("<br>".join(lines))
        self._style()
        self.show()

    def _style(self) -> None:
        """A warning's colours from the palette in use (light or dark), or a plain frame."""
        colours = theme.warning_colours()
        warning = (
            f"background: {colours.background}; color: {colours.text};"
            f" border: 1px solid {colours.border};"
        )
        theme.set_style(self, warning if self.warning else self.PLAIN_STYLE)

    def event(self, event) -> bool:
        if theme.palette_changed(event) and self.warning:  # light and dark follow the system
            self._style()
        return super().event(event)


_WARNING_KINDS = frozenset({"retracted", "expression of concern", "erratum"})


class FoundInPdf(QLabel):
    """ "Found in paper.pdf: …the words…", the words in bold, when the search found the item
    on show through a PDF's words; hidden otherwise."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("found_in_pdf")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setMargin(4)
        self.hide()

    def show_passage(self, passage: Passage | None) -> None:
        self.setText(passage_html(passage) if passage is not None else "")
        self.setVisible(passage is not None)


class SourceHistory(QLabel):
    """The item's earlier source records (replaced by Update from PubMed), each with when and
    why; hidden when there are none."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("source_history")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_history(self, earlier: Sequence[EarlierRecord]) -> None:
        lines = [
            f"{entry.replaced.strftime('%Y-%m-%d %H:%M UTC')}: {entry.reason}"
            + (f" (was {dict(entry.record)['STAT']})" if "STAT" in dict(entry.record) else "")
            for entry in earlier
        ]
        self.setText("Earlier source records:\n" + "\n".join(lines) if lines else "")
        self.setToolTip("The records this item had before; refman history ITEM_ID lists them")
        self.setVisible(bool(lines))


class MultiItemPage(QWidget):
    """ "N items selected" as a heading at the top, and below it a box that tags them all:
    laid out from the top like the one item's page, not floating in the middle."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.count_label = QLabel()
        self.count_label.setObjectName("multi_heading")
        font = self.count_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.count_label.setFont(font)
        self.hint = QLabel("What is done here applies to every selected item.", wordWrap=True)
        self.hint.setEnabled(False)  # the palette's muted text, light and dark alike
        self.tagger = BulkTagger()
        box = QGroupBox("Tags")
        QVBoxLayout(box).addWidget(self.tagger)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addWidget(self.count_label)
        layout.addWidget(self.hint)
        layout.addWidget(box)
        layout.addStretch()

    def set_count(self, count: int) -> None:
        self.count_label.setText(f"{count} items selected")


class DetailPane(QStackedWidget):
    """Nothing selected, one item (Info, Tags, Notes), or several items."""

    def __init__(
        self,
        editor: LibraryEditor,
        parent: QWidget | None = None,
        *,
        citation_style: Callable[[], str | None] = lambda: None,
    ):
        super().__init__(parent)
        self.editor = editor
        self.library = editor.library
        self.citation_style = citation_style  # the default style's id, asked at each render
        self._ids: list[ItemId] = []
        self.ref: Reference | None = None
        self.empty = QLabel("No item selected", alignment=Qt.AlignmentFlag.AlignCenter)
        self.fields = ItemFields()
        self.citation = CitationBox(self._citation_html)
        self.notice_banner = NoticeBanner()
        self.attachments = AttachmentsSection(self.library)
        self.source_history = SourceHistory()
        self.found_in_pdf = FoundInPdf()
        # Where the current search found an item in a PDF (None: not there); the window
        # gives the item table's.
        self.pdf_passage: Callable[[ItemId], Passage | None] = lambda _item_id: None
        self.tags = ItemTagsEditor()
        self.notes = NotesEditor(editor)
        self.multi = MultiItemPage()
        self.tabs = self._tabs()
        for page in (self.empty, self.tabs, self.multi):
            self.addWidget(page)
        self.setAcceptDrops(True)  # files dropped on the pane are attached to its item
        self._connect()

    def _tabs(self) -> QTabWidget:
        info = QWidget()
        layout = QVBoxLayout(info)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.notice_banner)
        layout.addWidget(self.found_in_pdf)
        layout.addWidget(self.citation)
        layout.addWidget(self.attachments)
        layout.addWidget(self.fields)
        layout.addWidget(self.source_history)
        scroll = QScrollArea(widgetResizable=True)
        # Neither the scroll area nor the tab widget is a Tab stop: their tab bar and fields are.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(info)
        tabs = QTabWidget()
        tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # which passes to its tab bar: undone
        tabs.tabBar().setFocusPolicy(Qt.FocusPolicy.TabFocus)
        tabs.addTab(scroll, "Info")
        tabs.addTab(self.tags, "Tags")
        tabs.addTab(self.notes, "Notes")
        return tabs

    def _connect(self) -> None:
        self.fields.edited.connect(self._on_field_edited)
        self.fields.invalid.connect(self._on_invalid)
        self.fields.key_edited.connect(self._on_key_edited)
        self.tags.add_requested.connect(lambda name: self.editor.add_tags(self._ids, [name]))
        self.tags.remove_requested.connect(lambda names: self.editor.remove_tags(self._ids, names))
        tagger = self.multi.tagger
        tagger.add_requested.connect(lambda name: self.editor.add_tags(self._ids, [name]))
        tagger.remove_requested.connect(lambda name: self.editor.remove_tags(self._ids, [name]))

    def show_items(self, ids: Sequence[ItemId]) -> None:
        """Show the selection; unsaved typing is saved to the item it was typed for."""
        ids = list(ids)
        if ids == self._ids:
            self._reload()
            return
        self.flush()
        self._ids = ids
        self.notes.set_item(ids[0] if len(ids) == 1 else None)
        self._reload()

    def _reload(self) -> None:
        self.ref = None
        if len(self._ids) == 1:
            self._show_item(self._ids[0])
        elif self._ids:
            self.multi.set_count(len(self._ids))
            self.multi.tagger.input.set_completions(self.library.tags.names())
            self.setCurrentWidget(self.multi)
        else:
            self.setCurrentWidget(self.empty)

    def _show_item(self, item_id: ItemId) -> None:
        try:
            self.ref = self.library.items.get(item_id)
        except (RefmanError, KeyError):  # gone (trash emptied elsewhere): nothing to show
            self.setCurrentWidget(self.empty)
            return
        names = {c.id: c.name for c in self.library.collections.all()}
        in_collections = [names[c] for c in self.library.collections.of_item(item_id) if c in names]
        self.fields.load(self.ref, sorted(in_collections, key=str.casefold))
        self.notice_banner.show_notices(self.ref)
        self.source_history.show_history(self.library.updating.history(item_id))
        self.found_in_pdf.show_passage(self.pdf_passage(item_id))
        self.tags.set_tags(self.ref.tags)
        self.tags.input.set_completions(self.library.tags.names())
        self.attachments.show_item(self.ref)
        self.setCurrentWidget(self.tabs)
        self.citation.schedule()

    # --- files dropped on the pane -------------------------------------------------------------

    def _dropped_paths(self, event: QDragEnterEvent | QDropEvent) -> list[str]:
        """The local files of a drag, when one item is shown and the library takes changes."""
        if self.currentWidget() is not self.tabs or self.library.read_only:
            return []
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        return [url.toLocalFile() for url in urls if url.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_paths(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if self._dropped_paths(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._dropped_paths(event)
        if not paths:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        self.attachments.attach_requested.emit(paths)

    def focus_chain(self) -> list[QWidget]:
        """The pane's widgets in Tab order: the tabs, then the fields in the form's order;
        the Tags and Notes pages and the several-items page (Tab skips those not on show)."""
        info = [
            *focus.tab_stops(self.citation),
            *focus.tab_stops(self.attachments),
            *self.fields.focus_chain(),
        ]
        pages = (self.tags, self.notes, self.multi)
        return [self.tabs.tabBar(), *info, *(w for page in pages for w in focus.tab_stops(page))]

    def focus_title(self) -> None:
        """The keyboard in the Title field of the item on show (a new item)."""
        if self.currentWidget() is self.tabs:
            self.tabs.setCurrentIndex(0)
            self.fields.fields["title"].setFocus()

    def new_note(self) -> None:
        """A new note on the item on show, in the Notes tab, with the keyboard in it."""
        if self.currentWidget() is self.tabs:
            self.tabs.setCurrentWidget(self.notes)
            self.notes.new_note()

    def refresh_citation(self) -> None:
        """Render the Citation box again (the default style changed)."""
        self.citation.schedule()

    def _citation_html(self) -> str:
        if self.ref is None or self.ref.id is None:  # nothing shown (an item shown has its id)
            return ""
        try:
            return self.library.exporting.export([self.ref.id], "html", style=self.citation_style())
        except KeyError:  # deleted since it was selected: the pane is about to empty
            return ""
        except (ImportError, RefmanError) as exc:  # a style that fails on this item
            return html.escape(f"No citation: {exc}")

    def apply(self, changes: Changes) -> None:
        """Show what a library change did to the items on show."""
        touched = changes.changed | changes.added | changes.removed
        if touched.intersection(self._ids) or changes.collections or changes.tags:
            self._reload()

    def flush(self) -> None:
        """Save what is typed and not yet saved: fields and the open note."""
        if self.ref is not None:
            self.fields.flush()
        self.notes.flush()

    def _on_field_edited(self, name: str, value: object) -> None:
        if self.ref is not None and self.ref.id is not None:
            self.editor.set_field(self.ref.id, name, getattr(self.ref, name), value)

    def _on_key_edited(self, key: str) -> None:
        ref = self.ref
        if ref is None or ref.id is None:
            return
        if not self.editor.set_key(ref.id, ref.citation_key, key):  # refused: the editor said
            self._reload()  # why; the saved key comes back

    def _on_invalid(self, message: str) -> None:
        self.editor.failed.emit(message)
        self._reload()  # back to the saved value
