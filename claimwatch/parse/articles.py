"""Article extraction: the readable body and metadata of a news page, for ``core.documents``.

Why several extractors: no single one is right on every page. trafilatura in precision mode is the best single
choice on the article-extraction benchmark, but it sometimes locks onto a fragment (a reprint notice, the first
of several ``<section>`` blocks a site splits its story into), where readability's sibling-merging or
trafilatura's own plain pass recovers the whole story. So we compute three candidates and choose by agreement:

* ``precise``: trafilatura, ``favor_precision``, comments excluded (the default answer);
* ``plain``: trafilatura's own algorithm without its fallbacks (``fast``), a second opinion;
* ``readability``: readability-lxml's main-content block.

Each candidate is first cleaned (:func:`clean_body`) of the repeated headline and of navigation, teaser,
newsletter and credit lines that every extractor lets through now and then. The choosing rules (see
:func:`_choose_body`) fire only on large, one-sided disagreements or exact agreement on a core, so the default
answer stands on ordinary pages. No rule knows about a site: they look only at how the candidates overlap.
On the 181-page benchmark this lifts F1 from 0.964 (precise alone) to 0.979; ``bench/eval_articles.py``.

Metadata (dates, canonical URL) prefers explicit machine-readable markup (JSON-LD, OpenGraph, ``itemprop``,
``<link rel=canonical>``) because it keeps full timestamps and time zones, and falls back to trafilatura/htmldate.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import lxml.html
import trafilatura
from htmldate import find_date
from lxml import etree
from readability import Document as ReadabilityDocument
from trafilatura.settings import Document as TrafilaturaDocument

from claimwatch.parse import UnusableInput
from claimwatch.parse.dates import parse_document_date
from claimwatch.parse.encoding import UndecodableDocument, decode_document
from claimwatch.text.language import detect_language

_TOKEN_RE = re.compile(r"\w+")
_MIN_BODY_WORD_CHARS = 40  # below this there is no article, only a stub or an error page

# Choosing between candidates (ratios of 4-word shingle counts). Margins are deliberately wide: a rule should
# fire only when one extractor plainly found more of the same story, or plainly lost it.
_FRAGMENT_RATIO = 0.25  # precise keeps < 25% of what plain found: it latched onto a fragment
_SECTIONS_RATIO = 2.0  # readability holds >= 2x the text of precise, including all of it: split article
_CORE_RATIO = 0.6  # readability within precise and at least 60% of it: the agreed core of the story
_CORE_CONTAINED = 0.995  # "within" means every shingle of readability reappears in precise (bar rounding)
_CONTAINED = 0.95  # share of a candidate's shingles that must reappear in the other for "includes all of it"


class ArticleExtractionError(UnusableInput):
    """The page has no extractable article; ``reason`` is stored with the quarantined document."""


@dataclass(frozen=True)
class Article:
    """What the pipeline keeps of a news page. Dates are ISO-8601 strings (date only when no time is known)."""

    title: str | None
    body: str
    author: str | None
    published_at: str | None
    updated_at: str | None
    language: str | None
    canonical_url: str | None


def extract_article(html: str | bytes, url: str | None = None, content_type: str | None = None) -> Article:
    """Extract the article of one page; raw bytes are decoded with :func:`decode_document` first.

    Raises :class:`ArticleExtractionError` when the page cannot be decoded or carries no article body.
    """
    if isinstance(html, bytes):
        try:
            html = decode_document(html, content_type).text
        except UndecodableDocument as exc:
            raise ArticleExtractionError(f"undecodable page: {exc.reason}") from exc
    if not html.strip():
        raise ArticleExtractionError("empty page")
    tree = _parse(html)
    if tree is None:
        raise ArticleExtractionError("not an HTML document")
    if _declares_empty_body(tree):
        # The publisher's own markup says where the story is, and it is empty (a placeholder, a page whose
        # body failed to render): whatever else the page holds is navigation, not the article.
        raise ArticleExtractionError("empty article body (the page's articleBody element has no text)")

    extracted = trafilatura.bare_extraction(
        html, url=url, favor_precision=True, include_comments=False, with_metadata=True
    )
    precise = extracted if isinstance(extracted, TrafilaturaDocument) else None
    plain = trafilatura.extract(html, url=url, fast=True, include_comments=False) or ""
    precise_text = (precise.text if precise is not None else None) or ""
    title = _clean_title((precise.title if precise is not None else None) or _first_text(tree, "//title"))

    body = _choose_body(
        clean_body(precise_text, title), clean_body(plain, title), clean_body(_readability_text(html), title)
    )
    if sum(len(w) for w in _TOKEN_RE.findall(body)) < _MIN_BODY_WORD_CHARS:
        raise ArticleExtractionError("no article body found")

    structured = _structured_metadata(tree)
    published = structured.get("published") or _htmldate(html, url, original=True)
    if not published and precise is not None and precise.date:
        published = precise.date
    language = detect_language(f"{title or ''}\n{body}") or _declared_language(tree)
    return Article(
        title=title,
        body=body,
        author=(precise.author if precise is not None else None) or structured.get("author"),
        published_at=published,
        updated_at=structured.get("modified"),
        language=language,
        canonical_url=_canonical_url(tree, url) or (precise.url if precise is not None else None) or url,
    )


def _declares_empty_body(tree: Any) -> bool:
    """True when the page marks up an ``itemprop=articleBody`` element and every such element is empty."""
    declared = tree.xpath('//*[@itemprop="articleBody"]')
    return bool(declared) and all(
        not ("".join(el.itertext()).strip() or (el.get("content") or "").strip()) for el in declared
    )


# --- choosing the body -------------------------------------------------------------------------------------


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN_RE.findall(text)
    return Counter(tuple(tokens[i : i + 4]) for i in range(max(0, len(tokens) - 3)))


def _contained(part: Counter[tuple[str, ...]], whole: Counter[tuple[str, ...]]) -> float:
    """Share of ``part``'s shingles that also occur in ``whole`` (multiset overlap)."""
    total = sum(part.values())
    return sum((part & whole).values()) / total if total else 0.0


def _similarity(a: Counter[tuple[str, ...]], b: Counter[tuple[str, ...]]) -> float:
    """Dice overlap of two shingle multisets: 1 for the same text, 0 for unrelated texts."""
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 0.0


def _choose_body(precise: str, plain: str, readability: str) -> str:
    """Pick the body among the (already cleaned) candidates.

    1. precise kept a small fragment of what plain found: one of them lost the article. Readability decides:
       if it is closer to precise, keep precise; otherwise take readability when it lies within plain (it
       trims plain's page furniture), else plain.
    2. readability holds at least twice precise's text and includes all of it: the story is split into
       sibling blocks and precise kept only the first; take readability.
    3. readability is a strict part of precise (every shingle of it reappears there) and still most of it:
       both agree on the core and only precise adds the rest, typically link lists, captions and "about us"
       boxes around the story; take the agreed core.
    """
    sp, sf, sr = _shingles(precise), _shingles(plain), _shingles(readability)
    n_precise, n_plain, n_read = sum(sp.values()), sum(sf.values()), sum(sr.values())
    if n_plain and n_precise < _FRAGMENT_RATIO * n_plain:
        # The two trafilatura passes disagree wildly; readability casts the deciding vote.
        if _similarity(sr, sp) >= _similarity(sr, sf):
            return precise
        return readability if _contained(sr, sf) >= _CONTAINED else plain
    if not n_precise:
        return plain or readability
    if n_read >= _SECTIONS_RATIO * n_precise and _contained(sp, sr) >= _CONTAINED:
        return readability
    if _CORE_RATIO * n_precise <= n_read < n_precise and _contained(sr, sp) >= _CORE_CONTAINED:
        return readability
    return precise


_BLOCK_TAGS = frozenset(
    (
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "br",
        "tr",
        "table",
        "blockquote",
        "pre",
        "section",
        "article",
        "figure",
        "figcaption",
        "dd",
        "dt",
        "header",
        "footer",
        "aside",
        "main",
    )
)


def _readability_text(html: str) -> str:
    """readability-lxml's main block as text, one line per block element (its ``summary`` is HTML)."""
    try:
        summary = ReadabilityDocument(html).summary(html_partial=True)
    except Exception:  # readability raises bare Exceptions on odd markup; it is only a second opinion
        return ""
    if not summary or not summary.strip():
        return ""
    try:
        root = lxml.html.fromstring(summary)
    except (etree.ParserError, ValueError):
        return ""
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            el.text = "\n" + (el.text or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


# --- cleaning the chosen body ------------------------------------------------------------------------------

# Whole lines that are navigation, promotion or sharing widgets, never article prose.
_BOILERPLATE_LINE_RE = re.compile(
    r"^\W*("
    r"\d*\s*comments?|tags?|share( this( article| story)?)?|print( article)?|order reprints|advertisement"
    r"|text size|filed under\b.*|source\s*:.{0,60}"
    r"|related( articles| stories| posts)?|you (may|might) also like|read more|more|also|see also"
    r"|more( \w+){0,3} stories|don'?t miss|most (read|popular)\b.*|recommended( for you)?"
    r"|tell us what you think|like this story\?.*|click to tweet"
    r")\W*$",
    re.IGNORECASE,
)
# Headings after which a site lists links to other stories: the short lines that follow go too.
_LINK_LIST_HEADING_RE = re.compile(
    r"^\W*(related\b.*|you (may|might) also like|read more|see also|more( \w+){0,3} stories|don'?t miss"
    r"|most (read|popular)\b.*|recommended( for you)?)\W*$",
    re.IGNORECASE,
)
# Short lines that introduce a link to another story ("Related: ...", "READ MORE: ...", "Also on ...").
_TEASER_RE = re.compile(
    r"^\W*(related( post| article| story)?|read more|see more|read also|also read|more|watch)\s*:"
    r"|^also on \S+\.\w+",
    re.IGNORECASE,
)
_LINK_LABEL_RE = re.compile(r"\[[A-Z]{3,}\]\W*$")  # "... outbreak [NEWS]": tabloid links to other stories
_TEASER_MAX_WORDS = 25
_LINK_LINE_MAX_WORDS = 15
# Credits, contact, social and newsletter lines that close stories: "(Reporting by ...)", "Write to X at x@y.com".
_SIGNOFF_RE = re.compile(
    r"^\(?(additional )?reporting by\b|contributed (to )?(this )?report(ing)?\b.*$|^(write to|email|reach)\b.*@"
    r"|^follow\b.*\b(twitter|facebook|instagram|youtube|coverage)\b"
    r"|\b(sign up|subscribe|subscribing)\b.*\bnewsletters?\b|\bnewsletters?\b.*\b(sign up|subscribe|inbox)\b",
    re.IGNORECASE,
)
_SIGNOFF_MAX_WORDS = 40
# A short line that is only a timestamp or dateline ("November 20, 2019 - 11:28 AMT", "Updated at 1:23 p.m.").
_DATELINE_RE = re.compile(r"\b\d{1,2}[:h]\d{2}\b")
_YEAR_RE = re.compile(r"\b(19|20)\d{2}\b")
_DATELINE_MAX_WORDS = 12
_CLICK_TO_TWEET_RE = re.compile(r"\s*Click To Tweet\s*$", re.IGNORECASE)


def clean_body(body: str, title: str | None) -> str:
    """Drop the repeated headline and boilerplate lines; normalise whitespace line by line."""
    lines = [" ".join(line.split()) for line in body.splitlines()]
    lines = [_CLICK_TO_TWEET_RE.sub("", line) for line in lines if line]
    if title and lines and _same_words(lines[0], title):
        lines = lines[1:]
    kept = []
    in_link_list = False
    for line in lines:
        words = len(line.split())
        if in_link_list and words <= _LINK_LINE_MAX_WORDS and not line.endswith((".", "!", "?", "”", '"')):
            continue
        in_link_list = bool(_LINK_LIST_HEADING_RE.match(line))
        if in_link_list or _is_boilerplate(line, words):
            in_link_list = in_link_list or bool(_TEASER_RE.search(line) or _LINK_LABEL_RE.search(line))
            continue
        kept.append(line)
    return "\n".join(kept)


def _is_boilerplate(line: str, words: int) -> bool:
    if _BOILERPLATE_LINE_RE.match(line):
        return True
    if words <= _TEASER_MAX_WORDS and (_TEASER_RE.search(line) or _LINK_LABEL_RE.search(line)):
        return True
    if words <= _SIGNOFF_MAX_WORDS and _SIGNOFF_RE.search(line):
        return True
    return (
        words <= _DATELINE_MAX_WORDS
        and bool(_DATELINE_RE.search(line))
        and (bool(_YEAR_RE.search(line)) or line.lower().startswith("updated"))
    )


def _same_words(a: str, b: str) -> bool:
    wa, wb = _TOKEN_RE.findall(a.lower()), _TOKEN_RE.findall(b.lower())
    return bool(wa) and wa == wb


# --- metadata ----------------------------------------------------------------------------------------------


_HTML_PARSER = lxml.html.HTMLParser(encoding="utf-8")


def _parse(html: str) -> lxml.html.HtmlElement | None:
    try:
        # Bytes with an explicit encoding: lxml refuses str input that carries an XML encoding declaration,
        # and would trust a stale <meta charset> over the text we already decoded.
        return lxml.html.document_fromstring(html.encode("utf-8", "surrogatepass"), parser=_HTML_PARSER)
    except (etree.ParserError, ValueError):
        return None


def _first_text(tree: lxml.html.HtmlElement, xpath: str) -> str | None:
    found = tree.xpath(xpath)
    return found[0].text_content().strip() or None if found else None


def _clean_title(title: str | None) -> str | None:
    return " ".join(title.split()) or None if title else None


_PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "publishdate",
    "pubdate",
    "publish-date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
)
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "last-modified", "dcterms.modified")


def _structured_metadata(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """Dates and author from JSON-LD, then ``<meta>`` and ``itemprop`` markup; full timestamps kept."""
    found: dict[str, str] = {}
    for obj in _json_ld_objects(tree):
        types = obj.get("@type")
        type_names = {types} if isinstance(types, str) else set(types) if isinstance(types, list) else set()
        if not any(str(t).endswith(("Article", "Posting", "Report")) for t in type_names):
            continue
        for key, field in (("published", "datePublished"), ("modified", "dateModified")):
            value = _iso_datetime(obj.get(field))
            if value and key not in found:
                found[key] = value
        author = _json_ld_author(obj.get("author"))
        if author and "author" not in found:
            found["author"] = author
    metas: dict[str, str] = {}
    for meta in tree.iter("meta"):
        name = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        content = meta.get("content")
        if name and content and name not in metas:
            metas[name] = content
    for el in tree.xpath("//*[@itemprop='datePublished' or @itemprop='dateModified'][not(self::meta)]"):
        key = el.get("itemprop").lower()
        value = el.get("datetime") or el.get("content") or el.text_content()
        if value and key not in metas:
            metas[key] = value
    for key, names in (("published", _PUBLISHED_META), ("modified", _MODIFIED_META)):
        if key in found:
            continue
        for name in names:
            value = _iso_datetime(metas.get(name))
            if value:
                found[key] = value
                break
    return found


def _json_ld_objects(tree: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text_content(), strict=False)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                objects.append(item)
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
    return objects


def _json_ld_author(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        name = value.get("name")
        return name.strip() if isinstance(name, str) and name.strip() else None
    if isinstance(value, list):
        names = [n for n in (_json_ld_author(v) for v in value) if n]
        return "; ".join(names) or None
    return None


def _iso_datetime(value: Any) -> str | None:
    """A date string as ISO-8601 as the page stated it (its own offset kept; a bare date stays a date), or None
    when :mod:`claimwatch.parse.dates` cannot read it."""
    if not isinstance(value, str) or not value.strip():
        return None
    found = parse_document_date(value)
    if found is None:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return found.stated.date().isoformat()
    return found.stated.isoformat()


def _htmldate(html: str, url: str | None, *, original: bool) -> str | None:
    try:
        return find_date(html, url=url, original_date=original, extensive_search=True)
    except Exception:  # htmldate is a heuristic fallback; any failure just means "no date"
        return None


def _canonical_url(tree: lxml.html.HtmlElement, url: str | None) -> str | None:
    for xpath in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        found = [v.strip() for v in tree.xpath(xpath) if v and v.strip()]
        if found:
            return urljoin(url, found[0]) if url else found[0]
    return None


def _declared_language(tree: lxml.html.HtmlElement) -> str | None:
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        return None
    primary = lang.strip().lower().split("-")[0].split("_")[0]
    return primary if re.fullmatch(r"[a-z]{2}", primary) else None
