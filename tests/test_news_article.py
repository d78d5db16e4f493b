"""The pure pieces of the news spiders: what lands for a fetched page, and the discovery ledger."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from claimwatch.ingest.discovery import DiscoveryLedger
from claimwatch.ingest.http_cache import FetchRecord
from claimwatch.ingest.news_article import (
    FetchedPage,
    Lead,
    PageRefused,
    build_article_item,
    choose_published_at,
    content_sha256,
    is_article,
    read_article_page,
)
from claimwatch.parse.articles import ArticleExtractionError
from claimwatch.parse.urls import PageHints

NOW = datetime(2026, 10, 10, 8, 0, tzinfo=UTC)
BODY = " ".join(["Officials said the drone was intercepted over the northern district on Tuesday."] * 6)
PAGE = (
    "<!doctype html><html><head><title>Drone intercepted</title>"
    '<link rel="canonical" href="https://news.example/a/1?utm_source=x">'
    '<meta property="og:type" content="article">'
    '<meta property="article:published_time" content="2026-10-10T10:20:00+03:00"></head>'
    f"<body><article><h1>Drone intercepted</h1><p>{BODY}</p><p>{BODY}</p></article></body></html>"
)


def _fetched(body: bytes, url: str = "https://news.example/a/1") -> FetchedPage:
    return FetchedPage(url, url, 200, body, "text/html; charset=utf-8", '"v1"', None, NOW)


def _lead(found_as: str = "feed", strict: bool = False) -> Lead:
    url = "https://news.example/a/1?utm_source=rss"
    return Lead(url, "https://news.example/a/1", "https://news.example/feed.xml", found_as, strict_article=strict)


def test_publication_time_and_version_hash() -> None:
    feed_time = datetime(2026, 10, 10, 7, 20, tzinfo=UTC)
    assert choose_published_at("2026-10-10T10:20:00+03:00", None) == feed_time
    assert choose_published_at("2026-10-10", feed_time) == feed_time  # a bare date loses to a full time
    assert choose_published_at("2026-10-10", None) == datetime(2026, 10, 10, tzinfo=UTC)
    assert choose_published_at(None, feed_time) == feed_time
    assert choose_published_at("not a date", None) is None
    assert content_sha256("T", "body ") == content_sha256(" T", "body") == hashlib.sha256(b"T\n\nbody").hexdigest()
    assert content_sha256("T", "body") != content_sha256("T2", "body")


def test_an_article_page_becomes_one_item_under_its_canonical_url() -> None:
    fetched = _fetched(PAGE.encode())
    page = read_article_page(fetched, ["news.example"])
    assert page.key == "https://news.example/a/1"
    item = build_article_item("site", _lead(), fetched, page)
    assert item.external_id == "https://news.example/a/1" and item.source_id == "site"
    assert item.published_at == datetime(2026, 10, 10, 7, 20, tzinfo=UTC)
    assert item.meta["found_as"] == "feed" and item.meta["etag"] == '"v1"'
    assert item.original is None


@pytest.mark.parametrize(
    ("body", "reason", "incomplete"),
    [
        (b"", "undecodable page: empty document", None),
        (b'{"error": "not found"}', "not an HTML page", None),
        (PAGE.encode()[:-200], "truncated page (no closing </html>)", "truncated page"),
    ],
)
def test_pages_that_cannot_land_are_refused_with_their_reason(body: bytes, reason: str, incomplete: str | None) -> None:
    with pytest.raises(PageRefused) as refused:
        read_article_page(_fetched(body), ["news.example"])
    assert refused.value.reason == reason and refused.value.incomplete == incomplete


def test_an_empty_article_body_is_not_extracted_from_what_is_around_it() -> None:
    html = PAGE.replace("<article>", '<div itemprop="articleBody"></div><article>')
    fetched = _fetched(html.encode())
    with pytest.raises(ArticleExtractionError, match="empty article body"):
        build_article_item("site", _lead(), fetched, read_article_page(fetched, ["news.example"]))


def test_a_listing_vouches_for_a_page_as_an_article_unless_it_is_a_plain_sitemap() -> None:
    website = PageHints(og_type="website")
    assert is_article(_lead("feed"), website)
    assert is_article(_lead("sitemap"), website)  # Google News entry
    assert not is_article(_lead("sitemap", strict=True), website)
    assert is_article(_lead("sitemap", strict=True), PageHints(og_type="article"))
    assert not is_article(_lead("listing"), website)
    assert is_article(_lead("listing"), PageHints())


def test_the_ledger_holds_back_a_page_with_a_transient_failure_under_it() -> None:
    ledger = DiscoveryLedger()
    ledger.page_requested(())
    for key in ("feed", "other"):
        ledger.record_page(FetchRecord(key, 200, NOW, etag=f'"{key}"'))
    ledger.requested(("feed",))
    ledger.requested(("feed",))
    ledger.settle(("feed",), transient_failure=False)
    records, held = ledger.records_to_store(lambda key: True)
    assert held == ["feed"] and [r.url for r in records] == ["other"]  # one request under "feed" still open
    ledger.settle(("feed",), transient_failure=True)
    assert ledger.records_to_store(lambda key: True)[1] == ["feed"]  # answered, but failed transiently
    assert ledger.records_to_store(lambda key: key != "other")[1] == ["feed", "other"]
    assert ledger.page_answered((), transient_failure=False)  # the last discovery page: discovery is over


def test_the_ledger_names_listings_by_canonical_url() -> None:
    ledger = DiscoveryLedger()
    ledger.listed("https://news.example/a/1", "https://news.example/feed.xml", "feed")
    ledger.alias("https://news.example/a/1", "https://news.example/story/1")
    assert ledger.listing_rows() == {("https://news.example/story/1", "https://news.example/feed.xml", "feed")}
