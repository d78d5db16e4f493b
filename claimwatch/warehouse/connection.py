"""Find the warehouse and open connections to it.

Resolution order, first match wins:

1. ``CLAIMWATCH_WAREHOUSE_DSN`` (a libpq URI or key=value string);
2. the Airflow connection ``claimwatch_warehouse`` given as ``AIRFLOW_CONN_CLAIMWATCH_WAREHOUSE``
   (URI or JSON form; inside Airflow tasks the DAG resolves the connection through Airflow's own
   secrets backends and passes the DSN down);
3. the embedded PostgreSQL (``pgserver``): a real server started on demand from a data folder under
   the project, listening on a Unix socket only. It is left running for the next process (the crawl
   subprocess, ``psql`` after the demo); ``claimwatch warehouse stop`` stops it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg2
import psycopg2.extensions
from psycopg2 import sql as pgsql

from claimwatch.config import data_dir

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "claimwatch"
AIRFLOW_CONN_ENV = "AIRFLOW_CONN_CLAIMWATCH_WAREHOUSE"


def _dsn_from_airflow_env(value: str) -> str:
    """Turn an ``AIRFLOW_CONN_*`` value (URI or JSON) into a libpq DSN."""
    value = value.strip()
    if not value.startswith("{"):
        return value.replace("postgres://", "postgresql://", 1)
    conn = json.loads(value)
    user = quote(conn.get("login") or "", safe="")
    password = quote(conn.get("password") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{conn['port']}" if conn.get("port") else ""
    return f"postgresql://{auth}{conn.get('host') or ''}{port}/{conn.get('schema') or ''}"


def embedded_server_dir() -> Path:
    """Data folder of the embedded PostgreSQL."""
    return data_dir() / "pgdata"


def embedded_dsn(database: str = EMBEDDED_DATABASE) -> str:
    """Start (or reuse) the embedded server and return a DSN for ``database``, creating it if needed."""
    import pgserver  # imported lazily: only the embedded path needs it

    folder = embedded_server_dir()
    folder.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(folder, cleanup_mode=None)
    admin_dsn = server.get_uri("postgres")
    ensure_database(admin_dsn, database)
    return server.get_uri(database)


def stop_embedded() -> bool:
    """Stop the embedded server if it runs; return whether one was running.

    pgserver stops a server only when its last registered handle closes, and it counts handles per process:
    a server left running on purpose (the demo) would never stop that way. So ask ``pg_ctl`` directly, as the
    user pgserver runs PostgreSQL as.
    """
    import pgserver
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]  # made at import, invisible to mypy

    folder = embedded_server_dir()
    if not (folder / "postmaster.pid").exists():
        return False
    server = pgserver.get_server(folder, cleanup_mode=None)
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=folder, user=server.system_user)
    return True


def database_dsn(dsn: str, database: str) -> str:
    """The same server and credentials as ``dsn`` (a URI), another database."""
    base, sep, query_string = dsn.partition("?")  # the embedded server's socket is a query parameter
    return base.rsplit("/", 1)[0] + "/" + database + sep + query_string


def ensure_database(admin_dsn: str, database: str) -> None:
    """Create ``database`` on the server behind ``admin_dsn`` unless it exists."""
    conn = psycopg2.connect(admin_dsn)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
            if cur.fetchone() is None:
                cur.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(database)))
                log.info("created database %s", database)
    finally:
        conn.close()


def drop_database(admin_dsn: str, database: str) -> None:
    """Drop ``database`` (ending its sessions) on the server behind ``admin_dsn``, if it exists."""
    conn = psycopg2.connect(admin_dsn)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(database)))
    finally:
        conn.close()


def warehouse_dsn() -> str:
    """The DSN of the warehouse this process should use (see the module docstring for the order)."""
    if dsn := os.environ.get("CLAIMWATCH_WAREHOUSE_DSN"):
        return dsn
    if value := os.environ.get(AIRFLOW_CONN_ENV):
        return _dsn_from_airflow_env(value)
    dsn = embedded_dsn()
    # Child processes (the crawl subprocess) reuse the same server without resolving again.
    os.environ["CLAIMWATCH_WAREHOUSE_DSN"] = dsn
    return dsn


# What a warehouse that went away looks like to psycopg2: the server restarting or failing over, a terminated
# backend, a dropped network. Worth reconnecting and retrying an idempotent unit of work.
CONNECTION_LOST = (psycopg2.OperationalError, psycopg2.InterfaceError)


def open_connection(
    dsn: str, *, application_name: str = "claimwatch", retry_for: float = 0.0
) -> psycopg2.extensions.connection:
    """Open a connection, retrying for up to ``retry_for`` seconds while the server refuses it (a restart).

    Raises the last connection error once the time is up.
    """
    deadline = time.monotonic() + retry_for
    attempt = 0
    while True:
        try:
            return psycopg2.connect(dsn, application_name=application_name)
        except psycopg2.OperationalError as exc:
            attempt += 1
            if time.monotonic() >= deadline:
                raise
            wait = min(0.25 * 2 ** min(attempt, 5), 5.0, max(deadline - time.monotonic(), 0.05))
            log.warning("warehouse unreachable (%s); retrying in %.2fs", str(exc).strip(), wait)
            time.sleep(wait)


@contextmanager
def connect(
    dsn: str | None = None, *, application_name: str = "claimwatch", retry_for: float = 0.0
) -> Iterator[psycopg2.extensions.connection]:
    """Open a connection (retrying for ``retry_for`` seconds); commit on success, roll back on error, always close."""
    conn = open_connection(dsn or warehouse_dsn(), application_name=application_name, retry_for=retry_for)
    try:
        yield conn
        conn.commit()
    except BaseException:
        if not conn.closed:
            conn.rollback()
        raise
    finally:
        conn.close()
