"""Forward-only migrations: ``sql/migrations/NNN_name.sql`` applied in order, each exactly once.

Why a small runner rather than a framework: the migrations are plain SQL files that a DBA can read and
apply by hand, and the guarantees needed are few and strict:

- each file runs in its own transaction, and its version, name and SHA-256 are recorded in
  ``ops.schema_migrations`` in that same transaction (a failed migration leaves no trace);
- an already-applied migration whose file changed is refused (:class:`MigrationError`): history is
  never rewritten, a fix is a new file;
- concurrent runners (two DAG tasks starting at once) serialize on an advisory lock.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg2.extensions

from claimwatch.config import SQL_DIR
from claimwatch.warehouse.connection import connect
from claimwatch.warehouse.queries import query

log = logging.getLogger(__name__)

MIGRATIONS_DIR = SQL_DIR / "migrations"
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
_LOCK_KEY = 0x636C6D77  # "clmw": one advisory lock id for all claimwatch migration runners


class MigrationError(RuntimeError):
    """A migration cannot be applied safely (edited after applying, bad file name, duplicate version)."""


@dataclass(frozen=True)
class Migration:
    """One migration file."""

    version: int
    name: str
    sql: str
    sha256: str


def discover(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Read and order the migration files; refuse misnamed files and duplicate versions."""
    migrations: dict[int, Migration] = {}
    for path in sorted(folder.glob("*.sql")):
        match = _NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path}: migration files must be named NNN_lower_snake.sql")
        version = int(match.group(1))
        if version in migrations:
            raise MigrationError(f"{path}: version {version:03d} is used twice")
        text = path.read_text(encoding="utf-8")
        migrations[version] = Migration(version, path.name, text, hashlib.sha256(text.encode()).hexdigest())
    return [migrations[v] for v in sorted(migrations)]


def _applied(conn: psycopg2.extensions.connection) -> dict[int, tuple[str, str]]:
    with conn.cursor() as cur:
        cur.execute(query("migrations_applied"))
        return {v: (n, s) for v, n, s in cur.fetchall()}


def migrate(dsn: str | None = None, folder: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations; return the names applied (empty when up to date)."""
    wanted = discover(folder)
    done: list[str] = []
    with connect(dsn, application_name="claimwatch-migrate") as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            cur.execute(query("migrations_table_exists"))
            if not cur.fetchone()[0]:
                cur.execute(query("migrations_bootstrap"))
                conn.commit()
            applied = _applied(conn)
            for migration in wanted:
                if migration.version in applied:
                    name, sha = applied[migration.version]
                    if sha != migration.sha256:
                        raise MigrationError(
                            f"{migration.name} was edited after it was applied (as {name}); "
                            "migrations are forward-only: add a new file instead"
                        )
                    continue
                log.info("applying %s", migration.name)
                cur.execute(migration.sql)
                cur.execute(
                    query("migration_record"),
                    {"version": migration.version, "name": migration.name, "sha256": migration.sha256},
                )
                conn.commit()
                done.append(migration.name)
        finally:
            conn.rollback()
            cur.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
            conn.commit()
    return done
