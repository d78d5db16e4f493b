"""Rules and dictionaries hold world knowledge, not answers to labelled examples.

A rule string (a word of a pattern in ``claims/rules.py``) or a dictionary entry (an alias of
``data/places.toml`` or ``data/actors.toml``) that matches texts of the shared corpus (both channels' posts and the
news articles' bodies), all of which are labelled posts, looks fitted to those examples: nothing else in 9,100
texts needs it. Such a string fails this test unless
it is world knowledge with a stated source: a ``source`` key on the dictionary entry, or an entry of
``data/rule_strings.toml`` naming the rule word and its source (a dictionary, the GUIDE, an encyclopaedia).

Rule words are read from the pattern sources as runs of three or more Arabic letters or four or more Latin
letters; a post matches a word when its matching form contains it.
"""

from __future__ import annotations

import json
import re
import tomllib
from functools import cache

import pytest

from claimwatch.claims import rules
from claimwatch.claims.corpus import corpus_dir, corpus_path, load_corpus
from claimwatch.claims.labels import load_labels
from claimwatch.claims.train import LABEL_SETS
from claimwatch.text.textnorm import normalize_for_matching
from tests.gold_helpers import ROOT
from tests.shared_corpus import needs_shared

DATA = ROOT / "claimwatch" / "claims" / "data"
pytestmark = [needs_shared(corpus_path("naya")), needs_shared(corpus_path("idf"))]


ARTICLES = corpus_dir() / "articles" / "article-extraction-benchmark" / "ground-truth.json"


@cache
def _posts() -> tuple[tuple[tuple[str, int], str], ...]:
    """Every text of the shared corpus: the two channels' posts and, since every item of the army's English channel
    is labelled (draw ``train3`` took the last 338), the news articles' bodies (181 pages of the article extraction
    benchmark, nobody's labels), the unlabelled English against which an English word shows it is general."""
    posts = [
        ((name, p["msg_id"]), normalize_for_matching(p["text"])) for name in ("naya", "idf") for p in load_corpus(name)
    ]
    articles = json.loads(ARTICLES.read_text(encoding="utf-8"))
    posts += [(("articles", n), normalize_for_matching(a["articleBody"])) for n, a in enumerate(articles.values())]
    return tuple(posts)


@cache
def _labelled() -> frozenset[tuple[str, int]]:
    out: set[tuple[str, int]] = set()
    for ls in LABEL_SETS:
        if ls.path.exists():
            out |= {(ls.corpus, r["msg_id"]) for r in load_labels(ls.path)}
    return frozenset(out)


def _labelled_only(text: str) -> int:
    """The number of matching posts when every one is labelled, else 0."""
    hits = [key for key, body in _posts() if text in body]
    return len(hits) if hits and all(k in _labelled() for k in hits) else 0


def _rule_words() -> set[tuple[str, str]]:
    words = set()
    for name, value in vars(rules).items():
        pattern = value.pattern if isinstance(value, rules._Gated) else value
        if isinstance(pattern, re.Pattern):
            for w in re.findall(r"[\u0621-\u064a]{3,}|[a-z]{4,}", pattern.pattern):
                words.add((name, w))
    return words


def test_rule_words_are_not_fitted_to_labelled_posts() -> None:
    allowed = {e["word"]: e for e in tomllib.loads((DATA / "rule_strings.toml").read_text(encoding="utf-8"))["word"]}
    for entry in allowed.values():
        assert entry.get("source"), f"rule_strings.toml: {entry['word']!r} needs a source"
    fitted = sorted((name, w, n) for name, w in _rule_words() if w not in allowed and (n := _labelled_only(w)))
    assert not fitted, f"rule words matching labelled posts only (pattern, word, posts): {fitted}"


@pytest.mark.parametrize("kind", ["place", "actor"])
def test_dictionary_entries_are_not_fitted_to_labelled_posts(kind: str) -> None:
    file = DATA / ("places.toml" if kind == "place" else "actors.toml")
    records = tomllib.loads(file.read_text(encoding="utf-8"))[kind]
    fitted = []
    for rec in records:
        if rec.get("source"):
            continue
        names = [*rec.get("aliases", []), *rec.get("speakers", []), *rec.get("context_only", [])]
        if kind == "place":
            names += [rec.get("name_ar"), rec.get("name_en")]
        for name in filter(None, names):
            norm = normalize_for_matching(name)
            if len(norm) >= 3 and (n := _labelled_only(norm)):
                fitted.append((rec.get("location_id") or rec.get("actor_id"), name, n))
    assert not fitted, f"{file.name}: entries matching labelled posts only, without a source: {fitted}"


def test_the_check_can_fail() -> None:
    """A word found in one labelled post only is caught (the check is not vacuous)."""
    word = next(
        w
        for key, body in _posts()
        if key in _labelled()
        for w in body.split()
        if len(w) > 5 and sum(w in b for _k, b in _posts()) == 1
    )
    assert _labelled_only(word) == 1
