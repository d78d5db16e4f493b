"""A loopback stand-in for ``t.me``: serves JSON Lines corpora of channel posts as real-looking preview pages.

Spiders, tests and benchmarks crawl this server instead of Telegram, so they run offline, repeatably and as fast
as the machine allows. The pages mirror the real preview markup (``../shared/corpus/telegram/any2feed_full.html``):
message widgets with ``data-post``, the text div with ``<br/>`` line breaks, HTML-escaped text, emoji wrapped in
``i.emoji`` as Telegram does, linkified URLs and hashtags, ``time[datetime]`` in ``+00:00`` form, views, the
forwarded-from block, the "edited" marker, the ``tme_messages_more`` links and ``<link rel=prev/next/canonical>``.
A parser written for the real site reads them, and a post's text round-trips exactly.

Routes:

* ``/s/<channel>`` the newest ``page_size`` posts; ``?before=N`` the ``page_size`` posts with id < N;
  ``?after=N`` the ``page_size`` posts with id > N (oldest first, as Telegram does).
* ``/s/<unknown>`` → ``302`` to ``/<unknown>``, which is what t.me does for a channel that does not exist or has
  its preview disabled; ``/<name>`` then answers ``200`` with Telegram's "Contact @name" page (no posts), so a
  spider sees what it would see live: a redirect followed by a page that is not a channel preview.
* ``/robots.txt`` allows everything (a ``robots.txt`` in the static site wins, so a test can forbid paths).
* Everything else comes from the static site directory (``--site DIR``), with ``ETag`` / ``Last-Modified`` and
  ``304`` answers; a sidecar ``<file>.headers`` JSON file (``{"status": 403, "headers": {...}}``) overrides the
  status and headers, e.g. to serve a wrong ``Content-Type``.

Corpus lines: ``channel, msg_id, posted_at`` (ISO-8601, UTC when no offset), ``text``, ``views`` (``"17.3K"``, an
int, or null), ``forwarded_from`` (or null); optional ``edited`` (bool), ``forwarded_from_url``, ``media`` (list of
kinds: photo, video, document, voice, poll, sticker, link_preview) and ``channel_title``. A ``msg_id`` seen twice
keeps the later line: that is how a test simulates an edit.

Faults (:class:`Fault`, CLI ``--fault``) make chosen requests fail in the ways a crawler must survive.
"""

from __future__ import annotations

import argparse
import bisect
import codecs
import contextlib
import email.utils
import fnmatch
import hashlib
import html
import ipaddress
import json
import mimetypes
import re
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

__all__ = ["Fault", "ReplayServer", "load_corpus", "main", "render_message"]

_USERNAME = re.compile(r"^[A-Za-z0-9_]{3,64}$")
# One token of message text that Telegram marks up: a URL, a hashtag, a mention or an emoji cluster.
_EMOJI_BASE = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff\u2300-\u23ff\u203c\u2049"
_TOKEN = re.compile(
    r"(?P<url>https?://[^\s<>\"]+)"
    r"|(?P<tag>(?<!\w)#\w+)"
    r"|(?P<mention>(?<!\w)@[A-Za-z0-9_]{4,32})"
    rf"|(?P<emoji>[\U0001f1e6-\U0001f1ff]{{2}}|[{_EMOJI_BASE}](?:[\ufe0f\U0001f3fb-\U0001f3ff]|\u200d[{_EMOJI_BASE}])*)"
)
_TAIL_SVG = (
    '<svg class="bubble_icon" width="9px" height="20px" viewBox="0 0 9 20"><g fill="none">'
    '<path class="background" fill="#ffffff" d="M8,1 L9,1 L9,20 L8,20 L8,18 C7.8,15.2 7.1,12.2 5.9,9.2 '
    'C5,6.9 3.5,4.7 1.3,2.7 C0.9,2.4 0.9,1.7 1.3,1.3 C1.5,1.1 1.7,1 2,1 Z"></path></g></svg>'
)
_MEDIA_TEMPLATES: dict[str, str] = {
    "photo": (
        '<a class="tgme_widget_message_photo_wrap" href="{url}" style="width:800px;background-image:'
        'url(\'https://cdn.replay.invalid/file/{id}.jpg\')"><div class="tgme_widget_message_photo" '
        'style="padding-top:56.25%"></div></a>'
    ),
    "video": (
        '<a class="tgme_widget_message_video_player js-message_video_player" href="{url}">'
        '<i class="tgme_widget_message_video_thumb" style="background-image:url(\'https://cdn.replay.invalid/'
        'file/{id}-thumb.jpg\')"></i><div class="tgme_widget_message_video_wrap" style="width:800px;'
        'padding-top:56.25%"><video src="https://cdn.replay.invalid/file/{id}.mp4" class="tgme_widget_message_'
        'video js-message_video" width="100%" height="100%"></video></div><div class="message_video_play '
        'js-message_video_play"></div><time class="message_video_duration js-message_video_duration">0:16'
        "</time></a>"
    ),
    "document": (
        '<a class="tgme_widget_message_document_wrap" href="{url}"><div class="tgme_widget_message_document_icon'
        ' accent_bg"></div><div class="tgme_widget_message_document"><div class="tgme_widget_message_document_'
        'title accent_color" dir="auto">document-{id}.pdf</div><div class="tgme_widget_message_document_extra"'
        ' dir="auto">1.2 MB</div></div></a>'
    ),
    "voice": (
        '<a class="tgme_widget_message_voice_player js-message_voice_player" href="{url}"><audio class="tgme_'
        'widget_message_voice js-message_voice" src="https://cdn.replay.invalid/file/{id}.ogg"></audio><time '
        'class="tgme_widget_message_voice_duration js-message_voice_duration">0:42</time></a>'
    ),
    "poll": (
        '<div class="tgme_widget_message_poll js-poll"><div class="tgme_widget_message_poll_question" '
        'dir="auto">?</div><div class="tgme_widget_message_poll_type">Anonymous poll</div></div>'
    ),
    "sticker": (
        '<div class="tgme_widget_message_sticker_wrap media_supported_cont"><i class="tgme_widget_message_'
        'sticker js-sticker_image" style="background-image:url(\'https://cdn.replay.invalid/file/{id}.webp\')">'
        "</i></div>"
    ),
    "link_preview": (
        '<a class="tgme_widget_message_link_preview" href="https://example.invalid/{id}"><div class="link_'
        'preview_site_name accent_color" dir="auto">example.invalid</div><div class="link_preview_title" '
        'dir="auto">Link {id}</div></a>'
    ),
}
_DEFAULT_ROBOTS = b"User-agent: *\nAllow: /\n"
_TYPES = {
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


# --- corpus --------------------------------------------------------------------------------------------------


@dataclass
class _Channel:
    """One channel's posts, sorted by id, each already rendered (pages are joins, so serving stays cheap)."""

    name: str
    title: str
    ids: list[int] = field(default_factory=list)
    widgets: list[str] = field(default_factory=list)


def load_corpus(paths: Iterable[Path]) -> dict[str, dict[int, dict[str, Any]]]:
    """Read JSON Lines corpora into ``{channel: {msg_id: post}}``; a later line for the same id replaces the
    earlier one. Bad lines raise ValueError naming file and line: a test server should fail loudly."""
    channels: dict[str, dict[int, dict[str, Any]]] = {}
    for path in paths:
        with Path(path).open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    post = json.loads(line)
                    channel = str(post["channel"])
                    msg_id = int(post["msg_id"])
                    _parse_time(str(post["posted_at"]))
                except (ValueError, KeyError, TypeError) as exc:
                    raise ValueError(f"{path}:{number}: not a channel post: {exc}") from exc
                channels.setdefault(channel, {})[msg_id] = post
    return channels


def _parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _format_views(views: Any) -> str | None:
    """Corpus views are already Telegram's strings ("17.3K"); numbers are abbreviated the way Telegram does."""
    if views is None or views == "":
        return None
    if isinstance(views, int | float):
        for size, suffix in ((1_000_000, "M"), (1_000, "K")):
            if views >= size:
                return f"{views / size:.1f}".rstrip("0").rstrip(".") + suffix
        return str(int(views))
    return str(views)


def _escape(text: str) -> str:
    return html.escape(text, quote=False).replace('"', "&quot;")


def _text_html(text: str) -> str:
    """Message text as Telegram marks it up: escaped, ``<br/>`` for newlines, links and emoji wrapped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        out.append(_escape(text[position : match.start()]))
        token = match.group(0)
        if match.lastgroup == "url":
            out.append(f'<a href="{_escape(token)}" target="_blank" rel="noopener">{_escape(token)}</a>')
        elif match.lastgroup == "tag":
            out.append(f'<a href="?q={quote(token)}">{_escape(token)}</a>')
        elif match.lastgroup == "mention":
            out.append(f'<a href="https://t.me/{token[1:]}" target="_blank">{token}</a>')
        else:
            code = token.encode("utf-8").hex().upper()
            out.append(
                f'<i class="emoji" style="background-image:url(\'//telegram.org/img/emoji/40/{code}.png\')">'
                f"<b>{token}</b></i>"
            )
        position = match.end()
    out.append(_escape(text[position:]))
    return "".join(out).replace("\n", "<br/>")


def render_message(post: dict[str, Any], title: str | None = None) -> str:
    """One post as the preview's message widget (``div.tgme_widget_message_wrap``)."""
    channel = str(post["channel"])
    msg_id = int(post["msg_id"])
    url = f"https://t.me/{channel}/{msg_id}"
    posted = _parse_time(str(post["posted_at"]))
    name = _escape(title or str(post.get("channel_title") or channel))
    parts = [
        '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
        f'<div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="{channel}/{msg_id}">'
        f'<div class="tgme_widget_message_user"><a href="https://t.me/{channel}"><i class="tgme_widget_message_'
        f'user_photo bgcolor{msg_id % 8}" data-content="{name[:1]}"></i></a></div>\n'
        '<div class="tgme_widget_message_bubble">'
        f'<i class="tgme_widget_message_bubble_tail">{_TAIL_SVG}</i>\n'
        '<div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" '
        f'href="https://t.me/{channel}"><span dir="auto">{name}</span></a></div>\n'
    ]
    forwarded = post.get("forwarded_from")
    if forwarded:
        source = f'<span dir="auto">{_escape(str(forwarded))}</span>'
        link = post.get("forwarded_from_url")
        if link:
            source = f'<a class="tgme_widget_message_forwarded_from_name" href="{_escape(str(link))}">{source}</a>'
        else:  # a source that hides its channel: a name without a link
            source = f'<span class="tgme_widget_message_forwarded_from_name">{source}</span>'
        parts.append(
            f'<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from&nbsp;{source}</div>\n'
        )
    for kind in post.get("media") or []:
        template = _MEDIA_TEMPLATES.get(str(kind))
        if template is None:
            template = (
                '<div class="message_media_not_supported_wrap"><div class="message_media_not_supported">'
                '<div class="message_media_not_supported_label">Media is too big</div></div></div>'
            )
        parts.append(template.format(url=url, id=msg_id) + "\n")
    text = str(post.get("text") or "")
    if text:
        parts.append(f'<div class="tgme_widget_message_text js-message_text" dir="auto">{_text_html(text)}</div>\n')
    views = _format_views(post.get("views"))
    views_html = (
        f'<span class="tgme_widget_message_views">{_escape(views)}</span><span class="copyonly"> views</span>'
        if views
        else ""
    )
    edited = "edited &nbsp;" if post.get("edited") else ""
    parts.append(
        '<div class="tgme_widget_message_footer compact js-message_footer">'
        f'<div class="tgme_widget_message_info short js-message_info">{views_html}'
        f'<span class="tgme_widget_message_meta">{edited}<a class="tgme_widget_message_date" href="{url}">'
        f'<time datetime="{posted.isoformat()}" class="time">{posted:%H:%M}</time></a></span></div></div>\n'
        "</div></div></div>\n"
    )
    return "".join(parts)


def _page_html(channel: _Channel, widgets: Sequence[str], before: int | None, after: int | None, canonical: str) -> str:
    """A whole preview page around pre-rendered widgets, with the paging links where there is more."""
    name, title = channel.name, _escape(channel.title)
    head_links = []
    if before is not None:
        head_links.append(f'<link rel="prev" href="/s/{name}?before={before}">')
    if after is not None:
        head_links.append(f'<link rel="next" href="/s/{name}?after={after}">')
    head_links.append(f'<link rel="canonical" href="{_escape(canonical)}">')
    more_before = (
        '<div class="tgme_widget_message_centered js-messages_more_wrap">'
        f'<a href="/s/{name}?before={before}" class="tme_messages_more js-messages_more" '
        f'data-before="{before}"></a></div>\n'
        if before is not None
        else ""
    )
    more_after = (
        '<div class="tgme_widget_message_centered js-messages_more_wrap">'
        f'<a href="/s/{name}?after={after}" class="tme_messages_more js-messages_more" '
        f'data-after="{after}"></a></div>\n'
        if after is not None
        else ""
    )
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title} – Telegram</title>\n"
        f'<meta property="og:title" content="{title}">\n<meta property="og:site_name" content="Telegram">\n'
        f'<meta property="al:android:url" content="tg://resolve?domain={name}">\n'
        + "\n".join(head_links)
        + "\n</head>\n"
        '<body class="widget_frame_base tgme_webpreview emoji_image thin_box_shadow tme_mode no_transitions">\n'
        '<header class="tgme_header search_collapsed"><div class="tgme_container"><div class="tgme_header_right_'
        'column"><section class="tgme_right_column"><div class="tgme_channel_info"><div class="tgme_channel_info_'
        f'header"><div class="tgme_channel_info_header_title"><span dir="auto">{title}</span></div>'
        f'<div class="tgme_channel_info_header_username"><a href="https://t.me/{name}">@{name}</a></div></div>'
        "</div></section></div></div></header>\n"
        f'<main class="tgme_main" data-url="/{name}">\n<div class="tgme_container">\n'
        '<section class="tgme_channel_history js-message_history">\n'
        + more_before
        + "".join(widgets)
        + more_after
        + "</section>\n</div>\n</main>\n</body>\n</html>\n"
    )


def _contact_page(name: str, known: bool) -> str:
    """t.me/<name>: what Telegram shows for a name whose preview cannot be shown (or, for a channel, its card)."""
    safe = _escape(name)
    preview = (
        f'<div class="tgme_page_context_link_wrap"><a class="tgme_page_context_link" href="/s/{safe}">'
        "Preview channel</a></div>"
        if known
        else ""
    )
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>Telegram: Contact @{safe}</title>\n"
        f'<meta property="og:title" content="Telegram: Contact @{safe}">\n'
        '<meta property="og:site_name" content="Telegram">\n</head>\n<body>\n<div class="tgme_page_wrap">'
        '<div class="tgme_body_wrap"><div class="tgme_page">'
        f'<div class="tgme_page_title"><span dir="auto">Telegram: Contact @{safe}</span></div>'
        '<div class="tgme_page_description">If you have <strong>Telegram</strong>, you can contact '
        f'<a class="tgme_username_link" href="tg://resolve?domain={safe}">@{safe}</a> right away.</div>'
        f"{preview}</div></div></div>\n</body>\n</html>\n"
    )


# --- faults --------------------------------------------------------------------------------------------------


@dataclass
class Fault:
    """One fault rule, applied to requests whose path+query matches ``match`` (a glob; note that ``?`` in a
    glob matches any one character, the query's ``?`` included).

    ``times`` limits the rule to its first N matching requests (then the server behaves normally: "503 twice,
    then OK" is how a retry test is written). Effects, applied in this order: ``delay`` seconds before
    answering; ``status`` replaces the answer with that error (``Retry-After`` when ``retry_after`` is set);
    ``replace`` swaps bytes in the body (invalid UTF-8, NULs); ``pad_to`` pads the body with an HTML comment
    to that many bytes; ``truncate`` cuts the body to that many bytes, as a complete response, or with
    ``drop_connection`` as a response that announces the full length and closes early (a transport error).
    """

    match: str = "*"
    status: int | None = None
    times: int | None = None
    delay: float = 0.0
    retry_after: int | None = None
    replace: tuple[bytes, bytes] | None = None
    pad_to: int | None = None
    truncate: int | None = None
    drop_connection: bool = False
    hits: int = field(default=0, compare=False)

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """Parse the CLI form: comma-separated ``key=value`` pairs, e.g.
        ``match=/s/naya*,status=503,times=2`` or ``match=*before=8*,replace=عاجل=>\\xff\\x00``.
        ``replace`` takes ``OLD=>NEW`` with Python byte escapes (write a comma as ``\\x2c``)."""
        fault = cls()
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, value = item.partition("=")
            key = key.strip().replace("-", "_")
            if not sep:
                raise ValueError(f"fault {spec!r}: {item!r} is not key=value")
            if key == "match":
                fault.match = value
            elif key in ("status", "times", "retry_after", "pad_to", "pad", "truncate"):
                setattr(fault, "pad_to" if key == "pad" else key, int(value))
            elif key == "delay":
                fault.delay = float(value)
            elif key in ("drop", "drop_connection"):
                fault.drop_connection = value.lower() in ("1", "true", "yes")
            elif key == "replace":
                old, arrow, new = value.partition("=>")
                if not arrow or not old:
                    raise ValueError(f"fault {spec!r}: replace wants OLD=>NEW")
                fault.replace = (_unescape(old), _unescape(new))
            else:
                raise ValueError(f"fault {spec!r}: unknown key {key!r}")
        return fault


def _unescape(value: str) -> bytes:
    return bytes(codecs.escape_decode(value.encode("utf-8"))[0])


# --- server --------------------------------------------------------------------------------------------------


@dataclass
class _Response:
    status: int
    headers: dict[str, str]
    body: bytes
    declared_length: int | None = None  # set when a fault announces more bytes than are sent


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
        self.site = Path(site).resolve() if site is not None else None
        self.faults = list(faults)
        self._lock = threading.Lock()
        self._log: list[tuple[str, str, int]] = []
        self._file_cache: dict[Path, tuple[int, int, bytes, str]] = {}
        self.channels: dict[str, _Channel] = {}
        for name, posts in load_corpus(corpora).items():
            title = next((str(p["channel_title"]) for p in posts.values() if p.get("channel_title")), name)
            channel = _Channel(name=name, title=title)
            for msg_id in sorted(posts):
                channel.ids.append(msg_id)
                channel.widgets.append(render_message(posts[msg_id], title))
            self.channels[name] = channel
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.app = self
        self._thread: threading.Thread | None = None

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
    def respond(self, target: str, headers: Any) -> _Response:
        """The answer to a GET of ``target`` (path + query) before faults; also used for HEAD."""
        split = urlsplit(target)
        path = unquote(split.path)
        if path == "/robots.txt":
            static = self._static(path, headers)
            return static or _Response(200, {"Content-Type": "text/plain; charset=utf-8"}, _DEFAULT_ROBOTS)
        segments = [s for s in path.split("/") if s]
        if len(segments) == 2 and segments[0] == "s":
            return self._preview(segments[1], split.query)
        static = self._static(path, headers)
        if static is not None:
            return static
        if len(segments) == 1 and _USERNAME.match(segments[0]):
            body = _contact_page(segments[0], segments[0] in self.channels).encode("utf-8")
            return _Response(200, {"Content-Type": "text/html; charset=utf-8"}, body)
        return _not_found()

    def _preview(self, name: str, query: str) -> _Response:
        channel = self.channels.get(name)
        if channel is None:
            return _Response(302, {"Location": f"/{quote(name)}", "Content-Type": "text/html; charset=utf-8"}, b"")
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
        body = _page_html(channel, channel.widgets[start:end], older, newer, canonical).encode("utf-8")
        return _Response(200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}, body)

    def _static(self, path: str, request_headers: Any) -> _Response | None:
        """A file of the static site, with validators and conditional answers; None when there is none."""
        if self.site is None:
            return None
        candidate = (self.site / path.lstrip("/")).resolve()
        if not candidate.is_relative_to(self.site):
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_file() or candidate.name.endswith(".headers"):
            return None
        body, etag, mtime = self._read_file(candidate)
        headers = {
            "Content-Type": _content_type(candidate),
            "ETag": etag,
            "Last-Modified": email.utils.formatdate(mtime, usegmt=True),
        }
        status = 200
        sidecar = candidate.with_name(candidate.name + ".headers")
        if sidecar.is_file():
            extra = json.loads(sidecar.read_text(encoding="utf-8"))
            status = int(extra.get("status", 200))
            headers.update({str(k): str(v) for k, v in (extra.get("headers") or {}).items()})
        if status == 200 and _not_modified(request_headers, etag, int(mtime)):
            return _Response(304, {k: v for k, v in headers.items() if k != "Content-Type"}, b"")
        return _Response(status, headers, body)

    def _read_file(self, path: Path) -> tuple[bytes, str, float]:
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

    def answer(self, method: str, target: str, headers: Any) -> tuple[_Response, float]:
        """Route, then apply the matching faults; returns the response and the delay to wait first."""
        faults = self._active_faults(target)
        delay = sum(f.delay for f in faults)
        status_fault = next((f for f in faults if f.status is not None), None)
        if status_fault is not None and status_fault.status is not None:
            response = _error(status_fault.status, status_fault.retry_after)
        else:
            response = self.respond(target, headers)
        for fault in faults:
            body = response.body
            if fault.replace is not None:
                body = body.replace(*fault.replace)
            if fault.pad_to is not None and len(body) < fault.pad_to:
                filler = fault.pad_to - len(body) - len(b"<!--  -->")
                body += b"<!-- " + b"x" * max(filler, 0) + b" -->"
            if fault.truncate is not None and len(body) > fault.truncate:
                if fault.drop_connection:
                    response.declared_length = len(body)
                body = body[: fault.truncate]
            response.body = body
        return response, delay


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
            response, delay = _error(500, None, f"replay error: {exc}"), 0.0
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


def _error(status: int, retry_after: int | None, message: str | None = None) -> _Response:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    headers = {"Content-Type": "text/html; charset=utf-8"}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    body = f"<html><head><title>{status} {phrase}</title></head><body><h1>{_escape(message or phrase)}</h1>"
    return _Response(status, headers, (body + "</body></html>\n").encode("utf-8"))


def _not_found() -> _Response:
    return _error(404, None, "Not Found")


def _int_param(params: dict[str, list[str]], key: str) -> int | None:
    values = params.get(key)
    if not values:
        return None
    value = values[0].strip()
    return int(value) if value.isdigit() else None  # Telegram ignores a cursor it cannot read


def _content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed, _encoding = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def _not_modified(headers: Any, etag: str, mtime: int) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since; the ETag comparison is weak for GET/HEAD."""
    if headers is None:
        return False
    if_none_match = headers.get("If-None-Match")
    if if_none_match:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    if_modified_since = headers.get("If-Modified-Since")
    if if_modified_since:
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since is None:
            return False
        return mtime <= int(since.timestamp())
    return False


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- CLI -----------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``claimwatch replay``: serve corpora as t.me preview pages until interrupted."""
    parser = argparse.ArgumentParser(prog="claimwatch replay", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", type=Path, default=[], help="JSON Lines file (repeatable)")
    parser.add_argument("--site", type=Path, help="static directory served at / (outside /s/)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--page-size", type=int, default=20)
    parser.add_argument("--fault", action="append", default=[], help="fault rule, e.g. match=/s/*,status=503,times=2")
    parser.add_argument("--allow-public", action="store_true", help="allow binding a non-loopback address")
    args = parser.parse_args(argv)
    if not args.corpus and args.site is None:
        parser.error("give at least one --corpus or a --site")
    try:
        faults = [Fault.parse(spec) for spec in args.fault]
        server = ReplayServer(
            args.corpus,
            site=args.site,
            host=args.host,
            port=args.port,
            page_size=args.page_size,
            faults=faults,
            allow_public=args.allow_public,
        )
    except (OSError, ValueError) as exc:
        print(f"claimwatch replay: {exc}", file=sys.stderr)
        return 2
    posts = sum(len(c.ids) for c in server.channels.values())
    names = ", ".join(sorted(server.channels)) or "-"
    print(f"serving {server.url} ({posts} posts; channels: {names})", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
