"""Migrations, the data dictionary, roles, landing batches, and the embedded server path."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import sql as pgsql

from claimwatch.config import SQL_DIR
from claimwatch.ingest.items import QuarantineItem, RawDocumentItem
from claimwatch.ingest.load_raw import RawLoader
from claimwatch.warehouse.migrate import MigrationError, discover, migrate


def _one(dsn: str, sql: str, *params: object) -> object:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def test_migrations_apply_once_and_refuse_edits(empty_database: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(SQL_DIR / "migrations", folder)
    applied = migrate(empty_database, folder)
    assert applied == [m.name for m in discover(folder)]
    assert migrate(empty_database, folder) == []
    assert _one(empty_database, "SELECT count(*) FROM ops.schema_migrations") == len(applied)

    first = sorted(folder.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited\n")
    with pytest.raises(MigrationError, match="edited after it was applied"):
        migrate(empty_database, folder)

    (folder / "9_bad name.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNN_lower_snake"):
        discover(folder)


def test_failed_migration_leaves_no_trace(empty_database: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "001_ok.sql").write_text("CREATE SCHEMA IF NOT EXISTS ops; CREATE TABLE ops.t1 (x int);")
    (folder / "002_broken.sql").write_text("CREATE TABLE ops.t2 (x int); SELECT * FROM no_such_table;")
    with pytest.raises(psycopg2.Error):
        migrate(empty_database, folder)
    assert _one(empty_database, "SELECT array_agg(name) FROM ops.schema_migrations") == ["001_ok.sql"]
    assert _one(empty_database, "SELECT to_regclass('ops.t2') IS NULL") is True


_UNDOCUMENTED = """
SELECT coalesce(array_agg(name ORDER BY name), '{}') FROM (
    SELECT n.nspname || '.' || c.relname AS name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname IN ('raw', 'core', 'ops', 'marts') AND c.relkind IN ('r', 'm', 'v')
      AND obj_description(c.oid, 'pg_class') IS NULL
    UNION ALL
    SELECT n.nspname || '.' || c.relname || '.' || a.attname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE n.nspname IN ('raw', 'core', 'ops', 'marts') AND c.relkind IN ('r', 'm', 'v')
      AND col_description(c.oid, a.attnum) IS NULL
) missing
"""


def test_every_table_and_column_is_documented(warehouse_dsn: str) -> None:
    assert _one(warehouse_dsn, _UNDOCUMENTED) == []
    with psycopg2.connect(warehouse_dsn) as conn, conn.cursor() as cur:  # the check itself can fail
        cur.execute("CREATE TABLE ops.scratch (x int)")
    assert _one(warehouse_dsn, _UNDOCUMENTED) == ["ops.scratch", "ops.scratch.x"]


def test_analyst_role_reads_core_and_marts_only(warehouse_dsn: str) -> None:
    with psycopg2.connect(warehouse_dsn) as conn, conn.cursor() as cur:
        cur.execute("SET ROLE claimwatch_analyst")
        cur.execute("SELECT count(*) FROM core.claims")
        cur.execute("SELECT count(*) FROM marts.events")
        cur.execute("SELECT count(*) FROM marts.daily_events")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("SELECT count(*) FROM raw.documents")
        conn.rollback()
        cur.execute("SET ROLE claimwatch_analyst")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("DELETE FROM core.claims")


def test_add_analyst_logs_in_read_only_with_a_timeout(warehouse_dsn: str) -> None:
    from claimwatch.warehouse.access import AccessError, add_analyst

    name = f"analyst_{datetime.now(UTC):%H%M%S%f}"
    add_analyst(warehouse_dsn, name, "s3cret-pass", statement_timeout="5s")
    try:
        with psycopg2.connect(warehouse_dsn) as conn, conn.cursor() as cur:
            cur.execute("SELECT pg_has_role(%s, 'claimwatch_analyst', 'member')", (name,))
            assert cur.fetchone()[0] is True
            cur.execute("SELECT setconfig FROM pg_db_role_setting WHERE setrole = %s::regrole", (name,))
            settings = cur.fetchone()[0]
            assert "default_transaction_read_only=on" in settings and "statement_timeout=5s" in settings
            cur.execute(pgsql.SQL("SET ROLE {}").format(pgsql.Identifier(name)))
            cur.execute("SELECT count(*) FROM marts.events")
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute("SELECT count(*) FROM raw.documents")
        with pytest.raises(AccessError, match="already exists"):
            add_analyst(warehouse_dsn, name, "x")
        with pytest.raises(AccessError, match="role name"):
            add_analyst(warehouse_dsn, "Robert'); DROP TABLE x;--", "x")
    finally:
        with psycopg2.connect(warehouse_dsn) as conn, conn.cursor() as cur:
            cur.execute(pgsql.SQL("DROP ROLE IF EXISTS {}").format(pgsql.Identifier(name)))


def test_dictionary_is_generated_from_the_comments_and_committed(warehouse_dsn: str) -> None:
    from claimwatch.warehouse.access import dictionary

    text = dictionary(warehouse_dsn)
    assert "### `marts.events` (table)" in text
    assert "| `event_id` | bigint |" in text
    committed = (SQL_DIR / "DICTIONARY.md").read_text(encoding="utf-8")
    assert committed == text, "sql/DICTIONARY.md is stale: run `claimwatch dictionary --out sql/DICTIONARY.md`"


def _doc(external_id: str, body: str, sha: str) -> RawDocumentItem:
    return RawDocumentItem(
        source_id="s",
        external_id=external_id,
        url=f"https://t.me/c/{external_id}",
        fetched_at=datetime.now(UTC),
        http_status=200,
        content_type="text/html",
        body=body,
        content_sha256=sha,
        published_at=datetime(2026, 10, 1, tzinfo=UTC),
        meta={"views": 10, "note": 'quote " and\nnewline'},
    )


def test_loader_batches_are_idempotent_and_cursor_moves_with_the_last_batch(warehouse_dsn: str) -> None:
    with psycopg2.connect(warehouse_dsn) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO ops.sources (source_id, kind, config) VALUES ('s', 'telegram', '{}')")
        cur.execute("INSERT INTO ops.crawl_runs (source_id) VALUES ('s') RETURNING crawl_run_id")
        run_id = cur.fetchone()[0]
    loader = RawLoader(warehouse_dsn, "s", run_id, batch_size=3)
    for i in range(7):
        loader.add(_doc(str(i), f'<p>post {i}, with "quotes", commas\nand lines</p>', f"sha{i}"))
    loader.add(_doc("1", "<p>post 1</p>", "sha1"))  # same version again: no new row
    loader.add(QuarantineItem("s", "https://t.me/s/c", "invalid UTF-8 at byte 3", 200, b"ab\xffcd"))
    assert _one(warehouse_dsn, "SELECT count(*) FROM ops.source_state") == 0
    totals = loader.finish({"last_msg_id": 6})
    assert (totals.offered, totals.new_rows, totals.quarantined) == (8, 7, 1)
    assert _one(warehouse_dsn, "SELECT cursor FROM ops.source_state WHERE source_id = 's'") == {"last_msg_id": 6}
    assert _one(warehouse_dsn, "SELECT body FROM raw.documents WHERE external_id = '3'") == (
        '<p>post 3, with "quotes", commas\nand lines</p>'
    )
    assert _one(warehouse_dsn, "SELECT new_rows FROM ops.crawl_runs") == 7
    assert bytes(_one(warehouse_dsn, "SELECT content FROM ops.quarantine")) == b"ab\xffcd"

    again = RawLoader(warehouse_dsn, "s", run_id, batch_size=100)
    for i in range(7):
        again.add(_doc(str(i), "<p>same</p>", f"sha{i}"))
    again.add(QuarantineItem("s", "https://t.me/s/c", "invalid UTF-8 at byte 3", 200, b"ab\xffcd"))
    assert again.finish(None).new_rows == 0
    assert _one(warehouse_dsn, "SELECT count(*) FROM raw.documents") == 7
    assert _one(warehouse_dsn, "SELECT count(*) FROM ops.quarantine") == 1


def test_a_document_the_warehouse_refuses_is_quarantined_and_its_batch_lands(warehouse_dsn: str) -> None:
    with psycopg2.connect(warehouse_dsn) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO ops.sources (source_id, kind, config) VALUES ('s', 'telegram', '{}')")
        cur.execute("INSERT INTO ops.crawl_runs (source_id) VALUES ('s') RETURNING crawl_run_id")
        run_id = cur.fetchone()[0]
    loader = RawLoader(warehouse_dsn, "s", run_id, batch_size=100)
    for i in range(5):
        # PostgreSQL text cannot hold NUL: the spiders strip it, and should one slip through it costs one row
        loader.add(_doc(str(i), "<p>bad\x00post</p>" if i == 2 else f"<p>post {i}</p>", f"sha{i}"))
    totals = loader.finish(None)
    assert (totals.new_rows, totals.quarantined, totals.refused) == (4, 1, 1)
    assert _one(warehouse_dsn, "SELECT count(*) FROM raw.documents") == 4
    reason = str(_one(warehouse_dsn, "SELECT reason FROM ops.quarantine"))
    assert "refused by the warehouse" in reason and "0x00" in reason
    assert bytes(_one(warehouse_dsn, "SELECT content FROM ops.quarantine")) == b"<p>bad\x00post</p>"


def test_embedded_server_is_used_when_no_dsn_is_given(tmp_path: Path) -> None:
    """A fresh machine has no PostgreSQL: with no DSN, the warehouse is the embedded server in the data folder."""
    folder = tmp_path / "data"
    code = (
        "import psycopg2\n"
        "from claimwatch.warehouse import warehouse_dsn\n"
        "from claimwatch.warehouse.connection import stop_embedded\n"
        "dsn = warehouse_dsn()\n"
        "conn = psycopg2.connect(dsn)\n"
        "cur = conn.cursor(); cur.execute('SELECT current_database(), version()'); print(cur.fetchone())\n"
        "conn.close(); print('stopped' if stop_embedded() else 'not running')\n"
    )
    env = {"PATH": "/usr/bin:/bin", "CLAIMWATCH_DATA_DIR": str(folder), "HOME": str(tmp_path)}
    folder.mkdir()
    folder.chmod(0o755)
    tmp_path.chmod(0o755)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "'claimwatch', 'PostgreSQL 16" in out.stdout
    assert "stopped" in out.stdout
    assert (folder / "pgdata" / "PG_VERSION").exists()
