"""Preferences: the default citation style, whether imports are reviewed, the citation picker
for editors (on or off, its port: gui/cayw.py), and what refman tells PubMed (the user's email,
an NCBI API key), kept in QSettings; the library's live exports
(gui/live_exports.py) and its citation key pattern, both stored in the library itself (the
command line uses them too); and Files: whether attached files are linked instead of copied,
and the base folder of linked files, this machine's (library.file_settings, which the command
line reads too).

The default style is what Copy Citation, Copy Bibliography, items dragged out of the window and
the detail pane's Citation box use, and what the export dialog starts with. The citation
processor is imported only when a style is looked up, so that opening the window does not pay
for it; ``warm_up`` then loads it, reads the style collection and compiles the default style in
a background thread, so that the first item the user selects is not held up by that second.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from refman import cayw, citekeys
from refman.gui import cayw as cayw_server
from refman.gui.tasks import Task, TaskRunner
from refman.library import Library, file_settings
from refman.model import RefmanError
from refman.online import Settings

if TYPE_CHECKING:
    from refman.library import Library

log = logging.getLogger(__name__)

STYLE_KEY = "citation/style"
REVIEW_KEY = "import/review"  # review an import first (gui/importing.py); on by default
EMAIL_KEY = "online/email"  # sent to NCBI with each request, as its E-utilities ask
API_KEY_KEY = "online/api_key"  # an NCBI API key: 10 requests a second instead of 3


def review_imports(settings: QSettings) -> bool:
    return bool(settings.value(REVIEW_KEY, True, type=bool))


def stop_reviewing_imports(settings: QSettings) -> None:
    settings.setValue(REVIEW_KEY, False)


def online_settings(settings: QSettings) -> Settings:
    """Where and how the window's network jobs ask: the environment (REFMAN_EUTILS_URL, ...)
    with the email and NCBI API key given in Preferences."""
    return Settings.from_environment(
        email=str(settings.value(EMAIL_KEY, "", type=str)),
        api_key=str(settings.value(API_KEY_KEY, "", type=str)),
    )


def default_style(settings: QSettings) -> str:
    """The id of the chosen style; AMA when none is chosen or the chosen one is gone."""
    return _installed_or_default(str(settings.value(STYLE_KEY, "", type=str)))


def _installed_or_default(chosen: str) -> str:
    from refman.formats import csl

    if chosen:
        try:
            return csl.find_style(chosen).id
        except RefmanError:  # no longer installed (a newer style package): fall back
            pass
    return csl.DEFAULT_STYLE


def warm_up(settings: QSettings, tasks: TaskRunner) -> Task:
    """Compile the chosen style in a background task; the caches keep it for the window."""
    chosen = str(settings.value(STYLE_KEY, "", type=str))
    return tasks.run("Style warm-up", lambda _library, _progress, _cancelled: _compile(chosen))


def _compile(chosen: str) -> None:
    from refman.formats import csl

    try:
        csl.engine(_installed_or_default(chosen))
        csl.rank_styles("a")  # the style picker's search, ready before its first keystroke
    except Exception:  # only a head start: the real use reports any problem in plain words
        log.debug("Style warm-up failed", exc_info=True)


KEY_PATTERN_HELP = (
    "New items of this library get a citation key made from this pattern; keys already made "
    "never change (Edit > Regenerate Citation Key makes the selected items' again). Parts: "
    "[auth] [authors2] [authors3] [year] [veryshorttitle] [shorttitle] [firstpage] [pmid] "
    "[journal], with :lower or :upper; | gives a fallback (see the README)."
)

ONLINE_HELP = (
    "Add by Identifier and the other PubMed commands ask NCBI's E-utilities. NCBI asks each "
    "program for an email address to write to if its requests cause trouble; without one, "
    "refman sends its own. An NCBI API key (free, from your NCBI account settings) lets "
    "refman ask 10 times a second instead of 3, which speeds up large additions."
)


CAYW_HELP = (
    "Editor plugins that call Better BibTeX's citation picker (VS Code, Obsidian, rbbt, vim) "
    "then pick citations from refman, on this computer only. Plugins call Zotero's port, "
    f"{cayw.DEFAULT_PORT}, unless told otherwise: when Zotero runs too, choose another port "
    "(such as 23120) and give it to the plugin."
)


FILES_HELP = (
    "Attached files are copied into the 'files' folder beside the library, unless you link "
    "them: a linked file stays where it is. Linked files under the base folder are kept "
    "relative to it, so that a library and its papers in one synced folder move between "
    "machines; each machine names its own base folder (refman files-base on the command line "
    "sets the same one)."
)


def choose_folder(parent: QWidget, start: str) -> str:
    """A folder the user picks ("" when they cancel); tests replace this."""
    return QFileDialog.getExistingDirectory(parent, "Base Folder for Linked Files", start)


class PreferencesDialog(QDialog):
    """The default citation style, picked by searching the style titles; the import review;
    the email and NCBI API key sent with PubMed requests."""

    def __init__(
        self, settings: QSettings, parent: QWidget | None = None, library: Library | None = None
    ):
        from refman.gui.style_picker import StylePicker

        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Preferences")
        self.picker = StylePicker(default_style(settings))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Default citation style</b>"))
        layout.addWidget(
            QLabel(
                "Used by Copy Citation, Copy Bibliography, items dragged out of refman, "
                "the Citation box, and as the first choice in File > Export.",
                wordWrap=True,
            )
        )
        layout.addWidget(self.picker)
        self.review_imports = QCheckBox(
            "Review imports before they are made, when a file holds more than a few records "
            "or a possible duplicate"
        )
        self.review_imports.setChecked(review_imports(settings))
        layout.addWidget(QLabel("<b>Import</b>"))
        layout.addWidget(self.review_imports)
        layout.addWidget(QLabel("<b>Citation picker for editors</b>"))
        layout.addWidget(self._cayw_box(settings, parent))
        layout.addWidget(QLabel("<b>PubMed and online sources</b>"))
        layout.addWidget(QLabel(ONLINE_HELP, wordWrap=True))
        layout.addLayout(self._online_form(settings))
        self.library = library
        if library is not None:
            layout.addWidget(QLabel("<b>Citation keys</b>"))
            layout.addWidget(self._key_pattern_box(library))
        if library is not None:  # stored in the library: only with one open
            from refman.gui.live_exports import LiveExportList

            layout.addWidget(QLabel("<b>Live exports</b>"))
            self.live_exports = LiveExportList(library)
            layout.addWidget(self.live_exports)
            layout.addWidget(QLabel("<b>Files</b>"))
            layout.addWidget(self._files_box(library))
        layout.addWidget(self.buttons)
        self.resize(520, 620) if library is None else self.resize(720, 820)

    def _online_form(self, settings: QSettings) -> QFormLayout:
        self.email = QLineEdit(str(settings.value(EMAIL_KEY, "", type=str)))
        self.email.setObjectName("email")
        self.email.setPlaceholderText("you@example.org (sent to NCBI with each request)")
        self.api_key = QLineEdit(str(settings.value(API_KEY_KEY, "", type=str)))
        self.api_key.setObjectName("api_key")
        self.api_key.setPlaceholderText("optional: 10 requests a second instead of 3")
        form = QFormLayout()
        form.addRow("Your email", self.email)
        form.addRow("NCBI API key", self.api_key)
        return form

    def _cayw_box(self, settings: QSettings, parent: QWidget | None) -> QWidget:
        """On or off, the port, and where it listens now or why it does not."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.cayw_enabled = QCheckBox("Enable the citation picker for editors")
        self.cayw_enabled.setObjectName("cayw_enabled")
        self.cayw_enabled.setChecked(cayw_server.enabled(settings))
        self.cayw_port = QSpinBox(minimum=1024, maximum=65535)
        self.cayw_port.setObjectName("cayw_port")
        self.cayw_port.setValue(max(1024, cayw_server.port(settings)))
        row = QHBoxLayout()
        row.addWidget(self.cayw_enabled)
        row.addSpacing(16)
        row.addWidget(QLabel("Port"))
        row.addWidget(self.cayw_port)
        row.addStretch(1)
        layout.addWidget(QLabel(CAYW_HELP, wordWrap=True))
        layout.addLayout(row)
        server = getattr(parent, "cayw", None)  # the window's (gui/cayw.serve)
        self.cayw_status = QLabel(server.status() if server is not None else "", wordWrap=True)
        self.cayw_status.setObjectName("cayw_status")
        self.cayw_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if server is not None and server.problem:
            self.cayw_status.setStyleSheet("color: #b00020")
        layout.addWidget(self.cayw_status)
        layout.addLayout(self._libreoffice_row())
        return box

    def _libreoffice_row(self) -> QHBoxLayout:
        """Install LibreOffice Extension (it cites through the picker's port), and its result."""
        self.libreoffice_install = QPushButton("Install LibreOffice Extension")
        self.libreoffice_install.setObjectName("libreoffice_install")
        self.libreoffice_install.clicked.connect(self._install_libreoffice_extension)
        self.libreoffice_status = QLabel("", wordWrap=True)
        self.libreoffice_status.setObjectName("libreoffice_status")
        self.libreoffice_status.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.libreoffice_install)
        row.addWidget(self.libreoffice_status, 1)
        return row

    def _install_libreoffice_extension(self) -> None:
        """Writes refman.oxt and runs LibreOffice's unopkg (a few seconds; LibreOffice must be
        closed); the outcome is said beside the button in plain words."""
        from refman import libreoffice

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            oxt = libreoffice.build()
            libreoffice.install(oxt)
        except RefmanError as exc:
            self.libreoffice_status.setText(str(exc))
            self.libreoffice_status.setStyleSheet("color: #b00020")
        else:
            self.libreoffice_status.setText(
                "Installed: restart LibreOffice and use the refman menu or toolbar in Writer "
                "(with the citation picker on).")
            self.libreoffice_status.setStyleSheet("")
        finally:
            QApplication.restoreOverrideCursor()

    def _key_pattern_box(self, library: Library) -> QWidget:
        """The pattern new citation keys are made from (this library's), offered patterns in
        its list; a bad one is said under it as it is typed."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(KEY_PATTERN_HELP, wordWrap=True))
        self.key_pattern = QComboBox(editable=True)
        self.key_pattern.setObjectName("key_pattern")
        for name, pattern in citekeys.OFFERED_PATTERNS.items():
            self.key_pattern.addItem(name, pattern)
        self.key_pattern.setEditText(library.keys.pattern())
        self.key_pattern.activated.connect(
            lambda index: self.key_pattern.setEditText(self.key_pattern.itemData(index))
        )
        self.key_pattern_problem = QLabel(wordWrap=True)
        self.key_pattern_problem.setObjectName("key_pattern_problem")
        self.key_pattern_problem.setStyleSheet("color: #b00020")
        self.key_pattern.editTextChanged.connect(self._check_key_pattern)
        layout.addWidget(self.key_pattern)
        layout.addWidget(self.key_pattern_problem)
        self._check_key_pattern(self.key_pattern.currentText())
        return box

    def _files_box(self, library: Library) -> QWidget:
        """Link instead of copy, and this machine's base folder of the library's linked files."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(FILES_HELP, wordWrap=True))
        self.files_problem = QLabel(wordWrap=True)
        self.files_problem.setObjectName("files_problem")
        self.files_problem.setStyleSheet("color: #b00020")
        try:
            now = file_settings.load(library.path)
        except RefmanError as exc:  # said here; saving writes a sound file over it
            now = file_settings.FileSettings()
            self.files_problem.setText(str(exc))
        self.files_problem.setVisible(bool(self.files_problem.text()))
        self.link_files = QCheckBox("Link files instead of copying them")
        self.link_files.setObjectName("link_files")
        self.link_files.setChecked(now.link)
        self.base_folder = QLineEdit(str(now.base) if now.base else "")
        self.base_folder.setObjectName("base_folder")
        self.base_folder.setPlaceholderText("none: linked files are kept by their full path")
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose_base)
        clear = QPushButton("Clear")
        clear.clicked.connect(self.base_folder.clear)
        row = QHBoxLayout()
        row.addWidget(QLabel("Base folder for linked files"))
        row.addWidget(self.base_folder, 1)
        row.addWidget(choose)
        row.addWidget(clear)
        layout.addWidget(self.link_files)
        layout.addLayout(row)
        layout.addWidget(self.files_problem)
        return box

    def _choose_base(self) -> None:
        folder = choose_folder(self, self.base_folder.text())
        if folder:
            self.base_folder.setText(folder)

    def _save_files(self) -> bool:
        """Keep the Files part; False (the dialog stays open, saying why) for a base folder
        that is not a folder, or settings that cannot be written."""
        if self.library is None:
            return True
        text = self.base_folder.text().strip()
        wanted = file_settings.FileSettings(
            Path(text) if text else None, self.link_files.isChecked()
        )
        try:
            file_settings.save(self.library.path, wanted)
        except RefmanError as exc:
            self.files_problem.setText(str(exc))
            self.files_problem.show()
            return False
        return True

    def _check_key_pattern(self, text: str) -> bool:
        problem = citekeys.check_pattern(text)
        self.key_pattern_problem.setText(problem or "")
        self.key_pattern_problem.setVisible(bool(problem))
        return problem is None

    def _save_key_pattern(self) -> bool:
        """Store a changed pattern; False (the dialog stays open, saying why) for a bad one."""
        if self.library is None:
            return True
        text = self.key_pattern.currentText().strip()
        if not self._check_key_pattern(text):
            return False
        if text != self.library.keys.pattern():
            try:
                self.library.keys.set_pattern(text)
            except RefmanError as exc:  # read-only, or a full disk: said in the dialog
                self.key_pattern_problem.setText(str(exc))
                self.key_pattern_problem.show()
                return False
        return True

    def accept(self) -> None:
        if not self._save_key_pattern() or not self._save_files():
            return
        self.settings.setValue(STYLE_KEY, self.picker.style())
        self.settings.setValue(REVIEW_KEY, self.review_imports.isChecked())
        self.settings.setValue(EMAIL_KEY, self.email.text().strip())
        self.settings.setValue(API_KEY_KEY, self.api_key.text().strip())
        self.settings.setValue(cayw_server.ENABLED_KEY, self.cayw_enabled.isChecked())
        self.settings.setValue(cayw_server.PORT_KEY, self.cayw_port.value())
        super().accept()


def show_preferences(
    parent: QWidget, settings: QSettings, library: Library | None = None
) -> PreferencesDialog:
    """Open Preferences over ``parent`` (modal to it); ``accepted`` says the style was saved.
    With the open ``library``, its live exports and citation key pattern are shown too."""
    dialog = PreferencesDialog(settings, parent, library)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
