"""Downloader middlewares."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.response import response_status_message

from claimwatch.parse.dates import parse_http_date
from claimwatch.parse.urls import on_allowed_domain

log = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    """Retry 429 and 5xx responses after waiting, instead of immediately as Scrapy's own middleware does.

    Hammering a rate-limited server straight back gets a crawler banned. The wait honours the server's
    ``Retry-After`` (seconds or an HTTP date) and otherwise grows exponentially with jitter:
    ``RETRY_BACKOFF_BASE * 2**retry`` capped at ``RETRY_BACKOFF_MAX``. Only the retried request waits.
    """

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        delay = self._delay(retry.meta.get("retry_times", 1), response)
        log.info("retrying %s after %s in %.2fs", request.url, response.status, delay)
        self.crawler.stats.inc_value("claimwatch/retry_backoff_ms", round(delay * 1000))
        await asyncio.sleep(delay)
        return retry

    def _delay(self, attempt: int, response: Response) -> float:
        settings = self.crawler.settings
        cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        header = response.headers.get(b"Retry-After")
        if header:
            text = header.decode("latin-1").strip()
            if text.isdigit():
                return min(float(text), cap)
            when = parse_http_date(text)
            if when is not None:
                return min(max((when - datetime.now(UTC)).total_seconds(), 0.0), cap)
        base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        return min(base * 2 ** (attempt - 1) * (1 + random.random() / 4), cap)


class OffsiteRedirectMiddleware:
    """Refuse a redirect off the spider's allowed domains before it is followed, through the request's errback.

    Scrapy's offsite filter exempts ``dont_filter`` requests, which the news spiders must use (they dedupe by
    canonical URL, not by Scrapy's fingerprint), and a redirect inherits the flag: a listed article redirecting to
    another host would be fetched there. Refusing the redirect response here (before ``RedirectMiddleware`` sees
    it) sends an ``IgnoreRequest`` to the errback, so the listed URL is quarantined with the reason.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> OffsiteRedirectMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        domains = getattr(self.crawler.spider, "allowed_domains", None) or []
        if domains and not on_allowed_domain(target, domains):
            raise IgnoreRequest(f"redirected off the allowed domains to {target}")
        return response


class ConditionalGetMiddleware:
    """Send a request as a conditional GET when the spider knows the URL (``meta["cw_cache"]``, a
    :class:`~claimwatch.ingest.http_cache.CacheEntry` from ``ops.http_cache``), and let its ``304`` reach the callback.

    The validators come from the URL's last fetch (``If-None-Match`` / ``If-Modified-Since``); a ``304`` then means
    there is nothing new to read. ``meta["cw_conditional"]`` records whether validators were sent, so the spider
    can tell a real ``304`` from one to a request that asked nothing (a "not modified" since a fetch we never made,
    which must not pass as nothing to do). Requests without ``cw_cache`` (Telegram pages) pass untouched.
    """

    def process_request(self, request: Request) -> None:
        entry = request.meta.get("cw_cache")
        if entry is None:
            return None
        headers = entry.conditional_headers()
        for name, value in headers.items():
            request.headers.setdefault(name, value)
        request.meta["cw_conditional"] = bool(
            request.headers.get("If-None-Match") or request.headers.get("If-Modified-Since")
        )
        statuses = request.meta.setdefault("handle_httpstatus_list", [])
        if 304 not in statuses:
            statuses.append(304)
        return None
