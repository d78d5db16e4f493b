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
    from claimwatch.replay import ReplayServer
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
