"""Candidate claim-report pairs from the shared channel, for labelling the event linker (seeded, reproducible).

The channel republishes communiqués (claims) next to third-party reports of the same operations, so it holds
both sides of a link. The extractor reads every post; a *candidate pair* is a claim and a report of two different
posts within one day of each other that share the target country or the place (what the linker would even
consider); posts the extractor reads as one operation only, so a pair of posts names one pair of operations.
Pairs are drawn stratified by a plain similarity (same place, same weapon, same day, shared words),
so the sample holds clear matches, clear non-matches and the hard middle in similar shares.

    .venv/bin/python bench/link_pairs.py --n 200 --out /work/annot/links       # the draw + annotation batches

The third draw (``--linked``) is of the linker's own output instead: pairs it puts into one event, labelled
to measure its precision on pairs no model was fitted on (``linked_pairs.jsonl``; never trained on). Each call
appends a new draw (``draw`` 1, 2, ...) of the linker as it is then, excluding every pair drawn before: a fresh draw
after changes that earlier draws were scored on gives the clean figure.

    .venv/bin/python bench/link_pairs.py --linked --n 150 --out /work/annot/linked

The fourth draw (``--uncertain``) takes pairs the shipped link model is unsure of (probability 0.25-0.75), appended
to ``pairs.jsonl`` as training labels for the link model (uncertainty sampling: the labels that teach it most).

    .venv/bin/python bench/link_pairs.py --uncertain --n 200 --out /work/annot/uncertain

writes ``bench/gold/links/pairs.jsonl`` (the draw: pair ids and references, no text) and, outside the
repository, ``OUT/batch_NN.input.jsonl`` with both posts' texts for the annotators. The draw depends on what the
extractor read when it was made; the committed ``pairs.jsonl`` is the reference, not a re-run.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from claimwatch.claims.corpus import load_corpus  # noqa: E402
from claimwatch.claims.extract import extract_posts  # noqa: E402
from claimwatch.claims.train import _posted  # noqa: E402

PAIRS = ROOT / "bench" / "gold" / "links" / "pairs.jsonl"
LINKED_PAIRS = ROOT / "bench" / "gold" / "links" / "linked_pairs.jsonl"  # held out: scored, never trained on
SEED = 20261205


def operations() -> list[dict[str, Any]]:
    """Every operation the extractor reads in the channel, with its post's reference."""
    posts = load_corpus("naya")
    out = []
    for post, ex in zip(posts, extract_posts([(p["text"], _posted(p["posted_at"])) for p in posts]), strict=True):
        if len(ex.operations) != 1:  # a pair names two posts; a post of several operations would be ambiguous
            continue
        for i, op in enumerate(ex.operations):
            out.append(
                {
                    "msg_id": post["msg_id"],
                    "op": i,
                    "kind": op.kind,
                    "actor": op.actor,
                    "weapon": op.weapon,
                    "target_country": op.target_country,
                    "location": op.location,
                    "event_date": op.event_date.isoformat() if op.event_date else None,
                    "intercepted": op.intercepted,
                    "words": sorted(set(op.evidence.lower().split())),
                    "posted_at": post["posted_at"],
                }
            )
    return out


def _similarity(a: dict[str, Any], b: dict[str, Any]) -> float:
    shared = len(set(a["words"]) & set(b["words"])) / max(1, min(len(a["words"]), len(b["words"])))
    return (
        (a["location"] is not None and a["location"] == b["location"])
        + (a["weapon"] == b["weapon"] and a["weapon"] != "unspecified")
        + (a["event_date"] == b["event_date"])
        + shared
    )


def _hours(a: dict[str, Any], b: dict[str, Any]) -> float:
    from datetime import datetime

    ta, tb = (datetime.fromisoformat(x["posted_at"].replace("Z", "+00:00")) for x in (a, b))
    return abs((ta - tb).total_seconds()) / 3600


def draw(
    n: int, seed: int = SEED, second: bool = False, exclude: set[tuple[int, int]] | None = None
) -> list[dict[str, Any]]:
    """``n`` candidate pairs, stratified into four similarity bands; the ``second`` draw takes, uniformly, pairs
    posted within 12 hours of each other (where the hard decisions and most true links are), not drawn before."""
    ops = operations()
    by_date: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for op in ops:
        if op["kind"] == "report":
            by_date[op["event_date"]].append(op)
    from datetime import timedelta

    candidates = []
    for c in ops:
        if c["kind"] != "claim" or c["event_date"] is None:
            continue
        day = date.fromisoformat(c["event_date"])
        for delta in (-1, 0, 1):
            for r in by_date.get((day + timedelta(days=delta)).isoformat(), []):
                if r["msg_id"] == c["msg_id"]:
                    continue
                same_place = c["location"] is not None and c["location"] == r["location"]
                if same_place or (c["target_country"] and c["target_country"] == r["target_country"]):
                    candidates.append((_similarity(c, r), c, r))
    candidates.sort(key=lambda t: (t[0], t[1]["msg_id"], t[1]["op"], t[2]["msg_id"], t[2]["op"]))
    rng = random.Random(seed)
    if second:
        pool = [
            t
            for t in candidates
            if _hours(t[1], t[2]) <= 12 and (t[1]["msg_id"], t[2]["msg_id"]) not in (exclude or set())
        ]
        picked = rng.sample(pool, min(n, len(pool)))
    else:
        bands = [candidates[i * len(candidates) // 4 : (i + 1) * len(candidates) // 4] for i in range(4)]
        picked = []
        for band in bands:
            picked += rng.sample(band, min(len(band), n // 4))
    rng.shuffle(picked)
    return [
        {
            "pair_id": k + 1,
            "claim": {"msg_id": c["msg_id"], "op": c["op"]},
            "report": {"msg_id": r["msg_id"], "op": r["op"]},
            "similarity": round(s, 3),
            "candidates": len(candidates),
        }
        for k, (s, c, r) in enumerate(picked)
    ]


def _single_operation(rows: list[Any]) -> list[Any]:
    """The rows of posts the extractor reads one operation in: a pair names two posts, and a post of several
    operations would leave open which one is meant."""
    per_post: dict[Any, int] = defaultdict(int)
    for row in rows:
        per_post[row.doc] += 1
    return [r for r in rows if per_post[r.doc] == 1]


def _sample(pool: set[tuple[int, int]], n: int, seed: int, why: str) -> list[dict[str, Any]]:
    """``n`` (claim post, report post) pairs drawn uniformly from ``pool``, as draw records (``why``: the draw's
    flag, true on each record; pair ids are given when the draw is written)."""
    ordered = sorted(pool)
    picked = random.Random(seed).sample(ordered, min(n, len(ordered)))
    return [
        {
            "pair_id": 0,
            "claim": {"msg_id": c, "op": 0},
            "report": {"msg_id": r, "op": 0},
            why: True,
            "candidates": len(ordered),
        }
        for c, r in picked
    ]


def draw_linked(n: int, seed: int, exclude: set[tuple[int, int]]) -> list[dict[str, Any]]:
    """``n`` pairs the shipped linker *links*: a claim and a report of two single-operation posts that it puts into
    one event, uniformly among those not drawn before. Labelled, they measure the linker's precision on its own
    output, on pairs no model was fitted on (the first two draws also train the link model)."""
    from eval_links import channel_rows

    from claimwatch.transform.events import Clusterer, load_link_model

    rows = channel_rows()
    single = {r.key for r in _single_operation(rows)}
    clusterer = Clusterer(load_link_model())
    for row in rows:  # every row is placed, as the warehouse places them; pairs are drawn from single ones
        clusterer.place(row)
    linked = set()
    for members in clusterer.members.values():
        ones = [r for r in members if r.key in single]
        for c in (r for r in ones if r.kind == "claim"):
            for r in (r for r in ones if r.kind == "report" and r.doc != c.doc):
                if (c.doc, r.doc) not in exclude:
                    linked.add((c.doc, r.doc))
    return _sample(linked, n, seed, "linked")


def draw_uncertain(n: int, seed: int, exclude: set[tuple[int, int]]) -> list[dict[str, Any]]:
    """``n`` claim-report pairs the shipped link model is unsure of (probability 0.25-0.75), within a day of each
    other, uniformly among those not drawn before: the labels that teach a model most (uncertainty sampling)."""
    from eval_links import channel_rows

    from claimwatch.transform.events import load_link_model

    model = load_link_model()
    single = [r for r in _single_operation(channel_rows()) if r.event_date is not None]
    reports: dict[Any, list[Any]] = defaultdict(list)
    for r in single:
        if r.kind == "report":
            reports[r.event_date].append(r)
    pool = set()
    for c in (r for r in single if r.kind == "claim"):
        for delta in (-1, 0, 1):
            for r in reports.get(date.fromordinal(c.event_date.toordinal() + delta), []):
                if r.doc != c.doc and (c.doc, r.doc) not in exclude and 0.25 <= model.probability(c, r) <= 0.75:
                    pool.add((c.doc, r.doc))
    return _sample(pool, n, seed, "uncertain")


def _drawn(path: Path) -> list[dict[str, Any]]:
    """The pairs of earlier draws written to ``path`` (none when it does not exist yet)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _posts_of(pairs: list[dict[str, Any]]) -> set[tuple[int, int]]:
    return {(p["claim"]["msg_id"], p["report"]["msg_id"]) for p in pairs}


def _append(path: Path, pairs: list[dict[str, Any]], first_id: int, **extra: Any) -> None:
    """Number ``pairs`` from ``first_id`` on and append them to ``path``."""
    with path.open("a", encoding="utf-8") as fh:
        for k, p in enumerate(pairs, first_id):
            p["pair_id"] = k
            p.update(extra)
            fh.write(json.dumps(p) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Draw the pairs and write the annotation batches."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--out", type=Path, required=True, help="folder for annotation batches (outside the project)")
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--second", action="store_true", help="the second draw (pairs within 12 hours), appended")
    ap.add_argument(
        "--linked", action="store_true", help="the third draw (pairs the shipped linker links), to LINKED_PAIRS"
    )
    ap.add_argument(
        "--uncertain", action="store_true", help="the fourth draw (pairs the link model is unsure of), appended"
    )
    args = ap.parse_args(argv)
    if ROOT in args.out.resolve().parents:
        ap.error("batches hold corpus text: write them outside the project")
    PAIRS.parent.mkdir(parents=True, exist_ok=True)
    first = _drawn(PAIRS)
    if args.linked:  # each call is a new held-out draw of the shipped linker's links, appended
        earlier = _drawn(LINKED_PAIRS)
        draw_no = 1 + max((p.get("draw", 1) for p in earlier), default=0)
        pairs = draw_linked(args.n, SEED + 2 + 10 * (draw_no - 1), _posts_of(first) | _posts_of(earlier))
        _append(LINKED_PAIRS, pairs, len(earlier) + 1, draw=draw_no)
    elif args.uncertain:
        pairs = draw_uncertain(args.n, SEED + 3, _posts_of(first) | _posts_of(_drawn(LINKED_PAIRS)))
        _append(PAIRS, pairs, len(first) + 1)
    elif args.second:
        pairs = draw(args.n, SEED + 1, second=True, exclude=_posts_of(first))
        _append(PAIRS, pairs, len(first) + 1)
    else:
        pairs = draw(args.n)
        PAIRS.unlink(missing_ok=True)
        _append(PAIRS, pairs, 1)
    posts = {p["msg_id"]: p for p in load_corpus("naya")}
    args.out.mkdir(parents=True, exist_ok=True)
    first_batch = 1 + len(list(args.out.glob("batch_*.input.jsonl")))
    for b, start in enumerate(range(0, len(pairs), args.batch), first_batch):
        with (args.out / f"batch_{b:02d}.input.jsonl").open("w", encoding="utf-8") as fh:
            for p in pairs[start : start + args.batch]:
                a, r = posts[p["claim"]["msg_id"]], posts[p["report"]["msg_id"]]
                row = {
                    "pair_id": p["pair_id"],
                    "post_a": {"msg_id": a["msg_id"], "posted_at": a["posted_at"], "text": a["text"]},
                    "post_b": {"msg_id": r["msg_id"], "posted_at": r["posted_at"], "text": r["text"]},
                }
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    candidates = pairs[0]["candidates"] if pairs else 0
    print(f"{LINKED_PAIRS if args.linked else PAIRS}: {len(pairs)} pairs (of {candidates} candidates)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
