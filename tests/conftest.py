"""Shared fixtures: a real PostgreSQL for every test that needs one, never a mock.

The server is the one named by ``CLAIMWATCH_TEST_ADMIN_DSN`` (a superuser DSN, e.g.
``postgresql://postgres@127.0.0.1:5432/postgres``) when given; otherwise the embedded PostgreSQL
(``pgserver``) started from a temporary data folder, which is what a fresh machine uses. Each test that
asks for ``warehouse_dsn`` gets its own freshly migrated database, dropped afterwards.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from claimwatch.warehouse.connection import database_dsn, drop_database, ensure_database

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"

# Airflow reads its configuration when first imported: give the test session its own AIRFLOW_HOME (SQLite metadata
# database, the project's DAG folder) before any test can import it.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="claimwatch-test-airflow-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
from claimwatch.pipeline.airflow_local import airflow_env  # noqa: E402
from tests.shared_corpus import require_shared  # noqa: E402

os.environ.update(airflow_env())
os.environ["CLAIMWATCH_DAG_RETRY_DELAY_S"] = "1"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared reference corpus (read-only, never copied into the project)."""
    return require_shared(CORPUS)


@pytest.fixture(scope="session")
def pg_admin_dsn() -> Iterator[str]:
    """Superuser DSN of the PostgreSQL server the tests use."""
    if dsn := os.environ.get("CLAIMWATCH_TEST_ADMIN_DSN"):
        yield dsn
        return
    import pgserver

    # Not under pytest's tmp folder: as root, pgserver runs postgres as an unprivileged user, which must be able to
    # reach the data folder (pytest's /tmp/pytest-of-root is private to root).
    folder = Path(tempfile.mkdtemp(prefix="claimwatch-test-pg-"))
    server = pgserver.get_server(folder, cleanup_mode="delete")
    try:
        yield server.get_uri("postgres")
    finally:
        server.cleanup()


@pytest.fixture
def empty_database(pg_admin_dsn: str) -> Iterator[str]:
    """DSN of a new, empty database, dropped after the test."""
    name = f"cw_test_{uuid.uuid4().hex[:12]}"
    ensure_database(pg_admin_dsn, name)
    try:
        yield database_dsn(pg_admin_dsn, name)
    finally:
        drop_database(pg_admin_dsn, name)


@pytest.fixture
def warehouse_dsn(empty_database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """DSN of a fresh, migrated warehouse (dimensions loaded), also exported as CLAIMWATCH_WAREHOUSE_DSN."""
    from claimwatch.warehouse.migrate import migrate

    migrate(empty_database)
    monkeypatch.setenv("CLAIMWATCH_WAREHOUSE_DSN", empty_database)
    return empty_database
