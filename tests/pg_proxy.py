"""A loopback TCP proxy in front of the test PostgreSQL that can make the warehouse vanish and come back.

Stopping a shared server would take the other tests (and other engineers' tests) down with it, so the warehouse
"crash" is staged on the wire: :meth:`PgProxy.cut` closes every connection through the proxy and refuses new ones
(what a client sees of a crashed or restarting server: a dropped session, then connection refused), and
:meth:`PgProxy.restore` lets connections through again.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType
from urllib.parse import quote

from psycopg2.extensions import parse_dsn


class PgProxy:
    """Forward ``127.0.0.1:<port>`` to the server of ``dsn``; :meth:`cut` and :meth:`restore` stage an outage."""

    def __init__(self, dsn: str) -> None:
        params = parse_dsn(dsn)
        self.dsn = dsn
        host, port = params.get("host") or "127.0.0.1", int(params.get("port") or 5432)
        # a server on a Unix socket only (the embedded server): the proxy still listens on TCP, and forwards to the
        # socket file, where the server sees a local connection
        self.target: str | tuple[str, int] = f"{host}/.s.PGSQL.{port}" if host.startswith("/") else (host, port)
        self._listener: socket.socket | None = None
        self.port = 0
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._up = threading.Event()

    def proxied(self, dsn: str) -> str:
        """``dsn`` (same server, same database and user) rewritten to go through the proxy."""
        params = parse_dsn(dsn)
        user = params.get("user", "postgres")
        password = f":{quote(params['password'])}" if params.get("password") else ""
        return f"postgresql://{quote(user)}{password}@127.0.0.1:{self.port}/{quote(params.get('dbname', user))}"

    def start(self) -> PgProxy:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", self.port))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._up.set()
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()
        return self

    def cut(self) -> None:
        """The warehouse goes away: every session drops, new connections are refused."""
        self._up.clear()
        if self._listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would leave it accepting once more
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._open = self._open, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        """The warehouse is back, on the same address."""
        self.start()

    def stop(self) -> None:
        self.cut()

    def __enter__(self) -> PgProxy:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # listener closed by cut()
            if not self._up.is_set():
                client.close()
                return
            try:
                if isinstance(self.target, str):
                    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    server.connect(self.target)
                else:
                    server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
