"""Learning curve: the model fitted on 25 / 50 / 100 % of the training labels, scored on the frozen test set.

Adding labels must improve results without code edits: this fits the same code on seeded subsets of every
training set (the same share of each set, so the mix of languages and periods stays the same) and prints the
frozen-test scores of each fit (aggregates only: the test set is never read for errors).

    .venv/bin/python bench/learning_curve.py [--fractions 0.25,0.5,1.0]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimwatch.claims import train as T  # noqa: E402
from claimwatch.claims.labels import FIELDS  # noqa: E402
from claimwatch.claims.scoring import operation_scores, post_scores  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Fit on each fraction and print the frozen-test figures."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fractions", default="0.25,0.5,1.0")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)
    train = T.examples(T.training_set_names())
    tests = {ls.name: T.examples([ls.name]) for ls in T.LABEL_SETS if ls.role == "test" and ls.path.exists()}
    print(f"{'labels':>8} {'fit s':>6}  " + "  ".join(f"{n:<58}" for n in tests))
    print(
        f"{'':>8} {'':>6}  "
        + "  ".join(f"{'kind':>6} " + " ".join(f"{f[:6]:>6}" for f in FIELDS) + f" {'opsP/R':>10}" for _ in tests)
    )
    for frac in (float(f) for f in args.fractions.split(",")):
        rng = random.Random(args.seed)
        subset = []
        for name in dict.fromkeys(e.source for e in train):
            members = [e for e in train if e.source == name]
            subset += rng.sample(members, max(1, round(len(members) * frac)))
        t0 = time.perf_counter()
        model = T.fit(subset)
        fit_s = time.perf_counter() - t0
        cells = []
        for items in tests.values():
            gold = [e.label for e in items]
            pred = T.predict(model, items)
            res, ops = post_scores(gold, pred), operation_scores(gold, pred)
            cells.append(
                f"{res['macro_f1']:>6.3f} "
                + " ".join(f"{res['acc'][f]:>6.3f}" for f in FIELDS)
                + f" {ops['precision']:>4.2f}/{ops['recall']:<4.2f}"
            )
        print(f"{len(subset):>8} {fit_s:>6.1f}  " + "  ".join(f"{c:<58}" for c in cells), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
