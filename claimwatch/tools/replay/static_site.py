"""The static site the replay server serves outside ``/s/``: files with ``ETag`` / ``Last-Modified`` and ``304``
answers, and sidecar ``<file>.headers`` JSON files that override the status and headers."""

from __future__ import annotations

import hashlib
import json
import mimetypes
import threading
from email.utils import formatdate
from pathlib import Path
from typing import Any

from claimwatch.parse.dates import parse_http_date
from claimwatch.tools.replay.responses import Response

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
    ".txt": "text/plain; charset=utf-8",
    ".gz": "application/gzip",
}


class StaticSite:
    """Files under ``root``, read once and cached until their mtime or size changes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._file_cache: dict[Path, tuple[int, int, bytes, str]] = {}

    def get(self, path: str, request_headers: Any) -> Response | None:
        """A file of the static site, with validators and conditional answers; None when there is none."""
        candidate = (self.root / path.lstrip("/")).resolve()
        if not candidate.is_relative_to(self.root):
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_file() or candidate.name.endswith(".headers"):
            return None
        body, etag, mtime = self._read(candidate)
        headers = {
            "Content-Type": content_type(candidate),
            "ETag": etag,
            "Last-Modified": formatdate(mtime, usegmt=True),
        }
        status = 200
        sidecar = candidate.with_name(candidate.name + ".headers")
        if sidecar.is_file():
            extra = json.loads(sidecar.read_text(encoding="utf-8"))
            status = int(extra.get("status", 200))
            headers.update({str(k): str(v) for k, v in (extra.get("headers") or {}).items()})
        if status == 200 and not_modified(request_headers, etag, int(mtime)):
            return Response(304, {k: v for k, v in headers.items() if k != "Content-Type"}, b"")
        return Response(status, headers, body)

    def _read(self, path: Path) -> tuple[bytes, str, float]:
        """File bytes and a strong content ETag, cached until the file's mtime or size changes."""
        stat = path.stat()
        with self._lock:
            cached = self._file_cache.get(path)
        if cached is not None and cached[0] == stat.st_mtime_ns and cached[1] == stat.st_size:
            return cached[2], cached[3], stat.st_mtime
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        with self._lock:
            self._file_cache[path] = (stat.st_mtime_ns, stat.st_size, body, etag)
        return body, etag, stat.st_mtime


def content_type(path: Path) -> str:
    """The ``Content-Type`` a file is served with: by suffix, the feed and sitemap types the spiders expect first."""
    suffix = path.suffix.lower()
    if suffix in TYPES:
        return TYPES[suffix]
    guessed, _encoding = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def not_modified(headers: Any, etag: str, mtime: int) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since; the ETag comparison is weak for GET/HEAD."""
    if headers is None:
        return False
    if_none_match = headers.get("If-None-Match")
    if if_none_match:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    if_modified_since = headers.get("If-Modified-Since")
    if if_modified_since:
        since = parse_http_date(if_modified_since)
        return since is not None and mtime <= int(since.timestamp())
    return False
