"""RSS 2.0, Atom and RDF feeds (registry ``kind = "feed"``): every entry's link is an article."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Response

from claimwatch.ingest.news_article import Lead
from claimwatch.parse.feeds import NotAFeed, parse_feed
from claimwatch.parse.urls import canonicalize
from spiders.spiders.news import NewsSpider, Output, discovery_page, header, iso


class FeedSpider(NewsSpider):
    """An RSS 2.0, Atom or RDF feed: its entries' links are requested as articles (see :class:`NewsSpider`).

    @url http://127.0.0.1:8766/feed.xml
    @returns requests 1
    """

    name = "feed"

    async def start(self) -> AsyncIterator[Any]:
        yield self.page_request(self.source.url, self.parse_feed_page, parents=())

    @discovery_page
    def parse_feed_page(self, response: Response) -> Iterator[Output]:
        """Read the feed and request its articles; a 304 ends the walk with nothing to do."""
        key = response.meta["cw_key"]
        self.record_page(response)
        if response.status == 304:
            self.walk_end = "feed not modified (304)"
            return
        try:
            feed = parse_feed(response.body, header(response, "Content-Type"), response.url)
        except NotAFeed as exc:
            yield self.refused_listing(response, f"not a feed: {exc.reason}")
            return
        for warning in feed.warnings:
            self.logger.warning("feed %s: %s", response.url, warning)
        yield from self.damaged_listing(response, [w for w in feed.warnings if w.startswith("SAXParseException")])
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
                    "published_at": iso(entry.published_at),
                    "updated_at": iso(entry.updated_at),
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
