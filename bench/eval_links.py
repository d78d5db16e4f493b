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
4. Held out: the third draw of pairs (``linked_pairs.labels.jsonl``) was taken from the linker's own output and
   labelled the same way, and is never trained on: the share of those it still links that are the same operation
   is its precision on data no model saw.
5. Events vs rows: how many claim and report rows the channel gives, and how many events they form.

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

from claimwatch.claims.corpus import load_corpus  # noqa: E402
from claimwatch.claims.extract import extract_posts  # noqa: E402
from claimwatch.claims.model import MODEL_CARD, load_model  # noqa: E402
from claimwatch.claims.train import LINK_LABELS, _posted, operation_row  # noqa: E402
from claimwatch.transform.events import Clusterer, Row, load_link_model  # noqa: E402

LINKED_LABELS = LINK_LABELS.with_name("linked_pairs.labels.jsonl")


def channel_rows() -> list[Row]:
    """Every operation of the channel as a linker row, in publication order."""
    posts = load_corpus("naya")
    items = [(p["text"], _posted(p["posted_at"])) for p in posts]
    return [
        operation_row(op, text, "naya", posted, post["msg_id"], i)
        for post, (text, posted), ex in zip(posts, items, extract_posts(items, model=load_model()), strict=True)
        for i, op in enumerate(ex.operations)
    ]


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
    drawn = {p["pair_id"]: p for p in map(json.loads, LINKED_LABELS.with_name("linked_pairs.jsonl").open())}
    labels = [json.loads(line) for line in LINKED_LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    together = linked_posts(event_of)
    out: dict[int, tuple[int, int, int]] = {}
    for lab in labels:
        pair = drawn[lab["pair_id"]]
        kept, same, total = out.get(pair.get("draw", 1), (0, 0, 0))
        if together(pair["claim"]["msg_id"], pair["report"]["msg_id"]):
            kept += 1
            same += bool(lab["same"])
        out[pair.get("draw", 1)] = (kept, same, total + 1)
    return out


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
    for draw, (linked, same, total) in sorted(held_out_precision(event_of).items()):
        print(
            f"linker's own links, held-out draw {draw} ({LINKED_LABELS.name}, never trained on): precision "
            f"{same / max(1, linked):.3f} ({same} of the {linked} labelled pairs it links are the same operation; "
            f"{total} labelled)"
        )
    card = json.loads(MODEL_CARD.read_text(encoding="utf-8")).get("link_model", {})
    if card:
        print(
            f"pair model, 5-fold cross-validation: precision {card['cv_precision']:.3f} recall {card['cv_recall']:.3f} "
            f"at probability >= {card['threshold']:.3f} ({card['pairs']} pairs)"
        )
    print(f"time: extract {t1 - t0:.1f} s, cluster {len(rows)} rows from scratch {t2 - t1:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
