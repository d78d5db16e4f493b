"""Throughput of normalize + extract over the 7,369 real channel posts, against a plain pass in the same run.

"normalize + extract" is what the pipeline runs per post: ``clean_text`` (the display form) and
``extract_claims`` (which builds the matching form itself). The plain pass touches every text the cheapest
meaningful way (``str.lower`` + ``len``), so the ratio says how many times more the rules cost than just
reading the texts; posts/s is the figure the issue sets (>= 5,000 on one core). Dictionaries and the
gazetteer are built before timing (a one-off cost, also printed).

    .venv/bin/python bench/bench_extract_throughput.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimwatch.claims.rules import extract_claims  # noqa: E402
from claimwatch.textnorm import clean_text  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "channel-posts" / "naya_foriraq.jsonl"


def _posted(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def main(argv: list[str] | None = None) -> int:
    """Time both passes and print posts/s and the ratio."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="timed repetitions; the best is reported")
    args = ap.parse_args(argv)
    with CORPUS.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    posts = [(r.get("text") or "", _posted(r["posted_at"])) for r in rows]
    n = len(posts)
    t0 = time.perf_counter()
    extract_claims("استهداف موقع في كريات شمونة بالصواريخ", posts[0][1])  # builds matchers and gazetteer
    warm = time.perf_counter() - t0

    best_plain = best_rules = float("inf")
    kinds: Counter[str] = Counter()
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        total = 0
        for text, _p in posts:
            total += len(text.lower())
        best_plain = min(best_plain, time.perf_counter() - t0)

        kinds.clear()
        t0 = time.perf_counter()
        for text, posted in posts:
            clean_text(text)  # the display form stored next to the raw text
            kinds[extract_claims(text, posted).kind] += 1  # normalizes for matching internally
        best_rules = min(best_rules, time.perf_counter() - t0)

    print(f"posts: {n}  (one-off build of dictionaries and gazetteer: {warm:.2f} s)")
    print(f"plain pass (lower+len):   {n / best_plain:>12,.0f} posts/s  ({best_plain * 1000:.1f} ms)")
    print(f"normalize + extract:      {n / best_rules:>12,.0f} posts/s  ({best_rules * 1000:.1f} ms)")
    print(f"ratio (rules / plain time): {best_rules / best_plain:,.1f}x")
    print(f"target >= 5,000 posts/s: {'met' if n / best_rules >= 5000 else 'NOT met'}")
    print("kinds over the corpus:", dict(kinds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
