"""What every claimwatch spider shares: its source, its run, its cursor, and honest bookkeeping of failures."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from claimwatch.ingest.items import QuarantineItem
from claimwatch.registry import Source

log = logging.getLogger(__name__)


class SourceSpider(scrapy.Spider):
    """Base of the per-kind spiders: configured from a registry :class:`Source`, not from spider code.

    Subclasses set :attr:`walk_complete` when they reach the end of what this run had to cover, and
    implement :meth:`next_cursor`. Every failed item (a request, a page, a document the pipeline could not land)
    is counted once by reason in :attr:`error_reasons` and makes the walk incomplete, so the cursor stays put and
    the next run tries again. Everything listed but deliberately not fetched or landed is counted by reason in
    :attr:`skips`. Both end up in ``ops.crawl_runs``: nothing a source lists disappears without a number.
    """

    def __init__(
        self,
        source: Source,
        crawl_run_id: int | None = None,
        cursor: dict[str, Any] | None = None,
        dsn: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.crawl_run_id = crawl_run_id
        self.cursor: dict[str, Any] = dict(cursor or {})
        self.dsn = dsn
        self.allowed_domains = source.allowed_domains
        self.walk_complete = False
        self.incomplete_reason: str | None = "walk not finished"
        self.error_reasons: Counter[str] = Counter()
        self.skips: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._on_spider_error, signal=signals.spider_error)
        crawler.signals.connect(spider._on_item_error, signal=signals.item_error)
        return spider

    def _on_spider_error(self, failure: Failure, response: Response, spider: scrapy.Spider) -> None:
        """A callback raised: what it would have produced is lost for this run."""
        self.mark_incomplete(f"spider error: {failure.type.__name__ if failure.type else 'error'}")

    def _on_item_error(self, item: Any, response: Response | None, spider: scrapy.Spider, failure: Failure) -> None:
        """The item pipeline raised on an item: that item did not land."""
        self.mark_incomplete(f"item not landed: {failure.type.__name__ if failure.type else 'error'}")

    def skip(self, reason: str, count: int = 1) -> None:
        """Count listed items deliberately not fetched or landed (a reasoned skip, never a silent one)."""
        if count > 0:
            self.skips[reason] += count

    def next_cursor(self) -> dict[str, Any]:
        """The cursor to store once the walk completed."""
        raise NotImplementedError

    def mark_incomplete(self, reason: str, count: int = 1) -> None:
        """Count ``count`` failed items under ``reason`` (the part before a colon, so reasons stay few) and keep
        the cursor where it was (even if the walk later reaches its end)."""
        self.error_reasons[reason.split(":")[0]] += count
        self.incomplete_reason = reason
        self.walk_complete = False

    def finish_walk(self, why: str) -> None:
        """The walk reached its end; complete unless something was lost on the way."""
        self.logger.info("walk finished: %s", why)
        if not self.error_reasons:
            self.walk_complete = True
            self.incomplete_reason = None
        self.crawler.stats.set_value("claimwatch/walk_end", why)

    def quarantine(
        self,
        url: str,
        reason: str,
        *,
        status: int | None = None,
        content: bytes | None = None,
        external_id: str | None = None,
    ) -> QuarantineItem:
        """Build a quarantine item (the caller yields it) and log the reason."""
        self.logger.warning("quarantine %s: %s", url, reason)
        self.crawler.stats.inc_value("claimwatch/quarantine_items")
        return QuarantineItem(self.source.id, url, reason, status, content, external_id)

    def on_error(self, failure: Failure) -> Any:
        """Errback of every request: each failed request ends as a quarantine row with its reason (and the bytes
        that came, if any), or, when robots.txt forbids it, as a counted skip; a failure keeps the cursor."""
        request = failure.request  # type: ignore[attr-defined]
        # Quarantined under the URL that was asked for (the one a listing named), not where redirects led.
        asked = (request.meta.get("redirect_urls") or [request.url])[0]
        if isinstance(failure.value, HttpError):
            response: Response = failure.value.response
            reason = f"HTTP {response.status}"
            if response.status == 404:
                reason += f": {request.url} not found (wrong channel or page removed?)"
            self.logger.error("request failed: %s", reason)
            self.mark_incomplete(reason)
            content = response.body[:1_000_000] if response.body else None
            yield self.quarantine(asked, reason, status=response.status, content=content)
            return
        message = failure.getErrorMessage()
        if failure.check(IgnoreRequest) and "robots.txt" in message:
            # The site's wish, not a failure: counted, and the walk can still complete.
            self.skip("disallowed by robots.txt")
            self.logger.info("not fetched, disallowed by robots.txt: %s", request.url)
            return
        if failure.check(DownloadCancelledError) or (failure.check(IgnoreRequest) and "DOWNLOAD_MAXSIZE" in message):
            decompressed = "decompress" in message
            reason = (
                "response larger than the size cap"
                + (" once decompressed (gzip bomb?)" if decompressed else "")
                + f": {message}"
            )
            self.logger.error("%s", reason)
            self.mark_incomplete("size cap exceeded")
            yield self.quarantine(asked, reason.split(":")[0])
            return
        if failure.check(IgnoreRequest) and message.startswith("redirected off the allowed domains"):
            self.logger.error("request %s failed: %s", request.url, message)
            self.mark_incomplete("redirected off the allowed domains")
            yield self.quarantine(asked, _short(message))
            return
        reason = f"{failure.type.__name__ if failure.type else 'error'}: {message}"
        self.logger.error("request %s failed: %s", request.url, reason)
        self.mark_incomplete(reason)
        yield self.quarantine(asked, f"request failed: {_short(reason)}")


def _short(text: str, limit: int = 200) -> str:
    """An error message fit for a quarantine reason: one line, bounded, without per-request noise."""
    return " ".join(text.split())[:limit]
