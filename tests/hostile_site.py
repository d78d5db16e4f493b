"""A hostile news site for the fault matrix: the demo site's real-looking articles behind an RSS feed (with tracking
parameters), an Atom feed and a Google News sitemap that all list them, plus pages that are each broken in one way.

Every bad input is a :class:`BadCase`: what the site serves (a file, its sidecar status and headers, or a fault of
the replay server) and what claimwatch must make of it: a quarantine row whose reason contains ``reason``, or a
counted skip of that reason in ``ops.crawl_runs.skips``. Good pages that need care (a page declaring
``og:type=website``, valid UTF-8 with C1 mojibake, windows-1256 under a wrong or missing charset) must land.
"""

from __future__ import annotations

import gzip
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimwatch.tools.replay import Fault
from tests.crawl_helpers import ARABIC, DEMO_SITE, ENGLISH

DEMO_HOST = b"127.0.0.1:8766"

# Good pages made for the matrix (path under the site root), each landing once whichever listing names it.
SPECIAL = {
    "og_website": "special/og-website.html",  # declares og:type=website and no article markup
    "c1_mojibake": "special/c1-mojibake.html",  # valid UTF-8 carrying C1 controls ("â\x80\x99" for "’")
    "cp1256_wrong_header": "special/cp1256-wrong-header.html",  # windows-1256 bytes, header says utf-8
    "cp1256_no_charset": "special/cp1256-no-charset.html",  # windows-1256 bytes, no charset anywhere
}
TIMEOUT_S = 1.0
SIZE_CAP = 400_000


@dataclass(frozen=True)
class BadCase:
    """One bad input of the hostile site and the outcome it must have."""

    name: str
    outcome: str  # "quarantine" (row with reason) or "skip" (counted under reason)
    reason: str
    body: bytes | None = b"<html><body><p>placeholder</p></body></html>"
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    fault: dict[str, Any] | None = None  # Fault(...) keywords, matched on this page's path
    link: str | None = None  # what the feed lists instead of /bad/<name>.html ("{base}" is the site)

    @property
    def path(self) -> str:
        return f"/bad/{self.name}.html"


def _html(title: str, body: str, head: str = "") -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        f"<body>{body}</body></html>\n"
    ).encode()


_NAV_ONLY = _html("Home", "<nav><a href='/'>Home</a> <a href='/section/security/'>Security</a></nav>")
_LOGIN_WALL = _html("Subscribe", "<div class='paywall'><p>Subscribe to read.</p><a href='/login'>Log in</a></div>")
_TITLE_ONLY = _html("Rocket fire reported", "<h1>Rocket fire reported</h1>")
_EMPTY_BODY = _html(
    "Live: border incident",
    "<article><h1>Live: border incident</h1><div itemprop='articleBody'>  </div></article>",
    "<meta property='og:type' content='article'>",
)
_LONG = "<p>" + "Officials said the situation on the border remained tense overnight. " * 40 + "</p>"

BAD_CASES: tuple[BadCase, ...] = (
    # HTTP refusals, permanent and transient (retried first, then kept with the status)
    BadCase("http-400", "quarantine", "HTTP 400", status=400),
    BadCase("http-401", "quarantine", "HTTP 401", status=401),
    BadCase("http-403", "quarantine", "HTTP 403", status=403),
    BadCase("http-404", "quarantine", "HTTP 404", status=404),
    BadCase("http-410", "quarantine", "HTTP 410", status=410),
    BadCase("http-451", "quarantine", "HTTP 451", status=451),
    BadCase("http-300-no-location", "quarantine", "HTTP 300", status=300),
    BadCase("http-999", "quarantine", "HTTP 999", status=999),
    BadCase("http-500-storm", "quarantine", "HTTP 500", status=500),
    BadCase("http-502-storm", "quarantine", "HTTP 502", status=502),
    BadCase("http-503-storm", "quarantine", "HTTP 503", fault={"status": 503, "retry_after": 0}),
    BadCase("http-504-storm", "quarantine", "HTTP 504", status=504),
    BadCase("http-429-storm", "quarantine", "HTTP 429", fault={"status": 429, "retry_after": 0}),
    BadCase("unsolicited-304", "quarantine", "HTTP 304 to an unconditional request", status=304),
    BadCase("redirect-to-404", "quarantine", "HTTP 404", status=301, headers={"Location": "/bad/http-404.html"}),
    # bodies that are not text
    BadCase("empty-body", "quarantine", "empty document", body=b""),
    BadCase("whitespace-body", "quarantine", "empty document", body=b" \n\t \n"),
    BadCase("pdf", "quarantine", "a PDF file", body=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
    BadCase("png", "quarantine", "a PNG image", body=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)),
    BadCase("jpeg", "quarantine", "a JPEG image", body=b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)),
    BadCase("gif", "quarantine", "a GIF image", body=b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(32)),
    BadCase("zip", "quarantine", "a ZIP archive", body=b"PK\x03\x04\x14\x00\x00\x00" + bytes(64)),
    BadCase("gzip-without-encoding", "quarantine", "gzip data", body=gzip.compress(_NAV_ONLY)),
    # sizes and compression
    BadCase(
        "gzip-bomb",
        "quarantine",
        "size cap once decompressed",
        body=gzip.compress(b"<html><body>" + b" " * 40_000_000, 9),
        headers={"Content-Encoding": "gzip"},
    ),
    BadCase("oversized", "quarantine", "larger than the size cap", body=_html("Big", "<p>x</p>" * 80_000)),
    BadCase(
        "corrupt-gzip",
        "quarantine",
        "request failed",
        body=b"\x1f\x8b\x08\x00" + b"not really gzip" * 10,
        headers={"Content-Encoding": "gzip"},
    ),
    # transport
    BadCase("timeout", "quarantine", "TimeoutError", fault={"delay": TIMEOUT_S * 3}),
    BadCase(
        "dropped-connection",
        "quarantine",
        "request failed",
        body=_html("Dropped", _LONG),
        fault={"truncate": 600, "drop_connection": True},
    ),
    BadCase("truncated-page", "quarantine", "truncated page", body=_html("Cut", _LONG), fault={"truncate": 900}),
    # redirects
    BadCase(
        "redirect-loop", "quarantine", "redirect loop", status=302, headers={"Location": "/bad/redirect-loop.html"}
    ),
    BadCase(
        "redirect-chain", "quarantine", "chain longer than 5 hops", status=302, headers={"Location": "/chain/1.html"}
    ),
    BadCase(
        "redirect-off-site",
        "quarantine",
        "redirected off the allowed domains",
        status=302,
        headers={"Location": "http://elsewhere.invalid/story.html"},
    ),
    # pages with no article in them
    BadCase("empty-article-body", "quarantine", "empty article body", body=_EMPTY_BODY),
    BadCase("navigation-only", "quarantine", "no article extracted", body=_NAV_ONLY),
    BadCase("login-wall", "quarantine", "no article extracted", body=_LOGIN_WALL),
    BadCase("title-only", "quarantine", "no article extracted", body=_TITLE_ONLY),
    BadCase("json-as-html", "quarantine", "not an HTML page", body=b'{"error": "not found", "code": 404}\n' * 3),
    BadCase("plain-text", "quarantine", "not an HTML page", body=b"Rocket fire was reported near the base. " * 20),
    BadCase(
        "feed-as-article",
        "quarantine",
        "not an HTML page",
        body=b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>',
        headers={"Content-Type": "application/rss+xml"},
    ),
    # what the listings themselves get wrong: counted skips
    BadCase("robots-disallowed", "skip", "disallowed by robots.txt", link="{base}/private/story.html"),
    BadCase("off-site-link", "skip", "off the allowed domains", link="http://elsewhere.invalid/story.html"),
    BadCase("mailto-link", "skip", "off the allowed domains", link="mailto:desk@levant.invalid"),
    BadCase("entry-without-link", "skip", "feed entry without a link", link=""),
    BadCase(
        "listed-twice",
        "skip",
        "listed twice in this run",
        link="{base}/articles/golan-golani-base-drone-claim.html?utm_campaign=again#top",
    ),
    BadCase(
        "same-canonical",
        "skip",
        "same canonical URL as another page of this run",
        body=b"",  # filled in by build_site: a copy of an article declaring that article's canonical URL
    ),
)


def _sidecar(path: Path, status: int | None, headers: dict[str, str]) -> None:
    extra: dict[str, Any] = {}
    if status is not None:
        extra["status"] = status
    if headers:
        extra["headers"] = headers
    if extra:
        path.with_name(path.name + ".headers").write_text(json.dumps(extra), encoding="utf-8")


def _retarget(page: bytes, old_path: str, new_path: str) -> bytes:
    """A copy of a demo page that declares itself at ``new_path`` (canonical, og:url)."""
    return page.replace(f"/{old_path}".encode(), f"/{new_path}".encode())


def build_site(root: Path, base: str) -> Path:
    """Write the hostile site under ``root`` for a server at ``base`` (``http://127.0.0.1:PORT``)."""
    site = root / "site"
    shutil.copytree(DEMO_SITE, site)
    host = base.removeprefix("http://").encode()
    for path in site.rglob("*"):
        if path.is_file() and DEMO_HOST in (data := path.read_bytes()):
            path.write_bytes(data.replace(DEMO_HOST, host))
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")

    special = site / "special"
    special.mkdir()
    golan = (site / "articles" / "golan-golani-base-drone-claim.html").read_bytes()
    basra = (site / "articles" / "basra-oil-exports-september.html").read_bytes()
    website = _retarget(basra, "articles/basra-oil-exports-september.html", SPECIAL["og_website"])
    website = website.replace(b'content="article"', b'content="website"').replace(b'"NewsArticle"', b'"WebPage"')
    website = b"\n".join(line for line in website.split(b"\n") if b'property="article:' not in line)
    (site / SPECIAL["og_website"]).write_bytes(website)
    iraq = (site / "articles" / "iraq-parliament-supplementary-budget.html").read_bytes()
    mojibake = _retarget(iraq, "articles/iraq-parliament-supplementary-budget.html", SPECIAL["c1_mojibake"])
    # windows-1252 "’" read as Latin-1 and saved as UTF-8: valid UTF-8 holding U+0080 and U+0099
    mojibake = mojibake.replace("’".encode(), "’".encode().decode("latin-1").encode())
    assert b"\xc2\x80" in mojibake
    (site / SPECIAL["c1_mojibake"]).write_bytes(mojibake)
    arabic = (site / "ar" / "articles" / "eilat-drone-iraq.html").read_text(encoding="utf-8")
    for name, meta in (("cp1256_wrong_header", '<meta charset="windows-1256">'), ("cp1256_no_charset", "")):
        text = arabic.replace("/ar/articles/eilat-drone-iraq.html", "/" + SPECIAL[name])
        text = text.replace('<meta charset="utf-8">', meta)
        (site / SPECIAL[name]).write_bytes(text.encode("cp1256", errors="xmlcharrefreplace"))
    _sidecar(site / SPECIAL["cp1256_wrong_header"], None, {"Content-Type": "text/html; charset=utf-8"})
    _sidecar(site / SPECIAL["cp1256_no_charset"], None, {"Content-Type": "text/html"})

    bad = site / "bad"
    bad.mkdir()
    for case in BAD_CASES:
        if case.link is not None:
            continue
        body = case.body or b""
        if case.name == "same-canonical":
            body = golan
        (bad / f"{case.name}.html").write_bytes(body)
        headers = dict(case.headers)
        _sidecar(bad / f"{case.name}.html", case.status, headers)
    chain = site / "chain"
    chain.mkdir()
    for hop in range(1, 9):
        (chain / f"{hop}.html").write_bytes(b"")
        _sidecar(chain / f"{hop}.html", 302, {"Location": f"/chain/{hop + 1}.html"})

    articles = good_paths()
    _write_rss(site / "hostile" / "rss.xml", base, articles)
    _write_atom(site / "hostile" / "atom.xml", base, articles)
    _write_news_sitemap(site / "hostile" / "news-sitemap.xml", base, articles)
    return site


def good_paths() -> list[str]:
    """Every page that must land, as a path under the site root."""
    return (
        [f"articles/{slug}.html" for slug in ENGLISH]
        + [f"ar/articles/{slug}.html" for slug in ARABIC]
        + list(SPECIAL.values())
    )


def faults() -> list[Fault]:
    """The replay server's fault rules of the bad cases that need one."""
    return [Fault(match=case.path, **case.fault) for case in BAD_CASES if case.fault]


def _write_rss(path: Path, base: str, articles: list[str]) -> None:
    items = [
        f"<item><title>Article {i}</title><link>{base}/{a}?utm_source=rss&amp;utm_medium=feed</link>"
        f"<pubDate>Tue, 13 Oct 2026 0{i % 10}:00:00 GMT</pubDate></item>"
        for i, a in enumerate(articles)
    ]
    for i, case in enumerate(BAD_CASES):
        if case.link == "":
            items.append(f"<item><title>No link {i}</title><description>an entry with no link</description></item>")
        else:
            link = (case.link or f"{base}{case.path}").replace("{base}", base)
            items.append(
                f"<item><title>{case.name}</title><link>{link}</link>"
                "<pubDate>Mon, 12 Oct 2026 08:00:00 GMT</pubDate></item>"
            )
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Hostile</title>'
        f"<link>{base}/</link><description>d</description>{''.join(items)}</channel></rss>\n",
        encoding="utf-8",
    )


def _write_atom(path: Path, base: str, articles: list[str]) -> None:
    entries = "".join(
        f"<entry><title>Article {i}</title><link href='{base}/{a}'/><id>{base}/{a}</id>"
        f"<updated>2026-10-13T0{i % 10}:00:00Z</updated></entry>"
        for i, a in enumerate(articles)
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>Hostile</title>'
        f"<id>{base}/</id><updated>2026-10-13T09:00:00Z</updated>{entries}</feed>\n",
        encoding="utf-8",
    )


def _write_news_sitemap(path: Path, base: str, articles: list[str]) -> None:
    urls = "".join(
        f"<url><loc>{base}/{a}</loc><news:news><news:publication><news:name>Levant Monitor</news:name>"
        "<news:language>en</news:language></news:publication>"
        f"<news:publication_date>2026-10-13T0{i % 10}:00:00Z</news:publication_date>"
        f"<news:title>Article {i}</news:title></news:news></url>"
        for i, a in enumerate(articles)
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>\n',
        encoding="utf-8",
    )
