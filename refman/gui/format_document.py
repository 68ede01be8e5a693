"""File > Format Document…: a manuscript (.docx or .odt) formatted from the library, as
``refman format-document`` does (refman.library.manuscripts): choose IN, OUT and the style,
Format runs on the window's task runner with its own library connection (reading only), and
the report, or the reason nothing was written (unknown keys with their places), shows below.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from refman.gui.style_picker import StylePicker
from refman.gui.tasks import READ, Task, TaskRunner
from refman.library import manuscripts

MANUSCRIPT_FILTER = "Manuscripts (*.docx *.odt)"


def formatted_name(source: Path) -> Path:
    """The copy's default name: ``draft.docx`` -> ``draft-formatted.docx``."""
    return source.with_name(f"{source.stem}-formatted{source.suffix}")


class FormatDocumentDialog(QDialog):
    """IN, OUT, the style, Format; the report below. ``formatted`` gives the report's text."""

    formatted = Signal(str)
    refused = Signal(str)

    def __init__(self, tasks: TaskRunner, style_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Format Document")
        self.tasks = tasks
        self.task: Task | None = None
        self.source = QLineEdit(placeholderText="A .docx or .odt manuscript")
        self.out = QLineEdit(placeholderText="Where the formatted copy goes")
        self.picker = StylePicker(style_id, self)
        self.report = QPlainTextEdit(readOnly=True)
        self.report.setPlaceholderText(
            "Citations typed as [@key, p. 25] or [PMID: 37144409], and fields written before "
            "(by refman or Zotero), become live fields; the bibliography goes at a "
            "{Bibliography} paragraph or at the end."
        )
        form = QFormLayout()
        form.addRow("Manuscript:", self._with_browse(self.source, self._choose_source))
        form.addRow("Write to:", self._with_browse(self.out, self._choose_out))
        form.addRow("Style:", self.picker)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.format_button = self.buttons.addButton(
            "&Format", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.format_button.clicked.connect(self.run)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.report)
        layout.addWidget(self.buttons)
        self.resize(640, 620)

    def _with_browse(self, edit: QLineEdit, choose) -> QWidget:
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit)
        button = QPushButton("Browse…", row)
        button.clicked.connect(choose)
        layout.addWidget(button)
        return row

    def _choose_source(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Manuscript", "", MANUSCRIPT_FILTER)
        if path:
            self.set_source(Path(path))

    def _choose_out(self) -> None:
        start = self.out.text() or self.source.text()
        path, _ = QFileDialog.getSaveFileName(self, "Write To", start, MANUSCRIPT_FILTER)
        if path:
            self.out.setText(path)

    def set_source(self, path: Path) -> None:
        """IN chosen; OUT follows it (``-formatted``) unless chosen already."""
        self.source.setText(str(path))
        if not self.out.text():
            self.out.setText(str(formatted_name(path)))

    def run(self) -> Task | None:
        """Format on the task runner; the report (or the refusal) shows when it is done."""
        source, out = self.source.text().strip(), self.out.text().strip()
        if not source or not out:
            self.report.setPlainText("Choose the manuscript and where to write the copy.")
            return None
        style = self.picker.style()
        self.format_button.setEnabled(False)
        self.report.setPlainText("Formatting…")

        def job(library, _progress, _cancelled):
            return manuscripts.format_document(library, Path(source), Path(out), style)

        self.task = self.tasks.run("Format Document", job, mode=READ)
        self.task.succeeded.connect(self._on_done)
        self.task.failed.connect(self._on_failed)
        return self.task

    @Slot(object)
    def _on_done(self, report: manuscripts.FormatReport) -> None:
        self.task = None
        self.format_button.setEnabled(True)
        text = "\n".join(report.lines())
        self.report.setPlainText(text)
        self.formatted.emit(text)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.task = None
        self.format_button.setEnabled(True)
        self.report.setPlainText(message)
        self.refused.emit(message)
