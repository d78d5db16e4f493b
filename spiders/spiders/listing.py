"""Section listing pages (registry ``kind = "listing"``): article links and the next page by the registry's
selectors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin

from parsel import Selector
from scrapy.http import Response

from claimwatch.ingest.news_article import Lead
from claimwatch.parse.urls import canonicalize, on_allowed_domain
from spiders.spiders.news import QUARANTINE_BYTES, NewsSpider, Output, discovery_page


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

    @discovery_page
    def parse_listing_page(self, response: Response) -> Iterator[Output]:
        """Request the page's new articles and decide whether to turn the page."""
        key, page, parents = response.meta["cw_key"], response.meta["cw_page"], response.meta["cw_parents"]
        self.record_page(response)
        if response.status == 304:
            self.walk_end = f"listing page {page} not modified (304)"
            return
        text = self.decoded_page(response)
        if text is None:
            self.ledger.forget_page(key)
            yield self.quarantine(
                response.url,
                "undecodable listing page",
                status=response.status,
                content=response.body[:QUARANTINE_BYTES],
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
        elif self.walked_before and leads and new == 0:
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
