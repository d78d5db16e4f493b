"""Who may read the warehouse, and what they find there: analyst logins and the data dictionary.

``add_analyst`` creates a login role in ``claimwatch_analyst`` (read-only on ``core`` and ``marts``; every session
read-only with a statement timeout, so one heavy query cannot hold the warehouse). ``dictionary`` renders the
``COMMENT``s of every table, view and column as Markdown: the comments are written with the migrations, so the
dictionary cannot drift from the schema.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg2.extras
from psycopg2 import sql

from claimwatch.warehouse.connection import connect
from claimwatch.warehouse.queries import query

__all__ = ["AccessError", "add_analyst", "dictionary"]

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{1,62}$")
SCHEMAS = ("marts", "core", "ops", "raw")


class AccessError(ValueError):
    """A role that cannot be created as asked (bad name, already there); the message says why."""


def _check_role_name(name: str) -> None:
    """A login name must be a plain identifier, and not one of PostgreSQL's or the project's own roles."""
    if not _ROLE.match(name):
        raise AccessError(f"{name!r}: a role name is lower-case letters, digits and _ (2 to 63 characters)")
    if name.startswith(("pg_", "claimwatch_")):
        raise AccessError(f"{name!r}: names starting with pg_ or claimwatch_ are reserved")


def add_analyst(dsn: str, name: str, password: str, statement_timeout: str = "60s") -> None:
    """Create the login role ``name`` with ``password``, member of ``claimwatch_analyst``."""
    _check_role_name(name)
    with connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(query("analyst_exists"), {"name": name})
        if cur.fetchone() is not None:
            raise AccessError(f"role {name!r} already exists")
        cur.execute(
            sql.SQL(query("analyst_create")).format(name=sql.Identifier(name)),
            {"password": password, "statement_timeout": statement_timeout},
        )


def add_loader(dsn: str, name: str, password: str) -> bool:
    """Create the pipeline's login ``name``, member of ``claimwatch_loader``, or reset its password when it exists
    (a deployment's init runs again on every start); return whether it was created."""
    _check_role_name(name)
    with connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(query("analyst_exists"), {"name": name})
        exists = cur.fetchone() is not None
        statement = query("loader_password" if exists else "loader_create")
        cur.execute(sql.SQL(statement).format(name=sql.Identifier(name)), {"password": password})
    return not exists


def dictionary(dsn: str) -> str:
    """The data dictionary as Markdown, from the COMMENTs of the warehouse's schemas."""
    with connect(dsn) as conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute(query("dictionary_relations"), {"schemas": list(SCHEMAS)})
        relations = [dict(r) for r in cur.fetchall()]
        cur.execute(query("dictionary_columns"), {"schemas": list(SCHEMAS)})
        columns: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in cur.fetchall():
            columns.setdefault((r["schema"], r["relation"]), []).append(dict(r))
        cur.execute(query("dictionary_schemas"), {"schemas": list(SCHEMAS)})
        schema_notes = {r["schema"]: r["comment"] for r in cur.fetchall()}
    lines = [
        "# claimwatch warehouse: data dictionary",
        "",
        "Generated from the `COMMENT`s of the migrations (`claimwatch dictionary`); do not edit by hand.",
        "Analysts read `marts` and `core` (`claimwatch warehouse add-analyst NAME`); `ops` and `raw` are for data",
        "engineers.",
        "",
    ]
    for schema in SCHEMAS:
        rels = [r for r in relations if r["schema"] == schema]
        if not rels:
            continue
        lines += [f"## `{schema}`", "", schema_notes.get(schema) or "", ""]
        for r in rels:
            lines += [f"### `{schema}.{r['relation']}` ({r['kind']})", "", r["comment"] or "(no comment)", ""]
            lines += ["| column | type | meaning |", "|---|---|---|"]
            for c in columns.get((schema, r["relation"]), []):
                meaning = (c["comment"] or "").replace("|", "\\|").replace("\n", " ")
                lines.append(f"| `{c['column']}` | {c['type']} | {meaning} |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
