"""Canonical URLs: every spelling of one article collapses to one key, and different articles stay different."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimwatch.parse.urls import (
    canonical_url,
    canonicalize,
    is_tracking_param,
    on_allowed_domain,
    read_page_hints,
)

SITE = Path(__file__).resolve().parents[1] / "demo" / "news_site"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # scheme and host lower-cased, default port and fragment dropped, empty path is "/"
        ("HTTP://Example.COM:80/a.html#comments", "http://example.com/a.html"),
        ("https://Example.com:443", "https://example.com/"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("http://127.0.0.1:8766/articles/x.html", "http://127.0.0.1:8766/articles/x.html"),
        # tracking parameters stripped, the rest sorted
        ("http://h/a.html?utm_source=rss&utm_medium=feed", "http://h/a.html"),
        ("http://h/a.html?utm_source=rss&utm_medium=feed&utm_campaign=morning-brief", "http://h/a.html"),
        ("http://h/a.html?ref=section-security", "http://h/a.html"),
        ("http://h/a?fbclid=XYZ&gclid=1&cmpid=2&ocid=3&at_medium=4&at_campaign=5&id=9", "http://h/a?id=9"),
        ("http://h/a?b=2&a=1&UTM_Source=x", "http://h/a?a=1&b=2"),
        ("http://h/a?page=2&id=7", "http://h/a?id=7&page=2"),
        ("http://h/a.html?wt_mc=rss.developer.beitrag.atom", "http://h/a.html"),
        # the path keeps its case; needless escapes are undone, needed ones kept and upper-cased
        ("http://h/News/A.html", "http://h/News/A.html"),
        ("http://h/%7Euser/caf%c3%a9", "http://h/~user/caf%C3%A9"),
        ("http://h/a%25b", "http://h/a%25b"),
        # a query's own spelling survives: repeated keys, blank values, bare flags, '+'
        ("http://h/s?q=a+b&q=c&flag", "http://h/s?flag&q=a+b&q=c"),
        ("http://h/s?x=&y=1", "http://h/s?x=&y=1"),
        ("http://h/s?k%3D=v", "http://h/s?k%3D=v"),
    ],
)
def test_canonicalize(url: str, expected: str) -> None:
    assert canonicalize(url) == expected


def test_canonicalize_is_idempotent_and_merges_the_demo_feed_spellings() -> None:
    spellings = [
        "http://127.0.0.1:8766/articles/harir-base-drone-shot-down-erbil.html?utm_source=rss&utm_medium=feed",
        "http://127.0.0.1:8766/articles/harir-base-drone-shot-down-erbil.html",
        "HTTP://127.0.0.1:8766/articles/harir-base-drone-shot-down-erbil.html#top",
        "http://127.0.0.1:8766/articles/harir-base-drone-shot-down-erbil.html?ref=section-security",
    ]
    keys = {canonicalize(u) for u in spellings}
    assert keys == {"http://127.0.0.1:8766/articles/harir-base-drone-shot-down-erbil.html"}
    for url in spellings:
        assert canonicalize(canonicalize(url)) == canonicalize(url)


def test_different_articles_stay_different() -> None:
    assert canonicalize("http://h/a?id=1") != canonicalize("http://h/a?id=2")
    assert canonicalize("http://h/a") != canonicalize("http://h/A")
    assert canonicalize("http://h/a") != canonicalize("https://h/a")
    # a parameter that merely contains a tracking word is not a tracking parameter
    assert canonicalize("http://h/a?reference=1") == "http://h/a?reference=1"
    assert not is_tracking_param("reference")
    assert is_tracking_param("utm_content")


def test_allowed_domains_include_subdomains_only() -> None:
    assert on_allowed_domain("https://www.example.com/x", ["example.com"])
    assert on_allowed_domain("https://example.com/x", ["example.com"])
    assert not on_allowed_domain("https://badexample.com/x", ["example.com"])
    assert not on_allowed_domain("ftp://example.com/x", ["example.com"])
    assert on_allowed_domain("http://127.0.0.1:9/x", ["127.0.0.1"])


def test_rel_canonical_is_used_only_on_an_allowed_domain() -> None:
    fetched = "http://news.example.com/story.html?utm_source=x&id=5"
    assert canonical_url(fetched, "/stories/5", ["example.com"]) == "http://news.example.com/stories/5"
    assert canonical_url(fetched, "https://www.example.com/s/5#x", ["example.com"]) == "https://www.example.com/s/5"
    # a canonical link to another site (syndication, spam) does not become our key
    assert canonical_url(fetched, "https://other.org/s/5", ["example.com"]) == "http://news.example.com/story.html?id=5"
    assert canonical_url(fetched, None, ["example.com"]) == "http://news.example.com/story.html?id=5"


def test_page_hints_of_demo_pages() -> None:
    article = read_page_hints(
        (SITE / "articles" / "harir-base-drone-shot-down-erbil.html").read_text(encoding="utf-8"), "http://x/"
    )
    assert article.canonical == "http://127.0.0.1:8766/articles/harir-base-drone-shot-down-erbil.html"
    assert article.og_type == "article" and article.declares_article and article.looks_like_article
    assert article.article_body_chars is not None and article.article_body_chars > 500

    empty = read_page_hints((SITE / "articles" / "broken-empty.html").read_text(encoding="utf-8"), "http://x/")
    assert empty.article_body_chars == 0

    home = read_page_hints((SITE / "index.html").read_text(encoding="utf-8"), "http://x/")
    assert home.og_type == "website" and not home.looks_like_article and not home.declares_article
    about = read_page_hints((SITE / "about.html").read_text(encoding="utf-8"), "http://x/")
    assert about.og_type is None and about.looks_like_article and not about.declares_article


def test_declared_canonical_is_absolute_and_first() -> None:
    html = '<html><head><link rel="Canonical" href="/a"><link rel="canonical" href="/b"></head><body></body></html>'
    assert read_page_hints(html, "http://h/x/y").canonical == "http://h/a"
    assert read_page_hints("<html><head></head><body>x</body></html>", "http://h/").canonical is None
    assert read_page_hints("", "http://h/").canonical is None
