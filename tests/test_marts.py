"""The marts over events are tables the events step maintains (claimwatch.transform.marts): after every kind of
change (new posts, a correction, a merge and a split, a row marked wrong, a re-extraction, a new linker) the
incrementally maintained tables equal a full rebuild row for row; and a re-run with nothing new reads no event
table in full (EXPLAIN, in the style of tests/test_incremental.py)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg2
import pytest

from claimwatch.transform import corrections, marts
from claimwatch.transform.event_store import EventStore
from claimwatch.transform.events import LinkModel
from claimwatch.warehouse import query
from tests.test_events import MODEL, _claim, _document, _exec
from tests.test_incremental import _explain

# the marts and the order that makes a snapshot comparable
KEYS = {
    "marts.events": "event_id",
    "marts.daily_events": "event_date, actor, target_country, weapon",
    "marts.weekly_events": "week_start, actor, target_country, weapon",
    "marts.claim_confirmation": "claim_id",
}
PLACES = [("IQ", "Ain al-Asad"), ("LB", "Nabatieh"), ("IL", "Haifa"), ("SY", "al-Tanf")]
FIRST_DAY = date(2026, 10, 1)  # a Thursday: the days below span three ISO weeks


def _snapshot(cur: Any) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for table, key in KEYS.items():
        cur.execute(f"SELECT * FROM {table} ORDER BY {key}")
        out[table] = cur.fetchall()
    return out


def assert_equals_full_rebuild(dsn: str) -> dict[str, list[tuple[Any, ...]]]:
    """The marts as maintained equal a full rebuild from core (run in a transaction that is rolled back): same
    rows, and the rebuild finds nothing to write or delete."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        maintained = _snapshot(cur)
        done = marts.apply(cur, None)
        rebuilt = _snapshot(cur)
        conn.rollback()
    for table in KEYS:
        assert maintained[table] == rebuilt[table], f"{table} differs from a full rebuild"
        assert done[table] == {"written": 0, "dropped": 0}, f"{table}: the rebuild changed {done[table]}"
    return maintained


def _post(dsn: str, rng: random.Random, n: int, day: date, place: int, kind: str = "report") -> int:
    """One post with one operation on ``day`` at ``PLACES[place]``."""
    country, name = PLACES[place]
    source = {"claim": "iri", "report": rng.choice(["news", "wire", "local"])}[kind]
    posted = datetime(day.year, day.month, day.day, rng.randrange(24), tzinfo=UTC)
    doc = _document(dsn, source, f"{day}-{n}", f"post {n} about {name}", posted)
    return _claim(
        dsn,
        doc,
        kind=kind,
        actor="islamic_resistance_iraq" if kind == "claim" else rng.choice(["unknown", "israel"]),
        weapon=rng.choice(["drone", "missile", "unspecified"]),
        target_country=country,
        location_name=name,
        event_date=day,
        intercepted=rng.choice([None, True, False]),
    )


def _posts(dsn: str, rng: random.Random, days: list[date], per_day: int, start: int) -> list[int]:
    ids = []
    for day in days:
        for i in range(per_day):
            ids.append(_post(dsn, rng, start + len(ids), day, i % len(PLACES), rng.choice(["claim", "report"])))
    return ids


def _cluster(dsn: str, model: LinkModel = MODEL) -> dict[str, int]:
    with EventStore(dsn) as store:
        return store.cluster(model)


def _event_of(dsn: str, claim_id: int) -> int:
    return int(_exec(dsn, "SELECT event_id FROM core.claims WHERE claim_id = %s", (claim_id,))[0][0])


def test_incremental_marts_equal_a_full_rebuild_after_every_kind_of_change(
    warehouse_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimwatch.transform import events as ev

    monkeypatch.setattr(ev, "load_link_model", lambda *a, **k: MODEL)
    rng = random.Random(20261201)
    days = [FIRST_DAY + timedelta(days=i) for i in range(12)]
    claims = _posts(warehouse_dsn, rng, days, 6, 0)
    # a repost of the first post (left out of claim_confirmation, counted once in the event)
    [(doc,)] = _exec(warehouse_dsn, "SELECT doc_id FROM core.claims WHERE claim_id = %s", (claims[0],))
    copy = _document(warehouse_dsn, "relay", "copy-0", "post 0 again", datetime(2026, 10, 1, 23, tzinfo=UTC), doc)
    _claim(warehouse_dsn, copy, kind="claim", actor="islamic_resistance_iraq", event_date=FIRST_DAY)

    first = _cluster(warehouse_dsn)  # the first run after migration 013 rebuilds in full
    assert first["marts_rebuilt"] == 1 and first["placed"] == len(claims) + 1
    full = assert_equals_full_rebuild(warehouse_dsn)
    assert len(full["marts.events"]) > 20 and len({r[0] for r in full["marts.weekly_events"]}) == 3
    nothing = _cluster(warehouse_dsn)
    assert all(v == 0 for k, v in nothing.items() if k != "marts_ms"), nothing

    # new posts: a new day (a new week) and more on an old day
    claims += _posts(warehouse_dsn, rng, [days[-1] + timedelta(days=3), days[4]], 5, len(claims))
    again = _cluster(warehouse_dsn)
    assert again["marts_rebuilt"] == 0 and again["placed"] == 10
    assert len(assert_equals_full_rebuild(warehouse_dsn)["marts.events"]) > len(full["marts.events"])

    # corrections: fields that keep the row in its event, a date that moves it to another week, a row marked wrong
    dsn = warehouse_dsn
    corrections.record(dsn, "set", claims[1], "alice", values={"actor": "hezbollah", "intercepted": "true"})
    corrections.record(dsn, "set", claims[2], "alice", values={"event_date": str(days[-1] + timedelta(days=1))})
    corrections.record(dsn, "set", claims[3], "alice", values={"kind": "claim"})
    corrections.record(dsn, "wrong", claims[4], "alice", "not an attack")
    assert corrections.settle(dsn)["events"]["marts_rebuilt"] == 0
    assert_equals_full_rebuild(dsn)
    assert _exec(dsn, "SELECT count(*) FROM marts.events WHERE %s = ANY(claim_ids || report_ids)", (claims[4],)) == [
        (0,)
    ]

    # a merge of two events of different days and places, then a split of a member out of its event
    a, b = _event_of(dsn, claims[5]), _event_of(dsn, claims[20])
    assert a != b
    corrections.merge(dsn, a, b, "bob", "the same strike")
    corrections.settle(dsn)
    assert _event_of(dsn, claims[5]) == _event_of(dsn, claims[20])
    assert_equals_full_rebuild(dsn)
    event = _event_of(dsn, claims[5])
    corrections.split(dsn, event, [claims[20]], "bob", "no, another one")
    corrections.settle(dsn)
    assert _event_of(dsn, claims[5]) != _event_of(dsn, claims[20])
    assert_equals_full_rebuild(dsn)

    # a re-extraction (what reprocess does): a document's operation comes back on another day and as a claim
    # (it leaves its event), another one comes back unchanged but with another weapon (it keeps its event)
    moved, kept = claims[30], claims[31]
    docs = [r[0] for r in _exec(dsn, "SELECT doc_id FROM core.claims WHERE claim_id IN (%s, %s)", (moved, kept))]
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(query("claims_stage_create"))
        cur.execute(
            "INSERT INTO stage_claims SELECT doc_id, raw_document_id, operation_index, kind, actor, actor_id, weapon, "
            "sub_event_type, target_country, location_name, location_id, lat, lon, geo_precision, event_date, "
            "date_precision, intercepted, confidence, evidence, 'rules+model-new' FROM core.claims "
            "WHERE doc_id = ANY(%s)",
            (docs,),
        )
        cur.execute(
            "UPDATE stage_claims SET event_date = event_date + 9, kind = 'claim' WHERE doc_id = "
            "(SELECT doc_id FROM core.claims WHERE claim_id = %s)",
            (moved,),
        )
        cur.execute(
            "UPDATE stage_claims SET weapon = 'rocket' WHERE doc_id = (SELECT doc_id FROM core.claims "
            "WHERE claim_id = %s)",
            (kept,),
        )
        cur.execute(query("claims_replace"), {"doc_ids": docs, "extractor_version": "rules+model-new"})
        cur.execute(query("corrections_apply"), {"doc_ids": docs})
    assert _cluster(dsn)["marts_rebuilt"] == 0
    assert_equals_full_rebuild(dsn)
    assert _exec(dsn, "SELECT count(*) FROM marts.events WHERE %s = ANY(claim_ids || report_ids)", (moved,)) == [(0,)]

    # after reprocess the next run rebuilds in full, and finds the marts as a rebuild leaves them
    marts.request_rebuild(dsn)
    assert _cluster(dsn)["marts_rebuilt"] == 1
    assert_equals_full_rebuild(dsn)

    # a new linker places every row again: every event is touched, most are dropped and made anew
    stricter = LinkModel({**MODEL.weights, "bias": -9.0}, MODEL.threshold, version="link-stricter")
    relinked = _cluster(dsn, stricter)
    assert relinked["released"] > 0 and relinked["marts_rebuilt"] == 0
    assert_equals_full_rebuild(dsn)


def test_the_loader_maintains_the_marts_and_the_analyst_only_reads_them(warehouse_dsn: str) -> None:
    rng = random.Random(7)
    _posts(warehouse_dsn, rng, [FIRST_DAY], 4, 0)
    with psycopg2.connect(warehouse_dsn) as conn, conn.cursor() as cur:
        cur.execute("SET ROLE claimwatch_loader")
        marts.maintain(cur, [], marts.lock(cur))
    for table in KEYS:
        with psycopg2.connect(warehouse_dsn) as conn, conn.cursor() as cur:
            cur.execute("SET ROLE claimwatch_analyst")
            cur.execute(f"SELECT count(*) FROM {table}")
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(f"DELETE FROM {table}")


@pytest.mark.parametrize("events", [20_000])
def test_a_re_run_reads_no_event_table_in_full(warehouse_dsn: str, events: int) -> None:
    """With a history of ``events`` events (one claim each, over ~400 days), maintained in the marts, the marts
    statements of a re-run with nothing new, and of one that touched one day's events, are index ranges: no
    sequential scan of core.events, core.claims, core.documents, marts.events or marts.claim_confirmation, and a
    handful of pages when nothing is new."""
    _exec(
        warehouse_dsn,
        "INSERT INTO ops.sources (source_id, kind, config) VALUES ('chan', 'telegram', '{}');"
        "INSERT INTO raw.documents (source_id, external_id, content_sha256, url, fetched_at, http_status, body) "
        "SELECT 'chan', g::text, md5(g::text), 'https://t.me/chan/' || g, now(), 200, 'x' "
        "FROM generate_series(1, %(n)s) g;"
        "INSERT INTO core.documents (source_id, external_id, raw_document_id, doc_type, url, fetched_at, text, "
        "text_normalized, exact_fingerprint, normalizer_version) "
        "SELECT source_id, external_id, raw_document_id, 'telegram_post', url, fetched_at, 't', 't', 'f', 'n' "
        "FROM raw.documents;"
        "INSERT INTO core.events (event_id, event_date, actor, weapon, target_country, claims, reports, documents, "
        "sources, intercepted, hit, status, needs_refresh, link_version) "
        "SELECT g, DATE '2025-01-01' + g / 50, 'israel', 'drone', 'LB', g %% 2, 1 - g %% 2, 1, 1, g %% 3 = 0, "
        "g %% 3 = 1, CASE WHEN g %% 2 = 1 THEN 'claimed only' ELSE 'reported only' END, false, 'linker-v1' "
        "FROM generate_series(1, %(n)s) g;"
        "SELECT setval('core.events_event_id_seq', %(n)s);"
        "INSERT INTO core.claims (doc_id, raw_document_id, operation_index, kind, actor, weapon, target_country, "
        "event_date, confidence, extractor_version, event_id) "
        "SELECT d.doc_id, d.raw_document_id, 0, CASE WHEN d.doc_id %% 2 = 1 THEN 'claim' ELSE 'report' END, "
        "'israel', 'drone', 'LB', DATE '2025-01-01' + (d.doc_id / 50)::int, 0.9, 'v1', d.doc_id FROM core.documents d",
        {"n": events},
    )
    marts.rebuild(warehouse_dsn)
    conn = psycopg2.connect(warehouse_dsn)
    conn.autocommit = True
    for table in ("core.documents", "core.claims", "core.events", *KEYS):
        conn.cursor().execute(f"VACUUM ANALYZE {table}")
    conn.close()
    assert _exec(warehouse_dsn, "SELECT count(*) FROM marts.events")[0][0] == events

    big = ("events", "claims", "documents", "claim_confirmation")
    one_day = [r[0] for r in _exec(warehouse_dsn, "SELECT event_id FROM core.events WHERE event_date = '2025-03-01'")]
    day = date(2025, 3, 1)
    weeks, week_days = marts.week_days([day])
    for label, ids, days in (("nothing new", [], []), ("one day", one_day, [day])):
        if ids:  # the day's events changed: their summaries say so
            _exec(warehouse_dsn, "UPDATE core.events SET hit = NOT hit WHERE event_id = ANY(%s)", (ids,))
        plans = {
            "marts.events": _explain(warehouse_dsn, query("marts_events"), {"full": False, "event_ids": ids}),
            "marts.daily_events": _explain(warehouse_dsn, query("marts_daily_events"), {"full": False, "days": days}),
            "marts.weekly_events": _explain(
                warehouse_dsn,
                query("marts_weekly_events"),
                {"full": False, "weeks": weeks if ids else [], "week_days": week_days if ids else []},
            ),
            "marts.claim_confirmation": _explain(
                warehouse_dsn, query("marts_claim_confirmation"), {"full": False, "event_ids": ids}
            ),
        }
        for step, (nodes, pages) in plans.items():
            scans = [n for n in nodes if n["Node Type"] == "Seq Scan" and n.get("Relation Name") in big]
            assert not scans, f"{label}: {step} scans {[n['Relation Name'] for n in scans]}"
            if not ids:
                assert pages < 30, f"{label}: {step} touched {pages} pages"
        assert_equals_full_rebuild(warehouse_dsn)
    # normalize marks the events of the documents of its batch that have rows: one probe per document (a run's few
    # new posts; a batch that is a large part of the history, as in a backfill, is read faster by a scan)
    nodes, pages = _explain(warehouse_dsn, query("events_touch_documents"), {"doc_ids": list(range(1, 101))})
    scans = [n["Relation Name"] for n in nodes if n["Node Type"] == "Seq Scan" and n.get("Relation Name") in big]
    assert not scans, f"marking the events of re-normalized documents scans {scans}"


def test_a_document_normalized_again_refreshes_its_events_marts_rows(warehouse_dsn: str) -> None:
    """A new raw version with the same text keeps the document's rows (no re-extraction), but its url (or time,
    or near-duplicate original) may change: normalize marks the rows' events, and the events step then brings the
    marts along (marts.events.urls, claim_confirmation.claimed_in)."""
    from claimwatch.transform.normalize import normalize_documents
    from tests.test_incremental import SOURCE, _land, _source

    _source(warehouse_dsn)
    _land(warehouse_dsn, 1, 3)
    normalize_documents(warehouse_dsn, SOURCE)
    docs = [r[0] for r in _exec(warehouse_dsn, "SELECT doc_id FROM core.documents ORDER BY doc_id")]
    claims = [_claim(warehouse_dsn, d, kind="claim", actor="islamic_resistance_iraq") for d in docs]
    _cluster(warehouse_dsn)
    _exec(
        warehouse_dsn,
        "INSERT INTO raw.documents (source_id, external_id, content_sha256, url, fetched_at, http_status, body, "
        "content_type, published_at) SELECT source_id, external_id, 'sha-moved', url || '?single', now(), 200, body, "
        "content_type, published_at FROM raw.documents WHERE external_id = '2'",
    )
    assert normalize_documents(warehouse_dsn, SOURCE)["documents"] == 1
    moved = _exec(warehouse_dsn, "SELECT url FROM core.documents WHERE doc_id = %s", (docs[1],))[0][0]
    assert moved.endswith("?single")
    assert _exec(warehouse_dsn, "SELECT count(*) FROM core.claims WHERE claim_id = %s", (claims[1],)) == [(1,)]
    assert _cluster(warehouse_dsn)["refreshed"] == 1
    assert_equals_full_rebuild(warehouse_dsn)
    claimed_in = "SELECT claimed_in FROM marts.claim_confirmation WHERE claim_id = %s"
    assert _exec(warehouse_dsn, claimed_in, (claims[1],)) == [(moved,)]
