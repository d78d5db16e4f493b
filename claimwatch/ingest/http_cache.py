"""``ops.http_cache``: what the news spiders remember about each URL between runs.

Two uses, one table:

* **conditional GET**: feeds, sitemaps, listing pages and articles are requested with ``If-None-Match`` /
  ``If-Modified-Since`` from their last ``200``; a ``304`` means there is nothing new to read;
* **revisit windows**: an article fetched (or landed) within the source's ``revisit_hours`` is not requested at
  all; after that it is re-checked, conditionally, to catch edits. The window is the URL's, not the source's: a
  site's RSS, Atom and sitemap sources are separate registry entries, and an article any of them fetched is not
  fetched again by the others within the window.

Rows are written once per crawl, after the item pipeline has committed the documents (see
:func:`record_fetches`): a validator that says "seen" must never get ahead of the data it vouches for, or a crash
would make the next run skip an article that never landed. Discovery pages (feeds, sitemaps, listings) are the
caller's responsibility: the spider hands them over only when every article they led to was dealt with.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import psycopg2.extensions

from claimwatch.config import warehouse_reconnect_seconds
from claimwatch.warehouse import connect, query
from claimwatch.warehouse.connection import CONNECTION_LOST, open_connection


@dataclass(frozen=True)
class CacheEntry:
    """What the warehouse knows about one URL of a source."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    content_sha256: str | None = None
    last_fetched_at: datetime | None = None
    recent: bool = False  # fetched or landed within the revisit window
    fetched_by: str | None = None  # source of the latest fetch (another listing of the same site, possibly)

    @property
    def known(self) -> bool:
        """Fetched or landed at least once."""
        return self.last_fetched_at is not None

    def conditional_headers(self) -> dict[str, str]:
        """Request headers that turn a GET into a conditional one (empty when nothing is stored)."""
        headers: dict[str, str] = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class FetchRecord:
    """One fetch to remember. ``document_id`` is set for an article: the canonical URL the row vouches for, so
    the row is written only if that document is in the warehouse."""

    url: str
    http_status: int
    fetched_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    content_sha256: str | None = None
    document_id: str | None = None


def lookup(
    conn: psycopg2.extensions.connection, source_id: str, urls: Iterable[str], revisit_hours: float
) -> dict[str, CacheEntry]:
    """Cache entries of ``urls`` (every URL asked gets an entry; unknown ones are empty), in one query.

    Fetches by any source count: the URL names the article, whichever listing of the site led to it."""
    wanted = sorted(set(urls))
    if not wanted:
        return {}
    with conn.cursor() as cur:
        cur.execute(
            query("news_http_cache_lookup"),
            {"source_id": source_id, "urls": wanted, "revisit_seconds": float(revisit_hours) * 3600.0},
        )
        rows = cur.fetchall()
    return {
        url: CacheEntry(url, etag, last_modified, sha, fetched_at, bool(recent), fetched_by)
        for url, etag, last_modified, sha, fetched_at, recent, fetched_by in rows
    }


def record_fetches(cur: psycopg2.extensions.cursor, source_id: str, records: Iterable[FetchRecord]) -> int:
    """Upsert fetch records in one statement, inside the caller's transaction; return rows written.

    Article records whose document is not in ``raw.documents`` or ``ops.quarantine`` are left out by the SQL
    itself. Of several records for one URL the latest wins; an older record never overwrites a newer row.
    """
    latest: dict[str, FetchRecord] = {}
    for record in records:
        if record.url not in latest or latest[record.url].fetched_at <= record.fetched_at:
            latest[record.url] = record
    if not latest:
        return 0
    rows = list(latest.values())
    cur.execute(
        query("news_http_cache_upsert"),
        {
            "source_id": source_id,
            "urls": [r.url for r in rows],
            "etags": [r.etag for r in rows],
            "last_modified": [r.last_modified for r in rows],
            "content_sha256": [r.content_sha256 for r in rows],
            "http_status": [r.http_status for r in rows],
            "fetched_at": [r.fetched_at for r in rows],
            "document_ids": [r.document_id for r in rows],
        },
    )
    return int(cur.rowcount)


def record_listings(
    cur: psycopg2.extensions.cursor, source_id: str, crawl_run_id: int | None, listings: Iterable[tuple[str, str, str]]
) -> int:
    """Upsert ``(article url, listing page url, found_as)`` provenance rows in one statement; return rows written.

    Kept beside the fetch validators because both answer "which listing led to this URL, and when": an article
    fetched once for the RSS feed is still known to be named by the Atom feed and the sitemap.
    """
    rows = sorted(set(listings))
    if not rows:
        return 0
    cur.execute(
        query("document_listings_upsert"),
        {
            "source_id": source_id,
            "crawl_run_id": crawl_run_id,
            "urls": [r[0] for r in rows],
            "listed_on": [r[1] for r in rows],
            "found_as": [r[2] for r in rows],
        },
    )
    return int(cur.rowcount)


class CacheReader:
    """Lookups of one source's cache entries during a crawl, on one autocommit connection held for the run.

    A spider asks before each batch of requests (a few milliseconds per discovery page); opening a connection per
    question would cost more than the question. A lost connection (warehouse restart) is reopened, within the
    reconnect window, and the query asked again. Read-only: rows are written by :func:`record_run` at close.
    """

    def __init__(self, dsn: str, source_id: str, revisit_hours: float) -> None:
        self.dsn = dsn
        self.source_id = source_id
        self.revisit_hours = revisit_hours
        self._conn: psycopg2.extensions.connection | None = None

    def entries(self, urls: list[str]) -> dict[str, CacheEntry]:
        """Cache entries of ``urls`` (see :func:`lookup`); none asked, no query."""
        if not urls:
            return {}
        for attempt in (1, 2):
            if self._conn is None or self._conn.closed:
                self._conn = open_connection(
                    self.dsn, application_name="claimwatch-news-lookup", retry_for=warehouse_reconnect_seconds()
                )
                self._conn.autocommit = True
            try:
                return lookup(self._conn, self.source_id, urls, self.revisit_hours)
            except CONNECTION_LOST:
                self._conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def entry(self, url: str) -> CacheEntry:
        """The cache entry of one URL (empty when the URL was never fetched)."""
        return self.entries([url]).get(url) or CacheEntry(url)

    def close(self) -> None:
        """Close the lookup connection, if one was opened."""
        if self._conn is not None:
            self._conn.close()


def record_run(
    dsn: str,
    source_id: str,
    crawl_run_id: int | None,
    records: Iterable[FetchRecord],
    listings: Iterable[tuple[str, str, str]],
) -> int:
    """Write a crawl's fetch records and listing provenance in one transaction, on a short-lived connection, once
    the item pipeline has committed the documents they vouch for; return the ``http_cache`` rows written."""
    with (
        connect(dsn, application_name="claimwatch-news-cache", retry_for=warehouse_reconnect_seconds()) as conn,
        conn.cursor() as cur,
    ):
        written = record_fetches(cur, source_id, records)
        record_listings(cur, source_id, crawl_run_id, listings)
    return written
