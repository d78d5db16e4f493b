"""The event linker on the whole shared channel: labelled-pair precision and recall, and events vs rows.

    .venv/bin/python bench/eval_links.py

1. Every post of the channel is extracted with the shipped claim model; its operations become linker rows.
2. The rows are clustered in publication order, from scratch, with the shipped link model (the same
   ``Clusterer`` the warehouse runs).
3. Each labelled pair (``bench/gold/links/pairs.labels.jsonl``: a claim post and a report post, labelled
   "same operation" or not by two annotators and an adjudicator) is checked: did the linker put the two
   operations into one event? Precision = pairs linked and labelled same / pairs linked; recall = pairs linked
   and labelled same / pairs labelled same. Pairs whose posts the extractor reads no operation in cannot be
   linked and count as missed when labelled same.
4. Held out: draws of the linker's own output (``linked_pairs.labels.jsonl``), labelled the same way. Draws up to
   ``LINKED_TRAINING_DRAWS`` were the census of earlier linkers and are now fitted on (printed as such); later
   draws, of the shipped linker's links no labelled pair held, are never trained on: the share of those it links
   that are the same operation is its precision on data no model saw.
5. Per pair type (``claim-report``; ``report-report`` and ``claim-claim``, from ``samekind.labels.jsonl`` once it
   exists, of the channel and of the army's English channel, whose rows are clustered on their own the same way):
   the same precision and recall on the labelled pairs of each type.
6. Events vs rows: how many claim and report rows the channel gives, and how many events they form.

The cross-validated precision and recall of the pair model itself (from ``claimwatch train``) are printed too.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimwatch.claims.model import MODEL_CARD  # noqa: E402
from claimwatch.claims.train import (  # noqa: E402
    LINK_LABEL_FILES,
    LINK_LABELS,
    LINKED_LABELS,
    LINKED_TRAINING_DRAWS,
    SAMEKIND_LABELS,
    channel_rows,
    fitted_on,
    link_labels,
)
from claimwatch.transform.events import Clusterer, Row, load_link_model  # noqa: E402


def _post_kinds(rows: list[Row]) -> dict[int, str]:
    """The kind of each post's operations (``claim-report`` typing of a post of both kinds: its first row's)."""
    out: dict[int, str] = {}
    for r in rows:
        out.setdefault(r.doc, r.kind)
    return out


def linked_posts(event_of: dict[tuple[int, int], object]) -> Callable[[int, int], bool]:
    """``linked(post_a, post_b)``: did the linker put an operation of each post into one event?"""
    events: dict[int, set[object]] = {}
    for (msg_id, _i), event in event_of.items():
        events.setdefault(msg_id, set()).add(event)
    return lambda a, b: bool(events.get(a, set()) & events.get(b, set()))


def held_out_precision(event_of: dict[tuple[int, int], object]) -> dict[int, tuple[int, int, int]]:
    """Precision on the linker's own output, per held-out draw (``bench/link_pairs.py --linked``: pairs the linker
    linked when they were drawn): ``{draw: (pairs it still links, of which the same operation, pairs labelled)}``.
    Only labelled pairs count; a draw made after the changes that earlier draws were scored on is the clean one."""
    if not LINKED_LABELS.exists():
        return {}
    together = linked_posts(event_of)
    out: dict[int, tuple[int, int, int]] = {}
    for lab in link_labels(LINKED_LABELS):
        draw = lab["draw"] or 1
        kept, same, total = out.get(draw, (0, 0, 0))
        if together(lab["a_msg_id"], lab["b_msg_id"]):
            kept += 1
            same += bool(lab["same"])
        out[draw] = (kept, same, total + 1)
    return out


def pair_type(kinds: tuple[str | None, str | None]) -> str:
    """``claim-report``, ``report-report`` or ``claim-claim`` (``unread`` when the extractor reads no operation)."""
    if None in kinds:
        return "unread"
    return "-".join(sorted(k or "" for k in kinds))


def labelled_pairs_by_type(
    event_of: dict[str, dict[tuple[int, int], object]], kind_of: dict[str, dict[int, str]]
) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    """The linker's figures on every labelled training pair, per corpus and pair type: ``{(corpus, type): (pairs,
    linked and same, linked but different, same but not linked)}``. The type is the draw's (``kinds`` of a
    same-kind draw; ``claim-report`` for the first format) or else what the extractor reads in the two posts."""
    out: dict[tuple[str, str], tuple[int, int, int, int]] = {}
    together = {c: linked_posts(e) for c, e in event_of.items()}
    for path in (p for p in LINK_LABEL_FILES if p.exists()):
        draw = _draw_of(path)
        for lab in link_labels(path):
            c, a, b = lab["corpus"], lab["a_msg_id"], lab["b_msg_id"]
            if c not in together:
                continue
            drawn = draw.get(lab["pair_id"], {})
            kinds = drawn.get("kinds") or ("claim-report" if "claim" in drawn else None)
            kinds = kinds or pair_type((kind_of[c].get(a), kind_of[c].get(b)))
            joined = together[c](a, b)
            n, tp, fp, fn = out.get((c, kinds), (0, 0, 0, 0))
            out[(c, kinds)] = (
                n + 1,
                tp + (joined and lab["same"]),
                fp + (joined and not lab["same"]),
                fn + ((not joined) and lab["same"]),
            )
    return out


def _draw_of(labels: Path) -> dict[int, dict[str, object]]:
    """The draw records a label file's pairs come from, by pair id (none when there is no draw beside it)."""
    path = labels.with_name(labels.name.replace(".labels.jsonl", ".jsonl"))
    if not path.exists():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()
    return {p["pair_id"]: p for p in (json.loads(line) for line in lines if line.strip())}


def main() -> int:
    """Print the figures."""
    t0 = time.perf_counter()
    rows = channel_rows()
    t1 = time.perf_counter()
    clusterer = Clusterer(load_link_model())
    for row in rows:
        clusterer.place(row)
    t2 = time.perf_counter()
    event_of = clusterer.event_of
    labels = [json.loads(line) for line in LINK_LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    together = linked_posts(event_of)
    tp = fp = fn = 0
    for lab in labels:
        joined = together(lab["claim_msg_id"], lab["report_msg_id"])
        tp += joined and lab["same"]
        fp += joined and not lab["same"]
        fn += (not joined) and lab["same"]
    kinds = Counter(r.kind for r in rows)
    events = set(event_of.values())
    print(f"channel: {len(rows)} rows ({dict(kinds)}) -> {len(events)} events")
    sizes = Counter(len(m) for m in clusterer.members.values())
    print(f"rows per event: {dict(sorted(sizes.items())[:8])} ...")
    print(f"labelled pairs: {len(labels)} ({sum(lab['same'] for lab in labels)} same)")
    print(
        f"linker on the whole channel: precision {tp / max(1, tp + fp):.3f}  recall {tp / max(1, tp + fn):.3f}  "
        f"(linked and same {tp}, linked but different {fp}, same but not linked {fn})"
    )
    by_draw = held_out_precision(event_of)
    fitted = [v for d, v in by_draw.items() if fitted_on(LINKED_LABELS, {"draw": d})]
    if fitted:
        linked, same, total = (sum(v[i] for v in fitted) for i in range(3))
        print(
            f"earlier linkers' links, draws 1-{LINKED_TRAINING_DRAWS} ({total} labelled, fitted on: a training "
            f"score): precision {same / max(1, linked):.3f} ({same} of the {linked} it links)"
        )
    held_out = {d: v for d, v in by_draw.items() if not fitted_on(LINKED_LABELS, {"draw": d})}
    for draw, (linked, same, total) in sorted(held_out.items()):
        print(
            f"linker's own links, held-out draw {draw} ({LINKED_LABELS.name}, never trained on): precision "
            f"{same / max(1, linked):.3f} ({same} of the {linked} labelled pairs it links are the same operation; "
            f"{total} labelled)"
        )
    if held_out:
        linked, same = sum(v[0] for v in held_out.values()), sum(v[1] for v in held_out.values())
        print(
            f"every held-out link it makes (draws after {LINKED_TRAINING_DRAWS}; a census when `link_pairs.py "
            f"--linked` finds no new one): precision {same / max(1, linked):.3f} ({same} of {linked})"
        )
    # every labelled claim-report pair once, fitted on or not: over the linker's own links (when `link_pairs.py
    # --linked` finds none unlabelled) the precision of what it outputs on this channel, exactly
    every = {
        (lab["a_msg_id"], lab["b_msg_id"]): lab["same"] for p in (LINK_LABELS, LINKED_LABELS) for lab in link_labels(p)
    }
    kept = [same for (a, b), same in every.items() if together(a, b)]
    print(
        f"every labelled pair it links (fitted on or held out, each pair once): precision "
        f"{sum(kept) / max(1, len(kept)):.3f} ({sum(kept)} of {len(kept)})"
    )
    card = json.loads(MODEL_CARD.read_text(encoding="utf-8")).get("link_model", {})
    if card:
        print(
            f"clusterer, 5-fold cross-validation (each fold's model clusters the channel, its labelled pairs scored): "
            f"precision {card['cv_precision']:.3f} recall {card['cv_recall']:.3f} at probability >= "
            f"{card['threshold']:.3f} ({card['pairs']} training pairs)"
        )
    # per pair type: the same-kind pairs of the channel and of the army's English channel (clustered on its own,
    # as above), where labels exist
    event_by = {"naya": event_of}
    kind_by = {"naya": _post_kinds(rows)}
    if SAMEKIND_LABELS.exists() and any(lab["corpus"] == "idf" for lab in link_labels(SAMEKIND_LABELS)):
        idf_rows = channel_rows("idf")
        idf = Clusterer(load_link_model())
        for row in idf_rows:
            idf.place(row)
        event_by["idf"], kind_by["idf"] = idf.event_of, _post_kinds(idf_rows)
        print(f"army channel (idf): {len(idf_rows)} rows -> {len(set(idf.event_of.values()))} events")
    for (corpus, kinds), (n, tp, fp, fn) in sorted(labelled_pairs_by_type(event_by, kind_by).items()):
        print(
            f"labelled pairs, {corpus} {kinds}: {n} ({tp + fn} same): precision {tp / max(1, tp + fp):.3f}  "
            f"recall {tp / max(1, tp + fn):.3f}  (linked and same {tp}, linked but different {fp}, "
            f"same but not linked {fn})"
        )
    print(f"time: extract {t1 - t0:.1f} s, cluster {len(rows)} rows from scratch {t2 - t1:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
