"""Candidate claim-report pairs from the shared channel, for labelling the event linker (seeded, reproducible).

The channel republishes communiqués (claims) next to third-party reports of the same operations, so it holds
both sides of a link. The extractor reads every post; a *candidate pair* is a claim and a report of two different
posts within one day of each other that share the target country or the place (what the linker would even
consider); posts the extractor reads as one operation only, so a pair of posts names one pair of operations.
Pairs are drawn stratified by a plain similarity (same place, same weapon, same day, shared words),
so the sample holds clear matches, clear non-matches and the hard middle in similar shares.

    .venv/bin/python bench/link_pairs.py --n 200 --out /work/annot/links       # the draw + annotation batches

The third draw (``--linked``) is of the linker's own output instead: pairs it puts into one event, labelled
to measure its precision on pairs no model was fitted on (``linked_pairs.jsonl``). Each call appends a new draw
(``draw`` 1, 2, ...) of the linker as it is then, excluding every pair drawn before: a fresh draw after changes that
earlier draws were scored on gives the clean figure. Draws up to ``train.LINKED_TRAINING_DRAWS`` are fitted on as
well once labelled (they are the pairs a linker finds hard); later ones stay held out.

    .venv/bin/python bench/link_pairs.py --linked --n 150 --out /work/annot/linked

The fourth draw (``--uncertain``) takes pairs the shipped link model is unsure of (probability 0.25-0.75), appended
to ``pairs.jsonl`` as training labels for the link model (uncertainty sampling: the labels that teach it most).

    .venv/bin/python bench/link_pairs.py --uncertain --n 200 --out /work/annot/uncertain

The fifth draw (``--samekind``) is of *same-kind* pairs, which the clusterer weighs most (several reports of one
interception, repeated statements of one strike) and no earlier draw holds: report-report and claim-claim pairs of
two different single-operation posts within one day of each other sharing the target country or the place, from
the channel AND from the army's English channel (``idf``), stratified per corpus and kinds into the four similarity
bands, excluding every pair drawn before; to ``samekind.jsonl`` (labels: ``samekind.labels.jsonl``, which
``claimwatch train`` adds to the link model's pairs once it exists).

    .venv/bin/python bench/link_pairs.py --samekind --batch 60 --out /work/annot/samekind

writes ``bench/gold/links/pairs.jsonl`` (the draw: pair ids and references, no text) and, outside the
repository, ``OUT/batch_NN.input.jsonl`` with both posts' texts for the annotators. The draw depends on what the
extractor read when it was made; the committed ``pairs.jsonl`` is the reference, not a re-run.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
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
LINKED_PAIRS = ROOT / "bench" / "gold" / "links" / "linked_pairs.jsonl"  # draws after LINKED_TRAINING_DRAWS: held out
SAMEKIND = ROOT / "bench" / "gold" / "links" / "samekind.jsonl"  # report-report and claim-claim pairs, both corpora
SEED = 20261205
# the same-kind draw's shares of its --n (240 by default): (corpus, kinds) -> pairs, a quarter per similarity band
SAMEKIND_SHARES = {
    ("naya", "report-report"): 120 / 240,
    ("naya", "claim-claim"): 40 / 240,
    ("idf", "report-report"): 56 / 240,
    ("idf", "claim-claim"): 24 / 240,
}


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
    output, on pairs no model was fitted on (until a later linker is fitted on them: ``LINKED_TRAINING_DRAWS``)."""
    from claimwatch.claims.train import channel_rows
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
    from claimwatch.claims.train import channel_rows
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


def _row_similarity(a: Any, b: Any) -> float:
    """:func:`_similarity` over two linker rows: same place, same weapon, same day, and the shared share of words."""
    shared = len(a.words & b.words) / max(1, min(len(a.words), len(b.words)))
    return (
        (a.location_id is not None and a.location_id == b.location_id)
        + (a.weapon == b.weapon and (a.weapon or "unspecified") != "unspecified")
        + (a.event_date == b.event_date)
        + shared
    )


def samekind_candidates(rows: list[Any]) -> dict[str, list[tuple[float, Any, Any]]]:
    """Same-kind candidate pairs of one corpus's rows, by kinds (``report-report``, ``claim-claim``): two rows of
    the same kind of two different single-operation posts, dated within one day of each other, that share the
    place or the target country (what the clusterer compares; a row of another country counts as no link), the
    earlier-published first; each with its :func:`_row_similarity`, sorted by it (ties by post ids)."""
    single = [r for r in _single_operation(rows) if r.event_date is not None and r.kind in ("claim", "report")]
    by_day: dict[Any, list[Any]] = defaultdict(list)
    for r in single:
        by_day[r.event_date].append(r)
    order = {r.key: i for i, r in enumerate(rows)}
    out: dict[str, list[tuple[float, Any, Any]]] = {"report-report": [], "claim-claim": []}
    for a in single:
        for delta in (0, 1):
            for b in by_day.get(date.fromordinal(a.event_date.toordinal() + delta), ()):
                if b.kind != a.kind or b.doc == a.doc or (delta == 0 and order[b.key] <= order[a.key]):
                    continue
                same_place = a.location_id is not None and a.location_id == b.location_id
                if same_place or (a.target_country is not None and a.target_country == b.target_country):
                    first, second = (a, b) if order[a.key] < order[b.key] else (b, a)
                    out[f"{a.kind}-{a.kind}"].append((_row_similarity(first, second), first, second))
    for pairs in out.values():
        pairs.sort(key=lambda t: (t[0], t[1].doc, t[2].doc))
    return out


def draw_samekind(
    n: int, seed: int, exclude: set[frozenset[tuple[str, int]]], shares: dict[tuple[str, str], float] | None = None
) -> list[dict[str, Any]]:
    """About ``n`` same-kind pairs (see :func:`samekind_candidates`) of both corpora: per (corpus, kinds) its share
    of ``n`` (``SAMEKIND_SHARES``), a quarter from each of four similarity bands (as the first draw), uniformly
    within a band and seeded, leaving out pairs of posts drawn before (``exclude``: pairs of ``(corpus, msg_id)``)."""
    from claimwatch.claims.train import channel_rows

    shares = shares or SAMEKIND_SHARES
    rng = random.Random(seed)
    picked = []
    for corpus in dict.fromkeys(c for c, _k in shares):
        by_kinds = samekind_candidates(channel_rows(corpus))
        for (c, kinds), share in shares.items():
            if c != corpus:
                continue
            pool = [t for t in by_kinds[kinds] if frozenset(((c, t[1].doc), (c, t[2].doc))) not in exclude]
            quota = round(n * share)
            bands = [pool[i * len(pool) // 4 : (i + 1) * len(pool) // 4] for i in range(4)]
            for band_no, band in enumerate(bands):
                take = quota // 4 + (band_no < quota % 4)
                for s, a, b in rng.sample(band, min(len(band), take)):
                    picked.append(
                        {
                            "pair_id": 0,
                            "corpus": c,
                            "kinds": kinds,
                            "a": {"msg_id": a.doc, "op": a.operation_index},
                            "b": {"msg_id": b.doc, "op": b.operation_index},
                            "similarity": round(s, 3),
                            "band": band_no + 1,
                            "candidates": len(pool),
                        }
                    )
    rng.shuffle(picked)
    return picked


def _drawn(path: Path) -> list[dict[str, Any]]:
    """The pairs of earlier draws written to ``path`` (none when it does not exist yet)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _posts_of(pairs: list[dict[str, Any]]) -> set[tuple[int, int]]:
    return {(p["claim"]["msg_id"], p["report"]["msg_id"]) for p in pairs}


def _post_pairs(pairs: list[dict[str, Any]]) -> set[frozenset[tuple[str, int]]]:
    """The pairs of posts of draw records of any draw, as unordered pairs of ``(corpus, msg_id)``."""
    out = set()
    for p in pairs:
        if "claim" in p:
            out.add(frozenset((("naya", p["claim"]["msg_id"]), ("naya", p["report"]["msg_id"]))))
        else:
            out.add(frozenset(((p["corpus"], p["a"]["msg_id"]), (p["corpus"], p["b"]["msg_id"]))))
    return out


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
    ap.add_argument(
        "--samekind",
        action="store_true",
        help="the fifth draw (report-report and claim-claim pairs of both corpora), to SAMEKIND, appended",
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
    elif args.samekind:  # each call a new draw, appended, excluding every pair of posts drawn before
        earlier = _drawn(SAMEKIND)
        draw_no = 1 + max((p.get("draw", 1) for p in earlier), default=0)
        before = _post_pairs(first) | _post_pairs(_drawn(LINKED_PAIRS)) | _post_pairs(earlier)
        pairs = draw_samekind(args.n, SEED + 4 + 10 * (draw_no - 1), before)
        _append(SAMEKIND, pairs, len(earlier) + 1, draw=draw_no)
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
    posts = {c: {p["msg_id"]: p for p in load_corpus(c)} for c in ("naya", "idf")}
    args.out.mkdir(parents=True, exist_ok=True)
    first_batch = 1 + len(list(args.out.glob("batch_*.input.jsonl")))
    for b, start in enumerate(range(0, len(pairs), args.batch), first_batch):
        with (args.out / f"batch_{b:02d}.input.jsonl").open("w", encoding="utf-8") as fh:
            for p in pairs[start : start + args.batch]:
                if "claim" in p:
                    a, r = posts["naya"][p["claim"]["msg_id"]], posts["naya"][p["report"]["msg_id"]]
                else:
                    a, r = posts[p["corpus"]][p["a"]["msg_id"]], posts[p["corpus"]][p["b"]["msg_id"]]
                row = {
                    "pair_id": p["pair_id"],
                    "post_a": {"msg_id": a["msg_id"], "posted_at": a["posted_at"], "text": a["text"]},
                    "post_b": {"msg_id": r["msg_id"], "posted_at": r["posted_at"], "text": r["text"]},
                }
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if args.samekind:
        strata = Counter((p["corpus"], p["kinds"]) for p in pairs)
        pools = {(p["corpus"], p["kinds"]): p["candidates"] for p in pairs}
        for (c, kinds), k in sorted(strata.items()):
            print(f"{SAMEKIND.name}: {c} {kinds}: {k} pairs (of {pools[(c, kinds)]} candidates)")
        print(f"{SAMEKIND}: {len(pairs)} pairs")
        return 0
    candidates = pairs[0]["candidates"] if pairs else 0
    print(f"{LINKED_PAIRS if args.linked else PAIRS}: {len(pairs)} pairs (of {candidates} candidates)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
