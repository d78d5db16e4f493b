"""Item pipelines: where scraped documents go."""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from claimwatch.ingest.items import QuarantineItem, RawDocumentItem
from claimwatch.ingest.load_raw import RawLoader, WarehouseUnavailable

log = logging.getLogger(__name__)


class WarehousePipeline:
    """Land items in the warehouse in batches; move the source cursor only when the spider's walk completed.

    The spider decides whether its walk is complete (it reached the old cursor, the backfill bound or the
    end of the source, with no page lost on the way): ``spider.walk_complete`` and ``spider.next_cursor()``.
    Anything less (a failed page, a shutdown, a crash) commits the rows but keeps the old cursor, so the
    next run covers the same range again and lands only what is missing.

    A warehouse that goes away is reconnected to for ``WAREHOUSE_RECONNECT_TIMEOUT`` seconds (the batch is
    committed again: landing is idempotent). Past that, walking on would only produce items that cannot land:
    the pipeline counts every item it could not land under the reason, stops the crawl and sets
    ``claimwatch/load_failed``, so the run ends ``failed`` and Airflow retries it.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.loader: RawLoader | None = None
        self.failure: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        spider: Any = self.crawler.spider
        settings = self.crawler.settings
        self.loader = RawLoader(
            spider.dsn,
            spider.source.id,
            spider.crawl_run_id,
            batch_size=settings.getint("WAREHOUSE_BATCH_SIZE", 500),
            reconnect_seconds=settings.getfloat("WAREHOUSE_RECONNECT_TIMEOUT", 0.0),
        )

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawDocumentItem | QuarantineItem):
            raise TypeError(f"unexpected item type {type(item).__name__}")
        assert self.loader is not None
        if self.failure is not None:
            self._lost(1)
            return item
        try:
            self.loader.add(item)
        except WarehouseUnavailable as exc:
            self._fail(exc.reason)
        if isinstance(item, QuarantineItem):
            log.warning("quarantined %s: %s", item.url, item.reason)
        return item

    def _fail(self, reason: str, stop: bool = True) -> None:
        """The warehouse stayed away: count the buffered items as lost and stop the crawl (unless closing)."""
        assert self.loader is not None
        self.failure = reason
        log.error("%s: stopping the crawl (the run fails and is retried)", reason)
        self.crawler.stats.set_value("claimwatch/load_failed", reason)
        self._lost(self.loader.discard())
        if stop and self.crawler.engine is not None:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="warehouse unavailable"))

    def _lost(self, count: int) -> None:
        spider: Any = self.crawler.spider
        spider.mark_incomplete(f"not landed, {self.failure}", count)

    def close_spider(self) -> None:
        spider: Any = self.crawler.spider
        assert self.loader is not None
        if self.failure is None:
            try:
                if spider.walk_complete:
                    self.loader.finish(spider.next_cursor())
                else:
                    log.warning("walk incomplete (%s): rows kept, cursor not moved", spider.incomplete_reason)
                    self.loader.abort()
            except WarehouseUnavailable as exc:
                self._fail(exc.reason, stop=False)
        totals = self.loader.totals
        if self.failure is None:
            # Proof that the last batch committed (the news spiders store their validators only then).
            self.crawler.stats.set_value("claimwatch/new_rows", totals.new_rows)
        self.crawler.stats.set_value("claimwatch/quarantined", totals.quarantined)
        self.crawler.stats.set_value("claimwatch/warehouse_reconnects", totals.reconnects)
        self.crawler.stats.set_value("claimwatch/refused_by_warehouse", totals.refused)
