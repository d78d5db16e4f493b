"""Scores of the claim extractor, every labelled set side by side (the table of the README).

    .venv/bin/python bench/eval_claims.py                 # the table: frozen test, cross-validation, dev, demo
    .venv/bin/python bench/eval_claims.py --no-cv         # skip the cross-validation rows (a minute less)
    .venv/bin/python bench/eval_claims.py --errors july_b # the error tally and mismatches of one TRAINING set

Rows, and what each one is evidence of:

- ``frozen_test_ar`` / ``frozen_test_en``: 300 Arabic + 200 English posts drawn by seed and labelled before any
  extractor output on them was seen; no rule, dictionary entry or model was fitted on them. The only honest
  figures here, next to the first score of the rules the project started from (``first_score.json``). They are
  scored, never read: this script refuses to list their errors.
- ``cv:<set>``: 5-fold cross-validation over every training label: each post is predicted by a model fitted
  on the other folds. An estimate on data like the training data, for tuning; not evidence of generalization.
- ``dev``, ``july_a``, ``july_b``: training sets scored by the shipped model (training scores).
- ``demo_ar``, ``demo_en``: the project's own self-written demo channels (not trained on; written in styles
  the channel corpus lacks, such as English communiqués).

Columns: kind macro-F1; accuracy of actor, weapon, target_country, event_date, intercepted on the gold claims
and reports; operation precision / recall on the posts whose gold lists two or more operations, places compared as
gazetteer places, then the same with places compared by name only, the scorer of the first score (see
``claimwatch.claims.scoring``).

``--gold`` / ``--input`` / ``--corpus`` score any other gold file (the keys of ``dev.jsonl``, one line per input
post in the same order, or a labels-only file joined to a channel dump by msg_id):

    .venv/bin/python bench/eval_claims.py --gold demo/gold/demo_resistance_ar.gold.jsonl \\
        --input demo/channels/demo_resistance_ar.jsonl
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimwatch.claims.labels import FIELDS, KINDS  # noqa: E402
from claimwatch.claims.scoring import operation_scores, post_scores  # noqa: E402
from claimwatch.tools.extract_jsonl import run_extract  # noqa: E402

GOLD_DIR = ROOT.parent / "shared" / "corpus" / "claims-gold"
FIRST_SCORE = ROOT / "bench" / "gold" / "frozen_test" / "first_score.json"
DEMO = {
    "demo_ar": (
        ROOT / "demo" / "gold" / "demo_resistance_ar.gold.jsonl",
        ROOT / "demo" / "channels" / "demo_resistance_ar.jsonl",
    ),
    "demo_en": (
        ROOT / "demo" / "gold" / "demo_resistance_en.gold.jsonl",
        ROOT / "demo" / "channels" / "demo_resistance_en.jsonl",
    ),
}


def load(path: Path) -> list[dict[str, Any]]:
    """Read a JSON Lines file."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def predict_lines(lines: Any, voice: str | None = None) -> list[dict[str, Any]]:
    """Run the real ``claimwatch extract`` code path over an iterable of JSON lines."""
    out = io.StringIO()
    run_extract(lines, out, voice)
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
    """Post-level scores plus operation scores on the multi-operation posts."""
    res = post_scores(gold, pred)
    res["ops"] = operation_scores(gold, pred)
    return res


def row(name: str, res: dict[str, Any], note: str = "") -> str:
    """One line of the table."""
    ops = res["ops"]
    op = "-"
    if ops["posts"]:
        op = f"{ops['precision']:.2f}/{ops['recall']:.2f} ({ops['posts']})"
        if "by_name_precision" in ops:
            op += f" {ops['by_name_precision']:.2f}/{ops['by_name_recall']:.2f}"
    cells = " ".join(f"{res['acc'][f]:>7.3f}" for f in FIELDS)
    return f"{name:<18}{res['posts']:>5} {res['macro_f1']:>7.3f} {cells}  {op:<27}{note}"


HEADER = (
    f"{'set':<18}{'posts':>5} {'kind F1':>7} " + " ".join(f"{f[:7]:>7}" for f in FIELDS) + "  ops P/R (posts), by name"
)


def labelled_set_scores(cv: bool) -> list[tuple[str, dict[str, Any], str]]:
    """Score every labelled set (see the module docstring)."""
    from claimwatch.claims import train as T
    from claimwatch.claims.model import load_model

    model = load_model()
    rows: list[tuple[str, dict[str, Any], str]] = []
    for ls in T.LABEL_SETS:
        if ls.role != "test" or not ls.path.exists():
            continue
        items = T.examples([ls.name])
        rows.append((ls.name, score([e.label for e in items], T.predict(model, items)), "frozen test"))
    if cv:
        items = T.examples(T.training_set_names())
        pred = T.cross_validate(items)
        for name in dict.fromkeys(e.source for e in items):
            idx = [i for i, e in enumerate(items) if e.source == name]
            res = score([items[i].label for i in idx], [pred[i] for i in idx])
            rows.append((f"cv:{name}", res, "5-fold cross-validation"))
    for name in ("dev", "july_a", "july_b"):
        items = T.examples([name])
        rows.append((name, score([e.label for e in items], T.predict(model, items)), "training score"))
    for name, (gold_path, input_path) in DEMO.items():
        gold = load(gold_path)
        with input_path.open(encoding="utf-8") as fh:
            rows.append((name, score(gold, predict_lines(fh)), "demo channel (self-written)"))
    return rows


def print_errors(name: str, show_all: bool) -> None:
    """Error tally (and mismatches) of one training or demo set; never of the frozen test set."""
    from claimwatch.claims import train as T
    from claimwatch.claims.model import load_model

    if name in DEMO:
        gold = load(DEMO[name][0])
        inputs = load(DEMO[name][1])
        pred = predict_lines(json.dumps(r, ensure_ascii=False) + "\n" for r in inputs)
        texts = [r["text"] for r in inputs]
    else:
        ls = T.label_set(name)
        if ls.role == "test":
            raise SystemExit(f"{name} is the frozen test set: it is scored, never read for errors")
        items = T.examples([name])
        gold, pred, texts = [e.label for e in items], T.predict(load_model(), items), [e.text for e in items]
    res = score(gold, pred)
    print(f"{name}: top error types")
    for key, n in res["errors"].most_common(15):
        print(f"  {n:>3}  {key}   e.g. {', '.join(str(x) for x in res['examples'][key][:4])}")
    if show_all:
        for g, p, text in zip(gold, pred, texts, strict=True):
            diff = [f for f in ("kind", *FIELDS) if g.get(f) != p.get(f) and (f == "kind" or g["kind"] != "other")]
            if diff:
                print(f"- {g['msg_id']} {diff}")
                print("   gold:", {f: g.get(f) for f in ("kind", *FIELDS, "location")})
                print("   pred:", {f: p.get(f) for f in ("kind", *FIELDS, "location")})
                print("   text:", text.replace("\n", " / ")[:300])


def main(argv: list[str] | None = None) -> int:
    """Print the table, or score one gold file."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-cv", action="store_true", help="skip the cross-validation rows")
    ap.add_argument("--errors", metavar="SET", help="error tally of one training or demo set (never the test set)")
    ap.add_argument("--show-errors", action="store_true", help="with --errors, --gold: print every mismatch")
    ap.add_argument("--gold", type=Path, help="score this gold file instead of the table")
    ap.add_argument("--input", type=Path, help="input posts of --gold (one line per gold line)")
    ap.add_argument("--corpus", type=Path, help="channel dump to take the --gold msg_ids' posts from")
    ap.add_argument("--voice", help="declare the input an outlet of this actor (claimwatch extract --voice)")
    args = ap.parse_args(argv)
    if args.errors:
        print_errors(args.errors, args.show_errors)
        return 0
    if args.gold is None:
        print(HEADER)
        first = json.loads(FIRST_SCORE.read_text(encoding="utf-8"))
        for name in ("frozen_test_ar", "frozen_test_en"):
            s = first[name]
            cells = " ".join(f"{s[f]:>7.3f}" for f in FIELDS)
            ops = f"{s['ops_precision']:.2f}/{s['ops_recall']:.2f} ({s['ops_posts']})"
            print(f"{name:<18}{'':>5} {s['kind_macro_f1']:>7.3f} {cells}  {ops:<17}first score ({first['extractor']})")
        for name, res, note in labelled_set_scores(cv=not args.no_cv):
            print(row(name, res, note))
        return 0
    if (args.input is None) == (args.corpus is None):
        ap.error("--gold needs exactly one of --input or --corpus")
    if args.show_errors and "frozen_test" in args.gold.resolve().parts:
        ap.error("the frozen test set is scored, never read for errors")
    gold = load(args.gold)
    inputs = inputs_from_corpus(gold, args.corpus) if args.corpus else load(args.input)
    if len(gold) != len(inputs):
        ap.error(f"{args.gold} has {len(gold)} lines but the input has {len(inputs)}")
    mism = [
        (g.get("msg_id"), i.get("msg_id"))
        for g, i in zip(gold, inputs, strict=True)
        if g.get("msg_id") != i.get("msg_id")
    ]
    if mism:
        ap.error(f"gold and input are not aligned by msg_id (first mismatch: {mism[0]})")
    pred = predict_lines((json.dumps(r, ensure_ascii=False) + "\n" for r in inputs), args.voice)
    res = score(gold, pred)
    print(f"gold: {args.gold.name}  posts: {len(gold)}  gold events (claim+report): {res['n_events']}")
    print(HEADER)
    print(row(args.gold.stem, res))
    print(f"kind macro-F1: {res['macro_f1']:.3f}")
    for k, (p, r, f) in res["per_class"].items():
        print(f"  {k:<7} P={p:.3f} R={r:.3f} F1={f:.3f}")
    print("confusion (rows gold, columns predicted):")
    print("          " + "".join(f"{k:>8}" for k in KINDS))
    for gk in KINDS:
        print(f"  {gk:<8}" + "".join(f"{res['confusion'][(gk, pk)]:>8}" for pk in KINDS))
    if args.show_errors:
        for g, p, i in zip(gold, pred, inputs, strict=True):
            diff = [f for f in ("kind", *FIELDS) if g.get(f) != p.get(f) and (f == "kind" or g["kind"] != "other")]
            if diff:
                print(f"- {g['msg_id']} {diff}  text: {i['text'].replace(chr(10), ' / ')[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
