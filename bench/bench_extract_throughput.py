"""Throughput of claim extraction over the 7,369 real channel posts, against baselines measured in the same run.

Three passes over the same posts, each timed ``--repeat`` times (the best is reported):

- plain: touch every text the cheapest meaningful way (``str.lower`` + ``len``);
- rules only: the rules' reading of every post (what extraction cost before the model);
- extractor: what ``claimwatch extract`` and the pipeline run (``claims.extract.extract_posts``: the model's
  kind from the words, the rules and the event heads on the posts that hold an operation), in batches.

posts/s of the extractor is the figure the issue sets (>= 5,000 on one core). Loading the model and building the
dictionaries and gazetteer are one-off costs, printed apart.

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

from claimwatch.claims import rules  # noqa: E402
from claimwatch.claims.extract import extract_posts  # noqa: E402
from claimwatch.claims.model import load_model  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "channel-posts" / "naya_foriraq.jsonl"


def _posted(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def main(argv: list[str] | None = None) -> int:
    """Time the passes and print posts/s and the ratios."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="timed repetitions; the best is reported")
    args = ap.parse_args(argv)
    with CORPUS.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    posts = [(r.get("text") or "", _posted(r["posted_at"])) for r in rows]
    n = len(posts)
    t0 = time.perf_counter()
    model = load_model()
    extract_posts([("استهداف موقع في كريات شمونة بالصواريخ", posts[0][1])], model=model)  # dictionaries, gazetteer
    warm = time.perf_counter() - t0

    best = {"plain": float("inf"), "rules": float("inf"), "extractor": float("inf")}
    kinds: Counter[str] = Counter()
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        total = 0
        for text, _p in posts:
            total += len(text.lower())
        best["plain"] = min(best["plain"], time.perf_counter() - t0)

        t0 = time.perf_counter()
        for text, posted in posts:
            rules.extract_claims(text, posted)
        best["rules"] = min(best["rules"], time.perf_counter() - t0)

        t0 = time.perf_counter()
        found = extract_posts(posts, model=model)
        best["extractor"] = min(best["extractor"], time.perf_counter() - t0)
        kinds = Counter(ex.kind for ex in found)

    print(f"posts: {n}  (one-off: model load, dictionaries and gazetteer {warm:.2f} s; model {model.version})")
    for name, label in (("plain", "plain pass (lower+len)"), ("rules", "rules only"), ("extractor", "extractor")):
        print(f"{label:<26}{n / best[name]:>12,.0f} posts/s  ({best[name] * 1000:,.1f} ms)")
    print(f"ratio extractor / rules only: {best['extractor'] / best['rules']:.2f}x")
    print(f"ratio extractor / plain pass: {best['extractor'] / best['plain']:,.0f}x")
    rate = n / best["extractor"]
    print(f"target >= 5,000 posts/s on one core: {'met' if rate >= 5000 else 'NOT met'} ({rate:,.0f})")
    print("kinds over the corpus:", dict(kinds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
