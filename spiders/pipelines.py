"""Item pipelines: where scraped documents go."""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy.crawler import Crawler

from claimwatch.load_raw import RawLoader
from spiders.items import QuarantineItem, RawDocumentItem

log = logging.getLogger(__name__)


class WarehousePipeline:
    """Land items in the warehouse in batches; move the source cursor only when the spider's walk completed.

    The spider decides whether its walk is complete (it reached the old cursor, the backfill bound or the
    end of the source, with no page lost on the way): ``spider.walk_complete`` and ``spider.next_cursor()``.
    Anything less (a failed page, a shutdown, a crash) commits the rows but keeps the old cursor, so the
    next run covers the same range again and lands only what is missing.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.loader: RawLoader | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        spider: Any = self.crawler.spider
        self.loader = RawLoader(
            spider.dsn,
            spider.source.id,
            spider.crawl_run_id,
            batch_size=self.crawler.settings.getint("WAREHOUSE_BATCH_SIZE", 500),
        )

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawDocumentItem | QuarantineItem):
            raise TypeError(f"unexpected item type {type(item).__name__}")
        assert self.loader is not None
        self.loader.add(item)
        if isinstance(item, QuarantineItem):
            log.warning("quarantined %s: %s", item.url, item.reason)
        return item

    def close_spider(self) -> None:
        spider: Any = self.crawler.spider
        assert self.loader is not None
        if spider.walk_complete:
            totals = self.loader.finish(spider.next_cursor())
        else:
            log.warning("walk incomplete (%s): rows kept, cursor not moved", spider.incomplete_reason)
            self.loader.abort()
            totals = self.loader.totals
        self.crawler.stats.set_value("claimwatch/new_rows", totals.new_rows)
        self.crawler.stats.set_value("claimwatch/quarantined", totals.quarantined)
