"""Real crawls of the demo news site, served on loopback, landing into a real PostgreSQL.

The demo site hard-codes ``http://127.0.0.1:8766`` in its feeds, sitemaps and canonical links. Tests run in parallel
with other engineers' tests, so instead of taking that fixed port each test copies the site, serves the copy on a
free port and rewrites the host in the copy (the windows-1256 page is safe to rewrite: the host is ASCII).

The spiders run the way the DAG runs them, in a ``claimwatch.ingest.crawl`` subprocess.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from parsel import Selector

from claimwatch.ingest.crawl import register_source
from claimwatch.ingest.http_cache import FetchRecord, lookup, record_fetches
from claimwatch.registry import Source
from claimwatch.tools.replay import Fault, ReplayServer
from spiders.spiders.listing import select_links
from tests import crawl_helpers
from tests.crawl_helpers import ARABIC, DEMO_SITE, ENGLISH

SECURITY_LISTING = [  # section/security: page 1 (broken-empty first) and page 2
    "al-tanf-drone-attack-centcom",
    "harir-base-drone-shot-down-erbil",
    "yemen-missile-haifa-intercepted",
    "kiryat-shmona-hezbollah-rocket-salvo",
    "ain-al-asad-rockets-no-casualties",
    "golan-golani-base-drone-claim",
    "eilat-drone-intercepted-from-east",
]


# --- helpers -------------------------------------------------------------------------------------------------


def _news_titles() -> dict[str, str]:
    """Headline of every article by path, from the demo's Google News sitemap (written by the site's author)."""
    text = (DEMO_SITE / "sitemap-news.xml").read_text(encoding="utf-8")
    pairs = re.findall(r"<loc>http://127\.0\.0\.1:8766/([^<]+)</loc>.*?<news:title>([^<]+)</news:title>", text, re.S)
    return {path: title.replace("&amp;", "&").replace("&#x27;", "'") for path, title in pairs}


@contextmanager
def serve_site(tmp_path: Path, edit: Any = None, faults: tuple[Fault, ...] = ()) -> Iterator[tuple[ReplayServer, Path]]:
    """Serve a copy of the demo site on a free loopback port, its absolute URLs rewritten to that port."""
    site = tmp_path / "site"
    shutil.copytree(DEMO_SITE, site)
    with ReplayServer(site=site, faults=faults) as server:
        for path in site.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                if b"127.0.0.1:8766" in data:
                    path.write_bytes(data.replace(b"127.0.0.1:8766", f"127.0.0.1:{server.port}".encode()))
        if edit is not None:
            edit(site, server)
        yield server, site


def news_entry(source_id: str, kind: str, url: str, retries: int = 3, **extra: Any) -> str:
    """A registry entry for a loopback news source: no delays, robots obeyed."""
    lines = [f'[[source]]\nid = "{source_id}"\nkind = "{kind}"\nurl = "{url}"\nbackfill = "all"']
    for key, value in extra.items():
        lines.append(f"{key} = {json.dumps(value)}")
    lines.append(
        "politeness = { download_delay = 0.0, autothrottle = false, concurrency = 4, obey_robots = true, "
        f"retries = {retries} }}"
    )
    if kind == "listing":
        lines.append('selectors = { article_links = "a.article-link", next_page = "a.next-page[rel=next]" }')
    return "\n".join(lines) + "\n"


def write_registry(tmp_path: Path, *entries: str) -> Path:
    return crawl_helpers.write_registry(tmp_path / "sources.toml", *entries)


def run_crawl(registry: Path, source_id: str, dsn: str) -> tuple[dict[str, Any], str]:
    """One crawl in a subprocess, as the DAG runs it; return the crawl-run summary row and the log."""
    code, summary, log = crawl_helpers.run_crawl(registry, source_id, dsn, timeout=300)
    assert summary, f"crawl of {source_id} printed no summary (exit {code}):\n{log[-4000:]}"
    return summary, log


def rows(dsn: str, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def documents(dsn: str, source_id: str) -> dict[str, dict[str, Any]]:
    found = rows(
        dsn,
        "SELECT external_id, url, meta, published_at, body, content_sha256 FROM raw.documents WHERE source_id = %s",
        source_id,
    )
    result = {}
    for external_id, url, meta, published_at, body, sha in found:
        assert external_id not in result, f"{external_id} landed twice"
        result[external_id] = {"url": url, "meta": meta, "published_at": published_at, "body": body, "sha": sha}
    return result


def requests_since(server: ReplayServer, start: int) -> list[tuple[str, int]]:
    return [(path, status) for _method, path, status in server.request_log[start:]]


# --- crawls of the demo site ---------------------------------------------------------------------------------


def test_feed_crawl_lands_each_article_once_and_an_unchanged_rerun_only_asks_if_modified(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    titles = _news_titles()
    with serve_site(tmp_path) as (server, _site):
        base = server.url
        registry = write_registry(
            tmp_path,
            news_entry("levant_feed", "feed", f"{base}/feed.xml"),
            news_entry("levant_ar", "feed", f"{base}/ar/atom.xml"),
        )
        summary, log = run_crawl(registry, "levant_feed", warehouse_dsn)
        assert summary["status"] == "success", log[-3000:]
        assert summary["new_rows"] == 10 and summary["quarantined"] == 1

        landed = documents(warehouse_dsn, "levant_feed")
        assert set(landed) == {f"{base}/articles/{slug}.html" for slug in ENGLISH}
        for key, doc in landed.items():
            assert "utm_" not in key and "utm_" not in doc["url"]
            path = key.removeprefix(f"{base}/")
            assert doc["meta"]["title"] == titles[path]
            assert doc["meta"]["feed"]["title"] == titles[path]  # the feed entry is kept beside the page's own data
            assert doc["meta"]["canonical_url"] == key
            assert doc["meta"]["etag"] and doc["meta"]["last_modified"]
            assert doc["meta"]["encoding"] == "utf-8"
            assert doc["published_at"] is not None and doc["published_at"].tzinfo is not None
            assert "<html" in doc["body"].lower()
        harir = landed[f"{base}/articles/harir-base-drone-shot-down-erbil.html"]
        assert harir["published_at"] == datetime(2026, 10, 10, 7, 20, tzinfo=UTC)
        assert harir["meta"]["feed"]["link"].endswith("?utm_source=rss&utm_medium=feed")

        quarantined = rows(
            warehouse_dsn, "SELECT url, external_id, reason, length(content) FROM ops.quarantine WHERE source_id = %s",
            "levant_feed",
        )  # fmt: skip
        assert len(quarantined) == 1
        url, external_id, reason, size = quarantined[0]
        assert url == external_id == f"{base}/articles/broken-empty.html"
        assert "empty article body" in reason and size > 1000

        before = len(server.request_log)
        again, log = run_crawl(registry, "levant_feed", warehouse_dsn)
        assert again["status"] == "success", log[-3000:]
        assert again["new_rows"] == 0 and again["quarantined"] == 0
        assert requests_since(server, before) == [("/robots.txt", 200), ("/feed.xml", 304)]
        assert again["requests"] == 2

        summary, log = run_crawl(registry, "levant_ar", warehouse_dsn)
        assert summary["status"] == "success", log[-3000:]
        arabic = documents(warehouse_dsn, "levant_ar")
        assert set(arabic) == {f"{base}/ar/articles/{slug}.html" for slug in ARABIC}
        cp1256 = arabic[f"{base}/ar/articles/harir-drone-1256.html"]
        # The demo's sidecar declares windows-1256; whether or not the replay server honours that sidecar format,
        # the page must decode to Arabic (by the header, or by its own <meta charset> over a wrong header).
        assert cp1256["meta"]["encoding"] == "cp1256"
        assert cp1256["meta"]["encoding_evidence"] in ("http-header", "meta")
        assert cp1256["meta"]["title"] == "إسقاط طائرة مسيّرة مفخخة قرب قاعدة حرير شمال أربيل"
        assert "قاعدة حرير" in cp1256["body"] and "Ø" not in cp1256["body"]
        assert cp1256["published_at"] == datetime(2026, 10, 10, 8, 0, tzinfo=UTC)


def test_sitemap_crawl_follows_the_index_skips_non_articles_and_reruns_conditionally(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    titles = _news_titles()
    with serve_site(tmp_path) as (server, _site):
        base = server.url
        registry = write_registry(tmp_path, news_entry("levant_sitemap", "sitemap", f"{base}/sitemap_index.xml"))
        summary, log = run_crawl(registry, "levant_sitemap", warehouse_dsn)
        assert summary["status"] == "success", log[-3000:]
        assert summary["new_rows"] == 16 and summary["quarantined"] == 0
        landed = documents(warehouse_dsn, "levant_sitemap")
        expected = {f"{base}/articles/{s}.html" for s in ENGLISH} | {f"{base}/ar/articles/{s}.html" for s in ARABIC}
        assert set(landed) == expected  # home, section and about pages of sitemap-pages.xml are not articles
        for key, doc in landed.items():
            assert doc["meta"]["title"] == titles[key.removeprefix(f"{base}/")]
            assert doc["meta"]["sitemap"]["news_title"] == doc["meta"]["title"]
        cp1256 = landed[f"{base}/ar/articles/harir-drone-1256.html"]
        assert "إسقاط طائرة مسيّرة" in cp1256["body"] and cp1256["meta"]["encoding"] == "cp1256"
        cursor = rows(warehouse_dsn, "SELECT cursor FROM ops.source_state WHERE source_id = 'levant_sitemap'")[0][0]
        assert cursor["sitemaps"] == [f"{base}/sitemap-news.xml", f"{base}/sitemap-pages.xml"]
        pages_per_second = summary["requests"] / summary["duration_s"]
        print(f"\nsitemap crawl: {summary['requests']} requests in {summary['duration_s']:.2f}s "
              f"= {pages_per_second:.1f} pages/s")  # fmt: skip

        before = len(server.request_log)
        again, log = run_crawl(registry, "levant_sitemap", warehouse_dsn)
        assert again["status"] == "success", log[-3000:]
        assert again["new_rows"] == 0
        assert sorted(requests_since(server, before)) == [
            ("/robots.txt", 200),
            ("/sitemap-news.xml", 304),
            ("/sitemap-pages.xml", 304),
            ("/sitemap_index.xml", 304),
        ]


def test_listing_crawl_pages_by_selectors_and_stops_on_an_unchanged_first_page(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    with serve_site(tmp_path) as (server, _site):
        base = server.url
        registry = write_registry(tmp_path, news_entry("levant_security", "listing", f"{base}/section/security/"))
        summary, log = run_crawl(registry, "levant_security", warehouse_dsn)
        assert summary["status"] == "success", log[-3000:]
        assert summary["finish_reason"] == "last listing page (2)"
        landed = documents(warehouse_dsn, "levant_security")
        assert set(landed) == {f"{base}/articles/{slug}.html" for slug in SECURITY_LISTING}
        tanf = landed[f"{base}/articles/al-tanf-drone-attack-centcom.html"]
        assert tanf["meta"]["listing"]["href"].endswith("?ref=section-security")  # found with, landed without
        assert rows(warehouse_dsn, "SELECT reason FROM ops.quarantine")[0][0].startswith("no article extracted")
        # sidebar and ticker links are not articles of this listing
        assert f"{base}/articles/basra-oil-exports-september.html" not in landed

        before = len(server.request_log)
        again, log = run_crawl(registry, "levant_security", warehouse_dsn)
        assert again["status"] == "success" and again["new_rows"] == 0, log[-3000:]
        assert requests_since(server, before) == [("/robots.txt", 200), ("/section/security/", 304)]


def _break_the_site(site: Path, server: ReplayServer) -> None:
    """A 403 article, a redirect loop, a duplicate and an off-site feed entry, and a sitemap index listing itself
    and a gzip sitemap."""
    (site / "articles" / "members-only.html").write_text("<html><body>Subscribe to read</body></html>")
    (site / "articles" / "members-only.html.headers").write_text('{"status": 403}')
    (site / "articles" / "loop.html").write_text("<html><body>never served</body></html>")
    (site / "articles" / "loop.html.headers").write_text(
        json.dumps({"status": 302, "headers": {"Location": "/articles/loop.html"}})
    )
    extra = "".join(
        f"<item><title>{title}</title><link>{server.url}{path}</link>"
        "<pubDate>Tue, 13 Oct 2026 08:00:00 GMT</pubDate></item>\n"
        for title, path in [
            ("Members only", "/articles/members-only.html"),
            ("Redirect loop", "/articles/loop.html"),
            ("Harir again", "/articles/harir-base-drone-shot-down-erbil.html?utm_campaign=again#top"),
        ]
    )
    extra += "<item><title>Elsewhere</title><link>http://elsewhere.invalid/story.html</link></item>\n"
    feed = site / "feed.xml"
    feed.write_text(feed.read_text(encoding="utf-8").replace("</channel>", extra + "</channel>"), encoding="utf-8")
    (site / "sitemap_loop.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{server.url}/sitemap_loop.xml</loc></sitemap>"
        f"<sitemap><loc>{server.url}/sitemap-news.xml.gz</loc></sitemap></sitemapindex>\n",
        encoding="utf-8",
    )
    (site / "sitemap-news.xml.gz").write_bytes(gzip.compress((site / "sitemap-news.xml").read_bytes()))


def test_bad_input_is_logged_and_quarantined_and_the_run_goes_on(warehouse_dsn: str, tmp_path: Path) -> None:
    with serve_site(tmp_path, _break_the_site) as (server, _site):
        base = server.url
        registry = write_registry(
            tmp_path,
            news_entry("broken_feed", "feed", f"{base}/feed.xml"),
            news_entry("html_feed", "feed", f"{base}/index.html"),
            news_entry("text_feed", "feed", f"{base}/robots.txt"),
            news_entry("loop_sitemap", "sitemap", f"{base}/sitemap_loop.xml"),
        )
        summary, log = run_crawl(registry, "broken_feed", warehouse_dsn)
        # the 403 and the redirect loop keep the cursor (partial), but every other article landed
        assert summary["status"] == "partial", log[-3000:]
        assert summary["new_rows"] == 10
        assert set(documents(warehouse_dsn, "broken_feed")) == {f"{base}/articles/{s}.html" for s in ENGLISH}
        (error_reasons,) = rows(
            warehouse_dsn, "SELECT error_reasons FROM ops.crawl_runs WHERE crawl_run_id = %s", summary["crawl_run_id"]
        )[0]
        assert "HTTP 403" in error_reasons
        assert any(reason.startswith("redirect loop") for reason in error_reasons)
        assert "redirect loop or chain longer than 5 hops" in log
        reasons = dict(rows(warehouse_dsn, "SELECT url, reason FROM ops.quarantine WHERE source_id = 'broken_feed'"))
        assert reasons[f"{base}/articles/members-only.html"] == "HTTP 403"
        assert "empty article body" in reasons[f"{base}/articles/broken-empty.html"]
        hits = [path for path, _status in requests_since(server, 0)]
        assert hits.count("/articles/harir-base-drone-shot-down-erbil.html") == 1  # listed twice, fetched once
        assert 2 <= hits.count("/articles/loop.html") <= 6  # followed, then given up: no endless loop
        assert "off-site link not followed: http://elsewhere.invalid/story.html" in log
        assert (
            rows(warehouse_dsn, "SELECT cursor_after FROM ops.crawl_runs WHERE source_id = 'broken_feed'")[0][0] is None
        )

        for source_id, why in [("html_feed", "an HTML page served as a feed"), ("text_feed", "not XML")]:
            summary, log = run_crawl(registry, source_id, warehouse_dsn)
            assert summary["status"] == "failed" and summary["new_rows"] == 0
            (reason,) = [r for (r,) in rows(warehouse_dsn, "SELECT reason FROM ops.quarantine WHERE source_id = %s",
                                             source_id)]  # fmt: skip
            assert reason.startswith("not a feed") and why in reason
            assert why in log

        before = len(server.request_log)
        summary, log = run_crawl(registry, "loop_sitemap", warehouse_dsn)
        assert summary["status"] == "success", log[-3000:]
        # the ten English articles were fetched by broken_feed, another listing of the same site, moments ago: the
        # sitemap names them (provenance) but does not fetch or land them again
        assert summary["new_rows"] == 6
        assert summary["skips"]["fetched within the revisit window (24 h) by source broken_feed"] == 10
        assert summary["skips"]["sitemap already read in this run (loop)"] == 1
        assert "sitemap loop" in log
        hits = [path for path, _status in requests_since(server, before)]
        assert hits.count("/sitemap_loop.xml") == 1 and hits.count("/sitemap-news.xml.gz") == 1


def test_revisit_window_then_conditional_revisits_land_only_real_edits(warehouse_dsn: str, tmp_path: Path) -> None:
    with serve_site(tmp_path) as (server, site):
        base = server.url
        feed_url = f"{base}/feed.xml"
        registry = write_registry(tmp_path, news_entry("levant_feed", "feed", feed_url))
        first, log = run_crawl(registry, "levant_feed", warehouse_dsn)
        assert first["new_rows"] == 10, log[-3000:]

        feed = site / "feed.xml"
        feed.write_text(feed.read_text(encoding="utf-8") + "<!-- rebuilt -->\n", encoding="utf-8")
        before = len(server.request_log)
        second, log = run_crawl(registry, "levant_feed", warehouse_dsn)
        assert second["new_rows"] == 0, log[-3000:]
        # the feed changed, but every article was fetched within the 24 h revisit window: none is asked again
        assert requests_since(server, before) == [("/robots.txt", 200), ("/feed.xml", 200)]
        assert "fetched within the revisit window" in log

        # Revisit everything now: a rotating sidebar is not an edit, a corrected body is.
        registry = write_registry(tmp_path, news_entry("levant_feed", "feed", feed_url, revisit_hours=0))
        ad = site / "articles" / "basra-oil-exports-september.html"
        ad.write_text(ad.read_text(encoding="utf-8").replace("Most read", "Trending now"), encoding="utf-8")
        edit = site / "articles" / "golan-golani-base-drone-claim.html"
        text = edit.read_text(encoding="utf-8")
        assert "Golani" in text
        edit.write_text(text.replace("<p>", "<p>Correction: an earlier version misstated the time. ", 1), "utf-8")
        feed.write_text(feed.read_text(encoding="utf-8") + "<!-- rebuilt again -->\n", encoding="utf-8")
        before = len(server.request_log)
        third, log = run_crawl(registry, "levant_feed", warehouse_dsn)
        assert third["status"] == "success", log[-3000:]
        assert third["new_rows"] == 1
        statuses = dict(requests_since(server, before))
        assert statuses["/articles/basra-oil-exports-september.html"] == 200
        assert statuses["/articles/golan-golani-base-drone-claim.html"] == 200
        assert statuses["/articles/eilat-drone-intercepted-from-east.html"] == 304  # conditional revisit
        assert sum(1 for s in statuses.values() if s == 304) == 9  # 8 untouched articles + broken-empty
        versions = dict(rows(warehouse_dsn, "SELECT external_id, count(*) FROM raw.documents GROUP BY 1"))
        assert versions[f"{base}/articles/golan-golani-base-drone-claim.html"] == 2
        assert versions[f"{base}/articles/basra-oil-exports-september.html"] == 1


def test_a_transient_article_failure_holds_back_the_feed_validators(warehouse_dsn: str, tmp_path: Path) -> None:
    """Had the feed's ETag been stored, the next run would get a 304 and never see the article that failed."""
    outage = Fault(match="/articles/golan-*", status=503, times=1)
    with serve_site(tmp_path, faults=(outage,)) as (server, _site):
        registry = write_registry(tmp_path, news_entry("levant_feed", "feed", f"{server.url}/feed.xml", retries=0))
        first, log = run_crawl(registry, "levant_feed", warehouse_dsn)
        assert first["status"] == "partial" and first["new_rows"] == 9, log[-3000:]
        assert "validators not recorded" in log
        assert rows(warehouse_dsn, "SELECT count(*) FROM ops.http_cache WHERE url LIKE '%%feed.xml'")[0][0] == 0

        before = len(server.request_log)
        second, log = run_crawl(registry, "levant_feed", warehouse_dsn)
        assert second["status"] == "success" and second["new_rows"] == 1, log[-3000:]
        assert requests_since(server, before) == [
            ("/robots.txt", 200),
            ("/feed.xml", 200),
            ("/articles/golan-golani-base-drone-claim.html", 200),  # only the missing one; the rest are recent
        ]


# --- pieces ----------------------------------------------------------------------------------------------------


def test_http_cache_rows_for_articles_wait_for_their_document(warehouse_dsn: str) -> None:
    source = Source(id="cache_test", kind="feed", url="http://h.example/feed.xml")
    register_source(source, warehouse_dsn)
    now = datetime.now(UTC)
    landed = FetchRecord("http://h.example/a", 200, now, '"e1"', None, "sha-a", document_id="http://h.example/a")
    missing = FetchRecord("http://h.example/b", 200, now, '"e2"', None, "sha-b", document_id="http://h.example/b")
    feed = FetchRecord("http://h.example/feed.xml", 200, now, '"f"', "Tue, 13 Oct 2026 07:00:00 GMT", "sha-f")
    with psycopg2.connect(warehouse_dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO raw.documents (source_id, external_id, content_sha256, url, fetched_at, http_status, body) "
            "VALUES ('cache_test', 'http://h.example/a', 'sha-a', 'http://h.example/a', now(), 200, '<html/>')"
        )
        assert record_fetches(cur, "cache_test", [landed, missing, feed]) == 2
    with psycopg2.connect(warehouse_dsn) as conn:
        entries = lookup(
            conn, "cache_test", ["http://h.example/a", "http://h.example/b", "http://h.example/feed.xml"], 24
        )
    assert entries["http://h.example/a"].recent and entries["http://h.example/a"].etag == '"e1"'
    assert not entries["http://h.example/b"].known  # its document never landed: it will be fetched again
    assert entries["http://h.example/feed.xml"].conditional_headers() == {
        "If-None-Match": '"f"',
        "If-Modified-Since": "Tue, 13 Oct 2026 07:00:00 GMT",
    }
    # a 304 keeps the validators and hash, and restarts the revisit window
    later = FetchRecord("http://h.example/feed.xml", 304, datetime.now(UTC), None, None, None)
    with psycopg2.connect(warehouse_dsn) as conn, conn.cursor() as cur:
        record_fetches(cur, "cache_test", [later])
        cur.execute("SELECT etag, content_sha256, http_status FROM ops.http_cache WHERE url LIKE '%feed.xml'")
        assert cur.fetchone() == ('"f"', "sha-f", 304)
    with psycopg2.connect(warehouse_dsn) as conn:
        assert lookup(conn, "cache_test", ["http://h.example/feed.xml"], 0)["http://h.example/feed.xml"].recent is False


def test_select_links_takes_css_or_xpath() -> None:
    html = (DEMO_SITE / "section" / "security" / "index.html").read_text(encoding="utf-8")
    page = Selector(text=html)
    css = select_links(page, "a.article-link")
    assert len(css) == 5 and css[0] == "/articles/broken-empty.html"
    assert select_links(page, "//a[contains(@class, 'article-link')]") == css
    assert select_links(page, "//a[contains(@class, 'article-link')]/@href") == css
    assert select_links(page, "(//a[@rel='next'])[1]") == ["/section/security/page-2.html"]
    assert select_links(page, "a.next-page[rel=next]") == ["/section/security/page-2.html"]
    assert select_links(page, "a.nothing-here") == []


@pytest.mark.parametrize("kind", ["feed", "sitemap", "listing"])
def test_spider_classes_carry_their_registry_kind(kind: str) -> None:
    from spiders.spiders.feed import FeedSpider
    from spiders.spiders.listing import ListingSpider
    from spiders.spiders.sitemap import SitemapSpider

    classes = {"feed": FeedSpider, "sitemap": SitemapSpider, "listing": ListingSpider}
    assert classes[kind].name == kind
