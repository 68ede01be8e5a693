"""Cite as you write from an editor: Better BibTeX's picker endpoint on a loopback port, and the
quick picker it opens in the window.

An editor plugin asks ``GET http://127.0.0.1:PORT/better-bibtex/cayw?format=pandoc``; refman
brings its window to the front with ``CitationPicker`` (gui/citation_picker.py: search as you
type, PMIDs and DOIs too; Enter adds, Enter on the empty box inserts, Escape cancels) and
answers the request with the picked keys in the asked format
(refman.cayw, library/cayw.py). ``probe`` answers ``ready``; ``selected`` answers with the items
selected in the window, without the picker; ``clipboard`` puts the answer on the clipboard too;
``minimize`` minimises the window afterwards; ``texstudio`` hands it to TeXstudio too
(``texstudio --insert-cite``, as Better BibTeX does). A cancelled pick is an empty answer.
``GET /refman/cite`` (the LibreOffice extension's, refman/resources/libreoffice) renders a
document's citations as a whole (library/cayw.cite), without the picker, under the same rules.

The server is the window's, in its thread: ``QTcpServer`` hands each connection's bytes to the
event loop, so nothing blocks while the user picks. Only one pick is open at a time (another
request meanwhile is told so, 503); an editor that gives up closes the picker.

Safety: the sockets are bound to 127.0.0.1 (and ::1 where there is one) by Python's socket
module, without SO_REUSEADDR (and with SO_EXCLUSIVEADDRUSE on Windows), so that refman never
shares a port another program (Zotero) listens on: binding fails and the window says so. Every
request must name this host in its Host header (localhost, 127.0.0.1 or [::1] and this port), or
it is refused (403): a web page that renames its own host to 127.0.0.1 (DNS rebinding) cannot
reach the picker. Requests a browser sends for a web page are refused too, as Zotero refuses
them: those with an Origin or Sec-Fetch-Site of another site, and those whose User-Agent is a
browser's (``Mozilla/``) unless they carry ``Zotero-Allowed-Request``. Only GET (and HEAD,
OPTIONS) is answered; no CORS header is ever sent.

It is off until "Enable the citation picker for editors" is ticked in Preferences; the port
(PORT_KEY) defaults to 23119, Zotero's, which editor plugins call unless told otherwise.
While it listens, the port is in refman's port file (refman.cayw.write_port_file), where the
LibreOffice extension finds it; the file goes when it stops or the application quits.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import socket
import sys
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QProcess, QSettings, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtNetwork import QAbstractSocket, QTcpServer, QTcpSocket
from PySide6.QtWidgets import QLabel

from refman import cayw
from refman.cayw import CaywRequest
from refman.gui.citation_picker import CitationPicker
from refman.gui.single_instance import bring_to_front
from refman.library import Library
from refman.library import cayw as answering
from refman.model import RefmanError

log = logging.getLogger(__name__)

ENABLED_KEY = "cayw/enabled"  # off by default: a listening port is opened only when asked
PORT_KEY = "cayw/port"
# An editor's GET is a few hundred bytes; the LibreOffice extension's /refman/cite carries a
# document's citations (keys and locators, some 60 bytes each).
MAX_HEAD_BYTES = 256 * 1024
HEAD_TIMEOUT_MS = 10_000  # to send the request line and headers; the pick itself may take long
CLOSE_GRACE_MS = 5000  # for the editor to close the connection after reading its answer
RETRY_MS = 15_000  # listening again while the port's last connections close
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
PORT_IN_USE = (
    "Port {port} is in use by another program (Zotero?): the citation picker for editors is "
    "off; choose another port in Edit > Preferences."
)
PORT_IN_USE_BY_REFMAN = (
    "Port {port} is in use by another refman window: the citation picker for editors is off "
    "in this one; choose another port in Edit > Preferences."
)
SERVER = "refman"  # its answers' Server header, by which another window tells it is refman

REASONS = {
    200: "OK",
    204: "No Content",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def enabled(settings: QSettings) -> bool:
    return bool(settings.value(ENABLED_KEY, False, type=bool))


def port(settings: QSettings) -> int:
    value = settings.value(PORT_KEY, cayw.DEFAULT_PORT, type=int)
    return value if isinstance(value, int) and 0 < value < 65536 else cayw.DEFAULT_PORT


# --- sockets --------------------------------------------------------------------------------


def bind_loopback(port: int) -> list[socket.socket]:
    """Listening sockets at ``port`` on 127.0.0.1 and, where the system has it, ::1 (port 0:
    one the system chooses, the same on both). OSError when 127.0.0.1's cannot be had."""
    first = _listening(socket.AF_INET, "127.0.0.1", port)
    sockets = [first]
    if socket.has_ipv6:
        # No IPv6 loopback, or another program has the port there: 127.0.0.1 only.
        with contextlib.suppress(OSError):
            sockets.append(_listening(socket.AF_INET6, "::1", first.getsockname()[1]))
    return sockets


def _listening(family: socket.AddressFamily, host: str, port: int) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # No SO_REUSEADDR: a port another program listens on is refused, never shared.
        if sys.platform == "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((host, port))
        sock.listen(16)
    except OSError:
        sock.close()
        raise
    return sock


# --- HTTP -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HttpRequest:
    """A request's line and headers (names in lower case)."""

    method: str
    target: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""


def parse_head(head: bytes) -> HttpRequest:
    """The request whose line and headers are ``head`` (up to the blank line); ValueError for
    what is not HTTP."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise ValueError("not an HTTP request line")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise ValueError(f"not a header: {line!r}")
        headers[name.strip().lower()] = value.strip()
    return HttpRequest(parts[0], parts[1], headers)


def refusal(request: HttpRequest, port: int) -> tuple[int, str] | None:
    """Why ``request`` is not answered (status, message), or None when it may be."""
    hosts = {f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"}
    if request.headers.get("host", "").lower() not in hosts:
        return 403, "refman answers requests to localhost only.\n"
    origin = request.headers.get("origin")
    if origin is not None and origin.lower() not in {f"http://{h}" for h in hosts}:
        return 403, "refman does not answer web pages.\n"
    if request.headers.get("sec-fetch-site", "none").lower() not in ("none", "same-origin"):
        return 403, "refman does not answer web pages.\n"
    agent = request.headers.get("user-agent", "")
    allowed = ("zotero-allowed-request", "x-zotero-connector-api-version")  # Zotero's rule
    if agent.startswith("Mozilla/") and not any(name in request.headers for name in allowed):
        return 403, "refman does not answer browsers (send Zotero-Allowed-Request: 1).\n"
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return 405, f"Only {ALLOWED_METHODS} are answered.\n"
    if request.path not in (cayw.PATH, cayw.CITE_PATH):
        return 404, f"refman answers {cayw.PATH} and {cayw.CITE_PATH} only.\n"
    return None


def http_response(
    status: int, body: str = "", content_type: str = "text/plain; charset=utf-8", head=False
) -> bytes:
    """A whole response, the connection closed after it (``head``: without the body)."""
    data = body.encode("utf-8")
    lines = [
        f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(data)}",
        "X-Content-Type-Options: nosniff",
        f"Server: {SERVER}",
        "Connection: close",
    ]
    if status in (204, 405):
        lines.append(f"Allow: {ALLOWED_METHODS}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head else data)


class _Client(QObject):
    """One connection: its request read as it arrives, then one response and the close."""

    received = Signal(object)  # HttpRequest
    gone = Signal()  # the editor closed the connection before its answer

    def __init__(self, sock: QTcpSocket, parent: QObject):
        super().__init__(parent)
        self.socket = sock
        self.buffer = b""
        self.request: HttpRequest | None = None
        self.answered = False
        sock.setParent(self)
        sock.readyRead.connect(self.read)
        sock.disconnected.connect(self._disconnected)
        self.timer = QTimer(self, singleShot=True, interval=HEAD_TIMEOUT_MS)
        self.timer.timeout.connect(lambda: self.reply(400, "The request did not come whole.\n"))
        self.timer.start()

    def read(self) -> None:
        """Read what has come; once the head is whole, ``received`` gives the request."""
        if self.request is not None or self.answered:
            self.socket.readAll()  # a body, or more after the head: not read
            return
        self.buffer += bytes(self.socket.readAll().data())
        head, found, _rest = self.buffer.partition(b"\r\n\r\n")
        if not found:
            if len(self.buffer) > MAX_HEAD_BYTES:
                self.reply(431, "The request's headers are too long.\n")
            return
        self.timer.stop()
        try:
            self.request = parse_head(head)
        except ValueError:
            self.reply(400, "This is not an HTTP request refman understands.\n")
            return
        self.received.emit(self.request)

    def reply(self, status: int, body: str = "", content_type: str = "text/plain; charset=utf-8"):
        if self.answered:
            return
        self.answered = True
        self.timer.stop()
        head = self.request is not None and self.request.method == "HEAD"
        if self.socket.state() == QAbstractSocket.SocketState.ConnectedState:
            self.socket.write(http_response(status, body, content_type, head))
            # The editor closes first, having read the answer (Connection: close), so that the
            # closed connection waits out TCP's TIME_WAIT on its side: on refman's, the port
            # could not be bound again for a minute (no SO_REUSEADDR, see bind_loopback).
            QTimer.singleShot(CLOSE_GRACE_MS, self, self.socket.disconnectFromHost)
        else:
            self.deleteLater()

    def connected(self) -> bool:
        return self.socket.state() == QAbstractSocket.SocketState.ConnectedState

    def _disconnected(self) -> None:
        if not self.answered:
            self.answered = True
            self.gone.emit()
        self.deleteLater()


# --- the server -----------------------------------------------------------------------------


class CaywServer(QObject):
    """The window's endpoint: started from the settings, restarted when they change."""

    status_changed = Signal(str)  # a problem in plain words, or "" when none

    def __init__(self, window, settings: QSettings):
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.port = 0  # listening on, 0 when not
        self.problem = ""  # why it is not listening though enabled
        self._servers: list[QTcpServer] = []
        self.picker: CitationPicker | None = None
        self._waiting: tuple[_Client, CaywRequest] | None = None
        # Tries again while the port is held only by connections closing (PORT_CLOSING).
        self.retry = QTimer(self, singleShot=True, interval=RETRY_MS)
        self.retry.timeout.connect(self.start)

    @property
    def library(self) -> Library:
        return self.window.library

    # --- starting and stopping ---

    def start(self) -> bool:
        """Listen as the settings say (or stop); True when listening. Already listening on
        the port asked, it goes on (no rebinding at each Preferences OK)."""
        if not enabled(self.settings):
            self.stop()
            self._set_problem("")
            return False
        if self.port and self.port == port(self.settings):
            return True
        return self.listen(port(self.settings))

    restart = start

    def listen(self, wanted: int) -> bool:
        """Listen on ``wanted`` (0: a free port); False, with ``problem`` said, when it is
        taken or cannot be had."""
        self.stop()
        try:
            sockets = bind_loopback(wanted)
        except OSError as exc:
            self._set_problem(_bind_problem(wanted, exc))
            if self.problem == PORT_CLOSING:
                self.retry.start()
            return False
        listening_on = sockets[0].getsockname()[1]
        for sock in sockets:
            server = QTcpServer(self)
            descriptor = sock.detach()  # Qt's from now on
            if not server.setSocketDescriptor(descriptor):
                os.close(descriptor)
                server.deleteLater()
                continue
            server.newConnection.connect(lambda s=server: self._accept(s))
            self._servers.append(server)
        self.port = listening_on if self._servers else 0
        if not self._servers:
            self._set_problem("The citation picker for editors could not start.")
            return False
        self._set_problem("")
        cayw.write_port_file(self.port)  # where the LibreOffice extension finds it
        return True

    def stop(self) -> None:
        self.retry.stop()
        for server in self._servers:
            server.close()
            server.deleteLater()
        self._servers = []
        if self.port:
            cayw.remove_port_file(self.port)
        self.port = 0

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{cayw.PATH}" if self.port else ""

    def status(self) -> str:
        """A sentence for Preferences: where it listens, why it does not, or that it is off."""
        if self.port:
            return f"Editors can ask for citations at {self.url()}"
        return self.problem or "The citation picker for editors is off."

    def _set_problem(self, problem: str) -> None:
        self.problem = problem
        self.status_changed.emit(problem)

    # --- requests ---

    def _accept(self, server: QTcpServer) -> None:
        while server.hasPendingConnections():
            client = _Client(server.nextPendingConnection(), self)
            client.received.connect(lambda request, c=client: self._handle(c, request))
            client.read()  # bytes that came with the connection, before readyRead was heard

    def _handle(self, client: _Client, request: HttpRequest) -> None:
        refused = refusal(request, self.port)
        if refused is not None:
            client.reply(*refused)
        elif request.method == "OPTIONS":
            client.reply(204)
        else:
            try:
                if request.path == cayw.CITE_PATH:  # the LibreOffice extension's, no picker
                    found = answering.cite(self.library, CaywRequest.parse(request.query),
                                           self.window.citation_style())
                    client.reply(200, found, "application/json; charset=utf-8")
                    return
                self._answer(client, CaywRequest.parse(request.query))
            except RefmanError as exc:
                client.reply(400, f"{exc}\n")
            except Exception as exc:  # a bug: said to the editor, the window goes on
                log.exception("Citation picker request failed")
                client.reply(500, f"refman could not answer: {exc}\n")

    def _answer(self, client: _Client, request: CaywRequest) -> None:
        if request.probe:
            client.reply(200, "ready")
            return
        answering.check(request)  # an unknown format or style: said before the picker opens
        if request.flag("texstudio") and find_texstudio() is None:
            client.reply(400, "TeXstudio was not found on this computer.\n")
            return
        if request.selected:
            self._reply(client, request, self.window.table.selected_ids())
        elif self.picker is not None:
            client.reply(503, "A citation is being picked in refman already: finish it first.\n")
        else:
            self._open_picker(client, request)

    def _open_picker(self, client: _Client, request: CaywRequest) -> None:
        self._waiting = (client, request)
        bring_to_front(self.window)
        self.picker = CitationPicker(self.library, self.window)
        self.picker.picked.connect(self._picked)
        client.gone.connect(self.picker.reject)  # the editor gave up: so does the picker
        self.picker.open_for_picking()

    def _picked(self, ids: list) -> None:
        waiting, self._waiting, self.picker = self._waiting, None, None
        if waiting is None:
            return
        client, request = waiting
        if not client.connected():
            return
        try:
            self._reply(client, request, ids)
        except RefmanError as exc:
            client.reply(400, f"{exc}\n")
        except Exception as exc:
            log.exception("Citation picker answer failed")
            client.reply(500, f"refman could not answer: {exc}\n")

    def _reply(self, client: _Client, request: CaywRequest, ids: list) -> None:
        found = answering.answer(self.library, ids, request, self.window.citation_style())
        if found.changes:  # keys made for items that had none: the table shows them
            self.window.apply(found.changes)
        if request.clipboard and found.text:
            QGuiApplication.clipboard().setText(found.text)
        texstudio = find_texstudio() if request.flag("texstudio") else None
        if texstudio and found.text:  # TeXstudio inserts it at its cursor, as with BBT
            QProcess.startDetached(texstudio, ["--insert-cite", found.text])
        client.reply(200, found.text, _content_type(request))
        if request.minimize and ids:
            self.window.showMinimized()


TEXSTUDIO_PLACES = (  # where it is installed when not on PATH (as Better BibTeX looks)
    "/Applications/texstudio.app/Contents/MacOS/texstudio",
    r"C:\Program Files\texstudio\texstudio.exe",
    r"C:\Program Files (x86)\texstudio\texstudio.exe",
)


def find_texstudio() -> str | None:
    """TeXstudio's program, for ``texstudio=1`` (the citation pushed into it), or None."""
    found = shutil.which("texstudio")
    if found:
        return found
    return next((place for place in TEXSTUDIO_PLACES if os.path.isfile(place)), None)


def _content_type(request: CaywRequest) -> str:
    if request.format == "json" or answering.translation(request) == "csl-json":
        return "application/json; charset=utf-8"
    return "text/plain; charset=utf-8"


def _bind_problem(wanted: int, exc: OSError) -> str:
    if exc.errno == errno.EACCES:
        return (
            f"Port {wanted} may not be used by refman: the citation picker for editors is off; "
            "choose a port above 1023 in Edit > Preferences."
        )
    if exc.errno is not None and exc.errno in _IN_USE:
        holder = _holder(wanted)
        if holder is None:
            return PORT_CLOSING
        return (PORT_IN_USE_BY_REFMAN if holder == SERVER else PORT_IN_USE).format(port=wanted)
    return (
        f"The citation picker for editors could not listen on port {wanted} "
        f"({exc.strerror or exc}): choose another port in Edit > Preferences."
    )


# EADDRINUSE, and Windows' WSAEADDRINUSE and WSAEACCES (a port another program holds alone)
_IN_USE = {errno.EADDRINUSE, 10048, 10013}
PORT_CLOSING = (
    "The citation picker for editors waits for its port: the last connections there are still "
    "closing (up to a minute); it starts by itself then."
)


def _holder(port: int) -> str | None:
    """Who listens on the port: None when nobody does (it is held only by connections closing,
    TCP's TIME_WAIT, up to a minute after refman answered there), SERVER when another refman
    does (it names itself in its answers), else "another program". Asked with a probe, which
    opens no picker in refman or in Zotero."""
    probe = (
        f"GET {cayw.PATH}?probe=1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "User-Agent: refman\r\nConnection: close\r\n\r\n"
    )
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(probe.encode("ascii"))
            head = sock.recv(4096)
    except ConnectionRefusedError:
        return None
    except OSError:  # connected but no answer in time: something holds it
        return "another program"
    return SERVER if f"\r\nServer: {SERVER}\r\n".encode() in head else "another program"


def serve(window, settings: QSettings) -> CaywServer:
    """Give ``window`` its endpoint (``window.cayw``), started as the settings say; a problem
    (the port taken) shows in the status bar until it is solved."""
    server = CaywServer(window, settings)
    window.cayw = server
    label = QLabel()
    label.setObjectName("cayw_problem")
    label.setStyleSheet("color: #b00020")
    label.hide()
    window.statusBar().addPermanentWidget(label)

    def show(problem: str) -> None:
        label.setText(problem)
        label.setVisible(bool(problem))

    server.status_changed.connect(show)
    app = QGuiApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(server.stop)  # the port file goes with the window
    server.start()
    return server
