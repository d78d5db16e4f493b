"""News sites: what the feed, sitemap and listing spiders share. They differ only in how they find articles
(``feed.py``, ``sitemap.py``, ``listing.py``); everything after discovery lives in :class:`NewsSpider`, so an
article reads the same whichever way it was found. The pieces it wires together:

* what lands for a fetched page (canonical key, version hash, article or not, the item):
  :mod:`claimwatch.ingest.news_article`, pure and unit-tested;
* which discovery pages are still open and which may vouch for what they listed:
  :class:`claimwatch.ingest.discovery.DiscoveryLedger`;
* what the warehouse remembers of each URL: :class:`claimwatch.ingest.http_cache.CacheReader` for lookups, and
  ``spiders.middlewares.ConditionalGetMiddleware``, which turns that into ``If-None-Match`` /
  ``If-Modified-Since`` (a ``304`` means nothing to do).

Polite and incremental: an article fetched or landed within the source's ``revisit_hours`` is not requested at
all, nor one whose sitemap ``lastmod`` / Atom ``updated`` is older than our last fetch. Robots, throttling, size
caps and retries come from the settings. Nothing is silent: a listed URL that is not fetched or not landed
(off-site, fetched recently by any listing of the site, unchanged, beyond the backfill bound, not an article) is
counted by reason (``ops.crawl_runs.skips``); bad input (HTML served as a feed, a sitemap that is not one, an
undecodable page, an empty article body) is logged and quarantined with its bytes, and the run goes on. One fetch
per article per site: a site's RSS, Atom and sitemap are separate sources; the revisit window is the URL's, so an
article one of them fetched is not fetched again by the others, and every listing that named it is kept in
``ops.document_listings``.

Why validators are written at close, from :meth:`NewsSpider.closed`: Scrapy closes the item pipeline (which
commits the last batch and the cursor) before it sends ``spider_closed``, so by then every document of the run is
committed, and ``claimwatch/new_rows`` in the stats proves the final flush succeeded. The upsert SQL re-checks
that each article row's document is in ``raw.documents`` or ``ops.quarantine``. A feed, sitemap or listing page
is recorded only when every request it led to finished without a transient failure (5xx, timeout): otherwise a
``304`` next run would hide the article that failed.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from claimwatch.ingest.discovery import DiscoveryLedger
from claimwatch.ingest.http_cache import CacheEntry, CacheReader, FetchRecord, record_run
from claimwatch.ingest.items import QuarantineItem, RawDocumentItem
from claimwatch.ingest.news_article import (
    FetchedPage,
    Lead,
    PageRefused,
    build_article_item,
    is_article,
    read_article_page,
)
from claimwatch.parse.articles import ArticleExtractionError
from claimwatch.parse.encoding import UndecodableDocument, decode_document
from claimwatch.parse.urls import canonicalize, on_allowed_domain
from spiders.spiders.base import SourceSpider

Output = RawDocumentItem | QuarantineItem | scrapy.Request
QUARANTINE_BYTES = 1_000_000
_PERMANENT_HTTP = range(400, 500)
_TRANSIENT_HTTP = {408, 425, 429}


def header(response: Response, name: str) -> str | None:
    """A response header as text (HTTP headers are Latin-1)."""
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def iso(moment: datetime | None) -> str | None:
    """A listing's date for a lead's ``hints`` (JSON), or None."""
    return moment.isoformat() if moment is not None else None


def discovery_page(
    read: Callable[[Any, Response], Iterator[Output]],
) -> Callable[..., Iterator[Output]]:
    """A feed, sitemap or listing page callback: whatever it yields, and whether or not it fails, the page counts
    as answered once it is done (``NewsSpider.page_done``), so the walk finishes when the last page is."""

    @functools.wraps(read)
    def callback(self: NewsSpider, response: Response, **kwargs: Any) -> Iterator[Output]:
        try:
            yield from read(self, response)
        finally:
            self.page_done(response)

    return callback


class NewsSpider(SourceSpider):
    """Shared article handling and fetch bookkeeping of the news spiders (not registered for a kind itself)."""

    name = "news"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.started_at = datetime.now(UTC)
        # Only a complete walk stores a cursor (``walked_at``); before the first, a run is bounded by ``backfill``.
        self.walked_before = "walked_at" in self.cursor
        self.article_budget: int | None = None if self.walked_before else self.source.backfill
        self.scheduled: set[str] = set()  # lead keys requested this run
        self.emitted: set[str] = set()  # canonical URLs landed or quarantined this run
        self.walk_end = "discovery finished"
        self.ledger = DiscoveryLedger()
        self.cache = CacheReader(self.dsn, self.source.id, self.source.revisit_hours)

    def next_cursor(self) -> dict[str, Any]:
        """``walked_at``: when this complete walk started (its presence is what makes the next run incremental)."""
        return {"walked_at": self.started_at.isoformat()}

    def closed(self, reason: str) -> None:
        """Record validators of this run's fetches, now that the pipeline has committed (see module docstring)."""
        try:
            self._store_fetch_records(reason)
        finally:
            self.cache.close()
        for why, count in sorted(self.skips.items()):
            self.logger.info("skipped: %d listed item(s): %s", count, why)

    def _store_fetch_records(self, reason: str) -> None:
        stats = self.crawler.stats
        if stats is None or stats.get_value("claimwatch/new_rows") is None:
            self.logger.warning("the item pipeline did not commit its last batch: no validators recorded")
            return
        records, held = self.ledger.records_to_store(self._page_record_allowed)
        if held:
            self.logger.info("validators not recorded for %s (requests under them failed or never ran)", held)
        written = record_run(self.dsn, self.source.id, self.crawl_run_id, records, self.ledger.listing_rows())
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
        self.ledger.page_requested(parents)
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_page_error,
            dont_filter=True,  # deduplicated by canonical key here; Scrapy's filter would drop silently
            meta={**meta, "cw_key": key, "cw_parents": parents, "cw_cache": self.cache.entry(key)},
        )

    def page_done(self, response_or_request: Response | scrapy.Request, *, transient_failure: bool = False) -> None:
        """A discovery request was answered; when none is left, discovery is over and the walk can finish."""
        if self.ledger.page_answered(response_or_request.meta.get("cw_parents", ()), transient_failure):
            self.finish_walk(self.walk_end)

    def record_page(self, response: Response) -> None:
        """Remember a discovery page's validators (stored at close if everything under it went well)."""
        self.ledger.record_page(
            FetchRecord(
                url=response.meta["cw_key"],
                http_status=response.status,
                fetched_at=datetime.now(UTC),
                etag=header(response, "ETag"),
                last_modified=header(response, "Last-Modified"),
                content_sha256=hashlib.sha256(response.body).hexdigest() if response.status == 200 else None,
            )
        )

    def refused_listing(self, response: Response, reason: str) -> QuarantineItem:
        """A feed, sitemap or listing page that is not what it should be: no validators, walk incomplete, bytes
        quarantined."""
        self.ledger.forget_page(response.meta["cw_key"])
        self.mark_incomplete(reason)
        return self.quarantine(response.url, reason, status=response.status, content=response.body[:QUARANTINE_BYTES])

    def on_page_error(self, failure: Failure) -> Iterator[QuarantineItem]:
        """A feed, sitemap or listing page failed: the walk is incomplete; quarantine what came."""
        request = failure.request  # type: ignore[attr-defined]
        try:
            yield from self._error_items(failure)
        finally:
            self.page_done(request, transient_failure=self._is_transient(failure))

    def damaged_listing(self, response: Response, errors: list[str]) -> Iterator[QuarantineItem]:
        """A feed or sitemap that parsed only in part (cut short, malformed): what it names is still followed, but
        the page is quarantined, the walk is incomplete and its validators are not kept, so the next run reads it
        whole instead of getting a 304 and never seeing the entries that were cut off."""
        if not errors:
            return
        self.ledger.forget_page(response.meta["cw_key"])
        self.mark_incomplete("malformed or truncated listing")
        yield self.quarantine(
            response.url,
            f"malformed or truncated listing, read in part: {errors[0][:200]}",
            status=response.status,
            content=response.body[:QUARANTINE_BYTES],
        )

    def decoded_page(self, response: Response) -> str | None:
        """A listing page as text; None (walk incomplete) when it cannot be decoded."""
        try:
            return decode_document(response.body, header(response, "Content-Type"), kind="html").text
        except UndecodableDocument as exc:
            self.mark_incomplete(f"undecodable page: {exc.reason}")
            return None

    # --- articles -----------------------------------------------------------------------------------------

    def follow(self, leads: list[Lead], parents: tuple[str, ...]) -> tuple[list[scrapy.Request], int]:
        """Requests for the leads worth fetching, and how many leads were never fetched before (new).

        Skips leads off the allowed domains, already scheduled this run, fetched within the revisit window, or
        unchanged (``modified_at``) since our last fetch; on a first run keeps the ``backfill`` newest.
        """
        fresh: list[Lead] = []
        for lead in leads:
            if not on_allowed_domain(lead.key, self.allowed_domains):
                self.skip("off the allowed domains")
                self.logger.info("off-site link not followed: %s", lead.url)
                continue
            self.ledger.listed(lead.key, canonicalize(lead.found_on), lead.found_as)
            if lead.key in self.scheduled:
                self.skip("listed twice in this run")
            else:
                self.scheduled.add(lead.key)
                fresh.append(lead)
        entries = self.cache.entries([lead.key for lead in fresh])
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
            self.ledger.requested(parents)
            requests.append(
                scrapy.Request(
                    lead.key,  # tracking parameters are not sent: the canonical form asks for the same page
                    callback=self.parse_article,
                    errback=self.on_article_error,
                    dont_filter=True,
                    meta={"cw_lead": lead, "cw_parents": parents, "cw_cache": entry},
                )
            )
        self.crawler.stats.inc_value("claimwatch/articles_requested", len(requests))
        return requests, new

    def parse_article(self, response: Response, **kwargs: Any) -> Iterator[RawDocumentItem | QuarantineItem]:
        """Land one article page; quarantine what cannot land."""
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
            self.ledger.settle(response.meta.get("cw_parents", ()), transient)

    def _article(self, response: Response, lead: Lead) -> Iterator[RawDocumentItem | QuarantineItem]:
        fetched = FetchedPage(
            url=response.url,
            request_url=response.request.url if response.request is not None else lead.key,
            status=response.status,
            body=response.body,
            content_type=header(response, "Content-Type"),
            etag=header(response, "ETag"),
            last_modified=header(response, "Last-Modified"),
            fetched_at=datetime.now(UTC),
        )

        def remember(url: str, sha: str | None = None, document_id: str | None = None) -> None:
            self.ledger.record_article(
                FetchRecord(
                    url, fetched.status, fetched.fetched_at, fetched.etag, fetched.last_modified, sha, document_id
                )
            )

        if response.status == 304:
            if not response.meta.get("cw_conditional"):
                # "Not modified" since a fetch we never made: nothing to keep, and nothing may vanish silently.
                self.mark_incomplete("HTTP 304 to an unconditional request")
                yield self._quarantine_article(response, lead.key, "HTTP 304 to an unconditional request")
                return
            self.crawler.stats.inc_value("claimwatch/articles_not_modified")
            # Nothing lands for a 304, so there is nothing to wait for: restart the revisit window.
            remember(lead.key)
            return
        try:
            page = read_article_page(fetched, self.allowed_domains)
        except PageRefused as exc:
            if exc.incomplete:  # quarantined, not remembered as fetched: the next run asks again
                self.mark_incomplete(exc.incomplete)
                response.meta["cw_transient"] = True
            yield self._quarantine_article(response, lead.key, exc.reason)
            if not exc.incomplete:
                remember(lead.key, document_id=lead.key)
            return
        key, keys = page.key, dict.fromkeys((page.key, lead.key))
        if key != lead.key:
            self.ledger.alias(lead.key, key)
        if not is_article(lead, page.hints):
            self.skip(f"not an article page (og:type={page.hints.og_type}, found in a {lead.found_as})")
            self.logger.info("not an article page, skipped: %s (og:type=%s)", response.url, page.hints.og_type)
            for url in keys:
                remember(url)
            return
        if key in self.emitted:
            self.skip("same canonical URL as another page of this run")
            self.logger.info("%s is %s again (same canonical URL): not landed twice", response.url, key)
            if lead.key != key:  # remember this spelling too, so the next run does not fetch it again
                remember(lead.key, document_id=key)
            return
        self.emitted.add(key)
        try:
            item = build_article_item(self.source.id, lead, fetched, page)
        except ArticleExtractionError as exc:
            yield self._quarantine_article(response, key, f"no article extracted: {exc.reason}")
            for url in keys:
                remember(url, document_id=key)
            return
        for url in keys:
            remember(url, item.content_sha256, key)
        yield item

    def _quarantine_article(self, response: Response, key: str, reason: str) -> QuarantineItem:
        self.crawler.stats.inc_value("claimwatch/articles_quarantined")
        return self.quarantine(
            response.url, reason, status=response.status, content=response.body[:QUARANTINE_BYTES], external_id=key
        )

    def on_article_error(self, failure: Failure) -> Iterator[QuarantineItem]:
        """An article request failed (HTTP error, redirect loop, size cap, network): log, quarantine what came,
        keep the cursor; a transient failure also holds back the validators of the pages that listed it."""
        try:
            yield from self._error_items(failure)
        finally:
            request = failure.request  # type: ignore[attr-defined]
            self.ledger.settle(request.meta.get("cw_parents", ()), self._is_transient(failure))

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

    @staticmethod
    def _is_transient(failure: Failure) -> bool:
        """Worth retrying next run (server trouble, network) rather than a fact about the page (403, 404, loop)."""
        if isinstance(failure.value, HttpError):
            status = failure.value.response.status
            return status in _TRANSIENT_HTTP or status not in _PERMANENT_HTTP
        # IgnoreRequest: robots.txt, off-site, redirect loop; DownloadCancelledError: the size cap. Facts, not luck.
        return not failure.check(IgnoreRequest, DownloadCancelledError)
