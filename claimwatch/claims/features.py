"""What the learned extractor reads of a post, in two steps.

1. ``text_view``: the post's own words, before any rule runs. The matching form of the text (Arabic spelling
   folded, lower case), cut to ``TEXT_CHARS``, and its opening (the statement header when there is one, else the
   first words). The model decides from this alone whether the post is a claim, a report or neither: on the
   labelled posts the words decide that better than the rules' cues do, and reading words is cheap, so the
   rules only run on the posts that hold an operation.
2. ``with_rules``: for those posts, what the rules saw (their kind and first operation, who speaks, claim
   markers, actors and places named) as sparse indicator features, and the rules' candidate answers (the
   attacker they found, the speaker, the first actor named, the first weapon named). The actor, weapon,
   interception and target-country heads learn from the labels how far to trust each cue. Cue names carry the
   post's language: the rules are precise in Arabic and weak in English, and the weights can say so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import chain, compress, pairwise, repeat
from operator import is_
from typing import Any, cast

import numpy as np

from claimwatch.claims.rules import Extraction, outcome_told, weapon_named

__all__ = [
    "TEXT_CHARS",
    "PostView",
    "ViewVocabulary",
    "cue_features",
    "flat_lookup",
    "stem_text",
    "text_view",
    "view_tokens",
    "view_words",
    "with_rules",
]

TEXT_CHARS = 1200  # the operation a post is about is told in its first lines; long tails are background
HEAD_WORDS = 8


@dataclass(frozen=True, slots=True)
class PostView:
    """The model's inputs for one post (``cues`` and ``candidates`` are empty until the rules have read it)."""

    text: str
    head: str
    lang: str
    cues: dict[str, float] = field(default_factory=dict)
    candidates: dict[str, str | None] = field(default_factory=dict)


# letter runs, not letters: the same counts from a few matches per word instead of one per letter
_LATIN = re.compile(r"[a-z]+")
_ARABIC = re.compile(r"[\u0600-\u06ff]+")


def _lang(norm: str) -> str:
    head = norm[:400]
    latin, arabic = sum(map(len, _LATIN.findall(head))), sum(map(len, _ARABIC.findall(head)))
    if not latin and not arabic:
        return "none"
    return "en" if latin > arabic else "ar"


def text_view(norm: str) -> PostView:
    """The first-step view of a post whose matching form is ``norm``."""
    text = norm[:TEXT_CHARS]
    colon = text.find(":", 0, 120)
    if colon > 0 and len(text[:colon].split()) <= HEAD_WORDS:
        head = text[:colon]
    else:
        head = " ".join(text.split(maxsplit=HEAD_WORDS)[:HEAD_WORDS])  # the first words, without splitting the rest
    return PostView(text=text, head=head, lang=_lang(norm))


# The weapon a post names first when its first operation names another or none: "The IDF struck military
# infrastructure in Syria. ... an IDF aircraft struck" is an airstrike by the GUIDE. A cue of the weapon head only
# (5-fold CV, English weapon 0.692 -> 0.724, Arabic 0.884 -> 0.883; read by every head it cost English
# target_country 0.771 -> 0.763: the other heads learnt it as a sign of the target)
NAMED_WEAPON_CUE = "named_weapon="
# The outcome the whole post tells (intercepted, hit) when the first operation's sentence tells another or none: the
# GUIDE's "some of several intercepted -> true" and a bulletin's damage told after the launch. A cue of the
# interception head only (5-fold CV, intercepted English 0.765 -> 0.775, Arabic 0.887 -> 0.892)
TOLD_OUTCOME_CUE = "told_outcome="


def cue_features(ex: Extraction, lang: str, voice: str | None = None) -> dict[str, float]:
    """Indicator features of the rules' reading of a post (see the module docstring), prefixed by language."""
    f: dict[str, float] = {f"rule_kind={ex.kind}": 1.0}
    cues = ex.cues
    if cues.get("gate"):
        f[f"gate={cues['gate']}"] = 1.0
    if ex.operations:
        op = ex.operations[0]
        f[f"rule_actor={op.actor}"] = 1.0
        f[f"rule_weapon={op.weapon}"] = 1.0
        # what the whole post says where its first operation's sentence says otherwise or nothing: read only by
        # the weapon and the interception heads (``ModelSettings.head_cues``)
        named = weapon_named(ex.norm)
        if named is not None and named != op.weapon:
            f[f"{NAMED_WEAPON_CUE}{named}"] = 1.0
        told = outcome_told(ex.norm)
        if told is not None and told != op.intercepted:
            f[f"{TOLD_OUTCOME_CUE}{told}"] = 1.0
        f[f"rule_icpt={op.intercepted}"] = 1.0
        f[f"rule_kind_actor={op.kind}:{op.actor}"] = 1.0
        f[f"rule_country={op.target_country}"] = 1.0
        f["rule_placed"] = float(op.target_country is not None)
        f[f"rule_nops={min(len(ex.operations), 3)}"] = 1.0
        f[f"rule_date={(op.date_reason or 'none').split(' ')[0]}"] = 1.0
    for key in ("speaker", "marker"):
        if cues.get(key):
            f[f"{key}={cues[key]}"] = 1.0
    for key in ("media_header", "footage", "first_person", "mujahideen", "old_footage", "ops_list"):
        if cues.get(key):
            f[key] = 1.0
    if "candidates" in cues:
        f[f"candidates={min(int(cues['candidates']), 3)}"] = 1.0
    mentions = cues.get("mentions") or []
    for i, (label, how, in_head) in enumerate(mentions):
        f[f"m={label}"] = 1.0
        f[f"m_{how}={label}"] = 1.0
        if in_head:
            f[f"m_head={label}"] = 1.0
        if i == 0:
            f[f"m_first={label}"] = 1.0
    header_end = int(cues.get("header_end") or 0)
    for i, pm in enumerate((ex.places or [])[:4]):
        cc = pm.record["country"]
        f[f"place={cc}"] = 1.0
        if i == 0:
            f[f"place_first={cc}"] = 1.0
        if pm.origin:
            f[f"place_origin={cc}"] = 1.0
        if pm.start < header_end:
            f[f"place_head={cc}"] = 1.0
    if voice:
        f["voice"] = 1.0
        if ex.operations and ex.operations[0].actor == voice:
            f["voice_is_rule_actor"] = 1.0
        if any(label == voice for label, _h, _i in mentions):
            f["voice_named"] = 1.0
    # shared names let a cue learned in one language inform the other; language-prefixed copies let the
    # weights say where a cue is more or less reliable
    return {**f, **{f"{lang}:{k}": v for k, v in f.items()}}


def with_rules(view: PostView, ex: Extraction, voice: str | None = None) -> PostView:
    """The second-step view: ``view`` plus the rules' cues and candidate answers for the post."""
    op = ex.operations[0] if ex.operations else None
    mentions = ex.cues.get("mentions") or []
    candidates = {
        "rule_actor": op.actor if op else None,
        "speaker": ex.cues.get("speaker"),
        "mention1": mentions[0][0] if mentions else None,
        "voice": voice,
        "unknown": "unknown",
        "rule_weapon": op.weapon if op and op.weapon != "unspecified" else None,
    }
    return replace(view, cues=cue_features(ex, view.lang, voice), candidates=candidates)


_WORD = re.compile(r"\w+")
# Light Arabic stemming as two C-speed substitutions: one clitic prefix and one common suffix per word, never
# leaving fewer than three letters, so "والمسيرات", "بمسيرة" and "مسيراتهم" share the stem "مسير".
_PREFIX = re.compile(r"(?<!\w)(?:وال|بال|فال|كال|ولل|لل|ال|و|ف|ب|ل)(?=[\u0621-\u064a]{3})")
_SUFFIX = re.compile(r"(?<=[\u0621-\u064a]{3})(?:هما|ها|هم|كم|نا|ات|ين|ون|يه|ه)(?!\w)")


def stem_text(text: str) -> str:
    """The text with each Arabic word reduced to a light stem (Latin words untouched)."""
    return _SUFFIX.sub("", _PREFIX.sub("", text))


_STEM_OF: dict[str, str] = {}


def _stems(words: list[str]) -> list[str]:
    """``_WORD.findall(stem_text(text))`` for the words ``_WORD.findall(text)`` of a text, one word at a time and
    memoized: a channel repeats its vocabulary, so most words are stemmed once, not once per post. The same
    stems: both substitutions are anchored inside one word (a prefix where no word character precedes, a suffix
    where none follows, each with at least three Arabic letters left), and never empty a word."""
    out: list[str | None] = list(map(_STEM_OF.get, words))
    if None in out:  # words not seen yet, picked out in C
        for i in compress(range(len(out)), map(is_, out, repeat(None))):
            out[i] = stem = stem_text(words[i])
            if len(_STEM_OF) < 200_000:
                _STEM_OF[words[i]] = stem
    return cast(list[str], out)


def _bigrams(words: list[str]) -> list[str]:
    return list(map(" ".join, pairwise(words)))


def view_words(view: PostView) -> tuple[list[str], list[str], list[str]]:
    """A post's words, their stems and its opening's words: what :func:`view_tokens` is made of."""
    words = _WORD.findall(view.text)
    return words, _stems(words), _WORD.findall(view.head)


def view_tokens(view: PostView) -> list[str]:
    """The word features of a post: word and stem unigrams and bigrams (stems marked ``s:``), and the opening's
    words (``h:``). Words hold no space or colon, so each token says which of these it is."""
    words, stems, head = view_words(view)
    out = words + _bigrams(words)
    out += ["s:" + t for t in stems] + ["s:" + t for t in _bigrams(stems)]
    out += ["h:" + t for t in head]
    return out


def flat_lookup(rows: Sequence[Sequence[Any]], ids: dict[Any, int]) -> tuple[np.ndarray, np.ndarray]:
    """For the items of a batch's rows, flattened: the row each item is in and its id in ``ids`` (-1: not there).
    One ``dict.get`` per item mapped in C, no Python loop per row or per item."""
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    total = int(lengths.sum())
    found = np.fromiter(map(ids.get, chain.from_iterable(rows), repeat(-1)), dtype=np.int64, count=total)
    return np.repeat(np.arange(len(rows), dtype=np.int64), lengths), found


class ViewVocabulary:
    """A fitted vocabulary of :func:`view_tokens` (or :func:`candidate_tokens`), split back into words, so a
    batch's tokens are counted from word ids without building them: one lookup per word (not per unigram, bigram
    and prefixed copy) and the bigrams matched as pairs of ids in numpy. The cells are exactly those of the tokens
    those functions give (``tests/test_claims_model.py`` checks the matrices against scikit-learn's)."""

    def __init__(self, vocabulary: dict[str, int]) -> None:
        self.n_cols = len(vocabulary)
        self.head: dict[str, int] = {}
        # per space (0: words, 1: stems): word ids, the column of each id's unigram (-1: none) and the bigrams
        # as sorted keys ``id_a * n_ids + id_b`` with their columns
        self.ids: tuple[dict[str, int], dict[str, int]] = ({}, {})
        parsed: list[tuple[int, str, str, int]] = []
        for token, col in vocabulary.items():
            if token.startswith("h:"):
                self.head[token[2:]] = col
                continue
            space, body = (1, token[2:]) if token.startswith("s:") else (0, token)
            a, _, b = body.partition(" ")
            parsed.append((space, a, b, col))
            for w in (a, b) if b else (a,):
                self.ids[space].setdefault(w, len(self.ids[space]))
        unigram = [np.full(len(ids), -1, dtype=np.int64) for ids in self.ids]
        pairs: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])
        for space, a, b, col in parsed:
            ids = self.ids[space]
            if b:
                pairs[space].append((ids[a] * len(ids) + ids[b], col))
            else:
                unigram[space][ids[a]] = col
        self.unigram = unigram
        self.keys = [np.array(sorted(p), dtype=np.int64).reshape(-1, 2) for p in pairs]
        # word -> its id in the word space and its stem's id in the stem space, packed in one int (see
        # ``_known``): a channel repeats its vocabulary, so most words are stemmed and looked up once, not per post
        self._packed: dict[str, int] = {}

    def _known(self, rows: list[list[str]]) -> dict[str, int]:
        """``self._packed``, holding every word of ``rows``: ``(word id + 1) << 32 | (stem id + 1)`` (0: unknown).
        One lookup per word then gives both ids, where the stem, its lookup and the word's lookup were three."""
        packed = self._packed
        new = set(chain.from_iterable(rows)).difference(packed)
        if new:
            if len(packed) + len(new) > 200_000:
                packed.clear()
                new = set(chain.from_iterable(rows))
            words, stems = self.ids
            for w in new:
                packed[w] = (words.get(w, -1) + 1) << 32 | (stems.get(stem_text(w), -1) + 1)
        return packed

    def _space_cells(self, row: np.ndarray, wid: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
        """The unigram and bigram cells of one space, from each word's row and id in it (-1: unknown)."""
        n_ids = len(self.ids[space])
        known = wid >= 0
        uni_row, uni_col = row[known], self.unigram[space][wid[known]]
        has_uni = uni_col >= 0
        keys, cols = self.keys[space][:, 0], self.keys[space][:, 1]
        pair = known[1:] & known[:-1] & (row[1:] == row[:-1])  # consecutive words of one post, both known
        key = wid[:-1][pair] * n_ids + wid[1:][pair]
        at = np.minimum(np.searchsorted(keys, key), max(len(keys) - 1, 0))
        hit = keys[at] == key if len(keys) else np.zeros(len(key), dtype=bool)
        return (
            np.concatenate([uni_row[has_uni], row[:-1][pair][hit]]),
            np.concatenate([uni_col[has_uni], cols[at[hit]]]),
        )

    def cells(self, views: Sequence[PostView]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every occurrence of a vocabulary token in the views' :func:`view_tokens`."""
        return self.word_cells([_WORD.findall(v.text) for v in views], [_WORD.findall(v.head) for v in views])

    def candidate_cells(self, items: Sequence[tuple[Any, str, str]]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every occurrence of a vocabulary token in the items' :func:`candidate_tokens` (a
        vocabulary fitted on those holds no stem bigram and no opening word, so none is found)."""
        return self.word_cells(list(map(candidate_words, items)), [])

    def word_cells(self, words: list[list[str]], heads: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every vocabulary token made of rows of words and their openings' words (``heads``, or
        none): the unigrams and bigrams of the words and of their stems (:func:`view_words`), and the ``h:``
        words."""
        row, packed = flat_lookup(words, self._known(words))
        word_rows, word_cols = self._space_cells(row, (packed >> 32) - 1, 0)
        stem_rows, stem_cols = self._space_cells(row, (packed & 0xFFFFFFFF) - 1, 1)
        head_rows, head_cols = flat_lookup(heads, self.head)
        known = head_cols >= 0
        return (
            np.concatenate([word_rows, stem_rows, head_rows[known]]),
            np.concatenate([word_cols, stem_cols, head_cols[known]]),
        )


def candidate_words(item: tuple[Any, str, str]) -> list[str]:
    """The words of a candidate operation's sentence (its first 400 characters)."""
    cand, _lang, _kind = item
    return cast(list[str], _WORD.findall(cand.text[:400]))


def candidate_tokens(item: tuple[Any, str, str]) -> list[str]:
    """The words of a candidate operation's sentence, their bigrams and their stems, for the operation model."""
    words = candidate_words(item)
    return words + _bigrams(words) + ["s:" + t for t in _stems(words)]


def candidate_cues(item: tuple[Any, str, str], n_candidates: int) -> dict[str, float]:
    """Where a candidate sits and what the rules read in it, for the operation model. ``kind`` is the post's."""
    cand, lang, kind = item
    op = cand.op
    f = {
        f"post_kind={kind}": 1.0,
        f"rule_op={cand.rule_op}": 1.0,
        f"index={min(cand.index, 4)}": 1.0,
        f"segment={min(cand.segment, 4)}": 1.0,
        f"n_candidates={min(n_candidates, 6)}": 1.0,
        f"places_in_segment={min(cand.places_in_segment, 4)}": 1.0,
        f"weapon={op.weapon}": 1.0,
        f"placed={op.location is not None}": 1.0,
        f"country={op.target_country is not None}": 1.0,
        f"date={(op.date_reason or 'none').split(' ')[0]}": 1.0,
        f"intercepted={op.intercepted}": 1.0,
    }
    return {**f, **{f"{lang}:{k}": v for k, v in f.items()}}
