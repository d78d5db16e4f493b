"""The pipeline runs as a login of ``claimwatch_loader``, not the superuser (docker/compose.yaml does so): the
whole ingest DAG and the marts DAG, through Airflow, against a warehouse migrated by the owner."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import sql as pgsql

from claimwatch.config import PROJECT_ROOT
from claimwatch.pipeline import airflow_local
from claimwatch.tools.replay import ReplayServer
from claimwatch.warehouse.access import add_loader
from tests.crawl_helpers import telegram_entry, write_registry

DEMO_CHANNEL = PROJECT_ROOT / "demo" / "channels" / "demo_resistance_ar.jsonl"


@pytest.fixture(scope="module")
def airflow_metadata() -> None:
    airflow_local.ensure_metadata_db()


def test_ingest_and_marts_run_as_a_loader_login(
    airflow_metadata: None, warehouse_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "@" not in warehouse_dsn:
        pytest.skip("needs a DSN with a user to swap for the loader login")
    name = f"etl_{datetime.now(UTC):%H%M%S%f}"
    assert add_loader(warehouse_dsn, name, "s3cret-pass") is True
    assert add_loader(warehouse_dsn, name, "new-pass") is False  # a second init resets the password
    scheme, rest = warehouse_dsn.split("://", 1)
    loader_dsn = f"{scheme}://{name}:new-pass@{rest.split('@', 1)[1]}"
    try:
        with ReplayServer([DEMO_CHANNEL]) as server:
            registry = write_registry(tmp_path / "r.toml", telegram_entry("demo_ar", "demo_resistance_ar", server.url))
            monkeypatch.setenv("CLAIMWATCH_SOURCES", str(registry))
            monkeypatch.setenv("CLAIMWATCH_WAREHOUSE_DSN", loader_dsn)
            dags = airflow_local.load_dags()
            assert airflow_local.test_dag(dags["ingest__demo_ar"]) == "success"
        assert airflow_local.test_dag(dags["marts"]) == "success"
        with psycopg2.connect(warehouse_dsn) as conn, conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM raw.documents")
            assert cur.fetchone()[0] == len(DEMO_CHANNEL.read_text(encoding="utf-8").splitlines())
            cur.execute("SELECT count(*) FROM marts.events")
            assert cur.fetchone()[0] > 0
            cur.execute("SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = %s", (name,))
            assert cur.fetchone() == (False, False)
        # raw is append-only for the pipeline: it landed every post above, and may change or remove none
        for statement in ("UPDATE raw.documents SET body = ''", "DELETE FROM raw.documents", "TRUNCATE raw.documents"):
            with (
                psycopg2.connect(loader_dsn) as conn,
                conn.cursor() as cur,
                pytest.raises(psycopg2.errors.InsufficientPrivilege),
            ):
                cur.execute(statement)
    finally:
        with psycopg2.connect(warehouse_dsn) as conn, conn.cursor() as cur:
            cur.execute(pgsql.SQL("DROP ROLE IF EXISTS {}").format(pgsql.Identifier(name)))
