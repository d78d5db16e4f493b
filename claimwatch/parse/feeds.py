"""Parse RSS 2.0, Atom and RDF (RSS 1.0) feeds into entries with absolute links and aware UTC dates.

Why decode before feedparser: feedparser trusts the XML declaration and falls back to guessing on its own, and
real feeds lie (the Latin-1 ``uolNoticias`` feed has no declaration, so by the XML rules it is UTF-8, which it is
not). :func:`claimwatch.parse.encoding.decode_document` weighs BOM, HTTP header, declaration and detection the same way
for every document the project reads, so the feed is decoded by that one rule and handed to feedparser as UTF-8.

Why a root-element check before feedparser: feedparser happily "parses" an HTML error page or a login wall into a
feed with no entries. A source whose feed URL now serves HTML must fail loudly (:class:`NotAFeed`), not look like
a quiet day.

Dates: feedparser reads RFC 822 and ISO 8601 in English only; feeds in other languages localize the day and month
names (``Seg, 24 Set 2018 19:42:40 -0300``). Every entry date is read from the feed's own string by
:func:`claimwatch.parse.dates.parse_datetime`, the project's one reading of document dates (aware UTC, a date
without a zone taken as UTC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urljoin

import feedparser

from claimwatch.parse import UnusableInput
from claimwatch.parse.dates import parse_datetime
from claimwatch.parse.encoding import UndecodableDocument, decode_document, strip_xml_declaration

FeedKind = Literal["rss", "atom", "rdf"]

# Skip the prolog (declaration, comments, processing instructions, doctype) to reach the root element's name.
_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)", re.DOTALL | re.IGNORECASE)
_ROOT = re.compile(r"\s*<\s*([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_FEED_ROOTS = {"rss": "rss", "feed": "atom", "rdf": "rdf", "channel": "rss"}


class NotAFeed(UnusableInput):
    """The document is not an RSS, Atom or RDF feed; ``reason`` says what it is instead."""


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed. ``link`` is absolute (resolved against the feed URL) but not canonicalized."""

    title: str | None
    link: str | None
    published_at: datetime | None
    updated_at: datetime | None
    summary: str | None
    id: str | None


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: entries in document order, the feed format, and the decoding evidence."""

    entries: list[FeedEntry]
    kind: FeedKind
    title: str | None = None
    encoding: str | None = None
    encoding_evidence: str | None = None
    warnings: list[str] = field(default_factory=list)


def _root_name(text: str) -> str | None:
    """Local name of the root element, lower-cased; None when the text does not start with markup."""
    position = 0
    while True:
        match = _PROLOG.match(text, position)
        if match is None or match.end() == position:
            break
        position = match.end()
    root = _ROOT.match(text, position)
    return root.group(2).lower() if root else None


def _entry_date(entry: Any, *keys: str) -> datetime | None:
    """The first of ``keys`` the entry states a readable date for, read by :mod:`claimwatch.parse.dates` from the
    feed's own string (feedparser's ``*_parsed`` is its own reading, which knows no localized month names)."""
    for key in keys:
        # dict.get, not entry.get: feedparser answers "updated" with "published" when there is no updated date,
        # which would invent an update time.
        value = dict.get(entry, key)
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is not None:
            return parsed
    return None


def _entry_link(entry: Any, base_url: str) -> str | None:
    """The entry's article URL: its alternate link, else a permalink guid, else an http(s) id."""
    link = entry.get("link")
    if not link:
        for candidate in entry.get("links") or []:
            if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                link = candidate["href"]
                break
    if not link:
        guid = entry.get("id") or ""
        if guid.startswith(("http://", "https://")):
            link = guid
    return urljoin(base_url, link.strip()) if link else None


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _kind(version: str, root: str) -> FeedKind:
    if version.startswith("atom"):
        return "atom"
    if version in ("rss090", "rss10") or root == "rdf":
        return "rdf"
    return "rss"


def parse_feed(body: bytes, content_type: str | None, base_url: str) -> ParsedFeed:
    """Parse a fetched feed.

    Raises :class:`NotAFeed` when the body is empty, undecodable, not markup, an HTML page, or XML that is not a
    feed. A feed that is well-formed up to a point keeps the entries before the error (feedparser is lenient),
    with the error in ``warnings``: a truncated feed still tells us about its newest items.
    """
    if not body or not body.strip():
        raise NotAFeed("empty response")
    try:
        decoded = decode_document(body, content_type, kind="xml")
    except UndecodableDocument as exc:
        raise NotAFeed(f"undecodable: {exc.reason}") from exc
    text = decoded.text.lstrip("\ufeff")
    root = _root_name(text)
    if root is None:
        raise NotAFeed("not XML (the document does not start with markup)")
    if root == "html":
        raise NotAFeed("an HTML page served as a feed")
    if root not in _FEED_ROOTS:
        raise NotAFeed(f"XML but not a feed (root element <{root}>)")

    # The text is Unicode now: re-encode as UTF-8 and say so, in the declaration and the header, so feedparser
    # cannot re-decode it by a stale declaration.
    utf8 = strip_xml_declaration(text).encode("utf-8")
    parsed = feedparser.parse(
        b'<?xml version="1.0" encoding="utf-8"?>\n' + utf8,
        response_headers={"content-type": "application/xml; charset=utf-8", "content-location": base_url},
        resolve_relative_uris=True,
        sanitize_html=True,
    )
    version = str(parsed.get("version") or "")
    warnings: list[str] = []
    if parsed.get("bozo"):
        warnings.append(f"{type(parsed.get('bozo_exception')).__name__}: {parsed.get('bozo_exception')}")
    if not version and not parsed.entries:
        raise NotAFeed(f"not a feed: {warnings[0] if warnings else 'unknown format'}")

    entries = [
        FeedEntry(
            title=_clean(entry.get("title")),
            link=_entry_link(entry, base_url),
            published_at=_entry_date(entry, "published", "created", "updated"),
            updated_at=_entry_date(entry, "updated"),
            summary=_clean(entry.get("summary")),
            id=_clean(entry.get("id")),
        )
        for entry in parsed.entries
    ]
    return ParsedFeed(
        entries=entries,
        kind=_kind(version, root),
        title=_clean(parsed.feed.get("title")),
        encoding=decoded.encoding,
        encoding_evidence=decoded.evidence,
        warnings=warnings,
    )
