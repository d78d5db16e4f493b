"""The fault matrix: every way a source can go wrong, crawled on loopback into a real PostgreSQL and reconciled
item by item. Each listed article or post ends landed exactly once, quarantined with a reason, or counted as a
reasoned skip in ``ops.crawl_runs``; nothing good is lost. The README's "Fault matrix" table lists the rows.

The hostile news site (``tests/hostile_site.py``) is crawled once per module, through three sources that list the
same articles (RSS, Atom, Google News sitemap), and every bad input is checked as its own test.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest
from psycopg2 import sql as pgsql

from claimwatch.replay import ReplayServer
from claimwatch.warehouse.connection import database_dsn
from tests import crawl_helpers, hostile_site
from tests.hostile_site import BAD_CASES, SPECIAL, BadCase

SOURCES = ("hostile_rss", "hostile_atom", "hostile_news")


def rows(dsn: str, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def _entry(source_id: str, kind: str, url: str) -> str:
    return (
        f'[[source]]\nid = "{source_id}"\nkind = "{kind}"\nurl = "{url}"\nbackfill = "all"\n'
        "politeness = { download_delay = 0.0, autothrottle = false, concurrency = 8, retries = 1, "
        f"download_timeout = {hostile_site.TIMEOUT_S}, max_response_bytes = {hostile_site.SIZE_CAP} }}\n"
    )


@pytest.fixture(scope="module")
def module_warehouse(pg_admin_dsn: str) -> Iterator[str]:
    """A migrated warehouse shared by the tests of this module (the hostile crawl runs once)."""
    from claimwatch.warehouse.migrate import migrate

    name = f"cw_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(pg_admin_dsn)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    dsn = database_dsn(pg_admin_dsn, name)
    try:
        migrate(dsn)
        yield dsn
    finally:
        with admin.cursor() as cur:
            cur.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))
        admin.close()


@pytest.fixture(scope="module")
def hostile(module_warehouse: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Crawl the hostile site through its three listings, then the RSS listing again; return what happened."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "empty").mkdir()
    with ReplayServer(site=root / "empty", faults=hostile_site.faults()) as server:
        server.site = hostile_site.build_site(root, server.url).resolve()
        base = server.url
        registry = crawl_helpers.write_registry(
            root / "sources.toml",
            _entry("hostile_rss", "feed", f"{base}/hostile/rss.xml"),
            _entry("hostile_atom", "feed", f"{base}/hostile/atom.xml"),
            _entry("hostile_news", "sitemap", f"{base}/hostile/news-sitemap.xml"),
        )
        summaries, logs = {}, {}
        for source_id in SOURCES:
            code, summary, log = crawl_helpers.run_crawl(registry, source_id, module_warehouse, timeout=300)
            assert summary, f"{source_id}: no summary (exit {code})\n{log[-4000:]}"
            summaries[source_id], logs[source_id] = summary, log
        first_requests = list(server.request_log)
        code, rerun, log = crawl_helpers.run_crawl(registry, "hostile_rss", module_warehouse, timeout=300)
        yield {
            "base": base,
            "summaries": summaries,
            "logs": logs,
            "requests": first_requests,
            "rerun": rerun,
            "rerun_requests": server.request_log[len(first_requests) :],
        }


def test_every_good_article_lands_exactly_once_across_the_sites_listings(
    hostile: dict[str, Any], module_warehouse: str
) -> None:
    base = hostile["base"]
    landed = rows(module_warehouse, "SELECT external_id, source_id FROM raw.documents")
    keys = [key for key, _source in landed]
    assert len(keys) == len(set(keys)), "an article landed twice"
    expected = {f"{base}/{path}" for path in hostile_site.good_paths()}
    assert set(keys) == expected
    assert {source for _key, source in landed} == {"hostile_rss"}  # the first listing fetched them all
    fetched = [path for _m, path, _s in hostile["requests"]]
    for path in hostile_site.good_paths():
        assert fetched.count(f"/{path}") == 1, f"{path} fetched {fetched.count('/' + path)} times"
    # provenance: every listing that named each article
    listings = rows(module_warehouse, "SELECT url, count(DISTINCT source_id) FROM ops.document_listings GROUP BY url")
    named = dict(listings)
    for url in expected:
        assert named.get(url) == 3, (url, named.get(url))
    for source_id in ("hostile_atom", "hostile_news"):
        summary = hostile["summaries"][source_id]
        assert summary["status"] == "success", hostile["logs"][source_id][-3000:]
        assert summary["new_rows"] == 0
        assert summary["skips"] == {"fetched within the revisit window (24 h) by source hostile_rss": len(expected)}


def test_a_page_declaring_og_type_website_lands_when_a_feed_lists_it(
    hostile: dict[str, Any], module_warehouse: str
) -> None:
    ((meta,),) = rows(
        module_warehouse,
        "SELECT meta FROM raw.documents WHERE external_id = %s",
        f"{hostile['base']}/{SPECIAL['og_website']}",
    )
    assert meta["og_type"] == "website" and meta["title"]


def test_valid_utf8_with_c1_mojibake_lands_repaired_and_keeps_its_bytes(
    hostile: dict[str, Any], module_warehouse: str
) -> None:
    ((body, original, meta),) = rows(
        module_warehouse,
        "SELECT body, original, meta FROM raw.documents WHERE external_id = %s",
        f"{hostile['base']}/{SPECIAL['c1_mojibake']}",
    )
    assert "\u0080" not in body and "\u0099" not in body and "’" in body
    assert bytes(original).count(b"\xc2\x80") >= 1 and "\u0080".encode() in bytes(original)
    assert any("ftfy" in note for note in meta["encoding_notes"])


@pytest.mark.parametrize("name", ["cp1256_wrong_header", "cp1256_no_charset"])
def test_windows_1256_under_a_wrong_or_missing_charset_decodes_to_arabic(
    hostile: dict[str, Any], module_warehouse: str, name: str
) -> None:
    ((body, meta),) = rows(
        module_warehouse,
        "SELECT body, meta FROM raw.documents WHERE external_id = %s",
        f"{hostile['base']}/{SPECIAL[name]}",
    )
    assert meta["encoding"] == "cp1256"
    assert "إيلات" in body and "Ø" not in body


def test_the_sites_text_reaches_core_documents(hostile: dict[str, Any], module_warehouse: str) -> None:
    from claimwatch.normalize import normalize_documents

    normalize_documents(module_warehouse, "hostile_rss")
    texts = dict(rows(module_warehouse, "SELECT external_id, text FROM core.documents"))
    base = hostile["base"]
    assert len(texts) == len(hostile_site.good_paths())
    assert "إيلات" in texts[f"{base}/{SPECIAL['cp1256_no_charset']}"]
    assert "\u0080" not in texts[f"{base}/{SPECIAL['c1_mojibake']}"]


@pytest.mark.parametrize("case", BAD_CASES, ids=[case.name for case in BAD_CASES])
def test_bad_input_is_quarantined_or_skipped_with_its_reason(
    hostile: dict[str, Any], module_warehouse: str, case: BadCase
) -> None:
    summary = hostile["summaries"]["hostile_rss"]
    if case.outcome == "skip":
        assert summary["skips"].get(case.reason, 0) >= 1, summary["skips"]
        return
    reasons = [
        reason
        for (reason,) in rows(
            module_warehouse, "SELECT reason FROM ops.quarantine WHERE url = %s", f"{hostile['base']}{case.path}"
        )
    ]
    assert any(case.reason in reason for reason in reasons), reasons


def test_errors_count_failed_items_once_each_with_reasons(hostile: dict[str, Any], module_warehouse: str) -> None:
    summary = hostile["summaries"]["hostile_rss"]
    assert summary["status"] == "partial"  # the transient failures keep the cursor for the next run
    assert summary["errors"] == sum(summary["error_reasons"].values())
    # one count per failed item: every quarantine row of the run that records a failure (not a page that is
    # simply no article, which is a fact about the page, not a failure of the crawl)
    failures = rows(
        module_warehouse,
        "SELECT count(*) FROM ops.quarantine WHERE crawl_run_id = %s AND reason NOT LIKE 'no article extracted%%' "
        "AND reason NOT LIKE 'undecodable page%%' AND reason <> 'not an HTML page'",
        summary["crawl_run_id"],
    )[0][0]
    assert summary["errors"] == failures
    quarantined = rows(
        module_warehouse, "SELECT count(*) FROM ops.quarantine WHERE crawl_run_id = %s", summary["crawl_run_id"]
    )[0][0]
    assert summary["quarantined"] == quarantined


def test_a_rerun_fetches_no_article_again(hostile: dict[str, Any], module_warehouse: str) -> None:
    rerun = hostile["rerun"]
    assert rerun["new_rows"] == 0
    good = {f"/{path}" for path in hostile_site.good_paths()}
    assert not good & {path for _m, path, _s in hostile["rerun_requests"]}
