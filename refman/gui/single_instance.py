"""One window per library: a second ``refman`` on the same library hands its work to the first.

The first window listens on a local socket (``QLocalServer``) whose name is derived from the
library's resolved path, so two windows on two libraries never meet. A second start on the same
library connects, sends the files it was given (absolute paths, as one JSON line) and waits for
``ok``: the first window imports them, or, when no files came, comes to the front. The second
process then exits. If nobody listens, or the first window does not answer in time (it hangs, or
it crashed and left its socket file behind), the second start opens its own window.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

PROTOCOL = 1
REPLY = b"ok\n"
CONNECT_TIMEOUT_MS = 1000
REPLY_TIMEOUT_MS = 3000  # the first window answers from its event loop: allow a busy moment
MAX_MESSAGE_BYTES = 1 << 20  # a list of paths; anything longer is not from refman


def server_name(library_path: str | Path) -> str:
    """The socket name for a library: the same for every spelling of its path, per user."""
    resolved = Path(library_path).expanduser().resolve()
    # The home folder keeps two users apart (their sockets share /tmp on Linux).
    key = f"{Path.home()}\0{resolved}".encode("utf-8", errors="surrogateescape")
    return f"refman-{hashlib.sha256(key).hexdigest()[:24]}"


def encode_message(files: list[str], cwd: Path | None = None) -> bytes:
    """One JSON line with the files as absolute paths (the receiver has another cwd)."""
    base = Path.cwd() if cwd is None else cwd
    paths = [str(base / Path(name).expanduser()) for name in files]
    return json.dumps({"v": PROTOCOL, "files": paths}).encode() + b"\n"


def decode_message(data: bytes) -> list[str] | None:
    """The files of a message, or None when it is not one (another program on the socket)."""
    try:
        message = json.loads(data.decode())
    except (UnicodeDecodeError, ValueError):
        return None
    files = message.get("files") if isinstance(message, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return files


def hand_off(
    library_path: str | Path, files: list[str], timeout_ms: int = REPLY_TIMEOUT_MS
) -> bool:
    """Give ``files`` to a window already open on the library; True when it took them.

    With no files, the window is asked to come to the front. False means that no window
    answered: the caller opens its own.
    """
    socket = QLocalSocket()
    socket.connectToServer(server_name(library_path))
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    try:
        socket.write(encode_message(files))
        if not socket.waitForBytesWritten(timeout_ms):
            return False
        return _read_reply(socket, timeout_ms)
    finally:
        socket.abort()


def _read_reply(socket: QLocalSocket, timeout_ms: int) -> bool:
    reply = b""
    while len(reply) < len(REPLY):
        if not socket.bytesAvailable() and not socket.waitForReadyRead(timeout_ms):
            return False
        reply += bytes(socket.read(len(REPLY) - len(reply)).data())
    return reply == REPLY


class InstanceServer(QObject):
    """Listens for later starts on the same library; emits what they ask for."""

    files_received = Signal(list)  # absolute paths to import
    raise_requested = Signal()  # a start without files: show the window

    def __init__(self, library_path: str | Path, parent: QObject | None = None):
        super().__init__(parent)
        self.name = server_name(library_path)
        self._server = QLocalServer(self)
        # Only this user may connect (on Linux the socket file is made private).
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening; a socket left by a crashed window is removed first."""
        if self._server.listen(self.name):
            return True
        # Nobody answered on it (hand_off came first), so the name is stale: take it over.
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))
            self._read(socket)  # data may have arrived with the connection

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        self._buffers[socket] = data
        if b"\n" not in data and len(data) < MAX_MESSAGE_BYTES:
            return  # the rest is on its way
        del self._buffers[socket]
        files = decode_message(data.split(b"\n", 1)[0])
        if files is not None:
            socket.write(REPLY)
            socket.flush()
            self._deliver(files)
        socket.disconnectFromServer()

    def _deliver(self, files: list[str]) -> None:
        if files:
            self.files_received.emit(files)
        self.raise_requested.emit()  # with files too: the user wants to see the import

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()


def bring_to_front(window: QWidget) -> None:
    """Show ``window`` unminimised and ask the window manager to give it the focus."""
    state = window.windowState() & ~Qt.WindowState.WindowMinimized
    window.setWindowState(state | Qt.WindowState.WindowActive)
    window.show()
    window.raise_()
    window.activateWindow()


def serve(window, library_path: str | Path) -> InstanceServer:
    """Let later starts on ``library_path`` import into ``window`` or bring it to the front.

    ``window`` needs ``import_paths(list[str])``. The server is a child of the window, so it
    stops listening when the window goes.
    """
    server = InstanceServer(library_path, window)
    server.files_received.connect(window.import_paths)
    server.raise_requested.connect(lambda: bring_to_front(window))
    server.listen()
    return server
