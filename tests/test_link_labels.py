"""Link-pair labels of any two posts of either corpus (claim-report, report-report, claim-claim), the same-kind
draw (``bench/link_pairs.py --samekind``) and the link model's training pairs built from both."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from claimwatch.claims import train as T
from claimwatch.claims.corpus import corpus_path, posts_by_id
from claimwatch.transform.events import Row
from tests.shared_corpus import require_shared

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "bench"))  # bench/ is a folder of scripts, not a package

import eval_links  # noqa: E402
import link_agreement  # noqa: E402
import link_pairs  # noqa: E402

LINKS = PROJECT / "bench" / "gold" / "links"


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _draw() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (LINKS / "samekind.jsonl").read_text(encoding="utf-8").splitlines()]


def test_the_first_label_format_reads_as_a_pair_of_the_channel() -> None:
    labels = T.link_labels(T.LINK_LABELS)
    raw = [json.loads(line) for line in T.LINK_LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(labels) == len(raw) == 550
    assert {lab["corpus"] for lab in labels} == {"naya"}
    assert [(lab["a_msg_id"], lab["b_msg_id"], lab["same"]) for lab in labels] == [
        (r["claim_msg_id"], r["report_msg_id"], r["same"]) for r in raw
    ]


def test_a_label_names_any_two_posts_of_either_corpus(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "x.labels.jsonl",
        [
            {"pair_id": 1, "corpus": "idf", "a_msg_id": 962, "b_msg_id": 932, "same": False, "note": "two places"},
            {"pair_id": 2, "corpus": "naya", "a_msg_id": 10, "b_msg_id": 11, "same": True, "note": "one salvo"},
        ],
    )
    assert [(lab["corpus"], lab["a_msg_id"], lab["b_msg_id"], lab["same"]) for lab in T.link_labels(path)] == [
        ("idf", 962, 932, False),
        ("naya", 10, 11, True),
    ]


@pytest.mark.parametrize(
    "bad",
    [
        {"pair_id": 1, "corpus": "other", "a_msg_id": 1, "b_msg_id": 2, "same": True},  # unknown corpus
        {"pair_id": 1, "corpus": "idf", "a_msg_id": 1, "b_msg_id": 2, "same": None},  # undecided
        {"pair_id": 1, "corpus": "idf", "a_msg_id": 3, "b_msg_id": 3, "same": True},  # one post with itself
        {"pair_id": 99, "same": True},  # only a pair id, and no draw holds it
    ],
)
def test_a_malformed_link_label_is_refused(tmp_path: Path, bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        T.link_labels(_write(tmp_path / "x.labels.jsonl", [bad]))


def test_a_label_of_only_a_pair_id_takes_its_posts_from_the_draw_beside_it(tmp_path: Path) -> None:
    """An annotator's or adjudicator's line (``pair_id``, ``same``, ``note``) names its posts through the draw."""
    _write(tmp_path / "samekind.jsonl", _draw()[:3])
    path = _write(tmp_path / "samekind.labels.jsonl", [{"pair_id": p, "same": p == 2, "note": "-"} for p in (1, 2, 3)])
    drawn = _draw()[:3]
    assert [(lab["corpus"], lab["a_msg_id"], lab["b_msg_id"], lab["same"]) for lab in T.link_labels(path)] == [
        (p["corpus"], p["a"]["msg_id"], p["b"]["msg_id"], p["pair_id"] == 2) for p in drawn
    ]


def test_the_samekind_draw_names_same_kind_pairs_of_both_corpora_by_reference() -> None:
    drawn = _draw()
    assert [p["pair_id"] for p in drawn] == list(range(1, len(drawn) + 1))
    counts: dict[tuple[str, str], int] = {}
    for p in drawn:
        counts[(p["corpus"], p["kinds"])] = counts.get((p["corpus"], p["kinds"]), 0) + 1
        assert not any("text" in str(k) for k in p)  # references only: no corpus text in the repository
        assert p["a"]["msg_id"] != p["b"]["msg_id"]
    assert counts == {
        ("naya", "report-report"): 120,
        ("naya", "claim-claim"): 40,
        ("idf", "report-report"): 56,
        ("idf", "claim-claim"): 24,
    }
    # disjoint from every earlier draw, and no pair twice
    earlier = link_pairs._post_pairs(link_pairs._drawn(link_pairs.PAIRS) + link_pairs._drawn(link_pairs.LINKED_PAIRS))
    mine = link_pairs._post_pairs(drawn)
    assert len(mine) == len(drawn) and not mine & earlier


def test_samekind_candidates_are_two_single_operation_posts_of_one_kind_within_a_day() -> None:
    def row(doc: int, kind: str = "report", op: int = 0, **kw: Any) -> Row:
        base: dict[str, Any] = {
            "kind": kind,
            "actor": "unknown",
            "weapon": "rocket",
            "target_country": "IQ",
            "location_id": "curated:ain_al_asad",
            "event_date": date(2026, 7, 3),
            "intercepted": None,
            "words": frozenset({"rocket"}),
            "source": "naya",
            "published_at": datetime(2026, 7, 3, doc % 24, tzinfo=UTC),
            "doc": doc,
            "operation_index": op,
        }
        base.update(kw)
        return Row(key=(doc, op), **base)

    rows = [
        row(1),
        row(2, location_id=None),  # the country is enough
        row(3, event_date=date(2026, 7, 4)),  # a day later: compared
        row(4, event_date=date(2026, 7, 5)),  # two days after 1 and 2: not with them
        row(5, target_country="IL", location_id="curated:eilat"),  # another country
        row(6, kind="claim"),
        row(7, kind="claim", location_id="curated:harir"),
        row(8, kind="claim", event_date=None),  # undated: the clusterer compares it with nothing
        row(9),
        row(9, op=1),  # a post of two operations: ambiguous, left out
    ]
    got = link_pairs.samekind_candidates(rows)
    pairs = {k: sorted((a.doc, b.doc) for _s, a, b in v) for k, v in got.items()}
    assert pairs == {"report-report": [(1, 2), (1, 3), (2, 3), (3, 4)], "claim-claim": [(6, 7)]}


def test_link_examples_read_both_corpora_and_both_formats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same-kind labels of either corpus join the claim-report pairs as linker rows of their own corpus, keyed
    apart (an army-channel row id is no channel msg_id), when they are among the training files."""
    require_shared(corpus_path("naya"))
    require_shared(corpus_path("idf"))
    from claimwatch.claims.model import load_model

    model = load_model()
    drawn = [p for p in _draw() if p["band"] == 4]  # the most similar band: read as one operation each
    picked = [p for p in drawn if p["corpus"] == "idf"][:3] + [p for p in drawn if p["corpus"] == "naya"][:3]
    samekind = _write(
        tmp_path / "samekind.labels.jsonl",
        [
            {"pair_id": p["pair_id"], "corpus": p["corpus"], "a_msg_id": p["a"]["msg_id"]}
            | {"b_msg_id": p["b"]["msg_id"], "same": True, "note": "-"}
            for p in picked
        ],
    )
    old = T.link_examples(model, T.LINK_LABELS)
    monkeypatch.setattr(T, "LINK_TRAINING_FILES", (T.LINK_LABELS, samekind))
    both = T.link_examples(model)
    assert [(a.key, b.key, y) for a, b, y in both[: len(old)]] == [(a.key, b.key, y) for a, b, y in old]
    new = both[len(old) :]
    assert len(new) == len(picked)
    for (a, b, same), p in zip(new, picked, strict=True):
        assert same and a.source == b.source == p["corpus"]
        assert (a.kind, b.kind) == tuple(p["kinds"].split("-"))
        if p["corpus"] == "idf":
            assert a.doc == ("idf", p["a"]["msg_id"]) and a.key == (("idf", p["a"]["msg_id"]), 0)
            assert posts_by_id("idf")[p["a"]["msg_id"]]["url"].endswith(f"row={p['a']['msg_id']}")
        else:
            assert a.key == (p["a"]["msg_id"], 0)


def test_the_linker_is_scored_per_pair_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``bench/eval_links.py`` gives precision and recall per corpus and pair type where labels exist."""
    draw = [
        {"pair_id": 1, "corpus": "naya", "kinds": "report-report", "a": {"msg_id": 1}, "b": {"msg_id": 2}},
        {"pair_id": 2, "corpus": "naya", "kinds": "claim-claim", "a": {"msg_id": 3}, "b": {"msg_id": 4}},
        {"pair_id": 3, "corpus": "idf", "kinds": "report-report", "a": {"msg_id": 1}, "b": {"msg_id": 2}},
    ]
    _write(tmp_path / "samekind.jsonl", draw)
    labels = _write(
        tmp_path / "samekind.labels.jsonl",
        [
            {"pair_id": 1, "same": True, "note": "-"},
            {"pair_id": 2, "same": False, "note": "-"},
            {"pair_id": 3, "same": True, "note": "-"},
        ],
    )
    claim_report = _write(
        tmp_path / "pairs.labels.jsonl",
        [{"pair_id": 1, "claim_msg_id": 3, "report_msg_id": 1, "same": True, "note": "-"}],
    )
    monkeypatch.setattr(eval_links, "LINK_LABEL_FILES", (claim_report, labels))
    events = {
        "naya": {(1, 0): "e1", (2, 0): "e1", (3, 0): "e2", (4, 0): "e2"},  # 1+2 linked, 3+4 linked, 3 and 1 not
        "idf": {(1, 0): "x", (2, 0): "y"},
    }
    kinds = {"naya": {1: "report", 2: "report", 3: "claim", 4: "claim"}, "idf": {1: "report", 2: "report"}}
    assert eval_links.labelled_pairs_by_type(events, kinds) == {
        ("naya", "claim-report"): (1, 0, 0, 1),
        ("naya", "report-report"): (1, 1, 0, 0),
        ("naya", "claim-claim"): (1, 0, 1, 0),
        ("idf", "report-report"): (1, 0, 0, 1),
    }


def test_two_passes_are_compared_adjudicated_and_merged_into_labels(tmp_path: Path) -> None:
    """``bench/link_agreement.py``: agreement and kappa of two passes, a merge that refuses an unadjudicated
    disagreement, and notes kept short (a paraphrase, never the post)."""
    a = _write(tmp_path / "a.jsonl", [{"pair_id": i, "same": i < 3, "note": "x" * 400} for i in range(1, 7)])
    b = _write(tmp_path / "b.jsonl", [{"pair_id": i, "same": i < 4, "note": "y"} for i in range(1, 7)])
    pairs = link_agreement._pairs_of_passes([a, b])
    res = link_agreement.agreement(pairs)
    assert (res["pairs"], res["disagreements"], round(res["agreement"], 3)) == (6, 1, 0.833)
    assert 0 < res["kappa"] < 1
    out = tmp_path / "labels.jsonl"
    none = _write(tmp_path / "none.jsonl", [])
    with pytest.raises(SystemExit, match="pair 3"):
        link_agreement.main(["merge", "--decisions", str(none), "--out", str(out), str(a), str(b)])
    decided = _write(tmp_path / "dec.jsonl", [{"pair_id": 3, "same": False, "note": "adjudicated"}])
    assert link_agreement.main(["merge", "--decisions", str(decided), "--out", str(out), str(a), str(b)]) == 0
    labels = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [lab["same"] for lab in labels] == [True, True, False, False, False, False]
    assert labels[2]["adjudicated"] and all(len(lab["note"]) <= link_agreement.NOTE_CHARS for lab in labels)


def test_the_census_draws_after_the_training_draws_are_held_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The linker's labelled links of draws up to ``LINKED_TRAINING_DRAWS`` are fitted on; a later draw (the census
    of the linker fitted so) is not, and a pair labelled in two files counts once."""
    require_shared(corpus_path("naya"))
    from claimwatch.claims.model import load_model

    drawn = [json.loads(line) for line in (LINKS / "linked_pairs.jsonl").read_text(encoding="utf-8").splitlines()]
    first = {(r["claim_msg_id"], r["report_msg_id"]) for r in map(json.loads, T.LINK_LABELS.open())}
    fresh = [p for p in drawn if (p["claim"]["msg_id"], p["report"]["msg_id"]) not in first]
    earlier = [p for p in fresh if p.get("draw", 1) == T.LINKED_TRAINING_DRAWS][:3]
    later = [{**p, "pair_id": 1000 + i, "draw": T.LINKED_TRAINING_DRAWS + 1} for i, p in enumerate(fresh[3:6])]
    repeated = {**earlier[0], "pair_id": 2000}  # the same two posts again, under another pair id
    picked = [*earlier, *later, repeated]
    _write(tmp_path / "linked_pairs.jsonl", picked)
    labels = _write(
        tmp_path / "linked_pairs.labels.jsonl",
        [{"pair_id": p["pair_id"], "same": True, "note": "-"} for p in picked],
    )
    monkeypatch.setattr(T, "LINKED_LABELS", labels)
    monkeypatch.setattr(T, "LINK_TRAINING_FILES", (T.LINK_LABELS, labels))
    model = load_model()
    fitted = T.link_examples(model)
    base = T.link_examples(model, T.LINK_LABELS)
    extra = {(a.doc, b.doc) for a, b, _y in fitted[len(base) :]}
    readable = {(a.doc, b.doc) for a, b, _y in T.link_examples(model, labels)}
    assert extra == {(p["claim"]["msg_id"], p["report"]["msg_id"]) for p in earlier} & readable
    assert extra and len(fitted) == len(base) + len(extra)
    assert [lab["draw"] for lab in T.link_labels(labels)] == [p.get("draw", 1) for p in picked]
