"""Run one source's spider to completion: the body of the DAG's crawl task.

Runs in its own process (``python -m claimwatch.ingest.crawl``) because Scrapy's Twisted reactor cannot be
restarted inside one process, and so that a worker killing the crawl kills only the crawl. The process
opens an ``ops.crawl_runs`` row, runs the spider (which lands rows through the item pipeline), writes
the crawl's statistics to that row, and prints the row as one JSON line on stdout as its last output.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import IO, Any

from claimwatch.config import warehouse_reconnect_seconds
from claimwatch.registry import Source, find_source
from claimwatch.warehouse import connect, query, warehouse_dsn

log = logging.getLogger(__name__)

SUMMARY_PREFIX = "CRAWL_SUMMARY "


@dataclass(frozen=True)
class RunContext:
    """Who started the crawl: the trace from warehouse rows back to the Airflow run."""

    dag_id: str | None = None
    dag_run_id: str | None = None
    task_try: int | None = None


def register_source(source: Source, dsn: str) -> None:
    """Upsert the registry entry into ``ops.sources`` (rows reference it)."""
    with connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            query("source_upsert"),
            {
                "source_id": source.id,
                "kind": source.kind,
                "config": json.dumps(source.to_dict()),
                "enabled": source.enabled,
            },
        )


def start_run(source: Source, dsn: str, ctx: RunContext) -> tuple[int, dict[str, Any]]:
    """Open a crawl run row (closing runs that died before); return its id and the source's cursor."""
    register_source(source, dsn)
    with connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(query("crawl_runs_abandon_stale"), {"source_id": source.id})
        cur.execute(
            query("crawl_run_start"),
            {"source_id": source.id, "dag_id": ctx.dag_id, "dag_run_id": ctx.dag_run_id, "task_try": ctx.task_try},
        )
        crawl_run_id, cursor = cur.fetchone()
    return int(crawl_run_id), dict(cursor or {})


def finish_run(
    crawl_run_id: int,
    dsn: str,
    stats: dict[str, Any],
    status: str,
    duration_s: float,
    error_reasons: dict[str, int],
    skips: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Write the spider's statistics to the crawl run row and return the row.

    ``errors`` is the number of failed items, the sum of ``error_reasons``: one count per item, whatever number of
    log lines its failure wrote (a retried request that finally failed logs several). The warehouse may be on its
    way back from a restart, so the connection is retried for the reconnect window.
    """
    responses = {
        key.rsplit("/", 1)[1]: value
        for key, value in stats.items()
        if key.startswith("downloader/response_status_count/")
    }
    errors = sum(error_reasons.values())
    # At least half a minute: a run that failed because the warehouse went away should still record why.
    with connect(dsn, retry_for=max(warehouse_reconnect_seconds(), 30.0)) as conn, conn.cursor() as cur:
        cur.execute(
            query("crawl_run_finish"),
            {
                "crawl_run_id": crawl_run_id,
                "status": status,
                "duration_s": duration_s,
                "requests": int(stats.get("downloader/request_count", 0)),
                "responses_by_status": json.dumps(responses),
                "items": int(stats.get("item_scraped_count", 0)),
                "bytes": int(stats.get("downloader/response_bytes", 0)),
                "errors": errors,
                "error_reasons": json.dumps(error_reasons),
                "skips": json.dumps(skips or {}),
                "finish_reason": str(stats.get("claimwatch/walk_end") or stats.get("finish_reason") or ""),
            },
        )
        names = [d.name for d in cur.description]
        row = dict(zip(names, cur.fetchone(), strict=True))
    return row


def scrapy_settings(source: Source) -> dict[str, Any]:
    """Per-source overrides of the project settings, from the registry's ``politeness`` table."""
    p = source.politeness
    return {
        "DOWNLOAD_DELAY": p.download_delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if p.download_delay > 0 else 0.0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": max(1, p.concurrency),
        "AUTOTHROTTLE_ENABLED": p.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(p.download_delay, 0.1),
        "DOWNLOAD_MAXSIZE": p.max_response_bytes,
        "DOWNLOAD_WARNSIZE": max(1, p.max_response_bytes // 2),
        "RETRY_TIMES": p.retries,
        "ROBOTSTXT_OBEY": p.obey_robots,
        "DOWNLOAD_TIMEOUT": p.download_timeout,
    }


def crawl(source: Source, dsn: str, ctx: RunContext, log_level: str = "INFO") -> dict[str, Any]:
    """Run the source's spider in this process (call once per process) and return the crawl run row."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "spiders.settings")
    settings = get_project_settings()
    settings.setdict(scrapy_settings(source), priority="spider")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    crawl_run_id, cursor = start_run(source, dsn, ctx)
    log.info("crawl run %d of %s from cursor %s", crawl_run_id, source.id, cursor)
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(source.kind)  # the spider named for the kind (SPIDER_MODULES)
    started = time.monotonic()
    process.crawl(crawler, source=source, crawl_run_id=crawl_run_id, cursor=cursor, dsn=dsn)
    process.start()
    spider: Any = crawler.spider
    stats = crawler.stats.get_stats() if crawler.stats else {}
    skips: dict[str, int] = {}
    if spider is None:
        status = "failed"
        reasons: dict[str, int] = {"spider did not start": 1}
    else:
        reasons = dict(spider.error_reasons)
        skips = dict(spider.skips)
        if stats.get("finish_reason") != "finished" and not reasons:
            reasons[f"finish reason {stats.get('finish_reason')}"] = 1
        status = run_status(spider.walk_complete, reasons, stats)
    return finish_run(crawl_run_id, dsn, stats, status, time.monotonic() - started, reasons, skips)


def run_status(walk_complete: bool, error_reasons: dict[str, int], stats: dict[str, Any]) -> str:
    """``success`` only when the walk completed and every item it produced was landed or quarantined;
    ``failed`` when the warehouse could not take the items (Airflow retries the task) or nothing landed;
    ``partial`` when rows landed but something was lost on the way (the cursor stays; the next run re-walks)."""
    if stats.get("claimwatch/load_failed"):
        return "failed"
    if walk_complete and not error_reasons:
        return "success"
    return "partial" if stats.get("claimwatch/new_rows") else "failed"


def crawl_command(sources_file: str, source_id: str, ctx: RunContext | None = None) -> list[str]:
    """The command line of one crawl process (``python -m claimwatch.ingest.crawl ...``)."""
    ctx = ctx or RunContext()
    cmd = [sys.executable, "-m", "claimwatch.ingest.crawl", "--sources", sources_file, "--source", source_id]
    if ctx.dag_id:
        cmd += ["--dag-id", ctx.dag_id]
    if ctx.dag_run_id:
        cmd += ["--dag-run-id", ctx.dag_run_id]
    if ctx.task_try is not None:
        cmd += ["--task-try", str(ctx.task_try)]
    return cmd


def read_summary(stdout: str) -> dict[str, Any] | None:
    """The crawl run row a crawl process printed as its ``CRAWL_SUMMARY`` line, if it got that far."""
    summary = None
    for line in stdout.splitlines():
        if line.startswith(SUMMARY_PREFIX):
            summary = json.loads(line[len(SUMMARY_PREFIX) :])
    return summary


# Scrapy's log format ('%(asctime)s [%(name)s] %(levelname)s: %(message)s'), as the crawl process writes it.
_SCRAPY_LINE = re.compile(r"^\S+ \S+ \[(?P<name>[^\]]+)\] (?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL): (?P<msg>.*)$")


def relay_log(stream: IO[str], logger: logging.Logger) -> str | None:
    """Re-log the crawl process's stderr line by line at each line's own level; return the last ERROR line.

    Airflow writes a task's raw stderr at ERROR, so a successful crawl would look like a failed one (every
    Scrapy line red in the UI). Lines without a level (a traceback's continuation) keep the level of the line
    they continue; output before any Scrapy line (a crash at start-up) is a WARNING until the exit code tells.
    """
    level = logging.WARNING
    last_error = None
    for raw in stream:
        line = raw.rstrip("\n")
        if not line:
            continue
        match = _SCRAPY_LINE.match(line)
        if match:
            level = int(logging.getLevelNamesMapping()[match["level"]])
            line = f"[{match['name']}] {match['msg']}"
        logger.log(level, "%s", line)
        if level >= logging.ERROR or (match is None and line.split(":", 1)[0].endswith(("Error", "Exception"))):
            last_error = line
    return last_error


def run_subprocess(
    source: Source, sources_file: str, dsn: str, ctx: RunContext, timeout: float | None = None
) -> dict[str, Any]:
    """Run :func:`crawl` in a child process; return its summary row. Raises CalledProcessError on failure.

    The child's stderr (Scrapy's log) is relayed through :func:`relay_log` as it comes; the DSN reaches the
    child through its environment, never its command line."""
    cmd = crawl_command(sources_file, source.id, ctx)
    env = {**os.environ, "CLAIMWATCH_WAREHOUSE_DSN": dsn}
    child_log = logging.getLogger("claimwatch.ingest.crawl.process")
    with subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        err_stream = proc.stderr
        relay_result: list[str | None] = [None]
        relay = threading.Thread(target=lambda: relay_result.__setitem__(0, relay_log(err_stream, child_log)))
        relay.start()
        killer = threading.Timer(timeout, proc.kill) if timeout else None
        if killer:
            killer.start()
        try:
            stdout = proc.stdout.read()
            proc.wait()
        finally:
            if killer:
                killer.cancel()
            relay.join()
    summary = read_summary(stdout)
    if proc.returncode != 0 or summary is None:
        reason = relay_result[0] or (summary or {}).get("error_reasons") or "no summary"
        log.error("crawl of %s failed (exit %s): %s", source.id, proc.returncode, reason)
        raise CrawlFailed(proc.returncode, cmd, output=stdout, summary=summary)
    return summary


class CrawlFailed(subprocess.CalledProcessError):
    """A crawl process that failed; its message carries the run's status and error reasons (what Airflow shows)."""

    def __init__(self, returncode: int, cmd: list[str], output: str, summary: dict[str, Any] | None) -> None:
        super().__init__(returncode, cmd, output=output)
        self.summary = summary

    def __str__(self) -> str:
        if self.summary is None:
            return f"crawl process exited with {self.returncode} before writing its run summary"
        return (
            f"crawl run {self.summary.get('crawl_run_id')} {self.summary.get('status')}: "
            f"errors {self.summary.get('errors')} {json.dumps(self.summary.get('error_reasons') or {})}, "
            f"new rows {self.summary.get('new_rows')}"
        )


def main(argv: list[str] | None = None) -> int:
    """``python -m claimwatch.ingest.crawl --sources FILE --source ID``: one crawl, summary on stdout."""
    parser = argparse.ArgumentParser(prog="claimwatch.ingest.crawl", description=__doc__)
    parser.add_argument("--sources", required=True, help="registry file")
    parser.add_argument("--source", required=True, help="source id")
    parser.add_argument("--dag-id")
    parser.add_argument("--dag-run-id")
    parser.add_argument("--task-try", type=int)
    parser.add_argument("--log-level", default=os.environ.get("CLAIMWATCH_CRAWL_LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)
    source = find_source(args.sources, args.source)
    dsn = warehouse_dsn()
    row = crawl(source, dsn, RunContext(args.dag_id, args.dag_run_id, args.task_try), args.log_level)
    print(SUMMARY_PREFIX + json.dumps(row, default=str), flush=True)
    return 0 if row["status"] in ("success", "partial") else 1


if __name__ == "__main__":
    sys.exit(main())
