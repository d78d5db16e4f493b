"""Parse Telegram's public channel preview pages (``https://t.me/s/<channel>``).

The preview is the only way to read a public channel without an account, so the spider lands these pages raw and
this module turns them into posts. It is written against the real markup (see
``../shared/corpus/telegram/any2feed_full.html``), and it is deliberately forgiving: a page that is cut short,
a message without a date, or a page that is not a channel preview at all (Telegram redirects ``/s/<name>`` to a
"contact @name" page when the channel does not exist or has its preview disabled) never raises; the messages
that cannot be read are skipped and the reason is kept in :attr:`PreviewPage.errors`, so a crawl can count them.

Choices worth knowing:

* Text: ``<br>`` becomes ``"\\n"``; link, emoji and formatting text is kept. Telegram never puts a raw newline
  inside message text (it always emits ``<br/>``), so a whitespace run that contains a newline is source
  formatting (pretty-printed or re-indented HTML) and collapses to one space; all other whitespace, including
  double spaces and non-breaking spaces, is kept exactly, so a text round-trips through the replay server.
* Quoted replies (``tgme_widget_message_reply``) carry their own text and thumbnails; they are not part of the
  post and are skipped.
* ``content_sha256`` hashes what a *re-fetch* leaves unchanged unless the author changed the post: the text's
  inner HTML, the media kinds with their t.me links, the forwarded-from source and the "edited" marker. View
  counts and CDN media URLs (signed, they rotate between fetches) are left out, so a re-fetch is the same
  version while an edit is a new one.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

from claimwatch.parse.dates import UnreadableDate, read_document_date
from claimwatch.parse.encoding import decode_utf8_repairing

__all__ = [
    "TEXT_VERSION",
    "PreviewPage",
    "PreviewPost",
    "parse_count",
    "parse_message_html",
    "parse_preview_page",
]

# Class token → media kind. A token is matched exactly; the subtree of a media element is not searched further
# (a video player holds its own <time> and "not supported" notes, which are not the post's).
_MEDIA_CLASSES: dict[str, str] = {
    "tgme_widget_message_photo_wrap": "photo",
    "tgme_widget_message_video_player": "video",
    "tgme_widget_message_roundvideo_player": "video",
    "tgme_widget_message_document_wrap": "document",
    "tgme_widget_message_voice_player": "voice",
    "tgme_widget_message_voice": "voice",
    "tgme_widget_message_poll": "poll",
    "tgme_widget_message_sticker_wrap": "sticker",
    "tgme_widget_message_tgsticker_wrap": "sticker",
    "tgme_widget_message_videosticker_wrap": "sticker",
    "tgme_widget_message_link_preview": "link_preview",
    "tgme_widget_message_location_wrap": "location",
    "message_media_not_supported_wrap": "unsupported",
}

# Whitespace that contains a newline is markup formatting, never message text (see the module docstring).
# Only ASCII whitespace: NBSP and zero-width characters are content.
_SOURCE_BREAK = re.compile(r"[ \t\r\f]*\n[ \t\r\n\f]*")
_ASCII_WS = " \t\r\n\f"
_COUNT = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*([KMB]?)\s*$", re.IGNORECASE)
_MULTIPLIER = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}
_CURSOR = re.compile(r"[?&](before|after)=(\d+)")
_CHANNEL_IN_PATH = re.compile(r"/s/([A-Za-z0-9_]+)")
_EMOJI_TAGS = frozenset({"tg-emoji"})
_SKIP_TEXT_TAGS = frozenset({"script", "style", "template"})
# Subtrees that never hold post data; pruning them (the bubble tail is an SVG of several paths) keeps the walk
# cheap.
_PRUNE_TAGS = frozenset({"svg", "video", "audio", "img", "script", "style"})
_PRUNE_CLASSES = frozenset({"tgme_widget_message_user", "tgme_widget_message_bubble_tail", "tgme_widget_message_reply"})
_WIDGETS = etree.XPath("//div[contains(concat(' ', normalize-space(@class), ' '), ' tgme_widget_message ')]")
_MORE_LINKS = etree.XPath("//a[@data-before or @data-after]")
_HAS_HISTORY = etree.XPath("boolean(//*[contains(@class, 'tgme_channel_history')])")
_local = threading.local()


def _text_version() -> str:
    """A digest of this module's source and of the lxml/libxml2 it runs on: see :data:`TEXT_VERSION`."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(repr((etree.LXML_VERSION, etree.LIBXML_VERSION)).encode())
    return "tgp-" + digest.hexdigest()[:16]


# The crawl lands each post's text (``PreviewPost.text``) beside its widget HTML, stamped with this version, so
# normalize need not parse the HTML again (a third of its time). A stored text stands for the HTML only while the
# code that read it is the code that would read it now, so the version follows the code itself rather than a
# constant someone must remember to bump: any change here (or to lxml) makes normalize re-read older rows from
# their HTML, which costs time and never correctness.
TEXT_VERSION = _text_version()


@dataclass
class PreviewPost:
    """One channel post as shown in the preview; ``html`` is the widget's raw markup, to be landed as is."""

    channel: str  # from data-post, so a forwarded post still belongs to the channel that shows it
    msg_id: int
    url: str  # https://t.me/<channel>/<msg_id>
    posted_at: datetime  # aware, UTC
    edited: bool
    text: str  # "" for a media-only post
    text_html: str  # inner HTML of the text div, "" when there is none
    views: int | None
    forwarded_from: str | None
    forwarded_from_url: str | None  # None when the source hides its channel
    media: list[str]  # distinct kinds in page order: photo, video, document, voice, poll, sticker, link_preview, ...
    html: str  # outer HTML of div.tgme_widget_message
    content_sha256: str  # see the module docstring for what it covers
    is_service: bool = False  # "channel created", "pinned …": not an author's post


@dataclass
class PreviewPage:
    """A preview page: its posts oldest → newest and the cursors to walk the channel's history."""

    channel: str | None
    posts: list[PreviewPost] = field(default_factory=list)
    before: int | None = None
    after: int | None = None
    is_channel_page: bool = False
    errors: list[str] = field(default_factory=list)


class _Unreadable(Exception):
    """A message widget that lacks what every post must have (id, date)."""


def parse_count(value: str | None) -> int | None:
    """Turn Telegram's abbreviated counters into integers: ``"37.2K"`` → 37200, ``"1.5M"`` → 1500000.

    Decimal, not float, so ``"4.85K"`` is exactly 4850. Returns None for anything that is not a counter.
    """
    if not value:
        return None
    match = _COUNT.match(value)
    if match is None:
        return None
    try:
        number = Decimal(match.group(1).replace(",", "."))
    except InvalidOperation:
        return None
    return int(number * _MULTIPLIER[match.group(2).upper()])


def parse_preview_page(html: str | bytes) -> PreviewPage:
    """Parse a whole ``t.me/s/<channel>`` page (or any fragment holding message widgets); never raises."""
    root, error = _parse_document(html)
    if root is None:
        return PreviewPage(channel=None, errors=[error] if error else [])
    page = PreviewPage(channel=None)
    widgets = _WIDGETS(root)
    page.is_channel_page = bool(widgets) or bool(_HAS_HISTORY(root))
    for widget in widgets:
        try:
            page.posts.append(_read_widget(widget))
        except _Unreadable as exc:
            page.errors.append(f"{widget.get('data-post') or '<no data-post>'}: {exc}")
    page.before, page.after = _read_cursors(root)
    page.channel = _read_channel(root, page.posts)
    return page


def parse_message_html(html: str | bytes) -> PreviewPost | None:
    """Re-parse one stored message widget (``PreviewPost.html``); None when it holds no readable message."""
    root, _error = _parse_document(html)
    if root is None:
        return None
    for widget in _WIDGETS(root):
        try:
            return _read_widget(widget)
        except _Unreadable:
            return None
    return None


# --- document level ------------------------------------------------------------------------------------------


def _parse_document(html: str | bytes) -> tuple[Any, str | None]:
    """lxml parse that turns every failure into an error string (empty input, lone surrogates, NULs)."""
    if isinstance(html, bytes):
        html, _repairs = decode_utf8_repairing(html)  # t.me serves UTF-8; a bad byte is damage, not a charset
    if not html or not html.strip():
        return None, "empty document"
    parser = getattr(_local, "parser", None)
    if parser is None:  # lxml parsers must not be shared between threads
        parser = _local.parser = etree.HTMLParser()
    try:
        root = etree.fromstring(html, parser)
    except (etree.ParserError, ValueError):
        root = None
    if root is None:
        # Lone surrogates (bytes decoded with surrogateescape) make libxml2 drop the whole input; replace them
        # rather than lose the page.
        cleaned = html.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")
        try:
            root = etree.fromstring(cleaned, parser)
        except (etree.ParserError, ValueError) as exc:
            return None, f"unparseable document: {exc}"
    if root is None:
        return None, "unparseable document"
    return root, None


def _read_cursors(root: Any) -> tuple[int | None, int | None]:
    """The ``?before=`` / ``?after=`` cursors: from the "load more" links, else from ``<link rel=prev/next>``."""
    before = after = None
    for el in _MORE_LINKS(root):
        before = before if before is not None else _to_int(el.get("data-before"))
        after = after if after is not None else _to_int(el.get("data-after"))
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower()
        match = _CURSOR.search(link.get("href") or "")
        if match is None:
            continue
        value = int(match.group(2))
        if rel == "prev" and before is None and match.group(1) == "before":
            before = value
        elif rel == "next" and after is None and match.group(1) == "after":
            after = value
    return before, after


def _read_channel(root: Any, posts: list[PreviewPost]) -> str | None:
    """The channel's username: from the page's own URLs first, the posts only as a fallback."""
    for el in root.iter("main", "link"):
        candidate = el.get("data-url") if el.tag == "main" else None
        if el.tag == "link" and (el.get("rel") or "").lower() == "canonical":
            match = _CHANNEL_IN_PATH.search(el.get("href") or "")
            candidate = match.group(1) if match else None
        if candidate:
            return candidate.strip("/").split("/")[0].split("?")[0] or None
    return posts[0].channel if posts else None


def _to_int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isdigit() else None


# --- one message ---------------------------------------------------------------------------------------------


def _read_widget(widget: Any) -> PreviewPost:
    """Read one ``div.tgme_widget_message``; raises :class:`_Unreadable` when its id or date is missing."""
    data_post = widget.get("data-post") or ""
    channel, _, raw_id = data_post.strip().rpartition("/")
    if not channel or not raw_id.isdigit():
        raise _Unreadable(f"missing or malformed data-post {data_post!r}")
    msg_id = int(raw_id)

    parts = _Parts()
    _walk(widget, parts)

    if parts.time_value is None:
        raise _Unreadable("no message date (time[datetime] in .tgme_widget_message_date)")
    try:
        # A naive stamp never occurs on the real site; reading it as UTC (the dates module's rule) beats dropping
        # the post.
        posted_at = read_document_date(parts.time_value).moment
    except UnreadableDate as exc:
        raise _Unreadable(f"bad datetime {parts.time_value!r}: {exc.reason}") from exc

    text_html = _inner_html(parts.text_el) if parts.text_el is not None else ""
    text = _text_of(parts.text_el) if parts.text_el is not None else ""
    forwarded_from, forwarded_from_url = _forwarded(parts)
    kinds = list(dict.fromkeys(kind for kind, _href in parts.media))
    digest = hashlib.sha256(
        json.dumps(
            {
                "text_html": text_html,
                "media": parts.media,
                "forwarded_from": forwarded_from,
                "forwarded_from_url": forwarded_from_url,
                "edited": parts.edited,
            },
            ensure_ascii=False,
            sort_keys=True,
        ).encode("utf-8", "surrogatepass")
    ).hexdigest()
    return PreviewPost(
        channel=channel,
        msg_id=msg_id,
        url=f"https://t.me/{channel}/{msg_id}",
        posted_at=posted_at,
        edited=parts.edited,
        text=text,
        text_html=text_html,
        views=parse_count(parts.views),
        forwarded_from=forwarded_from,
        forwarded_from_url=forwarded_from_url,
        media=kinds,
        html=etree.tostring(widget, method="html", encoding="unicode", with_tail=False),
        content_sha256=digest,
        is_service="service_message" in (widget.get("class") or "").split(),
    )


class _Parts:
    """What one pass over a widget collects."""

    __slots__ = ("edited", "fwd_el", "fwd_name_el", "media", "text_el", "time_value", "views")

    def __init__(self) -> None:
        self.text_el: Any = None
        self.fwd_el: Any = None
        self.fwd_name_el: Any = None
        self.views: str | None = None
        self.time_value: str | None = None
        self.edited = False
        self.media: list[tuple[str, str]] = []


def _walk(widget: Any, parts: _Parts) -> None:
    """One pass over the widget's elements, pruning subtrees that are not the post's own (reply quotes)."""
    stack = list(reversed(widget))
    while stack:
        el = stack.pop()
        tag = el.tag
        if not isinstance(tag, str) or tag in _PRUNE_TAGS:  # comments, processing instructions, media bytes
            continue
        cls = el.get("class")
        if cls:
            tokens = cls.split()
            if not _PRUNE_CLASSES.isdisjoint(tokens):
                continue
            if "tgme_widget_message_text" in tokens:
                if parts.text_el is None:
                    parts.text_el = el
                continue
            kind = next((_MEDIA_CLASSES[t] for t in tokens if t in _MEDIA_CLASSES), None)
            if kind is not None:
                parts.media.append((kind, _stable_href(el)))
                continue
            if "tgme_widget_message_views" in tokens:
                parts.views = "".join(el.itertext())
                continue
            if "tgme_widget_message_date" in tokens:
                for time_el in el.iter("time"):
                    if time_el.get("datetime"):
                        parts.time_value = time_el.get("datetime")
                        break
                continue
            if "tgme_widget_message_edited" in tokens:
                parts.edited = True
                continue
            if "tgme_widget_message_meta" in tokens and "edited" in (el.text or "").lower():
                # Real markup: <span class="tgme_widget_message_meta">edited &nbsp;<a ...date...></span>
                parts.edited = True
            if "tgme_widget_message_forwarded_from_name" in tokens:
                parts.fwd_name_el = el
                continue
            if "tgme_widget_message_forwarded_from" in tokens:
                parts.fwd_el = el
        if len(el):
            stack.extend(reversed(el))


def _stable_href(el: Any) -> str:
    """A media element's own t.me link (stable across fetches); CDN URLs are signed and rotate, so not those."""
    href = el.get("href")
    if href is None:
        link = next(el.iter("a"), None)
        href = link.get("href") if link is not None else None
    return href or ""


def _forwarded(parts: _Parts) -> tuple[str | None, str | None]:
    """The forwarded-from name and link; a hidden source has a name without a link."""
    if parts.fwd_name_el is not None:
        name = _clean_inline("".join(parts.fwd_name_el.itertext()))
        href = parts.fwd_name_el.get("href") if parts.fwd_name_el.tag == "a" else None
        if href is None:
            link = next(parts.fwd_name_el.iterancestors("a"), None)
            href = link.get("href") if link is not None else None
        return name or None, href
    if parts.fwd_el is not None:
        name = _clean_inline("".join(parts.fwd_el.itertext()))
        name = re.sub(r"^Forwarded from[\s\xa0]*", "", name)
        return name or None, None
    return None, None


def _clean_inline(value: str) -> str:
    return _SOURCE_BREAK.sub(" ", value).strip(_ASCII_WS)


# --- text ----------------------------------------------------------------------------------------------------


def _text_of(el: Any) -> str:
    """Message text: ``<br>`` → newline, emoji/link/formatting text kept, markup formatting whitespace dropped."""
    out: list[str] = []
    _collect_text(el, out)
    return "".join(out).strip(" \t\r\f")


def _collect_text(el: Any, out: list[str]) -> None:
    if el.text:
        out.append(_SOURCE_BREAK.sub(" ", el.text))
    for child in el:
        tag = child.tag
        if isinstance(tag, str):
            if tag == "br":
                out.append("\n")
            elif tag in _SKIP_TEXT_TAGS:
                pass
            elif tag == "img":
                out.append(child.get("alt") or "")
            elif (tag in _EMOJI_TAGS or "emoji" in (child.get("class") or "").split()) and not (
                "".join(child.itertext())
            ):
                # An emoji drawn only as a background image: its character is in an attribute, if anywhere.
                out.append(child.get("alt") or child.get("data-emoji") or child.get("emoji") or "")
            else:
                _collect_text(child, out)
        if child.tail:
            out.append(_SOURCE_BREAK.sub(" ", child.tail))


def _inner_html(el: Any) -> str:
    """The element's inner HTML exactly as lxml serialises it (text escaped as the site escapes it)."""
    pieces = [html_lib.escape(el.text, quote=False)] if el.text else []
    pieces.extend(etree.tostring(child, method="html", encoding="unicode", with_tail=True) for child in el)
    return "".join(pieces)
