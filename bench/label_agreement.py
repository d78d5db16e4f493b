"""Agreement of two independent annotation passes, the adjudication sheet, and the merged labels.

    # agreement figures of two passes (and of any number of pass pairs: give them as A1 B1 A2 B2 ...)
    .venv/bin/python bench/label_agreement.py agree PASS_A.jsonl PASS_B.jsonl [...]
    # the posts the passes disagree on, with both labels and the post text, for an adjudicator (outside the repo)
    .venv/bin/python bench/label_agreement.py sheet --corpus naya --out SHEET.jsonl PASS_A.jsonl PASS_B.jsonl
    # agreed posts from the passes + the adjudicator's decisions -> the label file
    .venv/bin/python bench/label_agreement.py merge --decisions DECISIONS.jsonl --out LABELS.jsonl PASS_A PASS_B

Agreement is reported the way annotation studies do: raw agreement and Cohen's kappa on ``kind`` over all
posts; per-field agreement on the posts both passes call a claim or report; agreement on the number of
operations. A post goes to the adjudicator when the passes differ on kind, any scored field, the location or
the operations list.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimwatch.claims.labels import FIELDS, OP_KEYS, load_labels, write_labels  # noqa: E402
from claimwatch.claims.scoring import operation_scores  # noqa: E402
from claimwatch.claims.scoring import place_key as _loc  # noqa: E402

OP_FIELDS = (*OP_KEYS,)


def _op_key(op: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(_loc(op.get(k)) if k == "location" else op.get(k) for k in OP_FIELDS)


def differs(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """The keys two labels of one post disagree on (``operations`` compared as lists of field tuples)."""
    keys = [k for k in ("kind", *FIELDS) if a.get(k) != b.get(k)]
    if _loc(a.get("location")) != _loc(b.get("location")):
        keys.append("location")
    if [_op_key(o) for o in a.get("operations") or []] != [_op_key(o) for o in b.get("operations") or []]:
        keys.append("operations")
    return keys


def kappa(pairs: list[tuple[Any, Any]]) -> float:
    """Cohen's kappa of two raters over the same items."""
    n = len(pairs)
    if not n:
        return float("nan")
    po = sum(1 for a, b in pairs if a == b) / n
    ca = Counter(a for a, _ in pairs)
    cb = Counter(b for _, b in pairs)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def agreement(pass_pairs: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]) -> dict[str, Any]:
    """Agreement figures over one or more pairs of passes."""
    kinds: list[tuple[Any, Any]] = []
    both_events: list[tuple[dict[str, Any], dict[str, Any]]] = []
    n_ops: list[tuple[int, int]] = []
    disputed = 0
    for a_rows, b_rows in pass_pairs:
        if [r["msg_id"] for r in a_rows] != [r["msg_id"] for r in b_rows]:
            raise ValueError("the two passes do not hold the same posts in the same order")
        for a, b in zip(a_rows, b_rows, strict=True):
            kinds.append((a["kind"], b["kind"]))
            n_ops.append((len(a.get("operations") or []), len(b.get("operations") or [])))
            if a["kind"] != "other" and b["kind"] != "other":
                both_events.append((a, b))
            disputed += bool(differs(a, b))
    fields = {f: sum(a.get(f) == b.get(f) for a, b in both_events) / max(1, len(both_events)) for f in FIELDS}
    fields["location"] = sum(_loc(a.get("location")) == _loc(b.get("location")) for a, b in both_events) / max(
        1, len(both_events)
    )
    # pass B's operations scored against pass A's as the extractor's are against the labels (multi-operation posts
    # of pass A): how far two careful readers of the GUIDE get on the figure the 0.85 target is set for
    ops = operation_scores([a for rows, _b in pass_pairs for a in rows], [b for _a, rows in pass_pairs for b in rows])
    return {
        "operations": ops,
        "posts": len(kinds),
        "kind_agreement": sum(a == b for a, b in kinds) / max(1, len(kinds)),
        "kind_kappa": kappa(kinds),
        "kind_confusion": Counter(kinds),
        "both_events": len(both_events),
        "fields": fields,
        "n_ops_agreement": sum(a == b for a, b in n_ops) / max(1, len(n_ops)),
        "multi_op_posts": sum(1 for a, b in n_ops if max(a, b) > 1),
        "disputed": disputed,
    }


def print_agreement(res: dict[str, Any]) -> None:
    """Print the figures of :func:`agreement`."""
    print(f"posts: {res['posts']}  disputed (any difference): {res['disputed']}")
    print(f"kind: agreement {res['kind_agreement']:.3f}  Cohen's kappa {res['kind_kappa']:.3f}")
    print(f"fields on the {res['both_events']} posts both passes call claim/report:")
    for f, v in res["fields"].items():
        print(f"  {f:<15} {v:.3f}")
    print(f"number of operations: agreement {res['n_ops_agreement']:.3f} ({res['multi_op_posts']} multi-op posts)")
    ops = res["operations"]
    print(
        f"operations, pass B scored against pass A like the extractor ({ops['posts']} multi-op posts of A): "
        f"P/R {ops['precision']:.3f}/{ops['recall']:.3f}"
    )
    print("kind pairs (pass A, pass B):", dict(sorted(res["kind_confusion"].items(), key=lambda kv: -kv[1])))


def _decisions(path: Path) -> list[dict[str, Any]]:
    """The adjudicator's labels; its ``why`` (the rule that decided) is kept beside them, not in the labels."""
    from claimwatch.claims.labels import Label

    rows = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if line.strip():
                row = json.loads(line)
                row.pop("why", None)
                try:
                    rows.append(Label.model_validate(row).model_dump())
                except ValueError as exc:
                    raise SystemExit(f"{path}:{lineno}: {exc}") from None
    return rows


def main(argv: list[str] | None = None) -> int:
    """Dispatch the sub-commands."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p_agree = sub.add_parser("agree")
    p_agree.add_argument("passes", nargs="+", type=Path)
    p_sheet = sub.add_parser("sheet")
    p_sheet.add_argument("--corpus", required=True, choices=("naya", "idf"))
    p_sheet.add_argument("--out", required=True, type=Path)
    p_sheet.add_argument("passes", nargs=2, type=Path)
    p_merge = sub.add_parser("merge")
    p_merge.add_argument("--decisions", required=True, type=Path)
    p_merge.add_argument("--out", required=True, type=Path)
    p_merge.add_argument("passes", nargs=2, type=Path)
    args = ap.parse_args(argv)

    if args.cmd == "agree":
        if len(args.passes) % 2:
            ap.error("give passes in pairs: A1 B1 [A2 B2 ...]")
        pairs = [(load_labels(args.passes[i]), load_labels(args.passes[i + 1])) for i in range(0, len(args.passes), 2)]
        print_agreement(agreement(pairs))
        return 0

    a_rows, b_rows = (load_labels(p) for p in args.passes)
    if [r["msg_id"] for r in a_rows] != [r["msg_id"] for r in b_rows]:
        ap.error("the two passes do not hold the same posts in the same order")
    if args.cmd == "sheet":
        from claimwatch.claims.corpus import posts_by_id

        if ROOT in args.out.resolve().parents:
            ap.error("the sheet holds corpus text: write it outside the project")
        posts = posts_by_id(args.corpus)
        n = 0
        with args.out.open("w", encoding="utf-8") as fh:
            for a, b in zip(a_rows, b_rows, strict=True):
                keys = differs(a, b)
                if keys:
                    post = posts[a["msg_id"]]
                    row = {
                        "msg_id": a["msg_id"],
                        "posted_at": post["posted_at"],
                        "text": post["text"],
                        "differ_on": keys,
                        "annotator_1": a,
                        "annotator_2": b,
                    }
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                    n += 1
        print(f"{args.out}: {n} disputed posts of {len(a_rows)}")
        return 0

    decisions = {r["msg_id"]: r for r in _decisions(args.decisions)}
    merged = []
    for a, b in zip(a_rows, b_rows, strict=True):
        if differs(a, b):
            if a["msg_id"] not in decisions:
                ap.error(f"post {a['msg_id']} is disputed but has no decision")
            merged.append(decisions[a["msg_id"]])
        else:
            merged.append(a)
    write_labels(args.out, merged)
    n_adjudicated = sum(1 for a, b in zip(a_rows, b_rows, strict=True) if differs(a, b))
    print(f"{args.out}: {len(merged)} labels ({n_adjudicated} adjudicated)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
