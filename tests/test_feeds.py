"""Feeds parse completely and correctly: real RSS/Atom from the shared corpus, the demo site's feeds, bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimwatch.parse.feeds import NotAFeed, parse_feed

SITE = Path(__file__).resolve().parents[1] / "demo" / "news_site"


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def test_guardian_rss_matches_the_reference_parse(corpus: Path) -> None:
    feeds = corpus / "feeds"
    expected = json.loads((feeds / "rss-parser_guardian.expected.json").read_text(encoding="utf-8"))["feed"]
    feed = parse_feed(
        (feeds / "rss-parser_guardian.rss").read_bytes(), "application/rss+xml", "https://www.theguardian.com/us/rss"
    )
    assert feed.kind == "rss"
    assert feed.title == expected["title"] == "The Guardian"
    assert feed.encoding == "utf-8" and not feed.warnings
    assert len(feed.entries) == len(expected["items"]) == 55
    for got, want in zip(feed.entries, expected["items"], strict=True):
        assert got.title == want["title"]
        assert got.link == want["link"]
        assert got.id == want["guid"]
        assert got.published_at == _utc(want["isoDate"])
        assert got.published_at is not None and got.published_at.tzinfo is UTC
        assert got.summary  # the description is kept (sanitized HTML)
    # curly quotes survive decoding
    assert "’" in feed.entries[0].summary  # type: ignore[operator]


def test_heise_atom_entries_titles_links_and_both_dates(corpus: Path) -> None:
    feed = parse_feed((corpus / "feeds" / "rss-parser_heise.atom").read_bytes(), "application/atom+xml", "http://x/")
    assert feed.kind == "atom"
    assert feed.title == "heise developer neueste Meldungen"
    assert len(feed.entries) == 15
    first = feed.entries[0]
    assert first.title == "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei"
    assert first.link == (
        "http://www.heise.de/developer/meldung/Java-Anwendungsserver-Red-Hat-gibt-WildFly-10-frei-3088438.html"
        "?wt_mc=rss.developer.beitrag.atom"
    )
    assert first.id == "http://heise.de/-3088438"
    # <published>2016-02-01T17:22:00+01:00</published> <updated>2016-02-01T17:54:50+01:00</updated>
    assert first.published_at == datetime(2016, 2, 1, 16, 22, tzinfo=UTC)
    assert first.updated_at == datetime(2016, 2, 1, 16, 54, 50, tzinfo=UTC)
    titles = [e.title for e in feed.entries]
    assert "Scrum Day 2016: Bewerbungen für Vorträge und Workshops" in titles
    assert "Änderungen bei der Authentifizierung in Microsofts v2.0 App Model" in titles
    assert "C# 7 – Stand der Dinge und Ausblick" in titles
    assert all(e.link and e.link.startswith("http://www.heise.de/developer/") for e in feed.entries)
    assert all(e.link and e.link.endswith("?wt_mc=rss.developer.beitrag.atom") for e in feed.entries)
    assert all(e.published_at and e.updated_at and e.published_at <= e.updated_at for e in feed.entries)


def test_latin1_feed_without_xml_declaration_decodes_right(corpus: Path) -> None:
    raw = (corpus / "feeds" / "rss-parser_uolNoticias.rss").read_bytes()
    assert not raw.lstrip().startswith(b"<?xml")  # the trap: by the XML rules this would be UTF-8
    feed = parse_feed(raw, "text/xml", "http://rss.uol.com.br/feed/noticias.xml")
    assert feed.kind == "rss"
    assert feed.title == "UOL Noticias"
    assert len(feed.entries) == 15
    titles = [e.title or "" for e in feed.entries]
    assert titles[0] == "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno"
    assert titles[1] == "Promotoria abre inquérito para apurar suspeita de improbidade de Skaf no Sebrae-SP"
    assert (
        "Relatório do governo dos EUA acusa militares de Mianmar de atrocidades contra muçulmanos rohingyas" in titles
    )
    assert 'Fama "A" é campeã da Primeira Divisão da Copa Cidade Alta de Futebol Suíço' in titles
    for title in titles:
        assert "\ufffd" not in title and "Ã" not in title and "Â" not in title, title
    # Portuguese day and month names: "Seg, 24 Set 2018 19:42:40 -0300"
    assert feed.entries[0].published_at == datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)
    assert all(e.published_at and e.published_at.date().isoformat() == "2018-09-24" for e in feed.entries)
    assert all(e.updated_at is None for e in feed.entries)  # no <updated>: not invented from pubDate
    assert feed.entries[0].link == (
        "https://noticias.uol.com.br/politica/eleicoes/2018/noticias/2018/09/24/"
        "ibope-bolsonaro-perde-de-haddad-ciro-e-alckmin-em-simulacoes-de-2-turno.htm"
    )


def test_demo_rss_and_atom_feeds() -> None:
    rss = parse_feed((SITE / "feed.xml").read_bytes(), "application/rss+xml; charset=utf-8", "http://127.0.0.1:8766/")
    assert rss.kind == "rss" and len(rss.entries) == 11
    broken = rss.entries[0]
    assert broken.title == "Live: shelling reported near Koya in Iraqi Kurdistan"
    assert broken.link == "http://127.0.0.1:8766/articles/broken-empty.html?utm_source=rss&utm_medium=feed"
    assert broken.published_at == datetime(2026, 10, 13, 7, 0, tzinfo=UTC)
    lebanon = rss.entries[1]
    assert lebanon.id == "levantmonitor-20261001"  # opaque guid: the link is still the article
    assert lebanon.published_at == datetime(2026, 10, 12, 10, 0, tzinfo=UTC)  # "+0300"
    assert rss.entries[-1].title == "Iraq's southern oil exports hold steady in September despite pipeline repairs"

    atom = parse_feed((SITE / "ar" / "atom.xml").read_bytes(), "application/atom+xml", "http://127.0.0.1:8766/ar/")
    assert atom.kind == "atom" and len(atom.entries) == 6
    koya = atom.entries[0]
    assert koya.title == "قصف إيراني يستهدف مقرات أحزاب كردية معارضة قرب كويسنجق"
    assert koya.link == "http://127.0.0.1:8766/ar/articles/koya-iranian-shelling.html"
    assert koya.published_at == datetime(2026, 10, 13, 9, 30, tzinfo=UTC)
    assert koya.updated_at == datetime(2026, 10, 14, 7, 15, tzinfo=UTC)


RDF = b"""<?xml version="1.0" encoding="windows-1256"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="http://example.com/"><title>RDF</title><link>http://example.com/</link>
    <items><rdf:Seq><rdf:li rdf:resource="http://example.com/a"/></rdf:Seq></items></channel>
  <item rdf:about="http://example.com/a"><title>\xe6\xc7\xd1\xcf</title><link>/a?utm_source=x</link>
    <dc:date>2026-10-01T12:00:00+03:00</dc:date><description>d</description></item>
</rdf:RDF>"""


def test_rdf_feed_in_a_legacy_encoding_with_relative_link() -> None:
    feed = parse_feed(RDF, None, "http://example.com/feed.rdf")
    assert feed.kind == "rdf"
    assert feed.encoding == "cp1256"
    (entry,) = feed.entries
    assert entry.title == "وارد"
    assert entry.link == "http://example.com/a?utm_source=x"  # absolute, canonicalized later by the spider
    assert entry.published_at == datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def test_relative_links_resolve_against_the_feed_url() -> None:
    body = b'<rss version="2.0"><channel><title>t</title><item><title>x</title><link>/news/1.html</link></item>'
    body += b"<item><title>no link</title><guid>https://h.example/p/2</guid></item></channel></rss>"
    feed = parse_feed(body, "application/rss+xml", "https://h.example/feeds/all.xml")
    assert [e.link for e in feed.entries] == ["https://h.example/news/1.html", "https://h.example/p/2"]


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"", None, "empty"),
        (b"   \n", None, "empty"),
        (b"Service temporarily unavailable", "text/plain", "not XML"),
        (b'{"items": []}', "application/json", "not XML"),
        (
            b"<!DOCTYPE html>\n<html><head><title>Login</title></head><body><p>Please sign in</p></body></html>",
            "application/rss+xml",
            "HTML page served as a feed",
        ),
        (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>', None, "<urlset>"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, "undecodable"),
    ],
)
def test_not_a_feed_says_why(body: bytes, content_type: str | None, reason: str) -> None:
    with pytest.raises(NotAFeed) as caught:
        parse_feed(body, content_type, "http://h/feed")
    assert reason in caught.value.reason


def test_demo_home_page_is_not_a_feed() -> None:
    with pytest.raises(NotAFeed, match="HTML page"):
        parse_feed((SITE / "index.html").read_bytes(), "application/rss+xml", "http://127.0.0.1:8766/feed.xml")


def test_truncated_feed_keeps_the_entries_before_the_cut() -> None:
    whole = (SITE / "feed.xml").read_bytes()
    cut = whole[: whole.index(b"<item>", whole.index(b"<item>", whole.index(b"<item>") + 1) + 1) + 40]
    feed = parse_feed(cut, "application/rss+xml", "http://127.0.0.1:8766/feed.xml")
    assert len(feed.entries) >= 2
    assert feed.warnings  # the damage is reported, not hidden
