"""The replay server: routing (previews, the contact page, robots.txt, the static site), faults, and a threaded
HTTP/1.1 server whose handler only adapts sockets to :meth:`ReplayServer.answer`."""

from __future__ import annotations

import bisect
import fnmatch
import ipaddress
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from claimwatch.tools.replay.corpus import Channel, load_corpus
from claimwatch.tools.replay.faults import Fault, apply_faults
from claimwatch.tools.replay.pages import USERNAME, contact_page, page_html, render_message
from claimwatch.tools.replay.responses import Response, error_response, not_found
from claimwatch.tools.replay.static_site import StaticSite

_DEFAULT_ROBOTS = b"User-agent: *\nAllow: /\n"


class ReplayServer:
    """The replay site; a context manager that serves on a background thread::

    with ReplayServer([corpus]) as server:
        requests.get(server.url + "/s/naya_foriraq")
    """

    def __init__(
        self,
        corpora: Sequence[Path] = (),
        site: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        page_size: int = 20,
        faults: Sequence[Fault] = (),
        allow_public: bool = False,
    ) -> None:
        if not allow_public and not _is_loopback(host):
            raise ValueError(f"refusing to serve on non-loopback host {host!r} (pass allow_public to override)")
        if page_size < 1:
            raise ValueError("page_size must be positive")
        self.host = host
        self.page_size = page_size
        self.static: StaticSite | None = None
        self.site = site
        self.faults = list(faults)
        self._lock = threading.Lock()
        self._log: list[tuple[str, str, int]] = []
        self.channels: dict[str, Channel] = {}
        for name, posts in load_corpus(corpora).items():
            title = next((str(p["channel_title"]) for p in posts.values() if p.get("channel_title")), name)
            channel = Channel(name=name, title=title)
            for msg_id in sorted(posts):
                channel.ids.append(msg_id)
                channel.widgets.append(render_message(posts[msg_id], title))
            self.channels[name] = channel
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.app = self
        self._thread: threading.Thread | None = None

    @property
    def site(self) -> Path | None:
        """The static site's directory; settable, since a test builds its site once the server's URL is known."""
        return self.static.root if self.static is not None else None

    @site.setter
    def site(self, value: Path | None) -> None:
        self.static = StaticSite(Path(value).resolve()) if value is not None else None

    # lifecycle
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> ReplayServer:
        """Serve on a daemon thread (tests); returns self."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05})
            self._thread.daemon = True
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve on the calling thread until interrupted (the CLI)."""
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self._httpd.server_close()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # request log
    @property
    def request_log(self) -> list[tuple[str, str, int]]:
        """A copy of ``(method, path with query, status)`` for every request answered so far."""
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    def _record(self, method: str, target: str, status: int) -> None:
        with self._lock:
            self._log.append((method, target, status))

    def _active_faults(self, target: str) -> list[Fault]:
        """The rules that apply to this request; counting the hit here keeps ``times`` exact under threads."""
        active = []
        with self._lock:
            for fault in self.faults:
                if not fnmatch.fnmatchcase(target, fault.match):
                    continue
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                fault.hits += 1
                active.append(fault)
        return active

    # routing
    def respond(self, target: str, headers: Any) -> Response:
        """The answer to a GET of ``target`` (path + query) before faults; also used for HEAD."""
        split = urlsplit(target)
        path = unquote(split.path)
        if path == "/robots.txt":
            static = self.static.get(path, headers) if self.static is not None else None
            return static or Response(200, {"Content-Type": "text/plain; charset=utf-8"}, _DEFAULT_ROBOTS)
        segments = [s for s in path.split("/") if s]
        if len(segments) == 2 and segments[0] == "s":
            return self._preview(segments[1], split.query)
        static = self.static.get(path, headers) if self.static is not None else None
        if static is not None:
            return static
        if len(segments) == 1 and USERNAME.match(segments[0]):
            body = contact_page(segments[0], segments[0] in self.channels).encode("utf-8")
            return Response(200, {"Content-Type": "text/html; charset=utf-8"}, body)
        return not_found()

    def _preview(self, name: str, query: str) -> Response:
        channel = self.channels.get(name)
        if channel is None:
            return Response(302, {"Location": f"/{quote(name)}", "Content-Type": "text/html; charset=utf-8"}, b"")
        params = parse_qs(query)
        before = _int_param(params, "before")
        after = _int_param(params, "after")
        ids, size = channel.ids, self.page_size
        if before is not None:
            end = bisect.bisect_left(ids, before)
            start = max(0, end - size)
            canonical = f"/s/{name}?before={before}"
        elif after is not None:
            start = bisect.bisect_right(ids, after)
            end = min(len(ids), start + size)
            canonical = f"/s/{name}?after={after}"
        else:
            end = len(ids)
            start = max(0, end - size)
            canonical = f"/s/{name}"
        older = ids[start] if start < end and start > 0 else None
        newer = ids[end - 1] if start < end and end < len(ids) else None
        body = page_html(channel, channel.widgets[start:end], older, newer, canonical).encode("utf-8")
        return Response(200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}, body)

    def answer(self, method: str, target: str, headers: Any) -> tuple[Response, float]:
        """Route, then apply the matching faults; returns the response and the delay to wait first."""
        faults = self._active_faults(target)
        delay = sum(f.delay for f in faults)
        status_fault = next((f for f in faults if f.status is not None), None)
        if status_fault is not None and status_fault.status is not None:
            response = error_response(status_fault.status, status_fault.retry_after)
        else:
            response = self.respond(target, headers)
        return apply_faults(response, faults), delay


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    app: ReplayServer


class _Handler(BaseHTTPRequestHandler):
    """Thin adapter: all decisions are in :class:`ReplayServer`, so they are testable without sockets."""

    server: _HTTPServer
    protocol_version = "HTTP/1.1"  # keep-alive: crawlers reuse connections, and so does the benchmark
    # Headers and body leave in one write, and without Nagle: otherwise a keep-alive client's delayed ACK
    # stalls every response by ~40 ms (20 pages/s instead of hundreds).
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    server_version = "claimwatch-replay"
    sys_version = ""

    def do_GET(self) -> None:
        self._serve(with_body=True)

    def do_HEAD(self) -> None:
        self._serve(with_body=False)

    def _serve(self, with_body: bool) -> None:
        app = self.server.app
        try:
            response, delay = app.answer(self.command, self.path, self.headers)
        except Exception as exc:  # a broken sidecar or file must not kill the thread silently
            response, delay = error_response(500, None, f"replay error: {exc}"), 0.0
        if delay:
            time.sleep(delay)
        app._record(self.command, self.path, response.status)
        self.send_response(response.status)
        for key, value in response.headers.items():
            self.send_header(key, value)
        length = response.declared_length if response.declared_length is not None else len(response.body)
        if response.status != 304:  # a 304 has no body; a Content-Length would describe the 200's
            self.send_header("Content-Length", str(length))
        if response.declared_length is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if with_body and response.status != 304:
            try:
                self.wfile.write(response.body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is on the server object, and stderr noise hides test output."""


def _int_param(params: dict[str, list[str]], key: str) -> int | None:
    values = params.get(key)
    if not values:
        return None
    value = values[0].strip()
    return int(value) if value.isdigit() else None  # Telegram ignores a cursor it cannot read


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
