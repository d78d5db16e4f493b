"""``claimwatch``: the command line of the pipeline.

Contracts other tools rely on (see DESIGN.md): ``extract``, ``extract-articles``, ``replay``, ``run``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from claimwatch.config import PROJECT_ROOT, data_dir

DEMO_DIR = PROJECT_ROOT / "demo"
DEMO_CHANNEL_PORT = 8765
DEMO_NEWS_PORT = 8766


# Commands whose module owns its argument parser (each also runs as ``python -m <module>``).
DELEGATED = {
    "extract": "claimwatch.tools.extract_jsonl",
    "extract-articles": "claimwatch.tools.extract_articles",
    "replay": "claimwatch.tools.replay",
    "train": "claimwatch.claims.train",
    "review": "claimwatch.transform.corrections",
    "report": "claimwatch.report",
}


def _cmd_migrate(args: argparse.Namespace) -> int:
    from claimwatch.pipeline.tasks import prepare_warehouse
    from claimwatch.warehouse import warehouse_dsn

    applied = prepare_warehouse(warehouse_dsn())
    print("applied: " + (", ".join(applied) if applied else "nothing (up to date)"))
    return 0


def _print_summary(rows: list[dict[str, Any]], elapsed: dict[str, float]) -> None:
    header = (
        f"{'source':<24} {'kind':<9} {'status':<8} {'seen':>6} {'new':>6} {'quar.':>5} {'req.':>5} "
        f"{'landed':>7} {'docs':>6} {'claims':>6} {'time s':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['source_id']:<24} {r['kind']:<9} {r['status'] or '-':<8} {r['items'] or 0:>6} {r['new_rows'] or 0:>6} "
            f"{r['quarantined'] or 0:>5} {r['requests'] or 0:>5} {r['raw_rows']:>7} {r['documents']:>6} "
            f"{r['claims']:>6} {elapsed.get(r['source_id'], 0.0):>7.1f}"
        )
    print(
        "seen = documents the spider read this run; new = rows it added to raw.documents; "
        "landed = raw rows the source holds in all."
    )


@contextlib.contextmanager
def _logs_to(path: Path | None) -> Iterator[TextIO]:
    """Send this process's stdout/stderr file descriptors (Airflow's task logs, the crawl subprocesses) to
    ``path``, and yield a stream to the real console for progress lines. ``None`` keeps everything on screen."""
    if path is None:
        yield sys.stdout
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    console = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    with path.open("ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield console
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            console.close()


def run_sources(sources: Path, verbose: bool = False) -> int:
    """Run every enabled source of a registry once through its real DAG (``dag.test()``), then the marts.

    Airflow's task logs go to a file under the data folder (``--verbose`` shows them instead); the console gets
    one line per DAG and the summary.
    """
    import psycopg2.extras

    from claimwatch.pipeline import airflow_local
    from claimwatch.pipeline.tasks import prepare_warehouse
    from claimwatch.registry import RegistryError, enabled_sources
    from claimwatch.warehouse import connect, query, warehouse_dsn

    try:
        selected = enabled_sources(sources)
    except RegistryError as exc:
        print(f"claimwatch run: {exc}", file=sys.stderr)
        return 2
    airflow_local.apply_env(airflow_local.airflow_env(sources))
    # A person is watching this run: retry failed tasks, but after seconds rather than the DAG's minutes.
    os.environ.setdefault("CLAIMWATCH_DAG_RETRY_DELAY_S", "3")
    dsn = warehouse_dsn()
    prepare_warehouse(dsn)
    log_path = None if verbose else data_dir() / "logs" / f"run-{time.strftime('%Y%m%dT%H%M%S')}.log"
    if log_path is not None:
        print(f"Airflow task logs: {log_path}", flush=True)
    elapsed: dict[str, float] = {}
    failed: list[str] = []
    with _logs_to(log_path) as console:
        airflow_local.ensure_metadata_db()
        dags = airflow_local.load_dags()
        for dag_id in [f"ingest__{s.id}" for s in selected] + (["marts"] if "marts" in dags else []):
            print(f"  {dag_id:<32}", end=" ", file=console, flush=True)
            started = time.perf_counter()
            state = airflow_local.test_dag(dags[dag_id])
            elapsed[dag_id.removeprefix("ingest__")] = time.perf_counter() - started
            print(f"{state:<8} {time.perf_counter() - started:6.1f} s", file=console, flush=True)
            if state != "success":
                failed.append(f"{dag_id} ({state})")
    with connect(dsn) as conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute(query("run_summary"), {"source_ids": [s.id for s in selected]})
        rows = [dict(r) for r in cur.fetchall()]
    print()
    _print_summary(rows, elapsed)
    if failed:
        where = f"in {log_path}" if log_path else "above"
        print(f"\nFAILED: {', '.join(failed)} (see the task logs {where})", file=sys.stderr)
        return 1
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    return run_sources(Path(args.sources), verbose=args.verbose)


def psql_binary() -> str:
    """``psql`` from PATH, else the one shipped inside the pgserver package (a fresh machine has no client)."""
    import shutil

    import pgserver

    return shutil.which("psql") or str(Path(pgserver.__file__).parent / "pginstall" / "bin" / "psql")


def redact_dsn(dsn: str) -> str:
    """``dsn`` with its password replaced by ``***``: what may be printed or logged."""
    import re

    dsn = re.sub(r"(://[^:/@?]*:)[^@/?]*@", r"\1***@", dsn)  # URI form
    return re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", r"\1***", dsn)  # key=value form


def run_psql(dsn: str, arguments: list[str]) -> int:
    """Run psql on the warehouse with ``arguments``; return its exit status.

    The connection parameters, password included, go to psql through a private libpq service file (mode 0600,
    removed afterwards), never its command line, where any user of the machine could read them, nor PGPASSWORD.
    """
    import signal
    import subprocess
    import tempfile

    import psycopg2.extensions

    params = {k: v for k, v in psycopg2.extensions.parse_dsn(dsn).items() if v}
    with tempfile.TemporaryDirectory(prefix="claimwatch-psql-") as folder:
        service_file = Path(folder) / "pg_service.conf"
        fd = os.open(service_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("[claimwatch]\n" + "".join(f"{k}={v}\n" for k, v in params.items()))
        env = {**os.environ, "PGSERVICEFILE": str(service_file), "PGSERVICE": "claimwatch"}
        env.pop("PGPASSWORD", None)
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is psql's (it cancels the query)
        try:
            return subprocess.run([psql_binary(), *arguments], env=env, check=False).returncode
        finally:
            signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def demo_sites() -> Iterator[tuple[str, str]]:
    """Serve the demo channels (port 8765) and the demo news site (port 8766) on loopback while in the block."""
    from claimwatch.tools.replay import ReplayServer

    channels = sorted((DEMO_DIR / "channels").glob("*.jsonl"))
    try:
        channel_server = ReplayServer(channels, port=DEMO_CHANNEL_PORT)
        news_server = ReplayServer(site=DEMO_DIR / "news_site", port=DEMO_NEWS_PORT)
    except OSError as exc:
        raise SystemExit(
            f"claimwatch: cannot serve the demo sites on 127.0.0.1:{DEMO_CHANNEL_PORT}/{DEMO_NEWS_PORT}: {exc}"
        ) from exc
    with channel_server, news_server:
        yield channel_server.url, news_server.url


def _cmd_demo(args: argparse.Namespace) -> int:
    """Serve the demo channels and news site on loopback and run the demo registry through its DAGs."""
    from claimwatch.warehouse.connection import EMBEDDED_DATABASE

    started = time.perf_counter()
    with demo_sites() as (channels_url, news_url):
        print(f"demo channels on {channels_url}/s/<channel>, demo news site on {news_url}/")
        code = run_sources(Path(args.sources), verbose=args.verbose)
    print(f"\ndemo finished in {time.perf_counter() - started:.1f} s")
    dsn = os.environ.get("CLAIMWATCH_WAREHOUSE_DSN", "")
    if "?host=/" in dsn:  # the embedded server listens on a Unix socket only
        socket_dir = dsn.split("host=", 1)[1].split("&")[0]
        print("\nThe embedded warehouse keeps running. Query it with psql:")
        print(f'  {psql_binary()} "host={socket_dir} dbname={EMBEDDED_DATABASE} user=postgres"')
        print("  (or: .venv/bin/claimwatch warehouse psql; stop it with: .venv/bin/claimwatch warehouse stop)")
    else:
        print(f'\nQuery the warehouse with: psql "{redact_dsn(dsn)}" (or: .venv/bin/claimwatch warehouse psql)')
    print("Try:  SELECT event_date, actor, weapon, target_country, location_name, status, claims, reports, sources")
    print("      FROM marts.events ORDER BY event_date;")
    print("      SELECT week_start, actor, sum(events), sum(claimed), sum(reported), sum(intercepted)")
    print("      FROM marts.weekly_events GROUP BY 1, 2 ORDER BY 1, 2;")
    from claimwatch.config import report_dir
    from claimwatch.report import write_report

    # the marts DAG writes the report weekly; the demo writes it now, so it shows what this run landed
    report = write_report(dsn, report_dir() / "latest")
    print(f"The report: {report}")
    return code


def _cmd_crawl(args: argparse.Namespace) -> int:
    from claimwatch.ingest import crawl
    from claimwatch.registry import find_source

    find_source(args.sources, args.source)  # a bad registry or an unknown id: one line, before any crawling
    return crawl.main(["--sources", args.sources, "--source", args.source])


def _cmd_reprocess(args: argparse.Namespace) -> int:
    from claimwatch.pipeline.tasks import prepare_warehouse, reprocess
    from claimwatch.warehouse import warehouse_dsn

    prepare_warehouse(warehouse_dsn())
    print(reprocess())
    return 0


def _cmd_warehouse(args: argparse.Namespace) -> int:
    from claimwatch.warehouse.connection import embedded_server_dir, stop_embedded, warehouse_dsn

    if args.action == "dsn":
        print(redact_dsn(warehouse_dsn()))
    elif args.action == "stop":
        print("stopped" if stop_embedded() else "the embedded warehouse was not running")
    elif args.action == "psql":
        return run_psql(warehouse_dsn(), args.psql_args)
    elif args.action == "path":
        print(embedded_server_dir())
    elif args.action == "add-analyst":
        return _add_analyst(args)
    elif args.action == "add-loader":
        return _add_loader(args)
    return 0


def _add_loader(args: argparse.Namespace) -> int:
    """``claimwatch warehouse add-loader NAME``: the pipeline's login in claimwatch_loader (created, or its password
    reset). The password comes from ``CLAIMWATCH_LOADER_PASSWORD`` only: it never goes on a command line."""
    from claimwatch.pipeline.tasks import prepare_warehouse
    from claimwatch.warehouse import warehouse_dsn
    from claimwatch.warehouse.access import add_loader

    if not args.name:
        raise CliError("warehouse add-loader: give the login name")
    password = os.environ.get("CLAIMWATCH_LOADER_PASSWORD")
    if not password:
        raise CliError("warehouse add-loader: set CLAIMWATCH_LOADER_PASSWORD to the login's password")
    dsn = warehouse_dsn()
    prepare_warehouse(dsn)
    created = add_loader(dsn, args.name, password)
    print(f"{'created' if created else 'updated'} login {args.name} (claimwatch_loader: writes raw, core, ops)")
    return 0


def _add_analyst(args: argparse.Namespace) -> int:
    """``claimwatch warehouse add-analyst NAME``: a read-only login in claimwatch_analyst.

    The password comes from ``CLAIMWATCH_ANALYST_PASSWORD``, or is asked twice on a terminal, or is generated and
    shown once (the only copy: hand it to the analyst). It never goes on a command line."""
    import getpass
    import secrets

    from claimwatch.pipeline.tasks import prepare_warehouse
    from claimwatch.warehouse.access import AccessError, add_analyst
    from claimwatch.warehouse.connection import warehouse_dsn

    if not args.name:
        print("claimwatch warehouse add-analyst: give the analyst's login name", file=sys.stderr)
        return 2
    password = os.environ.get("CLAIMWATCH_ANALYST_PASSWORD")
    generated = False
    if not password and sys.stdin.isatty():
        password = getpass.getpass(f"password for {args.name}: ")
        if password != getpass.getpass("again: "):
            print("claimwatch warehouse add-analyst: the passwords differ", file=sys.stderr)
            return 2
    if not password:
        password, generated = secrets.token_urlsafe(18), True
    dsn = warehouse_dsn()
    try:
        prepare_warehouse(dsn)
        add_analyst(dsn, args.name, password, statement_timeout=args.statement_timeout)
    except AccessError as exc:
        print(f"claimwatch warehouse add-analyst: {exc}", file=sys.stderr)
        return 2
    print(
        f"created login {args.name} (claimwatch_analyst: reads marts and core; read-only sessions, "
        f"statement_timeout {args.statement_timeout})"
    )
    if generated:
        print(f"generated password (shown once): {password}")
    return 0


def _cmd_dictionary(args: argparse.Namespace) -> int:
    """``claimwatch dictionary [--out FILE]``: the data dictionary from the warehouse's COMMENTs, as Markdown."""
    from claimwatch.pipeline.tasks import prepare_warehouse
    from claimwatch.warehouse.access import dictionary
    from claimwatch.warehouse.connection import warehouse_dsn

    dsn = warehouse_dsn()
    prepare_warehouse(dsn)
    text = dictionary(dsn)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def _cmd_airflow(args: argparse.Namespace) -> int:
    from claimwatch.pipeline import airflow_local

    airflow_local.apply_env(airflow_local.airflow_env(Path(args.sources)))
    from claimwatch.pipeline.tasks import prepare_warehouse
    from claimwatch.warehouse import warehouse_dsn

    prepare_warehouse(warehouse_dsn())
    if Path(args.sources).resolve() == (PROJECT_ROOT / "sources.toml").resolve():
        with demo_sites():  # the demo registry's sources live on loopback: serve them while Airflow runs
            return airflow_local.serve()
    return airflow_local.serve()


def _cmd_cluster(args: argparse.Namespace) -> int:
    from claimwatch.pipeline import cluster

    if args.action == "drill":
        if not args.corpus:
            raise CliError("cluster drill: give --corpus FILE.jsonl")
        return cluster.drill(Path(args.corpus), workers=args.workers or 2)
    cfg = cluster.ClusterConfig.from_env(workers=args.workers or 2, port=args.port)
    if args.action == "down":
        print("stopped" if cluster.down(cfg) else "no cluster was running")
        return 0
    from claimwatch.pipeline.tasks import prepare_warehouse
    from claimwatch.registry import load_registry
    from claimwatch.warehouse import warehouse_dsn

    sources = Path(args.sources)
    load_registry(sources)
    if (running := cluster.running_supervisor(cfg)) is not None:  # before touching any database
        raise CliError(f"a cluster from {cfg.home} already runs (pid {running}): `claimwatch cluster down` stops it")
    prepare_warehouse(warehouse_dsn())
    if sources.resolve() == (PROJECT_ROOT / "sources.toml").resolve():
        with demo_sites():
            return cluster.up(cfg, sources)
    return cluster.up(cfg, sources)


def _cmd_status(args: argparse.Namespace) -> int:
    from claimwatch.pipeline.status import main as status_main

    return status_main(Path(args.sources))


class CliError(Exception):
    """A mistake in what was asked (a missing file, an unknown id): printed as one line, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (``claimwatch --help``)."""
    parser = argparse.ArgumentParser(prog="claimwatch", description="Militia attack claims: scrape, extract, load.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    # listed for --help only; main() hands their arguments to the module that owns them
    sub.add_parser("extract", help="JSON Lines posts in, one JSON object with claim fields per line out (--input FILE)")
    sub.add_parser("extract-articles", help="article text and metadata from .html/.html.gz files or folders")
    sub.add_parser("replay", help="serve JSON Lines posts as t.me/s/<channel> pages on loopback (--corpus FILE)")
    sub.add_parser("train", help="rebuild the claim and link models from the labelled sets (deterministic)")
    sub.add_parser("review", help="analyst corrections: set fields, mark wrong, merge or split events")
    sub.add_parser("report", help="write the self-contained HTML report (--out DIR)")

    default_sources = os.environ.get("CLAIMWATCH_SOURCES", str(PROJECT_ROOT / "sources.toml"))
    p = sub.add_parser("run", help="run every source of a registry once through its DAG (dag.test())")
    p.add_argument("--sources", required=True, help="registry TOML file")
    p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="show Airflow's task logs")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("demo", help="serve the demo channels and news site and run the demo registry")
    p.add_argument("--sources", default=str(PROJECT_ROOT / "sources.toml"))
    p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="show Airflow's task logs")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("crawl", help="crawl one source without Airflow")
    p.add_argument("--sources", default=default_sources)
    p.add_argument("--source", required=True)
    p.set_defaults(func=_cmd_crawl)

    p = sub.add_parser("migrate", help="apply warehouse migrations and load the actor/place dimensions")
    p.set_defaults(func=_cmd_migrate)

    p = sub.add_parser("reprocess", help="re-extract claims made by older extractor versions")
    p.set_defaults(func=_cmd_reprocess)

    p = sub.add_parser(
        "warehouse",
        help="the warehouse: print its DSN, open psql, stop the embedded server, add an analyst or pipeline login",
    )
    p.add_argument("action", choices=["dsn", "psql", "stop", "path", "add-analyst", "add-loader"])
    p.add_argument("name", nargs="?", help="add-analyst, add-loader: the login name")
    p.add_argument("--statement-timeout", default="60s", help="add-analyst: per-statement time limit")
    p.set_defaults(func=_cmd_warehouse, psql_args=[])

    p = sub.add_parser("dictionary", help="the data dictionary (Markdown) from the warehouse's COMMENTs")
    p.add_argument("--out", help="write to this file (default: stdout)")
    p.set_defaults(func=_cmd_dictionary)

    p = sub.add_parser("airflow", help="Airflow UI, scheduler, DAG processor and triggerer on 127.0.0.1")
    p.add_argument("--sources", default=default_sources)
    p.set_defaults(func=_cmd_airflow)

    p = sub.add_parser(
        "cluster", help="Airflow on the CeleryExecutor (Redis broker, PostgreSQL metadata): up, down, drill"
    )
    p.add_argument("action", choices=["up", "down", "drill"])
    p.add_argument("--workers", type=int, help="Celery workers (default 2)")
    p.add_argument("--corpus", help="drill: JSON Lines corpus of channel posts to replay and ingest")
    p.add_argument("--sources", default=default_sources, help="up: the registry the DAGs are built from")
    p.add_argument("--port", type=int, default=int(os.environ.get("CLAIMWATCH_AIRFLOW_PORT", "8080")))
    p.set_defaults(func=_cmd_cluster)

    p = sub.add_parser("status", help="one line per source; exit 0 only when every enabled source is healthy")
    p.add_argument("--sources", default=default_sources)
    p.set_defaults(func=_cmd_status)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``claimwatch`` console script.

    A mistake in what was asked (a missing file, a bad registry, an unknown source) ends as one line on stderr
    and exit status 2, Ctrl-C as one line and 130: a traceback is for bugs, not for typos."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else "claimwatch"
    try:
        if argv and argv[0] in DELEGATED:
            import importlib

            return int(importlib.import_module(DELEGATED[argv[0]]).main(argv[1:]))
        if argv[:2] == ["warehouse", "psql"]:  # everything after psql is psql's
            args = build_parser().parse_args(argv[:2])
            args.psql_args = argv[2:]
        else:
            args = build_parser().parse_args(argv)
        logging.basicConfig(
            level=logging.DEBUG if args.verbose else logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )
        logging.getLogger("pgserver").setLevel(logging.WARNING)  # its start-up chatter is not news to a user
        return int(args.func(args))
    except KeyboardInterrupt:
        print(f"claimwatch {command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        message = _user_error(exc)
        if message is None:
            raise
        print(f"claimwatch {command}: {message}", file=sys.stderr)
        return 2


def _user_error(exc: Exception) -> str | None:
    """The one-line message of an error that is the user's to fix, or None for a bug (which keeps its traceback)."""
    from claimwatch.pipeline.cluster import ClusterError
    from claimwatch.registry import RegistryError
    from claimwatch.warehouse.access import AccessError

    if isinstance(exc, CliError | RegistryError | ClusterError | AccessError):
        return str(exc)
    if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str) and ": no source with id" in exc.args[0]:
        return exc.args[0]
    if isinstance(exc, FileNotFoundError):
        return f"{exc.filename or exc}: no such file"
    import psycopg2

    if isinstance(exc, psycopg2.OperationalError):
        return "cannot reach the warehouse: " + str(exc).strip().splitlines()[0]
    return None


if __name__ == "__main__":
    sys.exit(main())
