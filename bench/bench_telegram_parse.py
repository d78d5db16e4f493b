"""Throughput of the Telegram preview path: replay pages/s served, and posts/s parsed.

Serves ``../shared/corpus/channel-posts/naya_foriraq.jsonl`` (7,369 posts) with :class:`ReplayServer`, walks every
``?before=`` page over keep-alive connections (one client, then several in parallel), then parses the fetched pages
with :func:`parse_preview_page` a few rounds. The real captured page ``any2feed_full.html`` is parsed too: it is
heavier per post (long CDN URLs, SVGs, albums) and is the figure to quote for live pages.

    .venv/bin/python bench/bench_telegram_parse.py [--rounds 3] [--clients 4]
"""

from __future__ import annotations

import argparse
import http.client
import threading
import time
from pathlib import Path

from claimwatch.parse.telegram_preview import parse_preview_page
from claimwatch.tools.replay import ReplayServer

CORPUS_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
CORPUS = CORPUS_ROOT / "channel-posts" / "naya_foriraq.jsonl"
REAL_PAGE = CORPUS_ROOT / "telegram" / "any2feed_full.html"
CHANNEL = "naya_foriraq"


def walk(port: int) -> tuple[list[str], list[str]]:
    """Every page of the channel and its path, newest first, following the parser's ``before`` cursor."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    pages: list[str] = []
    targets: list[str] = []
    target: str | None = f"/s/{CHANNEL}"
    while target is not None:
        conn.request("GET", target)
        body = conn.getresponse().read().decode("utf-8")
        pages.append(body)
        targets.append(target)
        before = parse_preview_page(body).before
        target = f"/s/{CHANNEL}?before={before}" if before is not None else None
    return pages, targets


def fetch_all(port: int, targets: list[str]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for target in targets:
        conn.request("GET", target)
        conn.getresponse().read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    started = time.perf_counter()
    server = ReplayServer([CORPUS])
    print(
        f"replay: loaded and rendered {sum(len(c.ids) for c in server.channels.values())} posts "
        f"in {time.perf_counter() - started:.2f} s"
    )
    with server:
        pages, targets = walk(server.port)

        started = time.perf_counter()
        fetch_all(server.port, targets)
        elapsed = time.perf_counter() - started
        print(f"replay: {len(targets)} pages, 1 keep-alive client: {len(targets) / elapsed:,.0f} pages/s")

        started = time.perf_counter()
        threads = [threading.Thread(target=fetch_all, args=(server.port, targets)) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        print(
            f"replay: {len(targets) * args.clients} pages, {args.clients} clients: "
            f"{len(targets) * args.clients / elapsed:,.0f} pages/s"
        )

    total_posts = 0
    started = time.perf_counter()
    for _ in range(args.rounds):
        for body in pages:
            total_posts += len(parse_preview_page(body).posts)
    elapsed = time.perf_counter() - started
    print(
        f"parse (replayed pages): {total_posts // args.rounds} posts x {args.rounds} rounds: "
        f"{total_posts / elapsed:,.0f} posts/s, {len(pages) * args.rounds / elapsed:,.0f} pages/s"
    )

    real = REAL_PAGE.read_text(encoding="utf-8")
    rounds = 200
    started = time.perf_counter()
    real_posts = sum(len(parse_preview_page(real).posts) for _ in range(rounds))
    elapsed = time.perf_counter() - started
    print(
        f"parse (real page, {real_posts // rounds} posts, {len(real) // 1024} KiB): {real_posts / elapsed:,.0f} posts/s"
    )


if __name__ == "__main__":
    main()
