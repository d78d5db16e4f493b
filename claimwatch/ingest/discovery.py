"""The discovery ledger of a news crawl: which feed, sitemap and listing pages are still open, and which may vouch
for what they listed.

A discovery page's validators (``ETag``/``Last-Modified``) are a promise: "next run, a ``304`` here means nothing
under this page needs fetching". That promise may be stored only when every request the page led to (its
articles, and for a sitemap index its child sitemaps) was answered without a transient failure; otherwise a
``304`` next run would hide the article that failed. So each request carries the keys of the discovery pages
above it (``parents``), the ledger counts what is outstanding under each page, and marks a page *dirty* when
something under it failed transiently. It also says when discovery is over (no discovery page pending), which is
when the walk can finish.

Pure bookkeeping, no Scrapy and no database: the spider feeds it events and, at close, asks which records to
store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from claimwatch.ingest.http_cache import FetchRecord


@dataclass
class DiscoveryLedger:
    """Requests outstanding per discovery page, transient failures under them, and what the run will record."""

    pending_pages: int = 0  # discovery requests sent and not yet answered
    outstanding: Counter[str] = field(default_factory=Counter)  # page key -> requests it led to, unanswered
    dirty: set[str] = field(default_factory=set)  # page keys under which a request failed transiently
    page_records: dict[str, FetchRecord] = field(default_factory=dict)  # page key -> its validators
    article_records: list[FetchRecord] = field(default_factory=list)
    listings: set[tuple[str, str, str]] = field(default_factory=set)  # (lead key, listing page, found_as)
    canonical_of: dict[str, str] = field(default_factory=dict)  # lead key -> the canonical URL its page declared

    def page_requested(self, parents: Iterable[str]) -> None:
        """A discovery page was requested under ``parents``: discovery is open until it is answered."""
        self.pending_pages += 1
        self.requested(parents)

    def requested(self, parents: Iterable[str]) -> None:
        """A request (article or discovery page) was sent under ``parents``."""
        for parent in parents:
            self.outstanding[parent] += 1

    def settle(self, parents: Iterable[str], transient_failure: bool) -> None:
        """A request under ``parents`` was answered; a transient failure holds back every parent's validators."""
        for parent in parents:
            self.outstanding[parent] -= 1
            if transient_failure:
                self.dirty.add(parent)

    def page_answered(self, parents: Iterable[str], transient_failure: bool) -> bool:
        """A discovery page was answered (or failed); True when it was the last one, so discovery is over."""
        self.settle(parents, transient_failure)
        self.pending_pages -= 1
        return self.pending_pages == 0

    def record_page(self, record: FetchRecord) -> None:
        """Remember a discovery page's validators (stored at close only if everything under it went well)."""
        self.page_records[record.url] = record

    def forget_page(self, key: str) -> None:
        """Never store this page's validators this run (it was damaged, not what it claims, or must be re-read)."""
        self.page_records.pop(key, None)

    def record_article(self, record: FetchRecord) -> None:
        """Remember an article fetch (its row is written at close only if its document is in the warehouse)."""
        self.article_records.append(record)

    def listed(self, lead_key: str, page: str, found_as: str) -> None:
        """Provenance: ``page`` (a ``found_as`` listing) named the article ``lead_key``."""
        self.listings.add((lead_key, page, found_as))

    def alias(self, lead_key: str, canonical: str) -> None:
        """The page fetched for ``lead_key`` declared ``canonical``: provenance rows name the canonical URL."""
        self.canonical_of[lead_key] = canonical

    def records_to_store(self, allowed: Callable[[str], bool]) -> tuple[list[FetchRecord], list[str]]:
        """Article records, plus the records of discovery pages that may vouch for what they listed; and the keys of
        the pages held back (a request under them is unanswered or failed transiently, or ``allowed`` refuses)."""
        records = list(self.article_records)
        held = []
        for key, record in self.page_records.items():
            if self.outstanding[key] > 0 or key in self.dirty or not allowed(key):
                held.append(key)
            else:
                records.append(record)
        return records, held

    def listing_rows(self) -> set[tuple[str, str, str]]:
        """Provenance rows, each under the canonical URL of the article when its page declared one."""
        return {(self.canonical_of.get(url, url), page, kind) for url, page, kind in self.listings}
