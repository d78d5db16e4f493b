"""``claimwatch report``: the analysts' HTML report over a real warehouse, checked as a person would see it.

A small demo-like warehouse (three actors, two months, places in Iraq, Syria, Israel and at sea, five sources in
various states of health) is written straight into ops/raw/core and the marts are refreshed, then the report is
written and checked three ways: its HTML (sections, figures, no reference a browser would fetch), headless
Chromium's screenshot of it (the weekly chart and the map really draw: their pixels are not blank), and the
network as Chromium sees it (every request it makes goes to a recording proxy on loopback; the page must make
none). The command line's failures are one line on stderr with no traceback.

Chromium is Debian's ``chromium`` package. Without it the rendering test skips, unless ``CI`` is set: then it
fails, so a CI machine that lost its browser cannot pass by skipping. ``CLAIMWATCH_REPORT_SCREENSHOT=PATH`` keeps a
copy of the screenshot to look at.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import psycopg2
import pytest
from lxml import html as lxml_html

from claimwatch.claims.actors import actor_records
from claimwatch.report import ReportError, main, write_report
from claimwatch.report.geo import country_at
from claimwatch.transform import marts
from claimwatch.warehouse import query

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("weekly", "interception", "map", "targets", "sources")

# --------------------------------------------------------------------------------------------------------------
# A demo-like warehouse
# --------------------------------------------------------------------------------------------------------------

# name: (target country, lat, lon), as the gazetteer has them
PLACES = {
    "Ain al-Asad Air Base": ("IQ", 33.8, 42.44),
    "Harir Air Base": ("IQ", 36.54, 44.35),
    "Erbil International Airport": ("IQ", 36.24, 43.96),
    "Victoria Base": ("IQ", 33.29, 44.24),
    "Al-Tanf garrison": ("SY", 33.5, 38.62),
    "Conoco gas field": ("SY", 35.33, 40.18),
    "Golan Heights": ("IL", 33.0, 35.75),
    "Eilat": ("IL", 29.56, 34.95),
    "Kiryat Shmona": ("IL", 33.21, 35.57),
    "Metula": ("IL", 33.28, 35.58),
    "Safed": ("IL", 32.97, 35.5),
    "Haifa": ("IL", 32.79, 34.99),
    "Red Sea": ("SEA", 20.0, 38.5),
    "Gulf of Aden": ("SEA", 12.5, 48.0),
}
# actor: (its outlet, weight, places it targets with weights)
ACTORS = {
    "islamic_resistance_iraq": (
        "naya_foriraq",
        5,
        {"Eilat": 4, "Golan Heights": 3, "Haifa": 2, "Al-Tanf garrison": 2, "Conoco gas field": 1, "Harir Air Base": 1},
    ),
    "hezbollah": ("almanar_news", 5, {"Kiryat Shmona": 4, "Metula": 3, "Safed": 2, "Golan Heights": 1}),
    "houthis": ("almasirah", 3, {"Red Sea": 3, "Eilat": 3, "Gulf of Aden": 2}),
    "unknown": ("", 2, {"Ain al-Asad Air Base": 3, "Victoria Base": 2, "Erbil International Airport": 2}),
}
SOURCES = {  # source: (kind, hours since its last successful crawl or None, enabled)
    "naya_foriraq": ("telegram", 2, True),
    "almanar_news": ("telegram", 30, True),
    "almasirah": ("telegram", 120, True),
    "news_wire": ("feed", 1, True),
    "old_listing": ("listing", None, False),
}
FIRST_WEEK = date(2026, 1, 5)  # a Monday
WEEKS = 8


def _document(cur, source: str, n: int, published: datetime, text: str) -> tuple[int, int]:
    """Land one raw document and its normalized row; return (raw_document_id, doc_id)."""
    kind = SOURCES[source][0]
    url = f"https://t.me/{source}/{n}" if kind == "telegram" else f"https://news.example/{source}/{n}.html"
    cur.execute(
        "INSERT INTO raw.documents (source_id, external_id, content_sha256, url, fetched_at, http_status, body, "
        "published_at) VALUES (%s, %s, %s, %s, %s, 200, %s, %s) RETURNING raw_document_id",
        (source, str(n), f"{n:064x}", url, published + timedelta(minutes=5), text, published),
    )
    raw_id = cur.fetchone()[0]
    cur.execute(
        "INSERT INTO core.documents (source_id, external_id, raw_document_id, doc_type, url, published_at, "
        "fetched_at, text, text_normalized, language, exact_fingerprint, normalizer_version) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'en', %s, 'test') RETURNING doc_id",
        (
            source,
            str(n),
            raw_id,
            "telegram_post" if kind == "telegram" else "article",
            url,
            published,
            published + timedelta(minutes=5),
            text,
            text.lower(),
            f"fp{n}",
        ),
    )
    return raw_id, cur.fetchone()[0]


def seed_demo_warehouse(dsn: str, seed: int = 7) -> dict[str, int]:
    """Write sources, crawl runs, documents, claims and events, refresh the marts; return expected counts."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    expected = {"events": 0, "intercepted": 0, "hit": 0, "unmapped": 0}
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            for actor in actor_records():  # the actor dimension, as `claimwatch migrate` loads it
                cur.execute(query("actors_upsert"), {**actor, "aliases": list(actor.get("aliases") or [])})
            for source, (kind, hours, enabled) in SOURCES.items():
                cur.execute(
                    "INSERT INTO ops.sources (source_id, kind, config, enabled) VALUES (%s, %s, '{}', %s)",
                    (source, kind, enabled),
                )
                if hours is not None:
                    finished = now - timedelta(hours=hours)
                    cur.execute(
                        "INSERT INTO ops.crawl_runs (source_id, status, started_at, finished_at, new_rows) "
                        "VALUES (%s, 'success', %s, %s, 12)",
                        (source, finished - timedelta(minutes=3), finished),
                    )
            n = 0
            actors = list(ACTORS)
            for _ in range(70):
                actor = rng.choices(actors, weights=[ACTORS[a][1] for a in actors])[0]
                outlet, _, targets = ACTORS[actor]
                place = rng.choices(list(targets), weights=list(targets.values()))[0]
                country, lat, lon = PLACES[place]
                event_date = FIRST_WEEK + timedelta(days=rng.randrange(WEEKS * 7))
                claimed = actor != "unknown"
                reported = not claimed or rng.random() < 0.45
                outcome = rng.choices(["intercepted", "hit", None], weights=[4, 3, 3])[0]
                if rng.random() < 0.04:  # now and then a place the gazetteer could not place
                    place, lat, lon = None, None, None
                    expected["unmapped"] += 1
                status = (
                    "claimed and corroborated"
                    if claimed and reported
                    else "claimed only"
                    if claimed
                    else "reported only"
                )
                published = datetime(event_date.year, event_date.month, event_date.day, 9, tzinfo=UTC)
                members = ([("claim", outlet)] if claimed else []) + ([("report", "news_wire")] if reported else [])
                weapon = rng.choice(["drone", "missile", "rocket"])
                cur.execute(
                    "INSERT INTO core.events (event_date, actor, weapon, target_country, location_name, lat, lon, "
                    "claims, reports, documents, sources, intercepted, hit, status, first_seen_at) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING event_id",
                    (
                        event_date,
                        actor,
                        weapon,
                        country,
                        place,
                        lat,
                        lon,
                        int(claimed),
                        int(reported),
                        len(members),
                        len(members),
                        outcome == "intercepted" or None,
                        outcome == "hit" or None,
                        status,
                        published,
                    ),
                )
                event_id = cur.fetchone()[0]
                for kind, source in members:
                    n += 1
                    raw_id, doc_id = _document(cur, source, n, published, f"{actor} {kind} {place} {weapon}")
                    cur.execute(
                        "INSERT INTO core.claims (doc_id, raw_document_id, operation_index, kind, actor, weapon, "
                        "target_country, location_name, lat, lon, event_date, intercepted, confidence, "
                        "extractor_version, event_id) "
                        "VALUES (%s, %s, 0, %s, %s, %s, %s, %s, %s, %s, %s, %s, 0.9, 'test', %s)",
                        (
                            doc_id,
                            raw_id,
                            kind,
                            actor,
                            weapon,
                            country,
                            place,
                            lat,
                            lon,
                            event_date,
                            outcome == "intercepted" or None,
                            event_id,
                        ),
                    )
                expected["events"] += 1
                expected["intercepted"] += outcome == "intercepted"
                expected["hit"] += outcome == "hit"
            # Rebuild the marts from these events (the events step's full rebuild: daily reads events, weekly daily).
            marts.apply(cur, None)
    finally:
        conn.close()
    return expected


# --------------------------------------------------------------------------------------------------------------
# What a browser would fetch
# --------------------------------------------------------------------------------------------------------------

_FETCHING = [
    re.compile(r"""\b(?:src|srcset|poster|data|action|formaction)\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""<(?:image|use|feImage|script)\b[^>]*\b(?:xlink:)?href\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""@import\b""", re.I),
    re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""<script\b[^>]*\bsrc\b""", re.I),
    re.compile(r"""<iframe\b|<object\b|<embed\b""", re.I),
]


def external_references(page: str) -> list[str]:
    """Every piece of the page that would make a browser fetch something (an empty list means self-contained)."""
    return [m.group(0) for pattern in _FETCHING for m in pattern.finditer(page)]


def test_external_reference_check_finds_what_a_browser_would_fetch() -> None:
    """The static check is only worth something if it catches the usual ways a page calls out."""
    bad = [
        '<link rel="stylesheet" href="https://cdn.example/x.css">',
        '<script src="https://cdn.example/x.js"></script>',
        '<img src="//images.example/x.png">',
        "<style>@import 'https://fonts.example/css';</style>",
        '<div style="background: url(https://images.example/bg.png)"></div>',
        '<svg><image href="http://tiles.example/1/2/3.png"/></svg>',
    ]
    for snippet in bad:
        assert external_references(snippet), snippet
    fine = '<svg xmlns="http://www.w3.org/2000/svg"><a href="https://t.me/x/1">post</a></svg>'
    assert external_references(fine) == []


# --------------------------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------------------------


def _kpi(page: str, label: str) -> str:
    m = re.search(r'<div class="v">([^<]+)</div><div class="l">' + re.escape(label), page)
    assert m, label
    return m.group(1)


def test_report_over_a_demo_like_warehouse(warehouse_dsn: str, tmp_path: Path) -> None:
    expected = seed_demo_warehouse(warehouse_dsn)
    path = write_report(warehouse_dsn, tmp_path / "report")
    assert path == tmp_path / "report" / "index.html"
    page = path.read_text(encoding="utf-8")

    assert external_references(page) == []
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    doc = lxml_html.fromstring(page)
    assert [s.get("id") for s in doc.iter("section")] == list(SECTIONS)
    assert len(doc.xpath("//p[@class='how']")) == len(SECTIONS)  # a "how to read this" line per section
    title = doc.findtext(".//title")
    assert title.startswith("claimwatch") and "Jan 2026" in title
    meta = doc.xpath("string(//p[@class='meta'])")
    assert "Period covered" in meta and "Generated" in meta and "UTC" in meta

    # Headline figures agree with what was written.
    assert _kpi(page, "events (operations") == str(expected["events"])
    known = expected["intercepted"] + expected["hit"]
    assert _kpi(page, "intercepted, of") == f"{expected['intercepted'] / known:.0%}"

    # 1. weekly chart: one panel per actor, display names from the actor dimension, every week on the axis.
    weekly = doc.get_element_by_id("weekly")
    for name in ("Islamic Resistance in Iraq", "Hezbollah", "Ansar Allah (Houthis)"):
        assert name in weekly.text_content()
    assert len(weekly.xpath(".//svg//rect[title]")) > 50  # bars with tooltips
    # 2. interception: overall, per actor, per week.
    interception = doc.get_element_by_id("interception")
    assert len(interception.xpath(".//svg")) == 2
    # 3. the map: outlines, one circle per mapped place, the events without coordinates said so.
    map_section = doc.get_element_by_id("map")
    circles = map_section.xpath(".//svg//circle[title]")
    assert 8 <= len(circles) <= len(PLACES)
    assert len(map_section.xpath(".//svg//path")) > 10
    if expected["unmapped"]:
        assert "without coordinates" in map_section.text_content()
    labels = " ".join(map_section.xpath(".//svg//text/text()"))
    assert "Iraq" in labels and "Syria" in labels and "Israel" in labels
    # 4. top targets: location, country name, events, busiest first.
    rows = doc.get_element_by_id("targets").xpath(".//tbody/tr")
    assert 8 <= len(rows) <= 15
    counts = [int(r.xpath("string(td[4])").strip()) for r in rows]
    assert counts == sorted(counts, reverse=True)
    assert {r.xpath("string(td[3])") for r in rows} >= {"Israel", "Iraq", "At sea"}
    # 5. sources: every source, its documents, freshness.
    sources = {r.xpath("string(td[1])"): r for r in doc.get_element_by_id("sources").xpath(".//tbody/tr")}
    assert set(sources) == set(SOURCES)
    assert sources["old_listing"].xpath("string(td[7])") == "never"
    assert sources["naya_foriraq"].xpath(".//span[contains(@class, 'fresh')]")
    assert sources["almasirah"].xpath(".//span[contains(@class, 'stale')]")
    assert int(sources["news_wire"].xpath("string(td[3])").replace(",", "")) > 0


def test_empty_warehouse_gives_a_valid_page_saying_so(warehouse_dsn: str, tmp_path: Path) -> None:
    page = write_report(warehouse_dsn, tmp_path).read_text(encoding="utf-8")
    doc = lxml_html.fromstring(page)
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert "Nothing here yet" in page
    assert [s.get("id") for s in doc.iter("section")] == list(SECTIONS)
    assert doc.xpath("//section[@id='map']//svg")  # the frame of the region, with no points
    assert not doc.xpath("//section[@id='map']//svg//circle")
    assert external_references(page) == []


def test_weekly_chart_long_periods_draw_lines_and_group_small_actors() -> None:
    """Past 30 weeks bars would be slivers: lines instead; actors beyond the sixth share one row."""
    from claimwatch.report import charts
    from claimwatch.report.data import WeekActor

    rows = [
        WeekActor(date(2025, 1, 6) + timedelta(weeks=w), f"actor{a}", f"Actor {a}", 10 - a, 5, 3, 2, 1)
        for w in range(0, 40, 2)  # every other week: the weeks between are zeros, not gaps
        for a in range(8)
    ]
    svg = charts.weekly_chart(rows)
    doc = lxml_html.fromstring(svg)
    assert len(doc.xpath("//polyline")) == 3 * charts.MAX_PANELS
    assert not doc.xpath("//rect[title]")
    names = doc.xpath("//text[@class='panel-name']/text()")
    assert names[0] == "Actor 0" and names[-1] == "Other actors (3)"
    weeks = len(doc.xpath("//polyline")[0].get("points").split())
    assert weeks == 39  # 6 Jan 2025 to 29 Sep 2025, every week
    assert charts.draws_bars(rows[:16])  # four weeks: bars


def test_map_points_land_in_their_countries() -> None:
    """The projection fitted to the outline drawing puts inland cities inside their own country."""
    cities = {
        "iq": (33.31, 44.36),  # Baghdad
        "sy": (33.51, 36.29),  # Damascus
        "jo": (31.95, 35.93),  # Amman
        "il": (31.25, 34.79),  # Beersheba
        "lb": (33.85, 35.86),  # Zahle
        "sa": (24.71, 46.68),  # Riyadh
        "ye": (15.37, 44.19),  # Sanaa
        "ir": (35.69, 51.39),  # Tehran
        "fr": (48.86, 2.35),  # Paris
        "us": (39.74, -104.99),  # Denver
        "br": (-15.79, -47.88),  # Brasilia
        "cn": (39.9, 116.4),  # Beijing
    }
    for code, (lat, lon) in cities.items():
        assert country_at(lon, lat) == code, code


# --------------------------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_unwritable_out_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    # Root ignores permission bits, so make the folder impossible instead: its parent is a file.
    status = main(["--out", str(blocker / "report"), "--dsn", f"postgresql://x@127.0.0.1:{_closed_port()}/x"])
    err = capsys.readouterr().err
    assert status != 0
    assert err.count("\n") == 1 and err.startswith("claimwatch report: cannot write to ")
    assert "Traceback" not in err

    # The same from a real process: nothing but that line on stderr.
    proc = subprocess.run(
        [sys.executable, "-m", "claimwatch.report", "--out", str(blocker / "report")],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("claimwatch report: cannot write to ") and proc.stderr.count("\n") == 1


def test_cli_without_a_warehouse_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--out", str(tmp_path), "--dsn", f"postgresql://x@127.0.0.1:{_closed_port()}/x?connect_timeout=5"])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("claimwatch report: cannot reach the warehouse: ") and err.count("\n") == 1
    assert not (tmp_path / "index.html").exists()


def test_cli_unmigrated_warehouse_says_what_to_do(empty_database: str, tmp_path: Path, capsys) -> None:
    assert main(["--out", str(tmp_path), "--dsn", empty_database]) == 1
    err = capsys.readouterr().err
    assert "not migrated" in err and "claimwatch migrate" in err and err.count("\n") == 1
    with pytest.raises(ReportError):
        write_report(empty_database, tmp_path)


def test_cli_writes_the_report(warehouse_dsn: str, tmp_path: Path, capsys) -> None:
    seed_demo_warehouse(warehouse_dsn)
    assert main(["--out", str(tmp_path / "out"), "--dsn", warehouse_dsn]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {tmp_path / 'out' / 'index.html'}"


# --------------------------------------------------------------------------------------------------------------
# Headless Chromium: the figures draw and the page fetches nothing
# --------------------------------------------------------------------------------------------------------------


def _chromium() -> str:
    path = shutil.which("chromium")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed, and CI must render the report: apt-get install -y chromium")
    pytest.skip("chromium is not installed (apt-get install -y chromium); CI fails instead of skipping")


@contextmanager
def _recording_proxy() -> Iterator[tuple[int, list[str]]]:
    """An HTTP proxy on loopback that refuses everything and records each request line Chromium sends it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(32)
    server.settimeout(0.2)  # accept() wakes up to notice the end of the test
    seen: list[str] = []
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                client, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with client:
                client.settimeout(2)
                try:
                    seen.append(client.recv(4096).split(b"\r\n", 1)[0].decode("latin-1"))
                    client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], seen
    finally:
        done.set()
        thread.join(timeout=5)
        server.close()


# Chromium's own housekeeping, which its flags do not all silence (component updates, sign-in): never the page's.
_BROWSER_OWN = re.compile(
    r"^(?:CONNECT|POST|GET) (?:https?://)?(?:update\.googleapis\.com|accounts\.google\.com|clients2\.google\.com/time/)"
)


def screenshot(page: Path, png: Path, tmp: Path, size: tuple[int, int] = (1280, 3300)) -> list[str]:
    """Render ``page`` in headless Chromium to ``png``; return the requests the page made (through the proxy)."""
    with _recording_proxy() as (port, seen):
        cmd = [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            "--disable-domain-reliability",
            "--disable-client-side-phishing-detection",
            "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate",
            "--no-pings",
            # Every request Chromium makes goes to the recording proxy, loopback included; nothing is resolved.
            f"--proxy-server=http://127.0.0.1:{port}",
            "--proxy-bypass-list=<-loopback>",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--hide-scrollbars",
            "--force-color-profile=srgb",
            "--force-device-scale-factor=1",
            f"--user-data-dir={tmp / 'chromium-profile'}",
            f"--screenshot={png}",
            f"--window-size={size[0]},{size[1]}",
            page.resolve().as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        assert png.exists(), f"chromium wrote no screenshot (exit {proc.returncode}): {proc.stderr[-2000:]}"
    return [line for line in seen if not _BROWSER_OWN.match(line)]


def decode_png(path: Path) -> np.ndarray:
    """The pixels of an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes) as an H×W×3 array."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
    assert header is not None
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        if kind == 0:
            cur = line
        elif kind == 1:  # Sub: a running sum per channel
            cur = np.cumsum(line.reshape(-1, bpp), axis=0).reshape(-1) % 256
        elif kind == 2:  # Up
            cur = (line + prev) % 256
        else:  # Average, Paeth: each byte needs the one before it, decoded
            row = line.tolist()
            up = prev.tolist()
            for i in range(stride):
                left = row[i - bpp] if i >= bpp else 0
                if kind == 3:
                    row[i] = (row[i] + (left + up[i]) // 2) & 255
                else:
                    upleft = up[i - bpp] if i >= bpp else 0
                    p = left + up[i] - upleft
                    pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - upleft)
                    pred = left if pa <= pb and pa <= pc else up[i] if pb <= pc else upleft
                    row[i] = (row[i] + pred) & 255
            cur = np.array(row, dtype=np.int32)
        out[y] = cur
        prev = cur
    return out.reshape(height, width, bpp)[:, :, :3]


def _hex(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])


def _mask(img: np.ndarray, colour: str, tolerance: int = 3) -> np.ndarray:
    return (np.abs(img.astype(np.int16) - _hex(colour)) <= tolerance).all(axis=2)


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    assert len(xs), "colour not found on the screenshot"
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def test_report_renders_in_headless_chromium(warehouse_dsn: str, tmp_path: Path) -> None:
    from claimwatch.report import charts, geo

    _chromium()  # skip (or fail on CI) before building anything
    seed_demo_warehouse(warehouse_dsn)
    page = write_report(warehouse_dsn, tmp_path / "report")
    png = tmp_path / "report.png"
    requests = screenshot(page, png, tmp_path)
    if target := os.environ.get("CLAIMWATCH_REPORT_SCREENSHOT"):
        shutil.copyfile(png, target)
    assert requests == [], f"the report made network requests when opened: {requests}"

    img = decode_png(png)
    assert img.shape[1] == 1280
    white = (img >= 250).all(axis=2)

    # The weekly chart: bars of all three measures, spread over the weeks and the actor rows.
    bars = [_mask(img, c) for c in (charts.CLAIMED, charts.REPORTED, charts.INTERCEPTED)]
    for colour, mask in zip(("claimed", "reported", "intercepted"), bars, strict=True):
        assert mask.sum() > 1500, f"{colour} bars missing"
    x0, y0, x1, y1 = _box(bars[0] | bars[1] | bars[2])
    assert x1 - x0 > 700 and y1 - y0 > 300, "bars do not span the weeks and actors"
    chart = img[y0 : y1 + 1, x0 : x1 + 1]
    assert (~(chart >= 250).all(axis=2)).mean() > 0.2, "the chart area is mostly blank"

    # The map: a sea-coloured frame of the map's size, land and borders inside it, red circles for places.
    sea = _mask(img, geo.SEA, tolerance=1)
    mx0, my0, mx1, my1 = _box(sea)
    assert mx1 - mx0 > geo.MAP_WIDTH - 20 and my1 - my0 > geo.MAP_HEIGHT - 20, (mx0, my0, mx1, my1)
    assert my0 > y1, "the map comes after the weekly chart"
    crop = img[my0 : my1 + 1, mx0 : mx1 + 1]
    land = ~_mask(crop, geo.SEA, tolerance=6) & ~(crop >= 250).all(axis=2)
    assert land.mean() > 0.25, "no land drawn on the map"
    r, g, b = (crop[:, :, i].astype(int) for i in range(3))
    points = (r > 150) & (g < 110) & (b < 100)
    assert points.sum() > 400, "no target circles on the map"
    assert not white[my0 + 5 : my1 - 5, mx0 + 5 : mx1 - 5].all()


def test_empty_report_renders_in_headless_chromium(warehouse_dsn: str, tmp_path: Path) -> None:
    from claimwatch.report import geo

    _chromium()
    page = write_report(warehouse_dsn, tmp_path / "report")
    png = tmp_path / "empty.png"
    requests = screenshot(page, png, tmp_path, size=(1280, 2000))
    if target := os.environ.get("CLAIMWATCH_REPORT_SCREENSHOT"):
        shutil.copyfile(png, Path(target).with_name(Path(target).stem + "-empty.png"))
    assert requests == []
    img = decode_png(png)
    x0, y0, x1, y1 = _box(_mask(img, geo.SEA, tolerance=1))  # the map's frame of the region, without points
    assert x1 - x0 > geo.MAP_WIDTH - 20 and y1 - y0 > geo.MAP_HEIGHT - 20


def test_chromium_check_sees_a_page_that_calls_out(tmp_path: Path) -> None:
    """The network check is real: a page with an external image and stylesheet shows up in the proxy's log."""
    _chromium()
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><link rel="stylesheet" href="https://cdn.claimwatch.invalid/x.css">'
        '<img src="http://tiles.claimwatch.invalid/1/2/3.png">',
        encoding="utf-8",
    )
    requests = screenshot(page, tmp_path / "bad.png", tmp_path, size=(400, 300))
    assert any("cdn.claimwatch.invalid" in r for r in requests), requests
    assert any("tiles.claimwatch.invalid" in r for r in requests), requests
