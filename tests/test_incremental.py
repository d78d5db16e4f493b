"""Incremental transforms: normalize and extract re-runs read only what is new (index ranges, never a scan of
the history), and the raw retention setting blanks old bodies while landing stays exactly-once."""

from __future__ import annotations

import json
from typing import Any

import psycopg2
import pytest

from claimwatch.parse.telegram_preview import TEXT_VERSION
from claimwatch.tools.replay import render_message
from claimwatch.transform.normalize import NORMALIZER_VERSION, normalize_documents, prune_raw_payloads
from claimwatch.warehouse import query

SOURCE = "chan"


def _exec(dsn: str, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else []


def _source(dsn: str, config: dict[str, Any] | None = None) -> None:
    _exec(
        dsn,
        "INSERT INTO ops.sources (source_id, kind, config) VALUES (%s, 'telegram', %s) "
        "ON CONFLICT (source_id) DO UPDATE SET config = EXCLUDED.config",
        (SOURCE, json.dumps(config or {})),
    )


def _land(dsn: str, first: int, last: int, text: str = "خبر رقم {i} عن قصف في بلدة الخيام جنوب لبنان") -> None:
    """Raw rows as the crawl lands them: the post's message widget as rendered by the replay site."""
    rows = []
    for i in range(first, last + 1):
        post = {"channel": SOURCE, "msg_id": i, "posted_at": f"2026-06-01T{i % 24:02d}:{i % 60:02d}:00+00:00"}
        post["text"] = text.format(i=i)
        rows.append((SOURCE, str(i), f"sha-{i}-{hash(post['text'])}", f"https://t.me/{SOURCE}/{i}",
                     render_message(post), post["posted_at"]))  # fmt: skip
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO raw.documents (source_id, external_id, content_sha256, url, fetched_at, http_status, body, "
            "content_type, published_at) VALUES (%s, %s, %s, %s, now(), 200, %s, 'text/html', %s) "
            "ON CONFLICT DO NOTHING",
            rows,
        )


def _plan_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes.extend(_plan_nodes(child))
    return nodes


def _explain(dsn: str, sql: str, params: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """The plan's nodes as run, and the pages it touched (shared buffers hit or read, children included)."""
    [(plan,)] = _exec(dsn, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
    top = plan[0]["Plan"]
    return _plan_nodes(top), int(top["Shared Hit Blocks"] + top["Shared Read Blocks"])


def test_normalize_reads_only_what_landed_since_its_last_run(warehouse_dsn: str) -> None:
    _source(warehouse_dsn)
    _land(warehouse_dsn, 1, 30)
    assert normalize_documents(warehouse_dsn, SOURCE)["documents"] == 30
    assert normalize_documents(warehouse_dsn, SOURCE)["documents"] == 0  # nothing new: nothing read
    _land(warehouse_dsn, 31, 35)
    _land(warehouse_dsn, 3, 3, text="خبر رقم {i} بعد التعديل")  # an edit of post 3: a new version
    counts = normalize_documents(warehouse_dsn, SOURCE)
    assert counts["documents"] == 6
    [(versions, text)] = _exec(
        warehouse_dsn, "SELECT versions, text FROM core.documents WHERE source_id = %s AND external_id = '3'", (SOURCE,)
    )
    assert versions == 2 and "التعديل" in text
    [(watermark, version)] = _exec(
        warehouse_dsn,
        "SELECT raw_document_id, code_version FROM ops.transform_watermarks WHERE source_id = %s",
        (SOURCE,),
    )
    assert watermark == _exec(warehouse_dsn, "SELECT max(raw_document_id) FROM raw.documents")[0][0]
    assert version == NORMALIZER_VERSION
    # another normalizer version starts from zero: everything is rebuilt
    _exec(warehouse_dsn, "UPDATE ops.transform_watermarks SET code_version = 'norm-0'")
    _exec(warehouse_dsn, "UPDATE core.documents SET normalizer_version = 'norm-0'")
    assert normalize_documents(warehouse_dsn, SOURCE)["documents"] == 35


def test_a_document_normalized_again_gets_its_new_original_or_loses_it(warehouse_dsn: str) -> None:
    """``near_dup_of`` follows a document's new text on a re-run: normalize sends back only the documents whose
    original changed (the upsert returns the stored one), so both directions, NULL to a document and a document to
    NULL, are checked here against the earlier documents read back from the warehouse."""
    original = "خبر رقم 1 عن قصف في بلدة الخيام جنوب لبنان"
    _source(warehouse_dsn)
    _land(warehouse_dsn, 1, 2)
    _land(warehouse_dsn, 3, 3, text=original)  # a copy of post 1
    normalize_documents(warehouse_dsn, SOURCE)

    def originals() -> dict[str, str | None]:
        return dict(
            _exec(
                warehouse_dsn,
                "SELECT d.external_id, o.external_id FROM core.documents d "
                "LEFT JOIN core.documents o ON o.doc_id = d.near_dup_of WHERE d.source_id = %s",
                (SOURCE,),
            )
        )

    assert originals() == {"1": None, "2": None, "3": "1"}
    _land(warehouse_dsn, 3, 3, text="بيان جديد مختلف تماما عن الغارات على مدينة صور رقم {i}")  # edited: no copy
    _land(warehouse_dsn, 2, 2, text=original)  # edited into a copy of post 1
    assert normalize_documents(warehouse_dsn, SOURCE)["exact_duplicates"] == 1
    assert originals() == {"1": None, "2": "1", "3": None}


def test_a_text_read_at_landing_is_used_only_while_its_reader_is_the_running_one(warehouse_dsn: str) -> None:
    """normalize takes ``body_text`` instead of parsing ``body`` when ``body_text_version`` is ``TEXT_VERSION``;
    a text read by other code (or none) sends it back to the HTML. The stored texts here deliberately differ from
    their HTML, so the test sees which one was used."""
    _source(warehouse_dsn)
    _land(warehouse_dsn, 1, 3)
    _exec(
        warehouse_dsn,
        "UPDATE raw.documents SET body_text = 'stored ' || external_id, body_text_version = CASE external_id "
        "WHEN '1' THEN %s WHEN '2' THEN 'tgp-another-reader' END",
        (TEXT_VERSION,),
    )
    normalize_documents(warehouse_dsn, SOURCE)
    texts = dict(_exec(warehouse_dsn, "SELECT external_id, text FROM core.documents WHERE source_id = %s", (SOURCE,)))
    assert texts["1"] == "stored 1"
    assert texts["2"].startswith("خبر رقم 2") and texts["3"].startswith("خبر رقم 3")


@pytest.mark.parametrize("rows", [20_000])
def test_re_runs_use_index_ranges_not_scans(warehouse_dsn: str, rows: int) -> None:
    """With a history of ``rows`` documents, all normalized and extracted (and as many events, all made by the
    current linker), the candidate queries of a re-run are planned as index ranges and touch a handful of pages:
    no scan of raw.documents, core.documents or core.events, not even a whole-index one (the history is ~1,500
    pages of raw rows and ~100 pages per index)."""
    _source(warehouse_dsn)
    _exec(
        warehouse_dsn,
        "INSERT INTO raw.documents (source_id, external_id, content_sha256, url, fetched_at, http_status, body) "
        "SELECT %s, g::text, md5(g::text), 'https://t.me/chan/' || g, now(), 200, repeat('x', 500) "
        "FROM generate_series(1, %s) g",
        (SOURCE, rows),
    )
    _exec(
        warehouse_dsn,
        "INSERT INTO core.documents (source_id, external_id, raw_document_id, doc_type, url, fetched_at, text, "
        "text_normalized, exact_fingerprint, normalizer_version, extractor_version) "
        "SELECT source_id, external_id, raw_document_id, 'telegram_post', url, fetched_at, 't', 't', 'f', %s, 'v1' "
        "FROM raw.documents",
        (NORMALIZER_VERSION,),
    )
    _exec(
        warehouse_dsn,
        "INSERT INTO core.events (status, needs_refresh, link_version) "
        "SELECT 'reported only', false, 'linker-v1' FROM generate_series(1, %s)",
        (rows,),
    )
    top = _exec(warehouse_dsn, "SELECT max(raw_document_id) FROM raw.documents")[0][0]
    conn = psycopg2.connect(warehouse_dsn)
    conn.autocommit = True
    for table in ("raw.documents", "core.documents", "core.events"):
        conn.cursor().execute(f"VACUUM ANALYZE {table}")
    conn.close()
    plans = {
        "normalize": _explain(
            warehouse_dsn,
            query("normalize_candidates"),
            {
                "source_id": SOURCE,
                "after": top,
                "upto": top,
                "normalizer_version": NORMALIZER_VERSION,
                "text_version": TEXT_VERSION,
            },
        ),
        "extract": _explain(
            warehouse_dsn, query("extract_candidates"), {"source_id": SOURCE, "extractor_version": "v1"}
        ),
        "extract all sources": _explain(
            warehouse_dsn, query("extract_candidates"), {"source_id": None, "extractor_version": "v1"}
        ),
        "events made by another linker": _explain(warehouse_dsn, query("events_outdated"), {"version": "linker-v1"}),
        **{
            f"data-quality check {name}": _explain(
                warehouse_dsn, query(name), {"source_id": SOURCE, "crawl_run_id": 1, "extractor_version": "v1"}
            )
            for name in ("dq_core_covers_raw", "dq_missing_published_at", "dq_stale_claims")
        },
    }
    for step, (nodes, pages) in plans.items():
        scans = [n for n in nodes if n["Node Type"] == "Seq Scan" and n.get("Schema") in ("raw", "core")]
        assert not scans, f"{step} scans {[n['Relation Name'] for n in scans]}"
        assert pages < 30, f"{step} touched {pages} pages for nothing new"
    # and the counterpart: a new extractor version makes every document a candidate (that is reprocess)
    assert (
        len(_exec(warehouse_dsn, query("extract_candidates"), {"source_id": SOURCE, "extractor_version": "v2"})) == rows
    )


def test_the_core_coverage_check_counts_the_runs_own_documents(warehouse_dsn: str) -> None:
    """``core_covers_raw`` compares the documents one crawl run landed with their normalized rows: a document
    normalize could not read shows as missing, and the history of other runs does not enter the count."""
    _source(warehouse_dsn)
    _land(warehouse_dsn, 1, 5)  # an earlier run's documents, never normalized
    [(run,)] = _exec(
        warehouse_dsn, "INSERT INTO ops.crawl_runs (source_id) VALUES (%s) RETURNING crawl_run_id", (SOURCE,)
    )
    _land(warehouse_dsn, 6, 9)
    _exec(warehouse_dsn, "UPDATE raw.documents SET crawl_run_id = %s WHERE external_id::int >= 6", (run,))
    normalize_documents(warehouse_dsn, SOURCE)
    _exec(warehouse_dsn, "DELETE FROM core.documents WHERE external_id IN ('1', '9')")  # 9: as if unreadable
    check = query("dq_core_covers_raw")
    assert _exec(warehouse_dsn, check, {"source_id": SOURCE, "crawl_run_id": run}) == [(4, 3)]


def test_retention_blanks_old_bodies_and_landing_stays_exactly_once(warehouse_dsn: str) -> None:
    _source(warehouse_dsn)  # no raw_retention_days: keep for ever
    _land(warehouse_dsn, 1, 10)
    _exec(warehouse_dsn, "UPDATE raw.documents SET body_text = 'read at landing', body_text_version = 'v'")
    normalize_documents(warehouse_dsn, SOURCE)
    _exec(
        warehouse_dsn, "UPDATE core.documents SET normalized_at = now() - interval '40 days' WHERE external_id <> '10'"
    )
    _exec(warehouse_dsn, "UPDATE raw.documents SET landed_at = now() - interval '41 days'")
    assert prune_raw_payloads(warehouse_dsn, SOURCE) == 0

    _source(warehouse_dsn, {"raw_retention_days": 30})
    assert prune_raw_payloads(warehouse_dsn, SOURCE) == 9  # post 10 was normalized just now: kept
    assert prune_raw_payloads(warehouse_dsn, SOURCE) == 0
    kept = dict(_exec(warehouse_dsn, "SELECT external_id, body FROM raw.documents WHERE source_id = %s", (SOURCE,)))
    assert kept["10"] != "" and all(kept[str(i)] == "" for i in range(1, 10))
    # the text read from a body goes with it
    assert _exec(warehouse_dsn, "SELECT count(*) FROM raw.documents WHERE body_pruned_at IS NOT NULL "
                 "AND (body_text IS NOT NULL OR body_text_version IS NOT NULL)")[0][0] == 0  # fmt: skip
    [(pruned, hashes)] = _exec(
        warehouse_dsn, "SELECT count(body_pruned_at), count(content_sha256) FROM raw.documents WHERE source_id = %s",
        (SOURCE,),
    )  # fmt: skip
    assert (pruned, hashes) == (9, 10)
    # the same posts crawled again land nothing (the key and hash are still there), and core keeps its text
    _land(warehouse_dsn, 1, 10)
    assert _exec(warehouse_dsn, "SELECT count(*) FROM raw.documents")[0][0] == 10
    assert _exec(warehouse_dsn, "SELECT count(*) FROM core.documents WHERE text <> ''")[0][0] == 10
    # a new normalizer version does not re-normalize a blanked version into an empty document
    _exec(warehouse_dsn, "UPDATE ops.transform_watermarks SET code_version = 'norm-0'")
    assert normalize_documents(warehouse_dsn, SOURCE) == {
        "documents": 0,
        "failed": 0,
        "exact_duplicates": 0,
        "near_duplicates": 0,
    }


def test_the_loader_role_may_prune_but_not_rewrite_raw(warehouse_dsn: str) -> None:
    """Retention runs through raw.prune_payloads (owner's rights); the loader still cannot UPDATE raw itself."""
    _source(warehouse_dsn, {"raw_retention_days": 0})
    _land(warehouse_dsn, 1, 3)
    normalize_documents(warehouse_dsn, SOURCE)
    with psycopg2.connect(warehouse_dsn) as conn, conn.cursor() as cur:
        cur.execute("SET ROLE claimwatch_loader")
        cur.execute(query("raw_prune_payloads"), {"source_id": SOURCE})
        assert cur.fetchone()[0] == 3
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("UPDATE raw.documents SET body = 'rewritten'")
