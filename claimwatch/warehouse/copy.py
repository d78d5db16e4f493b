"""COPY rows into PostgreSQL: the one place that turns Python values into COPY's CSV.

Every value is quoted except NULL, because in COPY's CSV format an *unquoted* empty field is NULL while a
quoted empty field is the empty string: a media-only post's text is ``""``, not unknown.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import psycopg2.extensions


def quoted(text: str) -> str:
    """A ``str`` as a COPY CSV field (what :func:`field` makes of it)."""
    return '"' + text.replace('"', '""') + '"'


def field(value: Any) -> str:
    """One value as a COPY CSV field (see :func:`csv_buffer`)."""
    if value is None:
        return ""
    if type(value) is str:  # most fields: skip the type checks below (a str subclass takes the long way)
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, bool):
        text = "t" if value else "f"
    elif isinstance(value, bytes | bytearray | memoryview):
        text = "\\x" + bytes(value).hex()  # bytea's hex input format
    elif isinstance(value, datetime | date):
        text = value.isoformat()
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, default=str)
    elif isinstance(value, list | tuple):
        text = "{" + ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value) + "}"
    else:
        text = str(value)
    return '"' + text.replace('"', '""') + '"'


def csv_buffer(rows: Iterable[Sequence[Any]]) -> io.StringIO:
    """Rows as COPY CSV: ``None`` → NULL, ``bool`` → t/f, dates ISO, ``dict`` → JSON, ``list`` → text[] literal,
    ``bytes`` → bytea hex."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write(",".join(map(field, row)) + "\n")
    buffer.seek(0)
    return buffer


def lines_buffer(lines: Iterable[str]) -> io.StringIO:
    """COPY CSV lines made by the caller (each with its newline, its fields made by :func:`field` or
    :func:`quoted`) as one buffer for ``copy_expert``."""
    return io.StringIO("".join(lines))


def copy_rows(cur: psycopg2.extensions.cursor, copy_sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """Run ``COPY ... FROM STDIN WITH (FORMAT csv)`` over ``rows``."""
    cur.copy_expert(copy_sql, csv_buffer(rows))
