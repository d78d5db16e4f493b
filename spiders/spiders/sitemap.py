"""Sitemaps and sitemap indexes (registry ``kind = "sitemap"``), plain or gzip, Google News or not."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from claimwatch.ingest.news_article import Lead
from claimwatch.parse.sitemaps import NotASitemap, parse_sitemap
from claimwatch.parse.urls import canonicalize, on_allowed_domain
from spiders.spiders.news import NewsSpider, Output, discovery_page, iso


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

    @discovery_page
    def parse_sitemap_page(self, response: Response) -> Iterator[Output]:
        """Read a sitemap: follow an index's children, request a urlset's articles."""
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
                    self.ledger.forget_page(key)
                    yield self._refetch(response.request)
            return
        try:
            sitemap = parse_sitemap(response.body, response.url, max_bytes=self._max_sitemap_bytes())
        except NotASitemap as exc:
            yield self.refused_listing(response, f"not a sitemap: {exc.reason}")
            return
        for warning in sitemap.warnings[:5]:
            self.logger.warning("sitemap %s: %s", response.url, warning)
        yield from self.damaged_listing(response, [w for w in sitemap.warnings if w.startswith("line ")])
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
                    "lastmod": iso(u.lastmod),
                    "news_title": u.news_title,
                    "news_published_at": iso(u.news_published_at),
                    "news_language": u.news_language,
                },
            )
            for u in sitemap.urls
        ]
        requests, new = self.follow(leads, parents=(*parents, key))
        self.logger.info("sitemap %s: %d URLs, %d new, %d fetched", response.url, len(leads), new, len(requests))
        yield from requests

    def _refetch(self, request: scrapy.Request) -> scrapy.Request:
        """The same request, unconditional (no validators, so no ``304``), counted as a new discovery request."""
        self.ledger.page_requested(request.meta["cw_parents"])
        meta = {k: v for k, v in request.meta.items() if k not in ("cw_cache", "cw_conditional")}
        return request.replace(headers={}, meta=meta, dont_filter=True)

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
