"""Evaluate the claim rules on a hand-annotated gold set (default: claims-gold/dev.input.jsonl vs dev.jsonl).

Prints kind macro-F1 and the per-class scores, a kind confusion table, the accuracy of actor, weapon,
target_country, event_date, intercepted (and location, for information) on the gold claims and reports
(gold kind != other), and the most common error types. Low scores do not fail the run (it is a measurement);
a crash does.

    .venv/bin/python bench/eval_claims.py [--show-errors]
    .venv/bin/python bench/eval_claims.py --gold demo/gold/demo_resistance_ar.gold.jsonl \
        --input demo/channels/demo_resistance_ar.jsonl

``--gold`` and ``--input`` score any pair of files: the gold file has one line per input post, in the same
order, with the keys of ``dev.jsonl`` (msg_id, kind, actor, weapon, target_country, location, event_date,
intercepted). A labels-only gold file (no post texts, e.g. ``bench/gold/naya_july.labels.jsonl``) is scored
against the channel dump it was drawn from: ``--corpus`` builds the input lines from it by msg_id.

    .venv/bin/python bench/eval_claims.py --gold bench/gold/naya_july.labels.jsonl \
        --corpus ../shared/corpus/channel-posts/naya_foriraq.jsonl
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimwatch.extract_jsonl import run_extract  # noqa: E402

GOLD_DIR = ROOT.parent / "shared" / "corpus" / "claims-gold"
KINDS = ("claim", "report", "other")
FIELDS = ("actor", "weapon", "target_country", "event_date", "intercepted")


def load(path: Path) -> list[dict[str, Any]]:
    """Read a JSON Lines file."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def predict(inputs_path: Path) -> list[dict[str, Any]]:
    """Run the real CLI code path over the input file."""
    with inputs_path.open(encoding="utf-8") as fh:
        return predict_lines(fh)


def predict_lines(lines: Any) -> list[dict[str, Any]]:
    """Run the real CLI code path over an iterable of JSON lines."""
    out = io.StringIO()
    run_extract(lines, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def inputs_from_corpus(gold: list[dict[str, Any]], corpus_path: Path) -> list[dict[str, Any]]:
    """The corpus posts of the gold msg_ids, in gold order (a labels-only gold file holds no texts)."""
    wanted = {g["msg_id"] for g in gold}
    by_id: dict[Any, dict[str, Any]] = {}
    with corpus_path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                if row.get("msg_id") in wanted:
                    by_id[row["msg_id"]] = row
    missing = [g["msg_id"] for g in gold if g["msg_id"] not in by_id]
    if missing:
        raise ValueError(f"{len(missing)} gold msg_ids are not in {corpus_path} (first: {missing[0]})")
    return [by_id[g["msg_id"]] for g in gold]


def score(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> dict[str, Any]:
    """Kind macro-F1, confusion counts, per-field accuracy on gold events, and error tallies."""
    assert len(gold) == len(pred), "one output line per input line"
    confusion: Counter[tuple[str, str]] = Counter()
    for g, p in zip(gold, pred, strict=True):
        confusion[(g["kind"], p["kind"])] += 1
    per_class = {}
    for k in KINDS:
        tp = confusion[(k, k)]
        fp = sum(confusion[(o, k)] for o in KINDS if o != k)
        fn = sum(confusion[(k, o)] for o in KINDS if o != k)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_class[k] = (prec, rec, f1)
    macro_f1 = sum(v[2] for v in per_class.values()) / len(KINDS)
    events = [(g, p) for g, p in zip(gold, pred, strict=True) if g["kind"] != "other"]
    acc = {}
    errors: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for f in (*FIELDS, "location"):
        ok = sum(1 for g, p in events if g.get(f) == p.get(f))
        acc[f] = ok / len(events) if events else 0.0
    for g, p in zip(gold, pred, strict=True):
        if g["kind"] != p["kind"]:
            key = f"kind {g['kind']}->{p['kind']}"
            errors[key] += 1
            examples.setdefault(key, []).append(str(g["msg_id"]))
        if g["kind"] == "other":
            continue
        for f in FIELDS:
            if g.get(f) != p.get(f):
                key = f"{f} {g.get(f)}->{p.get(f)}"
                errors[key] += 1
                examples.setdefault(key, []).append(str(g["msg_id"]))
    return {
        "confusion": confusion,
        "per_class": per_class,
        "macro_f1": macro_f1,
        "acc": acc,
        "n_events": len(events),
        "errors": errors,
        "examples": examples,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the evaluation."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--show-errors", action="store_true", help="print every mismatching post")
    ap.add_argument("--gold", type=Path, default=GOLD_DIR / "dev.jsonl", help="gold JSONL (default: the dev set)")
    ap.add_argument(
        "--input", type=Path, default=None, help="input posts JSONL (default: dev.input.jsonl, or required with --gold)"
    )
    ap.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="channel dump to take the gold msg_ids' posts from (instead of --input)",
    )
    args = ap.parse_args(argv)
    if args.input is not None and args.corpus is not None:
        ap.error("give --input or --corpus, not both")
    if args.input is None and args.corpus is None:
        if args.gold != GOLD_DIR / "dev.jsonl":
            ap.error("--input or --corpus is required with a --gold other than the dev set")
        args.input = GOLD_DIR / "dev.input.jsonl"
    gold = load(args.gold)
    if args.corpus is not None:
        try:
            inputs = inputs_from_corpus(gold, args.corpus)
        except ValueError as exc:
            ap.error(str(exc))
    else:
        inputs = load(args.input)
    if len(gold) != len(inputs):
        ap.error(f"{args.gold} has {len(gold)} lines but {args.input or args.corpus} has {len(inputs)}")
    mism = [
        (g.get("msg_id"), i.get("msg_id"))
        for g, i in zip(gold, inputs, strict=True)
        if g.get("msg_id") != i.get("msg_id")
    ]
    if mism:
        ap.error(f"gold and input are not aligned by msg_id (first mismatch: {mism[0]})")
    pred = predict_lines(json.dumps(row, ensure_ascii=False) + "\n" for row in inputs)
    res = score(gold, pred)
    print(f"gold: {args.gold.name}  posts: {len(gold)}  gold events (claim+report): {res['n_events']}")
    print(f"kind macro-F1: {res['macro_f1']:.3f}")
    for k, (p, r, f) in res["per_class"].items():
        print(f"  {k:<7} P={p:.3f} R={r:.3f} F1={f:.3f}")
    print("\nconfusion (rows gold, columns predicted):")
    print("          " + "".join(f"{k:>8}" for k in KINDS))
    for gk in KINDS:
        print(f"  {gk:<8}" + "".join(f"{res['confusion'][(gk, pk)]:>8}" for pk in KINDS))
    print("\nfield accuracy on gold claims+reports:")
    for f, a in res["acc"].items():
        note = " (not a target)" if f == "location" else ""
        print(f"  {f:<15} {a:.3f}{note}")
    print("\ntop error types:")
    for key, n in res["errors"].most_common(15):
        print(f"  {n:>3}  {key}   e.g. {', '.join(res['examples'][key][:4])}")
    if args.show_errors:
        print("\nmismatches:")
        for g, pr, inp in zip(gold, pred, inputs, strict=True):
            diff = [f for f in ("kind", *FIELDS) if g.get(f) != pr.get(f) and (f == "kind" or g["kind"] != "other")]
            if diff:
                print(f"- {g['msg_id']} {diff}")
                print("   gold:", {f: g.get(f) for f in ("kind", *FIELDS, "location")})
                print("   pred:", {f: pr.get(f) for f in ("kind", *FIELDS, "location")}, pr.get("reasons"))
                print("   text:", inp["text"].replace("\n", " / ")[:300])
    return 0


if __name__ == "__main__":
    sys.exit(main())
