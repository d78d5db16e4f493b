"""``claimwatch train``: rebuild the claim model from the labelled sets, deterministically.

The labelled sets are files of labels by reference (``msg_id`` into a corpus of ``../shared/corpus``; see
``labels`` and ``samples``). Each set has a role:

- ``train``: fitted on (the double-annotated training draws, the older July samples and the shared dev set);
- ``test``: the frozen test set, only ever scored (``bench/eval_claims.py``), never fitted on or read for errors;
- analyst corrections from the warehouse (``core.claim_corrections``) are training labels too, when a DSN is
  given: a correction is a label someone checked by hand.

Training is fast (seconds on two cores), so the same code also gives honest figures on the training labels:
k-fold cross-validation predicts every training post with a model that never saw it, and a learning curve
fits on 25/50/100 % of the labels and scores the frozen test set.
"""

from __future__ import annotations

import difflib
import json
import logging
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from claimwatch.claims import rules
from claimwatch.claims.corpus import CORPORA, corpus_dir, load_corpus, posts_by_id
from claimwatch.claims.extract import extract_posts, predict_batch, read_post
from claimwatch.claims.features import PostView
from claimwatch.claims.labels import load_labels
from claimwatch.claims.model import MODEL_CARD, MODEL_PATH, ClaimModel, ModelSettings, fit_model
from claimwatch.claims.rules import Extraction
from claimwatch.claims.scoring import place_key
from claimwatch.config import PROJECT_ROOT

__all__ = ["LABEL_SETS", "Example", "LabelSet", "cross_validate", "examples", "train"]

log = logging.getLogger(__name__)
GOLD = PROJECT_ROOT / "bench" / "gold"


@dataclass(frozen=True, slots=True)
class LabelSet:
    """A label file, the corpus its msg_ids point into, and what it is for (``train`` or ``test``)."""

    name: str
    corpus: str
    role: str
    path: Path
    voice: str | None = None


LABEL_SETS: tuple[LabelSet, ...] = (
    LabelSet("train_ar", "naya", "train", GOLD / "train" / "naya.labels.jsonl"),
    LabelSet("train_en", "idf", "train", GOLD / "train" / "idf.labels.jsonl"),
    LabelSet("train2_ar", "naya", "train", GOLD / "train2" / "naya.labels.jsonl"),
    LabelSet("train2_en", "idf", "train", GOLD / "train2" / "idf.labels.jsonl"),
    LabelSet("train3_ar", "naya", "train", GOLD / "train3" / "naya.labels.jsonl"),
    LabelSet("train3_en", "idf", "train", GOLD / "train3" / "idf.labels.jsonl"),
    LabelSet("train4_ar", "naya", "train", GOLD / "train4" / "naya.labels.jsonl"),
    LabelSet("july_a", "naya", "train", GOLD / "naya_july.labels.jsonl"),
    LabelSet("july_b", "naya", "train", GOLD / "naya_july_b.labels.jsonl"),
    LabelSet("dev", "naya", "train", corpus_dir() / "claims-gold" / "dev.jsonl"),
    LabelSet("frozen_test_ar", "naya", "test", GOLD / "frozen_test" / "naya.labels.jsonl"),
    LabelSet("frozen_test_en", "idf", "test", GOLD / "frozen_test" / "idf.labels.jsonl"),
)


@dataclass(slots=True)
class Example:
    """A labelled post: where it comes from, its text and date, its label, and (once read) the rules' view."""

    source: str
    text: str
    posted_at: datetime | None
    label: dict[str, Any]
    voice: str | None = None
    ex: Extraction | None = None
    view: PostView | None = None


def _posted(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def label_set(name: str) -> LabelSet:
    """The label set called ``name``."""
    for s in LABEL_SETS:
        if s.name == name:
            return s
    raise KeyError(f"no label set {name!r} (known: {', '.join(s.name for s in LABEL_SETS)})")


def examples(names: Sequence[str], read: bool = True) -> list[Example]:
    """The labelled posts of the named sets, texts joined from the corpus (and read by the rules)."""
    out: list[Example] = []
    for name in names:
        ls = label_set(name)
        if not ls.path.exists():
            log.info("label set %s: %s does not exist yet; skipped", name, ls.path)
            continue
        posts = posts_by_id(ls.corpus)
        for row in load_labels(ls.path):
            post = posts.get(row["msg_id"])
            if post is None:
                raise KeyError(f"{ls.path}: msg_id {row['msg_id']} is not in corpus {ls.corpus}")
            out.append(Example(name, post["text"], _posted(post["posted_at"]), row, ls.voice))
    if read:
        for e in out:
            e.ex, e.view = read_post(e.text, e.posted_at, e.voice)
    return out


def training_set_names() -> list[str]:
    """The sets fitted on."""
    return [s.name for s in LABEL_SETS if s.role == "train"]


def fit(train_examples: Sequence[Example], settings: ModelSettings | None = None) -> ClaimModel:
    """Fit a model on examples (their rule views must have been read)."""
    settings = settings or ModelSettings()
    views = [e.view for e in train_examples if e.view is not None]
    if len(views) != len(train_examples):
        raise ValueError("examples must be read (examples(..., read=True)) before fitting")
    ops = op_training_items(train_examples)
    return fit_model(views, [e.label for e in train_examples], settings, op_items=ops)


def predict(model: ClaimModel, items: Sequence[Example]) -> list[dict[str, Any]]:
    """The extractor's JSON output (the ``claimwatch extract`` fields) for labelled posts, with ``model``."""
    from claimwatch.tools.extract_jsonl import extraction_fields

    out = []
    for voice in dict.fromkeys(e.voice for e in items):
        idx = [i for i, e in enumerate(items) if e.voice == voice]
        posts = [(items[i].text, items[i].posted_at) for i in idx]
        readings = [(items[i].ex, items[i].view) for i in idx]
        for i, ex in zip(idx, predict_batch(model, posts, readings, voice), strict=True):  # type: ignore[arg-type]
            row = extraction_fields(ex)
            row["msg_id"] = items[i].label["msg_id"]
            out.append((i, row))
    return [row for _i, row in sorted(out, key=lambda t: t[0])]


def _place_match(gold: str | None, op: Any) -> bool:
    if not gold or not op.location:
        return False
    a, b = place_key(gold), place_key(op.location)
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


def align(gold_ops: list[dict[str, Any]], cands: list[Any]) -> list[str]:
    """Label each candidate operation with the kind of the gold operation it tells, or ``none``: pairs are
    made greedily by agreement (same place 3, same country 1, same weapon 1, same date 0.5; at least 2)."""
    pairs = []
    for gi, g in enumerate(gold_ops):
        for ci, c in enumerate(cands):
            op = c.op
            score = (
                3.0 * _place_match(g.get("location"), op)
                + (g.get("target_country") == op.target_country)
                + (g.get("weapon") == op.weapon)
                + 0.5 * (g.get("event_date") == (op.event_date.isoformat() if op.event_date else None))
            )
            if score >= 2:
                pairs.append((score, -ci, gi, ci))
    labels = ["none"] * len(cands)
    used: set[int] = set()
    for _score, _c, gi, ci in sorted(pairs, reverse=True):
        if gi not in used and labels[ci] == "none":
            used.add(gi)
            labels[ci] = gold_ops[gi]["kind"]
    return labels


def op_training_items(items: Sequence[Example]) -> list[tuple[Any, str]]:
    """Candidate operations of the labelled event posts with an operations list, labelled by :func:`align`."""
    out: list[tuple[Any, str]] = []
    for e in items:
        gold_ops = e.label.get("operations")
        if e.label["kind"] == "other" or not gold_ops or e.ex is None or e.view is None:
            continue
        cands = rules.operation_candidates(e.text, e.ex, e.posted_at)
        for c, y in zip(cands, align(gold_ops, cands), strict=True):
            out.append((((c, e.view.lang, e.label["kind"]), len(cands)), y))
    return out


def cross_validate(
    items: Sequence[Example], settings: ModelSettings | None = None, folds: int = 5, seed: int = 7
) -> list[dict[str, Any]]:
    """Out-of-fold predictions: every post predicted by a model fitted on the other folds (same order)."""
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    fold_of = {i: k % folds for k, i in enumerate(order)}
    preds: list[dict[str, Any] | None] = [None] * len(items)
    for k in range(folds):
        train_items = [items[i] for i in range(len(items)) if fold_of[i] != k]
        test_idx = [i for i in range(len(items)) if fold_of[i] == k]
        model = fit(train_items, settings)
        for i, p in zip(test_idx, predict(model, [items[i] for i in test_idx]), strict=True):
            preds[i] = p
    return [p for p in preds if p is not None]


LINK_LABELS = GOLD / "links" / "pairs.labels.jsonl"  # claim-report pairs of the channel
# report-report and claim-claim pairs of both corpora (``bench/link_pairs.py --samekind``), once labelled
SAMEKIND_LABELS = GOLD / "links" / "samekind.labels.jsonl"


def correction_examples(dsn: str) -> list[Example]:
    """Posts analysts corrected (``claimwatch review``), labelled with their claims as corrected: a post whose
    every operation was marked wrong is ``other``. These are labels someone checked by hand."""
    import psycopg2.extras

    from claimwatch.warehouse import connect, query

    out = []
    with connect(dsn) as conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute(query("corrections_labels"))
        for r in cur.fetchall():
            ops = [{**op, "event_date": op["event_date"] and str(op["event_date"])[:10]} for op in r["operations"]]
            label: dict[str, Any] = {"msg_id": r["doc_id"], "kind": "other", "note": "analyst correction"}
            label.update(dict.fromkeys(("actor", "weapon", "target_country", "location", "event_date", "intercepted")))
            if ops:
                label.update(ops[0])
                label["operations"] = ops
            out.append(Example("corrections", r["text"], r["published_at"], label, r["voice"]))
    for e in out:
        e.ex, e.view = read_post(e.text, e.posted_at, e.voice)
    return out


def operation_row(op: Any, text: str, source: str, posted: datetime | None, doc: Any, index: int = 0) -> Any:
    """The linker's view (``events.Row``) of operation ``index`` of a post, as the extractor read it (the
    evaluation's counterpart of ``event_store.row_from_db``); keyed ``(doc, index)``."""
    from claimwatch.claims.actors import actor_family
    from claimwatch.transform.events import Row, renews, states_count, words_of

    return Row(
        key=(doc, index),
        kind=op.kind,
        actor=op.actor,
        weapon=op.weapon,
        target_country=op.target_country,
        location_id=op.location_id,
        event_date=op.event_date,
        intercepted=op.intercepted,
        words=words_of(f"{op.evidence} {text[:300]}"),
        source=source,
        published_at=posted,
        doc=doc,
        operation_index=index,
        family=actor_family(op.actor) if op.actor not in (None, "unknown", "other") else frozenset(),
        lat=op.lat,
        lon=op.lon,
        confidence=op.confidence,
        states_count=states_count(text[:300]),
        renews=renews(text[:300]),
        geo_precision=op.geo_precision,
    )


LINK_LABEL_FILES = (LINK_LABELS, SAMEKIND_LABELS)  # every labelled pair: the evaluation scores them all
# The pairs the link model is fitted on: the claim-report pairs. Fitted on the same-kind pairs too, the clusterer's
# cross-validated precision on the channel fell (0.927 -> 0.872 at probability 0.75, recall 0.26 -> 0.21): every
# same-kind pair is of one channel, where two reports of one place on one day are mostly two waves (15 of 120 the
# same operation), which teaches nothing of the repeats of one report across sources. They stay evaluation labels.
# The linker's own links, labelled (``bench/link_pairs.py --linked``): draws 1-14 were the held-out census of the
# linkers of earlier stops and are now fitted on too. They are the pairs a linker finds hard, the ones that decide
# its precision (a claim of strikes on a country against that night's explosions in one of its towns, a second wave
# at one place): clustered 5-fold CV on the channel, both pair sets folded together, at probability 0.75 precision
# on the linked pairs 0.804 -> 0.904 (recall 0.345 -> 0.590), on the first pairs 0.800 -> 0.893 (0.189 -> 0.338).
# Draws 15 and 16 were the census of the linkers fitted on draws 1-14 and 1-15 (14 of their 30 new links the same
# operation, then 2 of 15): each round's new links are labelled and learnt, as in active learning, until the linker
# makes no link the labels lack. Later draws are the held-out census of the shipped linker (``bench/eval_links.py``).
LINKED_LABELS = GOLD / "links" / "linked_pairs.labels.jsonl"
LINKED_TRAINING_DRAWS = 16
LINK_TRAINING_FILES = (LINK_LABELS, LINKED_LABELS)


def fitted_on(path: Path, label: dict[str, Any]) -> bool:
    """Whether the link model is fitted on a labelled pair of ``path`` (a census draw after
    ``LINKED_TRAINING_DRAWS`` is held out)."""
    return path != LINKED_LABELS or (label.get("draw") or 1) <= LINKED_TRAINING_DRAWS


def link_doc(corpus: str, msg_id: int) -> Any:
    """The ``doc`` (and, with the operation index, the row key) a labelled post's linker row gets: the channel's
    ``msg_id`` as it always was, ``(corpus, msg_id)`` for any other corpus, whose ids would collide with it."""
    return msg_id if corpus == "naya" else (corpus, msg_id)


def _link_draw(labels: Path) -> dict[int, dict[str, Any]]:
    """The draw a label file of pair ids refers to (``x.labels.jsonl`` -> ``x.jsonl``), by pair id."""
    path = labels.with_name(labels.name.replace(".labels.jsonl", ".jsonl"))
    if path == labels or not path.exists():
        raise ValueError(f"{labels}: labels of pair ids only, and no draw {path} to find their posts in")
    lines = path.read_text(encoding="utf-8").splitlines()
    return {p["pair_id"]: p for p in (json.loads(line) for line in lines if line.strip())}


def _pair_posts(pair: dict[str, Any]) -> dict[str, Any]:
    """The posts a drawn pair names, in the label format: a claim-report draw record (``claim``, ``report``) or a
    same-kind one (``corpus``, ``a``, ``b``)."""
    if "claim" in pair:
        return {"claim_msg_id": pair["claim"]["msg_id"], "report_msg_id": pair["report"]["msg_id"]}
    return {"corpus": pair["corpus"], "a_msg_id": pair["a"]["msg_id"], "b_msg_id": pair["b"]["msg_id"]}


def link_labels(path: Path) -> list[dict[str, Any]]:
    """The labelled pairs of ``path`` in one shape, ``{"pair_id", "draw", "corpus", "a_msg_id", "b_msg_id", "same",
    "note"}``: a pair names any two posts of one corpus. The first format, a claim post and a report post of the
    channel (``claim_msg_id``, ``report_msg_id``), reads as ``a`` = the claim, ``b`` = the report, corpus ``naya``; a
    label of only ``pair_id``, ``same`` and ``note`` (an annotator's or adjudicator's line) takes its posts from the
    draw beside the file (``x.labels.jsonl`` -> ``x.jsonl``), and ``draw`` is that draw's number (else None)."""
    drawn: dict[int, dict[str, Any]] | None = None
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        lab = json.loads(line)
        if "claim_msg_id" not in lab and "a_msg_id" not in lab:  # only the pair id: the pair is in the draw
            if drawn is None:
                drawn = _link_draw(path)
            if lab.get("pair_id") not in drawn:
                raise ValueError(f"{path}:{n}: pair {lab.get('pair_id')} names no posts and is not in its draw")
            lab = {**_pair_posts(drawn[lab["pair_id"]]), **lab}
        if "claim_msg_id" in lab:
            a, b, corpus = lab["claim_msg_id"], lab["report_msg_id"], lab.get("corpus", "naya")
        else:
            a, b, corpus = lab["a_msg_id"], lab["b_msg_id"], lab["corpus"]
        if corpus not in CORPORA:
            raise ValueError(f"{path}:{n}: unknown corpus {corpus!r}")
        if not isinstance(lab.get("same"), bool):
            raise ValueError(f"{path}:{n}: 'same' must be true or false")
        if a == b:
            raise ValueError(f"{path}:{n}: a pair of one post with itself")
        out.append(
            {
                "pair_id": lab.get("pair_id"),
                "draw": drawn[lab["pair_id"]].get("draw", 1) if drawn and lab.get("pair_id") in drawn else None,
                "corpus": corpus,
                "a_msg_id": int(a),
                "b_msg_id": int(b),
                "same": lab["same"],
                "note": lab.get("note", ""),
            }
        )
    return out


def link_rows(model: ClaimModel, msg_ids: Sequence[int], corpus: str = "naya") -> dict[int, Any]:
    """The linker's view (``events.Row``) of the first operation of each post of ``corpus``, as ``model`` extracts
    it (keyed by ``msg_id``; the rows' ``doc`` is :func:`link_doc`, so rows of two corpora never share a key)."""
    posts = posts_by_id(corpus)
    ids = [i for i in dict.fromkeys(msg_ids) if i in posts]
    items = [(posts[i]["text"], _posted(posts[i]["posted_at"])) for i in ids]
    readings = [read_post(t, p) for t, p in items]
    return {
        msg_id: operation_row(ex.operations[0], text, corpus, posted, link_doc(corpus, msg_id))
        for msg_id, (text, posted), ex in zip(ids, items, predict_batch(model, items, readings), strict=True)
        if ex.operations
    }


def link_examples(model: ClaimModel, path: Path | Sequence[Path] | None = None) -> list[tuple[Any, Any, bool]]:
    """The labelled pairs as linker rows, in file and label order (pairs whose posts the model reads no operation
    in are left out: the linker never sees them). ``path``: a label file or several; by default those the link model
    is fitted on (``LINK_TRAINING_FILES``)."""
    if path is None:
        paths = [p for p in LINK_TRAINING_FILES if p == LINK_LABELS or p.exists()]
    else:
        paths = [path] if isinstance(path, Path) else list(path)
    labels, seen = [], set()
    for p in paths:
        for lab in link_labels(p):
            key = (lab["corpus"], *sorted((lab["a_msg_id"], lab["b_msg_id"])))
            if (path is None and not fitted_on(p, lab)) or key in seen:  # held out, or a pair labelled twice
                continue
            seen.add(key)
            labels.append(lab)
    rows: dict[str, dict[int, Any]] = {}
    for corpus in dict.fromkeys(lab["corpus"] for lab in labels):
        ids = [x for lab in labels if lab["corpus"] == corpus for x in (lab["a_msg_id"], lab["b_msg_id"])]
        rows[corpus] = link_rows(model, ids, corpus)
    return [
        (rows[lab["corpus"]][lab["a_msg_id"]], rows[lab["corpus"]][lab["b_msg_id"]], bool(lab["same"]))
        for lab in labels
        if lab["a_msg_id"] in rows[lab["corpus"]] and lab["b_msg_id"] in rows[lab["corpus"]]
    ]


def train(
    out: Path = MODEL_PATH, settings: ModelSettings | None = None, extra: Sequence[Example] = ()
) -> dict[str, Any]:
    """Fit on every training set (plus ``extra`` labels, e.g. analyst corrections) and write model and card."""
    import joblib
    import sklearn

    settings = settings or ModelSettings()
    items = examples(training_set_names()) + list(extra)
    model = fit(items, settings)
    out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out, compress=3)
    card = {
        "version": model.version,
        "sklearn": sklearn.__version__,
        "settings": settings.as_json(),
        "labels": dict(Counter(e.source for e in items)),
        "kinds": dict(Counter(e.label["kind"] for e in items)),
        "features": {name: len(vec.vocabulary_) for name, vec in model.vectorizers.items()},
    }
    if LINK_LABELS.exists():
        card["link_model"] = train_link(model, out.parent)
    out.with_suffix(".json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return card


def channel_rows(corpus: str = "naya", model: ClaimModel | None = None) -> list[Any]:
    """Every operation of a corpus (the channel, ``naya``, or the army's English channel, ``idf``) as a linker row,
    keyed ``(msg_id, operation index)``, in publication order (the CSV's order is not always it: sorted by time):
    what the clusterer places when it runs over the whole corpus (one corpus at a time: its ``doc`` is the
    ``msg_id``, unlike the rows of labelled pairs, :func:`link_doc`, which may mix corpora)."""
    from claimwatch.claims.model import load_model

    posts = load_corpus(corpus)
    items = [(p["text"], _posted(p["posted_at"])) for p in posts]
    extractions = extract_posts(items, model=model or load_model())
    rows = [
        operation_row(op, text, corpus, posted, post["msg_id"], i)
        for post, (text, posted), ex in zip(posts, items, extractions, strict=True)
        for i, op in enumerate(ex.operations)
    ]
    if corpus != "naya":
        rows.sort(key=lambda r: (r.published_at is None, r.published_at or 0))
    return rows


def train_link(model: ClaimModel, out_dir: Path) -> dict[str, Any]:
    """Fit the link model on the labelled pairs as ``model`` reads them and write it to ``out_dir``; its figures
    for the model card. On its own (``claimwatch train --link-only``) it refits the linker against the shipped
    claim model in seconds, leaving the claim model as it is."""
    from claimwatch.transform.events import LINK_MODEL, fit_link_model

    pairs = link_examples(model)
    # the threshold is chosen on the channel as the clusterer groups it (``fit_link_model``): its pairs are scored
    link, figures = fit_link_model(pairs, rows=channel_rows("naya", model))
    (out_dir / LINK_MODEL.name).write_text(
        json.dumps(link.to_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return {"pairs": len(pairs), **{k: round(v, 3) for k, v in figures.items()}}


__all__ += [
    "MODEL_CARD",
    "fit",
    "fitted_on",
    "label_set",
    "link_examples",
    "link_labels",
    "operation_row",
    "predict",
    "training_set_names",
]


def main(argv: list[str] | None = None) -> int:
    """``claimwatch train [--out FILE] [--explain HEAD]``: rebuild the claim model from the labels."""
    import argparse
    import sys
    import time

    from claimwatch.claims.model import HEADS, load_model

    parser = argparse.ArgumentParser(prog="claimwatch train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help=f"model file (default: {MODEL_PATH})")
    parser.add_argument("--explain", choices=HEADS, help="print the heaviest features of each class of a head")
    parser.add_argument(
        "--corrections",
        action="store_true",
        help="also learn from analysts' corrections in the warehouse (CLAIMWATCH_WAREHOUSE_DSN or the embedded one)",
    )
    parser.add_argument(
        "--link-only",
        action="store_true",
        help="refit only the link model, against the claim model in --out (which is left as it is)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", stream=sys.stderr)
    if args.link_only:
        card_path = args.out.with_suffix(".json")
        card = json.loads(card_path.read_text(encoding="utf-8"))
        card["link_model"] = train_link(load_model(args.out), args.out.parent)
        card_path.write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"link model: {card['link_model']} -> {args.out.parent}")
        return 0
    if args.explain:
        model = load_model(args.out)
        for cls, feats in model.explain(args.explain).items():
            print(f"{args.explain}={cls}: " + ", ".join(f"{n} ({w:+.2f})" for n, w in feats))
        return 0
    started = time.perf_counter()
    try:
        extra: list[Example] = []
        if args.corrections:
            from claimwatch.warehouse import warehouse_dsn

            extra = correction_examples(warehouse_dsn())
            print(f"{len(extra)} corrected posts from the warehouse join the labels")
        card = train(args.out, extra=extra)
    except (FileNotFoundError, KeyError, ValueError) as exc:
        print(f"claimwatch train: {exc}", file=sys.stderr)
        return 2
    print(
        f"{card['version']}: {sum(card['labels'].values())} labelled posts {card['labels']}, "
        f"{card['features']} features, {time.perf_counter() - started:.1f} s -> {args.out}"
    )
    return 0
