"""One spider per source kind; :data:`SPIDERS` maps a registry ``kind`` to its spider class."""

from __future__ import annotations

from typing import Any

from spiders.spiders.news import FeedSpider, ListingSpider, SitemapSpider
from spiders.spiders.telegram import TelegramPreviewSpider

SPIDERS: dict[str, Any] = {
    "telegram": TelegramPreviewSpider,
    "feed": FeedSpider,
    "sitemap": SitemapSpider,
    "listing": ListingSpider,
}
