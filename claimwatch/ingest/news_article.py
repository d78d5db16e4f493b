"""From a fetched news page to the item that lands it: pure, no Scrapy and no database, so it is unit-testable.

An article reads the same whichever listing found it:

* **one key per article**: the page's ``<link rel=canonical>`` when it is on the source's domain, else the fetched
  URL without tracking parameters (:mod:`claimwatch.parse.urls`). It is ``raw.documents.external_id``.
* **one version per content**: :func:`content_sha256` hashes the extracted headline and body, not the page bytes,
  so an unchanged article around a rotating ad block or "most read" box is the same version, and a corrected body
  or headline is a new one.
* **bad input is refused with a reason** (:class:`PageRefused`, :class:`ArticleExtractionError`): the spider
  quarantines the bytes under it.

The spider keeps the run's bookkeeping (what was already landed this run, the fetch records, the counts); this
module only answers "what is this page, and what lands for it".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from claimwatch.ingest.items import RawDocumentItem
from claimwatch.parse import UnusableInput
from claimwatch.parse.articles import ArticleExtractionError, extract_article
from claimwatch.parse.dates import parse_document_date
from claimwatch.parse.encoding import Decoded, UndecodableDocument, decode_document
from claimwatch.parse.urls import PageHints, canonical_url, read_page_hints

_HTML_TAG = re.compile(r"<(?:!doctype\s+html|html|head|body|article|main|div|p)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Lead:
    """An article URL found on a discovery page, with what that page said about it (kept in ``meta``)."""

    url: str
    key: str  # canonicalize(url): the revisit/dedupe key before the page itself is read
    found_on: str
    found_as: str  # feed | sitemap | listing
    title: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None  # sitemap lastmod / Atom updated: lets an unchanged article be skipped
    strict_article: bool = False  # from a plain sitemap: the page must declare itself an article
    hints: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FetchedPage:
    """What came back for an article request, without Scrapy's types."""

    url: str  # where the page was fetched from (after redirects)
    request_url: str
    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: datetime


@dataclass(frozen=True)
class ArticlePage:
    """A fetched page read far enough to know its canonical key and whether it calls itself an article."""

    decoded: Decoded
    hints: PageHints
    key: str  # the canonical URL: raw.documents.external_id


class PageRefused(UnusableInput):
    """A fetched page that cannot land. ``incomplete`` names the failure the run counts when the page is to be
    asked for again next run (it is then not remembered as fetched); None for a fact about the page."""

    def __init__(self, reason: str, incomplete: str | None = None) -> None:
        super().__init__(reason)
        self.incomplete = incomplete


def read_article_page(fetched: FetchedPage, allowed_domains: list[str] | tuple[str, ...]) -> ArticlePage:
    """Decode the page, check it is a whole HTML page, and find its canonical key.

    Raises :class:`PageRefused`: undecodable, not HTML (JSON, plain text or an error string where an article
    should be: extractors would happily turn it into one), or truncated (a body cut short by a server or proxy that
    gave up, a Content-Length that lied: landing it would store a partial article as a version).
    """
    try:
        decoded = decode_document(fetched.body, fetched.content_type, kind="html")
    except UndecodableDocument as exc:
        raise PageRefused(f"undecodable page: {exc.reason}") from exc
    if not _HTML_TAG.search(decoded.text[:65536]):
        raise PageRefused("not an HTML page")
    if "<html" in decoded.text[:8192].lower() and "</html" not in decoded.text[-65536:].lower():
        raise PageRefused("truncated page (no closing </html>)", incomplete="truncated page")
    hints = read_page_hints(decoded.text, fetched.url)
    return ArticlePage(decoded, hints, canonical_url(fetched.url, hints.canonical, allowed_domains))


def is_article(lead: Lead, hints: PageHints) -> bool:
    """Whether a fetched page is landed as an article.

    A feed entry, or a sitemap entry with Google News data, is an article because the site's own listing says so:
    many CMSs stamp ``og:type=website`` on every page, articles included. A plain sitemap lists every page of a
    site, so its pages must declare themselves articles; a section page's links must at least not declare
    themselves something else.
    """
    if lead.found_as == "feed" or (lead.found_as == "sitemap" and not lead.strict_article):
        return True
    return hints.declares_article if lead.strict_article else hints.looks_like_article


def build_article_item(source_id: str, lead: Lead, fetched: FetchedPage, page: ArticlePage) -> RawDocumentItem:
    """Extract the article of ``page`` and build the item that lands it.

    Raises :class:`ArticleExtractionError` when there is no article to extract.
    """
    hints, decoded = page.hints, page.decoded
    if hints.article_body_chars == 0:
        # The page marks its article body and it is empty (a live page not filled in yet, a broken CMS render):
        # whatever an extractor finds around it is navigation, not the article.
        raise ArticleExtractionError("empty article body (the page's itemprop=articleBody is empty)")
    article = extract_article(decoded.text, url=fetched.url, content_type=fetched.content_type)
    meta: dict[str, Any] = {
        "title": article.title,
        "author": article.author,
        "language": article.language,
        "article_published_at": article.published_at,
        "article_updated_at": article.updated_at,
        "canonical_url": page.key,
        "declared_canonical": hints.canonical,
        "request_url": fetched.request_url,
        "found_as": lead.found_as,
        "found_on": lead.found_on,
        lead.found_as: lead.hints,
        "etag": fetched.etag,
        "last_modified": fetched.last_modified,
        "encoding": decoded.encoding,
        "encoding_evidence": decoded.evidence,
    }
    if decoded.notes:
        meta["encoding_notes"] = list(decoded.notes)
    if hints.og_type and not hints.og_type.startswith("article"):
        meta["og_type"] = hints.og_type  # landed on the listing's word, though the page calls itself otherwise
    return RawDocumentItem(
        source_id=source_id,
        external_id=page.key,
        url=fetched.url,
        fetched_at=fetched.fetched_at,
        http_status=fetched.status,
        content_type=fetched.content_type,
        body=decoded.text,
        content_sha256=content_sha256(article.title, article.body),
        published_at=choose_published_at(article.published_at, lead.published_at),
        meta=meta,
        original=fetched.body if decoded.repaired else None,
    )


def choose_published_at(article_value: str | None, lead_value: datetime | None) -> datetime | None:
    """The article's own timestamp when it has a time of day, else the feed's or sitemap's, else the article's
    bare date (midnight UTC)."""
    found = parse_document_date(article_value)
    if found is not None and found.has_time:
        return found.moment
    return lead_value or (found.moment if found is not None else None)


def content_sha256(title: str | None, body: str) -> str:
    """Version hash of an article: headline and extracted body text, nothing of the page around them."""
    return hashlib.sha256(f"{(title or '').strip()}\n\n{body.strip()}".encode()).hexdigest()
