"""``claimwatch report --out DIR``: a self-contained HTML report over the warehouse, for analysts.

``DIR/index.html`` shows weekly events by actor (claimed, reported, intercepted), the interception rate, a map of
the targeted places, the top targets and each source's volume and freshness. It is one file with everything
inline (styles, SVG figures, no script), so it can be mailed, archived next to the data it describes, or opened
on a machine with no network, and it never calls out when opened.

The figures come from the marts (``marts.events``, ``marts.weekly_events``) and ``ops.source_health``, read in one
snapshot, through the named queries ``sql/queries/report_*.sql``. Also runnable as ``python -m claimwatch.report``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
import psycopg2.errors

from claimwatch.report.data import ReportData, load
from claimwatch.report.page import render_page

__all__ = ["ReportData", "ReportError", "main", "render_page", "write_report"]

PROG = "claimwatch report"


class ReportError(Exception):
    """A failure the user can act on; its message is the one line the command prints."""


def _first_line(exc: BaseException) -> str:
    """psycopg2 messages run over several lines (hints, context): the first one says what went wrong."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def prepare_out_dir(out_dir: Path) -> Path:
    """Create ``out_dir`` if needed and prove a file can be written there, before any database work.

    Checked by writing, not by permission bits: root ignores them, and read-only mounts do not show in them.
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".claimwatch-report-", delete=True):
            pass
    except OSError as exc:
        reason = exc.strerror or _first_line(exc)
        raise ReportError(f"cannot write to {out_dir}: {reason}") from exc
    return out_dir


def _read(dsn: str) -> ReportData:
    """Read the report's data, turning the database's errors into one actionable line."""
    from claimwatch.warehouse import connect

    generated_at = datetime.now(UTC)
    try:
        with connect(dsn, application_name="claimwatch-report") as conn:
            return load(conn, generated_at)
    except psycopg2.errors.UndefinedTable as exc:
        raise ReportError(
            f"the warehouse is not migrated ({_first_line(exc)}): run `claimwatch migrate` first"
        ) from exc
    except psycopg2.errors.ObjectNotInPrerequisiteState as exc:
        raise ReportError(
            f"the marts were never refreshed ({_first_line(exc)}): run the marts DAG (or `claimwatch run`) first"
        ) from exc
    except psycopg2.OperationalError as exc:
        raise ReportError(f"cannot reach the warehouse: {_first_line(exc)}") from exc
    except psycopg2.Error as exc:
        raise ReportError(f"reading the warehouse failed: {_first_line(exc)}") from exc


def write_report(dsn: str, out_dir: Path) -> Path:
    """Write ``out_dir/index.html`` from the warehouse at ``dsn`` and return its path.

    The page is written to a temporary file and renamed over the old one, so a reader (or a web server serving
    the folder) never sees half a report. Raises :class:`ReportError` with a one-line reason on failure.
    """
    out_dir = prepare_out_dir(out_dir)
    page = render_page(_read(dsn))
    target = out_dir / "index.html"
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=out_dir, prefix=".index-", suffix=".html", delete=False
        ) as tmp:
            tmp.write(page)
        os.chmod(tmp.name, 0o644)  # a report is for reading: not the 0600 of a temporary file
        os.replace(tmp.name, target)
    except OSError as exc:
        Path(tmp.name).unlink(missing_ok=True)
        raise ReportError(f"cannot write {target}: {exc.strerror or _first_line(exc)}") from exc
    return target


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Write DIR/index.html: a self-contained report (charts, map of targets, sources) over the "
        "warehouse, which makes no network request when opened.",
    )
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write index.html into")
    parser.add_argument(
        "--dsn",
        help="warehouse DSN (default: CLAIMWATCH_WAREHOUSE_DSN, the Airflow connection, or the embedded server)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the exit status (0 written, 1 failed, 2 bad arguments)."""
    args = build_parser().parse_args(argv)
    try:
        prepare_out_dir(args.out)  # before resolving the DSN, which may start the embedded server
        dsn = args.dsn
        if not dsn:
            from claimwatch.warehouse import warehouse_dsn

            dsn = warehouse_dsn()
        path = write_report(dsn, args.out)
    except ReportError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the promise is one line and no traceback, whatever failed
        print(f"{PROG}: {type(exc).__name__}: {_first_line(exc)}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0
