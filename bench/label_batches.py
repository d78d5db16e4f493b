"""Annotation batches for a draw: the posts an annotator reads, outside the project.

    .venv/bin/python bench/label_batches.py --draw frozen_test --corpus naya --size 100 --out /work/annot/ft_naya

writes ``OUT/batch_NN.input.jsonl`` (msg_id, url, posted_at, text: the ``claimwatch extract`` input shape, in
time order). The batches hold corpus text, so they stay outside the repository; the labels that come back hold
only ``msg_id`` and the GUIDE's fields. Each batch is labelled twice by annotators who see only
``claims-gold/GUIDE.md`` and the batch; ``bench/label_agreement.py`` compares the passes and builds the sheet
an adjudicator settles.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimwatch.claims.corpus import posts_by_id  # noqa: E402
from claimwatch.claims.samples import draw_ids  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Write the batches of one draw."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--draw", required=True)
    ap.add_argument("--corpus", required=True, choices=("naya", "idf"))
    ap.add_argument("--size", type=int, default=100, help="posts per batch")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    if ROOT in args.out.resolve().parents:
        ap.error("batches hold corpus text: write them outside the project")
    posts = posts_by_id(args.corpus)
    chosen = sorted(
        (posts[i] for i in draw_ids(args.draw, args.corpus)), key=lambda p: (p["posted_at"] or "", p["msg_id"])
    )
    args.out.mkdir(parents=True, exist_ok=True)
    for n, start in enumerate(range(0, len(chosen), args.size), 1):
        path = args.out / f"batch_{n:02d}.input.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for post in chosen[start : start + args.size]:
                fh.write(json.dumps(post, ensure_ascii=False) + "\n")
        print(f"{path}: {min(args.size, len(chosen) - start)} posts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
