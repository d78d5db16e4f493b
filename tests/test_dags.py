"""The DAGs, run for real: parsed from the DAG folder like the scheduler does, executed with ``dag.test()``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg2
import pytest

from claimwatch.config import PROJECT_ROOT
from claimwatch.pipeline import airflow_local
from claimwatch.tools.replay import ReplayServer
from tests.crawl_helpers import telegram_entry, write_registry

DEMO_CHANNEL = PROJECT_ROOT / "demo" / "channels" / "demo_resistance_ar.jsonl"


def _one(dsn: str, sql: str) -> Any:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()[0]


@pytest.fixture(scope="module")
def airflow_metadata() -> None:
    airflow_local.ensure_metadata_db()


def test_dag_folder_parses_with_one_ingest_dag_per_source(
    airflow_metadata: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMWATCH_SOURCES", str(PROJECT_ROOT / "sources.toml"))
    dags = airflow_local.load_dags()
    from claimwatch.registry import enabled_sources

    expected = {f"ingest__{s.id}" for s in enabled_sources(PROJECT_ROOT / "sources.toml")}
    assert expected <= set(dags)
    assert {"marts", "reprocess"} <= set(dags)
    for dag_id in expected:
        dag = dags[dag_id]
        assert dag.doc_md and "crawl" in dag.doc_md
        assert "claimwatch" in dag.tags and dag.max_active_runs == 1 and not dag.catchup
        assert [t.task_id for t in dag.topological_sort()] == ["crawl", "normalize", "extract", "check", "publish"]
        for t in dag.tasks:
            assert t.owner == "data-engineering" and t.retries >= 1
        assert dag.task_dict["publish"].outlets


def test_ingest_dag_runs_end_to_end_and_a_rerun_adds_nothing(
    airflow_metadata: None, warehouse_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ReplayServer([DEMO_CHANNEL]) as server:
        registry = write_registry(tmp_path / "r.toml", telegram_entry("demo_ar", "demo_resistance_ar", server.url))
        monkeypatch.setenv("CLAIMWATCH_SOURCES", str(registry))
        dags = airflow_local.load_dags()
        assert airflow_local.test_dag(dags["ingest__demo_ar"]) == "success"
        raw_rows = _one(warehouse_dsn, "SELECT count(*) FROM raw.documents")
        assert raw_rows == len(DEMO_CHANNEL.read_text(encoding="utf-8").splitlines())
        assert _one(warehouse_dsn, "SELECT count(*) FROM core.documents") == raw_rows
        claims = _one(warehouse_dsn, "SELECT count(*) FROM core.claims")
        assert claims > 0
        assert _one(warehouse_dsn, "SELECT bool_and(passed) FROM ops.dq_results WHERE severity = 'error'") is True
        # every claim traces back to the DAG run that crawled it
        assert (
            _one(
                warehouse_dsn,
                "SELECT count(*) FROM core.claims c JOIN raw.documents r USING (raw_document_id) "
                "JOIN ops.crawl_runs k USING (crawl_run_id) "
                "WHERE k.dag_id = 'ingest__demo_ar' AND k.dag_run_id IS NOT NULL",
            )
            == claims
        )

        assert airflow_local.test_dag(dags["ingest__demo_ar"]) == "success"
        assert _one(warehouse_dsn, "SELECT count(*) FROM raw.documents") == raw_rows
        assert _one(warehouse_dsn, "SELECT count(*) FROM core.claims") == claims
        assert _one(warehouse_dsn, "SELECT new_rows FROM ops.crawl_runs ORDER BY crawl_run_id DESC LIMIT 1") == 0

    assert airflow_local.test_dag(dags["marts"]) == "success"
    assert _one(warehouse_dsn, "SELECT sum(events) FROM marts.daily_events") > 0
    # every claim and report row carries its event, and there are fewer events than rows
    assert _one(warehouse_dsn, "SELECT count(*) FROM core.claims WHERE event_id IS NULL AND NOT retracted") == 0
    assert _one(warehouse_dsn, "SELECT count(*) FROM marts.events") <= claims
    assert airflow_local.test_dag(dags["reprocess"]) == "success"
    assert _one(warehouse_dsn, "SELECT count(*) FROM core.claims") == claims
