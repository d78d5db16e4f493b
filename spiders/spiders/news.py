"""News sites: feeds, sitemaps and section listings discover article URLs; one article callback lands them.

The three spiders differ only in how they find articles (:class:`FeedSpider`, :class:`SitemapSpider`,
:class:`ListingSpider`); everything after discovery lives in :class:`NewsSpider`, so an article reads the same
whichever way it was found:

* **one key per article**: the page's ``<link rel=canonical>`` when it is on the source's domain, else the fetched
  URL without tracking parameters (:mod:`claimwatch.parse.urls`). It is ``raw.documents.external_id`` and dedupes an
  article listed twice, or reached by two paths, within a run.
* **one version per content**: ``content_sha256`` hashes the extracted headline and body, not the page bytes, so
  an unchanged article around a rotating ad block or "most read" box is the same version, and a corrected body
  or headline is a new one.
* **polite and incremental**: feeds, sitemaps, listing pages and articles are fetched with ``If-None-Match`` /
  ``If-Modified-Since`` from ``ops.http_cache`` (a ``304`` means nothing to do); an article fetched or landed
  within the source's ``revisit_hours`` is not requested at all, nor one whose sitemap ``lastmod`` / Atom
  ``updated`` is older than our last fetch. Robots, throttling, size caps and retries come from the settings.
* **bad input is kept, with a reason**: HTML served as a feed, a sitemap that is not one, an undecodable page, an
  empty article body: each is logged and quarantined with its bytes, and the run goes on.
* **nothing silent**: a listed URL that is not fetched or not landed (off-site, fetched recently by any listing of
  the site, unchanged, beyond the backfill bound, not an article) is counted by reason (``ops.crawl_runs.skips``);
  a feed entry or Google News sitemap entry is an article by the listing's word, whatever its ``og:type``.
* **one fetch per article per site**: a site's RSS, Atom and sitemap are separate sources; the revisit window is
  the URL's, so an article one of them fetched is not fetched again by the others, and every listing that named it
  is kept in ``ops.document_listings``.

Why validators are written at close, from :meth:`NewsSpider.closed`: Scrapy closes the item pipeline (which
commits the last batch and the cursor) before it sends ``spider_closed``, so by then every document of the run is
committed, and ``claimwatch/new_rows`` in the stats proves the final flush succeeded. The upsert SQL re-checks
that each article row's document is in ``raw.documents`` or ``ops.quarantine``. A feed, sitemap or listing page
is recorded only when every request it led to finished without a transient failure (5xx, timeout): otherwise a
``304`` next run would hide the article that failed. Lookups before each batch of requests use one autocommit
connection held for the run (a few milliseconds per discovery page); the validators are written at close on a
short-lived connection, in one transaction and one statement.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import psycopg2
import psycopg2.extensions
import scrapy
from parsel import Selector
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from claimwatch.config import warehouse_reconnect_seconds
from claimwatch.ingest.http_cache import CacheEntry, FetchRecord, lookup, record_fetches, record_listings
from claimwatch.ingest.items import QuarantineItem, RawDocumentItem
from claimwatch.parse.articles import ArticleExtractionError, extract_article
from claimwatch.parse.encoding import UndecodableDocument, decode_document
from claimwatch.parse.feeds import NotAFeed, parse_feed
from claimwatch.parse.sitemaps import NotASitemap, parse_sitemap, parse_w3c_datetime
from claimwatch.parse.urls import canonical_url, canonicalize, on_allowed_domain, read_page_hints
from claimwatch.warehouse import connect
from claimwatch.warehouse.connection import CONNECTION_LOST, open_connection
from spiders.spiders.base import SourceSpider

log = logging.getLogger(__name__)

Output = RawDocumentItem | QuarantineItem | scrapy.Request
_QUARANTINE_BYTES = 1_000_000
_PERMANENT_HTTP = range(400, 500)
_TRANSIENT_HTTP = {408, 425, 429}
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


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _parse_article_date(value: str | None) -> tuple[datetime | None, bool]:
    """An extractor date string as aware UTC, and whether it carries a time of day."""
    if not value:
        return None, False
    moment = parse_w3c_datetime(value)
    return moment, moment is not None and len(value.strip()) > 10


def choose_published_at(article_value: str | None, lead_value: datetime | None) -> datetime | None:
    """The article's own timestamp when it has a time of day, else the feed's or sitemap's, else the article's
    bare date (midnight UTC)."""
    moment, has_time = _parse_article_date(article_value)
    if moment is not None and has_time:
        return moment
    return lead_value or moment


def content_sha256(title: str | None, body: str) -> str:
    """Version hash of an article: headline and extracted body text, nothing of the page around them."""
    return hashlib.sha256(f"{(title or '').strip()}\n\n{body.strip()}".encode()).hexdigest()


class NewsSpider(SourceSpider):
    """Shared article handling and fetch bookkeeping of the news spiders (not registered for a kind itself)."""

    name = "news"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.started_at = datetime.now(UTC)
        # A source never walked to completion gets a bounded first run (registry ``backfill``).
        self.article_budget: int | None = self.source.backfill if not self.cursor else None
        self.scheduled: set[str] = set()  # lead keys requested this run
        self.emitted: set[str] = set()  # canonical URLs landed or quarantined this run
        self.newest_seen: datetime | None = None
        self.walk_end = "discovery finished"
        self.pending_pages = 0
        self.outstanding: Counter[str] = Counter()  # discovery page key -> requests it led to, not yet answered
        self.dirty: set[str] = set()  # discovery pages under which a request failed transiently
        self.page_records: dict[str, FetchRecord] = {}
        self.article_records: list[FetchRecord] = []
        self.listings: set[tuple[str, str, str]] = set()  # (lead key, listing page, found_as)
        self.canonical_of: dict[str, str] = {}  # lead key -> the canonical URL its page declared
        self._conn: psycopg2.extensions.connection | None = None

    # --- warehouse ----------------------------------------------------------------------------------------

    def _cache(self, urls: list[str]) -> dict[str, CacheEntry]:
        """Cache entries for ``urls``: one short query on a connection kept for the run (autocommit, read-only).

        A lost connection (warehouse restart) is reopened, within the reconnect window, and the query asked again.
        """
        if not urls:
            return {}
        for attempt in (1, 2):
            if self._conn is None or self._conn.closed:
                self._conn = open_connection(
                    self.dsn, application_name="claimwatch-news-lookup", retry_for=warehouse_reconnect_seconds()
                )
                self._conn.autocommit = True
            try:
                return lookup(self._conn, self.source.id, urls, self.source.revisit_hours)
            except CONNECTION_LOST:
                self._conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def next_cursor(self) -> dict[str, Any]:
        """``last_seen``: the newest publication/modification time seen; ``walked_at``: when this walk started."""
        cursor: dict[str, Any] = {"walked_at": self.started_at.isoformat()}
        previous = parse_w3c_datetime(self.cursor.get("last_seen"))
        newest = max((m for m in (self.newest_seen, previous) if m is not None), default=None)
        if newest is not None:
            cursor["last_seen"] = newest.isoformat()
        return cursor

    def closed(self, reason: str) -> None:
        """Record validators of this run's fetches, now that the pipeline has committed (see module docstring)."""
        try:
            self._store_fetch_records(reason)
        finally:
            if self._conn is not None:
                self._conn.close()
        for why, count in sorted(self.skips.items()):
            self.logger.info("skipped: %d listed item(s): %s", count, why)

    def _store_fetch_records(self, reason: str) -> None:
        stats = self.crawler.stats
        if stats is None or stats.get_value("claimwatch/new_rows") is None:
            self.logger.warning("the item pipeline did not commit its last batch: no validators recorded")
            return
        records = list(self.article_records)
        held = []
        for key, record in self.page_records.items():
            if self.outstanding[key] > 0 or key in self.dirty or not self._page_record_allowed(key):
                held.append(key)
            else:
                records.append(record)
        if held:
            self.logger.info("validators not recorded for %s (requests under them failed or never ran)", held)
        listings = {(self.canonical_of.get(url, url), page, kind) for url, page, kind in self.listings}
        with (
            connect(
                self.dsn, application_name="claimwatch-news-cache", retry_for=warehouse_reconnect_seconds()
            ) as conn,
            conn.cursor() as cur,
        ):
            written = record_fetches(cur, self.source.id, records)
            record_listings(cur, self.source.id, self.crawl_run_id, listings)
        stats.set_value("claimwatch/http_cache_rows", written)
        self.logger.info("recorded %d http_cache row(s) (spider closed: %s)", written, reason)

    def _page_record_allowed(self, key: str) -> bool:
        """Hook: whether a discovery page's validators may be stored (the sitemap root needs a complete walk)."""
        return True

    # --- discovery pages ----------------------------------------------------------------------------------

    def page_request(
        self, url: str, callback: Callable[..., Any], parents: tuple[str, ...], **meta: Any
    ) -> scrapy.Request:
        """A conditional request for a feed, sitemap or listing page, counted until it is answered."""
        key = canonicalize(url)
        entry = self._cache([key]).get(key) or CacheEntry(key)
        self.pending_pages += 1
        for parent in parents:
            self.outstanding[parent] += 1
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_page_error,
            headers=entry.conditional_headers(),
            dont_filter=True,  # deduplicated by canonical key here; Scrapy's filter would drop silently
            meta={**meta, "cw_key": key, "cw_parents": parents, "handle_httpstatus_list": [304]},
        )

    def page_done(self, response_or_request: Response | scrapy.Request, *, transient_failure: bool = False) -> None:
        """A discovery request was answered; when none is left, discovery is over and the walk can finish."""
        self._settle(response_or_request.meta, transient_failure)
        self.pending_pages -= 1
        if self.pending_pages == 0:
            self.finish_walk(self.walk_end)

    def record_page(self, response: Response) -> None:
        """Remember a discovery page's validators (stored at close if everything under it went well)."""
        key = response.meta["cw_key"]
        self.page_records[key] = FetchRecord(
            url=key,
            http_status=response.status,
            fetched_at=datetime.now(UTC),
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            content_sha256=hashlib.sha256(response.body).hexdigest() if response.status == 200 else None,
        )

    def on_page_error(self, failure: Failure) -> Iterator[QuarantineItem]:
        """A feed, sitemap or listing page failed: the walk is incomplete; quarantine what came."""
        request = failure.request  # type: ignore[attr-defined]
        try:
            yield from self._error_items(failure)
        finally:
            self.page_done(request, transient_failure=self._is_transient(failure))

    # --- articles -----------------------------------------------------------------------------------------

    def follow(self, leads: list[Lead], parents: tuple[str, ...]) -> tuple[list[scrapy.Request], int]:
        """Requests for the leads worth fetching, and how many leads were never fetched before (new).

        Skips leads off the allowed domains, already scheduled this run, fetched within the revisit window, or
        unchanged (``modified_at``) since our last fetch; on a first run keeps the ``backfill`` newest.
        """
        fresh: list[Lead] = []
        for lead in leads:
            self._saw(lead.published_at, lead.modified_at)
            if not on_allowed_domain(lead.key, self.allowed_domains):
                self.skip("off the allowed domains")
                self.logger.info("off-site link not followed: %s", lead.url)
                continue
            self.listings.add((lead.key, canonicalize(lead.found_on), lead.found_as))
            if lead.key in self.scheduled:
                self.skip("listed twice in this run")
            else:
                self.scheduled.add(lead.key)
                fresh.append(lead)
        entries = self._cache([lead.key for lead in fresh])
        todo: list[tuple[Lead, CacheEntry]] = []
        new = 0
        for lead in fresh:
            entry = entries.get(lead.key) or CacheEntry(lead.key)
            new += not entry.known
            if entry.recent:
                by = "" if entry.fetched_by in (None, self.source.id) else f" by source {entry.fetched_by}"
                self.skip(f"fetched within the revisit window ({self.source.revisit_hours:g} h){by}")
            elif lead.modified_at and entry.last_fetched_at and lead.modified_at <= entry.last_fetched_at:
                self.skip("unchanged since the last fetch (lastmod/updated)")
            else:
                todo.append((lead, entry))
        if self.article_budget is not None:
            todo.sort(key=lambda pair: pair[0].published_at or datetime.min.replace(tzinfo=UTC), reverse=True)
            if len(todo) > self.article_budget:
                self.skip("beyond the first run's backfill bound", len(todo) - self.article_budget)
                self.walk_end = f"backfill bound of {self.source.backfill} articles"
                todo = todo[: self.article_budget]
            self.article_budget -= len(todo)
        requests = []
        for lead, entry in todo:
            for parent in parents:
                self.outstanding[parent] += 1
            requests.append(
                scrapy.Request(
                    lead.key,  # tracking parameters are not sent: the canonical form asks for the same page
                    callback=self.parse_article,
                    errback=self.on_article_error,
                    headers=entry.conditional_headers(),
                    dont_filter=True,
                    meta={"cw_lead": lead, "cw_parents": parents, "handle_httpstatus_list": [304]},
                )
            )
        self.crawler.stats.inc_value("claimwatch/articles_requested", len(requests))
        return requests, new

    def parse_article(self, response: Response, **kwargs: Any) -> Iterator[RawDocumentItem | QuarantineItem]:
        """Land one article page: decode, find its canonical URL, extract, hash; quarantine what cannot land."""
        transient = False
        try:
            yield from self._article(response, response.meta["cw_lead"])
            transient = bool(response.meta.get("cw_transient"))
        except Exception as exc:  # a bug must cost one article, not the run; the walk stays incomplete
            transient = True
            self.logger.exception("article %s could not be processed", response.url)
            self.mark_incomplete(f"article processing error: {type(exc).__name__}")
            yield self._quarantine_article(response, canonicalize(response.url), f"article processing error: {exc!r}")
        finally:
            self._settle(response.meta, transient)

    def _article(self, response: Response, lead: Lead) -> Iterator[RawDocumentItem | QuarantineItem]:
        fetched_at = datetime.now(UTC)
        etag, last_modified = _header(response, "ETag"), _header(response, "Last-Modified")
        if response.status == 304 and not (
            response.request is not None
            and (b"If-None-Match" in response.request.headers or b"If-Modified-Since" in response.request.headers)
        ):
            # "Not modified" since a fetch we never made: there is nothing to keep, and nothing may vanish silently.
            self.mark_incomplete("HTTP 304 to an unconditional request")
            yield self._quarantine_article(response, lead.key, "HTTP 304 to an unconditional request")
            return
        if response.status == 304:
            self.crawler.stats.inc_value("claimwatch/articles_not_modified")
            # Nothing lands for a 304, so there is nothing to wait for: restart the revisit window.
            self.article_records.append(FetchRecord(lead.key, 304, fetched_at, etag, last_modified))
            return
        content_type = _header(response, "Content-Type")
        try:
            decoded = decode_document(response.body, content_type, kind="html")
        except UndecodableDocument as exc:
            yield self._quarantine_article(response, lead.key, f"undecodable page: {exc.reason}")
            self.article_records.append(
                FetchRecord(lead.key, response.status, fetched_at, etag, last_modified, document_id=lead.key)
            )
            return
        if not _HTML_TAG.search(decoded.text[:65536]):
            # JSON, plain text or an error string served where an article page should be: not an article, and
            # extractors would happily turn it into one.
            yield self._quarantine_article(response, lead.key, "not an HTML page")
            self.article_records.append(
                FetchRecord(lead.key, response.status, fetched_at, etag, last_modified, document_id=lead.key)
            )
            return
        if "<html" in decoded.text[:8192].lower() and "</html" not in decoded.text[-65536:].lower():
            # A body cut short (a server or proxy that gave up, a Content-Length that lied): landing it would store
            # a partial article as a version. Quarantined, not remembered as fetched: the next run asks again.
            self.mark_incomplete("truncated page")
            response.meta["cw_transient"] = True
            yield self._quarantine_article(response, lead.key, "truncated page (no closing </html>)")
            return
        hints = read_page_hints(decoded.text, response.url)
        key = canonical_url(response.url, hints.canonical, self.allowed_domains)
        keys = {key, lead.key}
        if key != lead.key:
            self.canonical_of[lead.key] = key

        def remember(sha: str | None, document: bool) -> None:
            for url in keys:
                self.article_records.append(
                    FetchRecord(url, response.status, fetched_at, etag, last_modified, sha, key if document else None)
                )

        if not self._is_article(lead, hints.og_type, hints.declares_article, hints.looks_like_article):
            self.skip(f"not an article page (og:type={hints.og_type}, found in a {lead.found_as})")
            self.logger.info("not an article page, skipped: %s (og:type=%s)", response.url, hints.og_type)
            remember(None, document=False)
            return
        if key in self.emitted:
            self.skip("same canonical URL as another page of this run")
            self.logger.info("%s is %s again (same canonical URL): not landed twice", response.url, key)
            if lead.key != key:  # remember this spelling too, so the next run does not fetch it again
                self.article_records.append(
                    FetchRecord(lead.key, response.status, fetched_at, etag, last_modified, document_id=key)
                )
            return
        self.emitted.add(key)
        try:
            if hints.article_body_chars == 0:
                # The page marks its article body and it is empty (a live page not filled in yet, a broken CMS
                # render): whatever an extractor finds around it is navigation, not the article.
                raise ArticleExtractionError("empty article body (the page's itemprop=articleBody is empty)")
            article = extract_article(decoded.text, url=response.url, content_type=content_type)
        except ArticleExtractionError as exc:
            yield self._quarantine_article(response, key, f"no article extracted: {exc.reason}")
            remember(None, document=True)
            return
        sha = content_sha256(article.title, article.body)
        published_at = choose_published_at(article.published_at, lead.published_at)
        self._saw(published_at, parse_w3c_datetime(article.updated_at))
        remember(sha, document=True)
        meta: dict[str, Any] = {
            "title": article.title,
            "author": article.author,
            "language": article.language,
            "article_published_at": article.published_at,
            "article_updated_at": article.updated_at,
            "canonical_url": key,
            "declared_canonical": hints.canonical,
            "request_url": response.request.url if response.request is not None else lead.key,
            "found_as": lead.found_as,
            "found_on": lead.found_on,
            lead.found_as: lead.hints,
            "etag": etag,
            "last_modified": last_modified,
            "encoding": decoded.encoding,
            "encoding_evidence": decoded.evidence,
        }
        if decoded.notes:
            meta["encoding_notes"] = list(decoded.notes)
        if hints.og_type and not hints.og_type.startswith("article"):
            meta["og_type"] = hints.og_type  # landed on the listing's word, though the page calls itself otherwise
        yield RawDocumentItem(
            source_id=self.source.id,
            external_id=key,
            url=response.url,
            fetched_at=fetched_at,
            http_status=response.status,
            content_type=content_type,
            body=decoded.text,
            content_sha256=sha,
            published_at=published_at,
            meta=meta,
            original=response.body if decoded.repaired else None,
        )

    @staticmethod
    def _is_article(lead: Lead, og_type: str | None, declares: bool, looks_like: bool) -> bool:
        """Whether a fetched page is landed as an article.

        A feed entry, or a sitemap entry with Google News data, is an article because the site's own listing says
        so: many CMSs stamp ``og:type=website`` on every page, articles included. A plain sitemap lists every page
        of a site, so its pages must declare themselves articles; a section page's links must at least not declare
        themselves something else.
        """
        if lead.found_as == "feed" or (lead.found_as == "sitemap" and not lead.strict_article):
            return True
        return declares if lead.strict_article else looks_like

    def _quarantine_article(self, response: Response, key: str, reason: str) -> QuarantineItem:
        self.crawler.stats.inc_value("claimwatch/articles_quarantined")
        return self.quarantine(
            response.url, reason, status=response.status, content=response.body[:_QUARANTINE_BYTES], external_id=key
        )

    def on_article_error(self, failure: Failure) -> Iterator[QuarantineItem]:
        """An article request failed (HTTP error, redirect loop, size cap, network): log, quarantine what came,
        keep the cursor; a transient failure also holds back the validators of the pages that listed it."""
        try:
            yield from self._error_items(failure)
        finally:
            self._settle(failure.request.meta, self._is_transient(failure))  # type: ignore[attr-defined]

    # --- shared bookkeeping -------------------------------------------------------------------------------

    def _error_items(self, failure: Failure) -> Iterator[QuarantineItem]:
        if failure.check(IgnoreRequest) and "max redirections" in failure.getErrorMessage():
            request = failure.request  # type: ignore[attr-defined]
            reason = f"redirect loop or chain longer than {self.settings.getint('REDIRECT_MAX_TIMES')} hops"
            self.logger.error("request %s failed: %s", request.url, reason)
            self.mark_incomplete(reason)
            yield self.quarantine((request.meta.get("redirect_urls") or [request.url])[0], reason)
            return
        yield from self.on_error(failure)

    def _damaged_listing(self, response: Response, errors: list[str]) -> Iterator[QuarantineItem]:
        """A feed or sitemap that parsed only in part (cut short, malformed): what it names is still followed, but
        the page is quarantined, the walk is incomplete and its validators are not kept, so the next run reads it
        whole instead of getting a 304 and never seeing the entries that were cut off."""
        if not errors:
            return
        self.page_records.pop(response.meta["cw_key"], None)
        self.mark_incomplete("malformed or truncated listing")
        yield self.quarantine(
            response.url,
            f"malformed or truncated listing, read in part: {errors[0][:200]}",
            status=response.status,
            content=response.body[:_QUARANTINE_BYTES],
        )

    @staticmethod
    def _is_transient(failure: Failure) -> bool:
        """Worth retrying next run (server trouble, network) rather than a fact about the page (403, 404, loop)."""
        if isinstance(failure.value, HttpError):
            status = failure.value.response.status
            return status in _TRANSIENT_HTTP or status not in _PERMANENT_HTTP
        # IgnoreRequest: robots.txt, off-site, redirect loop; DownloadCancelledError: the size cap. Facts, not luck.
        return not failure.check(IgnoreRequest, DownloadCancelledError)

    def _settle(self, meta: dict[str, Any], transient_failure: bool) -> None:
        for parent in meta.get("cw_parents", ()):
            self.outstanding[parent] -= 1
            if transient_failure:
                self.dirty.add(parent)

    def _saw(self, *moments: datetime | None) -> None:
        for moment in moments:
            if (
                moment is not None
                and moment <= datetime.now(UTC)
                and (not self.newest_seen or moment > self.newest_seen)
            ):
                self.newest_seen = moment

    def _decoded_page(self, response: Response) -> str | None:
        """A listing page as text; None (quarantined, walk incomplete) when it cannot be decoded."""
        try:
            return decode_document(response.body, _header(response, "Content-Type"), kind="html").text
        except UndecodableDocument as exc:
            self.mark_incomplete(f"undecodable page: {exc.reason}")
            return None


class FeedSpider(NewsSpider):
    """An RSS 2.0, Atom or RDF feed (registry ``kind = "feed"``): every entry's link is an article.

    @url http://127.0.0.1:8766/feed.xml
    @returns requests 1
    """

    name = "feed"

    async def start(self) -> AsyncIterator[Any]:
        yield self.page_request(self.source.url, self.parse_feed_page, parents=())

    def parse_feed_page(self, response: Response, **kwargs: Any) -> Iterator[Output]:
        """Read the feed and request its articles; a 304 ends the walk with nothing to do."""
        try:
            yield from self._feed(response)
        finally:
            self.page_done(response)

    def _feed(self, response: Response) -> Iterator[Output]:
        key = response.meta["cw_key"]
        self.record_page(response)
        if response.status == 304:
            self.walk_end = "feed not modified (304)"
            return
        try:
            feed = parse_feed(response.body, _header(response, "Content-Type"), response.url)
        except NotAFeed as exc:
            self.page_records.pop(key, None)
            reason = f"not a feed: {exc.reason}"
            self.mark_incomplete(reason)
            yield self.quarantine(
                response.url, reason, status=response.status, content=response.body[:_QUARANTINE_BYTES]
            )
            return
        for warning in feed.warnings:
            self.logger.warning("feed %s: %s", response.url, warning)
        yield from self._damaged_listing(response, [w for w in feed.warnings if w.startswith("SAXParseException")])
        leads = [
            Lead(
                url=entry.link,
                key=canonicalize(entry.link),
                found_on=response.url,
                found_as="feed",
                title=entry.title,
                published_at=entry.published_at,
                modified_at=entry.updated_at if feed.kind == "atom" else None,
                hints={
                    "title": entry.title,
                    "link": entry.link,
                    "id": entry.id,
                    "published_at": _iso(entry.published_at),
                    "updated_at": _iso(entry.updated_at),
                    "summary": entry.summary,
                    "feed_kind": feed.kind,
                },
            )
            for entry in feed.entries
            if entry.link
        ]
        if len(leads) < len(feed.entries):
            self.skip("feed entry without a link", len(feed.entries) - len(leads))
            self.logger.warning("%d feed entries without a link ignored", len(feed.entries) - len(leads))
        requests, new = self.follow(leads, parents=(key,))
        self.walk_end = f"feed read: {len(feed.entries)} entries, {new} new, {len(requests)} fetched"
        yield from requests


class SitemapSpider(NewsSpider):
    """A sitemap or sitemap index (registry ``kind = "sitemap"``), plain or gzip, Google News or not.

    Indexes are followed to ``MAX_DEPTH`` levels and at most ``source.max_pages`` sitemap documents; a sitemap
    already read in this run (an index listing itself, two indexes listing each other) is not read again.
    """

    name = "sitemap"
    MAX_DEPTH = 3

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visited: set[str] = set()
        self.root_key = canonicalize(self.source.url)
        self.root_children: list[str] | None = None
        self.sitemaps_requested = 0

    async def start(self) -> AsyncIterator[Any]:
        self.visited.add(self.root_key)
        self.sitemaps_requested += 1
        yield self.page_request(self.source.url, self.parse_sitemap_page, parents=(), cw_depth=0)

    def next_cursor(self) -> dict[str, Any]:
        """Adds ``sitemaps``: the root index's children, re-checked conditionally when the index answers 304."""
        cursor = super().next_cursor()
        if self.root_children is not None:
            cursor["sitemaps"] = self.root_children
        return cursor

    def _page_record_allowed(self, key: str) -> bool:
        # The root index's 304 is answered from the cursor's child list, which moves only with a complete walk;
        # its validators must move in step with it.
        return key != self.root_key or self.walk_complete

    def parse_sitemap_page(self, response: Response, **kwargs: Any) -> Iterator[Output]:
        """Read a sitemap: follow an index's children, request a urlset's articles."""
        try:
            yield from self._sitemap(response)
        finally:
            self.page_done(response)

    def _sitemap(self, response: Response) -> Iterator[Output]:
        key, depth, parents = response.meta["cw_key"], response.meta["cw_depth"], response.meta["cw_parents"]
        self.record_page(response)
        if response.status == 304:
            if key == self.root_key:
                remembered = self.cursor.get("sitemaps")
                if isinstance(remembered, list):
                    self.walk_end = "sitemap index not modified (304); its sitemaps re-checked"
                    for child in remembered:
                        yield from self._child(str(child), (*parents, key), depth + 1, listed_by=response.url)
                elif response.request is not None:
                    # No remembered children (an earlier walk did not complete): read the index again, whole.
                    self.logger.info("sitemap index 304 but no remembered child list: fetching it again")
                    self.page_records.pop(key, None)
                    yield self._refetch(response.request)
            return
        try:
            sitemap = parse_sitemap(response.body, response.url, max_bytes=self._max_sitemap_bytes())
        except NotASitemap as exc:
            self.page_records.pop(key, None)
            reason = f"not a sitemap: {exc.reason}"
            self.mark_incomplete(reason)
            yield self.quarantine(
                response.url, reason, status=response.status, content=response.body[:_QUARANTINE_BYTES]
            )
            return
        for warning in sitemap.warnings[:5]:
            self.logger.warning("sitemap %s: %s", response.url, warning)
        yield from self._damaged_listing(response, [w for w in sitemap.warnings if w.startswith("line ")])
        if sitemap.kind == "index":
            if key == self.root_key:
                self.root_children = [canonicalize(u.loc) for u in sitemap.urls]
            for child in sitemap.urls:
                yield from self._child(child.loc, (*parents, key), depth + 1, listed_by=response.url)
            return
        leads = [
            Lead(
                url=u.loc,
                key=canonicalize(u.loc),
                found_on=response.url,
                found_as="sitemap",
                title=u.news_title,
                published_at=u.news_published_at,
                modified_at=u.lastmod,
                strict_article=u.news_published_at is None and u.news_title is None,
                hints={
                    "lastmod": _iso(u.lastmod),
                    "news_title": u.news_title,
                    "news_published_at": _iso(u.news_published_at),
                    "news_language": u.news_language,
                },
            )
            for u in sitemap.urls
        ]
        requests, new = self.follow(leads, parents=(*parents, key))
        self.logger.info("sitemap %s: %d URLs, %d new, %d fetched", response.url, len(leads), new, len(requests))
        yield from requests

    def _refetch(self, request: scrapy.Request) -> scrapy.Request:
        self.pending_pages += 1
        for parent in request.meta["cw_parents"]:
            self.outstanding[parent] += 1
        return request.replace(headers={}, dont_filter=True)

    def _child(self, loc: str, parents: tuple[str, ...], depth: int, listed_by: str) -> Iterator[scrapy.Request]:
        key = canonicalize(loc)
        if not on_allowed_domain(key, self.allowed_domains):
            self.skip("off-site sitemap")
            self.logger.warning("sitemap %s lists an off-site sitemap, not followed: %s", listed_by, loc)
        elif key in self.visited:
            self.skip("sitemap already read in this run (loop)")
            self.crawler.stats.inc_value("claimwatch/sitemap_loops")
            self.logger.warning("sitemap loop: %s lists %s, already read in this run; not read again", listed_by, loc)
        elif depth > self.MAX_DEPTH:
            self.skip(f"sitemap nested deeper than {self.MAX_DEPTH} levels")
            self.logger.warning("sitemap %s nested deeper than %d levels, not followed", loc, self.MAX_DEPTH)
        elif self.sitemaps_requested >= self.source.max_pages:
            self.skip(f"beyond max_pages ({self.source.max_pages}) sitemaps")
            self.walk_end = f"max_pages ({self.source.max_pages}) sitemaps read"
            self.logger.warning("max_pages (%d) sitemaps read; %s not followed", self.source.max_pages, loc)
        else:
            self.visited.add(key)
            self.sitemaps_requested += 1
            yield self.page_request(loc, self.parse_sitemap_page, parents=parents, cw_depth=depth)

    def _max_sitemap_bytes(self) -> int:
        # Decompressed size cap of a gzip sitemap: ten times the download cap, within the protocol's 50 MB.
        return min(50 * 1024 * 1024, 10 * self.source.politeness.max_response_bytes)


class ListingSpider(NewsSpider):
    """Section pages (registry ``kind = "listing"``): article links and the next page by the registry's selectors.

    Pages are followed up to ``source.max_pages``; after the first complete walk, paging stops at the first page
    whose articles were all fetched before (the rest is older still), or at a page that answers 304.
    """

    name = "listing"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visited: set[str] = set()

    async def start(self) -> AsyncIterator[Any]:
        self.visited.add(canonicalize(self.source.url))
        yield self.page_request(self.source.url, self.parse_listing_page, parents=(), cw_page=1)

    def parse_listing_page(self, response: Response, **kwargs: Any) -> Iterator[Output]:
        """Request the page's new articles and decide whether to turn the page."""
        try:
            yield from self._listing(response)
        finally:
            self.page_done(response)

    def _listing(self, response: Response) -> Iterator[Output]:
        key, page, parents = response.meta["cw_key"], response.meta["cw_page"], response.meta["cw_parents"]
        self.record_page(response)
        if response.status == 304:
            self.walk_end = f"listing page {page} not modified (304)"
            return
        text = self._decoded_page(response)
        if text is None:
            self.page_records.pop(key, None)
            yield self.quarantine(
                response.url,
                "undecodable listing page",
                status=response.status,
                content=response.body[:_QUARANTINE_BYTES],
            )
            return
        selector = Selector(text=text)
        hrefs = select_links(selector, self.source.selectors.article_links)
        leads = []
        for href in hrefs:
            url = urljoin(response.url, href)
            hints = {"page": page, "listing_url": response.url, "href": href}
            leads.append(Lead(url=url, key=canonicalize(url), found_on=response.url, found_as="listing", hints=hints))
        if not leads:
            self.logger.warning(
                "listing page %s: no article links match %r", response.url, self.source.selectors.article_links
            )
        requests, new = self.follow(leads, parents=(*parents, key))
        self.logger.info("listing page %d: %d links, %d new, %d fetched", page, len(leads), new, len(requests))
        yield from requests

        next_sel = self.source.selectors.next_page
        next_hrefs = select_links(selector, next_sel) if next_sel else []
        if not next_hrefs:
            self.walk_end = f"last listing page ({page})"
        elif page >= self.source.max_pages:
            self.walk_end = f"max_pages ({self.source.max_pages}) listing pages read"
        elif self.cursor and leads and new == 0:
            self.walk_end = f"listing page {page} holds only articles fetched before"
        else:
            next_url = urljoin(response.url, next_hrefs[0])
            next_key = canonicalize(next_url)
            if next_key in self.visited:
                self.walk_end = f"next page of page {page} loops back to {next_url}"
                self.logger.warning("listing paging loop: %s -> %s", response.url, next_url)
            elif not on_allowed_domain(next_key, self.allowed_domains):
                self.walk_end = f"next page of page {page} is off-site"
            else:
                self.visited.add(next_key)
                yield self.page_request(next_url, self.parse_listing_page, parents=(*parents, key), cw_page=page + 1)


def select_links(selector: Selector, expression: str) -> list[str]:
    """``href`` values picked by a registry selector: XPath when it starts with ``/`` or ``(``, else CSS.

    The expression may select elements (their ``href`` is taken) or attribute/text nodes (their value is).
    Order is document order, duplicates removed.
    """
    expression = expression.strip()
    nodes = selector.xpath(expression) if expression.startswith(("/", "(")) else selector.css(expression)
    found: list[str] = []
    for node in nodes:
        root = node.root
        value = root.get("href") if hasattr(root, "get") and not isinstance(root, str) else str(root)
        if value and value.strip() and value.strip() not in found:
            found.append(value.strip())
    return found
