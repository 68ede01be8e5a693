"""What the citing screenshots share: the sample library, a short manuscript citing it, refman's
format-document run on it, and LibreOffice run with a profile of its own.

Used by scripts/picker_screenshot.py, scripts/manuscript_screenshot.py and
scripts/libreoffice_screenshot.py. The library is the sample files of tests/data (real PubMed
records, as scripts/tour.py imports them), each item with the citation key refman made for it;
the manuscript (``write_draft``) is a small LibreOffice document about balloon guide catheters
that cites some of those records as a writer types them, Pandoc keys and a PMID, with a
``{Bibliography}`` paragraph. Everything lives in a temporary folder given by the caller: the
user's own library, settings and LibreOffice profile are never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from tour import ROOT, sample_files

from refman.library import Library

STYLE = "american-medical-association"  # numbered in order of first citation, ranges collapsed
TITLE = "Balloon guide catheters in mechanical thrombectomy"
# The manuscript's paragraphs as typed: (paragraph style, text). Keys are those refman makes
# for the sample records (first author, year, first word of the title); the PMID is Mokin
# et al. 2020, in the sample records too.
DRAFT = (
    ("Title", TITLE),
    ("Heading_20_1", "Introduction"),
    ("Standard",
     "Proximal flow arrest with a balloon guide catheter reduced distal emboli in vitro "
     "[@chueh2013reduction], and has since been studied in registries "
     "[@goldhoorn2019balloon; @nguyen2019effect] and in a meta-analysis "
     "[@brinjikji2018impact, p. 4]."),
    ("Standard",
     "The TREVO registry [@zaidat2018trevo] and the TRACK registry [PMID: 32132966] measured "
     "the first pass effect, which the first registries had already reported "
     "[@nguyen2019effect; @goldhoorn2019balloon]."),
    ("Heading_20_1", "References"),
    ("Standard", "{Bibliography}"),
)
LO_PROGRAM_WAIT_S = 180  # a first start writes the profile: slow on a busy machine

_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'office:version="1.3"'
)
# A5-wide pages and 10 pt type: a page shows whole in a README-sized picture and stays readable.
_STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {_NS}>
<office:font-face-decls>
<style:font-face style:name="DejaVu Serif" svg:font-family="'DejaVu Serif'"/>
<style:font-face style:name="DejaVu Sans" svg:font-family="'DejaVu Sans'"/>
</office:font-face-decls>
<office:styles>
<style:default-style style:family="paragraph">
<style:paragraph-properties fo:margin-bottom="0.2cm" fo:line-height="125%"/>
<style:text-properties style:font-name="DejaVu Serif" fo:font-size="9.5pt" fo:language="en"
 fo:country="GB"/>
</style:default-style>
<style:style style:name="Standard" style:family="paragraph" style:class="text"/>
<style:style style:name="Title" style:family="paragraph" style:class="chapter">
<style:paragraph-properties fo:margin-bottom="0.4cm"/>
<style:text-properties style:font-name="DejaVu Sans" fo:font-size="14pt" fo:font-weight="bold"/>
</style:style>
<style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph"
 style:default-outline-level="1" style:class="text">
<style:paragraph-properties fo:margin-top="0.35cm" fo:margin-bottom="0.15cm"/>
<style:text-properties style:font-name="DejaVu Sans" fo:font-size="11pt" fo:font-weight="bold"/>
</style:style>
</office:styles>
<office:automatic-styles>
<style:page-layout style:name="pm1">
<style:page-layout-properties fo:page-width="14.8cm" fo:page-height="22cm" fo:margin-top="1.5cm"
 fo:margin-bottom="1.5cm" fo:margin-left="1.6cm" fo:margin-right="1.6cm"/>
</style:page-layout>
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"/>
</office:master-styles>
</office:document-styles>
"""
_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
 manifest:version="1.3">
<manifest:file-entry manifest:full-path="/"
 manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""


def private_environment(folder: Path) -> None:
    """refman's settings, logs and caches in ``folder``, never the user's; Qt offscreen when
    there is no display."""
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ[name] = str(folder / name.lower())
    os.environ.pop("REFMAN_LIBRARY", None)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def build_library(path: Path) -> Library:
    """A new library at ``path`` holding the sample files' records (their keys made on import)."""
    library = Library(path)
    print(library.importing.files(sample_files()).summary())
    return library


# --- the manuscript ---------------------------------------------------------------------------


def write_draft(path: Path) -> Path:
    """The manuscript as typed (DRAFT), a LibreOffice .odt at ``path``."""
    body = "".join(_paragraph(style, text) for style, text in DRAFT)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_NS}>'
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as odt:
        odt.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        odt.writestr("META-INF/manifest.xml", _MANIFEST)
        odt.writestr("content.xml", content)
        odt.writestr("styles.xml", _STYLES)
    return path


def _paragraph(style: str, text: str) -> str:
    if style.startswith("Heading"):
        return f'<text:h text:style-name="{style}" text:outline-level="1">{escape(text)}</text:h>'
    return f'<text:p text:style-name="{style}">{escape(text)}</text:p>'


def format_document(library: Path, draft: Path, out: Path, style: str = STYLE) -> str:
    """``refman format-document`` run on ``draft`` as a user runs it; what it said."""
    done = subprocess.run(
        [sys.executable, "-m", "refman", "--library", str(library), "format-document",
         str(draft), str(out), "--style", style],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    said = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        raise SystemExit(f"refman format-document failed (rc {done.returncode}): {said}")
    return said


# --- LibreOffice ------------------------------------------------------------------------------

# A profile that starts without the tip of the day, the "first time" bar or document recovery.
_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="ShowTipOfTheDay"
 oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse">
<value>false</value></prop></item>
<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion"
 oor:op="fuse"><value>{version}</value></prop></item>
<item oor:path="/org.openoffice.Setup/Office"><prop oor:name="ooSetupInstCompleted"
 oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Recovery/RecoveryInfo"><prop oor:name="Enabled"
 oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseDocumentSystemFileLocking"
 oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def soffice_program(given: str | None = None) -> str:
    """LibreOffice's soffice: ``given``, else the one on PATH; SystemExit saying what to
    install when there is none."""
    found = given or shutil.which("soffice")
    if not found or not Path(found).exists():
        raise SystemExit("LibreOffice's soffice was not found: install LibreOffice "
                         "(libreoffice-writer), or name it with --soffice")
    return found


def office_version(soffice: str) -> str:
    """'7.4' of 'LibreOffice 7.4.7.2 40(Build:2)' (what the profile says it last ran)."""
    said = subprocess.run([soffice, "--version"], capture_output=True, text=True,
                          timeout=120).stdout.split()
    numbers = next((word for word in said if word[:1].isdigit()), "7.4")
    return ".".join(numbers.split(".")[:2])


def office_profile(folder: Path, soffice: str) -> Path:
    """A new LibreOffice user profile in ``folder`` that opens quietly (no tips, no bars)."""
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        _REGISTRY.format(version=office_version(soffice)), encoding="utf-8")
    return folder


def convert_to_pdf(document: Path, folder: Path, soffice: str, profile: Path) -> Path:
    """``soffice --headless --convert-to pdf`` of ``document`` into ``folder``: the PDF."""
    done = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "pdf", "--outdir", str(folder), str(document)],
        capture_output=True, text=True, timeout=LO_PROGRAM_WAIT_S,
    )
    pdf = folder / (document.stem + ".pdf")
    if done.returncode != 0 or not pdf.exists():
        raise SystemExit(f"LibreOffice could not convert {document.name} to PDF: "
                         f"{(done.stderr or done.stdout).strip()}")
    return pdf
