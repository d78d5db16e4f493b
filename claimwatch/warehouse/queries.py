"""Named SQL statements read from ``sql/queries/<name>.sql``.

Keeping SQL in files (not f-strings) makes it reviewable as SQL, greppable, and parameterized by
construction: the files use psycopg2 ``%(name)s`` placeholders only.
"""

from __future__ import annotations

from functools import cache

from claimwatch.config import SQL_DIR


@cache
def query(name: str) -> str:
    """Return the text of ``sql/queries/<name>.sql``; raises FileNotFoundError for an unknown name."""
    return (SQL_DIR / "queries" / f"{name}.sql").read_text(encoding="utf-8")
