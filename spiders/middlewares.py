"""Downloader middlewares."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.response import response_status_message

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
            try:
                when = parsedate_to_datetime(text)
                return min(max((when - datetime.now(UTC)).total_seconds(), 0.0), cap)
            except (TypeError, ValueError):
                pass
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
