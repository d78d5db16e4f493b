"""Telegram public channel previews (``t.me/s/<channel>``), walked backwards to the source's cursor."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.http import Response

from claimwatch.ingest.items import QuarantineItem, RawDocumentItem
from claimwatch.parse.encoding import decode_utf8_repairing
from claimwatch.parse.telegram_preview import TEXT_VERSION, PreviewPost, parse_preview_page
from spiders.spiders.base import SourceSpider


class TelegramPreviewSpider(SourceSpider):
    """Walk a channel's preview from the newest post back with ``?before=``.

    Stops at the first page that reaches the cursor (the newest post id a previous complete run landed);
    a source with no cursor stops after ``backfill`` posts, or at the channel's first post when the
    registry says ``backfill = "all"``. Every post of every fetched page is offered to the pipeline:
    unchanged posts are no-ops, and an edited post on the pages walked lands as a new content version.
    """

    name = "telegram"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stop_at: int | None = self.cursor.get("last_msg_id")
        self.posts_seen = 0
        self.pages = 0
        self.newest_id: int | None = None

    async def start(self) -> AsyncIterator[Any]:
        yield self._page_request(self.source.url)

    def _page_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse, errback=self.on_error)

    def next_cursor(self) -> dict[str, Any]:
        newest = max(filter(None, (self.newest_id, self.stop_at)), default=None)
        return {"last_msg_id": newest} if newest is not None else {}

    def parse(self, response: Response, **kwargs: Any) -> Iterator[RawDocumentItem | QuarantineItem | scrapy.Request]:
        """Parse one preview page into posts and decide whether to page further back."""
        self.pages += 1
        fetched_at = datetime.now(UTC)
        text, problems = decode_utf8_repairing(response.body)
        for problem in problems:
            yield self.quarantine(response.url, problem, status=response.status, content=response.body)
        page = parse_preview_page(text)
        if not page.is_channel_page:
            reason = "not a channel preview page (channel missing, private or renamed?)"
            self.mark_incomplete(reason)
            yield self.quarantine(response.url, reason, status=response.status, content=response.body)
            return
        for error in page.errors:
            self.crawler.stats.inc_value("claimwatch/post_parse_errors")
            yield self.quarantine(
                response.url, f"unreadable message: {error}", status=response.status, content=response.body
            )
        if page.errors:
            self.mark_incomplete("unreadable message on page", len(page.errors))

        newest_first = list(reversed(page.posts))  # newest first, so backfill counts from the newest
        for offered, post in enumerate(newest_first):
            if self.source.backfill is not None and self.stop_at is None and self.posts_seen >= self.source.backfill:
                self.skip("beyond the first run's backfill bound", len(newest_first) - offered)
                break
            self.posts_seen += 1
            self.newest_id = max(self.newest_id or 0, post.msg_id)
            yield self._item(post, response, fetched_at, problems)

        ids = [p.msg_id for p in page.posts]
        before = page.before
        truncated = not text.rstrip().lower().endswith("</html>")
        if truncated:
            self.mark_incomplete("truncated page")
            yield self.quarantine(
                response.url, "truncated page (no closing </html>)", status=response.status, content=response.body
            )
            if before is None and ids:
                before = min(ids)  # keep walking: the older pages are likely fine
        if self.stop_at is not None and ids and min(ids) <= self.stop_at:
            self.finish_walk(f"reached cursor {self.stop_at}")
        elif self.stop_at is None and self.source.backfill is not None and self.posts_seen >= self.source.backfill:
            self.finish_walk(f"backfill limit of {self.source.backfill} posts")
        elif before is None or not ids:
            self.finish_walk("reached the channel's first post")
        else:
            yield self._page_request(f"{self.source.base_url}/s/{self.source.channel}?before={before}")

    def _item(
        self, post: PreviewPost, response: Response, fetched_at: datetime, problems: list[str]
    ) -> RawDocumentItem:
        meta: dict[str, Any] = {
            "views": post.views,
            "forwarded_from": post.forwarded_from,
            "forwarded_from_url": getattr(post, "forwarded_from_url", None),
            "edited": post.edited,
            "media": post.media,
            "page_url": response.url,
        }
        if problems:
            meta["page_repairs"] = problems
        return RawDocumentItem(
            source_id=self.source.id,
            external_id=str(post.msg_id),
            url=post.url,
            fetched_at=fetched_at,
            http_status=response.status,
            content_type=(response.headers.get(b"Content-Type") or b"").decode("latin-1") or None,
            body=post.html,
            content_sha256=post.content_sha256,
            published_at=post.posted_at,
            meta=meta,
            body_text=post.text,
            body_text_version=TEXT_VERSION,
        )
