"""The replay site: whole-corpus paging read back with the real-markup parser, the static site, and faults."""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from claimwatch.parse.telegram_preview import (
    PreviewPage,
    PreviewPost,
    parse_count,
    parse_message_html,
    parse_preview_page,
)
from claimwatch.tools.replay import Fault, ReplayServer, main, render_message
from tests.shared_corpus import needs_shared

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "channel-posts" / "naya_foriraq.jsonl"
CHANNEL = "naya_foriraq"

needs_corpus = needs_shared(CORPUS)


@pytest.fixture(scope="module")
def corpus_rows() -> dict[int, dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    with CORPUS.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            rows[int(row["msg_id"])] = row
    return rows


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    with ReplayServer([CORPUS]) as replay:
        yield replay


def get(server: ReplayServer, target: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    """One request without following redirects (http.client, so a 302 stays a 302)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", target, headers=headers or {})
    return conn.getresponse()


def fetch_page(conn: http.client.HTTPConnection, target: str) -> PreviewPage:
    conn.request("GET", target)
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200, target
    page = parse_preview_page(body.decode("utf-8"))
    assert page.errors == [], target
    return page


def write_corpus(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def small_rows(count: int, channel: str = "tiny_chan") -> list[dict[str, object]]:
    return [
        {
            "channel": channel,
            "msg_id": 100 + i,
            "url": f"https://t.me/{channel}/{100 + i}",
            "posted_at": f"2026-05-{10 + i // 24:02d}T{i % 24:02d}:30Z",
            "views": f"{i}.5K",
            "forwarded_from": None,
            "text": f"post {i}\nline two",
        }
        for i in range(count)
    ]


# --- the whole corpus, both directions -------------------------------------------------------------------------


@needs_corpus
@pytest.mark.slow
def test_walking_before_returns_every_corpus_post_exactly(
    server: ReplayServer, corpus_rows: dict[int, dict[str, Any]]
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    seen: dict[int, PreviewPost] = {}
    target: str | None = f"/s/{CHANNEL}"
    pages = 0
    previous_oldest = None
    while target is not None:
        page = fetch_page(conn, target)
        pages += 1
        assert page.is_channel_page and page.channel == CHANNEL
        ids = [p.msg_id for p in page.posts]
        assert ids == sorted(ids) and len(ids) <= 20
        if previous_oldest is not None:
            assert ids[-1] < previous_oldest
        previous_oldest = ids[0]
        for post in page.posts:
            assert post.msg_id not in seen
            seen[post.msg_id] = post
        target = f"/s/{CHANNEL}?before={page.before}" if page.before is not None else None
    assert len(seen) == 7369 == len(corpus_rows)
    assert pages == 369
    assert set(seen) == set(corpus_rows)
    for msg_id, row in corpus_rows.items():
        post = seen[msg_id]
        assert post.text == row["text"], msg_id
        assert post.posted_at == datetime.fromisoformat(row["posted_at"]), msg_id
        assert post.views == parse_count(row["views"]), msg_id
        assert post.forwarded_from == row["forwarded_from"], msg_id
        assert post.url == row["url"]


@needs_corpus
@pytest.mark.slow
def test_walking_after_returns_every_post_oldest_first(
    server: ReplayServer, corpus_rows: dict[int, dict[str, Any]]
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    order: list[int] = []
    target: str | None = f"/s/{CHANNEL}?after=0"
    while target is not None:
        page = fetch_page(conn, target)
        order.extend(p.msg_id for p in page.posts)
        target = f"/s/{CHANNEL}?after={page.after}" if page.after is not None else None
    assert order == sorted(corpus_rows)


@needs_corpus
def test_page_boundaries_and_cursors(server: ReplayServer, corpus_rows: dict[int, dict[str, Any]]) -> None:
    ids = sorted(corpus_rows)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    newest = fetch_page(conn, f"/s/{CHANNEL}")
    assert [p.msg_id for p in newest.posts] == ids[-20:]
    assert newest.before == ids[-20] and newest.after is None

    middle = fetch_page(conn, f"/s/{CHANNEL}?before={ids[1000]}")
    assert [p.msg_id for p in middle.posts] == ids[980:1000]
    assert (middle.before, middle.after) == (ids[980], ids[999])

    after = fetch_page(conn, f"/s/{CHANNEL}?after={ids[1000]}")
    assert [p.msg_id for p in after.posts] == ids[1001:1021]

    oldest = fetch_page(conn, f"/s/{CHANNEL}?before={ids[5]}")
    assert [p.msg_id for p in oldest.posts] == ids[:5]
    assert oldest.before is None  # nothing older: a spider stops here

    empty = fetch_page(conn, f"/s/{CHANNEL}?before={ids[0]}")
    assert empty.is_channel_page and empty.posts == [] and empty.before is None

    # An unreadable cursor is ignored, as Telegram does: the newest page.
    assert [p.msg_id for p in fetch_page(conn, f"/s/{CHANNEL}?before=abc").posts] == ids[-20:]


def test_page_size_edits_media_and_edited_marker(tmp_path: Path) -> None:
    rows = small_rows(7)
    first = dict(rows[3])
    rows.append({**first, "text": "post 3 corrected\nline two", "edited": True, "views": "9.9K"})
    rows.append({**rows[0], "msg_id": 200, "text": "", "media": ["photo", "video"], "views": None})
    corpus = write_corpus(tmp_path / "tiny.jsonl", rows)
    with ReplayServer([corpus], page_size=3) as replay:
        conn = http.client.HTTPConnection("127.0.0.1", replay.port, timeout=10)
        newest = fetch_page(conn, "/s/tiny_chan")
        assert [p.msg_id for p in newest.posts] == [105, 106, 200]
        media_only = newest.posts[-1]
        assert (media_only.text, media_only.media, media_only.views) == ("", ["photo", "video"], None)
        page = fetch_page(conn, "/s/tiny_chan?before=105")
        assert [p.msg_id for p in page.posts] == [102, 103, 104]
        edited = page.posts[1]
        assert edited.text == "post 3 corrected\nline two"  # the later line won
        assert edited.edited is True and edited.views == 9900
    # The edit is a new content version; a different view count alone is not.
    original = parse_message_html(render_message(first))
    recounted = parse_message_html(render_message({**first, "views": "12K"}))
    assert original is not None and recounted is not None
    assert original.content_sha256 == recounted.content_sha256 != edited.content_sha256


def test_text_markup_round_trips_exactly(tmp_path: Path) -> None:
    tricky = [
        "<b>not bold</b> & \"quoted\" 'single' a\xa0b  double  space",
        "🇮🇶🔥 emoji ↪️ and 👨\u200d👩\u200d👧 family, زخم\u200cدار\u200f",
        "#عاجل link https://example.com/a?b=1&c=2#x mention @naya_foriraq\n\n\nthree breaks",
        " leading and trailing spaces ",
        "crlf\r\nline",
    ]
    rows = [{**small_rows(1)[0], "msg_id": i + 1, "text": text} for i, text in enumerate(tricky)]
    with ReplayServer([write_corpus(tmp_path / "t.jsonl", rows)]) as replay:
        conn = http.client.HTTPConnection("127.0.0.1", replay.port, timeout=10)
        page = fetch_page(conn, "/s/tiny_chan")
    got = [p.text for p in page.posts]
    # Telegram trims messages, so leading/trailing spaces never occur; CR LF arrives as a line break.
    assert got == [*tricky[:3], tricky[3].strip(), "crlf\nline"]
    assert 'class="emoji"' in page.posts[1].text_html
    assert '<a href="https://example.com/a?b=1&amp;c=2#x"' in page.posts[2].text_html


# --- unknown channels, robots, request log ----------------------------------------------------------------------


def test_unknown_channel_redirects_to_the_contact_page_like_telegram(tmp_path: Path) -> None:
    with ReplayServer([write_corpus(tmp_path / "t.jsonl", small_rows(2))]) as replay:
        response = get(replay, "/s/no_such_channel")
        assert response.status == 302
        assert response.getheader("Location") == "/no_such_channel"
        with urllib.request.urlopen(replay.url + "/s/no_such_channel", timeout=10) as followed:
            assert followed.status == 200
            page = parse_preview_page(followed.read().decode("utf-8"))
        assert page.is_channel_page is False and page.posts == []
        assert get(replay, "/a/b/c").status == 404
        robots = get(replay, "/robots.txt")
        assert robots.status == 200 and b"Allow: /" in robots.read()
        assert replay.request_log == [
            ("GET", "/s/no_such_channel", 302),
            ("GET", "/s/no_such_channel", 302),
            ("GET", "/no_such_channel", 200),
            ("GET", "/a/b/c", 404),
            ("GET", "/robots.txt", 200),
        ]


def test_refuses_public_bind(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "t.jsonl", small_rows(1))
    with pytest.raises(ValueError, match="non-loopback"):
        ReplayServer([corpus], host="0.0.0.0")
    assert main(["--corpus", str(corpus), "--host", "0.0.0.0"]) == 2


def test_bad_corpus_line_fails_loudly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"channel": "x", "msg_id": 1, "posted_at": "2026-05-10T17:54Z", "text": "a"}\n{oops\n')
    with pytest.raises(ValueError, match=r"bad\.jsonl:2"):
        ReplayServer([bad])


# --- static site ---------------------------------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "news").mkdir(parents=True)
    (root / "index.html").write_text("<html><body>home</body></html>", encoding="utf-8")
    (root / "news" / "feed.rss").write_text("<rss version='2.0'><channel></channel></rss>", encoding="utf-8")
    (root / "wrong.html").write_text("<html>mislabelled</html>", encoding="utf-8")
    (root / "wrong.html.headers").write_text(json.dumps({"headers": {"Content-Type": "text/plain"}}))
    (root / "secret.html").write_text("<html>no</html>", encoding="utf-8")
    (root / "secret.html.headers").write_text(json.dumps({"status": 403}))
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /secret.html\n", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("private", encoding="utf-8")
    return root


def test_static_site_types_validators_and_conditional_requests(site: Path) -> None:
    with ReplayServer([], site=site) as replay:
        home = get(replay, "/")
        assert home.status == 200 and home.read() == b"<html><body>home</body></html>"
        assert home.getheader("Content-Type") == "text/html; charset=utf-8"
        etag = home.getheader("ETag")
        last_modified = home.getheader("Last-Modified")
        assert etag and etag.startswith('"') and not etag.startswith("W/")
        assert last_modified and email.utils.parsedate_to_datetime(last_modified)

        assert get(replay, "/index.html", {"If-None-Match": etag}).status == 304
        assert get(replay, "/index.html", {"If-None-Match": f'"other", {etag}'}).status == 304
        assert get(replay, "/index.html", {"If-None-Match": '"other"'}).status == 200
        assert get(replay, "/index.html", {"If-Modified-Since": last_modified}).status == 304
        assert get(replay, "/index.html", {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}).status == 200
        # If-None-Match wins over If-Modified-Since.
        assert get(replay, "/index.html", {"If-None-Match": '"x"', "If-Modified-Since": last_modified}).status == 200

        # A change of content is a new ETag.
        (site / "index.html").write_text("<html><body>home, changed</body></html>", encoding="utf-8")
        os.utime(site / "index.html", (time.time() + 5, time.time() + 5))
        changed = get(replay, "/index.html", {"If-None-Match": etag})
        assert changed.status == 200 and changed.getheader("ETag") != etag

        assert get(replay, "/news/feed.rss").getheader("Content-Type") == "application/rss+xml"
        conn = http.client.HTTPConnection("127.0.0.1", replay.port, timeout=10)
        conn.request("HEAD", "/news/feed.rss")
        head = conn.getresponse()
        assert head.status == 200 and head.read() == b""
        assert head.getheader("Content-Length") == str(len((site / "news" / "feed.rss").read_bytes()))
        assert ("HEAD", "/news/feed.rss", 200) in replay.request_log
        wrong = get(replay, "/wrong.html")
        assert wrong.status == 200 and wrong.getheader("Content-Type") == "text/plain"
        assert get(replay, "/secret.html").status == 403
        assert get(replay, "/secret.html.headers").status == 404
        assert get(replay, "/../outside.txt").status == 404
        assert get(replay, "/%2e%2e/outside.txt").status == 404
        assert b"Disallow: /secret.html" in get(replay, "/robots.txt").read()


# --- faults --------------------------------------------------------------------------------------------------------


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "tiny.jsonl", small_rows(30))


def test_status_fault_for_the_first_hits_then_normal(tiny_corpus: Path) -> None:
    faults = [
        Fault(match="/s/tiny_chan", status=503, times=2),
        Fault(match="/s/tiny_chan?before=*", status=429, retry_after=7, times=1),
    ]
    with ReplayServer([tiny_corpus], faults=faults) as replay:
        assert [get(replay, "/s/tiny_chan").status for _ in range(3)] == [503, 503, 200]
        limited = get(replay, "/s/tiny_chan?before=120")
        assert limited.status == 429 and limited.getheader("Retry-After") == "7"
        assert get(replay, "/s/tiny_chan?before=120").status == 200
        assert [status for _method, _path, status in replay.request_log] == [503, 503, 200, 429, 200]


def test_truncated_body_and_dropped_connection(tiny_corpus: Path) -> None:
    faults = [
        Fault(match="/s/tiny_chan", truncate=9000),
        Fault(match="*before=110", truncate=500, drop_connection=True),
    ]
    with ReplayServer([tiny_corpus], faults=faults) as replay:
        response = get(replay, "/s/tiny_chan")
        body = response.read()
        assert response.status == 200 and len(body) == 9000
        page = parse_preview_page(body.decode("utf-8", "replace"))
        assert 0 < len(page.posts) < 20  # a prefix survives, nothing raises

        dropped = get(replay, "/s/tiny_chan?before=110")
        assert int(dropped.getheader("Content-Length") or 0) > 500
        with pytest.raises(http.client.IncompleteRead):
            dropped.read()


def test_oversized_body_still_parses(tiny_corpus: Path) -> None:
    with ReplayServer([tiny_corpus], faults=[Fault(match="/s/*", pad_to=3_000_000)]) as replay:
        response = get(replay, "/s/tiny_chan")
        body = response.read()
        assert len(body) == 3_000_000 == int(response.getheader("Content-Length") or 0)
        assert len(parse_preview_page(body.decode("utf-8")).posts) == 20


def test_raw_byte_replacement_injects_invalid_utf8_and_nul(tiny_corpus: Path) -> None:
    # The post's text "post 29\nline two" reaches the page as "post 29<br/>line two"; swap those bytes.
    fault = Fault.parse("match=/s/tiny_chan,replace=post 29<br/>=>post \\xff\\xfe\\x00 29<br/>")
    assert fault.replace == (b"post 29<br/>", b"post \xff\xfe\x00 29<br/>")
    with ReplayServer([tiny_corpus], faults=[fault]) as replay:
        body = get(replay, "/s/tiny_chan").read()
    assert b"\xff\xfe\x00" in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    page = parse_preview_page(body.decode("utf-8", "replace"))
    assert page.errors == [] and len(page.posts) == 20
    assert page.posts[-1].text.startswith("post \ufffd\ufffd")
    assert page.posts[-1].text.endswith("29\nline two")


def test_slow_response(tiny_corpus: Path) -> None:
    with ReplayServer([tiny_corpus], faults=[Fault.parse("match=/robots.txt,delay=0.3")]) as replay:
        started = time.perf_counter()
        assert get(replay, "/robots.txt").status == 200
        assert time.perf_counter() - started >= 0.3
        started = time.perf_counter()
        assert get(replay, "/s/tiny_chan").status == 200
        assert time.perf_counter() - started < 0.3


def test_fault_spec_parsing() -> None:
    fault = Fault.parse("match=/s/naya*,status=503,times=2,retry-after=3,pad=100,truncate=50,drop=1,delay=0.5")
    assert fault == Fault(
        match="/s/naya*", status=503, times=2, retry_after=3, pad_to=100, truncate=50, drop_connection=True, delay=0.5
    )
    with pytest.raises(ValueError, match="unknown key"):
        Fault.parse("bogus=1")
    with pytest.raises(ValueError, match="OLD=>NEW"):
        Fault.parse("replace=abc")


# --- CLI -----------------------------------------------------------------------------------------------------------


def test_cli_serves_with_faults(tiny_corpus: Path) -> None:
    command = [sys.executable, "-m", "claimwatch.tools.replay", "--corpus", str(tiny_corpus), "--port", "0"]
    command += ["--page-size", "5", "--fault", "match=/s/tiny_chan,status=503,times=1"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert banner.startswith("serving http://127.0.0.1:") and "30 posts" in banner
        base = banner.split()[1]
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(base + "/s/tiny_chan", timeout=10)
        assert failed.value.code == 503
        with urllib.request.urlopen(base + "/s/tiny_chan", timeout=10) as response:
            page = parse_preview_page(response.read().decode("utf-8"))
        assert [p.msg_id for p in page.posts] == [125, 126, 127, 128, 129]
    finally:
        process.terminate()
        process.wait(timeout=10)
