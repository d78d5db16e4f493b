"""The learned part of the extractor: kind, actor, weapon and intercepted, from labelled posts.

One feature space (word and stem n-grams of the post and its opening, plus the rules' cues: see
``features``) and four linear heads (multinomial logistic regression, scikit-learn). Kind is learned from
every labelled post; actor, weapon and intercepted from the claims and reports, since an ``other`` post has
none. Linear models over sparse n-grams are the well-trodden choice for short-text classification with a few
thousand labels: they train in seconds on two cores, predict in microseconds per post, are deterministic for
fixed data, and each weight can be read (``claimwatch train --explain``).

The fitted model is one joblib file (``data/claim_model.joblib``) with a JSON card beside it
(``claim_model.json``: version, label counts, scikit-learn version, cross-validated scores). The version is a
hash of the training labels and settings, so the same labels always give the same version and a new label
gives a new one, which is what makes ``reprocess`` re-extract history after ``claimwatch train``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy import special

from claimwatch.claims.features import (
    NAMED_WEAPON_CUE,
    TOLD_OUTCOME_CUE,
    PostView,
    ViewVocabulary,
    candidate_cues,
    candidate_tokens,
    flat_lookup,
    view_tokens,
)

OpItem = tuple[tuple[Any, str, str], int]  # ((candidate, language, post kind), number of candidates in the post)

__all__ = [
    "HEADS",
    "MODEL_CARD",
    "MODEL_PATH",
    "N_OPS_TOP",
    "ClaimModel",
    "ModelSettings",
    "ModelUnavailable",
    "fit_model",
    "load_model",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
MODEL_PATH = DATA_DIR / "claim_model.joblib"
MODEL_CARD = DATA_DIR / "claim_model.json"
HEADS = ("kind", "actor", "weapon", "intercepted", "target_country")
# Actor and weapon are learned twice: as a *role* (which of the rules' candidates is right: the attacker the rules
# found, the speaker, the first actor named, the outlet's voice; for weapons, the first weapon named) and as an
# identity (which label). The role generalizes to actors the labels hardly hold (a faction named once, an
# outlet never seen): it learns *where* the answer is, not *who* it is. The identity head answers when the
# role head says the answer is none of the candidates.
ROLES = {
    # "unknown": the text names no attacker (a role, so it generalizes to styles and sources the labels lack)
    "actor": ("voice", "rule_actor", "speaker", "mention1", "unknown"),
    "weapon": ("rule_weapon",),
}


class ModelUnavailable(RuntimeError):
    """The model file is missing or was written by another scikit-learn: ``claimwatch train`` rebuilds it."""


@dataclass(frozen=True)
class ModelSettings:
    """Everything that shapes a fitted model besides the labels (part of its version hash)."""

    min_df: int = 2
    # every term of two or more posts (60,530 on the 5,748 labels): a cap of 60,000 cut among the 25,783 terms seen
    # twice, where which ones it kept depended on the machine's sort (see ``fit_tfidf``); cross-validated figures
    # are the same (no fold's vocabulary reached the cap), the clustered CV of the link model refitted on the rows
    # 0.904 / 0.501 with the cap (ties broken by the term) against 0.909 / 0.547 without it
    max_features: int | None = None
    char_ngrams: tuple[int, int] | None = None  # (3, 4) adds ~0.01 kind F1 at ~1.6x the extraction time
    char_chars: int = 300
    max_char_features: int = 80_000
    c: dict[str, float] = field(
        default_factory=lambda: {"kind": 8.0, "actor": 4.0, "weapon": 4.0, "intercepted": 4.0, "target_country": 4.0}
    )
    cue_weight: float = 1.0
    kind_cue_weight: float = 0.5  # the rules' cues in the kind head: generalize to styles the labels lack
    # the operation model's C; 5-fold CV of the training draws, English multi-operation posts: 2 -> 6 operations
    # 0.620 / 0.404 -> 0.632 / 0.406 (16: 0.636 / 0.396); Arabic and every post-level field unchanged
    op_c: float = 6.0
    # a post is ``other`` only when the kind head gives "other" at least this probability: every field of a missed
    # event is wrong, a post wrongly read as an event costs only the kind score. 5-fold CV, 0.6 -> 0.7: every
    # field of the events up by about 0.01 in both languages (Arabic actor 0.840 -> 0.851, weapon 0.891 -> 0.904,
    # date 0.906 -> 0.921), kind F1 down 0.003-0.004; at 0.8 the fields gain as much again and kind loses 0.01.
    # Not taken: at 0.7 four "other" posts of the Arabic demo channel (threats, statements) became claim and report
    # rows an analyst would count (demo kind F1 0.938 -> 0.918)
    other_threshold: float = 0.6
    class_weight: str | None = "balanced"
    # cues only one head reads, by a part of their name: the others are fitted with those columns at zero, which
    # leaves them a weight of exactly zero there (so prediction needs no mask)
    head_cues: dict[str, str] = field(
        default_factory=lambda: {NAMED_WEAPON_CUE: "weapon", TOLD_OUTCOME_CUE: "intercepted"}
    )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _label(row: dict[str, Any], head: str) -> str:
    value = row.get(head)
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def role_label(view: PostView, head: str, row: dict[str, Any]) -> str:
    """The first candidate of ``view`` that holds the gold value of ``head``, else ``"named"``."""
    value = row.get(head)
    for role in ROLES[head]:
        if value is not None and view.candidates.get(role) == value:
            return role
    return "named"


def _decode(head: str, value: str) -> Any:
    if head == "intercepted":
        return {"true": True, "false": False}.get(value)
    return None if value == "null" else value


# A post is first told apart from ``other`` by its words alone; whether an event post is the attacker's own claim or
# a third party's report is decided again with the rules' cues (who speaks, first person, footage, statement
# headers): the words find the events, the cues say whose voice tells them.
EVENT_HEADS = ("event_kind", *HEADS[1:], *(f"{h}_role" for h in ROLES), "n_ops")
OP_KINDS = ("claim", "report", "none")
N_OPS_TOP = 4  # the n_ops head's top class: "this many operations or more"


def _cells(
    features: list[Sequence[Any]], vocabulary: dict[str, int], dtype: Any, values: Iterable[float] | None = None
) -> sp.csr_matrix:
    """The CSR matrix of a batch: row ``i`` holds, for each of ``features[i]`` in ``vocabulary`` (others are
    dropped), its value from ``values`` (the features' values, flattened in the same order; each feature once per
    row) or, without ``values``, how many times it occurs in the row. Column indices sorted within each row, as
    scikit-learn leaves them.

    Built with one vocabulary lookup per feature mapped in C and one sort of the batch's cells in numpy, instead
    of a Python loop per feature or per row."""
    n_rows, n_cols = len(features), len(vocabulary)
    row, col = flat_lookup(features, vocabulary)
    known = col >= 0
    row = row[known]
    if values is None:
        return _counts(row, col[known], n_rows, n_cols, dtype)
    key = row * n_cols + col[known]
    vals = np.fromiter(values, dtype=np.float64, count=len(col))[known]
    order = np.argsort(key)
    return _csr(key[order], vals[order].astype(dtype), n_rows, n_cols)


def _counts(row: np.ndarray, col: np.ndarray, n_rows: int, n_cols: int, dtype: Any) -> sp.csr_matrix:
    """The CSR matrix of how many times each (row, column) cell occurs."""
    key, counts = np.unique(row * n_cols + col, return_counts=True)
    return _csr(key, counts.astype(dtype), n_rows, n_cols)


def _csr(key: np.ndarray, data: np.ndarray, n_rows: int, n_cols: int) -> sp.csr_matrix:
    """The CSR matrix of cells ``key = row * n_cols + column``, sorted and distinct, holding ``data``."""
    row = key // n_cols
    indices = (key - row * n_cols).astype(np.int32)
    indptr = np.searchsorted(row, np.arange(n_rows + 1)).astype(np.int32)
    x = sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_cols))
    x.has_sorted_indices = True
    return x


_VIEW_VOCABULARIES: dict[int, tuple[Any, dict[str, int], ViewVocabulary]] = {}


def _view_vocabulary(vectorizer: Any) -> ViewVocabulary:
    """The word-level form of a fitted ``view_tokens`` or ``candidate_tokens`` vectorizer's vocabulary, built once
    per fitted vocabulary (a refit gives the vectorizer a new vocabulary dict, and so a new one; the entry holds the
    vectorizer, so its id is not reused while cached)."""
    hit = _VIEW_VOCABULARIES.get(id(vectorizer))
    if hit is None or hit[1] is not vectorizer.vocabulary_:
        if len(_VIEW_VOCABULARIES) >= 8:
            _VIEW_VOCABULARIES.clear()
        hit = (vectorizer, vectorizer.vocabulary_, ViewVocabulary(vectorizer.vocabulary_))
        _VIEW_VOCABULARIES[id(vectorizer)] = hit
    return hit[2]


def transform(vectorizer: Any, docs: Sequence[Any]) -> sp.csr_matrix:
    """``vectorizer.transform(docs)`` for the fitted vectorizers the model uses, at C speed where it counts.

    scikit-learn's ``DictVectorizer`` and ``TfidfVectorizer`` (with a callable analyzer) count features in a
    Python loop of per-feature ``isinstance`` checks and ``try``/``except`` lookups: over half of extraction's
    time. The same matrices come from one ``dict.get`` per feature mapped in C and one numpy sort per batch
    (``_cells``) and the vectorizer's own fitted vocabulary, idf and settings; ``tests/test_claims_model.py``
    checks they equal scikit-learn's on real posts. Any other vectorizer, or settings this does not cover, go to
    scikit-learn."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

    if isinstance(vectorizer, DictVectorizer) and all(isinstance(v, float | int) for d in docs[:1] for v in d.values()):
        rows = list(docs)
        values = chain.from_iterable(d.values() for d in rows)
        return _cells(rows, vectorizer.vocabulary_, vectorizer.dtype, values)
    if (
        isinstance(vectorizer, TfidfVectorizer)
        and callable(vectorizer.analyzer)
        and not vectorizer.binary
        and vectorizer.use_idf
        and vectorizer.norm == "l2"
    ):
        # the same steps, dtype and index order as scikit-learn, so the floats (and a model fitted on them) are
        # identical, not merely close
        if vectorizer.analyzer in (view_tokens, candidate_tokens):
            words = _view_vocabulary(vectorizer)
            row, col = words.cells(docs) if vectorizer.analyzer is view_tokens else words.candidate_cells(docs)
            x = _counts(row, col, len(docs), len(vectorizer.vocabulary_), vectorizer.dtype)
        else:
            x = _cells(list(map(vectorizer.analyzer, docs)), vectorizer.vocabulary_, vectorizer.dtype)
        if vectorizer.sublinear_tf:
            np.log(x.data, x.data)
            x.data += 1.0
        x.data *= vectorizer.idf_[x.indices]
        # what ``sklearn.preprocessing.normalize(x, norm="l2", copy=False)`` runs on a float CSR matrix, without
        # its input checks (a quarter of a millisecond per call, for a matrix built right here)
        inplace_csr_row_normalize_l2(x)
        return x
    return vectorizer.transform(docs)


def predict_proba(clf: Any, x: sp.csr_matrix) -> np.ndarray:
    """``clf.predict_proba(x)`` of a fitted logistic regression head, with scikit-learn's own arithmetic (the
    same steps and dtypes, so the same floats: ``tests/test_claims_model.py`` checks it on real posts) but
    without the input validation around it. The matrices built here are CSR, finite and as wide as the model;
    checking them again cost about a quarter of a millisecond per call, ten calls per batch, whatever its size.
    Anything else goes to scikit-learn."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.utils.extmath import softmax

    if type(clf) is not LogisticRegression or not sp.issparse(x) or x.format != "csr":
        return clf.predict_proba(x)
    scores = x @ clf.coef_.T + clf.intercept_  # LinearClassifierMixin.decision_function
    if len(clf.classes_) <= 2:  # LinearClassifierMixin._predict_proba_lr, binary
        prob = scores.reshape(-1)
        special.expit(prob, out=prob)
        return np.stack([1 - prob, prob], axis=1)
    return softmax(scores, copy=False)


class BatchFeatures(NamedTuple):
    """A batch's text features and the rules' cues (unweighted), built once: the kind head reads every row, the
    event heads the rows of the event posts (building the cues again for those cost as much as their heads)."""

    text: sp.csr_matrix
    cues: sp.csr_matrix

    def rows(self, index: list[int]) -> BatchFeatures:
        """The features of the posts at ``index``, in that order."""
        return BatchFeatures(self.text[index], self.cues[index])


class ClaimModel:
    """Fitted vectorizers and heads. Two steps, as the extractor reads a post: :meth:`kinds` from the words
    alone, then :meth:`event_fields` for the posts that hold an operation, once the rules have read them."""

    def __init__(self, settings: ModelSettings, version: str, vectorizers: dict[str, Any], heads: dict[str, Any]):
        self.settings = settings
        self.version = version
        self.vectorizers = vectorizers
        self.heads = heads

    def text_matrix(self, views: Sequence[PostView]) -> sp.csr_matrix:
        """The word and character features of ``views`` (rows in order)."""
        words = transform(self.vectorizers["text"], views)
        if "char" not in self.vectorizers:
            return words.tocsr()
        n = self.settings.char_chars
        chars = self.vectorizers["char"].transform([v.text[:n] for v in views])
        return sp.hstack([words, chars], format="csr")

    def cue_matrix(self, views: Sequence[PostView]) -> sp.csr_matrix:
        """The rules' cues of ``views`` (rows in order, unweighted; ``views`` must have been read by the rules)."""
        return transform(self.vectorizers["cues"], [v.cues for v in views])

    def event_matrix(self, text_rows: sp.csr_matrix, cue_rows: sp.csr_matrix) -> sp.csr_matrix:
        """Text features plus the rules' cues (:meth:`cue_matrix`) at the event heads' weight."""
        return sp.hstack([text_rows, cue_rows * self.settings.cue_weight], format="csr")

    def kind_matrix(self, text: sp.csr_matrix, cues: sp.csr_matrix) -> sp.csr_matrix:
        """Text features plus the rules' cues (:meth:`cue_matrix`) at the kind head's weight."""
        w = self.settings.kind_cue_weight
        if not w:
            return text
        return sp.hstack([text, cues * w], format="csr")

    def kinds(self, views: Sequence[PostView]) -> tuple[BatchFeatures, list[dict[str, Any]]]:
        """The batch's features and, per post, ``{"kind", "kind_p", "kind_other_p"}``. The features are built
        once for the batch: :meth:`event_fields` takes the event posts' rows of them."""
        x = BatchFeatures(self.text_matrix(views), self.cue_matrix(views))
        if not views:
            return x, []
        clf = self.heads["kind"]
        proba = predict_proba(clf, self.kind_matrix(x.text, x.cues))
        other = list(clf.classes_).index("other")
        masked = proba.copy()
        masked[:, other] = np.where(proba[:, other] >= self.settings.other_threshold, 2.0, -1.0)
        best = np.argmax(masked, axis=1)
        return x, [
            {"kind": str(clf.classes_[j]), "kind_p": float(proba[i, j]), "kind_other_p": float(proba[i, other])}
            for i, j in enumerate(best)
        ]

    def event_fields(self, rows: BatchFeatures, views: Sequence[PostView]) -> list[dict[str, Any]]:
        """Per event post: actor, weapon, intercepted, target_country (``{head}_p`` their probabilities,
        ``target_country_scores`` every country and its probability, for callers that only accept some).
        ``rows``: the posts' rows of :meth:`kinds`' features."""
        out: list[dict[str, Any]] = [{} for _ in views]
        if not views:
            return out
        x = self.event_matrix(rows.text, rows.cues)
        for head in EVENT_HEADS:
            clf = self.heads[head]
            proba = predict_proba(clf, x)
            decoded = [_decode(head, str(c)) for c in clf.classes_]
            best = np.argmax(proba, axis=1)
            for row, j, p in zip(out, best.tolist(), proba[np.arange(len(best)), best].tolist(), strict=True):
                row[head] = decoded[j]
                row[f"{head}_p"] = p
            if head == "target_country":  # every country's probability, for callers that accept only some
                index = {cc: j for j, cc in enumerate(decoded)}
                for row, scores in zip(out, proba.tolist(), strict=True):
                    row["target_country_scores"] = (index, scores)
        for i, view in enumerate(views):
            for base in ROLES:
                role = out[i].get(f"{base}_role")
                if role and role != "named" and view.candidates.get(role) is not None:
                    out[i][base] = view.candidates[role]
                    out[i][f"{base}_p"] = out[i][f"{base}_role_p"]
        return out

    def op_matrix(self, items: Sequence[OpItem]) -> sp.csr_matrix:
        """Features of candidate operations (see ``features.candidate_tokens`` and ``candidate_cues``)."""
        text = transform(self.vectorizers["op_text"], [it[0] for it in items])
        cues = transform(self.vectorizers["op_cues"], [candidate_cues(*it) for it in items])
        return sp.hstack([text, cues], format="csr")

    def op_kinds(self, items: Sequence[OpItem]) -> list[dict[str, float]]:
        """Per candidate operation, the probability that it is a claim, a report or no operation."""
        if not items or "op_kind" not in self.heads:
            return [{"none": 0.0, "claim": 0.5, "report": 0.5} for _ in items]
        clf = self.heads["op_kind"]
        proba = predict_proba(clf, self.op_matrix(items))
        return [{str(c): float(p) for c, p in zip(clf.classes_, row, strict=True)} for row in proba]

    def explain(self, head: str, top: int = 15) -> dict[str, list[tuple[str, float]]]:
        """The heaviest features of each class of a head (what the model learned to look at)."""
        parts = [self.vectorizers["text"].get_feature_names_out()]
        if "char" in self.vectorizers:
            parts.append(["c:" + n for n in self.vectorizers["char"].get_feature_names_out()])
        if head != "kind":
            parts.append(["cue:" + n for n in self.vectorizers["cues"].get_feature_names_out()])
        names = np.concatenate(parts)
        clf = self.heads[head]
        coef = clf.coef_ if clf.coef_.shape[0] == len(clf.classes_) else np.vstack([-clf.coef_[0], clf.coef_[0]])
        return {
            str(cls): [(str(names[k]), round(float(coef[i, k]), 3)) for k in np.argsort(-coef[i])[:top]]
            for i, cls in enumerate(clf.classes_)
        }


def model_version(model: ClaimModel) -> str:
    """``model-<12 hex>``: a hash of what the fitted model *is* (settings, vocabularies, weights rounded to 5
    decimals), so the same labels and code give the same version, and any change of labels, features, rules or
    dictionaries that changes the model gives a new one (and ``reprocess`` re-extracts history)."""
    h = hashlib.sha256(json.dumps(model.settings.as_json(), sort_keys=True).encode())
    for name in sorted(model.vectorizers):
        vocab = getattr(model.vectorizers[name], "vocabulary_", {})
        h.update(name.encode())
        h.update(json.dumps([(k, int(v)) for k, v in sorted(vocab.items())], ensure_ascii=False).encode())
    for name in sorted(model.heads):
        clf = model.heads[name]
        h.update(name.encode())
        h.update(json.dumps([str(c) for c in clf.classes_]).encode())
        h.update(np.round(clf.coef_.astype(np.float64), 5).tobytes())
        h.update(np.round(clf.intercept_.astype(np.float64), 5).tobytes())
    return f"model-{h.hexdigest()[:12]}"


def head_base(head: str) -> str:
    """The field a head decides (``weapon_role`` decides the weapon; ``event_kind`` and ``n_ops`` read a post as the
    kind head does): the key of its settings (``ModelSettings.c``, ``head_cues``)."""
    return {"event_kind": "kind", "n_ops": "kind"}.get(head, head.removesuffix("_role"))


def _without_cues(model: ClaimModel, head: str, offset: int) -> sp.csr_matrix:
    """A diagonal matrix that zeroes the cue columns (after ``offset`` text columns) other heads own
    (``ModelSettings.head_cues``), for fitting ``head``; the identity when it may read every cue."""
    names = model.vectorizers["cues"].feature_names_
    keep = np.ones(offset + len(names), dtype=np.float32)
    for j, name in enumerate(names):
        if any(part in name and owner != head for part, owner in model.settings.head_cues.items()):
            keep[offset + j] = 0.0
    return sp.diags(keep, format="csr")


def fit_tfidf(docs: Sequence[Any], max_features: int | None, **settings: Any) -> Any:
    """A ``TfidfVectorizer(**settings)`` fitted on ``docs`` with the ``max_features`` most frequent terms (None:
    every term), equally frequent terms taken in alphabetical order, so the same labels give the same vocabulary
    on every machine.

    scikit-learn's own ``max_features`` ranks the terms with numpy's default argsort, which is not stable: its
    order among equally frequent terms follows the CPU's vector instructions (an AVX-512 machine breaks the ties
    otherwise). Thousands of terms seen twice shared the last places of the 60,000-term vocabulary the model
    had, so a model rebuilt from the same labels on another machine differed from the committed one in 275
    terms. Here the counting is scikit-learn's (``CountVectorizer`` with the same counting settings), the ranking
    a stable sort, and the idf of the kept terms is what scikit-learn's capped fit computes."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    if max_features is None:
        return TfidfVectorizer(**settings).fit(docs)
    # every setting of the counting carries over (analyzer, n-grams, min_df, ...); only tf-idf's own are left out
    counting = {
        k: v for k, v in settings.items() if k not in ("norm", "use_idf", "smooth_idf", "sublinear_tf", "dtype")
    }
    counter = CountVectorizer(**counting, dtype=np.int64)
    counts = counter.fit_transform(docs)
    terms = counter.get_feature_names_out()  # alphabetical, as scikit-learn sorts them
    if len(terms) > max_features:
        frequency = np.asarray(counts.sum(axis=0)).ravel()
        keep = np.sort(np.argsort(-frequency, kind="stable")[:max_features])
        terms = terms[keep]
    fixed = {k: v for k, v in settings.items() if k not in ("min_df", "max_df")}
    return TfidfVectorizer(**fixed, vocabulary=list(terms)).fit(docs)


def fit_model(
    views: Sequence[PostView],
    labels: Sequence[dict[str, Any]],
    settings: ModelSettings | None = None,
    version: str = "model-unversioned",
    op_items: Sequence[tuple[OpItem, str]] = (),
) -> ClaimModel:
    """Fit the vectorizers and every head on labelled posts (deterministic for the same inputs).

    ``views`` must have been read by the rules (``features.with_rules``): the kind head ignores the cues, the
    event heads are fitted on the posts whose label is a claim or report."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    settings = settings or ModelSettings()
    vectorizers: dict[str, Any] = {
        "text": fit_tfidf(
            views,
            settings.max_features,
            analyzer=view_tokens,
            min_df=settings.min_df,
            sublinear_tf=True,
            dtype=np.float32,
        ),
        "cues": DictVectorizer(dtype=np.float32).fit([v.cues for v in views]),
    }
    if settings.char_ngrams:
        vectorizers["char"] = fit_tfidf(
            [v.text[: settings.char_chars] for v in views],
            settings.max_char_features,
            analyzer="char_wb",
            ngram_range=settings.char_ngrams,
            min_df=3,
            sublinear_tf=True,
            dtype=np.float32,
        )
    for vec in vectorizers.values():
        if hasattr(vec, "stop_words_"):
            vec.stop_words_ = None  # the pruned terms are only for inspection and would bloat the file
    model = ClaimModel(settings, version, vectorizers, {})
    cue_names = vectorizers["cues"].feature_names_
    x_text, x_cues = model.text_matrix(views), model.cue_matrix(views)
    events = [i for i, row in enumerate(labels) if row["kind"] != "other"]
    x_event = model.event_matrix(x_text[events], x_cues[events])

    def head_fit(head: str, x: Any, y: list[str]) -> Any:
        base = head_base(head)
        if x.shape[1] == x_text.shape[1] + len(cue_names):  # the head reads the cues
            x = x @ _without_cues(model, base, x_text.shape[1])
        if len(set(y)) < 2:
            raise ValueError(f"head {head}: the labels hold only {set(y)}: label more posts")
        clf = LogisticRegression(C=settings.c[base], max_iter=5000, class_weight=settings.class_weight)
        clf.fit(x, y)
        clf.coef_ = clf.coef_.astype(np.float32)
        return clf

    model.heads["kind"] = head_fit("kind", model.kind_matrix(x_text, x_cues), [_label(row, "kind") for row in labels])
    for head in EVENT_HEADS:
        if head == "n_ops":  # only the posts labelled operation by operation say how many they hold
            rows = [k for k, i in enumerate(events) if labels[i].get("operations") is not None]
            y = [str(min(max(len(labels[events[k]]["operations"]), 1), N_OPS_TOP)) for k in rows]
            model.heads[head] = head_fit(head, x_event[rows], y)
            continue
        if head == "event_kind":
            y = [_label(labels[i], "kind") for i in events]
        elif head.endswith("_role"):
            y = [role_label(views[i], head.removesuffix("_role"), labels[i]) for i in events]
        else:
            y = [_label(labels[i], head) for i in events]
        model.heads[head] = head_fit(head, x_event, y)
    if op_items:
        model.vectorizers["op_text"] = TfidfVectorizer(
            analyzer=candidate_tokens, min_df=settings.min_df, sublinear_tf=True, dtype=np.float32
        ).fit([it[0] for it, _y in op_items])
        model.vectorizers["op_cues"] = DictVectorizer(dtype=np.float32).fit(
            [candidate_cues(*it) for it, _y in op_items]
        )
        clf = LogisticRegression(C=settings.op_c, max_iter=5000, class_weight=settings.class_weight)
        clf.fit(model.op_matrix([it for it, _y in op_items]), [y for _it, y in op_items])
        model.heads["op_kind"] = clf
    model.version = model_version(model)
    return model


@cache
def load_model(path: Path = MODEL_PATH) -> ClaimModel:
    """The shipped model (cached), checked against this scikit-learn's version."""
    import joblib
    import sklearn

    if not path.exists():
        raise ModelUnavailable(f"no claim model at {path}: run `claimwatch train` to build it from the labels")
    card_path = path.with_suffix(".json")
    if card_path.exists():
        card = json.loads(card_path.read_text(encoding="utf-8"))
        if card.get("sklearn") != sklearn.__version__:
            raise ModelUnavailable(
                f"{path} was fitted with scikit-learn {card.get('sklearn')}, this is {sklearn.__version__}: "
                "run `claimwatch train`"
            )
    model = joblib.load(path)
    if not isinstance(model, ClaimModel):
        raise ModelUnavailable(f"{path} does not hold a claim model")
    return model
