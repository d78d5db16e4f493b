"""The ``claimwatch`` command line: the contracts of DESIGN.md, as other tools call them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from claimwatch.config import PROJECT_ROOT

GUIDE_KEYS = {"kind", "actor", "weapon", "target_country", "location", "event_date", "intercepted", "operations"}


def _claimwatch(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimwatch.cli", *args], input=stdin, capture_output=True, text=True, timeout=300
    )


def test_extract_reads_stdin_or_a_file_and_passes_input_keys_through(corpus: Path) -> None:
    source = corpus / "claims-gold" / "dev.input.jsonl"
    lines = source.read_text(encoding="utf-8").splitlines()
    from_file = _claimwatch("extract", "--input", str(source))
    assert from_file.returncode == 0, from_file.stderr[-2000:]
    out = [json.loads(line) for line in from_file.stdout.splitlines()]
    assert len(out) == len(lines)
    for given, got in zip(lines, out, strict=True):
        record = json.loads(given)
        assert {k: got[k] for k in record} == record
        assert set(got) >= GUIDE_KEYS
        assert got["kind"] in {"claim", "report", "other"}
    from_stdin = _claimwatch("extract", stdin="\n".join(lines[:5]) + "\n")
    assert from_stdin.stdout.splitlines() == from_file.stdout.splitlines()[:5]


def test_extract_articles_writes_one_object_per_page(tmp_path: Path) -> None:
    folder = PROJECT_ROOT / "demo" / "news_site" / "articles"
    result = _claimwatch("extract-articles", str(folder))
    assert result.returncode == 0, result.stderr[-2000:]
    pages = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(p["id"] for p in pages) == sorted(f.name.removesuffix(".html") for f in folder.glob("*.html"))
    good = [p for p in pages if "error" not in p]
    assert good and all(p["title"] and p["body"] and p["language"] == "en" for p in good)
    assert [p["id"] for p in pages if "error" in p] == ["broken-empty"]


def test_run_rejects_an_invalid_registry_with_a_clear_message(tmp_path: Path) -> None:
    registry = tmp_path / "bad.toml"
    registry.write_text('[[source]]\nid = "x"\nkind = "telegram"\n', encoding="utf-8")
    result = _claimwatch("run", "--sources", str(registry))
    assert result.returncode == 2
    assert f"{registry}: [[source]] #1 (id='x'): field 'channel'" in result.stderr


def test_replay_refuses_a_public_address() -> None:
    corpus_file = PROJECT_ROOT / "demo" / "channels" / "demo_edits.jsonl"
    result = _claimwatch("replay", "--corpus", str(corpus_file), "--host", "0.0.0.0", "--port", "0")
    assert result.returncode == 2
    assert "non-loopback" in result.stderr


def test_run_lands_a_registry_through_its_dags_and_prints_the_summary(warehouse_dsn: str, tmp_path: Path) -> None:
    from claimwatch.tools.replay import ReplayServer
    from tests.crawl_helpers import telegram_entry, write_registry

    corpus_file = PROJECT_ROOT / "demo" / "channels" / "demo_edits.jsonl"
    posts = {json.loads(line)["msg_id"] for line in corpus_file.read_text(encoding="utf-8").splitlines()}
    with ReplayServer([corpus_file]) as server:
        registry = write_registry(tmp_path / "r.toml", telegram_entry("edits", "demo_edits", server.url))
        env_data = {"CLAIMWATCH_DATA_DIR": str(tmp_path / "data")}
        result = subprocess.run(
            [sys.executable, "-m", "claimwatch.cli", "run", "--sources", str(registry)],
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, **env_data},
        )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert any(line.split()[:2] == ["ingest__edits", "success"] for line in lines), result.stdout
    row = next(line.split() for line in lines if line.startswith("edits "))
    assert row[1:3] == ["telegram", "success"] and int(row[4]) == len(posts)  # new rows = distinct posts
    logs = list((tmp_path / "data" / "logs").glob("run-*.log"))
    assert logs and "ingest__edits" in logs[0].read_text(encoding="utf-8", errors="replace")


def _one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    """The command failed with exactly one line on stderr and no traceback; return that line."""
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_crawl_of_an_unknown_source_is_one_line(tmp_path: Path) -> None:
    line = _one_clear_line(_claimwatch("crawl", "--sources", str(PROJECT_ROOT / "sources.toml"), "--source", "nope"))
    assert line == f"claimwatch crawl: {PROJECT_ROOT / 'sources.toml'}: no source with id 'nope'"


def test_crawl_with_a_bad_or_missing_registry_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[source]]\nid = "x"\nkind = "telegram"\n', encoding="utf-8")
    line = _one_clear_line(_claimwatch("crawl", "--sources", str(bad), "--source", "x"))
    assert line == f"claimwatch crawl: {bad}: [[source]] #1 (id='x'): field 'channel': required for telegram: " + (
        "the channel's public username"
    )
    line = _one_clear_line(_claimwatch("crawl", "--sources", str(tmp_path / "missing.toml"), "--source", "x"))
    assert line == f"claimwatch crawl: {tmp_path / 'missing.toml'}: no such registry file"
    line = _one_clear_line(_claimwatch("status", "--sources", str(tmp_path / "missing.toml")))
    assert line == f"claimwatch status: {tmp_path / 'missing.toml'}: no such registry file"


def test_missing_input_and_corpus_files_are_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    assert _one_clear_line(_claimwatch("extract", "--input", str(missing))) == (
        f"claimwatch extract: --input {missing}: no such file"
    )
    line = _one_clear_line(_claimwatch("replay", "--corpus", str(missing), "--port", "0"))
    assert line.startswith("claimwatch replay: ") and str(missing) in line
    assert _one_clear_line(_claimwatch("cluster", "drill", "--corpus", str(missing))) == (
        f"claimwatch cluster: {missing}: no such corpus file"
    )
    assert (
        _one_clear_line(_claimwatch("cluster", "drill"))
        == "claimwatch cluster: cluster drill: give --corpus FILE.jsonl"
    )


def test_warehouse_psql_passes_its_arguments_and_keeps_the_password_off_argv(warehouse_dsn: str) -> None:
    from urllib.parse import urlsplit

    # the test server trusts loopback, so a password in the DSN is accepted and ignored: enough to see where it goes
    parts = urlsplit(warehouse_dsn)
    if parts.hostname is None:
        import pytest

        pytest.skip("the embedded warehouse listens on a socket only")
    secret = "s3cret-pw-123"
    dsn = warehouse_dsn.replace(f"{parts.username}@", f"{parts.username}:{secret}@", 1)
    result = subprocess.run(
        [sys.executable, "-m", "claimwatch.cli", "warehouse", "psql", "-At", "-c", "SELECT current_database()"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CLAIMWATCH_WAREHOUSE_DSN": dsn},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == parts.path.lstrip("/")
    # what psql's own command line holds, read from inside psql
    argv = subprocess.run(
        [sys.executable, "-m", "claimwatch.cli", "warehouse", "psql", "-c", r"\! tr '\0' ' ' < /proc/$PPID/cmdline"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CLAIMWATCH_WAREHOUSE_DSN": dsn},
    )
    assert argv.returncode == 0, argv.stderr
    assert "psql" in argv.stdout and secret not in argv.stdout
    shown = subprocess.run(
        [sys.executable, "-m", "claimwatch.cli", "warehouse", "dsn"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CLAIMWATCH_WAREHOUSE_DSN": dsn},
    )
    assert shown.stdout.strip() == dsn.replace(secret, "***")
