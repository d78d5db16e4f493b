"""Sitemaps: urlsets, indexes, Google News data, gzip, and the documents that only pretend to be sitemaps."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimwatch.parse.sitemaps import NotASitemap, gunzip_capped, parse_sitemap

SITE = Path(__file__).resolve().parents[1] / "demo" / "news_site"
BASE = "http://127.0.0.1:8766"


def test_sitemap_index() -> None:
    sitemap = parse_sitemap((SITE / "sitemap_index.xml").read_bytes(), f"{BASE}/sitemap_index.xml")
    assert sitemap.kind == "index"
    assert [u.loc for u in sitemap.urls] == [f"{BASE}/sitemap-news.xml", f"{BASE}/sitemap-pages.xml"]
    assert sitemap.urls[0].lastmod == datetime(2026, 10, 14, 7, 15, tzinfo=UTC)


def test_google_news_sitemap_has_every_article_with_title_and_time() -> None:
    sitemap = parse_sitemap((SITE / "sitemap-news.xml").read_bytes(), f"{BASE}/sitemap-news.xml")
    assert sitemap.kind == "urlset" and not sitemap.warnings
    articles = sorted(p.relative_to(SITE).as_posix() for p in SITE.glob("**/articles/*.html"))
    articles.remove("articles/broken-empty.html")  # left out of the sitemaps on purpose (README)
    assert sorted(u.loc.removeprefix(f"{BASE}/") for u in sitemap.urls) == articles
    assert len(sitemap.urls) == 16
    eilat = sitemap.urls[0]
    assert eilat.loc == f"{BASE}/articles/eilat-drone-intercepted-from-east.html"
    assert eilat.news_title == "Israeli military says drone from the east intercepted over Eilat"
    assert eilat.news_published_at == datetime(2026, 10, 3, 6, 5, tzinfo=UTC)
    assert eilat.lastmod == datetime(2026, 10, 3, 6, 40, tzinfo=UTC)
    assert eilat.news_language == "en"
    assert all(u.news_title and u.news_published_at for u in sitemap.urls)
    assert {u.news_language for u in sitemap.urls} == {"en", "ar"}
    harir = next(u for u in sitemap.urls if u.loc.endswith("harir-drone-1256.html"))
    assert harir.news_title == "إسقاط طائرة مسيّرة مفخخة قرب قاعدة حرير شمال أربيل"


def test_plain_urlset_with_date_only_lastmod() -> None:
    sitemap = parse_sitemap((SITE / "sitemap-pages.xml").read_bytes())
    assert sitemap.kind == "urlset"
    assert [u.loc for u in sitemap.urls][:2] == [f"{BASE}/", f"{BASE}/ar/index.html"]
    assert sitemap.urls[0].lastmod == datetime(2026, 10, 14, tzinfo=UTC)
    assert all(u.news_title is None and u.news_published_at is None for u in sitemap.urls)


def test_gzip_sitemap_is_detected_by_its_bytes() -> None:
    plain = (SITE / "sitemap-news.xml").read_bytes()
    zipped = parse_sitemap(gzip.compress(plain), f"{BASE}/sitemap-news.xml.gz")
    assert zipped == parse_sitemap(plain, f"{BASE}/sitemap-news.xml")


def test_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 3_000_000 + b"</urlset>")
    assert len(bomb) < 10_000
    with pytest.raises(NotASitemap, match="expands beyond"):
        parse_sitemap(bomb, max_bytes=1_000_000)
    with pytest.raises(NotASitemap, match="corrupt gzip"):
        gunzip_capped(b"\x1f\x8b\x08\x00garbage")


def test_sloppy_sitemaps_still_parse() -> None:
    # no namespace, a stray "&", a relative <loc>, an entry without <loc>, surrounding whitespace
    body = b"""
    <urlset><url><loc>http://h/a?x=1&y=2</loc></url><url><loc>/b.html</loc><lastmod>2026-10-01</lastmod></url>
    <url><lastmod>2026-10-01</lastmod></url></urlset>"""
    sitemap = parse_sitemap(body, "http://h/sitemap.xml")
    assert [u.loc for u in sitemap.urls] == ["http://h/a?x=1&y=2", "http://h/b.html"]
    assert sitemap.warnings  # the damage is reported


def test_external_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET", encoding="utf-8")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://h/&x;</loc></url></urlset>'
    ).encode()
    sitemap = parse_sitemap(body)
    assert all("TOPSECRET" not in u.loc for u in sitemap.urls)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"User-agent: *\nAllow: /\n", "not XML"),
        ((SITE / "index.html").read_bytes(), "HTML page"),
        ((SITE / "feed.xml").read_bytes(), "<rss>"),
    ],
)
def test_not_a_sitemap_says_why(body: bytes, reason: str) -> None:
    with pytest.raises(NotASitemap) as caught:
        parse_sitemap(body)
    assert reason in caught.value.reason


def test_a_sitemap_is_decoded_by_the_projects_one_rule_not_by_its_declaration() -> None:
    # A Google News sitemap in windows-1256 whose declaration says UTF-8: lxml alone would garble the title.
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        "<url><loc>https://news.example/a/1</loc><news:news><news:title>"
        "استهداف قاعدة عين الأسد بطائرة مسيرة في غرب العراق</news:title>"
        "<news:publication_date>2026-10-03T09:05:00+03:00</news:publication_date></news:news></url>\n"
        "</urlset>\n"
    )
    sitemap = parse_sitemap(xml.encode("cp1256"))
    assert sitemap.urls[0].news_title == "استهداف قاعدة عين الأسد بطائرة مسيرة في غرب العراق"


def test_binary_served_as_a_sitemap_is_refused_as_undecodable() -> None:
    with pytest.raises(NotASitemap, match="undecodable: binary content"):
        parse_sitemap(b"%PDF-1.7\n" + bytes(range(256)))
