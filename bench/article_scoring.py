"""Shingle-overlap scoring of extracted article bodies, as the article-extraction benchmark defines it.

Kept in one place so that the evaluation script and the regression test in ``tests/test_articles.py`` measure
exactly the same thing as the published figures (see ``../shared/corpus/README.md``): words are ``\\w+``
(Unicode), bodies become multisets of 4-word shingles, per-page tp/fp/fn are normalised by their sum so every
page weighs the same, precision and recall are means over pages, F1 is their harmonic mean.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
SHINGLE_SIZE = 4


@dataclass(frozen=True)
class PageCounts:
    """Normalised true positive / false positive / false negative shares of one page (they sum to 1 or 0)."""

    tp: float
    fp: float
    fn: float


@dataclass(frozen=True)
class Scores:
    """Benchmark figures over a set of pages."""

    precision: float
    recall: float
    f1: float
    pages: int


def shingles(text: str | None, n: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """Multiset of n-word shingles; a text shorter than n words yields one short shingle, as upstream does."""
    tokens = _TOKEN_RE.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def page_counts(expected: str | None, predicted: str | None) -> PageCounts:
    """Score one page: multiset overlap of shingles, normalised so long articles do not dominate."""
    true_sh = shingles(expected)
    pred_sh = shingles(predicted)
    tp = float(sum((true_sh & pred_sh).values()))
    fp = float(sum((pred_sh - true_sh).values()))
    fn = float(sum((true_sh - pred_sh).values()))
    total = tp + fp + fn
    if total > 0:
        return PageCounts(tp / total, fp / total, fn / total)
    return PageCounts(0.0, 0.0, 0.0)


def _precision(c: PageCounts) -> float:
    if c.fp == c.fn == 0:
        return 1.0
    return c.tp / (c.tp + c.fp) if c.tp + c.fp > 0 else 0.0


def _recall(c: PageCounts) -> float:
    if c.fp == c.fn == 0:
        return 1.0
    return c.tp / (c.tp + c.fn) if c.tp + c.fn > 0 else 0.0


def page_f1(expected: str | None, predicted: str | None) -> float:
    """F1 of a single page, handy for listing the worst pages."""
    c = page_counts(expected, predicted)
    p, r = _precision(c), _recall(c)
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def aggregate(counts: Iterable[PageCounts]) -> Scores:
    """Mean precision over pages that predicted something, mean recall over pages that expected something."""
    items = list(counts)
    precisions = [_precision(c) for c in items if c.tp + c.fp > 0]
    recalls = [_recall(c) for c in items if c.tp + c.fn > 0]
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
    return Scores(precision=p, recall=r, f1=f1, pages=len(items))


def score(expected: Mapping[str, str], predicted: Mapping[str, str | None]) -> Scores:
    """Score predictions against expected bodies keyed by page id; a missing prediction counts as empty."""
    return aggregate(page_counts(expected[k], predicted.get(k)) for k in sorted(expected))
