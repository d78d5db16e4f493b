"""Seeded draws of posts to label: which posts form the frozen test set and the training sets.

Every labelled set of the project is a *draw*: a named, seeded sample of one corpus, disjoint from every draw
before it and from the posts labelled before draws existed (the shared dev set and the two July samples in
``bench/gold/``). Running a draw again gives the same posts, so anyone can check that a label file holds exactly
the posts its draw names, and that the frozen test set was not picked by looking at posts.

Draws are stratified by time (ISO week for the channel, month for the army's channel) with a proportional share
per stratum, so a sample spreads over the whole period instead of bunching where the channel was busiest.
Posts with no text are never drawn (there is nothing to label). New draws go at the end of ``DRAWS``: an
earlier draw never changes when a later one is added.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from claimwatch.claims.corpus import corpus_dir, load_corpus
from claimwatch.config import PROJECT_ROOT

__all__ = ["DRAWS", "Draw", "draw_ids", "legacy_labelled_ids"]

GOLD_DIR = PROJECT_ROOT / "bench" / "gold"


@dataclass(frozen=True, slots=True)
class Draw:
    """A named sample: ``size`` posts of ``corpus`` drawn with ``seed``."""

    name: str
    corpus: str
    size: int
    seed: int


DRAWS: tuple[Draw, ...] = (
    Draw("frozen_test", "naya", 300, 20261130),
    Draw("frozen_test", "idf", 200, 20261131),
    Draw("train", "naya", 1500, 20261201),
    Draw("train", "idf", 500, 20261202),
    Draw("train2", "naya", 1500, 20261203),
    Draw("train2", "idf", 500, 20261204),
    Draw("train3", "naya", 600, 20261205),
    Draw("train3", "idf", 338, 20261206),  # every army-channel item with text left after the draws above
    Draw("train4", "naya", 300, 20261207),
)


@cache
def legacy_labelled_ids(corpus: str) -> frozenset[int]:
    """Posts labelled before the draws: the shared dev set and the July samples (channel corpus only)."""
    if corpus != "naya":
        return frozenset()
    ids: set[int] = set()
    files = [corpus_dir() / "claims-gold" / "dev.jsonl", *sorted(GOLD_DIR.glob("naya_july*.labels.jsonl"))]
    for path in files:
        with path.open(encoding="utf-8") as fh:
            ids.update(json.loads(line)["msg_id"] for line in fh if line.strip())
    return frozenset(ids)


def _stratum(corpus: str, posted_at: str | None) -> str:
    if not posted_at:
        return "undated"
    dt = datetime.fromisoformat(posted_at.replace("Z", "+00:00"))
    if corpus == "naya":
        year, week, _ = dt.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{dt.year}-{dt.month:02d}"


def _proportional(counts: dict[str, int], size: int) -> dict[str, int]:
    """Largest-remainder allocation of ``size`` over strata in proportion to their sizes."""
    total = sum(counts.values())
    exact = {k: size * n / total for k, n in counts.items()}
    share = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (-(exact[k] - share[k]), k))[: size - sum(share.values())]:
        share[k] += 1
    return share


@cache
def draw_ids(name: str, corpus: str) -> tuple[int, ...]:
    """The msg_ids (row ids for ``idf``) of draw ``name`` of ``corpus``, sorted."""
    taken = set(legacy_labelled_ids(corpus))
    for d in DRAWS:
        if d.corpus != corpus:
            continue
        strata: dict[str, list[int]] = defaultdict(list)
        for post in load_corpus(corpus):
            if post["msg_id"] not in taken and post["text"].strip():
                strata[_stratum(corpus, post["posted_at"])].append(post["msg_id"])
        if sum(len(v) for v in strata.values()) < d.size:
            raise ValueError(f"draw {d.name}/{corpus}: only {sum(len(v) for v in strata.values())} posts left")
        rng = random.Random(d.seed)
        share = _proportional({k: len(v) for k, v in strata.items()}, d.size)
        picked: list[int] = []
        for key in sorted(strata):
            picked.extend(rng.sample(sorted(strata[key]), share[key]))
        if d.name == name:
            return tuple(sorted(picked))
        taken.update(picked)
    raise KeyError(f"no draw named {name!r} for corpus {corpus!r}")
