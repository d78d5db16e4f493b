"""Events: clustering claims and reports of one operation, incrementally, under analysts' corrections."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import psycopg2
import pytest

from claimwatch.transform import corrections
from claimwatch.transform.event_store import EventStore
from claimwatch.transform.events import (
    SOURCE_SPAN_HOURS,
    THRESHOLD_GRID,
    TWIN_HOURS,
    VETO,
    Clusterer,
    LinkModel,
    Row,
    cluster_rows,
    fit_link_model,
    link_features,
    linker_version,
    load_link_model,
    pair_features,
    states_count,
    transitive_pairs,
)

# a hand-set model: same day and place or same country within hours link; another place or country never does
MODEL = LinkModel(
    {
        "bias": -2.0,
        "same_place": 3.0,
        "place_one_side": 1.0,
        "other_place": -4.0,
        "same_country": 1.0,
        "other_actor": -3.0,
        "hours<1": 1.5,
        "hours<3": 1.0,
        "days=1": -1.0,
    },
    threshold=0.5,
    version="link-test",
)


def _row(key: Any, **kw: Any) -> Row:
    base: dict[str, Any] = {
        "kind": "report",
        "actor": "unknown",
        "weapon": "drone",
        "target_country": "IQ",
        "location_id": "curated:ain_al_asad",
        "event_date": date(2026, 10, 5),
        "intercepted": None,
        "words": frozenset(),
        "source": "a",
        "published_at": datetime(2026, 10, 5, 3, 0, tzinfo=UTC),
        "doc": key,
    }
    base.update(kw)
    return Row(key=key, **base)


def test_rows_of_one_operation_share_an_event_and_others_do_not() -> None:
    rows = [
        _row(1, kind="claim", actor="islamic_resistance_iraq"),
        _row(2, source="b", published_at=datetime(2026, 10, 5, 4, 0, tzinfo=UTC)),
        _row(3, location_id="curated:harir", target_country="IQ"),  # another base the same day
        _row(4, target_country="IL", location_id=None),  # another country never joins
        _row(5, doc=50, copy_of=1, source="c", published_at=datetime(2026, 10, 6, tzinfo=UTC)),  # a repost
    ]
    events = cluster_rows(rows, MODEL)
    assert events[1] == events[2] == events[5]
    assert len({events[1], events[3], events[4]}) == 3


def test_a_member_that_is_clearly_another_operation_vetoes_the_join() -> None:
    """Average linkage alone lets a row in through an event's average; one member it clearly differs from (here
    another attacker) keeps it out, although the average would let it in."""
    model = LinkModel({**MODEL.weights, "other_actor": -8.0}, MODEL.threshold)
    c = Clusterer(model)
    c.place(_row(1, kind="claim", actor="islamic_resistance_iraq"))
    c.place(_row(2, source="b", published_at=datetime(2026, 10, 5, 3, 10, tzinfo=UTC)))
    c.place(_row(3, source="d", published_at=datetime(2026, 10, 5, 3, 20, tzinfo=UTC)))
    assert len({c.event_of[k] for k in (1, 2, 3)}) == 1
    other = _row(4, source="e", kind="claim", actor="houthis", published_at=datetime(2026, 10, 5, 3, 15, tzinfo=UTC))
    assert model.probability(other, _row(1, kind="claim", actor="islamic_resistance_iraq")) < VETO
    assert sum(model.probability(other, r) for r in c.members[c.event_of[1]]) / 3 >= model.threshold
    assert c.place(other)[0] != c.event_of[1]


def test_one_source_posts_of_one_event_lie_within_hours() -> None:
    """A source's second post on the same place hours later is another wave; another source may lag."""
    first = _row(1, published_at=datetime(2026, 10, 5, 3, 0, tzinfo=UTC))
    later_same_source = _row(2, published_at=datetime(2026, 10, 5, 3 + int(SOURCE_SPAN_HOURS) + 2, tzinfo=UTC))
    later_other_source = _row(3, source="b", published_at=later_same_source.published_at)
    assert MODEL.probability(first, later_same_source) >= MODEL.threshold  # the features alone would link them
    events = cluster_rows([first, later_same_source, later_other_source], MODEL)
    assert events[1] != events[2]
    assert events[3] in (events[1], events[2])


def test_a_claim_joins_its_twin_on_another_outlet_but_not_a_second_wave() -> None:
    """The same communiqué on another outlet or in another language within the hour joins its twin's event whatever
    the link model says of two claims; a source's own second claim there is another wave, and so is its twin."""
    never = LinkModel({"bias": -10.0}, 0.5)  # a model that links nothing
    claim = {"kind": "claim", "actor": "nujaba", "location_id": "curated:al_tanf", "target_country": "SY"}
    at = datetime(2026, 10, 11, 7, 25, tzinfo=UTC)
    c = Clusterer(never)
    c.place(_row(1, source="ar", published_at=at, **claim))
    assert c.place(_row(2, source="en", published_at=at.replace(minute=40), **claim))[0] == c.event_of[1]
    late = at.replace(hour=7 + int(TWIN_HOURS) + 1)
    assert c.place(_row(3, source="web", published_at=late, **claim))[0] != c.event_of[1]  # hours later
    wave = at.replace(minute=50)
    assert c.place(_row(4, source="ar", published_at=wave, **claim))[0] != c.event_of[1]  # the source's second claim
    assert c.place(_row(5, source="en", published_at=wave, **claim))[0] == c.event_of[4]  # ... and its twin
    other = c.place(_row(6, source="x", published_at=at, **{**claim, "actor": "unknown"}))[0]
    assert other not in (c.event_of[1], c.event_of[4])  # no named attacker: no twin


def test_a_report_joins_its_twin_on_another_source_unless_it_is_another_wave() -> None:
    """One incident at a named place relayed by other outlets within hours joins the first report's event whatever
    the link model says of two reports; not when the reports disagree, tell a new attack, name only a region, come
    hours later, or when the event already holds a report of the row's own source."""
    never = LinkModel({"bias": -10.0}, 0.5)  # a model that links nothing
    at = datetime(2026, 10, 12, 2, 15, tzinfo=UTC)
    report = {"location_id": "curated:victoria", "intercepted": True, "geo_precision": 1}
    c = Clusterer(never)
    c.place(_row(1, source="ar", published_at=at, **report))
    first = c.event_of[1]
    assert c.place(_row(2, source="en", published_at=at.replace(minute=30), **report))[0] == first
    # a news story hours later, naming the weapon the first report left unstated: the same incident
    story = {**report, "weapon": "unspecified", "actor": "other"}
    assert c.place(_row(3, source="web", published_at=at.replace(hour=4, minute=45), **story))[0] == first
    late = at.replace(hour=2 + int(SOURCE_SPAN_HOURS) + 1)
    assert c.place(_row(4, source="late", published_at=late, **report))[0] != first  # hours later
    assert c.place(_row(5, source="ar", published_at=at.replace(minute=50), **report))[0] != first  # ar's second
    hit = {**report, "intercepted": False}
    assert c.place(_row(6, source="x1", published_at=at, **hit))[0] != first  # it got through: not the same
    again = c.place(_row(7, source="x2", published_at=at, renews=True, **report))[0]
    region = c.place(_row(8, source="x3", published_at=at, **{**report, "geo_precision": 3}))[0]
    missile = c.place(_row(9, source="x4", published_at=at, **{**report, "weapon": "missile"}))[0]
    assert first not in (again, region, missile)
    assert not {c.event_of[k] for k in range(1, 4)} - {first}


def test_the_link_models_choice_comes_before_a_report_twin() -> None:
    """A report's twin decides only where the model would open a new event: a report the model links to a claim's
    event stays there, although a twin of it on another source sits in an event of its own."""
    claims_only = LinkModel({"bias": -10.0, "kinds=claim-report": 20.0}, 0.5)  # links a report to a claim only
    at = datetime(2026, 10, 8, 11, 50, tzinfo=UTC)
    report = {"location_id": "curated:kiryat_shmona", "target_country": "IL", "geo_precision": 1}
    c = Clusterer(claims_only, cannot=[(1, 2)])  # an analyst split the army's report from the claim
    c.place(_row(1, source="army", published_at=at, **report))
    c.place(_row(2, kind="claim", actor="hezbollah", source="ar", published_at=at.replace(hour=12), **report))
    assert c.event_of[2] != c.event_of[1]
    story = c.place(_row(3, source="web", published_at=at.replace(hour=12, minute=40), **report))[0]
    assert story == c.event_of[2]  # the model's choice, not the twin's event
    # the claim's event holds a report this model never links to another: it vetoes, so the twin decides
    lone = c.place(_row(4, source="tv", published_at=at.replace(hour=12, minute=10), **report))[0]
    assert lone == c.event_of[1]


def test_twins_weapons_agree_when_one_is_unstated() -> None:
    """A communiqué's twin in another language may name no weapon where the original names one; a row's weapon must
    agree with every claim of the event, not only with the one that names none."""
    never = LinkModel({"bias": -10.0}, 0.5)
    claim = {"kind": "claim", "actor": "irgc", "location_id": "geonames:koya", "target_country": "IQ"}
    at = datetime(2026, 10, 14, 5, 30, tzinfo=UTC)
    c = Clusterer(never)
    c.place(_row(1, source="ar", published_at=at, weapon="unspecified", **claim))
    assert (
        c.place(_row(2, source="en", published_at=at.replace(minute=45), weapon="artillery", **claim))[0]
        == (c.event_of[1])
    )
    # the event's English twin names artillery: a drone claim of a third source is not its twin
    assert c.place(_row(3, source="web", published_at=at, weapon="drone", **claim))[0] != c.event_of[1]


def test_corrections_are_constraints() -> None:
    c = Clusterer(MODEL, must=[(1, 9)], cannot=[(2, 1)])
    c.place(_row(1, kind="claim"))
    assert c.place(_row(2, source="b"))[0] != c.event_of[1]  # split: never together
    far = _row(9, location_id="curated:harir", event_date=date(2026, 10, 20))
    assert c.place(far)[0] == c.event_of[1]  # merged: together whatever the features say


def test_link_model_fits_and_keeps_its_precision_floor() -> None:
    same = [
        (_row(i), _row(100 + i, source="b", published_at=datetime(2026, 10, 5, 3, 30, tzinfo=UTC)), True)
        for i in range(12)
    ]
    other = [
        (
            _row(200 + i),
            _row(300 + i, location_id="curated:harir", published_at=datetime(2026, 10, 5, 20, tzinfo=UTC)),
            False,
        )
        for i in range(30)
    ]
    model, figures = fit_link_model(same + other, min_precision=0.9)
    assert figures["cv_precision"] >= 0.9 and figures["cv_recall"] > 0.5
    assert model.probability(*same[0][:2]) > model.threshold > model.probability(*other[0][:2])
    assert "same_place" in pair_features(same[0][0], same[0][1])
    # the version names the fitted weights: other labels, another version (so history is clustered again)
    assert model.version.startswith("link-") and model.version == fit_link_model(same + other)[0].version
    assert fit_link_model(same + other[:20])[0].version != model.version


def test_the_threshold_can_be_chosen_on_the_rows_as_the_clusterer_groups_them() -> None:
    """With every row of the corpus, each fold's model clusters them and the fold's pairs are scored by whether
    they end in one event: the threshold is one of the grid's, with the clustered precision it was chosen at."""
    same, other, rows = [], [], []
    for i in range(12):  # one operation, reported by two sources half an hour apart, each on its own day
        day = date(2026, 10, 1 + i)
        a = _row((i, 0), doc=i, event_date=day, published_at=datetime(2026, 10, 1 + i, 3, tzinfo=UTC))
        b = _row((100 + i, 0), doc=100 + i, source="b", event_date=day)
        b.published_at = datetime(2026, 10, 1 + i, 3, 30, tzinfo=UTC)
        far = _row((200 + i, 0), doc=200 + i, source="c", event_date=day, location_id="curated:harir")
        far.published_at = datetime(2026, 10, 1 + i, 20, tzinfo=UTC)
        rows += [a, b, far]
        same.append((a, b, True))
        other.append((a, far, False))
    model, figures = fit_link_model(same + other, min_precision=0.9, rows=rows)
    assert model.threshold in THRESHOLD_GRID
    assert figures["cv_precision"] >= 0.9 and figures["cv_recall"] > 0.5
    events = cluster_rows(rows, model)
    assert events[(0, 0)] == events[(100, 0)] != events[(200, 0)]


def test_an_unsure_extraction_is_a_feature_of_the_pair() -> None:
    sure, unsure = _row(1, confidence=0.95), _row(2, source="b", confidence=0.4)
    assert "min_conf<0.5" in pair_features(sure, unsure)
    assert "min_conf<2" in pair_features(sure, _row(3, source="b", confidence=0.92))
    assert not any(k.startswith("min_conf") for k in pair_features(_row(4), _row(5, source="b")))


def test_a_count_of_ten_or_more_is_stated_and_a_date_or_time_is_not() -> None:
    assert states_count("الحرس الثوري: استهدفنا ٨٥ نقطة عسكرية أمريكية ردا على الاعتداء")  # Arabic-Indic digits
    assert states_count("CENTCOM: we struck more than 170 targets in Iran over the past two days")
    assert not states_count("حزب الله: مشاهد من عملية بتاريخ 13-05-2026 عند الساعة 05:08 في عام 2026")
    assert not states_count("اصابة 3 جنود في جنوب لبنان")
    # a written date's day of the month is no count
    assert not states_count("منظومة السي-رام تعترض طائرة مسيّرة فجر الاثنين 12 تشرين الأول 2026")
    assert not states_count("C-RAM intercepted a drone at dawn on Monday, October 12, security sources say")
    assert states_count("on 25 June 2026 the army struck 15 sites")


def test_an_attacker_striking_its_own_country_is_a_feature_of_the_pair() -> None:
    irgc = _row(1, kind="claim", actor="irgc", target_country="IL", location_id=None)
    blast_in_iran = _row(2, source="b", target_country="IR", location_id="curated:bandar_abbas")
    assert "attacker_home" in pair_features(irgc, blast_in_iran)
    assert "attacker_home" not in pair_features(irgc, _row(3, source="b", target_country="IL", location_id=None))


def test_the_link_model_weighs_pairs_of_features() -> None:
    f = link_features(_row(1, kind="claim"), _row(2, source="b"))
    assert f["same_country & same_place"] == 1.0 and "same_place" in f
    assert not any(k.startswith("bias &") or k.endswith("& bias") for k in f)


def test_labels_imply_pairs_of_the_rows_labelled_against_one_row() -> None:
    claim = _row(1, kind="claim")
    r1, r2, r3 = _row(2), _row(3), _row(4)
    far = _row(5, event_date=date(2026, 10, 9))
    implied = transitive_pairs([(claim, r1, True), (claim, r2, True), (claim, r3, False), (claim, far, True)])
    got = {frozenset((a.key, b.key)): same for a, b, same in implied}
    assert got == {frozenset((2, 3)): True, frozenset((2, 4)): False, frozenset((3, 4)): False}  # far: not compared
    assert transitive_pairs([(claim, r1, False), (claim, r2, False)]) == []  # two "not this one" say nothing


def test_the_shipped_linker_does_not_link_a_tally_to_one_of_its_strikes() -> None:
    """A tally ("we struck more than 170 targets in Iran in two days") links to no one operation (bench/gold/README):
    the shipped model keeps it from a blast it otherwise matches (country, day, hours), and links the same claim
    when it states no count."""
    model = load_link_model()
    blast = _row(
        2, source="naya", target_country="IR", location_id="curated:bandar_abbas", weapon="unspecified", confidence=0.99
    )
    tally = _row(
        1,
        kind="claim",
        actor="us",
        source="naya",
        target_country="IR",
        location_id=None,
        weapon="unspecified",
        published_at=datetime(2026, 10, 5, 1, 12, tzinfo=UTC),
        confidence=0.99,
        states_count=True,
    )
    assert model.probability(tally, blast) < model.threshold
    assert model.probability(replace(tally, states_count=False), blast) >= model.threshold


# --- the warehouse side -----------------------------------------------------------------------------------------


def _exec(dsn: str, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else []


def _document(dsn: str, source: str, ext: str, text: str, posted: datetime, near_dup_of: int | None = None) -> int:
    _exec(
        dsn,
        "INSERT INTO ops.sources (source_id, kind, config) VALUES (%s, 'telegram', '{}') ON CONFLICT DO NOTHING",
        (source,),
    )
    [(raw_id,)] = _exec(
        dsn,
        "INSERT INTO raw.documents (source_id, external_id, content_sha256, url, fetched_at, http_status, body, "
        "published_at) VALUES (%s, %s, md5(%s), %s, now(), 200, %s, %s) RETURNING raw_document_id",
        (source, ext, source + ext, f"https://t.me/{source}/{ext}", text, posted),
    )
    [(doc_id,)] = _exec(
        dsn,
        "INSERT INTO core.documents (source_id, external_id, raw_document_id, doc_type, url, published_at, "
        "fetched_at, text, text_normalized, exact_fingerprint, near_dup_of, normalizer_version) VALUES "
        "(%s, %s, %s, 'telegram_post', %s, %s, now(), %s, lower(%s), md5(%s), %s, 'test') RETURNING doc_id",
        (source, ext, raw_id, f"https://t.me/{source}/{ext}", posted, text, text, text, near_dup_of),
    )
    return int(doc_id)


def _claim(dsn: str, doc_id: int, **kw: Any) -> int:
    row = {
        "kind": "report",
        "actor": "unknown",
        "weapon": "drone",
        "target_country": "IQ",
        "location_name": "Ain al-Asad",
        "event_date": date(2026, 10, 5),
        "intercepted": None,
        **kw,
    }
    [(claim_id,)] = _exec(
        dsn,
        "INSERT INTO core.claims (doc_id, raw_document_id, operation_index, kind, actor, weapon, target_country, "
        "location_name, event_date, intercepted, confidence, evidence, extractor_version) SELECT doc_id, "
        "raw_document_id, 0, %(kind)s, %(actor)s, %(weapon)s, %(target_country)s, %(location_name)s, %(event_date)s, "
        "%(intercepted)s, 0.9, 'evidence', 'test' FROM core.documents WHERE doc_id = %(doc_id)s RETURNING claim_id",
        {**row, "doc_id": doc_id},
    )
    return int(claim_id)


@pytest.fixture
def channel(warehouse_dsn: str) -> dict[str, int]:
    """A claim, an independent report of the same strike, a repost of the claim, and an unrelated report."""
    t = datetime(2026, 10, 5, 3, 0, tzinfo=UTC)
    d1 = _document(warehouse_dsn, "iri", "1", "communique: our fighters struck Ain al-Asad with two drones", t)
    d2 = _document(warehouse_dsn, "news", "a", "two drones hit Ain al-Asad base at dawn", t.replace(hour=4))
    d3 = _document(warehouse_dsn, "relay", "7", "communique: our fighters struck Ain al-Asad", t.replace(hour=5), d1)
    d4 = _document(warehouse_dsn, "news", "b", "airstrike on Nabatieh", t.replace(hour=9))
    ids = {
        "claim": _claim(warehouse_dsn, d1, kind="claim", actor="islamic_resistance_iraq"),
        "report": _claim(warehouse_dsn, d2, intercepted=False),
        "repost": _claim(warehouse_dsn, d3, kind="claim", actor="islamic_resistance_iraq"),
        "other": _claim(
            warehouse_dsn, d4, weapon="airstrike", target_country="LB", location_name="Nabatieh", actor="israel"
        ),
    }
    return ids


def test_events_in_the_warehouse_count_operations_not_rows(warehouse_dsn: str, channel: dict[str, int]) -> None:
    with EventStore(warehouse_dsn) as store:
        first = store.cluster(MODEL)
    assert first["placed"] == 4 and first["new_events"] == 2
    events = _exec(warehouse_dsn, "SELECT status, claims, reports, sources, hit FROM marts.events ORDER BY event_id")
    assert events == [("claimed and corroborated", 1, 1, 3, True), ("reported only", 0, 1, 1, False)]
    assert _exec(warehouse_dsn, "SELECT sum(events), sum(corroborated) FROM marts.daily_events") == [(2, 1)]
    before = _exec(warehouse_dsn, "SELECT claim_id, event_id FROM core.claims ORDER BY claim_id")
    with EventStore(warehouse_dsn) as store:  # nothing new: nothing moves
        assert store.cluster(MODEL)["placed"] == 0
    assert _exec(warehouse_dsn, "SELECT claim_id, event_id FROM core.claims ORDER BY claim_id") == before


def test_a_new_linker_clusters_history_again(warehouse_dsn: str, channel: dict[str, int]) -> None:
    """Events record the linker that made them; after ``claimwatch train`` (a new link model) the next run places
    every row again under the new one, and a run after that moves nothing."""
    with EventStore(warehouse_dsn) as store:
        assert store.cluster(MODEL)["released"] == 0
    assert _exec(warehouse_dsn, "SELECT DISTINCT link_version FROM core.events") == [(linker_version(MODEL),)]
    strict = LinkModel({**MODEL.weights, "bias": -9.0}, MODEL.threshold, version="link-stricter")
    with EventStore(warehouse_dsn) as store:
        again = store.cluster(strict)
    assert again["released"] == 4 and again["placed"] == 4
    # the stricter model links nothing: the claim and its report part; the repost still joins its original
    events = dict(_exec(warehouse_dsn, "SELECT claim_id, event_id FROM core.claims"))
    assert events[channel["claim"]] == events[channel["repost"]] != events[channel["report"]]
    assert _exec(warehouse_dsn, "SELECT DISTINCT link_version FROM core.events") == [(linker_version(strict),)]
    assert _exec(warehouse_dsn, "SELECT count(*) FROM core.events") == [(3,)]  # the old events are gone
    with EventStore(warehouse_dsn) as store:
        third = store.cluster(strict)
    assert third["placed"] == 0 and third["released"] == 0


def test_review_corrections_show_in_the_marts(
    warehouse_dsn: str, channel: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimwatch.transform import events as ev

    monkeypatch.setattr(ev, "load_link_model", lambda *a, **k: MODEL)
    with EventStore(warehouse_dsn) as store:
        store.cluster(MODEL)
    corrections.record(
        warehouse_dsn, "set", channel["report"], "alice", "it was shot down", values={"intercepted": "true"}
    )
    corrections.record(warehouse_dsn, "wrong", channel["other"], "alice", "not an attack")
    corrections.settle(warehouse_dsn)
    assert _exec(warehouse_dsn, "SELECT count(*), bool_or(intercepted) FROM marts.events") == [(1, True)]
    assert _exec(warehouse_dsn, "SELECT analyst, action FROM core.corrections ORDER BY correction_id") == [
        ("alice", "set"),
        ("alice", "wrong"),
    ]
    [(event_id,)] = _exec(warehouse_dsn, "SELECT event_id FROM core.claims WHERE claim_id = %s", (channel["claim"],))
    corrections.split(warehouse_dsn, event_id, [channel["report"]], "bob", "a different strike")
    corrections.settle(warehouse_dsn)
    claim_event, report_event = (
        _exec(warehouse_dsn, "SELECT event_id FROM core.claims WHERE claim_id = %s", (k,))[0][0]
        for k in (channel["claim"], channel["report"])
    )
    assert claim_event != report_event
    with pytest.raises(corrections.ReviewError, match="actor must be one of"):
        corrections.record(warehouse_dsn, "set", channel["claim"], "bob", values={"actor": "martians"})


def test_corrections_survive_reextraction(warehouse_dsn: str, channel: dict[str, int]) -> None:
    corrections.record(warehouse_dsn, "set", channel["claim"], "alice", values={"weapon": "missile"})
    # a new extraction replaces the document's rows (what reprocess does after `claimwatch train`)
    with psycopg2.connect(warehouse_dsn) as conn, conn.cursor() as cur:
        from claimwatch.warehouse import query

        cur.execute(query("claims_stage_create"))
        cur.execute(
            "INSERT INTO stage_claims SELECT doc_id, raw_document_id, operation_index, kind, actor, actor_id, weapon, "
            "sub_event_type, target_country, location_name, location_id, lat, lon, geo_precision, event_date, "
            "date_precision, intercepted, confidence, evidence, 'rules+model-new' FROM core.claims WHERE claim_id = %s",
            (channel["claim"],),
        )
        cur.execute("UPDATE stage_claims SET weapon = 'drone'")
        [(doc_id,)] = _exec(warehouse_dsn, "SELECT doc_id FROM core.claims WHERE claim_id = %s", (channel["claim"],))
        cur.execute(query("claims_replace"), {"doc_ids": [doc_id], "extractor_version": "rules+model-new"})
        cur.execute(query("corrections_apply"), {"doc_ids": [doc_id]})
    assert _exec(
        warehouse_dsn, "SELECT weapon, corrected, extractor_version FROM core.claims WHERE doc_id = %s", (doc_id,)
    ) == [("missile", True, "rules+model-new")]
