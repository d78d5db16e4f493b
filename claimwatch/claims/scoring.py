"""Scores of an extractor against labels, the way the team scores releases.

Post level (the GUIDE's top-level fields): kind macro-F1 over claim/report/other, and the accuracy of actor,
weapon, target_country, event_date and intercepted on the posts the gold calls a claim or report (a post
predicted ``other`` gets nulls, which are wrong unless the gold field is null too).

Operation level (posts whose label lists ``operations``): each predicted operation is paired with at most one
gold operation of the same post. A pair *matches* when it names the same operation: same kind, weapon,
target_country and event_date, and the same place when both give one. Precision is matched / predicted, recall
matched / gold; the strict variant also asks the same actor and intercepted.

Two place names are the same place when they read the same (case and punctuation aside) or when the gazetteer
resolves each whole name to one and the same place: the GUIDE asks for "common English spelling", and annotators
and the gazetteer spell one village several ways ("Ayta ash Shab" / "Aita al-Shaab", "Beit Hanoun" / "Bayt
Hanun"), which is no error of the extractor's. ``by_name`` scores operations on the names alone, as before.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import cache
from typing import Any

from claimwatch.claims.labels import FIELDS, KINDS

__all__ = ["operation_scores", "place_key", "post_scores"]


def post_scores(gold: Sequence[dict[str, Any]], pred: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Kind macro-F1, per-class P/R/F1, confusion, field accuracy on gold events and error tallies."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold rows but {len(pred)} predictions")
    confusion: Counter[tuple[str, str]] = Counter((g["kind"], p["kind"]) for g, p in zip(gold, pred, strict=True))
    per_class = {}
    for k in KINDS:
        tp = confusion[(k, k)]
        fp = sum(confusion[(o, k)] for o in KINDS if o != k)
        fn = sum(confusion[(k, o)] for o in KINDS if o != k)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        per_class[k] = (prec, rec, 2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    present = [k for k in KINDS if any(g["kind"] == k for g in gold)] or list(KINDS)
    macro_f1 = sum(per_class[k][2] for k in present) / len(present)
    events = [(g, p) for g, p in zip(gold, pred, strict=True) if g["kind"] != "other"]
    acc = {f: (sum(g.get(f) == p.get(f) for g, p in events) / len(events) if events else 0.0) for f in FIELDS}
    acc["location"] = (
        sum(_same_place(g.get("location"), p.get("location")) for g, p in events) / len(events) if events else 0.0
    )
    errors: Counter[str] = Counter()
    examples: dict[str, list[Any]] = {}
    for g, p in zip(gold, pred, strict=True):
        keys = [f"kind {g['kind']}->{p['kind']}"] if g["kind"] != p["kind"] else []
        if g["kind"] != "other":
            keys += [f"{f} {g.get(f)}->{p.get(f)}" for f in FIELDS if g.get(f) != p.get(f)]
        for key in keys:
            errors[key] += 1
            examples.setdefault(key, []).append(g.get("msg_id"))
    return {
        "posts": len(gold),
        "confusion": confusion,
        "per_class": per_class,
        "macro_f1": macro_f1,
        "acc": acc,
        "n_events": len(events),
        "errors": errors,
        "examples": examples,
    }


def place_key(v: Any) -> str:
    """A place name as compared by name: case, spaces and punctuation aside."""
    return "".join(ch for ch in str(v or "").casefold() if ch.isalnum())


@cache
def _place_id(name: str) -> str | None:
    """The gazetteer place a whole name resolves to (None: no single place spans it)."""
    from claimwatch.claims.gazetteer import get_gazetteer
    from claimwatch.text.textnorm import normalize_for_matching

    norm = normalize_for_matching(name).strip()
    ids = {m.record["location_id"] for m in get_gazetteer().find(norm) if m.start == 0 and m.end >= len(norm)}
    return ids.pop() if len(ids) == 1 else None


def _same_place(a: Any, b: Any, by_name: bool = False) -> bool:
    if place_key(a) == place_key(b):
        return True
    if by_name or not a or not b:
        return False
    pa = _place_id(str(a))
    return pa is not None and pa == _place_id(str(b))


def _matches(g: dict[str, Any], p: dict[str, Any], strict: bool, by_name: bool = False) -> bool:
    keys = ("kind", "weapon", "target_country", "event_date") + (("actor", "intercepted") if strict else ())
    if any(g.get(k) != p.get(k) for k in keys):
        return False
    return not (g.get("location") and p.get("location")) or _same_place(g["location"], p["location"], by_name)


def _pair(gold_ops: list[dict[str, Any]], pred_ops: list[dict[str, Any]], strict: bool, by_name: bool = False) -> int:
    """Matched pairs, one-to-one (greedy in order: operations of one post are few and distinct)."""
    used: set[int] = set()
    n = 0
    for p in pred_ops:
        for i, g in enumerate(gold_ops):
            if i not in used and _matches(g, p, strict, by_name):
                used.add(i)
                n += 1
                break
    return n


def operation_scores(
    gold: Sequence[dict[str, Any]], pred: Sequence[dict[str, Any]], multi_only: bool = True
) -> dict[str, Any]:
    """Operation-level precision and recall over the posts with an ``operations`` label.

    ``multi_only`` keeps the posts whose gold lists two or more operations (the posts the measure is for);
    otherwise every labelled post counts (a post predicted with operations the gold does not have costs
    precision even when the gold has none)."""
    n_gold = n_pred = loose = strict = by_name = posts = 0
    for g, p in zip(gold, pred, strict=True):
        gold_ops = g.get("operations")
        if gold_ops is None or (multi_only and len(gold_ops) < 2):
            continue
        pred_ops = p.get("operations") or []
        posts += 1
        n_gold += len(gold_ops)
        n_pred += len(pred_ops)
        loose += _pair(gold_ops, pred_ops, strict=False)
        strict += _pair(gold_ops, pred_ops, strict=True)
        by_name += _pair(gold_ops, pred_ops, strict=False, by_name=True)
    return {
        "posts": posts,
        "gold_ops": n_gold,
        "pred_ops": n_pred,
        "precision": loose / n_pred if n_pred else 0.0,
        "recall": loose / n_gold if n_gold else 0.0,
        "strict_precision": strict / n_pred if n_pred else 0.0,
        "strict_recall": strict / n_gold if n_gold else 0.0,
        "by_name_precision": by_name / n_pred if n_pred else 0.0,
        "by_name_recall": by_name / n_gold if n_gold else 0.0,
    }
