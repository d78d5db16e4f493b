"""The learned extractor: labelled data by reference, the frozen test set, training, the outlet's voice."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from claimwatch.claims import train as T
from claimwatch.claims.corpus import corpus_path, idf_posted_at
from claimwatch.claims.extract import _apply_voice, extract_claims, extract_posts, extractor_version
from claimwatch.claims.labels import LabelError, load_labels
from claimwatch.claims.model import MODEL_CARD, load_model
from claimwatch.claims.rules import Extraction, Operation
from claimwatch.claims.samples import DRAWS, draw_ids
from claimwatch.claims.scoring import operation_scores, post_scores
from tests.gold_helpers import ROOT
from tests.shared_corpus import needs_shared

CORPUS = corpus_path("naya").exists() and corpus_path("idf").exists()
needs_corpus = needs_shared(corpus_path("naya") if CORPUS else None)


@needs_corpus
@pytest.mark.parametrize("draw", DRAWS, ids=lambda d: f"{d.name}-{d.corpus}")
def test_label_files_hold_exactly_their_seeded_draw(draw: object) -> None:
    files = {(ls.path.parent.name, ls.corpus): ls.path for ls in T.LABEL_SETS}
    path = files[(draw.name, draw.corpus)]  # type: ignore[attr-defined]
    labels = load_labels(path)
    assert sorted(r["msg_id"] for r in labels) == list(draw_ids(draw.name, draw.corpus))  # type: ignore[attr-defined]
    for pass_file in path.parent.glob(f"{draw.corpus}.pass_*.jsonl"):  # type: ignore[attr-defined]
        assert {r["msg_id"] for r in load_labels(pass_file)} == {r["msg_id"] for r in labels}


def test_label_files_keep_references_not_text() -> None:
    for path in (ROOT / "bench" / "gold").rglob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            assert "text" not in row and "post_a" not in row, f"{path} holds corpus text"
            assert len(row.get("note") or "") <= 300  # a short paraphrase in the annotator's words


def test_label_schema_errors_name_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    good = {
        "msg_id": 1,
        "kind": "other",
        "actor": None,
        "weapon": None,
        "target_country": None,
        "location": None,
        "event_date": None,
        "intercepted": None,
    }
    bad.write_text(
        json.dumps(good)
        + "\n"
        + json.dumps({**good, "msg_id": 2, "kind": "claim", "actor": "martians", "weapon": "drone"})
        + "\n"
    )
    with pytest.raises(LabelError, match=r"bad.jsonl:2: actor"):
        load_labels(bad)


def test_scores_count_a_missed_event_against_every_field() -> None:
    gold = [
        {
            "msg_id": 1,
            "kind": "report",
            "actor": "unknown",
            "weapon": "drone",
            "target_country": "IQ",
            "event_date": "2026-10-05",
            "intercepted": None,
            "location": None,
            "operations": [
                {
                    "kind": "report",
                    "weapon": "drone",
                    "target_country": "IQ",
                    "event_date": "2026-10-05",
                    "location": None,
                    "actor": "unknown",
                    "intercepted": None,
                }
            ]
            * 2,
        }
    ]
    pred = [{"kind": "other", "operations": []}]
    res = post_scores(gold, pred)
    assert res["acc"]["weapon"] == 0.0 and res["acc"]["intercepted"] == 1.0  # null = null
    assert operation_scores(gold, pred)["recall"] == 0.0


def test_idf_dates_are_day_first_in_israel_time() -> None:
    assert idf_posted_at("29/02/2024", "18:31A short while ago") == datetime(2024, 2, 29, 16, 31, tzinfo=UTC)
    assert idf_posted_at(" 23.04.2024 16:11:34 UTC+03:00", "x") == datetime(2024, 4, 23, 13, 11, 34, tzinfo=UTC)


def test_the_shipped_model_is_versioned_and_stamped() -> None:
    model = load_model()
    card = json.loads(MODEL_CARD.read_text(encoding="utf-8"))
    assert card["version"] == model.version
    assert re.fullmatch(r"rules-\d+\.\d+\.\d+\+model-[0-9a-f]{12}", extractor_version())
    assert extractor_version().endswith(f"+{model.version}")
    assert sum(card["labels"].values()) >= 4000 and "frozen_test_ar" not in card["labels"]


def _op(kind: str, actor: str | None) -> Operation:
    return Operation(kind, actor, "drone", "IL", None, None, None, None, None, None, None, None, "x", 0.5, "", 0, 0)


def test_an_outlets_own_narration_is_its_claim() -> None:
    narration = Extraction("report", cues={"mujahideen": True})
    ops = [_op("report", "islamic_resistance_iraq"), _op("report", "unknown"), _op("report", "israel")]
    _apply_voice(ops, narration, "islamic_resistance_iraq")
    assert [(o.kind, o.actor) for o in ops] == [
        ("claim", "islamic_resistance_iraq"),
        ("claim", "islamic_resistance_iraq"),  # "our fighters" with no name: the outlet's own
        ("report", "israel"),  # what it relays of the other side stays a report
    ]
    member = [_op("report", "kataib_hezbollah")]
    _apply_voice(member, Extraction("report"), "islamic_resistance_iraq")
    assert (member[0].kind, member[0].actor) == ("claim", "kataib_hezbollah")  # a member of the umbrella


def test_voice_reaches_the_extractor() -> None:
    text = "مجاهدو المقاومة الإسلامية في العراق استهدفوا فجر اليوم هدفا حيويا في أم الرشراش بالطائرات المسيرة"
    posted = datetime(2026, 10, 3, 4, 0, tzinfo=UTC)
    [with_voice] = extract_posts([(text, posted)], voice="islamic_resistance_iraq")
    assert with_voice.kind == "claim" and with_voice.operations[0].actor == "islamic_resistance_iraq"


def test_the_vocabulary_cap_breaks_ties_by_the_term_on_every_machine() -> None:
    """The most frequent terms are kept and, among equally frequent ones at the cap, the alphabetically first,
    whatever the order of the documents (scikit-learn's own cap ranks with an unstable sort, whose ties follow the
    CPU); the idf of the kept terms is scikit-learn's."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from claimwatch.claims.model import fit_tfidf

    docs = ["zeta alpha", "beta zeta", "gamma zeta delta", "alpha zeta", "delta"]
    settings = {"analyzer": str.split, "min_df": 1, "sublinear_tf": True}
    # zeta 4, alpha 2, delta 2, beta 1, gamma 1: a cap of 4 keeps one of the two terms seen once, beta
    for order in (docs, docs[::-1], docs[2:] + docs[:2]):
        vec = fit_tfidf(order, 4, **settings)
        assert sorted(vec.vocabulary_) == ["alpha", "beta", "delta", "zeta"]
    vec = fit_tfidf(docs, 4, **settings)
    plain = TfidfVectorizer(**settings).fit(docs)  # no cap: every term, the same idf for the kept ones
    for term, j in vec.vocabulary_.items():
        assert vec.idf_[j] == pytest.approx(plain.idf_[plain.vocabulary_[term]])
    uncapped = fit_tfidf(docs, 100, **{**settings, "min_df": 2})
    assert uncapped.vocabulary_ == TfidfVectorizer(**{**settings, "min_df": 2}).fit(docs).vocabulary_


@needs_corpus
@pytest.mark.slow
def test_claimwatch_train_rebuilds_the_shipped_model(tmp_path: Path) -> None:
    """The committed models are what the labels and the code give. Equal versions (a hash of the weights rounded
    to 5 decimals) prove it; where they differ, the same vocabularies, classes and weights to 1e-3 do: another
    CPU's floating-point (BLAS kernels) can move a 5th decimal across a rounding boundary, a change of labels,
    features or rules moves far more."""
    import numpy as np

    from claimwatch.claims.model import load_model

    card = T.train(tmp_path / "claim_model.joblib")
    shipped = json.loads(MODEL_CARD.read_text(encoding="utf-8"))
    if card["version"] != shipped["version"]:
        fresh, committed = load_model(tmp_path / "claim_model.joblib"), load_model()
        stale = "the committed model is not what the labels give: claimwatch train"
        assert sorted(fresh.vectorizers) == sorted(committed.vectorizers), stale
        for name, vec in fresh.vectorizers.items():
            assert getattr(vec, "vocabulary_", None) == getattr(committed.vectorizers[name], "vocabulary_", None), stale
        assert sorted(fresh.heads) == sorted(committed.heads), stale
        for name, clf in fresh.heads.items():
            other = committed.heads[name]
            assert list(clf.classes_) == list(other.classes_), stale
            assert np.allclose(clf.coef_, other.coef_, atol=1e-3) and np.allclose(
                clf.intercept_, other.intercept_, atol=1e-3
            ), f"{stale} (head {name})"
    fresh_link = json.loads((tmp_path / "link_model.json").read_text())
    link = json.loads((MODEL_CARD.parent / "link_model.json").read_text())
    assert fresh_link["weights"].keys() == link["weights"].keys()
    assert all(abs(fresh_link["weights"][k] - w) < 1e-3 for k, w in link["weights"].items())
    assert abs(fresh_link["threshold"] - link["threshold"]) < 1e-3


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        # unattributed: the GUIDE's `unknown`, whatever group usually fires such rockets
        (
            "Three Katyusha rockets landed near Ain al-Asad air base in western Anbar on Monday, a source said.",
            "unknown",
        ),
        ("An explosive-laden drone was shot down near Harir air base north of Erbil at dawn on Friday.", "unknown"),
        # named: kept
        ("Rockets fired by Hezbollah hit Kiryat Shmona on Tuesday evening.", "hezbollah"),
        ("12:04IDF fighter jets struck a Hezbollah weapons depot in Nabatieh overnight.", "israel"),
        # a claim is its speaker's, in a language whose communiqués the labels hardly hold
        (
            "Harakat al-Nujaba: our fighters targeted the US occupation base at al-Tanf, on the Iraq-Syria-Jordan "
            "border triangle, with a swarm of drones on Sunday morning.",
            "nujaba",
        ),
        # a state's forces at home are the defender: the missile's launcher is not named
        (
            "12:10 Two IDF soldiers were severely injured due to an anti-tank missile launched at an IDF post in the "
            "area of Metula in northern Israel. The soldiers were evacuated to a hospital.",
            "unknown",
        ),
        # an interception at a base the US holds abroad: the US defends it, the attacker is not named
        (
            "CENTCOM: the al-Tanf garrison was attacked by several one-way attack drones early today. Two were shot "
            "down; no injuries or damage were reported.",
            "unknown",
        ),
    ],
)
def test_the_attacker_is_one_the_text_states(text: str, actor: str) -> None:
    ex = extract_claims(text, datetime(2026, 10, 6, 9, 0, tzinfo=UTC))
    assert ex.kind in ("claim", "report"), ex.reasons
    assert ex.operations[0].actor == actor


def _demo_posts() -> list[tuple[str, datetime]]:
    """The self-written demo channels' posts (Arabic and English), as ``(text, posted_at)``."""
    posts = []
    for name in ("demo_resistance_ar", "demo_resistance_en"):
        for line in (ROOT / "demo" / "channels" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            posts.append((row["text"], datetime.fromisoformat(row["posted_at"].replace("Z", "+00:00"))))
    return posts


def test_fast_transform_equals_scikit_learns() -> None:
    """The extractor's own counting path (``model.transform``) gives scikit-learn's matrices, feature for feature,
    for every vectorizer of the shipped model, on the self-written demo posts (Arabic and English)."""
    from claimwatch.claims.extract import read_post
    from claimwatch.claims.features import candidate_cues
    from claimwatch.claims.model import transform
    from claimwatch.claims.rules import operation_candidates

    model = load_model()
    posts = _demo_posts()
    readings = [read_post(text, at) for text, at in posts]
    views = [view for _ex, view in readings]
    items = [
        ((c, view.lang, "claim"), 1)
        for (text, at), (ex, view) in zip(posts, readings, strict=True)
        for c in operation_candidates(text, ex, at)
    ]
    inputs = {
        "text": [*views, views[0].__class__(text="", head="", lang="none")],  # a post with no known word
        "cues": [v.cues for v in views],
        "op_text": [it[0] for it in items],
        "op_cues": [candidate_cues(*it) for it in items],
    }
    assert len(items) > 10
    for name, docs in inputs.items():
        vec = model.vectorizers[name]
        ours, theirs = transform(vec, docs), vec.transform(docs)
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, name
        assert ours.nnz == theirs.nnz and ours.nnz > 0, name
        assert (ours != theirs).nnz == 0, name  # equal, not close: a model fitted on either is the same


def test_fast_predict_proba_equals_scikit_learns() -> None:
    """The heads' probabilities without scikit-learn's input checks (``model.predict_proba``) are scikit-learn's,
    bit for bit, for every head of the shipped model (multinomial and binary), on the demo posts."""
    from claimwatch.claims.extract import read_post
    from claimwatch.claims.model import predict_proba
    from claimwatch.claims.rules import operation_candidates

    model = load_model()
    posts = _demo_posts()
    readings = [read_post(text, at) for text, at in posts]
    views = [view for _ex, view in readings]
    x, cues = model.text_matrix(views), model.cue_matrix(views)
    items = [
        ((c, view.lang, "claim"), 1)
        for (text, at), (ex, view) in zip(posts, readings, strict=True)
        for c in operation_candidates(text, ex, at)
    ]
    inputs = {"kind": model.kind_matrix(x, cues), "op_kind": model.op_matrix(items)}
    assert len(items) > 10 and {len(model.heads[h].classes_) for h in model.heads} >= {2, 3}
    for head, clf in model.heads.items():
        matrix = inputs.get(head, model.event_matrix(x, cues))
        ours, theirs = predict_proba(clf, matrix), clf.predict_proba(matrix)
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape == (matrix.shape[0], len(clf.classes_)), head
        assert np.array_equal(ours, theirs), head  # equal, not close: the same answers and the same reasons


def test_a_bulletin_keeps_every_operation_the_operation_model_finds() -> None:
    """The post-level count caps the operations kept, except its top class ("4 or more"): a bulletin of six
    strikes keeps six."""
    from claimwatch.claims.extract import select_operations
    from claimwatch.claims.model import N_OPS_TOP
    from claimwatch.claims.rules import Candidate

    cands = [Candidate(i, i, f"strike {i}", _op("report", "israel"), True, 1) for i in range(6)]
    probs = [{"none": 0.1 + i / 100, "claim": 0.0, "report": 0.9 - i / 100} for i in range(6)]
    assert len(select_operations(cands, probs, 2, "report")) == 2
    assert len(select_operations(cands, probs, N_OPS_TOP, "report")) == 6
    probs[5] = {"none": 0.9, "claim": 0.0, "report": 0.1}  # what the operation model calls no operation stays out
    assert len(select_operations(cands, probs, N_OPS_TOP, "report")) == 5


def test_an_operation_that_names_no_country_takes_the_one_its_telling_implies() -> None:
    """ "IDF jets struck a Hezbollah site in Lebanon. ... The IDF struck the sources of the fire. ... launches were
    identified toward the community": the second strike hits the post's target, the launch the claimant's home."""
    from dataclasses import replace

    from claimwatch.claims.extract import _fill_countries

    lead = replace(_op("claim", "israel"), target_country="LB")
    strike, launch = replace(_op("claim", "israel"), target_country=None), _op("report", "unknown")
    launch.target_country = None
    named = replace(_op("claim", "israel"), target_country="SY")
    ops = [lead, strike, launch, named]
    _fill_countries(ops, "israel")
    assert [o.target_country for o in ops] == ["LB", "LB", "IL", "SY"]  # a stated country stays
    assert strike.geo_precision == launch.geo_precision == 3
    in_report = [replace(_op("report", "unknown"), target_country="IL"), _op("claim", "hezbollah")]
    in_report[1].target_country = None
    _fill_countries(in_report, "unknown")
    assert in_report[1].target_country is None  # a report's other-side claim: nothing implies its target


def test_a_post_names_a_weapon_and_an_outcome_beyond_its_first_sentence() -> None:
    """The cues of what a whole post names, where its first operation's sentence names another weapon or outcome or
    none: a bulletin whose opening says "struck" and whose account names the aircraft (an airstrike by the GUIDE),
    and launches of which a later entry tells that two were intercepted."""
    from claimwatch.claims.extract import read_post
    from claimwatch.claims.features import NAMED_WEAPON_CUE, TOLD_OUTCOME_CUE
    from claimwatch.claims.rules import outcome_told, weapon_named

    at = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
    bulletin = (  # an army's live blog: the entry's headline says "struck", its account names the aircraft
        "06:10 Attached is a link to the IDF website with further updates: https://www.idf.il/ 04:43 Sirens "
        "sounding in southern Israel 01:19 The IDF struck military infrastructure in Syrian territory. A short while "
        "ago, in response to launches from Syria toward Israeli territory earlier tonight, an IDF aircraft struck "
        "military infrastructure in Syrian territory. Attached is video footage."
    )
    ex, view = read_post(bulletin, at)
    assert ex.operations and ex.operations[0].weapon == "unspecified"
    assert weapon_named(ex.norm) == "airstrike"
    assert view.cues[f"{NAMED_WEAPON_CUE}airstrike"] == 1.0
    intercepted = (  # the first entry tells launches, a later one that two of them were intercepted
        "18:20 Several launches were identified from Lebanon toward the area of Kiryat Shmona in northern Israel. The "
        "IDF is striking the sources of the fire. 17:55 Attached is the evening briefing of the IDF Spokesperson: "
        "https://www.idf.il/ 17:10 Earlier today, three launches crossed from Lebanon toward the area of Margaliot; "
        "two of the launches were intercepted by the Aerial Defense Array."
    )
    ex, view = read_post(intercepted, at)
    assert ex.operations and ex.operations[0].intercepted is None
    assert outcome_told(ex.norm) is True
    assert view.cues[f"{TOLD_OUTCOME_CUE}True"] == 1.0
    # where the first operation's own sentence already names them, there is no cue
    ex, view = read_post("IDF fighter jets struck a Hezbollah weapons depot in Bint Jbeil in southern Lebanon.", at)
    assert ex.operations[0].weapon == "airstrike"
    assert not any(NAMED_WEAPON_CUE in name for name in view.cues)


def test_a_cue_owned_by_one_head_weighs_only_in_it() -> None:
    """``ModelSettings.head_cues``: the shipped model's other heads give the whole-post weapon and outcome cues a
    weight of exactly zero (read by every head, the weapon cue cost English target_country 0.008 in 5-fold CV),
    while their own heads weigh them."""
    from claimwatch.claims.model import head_base

    model = load_model()
    names = model.vectorizers["cues"].feature_names_
    offset = model.event_matrix(*model.kinds([])[0]).shape[1] - len(names)
    assert model.settings.head_cues
    for part, owner in model.settings.head_cues.items():
        cols = [offset + j for j, name in enumerate(names) if part in name]
        assert cols, f"no {part} cue in the shipped model"
        for head, clf in model.heads.items():
            if clf.coef_.shape[1] != offset + len(names):
                continue  # a head without the cues (the operation model)
            weight = np.abs(clf.coef_[:, cols]).sum()
            base = head_base(head)
            if base == owner and not head.endswith("_role"):
                assert weight > 0, f"{head} does not weigh {part}"
            elif base != owner:
                assert weight == 0, f"{head} weighs {part}, a cue of {owner}"
