"""One article, one key: canonical URLs for news pages.

The same story reaches us as ``/a.html?utm_source=rss``, ``/a.html?ref=section-security`` and ``/A.html#comments``
from a feed, a listing and a sitemap. ``raw.documents.external_id`` of an article is its canonical URL, so every
spelling must collapse to one string, or the warehouse fills with copies and revisit windows never match.

Two sources of truth, in order:

1. the page's own ``<link rel="canonical">``, when it points inside the source's allowed domains (a canonical
   link to another site is a syndication credit or a spam trick, not the identity of what we fetched);
2. otherwise the fetched URL, normalized by :func:`canonicalize`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

_DEFAULT_PORTS = {"http": 80, "https": 443}
_ARTICLE_TYPE = re.compile(r"(Article|BlogPosting|Report)\b")
_LD_ARTICLE = re.compile(r'"@type"\s*:\s*(\[[^\]]*)?"\w*(Article|BlogPosting|Report)"')

# Query parameters that say how a reader arrived, never which document it is. Matched case-insensitively. Kept
# short on purpose: dropping a parameter that does select content (WordPress ``?p=``, ``?feed=``) would merge
# different documents, which is worse than landing one twice.
TRACKING_PREFIXES: tuple[str, ...] = (
    "utm_",  # Google Analytics campaigns
    "at_",  # AT Internet / Piano (at_medium, at_campaign, at_custom1...)
    "pk_",  # Piwik campaigns
    "mtm_",  # Matomo campaigns
    "hsa_",  # HubSpot ads
)
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ref",
        "ref_src",
        "ref_url",
        "cmpid",
        "ocid",
        "xtor",
        "wt_mc",
        "wt_zmc",
        "icid",
        "s_cid",
        "cid_source",
    }
)


def is_tracking_param(name: str) -> bool:
    """Whether a query parameter only tracks the visit (``utm_source``, ``fbclid``, ``ref``...)."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _normalize_path(path: str) -> str:
    """Re-quote the path so ``%7E`` and ``~``, ``%c3%a9`` and ``é`` compare equal; keep reserved characters."""
    if not path:
        return "/"
    return quote(unquote(path, errors="surrogateescape"), safe="/:@!$&'()*+,;=-._~", errors="surrogateescape")


def _normalize_query(query: str) -> str:
    """Drop tracking parameters and sort the rest, keeping each parameter's own spelling (``+`` stays ``+``,
    a bare ``?flag`` does not become ``flag=``) apart from percent-encoding case and needless escapes."""
    kept: list[tuple[str, str, str]] = []
    for token in query.split("&"):
        if not token:
            continue
        key, _, value = token.partition("=")
        name = unquote(key.replace("+", " "))
        if is_tracking_param(name):
            continue
        spelled = _requote(key, "") + ("=" + _requote(value, "=") if "=" in token else "")
        kept.append((name, unquote(value.replace("+", " ")), spelled))
    return "&".join(token for _, _, token in sorted(kept))


def _requote(text: str, extra_safe: str) -> str:
    safe = "+/:@!$'()*,;~?-._" + extra_safe
    return quote(unquote(text, errors="surrogateescape"), safe=safe, errors="surrogateescape")


def canonicalize(url: str) -> str:
    """Normalize a URL to the key of the document it names.

    Lower-cases scheme and host, drops the default port, the fragment, user info and tracking parameters
    (:func:`is_tracking_param`), sorts the remaining query parameters (keeping blank values and repeated keys)
    and gives an empty path as ``/``. The path keeps its case: on most servers ``/A.html`` is another page.

    >>> canonicalize("HTTP://Example.COM:80/a.html?utm_source=rss&b=2&a=1#top")
    'http://example.com/a.html?a=1&b=2'
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: keep the URL's own spelling rather than guess
        port = None
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    return urlunsplit((scheme, netloc, _normalize_path(parts.path), _normalize_query(parts.query), ""))


def on_allowed_domain(url: str, allowed_domains: list[str] | tuple[str, ...]) -> bool:
    """Whether ``url`` is http(s) on one of ``allowed_domains`` or a subdomain of one (Scrapy's offsite rule)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower().rstrip(".")
    return any(host == d.lower() or host.endswith("." + d.lower()) for d in allowed_domains)


@dataclass(frozen=True)
class PageHints:
    """What a fetched page says about itself: its canonical URL and whether it declares itself an article."""

    canonical: str | None = None
    og_type: str | None = None
    article_markup: bool = False  # article:published_time, an Article/NewsArticle JSON-LD or itemtype
    # Characters of text inside the page's itemprop="articleBody" element(s); None when the page has none.
    # Zero means the page itself says its article is empty, whatever an extractor may scrape from around it.
    article_body_chars: int | None = None

    @property
    def looks_like_article(self) -> bool:
        """False only for a page that calls itself something else (``og:type`` website, profile...) and carries
        no article markup either: home, section and about pages listed in a plain sitemap."""
        return self.og_type is None or self.declares_article

    @property
    def declares_article(self) -> bool:
        """Positive evidence of a news article: ``og:type`` article or article markup (an ``<article>`` element
        is not evidence: CMS themes wrap about pages in one). Required of pages found in a plain sitemap, which
        lists every page of a site."""
        return (self.og_type or "").startswith("article") or self.article_markup


def read_page_hints(html: str, base_url: str) -> PageHints:
    """Read ``<link rel="canonical">`` (absolute; the first one), ``og:type`` and article markup of a page."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return PageHints()
    canonical = None
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if "canonical" in rel and href:
            canonical = urljoin(base_url, href)
            break
    og_type = None
    markup = False
    for meta in tree.iter("meta"):
        prop = (meta.get("property") or meta.get("name") or "").strip().lower()
        if prop == "og:type" and og_type is None:
            og_type = (meta.get("content") or "").strip().lower() or None
        elif prop == "article:published_time":
            markup = True
    if not markup:
        markup = any(_ARTICLE_TYPE.search(el.get("itemtype") or "") for el in tree.xpath("//*[@itemtype]"))
    if not markup:
        scripts = tree.xpath("//script[@type='application/ld+json']/text()")
        markup = any(_LD_ARTICLE.search(text) for text in scripts)
    bodies = tree.xpath("//*[@itemprop='articleBody']")
    body_chars = sum(len("".join(el.itertext()).strip()) for el in bodies) if bodies else None
    return PageHints(canonical=canonical, og_type=og_type, article_markup=markup, article_body_chars=body_chars)


def canonical_url(fetched_url: str, declared: str | None, allowed_domains: list[str] | tuple[str, ...]) -> str:
    """The document key of a fetched page: its declared canonical URL when on an allowed domain, else the
    fetched URL; canonicalized either way."""
    if declared:
        absolute = urljoin(fetched_url, declared)
        if on_allowed_domain(absolute, allowed_domains):
            return canonicalize(absolute)
    return canonicalize(fetched_url)
